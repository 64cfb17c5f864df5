//! The property fixtures (tests/fixtures/properties/SOURCES.md) through the binary.

use harness::{Plugin, Status};

const BIN: &str = env!("CARGO_BIN_EXE_check_euca_props");

fn fx(name: &str) -> String {
    format!(
        "{}/tests/fixtures/properties/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn props(running: &str, baseline: &str) -> Plugin {
    Plugin::new(BIN).args([
        format!("--input=properties={running}"),
        format!("--baseline={baseline}"),
    ])
}

#[test]
fn the_baseline_against_itself_and_against_its_euctl_form_is_ok() {
    props(&fx("baseline.txt"), &fx("baseline.txt"))
        .run()
        .expect(
            0,
            &["EUCA PROPS OK - 40 properties as in the baseline (2 hidden not compared)"],
        );
    props(&fx("baseline.txt"), &fx("baseline-euctl.txt"))
        .arg("-v")
        .run()
        .expect(
            0,
            &[
                "39 properties as in the baseline",
                "1 JSON-typed properties not compared",
            ],
        );
}

#[test]
fn the_drifted_listing_names_every_change_with_old_and_new_values() {
    let out = props(&fx("drifted.txt"), &fx("baseline.txt")).run();
    out.expect(1, &["EUCA PROPS WARNING - properties drifted from the baseline: 4 changed, 1 added, 1 removed (of 39 compared)"]);
    out.contains(&[
        "changed bootstrap.webservices.clock_skew_sec: '20' -> '60'",
        "changed objectstorage.s3provider.s3endpoint: 'riakcs.cloud.example.com:8080' -> '10.111.5.160:8080'",
        "changed one.storage.maxvolumesizeingb: '1024' -> '100'",
        "PublicIps\":[\"10.111.200.1-10.111.200.126\"]",
        "added stats.event_emitter = 'com.eucalyptus.stats.emitters.FileSystemEmitter'",
        "removed walrusbackend.storagedir (was '/var/lib/eucalyptus/bukkits')",
    ]);
    out.lacks(&["ssl.server_password", "s3secretkey"]);
    assert_eq!(out.perf("changed").value, 4.0);
    props(&fx("drifted.txt"), &fx("baseline.txt"))
        .arg("--strict")
        .run()
        .expect_state(Status::Critical);
    props(&fx("drifted.txt"), &fx("baseline.txt"))
        .args([
            "--ignore",
            r"^(bootstrap|cloud\.network|objectstorage|one\.storage|stats|walrusbackend)\.",
        ])
        .run()
        .expect(0, &["properties as in the baseline"]);
}

#[test]
fn saved_answers_compare_like_their_listings() {
    props(&fx("drifted.xml"), &fx("baseline.xml"))
        .run()
        .expect(1, &["EUCA PROPS WARNING - properties drifted from the baseline: 4 changed, 1 added, 1 removed (of 39 compared)"]);
    props(&fx("baseline.xml"), &fx("baseline-euctl.txt"))
        .run()
        .expect(0, &["39 properties as in the baseline"]);
    let dir = harness::peers::WorkDir::new("props-answer");
    let text = std::fs::read_to_string(fx("drifted.xml")).unwrap();
    let cut = dir.path().join("cut.xml");
    for at in (1..text.trim_end().len()).step_by(211) {
        std::fs::write(&cut, &text[..at]).unwrap();
        props(&cut.display().to_string(), &fx("baseline.txt"))
            .run()
            .expect(3, &["cannot read", "cut.xml"]);
    }
    std::fs::write(
        &cut,
        "<Response><Errors><Error><Code>403 Forbidden</Code><Message>Signature validation failed</Message></Error></Errors></Response>",
    )
    .unwrap();
    props(&cut.display().to_string(), &fx("baseline.txt"))
        .run()
        .expect(
            3,
            &["cut.xml: a DescribeProperties error answer (403 Forbidden"],
        );
}

#[test]
fn hidden_values_are_never_compared_nor_printed() {
    let dir = harness::peers::WorkDir::new("props-hidden");
    let base = dir.path().join("base");
    let now = dir.path().join("now");
    std::fs::write(&base, "PROPERTY\ta.secret\t********\nPROPERTY\ta.port\t1\n").unwrap();
    std::fs::write(
        &now,
        "PROPERTY\ta.secret\thunter2-Xq9\nPROPERTY\ta.port\t1\n",
    )
    .unwrap();
    let out = props(&now.display().to_string(), &base.display().to_string())
        .args(["-vv"])
        .run();
    out.expect(
        0,
        &["1 properties as in the baseline (1 hidden not compared)"],
    );
    out.lacks(&["hunter2-Xq9"]);
}

#[test]
fn cut_garbage_and_missing_sources_are_unknown_naming_them() {
    let dir = harness::peers::WorkDir::new("props-cut");
    let text = std::fs::read_to_string(fx("drifted.txt")).unwrap();
    let cut = dir.path().join("cut.txt");
    for at in (1..text.len())
        .step_by(97)
        .filter(|a| !text[..*a].ends_with('\n'))
    {
        std::fs::write(&cut, &text[..at]).unwrap();
        props(&cut.display().to_string(), &fx("baseline.txt"))
            .run()
            .expect(3, &["cannot read", "cut.txt: it ends inside a line (cut)"]);
    }
    std::fs::write(&cut, "garbage\n").unwrap();
    props(&fx("baseline.txt"), &cut.display().to_string())
        .run()
        .expect(3, &["cut.txt: line 1: not a 'name = value' line"]);
    std::fs::write(&cut, "").unwrap();
    props(&cut.display().to_string(), &fx("baseline.txt"))
        .run()
        .expect(3, &["empty"]);
    props(&fx("baseline.txt"), "/nonexistent/base")
        .run()
        .expect(3, &["cannot read /nonexistent/base: no such file"]);
    Plugin::new(BIN)
        .args([format!("--input=properties={}", fx("baseline.txt"))])
        .run()
        .expect(3, &["give --baseline FILE"]);
    Plugin::new(BIN)
        .args(["--baseline", &fx("baseline.txt")])
        .run()
        .expect(
            3,
            &["give --clc HOST (ask the CLC) or --input properties=FILE"],
        );
    Plugin::new(BIN)
        .args(["--baseline", &fx("baseline.txt"), "--clc", "127.0.0.1"])
        .arg(format!("--input=properties={}", fx("baseline.txt")))
        .run()
        .expect(3, &["give it without --clc or --properties-url"]);
    props(&fx("baseline.txt"), &fx("baseline.txt"))
        .args(["--ignore", "("])
        .run()
        .expect(3, &["--ignore (: expected a regular expression"]);
    // Huge: over the cap, not read.
    let huge = dir.path().join("huge.txt");
    std::fs::write(&huge, "a.b = c\n".repeat(700_000)).unwrap();
    props(&fx("baseline.txt"), &huge.display().to_string())
        .run()
        .expect(3, &["larger than 4 MiB"]);
}
