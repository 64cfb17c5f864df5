//! Threshold ranges exactly as the Monitoring Plugins Development Guidelines define them.
//!
//! | text     | alert when                     |
//! |----------|--------------------------------|
//! | `10`     | value < 0 or value > 10        |
//! | `10:`    | value < 10                     |
//! | `~:10`   | value > 10                     |
//! | `10:20`  | value < 10 or value > 20       |
//! | `@10:20` | 10 <= value <= 20              |
//!
//! Endpoints are inclusive, `~` is negative infinity, an empty end is positive infinity, and
//! start must not be greater than end. Numbers are plain decimals (`-3`, `0.5`, `.5`); exponent
//! notation, `inf` and `nan` are refused because the text is echoed into perfdata as written.
//!
//! ```
//! use common::Range;
//! let r: Range = "@10:20".parse().unwrap();
//! assert!(r.alerts(15.0) && !r.alerts(25.0));
//! ```

use std::fmt;
use std::str::FromStr;

/// A parsed threshold range.
#[derive(Debug, Clone, PartialEq)]
pub struct Range {
    start: f64,
    end: f64,
    inside: bool,
    text: String,
}

/// Why a range text was refused; the message quotes the text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid range '{text}': {reason}")]
pub struct RangeError {
    pub text: String,
    pub reason: String,
}

impl Range {
    /// Parse a range; the error quotes the offending text.
    pub fn parse(text: &str) -> Result<Range, RangeError> {
        let err = |reason: &str| RangeError {
            text: text.to_string(),
            // "-inf:" (as other tools write it): say how the guidelines write infinity.
            reason: if reason == NUMBER_HINT && text.to_ascii_lowercase().contains("inf") {
                format!("{NUMBER_HINT}; infinity is ~ at the start (~:40) or an empty end (10:)")
            } else {
                reason.to_string()
            },
        };
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(err("empty"));
        }
        let (inside, body) = match trimmed.strip_prefix('@') {
            Some(rest) => (true, rest),
            None => (false, trimmed),
        };
        let (start, end) = match body.split_once(':') {
            None => (0.0, parse_number(body).ok_or_else(|| err(NUMBER_HINT))?),
            Some((start_text, end_text)) => {
                let start = match start_text {
                    "~" => f64::NEG_INFINITY,
                    "" => 0.0,
                    s => parse_number(s).ok_or_else(|| err(NUMBER_HINT))?,
                };
                let end = match end_text {
                    "" => f64::INFINITY,
                    s => parse_number(s).ok_or_else(|| err(NUMBER_HINT))?,
                };
                (start, end)
            }
        };
        if start > end {
            return Err(err("start is greater than end"));
        }
        Ok(Range {
            start,
            end,
            inside,
            text: trimmed.to_string(),
        })
    }

    /// True when `value` must raise an alert under this range.
    pub fn alerts(&self, value: f64) -> bool {
        let within = value >= self.start && value <= self.end;
        if self.inside {
            within
        } else {
            !within
        }
    }

    /// The lower end (negative infinity for `~`).
    pub fn start(&self) -> f64 {
        self.start
    }

    /// The upper end (positive infinity when open).
    pub fn end(&self) -> f64 {
        self.end
    }

    /// True for `@` ranges (alert inside).
    pub fn alerts_inside(&self) -> bool {
        self.inside
    }
}

const NUMBER_HINT: &str =
    "expected N, N:, ~:N, N:M or @N:M with plain decimal numbers (e.g. 10, 10:, ~:10, 10:20, @10:20)";

/// A plain decimal: optional '-', digits, optional '.' and digits. No exponent, no inf/nan.
fn parse_number(text: &str) -> Option<f64> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (int_part, frac_part) = match digits.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (digits, None),
    };
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let ok = all_digits(int_part)
        && frac_part.is_none_or(|f| !f.is_empty() && all_digits(f))
        && !(int_part.is_empty() && frac_part.is_none());
    if !ok {
        return None;
    }
    text.parse().ok()
}

impl FromStr for Range {
    type Err = RangeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Range::parse(s)
    }
}

impl fmt::Display for Range {
    /// The text as the user wrote it (trimmed): that is what perfdata carries.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every example of the Monitoring Plugins Development Guidelines' threshold table, and the
    /// edges around each one: (range, value, alerts?).
    #[test]
    fn guideline_examples() {
        let table: &[(&str, f64, bool)] = &[
            // "10": < 0 or > 10
            ("10", -1.0, true),
            ("10", 0.0, false),
            ("10", 5.0, false),
            ("10", 10.0, false),
            ("10", 10.1, true),
            // "10:": < 10
            ("10:", 9.9, true),
            ("10:", 10.0, false),
            ("10:", 1e12, false),
            // "~:10": > 10
            ("~:10", -1e12, false),
            ("~:10", 10.0, false),
            ("~:10", 10.5, true),
            // "10:20": < 10 or > 20
            ("10:20", 9.0, true),
            ("10:20", 10.0, false),
            ("10:20", 15.0, false),
            ("10:20", 20.0, false),
            ("10:20", 21.0, true),
            // "@10:20": >= 10 and <= 20
            ("@10:20", 9.0, false),
            ("@10:20", 10.0, true),
            ("@10:20", 15.0, true),
            ("@10:20", 20.0, true),
            ("@10:20", 21.0, false),
            // decimals and negatives
            ("0.5:1.5", 0.4, true),
            ("0.5:1.5", 1.5, false),
            ("-10:-5", -7.0, false),
            ("-10:-5", -4.0, true),
            ("-10:-5", -11.0, true),
            ("@-1:1", 0.0, true),
            ("@-1:1", 2.0, false),
            ("~:-5", -6.0, false),
            ("~:-5", -4.0, true),
            (".5", 0.6, true),
            ("@10", 0.0, true),
            ("@10", 11.0, false),
            ("~:", -1e300, false),
            (" 10 ", 11.0, true),
            ("0", 0.0, false),
            ("0", 0.1, true),
        ];
        for &(text, value, want) in table {
            let range = Range::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(range.alerts(value), want, "range {text:?} value {value}");
        }
    }

    #[test]
    fn bad_ranges_are_refused_and_quoted() {
        let table: &[(&str, &str)] = &[
            ("", "empty"),
            ("abc", "expected"),
            ("20:10", "start is greater than end"),
            ("1e3", "expected"),
            ("inf", "expected"),
            (
                "-inf:",
                "infinity is ~ at the start (~:40) or an empty end (10:)",
            ),
            ("10:INF", "infinity is ~"),
            ("nan", "expected"),
            ("10:20:30", "expected"),
            ("@", "expected"),
            ("--1", "expected"),
            ("1.", "expected"),
            ("+5", "expected"),
            ("~", "expected"),
            ("10;20", "expected"),
        ];
        for &(text, reason) in table {
            let err = Range::parse(text).expect_err(text);
            let msg = err.to_string();
            assert!(msg.contains(&format!("'{text}'")), "{msg}");
            assert!(msg.contains(reason), "{text}: {msg}");
        }
    }

    #[test]
    fn display_echoes_the_trimmed_text() {
        for text in ["10", "10:", "~:10", "10:20", "@10:20", "-1.5:2"] {
            assert_eq!(Range::parse(text).unwrap().to_string(), text);
        }
    }
}
