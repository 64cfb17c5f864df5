//! A deadline-bound TCP connection for line protocols (NUT's upsd, apcupsd's NIS, later Riak's
//! or a BMC's text interfaces): every resolve, connect, write and read is bounded by one
//! deadline, and an answer is capped. What came is handed to a pure parser.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

/// Default cap on one answer (a NUT UPS has a few hundred variables; this is far above).
pub const DEFAULT_MAX_ANSWER: usize = 1024 * 1024;

/// Why a conversation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NetError {
    /// Could not connect, or the peer stopped answering: the daemon is unreachable.
    #[error("{0}")]
    Unreachable(String),
    /// The peer answered something that cannot be read (too much, or not the protocol).
    #[error("{0}")]
    Failed(String),
    /// The timeout left no time to even try: nothing is known about the peer (UNKNOWN, never
    /// "unreachable").
    #[error("{0}")]
    NotAsked(String),
    /// The peer answered part of its answer, then went silent until the deadline: it is up
    /// (it answered), but what came is not the whole answer, so it is never judged and never
    /// called unreachable. `partial` is what came, for the caller to say how far it got.
    #[error("{address}: answer cut off after {} bytes, nothing more within {:.1} s", partial.len(), waited.as_secs_f64())]
    CutOff {
        address: String,
        partial: String,
        /// Time since the request was sent (or the connection made).
        waited: Duration,
    },
}

/// `host:port`, with brackets around an IPv6 address.
pub fn display_address(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// One open conversation.
#[derive(Debug)]
pub struct LineConn {
    stream: TcpStream,
    address: String,
    deadline: Instant,
    max_answer: usize,
    /// When the last request was sent (or the connection made): "no answer within N s" counts
    /// from here, not from the last read call (a peer trickling bytes would make that ~0 s).
    asked_at: Instant,
}

impl LineConn {
    /// Connect to `host:port` (each resolved address in turn) before `deadline`.
    pub fn open(host: &str, port: u16, deadline: Instant) -> Result<LineConn, NetError> {
        let address = display_address(host, port);
        let started = Instant::now();
        let unreachable = |why: String| NetError::Unreachable(format!("{address}: {why}"));
        if time_left(deadline).is_none() {
            return Err(NetError::NotAsked(format!(
                "{address}: not asked, the timeout (-t) left no time to connect; raise -t"
            )));
        }
        let addrs: Vec<SocketAddr> = (host, port)
            .to_socket_addrs()
            .map_err(|e| {
                unreachable(format!(
                    "cannot resolve {host}: {}",
                    crate::context::io_reason(&e)
                ))
            })?
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
                    return Ok(LineConn {
                        stream,
                        address,
                        deadline,
                        max_answer: DEFAULT_MAX_ANSWER,
                        asked_at: Instant::now(),
                    });
                }
                Err(e) => last = describe_io(&e, started.elapsed()),
            }
        }
        Err(unreachable(last))
    }

    /// Cap one answer at `bytes` (sized to the source).
    pub fn max_answer(mut self, bytes: usize) -> LineConn {
        self.max_answer = bytes;
        self
    }

    /// `host:port` as shown in messages.
    pub fn address(&self) -> &str {
        &self.address
    }

    pub fn send(&mut self, bytes: &[u8]) -> Result<(), NetError> {
        self.asked_at = Instant::now();
        let left = self.left(&[])?;
        let _ = self.stream.set_write_timeout(Some(left));
        self.stream.write_all(bytes).map_err(|e| {
            NetError::Unreachable(format!(
                "{}: {}",
                self.address,
                describe_io(&e, self.asked_at.elapsed())
            ))
        })
    }

    /// Send without waiting for or caring about the result (a polite `LOGOUT`).
    pub fn send_quietly(&mut self, bytes: &[u8]) {
        if let Some(left) = time_left(self.deadline) {
            let _ = self
                .stream
                .set_write_timeout(Some(left.min(Duration::from_millis(50))));
            let _ = self.stream.write_all(bytes);
        }
    }

    /// Read more bytes into `buf`; false when the peer closed the connection. `buf` growing
    /// past the cap is an error: the answer is not read whole, so it is never judged. Silence
    /// until the deadline is [`NetError::Unreachable`] while `buf` is empty, and
    /// [`NetError::CutOff`] once the peer has sent part of its answer.
    pub fn read_some(&mut self, buf: &mut Vec<u8>) -> Result<bool, NetError> {
        let left = self.left(buf)?;
        let _ = self.stream.set_read_timeout(Some(left));
        let mut chunk = [0u8; 8192];
        loop {
            match self.stream.read(&mut chunk) {
                Ok(0) => return Ok(false),
                Ok(n) => {
                    buf.extend_from_slice(&chunk[..n]);
                    if buf.len() > self.max_answer {
                        return Err(NetError::Failed(format!(
                            "{} sent more than {} KiB, not read whole",
                            self.address,
                            self.max_answer / 1024
                        )));
                    }
                    return Ok(true);
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) if is_timeout(&e) && !buf.is_empty() => return Err(self.cut_off(buf)),
                Err(e) => {
                    return Err(NetError::Unreachable(format!(
                        "{}: {}",
                        self.address,
                        describe_io(&e, self.asked_at.elapsed())
                    )))
                }
            }
        }
    }

    /// Read until `done(text)` says the answer is whole. A peer closing early gets what came
    /// handed back (the parser names what is missing); one going silent part way is
    /// [`NetError::CutOff`].
    pub fn read_until(&mut self, done: impl Fn(&str) -> bool) -> Result<String, NetError> {
        let mut buf = Vec::new();
        loop {
            if !self.read_some(&mut buf)? {
                return Ok(String::from_utf8_lossy(&buf).into_owned());
            }
            let text = String::from_utf8_lossy(&buf);
            if done(&text) {
                return Ok(text.into_owned());
            }
        }
    }

    /// Time left for the next call; none left is silence until the deadline (see
    /// [`LineConn::read_some`]: with part of an answer in `buf`, a cut answer).
    fn left(&self, buf: &[u8]) -> Result<Duration, NetError> {
        match time_left(self.deadline) {
            Some(left) => Ok(left),
            None if !buf.is_empty() => Err(self.cut_off(buf)),
            None => Err(NetError::Unreachable(format!(
                "{}: no answer within {:.1} s",
                self.address,
                self.asked_at.elapsed().as_secs_f64()
            ))),
        }
    }

    fn cut_off(&self, buf: &[u8]) -> NetError {
        NetError::CutOff {
            address: self.address.clone(),
            partial: String::from_utf8_lossy(buf).into_owned(),
            waited: self.asked_at.elapsed(),
        }
    }
}

