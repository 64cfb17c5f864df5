//! `storcli64 /call show all J` (also `storcli` and Dell's `perccli`, same JSON): one entry
//! per controller under `Controllers`, each with `Command Status` and `Response Data`.
//!
//! A controller whose command partly failed (`Status: Failure`, common while a drive is
//! failed or missing) still carries whatever `Response Data` it has: that is judged, and the
//! failure is kept in `failures` so the evaluation says so instead of calling the whole answer
//! invalid. serde_json refuses nesting deeper than 128, so a hostile file cannot overflow the
//! stack.

use crate::hw::{
    leading_number, Cache, CacheState, Controller, Disk, DiskState, LdState, Logical, Tool,
};
use common::ParseError;
use serde_json::Value;

pub fn parse(text: &str) -> Result<Vec<Controller>, ParseError> {
    if text.trim().is_empty() {
        return Err(ParseError::whole("empty: storcli printed nothing"));
    }
    let root: Value = serde_json::from_str(text).map_err(|e| {
        let why = if e.is_eof() {
            "the JSON ends early: it is cut".to_string()
        } else {
            format!("not storcli JSON ({e})")
        };
        match e.line() {
            0 => ParseError::whole(why),
            n => ParseError::at(n, text.lines().nth(n - 1).unwrap_or(""), why),
        }
    })?;
    let list = root
        .get("Controllers")
        .and_then(Value::as_array)
        .ok_or_else(|| {
            ParseError::whole("no 'Controllers' list: not storcli '/call show all J' output")
        })?;
    if list.is_empty() {
        return Err(ParseError::whole("storcli listed no controller"));
    }
    list.iter()
        .enumerate()
        .map(|(i, c)| controller(i, c))
        .collect()
}

fn controller(index: usize, c: &Value) -> Result<Controller, ParseError> {
    let status = c.get("Command Status").ok_or_else(|| {
        ParseError::whole(format!("controller entry {index} has no 'Command Status'"))
    })?;
    let id = status
        .get("Controller")
        .map(scalar)
        .unwrap_or_else(|| index.to_string());
    let mut ctrl = Controller::new(Tool::Storcli, id);
    if text_of(status, "Status").is_some_and(|s| !s.eq_ignore_ascii_case("success")) {
        let mut why = text_of(status, "Description").unwrap_or_else(|| "Failure".into());
        if let Some(details) = status.get("Detailed Status").and_then(Value::as_array) {
            let msgs: Vec<String> = details
                .iter()
                .filter_map(|d| {
                    let m = text_of(d, "ErrMsg").or_else(|| text_of(d, "ErrCd"))?;
                    Some(format!(
                        "{}{}",
                        d.as_object()
                            .and_then(|o| o
                                .iter()
                                .find(|(k, _)| !k.starts_with("Err") && k.as_str() != "Status"))
                            .map(|(k, v)| format!("{k} {}: ", scalar(v)))
                            .unwrap_or_default(),
                        m
                    ))
                })
                .collect();
            if !msgs.is_empty() {
                why.push_str(&format!(" ({})", msgs.join("; ")));
            }
        }
        ctrl.failures.push(why);
    }
    let Some(data) = c.get("Response Data") else {
        return Ok(ctrl);
    };
    if let Some(basics) = data.get("Basics") {
        ctrl.model = text_of(basics, "Model");
    }
    ctrl.status = data
        .get("Status")
        .and_then(|s| text_of(s, "Controller Status"));
    ctrl.temperature = data.get("HwCfg").and_then(|h| {
        h.as_object()?.iter().find_map(|(k, v)| {
            (k.starts_with("ROC temperature") || k.starts_with("Ctrl temperature"))
                .then(|| leading_number(&scalar(v)))
                .flatten()
        })
    });
    for vd in list(data, "VD LIST") {
        let id = text_of(vd, "DG/VD").unwrap_or_else(|| "?".into());
        let raw = text_of(vd, "State").unwrap_or_default();
        let mut ld = Logical::new("VD", id, &raw, vd_state(&raw));
        ld.level = text_of(vd, "TYPE");
        ld.name = text_of(vd, "Name").filter(|n| !n.is_empty());
        ctrl.logical.push(ld);
    }
    for pd in list(data, "PD LIST") {
        let id = text_of(pd, "EID:Slt").unwrap_or_else(|| "?".into());
        let raw = text_of(pd, "State").unwrap_or_default();
        ctrl.disks.push(Disk::new(id, &raw, pd_state(&raw)));
    }
    drive_details(data, &mut ctrl);
    // A drive the controller lost shows only in the topology (`State: Msng`).
    for row in list(data, "TOPOLOGY") {
        let state = text_of(row, "State").unwrap_or_default();
        if state.eq_ignore_ascii_case("Msng") && text_of(row, "Type").as_deref() == Some("DRIVE") {
            let id = format!(
                "DG {} row {}",
                row.get("DG").map(scalar).unwrap_or_default(),
                row.get("Row").map(scalar).unwrap_or_default()
            );
            ctrl.disks.push(Disk::new(id, "Msng", DiskState::Missing));
        }
    }
    for (key, kind) in [("BBU_Info", "BBU"), ("Cachevault_Info", "CacheVault")] {
        for unit in list(data, key) {
            let raw = text_of(unit, "State").unwrap_or_default();
            let mut cache = Cache::new(kind, &raw, cache_state(&raw));
            cache.temperature = text_of(unit, "Temp").and_then(|t| leading_number(&t));
            ctrl.caches.push(cache);
        }
    }
    Ok(ctrl)
}

