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
    if wwid.is_empty() || wwid.contains(char::is_whitespace) {
        return Err(format!("dm/uuid '{uuid}' is no multipath uuid"));
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
                    return Err(format!("{slave}/device/state '{s}' is no device state"));
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
            return Err(format!("{}/targetname '{iqn}' is no target name", s.dir));
        }
        if !crate::iscsiadm::SESSION_STATES.contains(&state) {
            return Err(format!("{}/state '{state}' is no session state", s.dir));
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
