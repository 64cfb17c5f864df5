//! check_euca_edge, run on each Eucalyptus Node Controller: is EDGE networking applied here?
//!
//! Acquire, all under `--root`: eucanetd's and dhcpd's pid files and /proc, the global network
//! information the CC broadcasts (`/var/run/eucalyptus/global_network_info.xml`), the version
//! eucanetd applied last (`global_network_info.version`), the dhcpd configuration eucanetd
//! generates (`net/euca-dhcp.conf`), eucanetd's log, `/etc/eucalyptus/eucalyptus.conf` and the
//! host's addresses (`/proc/net/fib_trie`) -> parse (`gni`, `version`, `dhcpd`,
//! `eucanetd_log`, `procfs`, `local_addrs`, `conf`) -> `evaluate` -> Report. No tool runs.
//! Facts and their sources: docs/EUCALYPTUS.md section 6.

pub mod conf;
pub mod dhcpd;
pub mod eucanetd_log;
pub mod evaluate;
pub mod gni;
pub mod local_addrs;
pub mod procfs;
pub mod version;

use common::acquisition::{self, Acquisition};
use common::{CheckError, Context, ParseError, Plugin, Range, Report, Thresholds};
use evaluate::{Applied, Daemon, Log, Observed, Rules};
use std::time::SystemTime;

pub const PLUGIN: Plugin = Plugin {
    name: "check_euca_edge",
    service: "EUCA EDGE",
    version: env!("CARGO_PKG_VERSION"),
    about: "EDGE networking on a Eucalyptus NC: eucanetd and dhcpd running, the latest global network information applied, a DHCP entry for every instance on this NC",
    reads_host: true,
    inputs: &[],
    synopsis: "\
check_euca_edge [-w RANGE] [-c RANGE] [--node-ip IP] [--allow-mode MODE]... [--failure-window S]
                [--log FILE] [--skip-log] [--state-dir DIR] [--root DIR] [-t S] [-v]",
    runs_tools: false,
    keeps_state: true,
};

/// The plugin's whole command line (standard options included), for generated configuration,
/// man pages and Icinga 2 CheckCommands.
pub fn command() -> clap::Command {
    common::command::<Options>(&PLUGIN)
}

#[derive(clap::Args, Debug, Clone)]
pub struct Options {
    /// WARNING when the GNI's version has gone unapplied by eucanetd for longer (seconds)
    #[arg(
        short = 'w',
        long = "warning",
        value_name = "RANGE",
        default_value = "120"
    )]
    pub warning: Range,

    /// CRITICAL when the GNI's version has gone unapplied by eucanetd for longer (seconds)
    #[arg(
        short = 'c',
        long = "critical",
        value_name = "RANGE",
        default_value = "600"
    )]
    pub critical: Range,

    /// This NC's address as the GNI names it [default: the GNI node whose address this host has]
    #[arg(long = "node-ip", value_name = "IP", value_parser = parse_node_ip)]
    pub node_ip: Option<std::net::Ipv4Addr>,

    /// Accept this network mode besides EDGE (repeatable: VPCMIDO, MANAGED, MANAGED-NOVLAN,
    /// STATIC, SYSTEM); then eucanetd, the GNI and its applied version are checked, DHCP entries
    /// only in EDGE
    #[arg(long = "allow-mode", value_name = "MODE")]
    pub allow_modes: Vec<String>,

    /// Failed update attempts in eucanetd's log count when at most this old (seconds)
    #[arg(long = "failure-window", value_name = "S", default_value_t = 600)]
    pub failure_window: usize,

    /// eucanetd's log
    #[arg(long, value_name = "FILE", default_value = evaluate::EUCANETD_LOG)]
    pub log: String,

    /// Do not read eucanetd's log (it logs to syslog, LOGFACILITY in eucalyptus.conf)
    #[arg(long, conflicts_with = "log")]
    pub skip_log: bool,
}

fn parse_node_ip(text: &str) -> Result<std::net::Ipv4Addr, String> {
    text.trim().parse().map_err(|_| {
        "expected the NC's IPv4 address as the GNI names it, e.g. 10.111.5.140".to_string()
    })
}

