//! One small blocking HTTP(S) client for the run (ureq, rustls with the ring provider).
//!
//! - one agent per run (per scheme), built at first use; the system CA store is loaded once,
//!   and only when an `https://` URL is asked;
//! - TLS verified by default, a private CA added with `--ca-file`, `--insecure` to skip it;
//! - no redirects (a 3xx is an answer like any other, reported as such);
//! - one deadline for the WHOLE exchange (resolve, connect, headers and body): a server that
//!   dribbles a byte a second cannot hold the check past it;
//! - a capped body: a bigger answer is an error, never evaluated cut;
//! - errors split in two: [`HttpError::Unreachable`] (refused, no route, name unknown, no answer
//!   before the deadline: what a down server looks like from outside) and [`HttpError::Failed`]
//!   (reached, but TLS, the protocol or the answer was wrong).
//!
//! Why ureq: measured side by side against the reqwest blocking client it replaced (same GET of
//! a DescribeServices answer from a loopback server, whole process, release builds, median of
//! 30): wall 6.4 vs 27.6 ms, CPU 4.6 vs 11.9 ms, refused port 2.8 vs 8.5 ms CPU, peak RSS 4.4
//! vs 5.8 MiB, 56 vs 108 crates, binary 3.45 vs 4.25 MB. No async runtime, no C build.

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};
use ureq::tls::{Certificate, RootCerts, TlsConfig, TlsProvider};
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{DefaultConnector, NextTimeout};

/// Client settings, from the plugin's options.
#[derive(Debug, Clone)]
pub struct HttpOptions {
    /// PEM of a private CA (`--ca-file`), trusted besides the system's.
    pub ca_pem: Option<Vec<u8>>,
    /// Accept any certificate (`--insecure`).
    pub insecure: bool,
    /// Largest body read, in bytes; sized to the source by the plugin.
    pub max_body: u64,
    /// `check_euca_clc/0.1.0`
    pub user_agent: String,
}

/// An answer, whatever its status.
#[derive(Debug, Clone)]
pub struct HttpAnswer {
    pub status: u16,
    /// `403 Forbidden`
    pub status_text: String,
    pub body: String,
    pub elapsed: Duration,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HttpError {
    /// Refused, no route, unknown name, or no answer before the deadline.
    #[error("{0}")]
    Unreachable(String),
    /// Reached, but the exchange failed (TLS verification, protocol, an answer too large ...).
    #[error("{0}")]
    Failed(String),
    /// The timeout left no time to even try: nothing is known about the server (UNKNOWN,
    /// never "unreachable").
    #[error("not asked: no time left")]
    NotAsked,
}

/// The run's HTTP client.
pub struct HttpClient {
    options: HttpOptions,
    /// See [`HttpClient::connect_to`].
    connect_to: Option<SocketAddr>,
    plain: OnceLock<ureq::Agent>,
    tls: OnceLock<Result<ureq::Agent, HttpError>>,
}

impl std::fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpClient")
            .field("insecure", &self.options.insecure)
            .field("max_body", &self.options.max_body)
            .finish()
    }
}

impl HttpClient {
    pub fn new(options: HttpOptions) -> HttpClient {
        HttpClient {
            options,
            connect_to: None,
            plain: OnceLock::new(),
            tls: OnceLock::new(),
        }
    }

    /// Connect every request to `addr`, whatever the URL's host, which still gives the Host
    /// header, the TLS server name (SNI) and the name the certificate must be valid for: one
    /// address of a name that resolves to several (active/active servers behind one DNS name),
    /// probed as clients reach it by name. Like curl's `--connect-to`.
    pub fn connect_to(mut self, addr: SocketAddr) -> HttpClient {
        self.connect_to = Some(addr);
        self
    }

    /// GET `url` (query included) with these headers; the whole exchange ends by `timeout`.
    pub fn get(
        &self,
        url: &str,
        headers: &[(String, String)],
        timeout: Duration,
    ) -> Result<HttpAnswer, HttpError> {
        self.exchange("GET", url, headers, None, timeout)
    }

    /// POST `body` (the caller sets its Content-Type among the headers).
    pub fn post(
        &self,
        url: &str,
        headers: &[(String, String)],
        body: &[u8],
        timeout: Duration,
    ) -> Result<HttpAnswer, HttpError> {
        self.exchange("POST", url, headers, Some(body), timeout)
    }

