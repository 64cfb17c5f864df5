//! What a source gave: one type for every plugin, so "unreachable" or "not asked" means and
//! says the same everywhere and evaluation (a pure function of acquisitions) never does I/O.
//!
//! | acquisition  | state    | words                                            |
//! |--------------|----------|--------------------------------------------------|
//! | read         | (judged) | -                                                |
//! | missing      | UNKNOWN  | `/proc/mdstat missing`                           |
//! | unreadable   | UNKNOWN  | `cannot read /proc/mdstat: permission denied`    |
//! | unreachable  | CRITICAL | `upsd at 10.0.0.5:3493 unreachable (connection refused)` |
//! | not asked    | UNKNOWN  | `CLC 10.0.0.1:8773 not asked: no time left; raise -t` |
//!
//! A missing source is UNKNOWN by default; a plugin for which "missing" has a meaning of its
//! own (no md driver loaded, no bond configured) matches on it before asking for the finding.

use crate::context::Context;
use crate::error::CheckError;
use crate::report::Finding;
use crate::status::Status;

#[derive(Debug, Clone, PartialEq)]
pub enum Acquisition<T> {
    /// The source answered; `T` is the text or the parsed model.
    Read(T),
    /// The source does not exist (no such file, no such tool).
    Missing { source: String },
    /// It exists but could not be read or understood (permissions, garbage, cut, too large).
    Unreadable { source: String, why: String },
    /// A peer that could not be reached (refused, no route, no answer in time).
    Unreachable { source: String, why: String },
    /// Not asked: the timeout left no time. Nothing is known about it.
    NotAsked { source: String },
}

impl<T> Acquisition<T> {
    pub fn unreadable(source: impl Into<String>, why: impl Into<String>) -> Self {
        Acquisition::Unreadable {
            source: source.into(),
            why: why.into(),
        }
    }
    pub fn unreachable(source: impl Into<String>, why: impl Into<String>) -> Self {
        Acquisition::Unreachable {
            source: source.into(),
            why: why.into(),
        }
    }
    pub fn not_asked(source: impl Into<String>) -> Self {
        Acquisition::NotAsked {
            source: source.into(),
        }
    }
    pub fn missing(source: impl Into<String>) -> Self {
        Acquisition::Missing {
            source: source.into(),
        }
    }

    /// What was read, if anything.
    pub fn read(&self) -> Option<&T> {
        match self {
            Acquisition::Read(t) => Some(t),
            _ => None,
        }
    }

