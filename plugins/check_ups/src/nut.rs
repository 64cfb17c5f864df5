//! The NUT network protocol as upsd speaks it (docs/net-protocol.txt in NUT), the few parts a
//! read-only client needs. Pure: text in, typed answer out; the socket is in `net.rs`.
//!
//! ```text
//! C: LIST VAR ups1
//! S: BEGIN LIST VAR ups1
//! S: VAR ups1 battery.charge "100"
//! S: VAR ups1 ups.status "OB LB"
//! S: END LIST VAR ups1
//! ```
//!
//! or, instead of the list, one line `ERR DATA-STALE` (`ERR DRIVER-NOT-CONNECTED`,
//! `ERR UNKNOWN-UPS`, ...). Values are quoted; `\"` and `\\` escape inside quotes.

use common::ParseError;

/// An `ERR` answer of upsd (or the matching `Error: ...` line of upsc).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NutError {
    /// The driver has not sent fresh data within upsd's MAXAGE: the UPS is blind.
    DataStale,
    /// upsd cannot reach the driver at all (driver not running).
    DriverNotConnected,
    /// upsd has no UPS of that name.
    UnknownUps,
    /// upsd refused us (ACCESS-DENIED, USERNAME-REQUIRED, PASSWORD-INCORRECT, ...).
    Access(String),
    /// upsc could not connect ("Connection failure: Connection refused").
    ConnectionFailure(String),
    /// Any other error code or message, as given.
    Other(String),
}

impl NutError {
    /// From the code after `ERR` (its first word).
    pub fn from_code(code: &str) -> NutError {
        match code {
            "DATA-STALE" => NutError::DataStale,
            "DRIVER-NOT-CONNECTED" => NutError::DriverNotConnected,
            "UNKNOWN-UPS" => NutError::UnknownUps,
            "ACCESS-DENIED"
            | "USERNAME-REQUIRED"
            | "PASSWORD-REQUIRED"
            | "PASSWORD-INCORRECT"
            | "INVALID-USERNAME"
            | "INVALID-PASSWORD"
            | "ALREADY-SET-USERNAME"
            | "ALREADY-SET-PASSWORD" => NutError::Access(code.to_string()),
            other => NutError::Other(other.to_string()),
        }
    }

    /// From upsc's `Error: MESSAGE` (NUT's upscli_strerror texts).
    pub fn from_upsc_message(message: &str) -> NutError {
        let message = message.trim();
        match message {
            "Data stale" => NutError::DataStale,
            "Driver not connected" => NutError::DriverNotConnected,
            "Unknown UPS" => NutError::UnknownUps,
            "Access denied" | "Username required" | "Password required" | "Password incorrect" => {
                NutError::Access(message.to_string())
            }
            m if m.starts_with("Connection failure") => NutError::ConnectionFailure(m.to_string()),
            m => NutError::Other(m.to_string()),
        }
    }

    /// Words for the operator.
    pub fn describe(&self) -> String {
        match self {
            NutError::DataStale => "data stale".into(),
            NutError::DriverNotConnected => "driver not connected".into(),
            NutError::UnknownUps => "unknown UPS".into(),
            NutError::Access(code) => format!("access refused by upsd ({code})"),
            NutError::ConnectionFailure(m) => m.clone(),
            NutError::Other(code) => format!("upsd error {code}"),
        }
    }
}

/// upsd's answer to `LIST VAR <ups>`.
#[derive(Debug, Clone, PartialEq)]
pub enum ListVar {
    /// The variables, in the order upsd sent them.
    Vars(Vec<(String, String)>),
    Error(NutError),
}

/// True once `text` holds a whole answer to `LIST VAR` (the end line or an error), so the
/// reader knows when to stop; also true as soon as the first line shows it is no such answer
/// (a peer that is not upsd may keep the connection open: the parser then names the line).
pub fn list_var_complete(text: &str) -> bool {
    let mut whole_lines = text
        .split_inclusive('\n')
        .filter(|l| l.ends_with('\n') && !l.trim().is_empty());
    match whole_lines.next() {
        None => return false,
        Some(first) if !first.starts_with("BEGIN LIST VAR ") => return true,
        Some(_) => {}
    }
    whole_lines.any(|l| l.starts_with("END LIST VAR") || l.starts_with("ERR "))
}

