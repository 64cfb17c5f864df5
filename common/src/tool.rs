//! Running external tools: no shell, explicit argv, `LC_ALL=C`, a timeout, captured output.
//!
//! Tools never outlive the plugin, whoever ends it:
//! - Tools run in the plugin's own process group, so NRPE's and Nagios' kill of the plugin's
//!   process group on their timeout (`kill(-pgid)`), or a terminal's Ctrl-C, reaches them, sudo
//!   and its child included (unless sudo puts its child on a pty of its own, `use_pty`: then
//!   only sudo's relay reaches it, see below).
//! - The plugin is a child subreaper: what a tool leaves behind (a shell script's children, a
//!   daemon that forked twice and called setsid) is re-parented to the plugin instead of init,
//!   so it can be found (`/proc/self/task/*/children`) and killed. It is, as soon as the tool
//!   itself exits: a grandchild holding stdout open cannot turn a good answer into a timeout.
//! - The runner's timeout and SIGTERM/SIGINT/SIGHUP kill every process below the plugin.
//!   SIGTERM first, then SIGKILL after a short grace: sudo relays SIGTERM to its child, which
//!   runs as root and which the plugin may not signal itself; sudo cannot relay SIGKILL.
//! - Each direct child gets the parent-death signal (SIGKILL).
//!
//! What the kernel makes impossible: when the plugin's pid alone is killed with SIGKILL (not its
//! group), no code of the plugin runs. The direct child still dies by its parent-death signal,
//! but setuid sudo clears that signal, and grandchildren never had it: those survive, re-parented
//! to init. Every daemon we know (NRPE, Nagios, Icinga 2) kills the whole group, which does
//! reach them, except a root child of sudo on its own pty.

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Direct children (tools) running now; their subtrees belong to their own `run`.
static RUNNING: Mutex<Vec<i32>> = Mutex::new(Vec::new());

/// Most a tool may print on stdout or stderr unless the command says otherwise: more than
/// that is an error, not a partial answer, and the tool is stopped.
pub const TOOL_OUTPUT_CAP: usize = 8 * 1024 * 1024;

/// Between SIGTERM and SIGKILL: time for sudo to relay the SIGTERM to its child.
const TERM_GRACE: Duration = Duration::from_millis(50);

/// How long the pipes are still read after the tool exited (what is left in them comes at
/// once; a pipe still open after that is held by a process we could not stop).
const PIPE_LINGER: Duration = Duration::from_millis(200);

/// A tool to run.
#[derive(Debug, Clone)]
pub struct ToolCommand {
    pub program: String,
    pub args: Vec<String>,
    /// Run through `sudo -n` (no password prompt; fails at once if not allowed).
    pub sudo: bool,
    /// Per-call timeout; the runner's global deadline still applies.
    pub timeout: Option<Duration>,
    /// Cap on stdout and on stderr each ([`TOOL_OUTPUT_CAP`] unless set).
    pub max_output: Option<usize>,
}

impl ToolCommand {
    pub fn new(program: impl Into<String>) -> ToolCommand {
        ToolCommand {
            program: program.into(),
            args: Vec::new(),
            sudo: false,
            timeout: None,
            max_output: None,
        }
    }
    pub fn arg(mut self, arg: impl Into<String>) -> Self {
        self.args.push(arg.into());
        self
    }
    pub fn args<I: IntoIterator<Item = S>, S: Into<String>>(mut self, args: I) -> Self {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }
    pub fn sudo(mut self, sudo: bool) -> Self {
        self.sudo = sudo;
        self
    }
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }
    /// A cap of this tool's own on what it prints (a tool whose output can be large).
    pub fn max_output(mut self, bytes: usize) -> Self {
        self.max_output = Some(bytes);
        self
    }
    /// The command line as a user would type it, for messages.
    pub fn display(&self) -> String {
        let mut parts = Vec::new();
        if self.sudo {
            parts.push("sudo -n".to_string());
        }
        parts.push(self.program.clone());
        parts.extend(self.args.iter().cloned());
        parts.join(" ")
    }
}

