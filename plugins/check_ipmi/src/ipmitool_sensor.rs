//! `ipmitool sensor` (`sensor list`): ten `|`-separated columns,
//! `name | reading | unit | status | lnr | lcr | lnc | unc | ucr | unr`.
//!
//! Discrete sensors print a hex reading and a hex state (`0x1 | discrete | 0x0100`): not a
//! fault by itself (the bits mean different things per sensor type, which this listing does
//! not name); their event texts come from `ipmitool sdr elist`.

use crate::model::{self, Health, Limits, Sensor, MAX_SENSORS};
use common::ParseError;

pub fn parse(text: &str) -> Result<Vec<Sensor>, ParseError> {
    let mut out = Vec::new();
    for (n, line) in model::whole_lines(text)? {
        let cols: Vec<&str> = line.split('|').map(str::trim).collect();
        if cols.len() != 10 {
            return Err(ParseError::at(
                n,
                line,
                format!("{} columns, not the 10 of `ipmitool sensor`", cols.len()),
            ));
        }
        if cols[0].is_empty() {
            return Err(ParseError::at(n, line, "no sensor name"));
        }
        let health = status(cols[3]).ok_or_else(|| {
            ParseError::at(n, line, format!("unknown sensor status '{}'", cols[3]))
        })?;
        let reading = model::number(cols[1]);
        if reading.is_none() && !is_na_or_hex(cols[1]) {
            return Err(ParseError::at(
                n,
                line,
                format!("reading '{}' is no number", cols[1]),
            ));
        }
        let mut lim = [None; 6];
        for (i, c) in cols[4..10].iter().enumerate() {
            lim[i] = model::number(c);
            if lim[i].is_none() && !is_na_or_hex(c) {
                return Err(ParseError::at(
                    n,
                    line,
                    format!("threshold '{c}' is no number"),
                ));
            }
        }
        let unit = model::unit(cols[2]);
        // The hex state of a discrete sensor, or na: no reading to judge.
        let health = if cols[2].eq_ignore_ascii_case("discrete") && health == Health::NotReadable {
            Health::NotReadable
        } else {
            health
        };
        out.push(Sensor {
            id: None,
            name: cols[0].to_string(),
            type_name: None,
            kind: model::kind(None, unit, cols[0], &[]),
            health,
            reading: if cols[2].eq_ignore_ascii_case("discrete") {
                None
            } else {
                reading
            },
            unit,
            events: Vec::new(),
            limits: Limits {
                lnr: lim[0],
                lcr: lim[1],
                lnc: lim[2],
                unc: lim[3],
                ucr: lim[4],
                unr: lim[5],
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
    Ok(out)
}

fn is_na_or_hex(text: &str) -> bool {
    let t = text.trim();
    t.eq_ignore_ascii_case("na")
        || t.is_empty()
        || (t.starts_with("0x") && t.len() > 2 && t[2..].chars().all(|c| c.is_ascii_hexdigit()))
}

/// ipmitool's status words (ipmitool/lib/ipmi_sdr.c): `ok`, `nc`/`lnc`/`unc` (non-critical),
/// `cr`/`lcr`/`ucr` and `nr`/`lnr`/`unr` (critical, non-recoverable), `na`/`ns` (not
/// readable, not present); a discrete sensor's hex state (`0x0100`) is `Ok`.
pub fn status(text: &str) -> Option<Health> {
    let t = text.trim().to_ascii_lowercase();
    Some(match t.as_str() {
        "ok" => Health::Ok,
        "nc" | "lnc" | "unc" => Health::Warning,
        "cr" | "lcr" | "ucr" | "nr" | "lnr" | "unr" => Health::Critical,
        "na" | "ns" | "" => Health::NotReadable,
        _ if is_na_or_hex(&t) => Health::Ok,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Kind, Unit};

    #[test]
    fn reads_thresholds_and_status() {
        let s = parse("CPU Temp         | 90.000     | degrees C  | cr    | na        | na        | na        | 75.000    | 85.000    | 95.000    \n").unwrap();
        assert_eq!(s[0].health, Health::Critical);
        assert_eq!(s[0].kind, Kind::Temperature);
        assert_eq!(s[0].unit, Some(Unit::Celsius));
        assert_eq!(s[0].reading, Some(90.0));
        assert_eq!(s[0].limits.ucr, Some(85.0));
        assert_eq!(s[0].limits.lcr, None);
    }

    #[test]
    fn discrete_hex_state_is_no_fault() {
        let s = parse("PS1 Status       | 0x1        | discrete   | 0x0100| na        | na        | na        | na        | na        | na        \n").unwrap();
        assert_eq!(s[0].health, Health::Ok);
        assert_eq!(s[0].kind, Kind::PowerSupply);
        assert_eq!(s[0].reading, None);
    }

    #[test]
    fn refuses_other_formats_and_cuts() {
        assert!(parse("").is_err());
        assert!(parse("CPU Temp | 01h | ok | 3.1 | 45 degrees C\n").is_err());
        assert!(parse(
            "CPU Temp | 45.000 | degrees C | ok | na | na | na | 75.000 | 85.000 | 95.0"
        )
        .is_err());
        assert!(parse("x | 1 | C | weird | na | na | na | na | na | na\n").is_err());
    }
}