    fn agent(&self, url: &str) -> Result<&ureq::Agent, HttpError> {
        if url.len() >= 8 && url[..8].eq_ignore_ascii_case("https://") {
            return self
                .tls
                .get_or_init(|| self.build(true))
                .as_ref()
                .map_err(Clone::clone);
        }
        match self.plain.get() {
            Some(a) => Ok(a),
            None => {
                let built = self.build(false)?;
                Ok(self.plain.get_or_init(|| built))
            }
        }
    }

    fn build(&self, https: bool) -> Result<ureq::Agent, HttpError> {
        let mut tls = TlsConfig::builder()
            .provider(TlsProvider::Rustls)
            .unversioned_rustls_crypto_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .disable_verification(self.options.insecure);
        if https && !self.options.insecure {
            tls = tls.root_certs(RootCerts::Specific(Arc::new(self.roots()?)));
        } else {
            // A plain-http agent never verifies anything: do not load the system store for it.
            tls = tls.root_certs(RootCerts::Specific(Arc::new(Vec::new())));
        }
        let config = ureq::Agent::config_builder()
            .tls_config(tls.build())
            .max_redirects(0)
            .http_status_as_error(false)
            .user_agent(self.options.user_agent.as_str())
            .build();
        Ok(ureq::Agent::with_parts(
            config,
            DefaultConnector::new(),
            LiteralFirst {
                system: DefaultResolver::default(),
                pinned: self.connect_to,
            },
        ))
    }

    /// The system CA store plus `--ca-file`.
    fn roots(&self) -> Result<Vec<Certificate<'static>>, HttpError> {
        let mut roots: Vec<Certificate<'static>> = Vec::new();
        // Unreadable entries of the system store are skipped, as every TLS client does; an
        // empty store still lets --ca-file work.
        for der in rustls_native_certs::load_native_certs().certs {
            roots.push(Certificate::from_der(der.as_ref()).to_owned());
        }
        if let Some(pem) = &self.options.ca_pem {
            let mut added = 0;
            for item in ureq::tls::parse_pem(pem) {
                match item {
                    Ok(ureq::tls::PemItem::Certificate(c)) => {
                        roots.push(c);
                        added += 1;
                    }
                    Ok(_) => {}
                    Err(e) => {
                        return Err(HttpError::Failed(format!("cannot use --ca-file: {e}")));
                    }
                }
            }
            if added == 0 {
                return Err(HttpError::Failed(
                    "cannot use --ca-file: no PEM certificate in it".into(),
                ));
            }
        }
        Ok(roots)
    }

    fn exchange(
        &self,
        method: &str,
        url: &str,
        headers: &[(String, String)],
        body: Option<&[u8]>,
        timeout: Duration,
    ) -> Result<HttpAnswer, HttpError> {
        if timeout < Duration::from_millis(1) {
            return Err(HttpError::NotAsked);
        }
        let agent = self.agent(url)?;
        let started = Instant::now();
        let request = ureq::http::Request::builder().method(method).uri(url);
        let request = headers
            .iter()
            .fold(request, |r, (k, v)| r.header(k.as_str(), v.as_str()));
        let answered = |e: ureq::Error| classify(e, timeout, false);
        let mut response = match body {
            Some(b) => {
                let req = request
                    .body(b.to_vec())
                    .map_err(|e| HttpError::Failed(format!("cannot make the request: {e}")))?;
                let req = agent
                    .configure_request(req)
                    .timeout_global(Some(timeout))
                    .build();
                agent.run(req).map_err(answered)?
            }
            None => {
                let req = request
                    .body(())
                    .map_err(|e| HttpError::Failed(format!("cannot make the request: {e}")))?;
                let req = agent
                    .configure_request(req)
                    .timeout_global(Some(timeout))
                    .build();
                agent.run(req).map_err(answered)?
            }
        };
        let status = response.status();
        let bytes = response
            .body_mut()
            .with_config()
            .limit(self.options.max_body)
            .read_to_vec()
            .map_err(|e| match e {
                ureq::Error::BodyExceedsLimit(_) => HttpError::Failed(format!(
                    "answer larger than {}, not read whole",
                    size(self.options.max_body)
                )),
                other => classify(other, timeout, true),
            })?;
        Ok(HttpAnswer {
            status: status.as_u16(),
            status_text: match status.canonical_reason() {
                Some(r) => format!("{} {r}", status.as_u16()),
                None => status.as_u16().to_string(),
            },
            // Valid UTF-8 (every CLC answer) is taken as is: from_utf8_lossy walked and copied
            // the whole body, a tenth of the HTTP path's instructions on a 36 KB answer.
            body: String::from_utf8(bytes)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
            elapsed: started.elapsed(),
        })
    }
}