/// The GNI, where the NC writes it, then the other places eucanetd looks (`net/eucanetd.c`
/// `eucanetd_fetch_latest_network`: the CC's copy, then the state directory).
const GNI_PATHS: [&str; 3] = [
    "/var/run/eucalyptus/global_network_info.xml",
    "/var/run/eucalyptus/cc_global_network_info.xml",
    "/var/lib/eucalyptus/global_network_info.xml",
];
const VERSION_FILE: &str = "/var/run/eucalyptus/global_network_info.version";
const DHCP_CONF: &str = "/var/run/eucalyptus/net/euca-dhcp.conf";
const EUCA_CONF: &str = "/etc/eucalyptus/eucalyptus.conf";
/// eucanetd writes `$EUCALYPTUS/var/run/eucalyptus/eucanetd.pid` (`net/eucanetd.c`
/// `eucanetd_daemonize`); the EL7 unit names `/run/eucalyptus/eucanetd.pid` (`/var/run` is a
/// link to `/run` there).
const EUCANETD_PID: [&str; 2] = [
    "/var/run/eucalyptus/eucanetd.pid",
    "/run/eucalyptus/eucanetd.pid",
];
/// dhcpd's pid file, named in the config eucanetd writes (`pid-file-name`).
const DHCPD_PID: [&str; 2] = [
    "/var/run/eucalyptus/net/euca-dhcp.pid",
    "/run/eucalyptus/net/euca-dhcp.pid",
];
/// Most of a GNI read: about 400 bytes an instance, so 4 MiB is some 10,000 instances; with
/// `gni::MAX_TAGS` it keeps the whole check under 64 MiB whatever the file holds.
pub const GNI_CAP: usize = 4 * 1024 * 1024;
/// The end of eucanetd's log read: a failing eucanetd writes about 6 lines (500 bytes) a second,
/// so 1 MiB covers more than the default 10 minute window.
pub const LOG_TAIL: usize = 1024 * 1024;
/// The state file remembering when a GNI version was first seen unapplied.
const MISMATCH_STATE: &str = "check_euca_edge.unapplied";

pub fn check(opts: &Options, ctx: &Context) -> Result<Report, CheckError> {
    let allow_modes: Vec<String> = opts
        .allow_modes
        .iter()
        .map(|m| m.trim().to_ascii_uppercase())
        .collect();
    if let Some(bad) = allow_modes.iter().find(|m| {
        !m.starts_with(|c: char| c.is_ascii_alphabetic())
            || !m.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    }) {
        return Err(CheckError::usage(format!(
            "--allow-mode '{bad}': expected a mode name such as VPCMIDO"
        )));
    }
    let now = SystemTime::now();
    let mut notes = Vec::new();
    let gni = read_gni(ctx);
    let applied = read_applied(ctx, now);
    let unapplied_for = match (gni.read(), &applied) {
        (Some(g), Acquisition::Read(a)) if a.version == g.version => None,
        (Some(g), Acquisition::Read(_) | Acquisition::Missing { .. }) => {
            let a = applied.read();
            Some(unapplied_age(
                ctx,
                &g.version,
                a.map(|a| a.version.as_str()),
                a.and_then(|a| a.seconds_ago),
                now,
                &mut notes,
            ))
        }
        _ => None,
    };
    let (conf_mode, conf_error) = match ctx.read_host_if_exists(EUCA_CONF) {
        Ok(None) => (None, None),
        Ok(Some(text)) => match conf::whole(&text) {
            Ok(()) => (conf::vnet_mode(&text), None),
            Err(why) => (
                None,
                Some(format!(
                    "cannot read {}: {why}",
                    ctx.host_path(EUCA_CONF).display()
                )),
            ),
        },
        Err(e) => (None, Some(e.to_string())),
    };
    let observed = Observed {
        conf_mode,
        conf_error,
        gni,
        applied,
        unapplied_for,
        host_addresses: parsed(ctx, "/proc/net/fib_trie", local_addrs::parse),
        eucanetd: daemon(ctx, &EUCANETD_PID, |stat, _| stat.comm == "eucanetd"),
        dhcpd: daemon(ctx, &DHCPD_PID, |stat, args| {
            stat.comm == "dhcpd" && args.iter().any(|a| a.ends_with("euca-dhcp.conf"))
        }),
        dhcp_conf: parsed(ctx, DHCP_CONF, dhcpd::parse),
        log: (!opts.skip_log).then(|| read_log(ctx, &opts.log, now)),
        notes,
    };
    let rules = Rules {
        unapplied: Thresholds::new(Some(opts.warning.clone()), Some(opts.critical.clone())),
        node_ip: opts.node_ip.map(|ip| ip.to_string()),
        allow_modes,
        failure_window: opts.failure_window as f64,
    };
    Ok(evaluate::evaluate(&observed, &rules))
}

