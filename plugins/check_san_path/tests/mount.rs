//! --mount and --write-test on the live host, with real mounts made by the test (it runs as
//! root: scripts/test): a tmpfs that accepts the write, and a FUSE filesystem that stops
//! answering after its INIT, the closest thing here to a dead NFS/SAN mount. The FUSE server is
//! this file's own (`HungFuse`, the kernel's /dev/fuse protocol, no library or package): it
//! reads every request and answers none, so the write test's create blocks in the kernel until
//! the test lets the server answer (with EIO). No fusermount, no FUSE package: mount(2) with
//! `fd=N` as root.

use harness::{Outcome, Plugin};
use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_check_san_path");

fn require_root_and_fuse() {
    // SAFETY: geteuid has no preconditions.
    assert_eq!(
        unsafe { libc::geteuid() },
        0,
        "these tests mount filesystems: run them as root (scripts/test)"
    );
    assert!(
        Path::new("/dev/fuse").exists(),
        "/dev/fuse is missing: these tests need FUSE (the fuse kernel module)"
    );
}

fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("san-mount-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn cstr(p: &Path) -> CString {
    CString::new(p.as_os_str().as_bytes()).unwrap()
}

fn mount(source: &str, target: &Path, fstype: &str, flags: libc::c_ulong, data: &str) {
    let (s, t, f, d) = (
        CString::new(source).unwrap(),
        cstr(target),
        CString::new(fstype).unwrap(),
        CString::new(data).unwrap(),
    );
    // SAFETY: C strings that live through the call.
    let r = unsafe { libc::mount(s.as_ptr(), t.as_ptr(), f.as_ptr(), flags, d.as_ptr().cast()) };
    assert_eq!(
        r,
        0,
        "mount {fstype} on {}: {}",
        target.display(),
        std::io::Error::last_os_error()
    );
}

fn unmount(target: &Path) {
    let t = cstr(target);
    // SAFETY: a C string that lives through the call.
    unsafe { libc::umount2(t.as_ptr(), libc::MNT_DETACH) };
}

/// A FUSE filesystem that answers INIT and then nothing, until `release` (then EIO to all).
struct HungFuse {
    dir: PathBuf,
    released: Arc<AtomicBool>,
    /// Requests read and left unanswered (not counting FORGET/INTERRUPT).
    unanswered: Arc<AtomicUsize>,
    thread: Option<std::thread::JoinHandle<()>>,
}

const FUSE_INIT: u32 = 26;
const NO_REPLY: [u32; 3] = [
    2,  /* FORGET */
    36, /* INTERRUPT */
    42, /* BATCH_FORGET */
];

impl HungFuse {
    fn mount(dir: &Path) -> HungFuse {
        let dev = CString::new("/dev/fuse").unwrap();
        // SAFETY: opening a device by a C string.
        let fd = unsafe { libc::open(dev.as_ptr(), libc::O_RDWR | libc::O_CLOEXEC) };
        assert!(
            fd >= 0,
            "open /dev/fuse: {}",
            std::io::Error::last_os_error()
        );
        mount(
            "euca-hung",
            dir,
            "fuse.euca-hung",
            libc::MS_NOSUID | libc::MS_NODEV,
            &format!("fd={fd},rootmode=40000,user_id=0,group_id=0"),
        );
        let released = Arc::new(AtomicBool::new(false));
        let unanswered = Arc::new(AtomicUsize::new(0));
        let (r, u) = (released.clone(), unanswered.clone());
        let thread = std::thread::spawn(move || serve(fd, &r, &u));
        HungFuse {
            dir: dir.to_path_buf(),
            released,
            unanswered,
            thread: Some(thread),
        }
    }

    fn release(&self) {
        self.released.store(true, Ordering::SeqCst);
    }
}

impl Drop for HungFuse {
    fn drop(&mut self) {
        self.release();
        unmount(&self.dir);
        if let Some(t) = self.thread.take() {
            // The server ends when the connection does (the last user gone after the detach).
            let until = Instant::now() + Duration::from_secs(5);
            while !t.is_finished() && Instant::now() < until {
                std::thread::sleep(Duration::from_millis(10));
            }
            if t.is_finished() {
                let _ = t.join();
            }
        }
    }
}

