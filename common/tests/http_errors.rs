//! The HTTP client's failures, as a plugin's status line shows them: in plain words, never a
//! crate's own ("http parse fail: invalid HTTP version", "Peer disconnected", "received corrupt
//! message of type InvalidContentType"), and a server that answered wrongly is a failed
//! exchange (UNKNOWN), not "unreachable". Loopback servers only.
#![cfg(feature = "http")]

use common::net::http::{HttpClient, HttpError, HttpOptions};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

fn client() -> HttpClient {
    HttpClient::new(HttpOptions {
        ca_pem: None,
        insecure: false,
        max_body: 1024 * 1024,
        user_agent: "kit-test".into(),
    })
}

/// A loopback server that reads the request (or the TLS hello), then does `then`.
fn serve(then: impl FnOnce(&mut TcpStream) + Send + 'static) -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        if let Ok((mut s, _)) = l.accept() {
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            then(&mut s);
        }
    });
    port
}

fn get(url: &str) -> HttpError {
    client()
        .get(url, &[], Duration::from_secs(3))
        .expect_err("the exchange must fail")
}

#[test]
fn https_to_a_plain_http_server_is_a_failed_tls_handshake() {
    let port = serve(|s| {
        let _ = s.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
    });
    assert_eq!(
        get(&format!("https://127.0.0.1:{port}/")),
        HttpError::Failed(
            "TLS handshake failed: the server did not answer TLS (is it http://?)".into()
        )
    );
}

#[test]
fn a_bad_status_line_is_not_an_http_answer() {
    let port = serve(|s| {
        let _ = s.write_all(b"HTTP/9.9 200 OK\r\nContent-Length: 0\r\n\r\n");
    });
    let e = get(&format!("http://127.0.0.1:{port}/"));
    assert_eq!(
        e,
        HttpError::Failed("not an HTTP answer (invalid HTTP version)".into())
    );
}

#[test]
fn headers_over_the_limit_are_not_an_http_answer() {
    let port = serve(|s| {
        let _ = s.write_all(b"HTTP/1.1 200 OK\r\n");
        let big = format!("X-Big: {}\r\n", "a".repeat(1000));
        for _ in 0..90 {
            if s.write_all(big.as_bytes()).is_err() {
                return;
            }
        }
        let _ = s.write_all(b"Content-Length: 0\r\n\r\n");
    });
    let e = get(&format!("http://127.0.0.1:{port}/"));
    assert_eq!(
        e,
        HttpError::Failed("not an HTTP answer: its headers are larger than 64 KiB".into())
    );
}

#[test]
fn a_server_that_closes_without_answering_is_a_failed_exchange() {
    let port = serve(|s| {
        let _ = s.shutdown(std::net::Shutdown::Both);
    });
    let e = get(&format!("http://127.0.0.1:{port}/"));
    assert_eq!(
        e,
        HttpError::Failed("the server closed the connection without answering".into())
    );
}
