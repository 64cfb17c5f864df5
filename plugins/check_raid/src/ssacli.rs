//! HPE Smart Array: `ssacli ctrl all show config detail` (also `hpssacli`/`hpacucli`, and the
//! short `ctrl all show config` / `logicaldrive all show` forms, which carry the states inline:
//! `logicaldrive 1 (68.3 GB, RAID 1, OK)`).
//!
//! A controller starts at a line without indentation (`Smart Array P410 in Slot 1`); the
//! objects under it start at their own header lines (`array A`, `Logical Drive: 1`,
//! `physicaldrive 1I:1:1`), and a `Status:` line belongs to the last one. Sections this plugin
//! does not judge (ports, cages, SEP, expanders) absorb their own `Status:` lines. Advisory
//! banners (`FIRMWARE UPGRADE REQUIRED: ...`) are skipped with their continuation lines.
//! There is no closing line: a cut at a line end cannot be seen (see the crate README).

use crate::hw::{
    key_value, leading_number, percent, refuse_cut_or_binary, Cache, CacheState, Controller, Disk,
    DiskState, LdState, Logical, Parsed, Tool,
};
use common::ParseError;

#[derive(Clone, Copy, PartialEq)]
enum Current {
    /// The controller's own lines.
    Controller,
    Array(usize),
    Logical(usize),
    Disk(usize),
    /// A section whose status is not a RAID fault (port, cage, SEP, expander).
    Other,
}

