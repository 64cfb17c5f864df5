//! `ipmitool chassis status` and FreeIPMI `ipmi-chassis --get-chassis-status`: `Key : value`
//! lines. The keys differ in case and words between the tools (`Main Power Fault` /
//! `Power fault`); they are kept in lower case.

use crate::model::{self, Chassis};
use common::ParseError;

/// Keys both tools print (in their own words) that every whole listing has: a listing
/// without one of them was cut before its end.
const REQUIRED: &[&[&str]] = &[
    &["power overload"],
    &["main power fault", "power fault"],
    &["power control fault"],
    &["drive fault"],
    &["cooling/fan fault"],
];

pub fn parse(text: &str) -> Result<Chassis, ParseError> {
    let mut flags = Vec::new();
    for (n, line) in model::whole_lines(text)? {
        let Some((k, v)) = line.split_once(':') else {
            return Err(ParseError::at(
                n,
                line,
                "not a 'Key : value' line of chassis status",
            ));
        };
        let key = k.trim().to_ascii_lowercase();
        if key.is_empty() || flags.len() > 200 {
            return Err(ParseError::at(n, line, "not a chassis status line"));
        }
        flags.push((key, v.trim().to_string()));
    }
    for names in REQUIRED {
        if !flags.iter().any(|(k, _)| names.contains(&k.as_str())) {
            return Err(ParseError::whole(format!(
                "no '{}' line: not a whole chassis status",
                names[0]
            )));
        }
    }
    Ok(Chassis { flags })
}

#[cfg(test)]
mod tests {
    use super::*;

    const IPMITOOL: &str = "System Power         : off\nPower Overload       : false\nPower Interlock      : inactive\nMain Power Fault     : false\nPower Control Fault  : false\nPower Restore Policy : always-off\nLast Power Event     : \nChassis Intrusion    : inactive\nFront-Panel Lockout  : inactive\nDrive Fault          : false\nCooling/Fan Fault    : false\n";

    #[test]
    fn both_tools() {
        let c = parse(IPMITOOL).unwrap();
        assert!(c
            .flags
            .contains(&("main power fault".into(), "false".into())));
        let f = "System Power                        : off\nPower overload                      : false\nInterlock                           : inactive\nPower fault                         : true\nPower control fault                 : false\nDrive Fault                         : false\nCooling/fan fault                   : false\n\n";
        assert!(parse(f)
            .unwrap()
            .flags
            .contains(&("power fault".into(), "true".into())));
    }

    #[test]
    fn cut_or_garbage_refused() {
        assert!(parse(&IPMITOOL[..60]).is_err());
        assert!(parse("System Power : on\n").is_err());
        assert!(parse("garbage\n").is_err());
    }
}
