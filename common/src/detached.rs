//! A write test the run can leave behind: create, write, fsync and delete a small file in a
//! directory, in a forked child process, and wait for it at most a given time.
//!
//! Why a child, and why one that may be abandoned: on a dead NFS or SAN mount a write blocks in
//! the kernel (D state), where no signal reaches the process and nothing can be waited for; in
//! the check's own process that would be a hang Nagios ends by killing, with no status line. So
//! the write runs in a forked child, and when it has not reported in time the run reports that
//! and ends without waiting; the child keeps no descriptor of the run (its stdout pipe to Nagios,
//! a state lock), so nothing waits on it either. It carries the parent-death signal (SIGKILL),
//! so it dies as soon as the kernel lets it, and init reaps it. The tool runner ([`crate::tool`])
//! is not used: it waits for what it stops, and a process in D state cannot be waited for.
//!
//! The child runs only system calls (fork may be called while other threads hold locks): every
//! allocation (the path as a C string) is made before the fork.

use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::time::{Duration, Instant};

/// How a write test ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteTest {
    /// Created, written, synced and deleted.
    Done,
    /// A step failed: `create`, `write`, `sync`, `close`, `delete`, with the system's reason.
    Failed { step: &'static str, reason: String },
    /// Not finished in time; the child (this pid) is left behind, maybe blocked in the kernel.
    Abandoned { pid: i32 },
}

const STEPS: [&str; 6] = ["", "create", "write", "sync", "close", "delete"];

/// Create `dir/name` (it must not exist), write a line, fsync, close and delete it, in a child
/// process; wait at most `limit`. `started` is called with the child's pid as soon as it runs,
/// before the wait: a caller that notes it (in the state directory) keeps the note even when
/// the run itself is killed while it waits.
pub fn write_test(dir: &Path, name: &str, limit: Duration, started: impl FnOnce(i32)) -> WriteTest {
    let failed = |step: &'static str, e: std::io::Error| WriteTest::Failed {
        step,
        reason: crate::context::io_reason(&e),
    };
    let Ok(file) = CString::new(dir.join(name).as_os_str().as_bytes()) else {
        return WriteTest::Failed {
            step: "create",
            reason: "the path holds a NUL byte".into(),
        };
    };
    let mut fds = [0 as libc::c_int; 2];
    // SAFETY: pipe2 fills the two-element array.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return failed("create", std::io::Error::last_os_error());
    }
    let (read_end, write_end) = (fds[0], fds[1]);
    // The child writes only once told to (a byte on this pipe), after `started` has run: a run
    // killed in between leaves a child that sees the pipe close and ends without writing.
    let mut go = [0 as libc::c_int; 2];
    // SAFETY: pipe2 fills the two-element array.
    if unsafe { libc::pipe2(go.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        let e = std::io::Error::last_os_error();
        // SAFETY: our own descriptors.
        unsafe {
            libc::close(read_end);
            libc::close(write_end);
        }
        return failed("create", e);
    }
    let (go_read, go_write) = (go[0], go[1]);
    // SAFETY: the child runs only async-signal-safe system calls and ends with _exit.
    let pid = unsafe { libc::fork() };
    if pid == 0 {
        // SAFETY: in the child, system calls on values prepared before the fork.
        unsafe { child(&file, write_end, go_read) }
    }
    // SAFETY: closing our copies of the child's ends; the child has its own.
    unsafe {
        libc::close(write_end);
        libc::close(go_read);
    }
    if pid < 0 {
        let e = std::io::Error::last_os_error();
        // SAFETY: our own descriptors.
        unsafe {
            libc::close(read_end);
            libc::close(go_write);
        }
        return failed("create", e);
    }
    started(pid);
    // SAFETY: one byte from a static buffer to our pipe, then our descriptor closed.
    unsafe {
        libc::write(go_write, b"g".as_ptr().cast(), 1);
        libc::close(go_write);
    }
    let answer = wait_readable(read_end, limit);
    let result = match answer {
        None => WriteTest::Abandoned { pid },
        Some(bytes) => {
            reap(pid);
            match bytes {
                Some((0, _)) => WriteTest::Done,
                Some((step, errno)) => WriteTest::Failed {
                    step: STEPS.get(step as usize).copied().unwrap_or("write"),
                    reason: crate::context::io_reason(&std::io::Error::from_raw_os_error(errno)),
                },
                None => WriteTest::Failed {
                    step: "write",
                    reason: "the writing process died before it reported".into(),
                },
            }
        }
    };
    // SAFETY: our own descriptor.
    unsafe { libc::close(read_end) };
    result
}

/// None: nothing in time. Some(None): the pipe closed without a report. Some(Some(step, errno)).
fn wait_readable(fd: libc::c_int, limit: Duration) -> Option<Option<(u32, i32)>> {
    let deadline = Instant::now() + limit;
    let mut got = [0u8; 8];
    let mut have = 0;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return None;
        }
        let mut pfd = libc::pollfd {
            fd,
            events: libc::POLLIN,
            revents: 0,
        };
        let ms = left.as_millis().clamp(1, i32::MAX as u128) as libc::c_int;
        // SAFETY: one pollfd.
        let r = unsafe { libc::poll(&mut pfd, 1, ms) };
        if r == 0 {
            continue;
        }
        if r < 0 {
            if std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return Some(None);
        }
        // SAFETY: reading into the rest of our buffer.
        let n = unsafe { libc::read(fd, got[have..].as_mut_ptr().cast(), 8 - have) };
        if n <= 0 {
            return Some(None);
        }
        have += n as usize;
        if have == 8 {
            let step = u32::from_ne_bytes([got[0], got[1], got[2], got[3]]);
            let errno = i32::from_ne_bytes([got[4], got[5], got[6], got[7]]);
            return Some(Some((step, errno)));
        }
    }
}

