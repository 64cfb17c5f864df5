//! `iscsiadm -m session -P 1` / `-P 3` text: targets, and under each the sessions (one per
//! `Current Portal:`), each with its SID and `iSCSI Session State:`.
//!
//! What shows a cut copy: a session state outside the tool's words (`LOGGED_I`), a session
//! without its state line, a target without a session. A copy cut exactly after a session's
//! state line (or between targets) cannot be told from a whole one.

use crate::model::{Session, Target};
use common::ParseError;

/// open-iscsi's session states (`iscsi_session_state_name`).
pub const SESSION_STATES: &[&str] = &["LOGGED_IN", "FAILED", "FREE", "Unknown"];

pub fn parse(text: &str) -> Result<Vec<Target>, ParseError> {
    if text.trim().is_empty() {
        return Err(ParseError::whole("empty: no iSCSI session in it"));
    }
    let mut targets: Vec<Target> = Vec::new();
    // Where the current session began, for the message when it has no state.
    let mut session_line: Option<(usize, String)> = None;
    let mut no_sessions = false;
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        if raw.len() > 4096 {
            // Real lines are under 200 bytes; a longer one is no iscsiadm output.
            return Err(ParseError::at(
                n,
                raw,
                "a line longer than 4096 bytes: not iscsiadm output",
            ));
        }
        let line = raw.trim();
        if line.is_empty() || line.starts_with('*') {
            continue;
        }
        let err = |why: &str| ParseError::at(n, raw, why);
        if let Some(rest) = line.strip_prefix("Target:") {
            close_session(&targets, &session_line)?;
            session_line = None;
            if let Some(t) = targets.last() {
                if t.sessions.is_empty() {
                    return Err(err("the previous target has no session (Current Portal:)"));
                }
            }
            let iqn = rest
                .split_whitespace()
                .next()
                .ok_or_else(|| err("a Target: line without a name"))?;
            targets.push(Target {
                iqn: iqn.to_string(),
                sessions: Vec::new(),
            });
            continue;
        }
        if let Some(rest) = line.strip_prefix("Current Portal:") {
            let Some(t) = targets.last_mut() else {
                return Err(err("a portal before any Target: line"));
            };
            close_session_of(t, &session_line)?;
            t.sessions.push(Session {
                portal: Some(rest.trim().to_string()),
                ..Session::default()
            });
            session_line = Some((n, raw.to_string()));
            continue;
        }
        if targets.is_empty() {
            // Before the first target only the version lines come.
            if line.starts_with("iSCSI Transport Class version") || line.starts_with("version ") {
                continue;
            }
            if line.starts_with("iscsiadm: No active sessions") {
                no_sessions = true;
                continue;
            }
            if line.starts_with("tcp:") || line.starts_with("iser:") {
                return Err(err(
                    "this is `iscsiadm -m session` (-P 0) output, which has no session state: save `iscsiadm -m session -P 3`",
                ));
            }
            return Err(err(
                "not iscsiadm -m session -P 1/-P 3 output (expected Target:)",
            ));
        }
        let session = targets.last_mut().and_then(|t| t.sessions.last_mut());
        let Some(s) = session else {
            // Lines between Target: and its first portal (none known): tolerated.
            continue;
        };
        if let Some(v) = line.strip_prefix("SID:") {
            s.sid = v.trim().to_string();
        } else if let Some(v) = line.strip_prefix("iSCSI Session State:") {
            let v = v.trim();
            if !SESSION_STATES.contains(&v) {
                return Err(err(&format!(
                    "'{v}' is no iSCSI session state (LOGGED_IN, FAILED, FREE)"
                )));
            }
            if !s.state.is_empty() {
                return Err(err("a second session state for one session"));
            }
            s.state = v.to_string();
        } else if let Some(v) = line.strip_prefix("Internal iscsid Session State:") {
            s.detail = Some(v.trim().to_string());
        }
    }
    close_session(&targets, &session_line)?;
    match targets.last() {
        Some(t) if t.sessions.is_empty() => Err(ParseError::whole(format!(
            "target {} ends the text without a session: the output was cut",
            t.iqn
        ))),
        None if !no_sessions => Err(ParseError::whole(
            "no iSCSI target in it (not iscsiadm -m session -P 3 output, or cut before the first Target:)",
        )),
        _ => Ok(targets),
    }
}

fn close_session(targets: &[Target], started: &Option<(usize, String)>) -> Result<(), ParseError> {
    match targets.last() {
        Some(t) => close_session_of(t, started),
        None => Ok(()),
    }
}

fn close_session_of(t: &Target, started: &Option<(usize, String)>) -> Result<(), ParseError> {
    match (t.sessions.last(), started) {
        (Some(s), Some((n, line))) if s.state.is_empty() => Err(ParseError::at(
            *n,
            line,
            format!(
                "this session to {} has no 'iSCSI Session State:' line (give -P 1 or -P 3 output; or the output was cut)",
                t.iqn
            ),
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_group_under_their_target() {
        let t = parse(
            "Target: iqn.a (non-flash)\n\tCurrent Portal: 10.0.0.1:3260,1\n\t\tSID: 1\n\t\tiSCSI Session State: LOGGED_IN\n\
             \tCurrent Portal: 10.0.0.2:3260,1\n\t\tSID: 2\n\t\tiSCSI Session State: FAILED\n\t\tInternal iscsid Session State: REOPEN\n",
        )
        .unwrap();
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].iqn, "iqn.a");
        assert_eq!(t[0].sessions[1].sid, "2");
        assert_eq!(t[0].sessions[1].detail.as_deref(), Some("REOPEN"));
        assert_eq!(t[0].logged_in(), 1);
    }

    #[test]
    fn cut_and_foreign_texts_are_refused() {
        assert!(parse("").is_err());
        assert!(parse("Target: iqn.a\n").is_err());
        assert!(parse("Target: iqn.a\n\tCurrent Portal: 1:3260,1\n\t\tSID: 1\n").is_err());
        assert!(parse(
            "Target: iqn.a\n\tCurrent Portal: 1:3260,1\n\t\tiSCSI Session State: LOGGED_I"
        )
        .is_err());
        assert!(parse("tcp: [1] 10.0.0.1:3260,1 iqn.a (non-flash)\n").is_err());
        assert!(parse("garbage\n").is_err());
        assert_eq!(parse("iscsiadm: No active sessions.\n").unwrap(), vec![]);
    }
}
