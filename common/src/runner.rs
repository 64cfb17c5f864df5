//! The runner every plugin's `main` calls: options, the global timeout, the panic guard, and
//! the only place that prints and exits.
//!
//! ```no_run
//! # use common::{Plugin, Context, Report, CheckError};
//! # #[derive(clap::Args)] struct Options {}
//! # fn check(_: &Options, _: &Context) -> Result<Report, CheckError> { Ok(Report::new()) }
//! # const PLUGIN: Plugin = Plugin { name: "check_x", service: "X", version: "0", about: "x",
//! #     reads_host: false, inputs: &[], synopsis: "", runs_tools: false, keeps_state: false };
//! fn main() {
//!     common::run(&PLUGIN, check)
//! }
//! ```
//!
//! A plugin crate writes the same as one line: `common::main!(check_raid);`.
//!
//! Whatever happens ends in one of the four states with a one-line cause: bad usage, `-h` and
//! `-V` exit 3 (UNKNOWN) as the Monitoring Plugins do, so a misconfigured command definition
//! never shows green; a timeout prints `SERVICE UNKNOWN - timed out after N s`, kills every
//! tool still running and exits 3; SIGTERM, SIGINT, SIGHUP and every other catchable signal
//! that would end the process (SIGUSR1, SIGXCPU, ...: see `ENDING_SIGNALS`) print `SERVICE
//! UNKNOWN - interrupted by SIGTERM while ...`, kill the tools and exit 3; a SIGALRM sent from
//! outside (not the `-t` timer, told apart by its sender) says `interrupted by SIGALRM`; a
//! panic is reported as an internal error, exit 3, never a backtrace and never exit 101.
//!
//! The guard costs nothing while nothing goes wrong (no thread, a handful of system calls):
//! `-t` is a `setitimer` alarm, and the ending signals and SIGALRM have a handler that
//! does only async-signal-safe work: it copies a status line made of parts prepared in normal
//! context (the header, the reason, the scrubbed and bounded "while ..." tail that
//! [`Context`] keeps up to date), writes it once `poll` says fd 1 has room, and `_exit(3)`s.
//! Only a run that starts a tool also starts the guard thread (before the first tool): killing a
//! tool's whole subtree walks /proc, which a handler may not do. From then on the handler only
//! forwards the signal to that thread, which takes it with `sigtimedwait`, stops every tool and
//! ends the run the same way. Output is written straight to file descriptor 1, never through
//! `std`'s locked stdout, and the process ends with `_exit`: a stdout pipe nobody reads blocks
//! at most the thread that writes to it, never the end of the run.

use crate::context::{self, Context, InputSpec};
use crate::error::CheckError;
use crate::perfdata::format_number;
use crate::report::{Finding, Report, DEFAULT_MAX_OUTPUT};
use crate::status::Status;
use crate::sudoers;
use crate::tool::{self, ToolCommand};
use clap::{Arg, ArgAction, ArgMatches, Command};
use nix::sys::signal::{SigSet, Signal};
use std::io::Write;
use std::panic::{self, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicUsize, Ordering};
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
    /// The usage line(s), exactly as the README's synopsis (continuation lines indented to
    /// align under the first option); empty: clap's generated `NAME [OPTIONS]`.
    pub synopsis: &'static str,
    /// The plugin runs external tools: `-t` says it kills them, and `--print-sudoers [USER]`
    /// prints the sudoers lines for the command lines the plugin declares (see [`run_with_tools`]).
    pub runs_tools: bool,
    /// Adds `--state-dir DIR` (the plugin keeps a cache or counters between runs).
    pub keeps_state: bool,
}

/// One-line `main` for a plugin crate that exports `PLUGIN`, `Options` and `check` (and, with
/// `tools`, the `tools` function listing the command lines it may run):
///
/// ```text
/// #![cfg_attr(not(test), no_main)]
/// common::main!(check_raid);
/// ```
///
/// The macro writes the C `main` itself (hence `no_main`, which a macro cannot write for the
/// crate): std's own start-up (`lang_start`) costs ~98 K instructions, a third of a check's
/// own, mostly `pthread_getattr_np` reading /proc/self/maps with `sscanf` to place a stack
/// overflow guard. What the kit needs of it, [`start_process`] does: standard descriptors 0-2
/// open, SIGPIPE ignored, the arguments taken from the C `argv` (musl gives std no other way).
/// A stack overflow then ends the process with SIGSEGV instead of std's message and SIGABRT:
/// no output either way, and every parser the kit hosts is depth-limited.
#[macro_export]
macro_rules! main {
    ($plugin:ident) => {
        $crate::main!(@entry $plugin, None);
    };
    ($plugin:ident, tools) => {
        $crate::main!(@entry $plugin, Some($plugin::tools));
    };
    (@entry $plugin:ident, $tools:expr) => {
        #[cfg(not(test))]
        #[unsafe(no_mangle)]
        extern "C" fn main(
            argc: ::std::ffi::c_int,
            argv: *const *const ::std::ffi::c_char,
        ) -> ::std::ffi::c_int {
            // SAFETY: the C runtime's own argc and argv.
            let args = unsafe { $crate::runner::start_process(argc, argv) };
            $crate::runner::run_entry::<$plugin::Options>(&$plugin::PLUGIN, $plugin::check, $tools, args)
        }
    };
}

