//! Helpers for the suite-wide tests in `tests/`: where the repository, the built plugins and the
//! peer recipes are, free ports, work directories, and skipping when a peer program is missing.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("repository root")
}

/// The directory holding the built check_* binaries (cargo test --workspace builds them).
pub fn bin_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    // target/<profile>/deps/<test> -> target/<profile>
    exe.parent()
        .and_then(Path::parent)
        .expect("target dir")
        .to_path_buf()
}

/// A built plugin; panics with the way to build it when missing.
pub fn plugin(name: &str) -> PathBuf {
    let p = bin_dir().join(name);
    assert!(
        p.exists(),
        "{} is not built: run cargo test --workspace (or cargo build)",
        p.display()
    );
    p
}

/// True when every program is installed. Otherwise a note and false (skip), or a failure when
/// EUCA_CHECKS_REQUIRE_PEERS=1 (scripts/test sets it, so CI never skips silently).
pub fn peers_present(programs: &[&str]) -> bool {
    let missing: Vec<&str> = programs
        .iter()
        .copied()
        .filter(|p| !Path::new(p).exists() && !on_path(p))
        .collect();
    if missing.is_empty() {
        return true;
    }
    let msg = format!(
        "peer programs missing: {} (tests/install-peers.sh installs them)",
        missing.join(", ")
    );
    if std::env::var("EUCA_CHECKS_REQUIRE_PEERS").as_deref() == Ok("1") {
        panic!("{msg}");
    }
    eprintln!("SKIPPED: {msg}");
    false
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).any(|d| d.join(program).is_file()))
        .unwrap_or(false)
}

/// A fresh work directory under the system temp dir, readable by other users (the daemons may
/// run as `nagios`). Removed on drop.
pub struct WorkDir(pub PathBuf);

impl WorkDir {
    pub fn new(tag: &str) -> WorkDir {
        let d = std::env::temp_dir().join(format!("euca-suite-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).expect("work dir");
        let _ = Command::new("chmod").arg("755").arg(&d).status();
        WorkDir(d)
    }
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    l.local_addr().expect("local addr").port()
}

/// Runs `stop.sh WORKDIR` of a peer recipe when dropped, so a failed assertion never leaves a
/// daemon running.
pub struct Daemon {
    pub stop_script: PathBuf,
    pub work: PathBuf,
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = Command::new(&self.stop_script).arg(&self.work).status();
    }
}

/// Start a peer recipe (`tests/peers/<name>/start.sh WORKDIR [ARGS]`) with extra environment.
pub fn start_peer(name: &str, work: &Path, args: &[&str], env: &[(&str, String)]) -> Daemon {
    let dir = repo().join("tests/peers").join(name);
    let mut cmd = Command::new(dir.join("start.sh"));
    cmd.arg(work).args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run start.sh");
    let daemon = Daemon {
        stop_script: dir.join("stop.sh"),
        work: work.to_path_buf(),
    };
    assert!(
        out.status.success(),
        "{name} did not start: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    daemon
}

/// Run a plugin directly: (exit code, stdout).
pub fn run_direct(program: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::new(program)
        .args(args)
        .output()
        .expect("run plugin");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}
