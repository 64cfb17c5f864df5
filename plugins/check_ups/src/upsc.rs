//! Saved output of NUT's `upsc UPS@HOST`: one `variable: value` line per variable.
//!
//! ```text
//! battery.charge: 100
//! battery.runtime: 3600
//! ups.load: 23
//! ups.status: OL CHRG
//! ```
//!
//! `upsc` writes its errors ("Error: Data stale", "Error: Driver not connected") and a TLS notice
//! ("Init SSL without certificate database") on stderr; a capture made with `2>&1` contains them,
//! so they are understood rather than refused.
//!
//! The same format is dummy-ups' `.dev` file (the NUT device library's dumps, often kept as
//! saved state), which carries `#` comments: whole lines, and inline ones after a value
//! (`ups.status: OL #COMMENT: shows CAL during battery test`). dummy-ups reads them through
//! NUT's parseconf, where a `#` that starts a word outside double quotes begins a comment; so
//! does this parser, or the comment's words would be read as status flags.

use crate::nut::NutError;
use common::ParseError;

/// What a saved `upsc` run shows.
#[derive(Debug, Clone, PartialEq)]
pub enum Upsc {
    /// The variables, in file order.
    Vars(Vec<(String, String)>),
    /// upsc printed `Error: ...` instead of variables.
    Error(NutError),
}

/// Parse `upsc` output.
///
/// ```
/// use check_ups::upsc::{parse, Upsc};
/// let vars = parse("ups.status: OB LB\nbattery.charge: 15\n").unwrap();
/// assert_eq!(vars, Upsc::Vars(vec![
///     ("ups.status".into(), "OB LB".into()),
///     ("battery.charge".into(), "15".into()),
/// ]));
/// ```
pub fn parse(text: &str) -> Result<Upsc, ParseError> {
    let mut vars = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        let trimmed = line.trim();
        // '#' lines: upsc never prints them, but dummy-ups .dev files (the same format, often
        // kept as saved state) carry them.
        if trimmed.is_empty()
            || trimmed.starts_with('#')
            || trimmed == "Init SSL without certificate database"
        {
            continue;
        }
        if let Some(message) = trimmed.strip_prefix("Error: ") {
            return Ok(Upsc::Error(NutError::from_upsc_message(message)));
        }
        let Some((name, value)) = trimmed.split_once(':') else {
            return Err(ParseError::at(
                number,
                line,
                "expected 'variable: value' as upsc prints it",
            ));
        };
        if !is_var_name(name) {
            return Err(ParseError::at(
                number,
                line,
                "expected a NUT variable name (letters, digits, '.', '-', '_') before ':'",
            ));
        }
        if vars.len() == crate::MAX_VARIABLES {
            return Err(crate::too_many_variables("variables"));
        }
        vars.push((name.to_string(), strip_comment(value).trim().to_string()));
    }
    if vars.is_empty() {
        return Err(ParseError::whole(
            "no variables: expected 'variable: value' lines as upsc prints them",
        ));
    }
    Ok(Upsc::Vars(vars))
}

/// A value without its inline comment, as dummy-ups (parseconf) reads it: a `#` at the start
/// of a word (after a blank, or first), outside double quotes, and outside a backslash escape,
/// begins a comment. A `#` inside a word (`ups.firmware: v1#2`) is kept.
///
/// ```
/// use check_ups::upsc::strip_comment;
/// assert_eq!(strip_comment(" OL #COMMENT: shows CAL"), " OL ");
/// assert_eq!(strip_comment(" 0\t#COMMENT: unimplemented?"), " 0\t");
/// assert_eq!(strip_comment(" v1#2 \"a #b\""), " v1#2 \"a #b\"");
/// ```
pub fn strip_comment(value: &str) -> &str {
    let mut in_quotes = false;
    let mut word_start = true;
    let mut escaped = false;
    for (i, c) in value.char_indices() {
        if escaped {
            escaped = false;
            word_start = false;
            continue;
        }
        match c {
            '\\' => escaped = true,
            '"' => in_quotes = !in_quotes,
            '#' if word_start && !in_quotes => return &value[..i],
            _ => {}
        }
        word_start = c.is_whitespace() && !in_quotes;
    }
    value
}

/// NUT variable names: `battery.charge`, `input.L1-N.voltage`, `ambient.1.temperature`.
pub fn is_var_name(name: &str) -> bool {
    !name.is_empty()
        && name.contains('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_values_and_padding_are_kept_as_upsc_prints_them() {
        let got = parse(
            "# dummy-ups comment\nbattery.protection:\noutput.voltage:   0.0\nups.status: OL\n",
        )
        .unwrap();
        assert_eq!(
            got,
            Upsc::Vars(vec![
                ("battery.protection".into(), "".into()),
                ("output.voltage".into(), "0.0".into()),
                ("ups.status".into(), "OL".into()),
            ])
        );
    }

    #[test]
    fn inline_comments_are_comments_as_dummy_ups_reads_them() {
        // lines as the NUT device library writes them (Best Power Patriot Pro II, Riello IPG 600)
        let got = parse(
            "input.voltage.fault: 119.0\t#COMMENT: this value is reset on the next polling cycle\n\
             ups.status: OL #COMMENT: shows `CAL` during battery test\n\
             ups.load: 0\t#COMMENT: unimplemented?\n\
             ups.status.note: #BAD\n",
        )
        .unwrap();
        assert_eq!(
            got,
            Upsc::Vars(vec![
                ("input.voltage.fault".into(), "119.0".into()),
                ("ups.status".into(), "OL".into()),
                ("ups.load".into(), "0".into()),
                ("ups.status.note".into(), "".into()),
            ])
        );
    }

    #[test]
    fn upsc_errors_captured_with_stderr_are_understood() {
        let got = parse("Init SSL without certificate database\nError: Data stale\n").unwrap();
        assert_eq!(got, Upsc::Error(NutError::DataStale));
        let got = parse("Error: Driver not connected\n").unwrap();
        assert_eq!(got, Upsc::Error(NutError::DriverNotConnected));
    }

    #[test]
    fn garbage_names_the_line() {
        let err = parse("ups.status: OL\n<html>oops</html>\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot parse input line 2 '<html>oops</html>': expected 'variable: value' as upsc prints it"
        );
        let err = parse("ups.status: OL\nhello world: 3\n").unwrap_err();
        assert!(err.to_string().contains("line 2 'hello world: 3'"), "{err}");
        let err = parse("\n\n").unwrap_err();
        assert!(err.to_string().contains("no variables"), "{err}");
    }
}