/// What std's start-up would have done that the kit relies on, for the C `main` of
/// [`main!`]: descriptors 0, 1 and 2 open (a closed one is /dev/null, so no file the check
/// opens can become stdout), SIGPIPE ignored (a closed peer is an error, not death), and the
/// arguments.
///
/// # Safety
/// `argv` holds `argc` valid C strings (the C runtime's).
#[doc(hidden)]
pub unsafe fn start_process(
    argc: libc::c_int,
    argv: *const *const libc::c_char,
) -> Vec<std::ffi::OsString> {
    use std::os::unix::ffi::OsStrExt;
    for fd in 0..=2 {
        // SAFETY: fcntl and open on plain integers and a static path.
        unsafe {
            if libc::fcntl(fd, libc::F_GETFD) == -1
                && std::io::Error::last_os_error().raw_os_error() == Some(libc::EBADF)
            {
                libc::open(c"/dev/null".as_ptr(), libc::O_RDWR);
            }
        }
    }
    // SAFETY: setting a signal's disposition to ignore.
    unsafe { libc::signal(libc::SIGPIPE, libc::SIG_IGN) };
    (0..argc.max(0) as usize)
        .filter_map(|i| {
            // SAFETY: argv holds argc pointers (the caller's promise).
            let arg = unsafe { *argv.add(i) };
            (!arg.is_null()).then(|| {
                // SAFETY: a C string of the C runtime.
                let bytes = unsafe { std::ffi::CStr::from_ptr(arg) }.to_bytes();
                std::ffi::OsStr::from_bytes(bytes).to_os_string()
            })
        })
        .collect()
}

/// The entry [`main!`] calls; never returns.
#[doc(hidden)]
pub fn run_entry<A: clap::Args + clap::FromArgMatches>(
    plugin: &Plugin,
    check: CheckFn<A>,
    tools: Option<ToolsFn<A>>,
    argv: Vec<std::ffi::OsString>,
) -> ! {
    run_inner(plugin, check, tools, argv)
}

/// A check: options and host access in, a report (or the reason there is none) out.
pub type CheckFn<A> = fn(&A, &Context) -> Result<Report, CheckError>;

/// The exact command lines a plugin may run with these options (for `--print-sudoers` and
/// generated sudoers files). Tools found at run time (a team found by its pid file) are looked
/// up the same way the check would.
pub type ToolsFn<A> = fn(&A, &Context) -> Result<Vec<ToolCommand>, CheckError>;

/// Run a plugin with the process' arguments; never returns.
pub fn run<A: clap::Args + clap::FromArgMatches>(plugin: &Plugin, check: CheckFn<A>) -> ! {
    run_from(plugin, check, std::env::args_os().collect())
}

/// Run a plugin that runs tools, with the process' arguments; never returns.
pub fn run_with_tools<A: clap::Args + clap::FromArgMatches>(
    plugin: &Plugin,
    check: CheckFn<A>,
    tools: ToolsFn<A>,
) -> ! {
    run_inner(plugin, check, Some(tools), std::env::args_os().collect())
}

/// Run a plugin with the given argv (argv[0] included); never returns.
pub fn run_from<A: clap::Args + clap::FromArgMatches>(
    plugin: &Plugin,
    check: CheckFn<A>,
    argv: Vec<std::ffi::OsString>,
) -> ! {
    run_inner(plugin, check, None, argv)
}

/// The plugin's whole command line: the standard options, the plugin's own, the usage line and
/// the help text, for the runner and for whatever is generated from it (configuration, man
/// pages, Icinga 2 CheckCommands).
pub fn command<A: clap::Args>(plugin: &Plugin) -> Command {
    // A range may start with '-' ("-10:40", "-inf:"): its option takes such a value as its
    // own, where clap would otherwise read it as an unknown option.
    let cmd = A::augment_args(standard_command(plugin)).mut_args(|a| {
        if takes_a_range(&a) {
            a.allow_hyphen_values(true)
        } else {
            a
        }
    });
    // Only plugins whose options take ranges explain the range syntax.
    let takes_ranges = cmd.get_arguments().any(takes_a_range);
    let mut after = String::from(
        "Exit status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (also for bad usage, -h and -V).",
    );
    if takes_ranges {
        after.push_str(
            "\nRanges: N (alert outside 0..N), N: (below N), ~:N (above N), N:M (outside N..M), @N:M (inside N..M).",
        );
    }
    cmd.after_help(after)
}

/// An option whose value is a range (the kit's `-w`/`-c` and per-metric options name it RANGE).
fn takes_a_range(a: &Arg) -> bool {
    a.get_value_names()
        .is_some_and(|names| names.iter().any(|n| n.as_str() == "RANGE"))
}

/// Parse a plugin's argv as the runner does; a usage error comes back as the plain one-line
/// message the status line would show (help and version requests too, as clap's text).
pub fn parse_args(
    command: &mut Command,
    argv: Vec<std::ffi::OsString>,
) -> Result<ArgMatches, String> {
    command
        .try_get_matches_from_mut(argv.clone())
        .map_err(|e| plain_usage_error(command, &e, &argv))
}

