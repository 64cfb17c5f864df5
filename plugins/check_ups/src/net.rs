//! Acquisition over the network: one short TCP conversation with upsd or apcupsd's NIS, every
//! connect, read and write bounded by the deadline. The answers go to the pure parsers.

use crate::apcaccess;
use crate::nut::{self, ListVar};
use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

/// Largest answer accepted (a NUT UPS has a few hundred variables; this is far above).
const MAX_ANSWER: usize = 1024 * 1024;

/// Why a conversation failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum NetError {
    /// Could not connect or the peer stopped answering: the daemon is unreachable.
    #[error("{0}")]
    Unreachable(String),
    /// The peer answered something we cannot read.
    #[error("{0}")]
    Garbage(String),
    /// The timeout left no time to even try: nothing is known about the peer (UNKNOWN, never
    /// "unreachable").
    #[error("{0}")]
    NotAsked(String),
}

/// User and password for upsd (`USERNAME`/`PASSWORD`). Never printed.
#[derive(Clone, PartialEq)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Credentials {{ username: {:?}, password: <hidden> }}",
            self.username
        )
    }
}

/// What upsd said to `LIST VAR`.
pub fn nut_list_var(
    host: &str,
    port: u16,
    ups: &str,
    credentials: Option<&Credentials>,
    deadline: Instant,
) -> Result<ListVar, NetError> {
    let address = display_address(host, port);
    let mut conn = Conn::open(host, port, &address, deadline)?;
    if let Some(c) = credentials {
        for (command, value) in [("USERNAME", &c.username), ("PASSWORD", &c.password)] {
            conn.send(format!("{command} {}\n", nut::quote(value)).as_bytes())?;
            let line = conn.read_until(|t| t.ends_with('\n'))?;
            match nut::parse_ok(&line) {
                Ok(Ok(())) => {}
                Ok(Err(e)) => return Ok(ListVar::Error(e)),
                Err(e) => {
                    return Err(NetError::Garbage(
                        e.in_source(format!("upsd at {address} ({command} answer)"))
                            .to_string(),
                    ))
                }
            }
        }
    }
    conn.send(format!("LIST VAR {ups}\n").as_bytes())?;
    let text = conn.read_until(nut::list_var_complete)?;
    // Polite goodbye; its answer is not needed and a failure here changes nothing.
    let _ = conn.stream.write_all(b"LOGOUT\n");
    nut::parse_list_var(ups, &text).map_err(|e| {
        NetError::Garbage(
            e.in_source(format!("the answer of upsd at {address}"))
                .to_string(),
        )
    })
}

/// apcupsd's status report over NIS, as text.
pub fn apcupsd_status(host: &str, port: u16, deadline: Instant) -> Result<String, NetError> {
    let address = display_address(host, port);
    let mut conn = Conn::open(host, port, &address, deadline)?;
    conn.send(&apcaccess::nis_status_request())?;
    let mut buf = Vec::new();
    loop {
        match apcaccess::decode_nis(&buf) {
            Ok(Some(text)) => return Ok(text),
            Ok(None) => {}
            Err(e) => {
                return Err(NetError::Garbage(
                    e.in_source(format!("the answer of apcupsd at {address}"))
                        .to_string(),
                ))
            }
        }
        if !conn.read_some(&mut buf)? {
            return Err(NetError::Garbage(format!(
                "apcupsd at {address} closed the connection in the middle of its answer"
            )));
        }
    }
}

/// `host:port`, with brackets around an IPv6 address.
pub fn display_address(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

struct Conn {
    stream: TcpStream,
    address: String,
    deadline: Instant,
}

impl Conn {
    fn open(host: &str, port: u16, address: &str, deadline: Instant) -> Result<Conn, NetError> {
        let unreachable = |why: String| NetError::Unreachable(format!("{address}: {why}"));
        let addrs: Vec<SocketAddr> = (host, port)
            .to_socket_addrs()
            .map_err(|e| unreachable(format!("cannot resolve {host}: {e}")))?
            .collect();
        if addrs.is_empty() {
            return Err(unreachable(format!("{host} has no address")));
        }
        let mut last = String::new();
        for addr in addrs {
            let Some(left) = time_left(deadline) else {
                if last.is_empty() {
                    return Err(NetError::NotAsked(format!(
                        "{address}: not asked, the timeout (-t) left no time to connect; raise -t"
                    )));
                }
                break;
            };
            match TcpStream::connect_timeout(&addr, left) {
                Ok(stream) => {
                    let _ = stream.set_nodelay(true);
                    return Ok(Conn {
                        stream,
                        address: address.to_string(),
                        deadline,
                    });
                }
                Err(e) => last = describe_io(&e, left),
            }
        }
        Err(unreachable(last))
    }

    fn send(&mut self, bytes: &[u8]) -> Result<(), NetError> {
        let left = self.left()?;
        let _ = self.stream.set_write_timeout(Some(left));
        self.stream.write_all(bytes).map_err(|e| {
            NetError::Unreachable(format!("{}: {}", self.address, describe_io(&e, left)))
        })
    }

    /// Read more bytes into `buf`; false when the peer closed the connection.
    fn read_some(&mut self, buf: &mut Vec<u8>) -> Result<bool, NetError> {
        let left = self.left()?;
        let _ = self.stream.set_read_timeout(Some(left));
        let mut chunk = [0u8; 8192];
        loop {
            match self.stream.read(&mut chunk) {
                Ok(0) => return Ok(false),
                Ok(n) => {
                    buf.extend_from_slice(&chunk[..n]);
                    if buf.len() > MAX_ANSWER {
                        return Err(NetError::Garbage(format!(
                            "{} sent more than {MAX_ANSWER} bytes; not a UPS daemon's answer",
                            self.address
                        )));
                    }
                    return Ok(true);
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => {
                    return Err(NetError::Unreachable(format!(
                        "{}: {}",
                        self.address,
                        describe_io(&e, left)
                    )))
                }
            }
        }
    }

    /// Read until `done(text)` says the answer is whole.
    fn read_until(&mut self, done: fn(&str) -> bool) -> Result<String, NetError> {
        let mut buf = Vec::new();
        loop {
            if !self.read_some(&mut buf)? {
                // Closed early: hand what came to the parser, which names what is missing.
                return Ok(String::from_utf8_lossy(&buf).into_owned());
            }
            let text = String::from_utf8_lossy(&buf);
            if done(&text) {
                return Ok(text.into_owned());
            }
        }
    }

    fn left(&self) -> Result<Duration, NetError> {
        time_left(self.deadline).ok_or_else(|| {
            NetError::Unreachable(format!("{}: no answer before the timeout", self.address))
        })
    }
}

fn time_left(deadline: Instant) -> Option<Duration> {
    let left = deadline.saturating_duration_since(Instant::now());
    // A zero timeout means "block forever" to the socket calls: never pass it.
    (left >= Duration::from_millis(1)).then_some(left)
}

fn describe_io(e: &std::io::Error, waited: Duration) -> String {
    match e.kind() {
        ErrorKind::ConnectionRefused => "connection refused".into(),
        ErrorKind::TimedOut | ErrorKind::WouldBlock => {
            format!("no answer within {:.1} s", waited.as_secs_f64())
        }
        ErrorKind::ConnectionReset => "connection reset".into(),
        _ => e.to_string(),
    }
}
