//! The rules: one function per family (map paths, expected maps, multipathd's messages, iSCSI
//! sessions, expected targets, mounts), each writing its findings and long-output lines.

use crate::model::{label, Map, Mount, Multipath, Target};
use common::{Acquisition, Finding, Perfdata, Range, Report};

/// The options the rules use.
#[derive(Debug, Clone)]
pub struct Rules {
    /// WARNING when a map has fewer usable paths.
    pub min_paths: usize,
    /// CRITICAL when a map has fewer usable paths (a map with none is always CRITICAL).
    pub critical_paths: usize,
    /// Maps that must exist (alias or WWID).
    pub maps: Vec<String>,
    /// At least this many maps must exist.
    pub expect_maps: Option<usize>,
    /// Targets that must have a session logged in.
    pub targets: Vec<String>,
    /// CRITICAL when a target has fewer sessions logged in.
    pub min_sessions: usize,
}

impl Default for Rules {
    fn default() -> Rules {
        Rules {
            min_paths: 2,
            critical_paths: 1,
            maps: Vec::new(),
            expect_maps: None,
            targets: Vec::new(),
            min_sessions: 1,
        }
    }
}

/// One source as acquired: its name for messages and what it gave.
#[derive(Debug, Clone)]
pub struct Source<T> {
    pub name: String,
    pub got: Acquisition<T>,
}

/// What the write test of a mount found.
#[derive(Debug, Clone, PartialEq)]
pub enum Write {
    Done {
        millis: u128,
    },
    Failed {
        step: &'static str,
        reason: String,
    },
    /// Not finished in this many seconds; the writer was left behind.
    Hung {
        seconds: String,
    },
    /// An earlier run's writer (pid, started `since` ago: `12 s`) is still stuck: no new
    /// one started.
    StillStuck {
        pid: i32,
        since: String,
    },
    /// No time left to start one.
    NoTime,
}

/// One `--mount PATH` as found.
#[derive(Debug, Clone)]
pub struct MountCheck {
    pub path: String,
    /// The mount at PATH (None: nothing mounted there), or why mountinfo could not be read.
    pub mount: Acquisition<Option<Mount>>,
    pub write: Option<Write>,
}

/// Everything the check looked at.
#[derive(Debug, Clone, Default)]
pub struct Observed {
    /// None: multipath not looked at.
    pub multipath: Option<Source<Multipath>>,
    /// None: no iSCSI on this host (no session directory) and none asked for.
    pub iscsi: Option<Source<Vec<Target>>>,
    pub mounts: Vec<MountCheck>,
}

pub fn evaluate(seen: &Observed, rules: &Rules) -> Report {
    let mut report = Report::new();
    if let Some(src) = &seen.multipath {
        match &src.got {
            Acquisition::Read(mp) => {
                for map in &mp.maps {
                    map_paths(map, rules, &mut report);
                }
                expected_maps(mp, rules, &mut report);
                tool_messages(mp, &mut report);
            }
            other => add_acquisition(other, &mut report),
        }
    }
    match &seen.iscsi {
        Some(Source {
            got: Acquisition::Read(targets),
            ..
        }) => {
            for t in targets {
                sessions(t, rules, &mut report);
            }
            expected_targets(targets, rules, &mut report);
        }
        Some(src) => add_acquisition(&src.got, &mut report),
        None => expected_targets(&[], rules, &mut report),
    }
    for m in &seen.mounts {
        mount(m, &mut report);
    }
    let maps = seen
        .multipath
        .as_ref()
        .and_then(|s| s.got.read())
        .map_or(0, |m| m.maps.len());
    let targets = seen
        .iscsi
        .as_ref()
        .and_then(|s| s.got.read())
        .map_or(0, |t| t.len());
    let mut parts = Vec::new();
    if seen.multipath.is_some() {
        parts.push(format!("{maps} multipath map{}", plural(maps)));
    }
    if seen.iscsi.is_some() {
        parts.push(format!("{targets} iSCSI target{}", plural(targets)));
    }
    if !seen.mounts.is_empty() {
        parts.push(format!(
            "{} mount{}",
            seen.mounts.len(),
            plural(seen.mounts.len())
        ));
    }
    let up = match (seen.multipath.is_some(), seen.iscsi.is_some()) {
        (true, true) => "every path and session up",
        (true, false) => "every path up",
        (false, true) => "every session logged in",
        (false, false) => "mounted",
    };
    report.ok_summary(format!("{}: {up}", parts.join(", ")));
    report
}