fn run_inner<A: clap::Args + clap::FromArgMatches>(
    plugin: &Plugin,
    check: CheckFn<A>,
    tools: Option<ToolsFn<A>>,
    argv: Vec<std::ffi::OsString>,
) -> ! {
    let started = Instant::now();
    let service = plugin.service;
    let _ = SERVICE.set(service);
    let _ = MAIN_THREAD.set(std::thread::current().id());
    // First of all, so that a signal during option parsing is reported too.
    install_signal_handlers(service);
    install_panic_hook();

    // A usage error is printed before the options are parsed: it honours a --max-output that
    // parses (else the default cap) as every other output does.
    if let Some(cap) = max_output_in(&argv) {
        MAX_OUTPUT.store(cap, Ordering::Relaxed);
    }
    let guarded = panic::catch_unwind(AssertUnwindSafe(|| {
        let mut command = command::<A>(plugin);
        let matches = match command.try_get_matches_from_mut(argv.clone()) {
            Ok(m) => m,
            Err(e) => usage_exit(plugin, &mut command, e, &argv),
        };
        let standard = match Standard::from_matches(plugin, &matches) {
            Ok(s) => s,
            Err(msg) => emit_usage(plugin, &mut command, &msg),
        };
        let options = match A::from_arg_matches(&matches) {
            Ok(o) => o,
            Err(e) => usage_exit(plugin, &mut command, e, &argv),
        };
        let timeout = Duration::from_secs_f64(standard.timeout);
        MAX_OUTPUT.store(standard.max_output, Ordering::Relaxed);
        arm_timeout(standard.timeout, started + timeout);
        let ctx = Context::new(
            standard.root.clone(),
            standard.inputs.clone(),
            standard.verbosity,
            started,
            timeout,
        )
        .with_state_dir(standard.state_dir.clone());
        if let Some(user) = &standard.print_sudoers {
            print_sudoers(plugin, tools, &options, &ctx, user);
        }
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
    /// `--print-sudoers [USER]`: the user to write the lines for.
    print_sudoers: Option<String>,
    /// `--state-dir DIR` (plugins that keep state).
    state_dir: Option<PathBuf>,
}

impl Standard {
    fn from_matches(plugin: &Plugin, m: &ArgMatches) -> Result<Standard, String> {
        let timeout = *m.get_one::<f64>("timeout").unwrap_or(&DEFAULT_TIMEOUT);
        let verbosity = m.get_count("verbose");
        let max_output = m
            .get_one::<usize>("max_output")
            .map_or(DEFAULT_MAX_OUTPUT, |v| *v);
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
        let print_sudoers = if plugin.runs_tools {
            m.get_one::<String>("print_sudoers").map(|u| {
                if u.is_empty() {
                    sudoers::current_user()
                } else {
                    u.clone()
                }
            })
        } else {
            None
        };
        let state_dir = if plugin.keeps_state {
            m.get_one::<PathBuf>("state_dir").cloned()
        } else {
            None
        };
        Ok(Standard {
            timeout,
            verbosity,
            max_output,
            root,
            inputs,
            print_sudoers,
            state_dir,
        })
    }
}

fn standard_command(plugin: &Plugin) -> Command {
    let timeout_help = if plugin.runs_tools {
        "Give up after SECONDS with UNKNOWN, killing any tool still running"
    } else {
        "Give up after SECONDS with UNKNOWN"
    };
    let mut cmd = Command::new(plugin.name)
        .version(plugin.version)
        .about(plugin.about)
        .arg(
            Arg::new("timeout")
                .short('t')
                .long("timeout")
                .value_name("SECONDS")
                .value_parser(parse_timeout)
                .default_value("10")
                .help(timeout_help),
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
                .value_parser(parse_max_output)
                .default_value("4096")
                .help("Print at most BYTES: long output is cut first; perfdata items are left out whole, never cut, and the first line says how many"),
        );
    if !plugin.synopsis.is_empty() {
        // clap writes "Usage: " before the first line; continuation lines move right as much,
        // so they stay aligned as in the README.
        let usage = plugin.synopsis.trim().replace('\n', "\n       ");
        cmd = cmd.override_usage(usage);
    }
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
                .value_parser(|s: &str| {
                    s.parse::<InputSpec>()
                        .map_err(|_| "expected NAME=FILE".to_string())
                })
                .action(ArgAction::Append)
                .help(format!(
                    "Evaluate saved output instead of asking the host (repeatable; FILE - is stdin). NAME: {}",
                    plugin.inputs.join(", ")
                )),
        );
    }
    if plugin.keeps_state {
        cmd = cmd.arg(
            Arg::new("state_dir")
                .long("state-dir")
                .value_name("DIR")
                .value_parser(clap::value_parser!(PathBuf))
                .help(format!(
                    "Keep state between runs in DIR [default: {}, or a directory of your own when that is not writable]",
                    crate::state::DEFAULT_STATE_DIR
                )),
        );
    }
    if plugin.runs_tools {
        cmd = cmd.arg(
            Arg::new("print_sudoers")
                .long("print-sudoers")
                .value_name("USER")
                .num_args(0..=1)
                .default_missing_value("")
                .help("Print the sudoers lines that let USER (default: you) run this check's tools with these options, and exit"),
        );
    }
    cmd
}

/// The last `--max-output BYTES` / `--max-output=BYTES` in argv that parses, looked at before
/// clap (whose error may be what is to be printed).
fn max_output_in(argv: &[std::ffi::OsString]) -> Option<usize> {
    let words: Vec<&str> = argv.iter().skip(1).filter_map(|w| w.to_str()).collect();
    let mut found = None;
    for (i, word) in words.iter().enumerate() {
        if *word == "--" {
            break;
        }
        let value = match word.strip_prefix("--max-output") {
            Some("") => words.get(i + 1).copied(),
            Some(rest) => rest.strip_prefix('='),
            None => None,
        };
        if let Some(cap) = value.and_then(|v| parse_max_output(v).ok()) {
            found = Some(cap);
        }
    }
    found
}

fn parse_timeout(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(t) if t.is_finite() && t > 0.0 && t <= 86_400.0 => Ok(t),
        _ => Err("expected seconds, more than 0 and at most 86400".into()),
    }
}

