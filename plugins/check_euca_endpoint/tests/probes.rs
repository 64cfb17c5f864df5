//! The probes and the DNS client against this file's own loopback servers (std + rustls, no
//! outside program): a DNS responder whose answers each test chooses (addresses, NXDOMAIN,
//! garbage, silence, truncation with the answer over TCP), Heartbeat and console servers, the
//! console over TLS with a test CA's certificate for console.cloud.test (tests/tls/).

use harness::{Outcome, Plugin};
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, UdpSocket};
use std::sync::Arc;
use std::time::Duration;

#[derive(Clone)]
enum Dns {
    /// A records (AAAA: no data)
    Addresses(Vec<Ipv4Addr>),
    NxDomain,
    Garbage,
    Silent,
    /// TC set over UDP; the whole answer over TCP on the same port
    Truncated(Vec<Ipv4Addr>),
}

/// The reply to `query` (a question as check_euca_endpoint asks it).
fn reply(query: &[u8], rcode: u8, tc: bool, ips: &[Ipv4Addr]) -> Vec<u8> {
    // the question ends 4 bytes after its name's zero byte
    let qend = 12 + query[12..].iter().position(|b| *b == 0).unwrap() + 1 + 4;
    let qtype = u16::from_be_bytes([query[qend - 4], query[qend - 3]]);
    let mut m = query[..qend].to_vec();
    m[2] = 0x81 | if tc { 0x02 } else { 0 };
    m[3] = 0x80 | rcode;
    let answers: &[Ipv4Addr] = if qtype == 1 && !tc { ips } else { &[] };
    m[7] = answers.len() as u8;
    for ip in answers {
        m.extend_from_slice(&[0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4]);
        m.extend_from_slice(&ip.octets());
    }
    m
}

/// A DNS responder on 127.0.0.1 (UDP, and TCP on the same port); returns its address.
fn dns(mode: Dns) -> SocketAddr {
    let udp = UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = udp.local_addr().unwrap();
    let tcp = TcpListener::bind(addr).ok();
    let m = mode.clone();
    std::thread::spawn(move || loop {
        let mut buf = [0u8; 512];
        let Ok((n, from)) = udp.recv_from(&mut buf) else {
            return;
        };
        let q = &buf[..n];
        let answer = match &m {
            Dns::Addresses(ips) => reply(q, 0, false, ips),
            Dns::NxDomain => reply(q, 3, false, &[]),
            Dns::Garbage => {
                let mut g = q[..2].to_vec();
                g.extend_from_slice(b"\x81\x80\x00\x01\x00\x05garbage");
                g
            }
            Dns::Silent => continue,
            Dns::Truncated(ips) => reply(q, 0, true, ips),
        };
        let _ = udp.send_to(&answer, from);
    });
    if let (Dns::Truncated(ips), Some(tcp)) = (mode, tcp) {
        std::thread::spawn(move || {
            for mut s in tcp.incoming().flatten() {
                let mut len = [0u8; 2];
                if s.read_exact(&mut len).is_err() {
                    continue;
                }
                let mut q = vec![0u8; u16::from_be_bytes(len) as usize];
                if s.read_exact(&mut q).is_err() {
                    continue;
                }
                let a = reply(&q, 0, false, &ips);
                let mut framed = (a.len() as u16).to_be_bytes().to_vec();
                framed.extend_from_slice(&a);
                let _ = s.write_all(&framed);
            }
        });
    }
    addr
}

/// One HTTP answer per connection: `status` and `body`.
fn respond(s: &mut impl ReadWrite, status: &str, body: &str) {
    let mut buf = [0u8; 4096];
    let _ = s.read(&mut buf);
    let _ = write!(
        s,
        "HTTP/1.1 {status}\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = s.flush();
}

trait ReadWrite: Read + Write {}
impl<T: Read + Write> ReadWrite for T {}

/// A plain HTTP server on `ip`; returns its port.
fn http(ip: [u8; 4], status: &'static str, body: &'static str) -> u16 {
    let l = TcpListener::bind(SocketAddr::from((ip, 0))).unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut s in l.incoming().flatten() {
            respond(&mut s, status, body);
        }
    });
    port
}

