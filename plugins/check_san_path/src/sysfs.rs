//! The sysfs view, which needs neither root nor the tools: multipath maps from
//! `/sys/block/dm-*/dm/uuid` (`mpath-` prefix), their `slaves/` and each slave's
//! `device/state`; iSCSI sessions from `/sys/class/iscsi_session/sessionN/{targetname,state}`
//! and their connection's `persistent_address`/`persistent_port`. The plugin reads the files;
//! these functions only turn their contents into the model (pure).
//!
//! sysfs does not know what the path checker says, nor which paths device-mapper failed: a path
//! here is judged by its device state alone (`running`/`live` good, anything else failed).

use crate::model::{Map, Path, PathGroup, Session, Target};
use crate::multipath::is_device_state;

/// A sysfs value as the status line may quote it: the kit's quoting of a parse error's line
/// (60 characters at most, binary said as such), since a garbled or huge file would otherwise
/// put mojibake or a megabyte into the first line.
fn quoted(value: &str) -> String {
    common::ParseError::at(1, value, "")
        .content
        .unwrap_or_default()
}

/// One dm device as read: its directory name (`dm-3`), `dm/uuid`, `dm/name`, and per slave
/// its name and `device/state` (None: the file could not be read).
pub struct DmDevice {
    pub dm: String,
    pub uuid: String,
    pub name: Option<String>,
    pub slaves: Vec<(String, Option<String>)>,
}

/// The map a dm device is, or None when it is no multipath map (LVM, crypt: another uuid).
/// Err: a value that is not what sysfs writes (cut, garbage).
pub fn map(dev: &DmDevice) -> Result<Option<Map>, String> {
    let uuid = dev.uuid.trim_end_matches('\n');
    let Some(wwid) = uuid.strip_prefix("mpath-") else {
        return Ok(None);
    };
    // WWIDs are printable ASCII (hex, `eui.`, `SATA_...`): anything else is a garbled file.
    if wwid.is_empty() || !wwid.chars().all(|c| c.is_ascii_graphic()) {
        return Err(format!("dm/uuid '{}' is no multipath uuid", quoted(uuid)));
    }
    let name = dev
        .name
        .as_deref()
        .map(|n| n.trim_end_matches('\n').to_string())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| wwid.to_string());
    let mut paths = Vec::new();
    for (slave, state) in &dev.slaves {
        let state = match state {
            Some(s) => {
                let s = s.trim_end_matches('\n');
                if !is_device_state(s) {
                    return Err(format!(
                        "{slave}/device/state '{}' is no device state",
                        quoted(s)
                    ));
                }
                s.to_string()
            }
            None => "unknown".to_string(),
        };
        paths.push(Path {
            device: Some(slave.clone()),
            dm_state: "n/a".into(),
            checker: "n/a".into(),
            device_state: Some(state),
            ..Path::default()
        });
    }
    let groups = if paths.is_empty() {
        Vec::new()
    } else {
        vec![PathGroup {
            policy: "n/a".into(),
            status: "n/a".into(),
            paths,
            ..PathGroup::default()
        }]
    };
    Ok(Some(Map {
        name,
        wwid: Some(wwid.to_string()),
        dm: Some(dev.dm.clone()),
        groups,
        ..Map::default()
    }))
}

/// One iSCSI session as read from sysfs.
pub struct SysSession {
    /// `session3`.
    pub dir: String,
    pub targetname: String,
    pub state: String,
    pub address: Option<String>,
    pub port: Option<String>,
    /// The connection's state (`up`, `down`, `failed`), when found.
    pub connection: Option<String>,
}

/// The sessions grouped by target, in the order first seen.
pub fn targets(sessions: &[SysSession]) -> Result<Vec<Target>, String> {
    let mut out: Vec<Target> = Vec::new();
    for s in sessions {
        let iqn = s.targetname.trim_end_matches('\n');
        let state = s.state.trim_end_matches('\n');
        if iqn.is_empty() || iqn.contains(char::is_whitespace) {
            return Err(format!(
                "{}/targetname '{}' is no target name",
                s.dir,
                quoted(iqn)
            ));
        }
        if !crate::iscsiadm::SESSION_STATES.contains(&state) {
            return Err(format!(
                "{}/state '{}' is no session state",
                s.dir,
                quoted(state)
            ));
        }
        let trim = |v: &Option<String>| v.as_deref().map(|x| x.trim_end_matches('\n').to_string());
        let portal = match (trim(&s.address), trim(&s.port)) {
            (Some(a), Some(p)) if a.contains(':') => Some(format!("[{a}]:{p}")),
            (Some(a), Some(p)) => Some(format!("{a}:{p}")),
            (Some(a), None) => Some(a),
            _ => None,
        };
        let session = Session {
            sid: s.dir.trim_start_matches("session").to_string(),
            portal,
            state: state.to_string(),
            detail: trim(&s.connection).map(|c| format!("connection {c}")),
        };
        match out.iter_mut().find(|t| t.iqn == iqn) {
            Some(t) => t.sessions.push(session),
            None => out.push(Target {
                iqn: iqn.to_string(),
                sessions: vec![session],
            }),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dev(uuid: &str, state: &str) -> DmDevice {
        DmDevice {
            dm: "dm-0".into(),
            uuid: uuid.into(),
            name: Some("mpatha\n".into()),
            slaves: vec![("sdb".into(), Some(state.into()))],
        }
    }

    /// A garbled or huge sysfs value is quoted short and never as raw bytes on the status line.
    #[test]
    fn a_binary_or_huge_value_is_quoted_short() {
        let binary = "\u{fffd}@\u{1}\u{fffd}}\n";
        let huge = "x".repeat(900_000) + "\n";
        for (uuid, state) in [
            ("mpath-3600\n", binary),
            ("mpath-3600\n", huge.as_str()),
            (binary, "running\n"),
        ] {
            let uuid = if uuid == binary {
                format!("mpath-{binary}")
            } else {
                uuid.to_string()
            };
            let e = map(&dev(&uuid, state)).unwrap_err();
            assert!(
                e.len() < 120,
                "{} bytes: {}",
                e.len(),
                &e[..120.min(e.len())]
            );
            assert!(!e.contains('\u{fffd}') && !e.contains('\u{1}'), "{e}");
        }
        let sessions = [SysSession {
            dir: "session1".into(),
            targetname: "iqn.2025-03.com.example:a\n".into(),
            state: huge.clone(),
            address: None,
            port: None,
            connection: None,
        }];
        let e = targets(&sessions).unwrap_err();
        assert!(e.len() < 120, "{} bytes", e.len());
    }
}