pub fn parse(text: &str) -> Result<Parsed, ParseError> {
    refuse_cut_or_binary(text, None)?;
    let mut controllers: Vec<Controller> = Vec::new();
    let mut current = Current::Other;
    let mut unassigned = false;
    // Inside an advisory banner (indented continuation lines until the next controller).
    let mut banner = false;
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let t = line.trim();
        if t.is_empty() {
            continue;
        }
        let top = !line.starts_with([' ', '\t']);
        // The tool's own refusal (`Error: No controllers detected.`): no controller is a
        // host without Smart Array, anything else is the tool's error, quoted.
        if top && t.starts_with("Error:") {
            if t.contains("No controllers detected") && controllers.is_empty() {
                return Ok(Parsed {
                    controllers: Vec::new(),
                    complete: true,
                });
            }
            return Err(ParseError::at(n, line, "the tool reported an error"));
        }
        if top {
            if is_controller_line(t) {
                let mut c = Controller::new(Tool::Ssacli, controller_id(t));
                c.model = Some(t.split(" in ").next().unwrap_or(t).trim().to_string());
                controllers.push(c);
                current = Current::Controller;
                unassigned = false;
                banner = false;
            } else {
                banner = true;
            }
            continue;
        }
        if banner {
            continue;
        }
        let Some(ctrl) = controllers.last_mut() else {
            return Err(ParseError::at(n, line, "before any controller line"));
        };
        let lower = t.to_ascii_lowercase();
        // `array A (SAS, Unused Space: 0 MB)` is a header; `Array Type: Data` is not.
        let header_part = t.split('(').next().unwrap_or(t);
        if let Some(rest) = lower
            .strip_prefix("array ")
            .filter(|_| !header_part.contains(':'))
            .map(|_| &t[6..])
        {
            let (name, paren) = split_paren(rest);
            let failed = paren.is_some_and(|p| p.split(", ").any(|w| w.contains("Failed")));
            let (raw, state) = if failed {
                ("Failed", LdState::Failed)
            } else {
                ("OK", LdState::Optimal)
            };
            ctrl.logical
                .push(Logical::new("array", name.trim(), raw, state));
            current = Current::Array(ctrl.logical.len() - 1);
            unassigned = false;
            continue;
        }
        if lower == "unassigned" {
            current = Current::Other;
            unassigned = true;
            continue;
        }
        if let Some(rest) = lower.strip_prefix("logicaldrive ").map(|_| &t[13..]) {
            let (id, paren) = split_paren(rest);
            let parts: Vec<&str> = paren.map(|p| p.split(", ").collect()).unwrap_or_default();
            let status = parts.get(2..).map(|s| s.join(", ")).unwrap_or_default();
            if status.is_empty() {
                return Err(ParseError::at(
                    n,
                    line,
                    "no state in the logical drive line",
                ));
            }
            let mut ld = Logical::new("LD", id.trim(), &status, ld_state(&status));
            ld.level = parts.get(1).map(|l| l.to_string());
            ld.progress = percent(&status);
            ctrl.logical.push(ld);
            current = Current::Logical(ctrl.logical.len() - 1);
            continue;
        }
        if let Some(rest) = lower.strip_prefix("physicaldrive ").map(|_| &t[14..]) {
            let (id, paren) = split_paren(rest);
            let id = id.trim();
            let at = match ctrl.disks.iter().position(|d| d.id == id) {
                Some(at) => at,
                None => {
                    let state = if unassigned {
                        DiskState::Unconfigured
                    } else {
                        DiskState::Online
                    };
                    ctrl.disks.push(Disk::new(id, "", state));
                    ctrl.disks.len() - 1
                }
            };
            if let Some(p) = paren {
                let parts: Vec<&str> = p.split(", ").map(str::trim).collect();
                let spare = parts.iter().any(|w| {
                    w.eq_ignore_ascii_case("spare") || w.eq_ignore_ascii_case("active spare")
                });
                if let Some(status) = parts
                    .iter()
                    .rev()
                    .find(|w| !w.to_ascii_lowercase().contains("spare"))
                    .filter(|_| parts.len() >= 3)
                {
                    set_disk(&mut ctrl.disks[at], status, spare, unassigned);
                }
                // An inline line inside a logical drive's detail is a reference, not a section.
                if matches!(current, Current::Logical(_)) {
                    continue;
                }
            }
            current = Current::Disk(at);
            continue;
        }
        let Some((key, value)) = key_value(t) else {
            // Another section header (SEP, Expander, drive cage, `Physical Drives`).
            current = Current::Other;
            continue;
        };
        match (key, current) {
            ("Logical Drive", _) => {
                let id = value.to_string();
                let at = match ctrl
                    .logical
                    .iter()
                    .position(|l| l.kind == "LD" && l.id == id)
                {
                    Some(at) => at,
                    None => {
                        ctrl.logical
                            .push(Logical::new("LD", id, "", LdState::Other));
                        ctrl.logical.len() - 1
                    }
                };
                current = Current::Logical(at);
            }
            ("Array", _) => {
                ctrl.logical
                    .push(Logical::new("array", value, "OK", LdState::Optimal));
                current = Current::Array(ctrl.logical.len() - 1);
                unassigned = false;
            }
            ("Port Name", _) => current = Current::Other,
            ("Controller Status", _) => ctrl.status = Some(value.to_string()),
            ("Cache Status", _) => {
                let state = match value.to_ascii_lowercase().as_str() {
                    "ok" => CacheState::Ok,
                    "not configured" => CacheState::Absent,
                    v if v.contains("fail") => CacheState::Failed,
                    _ => CacheState::Other,
                };
                ctrl.caches.push(Cache::new("cache module", value, state));
            }
            ("Battery/Capacitor Status", _) => {
                let state = match value.to_ascii_lowercase().as_str() {
                    "ok" => CacheState::Ok,
                    v if v.contains("charg") => CacheState::Charging,
                    v if v.contains("fail") => CacheState::Failed,
                    v if v.contains("not present") => CacheState::Absent,
                    _ => CacheState::Other,
                };
                ctrl.caches
                    .push(Cache::new("battery/capacitor", value, state));
            }
            ("Controller Temperature (C)", _) => ctrl.temperature = leading_number(value),
            ("Status", Current::Array(at)) => {
                let l = &mut ctrl.logical[at];
                l.raw = value.to_string();
                l.state = if value.eq_ignore_ascii_case("ok") {
                    LdState::Optimal
                } else if value.to_ascii_lowercase().contains("fail") {
                    LdState::Failed
                } else {
                    LdState::Other
                };
            }
            ("Status", Current::Logical(at)) => {
                let l = &mut ctrl.logical[at];
                l.raw = value.to_string();
                l.state = ld_state(value);
                l.progress = percent(value);
            }
            ("Fault Tolerance", Current::Logical(at)) => {
                ctrl.logical[at]
                    .level
                    .get_or_insert_with(|| format!("RAID {value}"));
            }
            ("Status", Current::Disk(at)) => {
                set_disk(&mut ctrl.disks[at], value, false, unassigned)
            }
            ("Drive Type", Current::Disk(at)) if value.to_ascii_lowercase().contains("spare") => {
                let d = &mut ctrl.disks[at];
                if d.state == DiskState::Online || d.state == DiskState::Unconfigured {
                    d.state = DiskState::Spare;
                }
            }
            ("Current Temperature (C)", Current::Disk(at)) => {
                ctrl.disks[at].temperature = leading_number(value)
            }
            _ => {}
        }
    }
    if controllers.is_empty() {
        return Err(ParseError::whole(
            "no controller line ('Smart Array ... in Slot N'): not ssacli output",
        ));
    }
    for c in &controllers {
        if let Some(l) = c.logical.iter().find(|l| l.raw.is_empty()) {
            return Err(ParseError::whole(format!(
                "{} {} logical drive {} has no 'Status' line",
                c.model.as_deref().unwrap_or("controller"),
                c.id,
                l.id
            )));
        }
    }
    Ok(Parsed {
        controllers,
        complete: true,
    })
}

