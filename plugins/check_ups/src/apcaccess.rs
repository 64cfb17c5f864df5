//! apcupsd's status report, as `apcaccess status` prints it and as its NIS server sends it:
//! one `KEY : value` record per line, from `APC : ...` to `END APC : ...`.
//!
//! ```text
//! APC      : 001,036,0860
//! UPSNAME  : ups1
//! STATUS   : ONBATT LOWBATT
//! BCHARGE  : 15.0 Percent
//! TIMELEFT : 2.0 Minutes
//! END APC  : 2021-10-24 21:04:36 +0800
//! ```
//!
//! On the wire (NIS, TCP port 3551) the client sends a 2-byte big-endian length and `status`;
//! the server answers with one length-prefixed record per line and a zero length at the end.

use common::ParseError;

/// The records of one status report, in order (keys trimmed, values trimmed).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Status {
    pub records: Vec<(String, String)>,
}

impl Status {
    /// The value of a record, if present.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.records
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// Parse a status report.
///
/// ```
/// let s = check_ups::apcaccess::parse("STATUS   : ONLINE \nLOADPCT  :  24.0 Percent Load Capacity\n").unwrap();
/// assert_eq!(s.get("STATUS"), Some("ONLINE"));
/// assert_eq!(s.get("LOADPCT"), Some("24.0 Percent Load Capacity"));
/// ```
pub fn parse(text: &str) -> Result<Status, ParseError> {
    let mut records: Vec<(String, String)> = Vec::new();
    let mut last_line = 0;
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        if line.trim().is_empty() {
            continue;
        }
        last_line = number;
        let Some((key, value)) = line.split_once(':') else {
            return Err(ParseError::at(
                number,
                line,
                "expected 'KEY : value' as apcaccess prints it",
            ));
        };
        let key = key.trim();
        if !is_key(key) {
            return Err(ParseError::at(
                number,
                line,
                "expected an apcupsd key (capitals and digits, e.g. STATUS) before ':'",
            ));
        }
        if records.len() == crate::MAX_VARIABLES {
            return Err(crate::too_many_variables("records"));
        }
        records.push((key.to_string(), value.trim().to_string()));
    }
    if records.is_empty() {
        return Err(ParseError::whole(
            "no records: expected 'KEY : value' lines as apcaccess prints them",
        ));
    }
    // A report that starts with its APC header must end with END APC; else it was cut off
    // (a capture trimmed by hand has neither, and is taken as it is).
    let starts_with_header = records.first().is_some_and(|(k, _)| k == "APC");
    let has_end = records.iter().any(|(k, _)| k == "END APC");
    if starts_with_header && !has_end {
        return Err(ParseError::whole(format!(
            "report ends at line {last_line} without 'END APC' (truncated)"
        )));
    }
    Ok(Status { records })
}

fn is_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 16
        && key
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == ' ' || c == '_')
}

/// The NIS request for the status report.
pub fn nis_status_request() -> Vec<u8> {
    let mut out = vec![0u8, 6];
    out.extend_from_slice(b"status");
    out
}

/// Decode NIS frames: `Ok(None)` while the final zero-length frame has not arrived yet,
/// `Ok(Some(text))` with the records joined once it has.
pub fn decode_nis(bytes: &[u8]) -> Result<Option<String>, ParseError> {
    let mut text = String::new();
    let mut rest = bytes;
    let mut frames = 0usize;
    loop {
        if rest.len() < 2 {
            return Ok(None);
        }
        let len = usize::from(u16::from_be_bytes([rest[0], rest[1]]));
        rest = &rest[2..];
        if len == 0 {
            if !rest.is_empty() {
                return Err(ParseError::whole(format!(
                    "{} bytes after the end of the NIS answer",
                    rest.len()
                )));
            }
            return Ok(Some(text));
        }
        // apcupsd's records are short lines; a huge length means this is not a NIS server.
        if len > 4096 {
            return Err(ParseError::whole(format!(
                "NIS record {} announces {len} bytes; not an apcupsd NIS answer",
                frames + 1
            )));
        }
        if rest.len() < len {
            return Ok(None);
        }
        let record = String::from_utf8_lossy(&rest[..len]);
        text.push_str(&record);
        if !record.ends_with('\n') {
            text.push('\n');
        }
        rest = &rest[len..];
        frames += 1;
    }
}

/// How many whole records the start of a NIS answer holds (to say how far a cut answer got).
pub fn whole_nis_records(bytes: &[u8]) -> usize {
    let mut rest = bytes;
    let mut records = 0;
    while rest.len() >= 2 {
        let len = usize::from(u16::from_be_bytes([rest[0], rest[1]]));
        if len == 0 || rest.len() < 2 + len {
            break;
        }
        rest = &rest[2 + len..];
        records += 1;
    }
    records
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(s: &str) -> Vec<u8> {
        let mut out = (s.len() as u16).to_be_bytes().to_vec();
        out.extend_from_slice(s.as_bytes());
        out
    }

    #[test]
    fn nis_frames_are_joined_until_the_zero_length() {
        let mut bytes = frame("APC      : 001,050,1123\n");
        bytes.extend(frame("STATUS   : ONLINE \n"));
        assert_eq!(decode_nis(&bytes).unwrap(), None);
        bytes.extend(frame("END APC  : 2026-11-25 09:28:02 +0000  \n"));
        bytes.extend([0, 0]);
        let text = decode_nis(&bytes).unwrap().unwrap();
        let status = parse(&text).unwrap();
        assert_eq!(status.get("STATUS"), Some("ONLINE"));
        assert_eq!(status.get("END APC"), Some("2026-11-25 09:28:02 +0000"));
        assert_eq!(decode_nis(&bytes[..bytes.len() - 1]).unwrap(), None);
    }

    #[test]
    fn a_non_nis_answer_is_refused() {
        let err = decode_nis(b"HTTP/1.1 400 Bad Request\r\n").unwrap_err();
        assert!(
            err.to_string().contains("not an apcupsd NIS answer"),
            "{err}"
        );
    }

    #[test]
    fn truncated_and_garbage_reports_name_the_problem() {
        let err = parse("APC      : 001\nSTATUS   : ONLINE\n").unwrap_err();
        assert!(
            err.to_string().contains("without 'END APC' (truncated)"),
            "{err}"
        );
        let err = parse("STATUS   : ONLINE\nthis is not apcaccess\n").unwrap_err();
        assert!(
            err.to_string()
                .contains("line 2 'this is not apcaccess': expected 'KEY : value'"),
            "{err}"
        );
        let err = parse("STATUS   : ONLINE\nlower: case\n").unwrap_err();
        assert!(err.to_string().contains("line 2"), "{err}");
        assert!(parse("").is_err());
    }
}