/// What a tool printed and how it ended. A non-zero exit is not an error here: many tools
/// report state through it, so the caller decides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolOutput {
    /// Exit code; None when killed by a signal.
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl ToolOutput {
    pub fn success(&self) -> bool {
        self.code == Some(0)
    }
    /// The tool failed for lack of privilege (it says so in the words of EACCES/EPERM or
    /// "must be root"): the caller then names the sudoers line that fixes it.
    pub fn lacks_privilege(&self) -> bool {
        if self.success() {
            return false;
        }
        let text = format!("{}\n{}", self.stderr, self.stdout).to_ascii_lowercase();
        [
            "permission denied",
            "operation not permitted",
            "must be root",
            "requires root",
        ]
        .iter()
        .any(|w| text.contains(w))
    }

    /// The first non-empty line of stderr (or stdout), for one-line error messages.
    pub fn first_error_line(&self) -> String {
        self.stderr
            .lines()
            .chain(self.stdout.lines())
            .map(str::trim)
            .find(|l| !l.is_empty())
            .unwrap_or("no output")
            .to_string()
    }
}

/// Why a tool could not be run to its end.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ToolError {
    #[error("{program} not found{}", if program.contains('/') { "; check the path".to_string() } else { " in PATH; install it or give its path".to_string() })]
    NotFound { program: String },
    #[error(
        "permission denied running {program}; run the check as root, or through sudo and {fix}"
    )]
    PermissionDenied {
        program: String,
        /// What fixes it: the exact sudoers line (see [`crate::sudoers::hint`]).
        fix: String,
    },
    #[error("{command} did not finish within {seconds} s; it was killed")]
    TimedOut { command: String, seconds: f64 },
    #[error("cannot run {program}: {reason}")]
    Spawn { program: String, reason: String },
    #[error("sudo refused to run {program} without a password; {fix}")]
    SudoRefused {
        program: String,
        /// The exact sudoers line that allows this command line (see [`crate::sudoers::hint`]).
        fix: String,
    },
    #[error("output of {command} is larger than {size}, not read whole; it was stopped")]
    OutputTooLarge { command: String, size: String },
}

/// Run a tool until it ends or `limit` passes. Used by `Context::run_tool`, which sets the
/// limit from the per-call timeout and the global deadline.
pub(crate) fn run(cmd: &ToolCommand, limit: Duration) -> Result<ToolOutput, ToolError> {
    run_via(cmd, "sudo", limit)
}

