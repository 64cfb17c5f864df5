//! Microsemi/Adaptec `arcconf GETCONFIG N AL`: sections under dashed rules (`Controller
//! information`, `Logical device information`, `Physical Device information`), `Key : Value`
//! lines. Wording differs by release (`Logical device`/`Logical Device`, `Okay`/`Optimal`,
//! `Defunct disk drive count`), so keys are compared without case.
//!
//! arcconf always ends with `Command completed successfully.`; a text without it may be cut.

use crate::hw::{
    key_value, leading_number, percent, refuse_cut_or_binary, Cache, CacheState, Controller, Disk,
    DiskState, LdState, Logical, Parsed, Tool,
};
use common::ParseError;

const TRAILER: &str = "Command completed successfully.";

#[derive(Clone, Copy, PartialEq)]
enum Section {
    None,
    Controller,
    Logical,
    Physical,
    Other,
}

/// `id` is the controller number the command was run for (`GETCONFIG 1`).
pub fn parse(text: &str, id: &str) -> Result<Parsed, ParseError> {
    refuse_cut_or_binary(text, Some(TRAILER))?;
    let mut c = Controller::new(Tool::Arcconf, id);
    let mut section = Section::None;
    // The controller subsection (battery, ZMM, backup unit, version ...), lower case.
    let mut sub = String::new();
    let mut complete = false;
    let mut seen_any = false;
    let mut disk: Option<usize> = None;
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let t = line.trim();
        if t.is_empty() || t.starts_with("---") {
            continue;
        }
        if t == TRAILER {
            complete = true;
            continue;
        }
        let lower = t.to_ascii_lowercase();
        let Some((key, value)) = key_value(t) else {
            // A title, or a line of its own (`Device #3`, `Device is a Hard drive`).
            match lower.as_str() {
                "controller information" => section = Section::Controller,
                "logical device information" | "logical drive information" => {
                    section = Section::Logical
                }
                "physical device information" => section = Section::Physical,
                l if l.starts_with("logical device number ")
                    || l.starts_with("logical drive number ") =>
                {
                    section = Section::Logical;
                    let number = t.rsplit(' ').next().unwrap_or("?");
                    c.logical
                        .push(Logical::new("logical device", number, "", LdState::Other));
                }
                l if l.starts_with("device #") && section == Section::Physical => {
                    c.disks.push(Disk::new(
                        t.trim_start_matches("Device "),
                        "",
                        DiskState::Other,
                    ));
                    disk = Some(c.disks.len() - 1);
                }
                // Enclosure processors and SEP devices are listed here too: not disks.
                l if l.starts_with("device is a")
                    && section == Section::Physical
                    && !l.contains("hard drive")
                    && !l.contains("solid state") =>
                {
                    if disk == Some(c.disks.len().wrapping_sub(1)) {
                        c.disks.pop();
                    }
                    disk = None;
                }
                l if l.starts_with("device is a") => {}
                l if section == Section::Controller => sub = l.to_string(),
                l if l.ends_with(" information") && !l.starts_with("device phy") => {
                    section = Section::Other;
                    disk = None;
                }
                _ => {}
            }
            continue;
        };
        let k = key.to_ascii_lowercase();
        if k == "controllers found" {
            continue;
        }
        match section {
            Section::Controller => {
                seen_any = true;
                let backup = ["battery", "zmm", "backup", "flash"]
                    .iter()
                    .any(|w| sub.contains(w));
                match k.as_str() {
                    "controller status" => c.status = Some(value.to_string()),
                    // arcconf 3.x: the cache and its backup power in the controller's own lines.
                    "cache status" if !backup => {
                        c.caches
                            .push(Cache::new("cache", value, backup_state(value)))
                    }
                    "backup power status" if !backup => {
                        c.caches
                            .push(Cache::new("backup power", value, backup_state(value)))
                    }
                    "controller model" => c.model = Some(value.to_string()),
                    "temperature" if !backup => c.temperature = leading_number(value),
                    "defunct disk drive count" => {
                        c.defunct = Some(value.parse().map_err(|_| {
                            ParseError::at(n, line, "the defunct disk count is not a number")
                        })?)
                    }
                    "status" | "overall backup unit status" if backup => {
                        let kind = if sub.contains("zmm") {
                            "ZMM"
                        } else if sub.contains("battery") {
                            "battery"
                        } else {
                            "backup unit"
                        };
                        c.caches.push(Cache::new(kind, value, backup_state(value)));
                    }
                    "capacity remaining" if backup => {
                        if let Some(b) = c.caches.last_mut() {
                            b.charge = leading_number(value);
                        }
                    }
                    _ => {}
                }
            }
            Section::Logical => {
                let Some(ld) = c.logical.last_mut() else {
                    return Err(ParseError::at(n, line, "before any logical device number"));
                };
                match k.as_str() {
                    "logical device name" | "logical drive name" => {
                        ld.name = Some(value.to_string()).filter(|v| !v.is_empty())
                    }
                    "raid level" => ld.level = Some(format!("RAID{value}")),
                    "status of logical device" | "status of logical drive" => {
                        ld.raw = value.to_string();
                        ld.state = ld_state(value);
                        ld.progress = percent(value);
                    }
                    _ => {}
                }
            }
            Section::Physical => {
                let Some(at) = disk else { continue };
                let d = &mut c.disks[at];
                match k.as_str() {
                    "state" => {
                        d.raw = value.to_string();
                        d.state = pd_state(value);
                    }
                    "reported location" => {
                        d.id = value
                            .replace("Enclosure ", "enc ")
                            .replace("Slot ", "slot ")
                    }
                    "temperature" => d.temperature = leading_number(value),
                    "medium error count" => d.media_errors = value.parse().ok(),
                    "hardware error count" => d.other_errors = value.parse().ok(),
                    "s.m.a.r.t. warnings" => d.predictive_count = value.parse().ok(),
                    "s.m.a.r.t." => d.smart_alert = value.eq_ignore_ascii_case("yes"),
                    _ => {}
                }
            }
            Section::None | Section::Other => {}
        }
    }
    if !seen_any {
        return Err(ParseError::whole(
            "no 'Controller information' section: not arcconf GETCONFIG output",
        ));
    }
    if let Some(ld) = c.logical.iter().find(|l| l.raw.is_empty()) {
        return Err(ParseError::whole(format!(
            "logical device {} has no 'Status of logical device' line",
            ld.id
        )));
    }
    if let Some(d) = c.disks.iter().find(|d| d.raw.is_empty()) {
        return Err(ParseError::whole(format!(
            "device {} has no 'State' line",
            d.id
        )));
    }
    Ok(Parsed {
        controllers: vec![c],
        complete,
    })
}

