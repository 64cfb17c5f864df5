//! What the parsers build and the rules judge: multipath maps with their path groups and paths,
//! iSCSI sessions grouped by target, mounts. Plain data; no I/O.

/// One multipath map (a LUN seen through several paths).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Map {
    /// The alias (`mpatha`, `u00.2`), or the WWID when the map has no alias.
    pub name: String,
    pub wwid: Option<String>,
    /// `dm-6`, or the native NVMe head (`[nvme]:nvme0n1`); None on RHEL4, which prints none.
    pub dm: Option<String>,
    pub vendor: Option<String>,
    pub product: Option<String>,
    pub size: Option<String>,
    pub groups: Vec<PathGroup>,
}

impl Map {
    pub fn paths(&self) -> impl Iterator<Item = &Path> {
        self.groups.iter().flat_map(|g| g.paths.iter())
    }
    /// Paths that carry I/O now or can take it over: see [`Path::is_usable`].
    pub fn active_paths(&self) -> usize {
        self.paths().filter(|p| p.is_usable()).count()
    }
    pub fn failed_paths(&self) -> usize {
        self.paths().filter(|p| p.problem().is_some()).count()
    }
    /// `mpatha (3600...)`, or the WWID alone when it is the name.
    pub fn shown(&self) -> String {
        match &self.wwid {
            Some(w) if *w != self.name => format!("{} ({w})", self.name),
            _ => self.name.clone(),
        }
    }
}

/// A path group (priority group): its paths are used together.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PathGroup {
    /// `round-robin 0`, `service-time 0`, `n/a`.
    pub policy: String,
    pub prio: Option<String>,
    /// active / enabled / disabled / undef / n/a.
    pub status: String,
    pub paths: Vec<Path>,
}

/// One path: a SCSI (or NVMe) device under the map.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Path {
    /// `2:0:6:10`; None for an orphan path (`#:#:#:#`), whose device is gone.
    pub hctl: Option<String>,
    /// `sdep`, `nvme22n1`; None for an orphan.
    pub device: Option<String>,
    /// `129:16`.
    pub dev_t: Option<String>,
    /// The kernel's (device-mapper's) view: active, failed, undef, n/a.
    pub dm_state: String,
    /// multipathd's path checker: ready, faulty, ghost, shaky, i/o pending, i/o timeout,
    /// delayed, failed, undef (not checked: `multipath -l`), n/a (native NVMe).
    pub checker: String,
    /// The SCSI device state (running, offline, blocked, transport-offline ...), or NVMe's
    /// (live, connecting ...); None in the old layout, which does not print it.
    pub device_state: Option<String>,
}

/// Checker states that say the path does not work.
const BAD_CHECKER: &[&str] = &[
    "faulty",
    "failed",
    "shaky",
    "i/o timeout",
    "delayed",
    "down",
];
/// Device states of a working device (SCSI `running`, NVMe `live`).
const GOOD_DEVICE: &[&str] = &["running", "live"];

impl Path {
    /// How the path is named in messages: `sdf (2:0:0:0)`, or `#:#:#:#` for an orphan.
    pub fn shown(&self) -> String {
        match (&self.device, &self.hctl) {
            (Some(d), Some(h)) => format!("{d} ({h})"),
            (Some(d), None) => d.clone(),
            (None, Some(h)) => h.clone(),
            (None, None) => "#:#:#:#".to_string(),
        }
    }

    /// What is wrong with the path, in the tool's own words, if anything: the kernel failed
    /// it, its checker calls it faulty (or shaky, or timed out), its device is not running,
    /// or it is an orphan whose device is gone.
    pub fn problem(&self) -> Option<String> {
        if self.device.is_none() {
            return Some("orphan (its device is gone)".to_string());
        }
        let mut words = Vec::new();
        if self.dm_state == "failed" {
            words.push("failed".to_string());
        }
        if BAD_CHECKER.contains(&self.checker.as_str()) {
            words.push(format!("checker {}", self.checker));
        }
        if let Some(state) = &self.device_state {
            if !GOOD_DEVICE.contains(&state.as_str()) && state != "n/a" {
                words.push(format!("device {state}"));
            }
        }
        (!words.is_empty()).then(|| words.join(", "))
    }

    /// A path that can carry I/O: the kernel has it active (native NVMe says n/a and keeps
    /// its own state) and nothing is wrong with it. A ghost path (standby port of an
    /// active/passive array) counts: it takes over when the active ones fail.
    pub fn is_usable(&self) -> bool {
        matches!(self.dm_state.as_str(), "active" | "n/a" | "undef") && self.problem().is_none()
    }
}