/// ureq's resolver, except that an IP address in the URL (`--clc 10.1.1.1`, the tests'
/// 127.0.0.1) is used as is. With a timeout, ureq resolves every host, literal or not, in a new
/// thread (2 MiB stack mapped, clone, futex wake-ups: most of the HTTP path's system time on
/// loopback) so that a slow DNS server cannot outlast it; an address needs no DNS at all.
/// With [`HttpClient::connect_to`], that address is the only one, and no name is resolved.
#[derive(Debug)]
struct LiteralFirst {
    system: DefaultResolver,
    pinned: Option<SocketAddr>,
}

impl Resolver for LiteralFirst {
    fn resolve(
        &self,
        uri: &ureq::http::Uri,
        config: &ureq::config::Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        if let Some(addr) = self.pinned {
            let mut addrs = self.empty();
            addrs.push(addr);
            return Ok(addrs);
        }
        let literal = uri.authority().and_then(|a| {
            let host = a.host();
            let host = host
                .strip_prefix('[')
                .and_then(|h| h.strip_suffix(']'))
                .unwrap_or(host);
            let ip: IpAddr = host.parse().ok()?;
            let port = a.port_u16().or(match uri.scheme_str() {
                Some(s) if s.eq_ignore_ascii_case("https") => Some(443),
                Some(s) if s.eq_ignore_ascii_case("http") => Some(80),
                _ => None,
            })?;
            Some(SocketAddr::new(ip, port))
        });
        match literal {
            Some(addr) => {
                let mut addrs = self.empty();
                addrs.push(addr);
                Ok(addrs)
            }
            None => self.system.resolve(uri, config, timeout),
        }
    }
}

/// `16 MiB`, `512 KiB`
fn size(bytes: u64) -> String {
    if bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0 {
        format!("{} MiB", bytes / (1024 * 1024))
    } else if bytes >= 1024 * 1024 {
        format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{} KiB", bytes.div_ceil(1024))
    }
}

fn secs(d: Duration) -> String {
    format!("{:.1} s", d.as_secs_f64())
}

/// `in_body`: the status line and headers had come; a failure now is of an answer, not of
/// reaching the server. Every message is in an admin's words: never a crate's ("http parse
/// fail: ...", "Peer disconnected", "received corrupt message of type InvalidContentType").
fn classify(e: ureq::Error, timeout: Duration, in_body: bool) -> HttpError {
    use std::io::ErrorKind;
    match e {
        ureq::Error::Timeout(_) if in_body => {
            HttpError::Failed(format!("answer not complete within {}", secs(timeout)))
        }
        ureq::Error::Timeout(_) => {
            HttpError::Unreachable(format!("no answer within {}", secs(timeout)))
        }
        ureq::Error::HostNotFound => HttpError::Unreachable("host name not found".into()),
        ureq::Error::ConnectionFailed => HttpError::Unreachable("cannot connect".into()),
        ureq::Error::Io(io) => {
            // rustls reports through the stream as an io::Error: a TLS failure is a server
            // reached that failed the exchange, whatever the io kind.
            if let Some(t) = io.get_ref().and_then(|e| e.downcast_ref::<rustls::Error>()) {
                return HttpError::Failed(tls_reason(t));
            }
            let text = io.to_string();
            if text.starts_with("failed to lookup address information") {
                return HttpError::Unreachable(resolve_reason(&text));
            }
            let why = match io.kind() {
                ErrorKind::ConnectionRefused => "connection refused".to_string(),
                ErrorKind::ConnectionReset => "connection reset".to_string(),
                ErrorKind::TimedOut | ErrorKind::WouldBlock => {
                    format!("no answer within {}", secs(timeout))
                }
                ErrorKind::HostUnreachable => "no route to host".to_string(),
                ErrorKind::NetworkUnreachable => "network unreachable".to_string(),
                ErrorKind::UnexpectedEof if in_body => {
                    return HttpError::Failed("answer cut off: connection closed".into())
                }
                // ureq's "Peer disconnected": the server took the request, then closed.
                ErrorKind::UnexpectedEof | ErrorKind::BrokenPipe => {
                    return HttpError::Failed(
                        "the server closed the connection without answering".into(),
                    )
                }
                _ => plain_io(&text),
            };
            // An error mid-body is an answer gone wrong; before it, nothing answered.
            if in_body {
                HttpError::Failed(format!("answer cut off: {why}"))
            } else if text.contains("certificate") {
                HttpError::Failed(format!("TLS: {why}"))
            } else {
                HttpError::Unreachable(why)
            }
        }
        ureq::Error::Rustls(t) => HttpError::Failed(tls_reason(&t)),
        ureq::Error::Tls(t) => HttpError::Failed(format!("TLS failed: {t}")),
        ureq::Error::LargeResponseHeader(_, limit) => HttpError::Failed(format!(
            "not an HTTP answer: its headers are larger than {}",
            size(limit as u64)
        )),
        ureq::Error::Protocol(p) => HttpError::Failed(protocol_reason(&p)),
        ureq::Error::BadUri(u) => HttpError::Failed(format!("bad URL: {u}")),
        ureq::Error::TooManyRedirects | ureq::Error::RedirectFailed => {
            HttpError::Failed("redirected, and redirects are not followed".into())
        }
        ureq::Error::BodyStalled => HttpError::Failed("the answer stopped coming".into()),
        other => HttpError::Failed(other.to_string()),
    }
}

