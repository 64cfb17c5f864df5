//! One HTTP(S) GET to a CLC, with a timeout, TLS verified unless the user opts out, no
//! redirects, a capped body. Errors are split in two: the CLC could not be reached at all
//! (refused, timed out, no route: what a down CLC looks like from outside) or it could be
//! reached but the exchange failed (TLS, protocol).

use std::io::Read;
use std::time::{Duration, Instant};

/// Largest answer read (a healthy cloud's DescribeServices is tens of kB).
const MAX_BODY: u64 = 16 * 1024 * 1024;

/// TLS settings.
#[derive(Debug, Clone, Default)]
pub struct Tls {
    /// PEM of a private CA, trusted besides the system's.
    pub ca_pem: Option<Vec<u8>>,
    /// Accept any certificate (`--insecure`).
    pub insecure: bool,
}

/// What a CLC answered.
#[derive(Debug, Clone)]
pub struct HttpAnswer {
    pub status: u16,
    /// `403 Forbidden`
    pub status_text: String,
    pub body: String,
    pub elapsed: Duration,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchError {
    /// Refused, timed out, unreachable: the CLC is not there.
    Unreachable(String),
    /// Reached, but the exchange failed (TLS verification, a broken answer ...).
    Failed(String),
}

/// A `--clc` value as an URL: `HOST`, `HOST:PORT` or a full `http(s)://...` URL. Bare hosts get
/// `http://`, port 8773 and the Empyrean path.
pub fn endpoint(clc: &str) -> Result<reqwest::Url, String> {
    let clc = clc.trim();
    let text = if clc.contains("://") {
        clc.to_string()
    } else {
        let has_port = clc.rsplit_once(':').is_some_and(|(h, p)| {
            !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) && !h.ends_with(':')
        });
        if has_port {
            format!("http://{clc}")
        } else {
            format!("http://{clc}:8773")
        }
    };
    let mut url = reqwest::Url::parse(&text)
        .map_err(|e| format!("--clc '{clc}' is not a host or URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(format!(
            "--clc '{clc}': expected HOST, HOST:PORT or an http(s):// URL"
        ));
    }
    if url.path().is_empty() || url.path() == "/" {
        url.set_path("/services/Empyrean");
    }
    url.set_query(None);
    Ok(url)
}

/// The Host header the client sends for this URL (what both signatures cover).
pub fn host_header(url: &reqwest::Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.to_string(),
    }
}

/// GET `url` (query included) with these headers within `timeout`.
pub fn get(
    url: &str,
    headers: &[(String, String)],
    timeout: Duration,
    tls: &Tls,
) -> Result<HttpAnswer, FetchError> {
    let mut builder = reqwest::blocking::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("check_euca_clc/", env!("CARGO_PKG_VERSION")))
        .danger_accept_invalid_certs(tls.insecure);
    if let Some(pem) = &tls.ca_pem {
        let cert = reqwest::Certificate::from_pem(pem)
            .map_err(|e| FetchError::Failed(format!("cannot use --ca-file: {}", chain(&e))))?;
        builder = builder.add_root_certificate(cert);
    }
    let client = builder
        .build()
        .map_err(|e| FetchError::Failed(format!("cannot set up the HTTP client: {}", chain(&e))))?;
    let mut request = client.get(url);
    for (k, v) in headers {
        request = request.header(k.as_str(), v.as_str());
    }
    let started = Instant::now();
    // without_url: the query carries the signature; messages stay short and clean.
    let response = request
        .send()
        .map_err(|e| classify(&e.without_url(), timeout))?;
    let status = response.status();
    let mut body = Vec::new();
    response
        .take(MAX_BODY)
        .read_to_end(&mut body)
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::TimedOut || started.elapsed() >= timeout {
                FetchError::Unreachable(format!("answer not complete after {}", secs(timeout)))
            } else {
                FetchError::Failed(format!("answer cut off: {e}"))
            }
        })?;
    Ok(HttpAnswer {
        status: status.as_u16(),
        status_text: status.to_string(),
        body: String::from_utf8_lossy(&body).into_owned(),
        elapsed: started.elapsed(),
    })
}

fn secs(d: Duration) -> String {
    format!("{:.1} s", d.as_secs_f64())
}

fn classify(e: &reqwest::Error, timeout: Duration) -> FetchError {
    if e.is_timeout() {
        return FetchError::Unreachable(format!("no answer within {}", secs(timeout)));
    }
    // The innermost I/O error says what happened (refused, reset, unreachable network).
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    let mut io_kind = None;
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            io_kind = Some(io.kind());
        }
        source = s.source();
    }
    match io_kind {
        Some(std::io::ErrorKind::ConnectionRefused) => {
            FetchError::Unreachable("connection refused".into())
        }
        Some(std::io::ErrorKind::TimedOut) => {
            FetchError::Unreachable(format!("no answer within {}", secs(timeout)))
        }
        _ if e.is_connect() && !chain(e).contains("certificate") => {
            FetchError::Unreachable(chain(e))
        }
        _ => FetchError::Failed(chain(e)),
    }
}

/// An error and its causes on one line, without repeats.
fn chain(e: &dyn std::error::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut source: Option<&dyn std::error::Error> = Some(e);
    while let Some(s) = source {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = s.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clc_values_become_empyrean_urls() {
        let u = |s| endpoint(s).unwrap().to_string();
        assert_eq!(
            u("10.111.5.100"),
            "http://10.111.5.100:8773/services/Empyrean"
        );
        assert_eq!(
            u("clc.example:8080"),
            "http://clc.example:8080/services/Empyrean"
        );
        assert_eq!(
            u("https://clc.example:8443/"),
            "https://clc.example:8443/services/Empyrean"
        );
        assert_eq!(u("[::1]:9000"), "http://[::1]:9000/services/Empyrean");
        assert_eq!(
            host_header(&endpoint("CLC.example").unwrap()),
            "clc.example:8773"
        );
        assert_eq!(
            host_header(&endpoint("https://clc.example").unwrap()),
            "clc.example"
        );
        assert!(endpoint("ftp://x").is_err());
        assert!(endpoint("").is_err());
    }
}