fn parse_max_output(text: &str) -> Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(n) if (256..=1_048_576).contains(&n) => Ok(n),
        _ => Err("expected bytes from 256 to 1048576".into()),
    }
}

/// The one-line message for a usage error, in our words: "-t 0: expected seconds, more than 0
/// and at most 86400", never clap's or the standard library's ("invalid digit found in string").
fn plain_usage_error(command: &Command, e: &clap::Error, argv: &[std::ffi::OsString]) -> String {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let context = |kind: ContextKind| -> Option<String> {
        match e.get(kind)? {
            ContextValue::String(s) => Some(s.clone()),
            ContextValue::Strings(v) => Some(v.join(", ")),
            _ => None,
        }
    };
    // clap names an option as "--timeout <SECONDS>"; we name it as an admin types it, short
    // form first (as the guidelines write `-t`).
    let flag = |shown: &str| -> String {
        let long = shown.split([' ', '=']).next().unwrap_or(shown);
        command
            .get_arguments()
            .find(|a| a.get_long().is_some_and(|l| long == format!("--{l}")))
            .and_then(|a| a.get_short())
            .map_or_else(|| long.to_string(), |c| format!("-{c}"))
    };
    let arg = context(ContextKind::InvalidArg);
    match e.kind() {
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => {
            let shown = arg.as_deref().map_or_else(|| "option".to_string(), flag);
            let value = context(ContextKind::InvalidValue).unwrap_or_default();
            if value.is_empty() && e.kind() == ErrorKind::InvalidValue {
                return format!("{shown} needs a value");
            }
            let reason = if let Some(valid) = context(ContextKind::ValidValue) {
                format!("expected one of {valid}")
            } else {
                std::error::Error::source(e)
                    .map(plain_reason)
                    .unwrap_or_else(|| "not accepted".into())
            };
            // "--count=-1": the number error says only "expected a whole number".
            let reason = if value.starts_with('-') && reason == "expected a whole number" {
                "expected a whole number, 0 or more".to_string()
            } else {
                reason
            };
            format!("{shown} {value}: {reason}")
        }
        ErrorKind::UnknownArgument => {
            let given = arg.unwrap_or_default();
            let negative = given.len() > 1 && given[1..].parse::<f64>().is_ok();
            let mut msg = if negative {
                // Name the option it was meant for ("--expect -1"): the word before it in argv,
                // when that is an option taking a value.
                let option = argv
                    .windows(2)
                    .find(|w| w[1].to_str() == Some(given.as_str()))
                    .and_then(|w| w[0].to_str())
                    .filter(|o| o.starts_with('-') && !o.contains('=') && takes_value(command, o));
                match option {
                    Some(o) => format!(
                        "{} {given}: a negative number is not accepted here",
                        flag(o)
                    ),
                    None => format!("unexpected {given}: a negative number is not accepted here"),
                }
            } else if given.starts_with('-') {
                format!("unknown option {given}")
            } else {
                format!("unexpected argument '{given}': this plugin takes options only")
            };
            if let Some(suggested) = context(ContextKind::SuggestedArg) {
                msg.push_str(&format!("; did you mean {suggested}?"));
            }
            msg
        }
        ErrorKind::ArgumentConflict => {
            let a = arg.as_deref().map_or_else(String::new, flag);
            match context(ContextKind::PriorArg) {
                // clap's word for an option given twice is a conflict with itself.
                Some(b) if flag(&b) == a => format!("{a} given twice"),
                Some(b) => format!("{a} cannot be used with {}", flag(&b)),
                None => format!("{a} cannot be used with the other options given"),
            }
        }
        ErrorKind::MissingRequiredArgument => {
            format!(
                "missing {}",
                arg.unwrap_or_else(|| "a required option".into())
            )
        }
        ErrorKind::NoEquals => {
            let shown = arg.as_deref().map_or_else(String::new, flag);
            format!("{shown} needs its value after '='")
        }
        ErrorKind::TooManyValues | ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => {
            let shown = arg.as_deref().map_or_else(String::new, flag);
            format!("{shown}: wrong number of values")
        }
        // Any other kind (rare: clap's own limits) keeps clap's first line, without its
        // "error: " prefix.
        _ => {
            let rendered = e.render().to_string();
            let first = rendered
                .lines()
                .map(str::trim)
                .find(|l| !l.is_empty())
                .unwrap_or("invalid usage");
            first.strip_prefix("error: ").unwrap_or(first).to_string()
        }
    }
}

/// True when `word` (`--count`, `-t`) names an option of `command` that takes a value.
fn takes_value(command: &Command, word: &str) -> bool {
    command.get_arguments().any(|a| {
        let named = match word.strip_prefix("--") {
            Some(long) => a.get_long() == Some(long),
            None => {
                let mut chars = word.chars().skip(1);
                chars.next().is_some_and(|c| a.get_short() == Some(c)) && chars.next().is_none()
            }
        };
        named && a.get_action().takes_values()
    })
}