/// A TLS failure, in plain words; a plain-HTTP server on an https:// URL answers bytes that are
/// no TLS record at all.
fn tls_reason(t: &rustls::Error) -> String {
    use rustls::{CertificateError, Error};
    let why = match t {
        Error::InvalidMessage(_) | Error::InappropriateMessage { .. } => {
            "the server did not answer TLS (is it http://?)".to_string()
        }
        Error::InappropriateHandshakeMessage { .. } | Error::PeerMisbehaved(_) => {
            "the server broke the TLS protocol".to_string()
        }
        Error::PeerIncompatible(_) => "no TLS version or cipher in common".to_string(),
        Error::AlertReceived(a) => format!("the server refused it ({a:?})"),
        Error::NoCertificatesPresented => "the server sent no certificate".to_string(),
        Error::InvalidCertificate(c) => match c {
            CertificateError::UnknownIssuer => {
                "the server's certificate is not signed by a trusted CA (see --ca-file)".to_string()
            }
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                "the server's certificate has expired".to_string()
            }
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                "the server's certificate is not valid yet (is the clock right?)".to_string()
            }
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                "the server's certificate is not for this host name".to_string()
            }
            CertificateError::Revoked => "the server's certificate is revoked".to_string(),
            other => format!("the server's certificate is refused ({other:?})"),
        },
        other => other.to_string(),
    };
    format!("TLS handshake failed: {why}")
}

/// A name that did not resolve (std's "failed to lookup address information: ...").
fn resolve_reason(text: &str) -> String {
    if text.contains("Temporary failure") || text.contains("try again") {
        "cannot resolve the host name: no answer from the name server".into()
    } else {
        "host name not found".into()
    }
}

/// An answer that is not HTTP (ureq-proto's "http parse fail: invalid HTTP version").
fn protocol_reason(p: &impl std::fmt::Display) -> String {
    let text = p.to_string();
    let detail = text.strip_prefix("http parse fail: ").unwrap_or(&text);
    format!("not an HTTP answer ({detail})")
}

