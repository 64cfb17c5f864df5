//! The cases a review of the release binary reproduced, each now ending as it must: a --type
//! that judges nothing is never OK, a password in --clc is never printed, and a saved answer
//! over its cap is refused rather than parsed into a model that balloons.

use harness::{Outcome, Plugin, Status};

const BIN: &str = env!("CARGO_BIN_EXE_check_euca_clc");
const ZONE_TWO_OUT: &str =
    "describe-services=tests/fixtures/describe-services/03-cc-broken-4.4.xml";

fn run(args: &[&str]) -> Outcome {
    Plugin::new(BIN)
        .args(args)
        .env("EC2_ACCESS_KEY", "AKIDATTACKTEST")
        .env("EC2_SECRET_KEY", "attack/Secret+Key")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .run()
}

#[test]
fn a_type_that_matches_no_service_is_unknown_never_ok() {
    // Was: exit 0 "EUCA CLC OK - 0 services: ; 2 zones" while zone two has no CC.
    let r = run(&["--input", ZONE_TWO_OUT, "--type", "bogus"]);
    r.expect_state(Status::Unknown)
        .expect_summary("--type bogus matches no service in the answer")
        .expect_long("types listed: autoscaling, autoscalingbackend, bootstrap")
        .lacks(&["0 services"]);
    // One --type that matches next to one that does not: still not OK.
    let r = run(&["--input", ZONE_TWO_OUT, "--type", "node", "--type", "nodes"]);
    r.expect_state(Status::Unknown)
        .expect_summary("--type nodes matches no service in the answer");
    // A group that matches nothing (3.4 lists no NCs) is said the same way.
    let r = run(&[
        "--input",
        "euca-describe-services=tests/fixtures/euca-describe-services/00-captured-3.4-tutorial.txt",
        "--type",
        "nc",
        "--type",
        "cc",
    ]);
    r.expect_state(Status::Unknown)
        .expect_summary("--type nc matches no service in the answer");
    // A type that matches is judged as before.
    run(&["--input", ZONE_TWO_OUT, "--type", "node"]).expect_state(Status::Ok);
}

#[test]
fn a_type_not_written_as_listed_is_a_usage_error_naming_the_groups() {
    for (given, words) in [
        ("Node", "--type 'Node' (did you mean node?): give a group"),
        ("", "--type '': give a group"),
        ("user api", "--type 'user api': give a group"),
    ] {
        let r = run(&["--input", ZONE_TWO_OUT, "--type", given]);
        r.expect_state(Status::Unknown)
            .expect_summary(words)
            .contains(&[
                "(clc, ufs, cc, sc, nc, osg)",
                "as the CLC lists it, in lower case",
            ])
            .lacks(&["EUCA CLC OK"]);
    }
    let r = run(&["--input", ZONE_TWO_OUT, "--exclude-type", "Cluster"]);
    r.expect_state(Status::Unknown)
        .expect_summary("--exclude-type 'Cluster' (did you mean cluster?)");
    // Groups are matched in any case, as before.
    run(&["--input", ZONE_TWO_OUT, "--type", "NC"]).expect_state(Status::Ok);
}

#[test]
fn a_password_in_clc_is_masked_in_every_message() {
    for clc in [
        "http://admin:PassW0rd@127.0.0.1:1/",
        "admin:PassW0rd@127.0.0.1",
        "https://admin:PassW0rd@[::1]:8773/services/Empyrean",
    ] {
        let r = run(&["--clc", clc]);
        r.expect_state(Status::Unknown)
            .contains(&["admin:***@", "no user or password in the URL"])
            .lacks(&["PassW0rd"]);
    }
    // The second --clc of a pair is quoted masked too.
    let r = run(&[
        "--clc",
        "127.0.0.1:1",
        "--clc",
        "http://op:Hunter22@127.0.0.2/",
    ]);
    r.expect_state(Status::Unknown)
        .contains(&["--clc 'http://op:***@127.0.0.2/'"])
        .lacks(&["Hunter22"]);
}

#[test]
fn a_saved_answer_over_its_cap_is_refused_not_parsed() {
    // Was: 300,000 identical euserv lines (8.1 MB) peaked at 124 MB; 2,090,000 `<a/>`
    // (8.36 MB) at 158 MB. Over what a cloud's listing can be: 1 MiB of euserv text, 4 MiB
    // of XML.
    let dir = std::env::temp_dir().join(format!("euca-attacks-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let euserv = dir.join("euserv-300k.txt");
    std::fs::write(&euserv, "SERVICE node one n1 enabled\n".repeat(300_000)).unwrap();
    let xml = dir.join("a-2090000.xml");
    std::fs::write(
        &xml,
        format!(
            "<DescribeServicesResponseType>{}</DescribeServicesResponseType>",
            "<a/>".repeat(2_090_000)
        ),
    )
    .unwrap();
    for (name, file, cap) in [
        ("euserv", &euserv, "1 MiB"),
        ("describe-services", &xml, "4 MiB"),
    ] {
        let r = run(&["--input", &format!("{name}={}", file.display())]);
        r.expect_state(Status::Unknown)
            .expect_summary(&format!(
                "cannot read {}: larger than {cap}, not read whole",
                file.display()
            ))
            .expect_one_line();
    }
    // Under the byte cap, a million empty elements would still be a tree of 80 MB: refused
    // by their count before the tree is built.
    let flat = dir.join("a-1000000.xml");
    std::fs::write(
        &flat,
        format!(
            "<DescribeServicesResponseType>{}</DescribeServicesResponseType>",
            "<a/>".repeat(1_000_000)
        ),
    )
    .unwrap();
    let r = run(&["--input", &format!("describe-services={}", flat.display())]);
    r.expect_state(Status::Unknown)
        .expect_summary(&format!(
            "cannot parse {}: 1000002 XML tags, more than the 400000 of any cloud's answer, not read",
            flat.display()
        ))
        .expect_one_line();
    // Just under the cap, the same lines are one service listed many times: judged.
    let under = dir.join("euserv-under-cap.txt");
    let healthy = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/euserv-describe-services/07-healthy-4.4.txt"
    ))
    .unwrap();
    let line = "SERVICE node one 10.111.5.140 enabled\n";
    let room = 1024 * 1024 - healthy.len();
    std::fs::write(&under, healthy + &line.repeat(room / line.len())).unwrap();
    let r = run(&["--input", &format!("euserv={}", under.display())]);
    r.expect_state(Status::Ok)
        .expect_summary("Eucalyptus Core available: 45 services");
    let _ = std::fs::remove_dir_all(dir);
}
