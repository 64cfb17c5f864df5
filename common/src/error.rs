//! Errors a check can end with. Each becomes UNKNOWN with its one-line message.

use crate::tool::ToolError;

/// Why a check could not reach a verdict.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// Bad options or option values.
    #[error("{0}")]
    Usage(String),
    /// A host file or directory, or an --input file, could not be read.
    #[error("cannot read {path}: {reason}")]
    Read { path: String, reason: String },
    #[error(transparent)]
    Parse(#[from] ParseError),
    #[error(transparent)]
    Tool(#[from] ToolError),
    #[error("{0}")]
    Other(String),
}

impl CheckError {
    pub fn usage(message: impl Into<String>) -> CheckError {
        CheckError::Usage(message.into())
    }
    pub fn other(message: impl Into<String>) -> CheckError {
        CheckError::Other(message.into())
    }
}

/// Text that could not be read as the format it should be. Parsers return it without a
/// source name (they only see text); the plugin adds where the text came from.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot parse {}{}: {message}", self.source_name.as_deref().unwrap_or("input"), self.position())]
pub struct ParseError {
    pub source_name: Option<String>,
    pub line: Option<usize>,
    pub content: Option<String>,
    pub message: String,
}

impl ParseError {
    /// An error about the text as a whole (empty, truncated, no records ...).
    pub fn whole(message: impl Into<String>) -> ParseError {
        ParseError {
            source_name: None,
            line: None,
            content: None,
            message: message.into(),
        }
    }

    /// An error at a 1-based line, quoting (the start of) that line.
    pub fn at(line: usize, content: &str, message: impl Into<String>) -> ParseError {
        let trimmed = content.trim();
        // Bytes that were not UTF-8 (read as U+FFFD) or control characters: quoting them would
        // put mojibake on the status line; say what it is instead.
        let binary = trimmed
            .chars()
            .any(|c| c == char::REPLACEMENT_CHARACTER || (c.is_control() && c != '\t'));
        let mut quoted: String = if binary {
            "(binary data, not text)".to_string()
        } else {
            trimmed.chars().take(60).collect()
        };
        if !binary && trimmed.chars().count() > 60 {
            quoted.push_str("...");
        }
        ParseError {
            source_name: None,
            line: Some(line),
            content: Some(quoted),
            message: message.into(),
        }
    }

    /// Name where the text came from (a host path, an --input file, a URL).
    pub fn in_source(mut self, name: impl Into<String>) -> ParseError {
        self.source_name = Some(name.into());
        self
    }

    fn position(&self) -> String {
        match (self.line, &self.content) {
            (Some(n), Some(c)) => format!(" line {n} '{c}'"),
            (Some(n), None) => format!(" line {n}"),
            _ => String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_errors_name_the_source_and_line() {
        let e = ParseError::at(3, "  md0 : bogus  ", "expected 'active' or 'inactive'")
            .in_source("/proc/mdstat");
        assert_eq!(
            e.to_string(),
            "cannot parse /proc/mdstat line 3 'md0 : bogus': expected 'active' or 'inactive'"
        );
        let e = ParseError::whole("file is empty");
        assert_eq!(e.to_string(), "cannot parse input: file is empty");
        let long = "x".repeat(100);
        let e = ParseError::at(1, &long, "bad");
        assert!(e.to_string().contains(&format!("'{}...'", "x".repeat(60))));
        let garbage = String::from_utf8_lossy(b"\x9d T*\xc3[\x01 abc").into_owned();
        let e = ParseError::at(1, &garbage, "expected x");
        assert_eq!(
            e.to_string(),
            "cannot parse input line 1 '(binary data, not text)': expected x"
        );
        // ordinary non-ASCII text is quoted as it is
        assert!(ParseError::at(2, "Zone Zürich", "x")
            .to_string()
            .contains("'Zone Zürich'"));
    }
}