/// `/call/eall/sall show all J`: per drive a `Drive /c0/e252/s0` list (its state) and a
/// `Drive /c0/e252/s0 - Detailed Information` object whose `... State` part has the error
/// counts, the SMART flag and the temperature.
fn drive_details(data: &Value, ctrl: &mut Controller) {
    let Some(obj) = data.as_object() else { return };
    let mut ids: Vec<(String, String)> = Vec::new();
    for (key, value) in obj {
        if !key.starts_with("Drive /c") || key.contains(" - ") {
            continue;
        }
        for pd in value.as_array().into_iter().flatten() {
            let Some(id) = text_of(pd, "EID:Slt") else {
                continue;
            };
            let raw = text_of(pd, "State").unwrap_or_default();
            if !ctrl.disks.iter().any(|d| d.id == id) {
                ctrl.disks.push(Disk::new(&id, &raw, pd_state(&raw)));
            }
            ids.push((key.clone(), id));
        }
    }
    for (prefix, id) in ids {
        let Some(state) = obj
            .get(&format!("{prefix} - Detailed Information"))
            .and_then(|d| d.get(format!("{prefix} State")))
        else {
            continue;
        };
        let Some(disk) = ctrl.disks.iter_mut().find(|d| d.id == id) else {
            continue;
        };
        let count = |k: &str| state.get(k).and_then(Value::as_u64);
        disk.media_errors = count("Media Error Count");
        disk.other_errors = count("Other Error Count");
        disk.predictive_count = count("Predictive Failure Count");
        disk.smart_alert = text_of(state, "S.M.A.R.T alert flagged by drive")
            .is_some_and(|v| v.eq_ignore_ascii_case("yes"));
        disk.temperature = text_of(state, "Drive Temperature").and_then(|t| leading_number(&t));
    }
}

/// Controllers read from several storcli answers (`/call show all J` and `/call/eall/sall show
/// all J`) as one per controller: the drive details join the disks of the same slot.
pub fn merge(answers: Vec<Vec<Controller>>) -> Vec<Controller> {
    let mut out: Vec<Controller> = Vec::new();
    for c in answers.into_iter().flatten() {
        let Some(o) = out.iter_mut().find(|o| o.id == c.id) else {
            out.push(c);
            continue;
        };
        o.model = o.model.take().or(c.model);
        o.status = o.status.take().or(c.status);
        o.temperature = o.temperature.or(c.temperature);
        o.logical.extend(c.logical);
        o.caches.extend(c.caches);
        o.failures.extend(c.failures);
        for d in c.disks {
            match o.disks.iter_mut().find(|x| x.id == d.id) {
                Some(x) => {
                    x.media_errors = x.media_errors.or(d.media_errors);
                    x.other_errors = x.other_errors.or(d.other_errors);
                    x.predictive_count = x.predictive_count.or(d.predictive_count);
                    x.smart_alert |= d.smart_alert;
                    x.temperature = x.temperature.or(d.temperature);
                }
                None => o.disks.push(d),
            }
        }
    }
    out
}

