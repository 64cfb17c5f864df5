//! The rules, pure: what was observed on the NC and the options in, a report out. One function
//! per family: mode, eucanetd, the GNI and its applied version, failed updates in the log, this
//! NC's DHCP entries, dhcpd.

use crate::dhcpd::Host;
use crate::eucanetd_log::Entry;
use crate::gni::Gni;
use common::{Acquisition, Finding, Perfdata, Report, Status, Thresholds, Uom};

/// Where the files are (for messages and hints).
pub const EUCANETD_LOG: &str = "/var/log/eucalyptus/eucanetd.log";

/// What was found of a daemon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Daemon {
    /// Running; `pid_file` is the pid file that names it (None: found in /proc only).
    Running {
        pid: u32,
        pid_file: Option<String>,
        /// A pid file that names another, gone, process (it was restarted by hand?).
        stale_pid_file: Option<(String, u32)>,
    },
    /// Not running, and its pid file names a process that is gone: it died without cleaning up.
    Crashed {
        pid_file: String,
        pid: u32,
    },
    NotRunning,
    /// /proc or the pid file could not be read.
    Unreadable(String),
}

/// The applied-version file: its version and how long ago eucanetd wrote it.
#[derive(Debug, Clone, PartialEq)]
pub struct Applied {
    pub version: String,
    pub seconds_ago: Option<f64>,
}

/// eucanetd's log, read from its end.
#[derive(Debug, Clone, PartialEq)]
pub struct Log {
    pub entries: Vec<Entry>,
    /// Seconds between the log's last write (its mtime) and now: the newest entry is that old.
    pub newest_age: f64,
    /// The whole file was read (not only its end).
    pub whole: bool,
    pub path: String,
}

/// Everything observed on the NC.
#[derive(Debug, Clone)]
pub struct Observed {
    /// `VNET_MODE` in eucalyptus.conf (None: no file, or not set).
    pub conf_mode: Option<String>,
    /// eucalyptus.conf exists but could not be read whole (over its cap, unreadable, binary,
    /// cut): the mode it sets is not known, so the check cannot fall back to the default.
    pub conf_error: Option<String>,
    pub gni: Acquisition<Gni>,
    pub applied: Acquisition<Applied>,
    /// How long the GNI's version has been seen unapplied (None: applied, or unknown).
    pub unapplied_for: Option<f64>,
    /// The host's own addresses, to find this NC among the GNI's nodes.
    pub host_addresses: Acquisition<Vec<String>>,
    pub eucanetd: Daemon,
    pub dhcpd: Daemon,
    pub dhcp_conf: Acquisition<Vec<Host>>,
    /// None: --skip-log.
    pub log: Option<Acquisition<Log>>,
    /// Lines for the long output (how the mismatch age is counted, a state directory note).
    pub notes: Vec<String>,
}

/// The options that judge.
#[derive(Debug, Clone)]
pub struct Rules {
    pub unapplied: Thresholds,
    pub node_ip: Option<String>,
    /// Modes accepted besides EDGE (upper case).
    pub allow_modes: Vec<String>,
    /// Failed update attempts count when they are at most this old (seconds).
    pub failure_window: f64,
}

pub fn evaluate(o: &Observed, rules: &Rules) -> Report {
    let mut report = Report::new();
    let mode = mode_of(o);
    if let Some(f) = mode_rule(&mode, rules) {
        report.add(f);
        return report;
    }
    if let Some(f) = not_an_nc(o) {
        report.add(f);
        return report;
    }
    let edge = mode.name == "EDGE";
    mode_agreement_rule(&mut report, o);
    conf_rule(&mut report, o);
    daemon_rule(&mut report, "eucanetd", &o.eucanetd, true, eucanetd_hint());
    gni_rule(&mut report, o, &mode);
    version_rule(&mut report, o, rules);
    log_rule(&mut report, o, rules);
    let mut instances = None;
    if edge {
        if let Acquisition::Read(gni) = &o.gni {
            instances = dhcp_rules(&mut report, gni, o, rules);
        }
    }
    if let Some(n) = instances {
        report.perf(Perfdata::new("instances", n as f64).min(0.0));
    }
    let mut summary = format!("{} applied", mode.name);
    if let (Some(gni), Some(Applied { version, .. })) = (o.gni.read(), o.applied.read()) {
        if &gni.version == version {
            summary = format!("{} networking applied (GNI {version})", mode.name);
        }
    }
    // Unapplied but still within -w: OK, and said so (not "applied").
    if let (Some(gni), Some(age)) = (o.gni.read(), o.unapplied_for) {
        summary = format!(
            "{}: GNI {} not applied yet ({})",
            mode.name,
            gni.version,
            duration(age)
        );
    }
    if let Some(n) = instances {
        summary.push_str(&format!(", {n} instance(s) on this NC with DHCP entries"));
    }
    report.ok_summary(summary);
    for n in &o.notes {
        report.verbose(1, n.clone());
    }
    report
}

