//! FreeIPMI `ipmi-sensors` (and `ipmimonitoring`): `ID | Name | Type | [State |] Reading |
//! Units | [Lower NR | Lower C | Lower NC | Upper NC | Upper C | Upper NR |] Event`, columns
//! found by the header line (or, with `--no-header-output`, by their count). Events are
//! single-quoted texts: `'Presence detected' 'Power Supply Failure detected'`.

use crate::model::{self, Health, Limits, Sensor, MAX_EVENTS, MAX_SENSORS};
use common::ParseError;

const NO_STATE: &[&str] = &["id", "name", "type", "reading", "units", "event"];
const STATE: &[&str] = &["id", "name", "type", "state", "reading", "units", "event"];
const LIMITS: &[&str] = &[
    "lower nr", "lower c", "lower nc", "upper nc", "upper c", "upper nr",
];

pub fn parse(text: &str) -> Result<Vec<Sensor>, ParseError> {
    let lines = model::whole_lines(text)?;
    let mut columns: Option<Vec<String>> = None;
    let mut out = Vec::new();
    for (n, line) in lines {
        let cols: Vec<&str> = line.split('|').map(str::trim).collect();
        if columns.is_none() {
            if cols.first().is_some_and(|c| {
                c.eq_ignore_ascii_case("id") || c.eq_ignore_ascii_case("record id")
            }) {
                let named: Vec<String> = cols.iter().map(|c| column_name(c)).collect();
                for needed in ["name", "type", "reading", "units"] {
                    if !named.iter().any(|c| c == needed) {
                        return Err(ParseError::at(
                            n,
                            line,
                            format!("header without a '{needed}' column"),
                        ));
                    }
                }
                columns = Some(named);
                continue;
            }
            columns = Some(by_count(cols.len()).ok_or_else(|| {
                ParseError::at(
                    n,
                    line,
                    format!(
                        "{} columns and no header: not ipmi-sensors output",
                        cols.len()
                    ),
                )
            })?);
        }
        let names = columns.as_deref().unwrap_or_default();
        if cols.len() != names.len() {
            return Err(ParseError::at(
                n,
                line,
                format!("{} columns, the header has {}", cols.len(), names.len()),
            ));
        }
        let get = |name: &str| names.iter().position(|c| c == name).map(|i| cols[i]);
        let name = get("name").unwrap_or("");
        if name.is_empty() {
            return Err(ParseError::at(n, line, "no sensor name"));
        }
        let events = quoted(get("event").unwrap_or("")).ok_or_else(|| {
            ParseError::at(
                n,
                line,
                format!("event texts are not whole 'quoted' strings (at most {MAX_EVENTS})"),
            )
        })?;
        let reading_text = get("reading").unwrap_or("N/A");
        let reading = model::number(reading_text);
        if reading.is_none() && !reading_text.eq_ignore_ascii_case("n/a") {
            return Err(ParseError::at(
                n,
                line,
                format!("reading '{reading_text}' is no number"),
            ));
        }
        let unit = model::unit(get("units").unwrap_or(""));
        let health = match get("state") {
            Some(s) => {
                state(s).ok_or_else(|| ParseError::at(n, line, format!("unknown state '{s}'")))?
            }
            // No State column: only the events tell (judged by the rules from their texts).
            None if events.is_empty() && reading.is_none() => Health::NotReadable,
            None => Health::Ok,
        };
        let limit = |c: &str| get(c).and_then(model::number);
        let type_name = get("type").map(str::to_string);
        out.push(Sensor {
            id: get("id").map(str::to_string),
            name: name.to_string(),
            kind: model::kind(type_name.as_deref(), unit, name, &events),
            type_name,
            health,
            reading,
            unit,
            events,
            limits: Limits {
                lnr: limit("lower nr"),
                lcr: limit("lower c"),
                lnc: limit("lower nc"),
                unc: limit("upper nc"),
                ucr: limit("upper c"),
                unr: limit("upper nr"),
            },
        });
        if out.len() > MAX_SENSORS {
            return Err(ParseError::at(
                n,
                line,
                format!("more than {MAX_SENSORS} sensors"),
            ));
        }
    }
    if columns.is_none() {
        return Err(ParseError::whole("no sensor lines"));
    }
    Ok(out)
}