/// A tool message between or after the maps (`Apr 08 09:21:04 | ...`): kept, because some
/// say what the maps cannot (multipathd is not running).
#[derive(Debug, Clone, PartialEq)]
pub struct ToolMessage {
    pub line: usize,
    pub text: String,
}

/// Everything one `multipath -ll` (or a sysfs walk) showed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Multipath {
    pub maps: Vec<Map>,
    pub messages: Vec<ToolMessage>,
}

/// One iSCSI session (one login to a target through one portal).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Session {
    /// The SID (`1`), or the sysfs directory's number.
    pub sid: String,
    /// `10.0.0.1:3260,1` (iscsiadm) or `10.0.0.1:3260` (sysfs); None when not shown.
    pub portal: Option<String>,
    /// LOGGED_IN, FAILED, FREE (iscsiadm also has Unknown).
    pub state: String,
    /// iscsid's own view (`NO CHANGE`, `REOPEN`), or the sysfs connection state (`up`).
    pub detail: Option<String>,
}

impl Session {
    pub fn logged_in(&self) -> bool {
        self.state == "LOGGED_IN"
    }
}

/// One iSCSI target and the sessions to it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Target {
    pub iqn: String,
    pub sessions: Vec<Session>,
}

impl Target {
    pub fn logged_in(&self) -> usize {
        self.sessions.iter().filter(|s| s.logged_in()).count()
    }
}

/// One line of /proc/self/mountinfo, the parts the rules use.
#[derive(Debug, Clone, PartialEq)]
pub struct Mount {
    pub mount_point: String,
    /// The per-mount options (`rw,relatime`); `ro` there or in the superblock options makes
    /// the mount read-only.
    pub read_only: bool,
    pub fs_type: String,
    pub source: String,
}

/// A perfdata label part from a name: letters, digits, `.`, `-` kept; anything else `_`.
pub fn label(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(dm: &str, checker: &str, dev: Option<&str>) -> Path {
        Path {
            hctl: Some("1:0:0:1".into()),
            device: Some("sdb".into()),
            dev_t: Some("8:16".into()),
            dm_state: dm.into(),
            checker: checker.into(),
            device_state: dev.map(String::from),
        }
    }

    #[test]
    fn which_paths_count_as_active_and_which_are_named_as_failed() {
        // (dm, checker, device) -> usable, problem
        type Row = (
            &'static str,
            &'static str,
            Option<&'static str>,
            bool,
            Option<&'static str>,
        );
        let table: &[Row] = &[
            ("active", "ready", Some("running"), true, None),
            ("active", "ghost", Some("running"), true, None),
            ("active", "undef", Some("running"), true, None),
            ("active", "undef", None, true, None),
            ("active", "i/o pending", Some("running"), true, None),
            ("n/a", "n/a", Some("live"), true, None),
            ("failed", "ready", Some("running"), false, Some("failed")),
            (
                "active",
                "faulty",
                Some("running"),
                false,
                Some("checker faulty"),
            ),
            (
                "active",
                "shaky",
                Some("running"),
                false,
                Some("checker shaky"),
            ),
            (
                "active",
                "i/o timeout",
                Some("running"),
                false,
                Some("checker i/o timeout"),
            ),
            (
                "active",
                "ready",
                Some("offline"),
                false,
                Some("device offline"),
            ),
            (
                "active",
                "ready",
                Some("transport-offline"),
                false,
                Some("device transport-offline"),
            ),
            (
                "failed",
                "faulty",
                Some("offline"),
                false,
                Some("failed, checker faulty, device offline"),
            ),
        ];
        for (dm, chk, dev, usable, problem) in table {
            let p = path(dm, chk, *dev);
            assert_eq!(p.is_usable(), *usable, "{dm} {chk} {dev:?}");
            assert_eq!(p.problem().as_deref(), *problem, "{dm} {chk} {dev:?}");
        }
        let orphan = Path {
            dm_state: "active".into(),
            checker: "undef".into(),
            device_state: Some("running".into()),
            ..Path::default()
        };
        assert!(!orphan.is_usable());
        assert_eq!(orphan.shown(), "#:#:#:#");
    }

    #[test]
    fn labels_keep_only_safe_characters() {
        assert_eq!(
            label("iqn.2025-03.com.example:san-a"),
            "iqn.2025-03.com.example_san-a"
        );
        assert_eq!(label("u00.2"), "u00.2");
        assert_eq!(label("a b'c|d=e"), "a_b_c_d_e");
    }
}
