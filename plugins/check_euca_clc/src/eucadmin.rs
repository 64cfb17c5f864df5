//! Parser for the text of the legacy `euca-describe-services` (eucadmin, Eucalyptus 3.x-4.1).
//!
//! ```text
//! (\t is a tab)
//! SERVICE\tstorage           \tone       \tone-sc-1             \tNOTREADY\t112 \thttp://10.111.5.130:8773/services/Storage\tarn:euca:eucalyptus:one:storage:one-sc-1/
//! SERVICEEVENT\t6c1f7a0a-21c9-496c-bb79-23ddd5749204\tarn:euca:eucalyptus:one:storage:one-sc-1/
//! SERVICEEVENT\t6c1f7a0a-21c9-496c-bb79-23ddd5749204\tERROR
//! SERVICEEVENT\t6c1f7a0a-21c9-496c-bb79-23ddd5749204\tTue Mar 14 09:12:44 PDT 2017
//! SERVICEEVENT\t6c1f7a0a-21c9-496c-bb79-23ddd5749204\ttgtadm (Linux SCSI target administrator utility) is unresponsive
//! ```
//!
//! Fields are tab-separated *and* padded (`%-18s` ...; a long value overflows its width), so
//! each field is trimmed. A line without any tab is the same output whose tabs became spaces
//! (pasted, or copied from a terminal): its fields are split on runs of spaces, since no field
//! holds a space (an event message, the last field, is joined back).
//!
//! A listing cut short (a saved file truncated, a paste that stopped) must never be judged: a
//! SERVICE line is whole only when it ends with the service's full name, an ARN that ends in `/`
//! and names the same service; an event is whole only with its four lines, and when the listing
//! ends inside one, only with the line end eucadmin writes after every line. A cut exactly at
//! a line end leaves whole lines and cannot be told from a shorter listing (the format has no
//! end marker): it is read as the listing it is.
//!
//! With `-E` every event is four `SERVICEEVENT` lines: full name, severity, timestamp, message
//! (`EucaFormat` in eucadmin).

use crate::model::{host_of_uri, Event, Service, State};
use common::ParseError;

/// Parse the whole output.
pub fn parse(text: &str) -> Result<Vec<Service>, ParseError> {
    let mut services: Vec<Service> = Vec::new();
    // The event being read: (uuid, full name, lines seen, event, its last line's number).
    let mut event: Option<Reading> = None;
    let lines: Vec<&str> = text.lines().collect();
    for (i, line) in lines.iter().copied().enumerate() {
        let n = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = if line.contains('\t') {
            line.split('\t').map(str::trim).collect()
        } else {
            spaced_fields(line)
        };
        match fields[0] {
            "SERVICE" => {
                if fields.len() < 7 {
                    return Err(ParseError::at(
                        n,
                        line,
                        "expected tab-separated SERVICE type partition name STATE epoch uri fullName",
                    ));
                }
                let state = State::parse(fields[4]).ok_or_else(|| {
                    ParseError::at(n, line, format!("unknown state '{}'", fields[4]))
                })?;
                let epoch = if fields[5].is_empty() {
                    None
                } else {
                    Some(fields[5].parse::<u64>().map_err(|_| {
                        ParseError::at(n, line, format!("epoch '{}' is not a number", fields[5]))
                    })?)
                };
                let mut s = Service::new(fields[1], fields[2], fields[3], state);
                s.epoch = epoch;
                s.uri = Some(fields[6].to_string()).filter(|u| !u.is_empty() && u != "none");
                s.host = s.uri.as_deref().and_then(host_of_uri);
                if s.kind.is_empty() || s.name.is_empty() {
                    return Err(ParseError::at(n, line, "service type or name is empty"));
                }
                // The full name closes every SERVICE line eucadmin writes: without it, or
                // with an ARN that stops short, the line (and so the listing) was cut.
                let full_name = fields.get(7).copied().unwrap_or("");
                if !whole_arn(full_name, &s.name) {
                    return Err(ParseError::at(
                        n,
                        line,
                        "line cut short: it does not end with the service's full name (arn:euca:...:NAME/); the listing is not whole",
                    ));
                }
                s.full_name = Some(full_name.to_string());
                if let Some(done) = event.take() {
                    attach(&mut services, done, &lines)?;
                }
                services.push(s);
            }
            "SERVICEEVENT" => {
                // Every SERVICEEVENT line carries a value; one without is a line cut after
                // its uuid.
                if fields.len() < 3 || fields[2..].iter().all(|f| f.is_empty()) {
                    return Err(ParseError::at(
                        n,
                        line,
                        "expected SERVICEEVENT <uuid> <value>",
                    ));
                }
                let (uuid, value) = (fields[1], fields[2..].join(" "));
                let same = event.as_ref().is_some_and(|(u, ..)| u == uuid);
                if !same {
                    if let Some(done) = event.take() {
                        attach(&mut services, done, &lines)?;
                    }
                    event = Some((uuid.to_string(), value, 1, Event::default(), n));
                    continue;
                }
                if let Some((_, _, seen, ev, last)) = event.as_mut() {
                    *last = n;
                    match *seen {
                        1 => ev.severity = value,
                        2 => ev.timestamp = value,
                        _ if ev.message.is_empty() => ev.message = value,
                        _ => {
                            ev.message.push(' ');
                            ev.message.push_str(&value);
                        }
                    }
                    *seen += 1;
                }
            }
            _ => {
                return Err(ParseError::at(
                    n,
                    line,
                    "expected a SERVICE or SERVICEEVENT line (euca-describe-services output)",
                ))
            }
        }
    }
    if let Some(done) = event.take() {
        // An event's message is free text: cut inside, it still reads as a message. eucadmin
        // ends every line, so a last event line without its line end was cut there.
        if !text.ends_with('\n') {
            let last = done.4;
            return Err(ParseError::at(
                last,
                lines.get(last.wrapping_sub(1)).copied().unwrap_or(""),
                "line cut short: the listing ends inside an event, without a line end; the listing is not whole",
            ));
        }
        attach(&mut services, done, &lines)?;
    }
    if services.is_empty() {
        return Err(ParseError::whole(
            "no SERVICE lines (is this euca-describe-services output?)",
        ));
    }
    Ok(services)
}