/// The first GNI file that exists, parsed.
fn read_gni(ctx: &Context) -> Acquisition<gni::Gni> {
    for path in GNI_PATHS {
        let shown = ctx.host_path(path).display().to_string();
        if let Ok(None) = ctx.host_modified(path) {
            continue;
        }
        match ctx.read_host_capped(path, GNI_CAP) {
            Ok(text) => return from_parse(gni::parse(&text), &shown),
            Err(CheckError::Read { path, reason }) => return Acquisition::unreadable(path, reason),
            Err(e) => return Acquisition::unreadable(shown, e.to_string()),
        }
    }
    Acquisition::missing(ctx.host_path(GNI_PATHS[0]).display().to_string())
}

fn read_applied(ctx: &Context, now: SystemTime) -> Acquisition<Applied> {
    let seconds_ago = ctx
        .host_modified(VERSION_FILE)
        .ok()
        .flatten()
        .map(|m| now.duration_since(m).map_or(0.0, |d| d.as_secs_f64()));
    parsed(ctx, VERSION_FILE, version::parse).map(|version| Applied {
        version,
        seconds_ago,
    })
}

/// How long this GNI version has gone unapplied: counted from the first run of this check
/// that saw it so (kept in the state directory), because the GNI file's own time says nothing
/// (the NC rewrites it on every broadcast, about every 15 s, `NetworkInfoBroadcaster.java`).
/// Without a usable state directory: the age of the version file, an upper bound (nothing was
/// applied since), said in the long output.
fn unapplied_age(
    ctx: &Context,
    gni_version: &str,
    applied: Option<&str>,
    since_apply: Option<f64>,
    now: SystemTime,
    notes: &mut Vec<String>,
) -> f64 {
    let epoch = |t: SystemTime| {
        t.duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    };
    let key = format!("{gni_version} {}", applied.unwrap_or("-"));
    let state = match ctx.state() {
        Ok(s) => s,
        Err(e) => {
            notes.push(format!(
                "unapplied time counted from the version file's age: {e}"
            ));
            return since_apply.unwrap_or(0.0);
        }
    };
    if let Some(n) = state.note() {
        notes.push(n.to_string());
    }
    let recorded = state.read(MISMATCH_STATE).ok().flatten().and_then(|b| {
        let text = String::from_utf8(b).ok()?;
        let (k, first) = text.trim().rsplit_once(' ')?;
        (k == key).then(|| first.parse::<u64>().ok()).flatten()
    });
    let now_s = epoch(now);
    match recorded {
        Some(first) => {
            notes.push(format!("GNI {gni_version} first seen unapplied by this check at {first} (seconds since 1970)"));
            now_s.saturating_sub(first) as f64
        }
        None => {
            if let Err(e) = state.write(MISMATCH_STATE, format!("{key} {now_s}\n").as_bytes()) {
                notes.push(format!(
                    "cannot remember the unapplied GNI for the next run: {e}"
                ));
            }
            0.0
        }
    }
}

/// A host file parsed: read, missing, or unreadable naming the file (and line).
fn parsed<T>(
    ctx: &Context,
    path: &str,
    parse: fn(&str) -> Result<T, ParseError>,
) -> Acquisition<T> {
    let shown = ctx.host_path(path).display().to_string();
    match acquisition::host_file(ctx, path) {
        Acquisition::Read(text) => from_parse(parse(&text), &shown),
        other => other.and_then(shown, |_| Err(String::new())),
    }
}

fn from_parse<T>(r: Result<T, ParseError>, shown: &str) -> Acquisition<T> {
    match r {
        Ok(t) => Acquisition::Read(t),
        Err(e) => {
            let why = match (e.line, &e.content) {
                (Some(n), Some(c)) => format!("line {n} '{c}': {}", e.message),
                (Some(n), None) => format!("line {n}: {}", e.message),
                _ => e.message.clone(),
            };
            Acquisition::unreadable(shown, why)
        }
    }
}

fn read_log(ctx: &Context, path: &str, now: SystemTime) -> Acquisition<Log> {
    let shown = ctx.host_path(path).display().to_string();
    let tail = match ctx.read_host_tail(path, LOG_TAIL) {
        Ok(Some(t)) => t,
        Ok(None) => return Acquisition::missing(shown),
        Err(CheckError::Read { path, reason }) => return Acquisition::unreadable(path, reason),
        Err(e) => return Acquisition::unreadable(shown, e.to_string()),
    };
    let newest_age = ctx.host_modified(path).ok().flatten().map_or(0.0, |m| {
        now.duration_since(m).map_or(0.0, |d| d.as_secs_f64())
    });
    from_parse(eucanetd_log::parse(&tail.text), &shown).map(|entries| Log {
        entries,
        newest_age,
        whole: tail.whole,
        path: path.to_string(),
    })
}

