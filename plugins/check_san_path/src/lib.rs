//! check_san_path: multipathed SAN LUNs (dm-multipath), iSCSI sessions and the backing-store
//! mount, with no single path left.
//!
//! Acquire -> parse -> `evaluate` -> Report:
//! - multipath: `multipath -ll` on the live host (see [`multipath_ll`] for why that and not
//!   `multipathd show`), `--input multipath=FILE` (saved `multipath -ll`), or sysfs
//!   (`--sysfs`, and always under `--root DIR`): `/sys/block/dm-*/dm/uuid`, `slaves/`.
//! - iSCSI: `/sys/class/iscsi_session` + `/sys/class/iscsi_connection` (no tool, no root), or
//!   `--input iscsiadm=FILE` (saved `iscsiadm -m session -P 3` or `-P 1`).
//! - `--mount PATH`: /proc/self/mountinfo (or `--input mountinfo=FILE`); `--write-test` writes
//!   a small file in a child the run may leave behind ([`common::detached`]).

pub mod evaluate;
pub mod iscsiadm;
pub mod model;
pub mod mountinfo;
pub mod multipath;
pub mod sysfs;

use common::acquisition::{self, Acquisition};
use common::detached::{self, WriteTest};
use common::{CheckError, Context, ParseError, Plugin, Report, ToolCommand};
use evaluate::{MountCheck, Observed, Rules, Source, Write};
use model::Multipath;
use std::path::Path;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

pub const PLUGIN: Plugin = Plugin {
    name: "check_san_path",
    service: "SAN",
    version: env!("CARGO_PKG_VERSION"),
    about: "Multipathed SAN LUNs, iSCSI sessions and the backing-store mount: no LUN left on a single path",
    reads_host: true,
    inputs: &["multipath", "iscsiadm", "mountinfo"],
    synopsis: "\
check_san_path [--map NAME]... [--expect-maps N] [--min-paths N] [--critical-paths N]
               [--target IQN]... [--min-sessions N] [--mount PATH]... [--write-test]
               [--write-timeout S] [--sysfs] [--no-multipath] [--sudo] [--multipath PATH]
               [--root DIR] [--input multipath|iscsiadm|mountinfo=FILE]... [--state-dir DIR]
               [-t S] [-v]",
    runs_tools: true,
    keeps_state: true,
};

pub fn command() -> clap::Command {
    common::command::<Options>(&PLUGIN)
}

#[derive(clap::Args, Debug, Clone)]
pub struct Options {
    /// This multipath map (alias or WWID) must exist (repeatable); missing is CRITICAL
    #[arg(long = "map", value_name = "NAME")]
    pub maps: Vec<String>,

    /// CRITICAL when fewer multipath maps exist (0: a host without maps is OK)
    #[arg(long = "expect-maps", value_name = "N")]
    pub expect_maps: Option<usize>,

    /// WARNING when a map has fewer active paths
    #[arg(long = "min-paths", value_name = "N", default_value_t = 2)]
    pub min_paths: usize,

    /// CRITICAL when a map has fewer active paths (a map with none is always CRITICAL)
    #[arg(long = "critical-paths", value_name = "N", default_value_t = 1)]
    pub critical_paths: usize,

    /// This iSCSI target (IQN) must have a session logged in (repeatable)
    #[arg(long = "target", value_name = "IQN")]
    pub targets: Vec<String>,

    /// CRITICAL when a target has fewer sessions logged in
    #[arg(long = "min-sessions", value_name = "N", default_value_t = 1)]
    pub min_sessions: usize,

    /// This path must be a read-write mount (repeatable): the backing store
    #[arg(long = "mount", value_name = "PATH")]
    pub mounts: Vec<String>,

    /// Write and delete a small file in each --mount; one not done in --write-timeout is
    /// CRITICAL (the writer, maybe blocked in the kernel, is left behind and noted)
    #[arg(long = "write-test")]
    pub write_test: bool,

    /// Seconds the write test may take (at most what -t leaves)
    #[arg(long = "write-timeout", value_name = "S", default_value_t = 5.0)]
    pub write_timeout: f64,

    /// Read multipath maps from /sys/block/dm-* (no root, no tool; no checker states)
    #[arg(long)]
    pub sysfs: bool,

    /// Do not look at multipath (iSCSI and mounts only)
    #[arg(long = "no-multipath")]
    pub no_multipath: bool,

