//! check_euca_proc: on a Eucalyptus host, the component software of its roles is running,
//! listening, and (JVM roles) answering its Heartbeat.
//!
//! Acquire (/proc/PID/{stat,cmdline,status}, /proc/uptime, /proc/net/{tcp,tcp6,unix}, pid
//! files, /etc/eucalyptus/eucalyptus.conf, unit files for `--role auto`, the Heartbeat on
//! 127.0.0.1) -> parse (`procfs`, `sockets`, `pidfile`, `conf`, `heartbeat`) -> `evaluate`
//! against the role table (`roles`) -> Report.

pub mod conf;
pub mod evaluate;
pub mod heartbeat;
pub mod pidfile;
pub mod procfs;
pub mod roles;
pub mod sock_diag;
pub mod sockets;

use common::acquisition::{self, Acquisition};
use common::net::http::{HttpClient, HttpError, HttpOptions};
use common::{CheckError, Context, ParseError, Plugin, Report};
use evaluate::{Heartbeat, Host, PidFile, Proc, Rules};
use roles::{Role, RoleSpec, ROLES};
use std::path::Path;

pub const PLUGIN: Plugin = Plugin {
    name: "check_euca_proc",
    service: "EUCA PROC",
    version: env!("CARGO_PKG_VERSION"),
    about: "Eucalyptus host: the processes, pid files, ports and Heartbeat of its roles",
    reads_host: true,
    inputs: &[],
    synopsis: "\
check_euca_proc [--role ROLE|auto]... [--heartbeat|--no-heartbeat] [--expect-active COMPONENT]...
                [--port-override ROLE:PORT=PORT]... [--starting-grace S] [--root DIR] [-t S] [-v]",
    runs_tools: false,
    keeps_state: false,
};

pub fn command() -> clap::Command {
    common::command::<Options>(&PLUGIN)
}

/// `--role`: a role, or `auto`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RoleArg {
    /// Infer the roles from the units and init scripts enabled under --root
    Auto,
    Clc,
    Ufs,
    Osg,
    Walrus,
    Sc,
    Cc,
    Nc,
    Console,
    /// A JVM host whose components the Heartbeat tells
    Cloud,
}

#[derive(clap::Args, Debug, Clone)]
pub struct Options {
    /// The roles this host runs (repeatable): clc, ufs, osg, walrus, sc, cc, nc, console,
    /// cloud, or auto [default: auto]
    #[arg(long = "role", value_name = "ROLE", value_enum)]
    pub roles: Vec<RoleArg>,

    /// Ask the JVM's Heartbeat on 127.0.0.1:8773 [default: on for JVM roles on the live host]
    #[arg(long, overrides_with = "no_heartbeat")]
    pub heartbeat: bool,

    /// Do not ask the Heartbeat
    #[arg(long)]
    pub no_heartbeat: bool,

    /// WARNING when this Heartbeat component (eucalyptus, storage, objectstorage, user-api,
    /// walrusbackend, ...) is hosted here but not enabled (repeatable)
    #[arg(long = "expect-active", value_name = "COMPONENT")]
    pub expect_active: Vec<String>,

    /// Expect this port of a role on another port, e.g. clc:8773=18773 (repeatable); the
    /// Heartbeat follows the JVM's 8773
    #[arg(long = "port-override", value_name = "ROLE:PORT=PORT", value_parser = parse_override)]
    pub port_overrides: Vec<(Role, u16, u16)>,

    /// A process up this long without its port listening is CRITICAL, before it WARNING "starting"
    #[arg(long = "starting-grace", value_name = "S", default_value_t = 600)]
    pub starting_grace: u64,
}

fn parse_override(text: &str) -> Result<(Role, u16, u16), String> {
    let bad = || "expected ROLE:PORT=PORT with a role's port, e.g. clc:8773=18773".to_string();
    let (role, ports) = text.split_once(':').ok_or_else(bad)?;
    let (from, to) = ports.split_once('=').ok_or_else(bad)?;
    let role = <Role as clap::ValueEnum>::from_str(role, true).map_err(|_| bad())?;
    let port = |p: &str| p.parse::<u16>().ok().filter(|p| *p > 0).ok_or_else(bad);
    let (from, to) = (port(from)?, port(to)?);
    if !roles::spec(role).ports.iter().any(|p| p.port == from) {
        let spec = roles::spec(role);
        let ports: Vec<String> = spec.ports.iter().map(|p| p.port.to_string()).collect();
        return Err(format!(
            "expected a port of role {} ({}), not {from}",
            spec.name,
            ports.join(", ")
        ));
    }
    Ok((role, from, to))
}

