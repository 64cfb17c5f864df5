//! The older LSI `MegaCli64` text: `-LDInfo -Lall -aALL`, `-PDList -aALL` and `-AdpBbuCmd
//! -aALL`, one parser each ([`parse_ld`], [`parse_pd`], [`parse_bbu`]); [`merge`] puts what
//! they read about the same adapter together.
//!
//! MegaCli prints many lines this plugin does not need; those are skipped. A text with no
//! adapter at all is refused (it is not MegaCli's), and so is one cut inside a line. Every
//! MegaCli run ends with `Exit Code: 0xNN`: without it the text may be cut at a line end.

use crate::hw::{
    key_value, leading_number, refuse_cut_or_binary, Cache, Controller, Disk, DiskState, LdState,
    Logical, Parsed, Tool,
};
use crate::storcli::cache_state;
use common::ParseError;

const TRAILER: &str = "Exit Code: 0x";

/// Which MegaCli command a text is from: each names its adapters in its own words, so the
/// output of one command given as another's is refused instead of read as "no drives".
#[derive(Clone, Copy, PartialEq)]
enum Command {
    Ld,
    Pd,
    Bbu,
}

/// The adapter a line opens, in the words of that command's output: `Adapter 0 -- Virtual
/// Drive Information:` / `Adapter 0: No Virtual Drive Configured.` (LD), `Adapter #0` (PD),
/// `BBU status for Adapter: 0` / `Adapter 0: Get BBU Status Failed.` (BBU).
fn adapter_for(command: Command, line: &str) -> Option<String> {
    let t = line.trim();
    let fits = match command {
        Command::Ld => {
            t.contains("Virtual Drive Information") || t.contains("No Virtual Drive Configured")
        }
        Command::Pd => t.starts_with("Adapter #"),
        Command::Bbu => {
            t.starts_with("BBU status for Adapter:")
                || (t.starts_with("Adapter ") && t.contains("BBU"))
        }
    };
    if !fits {
        return None;
    }
    adapter_of(t)
}

/// The adapter number in any of those lines.
fn adapter_of(line: &str) -> Option<String> {
    let t = line.trim();
    let rest = t
        .strip_prefix("BBU status for Adapter:")
        .or_else(|| t.strip_prefix("Adapter #"))
        .or_else(|| t.strip_prefix("Adapter "))?;
    let n: String = rest
        .trim()
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    (!n.is_empty()).then_some(n)
}

/// The state of a run over one text: adapters in order, the trailer, a failing exit code.
struct Walk {
    controllers: Vec<Controller>,
    complete: bool,
}

impl Walk {
    fn new() -> Walk {
        Walk {
            controllers: Vec::new(),
            complete: false,
        }
    }
    fn adapter(&mut self, id: &str) {
        if !self.controllers.iter().any(|c| c.id == id) {
            self.controllers.push(Controller::new(Tool::MegaCli, id));
        }
        // The adapter named last is the current one.
        if let Some(at) = self.controllers.iter().position(|c| c.id == id) {
            let c = self.controllers.remove(at);
            self.controllers.push(c);
        }
    }
    fn current(&mut self, line: usize, text: &str) -> Result<&mut Controller, ParseError> {
        self.controllers
            .last_mut()
            .ok_or_else(|| ParseError::at(line, text, "before any 'Adapter' line"))
    }
    /// `Exit Code: 0x00` ends the run; another code is MegaCli saying it failed.
    fn trailer(&mut self, line: usize, text: &str) -> Result<bool, ParseError> {
        let t = text.trim();
        if !t.starts_with(TRAILER) {
            return Ok(false);
        }
        if t != "Exit Code: 0x00" {
            return Err(ParseError::at(
                line,
                text,
                "MegaCli ended with an error code",
            ));
        }
        self.complete = true;
        Ok(true)
    }
    fn done(mut self, what: &str) -> Result<Parsed, ParseError> {
        if self.controllers.is_empty() {
            return Err(ParseError::whole(format!(
                "no 'Adapter' line: not MegaCli {what} output"
            )));
        }
        self.controllers.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(Parsed {
            controllers: self.controllers,
            complete: self.complete,
        })
    }
}

