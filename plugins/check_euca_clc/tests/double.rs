//! End-to-end over HTTP against euca-clc-double, the TEST DOUBLE of the CLC's Empyrean endpoint
//! in tests/euca-clc-double/ (Python; it verifies SigV2 and SigV4 with botocore, independently
//! of the plugin's signing code). Needs /usr/bin/python3 with botocore (Debian:
//! python3-botocore), so every test here is #[ignore]d with that reason: a plain `cargo test`
//! counts them as ignored; scripts/test runs them, and fails them when botocore is missing.

use harness::peers::ClcDouble;
use harness::{Outcome, Plugin};
use std::path::{Path, PathBuf};

const BIN: &str = env!("CARGO_BIN_EXE_check_euca_clc");
const ACCESS: &str = "AKIDOUBLEEXAMPLE";
const SECRET: &str = "double/Secret+Key0123456789";

fn manifest() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(name: &str) -> PathBuf {
    manifest()
        .join("tests/fixtures/describe-services")
        .join(name)
}

/// The status line without perfdata.
fn status(r: &Outcome) -> &str {
    r.first.split(" | ").next().unwrap_or("")
}

/// A running double on 127.0.0.1 accepting ACCESS/SECRET, stopped on drop.
struct Double(ClcDouble);

impl Double {
    fn start(tag: &str, scenario: &str) -> Double {
        Double(ClcDouble::start(tag, &fixture(scenario), ACCESS, SECRET))
    }

    fn clc(&self) -> String {
        self.0.clc()
    }

    /// Change what the double does from the next request on.
    fn control(&self, json: &str) {
        self.0.control(json)
    }

    /// A credentials file with this secret.
    fn credentials(&self, secret: &str) -> PathBuf {
        let path = self.0.dir.join(format!("creds-{}", secret.len()));
        harness::write_secret(
            &path,
            &format!("export EC2_ACCESS_KEY='{ACCESS}'\nexport EC2_SECRET_KEY='{secret}'\n"),
        );
        path
    }