/// `run` with the sudo program given (tests use a stand-in for sudo).
fn run_via(cmd: &ToolCommand, sudo: &str, limit: Duration) -> Result<ToolOutput, ToolError> {
    let (program, args): (&str, Vec<&str>) = if cmd.sudo {
        let mut a = vec!["-n", cmd.program.as_str()];
        a.extend(cmd.args.iter().map(String::as_str));
        (sudo, a)
    } else {
        (
            cmd.program.as_str(),
            cmd.args.iter().map(String::as_str).collect(),
        )
    };
    let mut command = Command::new(program);
    command
        .args(&args)
        .env("LC_ALL", "C")
        .env("LANG", "C")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    become_subreaper();
    // SAFETY: sigprocmask and prctl(PR_SET_PDEATHSIG) are async-signal-safe: one system call
    // each, no allocation.
    unsafe {
        command.pre_exec(|| {
            // A blocked mask survives exec (the runner blocks the guard's signals while it
            // starts the guard thread, a plugin thread may block them too): unblocked, a tool
            // dies of a group SIGTERM as it should (and a shell script's background children,
            // which dash starts with the mask it had). The runner's handlers do not survive
            // exec; before exec they die of the signal as the tool would.
            nix::sys::signal::sigprocmask(
                nix::sys::signal::SigmaskHow::SIG_SETMASK,
                Some(&nix::sys::signal::SigSet::empty()),
                None,
            )
            .map_err(std::io::Error::from)?;
            #[cfg(target_os = "linux")]
            nix::sys::prctl::set_pdeathsig(nix::sys::signal::Signal::SIGKILL)
                .map_err(std::io::Error::from)?;
            Ok(())
        });
    }
    let cap = cmd.max_output.unwrap_or(TOOL_OUTPUT_CAP);
    let started = Instant::now();
    // Spawned and registered under the lock, so that another thread stopping what its own
    // tool left behind never takes this one, just forked, for a leftover.
    let mut running = running_tools();
    let spawned = command.spawn();
    if let Ok(child) = &spawned {
        running.push(child.id() as i32);
    }
    drop(running);
    let mut child = spawned.map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => ToolError::NotFound {
            program: program.to_string(),
        },
        std::io::ErrorKind::PermissionDenied => ToolError::PermissionDenied {
            program: program.to_string(),
            fix: crate::sudoers::hint(cmd),
        },
        _ => ToolError::Spawn {
            program: program.to_string(),
            reason: crate::context::io_reason(&e),
        },
    })?;
    let pid = child.id() as i32;

    let mut pipes: Vec<Pipe> = [
        child.stdout.take().map(OwnedFd::from),
        child.stderr.take().map(OwnedFd::from),
    ]
    .into_iter()
    .map(Pipe::new)
    .collect();
    // Woken by the tool's end itself, not by a poll of it: a run ends as soon as the tool does.
    // Without such a notice (none could be set up), the exit is polled every few ms instead.
    let exited = exit_notice(pid);
    let tick = if exited.is_some() {
        limit
    } else {
        Duration::from_millis(5)
    };
    let ended = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Ended::Exited(status),
            Ok(None) => {}
            Err(e) => break Ended::Failed(e.to_string()),
        }
        let left = limit.saturating_sub(started.elapsed());
        if left.is_zero() {
            break Ended::TimedOut;
        }
        if pump(&mut pipes, exited.as_ref(), left.min(tick), cap).is_err() {
            break Ended::OverCap;
        }
    };
    let status = match ended {
        Ended::Exited(status) => status,
        other => {
            unregister(pid);
            stop_processes_below_self();
            let _ = child.wait();
            return Err(match other {
                Ended::TimedOut => ToolError::TimedOut {
                    command: cmd.display(),
                    seconds: (limit.as_secs_f64() * 10.0).round() / 10.0,
                },
                Ended::OverCap => ToolError::OutputTooLarge {
                    command: cmd.display(),
                    size: crate::context::size_text(cap),
                },
                Ended::Failed(reason) => ToolError::Spawn {
                    program: program.to_string(),
                    reason,
                },
                Ended::Exited(_) => unreachable!("handled above"),
            });
        }
    };
    unregister(pid);
    // Whatever the tool left running (it may have forked, or daemonised) goes too; that also
    // closes the pipes it inherited, so their end is seen below.
    stop_processes_below_self();
    let linger_until = Instant::now() + PIPE_LINGER;
    while pipes.iter().any(|p| p.fd.is_some()) {
        // Held open by something we could not stop: what the tool wrote is in already.
        let left = linger_until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        if pump(&mut pipes, None, left, cap).is_err() {
            return Err(ToolError::OutputTooLarge {
                command: cmd.display(),
                size: crate::context::size_text(cap),
            });
        }
    }
    let mut texts = pipes.into_iter().map(|p| text_of(p.buf));
    let output = ToolOutput {
        code: status.code(),
        stdout: texts.next().unwrap_or_default(),
        stderr: texts.next().unwrap_or_default(),
    };
    // sudo -n without a matching rule says one of these (sudo 1.8 to 1.9), exit 1.
    let refused = [
        "a password is required",
        "is not allowed to execute",
        "not in the sudoers file",
    ];
    if cmd.sudo && output.code == Some(1) && refused.iter().any(|r| output.stderr.contains(r)) {
        return Err(ToolError::SudoRefused {
            program: cmd.program.clone(),
            fix: crate::sudoers::hint(cmd),
        });
    }
    // A program that exists but may not be executed by this user (exec by a wrapper such as
    // sudo or env) reports 126; 127 is "not found" from such a wrapper.
    match output.code {
        Some(126) if cmd.sudo => Err(ToolError::PermissionDenied {
            program: cmd.program.clone(),
            fix: crate::sudoers::hint(cmd),
        }),
        Some(127) if cmd.sudo => Err(ToolError::NotFound {
            program: cmd.program.clone(),
        }),
        _ => Ok(output),
    }
}