/// A header column in our terms; older FreeIPMI (ipmimonitoring 0.7/0.8) named them
/// `Record ID | Sensor Name | Sensor Group | Monitoring Status | Sensor Units | Sensor Reading`.
fn column_name(c: &str) -> String {
    let c = c.to_ascii_lowercase();
    match c.as_str() {
        "record id" => "id",
        "sensor name" => "name",
        "sensor group" | "sensor type" => "type",
        "monitoring status" | "sensor state" => "state",
        "sensor units" => "units",
        "sensor reading" => "reading",
        "sensor event" => "event",
        other => other,
    }
    .to_string()
}

fn by_count(n: usize) -> Option<Vec<String>> {
    let mut base: Vec<&str> = match n {
        6 | 12 => NO_STATE.to_vec(),
        7 | 13 => STATE.to_vec(),
        _ => return None,
    };
    if n >= 12 {
        let at = base.len() - 1;
        for (i, l) in LIMITS.iter().enumerate() {
            base.insert(at + i, l);
        }
    }
    Some(base.into_iter().map(str::to_string).collect())
}

/// FreeIPMI's State column: `Nominal`, `Warning`, `Critical`, `N/A`.
fn state(text: &str) -> Option<Health> {
    Some(match text.to_ascii_lowercase().as_str() {
        "nominal" => Health::Ok,
        "warning" => Health::Warning,
        "critical" => Health::Critical,
        "n/a" | "unknown" => Health::NotReadable,
        _ => return None,
    })
}

/// `'Presence detected' 'Power Supply Failure detected'` -> the texts; `'OK'` and `N/A` ->
/// none; an unclosed quote (a cut) -> None.
fn quoted(text: &str) -> Option<Vec<String>> {
    let t = text.trim();
    if t.is_empty() || t.eq_ignore_ascii_case("n/a") {
        return Some(Vec::new());
    }
    let mut out = Vec::new();
    let mut rest = t;
    while !rest.is_empty() {
        let inner = rest.strip_prefix('\'')?;
        let end = inner.find('\'')?;
        let ev = inner[..end].trim();
        if !ev.is_empty() && !ev.eq_ignore_ascii_case("ok") {
            out.push(ev.to_string());
        }
        // A sensor has at most 15 event offsets (IPMI 2.0 section 42): more is not a sensor's.
        if out.len() > MAX_EVENTS {
            return None;
        }
        rest = inner[end + 1..].trim_start();
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Kind;

    const SIM: &str = "ID | Name          | Type         | State    | Reading    | Units | Lower NR   | Lower C    | Lower NC   | Upper NC   | Upper C    | Upper NR   | Event\n\
1  | CPU Temp      | Temperature  | Critical | 90.00      | C     | N/A        | N/A        | N/A        | 75.00      | 85.00      | 95.00      | 'At or Above (>=) Upper Critical Threshold'\n\
6  | PS1 Status    | Power Supply | Critical | N/A        | N/A   | N/A        | N/A        | N/A        | N/A        | N/A        | N/A        | 'Presence detected' 'Power Supply Failure detected'\n";

    #[test]
    fn header_thresholds_and_events() {
        let s = parse(SIM).unwrap();
        assert_eq!(s[0].health, Health::Critical);
        assert_eq!(s[0].limits.ucr, Some(85.0));
        assert_eq!(s[0].kind, Kind::Temperature);
        assert_eq!(
            s[1].events,
            ["Presence detected", "Power Supply Failure detected"]
        );
        assert_eq!(s[1].kind, Kind::PowerSupply);
    }

    #[test]
    fn old_ipmimonitoring_header() {
        let s = parse("Record ID | Sensor Name | Sensor Group | Monitoring Status| Sensor Units | Sensor Reading\n1 | CPU Temp | Temperature | Critical | C | 90.00\n").unwrap();
        assert_eq!(s[0].health, Health::Critical);
        assert_eq!(s[0].reading, Some(90.0));
        assert!(s[0].events.is_empty());
    }

    #[test]
    fn without_header_by_count() {
        let s = parse("45 | Status | Power Supply | N/A | N/A | 'Presence detected'\n").unwrap();
        assert_eq!(s[0].events, ["Presence detected"]);
    }

    #[test]
    fn unclosed_quote_or_cut_is_refused() {
        assert!(parse("45 | Status | Power Supply | N/A | N/A | 'Presence det\n").is_err());
        assert!(parse(&SIM[..SIM.len() - 5]).is_err());
        assert!(parse("ID | Name\n").is_err());
    }
}
