//! The upsd password never reaches the output, even when a hostile or broken upsd echoes it
//! back; an auth file readable by others is noted in long output.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_check_ups");
const PASSWORD: &str = "Pa55-w0rd-never-printed";

/// A fake upsd: OK to USERNAME, then `reply(password line)` to PASSWORD.
fn fake_upsd(reply: fn(&str) -> String) -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let Ok((s, _)) = l.accept() else { return };
        let mut w = s.try_clone().unwrap();
        let mut lines = BufReader::new(s).lines();
        while let Some(Ok(line)) = lines.next() {
            let answer = if line.starts_with("USERNAME") {
                "OK\n".to_string()
            } else if line.starts_with("PASSWORD") {
                reply(&line)
            } else {
                "ERR UNKNOWN-COMMAND\n".to_string()
            };
            if w.write_all(answer.as_bytes()).is_err() {
                return;
            }
        }
    });
    port
}

fn auth_file(tag: &str, mode: u32) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let f = std::env::temp_dir().join(format!("ups-auth-{tag}-{}", std::process::id()));
    std::fs::write(&f, format!("username = monuser\npassword = {PASSWORD}\n")).unwrap();
    std::fs::set_permissions(&f, std::fs::Permissions::from_mode(mode)).unwrap();
    f
}

fn check(port: u16, auth: &std::path::Path) -> (i32, String) {
    let out = Command::new(BIN)
        .args(["--ups", &format!("ups1@127.0.0.1:{port}"), "--auth-file"])
        .arg(auth)
        .args(["-vvv", "-t", "5"])
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn an_upsd_echoing_the_password_line_gets_it_scrubbed() {
    let echoes: [fn(&str) -> String; 2] = [
        // an ERR whose "code" is the password
        |line| format!("ERR {}\n", line.trim_start_matches("PASSWORD ")),
        // not the protocol at all: the line itself, which the parse error quotes
        |line| format!("{line}\n"),
    ];
    let auth = auth_file("echo", 0o600);
    for (i, echo) in echoes.into_iter().enumerate() {
        let port = fake_upsd(echo);
        let (code, out) = check(port, &auth);
        assert_eq!(code, 3, "echo {i}: {out}");
        assert!(!out.contains(PASSWORD), "echo {i}: password printed: {out}");
        assert!(out.contains("***"), "echo {i}: {out}");
        assert!(!out.contains("readable by group or others"), "{out}");
    }
    let _ = std::fs::remove_file(auth);
}

#[test]
fn an_auth_file_readable_by_others_is_a_warning_line() {
    let auth = auth_file("open", 0o644);
    let port = fake_upsd(|_| "ERR ACCESS-DENIED\n".to_string());
    let (code, out) = check(port, &auth);
    // ACCESS-DENIED is UNKNOWN on its own; the open file adds a WARNING line (the kit's)
    assert_eq!(code, 3, "{out}");
    assert!(
        out.contains(&format!(
            "{} is readable by group or others (mode 0644): chmod 600 it",
            auth.display()
        )),
        "{out}"
    );
    assert!(!out.contains(PASSWORD), "{out}");
    let _ = std::fs::remove_file(auth);
}
