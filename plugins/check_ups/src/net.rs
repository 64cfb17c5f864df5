//! Acquisition over the network: one short conversation with upsd or apcupsd's NIS, over the
//! kit's deadline-bound line connection. The answers go to the pure parsers.

use crate::apcaccess;
use crate::nut::{self, ListVar};
use common::net::line::LineConn;
pub use common::net::line::{display_address, NetError};
use common::secret::{self, Secret};
use std::time::Instant;

/// Largest answer accepted (a NUT UPS has a few hundred variables, a few KiB; apcupsd's
/// status is smaller still). Saved outputs (`--input`) are capped the same.
pub const MAX_ANSWER: usize = 256 * 1024;

/// User and password for upsd (`USERNAME`/`PASSWORD`). The password is a [`Secret`]: it never
/// prints, and an upsd that echoes it back has it scrubbed from the output.
#[derive(Debug, Clone, PartialEq)]
pub struct Credentials {
    pub username: String,
    pub password: Secret,
}

/// What upsd said to `LIST VAR`.
pub fn nut_list_var(
    host: &str,
    port: u16,
    ups: &str,
    credentials: Option<&Credentials>,
    deadline: Instant,
) -> Result<ListVar, NetError> {
    let mut conn = LineConn::open(host, port, deadline)?.max_answer(MAX_ANSWER);
    let address = conn.address().to_string();
    if let Some(c) = credentials {
        let quoted_password = nut::quote(c.password.expose());
        // The form on the wire too: an echo of the command line must not show it either.
        secret::register(&quoted_password);
        for (command, value) in [
            ("USERNAME", nut::quote(&c.username)),
            ("PASSWORD", quoted_password),
        ] {
            conn.send(format!("{command} {value}\n").as_bytes())?;
            let line = conn.read_until(|t| t.ends_with('\n'))?;
            match nut::parse_ok(&line) {
                Ok(Ok(())) => {}
                Ok(Err(e)) => return Ok(ListVar::Error(e)),
                Err(e) => {
                    return Err(NetError::Failed(
                        e.in_source(format!("upsd at {address} ({command} answer)"))
                            .to_string(),
                    ))
                }
            }
        }
    }
    conn.send(format!("LIST VAR {ups}\n").as_bytes())?;
    let text = conn.read_until(nut::list_var_complete).map_err(|e| match e {
        // upsd answered, then stopped: it is up, but the list is not whole (UNKNOWN).
        NetError::CutOff {
            partial, waited, ..
        } => NetError::Failed(format!(
            "upsd at {address}: answer cut off: no END LIST VAR after {} lines (nothing more within {:.1} s)",
            partial.matches('\n').count(),
            waited.as_secs_f64()
        )),
        e => e,
    })?;
    // Polite goodbye; its answer is not needed and a failure here changes nothing.
    conn.send_quietly(b"LOGOUT\n");
    nut::parse_list_var(ups, &text).map_err(|e| {
        NetError::Failed(
            e.in_source(format!("the answer of upsd at {address}"))
                .to_string(),
        )
    })
}

/// apcupsd's status report over NIS, as text.
pub fn apcupsd_status(host: &str, port: u16, deadline: Instant) -> Result<String, NetError> {
    let mut conn = LineConn::open(host, port, deadline)?.max_answer(MAX_ANSWER);
    let address = conn.address().to_string();
    conn.send(&apcaccess::nis_status_request())?;
    let mut buf = Vec::new();
    loop {
        match apcaccess::decode_nis(&buf) {
            Ok(Some(text)) => return Ok(text),
            Ok(None) => {}
            Err(e) => {
                return Err(NetError::Failed(
                    e.in_source(format!("the answer of apcupsd at {address}"))
                        .to_string(),
                ))
            }
        }
        let more = conn.read_some(&mut buf).map_err(|e| match e {
            // apcupsd answered, then stopped: it is up, but the report is not whole (UNKNOWN).
            NetError::CutOff { waited, .. } => NetError::Failed(format!(
                "apcupsd at {address}: answer cut off: no end record after {} records (nothing more within {:.1} s)",
                apcaccess::whole_nis_records(&buf),
                waited.as_secs_f64()
            )),
            e => e,
        })?;
        if !more {
            return Err(NetError::Failed(format!(
                "apcupsd at {address} closed the connection in the middle of its answer"
            )));
        }
    }
}