    /// Parse or convert what was read; a failure makes the source unreadable. `source` names
    /// it in that message (a `Read` carries no name of its own: the text names nothing).
    pub fn and_then<U>(
        self,
        source: impl Into<String>,
        f: impl FnOnce(T) -> Result<U, String>,
    ) -> Acquisition<U> {
        match self {
            Acquisition::Read(t) => match f(t) {
                Ok(u) => Acquisition::Read(u),
                Err(why) => Acquisition::Unreadable {
                    source: source.into(),
                    why,
                },
            },
            other => other.map(|_| unreachable!("Read is handled above")),
        }
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Acquisition<U> {
        match self {
            Acquisition::Read(t) => Acquisition::Read(f(t)),
            Acquisition::Missing { source } => Acquisition::Missing { source },
            Acquisition::Unreadable { source, why } => Acquisition::Unreadable { source, why },
            Acquisition::Unreachable { source, why } => Acquisition::Unreachable { source, why },
            Acquisition::NotAsked { source } => Acquisition::NotAsked { source },
        }
    }

    /// The source's name, for all but `Read` (whose model names itself).
    pub fn source(&self) -> Option<&str> {
        match self {
            Acquisition::Read(_) => None,
            Acquisition::Missing { source }
            | Acquisition::Unreadable { source, .. }
            | Acquisition::Unreachable { source, .. }
            | Acquisition::NotAsked { source } => Some(source),
        }
    }

    /// The suite's state for a source that gave nothing (None for `Read`).
    pub fn status(&self) -> Option<Status> {
        match self {
            Acquisition::Read(_) => None,
            Acquisition::Unreachable { .. } => Some(Status::Critical),
            _ => Some(Status::Unknown),
        }
    }

    /// The suite's words for a source that gave nothing (None for `Read`).
    pub fn message(&self) -> Option<String> {
        Some(match self {
            Acquisition::Read(_) => return None,
            Acquisition::Missing { source } => format!("{source} missing"),
            Acquisition::Unreadable { source, why } => format!("cannot read {source}: {why}"),
            Acquisition::Unreachable { source, why } => format!("{source} unreachable ({why})"),
            Acquisition::NotAsked { source } => {
                format!("{source} not asked: no time left; raise -t")
            }
        })
    }

    /// The standard finding for a source that gave nothing (None for `Read`): state, the
    /// words above as summary and long output.
    pub fn finding(&self) -> Option<Finding> {
        let (status, text) = (self.status()?, self.message()?);
        Some(Finding::new(status, text.clone()).summary(text))
    }
}

/// A host file under `--root`: read, missing (no such file) or unreadable (why).
pub fn host_file(ctx: &Context, path: &str) -> Acquisition<String> {
    match ctx.read_host_if_exists(path) {
        Ok(Some(text)) => Acquisition::Read(text),
        Ok(None) => Acquisition::missing(ctx.host_path(path).display().to_string()),
        Err(CheckError::Read { path, reason }) => Acquisition::unreadable(path, reason),
        Err(other) => Acquisition::unreadable(path, other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_acquisition_has_the_suites_state_and_words() {
        let table: [(Acquisition<()>, Status, &str); 4] = [
            (
                Acquisition::missing("/proc/mdstat"),
                Status::Unknown,
                "/proc/mdstat missing",
            ),
            (
                Acquisition::unreadable("/proc/mdstat", "permission denied"),
                Status::Unknown,
                "cannot read /proc/mdstat: permission denied",
            ),
            (
                Acquisition::unreachable("upsd at 127.0.0.1:3493", "connection refused"),
                Status::Critical,
                "upsd at 127.0.0.1:3493 unreachable (connection refused)",
            ),
            (
                Acquisition::not_asked("CLC 10.0.0.1:8773"),
                Status::Unknown,
                "CLC 10.0.0.1:8773 not asked: no time left; raise -t",
            ),
        ];
        for (a, status, words) in table {
            let f = a.finding().unwrap();
            assert_eq!((f.status, f.summary.as_deref()), (status, Some(words)));
        }
        assert!(Acquisition::Read(1).finding().is_none());
    }

    #[test]
    fn a_parse_failure_makes_the_source_unreadable() {
        let a: Acquisition<&str> = Acquisition::Read("x");
        let parsed = a.and_then("/proc/mdstat", |_| {
            Err::<u8, _>("line 1: expected a number".into())
        });
        assert_eq!(parsed.source(), Some("/proc/mdstat"));
        assert_eq!(parsed.status(), Some(Status::Unknown));
        assert_eq!(
            parsed.message().as_deref(),
            Some("cannot read /proc/mdstat: line 1: expected a number")
        );
        let fine =
            Acquisition::Read("7").and_then("f", |t| t.parse::<u8>().map_err(|e| e.to_string()));
        assert_eq!(fine.read(), Some(&7));
        let m: Acquisition<u8> = Acquisition::<&str>::missing("f").map(|_| 1);
        assert_eq!(m.message().as_deref(), Some("f missing"));
    }

    #[test]
    fn host_files_are_read_missing_or_unreadable() {
        let d = std::env::temp_dir().join(format!("euca-acq-{}", std::process::id()));
        std::fs::create_dir_all(d.join("proc/dir")).unwrap();
        std::fs::write(d.join("proc/mdstat"), "x").unwrap();
        let ctx = Context::for_root(&d);
        assert_eq!(
            host_file(&ctx, "/proc/mdstat"),
            Acquisition::Read("x".to_string())
        );
        assert_eq!(
            host_file(&ctx, "/proc/none").message().unwrap(),
            format!("{}/proc/none missing", d.display())
        );
        assert_eq!(
            host_file(&ctx, "/proc/dir").message().unwrap(),
            format!("cannot read {}/proc/dir: is a directory", d.display())
        );
        let _ = std::fs::remove_dir_all(d);
    }
}