    fn check(&self, extra: &[&str]) -> Outcome {
        let creds = self.0.eucarc();
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

/// The plugin with no credentials in its environment but `env`.
fn run(args: &[&str], env: &[(&str, &str)]) -> Outcome {
    let mut plugin = Plugin::new(BIN).args(args);
    for name in [
        "EC2_ACCESS_KEY",
        "EC2_SECRET_KEY",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_ACCESS_KEY",
        "AWS_SECRET_KEY",
    ] {
        plugin = plugin.env_remove(name);
    }
    for (k, v) in env {
        plugin = plugin.env(k, v);
    }
    plugin.run()
}

/// A port nothing listens on.
fn closed_port() -> u16 {
    harness::free_port()
}

#[test]
#[ignore = "needs /usr/bin/python3 with python3-botocore (the CLC test double): run scripts/test"]
fn healthy_cloud_over_http_is_ok_with_sigv2_and_sigv4() {
    let d = Double::start("healthy", "07-healthy-4.4.xml");
    for signature in ["v2", "v4"] {
        let r = d.check(&["--signature", signature]);
        assert_eq!(r.code, 0, "{signature}: {}", r.stdout);
        assert!(
            status(&r).starts_with("EUCA CLC OK - Eucalyptus Core available: 45 services"),
            "{}",
            r.stdout
        );
        assert!(
            r.stdout
                .contains(&format!("DescribeServices answered by CLC {}", d.clc())),
            "{}",
            r.stdout
        );
        assert!(r.stdout.contains("'time'="), "{}", r.stdout);
        assert!(r.stdout.contains("'enabled_node'=5;;;0;5"), "{}", r.stdout);
    }
}

#[test]
#[ignore = "needs /usr/bin/python3 with python3-botocore (the CLC test double): run scripts/test"]
fn failover_between_two_runs_moves_enabled_to_the_passive() {
    let d = Double::start("failover", "07-healthy-4.4.xml");
    let before = d.check(&[]);
    assert_eq!(before.code, 0, "{}", before.stdout);
    assert!(
        before
            .stdout
            .contains("zone one: CC one-cc-1 on 10.111.5.130 ENABLED, passive one-cc-2"),
        "{}",
        before.stdout
    );
    d.control(r#"{"states": {"one-cc-1": "NOTREADY", "one-cc-2": "ENABLED"}}"#);
    let after = d.check(&[]);
    assert_eq!(after.code, 1, "{}", after.stdout);
    assert!(
        status(&after).ends_with(
            "zone one: CC one-cc-2 ENABLED, passive one-cc-1 NOTREADY: no failover left"
        ),
        "{}",
        after.stdout
    );
    // the old primary comes back as the passive: all well again
    d.control(r#"{"states": {"one-cc-1": "DISABLED", "one-cc-2": "ENABLED"}}"#);
    let healed = d.check(&[]);
    assert_eq!(healed.code, 0, "{}", healed.stdout);
    assert!(
        healed
            .stdout
            .contains("CC one-cc-2 on 10.111.5.131 ENABLED, passive one-cc-1"),
        "{}",
        healed.stdout
    );
}

#[test]
#[ignore = "needs /usr/bin/python3 with python3-botocore (the CLC test double): run scripts/test"]
fn split_brain_over_http_is_critical() {
    let d = Double::start("split", "07-healthy-4.4.xml");
    d.control(r#"{"states": {"two-sc-2": "ENABLED"}}"#);
    let r = d.check(&[]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        status(&r).ends_with("zone two: split brain: 2 ENABLED SC (two-sc-1, two-sc-2)"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("'enabled_storage'=3;;;0;4"),
        "{}",
        r.stdout
    );
}

#[test]
#[ignore = "needs /usr/bin/python3 with python3-botocore (the CLC test double): run scripts/test"]
fn zone_without_enabled_cc_over_http_is_critical() {
    let d = Double::start("cc-broken", "03-cc-broken-4.4.xml");
    let r = d.check(&[]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        status(&r).ends_with("zone two: no ENABLED CC (two-cc-1 BROKEN, two-cc-2 NOTREADY); Eucalyptus Core available in zone one only"),
        "{}",
        r.stdout
    );
}

#[test]
#[ignore = "needs /usr/bin/python3 with python3-botocore (the CLC test double): run scripts/test"]
fn bad_secret_is_unknown_for_both_signatures_and_never_printed() {
    let d = Double::start("badsecret", "07-healthy-4.4.xml");
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
        assert_eq!(r.code, 3, "{signature}: {}", r.stdout);
        assert!(
            status(&r).ends_with(&format!(
                "CLC {clc} answered 403 Forbidden: Signature validation failed"
            )),
            "{}",
            r.stdout
        );
        assert!(
            r.stdout
                .contains("  -> check the access key and secret key"),
            "{}",
            r.stdout
        );
        assert!(
            !r.stdout.contains(wrong) && !r.stdout.contains(SECRET),
            "secret printed: {}",
            r.stdout
        );
    }
    // the right secret, given through the environment, is accepted and not printed either
    let r = run(
        &["--clc", &clc, "-vvv"],
        &[("EC2_ACCESS_KEY", ACCESS), ("EC2_SECRET_KEY", SECRET)],
    );
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(!r.stdout.contains(SECRET), "secret printed: {}", r.stdout);
}

#[test]
#[ignore = "needs /usr/bin/python3 with python3-botocore (the CLC test double): run scripts/test"]
fn clock_skew_is_unknown_and_says_check_ntp() {
    let d = Double::start("skew", "07-healthy-4.4.xml");
    // The CLC's clock an hour behind ours: our timestamp is in its future.
    d.control(r#"{"clock_offset": -3600}"#);
    let r = d.check(&[]);
    assert_eq!(r.code, 3, "{}", r.stdout);
    assert!(
        status(&r).contains("403 Forbidden: Message was generated in the future"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("check NTP"), "{}", r.stdout);
    // ... an hour ahead: our request has expired.
    d.control(r#"{"clock_offset": 3600}"#);
    let r = d.check(&["--signature", "v4"]);
    assert_eq!(r.code, 3, "{}", r.stdout);
    assert!(status(&r).contains("Message has expired"), "{}", r.stdout);
}

#[test]
#[ignore = "needs /usr/bin/python3 with python3-botocore (the CLC test double): run scripts/test"]
fn clc_down_is_critical_unreachable() {
    // No double needed: nothing listens on the port.
    let port = closed_port().to_string();
    let r = run(
        &["--clc", &format!("127.0.0.1:{port}")],
        &[("EC2_ACCESS_KEY", ACCESS), ("EC2_SECRET_KEY", SECRET)],
    );
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert_eq!(
        status(&r),
        format!("EUCA CLC CRITICAL - CLC unreachable (127.0.0.1:{port}: connection refused)")
    );
    assert!(
        r.stdout.contains("  -> check eucalyptus-cloud on the CLC"),
        "{}",
        r.stdout
    );
}

#[test]
#[ignore = "needs /usr/bin/python3 with python3-botocore (the CLC test double): run scripts/test"]
fn ha_pair_uses_the_clc_that_answers_and_says_which() {
    let d = Double::start("hapair", "01-healthy-ha-4.1.xml");
    let down = format!("127.0.0.1:{}", closed_port());
    let creds = d.0.eucarc();
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
    // the partner's verdict (healthy), and the lost partner as a WARNING naming it
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert_eq!(
        status(&r),
        format!("EUCA CLC WARNING - Eucalyptus Core available: HA partner CLC {down} not answering (connection refused)")
    );
    assert!(
        r.stdout
            .contains(&format!("DescribeServices answered by CLC {}", d.clc())),
        "{}",
        r.stdout
    );
    assert!(r.has("'enabled_eucalyptus'=1;;;0;2"), "{}", r.stdout);
}

#[test]
#[ignore = "needs /usr/bin/python3 with python3-botocore (the CLC test double): run scripts/test"]
fn a_slow_first_clc_gets_its_share_of_t_and_the_partner_is_asked() {
    let slow = Double::start("slow-first", "01-healthy-ha-4.1.xml");
    let good = Double::start("slow-partner", "03-cc-broken-4.4.xml");
    let creds = slow.0.eucarc();
    for mode in ["dribble", "chunked-forever"] {
        // headers at once, then a byte a second / chunks that never end
        slow.control(&format!(r#"{{"mode": "{mode}"}}"#));
        let r = run(
            &[
                "--clc",
                &slow.clc(),
                "--clc",
                &good.clc(),
                "--credentials",
                creds.to_str().unwrap(),
                "-t",
                "6",
            ],
            &[],
        );
        // the partner's verdict (its zone two is out), plus the lost partner
        assert_eq!(r.code, 2, "{mode}: {}", r.stdout);
        assert!(
            status(&r).starts_with(&format!(
                "EUCA CLC CRITICAL - zone two: no ENABLED CC (two-cc-1 BROKEN, two-cc-2 NOTREADY); HA partner CLC {} not answering (answer not complete within ",
                slow.clc()
            )) && status(&r).ends_with("Eucalyptus Core available in zone one only"),
            "{mode}: {}",
            r.stdout
        );
        assert!(
            r.has(&format!("DescribeServices answered by CLC {}", good.clc())),
            "{}",
            r.stdout
        );
        // within -t, with the runner's margin: the first CLC had about half of it
        assert!(
            r.elapsed < std::time::Duration::from_secs(6),
            "{:?}",
            r.elapsed
        );
        r.expect_perf("'enabled_cluster'=1;;;0;4");
    }
}

#[test]
#[ignore = "needs /usr/bin/python3 with python3-botocore (the CLC test double): run scripts/test"]
fn hanging_slow_and_broken_answers_never_pass_for_health() {
    let d = Double::start("robust", "07-healthy-4.4.xml");
    // accepts, never answers: unreachable within -t, not the runner's timeout
    d.control(r#"{"mode": "hang"}"#);
    let r = d.check(&["-t", "3"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        status(&r).contains("CLC unreachable") && status(&r).contains("no answer within"),
        "{}",
        r.stdout
    );
    // slow but within -t: judged normally
    d.control(r#"{"mode": "slow", "delay": 0.5}"#);
    let r = d.check(&["-t", "10"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    // garbage, half an answer, a server error: UNKNOWN with the cause
    d.control(r#"{"mode": "garbage"}"#);
    let r = d.check(&[]);
    assert_eq!(r.code, 3, "{}", r.stdout);
    assert!(
        status(&r).contains("expected DescribeServicesResponseType, found <html>"),
        "{}",
        r.stdout
    );
    d.control(r#"{"mode": "truncated"}"#);
    let r = d.check(&[]);
    assert_eq!(r.code, 3, "{}", r.stdout);
    assert!(status(&r).contains("not well-formed XML"), "{}", r.stdout);
    d.control(r#"{"mode": "error500"}"#);
    let r = d.check(&[]);
    assert_eq!(r.code, 3, "{}", r.stdout);
    assert!(
        status(&r).contains("answered 500 Internal Server Error: java.lang.NullPointerException"),
        "{}",
        r.stdout
    );
}

#[test]
#[ignore = "needs /usr/bin/python3 with python3-botocore (the CLC test double): run scripts/test"]
fn https_is_verified_unless_the_user_opts_out() {
    // The double over HTTPS with a certificate of the throw-away test CA.
    let tls = manifest().join("tests/tls");
    let d = ClcDouble::start_tls(
        "tls",
        &fixture("07-healthy-4.4.xml"),
        ACCESS,
        SECRET,
        &tls.join("clc.pem"),
        &tls.join("clc.key"),
    );
    let url = format!("https://127.0.0.1:{}", d.port);
    let creds = d.eucarc();
    let creds = creds.to_str().unwrap();
    let ca = tls.join("ca.pem");
    // not trusted: UNKNOWN, with the way out
    let r = run(&["--clc", &url, "--credentials", creds], &[]);
    assert_eq!(r.code, 3, "{}", r.stdout);
    assert!(status(&r).contains("certificate"), "{}", r.stdout);
    assert!(r.stdout.contains("  -> give --ca-file"), "{}", r.stdout);
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
    assert_eq!(r.code, 0, "{}", r.stdout);
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
    assert_eq!(r.code, 0, "{}", r.stdout);
}