/// The most /proc/net/tcp, tcp6 or unix may be: about 150 bytes a socket, so 16 MiB is
/// 100 000 sockets, more than a busy CLC has; the parsed model keeps only listeners.
pub const SOCKETS_CAP: usize = 16 * 1024 * 1024;
/// The most a Heartbeat answer may be: 85 bytes a component, 4.4 has 32.
pub const HEARTBEAT_CAP: u64 = 64 * 1024;

pub fn check(opts: &Options, ctx: &Context) -> Result<Report, CheckError> {
    let conf = read_conf(ctx)?;
    let prefix = conf.prefix.clone().unwrap_or_else(|| "/".into());
    let mut notes = Vec::new();
    let roles = chosen_roles(opts, ctx, &prefix, &mut notes)?;
    let rules = Rules {
        roles: roles.iter().map(|r| roles::spec(*r)).collect(),
        port_of: port_map(&conf, opts),
        expect_active: opts.expect_active.clone(),
        starting_grace: opts.starting_grace as f64,
    };
    let mut denied = Vec::new();
    let mut host = Host {
        procs: processes(ctx, &rules.roles, &mut denied)?,
        unreadable_procs: denied,
        listeners: tcp_listeners(ctx)?,
        unix_listening: unix_sockets(ctx, &rules.roles)?,
        pid_files: pid_files(ctx, &prefix, &rules.roles),
        heartbeat: None,
    };
    let jvm_role = rules
        .roles
        .iter()
        .find(|r| r.processes.iter().any(|p| p.jvm));
    let live = ctx.root() == Path::new("/");
    let wanted = opts.heartbeat || (live && !opts.no_heartbeat);
    if !opts.expect_active.is_empty() && (jvm_role.is_none() || !wanted || opts.no_heartbeat) {
        // Judged from the Heartbeat only: asked for and never looked at would be a silent OK.
        return Err(CheckError::usage(
            "--expect-active is judged from the Heartbeat: give a JVM role (clc, ufs, osg, walrus, \
             sc, cloud) and the Heartbeat (on by default on the live host; --heartbeat with --root)",
        ));
    }
    if let (Some(role), true) = (jvm_role, wanted && !opts.no_heartbeat) {
        host.heartbeat = ask_heartbeat(ctx, &host, role, &rules);
    }
    let mut report = evaluate::evaluate(&host, &rules);
    for n in notes {
        report.verbose(0, n);
    }
    Ok(report)
}

/// eucalyptus.conf: its install prefix and ports; absent is the defaults.
fn read_conf(ctx: &Context) -> Result<conf::EucaConf, CheckError> {
    let path = "/etc/eucalyptus/eucalyptus.conf";
    match acquisition::host_file(ctx, path) {
        Acquisition::Read(text) => conf::parse(&text).map_err(|e| in_file(e, ctx, path)),
        Acquisition::Missing { .. } => Ok(conf::EucaConf::default()),
        other => Err(CheckError::other(other.message().unwrap_or_default())),
    }
}

fn in_file(e: ParseError, ctx: &Context, path: &str) -> CheckError {
    CheckError::Parse(e.in_source(ctx.host_path(path).display().to_string()))
}

/// Each role's ports: eucalyptus.conf's CC_PORT/NC_PORT, then --port-override.
fn port_map(conf: &conf::EucaConf, opts: &Options) -> Vec<(Role, u16, u16)> {
    let mut map = Vec::new();
    for r in ROLES {
        for p in r.ports {
            let from_conf = match p.conf_key {
                Some("CC_PORT") => conf.cc_port,
                Some("NC_PORT") => conf.nc_port,
                _ => None,
            };
            let to = opts
                .port_overrides
                .iter()
                .rev()
                .find(|(role, from, _)| *role == r.role && *from == p.port)
                .map(|(_, _, to)| *to)
                .or(from_conf)
                .unwrap_or(p.port);
            map.push((r.role, p.port, to));
        }
    }
    map
}