fn is_timeout(e: &std::io::Error) -> bool {
    matches!(e.kind(), ErrorKind::TimedOut | ErrorKind::WouldBlock)
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
        _ => crate::context::io_reason(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    #[test]
    fn a_line_answer_is_read_until_whole() {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let t = std::thread::spawn(move || {
            let (mut s, _) = l.accept().unwrap();
            let mut b = [0u8; 64];
            let n = s.read(&mut b).unwrap();
            assert_eq!(&b[..n], b"HELLO\n");
            s.write_all(b"OK ").unwrap();
            std::thread::sleep(Duration::from_millis(30));
            s.write_all(b"there\n").unwrap();
        });
        let mut c =
            LineConn::open("127.0.0.1", port, Instant::now() + Duration::from_secs(5)).unwrap();
        c.send(b"HELLO\n").unwrap();
        assert_eq!(c.read_until(|t| t.ends_with('\n')).unwrap(), "OK there\n");
        t.join().unwrap();
    }

    #[test]
    fn a_peer_silent_part_way_is_cut_off_with_the_real_time_waited() {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let t = std::thread::spawn(move || {
            let (mut s, _) = l.accept().unwrap();
            // a trickle: one byte every 50 ms, never the end of the line
            for b in b"BEGIN" {
                let _ = s.write_all(&[*b]);
                std::thread::sleep(Duration::from_millis(50));
            }
            std::thread::sleep(Duration::from_millis(400));
        });
        let mut c = LineConn::open(
            "127.0.0.1",
            port,
            Instant::now() + Duration::from_millis(300),
        )
        .unwrap();
        c.send(b"LIST\n").unwrap();
        let e = c.read_until(|t| t.ends_with('\n')).unwrap_err();
        let NetError::CutOff {
            partial, waited, ..
        } = &e
        else {
            panic!("{e:?}")
        };
        assert!(partial.starts_with("BEG"), "{partial}");
        assert!(*waited >= Duration::from_millis(250), "{waited:?}");
        assert!(e.to_string().contains("nothing more within 0.3 s"), "{e}");
        t.join().unwrap();
    }

    #[test]
    fn silence_refusal_no_time_and_floods_are_named() {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let mut c = LineConn::open(
            "127.0.0.1",
            port,
            Instant::now() + Duration::from_millis(200),
        )
        .unwrap();
        let e = c.read_until(|_| false).unwrap_err();
        assert!(
            matches!(&e, NetError::Unreachable(w) if w.contains("no answer within 0.2 s")),
            "{e:?}"
        );
        drop(l);
        let e =
            LineConn::open("127.0.0.1", port, Instant::now() + Duration::from_secs(1)).unwrap_err();
        assert_eq!(
            e,
            NetError::Unreachable(format!("127.0.0.1:{port}: connection refused"))
        );
        let e = LineConn::open("127.0.0.1", port, Instant::now()).unwrap_err();
        assert!(matches!(e, NetError::NotAsked(_)));

        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        std::thread::spawn(move || {
            let (mut s, _) = l.accept().unwrap();
            let _ = s.write_all(&vec![b'x'; 64 * 1024]);
        });
        let mut c = LineConn::open("127.0.0.1", port, Instant::now() + Duration::from_secs(5))
            .unwrap()
            .max_answer(16 * 1024);
        let e = c.read_until(|_| false).unwrap_err();
        assert_eq!(
            e,
            NetError::Failed(format!(
                "127.0.0.1:{port} sent more than 16 KiB, not read whole"
            ))
        );
        assert_eq!(display_address("::1", 3493), "[::1]:3493");
    }
}