enum Ended {
    Exited(std::process::ExitStatus),
    TimedOut,
    OverCap,
    Failed(String),
}

/// One of the tool's output pipes, read by `run` itself when poll says it has something:
/// no reader thread to start and to schedule per tool.
struct Pipe {
    /// None once closed (end of file or an error).
    fd: Option<OwnedFd>,
    buf: Vec<u8>,
}

impl Pipe {
    fn new(fd: Option<OwnedFd>) -> Pipe {
        // Non-blocking, so that one wake-up drains what is there and never blocks in read.
        // If that cannot be set, a read still never blocks: it only follows poll's POLLIN.
        if let Some(fd) = &fd {
            // SAFETY: fcntl on a descriptor we own.
            unsafe {
                let flags = libc::fcntl(fd.as_raw_fd(), libc::F_GETFL);
                if flags >= 0 {
                    libc::fcntl(fd.as_raw_fd(), libc::F_SETFL, flags | libc::O_NONBLOCK);
                }
            }
        }
        Pipe {
            fd,
            buf: Vec::new(),
        }
    }

    /// Read what is there now, never keeping more than `cap` bytes. Err: over the cap.
    fn drain(&mut self, cap: usize, chunk: &mut [u8]) -> Result<(), ()> {
        let Some(fd) = &self.fd else { return Ok(()) };
        loop {
            // SAFETY: read into a buffer of ours of the length given.
            let n = unsafe { libc::read(fd.as_raw_fd(), chunk.as_mut_ptr().cast(), chunk.len()) };
            if n > 0 {
                let n = n as usize;
                if self.buf.len() + n > cap {
                    return Err(());
                }
                self.buf.extend_from_slice(&chunk[..n]);
                if n < chunk.len() {
                    return Ok(()); // the pipe is empty now: no read just to hear EAGAIN
                }
                continue;
            }
            let errno = std::io::Error::last_os_error().raw_os_error();
            match (n, errno) {
                (0, _) => break,
                (_, Some(libc::EINTR)) => continue,
                (_, Some(libc::EAGAIN)) => return Ok(()),
                _ => break,
            }
        }
        self.fd = None;
        Ok(())
    }
}

/// Wait up to `wait` for output or for the tool's exit notice, and read what came. Err: a pipe
/// went over `cap`.
fn pump(
    pipes: &mut [Pipe],
    exited: Option<&OwnedFd>,
    wait: Duration,
    cap: usize,
) -> Result<(), ()> {
    let mut fds: Vec<libc::pollfd> = pipes
        .iter()
        .filter_map(|p| p.fd.as_ref())
        .chain(exited)
        .map(|fd| libc::pollfd {
            fd: fd.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        })
        .collect();
    // Rounded up: a deadline less than 1 ms away must not become a busy loop of poll(0).
    let ms = wait.as_micros().div_ceil(1000).min(i32::MAX as u128) as libc::c_int;
    // SAFETY: poll on an array of ours of the length given.
    let ready = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, ms) };
    if ready <= 0 {
        return Ok(()); // time is up or a signal came: the caller looks again
    }
    let mut chunk = [0u8; 16 * 1024];
    let mut polled = fds.iter();
    for pipe in pipes.iter_mut().filter(|p| p.fd.is_some()) {
        if polled.next().is_some_and(|f| f.revents != 0) {
            pipe.drain(cap, &mut chunk)?;
        }
    }
    Ok(())
}

