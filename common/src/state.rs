//! The state directory: what a plugin keeps between runs (an SDR cache, a SEL position, counters
//! for deltas, a tool's cached output), safe when two runs overlap.
//!
//! - `--state-dir DIR`, default [`DEFAULT_STATE_DIR`]. When the default is not writable (the
//!   package did not create it, or the plugin runs as another user) a directory of the user's
//!   own is used, and [`StateDir::note`] says so for the long output. A `--state-dir` the admin
//!   gave that is not writable is an error: silently writing elsewhere would hide the mistake.
//! - Writes are atomic (a temporary file in the same directory, synced, then renamed over), so a
//!   run killed mid-write or a reader at the same moment sees the old file or the new one whole.
//! - [`StateDir::lock`] takes an exclusive `flock` so a read-modify-write (a counter) from two
//!   overlapping runs cannot lose an update. The kernel drops the lock when its holder dies, so a
//!   lock file left by a killed run never blocks the next one.
//! - [`StateDir::cached`] / [`StateDir::store_cached`]: a tool's output kept for N seconds.

use crate::error::CheckError;
use std::fs::{DirBuilder, File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Where the packages create the state directory (owned by the monitoring user).
pub const DEFAULT_STATE_DIR: &str = "/var/lib/euca-checks";

/// Largest state file read: state is small; anything bigger is not ours or is broken.
const MAX_STATE_FILE: u64 = 16 * 1024 * 1024;

/// First line of a cache file: the format and when it was written (seconds since the epoch).
/// The time is in the file, not taken from its mtime, which a copy or `touch` changes.
const CACHE_HEADER: &str = "euca-checks cache v1 written=";

#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("state directory {path} is not usable: {reason}")]
    Unusable { path: String, reason: String },
    #[error("no writable state directory: {0}")]
    NoneWritable(String),
    #[error("cannot {what} {path}: {reason}")]
    Io {
        what: &'static str,
        path: String,
        reason: String,
    },
    #[error("{path} is larger than {} MiB, not read whole", MAX_STATE_FILE / 1024 / 1024)]
    TooLarge { path: String },
    #[error("{path} is locked by another run of the check (waited {waited:.1} s)")]
    Locked { path: String, waited: f64 },
    #[error("internal error: '{0}' is not a state file name")]
    BadName(String),
}

impl From<StateError> for CheckError {
    fn from(e: StateError) -> CheckError {
        CheckError::Other(e.to_string())
    }
}

/// What the cache held for a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cached {
    /// Written less than the asked age ago.
    Fresh {
        text: String,
        age: Duration,
    },
    /// Older than asked (or written "in the future": the clock was set back).
    Stale {
        age: Duration,
    },
    Missing,
    /// Not a cache file we wrote whole (cut, edited, another format): refetch, and say so.
    Corrupt {
        reason: String,
    },
}

/// An open, writable state directory.
#[derive(Debug, Clone)]
pub struct StateDir {
    path: PathBuf,
    note: Option<String>,
}

impl StateDir {
    /// The directory for this run: `explicit` (`--state-dir`) if given, which must be usable;
    /// else the default, else the first usable per-user directory, with a note.
    pub fn open(explicit: Option<&Path>) -> Result<StateDir, StateError> {
        match explicit {
            Some(dir) => {
                usable(dir, false).map_err(|reason| StateError::Unusable {
                    path: dir.display().to_string(),
                    reason,
                })?;
                Ok(StateDir {
                    path: dir.to_path_buf(),
                    note: None,
                })
            }
            None => Self::open_default(Path::new(DEFAULT_STATE_DIR), &fallbacks()),
        }
    }