/// An eucalyptus.conf that exists but was not read whole is UNKNOWN: taking eucanetd's default
/// mode instead would judge an NC whose VNET_MODE nobody has seen.
fn conf_rule(report: &mut Report, o: &Observed) {
    if let Some(why) = &o.conf_error {
        report.add(
            Finding::unknown(format!(
                "{why}: the network mode it sets (VNET_MODE) is not known"
            ))
            .summary("eucalyptus.conf unreadable"),
        );
    }
}

/// The network mode and where it was read.
struct Mode {
    name: String,
    from: &'static str,
}

fn mode_of(o: &Observed) -> Mode {
    if let Some(m) = o.gni.read().and_then(|g| g.mode.clone()) {
        return Mode {
            name: m.to_ascii_uppercase(),
            from: "the GNI",
        };
    }
    match &o.conf_mode {
        Some(m) => Mode {
            name: m.to_ascii_uppercase(),
            from: "VNET_MODE in eucalyptus.conf",
        },
        // eucanetd's own default when VNET_MODE is unset (net/eucanetd.c configKeysRestartEUCANETD).
        None => Mode {
            name: "EDGE".into(),
            from: "eucanetd's default",
        },
    }
}

/// No GNI, no VNET_MODE in eucalyptus.conf and no trace of eucanetd (no pid file, no
/// process): nothing says this host is an EDGE NC, so "eucanetd not running" would page for a
/// check put on the wrong host. UNKNOWN, as for a mode that is not EDGE. A pid file left
/// behind (crashed) or a GNI is enough to judge the host as an NC.
fn not_an_nc(o: &Observed) -> Option<Finding> {
    let Acquisition::Missing { source } = &o.gni else {
        return None;
    };
    if o.conf_mode.is_some() || !matches!(o.eucanetd, Daemon::NotRunning) {
        return None;
    }
    let text = format!(
        "{source} missing, no VNET_MODE in eucalyptus.conf and no eucanetd (pid file or process): is this a Eucalyptus NC?"
    );
    Some(
        Finding::unknown(text.clone())
            .summary(text)
            .hint("run check_euca_edge on the Node Controllers (EDGE mode) only"),
    )
}

fn mode_rule(mode: &Mode, rules: &Rules) -> Option<Finding> {
    if mode.name == "EDGE" || rules.allow_modes.contains(&mode.name) {
        return None;
    }
    let text = format!(
        "network mode {} ({}), not EDGE: this check judges EDGE networking on an NC; give --allow-mode {} to check eucanetd and its GNI anyway",
        mode.name, mode.from, mode.name
    );
    let f = Finding::unknown(text).summary(format!("network mode {}, not EDGE", mode.name));
    Some(if mode.name == "VPCMIDO" {
        f.hint("in VPCMIDO mode eucanetd runs on the CLC, not on the NCs: check it there")
    } else {
        f
    })
}

/// eucanetd skips every update while the GNI's mode and eucalyptus.conf's differ
/// (`net/eucanetd.c` main loop: "Inconsistent network mode in GNI(...) and eucalyptus.conf(...).
/// Skipping update.").
fn mode_agreement_rule(report: &mut Report, o: &Observed) {
    let (Some(gni), Some(conf)) = (
        o.gni.read().and_then(|g| g.mode.as_deref()),
        o.conf_mode.as_deref(),
    ) else {
        return;
    };
    if !gni.eq_ignore_ascii_case(conf) {
        report.add(
            Finding::critical(format!(
                "network mode {gni} in the GNI but VNET_MODE={conf} in eucalyptus.conf: eucanetd skips every update"
            ))
            .summary(format!("GNI mode {gni}, eucalyptus.conf {conf}"))
            .hint("set VNET_MODE in /etc/eucalyptus/eucalyptus.conf to the cloud's mode (cloud.network.network_configuration) and restart eucanetd"),
        );
    }
}

fn eucanetd_hint() -> String {
    format!("systemctl start eucanetd (EL6: service eucanetd start), then read {EUCANETD_LOG}")
}