    /// Run multipath through `sudo -n` (multipath -ll needs root)
    #[arg(long)]
    pub sudo: bool,

    /// The multipath program
    #[arg(long = "multipath", value_name = "PATH", default_value = "multipath")]
    pub multipath: String,
}

/// Most a `multipath -ll` text may be (saved or printed): a map is about 550 bytes with 8
/// paths, so 2 MiB holds some 3,800 LUNs (far more than any storage controller here has), and
/// the model and report of a hostile text that fills it stay below 64 MiB (tests/hostile.rs).
pub const MULTIPATH_CAP: usize = 2 * 1024 * 1024;
/// Most an `iscsiadm -m session -P 3` text may be: about 2 KiB a session, 1,000 sessions.
pub const ISCSIADM_CAP: usize = 2 * 1024 * 1024;
/// /proc/self/mountinfo: a few hundred bytes a mount; containers hosts have thousands.
pub const MOUNTINFO_CAP: usize = 8 * 1024 * 1024;

pub fn check(opts: &Options, ctx: &Context) -> Result<Report, CheckError> {
    checked(opts, ctx)?;
    let rules = Rules {
        min_paths: opts.min_paths,
        critical_paths: opts.critical_paths,
        maps: opts.maps.clone(),
        expect_maps: opts.expect_maps,
        targets: opts.targets.clone(),
        min_sessions: opts.min_sessions,
    };
    let mut notes = Vec::new();
    let seen = if ctx.inputs_given() {
        from_inputs(opts, ctx, &mut notes)?
    } else {
        Observed {
            multipath: if opts.no_multipath {
                None
            } else if opts.sysfs || !ctx.is_live_host() {
                Some(sysfs_maps(ctx)?)
            } else {
                Some(multipath_ll(opts, ctx)?)
            },
            iscsi: sysfs_sessions(opts, ctx)?,
            mounts: mounts(opts, ctx, host_mountinfo(ctx), &mut notes)?,
        }
    };
    let mut report = evaluate::evaluate(&seen, &rules);
    for n in notes {
        report.verbose(0, n);
    }
    Ok(report)
}

fn checked(opts: &Options, ctx: &Context) -> Result<(), CheckError> {
    if opts.critical_paths > opts.min_paths {
        return Err(CheckError::usage(format!(
            "--critical-paths {} is above --min-paths {}",
            opts.critical_paths, opts.min_paths
        )));
    }
    if opts.write_test && opts.mounts.is_empty() {
        return Err(CheckError::usage("--write-test needs --mount PATH"));
    }
    if opts.write_test && !ctx.is_live_host() {
        return Err(CheckError::usage(
            "--write-test writes on the live host; it cannot be combined with --root or --input",
        ));
    }
    if !(opts.write_timeout > 0.0 && opts.write_timeout.is_finite()) {
        return Err(CheckError::usage(
            "--write-timeout must be a number of seconds above 0",
        ));
    }
    for m in &opts.mounts {
        if !m.starts_with('/') {
            return Err(CheckError::usage(format!(
                "--mount '{m}' is not an absolute path"
            )));
        }
    }
    Ok(())
}

/// A parse failure in the kit's terms: the source is unreadable, naming it and the line.
fn unreadable<T>(e: ParseError, shown: &str) -> Acquisition<T> {
    let why = match (e.line, &e.content) {
        (Some(n), Some(c)) => format!("line {n} '{c}': {}", e.message),
        (Some(n), None) => format!("line {n}: {}", e.message),
        _ => e.message.clone(),
    };
    Acquisition::unreadable(shown, why)
}

