//! Running a plugin binary and reading what it printed the way Nagios does.

use crate::HostTree;
use common::perfdata::parse_perfdata;
use common::{Perfdata, Status};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long any run may take before the harness kills it and fails the test: a plugin must
/// never hang (its own `-t` is at most a few seconds in every test).
const WATCHDOG: Duration = Duration::from_secs(60);

/// One plugin invocation, built up and then [`run`](Plugin::run). The environment is the
/// test's, with `LC_ALL=C` (as the runner's tools get it) unless the test sets it.
#[derive(Debug, Clone)]
pub struct Plugin {
    program: PathBuf,
    args: Vec<String>,
    env: Vec<(String, Option<String>)>,
    stdin: Option<Vec<u8>>,
    dir: Option<PathBuf>,
}

impl Plugin {
    /// `Plugin::new(env!("CARGO_BIN_EXE_check_raid"))`.
    pub fn new(program: impl AsRef<Path>) -> Plugin {
        Plugin {
            program: program.as_ref().to_path_buf(),
            args: Vec::new(),
            env: vec![("LC_ALL".into(), Some("C".into()))],
            stdin: None,
            dir: None,
        }
    }
    pub fn arg(mut self, arg: impl AsRef<str>) -> Plugin {
        self.args.push(arg.as_ref().to_string());
        self
    }
    pub fn args<I, S>(mut self, args: I) -> Plugin
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().to_string()));
        self
    }
    /// `--root DIR` of a host tree.
    pub fn root(self, tree: &HostTree) -> Plugin {
        self.arg("--root").arg(tree.root_arg())
    }
    pub fn env(mut self, key: &str, value: impl AsRef<str>) -> Plugin {
        self.env
            .push((key.to_string(), Some(value.as_ref().to_string())));
        self
    }
    pub fn env_remove(mut self, key: &str) -> Plugin {
        self.env.push((key.to_string(), None));
        self
    }
    /// Text written to the plugin's stdin (otherwise stdin is /dev/null).
    pub fn stdin(mut self, text: impl AsRef<[u8]>) -> Plugin {
        self.stdin = Some(text.as_ref().to_vec());
        self
    }
    pub fn current_dir(mut self, dir: impl AsRef<Path>) -> Plugin {
        self.dir = Some(dir.as_ref().to_path_buf());
        self
    }

    /// Run it again and again (every 100 ms) until `done` accepts the outcome or `within`
    /// passes; returns the last outcome, for the test to assert. For daemons that need a
    /// moment to show a change.
    pub fn run_until(&self, within: Duration, done: impl Fn(&Outcome) -> bool) -> Outcome {
        let started = Instant::now();
        loop {
            let outcome = self.run();
            if done(&outcome) || started.elapsed() > within {
                return outcome;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Run it and parse the output; fails the test when the output is not a plugin's
    /// (exit code outside 0-3, a status line whose state word disagrees with the exit code,
    /// perfdata the kit's grammar cannot read) or when it runs past the watchdog.
    pub fn run(&self) -> Outcome {
        let started = Instant::now();
        let mut cmd = Command::new(&self.program);
        cmd.args(&self.args)
            .stdin(if self.stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in &self.env {
            match v {
                Some(v) => cmd.env(k, v),
                None => cmd.env_remove(k),
            };
        }
        if let Some(dir) = &self.dir {
            cmd.current_dir(dir);
        }
        let mut child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", self.program.display()));
        if let (Some(text), Some(mut pipe)) = (self.stdin.clone(), child.stdin.take()) {
            // A plugin may never read stdin; a closed pipe then is not a test failure.
            std::thread::spawn(move || {
                let _ = pipe.write_all(&text);
            });
        }
        let collect = |pipe: Option<Box<dyn Read + Send>>| {
            std::thread::spawn(move || {
                let mut bytes = Vec::new();
                if let Some(mut p) = pipe {
                    let _ = p.read_to_end(&mut bytes);
                }
                bytes
            })
        };
        let out = collect(
            child
                .stdout
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
        );
        let err = collect(
            child
                .stderr
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
        );
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait for the plugin") {
                break status;
            }
            if started.elapsed() > WATCHDOG {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "{} {:?} still running after {WATCHDOG:?}: a plugin must never hang",
                    self.program.display(),
                    self.args
                );
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        let elapsed = started.elapsed();
        let stdout = String::from_utf8_lossy(&out.join().unwrap_or_default()).into_owned();
        let stderr = String::from_utf8_lossy(&err.join().unwrap_or_default()).into_owned();
        let code = match status.code() {
            Some(code) => code,
            None => panic!(
                "{} {:?} was killed ({status}) with output:\n{stdout}{stderr}",
                self.program.display(),
                self.args
            ),
        };
        Outcome::parse(code, stdout, stderr, elapsed)
    }
}

/// What one run printed, read as Nagios reads it.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The exit code (0-3, checked).
    pub code: i32,
    /// The state, agreeing with both the exit code and the status line's word.
    pub state: Status,
    /// The first word(s) before the state: `RAID`, `BOND` ...
    pub service: String,
    /// The whole first line, perfdata included.
    pub first: String,
    /// The text after `SERVICE STATE - ` and before ` | `.
    pub summary: String,
    /// Every item after ` | `, parsed.
    pub perfdata: Vec<Perfdata>,
    /// The raw text after ` | ` (empty when none).
    pub perfdata_text: String,
    /// Everything after the first line, as printed.
    pub long: String,
    /// The long output, one entry per line.
    pub long_lines: Vec<String>,
    pub stdout: String,
    pub stderr: String,
    /// Wall-clock time of the run.
    pub elapsed: Duration,
}

impl Outcome {
    /// Parse a plugin's output and exit code; panics (failing the test) when they are not what
    /// the guidelines say a plugin prints. Public so the suite can check what a monitoring
    /// daemon relayed with the same rules.
    pub fn parse(code: i32, stdout: String, stderr: String, elapsed: Duration) -> Outcome {
        let state = match code {
            0 => Status::Ok,
            1 => Status::Warning,
            2 => Status::Critical,
            3 => Status::Unknown,
            _ => panic!("exit code {code} is outside 0-3; output:\n{stdout}{stderr}"),
        };
        let (first, long) = match stdout.split_once('\n') {
            Some((first, long)) => (first.to_string(), long.to_string()),
            None => (stdout.clone(), String::new()),
        };
        let (status_text, perfdata_text) = match first.split_once(" | ") {
            Some((s, p)) => (s.to_string(), p.to_string()),
            None => (first.clone(), String::new()),
        };
        let Some((head, summary)) = status_text.split_once(" - ") else {
            panic!("status line is not 'SERVICE STATE - summary': {first:?}\n{stdout}{stderr}");
        };
        let (service, word) = head.rsplit_once(' ').unwrap_or(("", head));
        assert_eq!(
            word,
            state.word(),
            "the status line's state word disagrees with exit code {code}:\n{stdout}"
        );
        let perfdata = parse_perfdata(&perfdata_text)
            .unwrap_or_else(|e| panic!("perfdata the kit cannot read back: {e}\n{first}"));
        let long_lines = long.lines().map(str::to_string).collect();
        Outcome {
            code,
            state,
            service: service.to_string(),
            summary: summary.to_string(),
            perfdata,
            perfdata_text,
            first,
            long,
            long_lines,
            stdout,
            stderr,
            elapsed,
        }
    }

    /// The perfdata item with this label; fails the test when there is none.
    pub fn perf(&self, label: &str) -> &Perfdata {
        self.perfdata
            .iter()
            .find(|p| p.label == label)
            .unwrap_or_else(|| panic!("no perfdata '{label}' in:\n{}", self.first))
    }

    /// The perfdata item with this label, if any.
    pub fn find_perf(&self, label: &str) -> Option<&Perfdata> {
        self.perfdata.iter().find(|p| p.label == label)
    }

    /// True when the output (any line) contains the text.
    pub fn has(&self, text: &str) -> bool {
        self.stdout.contains(text)
    }

    pub fn expect_state(&self, state: Status) -> &Outcome {
        assert_eq!(self.state, state, "state of:\n{}", self.stdout);
        self
    }

    /// Exit code and words that must appear anywhere in the output.
    pub fn expect(&self, code: i32, words: &[&str]) -> &Outcome {
        assert_eq!(self.code, code, "exit code of:\n{}", self.stdout);
        self.contains(words)
    }

    /// Exit code, the start of the first line, and words that must appear anywhere.
    pub fn expect_first(&self, code: i32, start: &str, words: &[&str]) -> &Outcome {
        assert_eq!(self.code, code, "exit code of:\n{}", self.stdout);
        assert!(
            self.first.starts_with(start),
            "status line should start with '{start}':\n{}",
            self.stdout
        );
        self.contains(words)
    }

    /// Words that must appear anywhere in the output.
    pub fn contains(&self, words: &[&str]) -> &Outcome {
        for w in words {
            assert!(
                self.stdout.contains(w),
                "'{w}' missing from:\n{}",
                self.stdout
            );
        }
        self
    }

    /// Words that must not appear anywhere (stdout or stderr).
    pub fn lacks(&self, words: &[&str]) -> &Outcome {
        for w in words {
            assert!(
                !self.stdout.contains(w) && !self.stderr.contains(w),
                "unexpected '{w}' in:\n{}{}",
                self.stdout,
                self.stderr
            );
        }
        self
    }

    /// The summary starts with this text.
    pub fn expect_summary(&self, start: &str) -> &Outcome {
        assert!(
            self.summary.starts_with(start),
            "summary should start with '{start}':\n{}",
            self.stdout
        );
        self
    }

    /// A long output line contains this text.
    pub fn expect_long(&self, text: &str) -> &Outcome {
        assert!(
            self.long_lines.iter().any(|l| l.contains(text)),
            "no long output line with '{text}':\n{}",
            self.stdout
        );
        self
    }

    /// The perfdata item rendered back by the kit equals `item` (`'md0_active'=2;;;0;3`).
    pub fn expect_perf(&self, item: &str) -> &Outcome {
        let want = parse_perfdata(item)
            .unwrap_or_else(|e| panic!("the test's own perfdata {item:?}: {e}"));
        for w in &want {
            assert_eq!(self.perf(&w.label), w, "perfdata in:\n{}", self.first);
        }
        self
    }

    /// Only a status line: no long output, nothing on stderr (a one-line cause).
    pub fn expect_one_line(&self) -> &Outcome {
        assert!(self.long.is_empty(), "one line expected:\n{}", self.stdout);
        assert!(self.stderr.is_empty(), "stderr:\n{}", self.stderr);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(code: i32, out: &str) -> Outcome {
        Outcome::parse(code, out.to_string(), String::new(), Duration::ZERO)
    }

    #[test]
    fn state_summary_long_and_perfdata_are_split() {
        let o = parse(
            2,
            "RAID CRITICAL - md1 raid1 degraded [U_] | 'md1_active'=1;;;0;2 'md1_sync'=50%;;;0;100\nmd1: raid1\n  -> replace\n",
        );
        assert_eq!(o.state, Status::Critical);
        assert_eq!(o.service, "RAID");
        assert_eq!(o.summary, "md1 raid1 degraded [U_]");
        assert_eq!(o.long_lines, ["md1: raid1", "  -> replace"]);
        assert_eq!(o.perf("md1_active").max, Some(2.0));
        o.expect_perf("'md1_sync'=50%;;;0;100");
    }

    #[test]
    #[should_panic(expected = "disagrees with exit code 0")]
    fn a_state_word_that_disagrees_with_the_exit_code_fails() {
        parse(0, "RAID CRITICAL - md1 degraded\n");
    }

    #[test]
    #[should_panic(expected = "outside 0-3")]
    fn an_exit_code_outside_0_to_3_fails() {
        parse(134, "");
    }

    #[test]
    #[should_panic(expected = "cannot read back")]
    fn broken_perfdata_fails() {
        parse(0, "RAID OK - fine | 'md1=1;;;;\n");
    }

    #[test]
    #[should_panic(expected = "not 'SERVICE STATE - summary'")]
    fn a_backtrace_is_not_a_status_line() {
        parse(3, "thread 'main' panicked at src/main.rs:1:1\n");
    }
}
