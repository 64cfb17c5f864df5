//! The live path end to end over HTTP against euca-clc-double, the TEST DOUBLE of the CLC in
//! tests/euca-clc-double/ (Python, signatures verified with botocore): DescribeProperties on
//! /services/Properties (4.2+) and /services/Empyrean (3.x-4.1 eucadmin), serving the answers
//! built from the property fixtures (tests/fixtures/properties/SOURCES.md). Needs
//! /usr/bin/python3 with botocore (python3-botocore): #[ignore]d, scripts/test runs them and
//! fails them without it.

use harness::peers::ClcDouble;
use harness::{Outcome, Plugin, Status};
use std::path::PathBuf;

const BIN: &str = env!("CARGO_BIN_EXE_check_euca_props");
const ACCESS: &str = "AKIDPROPSEXAMPLE";
const SECRET: &str = "props/Secret+Key0123456789";

fn fx(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/properties")
        .join(name)
}

/// The double serving `answer` for DescribeProperties (its DescribeServices scenario is never
/// asked by this plugin; the baseline answer stands in for it).
fn start(tag: &str) -> ClcDouble {
    ClcDouble::start(tag, &fx("baseline.xml"), ACCESS, SECRET)
}

fn serve(d: &ClcDouble, answer: &str, extra: &str) {
    d.control(&format!(
        r#"{{"answers": {{"DescribeProperties": "{}"}}{extra}}}"#,
        fx(answer).display()
    ));
}

fn check(d: &ClcDouble, baseline: &str, extra: &[&str]) -> Outcome {
    let clc = d.clc();
    let creds = d.eucarc().display().to_string();
    let base = fx(baseline).display().to_string();
    let mut args = vec!["--clc", &clc, "--credentials", &creds, "--baseline", &base];
    args.extend_from_slice(extra);
    Plugin::new(BIN)
        .args(&args)
        .env_remove("EC2_ACCESS_KEY")
        .env_remove("EC2_SECRET_KEY")
        .run()
}

#[test]
#[ignore = "needs /usr/bin/python3 with python3-botocore (the CLC test double): run scripts/test"]
fn running_as_the_baseline_is_ok_with_sigv2_and_sigv4_and_every_baseline_format() {
    let d = start("props-equal");
    serve(&d, "baseline.xml", "");
    for signature in ["v2", "v4"] {
        check(&d, "baseline.txt", &["--signature", signature])
            .expect_first(
                0,
                "EUCA PROPS OK - 40 properties as in the baseline (2 hidden not compared)",
                &[],
            )
            .expect_perf("'compared'=40;;;0; 'changed'=0;;;0; 'added'=0;;;0; 'removed'=0;;;0;");
    }
    // A baseline saved as the answer itself, and one saved with euctl (no JSON-typed ones).
    check(&d, "baseline.xml", &[]).expect(0, &["40 properties as in the baseline"]);
    check(&d, "baseline-euctl.txt", &["-v"]).expect(
        0,
        &[
            "39 properties as in the baseline",
            "1 JSON-typed properties not compared",
            "asked http://127.0.0.1:",
        ],
    );
}

#[test]
#[ignore = "needs /usr/bin/python3 with python3-botocore (the CLC test double): run scripts/test"]
fn drift_is_listed_with_old_and_new_values_and_hidden_ones_never_shown() {
    let d = start("props-drift");
    serve(&d, "drifted.xml", "");
    let out = check(&d, "baseline.txt", &["-vv"]);
    out.expect_first(
        1,
        "EUCA PROPS WARNING - properties drifted from the baseline: 4 changed, 1 added, 1 removed (of 39 compared)",
        &[
            "changed bootstrap.webservices.clock_skew_sec: '20' -> '60'",
            "changed objectstorage.s3provider.s3endpoint: 'riakcs.cloud.example.com:8080' -> '10.111.5.160:8080'",
            "changed one.storage.maxvolumesizeingb: '1024' -> '100'",
            // the JSON value, its &quot; read back as quotes
            "PublicIps\":[\"10.111.200.1-10.111.200.126\"]",
            "added stats.event_emitter = 'com.eucalyptus.stats.emitters.FileSystemEmitter'",
            "removed walrusbackend.storagedir (was '/var/lib/eucalyptus/bukkits')",
            "2 hidden values (********) not compared",
        ],
    );
    out.lacks(&["ssl.server_password", "s3secretkey", SECRET]);
    check(&d, "baseline.txt", &["--strict"]).expect_state(Status::Critical);
    check(
        &d,
        "baseline.txt",
        &[
            "--ignore",
            r"^(bootstrap|cloud\.network|objectstorage|one\.storage|stats|walrusbackend)\.",
        ],
    )
    .expect(0, &["properties as in the baseline"]);
    // 3.x-4.1: eucadmin asked DescribeProperties on /services/Empyrean.
    let url = format!("http://{}/services/Empyrean", d.clc());
    check(&d, "baseline.txt", &["--properties-url", &url])
        .expect(1, &["4 changed, 1 added, 1 removed"]);
}