/// A daemon that must run (`needed`), or may be absent.
fn daemon_rule(report: &mut Report, name: &str, d: &Daemon, needed: bool, hint: String) {
    match d {
        Daemon::Running {
            pid,
            pid_file,
            stale_pid_file,
        } => {
            let mut detail = format!("{name} running (pid {pid}");
            match pid_file {
                Some(p) => detail.push_str(&format!(", {p}")),
                None => detail.push_str(", no pid file names it"),
            }
            detail.push(')');
            if let Some((p, old)) = stale_pid_file {
                detail.push_str(&format!("; {p} names pid {old}, which is gone"));
            }
            report.add(Finding::ok(detail));
        }
        Daemon::Crashed { pid_file, pid } if needed => {
            report.add(
                Finding::critical(format!(
                    "{name} crashed (stale pid file): {pid_file} names pid {pid}, which is gone"
                ))
                .summary(format!("{name} crashed (stale pid file)"))
                .hint(hint),
            );
        }
        Daemon::NotRunning if needed => {
            report.add(
                Finding::critical(format!("{name} not running"))
                    .summary(format!("{name} not running"))
                    .hint(hint),
            );
        }
        Daemon::Crashed { .. } | Daemon::NotRunning => {}
        Daemon::Unreadable(why) => {
            report.add(Finding::unknown(why.clone()).summary(why.clone()));
        }
    }
}

/// The GNI must be there and readable. Missing is CRITICAL when eucalyptus.conf says this is
/// an EDGE host (eucanetd then has nothing to apply: no instance on this NC gets networking),
/// UNKNOWN when nothing says it is one. Unreadable (cut, garbage, too large) is UNKNOWN: the NC
/// rewrites the file in place on every broadcast (every ~15 s), so a cut read is most often
/// only bad timing, and a cut file is never judged.
fn gni_rule(report: &mut Report, o: &Observed, mode: &Mode) {
    match &o.gni {
        Acquisition::Read(gni) => {
            report.add(Finding::ok(format!(
                "GNI version {}, mode {} ({}), {} node(s), {} instance(s)",
                gni.version,
                mode.name,
                mode.from,
                gni.nodes.len(),
                gni.instances.len()
            )));
        }
        Acquisition::Missing { source } if o.conf_mode.is_some() => {
            report.add(
                Finding::critical(format!(
                    "no global network information ({source} missing): this EDGE NC has received no broadcast from its CC"
                ))
                .summary("global network information missing")
                .hint("is the NC registered and ENABLED, is its CC up (euserv-describe-services), can the CC reach the NC on 8775?"),
            );
        }
        other => {
            if let Some(mut f) = other.finding() {
                match other {
                    Acquisition::Missing { .. } => {
                        f = f.hint("no eucalyptus.conf with VNET_MODE here either: is this a Eucalyptus NC?");
                    }
                    Acquisition::Unreadable { why, .. } if why == "permission denied" => {
                        // node/handlers_default.c writes it mode 0600 as the NC's user.
                        f = f.hint("the NC writes it readable by user eucalyptus only: run the check as eucalyptus (sudo -n -u eucalyptus check_euca_edge ...) or as root");
                    }
                    _ => {}
                }
                report.add(f);
            }
        }
    }
}

/// The GNI's version must be the one eucanetd applied; a mismatch alerts once it lasted -w/-c.
fn version_rule(report: &mut Report, o: &Observed, rules: &Rules) {
    let Some(gni) = o.gni.read() else {
        return;
    };
    let since = o.applied.read().and_then(|a| a.seconds_ago);
    if let Some(s) = since {
        report.perf(
            Perfdata::new("since_apply", s.round())
                .uom(Uom::Seconds)
                .min(0.0),
        );
    }
    let applied = match &o.applied {
        Acquisition::Read(a) => Some(a.version.as_str()),
        // /run is a tmpfs: after a boot, no file until eucanetd's first successful apply.
        Acquisition::Missing { .. } => None,
        other => {
            if let Some(f) = other.finding() {
                report.add(f);
            }
            return;
        }
    };
    if applied == Some(gni.version.as_str()) {
        report.perf(
            rules
                .unapplied
                .perfdata("unapplied", 0.0)
                .uom(Uom::Seconds)
                .min(0.0),
        );
        // How long ago is in the perfdata (since_apply): the long output stays the same from
        // one run to the next while nothing changes.
        report.add(Finding::ok(format!(
            "GNI {} applied by eucanetd",
            gni.version
        )));
        return;
    }
    let age = o.unapplied_for.unwrap_or(0.0);
    report.perf(
        rules
            .unapplied
            .perfdata("unapplied", age.round())
            .uom(Uom::Seconds)
            .min(0.0),
    );
    let status = rules.unapplied.status(age);
    let last = match applied {
        Some(v) => format!("eucanetd last applied {v}"),
        None => "eucanetd has applied no version since the host started (no version file)".into(),
    };
    let detail = format!(
        "GNI {} not applied for {}: {last}",
        gni.version,
        duration(age)
    );
    let mut f = Finding::new(status, detail);
    if status != Status::Ok {
        let over = rules.unapplied.describe(age).unwrap_or_default();
        f = f
            .summary(format!(
                "GNI {} not applied for {} ({over})",
                gni.version,
                duration(age)
            ))
            .hint(format!("read {EUCANETD_LOG} for the failing step; systemctl restart eucanetd forces a full apply"));
    }
    report.add(f);
}