fn reply(fd: i32, unique: u64, error: i32, body: &[u8]) {
    let mut out = Vec::with_capacity(16 + body.len());
    out.extend_from_slice(&((16 + body.len()) as u32).to_ne_bytes());
    out.extend_from_slice(&error.to_ne_bytes());
    out.extend_from_slice(&unique.to_ne_bytes());
    out.extend_from_slice(body);
    // SAFETY: writing our buffer to the FUSE device.
    unsafe { libc::write(fd, out.as_ptr().cast(), out.len()) };
}

fn serve(fd: i32, released: &AtomicBool, unanswered: &AtomicUsize) {
    let mut buf = vec![0u8; 1 << 20 | 8192];
    let mut pending: Vec<u64> = Vec::new();
    loop {
        if released.load(Ordering::SeqCst) {
            for unique in pending.drain(..) {
                reply(fd, unique, -libc::EIO, &[]);
            }
        }
        let mut pfd = libc::pollfd {
            fd,
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one pollfd.
        let r = unsafe { libc::poll(&mut pfd, 1, 20) };
        if r == 0 {
            continue;
        }
        // SAFETY: reading into our buffer.
        let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
        if n < 40 {
            if n < 0 && std::io::Error::last_os_error().raw_os_error() == Some(libc::EINTR) {
                continue;
            }
            // ENODEV: the filesystem is gone.
            // SAFETY: our own descriptor.
            unsafe { libc::close(fd) };
            return;
        }
        let opcode = u32::from_ne_bytes(buf[4..8].try_into().unwrap());
        let unique = u64::from_ne_bytes(buf[8..16].try_into().unwrap());
        if opcode == FUSE_INIT {
            let minor = u32::from_ne_bytes(buf[44..48].try_into().unwrap()).min(31);
            let mut init = [0u8; 64];
            init[0..4].copy_from_slice(&7u32.to_ne_bytes());
            init[4..8].copy_from_slice(&minor.to_ne_bytes());
            init[8..12].copy_from_slice(&4096u32.to_ne_bytes()); // max_readahead
            init[16..18].copy_from_slice(&16u16.to_ne_bytes()); // max_background
            init[18..20].copy_from_slice(&12u16.to_ne_bytes()); // congestion_threshold
            init[20..24].copy_from_slice(&4096u32.to_ne_bytes()); // max_write
            init[24..28].copy_from_slice(&1u32.to_ne_bytes()); // time_gran
            reply(fd, unique, 0, &init);
        } else if NO_REPLY.contains(&opcode) {
        } else if released.load(Ordering::SeqCst) {
            reply(fd, unique, -libc::EIO, &[]);
        } else {
            unanswered.fetch_add(1, Ordering::SeqCst);
            pending.push(unique);
        }
    }
}

fn check(dir: &Path, state: &Path, extra: &[&str]) -> Outcome {
    let d = dir.display().to_string();
    let s = state.display().to_string();
    Plugin::new(BIN)
        .args([
            "--no-multipath",
            "--mount",
            &d,
            "--write-test",
            "--state-dir",
            &s,
        ])
        .args(extra)
        .run()
}

/// The pid noted in the state directory for the write test left behind.
fn noted_pid(state: &Path) -> Option<i32> {
    for e in std::fs::read_dir(state).ok()? {
        let text = std::fs::read_to_string(e.ok()?.path()).ok()?;
        if let Some(pid) = text.split_whitespace().next().and_then(|p| p.parse().ok()) {
            return Some(pid);
        }
    }
    None
}

#[test]
#[ignore = "needs root and /dev/fuse: run scripts/test"]
fn a_write_to_a_filesystem_that_stops_answering_ends_critical_in_time_and_is_not_repeated() {
    require_root_and_fuse();
    let base = temp_dir("hung");
    let (dir, state) = (base.join("store"), base.join("state"));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::create_dir_all(&state).unwrap();
    let fuse = HungFuse::mount(&dir);

    // 1. The write hangs: CRITICAL at the write timeout, the run does not wait for the writer.
    let started = Instant::now();
    let o = check(&dir, &state, &["--write-timeout", "1", "-t", "8"]);
    let took = started.elapsed();
    o.expect(
        2,
        &[&format!(
            "SAN CRITICAL - write to {} did not finish in 1 s",
            dir.display()
        )],
    );
    assert!(took < Duration::from_secs(3), "took {took:?}");
    assert_eq!(
        fuse.unanswered.load(Ordering::SeqCst),
        1,
        "the writer's one request"
    );
    let pid = noted_pid(&state).expect("the stuck writer is noted in the state directory");
    assert!(
        common::detached::process_start(pid).is_some(),
        "the writer {pid} is still there (blocked)"
    );

    // 2. While it is stuck: CRITICAL again, and no second writer (no new request reaches the
    //    filesystem).
    let o = check(&dir, &state, &["--write-timeout", "1"]);
    o.expect(
        2,
        &[
            "still stuck after",
            "no new one started",
            &format!("(pid {pid})"),
        ],
    );
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(
        fuse.unanswered.load(Ordering::SeqCst),
        1,
        "a second write test was started"
    );

    // 3. The filesystem answers again (EIO): the writer ends; the next run tests anew and
    //    reports the failed create.
    fuse.release();
    let until = Instant::now() + Duration::from_secs(5);
    while common::detached::process_start(pid).is_some() && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        common::detached::process_start(pid).is_none(),
        "the writer did not end"
    );
    let o = check(&dir, &state, &["--write-timeout", "2"]);
    o.expect(2, &["failed at create: input/output error", "has ended"]);
    drop(fuse);
    let _ = std::fs::remove_dir_all(&base);
}