/// `MegaCli64 -LDInfo -Lall -aALL`.
pub fn parse_ld(text: &str) -> Result<Parsed, ParseError> {
    refuse_cut_or_binary(text, Some(TRAILER))?;
    let mut walk = Walk::new();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if walk.trailer(n, line)? {
            continue;
        }
        if let Some(id) = adapter_for(Command::Ld, line) {
            walk.adapter(&id);
            continue;
        }
        let t = line.trim();
        if let Some(rest) = t
            .strip_prefix("Virtual Drive:")
            .or_else(|| t.strip_prefix("Virtual Disk:"))
        {
            let id: String = rest
                .trim()
                .chars()
                .take_while(|c| c.is_ascii_digit())
                .collect();
            if id.is_empty() {
                return Err(ParseError::at(n, line, "no drive number"));
            }
            // The state comes with its own line; until then it is not known.
            walk.current(n, line)?
                .logical
                .push(Logical::new("VD", id, "", LdState::Other));
            continue;
        }
        let Some((key, value)) = key_value(line) else {
            continue;
        };
        let ctrl = walk.current(n, line)?;
        let Some(ld) = ctrl.logical.last_mut() else {
            continue;
        };
        match key {
            "Name" => ld.name = Some(value.to_string()).filter(|v| !v.is_empty()),
            "RAID Level" => ld.level = Some(raid_level(value)),
            "State" => {
                ld.raw = value.to_string();
                ld.state = ld_state(value);
            }
            "Default Cache Policy" => ld.write_back_configured = Some(write_back(value)),
            "Current Cache Policy" => ld.write_back_now = Some(write_back(value)),
            _ => {}
        }
    }
    let parsed = walk.done("-LDInfo")?;
    for c in &parsed.controllers {
        if let Some(ld) = c.logical.iter().find(|l| l.raw.is_empty()) {
            return Err(ParseError::whole(format!(
                "adapter {} virtual drive {} has no 'State' line",
                c.id, ld.id
            )));
        }
    }
    Ok(parsed)
}

/// `WriteBack, ReadAhead, Direct, No Write Cache if Bad BBU`: the first word is the policy.
fn write_back(value: &str) -> bool {
    value
        .split(',')
        .next()
        .is_some_and(|w| w.trim().eq_ignore_ascii_case("WriteBack"))
}

/// `Primary-5, Secondary-0, RAID Level Qualifier-3` is RAID5; `Primary-1, Secondary-3` is
/// RAID10 (a span of mirrors).
fn raid_level(value: &str) -> String {
    let part = |name: &str| {
        value
            .split(',')
            .find_map(|p| p.trim().strip_prefix(name).map(|n| n.trim().to_string()))
    };
    match (part("Primary-"), part("Secondary-")) {
        (Some(p), Some(s)) if s == "0" => format!("RAID{p}"),
        (Some(p), Some(s)) if s == "3" => format!("RAID{p}0"),
        _ => value.to_string(),
    }
}

fn ld_state(value: &str) -> LdState {
    let v = value.to_ascii_lowercase();
    if v == "optimal" {
        LdState::Optimal
    } else if v.contains("degraded") {
        LdState::Degraded
    } else if v.contains("offline") || v.contains("failed") {
        LdState::Failed
    } else if v.contains("rebuild") || v.contains("recovery") {
        LdState::Rebuilding
    } else {
        LdState::Other
    }
}