    /// `open(None)` with the default and the fallbacks given (tests).
    pub fn open_default(default: &Path, fallbacks: &[PathBuf]) -> Result<StateDir, StateError> {
        let first = match usable(default, false) {
            Ok(()) => {
                return Ok(StateDir {
                    path: default.to_path_buf(),
                    note: None,
                })
            }
            Err(reason) => reason,
        };
        let mut tried = vec![format!("{}: {first}", default.display())];
        for dir in fallbacks {
            match usable(dir, true) {
                Ok(()) => {
                    return Ok(StateDir {
                        path: dir.clone(),
                        note: Some(format!(
                            "state kept in {} because {} is {first}",
                            dir.display(),
                            default.display()
                        )),
                    })
                }
                Err(reason) => tried.push(format!("{}: {reason}", dir.display())),
            }
        }
        Err(StateError::NoneWritable(tried.join("; ")))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Set when a fallback directory is used; the plugin puts it in the long output.
    pub fn note(&self) -> Option<&str> {
        self.note.as_deref()
    }

    fn file(&self, name: &str) -> Result<PathBuf, StateError> {
        let plain = !name.is_empty()
            && !name.starts_with('.')
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '@'));
        if !plain {
            return Err(StateError::BadName(name.to_string()));
        }
        Ok(self.path.join(name))
    }

    /// Replace a state file whole: readers see the old contents or the new, never a mix.
    pub fn write(&self, name: &str, contents: &[u8]) -> Result<(), StateError> {
        static SEQUENCE: AtomicU64 = AtomicU64::new(0);
        let target = self.file(name)?;
        let tmp = self.path.join(format!(
            ".{name}.{}.{}.tmp",
            std::process::id(),
            SEQUENCE.fetch_add(1, Ordering::Relaxed)
        ));
        let io = |what: &'static str, path: &Path, e: std::io::Error| StateError::Io {
            what,
            path: path.display().to_string(),
            reason: crate::context::io_reason(&e),
        };
        let result = (|| {
            let mut file = OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&tmp)
                .map_err(|e| io("create", &tmp, e))?;
            file.write_all(contents).map_err(|e| io("write", &tmp, e))?;
            // Synced before the rename: after a crash the name points at whole contents.
            file.sync_all().map_err(|e| io("write", &tmp, e))?;
            std::fs::rename(&tmp, &target).map_err(|e| io("replace", &target, e))
        })();
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result
    }

    /// A state file's contents; `None` when there is none yet.
    pub fn read(&self, name: &str) -> Result<Option<Vec<u8>>, StateError> {
        let path = self.file(name)?;
        let file = match File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(StateError::Io {
                    what: "read",
                    path: path.display().to_string(),
                    reason: crate::context::io_reason(&e),
                })
            }
        };
        let mut buf = Vec::new();
        file.take(MAX_STATE_FILE + 1)
            .read_to_end(&mut buf)
            .map_err(|e| StateError::Io {
                what: "read",
                path: path.display().to_string(),
                reason: crate::context::io_reason(&e),
            })?;
        if buf.len() as u64 > MAX_STATE_FILE {
            return Err(StateError::TooLarge {
                path: path.display().to_string(),
            });
        }
        Ok(Some(buf))
    }

    /// Hold the exclusive lock for `name` until the guard is dropped, waiting at most `wait`
    /// (give it what is left of `-t`, less a margin, so a stuck run ends as "locked", not as
    /// this run's timeout).
    pub fn lock(&self, name: &str, wait: Duration) -> Result<StateLock, StateError> {
        use nix::fcntl::{Flock, FlockArg};
        let path = self.file(&format!("{name}.lock"))?;
        let started = Instant::now();
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(&path)
            .map_err(|e| StateError::Io {
                what: "open",
                path: path.display().to_string(),
                reason: crate::context::io_reason(&e),
            })?;
        loop {
            match Flock::lock(file, FlockArg::LockExclusiveNonblock) {
                Ok(lock) => return Ok(StateLock { _lock: lock }),
                Err((f, nix::errno::Errno::EWOULDBLOCK)) | Err((f, nix::errno::Errno::EINTR)) => {
                    if started.elapsed() >= wait {
                        return Err(StateError::Locked {
                            path: path.display().to_string(),
                            waited: started.elapsed().as_secs_f64(),
                        });
                    }
                    file = f;
                    std::thread::sleep(Duration::from_millis(5));
                }
                Err((_, errno)) => {
                    return Err(StateError::Io {
                        what: "lock",
                        path: path.display().to_string(),
                        reason: errno.desc().to_string(),
                    })
                }
            }
        }
    }

    /// Keep `text` as the cached output for `name`, stamped with the current time.
    pub fn store_cached(&self, name: &str, text: &str) -> Result<(), StateError> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        self.write(name, format!("{CACHE_HEADER}{now}\n{text}").as_bytes())
    }

    /// The cached output for `name` if it is younger than `max_age`.
    pub fn cached(&self, name: &str, max_age: Duration) -> Result<Cached, StateError> {
        let Some(bytes) = self.read(name)? else {
            return Ok(Cached::Missing);
        };
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Ok(judge_cache(&bytes, now, max_age))
    }
}

