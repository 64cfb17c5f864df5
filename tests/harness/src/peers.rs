//! The real programs end-to-end tests run against (NUT upsd, apcupsd, NRPE, Nagios 4, Icinga 2,
//! the CLC test double on python3 + botocore), started from the recipes in tests/peers/.
//!
//! Such a test is marked `#[ignore = "needs nut-server: run scripts/test"]`: a plain
//! `cargo test` then reports it as ignored, never as passed. `scripts/test` installs the peers
//! and runs the ignored tests too (`-- --include-ignored`); a test that runs and finds its peer
//! missing FAILS, with what to install, whether or not EUCA_CHECKS_REQUIRE_PEERS is set:
//! anyone who asked for the ignored tests asked for them to run.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).any(|d| d.join(program).is_file()))
        .unwrap_or(false)
}

/// Each program (a name on PATH or an absolute path; `a|b` for alternatives) must exist;
/// otherwise the test fails naming what is missing and how to install it.
pub fn require_programs(programs: &[&str]) {
    let missing: Vec<&str> = programs
        .iter()
        .copied()
        .filter(|alternatives| {
            !alternatives
                .split('|')
                .any(|p| Path::new(p).is_file() || (!p.contains('/') && on_path(p)))
        })
        .collect();
    assert!(
        missing.is_empty(),
        "peer programs missing: {} (run scripts/test, or tests/install-peers.sh as root)",
        missing.join(", ")
    );
}