fn ld_state(value: &str) -> LdState {
    let v = value.to_ascii_lowercase();
    if v == "optimal" || v == "okay" || v == "ok" {
        LdState::Optimal
    } else if v.contains("degraded") || v.contains("critical") || v.contains("suboptimal") {
        LdState::Degraded
    } else if v.contains("offline") || v.contains("failed") {
        LdState::Failed
    } else if v.contains("rebuild") {
        LdState::Rebuilding
    } else if v.contains("impacted")
        || v.contains("build")
        || v.contains("verify")
        || v.contains("initiali")
    {
        LdState::Background
    } else {
        LdState::Other
    }
}

fn pd_state(value: &str) -> DiskState {
    let v = value.to_ascii_lowercase();
    if v == "online" {
        DiskState::Online
    } else if v.contains("hot-spare") || v.contains("hot spare") {
        DiskState::Spare
    } else if v == "ready" || v.contains("raw") || v.contains("jbod") || v.contains("unassigned") {
        DiskState::Unconfigured
    } else if v.contains("rebuild") {
        DiskState::Rebuilding
    } else if v.contains("fail") || v.contains("defunct") {
        DiskState::Failed
    } else if v.contains("missing") || v.contains("offline") {
        DiskState::Missing
    } else {
        DiskState::Other
    }
}

fn backup_state(value: &str) -> CacheState {
    let v = value.to_ascii_lowercase();
    if v.contains("optimal") || v == "ready" || v == "ok" {
        CacheState::Ok
    } else if v.contains("not installed") || v.contains("not present") {
        CacheState::Absent
    } else if v.contains("charg") {
        CacheState::Charging
    } else if v.contains("learn") {
        CacheState::Learning
    } else if v.contains("fail") || v.contains("degraded") {
        CacheState::Failed
    } else {
        CacheState::Other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_not_arcconf() {
        assert!(parse("hello\nCommand completed successfully.\n", "1").is_err());
        assert!(parse("Controllers found: 1\nLogical device number 0\n", "1").is_err());
    }

    #[test]
    fn build_verify_is_a_background_task_with_its_percent() {
        assert_eq!(
            ld_state("Impacted ( Build/Verify with fix : 90 % )"),
            LdState::Background
        );
        assert_eq!(
            percent("Impacted ( Build/Verify with fix : 90 % )"),
            Some(90.0)
        );
    }
}