/// Pure: what a cache file's bytes say at time `now` (seconds since the epoch).
fn judge_cache(bytes: &[u8], now: u64, max_age: Duration) -> Cached {
    let corrupt = |reason: &str| Cached::Corrupt {
        reason: reason.to_string(),
    };
    let Ok(text) = std::str::from_utf8(bytes) else {
        return corrupt("not text");
    };
    let Some((header, body)) = text.split_once('\n') else {
        return corrupt("no header line");
    };
    let Some(stamp) = header.strip_prefix(CACHE_HEADER) else {
        return corrupt("not an euca-checks cache file");
    };
    let Ok(written) = stamp.parse::<u64>() else {
        return corrupt("unreadable time stamp");
    };
    if written > now.saturating_add(60) {
        // Written "in the future": the clock was set back; the age cannot be trusted.
        return Cached::Stale {
            age: Duration::ZERO,
        };
    }
    let age = Duration::from_secs(now.saturating_sub(written));
    if age < max_age {
        Cached::Fresh {
            text: body.to_string(),
            age,
        }
    } else {
        Cached::Stale { age }
    }
}

/// Held while a run owns a state file; dropping it (or the process ending) releases the lock.
#[derive(Debug)]
pub struct StateLock {
    _lock: nix::fcntl::Flock<File>,
}

/// Per-user directories tried when the default is not writable, in order:
/// `$XDG_STATE_HOME/euca-checks`, `~/.local/state/euca-checks`, `/tmp/euca-checks-UID`.
pub fn fallbacks() -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Some(x) = std::env::var_os("XDG_STATE_HOME").filter(|x| !x.is_empty()) {
        out.push(PathBuf::from(x).join("euca-checks"));
    }
    if let Some(home) = std::env::var_os("HOME").filter(|h| !h.is_empty()) {
        out.push(PathBuf::from(home).join(".local/state/euca-checks"));
    }
    out.push(std::env::temp_dir().join(format!("euca-checks-{}", nix::unistd::geteuid())));
    out.retain(|p| p.is_absolute());
    out
}

/// Ok when `dir` exists (or, for a per-user directory, could be created 0700), is a directory,
/// and a file can be created in it. A per-user directory must also be ours and closed to
/// others: in /tmp, someone else could have made it first to read or plant our state.
fn usable(dir: &Path, own: bool) -> Result<(), String> {
    if own {
        if let Err(e) = DirBuilder::new().recursive(true).mode(0o700).create(dir) {
            return Err(format!("not creatable ({})", plain_io(&e)));
        }
    }
    let meta = std::fs::symlink_metadata(dir).map_err(|e| plain_io(&e))?;
    if !meta.is_dir() {
        return Err("not a directory".into());
    }
    if own {
        if meta.uid() != nix::unistd::geteuid().as_raw() {
            return Err("owned by another user".into());
        }
        if meta.permissions().mode() & 0o077 != 0 {
            return Err("open to other users (expected mode 0700)".into());
        }
    }
    // Writable for us: the only proof is creating a file (permissions, read-only mounts, ACLs).
    let probe = dir.join(format!(".probe.{}", std::process::id()));
    match OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&probe)
    {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            Ok(())
        }
        Err(e) => Err(format!("not writable ({})", plain_io(&e))),
    }
}

