//! The system event log: `ipmitool sel elist` (`   4 | date | time | Sensor | Event |
//! Asserted`, record ids in hex) and FreeIPMI `ipmi-sel` (`ID | Date | Time | Name | Type |
//! [State |] Event`, decimal ids, a header line).

use crate::model::{self, Health, SelEntry};
use common::ParseError;

/// Most entries read: a BMC's SEL holds at most a few thousand (it is 64 KiB at most).
pub const MAX_ENTRIES: usize = 65_536;

pub fn parse(text: &str) -> Result<Vec<SelEntry>, ParseError> {
    // An empty log: ipmitool says so, ipmi-sel prints nothing (or only its header).
    if text.is_empty() || (text.trim() == "SEL has no entries" && text.ends_with('\n')) {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    let mut header: Option<Vec<String>> = None;
    for (n, line) in model::whole_lines(text)? {
        let cols: Vec<&str> = line.split('|').map(str::trim).collect();
        if out.is_empty() && header.is_none() && cols[0].eq_ignore_ascii_case("id") {
            header = Some(cols.iter().map(|c| c.to_ascii_lowercase()).collect());
            continue;
        }
        let entry = match &header {
            Some(h) => freeipmi(h, &cols),
            None => ipmitool(&cols),
        }
        .ok_or_else(|| ParseError::at(n, line, "not a SEL entry line"))?;
        out.push(entry);
        if out.len() > MAX_ENTRIES {
            return Err(ParseError::at(
                n,
                line,
                format!("more than {MAX_ENTRIES} entries"),
            ));
        }
    }
    Ok(out)
}

fn ipmitool(cols: &[&str]) -> Option<SelEntry> {
    if cols.len() < 5 {
        return None;
    }
    let id = u64::from_str_radix(cols[0], 16).ok()?;
    let rest = &cols[3..];
    let deasserted = rest.iter().any(|c| c.eq_ignore_ascii_case("deasserted"));
    Some(SelEntry {
        id,
        text: rest
            .iter()
            .filter(|c| !c.is_empty())
            .cloned()
            .collect::<Vec<_>>()
            .join(" "),
        state: None,
        deasserted,
    })
}

fn freeipmi(h: &[String], cols: &[&str]) -> Option<SelEntry> {
    if cols.len() != h.len() {
        return None;
    }
    let get = |name: &str| h.iter().position(|c| c == name).map(|i| cols[i]);
    let id = get("id")?.parse::<u64>().ok()?;
    let state = match get("state").map(str::to_ascii_lowercase).as_deref() {
        Some("critical") => Some(Health::Critical),
        Some("warning") => Some(Health::Warning),
        Some("nominal") => Some(Health::Ok),
        Some(_) | None => None,
    };
    let event = get("event")?;
    let name = get("name").unwrap_or("");
    Some(SelEntry {
        id,
        text: format!("{name} {event}").trim().to_string(),
        state,
        deasserted: event.to_ascii_lowercase().contains("deasserted"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipmitool_hex_ids() {
        let s = parse("   a |  Pre-Init  |0000009459| Power Supply PS1 Status | Failure detected | Asserted\n").unwrap();
        assert_eq!(s[0].id, 10);
        assert_eq!(
            s[0].text,
            "Power Supply PS1 Status Failure detected Asserted"
        );
        assert!(!s[0].deasserted);
    }

    #[test]
    fn freeipmi_with_state() {
        let s = parse("ID | Date        | Time     | Name          | Type         | State    | Event\n4  | PostInit    | PostInit | PS1 Status    | Power Supply | Critical | Power Supply Failure detected\n").unwrap();
        assert_eq!(s[0].state, Some(Health::Critical));
        assert_eq!(s[0].text, "PS1 Status Power Supply Failure detected");
    }

    #[test]
    fn empty_and_garbage() {
        assert!(parse("SEL has no entries\n").unwrap().is_empty());
        assert!(parse("garbage\n").is_err());
        assert!(parse("   4 | x | y | PS1 | Fail").is_err());
    }
}