fn tls_file(name: &str) -> String {
    format!("{}/tests/tls/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// An HTTPS server on `ip` with the console.cloud.test certificate; returns its port.
fn https(ip: [u8; 4], body: &'static str) -> u16 {
    let certs: Vec<_> =
        rustls_pemfile::certs(&mut &std::fs::read(tls_file("console.pem")).unwrap()[..])
            .collect::<Result<_, _>>()
            .unwrap();
    let key =
        rustls_pemfile::private_key(&mut &std::fs::read(tls_file("console.key")).unwrap()[..])
            .unwrap()
            .unwrap();
    let config = Arc::new(
        rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap(),
    );
    let l = TcpListener::bind(SocketAddr::from((ip, 0))).unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for s in l.incoming().flatten() {
            let config = config.clone();
            std::thread::spawn(move || {
                let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
                let Ok(conn) = rustls::ServerConnection::new(config) else {
                    return;
                };
                let mut tls = rustls::StreamOwned::new(conn, s);
                respond(&mut tls, "200 OK", body);
                tls.conn.send_close_notify();
                let _ = tls.flush();
            });
        }
    });
    port
}

/// A name with many records (a misconfigured zone, a hostile server): the probes run a
/// bounded number at a time, not one thread and TLS client per address at once (3,000
/// addresses took 77 MiB). Every address holds its connection open without answering.
#[test]
fn a_name_with_many_addresses_is_probed_a_bounded_number_at_a_time() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let ips: Vec<Ipv4Addr> = (1..=100).map(|n| Ipv4Addr::new(127, 3, 0, n)).collect();
    let first = TcpListener::bind("127.3.0.1:0").unwrap();
    let port = first.local_addr().unwrap().port();
    let open = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let mut listeners = vec![first];
    for ip in &ips[1..] {
        listeners.push(TcpListener::bind((*ip, port)).unwrap());
    }
    for l in listeners {
        let (open, most) = (open.clone(), most.clone());
        std::thread::spawn(move || {
            for mut s in l.incoming().flatten() {
                let (open, most) = (open.clone(), most.clone());
                std::thread::spawn(move || {
                    let now = open.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    let mut buf = [0u8; 4096];
                    while matches!(s.read(&mut buf), Ok(n) if n > 0) {}
                    open.fetch_sub(1, Ordering::SeqCst);
                });
            }
        });
    }
    let dns = dns(Dns::Truncated(ips)).to_string();
    let out = endpoint(&[
        "--name",
        "ufs.cloud.test",
        "--dns-server",
        &dns,
        "--port",
        &port.to_string(),
        "-t",
        "2",
    ]);
    assert!(out.code == 2 || out.code == 3, "{out:?}");
    let most = most.load(Ordering::SeqCst);
    assert!(
        most > 0 && most <= check_euca_endpoint::MAX_PARALLEL,
        "{most} probes at once"
    );
}

fn endpoint(args: &[&str]) -> Outcome {
    Plugin::new(env!("CARGO_BIN_EXE_check_euca_endpoint"))
        .args(args)
        .run()
}

const HEARTBEAT: &str = "name=user-api enabled=true local=true initialized=true\n";
const LOGIN: &str = "<html><head><title>Eucalyptus Management Console</title></head><body><form id=\"login-form\" action=\"/login\">Log in</form></body></html>";

#[test]
fn the_system_resolver_finds_localhost() {
    let port = http([127, 0, 0, 1], "200 OK", HEARTBEAT);
    // Many /etc/hosts name ::1 localhost too: serve it on the same port where IPv6 is there.
    let v6 = TcpListener::bind(("::1", port)).ok().map(|l| {
        std::thread::spawn(move || {
            for mut s in l.incoming().flatten() {
                respond(&mut s, "200 OK", HEARTBEAT);
            }
        })
    });
    let port = port.to_string();
    let run = endpoint(&["--name", "localhost", "--port", &port, "-v"]);
    run.contains(&[
        "127.0.0.1: Heartbeat, 1 of 1 components enabled",
        "resolved by the system resolver",
    ]);
    if v6.is_some() {
        run.expect(0, &["EUCA ENDPOINT OK - UFS at localhost:"]);
    } else {
        // no IPv6 here: a ::1 the resolver still lists cannot answer
        assert!(run.code <= 1, "{}", run.stdout);
    }
}

#[test]
fn a_name_the_system_cannot_resolve_is_critical() {
    endpoint(&["--name", "no-such-host.invalid"]).expect(
        2,
        &["EUCA ENDPOINT CRITICAL - no-such-host.invalid does not resolve"],
    );
}