/// Why a value was refused, in our words: the standard library's number errors say what is
/// expected; our own parsers already do.
fn plain_reason(source: &(dyn std::error::Error + 'static)) -> String {
    use std::num::IntErrorKind;
    if let Some(e) = source.downcast_ref::<std::num::ParseIntError>() {
        return match e.kind() {
            IntErrorKind::PosOverflow => "expected a whole number (this one is too large)",
            IntErrorKind::NegOverflow => "expected a whole number, 0 or more",
            _ => "expected a whole number",
        }
        .into();
    }
    if source.downcast_ref::<std::num::ParseFloatError>().is_some() {
        return "expected a number".into();
    }
    if let Some(e) = source.downcast_ref::<crate::range::RangeError>() {
        return if e.reason.starts_with("expected") {
            e.reason.clone()
        } else {
            format!("expected a range N, N:, ~:N, N:M or @N:M ({})", e.reason)
        };
    }
    if source.downcast_ref::<std::str::ParseBoolError>().is_some() {
        return "expected true or false".into();
    }
    source.to_string()
}

/// Help and version go to stdout; everything else is a usage error. All exit 3.
fn usage_exit(
    plugin: &Plugin,
    command: &mut Command,
    e: clap::Error,
    argv: &[std::ffi::OsString],
) -> ! {
    use clap::error::ErrorKind;
    match e.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            emit(&e.render().to_string(), Status::Unknown)
        }
        _ => {
            let message = plain_usage_error(command, &e, argv);
            emit_usage(plugin, command, &message)
        }
    }
}

/// `--print-sudoers [USER]`: the exact sudoers lines for the command lines this run may use,
/// then exit 3 like -h and -V (the output is not a check result, so it must never show green).
fn print_sudoers<A>(
    plugin: &Plugin,
    tools: Option<ToolsFn<A>>,
    options: &A,
    ctx: &Context,
    user: &str,
) -> ! {
    let Some(tools) = tools else {
        emit_unknown(
            plugin.service,
            "internal error: this plugin declares no tool list for --print-sudoers",
            None,
        )
    };
    let commands = match tools(options, ctx) {
        Ok(c) => c,
        Err(e) => emit_unknown(plugin.service, &e.to_string(), None),
    };
    match sudoers::file_text(plugin.name, user, &commands) {
        Ok(text) => emit(&text, Status::Unknown),
        Err(e) => emit_unknown(plugin.service, &e, None),
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
    let text = unknown_text(
        &report,
        service,
        message,
        MAX_OUTPUT.load(Ordering::Relaxed),
    );
    emit(&text, Status::Unknown)
}

fn unknown_text(report: &Report, service: &str, message: &str, max_output: usize) -> String {
    report.render(service, 0, max_output).unwrap_or_else(|_| {
        let mut line = format!("{service} UNKNOWN - {message}");
        let mut end = line.len().min(max_output.saturating_sub(1));
        while !line.is_char_boundary(end) {
            end -= 1;
        }
        line.truncate(end);
        line.push('\n');
        line
    })
}

/// Set by whoever ends the run first (the check's result, the timeout, a signal, a panic on
/// another thread): only that one prints. An atomic, not a lock: the guard must never wait on
/// something a writer blocked on a full stdout pipe holds.
static ENDING: AtomicBool = AtomicBool::new(false);

/// `--max-output`, for messages printed outside the check's own report.
static MAX_OUTPUT: AtomicUsize = AtomicUsize::new(DEFAULT_MAX_OUTPUT);

/// The signals that end a run with UNKNOWN: every catchable one whose default action ends the
/// process (the daemons' and init's SIGTERM, a terminal's SIGINT and SIGQUIT, a lost session's
/// SIGHUP, and the rest an admin or a resource limit may send), so that none kills a plugin
/// silently with an exit code outside 0-3 and its tools left running. Left out: SIGALRM (the
/// `-t` alarm, handled apart), SIGKILL and SIGSTOP (cannot be caught), and the faults the
/// process causes itself (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGSYS), after which no
/// handler can safely go on.
fn ending_signals() -> SigSet {
    let mut set = SigSet::empty();
    for (sig, _) in ENDING_SIGNALS {
        set.add(*sig);
    }
    set
}

/// The ending signals and the words the status line names them by.
const ENDING_SIGNALS: &[(Signal, &[u8])] = &[
    (Signal::SIGTERM, b"interrupted by SIGTERM"),
    (Signal::SIGINT, b"interrupted by SIGINT"),
    (Signal::SIGHUP, b"interrupted by SIGHUP"),
    (Signal::SIGQUIT, b"interrupted by SIGQUIT"),
    (Signal::SIGUSR1, b"interrupted by SIGUSR1"),
    (Signal::SIGUSR2, b"interrupted by SIGUSR2"),
    (Signal::SIGVTALRM, b"interrupted by SIGVTALRM"),
    (Signal::SIGPROF, b"interrupted by SIGPROF"),
    (Signal::SIGTRAP, b"interrupted by SIGTRAP"),
    (Signal::SIGIO, b"interrupted by SIGIO"),
    (Signal::SIGXCPU, b"interrupted by SIGXCPU"),
    (Signal::SIGXFSZ, b"interrupted by SIGXFSZ"),
    (Signal::SIGPWR, b"interrupted by SIGPWR"),
    (Signal::SIGSTKFLT, b"interrupted by SIGSTKFLT"),
];

/// Set by the guard as soon as it takes a signal, before it stops the tools.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// True when one of the ending signals has come (taken by the guard or still pending). A kill
/// of the plugin's process group reaches the tools too: a check that then sees its tool die
/// must not report on that as if it were the host's answer.
pub(crate) fn interrupted() -> bool {
    if INTERRUPTED.load(Ordering::SeqCst) {
        return true;
    }
    // SAFETY: sigpending fills the set it is given.
    let mut pending: libc::sigset_t = unsafe { std::mem::zeroed() };
    if unsafe { libc::sigpending(&mut pending) } != 0 {
        return false;
    }
    // SAFETY: a set sigpending filled in.
    ending_signals()
        .iter()
        .any(|s| unsafe { libc::sigismember(&pending, s as libc::c_int) } == 1)
}

fn emit(text: &str, status: Status) -> ! {
    // A signal that came is reported by its handler or the guard thread, which exit the
    // process (a handler that found the run ending gives it a grace, then exits); so does
    // another thread ending the run. Wait for it.
    if interrupted() || ENDING.swap(true, Ordering::SeqCst) {
        loop {
            std::thread::park();
        }
    }
    let text = crate::secret::scrub(text); // a server's echo of a password or signature
    let mut out = stdout_fd();
    let _ = out.write_all(text.as_bytes());
    if !text.ends_with('\n') {
        let _ = out.write_all(b"\n");
    }
    exit_now(status.exit_code())
}

/// File descriptor 1 as a `File` that is never closed: no buffer, no lock, nothing to flush.
fn stdout_fd() -> std::mem::ManuallyDrop<std::fs::File> {
    use std::os::fd::FromRawFd;
    // SAFETY: fd 1 belongs to the process for its whole life; ManuallyDrop never closes it.
    std::mem::ManuallyDrop::new(unsafe { std::fs::File::from_raw_fd(1) })
}

/// End the process now. `std::process::exit` would flush std's stdout first, which waits for
/// a reader that may never come.
fn exit_now(code: i32) -> ! {
    // SAFETY: _exit is always safe to call; it does not return.
    unsafe { libc::_exit(code) }
}

/// The process' own pid: a handler running in a tool's child between fork and exec must not
/// act as the plugin.
static MAIN_PID: AtomicI32 = AtomicI32::new(0);
/// The guard thread (a `pthread_t`), 0 until a tool is about to run.
static GUARD_THREAD: AtomicUsize = AtomicUsize::new(0);
/// Set when a signal found the run already ending (the result being written): the next
/// SIGALRM, 100 ms later, ends the process whatever the writer is blocked on.
static GRACE: AtomicBool = AtomicBool::new(false);
/// When `-t` ends the run, and its message, for the guard thread.
static DEADLINE: OnceLock<Instant> = OnceLock::new();
/// "SERVICE UNKNOWN - ", prepared for the handler.
static HEADER: context::SignalSafeText<256> = context::SignalSafeText::new();
/// "timed out after N s", prepared for the handler.
static TIMED_OUT: context::SignalSafeText<64> = context::SignalSafeText::new();
/// The longest line the end of a run prints: at most PIPE_BUF bytes, so that once poll says the
/// pipe has room the write does not block.
const ENDING_LINE_MAX: usize = 4096;

/// The guard's signals: the three that end a run, and the `-t` alarm.
fn guard_signals() -> SigSet {
    let mut set = ending_signals();
    set.add(Signal::SIGALRM);
    set
}

fn install_signal_handlers(service: &str) {
    MAIN_PID.store(std::process::id() as i32, Ordering::SeqCst);
    let header = format!(
        "{} {} - ",
        crate::report::one_line(service),
        Status::Unknown.word()
    );
    HEADER.store(header.as_bytes());
    // SAFETY: a zeroed sigaction with a handler that is async-signal-safe; the mask keeps the
    // guard's signals from interrupting each other's handler on one thread.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = on_signal
            as extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void)
            as libc::sighandler_t;
        // SA_SIGINFO: the sender of a SIGALRM tells the `-t` alarm from a `kill -ALRM`.
        action.sa_flags = libc::SA_RESTART | libc::SA_SIGINFO;
        libc::sigemptyset(&mut action.sa_mask);
        for sig in guard_signals().iter() {
            libc::sigaddset(&mut action.sa_mask, sig as libc::c_int);
        }
        for sig in guard_signals().iter() {
            libc::sigaction(sig as libc::c_int, &action, std::ptr::null_mut());
        }
    }
}