/// A descriptor that becomes readable when the tool has exited (left a zombie for `run` to
/// reap through its `Child`): a pidfd (Linux 5.3+), else, on EL6/EL7 kernels, the read end of a
/// pipe whose write end a thread closes when waitid(P_PID, WEXITED|WNOWAIT) returns (Linux
/// 2.6.9+). WNOWAIT: zombies of registered tools are reaped by no one else, so no exit status
/// is taken from its owner; when `run` reaps the tool first (timeout, over cap), waitid fails
/// with ECHILD and the thread ends all the same. None when neither could be set up.
fn exit_notice(pid: i32) -> Option<OwnedFd> {
    // SAFETY: pidfd_open takes a pid and flags; the descriptor it returns is ours (CLOEXEC).
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    if fd >= 0 {
        // SAFETY: a new descriptor nobody else owns.
        return Some(unsafe { OwnedFd::from_raw_fd(fd as RawFd) });
    }
    exit_watcher(pid)
}

/// The older kernels' exit notice of [`exit_notice`]: a thread in waitid and a pipe.
fn exit_watcher(pid: i32) -> Option<OwnedFd> {
    let mut ends = [0 as libc::c_int; 2];
    // SAFETY: pipe2 fills the array given; CLOEXEC: no tool inherits it.
    if unsafe { libc::pipe2(ends.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return None;
    }
    // SAFETY: two new descriptors nobody else owns.
    let (read_end, write_end) =
        unsafe { (OwnedFd::from_raw_fd(ends[0]), OwnedFd::from_raw_fd(ends[1])) };
    std::thread::Builder::new()
        .name("tool-exit".into())
        .stack_size(64 * 1024)
        .spawn(move || {
            loop {
                // SAFETY: a zeroed siginfo for waitid to fill; no other memory is touched.
                let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
                let got = unsafe {
                    libc::waitid(
                        libc::P_PID,
                        pid as libc::id_t,
                        &mut info,
                        libc::WEXITED | libc::WNOWAIT,
                    )
                };
                if got == 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::EINTR) {
                    break;
                }
            }
            drop(write_end); // POLLHUP on the read end
        })
        .ok()
        .map(|_| read_end)
}

/// The captured bytes as text without a second copy when they are valid UTF-8.
fn text_of(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Orphans of our tools come back to us instead of init (set once, before the first tool).
fn become_subreaper() {
    static DONE: AtomicBool = AtomicBool::new(false);
    if !DONE.swap(true, Ordering::Relaxed) {
        #[cfg(target_os = "linux")]
        let _ = nix::sys::prctl::set_child_subreaper(true);
    }
}

fn running_tools() -> std::sync::MutexGuard<'static, Vec<i32>> {
    // A panic elsewhere while holding it leaves a valid list.
    RUNNING.lock().unwrap_or_else(|e| e.into_inner())
}

fn unregister(pid: i32) {
    running_tools().retain(|p| *p != pid);
}

/// Kill every process below this one (the runner's timeout and signals call this).
pub(crate) fn kill_all_children() {
    stop_processes(false);
}

/// Stop what a tool left behind, sparing other tools still running (and what is below them).
/// Called by the thread that ran the tool, never by the guard, so it may wait for the lock.
fn stop_processes_below_self() {
    stop_processes(true);
}