/// The child has reported and is about to exit: reap it, but never wait long (its exit could
/// still block on the dead mount); a child not reaped here is reaped by init after the run.
fn reap(pid: i32) {
    let until = Instant::now() + Duration::from_millis(100);
    loop {
        let mut status = 0;
        // SAFETY: waitpid on our own child, not blocking.
        let r = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
        if r != 0 || Instant::now() >= until {
            return;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// The forked child: no descriptor of the run kept (stdin/out/err on /dev/null, all others
/// closed but the report and go pipes), default signals, the parent-death signal, the go, then
/// the steps.
unsafe fn child(file: &CString, report: libc::c_int, go: libc::c_int) -> ! {
    let null = libc::open(c"/dev/null".as_ptr(), libc::O_RDWR);
    for fd in 0..=2 {
        libc::dup2(null, fd);
    }
    for fd in 3..1024 {
        if fd != report && fd != go {
            libc::close(fd);
        }
    }
    let empty: libc::sigset_t = std::mem::zeroed();
    libc::sigprocmask(libc::SIG_SETMASK, &empty, std::ptr::null_mut());
    for sig in [libc::SIGTERM, libc::SIGINT, libc::SIGHUP, libc::SIGALRM] {
        libc::signal(sig, libc::SIG_DFL);
    }
    libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
    // Wait for the go: no byte (the run ended before it had noted us) means write nothing.
    let mut byte = 0u8;
    if libc::read(go, (&mut byte as *mut u8).cast(), 1) != 1 {
        libc::_exit(0);
    }
    let say = |step: u32| -> ! {
        let errno = if step == 0 {
            0
        } else {
            *libc::__errno_location()
        };
        let mut msg = [0u8; 8];
        msg[..4].copy_from_slice(&step.to_ne_bytes());
        msg[4..].copy_from_slice(&errno.to_ne_bytes());
        libc::write(report, msg.as_ptr().cast(), 8);
        libc::_exit(if step == 0 { 0 } else { 1 })
    };
    let fd = libc::open(
        file.as_ptr(),
        libc::O_WRONLY | libc::O_CREAT | libc::O_EXCL | libc::O_CLOEXEC,
        0o600,
    );
    if fd < 0 {
        say(1);
    }
    let line = b"euca-checks write test: delete me\n";
    if libc::write(fd, line.as_ptr().cast(), line.len()) != line.len() as isize {
        libc::unlink(file.as_ptr());
        say(2);
    }
    if libc::fsync(fd) != 0 {
        libc::unlink(file.as_ptr());
        say(3);
    }
    if libc::close(fd) != 0 {
        libc::unlink(file.as_ptr());
        say(4);
    }
    if libc::unlink(file.as_ptr()) != 0 {
        say(5);
    }
    say(0)
}

/// The start time of a running process (`/proc/PID/stat` field 22, clock ticks since boot),
/// to tell a process left behind from a later one that got its pid. None: no such process,
/// or one that has ended and waits to be reaped (a zombie: init in a container may never
/// reap what it inherits).
pub fn process_start(pid: i32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may hold spaces: count after its ')'.
    let mut after = stat[stat.rfind(')')? + 1..].split_whitespace();
    if matches!(after.next(), Some("Z" | "X") | None) {
        return None;
    }
    after.nth(18)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_test_in_a_writable_directory_leaves_nothing() {
        let d = std::env::temp_dir().join(format!("euca-wt-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        let mut child = 0;
        assert_eq!(
            write_test(&d, "probe", Duration::from_secs(5), |pid| child = pid),
            WriteTest::Done
        );
        assert!(child > 0);
        assert_eq!(std::fs::read_dir(&d).unwrap().count(), 0);
        // An existing file of that name is not overwritten: create fails.
        std::fs::write(d.join("probe"), "keep").unwrap();
        match write_test(&d, "probe", Duration::from_secs(5), |_| {}) {
            WriteTest::Failed { step, reason } => {
                assert_eq!(step, "create");
                assert!(reason.contains("exists"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(std::fs::read_to_string(d.join("probe")).unwrap(), "keep");
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn a_missing_directory_fails_at_create() {
        match write_test(
            Path::new("/nonexistent/euca"),
            "p",
            Duration::from_secs(5),
            |_| {},
        ) {
            WriteTest::Failed { step, .. } => assert_eq!(step, "create"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_running_process_has_a_start_time_and_a_gone_one_none() {
        let me = process_start(std::process::id() as i32).unwrap();
        // Field 22 of our own stat, read independently.
        let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
        let field: u64 = stat[stat.rfind(')').unwrap() + 2..]
            .split(' ')
            .nth(19)
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(me, field);
        assert!(process_start(i32::MAX).is_none());
        // A child that exited and is not reaped yet (a zombie) counts as gone.
        let child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id() as i32;
        std::thread::sleep(Duration::from_millis(200));
        assert_eq!(process_start(pid), None);
        drop(child);
    }
}