/// Failed update attempts within the window: WARNING (eucanetd retries every second; each
/// "failures detected" line is one failed pass).
fn log_rule(report: &mut Report, o: &Observed, rules: &Rules) {
    let Some(log) = &o.log else {
        return;
    };
    let log = match log {
        Acquisition::Read(l) => l,
        other => {
            if let Some(f) = other.finding() {
                report.add(f.hint("if eucanetd logs elsewhere give --log FILE, or --skip-log"));
            }
            return;
        }
    };
    let newest = log.entries.iter().map(|e| e.time).max();
    let recent: Vec<&Entry> = match newest {
        Some(newest) => log
            .entries
            .iter()
            .filter(|e| (newest - e.time) as f64 + log.newest_age <= rules.failure_window)
            .collect(),
        None => Vec::new(),
    };
    let failed = recent.iter().filter(|e| e.is_failed_attempt()).count();
    let window = duration(rules.failure_window);
    report.perf(Perfdata::new("failed_updates", failed as f64).min(0.0));
    if failed == 0 {
        report.add(Finding::ok(format!(
            "no failed update attempt in {} in the last {window}",
            log.path
        )));
        return;
    }
    let cause = recent
        .iter()
        .rev()
        .find(|e| e.is_failure_cause())
        .map(|e| format!("; last: {}", e.message))
        .unwrap_or_default();
    let recovered = recent
        .iter()
        .rposition(|e| e.applied_version().is_some())
        .zip(recent.iter().rposition(|e| e.is_failed_attempt()))
        .is_some_and(|(ok, bad)| ok > bad);
    let after = if recovered {
        " (the last pass after them applied its GNI)"
    } else {
        ""
    };
    // Only the end of a large log was read: the count is exact when that end reaches back past
    // the window, a lower bound otherwise.
    let covered = log.whole
        || newest
            .zip(log.entries.first())
            .is_some_and(|(newest, oldest)| {
                (newest - oldest.time) as f64 + log.newest_age > rules.failure_window
            });
    let at_least = if covered { "" } else { "at least " };
    report.add(
        Finding::warning(format!(
            "{at_least}{failed} failed update attempt(s) in {} in the last {window}{after}{cause}",
            log.path
        ))
        .summary(format!(
            "{at_least}{failed} failed update attempt(s) in the last {window}"
        ))
        .hint(format!(
            "the lines before each 'failures detected' in {} name the failing step",
            log.path
        )),
    );
}

/// This NC among the GNI's nodes: --node-ip, else the one node whose address is the host's.
fn this_node<'g>(
    gni: &'g Gni,
    o: &Observed,
    rules: &Rules,
) -> Result<&'g crate::gni::Node, Finding> {
    let nodes = || {
        let all: Vec<&str> = gni.nodes.iter().map(|n| n.ip.as_str()).collect();
        if all.is_empty() {
            "none".to_string()
        } else {
            all.join(", ")
        }
    };
    if let Some(ip) = &rules.node_ip {
        return gni.node(ip).ok_or_else(|| {
            let text = format!("--node-ip {ip} is not a node of the GNI (its nodes: {})", nodes());
            Finding::unknown(text.clone()).summary(text).hint(
                "an NC that is not registered or not ENABLED is left out of the GNI: euserv-describe-node-controllers",
            )
        });
    }
    let addrs = match &o.host_addresses {
        Acquisition::Read(a) => a,
        other => {
            let why = other.message().unwrap_or_default();
            let text = format!("cannot tell which GNI node is this NC: {why}; give --node-ip");
            return Err(Finding::unknown(text.clone()).summary(text));
        }
    };
    let mine: Vec<&crate::gni::Node> = gni.nodes.iter().filter(|n| addrs.contains(&n.ip)).collect();
    match mine.as_slice() {
        [one] => Ok(one),
        [] => {
            let text = format!(
                "none of this host's addresses ({}) is a node of the GNI (its nodes: {}); give --node-ip",
                addrs.join(", "),
                nodes()
            );
            Err(Finding::unknown(text.clone())
                .summary("this host is not a node of the GNI")
                .hint("an NC that is not registered or not ENABLED is left out of the GNI: euserv-describe-node-controllers"))
        }
        many => {
            let ips: Vec<&str> = many.iter().map(|n| n.ip.as_str()).collect();
            let text = format!(
                "this host has the addresses of several GNI nodes ({}); give --node-ip",
                ips.join(", ")
            );
            Err(Finding::unknown(text.clone()).summary(text))
        }
    }
}

