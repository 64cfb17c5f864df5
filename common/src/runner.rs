//! The runner every plugin's `main` calls: options, the global timeout, the panic guard, and
//! the only place that prints and exits.
//!
//! ```no_run
//! # use common::{Plugin, Context, Report, CheckError};
//! # #[derive(clap::Args)] struct Options {}
//! # fn check(_: &Options, _: &Context) -> Result<Report, CheckError> { Ok(Report::new()) }
//! # const PLUGIN: Plugin = Plugin { name: "check_x", service: "X", version: "0", about: "x",
//! #     reads_host: false, inputs: &[] };
//! fn main() {
//!     common::run(&PLUGIN, check)
//! }
//! ```
//!
//! Whatever happens ends in one of the four states with a one-line cause: bad usage, `-h` and
//! `-V` exit 3 (UNKNOWN) as the Monitoring Plugins do, so a misconfigured command definition
//! never shows green; a timeout prints `SERVICE UNKNOWN - timed out after N s`, kills every
//! child tool's process group and exits 3; a panic is reported as an internal error, exit 3,
//! never a backtrace and never exit 101.

use crate::context::{self, Context, InputSpec};
use crate::error::CheckError;
use crate::perfdata::format_number;
use crate::report::{Finding, Report, DEFAULT_MAX_OUTPUT};
use crate::status::Status;
use crate::tool;
use clap::{Arg, ArgAction, ArgMatches, Command};
use std::io::Write;
use std::panic::{self, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// Default global timeout in seconds (the guidelines' usual 10).
pub const DEFAULT_TIMEOUT: f64 = 10.0;

/// What a plugin is; the runner builds the standard options from it.
#[derive(Debug, Clone, Copy)]
pub struct Plugin {
    /// Binary name, e.g. `check_raid`.
    pub name: &'static str,
    /// First word(s) of the status line, e.g. `RAID`.
    pub service: &'static str,
    pub version: &'static str,
    /// One line for `--help`.
    pub about: &'static str,
    /// Adds `--root DIR` (the plugin reads /proc, /sys or host files).
    pub reads_host: bool,
    /// Names accepted by `--input NAME=FILE` (empty: no `--input` option).
    pub inputs: &'static [&'static str],
}

/// A check: options and host access in, a report (or the reason there is none) out.
pub type CheckFn<A> = fn(&A, &Context) -> Result<Report, CheckError>;

/// Run a plugin with the process' arguments; never returns.
pub fn run<A: clap::Args + clap::FromArgMatches>(plugin: &Plugin, check: CheckFn<A>) -> ! {
    run_from(plugin, check, std::env::args_os().collect())
}

/// Run a plugin with the given argv (argv[0] included); never returns.
pub fn run_from<A: clap::Args + clap::FromArgMatches>(
    plugin: &Plugin,
    check: CheckFn<A>,
    argv: Vec<std::ffi::OsString>,
) -> ! {
    let started = Instant::now();
    let service = plugin.service;
    let _ = SERVICE.set(service);
    install_panic_hook();

    let guarded = panic::catch_unwind(AssertUnwindSafe(|| {
        let mut command = A::augment_args(standard_command(plugin));
        let matches = match command.try_get_matches_from_mut(argv) {
            Ok(m) => m,
            Err(e) => usage_exit(plugin, &mut command, e),
        };
        let standard = match Standard::from_matches(plugin, &matches) {
            Ok(s) => s,
            Err(msg) => emit_usage(plugin, &mut command, &msg),
        };
        let options = match A::from_arg_matches(&matches) {
            Ok(o) => o,
            Err(e) => usage_exit(plugin, &mut command, e),
        };
        let timeout = Duration::from_secs_f64(standard.timeout);
        start_watchdog(service, standard.timeout, started + timeout);
        let ctx = Context::new(
            standard.root.clone(),
            standard.inputs.clone(),
            standard.verbosity,
            started,
            timeout,
        );
        match check(&options, &ctx) {
            Ok(report) => match report.render(service, standard.verbosity, standard.max_output) {
                Ok(text) => emit(&text, report.status()),
                Err(e) => emit_unknown(service, &format!("internal error: {e}"), None),
            },
            Err(CheckError::Usage(msg)) => emit_usage(plugin, &mut command, &msg),
            Err(e) => emit_unknown(service, &e.to_string(), None),
        }
    }));
    // Only a panic gets here: every other path has exited.
    let _ = guarded;
    let what = PANIC_MESSAGE
        .lock()
        .ok()
        .and_then(|m| m.clone())
        .unwrap_or_else(|| "unknown panic".into());
    emit_unknown(
        service,
        &format!("internal error (a bug, please report it): {what}"),
        None,
    )
}