/// Parse the whole answer to `LIST VAR <ups>`.
///
/// ```
/// use check_ups::nut::{parse_list_var, ListVar, NutError};
/// let text = "BEGIN LIST VAR ups1\nVAR ups1 ups.status \"OB LB\"\nEND LIST VAR ups1\n";
/// assert_eq!(parse_list_var("ups1", text).unwrap(),
///            ListVar::Vars(vec![("ups.status".into(), "OB LB".into())]));
/// assert_eq!(parse_list_var("ups1", "ERR DATA-STALE\n").unwrap(),
///            ListVar::Error(NutError::DataStale));
/// ```
pub fn parse_list_var(ups: &str, text: &str) -> Result<ListVar, ParseError> {
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let Some((index, first)) = lines.next() else {
        return Err(ParseError::whole(
            "empty answer from upsd (expected BEGIN LIST VAR or ERR)",
        ));
    };
    let words = tokens(first).map_err(|m| ParseError::at(index + 1, first, m))?;
    match words.as_slice() {
        [err, code, ..] if err == "ERR" => return Ok(ListVar::Error(NutError::from_code(code))),
        [b, l, v, name] if b == "BEGIN" && l == "LIST" && v == "VAR" && name == ups => {}
        _ => {
            return Err(ParseError::at(
                index + 1,
                first,
                format!("expected 'BEGIN LIST VAR {ups}' or 'ERR ...'"),
            ))
        }
    }
    let mut vars = Vec::new();
    for (index, line) in lines {
        let number = index + 1;
        let words = tokens(line).map_err(|m| ParseError::at(number, line, m))?;
        match words.as_slice() {
            [var, name, key, value] if var == "VAR" && name == ups => {
                if vars.len() == crate::MAX_VARIABLES {
                    return Err(crate::too_many_variables("variables"));
                }
                vars.push((key.clone(), value.clone()));
            }
            [e, l, v, name] if e == "END" && l == "LIST" && v == "VAR" && name == ups => {
                return Ok(ListVar::Vars(vars));
            }
            [err, code, ..] if err == "ERR" => {
                return Ok(ListVar::Error(NutError::from_code(code)))
            }
            _ => {
                return Err(ParseError::at(
                    number,
                    line,
                    format!("expected 'VAR {ups} NAME \"VALUE\"' or 'END LIST VAR {ups}'"),
                ))
            }
        }
    }
    Err(ParseError::whole(format!(
        "answer ends without 'END LIST VAR {ups}' (truncated)"
    )))
}

/// upsd's one-line answer to `USERNAME`/`PASSWORD`: `OK` or `ERR CODE`.
pub fn parse_ok(line: &str) -> Result<Result<(), NutError>, ParseError> {
    let words = tokens(line).map_err(|m| ParseError::at(1, line, m))?;
    match words.as_slice() {
        [ok, ..] if ok == "OK" => Ok(Ok(())),
        [err, code, ..] if err == "ERR" => Ok(Err(NutError::from_code(code))),
        _ => Err(ParseError::at(1, line, "expected 'OK' or 'ERR ...'")),
    }
}

/// Split a protocol line into words; a word in double quotes may hold spaces and `\"`, `\\`.
pub fn tokens(line: &str) -> Result<Vec<String>, &'static str> {
    let mut words = Vec::new();
    let mut chars = line.trim_end_matches(['\r', '\n']).chars().peekable();
    loop {
        while chars.peek() == Some(&' ') {
            chars.next();
        }
        let Some(&c) = chars.peek() else { break };
        let mut word = String::new();
        if c == '"' {
            chars.next();
            let mut closed = false;
            while let Some(c) = chars.next() {
                match c {
                    '\\' => match chars.next() {
                        Some(escaped) => word.push(escaped),
                        None => return Err("a '\\' ends the line inside a quoted value"),
                    },
                    '"' => {
                        closed = true;
                        break;
                    }
                    c => word.push(c),
                }
            }
            if !closed {
                return Err("a quoted value is not closed");
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == ' ' {
                    break;
                }
                if c.is_control() {
                    return Err("control character in the answer");
                }
                word.push(c);
                chars.next();
            }
        }
        if word.chars().any(|c| c.is_control() && c != '\t') {
            return Err("control character in the answer");
        }
        words.push(word);
    }
    Ok(words)
}

