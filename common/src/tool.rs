//! Running external tools: no shell, explicit argv, `LC_ALL=C`, a timeout, captured output.
//!
//! Every child runs in a process group of its own, so a timeout kills the tool and whatever it
//! started (sudo and its child, a wrapper script and its tool). The global timeout of the runner
//! kills every group still registered here. On Linux each child also gets the parent-death
//! signal, so a plugin killed from outside (Nagios' or NRPE's own timeout) takes its tools along.

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Process groups of running children, killed by the runner's global timeout.
static CHILD_GROUPS: Mutex<Vec<i32>> = Mutex::new(Vec::new());

/// Most a tool may print before the rest is dropped (a runaway tool must not eat memory).
const MAX_TOOL_OUTPUT: u64 = 32 * 1024 * 1024;

/// A tool to run.
#[derive(Debug, Clone)]
pub struct ToolCommand {
    pub program: String,
    pub args: Vec<String>,
    /// Run through `sudo -n` (no password prompt; fails at once if not allowed).
    pub sudo: bool,
    /// Per-call timeout; the runner's global deadline still applies.
    pub timeout: Option<Duration>,
}

impl ToolCommand {
    pub fn new(program: impl Into<String>) -> ToolCommand {
        ToolCommand {
            program: program.into(),
            args: Vec::new(),
            sudo: false,
            timeout: None,
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
        .stderr(Stdio::piped())
        .process_group(0);
    #[cfg(target_os = "linux")]
    // SAFETY: prctl(PR_SET_PDEATHSIG) is async-signal-safe: one system call, no allocation.
    unsafe {
        command.pre_exec(|| {
            nix::sys::prctl::set_pdeathsig(nix::sys::signal::Signal::SIGKILL)
                .map_err(std::io::Error::from)
        });
    }
    let mut child = command.spawn().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => ToolError::NotFound {
            program: program.to_string(),
        },
        std::io::ErrorKind::PermissionDenied => ToolError::PermissionDenied {
            program: program.to_string(),
            fix: crate::sudoers::hint(cmd),
        },
        _ => ToolError::Spawn {
            program: program.to_string(),
            reason: e.to_string(),
        },
    })?;
    let pgid = child.id() as i32;
    register(pgid);

    let reader = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(p) = pipe {
                let _ = p.take(MAX_TOOL_OUTPUT).read_to_end(&mut buf);
            }
            String::from_utf8_lossy(&buf).into_owned()
        })
    };
    let out_thread = reader(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let err_thread = reader(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );

    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if started.elapsed() >= limit => break None,
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => {
                kill_group(pgid);
                let _ = child.wait();
                unregister(pgid);
                return Err(ToolError::Spawn {
                    program: program.to_string(),
                    reason: e.to_string(),
                });
            }
        }
    };
    // Whatever the tool left running in its group (it may have forked) goes too; this also
    // closes the pipes so the reader threads end.
    kill_group(pgid);
    let status = match status {
        Some(s) => s,
        None => {
            let _ = child.wait();
            unregister(pgid);
            return Err(ToolError::TimedOut {
                command: cmd.display(),
                seconds: (limit.as_secs_f64() * 10.0).round() / 10.0,
            });
        }
    };
    unregister(pgid);
    let stdout = out_thread.join().unwrap_or_default();
    let stderr = err_thread.join().unwrap_or_default();
    let output = ToolOutput {
        code: status.code(),
        stdout,
        stderr,
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

fn register(pgid: i32) {
    if let Ok(mut groups) = CHILD_GROUPS.lock() {
        groups.push(pgid);
    }
}

fn unregister(pgid: i32) {
    if let Ok(mut groups) = CHILD_GROUPS.lock() {
        groups.retain(|g| *g != pgid);
    }
}

fn kill_group(pgid: i32) {
    let _ = nix::sys::signal::killpg(
        nix::unistd::Pid::from_raw(pgid),
        nix::sys::signal::Signal::SIGKILL,
    );
}

/// Kill every child group still running (the global timeout calls this).
pub(crate) fn kill_all_children() {
    // try_lock: the watchdog must never wait on a lock a stuck thread holds.
    if let Ok(groups) = CHILD_GROUPS.try_lock() {
        for g in groups.iter() {
            kill_group(*g);
        }
    }
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