#[test]
#[ignore = "needs /usr/bin/python3 with python3-botocore (the CLC test double): run scripts/test"]
fn a_cloud_value_where_the_baseline_is_hidden_is_never_printed() {
    let d = start("props-echo");
    let dir = harness::peers::WorkDir::new("props-echo");
    let answer = dir.path().join("answer.xml");
    let leaked = std::fs::read_to_string(fx("baseline.xml"))
        .unwrap()
        .replacen("********", "Hunter2-Leaked-Pw", 1);
    std::fs::write(&answer, leaked).unwrap();
    d.control(&format!(
        r#"{{"answers": {{"DescribeProperties": "{}"}}}}"#,
        answer.display()
    ));
    let out = check(&d, "baseline.txt", &["-vvv"]);
    out.expect(
        0,
        &["40 properties as in the baseline (2 hidden not compared)"],
    );
    out.lacks(&["Hunter2-Leaked-Pw"]);
}

#[test]
#[ignore = "needs /usr/bin/python3 with python3-botocore (the CLC test double): run scripts/test"]
fn unreachable_is_critical_and_refused_or_broken_answers_unknown() {
    let d = start("props-broken");
    serve(&d, "baseline.xml", "");
    // Keys the CLC does not know: its 403, UNKNOWN with the keys hint (as check_euca_clc).
    let dir = harness::peers::WorkDir::new("props-keys");
    let wrong = dir.path().join("eucarc");
    std::fs::write(
        &wrong,
        "export EC2_ACCESS_KEY='AKIDPROPSEXAMPLE'\nexport EC2_SECRET_KEY='not-the-secret'\n",
    )
    .unwrap();
    let out = Plugin::new(BIN)
        .args([
            "--clc",
            &d.clc(),
            "--credentials",
            wrong.to_str().unwrap(),
            "--baseline",
            fx("baseline.txt").to_str().unwrap(),
        ])
        .run();
    out.expect_first(
        3,
        "EUCA PROPS UNKNOWN - DescribeProperties at 127.0.0.1:",
        &[
            "403 Forbidden: Signature validation failed",
            "check the access key",
        ],
    );
    out.lacks(&["not-the-secret"]);
    for (mode, says) in [
        ("truncated", "not well-formed XML"),
        ("garbage", "/services/Properties"),
        ("error500", "500 Internal Server Error"),
    ] {
        serve(&d, "baseline.xml", &format!(r#", "mode": "{mode}""#));
        check(&d, "baseline.txt", &[]).expect(3, &[says]);
    }
    serve(&d, "baseline.xml", r#", "mode": "hang""#);
    let started = std::time::Instant::now();
    check(&d, "baseline.txt", &["-t", "2"]).expect_state(Status::Critical);
    assert!(started.elapsed() < std::time::Duration::from_secs(6));
    let closed = format!("127.0.0.1:{}", harness::free_port());
    Plugin::new(BIN)
        .args([
            "--clc",
            &closed,
            "--credentials",
            d.eucarc().to_str().unwrap(),
            "--baseline",
            fx("baseline.txt").to_str().unwrap(),
        ])
        .run()
        .expect_first(2, "EUCA PROPS CRITICAL - ", &["unreachable"]);
}

#[test]
#[ignore = "needs /usr/bin/python3 with python3-botocore (the CLC test double): run scripts/test"]
fn a_clc_pair_is_asked_in_turn_until_one_answers() {
    // 3.4-4.1: each CLC's Empyrean URL, the first one's server down (nothing listens).
    let d = start("props-pair");
    serve(&d, "baseline.xml", "");
    let gone = format!(
        "http://127.0.0.1:{}/services/Empyrean",
        harness::free_port()
    );
    let there = format!("http://{}/services/Empyrean", d.clc());
    let creds = d.eucarc().display().to_string();
    let base = fx("baseline.txt").display().to_string();
    Plugin::new(BIN)
        .args(["--properties-url", &gone, "--properties-url", &there])
        .args(["--credentials", &creds, "--baseline", &base, "-v"])
        .env_remove("EC2_ACCESS_KEY")
        .env_remove("EC2_SECRET_KEY")
        .run()
        .expect(
            0,
            &[
                "40 properties as in the baseline",
                &format!("asked {there}"),
            ],
        );
}