fn chosen_roles(
    opts: &Options,
    ctx: &Context,
    prefix: &str,
    notes: &mut Vec<String>,
) -> Result<Vec<Role>, CheckError> {
    let mut out: Vec<Role> = Vec::new();
    let auto = opts.roles.is_empty() || opts.roles.contains(&RoleArg::Auto);
    for r in &opts.roles {
        let role = match r {
            RoleArg::Auto => continue,
            RoleArg::Clc => Role::Clc,
            RoleArg::Ufs => Role::Ufs,
            RoleArg::Osg => Role::Osg,
            RoleArg::Walrus => Role::Walrus,
            RoleArg::Sc => Role::Sc,
            RoleArg::Cc => Role::Cc,
            RoleArg::Nc => Role::Nc,
            RoleArg::Console => Role::Console,
            RoleArg::Cloud => Role::Cloud,
        };
        if !out.contains(&role) {
            out.push(role);
        }
    }
    if auto {
        let (found, why) = infer_roles(ctx, prefix)?;
        if found.is_empty() {
            return Err(CheckError::other(format!(
                "--role auto: no Eucalyptus service enabled under {} (looked for the systemd units \
                 eucalyptus-cloud, eucalyptus-cluster, eucalyptus-node, eucaconsole and the EL6 init \
                 scripts in /etc/rc.d/rc3.d); name the roles with --role",
                ctx.root().display()
            )));
        }
        notes.push(format!(
            "roles inferred under {}: {}",
            ctx.root().display(),
            why.join("; ")
        ));
        for r in found {
            if !out.contains(&r) {
                out.push(r);
            }
        }
    }
    Ok(out)
}

/// A host path exists (not followed: a unit link points at /usr/lib outside --root).
fn exists(ctx: &Context, path: &str) -> bool {
    std::fs::symlink_metadata(ctx.host_path(path)).is_ok()
}

/// Roles whose systemd unit is enabled (a link in multi-user.target.wants) or whose EL6 init
/// script starts in runlevel 3 (`S..name` in rc3.d). A JVM host is a CLC when the CLC's
/// database directory is there, otherwise `cloud` (its Heartbeat tells the rest).
fn infer_roles(ctx: &Context, prefix: &str) -> Result<(Vec<Role>, Vec<String>), CheckError> {
    let mut rc3: Vec<String> = Vec::new();
    for dir in ["/etc/rc.d/rc3.d", "/etc/rc3.d"] {
        rc3.extend(ctx.list_host_dir(dir)?);
    }
    let mut found = Vec::new();
    let mut why = Vec::new();
    let mut seen_units: Vec<&str> = Vec::new();
    for r in ROLES {
        if r.role != Role::Clc
            && r.role != Role::Cc
            && r.role != Role::Nc
            && r.role != Role::Console
        {
            continue; // the other JVM roles share the CLC's unit: decided below
        }
        let unit = r.units.iter().find(|u| {
            exists(
                ctx,
                &format!("/etc/systemd/system/multi-user.target.wants/{u}"),
            )
        });
        let script = r.init_scripts.iter().find(|s| {
            rc3.iter().any(|f| {
                f.len() == s.len() + 3
                    && f.starts_with('S')
                    && f[1..3].bytes().all(|b| b.is_ascii_digit())
                    && f.ends_with(*s)
            })
        });
        let how = match (unit, script) {
            (Some(u), _) => format!("{u} enabled"),
            (None, Some(s)) => format!("init script {s} in runlevel 3"),
            (None, None) => continue,
        };
        if seen_units.contains(&how.as_str()) {
            continue;
        }
        let role = if r.role == Role::Clc {
            let db = format!(
                "{}/var/lib/eucalyptus/db/data",
                prefix.trim_end_matches('/')
            );
            if exists(ctx, &db) {
                why.push(format!("clc ({how}, CLC database {db})"));
                Role::Clc
            } else {
                why.push(format!(
                    "cloud ({how}, no CLC database: the Heartbeat names its components)"
                ));
                Role::Cloud
            }
        } else {
            why.push(format!("{} ({how})", r.name));
            r.role
        };
        seen_units.push(r.units[0]);
        found.push(role);
    }
    Ok((found, why))
}

