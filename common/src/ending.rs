//! How a run ends: exactly one writer, and nothing that can block it. The check's result,
//! the `-t` alarm, an ending signal and a panic on another thread race to end the run; the
//! [`ENDING`] flag lets only the first print. `-t` is a `setitimer` alarm; the ending signals
//! and SIGALRM have a handler that does only async-signal-safe work (it writes a line prepared
//! in normal context and `_exit(3)`s), and a run that starts a tool also has the guard thread,
//! which stops the tools' whole subtrees (a walk of /proc no handler may do). Output goes
//! straight to file descriptor 1 and the process ends with `_exit`, so a stdout pipe nobody
//! reads can hold up the writer, never the end of the run. See [`crate::runner`] for the
//! states each way ends in.

use crate::context;
use crate::perfdata::format_number;
use crate::report::DEFAULT_MAX_OUTPUT;
use crate::status::Status;
use crate::tool;
use nix::sys::signal::{SigSet, Signal};
use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Set by whoever ends the run first (the check's result, the timeout, a signal, a panic on
/// another thread): only that one prints. An atomic, not a lock: the guard must never wait on
/// something a writer blocked on a full stdout pipe holds.
pub(crate) static ENDING: AtomicBool = AtomicBool::new(false);

/// `--max-output`, for messages printed outside the check's own report.
pub(crate) static MAX_OUTPUT: AtomicUsize = AtomicUsize::new(DEFAULT_MAX_OUTPUT);

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
    // The list itself, not a SigSet of it: iterating a SigSet tests every signal number
    // (checked per file read, through set_doing: 45 sigismember calls a read, callgrind).
    // SAFETY: a set sigpending filled in.
    ENDING_SIGNALS
        .iter()
        .any(|(s, _)| unsafe { libc::sigismember(&pending, *s as libc::c_int) } == 1)
}

pub(crate) fn emit(text: &str, status: Status) -> ! {
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
pub(crate) fn exit_now(code: i32) -> ! {
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

pub(crate) fn install_signal_handlers(service: &str) {
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
pub(crate) fn arm_timeout(seconds: f64, deadline: Instant) {
    let _ = DEADLINE.set(deadline);
    let shown = format_number(seconds).unwrap_or_else(|| seconds.to_string());
    TIMED_OUT.store(format!("timed out after {shown} s").as_bytes());
    let left = deadline.saturating_duration_since(Instant::now());
    if !set_alarm(left.max(Duration::from_micros(1))) {
        // Without the alarm nothing would enforce -t: refuse to run rather than risk a hang.
        crate::runner::emit_unknown(crate::runner::service(), "cannot set the timeout", None)
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
    // Tools first, so that none outlives the plugin; then the scratch directories they used.
    tool::kill_all_children();
    crate::scratch::remove_all();
    if ENDING.swap(true, Ordering::SeqCst) {
        // The check's result is being written: a grace, as in the handler.
        std::thread::sleep(Duration::from_millis(100));
        exit_now(Status::Unknown.exit_code())
    }
    write_line_and_exit(&line[..len])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Finding, Report};
    use crate::runner::unknown_text;

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
                    // "doing" is the process' one global: another unit test on another thread
                    // (a context test reading a file) may set it between our set and the
                    // line. So set it again and retry a few times; a real mismatch fails
                    // every try.
                    let mut got = String::new();
                    for _ in 0..50 {
                        crate::context::Context::for_root("/").doing(doing);
                        let mut line = [0u8; ENDING_LINE_MAX];
                        let n = ending_line(sig, &mut line);
                        got = String::from_utf8_lossy(&line[..n]).into_owned();
                        if got == want {
                            break;
                        }
                    }
                    assert_eq!(got, want, "{cap}");
                }
            }
        }
        crate::context::Context::for_root("/").doing("");
        MAX_OUTPUT.store(DEFAULT_MAX_OUTPUT, Ordering::Relaxed);
    }
}