/// A daemon: the process its pid file names, else one found in /proc that `is_it` accepts.
fn daemon(
    ctx: &Context,
    pid_files: &[&str],
    is_it: fn(&procfs::Stat, &[String]) -> bool,
) -> Daemon {
    let mut stale = None;
    for path in pid_files {
        let shown = ctx.host_path(path).display().to_string();
        let text = match acquisition::host_file(ctx, path) {
            Acquisition::Read(t) => t,
            Acquisition::Missing { .. } => continue,
            other => return Daemon::Unreadable(other.message().unwrap_or_default()),
        };
        let pid = match procfs::pid_file(&text) {
            Ok(p) => p,
            Err(e) => return Daemon::Unreadable(format!("cannot read {shown}: {}", e.message)),
        };
        match process(ctx, pid) {
            Ok(Some((stat, args))) if stat.alive() && is_it(&stat, &args) => {
                return Daemon::Running {
                    pid,
                    pid_file: Some(path.to_string()),
                    stale_pid_file: None,
                }
            }
            Ok(_) => stale = Some((path.to_string(), pid)),
            Err(why) => return Daemon::Unreadable(why),
        }
        // One pid file is enough: the second path is the same file on EL7 (/var/run -> /run).
        break;
    }
    match scan(ctx, is_it) {
        Ok(Some(pid)) => Daemon::Running {
            pid,
            pid_file: None,
            stale_pid_file: stale,
        },
        // /proc mounted hidepid=1/2 hides other users' processes: root's eucanetd would look
        // gone. Init (pid 1) is always there for whoever may see it.
        Ok(None) if hides_processes(ctx) => {
            Daemon::Unreadable(format!(
                "cannot see other users' processes in {} (mounted with hidepid?): run the check as root, or give its user the gid= group of that mount",
                ctx.host_path("/proc").display()
            ))
        }
        Ok(None) => match stale {
            Some((pid_file, pid)) => Daemon::Crashed { pid_file, pid },
            None => Daemon::NotRunning,
        },
        Err(why) => Daemon::Unreadable(why),
    }
}

/// Some processes are listed (this check's own at least, on a live host) but not init.
fn hides_processes(ctx: &Context) -> bool {
    let listed = ctx.list_host_dir("/proc").unwrap_or_default();
    let any = listed.iter().any(|n| n.parse::<u32>().is_ok());
    any && !listed.iter().any(|n| n == "1")
}

/// `/proc/PID/stat` and `cmdline`; None when the process is gone.
fn process(ctx: &Context, pid: u32) -> Result<Option<(procfs::Stat, Vec<String>)>, String> {
    let stat_path = format!("/proc/{pid}/stat");
    let stat = match acquisition::host_file(ctx, &stat_path) {
        Acquisition::Read(t) => t,
        Acquisition::Missing { .. } => return Ok(None),
        // A process that ended between the listing and the read.
        Acquisition::Unreadable { why, .. } if why == "no such process" => return Ok(None),
        other => return Err(other.message().unwrap_or_default()),
    };
    let stat = procfs::stat(&stat).map_err(|e| {
        format!(
            "cannot read {}: {}",
            ctx.host_path(&stat_path).display(),
            e.message
        )
    })?;
    let args = match acquisition::host_file(ctx, &format!("/proc/{pid}/cmdline")) {
        Acquisition::Read(t) => procfs::cmdline(&t),
        _ => Vec::new(),
    };
    Ok(Some((stat, args)))
}

/// The first process in /proc that `is_it` accepts.
fn scan(ctx: &Context, is_it: fn(&procfs::Stat, &[String]) -> bool) -> Result<Option<u32>, String> {
    let names = ctx.list_host_dir("/proc").map_err(|e| e.to_string())?;
    for name in names {
        let Ok(pid) = name.parse::<u32>() else {
            continue;
        };
        // A process that cannot be read (gone, another user's) is not the one looked for.
        if let Ok(Some((stat, args))) = process(ctx, pid) {
            if stat.alive() && is_it(&stat, &args) {
                return Ok(Some(pid));
            }
        }
    }
    Ok(None)
}
