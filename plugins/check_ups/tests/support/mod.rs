//! Running the check_ups binary from the integration tests.
#![allow(dead_code)] // each test binary uses a part

use std::path::PathBuf;
use std::process::Command;

/// What one run printed and its exit code.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub out: String,
}

impl Run {
    pub fn first_line(&self) -> &str {
        self.out.lines().next().unwrap_or("")
    }
    /// Assert the exit code and that every word appears in the output.
    pub fn expect(&self, code: i32, words: &[&str]) {
        assert_eq!(self.code, code, "exit code; output:\n{}", self.out);
        for w in words {
            assert!(self.out.contains(w), "'{w}' missing from:\n{}", self.out);
        }
    }
}

pub fn check_ups(args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_check_ups"))
        .args(args)
        .env("LC_ALL", "C")
        .output()
        .expect("run check_ups");
    Run {
        code: out.status.code().unwrap_or(-1),
        out: String::from_utf8_lossy(&out.stdout).into_owned(),
    }
}

pub fn fixture(kind: &str, name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(kind)
        .join(name)
        .display()
        .to_string()
}

/// A real peer daemon (tests/peers/<kind>/start.sh) on its own port and work directory,
/// stopped by Drop even when an assertion fails.
pub struct Peer {
    pub kind: &'static str,
    pub dir: PathBuf,
    pub port: u16,
}

/// Where the recipes are: tests/peers/ at the root of the repository.
pub fn recipes(kind: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/peers")
        .join(kind)
}

fn in_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join(program).is_file()))
        .unwrap_or(false)
}

/// None (and a note on stderr) when the peer's programs are missing; a failure instead when
/// EUCA_CHECKS_REQUIRE_PEERS=1 (scripts/test sets it after installing them).
pub fn peer_available(kind: &str) -> bool {
    let missing: Vec<&str> = match kind {
        "nut" => [
            (
                "/lib/nut/upsd",
                std::path::Path::new("/lib/nut/upsd").is_file(),
            ),
            (
                "/lib/nut/dummy-ups",
                std::path::Path::new("/lib/nut/dummy-ups").is_file(),
            ),
            ("upsc", in_path("upsc")),
        ]
        .into_iter()
        .filter(|(_, ok)| !ok)
        .map(|(n, _)| n)
        .collect(),
        "apcupsd" => {
            let apcupsd = in_path("apcupsd")
                || std::path::Path::new("/sbin/apcupsd").is_file()
                || std::path::Path::new("/opt/apcupsd/sbin/apcupsd").is_file();
            [("apcupsd", apcupsd), ("python3", in_path("python3"))]
                .into_iter()
                .filter(|(_, ok)| !ok)
                .map(|(n, _)| n)
                .collect()
        }
        _ => vec!["?"],
    };
    if missing.is_empty() {
        return true;
    }
    let message = format!(
        "peer {kind} not installed (missing: {}); run tests/install-peers.sh as root",
        missing.join(", ")
    );
    if std::env::var("EUCA_CHECKS_REQUIRE_PEERS").as_deref() == Ok("1") {
        panic!("{message} (EUCA_CHECKS_REQUIRE_PEERS=1)");
    }
    eprintln!("skipping: {message}");
    false
}

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    l.local_addr().expect("local addr").port()
}

impl Peer {
    /// Start the recipe; panics (after cleaning up) when it does not come up.
    pub fn start(kind: &'static str, tag: &str) -> Peer {
        static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let dir =
            std::env::temp_dir().join(format!("check_ups-{kind}-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let peer = Peer {
            kind,
            dir,
            port: free_port(),
        };
        let port = peer.port.to_string();
        let dir = peer.dir.display().to_string();
        let out = peer.script("start.sh", &[&dir, &port]);
        assert!(
            out.status.success(),
            "{kind} did not start: {}{}\nlogs:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
            peer.logs()
        );
        peer
    }

    /// Run one of the recipe's scripts.
    pub fn script(&self, name: &str, args: &[&str]) -> std::process::Output {
        Command::new("sh")
            .arg(recipes(self.kind).join(name))
            .args(args)
            .stdin(std::process::Stdio::null())
            .output()
            .expect("run a peer script")
    }

    /// Run a script with the work directory as first argument; it must succeed.
    pub fn run(&self, name: &str, args: &[&str]) {
        let dir = self.dir.display().to_string();
        let mut all = vec![dir.as_str()];
        all.extend_from_slice(args);
        let out = self.script(name, &all);
        assert!(
            out.status.success(),
            "{name} {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    pub fn pid(&self, name: &str) -> Option<String> {
        std::fs::read_to_string(self.dir.join(format!("{name}.pid")))
            .ok()
            .map(|s| s.trim().to_string())
    }

    pub fn logs(&self) -> String {
        let mut all = String::new();
        if let Ok(entries) = std::fs::read_dir(&self.dir) {
            for e in entries.flatten() {
                let p = e.path();
                if p.extension().is_some_and(|x| x == "log") {
                    all.push_str(&format!("--- {}\n", p.display()));
                    all.push_str(&std::fs::read_to_string(&p).unwrap_or_default());
                }
            }
        }
        all
    }

    /// Run check_ups until it exits with `code` and prints every word, or `within` passes;
    /// the daemons need a moment to show a change. Returns the last run, asserted.
    pub fn eventually(&self, args: &[&str], code: i32, words: &[&str], within: f64) -> Run {
        let start = std::time::Instant::now();
        loop {
            let run = check_ups(args);
            let matches = run.code == code && words.iter().all(|w| run.out.contains(w));
            if matches || start.elapsed().as_secs_f64() > within {
                run.expect(code, words);
                return run;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let dir = self.dir.display().to_string();
        let _ = self.script("stop.sh", &[&dir]);
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.dir);
        } else {
            eprintln!("{} work dir kept for inspection: {dir}", self.kind);
        }
    }
}