/// `Smart Array P410 in Slot 1`, `MSA1500 CS in MY STORAGE`, `HPE Smart Array P408i-a SR Gen10
/// in Slot 0 (Embedded)    (sn: ...)`: text before ` in ` with no colon.
fn is_controller_line(t: &str) -> bool {
    t.split_once(" in ")
        .is_some_and(|(before, _)| !before.contains(':') && !before.is_empty())
}

/// `slot 1`, `slot 0`, or what follows ` in ` for a storage box (`MY STORAGE`).
fn controller_id(t: &str) -> String {
    let after = t.split_once(" in ").map_or(t, |(_, a)| a);
    let place = after.split(" (").next().unwrap_or(after).trim();
    match place.strip_prefix("Slot ") {
        Some(n) => format!("slot {}", n.trim()),
        None => place.to_string(),
    }
}

/// `B (Failed)` -> (`B`, `Failed`); `1 (2.0 TB, RAID 6 (ADG), OK)` keeps the inner parentheses.
fn split_paren(rest: &str) -> (&str, Option<&str>) {
    match (rest.find('('), rest.rfind(')')) {
        (Some(open), Some(close)) if close > open => (&rest[..open], Some(&rest[open + 1..close])),
        _ => (rest, None),
    }
}

/// Smart Array logical drive states.
fn ld_state(status: &str) -> LdState {
    let s = status.to_ascii_lowercase();
    if s == "ok" {
        LdState::Optimal
    } else if s.contains("interim recovery")
        || s.contains("ready for rebuild")
        || s.contains("degraded")
    {
        LdState::Degraded
    } else if s.contains("fail") || s.contains("offline") {
        LdState::Failed
    } else if s.contains("recovering") || s.contains("rebuilding") {
        LdState::Rebuilding
    } else if [
        "expanding",
        "transforming",
        "queued",
        "initializ",
        "erasing",
        "moving",
    ]
    .iter()
    .any(|w| s.contains(w))
    {
        LdState::Background
    } else {
        LdState::Other
    }
}

fn set_disk(d: &mut Disk, status: &str, spare: bool, unassigned: bool) {
    let s = status.to_ascii_lowercase();
    d.raw = status.trim().to_string();
    d.state = if s == "ok" {
        if spare || d.state == DiskState::Spare {
            DiskState::Spare
        } else if unassigned || d.state == DiskState::Unconfigured {
            DiskState::Unconfigured
        } else {
            DiskState::Online
        }
    } else if s.contains("predictive") {
        DiskState::Predictive
    } else if s.contains("rebuilding") || s.contains("recovering") {
        DiskState::Rebuilding
    } else if s.contains("fail") {
        DiskState::Failed
    } else if s.contains("missing") || s.contains("offline") {
        DiskState::Missing
    } else {
        DiskState::Other
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_states_are_read() {
        let text = "Smart Array P400 in Slot 1\n\n   array A (SAS, Unused Space: 0 MB)\n\n      logicaldrive 1 (136.7 GB, RAID 1, Recovering, 45% complete)\n\n      physicaldrive 1I:1:1 (port 1I:box 1:bay 1, SAS, 146 GB, OK)\n      physicaldrive 1I:1:2 (port 1I:box 1:bay 2, SAS, 146 GB, Rebuilding)\n      physicaldrive 1I:1:3 (port 1I:box 1:bay 3, SAS, 146 GB, OK, spare)\n";
        let p = parse(text).unwrap();
        let c = &p.controllers[0];
        assert_eq!(c.id, "slot 1");
        assert_eq!(c.logical[0].state, LdState::Optimal);
        assert_eq!(c.logical[1].state, LdState::Rebuilding);
        assert_eq!(c.logical[1].progress, Some(45.0));
        let states: Vec<DiskState> = c.disks.iter().map(|d| d.state).collect();
        assert_eq!(
            states,
            [DiskState::Online, DiskState::Rebuilding, DiskState::Spare]
        );
    }

    #[test]
    fn garbage_is_not_ssacli() {
        assert!(parse("hello\n").is_err());
        assert!(parse("   indented: before a controller\n").is_err());
    }
}
