//! Every A/AAAA address of a name: through the system resolver (getaddrinfo, as clients on
//! this host resolve it), or by asking one DNS server (`--dns-server`, e.g. the cloud's own
//! DNS on the UFS) over UDP, and TCP when the answer is truncated. Both end by the deadline.

use crate::dns;
use common::bounded::{run_bounded, Bounded};
use common::Acquisition;
use std::io::{ErrorKind, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream, ToSocketAddrs, UdpSocket};
use std::time::{Duration, Instant};

/// What resolving gave, when a resolver answered.
#[derive(Debug, Clone, PartialEq)]
pub enum Resolved {
    /// Every address, A first then AAAA, each once.
    Addresses(Vec<IpAddr>),
    /// The name does not exist or has no address (the resolver's words).
    NotFound(String),
}

fn left(deadline: Instant) -> Duration {
    deadline.saturating_duration_since(Instant::now())
}

/// The system resolver, in a thread of its own (the kit's `run_bounded`) so that a resolver that hangs cannot outlast `deadline`
/// (getaddrinfo takes no timeout; the thread is left behind, and the process ends soon after).
pub fn system(name: &str, deadline: Instant) -> Acquisition<Resolved> {
    let source = "the system resolver";
    if left(deadline) < Duration::from_millis(1) {
        return Acquisition::not_asked(source);
    }
    let owned = name.to_string();
    let lookup = move || {
        (owned.as_str(), 0u16)
            .to_socket_addrs()
            .map(|a| a.collect::<Vec<_>>())
    };
    match run_bounded("resolve", left(deadline), lookup) {
        Bounded::Done(Ok(addrs)) => {
            let mut ips: Vec<IpAddr> = Vec::new();
            // A first, then AAAA, each in order, as --dns-server lists them.
            for a in &addrs {
                if !ips.contains(&a.ip()) {
                    ips.push(a.ip());
                }
            }
            ips.sort_by_key(|ip| (ip.is_ipv6(), *ip));
            if ips.is_empty() {
                Acquisition::Read(Resolved::NotFound("no address".into()))
            } else {
                Acquisition::Read(Resolved::Addresses(ips))
            }
        }
        Bounded::Done(Err(e)) => system_error(source, &e.to_string()),
        Bounded::TimedOut => {
            Acquisition::unreachable(source, "no answer from the name server before the timeout")
        }
        Bounded::NoThread(why) => Acquisition::unreadable(source, why),
    }
}

/// getaddrinfo's words (glibc's and musl's) as an acquisition.
fn system_error(source: &str, text: &str) -> Acquisition<Resolved> {
    let lower = text.to_ascii_lowercase();
    if lower.contains("temporary failure") || lower.contains("try again") {
        return Acquisition::unreachable(source, "no answer from the name server");
    }
    let not_found = [
        "not known",
        "does not resolve",
        "no address associated",
        "nodename nor servname",
        "no such host",
    ];
    if not_found.iter().any(|w| lower.contains(w)) {
        return Acquisition::Read(Resolved::NotFound("no such name".into()));
    }
    let why = text
        .strip_prefix("failed to lookup address information: ")
        .unwrap_or(text);
    Acquisition::unreadable(source, why.to_string())
}

/// A question ID: not for security (the reply must come from the server's address and
/// port, on a socket of our own), only to match replies to questions.
fn question_id(salt: u16) -> u16 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    (nanos as u16) ^ (std::process::id() as u16) ^ salt.rotate_left(7)
}

/// Ask `server` for the A and AAAA records of `name`.
pub fn ask_server(server: SocketAddr, name: &str, deadline: Instant) -> Acquisition<Resolved> {
    let source = format!("DNS server {server}");
    if left(deadline) < Duration::from_millis(1) {
        return Acquisition::not_asked(source);
    }
    let mut found: Vec<IpAddr> = Vec::new();
    // Per type, what the server said when it gave no address: a server may answer A and
    // refuse AAAA (dnsmasq without upstream does), and the name still resolves for clients.
    let mut refusals: Vec<String> = Vec::new();
    for (n, qtype) in [dns::TYPE_A, dns::TYPE_AAAA].into_iter().enumerate() {
        let id = question_id(n as u16 + 1);
        let reply = match udp(server, name, id, qtype, deadline) {
            Ok(r) if r.truncated => match tcp(server, name, id, qtype, deadline) {
                Ok(r) => r,
                Err(e) => return e.acquisition(source),
            },
            Ok(r) => r,
            Err(e) => return e.acquisition(source),
        };
        if reply.rcode == 0 {
            found.extend(reply.addresses);
        } else {
            refusals.push(dns::rcode_name(reply.rcode));
        }
    }
    if !found.is_empty() {
        // A then AAAA, each in order: servers rotate their answers (round robin), the output
        // and its perfdata should not.
        found.sort_by_key(|ip| (ip.is_ipv6(), *ip));
        found.dedup();
        Acquisition::Read(Resolved::Addresses(found))
    } else if refusals.is_empty() {
        Acquisition::Read(Resolved::NotFound(format!(
            "no A or AAAA record at {server}"
        )))
    } else {
        // NXDOMAIN, or SERVFAIL/REFUSED: clients asking this server cannot resolve it either.
        refusals.dedup();
        Acquisition::Read(Resolved::NotFound(format!(
            "{} from {server}",
            refusals.join(", ")
        )))
    }
}