/// `-t`: one SIGALRM at the deadline (`setitimer`: in libc everywhere, EL6's glibc included).
fn arm_timeout(seconds: f64, deadline: Instant) {
    let _ = DEADLINE.set(deadline);
    let shown = format_number(seconds).unwrap_or_else(|| seconds.to_string());
    TIMED_OUT.store(format!("timed out after {shown} s").as_bytes());
    let left = deadline.saturating_duration_since(Instant::now());
    if !set_alarm(left.max(Duration::from_micros(1))) {
        // Without the alarm nothing would enforce -t: refuse to run rather than risk a hang.
        emit_unknown(
            SERVICE.get().copied().unwrap_or("PLUGIN"),
            "cannot set the timeout",
            None,
        )
    }
}

/// One SIGALRM after `after` (zero disarms); async-signal-safe (one system call).
fn set_alarm(after: Duration) -> bool {
    let value = libc::timeval {
        tv_sec: after.as_secs() as _,
        tv_usec: after.subsec_micros() as _,
    };
    let timer = libc::itimerval {
        it_interval: libc::timeval {
            tv_sec: 0,
            tv_usec: 0,
        },
        it_value: value,
    };
    // SAFETY: a valid itimerval; the old value is not wanted.
    unsafe { libc::setitimer(libc::ITIMER_REAL, &timer, std::ptr::null_mut()) == 0 }
}