fn list<'a>(data: &'a Value, key: &str) -> impl Iterator<Item = &'a Value> {
    data.get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.trim().to_string(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn text_of(v: &Value, key: &str) -> Option<String> {
    v.get(key).map(scalar)
}

/// storcli's VD states (MR_LD_STATE): Optl, Dgrd, Pdgd, OfLn, Rec, Cac (CacheCade).
fn vd_state(raw: &str) -> LdState {
    match raw.to_ascii_lowercase().as_str() {
        "optl" | "optimal" => LdState::Optimal,
        "dgrd" | "pdgd" | "degraded" | "partially degraded" => LdState::Degraded,
        "ofln" | "offline" | "failed" => LdState::Failed,
        "rec" | "rbld" => LdState::Rebuilding,
        _ => LdState::Other,
    }
}

/// storcli's PD states: Onln, GHS/DHS (spares), UGood/UGUnsp/JBOD (healthy, unused), Rbld,
/// Cpybck (copyback onto a replacement, redundancy intact), Offln, UBad/UBUnsp, Failed, Msng.
fn pd_state(raw: &str) -> DiskState {
    match raw.to_ascii_lowercase().as_str() {
        "onln" | "online" | "cpybck" => DiskState::Online,
        "ghs" | "dhs" => DiskState::Spare,
        "ugood" | "ugunsp" | "jbod" | "sntze" => DiskState::Unconfigured,
        "rbld" => DiskState::Rebuilding,
        "ubad" | "ubunsp" | "failed" | "offln" => DiskState::Failed,
        "msng" => DiskState::Missing,
        _ => DiskState::Other,
    }
}

pub fn cache_state(raw: &str) -> CacheState {
    let r = raw.to_ascii_lowercase();
    if ["optimal", "ok", "ready", "operational"].contains(&r.as_str()) {
        CacheState::Ok
    } else if r.contains("learn") {
        CacheState::Learning
    } else if r.contains("charg") {
        CacheState::Charging
    } else if r.contains("fail")
        || r.contains("degrad")
        || r.contains("missing")
        || r.contains("replace")
    {
        CacheState::Failed
    } else if r.contains("not installed") || r.contains("not present") || r == "absent" {
        CacheState::Absent
    } else {
        CacheState::Other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_partial_failure_keeps_the_data_and_the_failure() {
        let text = r#"{"Controllers":[{"Command Status":{"Controller":0,"Status":"Failure","Description":"Show all failed",
            "Detailed Status":[{"VD":"1","Status":"Failure","ErrMsg":"VD is in degraded state"}]},
            "Response Data":{"Status":{"Controller Status":"Needs Attention"},
            "VD LIST":[{"DG/VD":"0/0","TYPE":"RAID1","State":"Dgrd"}],
            "PD LIST":[{"EID:Slt":"252:0","State":"Onln"},{"EID:Slt":"252:1","State":"UBad"}]}}]}"#;
        let c = &parse(text).unwrap()[0];
        assert_eq!(c.logical[0].state, LdState::Degraded);
        assert_eq!(c.disks[1].state, DiskState::Failed);
        assert_eq!(
            c.failures,
            vec!["Show all failed (VD 1: VD is in degraded state)"]
        );
        assert_eq!(c.status.as_deref(), Some("Needs Attention"));
    }

    #[test]
    fn garbage_and_cuts_are_refused() {
        assert!(parse("").is_err());
        assert!(parse("{\"Controllers\":[")
            .unwrap_err()
            .message
            .contains("cut"));
        assert!(parse("[1,2]").is_err());
        assert!(parse(&"[".repeat(10_000)).is_err());
    }
}
