//! End-to-end over HTTP against euca-clc-double, the TEST DOUBLE of the CLC's Empyrean endpoint
//! in tests/euca-clc-double/ (Python; it verifies SigV2 and SigV4 with botocore, independently
//! of the plugin's signing code). Needs /usr/bin/python3 with botocore (Debian:
//! python3-botocore): without it the tests skip, unless EUCA_CHECKS_REQUIRE_PEERS=1.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_check_euca_clc");
const PYTHON: &str = "/usr/bin/python3";
const ACCESS: &str = "AKIDOUBLEEXAMPLE";
const SECRET: &str = "double/Secret+Key0123456789";

fn manifest() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn script() -> PathBuf {
    manifest().join("../../tests/euca-clc-double/euca_clc_double.py")
}

fn fixture(name: &str) -> PathBuf {
    manifest()
        .join("tests/fixtures/describe-services")
        .join(name)
}

/// A running double on 127.0.0.1, stopped on drop.
struct Double {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl Double {
    /// Start one serving `scenario`, or None (skip) when python3/botocore are missing.
    fn start(test: &str, scenario: &str) -> Option<Double> {
        let usable = Command::new(PYTHON)
            .args(["-c", "import botocore.auth"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !usable {
            if std::env::var("EUCA_CHECKS_REQUIRE_PEERS").as_deref() == Ok("1") {
                panic!("{PYTHON} with botocore is required (Debian package python3-botocore)");
            }
            eprintln!(
                "skipping {test}: {PYTHON} with botocore (python3-botocore) is not installed"
            );
            return None;
        }
        let dir =
            std::env::temp_dir().join(format!("euca-clc-double-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("eucarc"),
            format!("export EC2_ACCESS_KEY='{ACCESS}'\nexport EC2_SECRET_KEY='{SECRET}'\n"),
        )
        .unwrap();
        let port_file = dir.join("port");
        let mut child = Command::new(PYTHON)
            .arg(script())
            .arg("--scenario")
            .arg(fixture(scenario))
            .arg("--credentials")
            .arg(dir.join("eucarc"))
            .arg("--control")
            .arg(dir.join("control.json"))
            .arg("--port-file")
            .arg(&port_file)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the double");
        let started = Instant::now();
        let port = loop {
            if let Ok(text) = std::fs::read_to_string(&port_file) {
                if let Ok(p) = text.trim().parse::<u16>() {
                    break p;
                }
            }
            if let Ok(Some(status)) = child.try_wait() {
                let mut err = String::new();
                if let Some(mut e) = child.stderr.take() {
                    let _ = std::io::Read::read_to_string(&mut e, &mut err);
                }
                panic!("the double ended ({status}): {err}");
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "the double did not start"
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        Some(Double { child, port, dir })
    }

    fn clc(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Change what the double does from the next request on.
    fn control(&self, json: &str) {
        let tmp = self.dir.join("control.tmp");
        std::fs::write(&tmp, json).unwrap();
        std::fs::rename(tmp, self.dir.join("control.json")).unwrap();
    }

    /// A credentials file with this secret.
    fn credentials(&self, secret: &str) -> PathBuf {
        let path = self.dir.join(format!("creds-{}", secret.len()));
        std::fs::write(
            &path,
            format!("export EC2_ACCESS_KEY='{ACCESS}'\nexport EC2_SECRET_KEY='{secret}'\n"),
        )
        .unwrap();
        path
    }

    fn check(&self, extra: &[&str]) -> Run {
        let creds = self.dir.join("eucarc");
        let clc = self.clc();
        let mut args = vec![
            "--clc",
            clc.as_str(),
            "--credentials",
            creds.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        run(&args, &[])
    }
}

impl Drop for Double {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

struct Run {
    code: i32,
    out: String,
}

impl Run {
    fn summary(&self) -> &str {
        self.out
            .lines()
            .next()
            .unwrap_or("")
            .split(" | ")
            .next()
            .unwrap_or("")
    }
}

fn run(args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(BIN);
    cmd.args(args);
    for name in [
        "EC2_ACCESS_KEY",
        "EC2_SECRET_KEY",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_ACCESS_KEY",
        "AWS_SECRET_KEY",
    ] {
        cmd.env_remove(name);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run check_euca_clc");
    Run {
        code: out.status.code().unwrap_or(-1),
        out: String::from_utf8_lossy(&out.stdout).into_owned(),
    }
}

/// A port nothing listens on.
fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

#[test]
fn healthy_cloud_over_http_is_ok_with_sigv2_and_sigv4() {
    let Some(d) = Double::start("healthy", "07-healthy-4.4.xml") else {
        return;
    };
    for signature in ["v2", "v4"] {
        let r = d.check(&["--signature", signature]);
        assert_eq!(r.code, 0, "{signature}: {}", r.out);
        assert!(
            r.summary()
                .starts_with("EUCA CLC OK - Eucalyptus Core available: 45 services"),
            "{}",
            r.out
        );
        assert!(
            r.out
                .contains(&format!("DescribeServices answered by CLC {}", d.clc())),
            "{}",
            r.out
        );
        assert!(r.out.contains("'time'="), "{}", r.out);
        assert!(r.out.contains("'enabled_node'=5;;;0;5"), "{}", r.out);
    }
}

#[test]
fn failover_between_two_runs_moves_enabled_to_the_passive() {
    let Some(d) = Double::start("failover", "07-healthy-4.4.xml") else {
        return;
    };
    let before = d.check(&[]);
    assert_eq!(before.code, 0, "{}", before.out);
    assert!(
        before
            .out
            .contains("zone one: CC one-cc-1 on 10.111.5.130 ENABLED, passive one-cc-2"),
        "{}",
        before.out
    );
    d.control(r#"{"states": {"one-cc-1": "NOTREADY", "one-cc-2": "ENABLED"}}"#);
    let after = d.check(&[]);
    assert_eq!(after.code, 1, "{}", after.out);
    assert!(
        after.summary().ends_with(
            "zone one: CC one-cc-2 ENABLED, passive one-cc-1 NOTREADY: no failover left"
        ),
        "{}",
        after.out
    );
    // the old primary comes back as the passive: all well again
    d.control(r#"{"states": {"one-cc-1": "DISABLED", "one-cc-2": "ENABLED"}}"#);
    let healed = d.check(&[]);
    assert_eq!(healed.code, 0, "{}", healed.out);
    assert!(
        healed
            .out
            .contains("CC one-cc-2 on 10.111.5.131 ENABLED, passive one-cc-1"),
        "{}",
        healed.out
    );
}

#[test]
fn split_brain_over_http_is_critical() {
    let Some(d) = Double::start("split", "07-healthy-4.4.xml") else {
        return;
    };
    d.control(r#"{"states": {"two-sc-2": "ENABLED"}}"#);
    let r = d.check(&[]);
    assert_eq!(r.code, 2, "{}", r.out);
    assert!(
        r.summary()
            .ends_with("zone two: split brain: 2 ENABLED SC (two-sc-1, two-sc-2)"),
        "{}",
        r.out
    );
    assert!(r.out.contains("'enabled_storage'=3;;;0;4"), "{}", r.out);
}

#[test]
fn zone_without_enabled_cc_over_http_is_critical() {
    let Some(d) = Double::start("cc-broken", "03-cc-broken-4.4.xml") else {
        return;
    };
    let r = d.check(&[]);
    assert_eq!(r.code, 2, "{}", r.out);
    assert!(
        r.summary()
            .ends_with("zone two: no ENABLED CC (two-cc-1 BROKEN, two-cc-2 NOTREADY)"),
        "{}",
        r.out
    );
}

#[test]
fn bad_secret_is_unknown_for_both_signatures_and_never_printed() {
    let Some(d) = Double::start("badsecret", "07-healthy-4.4.xml") else {
        return;
    };
    let wrong = "Wrong/Secret+Key-not-this-one";
    let creds = d.credentials(wrong);
    let clc = d.clc();
    for signature in ["v2", "v4"] {
        let r = run(
            &[
                "--clc",
                &clc,
                "--credentials",
                creds.to_str().unwrap(),
                "--signature",
                signature,
                "-vvv",
            ],
            &[],
        );
        assert_eq!(r.code, 3, "{signature}: {}", r.out);
        assert!(
            r.summary().ends_with(&format!(
                "CLC {clc} answered 403 Forbidden: Signature validation failed"
            )),
            "{}",
            r.out
        );
        assert!(
            r.out.contains("  -> check the access key and secret key"),
            "{}",
            r.out
        );
        assert!(
            !r.out.contains(wrong) && !r.out.contains(SECRET),
            "secret printed: {}",
            r.out
        );
    }
    // the right secret, given through the environment, is accepted and not printed either
    let r = run(
        &["--clc", &clc, "-vvv"],
        &[("EC2_ACCESS_KEY", ACCESS), ("EC2_SECRET_KEY", SECRET)],
    );
    assert_eq!(r.code, 0, "{}", r.out);
    assert!(!r.out.contains(SECRET), "secret printed: {}", r.out);
}

#[test]
fn clock_skew_is_unknown_and_says_check_ntp() {
    let Some(d) = Double::start("skew", "07-healthy-4.4.xml") else {
        return;
    };
    // The CLC's clock an hour behind ours: our timestamp is in its future.
    d.control(r#"{"clock_offset": -3600}"#);
    let r = d.check(&[]);
    assert_eq!(r.code, 3, "{}", r.out);
    assert!(
        r.summary()
            .contains("403 Forbidden: Message was generated in the future"),
        "{}",
        r.out
    );
    assert!(r.out.contains("check NTP"), "{}", r.out);
    // ... an hour ahead: our request has expired.
    d.control(r#"{"clock_offset": 3600}"#);
    let r = d.check(&["--signature", "v4"]);
    assert_eq!(r.code, 3, "{}", r.out);
    assert!(r.summary().contains("Message has expired"), "{}", r.out);
}

#[test]
fn clc_down_is_critical_unreachable() {
    // No double needed: nothing listens on the port.
    let port = closed_port().to_string();
    let r = run(
        &["--clc", &format!("127.0.0.1:{port}")],
        &[("EC2_ACCESS_KEY", ACCESS), ("EC2_SECRET_KEY", SECRET)],
    );
    assert_eq!(r.code, 2, "{}", r.out);
    assert_eq!(
        r.summary(),
        format!("EUCA CLC CRITICAL - CLC unreachable (127.0.0.1:{port}: connection refused)")
    );
    assert!(
        r.out.contains("  -> check eucalyptus-cloud on the CLC"),
        "{}",
        r.out
    );
}

#[test]
fn ha_pair_uses_the_clc_that_answers_and_says_which() {
    let Some(d) = Double::start("hapair", "01-healthy-ha-4.1.xml") else {
        return;
    };
    let down = format!("127.0.0.1:{}", closed_port());
    let creds = d.dir.join("eucarc");
    let r = run(
        &[
            "--clc",
            &down,
            "--clc",
            &d.clc(),
            "--credentials",
            creds.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.out);
    assert!(
        r.out
            .contains(&format!("DescribeServices answered by CLC {}", d.clc()))
            && r.out.contains(&format!("{down}: connection refused")),
        "{}",
        r.out
    );
}

#[test]
fn hanging_slow_and_broken_answers_never_pass_for_health() {
    let Some(d) = Double::start("robust", "07-healthy-4.4.xml") else {
        return;
    };
    // accepts, never answers: unreachable within -t, not the runner's timeout
    d.control(r#"{"mode": "hang"}"#);
    let r = d.check(&["-t", "3"]);
    assert_eq!(r.code, 2, "{}", r.out);
    assert!(
        r.summary().contains("CLC unreachable") && r.summary().contains("no answer within"),
        "{}",
        r.out
    );
    // slow but within -t: judged normally
    d.control(r#"{"mode": "slow", "delay": 0.5}"#);
    let r = d.check(&["-t", "10"]);
    assert_eq!(r.code, 0, "{}", r.out);
    // garbage, half an answer, a server error: UNKNOWN with the cause
    d.control(r#"{"mode": "garbage"}"#);
    let r = d.check(&[]);
    assert_eq!(r.code, 3, "{}", r.out);
    assert!(
        r.summary()
            .contains("expected DescribeServicesResponseType, found <html>"),
        "{}",
        r.out
    );
    d.control(r#"{"mode": "truncated"}"#);
    let r = d.check(&[]);
    assert_eq!(r.code, 3, "{}", r.out);
    assert!(r.summary().contains("not well-formed XML"), "{}", r.out);
    d.control(r#"{"mode": "error500"}"#);
    let r = d.check(&[]);
    assert_eq!(r.code, 3, "{}", r.out);
    assert!(
        r.summary()
            .contains("answered 500 Internal Server Error: java.lang.NullPointerException"),
        "{}",
        r.out
    );
}

#[test]
fn https_is_verified_unless_the_user_opts_out() {
    let Some(mut d) = Double::start("tls", "07-healthy-4.4.xml") else {
        return;
    };
    // The same double again, over HTTPS with a certificate of the throw-away test CA.
    let _ = d.child.kill();
    let _ = d.child.wait();
    let tls = manifest().join("tests/tls");
    let port_file = d.dir.join("port-tls");
    d.child = Command::new(PYTHON)
        .arg(script())
        .arg("--scenario")
        .arg(fixture("07-healthy-4.4.xml"))
        .arg("--credentials")
        .arg(d.dir.join("eucarc"))
        .arg("--port-file")
        .arg(&port_file)
        .arg("--tls-cert")
        .arg(tls.join("clc.pem"))
        .arg("--tls-key")
        .arg(tls.join("clc.key"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    d.port = loop {
        if let Some(p) = std::fs::read_to_string(&port_file)
            .ok()
            .and_then(|t| t.trim().parse().ok())
        {
            break p;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "no TLS double");
        std::thread::sleep(Duration::from_millis(20));
    };
    let url = format!("https://127.0.0.1:{}", d.port);
    let creds = d.dir.join("eucarc");
    let creds = creds.to_str().unwrap();
    let ca = tls.join("ca.pem");
    // not trusted: UNKNOWN, with the way out
    let r = run(&["--clc", &url, "--credentials", creds], &[]);
    assert_eq!(r.code, 3, "{}", r.out);
    assert!(r.summary().contains("certificate"), "{}", r.out);
    assert!(r.out.contains("  -> give --ca-file"), "{}", r.out);
    // the private CA: verified and OK
    let r = run(
        &[
            "--clc",
            &url,
            "--credentials",
            creds,
            "--ca-file",
            ca.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.out);
    // explicitly not verified: OK
    let r = run(
        &[
            "--clc",
            &url,
            "--credentials",
            creds,
            "--insecure",
            "--signature",
            "v4",
        ],
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.out);
}