/// The options every plugin has.
struct Standard {
    timeout: f64,
    verbosity: u8,
    max_output: usize,
    root: PathBuf,
    inputs: Vec<InputSpec>,
}

impl Standard {
    fn from_matches(plugin: &Plugin, m: &ArgMatches) -> Result<Standard, String> {
        let timeout = *m.get_one::<f64>("timeout").unwrap_or(&DEFAULT_TIMEOUT);
        let verbosity = m.get_count("verbose");
        let max_output = m
            .get_one::<u64>("max_output")
            .map_or(DEFAULT_MAX_OUTPUT, |v| *v as usize);
        let root = if plugin.reads_host {
            m.get_one::<PathBuf>("root")
                .cloned()
                .unwrap_or_else(|| PathBuf::from("/"))
        } else {
            PathBuf::from("/")
        };
        let inputs: Vec<InputSpec> = if plugin.inputs.is_empty() {
            Vec::new()
        } else {
            m.get_many::<InputSpec>("input")
                .map(|v| v.cloned().collect())
                .unwrap_or_default()
        };
        if let Some(bad) = inputs
            .iter()
            .find(|i| !plugin.inputs.contains(&i.name.as_str()))
        {
            return Err(format!(
                "unknown --input name '{}'; expected one of: {}",
                bad.name,
                plugin.inputs.join(", ")
            ));
        }
        Ok(Standard {
            timeout,
            verbosity,
            max_output,
            root,
            inputs,
        })
    }
}

fn standard_command(plugin: &Plugin) -> Command {
    let mut cmd = Command::new(plugin.name)
        .version(plugin.version)
        .about(plugin.about)
        .after_help(
            "Exit status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (also for bad usage, -h and -V).\n\
             Ranges: N (alert outside 0..N), N: (below N), ~:N (above N), N:M (outside N..M), @N:M (inside N..M).",
        )
        .arg(
            Arg::new("timeout")
                .short('t')
                .long("timeout")
                .value_name("SECONDS")
                .value_parser(parse_timeout)
                .default_value("10")
                .help("Give up after SECONDS with UNKNOWN, killing any tool still running"),
        )
        .arg(
            Arg::new("verbose")
                .short('v')
                .long("verbose")
                .action(ArgAction::Count)
                .help("More detail in long output (-v, -vv, -vvv)"),
        )
        .arg(
            Arg::new("max_output")
                .long("max-output")
                .value_name("BYTES")
                .value_parser(clap::value_parser!(u64).range(256..=1_048_576))
                .default_value("4096")
                .help("Cut long output to fit BYTES (first line and perfdata are kept whole)"),
        );
    if plugin.reads_host {
        cmd = cmd.arg(
            Arg::new("root")
                .long("root")
                .value_name("DIR")
                .value_parser(clap::value_parser!(PathBuf))
                .default_value("/")
                .help("Read /proc, /sys and host files under DIR instead of / (saved host trees, tests)"),
        );
    }
    if !plugin.inputs.is_empty() {
        cmd = cmd.arg(
            Arg::new("input")
                .long("input")
                .value_name("NAME=FILE")
                .value_parser(|s: &str| s.parse::<InputSpec>())
                .action(ArgAction::Append)
                .help(format!(
                    "Evaluate saved output instead of asking the host (repeatable; FILE - is stdin). NAME: {}",
                    plugin.inputs.join(", ")
                )),
        );
    }
    cmd
}

