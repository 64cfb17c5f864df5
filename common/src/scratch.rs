//! Scratch directories a check makes for the length of one run (a throw-away database cluster
//! for a restore test) and that must not outlive it, however the run ends: dropped normally,
//! or removed by the guard thread when `-t` or a signal ends the run, after every tool (and
//! what runs below it, a database server included) has been stopped.
//!
//! Only the guard thread removes them on an abnormal ending (a signal handler may not walk a
//! directory tree), so making one starts that thread, as running a tool does.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Scratch directories alive now.
static LIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// A fresh, empty directory (mode 0700) under the system's temporary directory, removed with
/// everything in it when dropped or when the run ends early.
#[derive(Debug)]
pub struct ScratchDir(PathBuf);

impl ScratchDir {
    /// `<tmp>/<prefix>-<pid>-<n>`; an I/O error in the kit's words.
    pub fn new(prefix: &str) -> Result<ScratchDir, String> {
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        crate::ending::start_guard_for_tools();
        let n = N.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("{prefix}-{}-{n}", std::process::id()));
        // Registered first: a run ended while it is being made still removes it.
        if let Ok(mut live) = LIVE.lock() {
            live.push(path.clone());
        }
        let made = {
            use std::os::unix::fs::DirBuilderExt;
            std::fs::DirBuilder::new().mode(0o700).create(&path)
        };
        match made {
            Ok(()) => Ok(ScratchDir(path)),
            Err(e) => {
                unregister(&path);
                Err(format!(
                    "cannot make {}: {}",
                    path.display(),
                    crate::context::io_reason(&e)
                ))
            }
        }
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
        unregister(&self.0);
    }
}

fn unregister(path: &Path) {
    if let Ok(mut live) = LIVE.lock() {
        live.retain(|p| p != path);
    }
}

/// Remove every scratch directory still alive (the guard thread, after stopping the tools).
/// Never waits for the lock: a thread holding it is making or dropping one right now.
pub(crate) fn remove_all() {
    if let Ok(live) = LIVE.try_lock() {
        for p in live.iter() {
            let _ = std::fs::remove_dir_all(p);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scratch_dir_is_private_and_removed_when_dropped_or_at_the_ending() {
        use std::os::unix::fs::PermissionsExt;
        let a = ScratchDir::new("euca-scratch-test").unwrap();
        let mode = std::fs::metadata(a.path()).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
        std::fs::create_dir_all(a.path().join("data/base")).unwrap();
        std::fs::write(a.path().join("data/base/1"), "x").unwrap();
        let kept = a.path().to_path_buf();
        drop(a);
        assert!(!kept.exists());

        let b = ScratchDir::new("euca-scratch-test").unwrap();
        std::fs::write(b.path().join("f"), "x").unwrap();
        remove_all();
        assert!(!b.path().exists(), "the ending removes what is still alive");
        drop(b); // removing what is gone already is no error
    }
}