/// `MegaCli64 -PDList -aALL`.
pub fn parse_pd(text: &str) -> Result<Parsed, ParseError> {
    refuse_cut_or_binary(text, Some(TRAILER))?;
    let mut walk = Walk::new();
    // Enclosure of the record being read (a record starts at `Enclosure Device ID`).
    let mut enclosure: Option<String> = None;
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if walk.trailer(n, line)? {
            continue;
        }
        if let Some(id) = adapter_for(Command::Pd, line) {
            walk.adapter(&id);
            enclosure = None;
            continue;
        }
        let Some((key, value)) = key_value(line) else {
            continue;
        };
        match key {
            "Enclosure Device ID" => {
                enclosure = Some(value.to_string());
                let ctrl = walk.current(n, line)?;
                ctrl.disks
                    .push(Disk::new(format!("{value}:?"), "", DiskState::Other));
            }
            "Slot Number" => {
                let ctrl = walk.current(n, line)?;
                let enc = enclosure.clone().unwrap_or_else(|| "N/A".into());
                // A record without its own enclosure line starts at its slot.
                match ctrl.disks.last_mut() {
                    Some(d) if d.id.ends_with(":?") => d.id = format!("{enc}:{value}"),
                    _ => ctrl
                        .disks
                        .push(Disk::new(format!("{enc}:{value}"), "", DiskState::Other)),
                }
            }
            _ => {
                let ctrl = walk.current(n, line)?;
                let Some(d) = ctrl.disks.last_mut() else {
                    continue;
                };
                let count = || value.parse::<u64>().ok();
                match key {
                    "Media Error Count" => d.media_errors = count(),
                    "Other Error Count" => d.other_errors = count(),
                    "Predictive Failure Count" => d.predictive_count = count(),
                    "Firmware state" => {
                        d.raw = value.to_string();
                        d.state = pd_state(value);
                    }
                    "Drive has flagged a S.M.A.R.T alert" => {
                        d.smart_alert = value.eq_ignore_ascii_case("yes")
                    }
                    "Drive Temperature" => d.temperature = leading_number(value),
                    _ => {}
                }
            }
        }
    }
    let parsed = walk.done("-PDList")?;
    for c in &parsed.controllers {
        if let Some(d) = c.disks.iter().find(|d| d.raw.is_empty()) {
            return Err(ParseError::whole(format!(
                "adapter {} disk {} has no 'Firmware state' line",
                c.id, d.id
            )));
        }
    }
    Ok(parsed)
}

/// MegaCli firmware states: `Online, Spun Up`, `Hotspare, Spun down`, `Unconfigured(good)`,
/// `JBOD`, `Rebuild`, `Copyback`, `Unconfigured(bad)`, `Failed`, `Offline`, `Missing`.
fn pd_state(value: &str) -> DiskState {
    let v = value.to_ascii_lowercase();
    let first = v.split(',').next().unwrap_or("").trim();
    match first {
        "online" | "copyback" => DiskState::Online,
        "hotspare" => DiskState::Spare,
        "unconfigured(good)" | "jbod" => DiskState::Unconfigured,
        "rebuild" => DiskState::Rebuilding,
        "unconfigured(bad)" | "failed" | "offline" => DiskState::Failed,
        "missing" => DiskState::Missing,
        _ => DiskState::Other,
    }
}