/// `--input multipath=FILE`, `iscsiadm=FILE`, `mountinfo=FILE`: exactly those, nothing from
/// the host.
fn from_inputs(
    opts: &Options,
    ctx: &Context,
    notes: &mut Vec<String>,
) -> Result<Observed, CheckError> {
    let multipath = ctx
        .input_capped("multipath", MULTIPATH_CAP)?
        .map(|(shown, text)| {
            let got = match multipath::parse(&text) {
                Ok(mp) => {
                    notes.push(format!(
                        "read {} map{} from {shown} (a saved multipath -ll has no end marker: a copy cut between two maps reads as fewer maps; --expect-maps N guards that)",
                        mp.maps.len(),
                        if mp.maps.len() == 1 { "" } else { "s" }
                    ));
                    Acquisition::Read(mp)
                }
                Err(e) => unreadable(e, &shown),
            };
            Source { name: shown, got }
        });
    let iscsi = ctx
        .input_capped("iscsiadm", ISCSIADM_CAP)?
        .map(|(shown, text)| {
            let got = match iscsiadm::parse(&text) {
                Ok(t) => Acquisition::Read(t),
                Err(e) => unreadable(e, &shown),
            };
            Source { name: shown, got }
        });
    if multipath.is_none() && (!opts.maps.is_empty() || opts.expect_maps.is_some()) {
        return Err(CheckError::usage(
            "--map/--expect-maps with --input need --input multipath=FILE",
        ));
    }
    if iscsi.is_none() && !opts.targets.is_empty() {
        return Err(CheckError::usage(
            "--target with --input needs --input iscsiadm=FILE",
        ));
    }
    let mountinfo = match ctx.input_capped("mountinfo", MOUNTINFO_CAP)? {
        Some((shown, text)) => Some(Source {
            name: shown,
            got: Acquisition::Read(text),
        }),
        None if !opts.mounts.is_empty() => {
            return Err(CheckError::usage(
                "--mount with --input needs --input mountinfo=FILE",
            ))
        }
        None => None,
    };
    let mounts = match mountinfo {
        Some(src) => mounts(opts, ctx, src, notes)?,
        None => Vec::new(),
    };
    Ok(Observed {
        multipath,
        iscsi,
        mounts,
    })
}

/// The multipath maps from `multipath -ll`.
///
/// Why `multipath -ll` and not `multipathd show maps`/`show paths`: it is one text for the
/// live host and for saved copies (what admins paste and what every real capture we have is),
/// so one parser, tested on all of them, serves both; it shows the whole tree (map, groups,
/// paths with dm, checker and device state) in one call; and it keeps working, with a
/// warning we report, when multipathd is down, where `multipathd show` only fails. Newer
/// multipath-tools answer `-ll` from multipathd's state when it runs, so the checker state is
/// the daemon's. It needs root: `--sudo` and the sudoers line from `--print-sudoers`.
fn multipath_ll(opts: &Options, ctx: &Context) -> Result<Source<Multipath>, CheckError> {
    let cmd = multipath_cmd(opts);
    let shown = cmd.display();
    let output = match ctx.run_tool(&cmd) {
        Ok(o) => o,
        Err(CheckError::Tool(e)) => {
            return Ok(Source {
                got: Acquisition::unreadable(shown.clone(), e.to_string()),
                name: shown,
            })
        }
        Err(e) => return Err(e),
    };
    let got = if !output.success() && output.stdout.trim().is_empty() {
        let first = output.first_error_line();
        if !opts.sudo && output.lacks_privilege() {
            Acquisition::unreadable(
                shown.clone(),
                format!(
                    "{first}; give --sudo and {}",
                    common::sudoers::hint(&cmd.clone().sudo(true))
                ),
            )
        } else {
            Acquisition::unreadable(shown.clone(), first)
        }
    } else if output.stdout.trim().is_empty() {
        // No map on this host: the rules decide (UNKNOWN unless --expect-maps 0).
        let mut mp = Multipath::default();
        stderr_messages(&output.stderr, &mut mp);
        Acquisition::Read(mp)
    } else {
        match multipath::parse(&output.stdout) {
            Ok(mut mp) => {
                stderr_messages(&output.stderr, &mut mp);
                Acquisition::Read(mp)
            }
            Err(e) => unreadable(e, &format!("output of {shown}")),
        }
    };
    Ok(Source { name: shown, got })
}

/// multipath writes its warnings ("'multipathd' service is not running") to stderr.
fn stderr_messages(stderr: &str, mp: &mut Multipath) {
    for (i, line) in stderr.lines().enumerate() {
        let text = line.split_once(" | ").map_or(line, |(_, t)| t).trim();
        if !text.is_empty() {
            mp.messages.push(model::ToolMessage {
                line: i + 1,
                text: text.to_string(),
            });
        }
    }
}

fn multipath_cmd(opts: &Options) -> ToolCommand {
    ToolCommand::new(&opts.multipath)
        .arg("-ll")
        .sudo(opts.sudo)
        .max_output(MULTIPATH_CAP)
}