#[test]
fn a_server_that_is_not_a_eucalyptus_jvm_is_failing_and_the_response_time_is_judged() {
    let dns = dns(Dns::Addresses(vec![Ipv4Addr::new(127, 0, 0, 4)])).to_string();
    let port = http([127, 0, 0, 4], "200 OK", "<html>It works!</html>").to_string();
    endpoint(&[
        "--name",
        "ufs.cloud.test",
        "--dns-server",
        &dns,
        "--port",
        &port,
    ])
    .expect(
        2,
        &[
            "its only address failing: 127.0.0.4",
            "not with Heartbeat lines",
        ],
    );
    let port = http([127, 0, 0, 4], "503 Service Unavailable", "").to_string();
    endpoint(&[
        "--name",
        "ufs.cloud.test",
        "--dns-server",
        &dns,
        "--port",
        &port,
    ])
    .expect(2, &["127.0.0.4: answered 503 Service Unavailable"]);
    let port = http([127, 0, 0, 4], "200 OK", HEARTBEAT).to_string();
    // -w @0:100 alerts for any time from 0 to 100 s: every answer is "slow"
    endpoint(&[
        "--name",
        "ufs.cloud.test",
        "--dns-server",
        &dns,
        "--port",
        &port,
        "-w",
        "@0:100",
    ])
    .expect(1, &["127.0.0.4 slow:", "'127_0_0_4_time'="]);
}

#[test]
fn nxdomain_from_the_dns_server_is_critical() {
    let dns = dns(Dns::NxDomain).to_string();
    endpoint(&["--name", "ufs.cloud.test", "--dns-server", &dns]).expect(
        2,
        &[&format!(
            "ufs.cloud.test does not resolve (NXDOMAIN from {dns})"
        )],
    );
}

#[test]
fn a_garbage_dns_answer_is_unknown_naming_the_server() {
    let dns = dns(Dns::Garbage).to_string();
    endpoint(&["--name", "ufs.cloud.test", "--dns-server", &dns]).expect(3, &[&format!(
        "EUCA ENDPOINT UNKNOWN - cannot resolve ufs.cloud.test: cannot read DNS server {dns}: a label type DNS does not use"
    )]);
}

#[test]
fn a_silent_dns_server_is_critical_within_the_timeout() {
    let dns = dns(Dns::Silent).to_string();
    let run = endpoint(&["--name", "ufs.cloud.test", "--dns-server", &dns, "-t", "1"]);
    run.expect(
        2,
        &[&format!(
            "DNS server {dns} unreachable (no answer before the timeout)"
        )],
    );
    assert!(
        run.elapsed < Duration::from_millis(1500),
        "{:?}",
        run.elapsed
    );
}

#[test]
fn a_truncated_answer_is_asked_again_over_tcp() {
    let ips = vec![Ipv4Addr::new(127, 0, 0, 5), Ipv4Addr::new(127, 0, 0, 6)];
    let dns = dns(Dns::Truncated(ips)).to_string();
    let port = http([127, 0, 0, 5], "200 OK", HEARTBEAT);
    // the same port on .6 is closed: one of two failing
    endpoint(&[
        "--name",
        "ufs.cloud.test",
        "--dns-server",
        &dns,
        "--port",
        &port.to_string(),
    ])
    .expect(
        1,
        &[
            "1 of 2 addresses of ufs.cloud.test failing, redundancy lost: 127.0.0.6",
            "'addresses'=2;;;0;",
        ],
    );
}

#[test]
fn the_console_certificate_is_checked_against_the_name() {
    let dns = dns(Dns::Addresses(vec![Ipv4Addr::new(127, 0, 0, 7)])).to_string();
    let port = https([127, 0, 0, 7], LOGIN).to_string();
    let ca = tls_file("ca.pem");
    let console = |name: &str, extra: &[&str]| {
        let mut args = vec![
            "--kind",
            "console",
            "--name",
            name,
            "--dns-server",
            &dns,
            "--port",
            &port,
        ];
        args.extend(extra);
        endpoint(&args)
    };
    console("console.cloud.test", &["--ca-file", &ca, "-v"]).expect(
        0,
        &[
            "EUCA ENDPOINT OK - console at console.cloud.test: 1 of 1 address up",
            "127.0.0.7: login page in",
        ],
    );
    console("console.cloud.test", &[]).expect(2, &["not signed by a trusted CA (see --ca-file)"]);
    console("other.cloud.test", &["--ca-file", &ca]).expect(2, &["not for this host name"]);
    console("other.cloud.test", &["--insecure"]).expect(0, &["1 of 1 address up"]);
    console(
        "console.cloud.test",
        &["--ca-file", &ca, "--expect", "Dashboard"],
    )
    .expect(2, &["without 'Dashboard' in the page"]);
}

#[test]
fn usage_errors_are_unknown() {
    endpoint(&[]).expect(3, &["--name"]);
    endpoint(&["--name", "a..b"]).expect(3, &["1 to 63 characters"]);
    endpoint(&["--name", "ufs.test", "--dns-server", "ns1.test"])
        .expect(3, &["expected an IP address"]);
    endpoint(&["--name", "ufs.test", "--path", "services"])
        .expect(3, &["expected a path starting with /"]);
}