/// `python` must import `module`; otherwise the test fails naming the Debian package.
pub fn require_python_module(python: &str, module: &str, package: &str) {
    require_programs(&[python]);
    let usable = Command::new(python)
        .args(["-c", &format!("import {module}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        usable,
        "{python} cannot import {module} (Debian package {package}; run scripts/test, or \
         tests/install-peers.sh as root)"
    );
}

/// A fresh work directory readable by other users (the daemons may run as `nagios`), removed
/// on drop unless the test failed (then kept for inspection, and its path printed).
#[derive(Debug)]
pub struct WorkDir(PathBuf);

impl WorkDir {
    pub fn new(tag: &str) -> WorkDir {
        let d = crate::unique_temp_dir(tag);
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).expect("work dir");
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o755));
        WorkDir(d)
    }
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("work dir kept for inspection: {}", self.0.display());
        } else {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// The recipe directory tests/peers/<kind>.
pub fn recipe(kind: &str) -> PathBuf {
    crate::repo().join("tests/peers").join(kind)
}

/// A daemon started by `tests/peers/<kind>/start.sh DIR ARGS...`, stopped by its `stop.sh DIR`
/// on drop, so a failed assertion never leaves it running.
#[derive(Debug)]
pub struct Daemon {
    pub kind: String,
    pub dir: PathBuf,
    /// The port it listens on, when the recipe takes one.
    pub port: Option<u16>,
    /// A work directory owned by the daemon (removed after stop.sh ran).
    work: Option<WorkDir>,
}

impl Daemon {
    /// `start.sh DIR PORT` in a fresh work directory on a free port (the NUT and apcupsd
    /// recipes).
    pub fn start_on_port(kind: &str, tag: &str) -> Daemon {
        let work = WorkDir::new(&format!("{kind}-{tag}"));
        let port = crate::free_port();
        let mut daemon = Daemon::start(kind, work.path(), &[&port.to_string()], &[]);
        daemon.port = Some(port);
        daemon.work = Some(work);
        daemon
    }

    /// The port given to `start.sh`; fails the test for a recipe started without one.
    pub fn port(&self) -> u16 {
        self.port
            .unwrap_or_else(|| panic!("{} was started without a port", self.kind))
    }

    /// `start.sh DIR ARGS...` with extra environment; fails the test (after stopping what did
    /// start) when the recipe fails.
    pub fn start(kind: &str, dir: &Path, args: &[&str], env: &[(&str, String)]) -> Daemon {
        let mut cmd = Command::new("sh");
        cmd.arg(recipe(kind).join("start.sh"))
            .arg(dir)
            .args(args)
            .stdin(Stdio::null());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().expect("run start.sh");
        let daemon = Daemon {
            kind: kind.to_string(),
            dir: dir.to_path_buf(),
            port: None,
            work: None,
        };
        assert!(
            out.status.success(),
            "{kind} did not start: {}{}\nlogs:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
            daemon.logs()
        );
        daemon
    }

    /// Run another script of the recipe with the work directory first; it must succeed.
    pub fn script(&self, name: &str, args: &[&str]) {
        let out = Command::new("sh")
            .arg(recipe(&self.kind).join(name))
            .arg(&self.dir)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .expect("run a peer script");
        assert!(
            out.status.success(),
            "{name} {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// The pid a recipe wrote to DIR/<name>.pid.
    pub fn pid(&self, name: &str) -> Option<String> {
        std::fs::read_to_string(self.dir.join(format!("{name}.pid")))
            .ok()
            .map(|s| s.trim().to_string())
    }

    /// Every *.log in the work directory, for failure messages.
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
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = Command::new("sh")
            .arg(recipe(&self.kind).join("stop.sh"))
            .arg(&self.dir)
            .stdin(Stdio::null())
            .output();
    }
}

/// The Python interpreter the CLC test double runs on (Debian's, where python3-botocore is).
pub const PYTHON: &str = "/usr/bin/python3";

/// The CLC test double (tests/euca-clc-double/, Python; it checks SigV2 and SigV4 with
/// botocore, independently of the plugin's signing code) on 127.0.0.1, killed on drop.
#[derive(Debug)]
pub struct ClcDouble {
    child: Child,
    pub port: u16,
    /// Its work directory: credentials, control.json, port file.
    pub dir: PathBuf,
}

impl ClcDouble {
    /// Serve the DescribeServices answer in `scenario`, accepting requests signed with this
    /// key pair (also written to `dir/eucarc`). Fails the test when python3 with botocore is
    /// missing or the double does not come up within 20 s.
    pub fn start(tag: &str, scenario: &Path, access: &str, secret: &str) -> ClcDouble {
        ClcDouble::start_with(tag, scenario, access, secret, &[])
    }

    /// The same over HTTPS with this certificate and key (PEM files).
    pub fn start_tls(
        tag: &str,
        scenario: &Path,
        access: &str,
        secret: &str,
        cert: &Path,
        key: &Path,
    ) -> ClcDouble {
        let extra = [
            "--tls-cert".as_ref(),
            cert.as_os_str(),
            "--tls-key".as_ref(),
            key.as_os_str(),
        ];
        ClcDouble::start_with(tag, scenario, access, secret, &extra)
    }

    /// Serve the saved Heartbeat answer `heartbeat` at `GET /services/Heartbeat` (and
    /// DescribeServices from `scenario`). The Heartbeat is unauthenticated, so this needs only
    /// python3: signatures are checked with the double's builtin verifier, not botocore.
    pub fn start_heartbeat(tag: &str, scenario: &Path, heartbeat: &Path) -> ClcDouble {
        require_programs(&[PYTHON]);
        let extra = [
            "--heartbeat".as_ref(),
            heartbeat.as_os_str(),
            "--verifier".as_ref(),
            "builtin".as_ref(),
        ];
        ClcDouble::start_inner(tag, scenario, "AKIDHEARTBEAT", "unused", &extra)
    }

    fn start_with(
        tag: &str,
        scenario: &Path,
        access: &str,
        secret: &str,
        extra: &[&std::ffi::OsStr],
    ) -> ClcDouble {
        require_python_module(PYTHON, "botocore.auth", "python3-botocore");
        ClcDouble::start_inner(tag, scenario, access, secret, extra)
    }

    fn start_inner(
        tag: &str,
        scenario: &Path,
        access: &str,
        secret: &str,
        extra: &[&std::ffi::OsStr],
    ) -> ClcDouble {
        let dir = crate::unique_temp_dir(&format!("clc-double-{tag}"));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("double work dir");
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755));
        let eucarc = dir.join("eucarc");
        crate::write_secret(
            &eucarc,
            &format!("export EC2_ACCESS_KEY='{access}'\nexport EC2_SECRET_KEY='{secret}'\n"),
        );
        let port_file = dir.join("port");
        let mut child = Command::new(PYTHON)
            .arg(crate::repo().join("tests/euca-clc-double/euca_clc_double.py"))
            .arg("--scenario")
            .arg(scenario)
            .arg("--credentials")
            .arg(&eucarc)
            .arg("--control")
            .arg(dir.join("control.json"))
            .arg("--port-file")
            .arg(&port_file)
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the CLC double");
        let started = Instant::now();
        let port = loop {
            if let Ok(text) = std::fs::read_to_string(&port_file) {
                if let Ok(p) = text.trim().parse::<u16>() {
                    break p;
                }
            }
            if let Ok(Some(status)) = child.try_wait() {
                let mut err = String::new();
                if let Some(mut e) = child.stderr.take() {
                    let _ = std::io::Read::read_to_string(&mut e, &mut err);
                }
                panic!("the CLC double ended ({status}): {err}");
            }
            if started.elapsed() > Duration::from_secs(20) {
                let _ = child.kill();
                let _ = child.wait();
                panic!("the CLC double did not start within 20 s");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        ClcDouble { child, port, dir }
    }

    /// `127.0.0.1:PORT`, as `--clc` takes it.
    pub fn clc(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// The credentials file the double accepts.
    pub fn eucarc(&self) -> PathBuf {
        self.dir.join("eucarc")
    }

    /// Change what the double does from the next request on (atomically: write, rename).
    pub fn control(&self, json: &str) {
        let tmp = self.dir.join("control.tmp");
        std::fs::write(&tmp, json).expect("write control");
        std::fs::rename(tmp, self.dir.join("control.json")).expect("rename control");
    }
}

impl Drop for ClcDouble {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[should_panic(expected = "peer programs missing: no-such-program-euca")]
    fn a_missing_program_fails_naming_it() {
        require_programs(&["sh", "no-such-program-euca"]);
    }

    #[test]
    fn alternatives_and_absolute_paths_are_found() {
        require_programs(&["/no/such|sh", "/bin/sh"]);
    }
}
