//! The one test helper of euca-checks (a dev-dependency of every plugin and of the suite):
//!
//! - [`Plugin`] runs a plugin binary (args, environment, stdin) under a watchdog and parses what
//!   it printed into an [`Outcome`]: state (from the exit code AND the status line's word, which
//!   must agree), summary, long output lines and perfdata read with the kit's own grammar
//!   ([`common::perfdata::parse_perfdata`]), so every test checks all four without its own parser.
//! - [`HostTree`] is a temporary `--root` directory (`HostTree::new().file("/proc/mdstat", text)`)
//!   removed on drop.
//! - [`peers`]: the real daemons and programs end-to-end tests need. Those tests are marked
//!   `#[ignore = "needs ...: run scripts/test"]`, so a plain `cargo test` counts them as ignored
//!   instead of passing them silently; `scripts/test` runs them with `--include-ignored`, and a
//!   missing peer then fails the test ([`peers::require_programs`]).
//!
//! ```no_run
//! use harness::{HostTree, Plugin};
//! let host = HostTree::new().file("/proc/mdstat", "Personalities : \nunused devices: <none>\n");
//! let run = Plugin::new("target/debug/check_raid").root(&host).arg("--allow-none").run();
//! run.expect_state(common::Status::Ok).expect_summary("no md arrays");
//! ```

pub mod peers;
mod plugin;
mod tree;

pub use plugin::{Outcome, Plugin};
pub use tree::HostTree;

pub use common::Status;

/// A port nobody listens on right now (bound and released on 127.0.0.1).
/// Write a credentials or password file as an admin must keep it, mode 0600 (a looser one is
/// a WARNING of every plugin that reads it).
pub fn write_secret(path: &std::path::Path, text: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, text).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
        .unwrap_or_else(|e| panic!("chmod 600 {}: {e}", path.display()));
}

pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local address").port()
}

/// The repository root (tests/harness/../..).
pub fn repo() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("repository root")
}

/// A unique name for a temporary directory: tag, process id and a counter.
pub(crate) fn unique_temp_dir(tag: &str) -> std::path::PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    std::env::temp_dir().join(format!("euca-checks-{tag}-{}-{n}", std::process::id()))
}