fn add_acquisition<T>(got: &Acquisition<T>, report: &mut Report) {
    if let Some(f) = got.finding() {
        report.add(f);
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// The way back for a multipath map short of paths.
const RESTORE_PATHS: &str = "check the failed paths' links (HBA or NIC, cable, switch port, the SAN controller they lead to): `multipath -ll` shows each path's state; the path checker reinstates a path when it answers again (or `multipathd reinstate path DEV`)";
/// The way back for an iSCSI target short of sessions.
const RESTORE_SESSIONS: &str = "`iscsiadm -m session -P 3` shows why; check the network to the portal and the target itself, then log in again: `iscsiadm -m node -T IQN -p PORTAL --login`";

/// The way back for a backing store that does not take writes.
const RESTORE_MOUNT: &str = "the backing store is lost or was remounted read-only after I/O errors: dmesg shows why; restore its paths (multipath -ll, iscsiadm -m session), then remount it read-write (or reboot the host if its writers hang) and restart the component that uses it";

/// A map's usable paths against --min-paths/--critical-paths, and every failed path by name.
fn map_paths(map: &Map, rules: &Rules, report: &mut Report) {
    let name = map.name.as_str();
    let (active, failed) = (map.active_paths(), map.failed_paths());
    let total = map.paths().count();
    if active == 0 {
        report.add(
            Finding::critical(format!("{name}: no active path (of {total})"))
                .summary(format!("{name}: no active path"))
                .hint(RESTORE_PATHS),
        );
    } else if active < rules.critical_paths {
        report.add(
            Finding::critical(format!(
                "{name}: {active} active path{} of {total}, fewer than {} (--critical-paths)",
                plural(active),
                rules.critical_paths
            ))
            .summary(format!(
                "{name}: only {active} active path{}",
                plural(active)
            ))
            .hint(RESTORE_PATHS),
        );
    } else if active < rules.min_paths {
        report.add(
            Finding::warning(format!(
                "{name}: {active} active path{} of {total}, fewer than {} (--min-paths): no redundancy",
                plural(active),
                rules.min_paths
            ))
            .summary(format!("{name}: only {active} active path{}", plural(active)))
            .hint(RESTORE_PATHS),
        );
    } else {
        report.add(Finding::ok(format!(
            "{}{}: {active} of {total} paths active",
            map.shown(),
            describe(map)
        )));
    }
    for p in map.paths() {
        if let Some(why) = p.problem() {
            report.add(
                Finding::warning(format!("{name}: path {} {why}", p.shown()))
                    .summary(format!(
                        "{name} path {} {why}",
                        p.device.as_deref().unwrap_or("#:#:#:#")
                    ))
                    .hint(RESTORE_PATHS),
            );
        }
    }
    for (i, g) in map.groups.iter().enumerate() {
        let paths: Vec<String> = g
            .paths
            .iter()
            .map(|p| {
                let dev = p
                    .device_state
                    .as_deref()
                    .map(|d| format!(" {d}"))
                    .unwrap_or_default();
                format!("{} {} {}{dev}", p.shown(), p.dm_state, p.checker)
            })
            .collect();
        report.verbose(
            1,
            format!(
                "  {name} group {} ({}, prio {}, {}): {}",
                i + 1,
                g.policy,
                g.prio.as_deref().unwrap_or("-"),
                g.status,
                paths.join("; ")
            ),
        );
    }
    let l = label(name);
    report.perf(
        Perfdata::new(format!("{l}_active_paths"), active as f64)
            .warn(at_least(rules.min_paths).as_ref())
            .crit(at_least(rules.critical_paths.max(1)).as_ref())
            .min(0.0)
            .max(total as f64),
    );
    report.perf(
        Perfdata::new(format!("{l}_failed_paths"), failed as f64)
            .min(0.0)
            .max(total as f64),
    );
}

fn describe(map: &Map) -> String {
    let mut s = String::new();
    if let Some(dm) = &map.dm {
        s.push_str(&format!(" {dm}"));
    }
    match (&map.vendor, &map.product) {
        (Some(v), Some(p)) => s.push_str(&format!(" {v},{p}")),
        (None, Some(p)) => s.push_str(&format!(" {p}")),
        _ => {}
    }
    if let Some(size) = &map.size {
        s.push_str(&format!(" {size}"));
    }
    s
}

/// "N:" (alert below N), None for 0 (no alert possible).
fn at_least(n: usize) -> Option<Range> {
    if n == 0 {
        return None;
    }
    format!("{n}:").parse().ok()
}

/// --map NAME (by alias or WWID) and --expect-maps N.
fn expected_maps(mp: &Multipath, rules: &Rules, report: &mut Report) {
    for want in &rules.maps {
        let found = mp
            .maps
            .iter()
            .any(|m| m.name == *want || m.wwid.as_deref() == Some(want.as_str()));
        if !found {
            report.add(
                Finding::critical(format!("multipath map {want} missing (--map)"))
                    .summary(format!("map {want} missing"))
                    .hint(RESTORE_PATHS),
            );
        }
    }
    let n = mp.maps.len();
    match rules.expect_maps {
        Some(want) if n < want => {
            report.add(
                Finding::critical(format!(
                    "{n} multipath map{} found, {want} expected (--expect-maps)",
                    plural(n)
                ))
                .summary(format!("{n} of {want} maps")),
            );
        }
        None if n == 0 && rules.maps.is_empty() => {
            report.add(
                Finding::unknown("no multipath map found")
                    .summary("no multipath map found")
                    .hint("on a host without SAN LUNs give --expect-maps 0"),
            );
        }
        _ => {}
    }
}

/// What multipath said besides the maps: "multipathd is not running" means failed paths are
/// neither checked nor reinstated (WARNING); other lines go to the long output.
fn tool_messages(mp: &Multipath, report: &mut Report) {
    let mut warned = false;
    for m in &mp.messages {
        let t = m.text.as_str();
        if !warned && t.contains("multipathd") && t.contains("not running") {
            warned = true;
            report.add(
                Finding::warning(format!(
                    "multipath says: {} (failed paths are neither checked nor reinstated)",
                    t.trim()
                ))
                .summary("multipathd is not running"),
            );
        } else {
            report.verbose(0, format!("multipath says: {}", t.trim()));
        }
    }
}

/// Every session of a target: one not logged in is WARNING while another is, CRITICAL when
/// none is; --min-sessions per target.
fn sessions(t: &Target, rules: &Rules, report: &mut Report) {
    let iqn = t.iqn.as_str();
    let (logged, total) = (t.logged_in(), t.sessions.len());
    for s in t.sessions.iter().filter(|s| !s.logged_in()) {
        let via = s
            .portal
            .as_deref()
            .map(|p| format!(" via {p}"))
            .unwrap_or_default();
        let detail = s
            .detail
            .as_deref()
            .map(|d| format!(" ({d})"))
            .unwrap_or_default();
        let text = format!("{iqn}: session {}{via} is {}{detail}", s.sid, s.state);
        if logged > 0 {
            report.add(
                Finding::warning(format!("{text}; {logged} of {total} logged in"))
                    .summary(format!("{iqn} session {} {}", s.sid, s.state))
                    .hint(RESTORE_SESSIONS),
            );
        } else {
            // The target's own CRITICAL below says it in the summary.
            report.add(Finding::critical(text));
        }
    }
    if logged == 0 {
        let states: Vec<String> = t
            .sessions
            .iter()
            .map(|s| format!("session {} {}", s.sid, s.state))
            .collect();
        report.add(
            Finding::critical(format!("{iqn}: no session logged in (of {total})"))
                .summary(format!(
                    "{iqn}: no session logged in ({})",
                    states.join(", ")
                ))
                .hint(RESTORE_SESSIONS),
        );
    } else if logged < rules.min_sessions {
        report.add(
            Finding::critical(format!(
                "{iqn}: {logged} session{} logged in, fewer than {} (--min-sessions)",
                plural(logged),
                rules.min_sessions
            ))
            .summary(format!(
                "{iqn}: {logged} of {} sessions",
                rules.min_sessions
            )),
        );
    } else if logged == total {
        let portals: Vec<&str> = t
            .sessions
            .iter()
            .filter_map(|s| s.portal.as_deref())
            .collect();
        report.add(Finding::ok(format!(
            "{iqn}: {logged} session{} logged in ({})",
            plural(logged),
            portals.join(", ")
        )));
    }
    report.perf(
        Perfdata::new(format!("{}_sessions", label(iqn)), logged as f64)
            .crit(at_least(rules.min_sessions.max(1)).as_ref())
            .min(0.0)
            .max(total as f64),
    );
}

/// --target IQN: it must be there (its sessions are judged by `sessions`).
fn expected_targets(targets: &[Target], rules: &Rules, report: &mut Report) {
    for want in &rules.targets {
        if !targets.iter().any(|t| t.iqn == *want) {
            report.add(
                Finding::critical(format!("iSCSI target {want}: no session (--target)"))
                    .summary(format!("target {want} has no session"))
                    .hint(RESTORE_SESSIONS),
            );
        }
    }
}

/// --mount PATH: mounted, read-write, and (--write-test) a write finished in time.
fn mount(m: &MountCheck, report: &mut Report) {
    let path = m.path.as_str();
    let mount = match &m.mount {
        Acquisition::Read(Some(mount)) => mount,
        Acquisition::Read(None) => {
            report.add(
                Finding::critical(format!("{path} is not mounted"))
                    .summary(format!("{path} not mounted"))
                    .hint(RESTORE_MOUNT),
            );
            return;
        }
        other => return add_acquisition(other, report),
    };
    let what = format!("{path} ({} {})", mount.fs_type, mount.source);
    if mount.read_only {
        report.add(
            Finding::critical(format!("{what} is mounted read-only"))
                .summary(format!("{path} read-only"))
                .hint(RESTORE_MOUNT),
        );
        return;
    }
    match &m.write {
        None => report.add(Finding::ok(format!("{what} mounted read-write"))),
        Some(Write::Done { millis }) => report.add(Finding::ok(format!(
            "{what} mounted read-write; a write test took {millis} ms"
        ))),
        Some(Write::Failed { step, reason }) => report.add(
            Finding::critical(format!("write test in {what} failed at {step}: {reason}"))
                .summary(format!("write to {path} failed: {reason}"))
                .hint(RESTORE_MOUNT),
        ),
        Some(Write::Hung { seconds }) => report.add(
            Finding::critical(format!(
                "write to {path} did not finish in {seconds} s ({} {}): the mount hangs; the writer is left behind",
                mount.fs_type, mount.source
            ))
            .summary(format!("write to {path} did not finish in {seconds} s"))
            .hint(RESTORE_MOUNT),
        ),
        Some(Write::StillStuck { pid, since }) => report.add(
            Finding::critical(format!(
                "the write test of {path} started {since} ago (pid {pid}) has not finished: the mount still hangs; no new one started"
            ))
            .summary(format!("write to {path} still stuck after {since}"))
            .hint(RESTORE_MOUNT),
        ),
        Some(Write::NoTime) => report.add(
            Finding::unknown(format!("write test of {path} not started: no time left; raise -t"))
                .summary(format!("write test of {path} not started: no time left")),
        ),
    };
}
