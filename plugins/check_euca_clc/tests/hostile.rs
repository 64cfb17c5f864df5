//! Hostile answers, from a saved file and from a loopback server that plays a CLC: nesting
//! that would overflow the stack, answers over the cap, and error pages that quote the
//! signed request back. Each must end UNKNOWN with its cause, and no secret may be printed.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::{Command, Output};
use std::sync::mpsc;

const BIN: &str = env!("CARGO_BIN_EXE_check_euca_clc");
const ACCESS: &str = "AKIDHOSTILETEST";
const SECRET: &str = "hostile/Secret+Key-never-printed";

fn check(args: &[&str]) -> (i32, String) {
    let out: Output = Command::new(BIN)
        .args(args)
        .env("EC2_ACCESS_KEY", ACCESS)
        .env("EC2_SECRET_KEY", SECRET)
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .output()
        .expect("run check_euca_clc");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// A one-connection HTTP server: `answer(request)` gives status line + body. The request it
/// saw is sent back over the channel.
fn serve(
    answer: impl FnOnce(&str) -> (String, Vec<u8>) + Send + 'static,
) -> (u16, mpsc::Receiver<String>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let Ok((mut s, _)) = l.accept() else { return };
        let mut req = Vec::new();
        let mut buf = [0u8; 4096];
        while !req.windows(4).any(|w| w == b"\r\n\r\n") {
            match s.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => req.extend_from_slice(&buf[..n]),
            }
        }
        let req = String::from_utf8_lossy(&req).into_owned();
        let (status, body) = answer(&req);
        let head = format!(
            "HTTP/1.1 {status}\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        let _ = s.write_all(head.as_bytes());
        let _ = s.write_all(&body);
        let _ = tx.send(req);
    });
    (port, rx)
}

fn deep(levels: usize) -> String {
    format!(
        "<DescribeServicesResponseType>{}{}</DescribeServicesResponseType>",
        "<item>".repeat(levels),
        "</item>".repeat(levels)
    )
}

#[test]
fn xml_nested_20000_and_1000000_deep_is_unknown_from_a_file() {
    let dir = std::env::temp_dir().join(format!("euca-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for levels in [20_000, 1_000_000] {
        let f = dir.join(format!("deep-{levels}.xml"));
        // A million closed levels are 13 MB, over the 4 MiB saved-answer cap (refused before
        // the parser sees them); open short tags alone (3 MB) reach the depth limit itself.
        let text = if levels > 100_000 {
            format!("<DescribeServicesResponseType>{}", "<i>".repeat(levels))
        } else {
            deep(levels)
        };
        std::fs::write(&f, text).unwrap();
        let (code, out) = check(&["--input", &format!("describe-services={}", f.display())]);
        assert_eq!(code, 3, "{levels}: {out}");
        assert_eq!(
            out.lines().next().unwrap_or(""),
            format!(
                "EUCA CLC UNKNOWN - cannot parse {}: nested deeper than 64 levels, not read",
                f.display()
            )
        );
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn xml_nested_20000_and_1000000_deep_is_unknown_over_http() {
    // 1,000,000 levels closed would be 7 MB, over the 4 MiB cap (refused for that first): open
    // tags only (3 MB) reach the parser's depth check all the same.
    let million = format!("<DescribeServicesResponseType>{}", "<i>".repeat(1_000_000));
    for body in [deep(20_000), million] {
        let (port, _) = serve(move |_| ("200 OK".into(), body.into_bytes()));
        let (code, out) = check(&["--clc", &format!("127.0.0.1:{port}"), "-t", "10"]);
        assert_eq!(code, 3, "{out}");
        let first = out.lines().next().unwrap_or("");
        assert!(
            first.starts_with(&format!(
                "EUCA CLC UNKNOWN - CLC 127.0.0.1:{port}: cannot parse"
            )) && first.ends_with("nested deeper than 64 levels, not read"),
            "{first}"
        );
    }
}

#[test]
fn an_answer_over_the_cap_is_unknown_never_judged_cut() {
    // 5 MiB of valid-looking XML; the cap is 4 MiB.
    let (port, _) = serve(|_| {
        let mut body = b"<DescribeServicesResponseType><serviceStatuses>".to_vec();
        body.resize(5 * 1024 * 1024, b' ');
        ("200 OK".into(), body)
    });
    let (code, out) = check(&["--clc", &format!("127.0.0.1:{port}"), "-t", "10"]);
    assert_eq!(code, 3, "{out}");
    assert_eq!(
        out.lines().next().unwrap_or(""),
        format!(
            "EUCA CLC UNKNOWN - CLC 127.0.0.1:{port}: answer larger than 4 MiB, not read whole"
        )
    );
}

#[test]
fn a_404_page_quoting_the_signed_request_prints_no_key_and_no_signature() {
    for signature in ["v2", "v4"] {
        // The page quotes the whole request: the URL (SigV2: AWSAccessKeyId, Signature) and the
        // headers (SigV4: Authorization).
        // The lines that carry the key and the signature come first, so that they fall
        // within the part of the page the status line quotes.
        let (port, seen) = serve(|req| {
            let mut lines: Vec<&str> = req.split("\r\n").collect();
            lines.sort_by_key(|l| !(l.contains("Signature") || l.contains("Authorization")));
            let body = format!("Not Found: {}", lines.join(" "));
            ("404 Not Found".into(), body.into_bytes())
        });
        let (code, out) = check(&[
            "--clc",
            &format!("127.0.0.1:{port}"),
            "--signature",
            signature,
            "-vvv",
            "--max-output",
            "65536",
        ]);
        let request = seen.recv().unwrap();
        assert_eq!(code, 3, "{signature}: {out}");
        assert!(out.contains("answered 404 Not Found"), "{out}");
        // what the server saw, and what must not come back
        let sent_signature = match signature {
            "v2" => request
                .split("Signature=")
                .nth(1)
                .and_then(|s| s.split([' ', '&']).next())
                .unwrap()
                .to_string(),
            _ => request
                .split("Signature=")
                .nth(1)
                .and_then(|s| s.split(['\r', ' ']).next())
                .unwrap()
                .to_string(),
        };
        assert!(request.contains(ACCESS), "{request}");
        assert!(sent_signature.len() > 20, "{request}");
        assert!(!out.contains(ACCESS), "access key printed: {out}");
        assert!(!out.contains(&sent_signature), "signature printed: {out}");
        assert!(!out.contains(SECRET), "secret printed: {out}");
        assert!(out.contains("***"), "{out}");
    }
}