/// `MegaCli64 -AdpBbuCmd -aALL`: per adapter, the battery's state, charge and learn cycle. An
/// adapter without a battery says `Get BBU Status Failed` and MegaCli exits non-zero: that is
/// "no BBU", not a failure of the check.
pub fn parse_bbu(text: &str) -> Result<Parsed, ParseError> {
    use crate::hw::CacheState;
    refuse_cut_or_binary(text, Some(TRAILER))?;
    let mut walk = Walk::new();
    let mut absent_seen = false;
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let t = line.trim();
        if t.starts_with(TRAILER) {
            if t != "Exit Code: 0x00" && !absent_seen {
                return Err(ParseError::at(n, line, "MegaCli ended with an error code"));
            }
            walk.complete = true;
            continue;
        }
        if let Some(id) = adapter_for(Command::Bbu, line) {
            walk.adapter(&id);
            if t.contains("Failed") {
                absent_seen = true;
                walk.current(n, line)?.caches.push(Cache::new(
                    "BBU",
                    "not present",
                    CacheState::Absent,
                ));
            }
            continue;
        }
        let Some((key, value)) = key_value(line) else {
            continue;
        };
        let k = key.to_ascii_lowercase();
        let ctrl = walk.current(n, line)?;
        let yes = value.eq_ignore_ascii_case("yes");
        if k == "batterytype" {
            // Present; its state words follow (some releases leave `Battery state:` empty).
            ctrl.caches
                .push(Cache::new("BBU", "present", CacheState::Ok));
            continue;
        }
        if k == "battery state" {
            match ctrl.caches.last_mut() {
                Some(c) if c.state != CacheState::Absent => {
                    if !value.is_empty() {
                        c.raw = value.to_string();
                        c.state = cache_state(value);
                    }
                }
                _ => ctrl
                    .caches
                    .push(Cache::new("BBU", value, cache_state(value))),
            }
            continue;
        }
        let Some(c) = ctrl
            .caches
            .last_mut()
            .filter(|c| c.state != CacheState::Absent)
        else {
            continue;
        };
        match k.as_str() {
            "relative state of charge" => c.charge = leading_number(value),
            "temperature" if c.temperature.is_none() => c.temperature = leading_number(value),
            "learn cycle active" if yes && c.state != CacheState::Failed => {
                c.state = CacheState::Learning
            }
            "battery replacement required"
            | "battery pack missing"
            | "pack is about to fail & should be replaced"
                if yes =>
            {
                c.state = CacheState::Failed;
                c.raw = format!("{key}: Yes");
            }
            _ => {}
        }
    }
    let parsed = walk.done("-AdpBbuCmd")?;
    if let Some(c) = parsed.controllers.iter().find(|c| c.caches.is_empty()) {
        return Err(ParseError::whole(format!(
            "adapter {}: no battery lines ('BatteryType', 'Battery State')",
            c.id
        )));
    }
    Ok(parsed)
}

/// One controller per adapter from the LD, PD and BBU texts; `complete` only when every text
/// given was.
pub fn merge(parts: Vec<Parsed>) -> Parsed {
    let mut out: Vec<Controller> = Vec::new();
    let mut complete = true;
    for p in parts {
        complete &= p.complete;
        for c in p.controllers {
            match out.iter_mut().find(|o| o.id == c.id) {
                Some(o) => {
                    o.logical.extend(c.logical);
                    o.disks.extend(c.disks);
                    o.caches.extend(c.caches);
                }
                None => out.push(c),
            }
        }
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    Parsed {
        controllers: out,
        complete,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_read_as_admins_say_them() {
        assert_eq!(
            raid_level("Primary-5, Secondary-0, RAID Level Qualifier-3"),
            "RAID5"
        );
        assert_eq!(
            raid_level("Primary-1, Secondary-3, RAID Level Qualifier-0"),
            "RAID10"
        );
    }

    #[test]
    fn a_bbu_in_its_learn_cycle_is_learning() {
        let text = "BBU status for Adapter: 0\n\nBatteryType: iBBU\nBattery State: Optimal\nRelative State of Charge: 87 %\nLearn Cycle Active : Yes\n\nExit Code: 0x00\n";
        let p = parse_bbu(text).unwrap();
        let c = &p.controllers[0].caches[0];
        assert_eq!(c.state, crate::hw::CacheState::Learning);
        assert_eq!(c.charge, Some(87.0));
        assert!(p.complete);
    }

    #[test]
    fn text_without_an_adapter_is_not_megacli() {
        assert!(parse_pd("hello\nworld\n").is_err());
        assert!(parse_ld("State: Optimal\n").is_err());
        assert!(parse_ld(
            "Adapter 0 -- Virtual Drive Information:\nVirtual Drive: 0 (Target Id: 0)\n"
        )
        .is_err());
    }
}