fn plain_io(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "missing".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => crate::context::io_reason(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn tempdir(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("euca-state-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    fn counter_increment(dir: &StateDir) {
        let _lock = dir.lock("counter", Duration::from_secs(20)).unwrap();
        let n: u64 = dir
            .read("counter")
            .unwrap()
            .map(|b| String::from_utf8(b).unwrap().trim().parse().unwrap())
            .unwrap_or(0);
        // Widen the window between read and write, so a missing lock would lose updates.
        std::thread::yield_now();
        dir.write("counter", format!("{}\n", n + 1).as_bytes())
            .unwrap();
    }

    #[test]
    fn racing_threads_lose_no_update_under_the_lock() {
        let d = tempdir("threads");
        let dir = Arc::new(StateDir::open(Some(&d)).unwrap());
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let dir = Arc::clone(&dir);
                std::thread::spawn(move || (0..50).for_each(|_| counter_increment(&dir)))
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(dir.read("counter").unwrap().unwrap(), b"400\n");
        // no temporary file is left behind
        let left: Vec<_> = std::fs::read_dir(&d)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.ends_with(".tmp"))
            .collect();
        assert!(left.is_empty(), "{left:?}");
        let _ = std::fs::remove_dir_all(d);
    }

    /// Not a test of its own: the body of the child processes the two tests below start.
    #[test]
    #[ignore = "helper: run as a child process by the state-directory race and lock tests"]
    fn child_increments_the_counter() {
        let Some(dir) = std::env::var_os("EUCA_STATE_CHILD_DIR") else {
            return; // run directly (e.g. --include-ignored): nothing to do without its parent
        };
        let dir = StateDir::open(Some(Path::new(&dir))).unwrap();
        if std::env::var_os("EUCA_STATE_CHILD_HOLD").is_some() {
            let _lock = dir.lock("counter", Duration::from_secs(5)).unwrap();
            dir.write("held", b"yes").unwrap();
            std::thread::sleep(Duration::from_secs(30));
        }
        for _ in 0..100 {
            counter_increment(&dir);
        }
    }

    fn child(dir: &Path, hold: bool) -> std::process::Child {
        let mut cmd = std::process::Command::new(std::env::current_exe().unwrap());
        cmd.args([
            "--exact",
            "--ignored",
            "state::tests::child_increments_the_counter",
        ])
        .env("EUCA_STATE_CHILD_DIR", dir)
        .stdout(std::process::Stdio::null());
        if hold {
            cmd.env("EUCA_STATE_CHILD_HOLD", "1");
        }
        cmd.spawn().unwrap()
    }

    #[test]
    fn racing_processes_lose_no_update_under_the_lock() {
        let d = tempdir("procs");
        let children: Vec<_> = (0..3).map(|_| child(&d, false)).collect();
        for mut c in children {
            assert!(c.wait().unwrap().success());
        }
        let dir = StateDir::open(Some(&d)).unwrap();
        assert_eq!(dir.read("counter").unwrap().unwrap(), b"300\n");
        let _ = std::fs::remove_dir_all(d);
    }

    #[test]
    fn a_held_lock_makes_the_next_run_wait_then_give_up_and_a_dead_holders_lock_is_free() {
        let d = tempdir("stale");
        let dir = StateDir::open(Some(&d)).unwrap();
        let mut holder = child(&d, true);
        let started = Instant::now();
        while dir.read("held").unwrap().is_none() {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "child never locked"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        let err = dir.lock("counter", Duration::from_millis(200)).unwrap_err();
        assert!(
            err.to_string()
                .contains("is locked by another run of the check"),
            "{err}"
        );
        // Killed while holding it: the lock file stays, the lock does not.
        holder.kill().unwrap();
        holder.wait().unwrap();
        assert!(d.join("counter.lock").exists());
        let t = Instant::now();
        let _lock = dir.lock("counter", Duration::from_secs(5)).unwrap();
        assert!(t.elapsed() < Duration::from_secs(1));
        let _ = std::fs::remove_dir_all(d);
    }

    #[test]
    fn a_reader_never_sees_a_half_written_file() {
        let d = tempdir("atomic");
        let dir = Arc::new(StateDir::open(Some(&d)).unwrap());
        dir.write("big", &vec![b'a'; 200_000]).unwrap();
        let writer = {
            let dir = Arc::clone(&dir);
            std::thread::spawn(move || {
                for i in 0..60 {
                    let byte = if i % 2 == 0 { b'b' } else { b'a' };
                    dir.write("big", &vec![byte; 200_000]).unwrap();
                }
            })
        };
        while !writer.is_finished() {
            let got = dir.read("big").unwrap().unwrap();
            assert_eq!(got.len(), 200_000);
            assert!(got.iter().all(|b| *b == got[0]), "mixed contents");
        }
        writer.join().unwrap();
        let _ = std::fs::remove_dir_all(d);
    }

    #[test]
    fn the_cache_is_fresh_stale_missing_or_corrupt() {
        let d = tempdir("cache");
        let dir = StateDir::open(Some(&d)).unwrap();
        assert_eq!(
            dir.cached("sdr", Duration::from_secs(60)).unwrap(),
            Cached::Missing
        );
        dir.store_cached("sdr", "line 1\nline 2\n").unwrap();
        match dir.cached("sdr", Duration::from_secs(60)).unwrap() {
            Cached::Fresh { text, .. } => assert_eq!(text, "line 1\nline 2\n"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            dir.cached("sdr", Duration::ZERO).unwrap(),
            Cached::Stale { .. }
        ));
        // corrupt files: cut, foreign, edited
        let h = CACHE_HEADER;
        let now = 1_000_000;
        let bad_stamp = format!("{h}12x\nbody");
        let table: &[(&[u8], &str)] = &[
            (b"", "no header line"),
            (b"euca-checks cache v1 writ", "no header line"),
            (b"something else\nbody", "not an euca-checks cache file"),
            (bad_stamp.as_bytes(), "unreadable time stamp"),
            (b"\xff\xfe\n", "not text"),
        ];
        for (bytes, reason) in table {
            assert_eq!(
                judge_cache(bytes, now, Duration::from_secs(60)),
                Cached::Corrupt {
                    reason: reason.to_string()
                },
                "{bytes:?}"
            );
        }
        let at = |written: u64| {
            judge_cache(
                format!("{h}{written}\nx").as_bytes(),
                now,
                Duration::from_secs(60),
            )
        };
        assert!(matches!(at(now - 59), Cached::Fresh { .. }));
        assert_eq!(
            at(now - 61),
            Cached::Stale {
                age: Duration::from_secs(61)
            }
        );
        assert_eq!(
            at(now + 3600),
            Cached::Stale {
                age: Duration::ZERO
            }
        );
        std::fs::write(d.join("sdr"), b"garbage").unwrap();
        assert!(matches!(
            dir.cached("sdr", Duration::from_secs(60)).unwrap(),
            Cached::Corrupt { .. }
        ));
        let _ = std::fs::remove_dir_all(d);
    }

    #[test]
    fn an_unwritable_default_falls_back_to_a_private_directory_with_a_note() {
        let d = tempdir("fallback");
        let missing = d.join("var-lib-euca-checks");
        let own = d.join("own/euca-checks");
        let dir = StateDir::open_default(&missing, std::slice::from_ref(&own)).unwrap();
        assert_eq!(dir.path(), own);
        assert_eq!(
            dir.note().unwrap(),
            format!(
                "state kept in {} because {} is missing",
                own.display(),
                missing.display()
            )
        );
        let mode = std::fs::metadata(&own).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
        // a per-user directory open to others is refused (someone may have made it for us)
        let open = d.join("open");
        std::fs::create_dir_all(&open).unwrap();
        std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o777)).unwrap();
        let err = StateDir::open_default(&missing, &[open])
            .unwrap_err()
            .to_string();
        assert!(err.contains("open to other users"), "{err}");
        // the default, when writable, is used without a note
        let dir = StateDir::open_default(&d, &[own]).unwrap();
        assert_eq!((dir.path(), dir.note()), (d.as_path(), None));
        // an explicit --state-dir that is not usable is an error, not a silent fallback
        let err = StateDir::open(Some(&missing)).unwrap_err().to_string();
        assert!(err.contains("is not usable: missing"), "{err}");
        assert!(matches!(
            dir.write("../escape", b"x"),
            Err(StateError::BadName(_))
        ));
        let _ = std::fs::remove_dir_all(d);
    }
}
