//! The four plugin states and how several of them combine.

use std::fmt;

/// A plugin state. The exit code is the guidelines' 0/1/2/3.
///
/// `worst()` ranks them OK < WARNING < UNKNOWN < CRITICAL: a confirmed outage (CRITICAL) must
/// never be hidden behind a part we could not read, but a part we could not read (a blind
/// spot) outranks a known, merely degraded redundancy (WARNING). The derived `Ord` follows
/// that ranking, not the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    Ok,
    Warning,
    Unknown,
    Critical,
}

impl Status {
    /// The process exit code the guidelines assign to this state.
    pub fn exit_code(self) -> i32 {
        match self {
            Status::Ok => 0,
            Status::Warning => 1,
            Status::Critical => 2,
            Status::Unknown => 3,
        }
    }

    /// The word used on the status line.
    pub fn word(self) -> &'static str {
        match self {
            Status::Ok => "OK",
            Status::Warning => "WARNING",
            Status::Critical => "CRITICAL",
            Status::Unknown => "UNKNOWN",
        }
    }

    /// The worse of two states.
    pub fn worst(self, other: Status) -> Status {
        self.max(other)
    }

    /// The worst of any number of states; OK for none.
    pub fn worst_of<I: IntoIterator<Item = Status>>(states: I) -> Status {
        states.into_iter().fold(Status::Ok, Status::worst)
    }

    /// Parse a state name as users write it (`ok`, `WARNING`, `crit`, `3` ...).
    pub fn parse(text: &str) -> Option<Status> {
        match text.trim().to_ascii_lowercase().as_str() {
            "ok" | "0" => Some(Status::Ok),
            "warning" | "warn" | "1" => Some(Status::Warning),
            "critical" | "crit" | "2" => Some(Status::Critical),
            "unknown" | "3" => Some(Status::Unknown),
            _ => None,
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.word())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_follow_the_guidelines() {
        let table = [
            (Status::Ok, 0, "OK"),
            (Status::Warning, 1, "WARNING"),
            (Status::Critical, 2, "CRITICAL"),
            (Status::Unknown, 3, "UNKNOWN"),
        ];
        for (status, code, word) in table {
            assert_eq!(status.exit_code(), code);
            assert_eq!(status.to_string(), word);
            assert_eq!(Status::parse(word), Some(status));
            assert_eq!(Status::parse(&code.to_string()), Some(status));
        }
        assert_eq!(Status::parse("nonsense"), None);
    }

    #[test]
    fn worst_of_ranks_critical_over_unknown_over_warning() {
        let table = [
            (vec![], Status::Ok),
            (vec![Status::Ok, Status::Ok], Status::Ok),
            (vec![Status::Ok, Status::Warning], Status::Warning),
            (vec![Status::Warning, Status::Unknown], Status::Unknown),
            (vec![Status::Unknown, Status::Critical], Status::Critical),
            (
                vec![Status::Critical, Status::Warning, Status::Ok],
                Status::Critical,
            ),
        ];
        for (states, want) in table {
            assert_eq!(Status::worst_of(states.clone()), want, "{states:?}");
        }
    }
}