/// The command lines this check may run with these options (`--print-sudoers`).
pub fn tools(opts: &Options, ctx: &Context) -> Result<Vec<ToolCommand>, CheckError> {
    if opts.no_multipath || opts.sysfs || !ctx.is_live_host() {
        return Ok(Vec::new());
    }
    Ok(vec![multipath_cmd(opts)])
}

/// A small sysfs file under --root, trimmed of its newline; None when absent or unreadable.
fn sys_file(ctx: &Context, path: &str) -> Option<String> {
    match acquisition::host_file(ctx, path) {
        Acquisition::Read(text) => Some(text),
        _ => None,
    }
}

/// Multipath maps from /sys/block/dm-*: those whose dm/uuid starts with `mpath-`.
fn sysfs_maps(ctx: &Context) -> Result<Source<Multipath>, CheckError> {
    let shown = ctx.host_path("/sys/block").display().to_string();
    let mut mp = Multipath::default();
    for dm in ctx.list_host_dir("/sys/block")? {
        if !dm.starts_with("dm-") {
            continue;
        }
        let base = format!("/sys/block/{dm}");
        let uuid_path = format!("{base}/dm/uuid");
        let uuid = match acquisition::host_file(ctx, &uuid_path) {
            Acquisition::Read(t) => t,
            Acquisition::Missing { .. } => continue,
            other => {
                return Ok(Source {
                    name: shown,
                    got: other.map(|_| Multipath::default()),
                })
            }
        };
        let mut slaves = Vec::new();
        for s in ctx.list_host_dir(&format!("{base}/slaves"))? {
            let state = sys_file(ctx, &format!("/sys/block/{s}/device/state"));
            slaves.push((s, state));
        }
        let dev = sysfs::DmDevice {
            dm: dm.clone(),
            uuid,
            name: sys_file(ctx, &format!("{base}/dm/name")),
            slaves,
        };
        match sysfs::map(&dev) {
            Ok(Some(map)) => mp.maps.push(map),
            Ok(None) => {}
            Err(why) => {
                return Ok(Source {
                    got: Acquisition::unreadable(ctx.host_path(&base).display().to_string(), why),
                    name: shown,
                })
            }
        }
    }
    Ok(Source {
        name: shown,
        got: Acquisition::Read(mp),
    })
}

/// iSCSI sessions from /sys/class/iscsi_session; None when the host has none and none is
/// asked for (no iSCSI here).
fn sysfs_sessions(
    opts: &Options,
    ctx: &Context,
) -> Result<Option<Source<Vec<model::Target>>>, CheckError> {
    let dir = "/sys/class/iscsi_session";
    let shown = ctx.host_path(dir).display().to_string();
    let names = ctx.list_host_dir(dir)?;
    if names.is_empty() && opts.targets.is_empty() {
        return Ok(None);
    }
    let connections = ctx.list_host_dir("/sys/class/iscsi_connection")?;
    let mut sessions = Vec::new();
    for name in names.iter().filter(|n| n.starts_with("session")) {
        let base = format!("{dir}/{name}");
        let read = |leaf: &str| acquisition::host_file(ctx, &format!("{base}/{leaf}"));
        let (targetname, state) = match (read("targetname"), read("state")) {
            (Acquisition::Read(t), Acquisition::Read(s)) => (t, s),
            (Acquisition::Read(_), other) | (other, _) => {
                return Ok(Some(Source {
                    name: shown,
                    got: other.map(|_| Vec::new()),
                }))
            }
        };
        // The session's connection: connectionN:0 for sessionN.
        let num = name.trim_start_matches("session");
        let conn = connections.iter().find(|c| {
            c.strip_prefix("connection")
                .and_then(|r| r.split(':').next())
                == Some(num)
        });
        let cfile = |leaf: &str| {
            conn.and_then(|c| sys_file(ctx, &format!("/sys/class/iscsi_connection/{c}/{leaf}")))
        };
        sessions.push(sysfs::SysSession {
            dir: name.clone(),
            targetname,
            state,
            address: cfile("persistent_address").or_else(|| cfile("address")),
            port: cfile("persistent_port").or_else(|| cfile("port")),
            connection: cfile("state"),
        });
    }
    let got = match sysfs::targets(&sessions) {
        Ok(t) => Acquisition::Read(t),
        Err(why) => Acquisition::unreadable(shown.clone(), why),
    };
    Ok(Some(Source { name: shown, got }))
}