/// SIGTERM to every live process below this one, then SIGKILL to those still there after a
/// short grace (for sudo: it relays SIGTERM, it cannot relay SIGKILL), then reap the zombies
/// that are ours and belong to no running tool. With `spare_running`, each round lists and
/// signals while holding the list of running tools: a tool is spawned and registered under
/// that lock, so one started by another thread a moment ago is never taken for a leftover
/// (a snapshot taken before the listing was: that tool's output was lost now and then).
fn stop_processes(spare_running: bool) {
    use nix::sys::signal::{kill, Signal};
    use nix::unistd::Pid;
    let me = std::process::id() as i32;
    // Processes below this one, zombies included (none: nothing to stop or reap); the live
    // ones are signalled with `signal` if given. Returns (all, live) counts.
    let round = |signal: Option<Signal>| -> (usize, usize) {
        let running = spare_running.then(running_tools);
        let spare: &[i32] = running.as_deref().map_or(&[], |r| r.as_slice());
        let below = processes_below(me, spare);
        let alive: Vec<i32> = below.iter().copied().filter(|p| !is_zombie(*p)).collect();
        if let Some(signal) = signal {
            for pid in &alive {
                let _ = kill(Pid::from_raw(*pid), signal);
            }
        }
        (below.len(), alive.len())
    };
    let (found, alive) = round(Some(Signal::SIGTERM));
    if found == 0 {
        // The usual end of a tool: nothing left behind, no zombie of ours to reap (a leftover
        // that becomes one later was alive now, hence found).
        return;
    }
    if alive > 0 {
        let until = Instant::now() + TERM_GRACE;
        while Instant::now() < until && round(None).1 > 0 {
            std::thread::sleep(Duration::from_millis(5));
        }
        // A few rounds: a process may fork while it is being killed.
        for _ in 0..5 {
            if round(Some(Signal::SIGKILL)).1 == 0 {
                break;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }
    // Reaping needs to know which zombies belong to a running tool's own wait; when that is
    // not known now, leave them (a zombie costs nothing and ends with the plugin).
    let Ok(running) = RUNNING.try_lock().map(|r| r.clone()) else {
        return;
    };
    for pid in children_of(me) {
        if !running.contains(&pid) && is_zombie(pid) {
            let _ = nix::sys::wait::waitpid(
                Pid::from_raw(pid),
                Some(nix::sys::wait::WaitPidFlag::WNOHANG),
            );
        }
    }
}

/// Every process below `root`, not descending into (nor listing) `spare`.
fn processes_below(root: i32, spare: &[i32]) -> Vec<i32> {
    let mut found = Vec::new();
    let mut queue = children_of(root);
    while let Some(pid) = queue.pop() {
        if spare.contains(&pid) || found.contains(&pid) {
            continue;
        }
        found.push(pid);
        queue.extend(children_of(pid));
    }
    found
}

/// Children of a process: the children of each of its threads (a re-parented orphan may be
/// listed under any thread of a subreaper). Kernels without that file (before 3.5) are
/// scanned for the parent pid instead; that is decided on the thread-group leader, whose
/// task directory lives as long as the process. A thread that ended between the listing and
/// the read (an old kernel's exit watcher, a plugin's own thread) is only skipped: treating its
/// vanished file as "this kernel has none" made every tool run scan all of /proc (about 500
/// stat files on a quiet machine, measured with strace for check_ipmi). The kernel's answer is
/// kept once known (one stat less per process looked at).
fn children_of(pid: i32) -> Vec<i32> {
    use std::sync::atomic::AtomicU8;
    const UNKNOWN: u8 = 0;
    const LISTED: u8 = 1;
    const SCAN: u8 = 2;
    static KERNEL: AtomicU8 = AtomicU8::new(UNKNOWN);
    let mut children = Vec::new();
    if KERNEL.load(Ordering::Relaxed) == UNKNOWN {
        let leader = format!("/proc/{pid}/task/{pid}");
        if Path::new(&format!("{leader}/children")).exists() {
            KERNEL.store(LISTED, Ordering::Relaxed);
        } else if Path::new(&leader).exists() {
            KERNEL.store(SCAN, Ordering::Relaxed);
        } else {
            return children; // gone: it tells nothing about the kernel
        }
    }
    if KERNEL.load(Ordering::Relaxed) == SCAN {
        return children_by_scan(pid);
    }
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return children;
    };
    for task in tasks.flatten() {
        if let Ok(text) = std::fs::read_to_string(task.path().join("children")) {
            children.extend(
                text.split_whitespace()
                    .filter_map(|p| p.parse::<i32>().ok()),
            );
        }
    }
    children
}

fn children_by_scan(parent: i32) -> Vec<i32> {
    let Ok(all) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    all.flatten()
        .filter_map(|e| e.file_name().to_str().and_then(|n| n.parse::<i32>().ok()))
        .filter(|pid| stat_fields(*pid).is_some_and(|(_, ppid)| ppid == parent))
        .collect()
}

/// State letter and parent pid from /proc/PID/stat (after the command name, which may hold
/// spaces and parentheses, hence the last ')').
fn stat_fields(pid: i32) -> Option<(char, i32)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &stat[stat.rfind(')')? + 1..];
    let mut fields = rest.split_whitespace();
    let state = fields.next()?.chars().next()?;
    let ppid = fields.next()?.parse().ok()?;
    Some((state, ppid))
}

