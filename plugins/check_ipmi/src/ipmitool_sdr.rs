//! `ipmitool sdr elist` / `sdr type X` (5 columns: `name | id | status | entity | text`) and
//! the older `ipmitool sdr` / `sdr list` (3 columns: `name | reading unit | status`).
//!
//! The status column says `ok` for every readable discrete sensor, whatever it reports: the
//! text after the entity (`Presence detected, Failure detected`, `Redundancy Lost`) is what
//! tells a failed power supply, and it is kept as the sensor's events.

use crate::ipmitool_sensor::status;
use crate::model::{self, Limits, Sensor, MAX_SENSORS};
use common::ParseError;

pub fn parse(text: &str) -> Result<Vec<Sensor>, ParseError> {
    let mut out = Vec::new();
    let mut layout = None;
    for (n, line) in model::whole_lines(text)? {
        let cols: Vec<&str> = line.split('|').map(str::trim).collect();
        if layout.is_some_and(|l| l != cols.len()) || !matches!(cols.len(), 3 | 5) {
            return Err(ParseError::at(
                n,
                line,
                format!(
                    "{} columns, not the 5 of `ipmitool sdr elist` or the 3 of `ipmitool sdr`{}",
                    cols.len(),
                    if layout.is_some() {
                        " (or not as many as the lines before)"
                    } else {
                        ""
                    }
                ),
            ));
        }
        layout = Some(cols.len());
        if cols[0].is_empty() {
            return Err(ParseError::at(n, line, "no sensor name"));
        }
        let (id, state, value_text) = if cols.len() == 5 {
            if !is_record_id(cols[1]) {
                return Err(ParseError::at(
                    n,
                    line,
                    format!("'{}' is no sensor id (like 05h)", cols[1]),
                ));
            }
            (Some(cols[1].to_string()), cols[2], cols[4])
        } else {
            (None, cols[2], cols[1])
        };
        let health = status(state)
            .ok_or_else(|| ParseError::at(n, line, format!("unknown sensor status '{state}'")))?;
        let (reading, unit, events) = value(value_text, cols.len() == 5);
        if events.len() > model::MAX_EVENTS {
            return Err(ParseError::at(
                n,
                line,
                format!("more than {} event texts", model::MAX_EVENTS),
            ));
        }
        // Entity 10 (IPMI 2.0 table 43-13) is a power supply: Dell names its PSUs "Status".
        let kind = if cols.len() == 5 && cols[3].split('.').next() == Some("10") {
            model::Kind::PowerSupply
        } else {
            model::kind(None, unit, cols[0], &events)
        };
        out.push(Sensor {
            id,
            name: cols[0].to_string(),
            type_name: None,
            kind,
            health,
            reading,
            unit,
            events,
            limits: Limits::default(),
        });
        if out.len() > MAX_SENSORS {
            return Err(ParseError::at(
                n,
                line,
                format!("more than {MAX_SENSORS} sensors"),
            ));
        }
    }
    Ok(out)
}

/// `05h`, `6Ah`: the sensor number column of `sdr elist`.
fn is_record_id(text: &str) -> bool {
    text.len() >= 2
        && text.ends_with('h')
        && text[..text.len() - 1]
            .chars()
            .all(|c| c.is_ascii_hexdigit())
}

/// The value column: a reading with its unit (`45 degrees C`, `12.10 Volts`, `34.89
/// unspecifi`), then (elist) event texts after commas (`110 Watts, Presence detected`);
/// `No Reading`, `Not Readable`, `disabled`, `0x00` are no reading.
fn value(text: &str, elist: bool) -> (Option<f64>, Option<model::Unit>, Vec<String>) {
    let mut parts: Vec<&str> = if elist {
        text.split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect()
    } else {
        vec![text.trim()]
    };
    let mut reading = None;
    let mut unit = None;
    if let Some(first) = parts.first() {
        let (num, rest) = first.split_once(' ').unwrap_or((first, ""));
        if let Some(v) = model::number(num) {
            reading = Some(v);
            unit = model::unit(rest);
            parts.remove(0);
        }
    }
    let events = if elist {
        parts
            .into_iter()
            .filter(|p| !p.eq_ignore_ascii_case("no reading"))
            .map(str::to_string)
            .collect()
    } else {
        Vec::new()
    };
    (reading, unit, events)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Health, Kind, Unit};

    #[test]
    fn elist_keeps_event_texts() {
        let s = parse("PS1 Status       | 05h | ok  | 10.1 | Presence detected, Failure detected\nPower Supply 1   | 03h | ok  | 10.1 | 110 Watts, Presence detected\n").unwrap();
        assert_eq!(s[0].events, ["Presence detected", "Failure detected"]);
        assert_eq!(s[0].kind, Kind::PowerSupply);
        assert_eq!(s[1].reading, Some(110.0));
        assert_eq!(s[1].unit, Some(Unit::Watts));
        assert_eq!(s[1].kind, Kind::PowerSupply);
    }

    #[test]
    fn old_layout_reading_and_status() {
        let s = parse("Power Meter      | 208 Watts         | cr\nTemp 6           | disabled          | ns\n").unwrap();
        assert_eq!(s[0].health, Health::Critical);
        assert_eq!(s[0].kind, Kind::Power);
        assert_eq!(s[1].health, Health::NotReadable);
    }

    #[test]
    fn refuses_mixed_layouts_and_cuts() {
        assert!(parse("a | 1 C | ok\nb | 01h | ok | 3.1 | 4 C\n").is_err());
        assert!(parse("PS1 Status | 05h | ok | 10.1 | Presence detected, Fail").is_err());
        assert!(parse("x | zz | ok | 1.1 | y\n").is_err());
    }
}