enum Failure {
    Unreachable(String),
    Bad(String),
}

impl Failure {
    fn acquisition(self, source: String) -> Acquisition<Resolved> {
        match self {
            Failure::Unreachable(why) => Acquisition::unreachable(source, why),
            Failure::Bad(why) => Acquisition::unreadable(source, why),
        }
    }
}

fn io_failure(e: std::io::Error, deadline: Instant) -> Failure {
    match e.kind() {
        ErrorKind::WouldBlock | ErrorKind::TimedOut => {
            let _ = deadline;
            Failure::Unreachable("no answer before the timeout".into())
        }
        ErrorKind::ConnectionRefused => {
            Failure::Unreachable("port closed: nothing listens there".into())
        }
        _ => {
            // the system's words without " (os error N)"
            let text = e.to_string();
            let text = text
                .split(" (os error ")
                .next()
                .unwrap_or(&text)
                .to_lowercase();
            Failure::Unreachable(text)
        }
    }
}

fn udp(
    server: SocketAddr,
    name: &str,
    id: u16,
    qtype: u16,
    deadline: Instant,
) -> Result<dns::Reply, Failure> {
    let question = dns::query(id, name, qtype).map_err(Failure::Bad)?;
    let local: SocketAddr = if server.is_ipv4() {
        "0.0.0.0:0"
            .parse()
            .map_err(|_| Failure::Bad("no local address".into()))?
    } else {
        "[::]:0"
            .parse()
            .map_err(|_| Failure::Bad("no local address".into()))?
    };
    let socket = UdpSocket::bind(local).map_err(|e| io_failure(e, deadline))?;
    // connect: only datagrams from the server are received, and an ICMP port unreachable
    // comes back as "refused".
    socket
        .connect(server)
        .map_err(|e| io_failure(e, deadline))?;
    socket
        .send(&question)
        .map_err(|e| io_failure(e, deadline))?;
    let mut buf = [0u8; 4096];
    loop {
        let wait = left(deadline);
        if wait < Duration::from_millis(1) {
            return Err(Failure::Unreachable("no answer before the timeout".into()));
        }
        socket
            .set_read_timeout(Some(wait))
            .map_err(|e| io_failure(e, deadline))?;
        let n = socket.recv(&mut buf).map_err(|e| io_failure(e, deadline))?;
        // A late reply to an earlier question is skipped; anything else with our ID is the
        // answer, judged whole or refused.
        if dns::message_id(&buf[..n]) != Some(id) {
            continue;
        }
        return dns::parse(&buf[..n], id, qtype).map_err(Failure::Bad);
    }
}

/// The same question over TCP (2-byte length prefix, RFC 1035 4.2.2).
fn tcp(
    server: SocketAddr,
    name: &str,
    id: u16,
    qtype: u16,
    deadline: Instant,
) -> Result<dns::Reply, Failure> {
    let question = dns::query(id, name, qtype).map_err(Failure::Bad)?;
    let wait = left(deadline).max(Duration::from_millis(1));
    let mut s = TcpStream::connect_timeout(&server, wait).map_err(|e| io_failure(e, deadline))?;
    let mut framed = (question.len() as u16).to_be_bytes().to_vec();
    framed.extend_from_slice(&question);
    s.set_write_timeout(Some(left(deadline).max(Duration::from_millis(1))))
        .map_err(|e| io_failure(e, deadline))?;
    s.write_all(&framed).map_err(|e| io_failure(e, deadline))?;
    let mut len = [0u8; 2];
    let mut read_exact = |buf: &mut [u8]| -> Result<(), Failure> {
        let wait = left(deadline);
        if wait < Duration::from_millis(1) {
            return Err(Failure::Unreachable("no answer before the timeout".into()));
        }
        s.set_read_timeout(Some(wait))
            .map_err(|e| io_failure(e, deadline))?;
        s.read_exact(buf).map_err(|e| match e.kind() {
            ErrorKind::UnexpectedEof => Failure::Bad("the answer over TCP is cut off".into()),
            _ => io_failure(e, deadline),
        })
    };
    read_exact(&mut len)?;
    let mut msg = vec![0u8; u16::from_be_bytes(len) as usize];
    read_exact(&mut msg)?;
    let reply = dns::parse(&msg, id, qtype).map_err(Failure::Bad)?;
    if reply.truncated {
        return Err(Failure::Bad("the answer over TCP is truncated too".into()));
    }
    Ok(reply)
}