/// A zombie (or a process already gone) needs no signal.
fn is_zombie(pid: i32) -> bool {
    stat_fields(pid).is_none_or(|(state, _)| state == 'Z' || state == 'X')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_without_a_shell_with_lc_all_c() {
        let out = run(
            &ToolCommand::new("sh").args(["-c", "echo $LC_ALL; echo 'a;b' >&2; exit 3"]),
            Duration::from_secs(5),
        )
        .unwrap();
        assert_eq!(out.stdout, "C\n");
        assert_eq!(out.stderr, "a;b\n");
        assert_eq!(out.code, Some(3));
        // the argv is passed as is: no word splitting, no globbing
        let out = run(
            &ToolCommand::new("echo").arg("* $HOME ;ls"),
            Duration::from_secs(5),
        )
        .unwrap();
        assert_eq!(out.stdout, "* $HOME ;ls\n");
    }

    #[test]
    fn a_tool_that_says_permission_denied_lacks_privilege() {
        let out = |code, stderr: &str| ToolOutput {
            code: Some(code),
            stdout: String::new(),
            stderr: stderr.into(),
        };
        assert!(out(1, "teamdctl: Failed to connect: Permission denied").lacks_privilege());
        assert!(out(1, "storcli: Operation not permitted").lacks_privilege());
        assert!(out(2, "You must be root to run this").lacks_privilege());
        assert!(!out(1, "Device \"team7\" does not exist").lacks_privilege());
        assert!(!out(0, "permission denied (but it worked)").lacks_privilege());
    }

    #[test]
    fn a_missing_tool_says_so() {
        let err = run(
            &ToolCommand::new("no-such-tool-euca-checks"),
            Duration::from_secs(5),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "no-such-tool-euca-checks not found in PATH; install it or give its path"
        );
    }

    #[test]
    fn a_missing_tool_given_by_path_is_not_said_to_be_missing_from_path() {
        let err = run(
            &ToolCommand::new("/nonexistent/teamdctl"),
            Duration::from_secs(5),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "/nonexistent/teamdctl not found; check the path"
        );
    }

    #[test]
    fn a_file_that_is_not_executable_is_permission_denied() {
        let dir = std::env::temp_dir().join(format!("euca-tool-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("not-exec");
        std::fs::write(&path, "#!/bin/sh\necho hi\n").unwrap();
        let err = run(
            &ToolCommand::new(path.to_string_lossy()),
            Duration::from_secs(5),
        )
        .unwrap_err();
        assert!(matches!(err, ToolError::PermissionDenied { .. }), "{err}");
        assert!(err.to_string().contains("sudoers"));
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_sudo_refusal_names_the_exact_sudoers_line() {
        // A stand-in for sudo, first in PATH, that refuses as sudo -n does without a rule.
        let dir = std::env::temp_dir().join(format!("euca-sudo-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let sudo = dir.join("sudo");
        std::fs::write(
            &sudo,
            "#!/bin/sh\necho 'sudo: a password is required' >&2\nexit 1\n",
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&sudo, std::fs::Permissions::from_mode(0o755)).unwrap();
        let cmd = ToolCommand::new("/usr/bin/teamdctl")
            .args(["team0", "state", "dump"])
            .sudo(true);
        // the stand-in is given by path: a test must not change the PATH of other threads
        let err = run_via(&cmd, sudo.to_str().unwrap(), Duration::from_secs(5)).unwrap_err();
        let me = crate::sudoers::current_user();
        assert_eq!(
            err.to_string(),
            format!(
                "sudo refused to run /usr/bin/teamdctl without a password; allow it in sudoers: \
                 {me} ALL=(root) NOPASSWD: /usr/bin/teamdctl team0 state dump"
            )
        );
        assert!(!err.to_string().contains('*'));
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_tool_ending_does_not_take_down_another_tool_still_running() {
        // The slow tool's own child is its business, not a leftover of the quick ones.
        let slow = std::thread::spawn(|| {
            run(
                &ToolCommand::new("sh").args(["-c", "sleep 0.6 & wait; echo slow done"]),
                Duration::from_secs(5),
            )
        });
        std::thread::sleep(Duration::from_millis(100));
        for _ in 0..5 {
            let quick = run(
                &ToolCommand::new("echo").arg("quick"),
                Duration::from_secs(5),
            );
            assert_eq!(quick.unwrap().stdout, "quick\n");
        }
        let slow = slow.join().unwrap().unwrap();
        assert_eq!(slow.stdout, "slow done\n");
        assert_eq!(slow.code, Some(0));
    }

    #[test]
    fn a_tool_over_its_output_cap_is_an_error_and_is_stopped() {
        let started = Instant::now();
        let err = run(
            &ToolCommand::new("sh")
                .args(["-c", "yes; sleep 30"])
                .max_output(64 * 1024),
            Duration::from_secs(10),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "output of sh -c yes; sleep 30 is larger than 64 KiB, not read whole; it was stopped"
        );
        assert!(started.elapsed() < Duration::from_secs(3));
    }

    #[test]
    fn both_pipes_are_read_whole_when_each_holds_more_than_a_pipe_buffer() {
        // 300 000 bytes on each, written in turns: a runner reading one pipe only would leave
        // the tool blocked on the other (a pipe holds 64 KiB).
        let out = run(
            &ToolCommand::new("sh").args([
                "-c",
                "for i in 1 2 3; do head -c 100000 /dev/zero | tr '\\0' o; \
                 head -c 100000 /dev/zero | tr '\\0' e >&2; done; echo end",
            ]),
            Duration::from_secs(10),
        )
        .unwrap();
        assert_eq!(out.code, Some(0));
        assert_eq!(out.stdout.len(), 300_004);
        assert!(out.stdout.ends_with("oend\n"));
        assert_eq!(out.stderr, "e".repeat(300_000));
    }

    #[test]
    fn the_exit_watcher_of_old_kernels_wakes_at_the_exit_and_leaves_the_status() {
        // Spawned and registered under the running-tools lock, as the runner does: the other
        // tests of this process end their tool runs by stopping every unregistered process
        // below it, which took this shell down now and then (SIGTERM within the first 50 ms).
        let mut child = {
            let mut running = running_tools();
            let child = Command::new("sh")
                .args(["-c", "sleep 0.2; exit 7"])
                .spawn()
                .unwrap();
            running.push(child.id() as i32);
            child
        };
        let started = Instant::now();
        let notice = exit_watcher(child.id() as i32).unwrap();
        let mut pipes: Vec<Pipe> = Vec::new();
        // Not yet: the tool still runs.
        pump(&mut pipes, Some(&notice), Duration::from_millis(50), 1).unwrap();
        assert_eq!(child.try_wait().unwrap(), None);
        pump(&mut pipes, Some(&notice), Duration::from_secs(5), 1).unwrap();
        let woke = started.elapsed();
        assert!(woke >= Duration::from_millis(150), "{woke:?}");
        assert!(woke < Duration::from_secs(3), "{woke:?}");
        // WNOWAIT: the exit status is still there for the owner to take.
        let status = child.try_wait().unwrap();
        unregister(child.id() as i32);
        assert_eq!(status.and_then(|s| s.code()), Some(7));
    }

    #[test]
    fn a_hung_tool_and_its_children_are_killed_at_the_timeout() {
        let started = Instant::now();
        // The shell starts a grandchild that would outlive a plain kill of the shell.
        let err = run(
            &ToolCommand::new("sh").args(["-c", "sleep 30 & sleep 30; wait"]),
            Duration::from_millis(300),
        )
        .unwrap_err();
        assert!(matches!(err, ToolError::TimedOut { .. }), "{err}");
        assert!(started.elapsed() < Duration::from_secs(3));
        assert!(err.to_string().contains("did not finish within 0.3 s"));
    }
}
