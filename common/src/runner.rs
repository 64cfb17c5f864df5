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
//! that would end the process (SIGUSR1, SIGXCPU, ...: see `ending::ENDING_SIGNALS`) print `SERVICE
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
//! at most the thread that writes to it, never the end of the run. That machinery (the one
//! writer, the handler, the alarm, the guard thread) is the `ending` module; this one parses
//! options, runs the check and hands its report over.

use crate::context::{Context, InputSpec};
use crate::ending::{arm_timeout, emit, install_signal_handlers, MAX_OUTPUT};
use crate::error::CheckError;
use crate::report::{Finding, Report, DEFAULT_MAX_OUTPUT};
use crate::status::Status;
use crate::sudoers;
use crate::tool::{self, ToolCommand};
use clap::{Arg, ArgAction, ArgMatches, Command};
use std::panic::{self, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::atomic::Ordering;
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
            Ok(mut report) => {
                for warning in crate::secret::take_open_file_warnings() {
                    report.add(warning);
                }
                match report.render(service, standard.verbosity, standard.max_output) {
                    Ok(text) => emit(&text, report.status()),
                    Err(e) => emit_unknown(service, &format!("internal error: {e}"), None),
                }
            }
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

pub(crate) fn emit_unknown(service: &str, message: &str, long: Option<&str>) -> ! {
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

pub(crate) fn unknown_text(
    report: &Report,
    service: &str,
    message: &str,
    max_output: usize,
) -> String {
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

static PANIC_MESSAGE: Mutex<Option<String>> = Mutex::new(None);
static SERVICE: OnceLock<&'static str> = OnceLock::new();

/// The plugin's service words, for messages printed before or outside its report.
pub(crate) fn service() -> &'static str {
    SERVICE.get().copied().unwrap_or("PLUGIN")
}
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