fn host_mountinfo(ctx: &Context) -> Source<String> {
    let path = "/proc/self/mountinfo";
    let shown = ctx.host_path(path).display().to_string();
    // Read with the cap of its own: a host with many containers has a long one.
    let got = match ctx.read_host_capped(path, MOUNTINFO_CAP) {
        Ok(t) => Acquisition::Read(t),
        Err(CheckError::Read { path, reason }) if reason.contains("no such file") => {
            Acquisition::missing(path)
        }
        Err(CheckError::Read { path, reason }) => Acquisition::unreadable(path, reason),
        Err(e) => Acquisition::unreadable(shown.clone(), e.to_string()),
    };
    Source { name: shown, got }
}

/// Each --mount: found in mountinfo, and with --write-test written to.
fn mounts(
    opts: &Options,
    ctx: &Context,
    info: Source<String>,
    notes: &mut Vec<String>,
) -> Result<Vec<MountCheck>, CheckError> {
    if opts.mounts.is_empty() {
        return Ok(Vec::new());
    }
    let shown = info.name.clone();
    let parsed: Acquisition<Vec<model::Mount>> = match info.got {
        Acquisition::Read(text) => match mountinfo::parse(&text) {
            Ok(m) => Acquisition::Read(m),
            Err(e) => unreadable(e, &shown),
        },
        other => other.map(|_| Vec::new()),
    };
    let mut out = Vec::new();
    for path in &opts.mounts {
        let mount = parsed
            .clone()
            .map(|all| mountinfo::find(&all, path).cloned());
        let write = match mount.read() {
            Some(Some(m)) if opts.write_test && !m.read_only => {
                Some(write_test(opts, ctx, path, notes)?)
            }
            _ => None,
        };
        out.push(MountCheck {
            path: path.clone(),
            mount,
            write,
        });
    }
    Ok(out)
}

/// The state file noting a write test left behind in PATH.
fn note_name(path: &str) -> String {
    format!("write-test{}", model::label(path))
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The write test of one mount, unless an earlier one is still stuck there.
fn write_test(
    opts: &Options,
    ctx: &Context,
    path: &str,
    notes: &mut Vec<String>,
) -> Result<Write, CheckError> {
    let state = ctx.state()?;
    if let Some(n) = state.note() {
        notes.push(n.to_string());
    }
    let name = note_name(path);
    // "PID START_TICKS UNIX_SECONDS": the writer an earlier run left behind.
    if let Some(bytes) = state.read(&name)? {
        let text = String::from_utf8_lossy(&bytes);
        let f: Vec<u64> = text
            .split_whitespace()
            .filter_map(|w| w.parse().ok())
            .collect();
        if let [pid, start, when] = f[..] {
            let pid = i32::try_from(pid).unwrap_or(0);
            if pid > 0 && detached::process_start(pid) == Some(start) {
                return Ok(Write::StillStuck {
                    pid,
                    since: format!("{} s", now_secs().saturating_sub(when)),
                });
            }
            notes.push(format!(
                "the write test of {path} left behind earlier (pid {pid}) has ended"
            ));
        }
    }
    let limit = Duration::from_secs_f64(opts.write_timeout).min(ctx.io_budget());
    if limit < Duration::from_millis(10) {
        return Ok(Write::NoTime);
    }
    ctx.doing(format!("writing a test file in {path}"));
    let started = Instant::now();
    let file = format!(".check_san_path-write-test.{}", std::process::id());
    // The writer is noted as soon as it runs, not only when it is given up: a run killed while
    // it waits (a Nagios timeout shorter than ours) must not let the next one start another.
    let mut noted = Ok(());
    let result = detached::write_test(Path::new(path), &file, limit, |pid| {
        let start = detached::process_start(pid).unwrap_or(0);
        noted = state.write(&name, format!("{pid} {start} {}\n", now_secs()).as_bytes());
    });
    ctx.doing("");
    noted?;
    Ok(match result {
        WriteTest::Done => {
            state.write(&name, b"")?;
            Write::Done {
                millis: started.elapsed().as_millis(),
            }
        }
        WriteTest::Failed { step, reason } => {
            state.write(&name, b"")?;
            Write::Failed { step, reason }
        }
        WriteTest::Abandoned { .. } => Write::Hung {
            seconds: common::perfdata::format_number((limit.as_secs_f64() * 10.0).round() / 10.0)
                .unwrap_or_default(),
        },
    })
}