/// What the run ends with for this signal (0: the timeout), in the handler's words.
fn reason(sig: libc::c_int, out: &mut [u8]) -> usize {
    let fixed: &[u8] = match ENDING_SIGNALS
        .iter()
        .find(|(s, _)| *s as libc::c_int == sig)
    {
        Some((_, words)) => words,
        // SIGALRM here is one sent from outside (the alarm itself comes as 0).
        None if sig == libc::SIGALRM => b"interrupted by SIGALRM",
        None => return TIMED_OUT.copy_into(out),
    };
    let n = fixed.len().min(out.len());
    out[..n].copy_from_slice(&fixed[..n]);
    n
}

/// The end-of-run line for this signal (0: the timeout) into `line`, exactly as
/// `Report::render` writes a one-finding UNKNOWN report (its long summaries cut the same way),
/// capped at `--max-output` and PIPE_BUF. Async-signal-safe: copies and arithmetic only.
fn ending_line(sig: libc::c_int, line: &mut [u8; ENDING_LINE_MAX]) -> usize {
    let cap = MAX_OUTPUT.load(Ordering::Relaxed).min(ENDING_LINE_MAX);
    let header = HEADER.copy_into(line);
    let mut summary = [0u8; ENDING_LINE_MAX];
    let mut len = reason(sig, &mut summary);
    len += context::doing_tail(&mut summary[len..]);
    // Report::render: a first line over half the cap gets its summary cut to a quarter.
    if header + len + 4 > cap / 2 {
        let budget = (cap / 4).saturating_sub(header).max(80);
        if len > budget {
            let mut end = budget.saturating_sub(3);
            while end > 0 && context::is_continuation(summary[end]) {
                end -= 1;
            }
            summary[end..end + 3].copy_from_slice(b"...");
            len = end + 3;
        }
    }
    // Never more than the cap (header, summary, newline), cut at a character boundary.
    let mut body = len.min(cap.saturating_sub(header + 1));
    while body > 0 && body < len && context::is_continuation(summary[body]) {
        body -= 1;
    }
    line[header..header + body].copy_from_slice(&summary[..body]);
    line[header + body] = b'\n';
    header + body + 1
}

/// Write the line once fd 1 has room (at most 200 ms), then `_exit(3)`. Async-signal-safe.
fn write_ending_line_and_exit(sig: libc::c_int) -> ! {
    let mut line = [0u8; ENDING_LINE_MAX];
    let len = ending_line(sig, &mut line);
    write_line_and_exit(&line[..len])
}

/// Write `line` once fd 1 has room (at most 200 ms), then `_exit(3)`. Async-signal-safe.
fn write_line_and_exit(line: &[u8]) -> ! {
    let mut ready = libc::pollfd {
        fd: 1,
        events: libc::POLLOUT,
        revents: 0,
    };
    // SAFETY: one valid pollfd; a buffer of line.len() bytes.
    unsafe {
        if libc::poll(&mut ready, 1, 200) > 0 && ready.revents & libc::POLLOUT != 0 {
            let _ = libc::write(1, line.as_ptr().cast(), line.len());
        }
    }
    exit_now(Status::Unknown.exit_code())
}

/// True when this SIGALRM was sent by another process (`kill -ALRM`, `sigqueue`), not by the
/// `-t` timer (which the kernel sends, `SI_KERNEL`). Async-signal-safe.
fn alarm_from_outside(info: *const libc::siginfo_t) -> bool {
    if info.is_null() {
        return false;
    }
    // SAFETY: the kernel's siginfo for this signal; si_pid is set for the user codes.
    unsafe {
        let code = (*info).si_code;
        code <= 0 && (*info).si_pid() != MAIN_PID.load(Ordering::SeqCst)
    }
}

/// Set by the handler before it forwards a SIGALRM sent from outside to the guard thread (which
/// sees only the forwarding, from the plugin itself).
static ALARM_FROM_OUTSIDE: AtomicBool = AtomicBool::new(false);

/// The handler of the ending signals and SIGALRM. Only async-signal-safe calls: getpid,
/// signal, raise, pthread_kill, setitimer, poll, write, _exit, and atomics.
extern "C" fn on_signal(sig: libc::c_int, info: *mut libc::siginfo_t, _: *mut libc::c_void) {
    // SAFETY: each call is async-signal-safe.
    unsafe {
        if libc::getpid() != MAIN_PID.load(Ordering::SeqCst) {
            // A tool's child between fork and exec: die of the signal as the tool would.
            libc::signal(sig, libc::SIG_DFL);
            libc::raise(sig);
            return;
        }
    }
    let outside = sig == libc::SIGALRM && alarm_from_outside(info);
    if sig == libc::SIGALRM && !outside && GRACE.load(Ordering::SeqCst) {
        exit_now(Status::Unknown.exit_code())
    }
    // What the line says: the signal, or 0 for the `-t` alarm.
    let why = if sig == libc::SIGALRM && !outside {
        0
    } else {
        sig
    };
    if why != 0 {
        INTERRUPTED.store(true, Ordering::SeqCst);
    }
    if outside {
        ALARM_FROM_OUTSIDE.store(true, Ordering::SeqCst);
    }
    let guard = GUARD_THREAD.load(Ordering::SeqCst);
    if guard != 0 {
        // Tools run: the guard thread takes the signal and stops them.
        // SAFETY: the guard thread never ends before the process does.
        unsafe { libc::pthread_kill(guard as libc::pthread_t, sig) };
        return;
    }
    if ENDING.swap(true, Ordering::SeqCst) {
        // The check's result is being written. Give it a moment (a reader that reads gets it
        // whole); a writer still blocked after that has a reader that never reads.
        GRACE.store(true, Ordering::SeqCst);
        if !set_alarm(Duration::from_millis(100)) {
            exit_now(Status::Unknown.exit_code())
        }
        return;
    }
    write_ending_line_and_exit(why)
}