/// Every process that some asked role's spec matches, read from /proc. A process that ends
/// while being read is simply not there.
fn processes(
    ctx: &Context,
    roles: &[&'static RoleSpec],
    denied: &mut Vec<String>,
) -> Result<Vec<Proc>, CheckError> {
    let live = ctx.root() == Path::new("/");
    let uptime_path = "/proc/uptime";
    let uptime =
        procfs::uptime(&ctx.read_host(uptime_path)?).map_err(|e| in_file(e, ctx, uptime_path))?;
    // SAFETY: sysconf reads a constant of the C library.
    let ticks = match unsafe { libc::sysconf(libc::_SC_CLK_TCK) } {
        t if t > 0 => t as f64,
        _ => 100.0, // USER_HZ on every Linux architecture Eucalyptus ran on
    };
    let specs: Vec<&roles::ProcSpec> = roles.iter().flat_map(|r| r.processes.iter()).collect();
    let mut out = Vec::new();
    for name in ctx.list_host_dir("/proc")? {
        let Ok(pid) = name.parse::<u32>() else {
            continue;
        };
        let stat_path = format!("/proc/{pid}/stat");
        let Some(stat_text) = proc_file(ctx, &stat_path, denied)? else {
            continue;
        };
        let stat = procfs::stat(&stat_text).map_err(|e| in_file(e, ctx, &stat_path))?;
        let cmd_path = format!("/proc/{pid}/cmdline");
        let Some(cmd_text) = proc_file(ctx, &cmd_path, denied)? else {
            continue;
        };
        let argv = procfs::cmdline(&cmd_text, live).map_err(|e| in_file(e, ctx, &cmd_path))?;
        // Only kernel threads and zombies have no argv; a saved process without one had
        // its cmdline cut (a live one may be between fork and exec: taken as it is).
        if argv.is_empty() && !live && !stat.kernel_thread && stat.state != 'Z' {
            return Err(in_file(
                ParseError::whole("empty for a process that is no kernel thread or zombie: cut"),
                ctx,
                &cmd_path,
            ));
        }
        if !specs
            .iter()
            .any(|s| evaluate::matches_argv(s, &stat.comm, &argv))
        {
            continue;
        }
        let mut p = Proc {
            pid,
            comm: stat.comm,
            argv: argv.iter().map(|a| a.to_string()).collect(),
            age: uptime - stat.start_ticks as f64 / ticks,
            threads: None,
            rss_bytes: None,
        };
        let status_path = format!("/proc/{pid}/status");
        if let Some(text) = proc_file(ctx, &status_path, denied)? {
            let s = procfs::status(&text).map_err(|e| in_file(e, ctx, &status_path))?;
            p.threads = Some(s.threads);
            p.rss_bytes = s.rss_bytes;
        }
        out.push(p);
    }
    Ok(out)
}

/// A /proc/PID file: `None` when the process ended while being read (the kernel says "no
/// such process", or the file is gone) or when it may not be read (hidepid), which is noted in
/// `denied` so that a process not found is not called down on a partial view.
fn proc_file(
    ctx: &Context,
    path: &str,
    denied: &mut Vec<String>,
) -> Result<Option<String>, CheckError> {
    match ctx.read_host_if_exists(path) {
        Err(CheckError::Read { reason, .. })
            if reason.contains("no such process") || reason == "no such file" =>
        {
            Ok(None)
        }
        Err(CheckError::Read { path, reason }) if reason == "permission denied" => {
            denied.push(format!("{path}: {reason}"));
            Ok(None)
        }
        other => other,
    }
}

fn read_sockets(ctx: &Context, path: &str) -> Result<Option<String>, CheckError> {
    if !exists(ctx, path) {
        return Ok(None); // tcp6 without IPv6
    }
    ctx.read_host_capped(path, SOCKETS_CAP).map(Some)
}

fn tcp_listeners(ctx: &Context) -> Result<Vec<sockets::Listener>, CheckError> {
    // The live host: the kernel's sock_diag dump of LISTEN sockets (sock_diag.rs: reading
    // /proc/net/tcp walks every connection's hash bucket); /proc/net/tcp when it cannot.
    if ctx.is_live_host() {
        ctx.doing("asking the kernel for the listening TCP sockets (sock_diag)");
        if let Some(listeners) = sock_diag::listeners(ctx.io_budget()) {
            return Ok(listeners);
        }
    }
    let mut out = Vec::new();
    let mut any = false;
    for path in ["/proc/net/tcp", "/proc/net/tcp6"] {
        if let Some(text) = read_sockets(ctx, path)? {
            any = true;
            out.extend(sockets::tcp(&text).map_err(|e| in_file(e, ctx, path))?);
        }
    }
    if !any {
        return Err(CheckError::other(format!(
            "{} missing: no listening port can be checked",
            ctx.host_path("/proc/net/tcp").display()
        )));
    }
    Ok(out)
}

fn unix_sockets(ctx: &Context, roles: &[&'static RoleSpec]) -> Result<Vec<String>, CheckError> {
    if roles.iter().all(|r| r.sockets.is_empty()) {
        return Ok(Vec::new());
    }
    let path = "/proc/net/unix";
    match read_sockets(ctx, path)? {
        Some(text) => sockets::unix_listening(&text).map_err(|e| in_file(e, ctx, path)),
        None => Err(CheckError::other(format!(
            "{} missing",
            ctx.host_path(path).display()
        ))),
    }
}

/// The pid files of the asked roles' processes that exist: `@` is
/// `$EUCALYPTUS/var/run/eucalyptus`, and with the `/` prefix also `/run/eucalyptus` (EL7's
/// /var/run is a link to /run; a saved tree may hold either).
fn pid_files(ctx: &Context, prefix: &str, roles: &[&'static RoleSpec]) -> Vec<PidFile> {
    let base = format!("{}/var/run/eucalyptus", prefix.trim_end_matches('/'));
    let mut out: Vec<PidFile> = Vec::new();
    for spec in roles.iter().flat_map(|r| r.processes.iter()) {
        for pattern in spec.pid_files {
            let mut candidates = vec![pattern.replace('@', &base)];
            if prefix.trim_end_matches('/').is_empty() {
                candidates.push(pattern.replace('@', "/run/eucalyptus"));
            }
            let Some(path) = candidates.into_iter().find(|p| exists(ctx, p)) else {
                continue;
            };
            let shown = ctx.host_path(&path).display().to_string();
            if out.iter().any(|f| f.path == shown) {
                continue;
            }
            let got = acquisition::host_file(ctx, &path).and_then(shown.clone(), |text| {
                pidfile::parse(&text).map_err(|e| match (e.line, e.content) {
                    (Some(_), Some(c)) => format!("'{c}': {}", e.message),
                    _ => e.message,
                })
            });
            out.push(PidFile {
                owner: spec.label,
                path: shown,
                got,
            });
        }
    }
    out
}

/// GET the Heartbeat, when the JVM runs and its port listens (otherwise the process or port
/// finding already says what is wrong, and a refused connection would only repeat it).
fn ask_heartbeat(ctx: &Context, host: &Host, role: &RoleSpec, rules: &Rules) -> Option<Heartbeat> {
    let jvm = role.processes.iter().find(|p| p.jvm)?;
    if !host.procs.iter().any(|p| evaluate::matches(jvm, p)) {
        return None;
    }
    let ws = role.ports.iter().find(|p| p.port == 8773)?;
    let port = rules.port(role.role, ws);
    if !host.listeners.iter().any(|l| l.port == port) {
        return None;
    }
    let url = format!("http://127.0.0.1:{port}/services/Heartbeat");
    ctx.doing(format!("asking the Heartbeat at {url}"));
    let budget = ctx.io_budget();
    let got = if budget < std::time::Duration::from_millis(10) {
        Acquisition::not_asked(format!("Heartbeat {url}"))
    } else {
        let client = HttpClient::new(HttpOptions {
            ca_pem: None,
            insecure: false,
            max_body: HEARTBEAT_CAP,
            user_agent: concat!("check_euca_proc/", env!("CARGO_PKG_VERSION")).into(),
        });
        match client.get(&url, &[], budget) {
            Ok(a) if a.status == 200 => {
                Acquisition::Read(a.body).and_then(format!("Heartbeat {url}"), |body| {
                    heartbeat::parse(&body).map_err(|e| match (e.line, e.content) {
                        (Some(n), Some(c)) => format!("line {n} '{c}': {}", e.message),
                        _ => e.message,
                    })
                })
            }
            Ok(a) => Acquisition::unreadable(
                format!("Heartbeat {url}"),
                format!("HTTP {}", a.status_text),
            ),
            Err(HttpError::Unreachable(why)) => {
                Acquisition::unreachable(format!("Heartbeat {url}"), why)
            }
            Err(HttpError::Failed(why)) => Acquisition::unreadable(format!("Heartbeat {url}"), why),
            Err(HttpError::NotAsked) => Acquisition::not_asked(format!("Heartbeat {url}")),
        }
    };
    Some(Heartbeat { url, got })
}