fn parse_timeout(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(t) if t.is_finite() && t > 0.0 && t <= 86_400.0 => Ok(t),
        _ => Err(format!(
            "'{text}' is not a number of seconds between 0 and 86400"
        )),
    }
}

/// Help and version go to stdout; everything else is a usage error. All exit 3.
fn usage_exit(plugin: &Plugin, command: &mut Command, e: clap::Error) -> ! {
    use clap::error::ErrorKind;
    match e.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            emit(&e.render().to_string(), Status::Unknown)
        }
        _ => {
            let rendered = e.render().to_string();
            let first = rendered
                .lines()
                .map(str::trim)
                .find(|l| !l.is_empty())
                .unwrap_or("invalid usage");
            let first = first.strip_prefix("error: ").unwrap_or(first);
            emit_usage(plugin, command, first)
        }
    }
}

fn emit_usage(plugin: &Plugin, command: &mut Command, message: &str) -> ! {
    let usage = command.render_usage().to_string();
    let usage = usage.trim();
    let long = format!(
        "{usage}\nFor more information, try '{} --help'.",
        plugin.name
    );
    emit_unknown(plugin.service, message, Some(&long))
}

fn emit_unknown(service: &str, message: &str, long: Option<&str>) -> ! {
    let mut report = Report::new();
    report.add(Finding::unknown("").summary(message.lines().next().unwrap_or(message)));
    if let Some(long) = long {
        report.verbose(0, long);
    }
    let text = report
        .render(service, 0, DEFAULT_MAX_OUTPUT)
        .unwrap_or_else(|_| format!("{service} UNKNOWN - {message}\n"));
    emit(&text, Status::Unknown)
}

/// Held by whoever prints: the check's result and the timeout never both print.
static OUTPUT: Mutex<()> = Mutex::new(());

fn emit(text: &str, status: Status) -> ! {
    let _guard = OUTPUT.lock();
    let text = crate::secret::scrub(text); // a server's echo of a password or signature
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    if !text.ends_with('\n') {
        let _ = out.write_all(b"\n");
    }
    let _ = out.flush();
    std::process::exit(status.exit_code())
}

fn start_watchdog(service: &'static str, seconds: f64, deadline: Instant) {
    std::thread::spawn(move || {
        loop {
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            std::thread::sleep(deadline - now);
        }
        tool::kill_all_children();
        let doing = context::doing();
        let mut message = format!(
            "timed out after {} s",
            format_number(seconds).unwrap_or_else(|| seconds.to_string())
        );
        if !doing.is_empty() {
            message.push_str(" while ");
            message.push_str(&doing);
        }
        emit_unknown(service, &message, None)
    });
}

static PANIC_MESSAGE: Mutex<Option<String>> = Mutex::new(None);
static SERVICE: OnceLock<&'static str> = OnceLock::new();

/// Replace the default hook (which prints a backtrace hint to stderr) with one that keeps the
/// message for the UNKNOWN line.
fn install_panic_hook() {
    panic::set_hook(Box::new(|info| {
        let payload = info.payload();
        let msg = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "panic".into());
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        if let Ok(mut slot) = PANIC_MESSAGE.lock() {
            *slot = Some(format!("{}{at}", msg.lines().next().unwrap_or("")));
        }
        // A panic on another thread (a reader, the watchdog) must end the run too.
        if std::thread::current().name() != Some("main") {
            let what = PANIC_MESSAGE
                .lock()
                .ok()
                .and_then(|m| m.clone())
                .unwrap_or_default();
            emit_unknown(
                SERVICE.get().copied().unwrap_or("PLUGIN"),
                &format!("internal error (a bug, please report it): {what}"),
                None,
            );
        }
    }));
}