/// Start the guard thread before the first tool runs (a no-op outside the runner, and after
/// the first time). It takes over `-t` and the signals: it stops every tool, then ends the run.
pub(crate) fn start_guard_for_tools() {
    static STARTED: std::sync::Once = std::sync::Once::new();
    let Some(deadline) = DEADLINE.get().copied() else {
        return; // not under the runner (unit tests of the kit)
    };
    STARTED.call_once(|| {
        // Blocked here while the thread starts, so it inherits the mask (no handler ever runs on
        // it) and a signal meanwhile waits, then reaches the handler, which forwards it.
        let Ok(old) = guard_signals().thread_swap_mask(nix::sys::signal::SigmaskHow::SIG_BLOCK)
        else {
            return;
        };
        let spawned = std::thread::Builder::new()
            .name("guard".into())
            .stack_size(64 * 1024)
            .spawn(move || guard(deadline));
        // Without the thread the alarm and the handler still end the run; only a tool's own
        // children could then be left.
        if let Ok(handle) = spawned {
            use std::os::unix::thread::JoinHandleExt;
            GUARD_THREAD.store(handle.as_pthread_t() as usize, Ordering::SeqCst);
            // The thread keeps the deadline from now on.
            set_alarm(Duration::ZERO);
        }
        let _ = old.thread_set_mask();
    });
}

/// The guard thread: waits for a signal or the deadline, then stops the tools and ends the run.
fn guard(deadline: Instant) -> ! {
    let set = guard_signals();
    let sig = loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break 0;
        }
        let wait = libc::timespec {
            tv_sec: left.as_secs() as _,
            tv_nsec: left.subsec_nanos() as libc::c_long,
        };
        // SAFETY: a zeroed siginfo for sigtimedwait to fill; a valid signal set and timespec.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        let got = unsafe { libc::sigtimedwait(set.as_ref(), &mut info, &wait) };
        if got == libc::SIGALRM {
            // The timer is off while this thread keeps the deadline: a SIGALRM now is either the
            // alarm that fired just before it took over, or one sent from outside (forwarded by
            // the handler, which said so, or taken here straight).
            if ALARM_FROM_OUTSIDE.load(Ordering::SeqCst) || alarm_from_outside(&info) {
                INTERRUPTED.store(true, Ordering::SeqCst);
                break got;
            }
            break 0;
        }
        if got > 0 {
            INTERRUPTED.store(true, Ordering::SeqCst);
            break got;
        }
        // EAGAIN (time is up: checked at the top) or EINTR (try again).
    };
    // The line now, while "doing" still names the tool: a tool that ends of the same signal
    // lets the check clear it.
    let mut line = [0u8; ENDING_LINE_MAX];
    let len = ending_line(sig, &mut line);
    // Tools first, so that none outlives the plugin.
    tool::kill_all_children();
    if ENDING.swap(true, Ordering::SeqCst) {
        // The check's result is being written: a grace, as in the handler.
        std::thread::sleep(Duration::from_millis(100));
        exit_now(Status::Unknown.exit_code())
    }
    write_line_and_exit(&line[..len])
}

static PANIC_MESSAGE: Mutex<Option<String>> = Mutex::new(None);
static SERVICE: OnceLock<&'static str> = OnceLock::new();
/// The thread the runner runs on (without std's start-up it has no name to tell it by).
static MAIN_THREAD: OnceLock<std::thread::ThreadId> = OnceLock::new();

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
        if MAIN_THREAD.get() != Some(&std::thread::current().id()) {
            tool::kill_all_children();
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The handler's line is byte for byte what `Report::render` writes for the same message,
    /// long "while" tails and small caps included.
    #[test]
    fn the_prepared_ending_line_is_the_rendered_one() {
        HEADER.store(b"PROBE UNKNOWN - ");
        TIMED_OUT.store(b"timed out after 1.5 s");
        let long = "é|x\t".repeat(700);
        for doing in ["", "reading /proc/mdstat", "asking a|b\nc  ", long.as_str()] {
            crate::context::Context::for_root("/").doing(doing);
            for cap in [256, 1000, 4096, 65_536] {
                MAX_OUTPUT.store(cap, Ordering::Relaxed);
                for (sig, reason) in [
                    (0, "timed out after 1.5 s"),
                    (libc::SIGTERM, "interrupted by SIGTERM"),
                    (libc::SIGHUP, "interrupted by SIGHUP"),
                    (libc::SIGUSR1, "interrupted by SIGUSR1"),
                    (libc::SIGALRM, "interrupted by SIGALRM"),
                ] {
                    let mut message = reason.to_string();
                    if !doing.is_empty() {
                        message.push_str(" while ");
                        message.push_str(doing);
                    }
                    let mut report = Report::new();
                    report.add(Finding::unknown("").summary(message.as_str()));
                    let want = unknown_text(&report, "PROBE", &message, cap.min(4096));
                    let mut line = [0u8; ENDING_LINE_MAX];
                    let n = ending_line(sig, &mut line);
                    assert_eq!(std::str::from_utf8(&line[..n]).unwrap(), want, "{cap}");
                }
            }
        }
        crate::context::Context::for_root("/").doing("");
        MAX_OUTPUT.store(DEFAULT_MAX_OUTPUT, Ordering::Relaxed);
    }
}