/// Every instance the GNI places on this NC has its `host node-<private IP>` entry with the
/// instance's MAC, and dhcpd runs when there is any (eucanetd starts it only for a config with
/// a `node-` entry, `net/eucanetd_util.c` `eucanetd_kick_dhcpd_server`). Returns how many
/// instances are on this NC, when that is known.
fn dhcp_rules(report: &mut Report, gni: &Gni, o: &Observed, rules: &Rules) -> Option<usize> {
    let node = match this_node(gni, o, rules) {
        Ok(n) => n,
        Err(f) => {
            report.add(f);
            return None;
        }
    };
    let ids = &node.instance_ids;
    report.add(Finding::ok(format!(
        "this NC is {} in cluster {}: {} instance(s){}",
        node.ip,
        node.cluster,
        ids.len(),
        if ids.is_empty() {
            String::new()
        } else {
            format!(" ({})", ids.join(", "))
        }
    )));
    let dhcp_hint = "eucanetd writes euca-dhcp.conf on each apply: see the version and log findings, then systemctl restart eucanetd";
    match &o.dhcp_conf {
        Acquisition::Read(hosts) => {
            let mut missing = Vec::new();
            for id in ids {
                let Some(ip) = gni.instance(id).and_then(|i| i.private_ip.clone()) else {
                    report.verbose(
                        1,
                        format!(
                            "{id}: placed on this NC but the GNI has no private address for it yet"
                        ),
                    );
                    continue;
                };
                let want_mac = gni
                    .instance(id)
                    .and_then(|i| i.mac.clone())
                    .map(|m| m.to_ascii_lowercase());
                let name = format!("node-{ip}");
                match hosts.iter().find(|h| h.name == name) {
                    None => missing.push(format!("{id} ({ip})")),
                    Some(h) if want_mac.is_some() && h.mac != want_mac => {
                        report.add(
                            Finding::critical(format!(
                                "{id}: DHCP entry {name} has MAC {}, the GNI says {}",
                                h.mac.as_deref().unwrap_or("none"),
                                want_mac.as_deref().unwrap_or("none")
                            ))
                            .summary(format!("{id} DHCP entry with the wrong MAC"))
                            .hint(dhcp_hint),
                        );
                    }
                    Some(_) => {
                        report.verbose(1, format!("{id}: DHCP entry {name}"));
                    }
                }
            }
            if !missing.is_empty() {
                report.add(
                    Finding::critical(format!(
                        "no DHCP entry in euca-dhcp.conf for {}: the instance gets no address (the NC waits for the entry before starting it)",
                        missing.join(", ")
                    ))
                    .summary(format!("{} without DHCP entry", missing.join(", ")))
                    .hint(dhcp_hint),
                );
            }
        }
        Acquisition::Missing { source } if !ids.is_empty() => {
            report.add(
                Finding::critical(format!(
                    "{source} missing: no instance on this NC gets an address"
                ))
                .summary("euca-dhcp.conf missing")
                .hint(dhcp_hint),
            );
        }
        Acquisition::Missing { .. } => {}
        other => {
            if let Some(f) = other.finding() {
                report.add(f);
            }
        }
    }
    let needed = !ids.is_empty();
    daemon_rule(
        report,
        "dhcpd",
        &o.dhcpd,
        needed,
        "systemctl restart eucanetd (it starts eucanetd-dhcpd@<bridge>); journalctl -u 'eucanetd-dhcpd@*'".into(),
    );
    if !needed && !matches!(o.dhcpd, Daemon::Running { .. }) {
        report.verbose(1, "dhcpd not running: not needed, no instance on this NC");
    }
    Some(ids.len())
}

/// Seconds as an admin reads them: "45 s", "12 min", "3 h 5 min".
fn duration(s: f64) -> String {
    let s = s.max(0.0).round() as u64;
    match s {
        0..=119 => format!("{s} s"),
        120..=7199 => format!("{} min", s / 60),
        _ => format!("{} h {} min", s / 3600, s % 3600 / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration(45.2), "45 s");
        assert_eq!(duration(600.0), "10 min");
        assert_eq!(duration(3.0 * 3600.0 + 300.0), "3 h 5 min");
        assert_eq!(duration(-3.0), "0 s");
    }
}