/// The fields of a line whose tabs became spaces: `SERVICE type partition name STATE epoch uri
/// fullName` (the epoch may be missing: then the URI comes fifth), or `SERVICEEVENT uuid value`.
fn spaced_fields(line: &str) -> Vec<&str> {
    let mut fields: Vec<&str> = line.split_whitespace().collect();
    if fields.first() == Some(&"SERVICE")
        && fields.len() >= 6
        && fields[5].parse::<u64>().is_err()
        && fields[5].contains("://")
    {
        fields.insert(5, "");
    }
    fields
}

/// `arn:euca:eucalyptus:one:storage:one-sc-1/` whole, and naming `name`.
fn whole_arn(full_name: &str, name: &str) -> bool {
    full_name.ends_with('/')
        && crate::model::split_arn(full_name).is_some_and(|(_, _, arn_name)| arn_name == name)
}

/// An event being read: (uuid, full name, lines seen, event, the number of its last line).
type Reading = (String, String, usize, Event, usize);

/// Give an event to the service it names (else to the service listed last). An event of fewer
/// than its four lines was cut: an error naming its last line.
fn attach(
    services: &mut [Service],
    (_, full_name, seen, event, last): Reading,
    lines: &[&str],
) -> Result<(), ParseError> {
    if seen < 4 {
        return Err(ParseError::at(
            last,
            lines.get(last.wrapping_sub(1)).copied().unwrap_or(""),
            format!("event cut short: {seen} of its 4 SERVICEEVENT lines (full name, severity, time, message); the listing is not whole"),
        ));
    }
    let target = services
        .iter()
        .position(|s| s.full_name.as_deref() == Some(full_name.as_str()))
        .or_else(|| services.len().checked_sub(1));
    if let Some(i) = target {
        services[i].events.push(event);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_trimmed_and_events_attached() {
        let text = "SERVICE\tstorage        \tZONE1        \tSC71           \tBROKEN    \t37  \thttp://192.168.51.71:8773/services/Storage\tarn:euca:eucalyptus:ZONE1:storage:SC71/\n\
SERVICEEVENT\tu1\tarn:euca:eucalyptus:ZONE1:storage:SC71/\n\
SERVICEEVENT\tu1\tERROR\n\
SERVICEEVENT\tu1\tSun Nov 18 22:11:13 PST 2012\n\
SERVICEEVENT\tu1\tSC blockstorageamanger not configured.\n";
        let s = parse(text).unwrap();
        assert_eq!(s[0].partition, "ZONE1");
        assert_eq!(s[0].state, State::Broken);
        assert_eq!(s[0].host.as_deref(), Some("192.168.51.71"));
        assert_eq!(s[0].events[0].severity, "ERROR");
        assert_eq!(s[0].cause(), Some("SC blockstorageamanger not configured."));
    }

    #[test]
    fn garbage_names_the_line() {
        let e = parse("SERVICE\tstorage\tone\n").unwrap_err().to_string();
        assert!(e.contains("line 1"), "{e}");
        let e = parse("Connection refused\n").unwrap_err().to_string();
        assert!(e.contains("expected a SERVICE or SERVICEEVENT line"), "{e}");
        assert!(parse("").is_err());
    }
}