/// The system's words for an io error, without " (os error N)".
fn plain_io(text: &str) -> String {
    let text = match text.find(" (os error ") {
        Some(at) => &text[..at],
        None => text,
    };
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => "connection failed".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpListener;

    fn client(max_body: u64) -> HttpClient {
        HttpClient::new(HttpOptions {
            ca_pem: None,
            insecure: false,
            max_body,
            user_agent: "kit-test".into(),
        })
    }

    /// A loopback server answering one connection with `answer` (written by `write`).
    fn serve(write: impl FnOnce(&mut std::net::TcpStream) + Send + 'static) -> u16 {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        std::thread::spawn(move || {
            if let Ok((mut s, _)) = l.accept() {
                let mut buf = [0u8; 4096];
                let _ = s.read(&mut buf);
                write(&mut s);
            }
        });
        port
    }

    #[test]
    fn an_answer_is_read_whatever_its_status_and_redirects_are_not_followed() {
        let port = serve(|s| {
            let _ = s.write_all(
                b"HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:1/\r\nContent-Length: 5\r\n\r\nmoved",
            );
        });
        let a = client(1024)
            .get(
                &format!("http://127.0.0.1:{port}/x"),
                &[],
                Duration::from_secs(5),
            )
            .unwrap();
        assert_eq!(
            (a.status, a.status_text.as_str(), a.body.as_str()),
            (302, "302 Found", "moved")
        );
    }

    #[test]
    fn a_body_over_the_cap_is_an_error_not_a_cut_answer() {
        let port = serve(|s| {
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 3000000\r\n\r\n");
            let _ = s.write_all(&vec![b'x'; 3_000_000]);
        });
        let e = client(2 * 1024 * 1024)
            .get(
                &format!("http://127.0.0.1:{port}/"),
                &[],
                Duration::from_secs(5),
            )
            .unwrap_err();
        assert_eq!(
            e,
            HttpError::Failed("answer larger than 2 MiB, not read whole".into())
        );
    }

    #[test]
    fn a_server_dribbling_its_answer_cannot_outlast_the_deadline() {
        let port = serve(|s| {
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n");
            for _ in 0..100 {
                if s.write_all(b"x").is_err() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        });
        let started = Instant::now();
        let e = client(1024)
            .get(
                &format!("http://127.0.0.1:{port}/"),
                &[],
                Duration::from_millis(700),
            )
            .unwrap_err();
        let took = started.elapsed();
        assert!(took < Duration::from_millis(1500), "{took:?}");
        assert_eq!(
            e,
            HttpError::Failed("answer not complete within 0.7 s".into())
        );
    }

    #[test]
    fn refused_and_silent_servers_are_unreachable() {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        drop(l);
        let e = client(1024)
            .get(
                &format!("http://127.0.0.1:{port}/"),
                &[],
                Duration::from_secs(2),
            )
            .unwrap_err();
        assert_eq!(e, HttpError::Unreachable("connection refused".into()));
        // accepts, reads, never answers
        let silent = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = silent.local_addr().unwrap().port();
        let e = client(1024)
            .get(
                &format!("http://127.0.0.1:{port}/"),
                &[],
                Duration::from_millis(300),
            )
            .unwrap_err();
        assert_eq!(e, HttpError::Unreachable("no answer within 0.3 s".into()));
        drop(silent);
    }

    #[test]
    fn no_time_left_is_not_asked_never_unreachable() {
        let e = client(1024)
            .get("http://127.0.0.1:9/", &[], Duration::ZERO)
            .unwrap_err();
        assert_eq!(e, HttpError::NotAsked);
    }

    #[test]
    fn garbage_is_a_failed_exchange() {
        let port = serve(|s| {
            let _ = s.write_all(b"SSH-2.0-OpenSSH_9.2\r\n\r\n");
        });
        let e = client(1024)
            .get(
                &format!("http://127.0.0.1:{port}/"),
                &[],
                Duration::from_secs(2),
            )
            .unwrap_err();
        assert!(matches!(e, HttpError::Failed(_)), "{e:?}");
    }

    #[test]
    fn connect_to_reaches_the_address_with_the_urls_name_in_host() {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = l.local_addr().unwrap();
        let seen = std::thread::spawn(move || {
            let (mut s, _) = l.accept().unwrap();
            let mut buf = [0u8; 4096];
            let n = s.read(&mut buf).unwrap();
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            String::from_utf8_lossy(&buf[..n]).into_owned()
        });
        // A name no resolver knows: only the pinned address can answer.
        let a = client(1024)
            .connect_to(addr)
            .get(
                &format!(
                    "http://ufs.cloud.invalid:{}/services/Heartbeat",
                    addr.port()
                ),
                &[],
                Duration::from_secs(5),
            )
            .unwrap();
        assert_eq!(a.body, "ok");
        let request = seen.join().unwrap().to_ascii_lowercase();
        assert!(
            request.contains(&format!("host: ufs.cloud.invalid:{}", addr.port())),
            "{request}"
        );
    }

    #[test]
    fn sizes_are_worded_for_admins() {
        assert_eq!(size(4 * 1024 * 1024), "4 MiB");
        assert_eq!(size(512 * 1024), "512 KiB");
    }
}