#[test]
#[ignore = "needs root: run scripts/test"]
fn a_writable_mount_passes_the_write_test_and_a_read_only_one_is_critical() {
    require_root_and_fuse();
    let base = temp_dir("tmpfs");
    let (dir, state) = (base.join("store"), base.join("state"));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::create_dir_all(&state).unwrap();
    mount("euca-test", &dir, "tmpfs", 0, "size=1m");
    let o = check(&dir, &state, &[]);
    o.expect(
        0,
        &[
            "SAN OK - 1 mount",
            "(tmpfs euca-test) mounted read-write; a write test took",
        ],
    );
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        0,
        "the test file was left behind"
    );
    // Full: the write fails, CRITICAL with the system's reason.
    std::fs::write(dir.join("fill"), vec![0u8; 1024 * 1024]).ok();
    let o = check(&dir, &state, &[]);
    o.expect(2, &["write to", "failed", "no space left on device"]);
    unmount(&dir);
    mount("euca-test", &dir, "tmpfs", libc::MS_RDONLY, "size=1m");
    check(&dir, &state, &[]).expect(2, &["read-only"]);
    unmount(&dir);
    // Not mounted at all.
    check(&dir, &state, &[]).expect(2, &["not mounted"]);
    let _ = std::fs::remove_dir_all(&base);
}

#[test]
#[ignore = "needs root and /dev/fuse: run scripts/test"]
fn a_run_killed_while_its_write_hangs_still_keeps_the_next_from_writing() {
    require_root_and_fuse();
    let base = temp_dir("killed");
    let (dir, state) = (base.join("store"), base.join("state"));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::create_dir_all(&state).unwrap();
    let fuse = HungFuse::mount(&dir);
    // Nagios gives up first (its timeout shorter than ours) and kills the plugin alone.
    let mut child = std::process::Command::new(BIN)
        .args(["--no-multipath", "--mount"])
        .arg(&dir)
        .args([
            "--write-test",
            "--write-timeout",
            "8",
            "-t",
            "9",
            "--state-dir",
        ])
        .arg(&state)
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let until = Instant::now() + Duration::from_secs(5);
    while fuse.unanswered.load(Ordering::SeqCst) == 0 && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(
        fuse.unanswered.load(Ordering::SeqCst),
        1,
        "the writer never reached the filesystem"
    );
    child.kill().unwrap();
    child.wait().unwrap();
    let o = check(&dir, &state, &["--write-timeout", "1"]);
    o.expect(2, &["still stuck after", "no new one started"]);
    assert_eq!(
        fuse.unanswered.load(Ordering::SeqCst),
        1,
        "a second write test was started"
    );
    drop(fuse);
    let _ = std::fs::remove_dir_all(&base);
}