/// An argument for a command line: quoted, with `"` and `\` escaped.
pub fn quote(arg: &str) -> String {
    let mut out = String::with_capacity(arg.len() + 2);
    out.push('"');
    for c in arg.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK_ANSWER: &str = "BEGIN LIST VAR ups1\n\
        VAR ups1 battery.charge \"100\"\n\
        VAR ups1 device.model \"Smart \\\"UPS\\\" 1500 \\\\ rack\"\n\
        VAR ups1 ups.status \"OL\"\n\
        END LIST VAR ups1\n";

    #[test]
    fn a_full_list_is_read_with_quotes_and_escapes() {
        assert!(list_var_complete(OK_ANSWER));
        let ListVar::Vars(vars) = parse_list_var("ups1", OK_ANSWER).unwrap() else {
            panic!("not vars")
        };
        assert_eq!(vars.len(), 3);
        assert_eq!(vars[1].1, "Smart \"UPS\" 1500 \\ rack");
        assert_eq!(vars[2], ("ups.status".to_string(), "OL".to_string()));
    }

    #[test]
    fn err_answers_are_typed() {
        let table = [
            ("ERR DATA-STALE\n", NutError::DataStale),
            ("ERR DRIVER-NOT-CONNECTED\n", NutError::DriverNotConnected),
            ("ERR UNKNOWN-UPS\n", NutError::UnknownUps),
            (
                "ERR ACCESS-DENIED\n",
                NutError::Access("ACCESS-DENIED".into()),
            ),
            (
                "ERR FEATURE-NOT-CONFIGURED\n",
                NutError::Other("FEATURE-NOT-CONFIGURED".into()),
            ),
        ];
        for (text, want) in table {
            assert!(list_var_complete(text));
            assert_eq!(
                parse_list_var("ups1", text).unwrap(),
                ListVar::Error(want),
                "{text}"
            );
        }
    }

    #[test]
    fn truncated_and_garbage_answers_name_the_line() {
        let truncated = "BEGIN LIST VAR ups1\nVAR ups1 ups.status \"OL\"\n";
        assert!(!list_var_complete(truncated));
        assert!(!list_var_complete("BEGIN LIST VAR ups1\nVAR ups1 ups.st"));
        assert!(!list_var_complete("BEGIN LIS"));
        assert!(list_var_complete("SSH-2.0-OpenSSH_9.2\r\n"));
        let err = parse_list_var("ups1", truncated).unwrap_err().to_string();
        assert!(
            err.contains("without 'END LIST VAR ups1' (truncated)"),
            "{err}"
        );

        let err = parse_list_var("ups1", "HTTP/1.1 400 Bad Request\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("line 1 'HTTP/1.1 400 Bad Request': expected 'BEGIN LIST VAR ups1'"),
            "{err}"
        );

        let bad = "BEGIN LIST VAR ups1\nVAR ups1 ups.status \"OL\nEND LIST VAR ups1\n";
        let err = parse_list_var("ups1", bad).unwrap_err().to_string();
        assert!(
            err.contains("line 2") && err.contains("not closed"),
            "{err}"
        );

        let other = "BEGIN LIST VAR ups1\nVAR ups2 ups.status \"OL\"\nEND LIST VAR ups1\n";
        let err = parse_list_var("ups1", other).unwrap_err().to_string();
        assert!(err.contains("line 2 'VAR ups2"), "{err}");

        let err = parse_list_var("ups1", "").unwrap_err().to_string();
        assert!(err.contains("empty answer"), "{err}");
    }

    #[test]
    fn ok_lines_and_quoting() {
        assert_eq!(parse_ok("OK\n").unwrap(), Ok(()));
        assert_eq!(parse_ok("OK Goodbye\n").unwrap(), Ok(()));
        assert_eq!(
            parse_ok("ERR INVALID-USERNAME\n").unwrap(),
            Err(NutError::Access("INVALID-USERNAME".into()))
        );
        assert!(parse_ok("what\n").is_err());
        assert_eq!(quote("a \"b\" \\c"), "\"a \\\"b\\\" \\\\c\"");
        assert_eq!(
            tokens(&format!("X {}", quote("a \"b\" \\c"))).unwrap(),
            vec!["X".to_string(), "a \"b\" \\c".to_string()]
        );
    }
}
