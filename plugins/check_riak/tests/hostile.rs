//! Hostile saved sources through the whole binary: garbage, empty, huge (over the cap), deeply
//! nested JSON, binary bytes. Each ends UNKNOWN naming what could not be read, quickly.

use harness::{HostTree, Outcome, Plugin};
use std::time::Duration;

fn run_with(kind: &str, text: &str) -> Outcome {
    let tree = HostTree::new().file("saved", text);
    let arg = format!("{kind}={}", tree.path("saved").display());
    let run = Plugin::new(env!("CARGO_BIN_EXE_check_riak"))
        .args(["--input", arg.as_str()])
        .run();
    assert!(
        run.elapsed < Duration::from_secs(5),
        "{kind}: {:?}",
        run.elapsed
    );
    run
}

const KINDS: [&str; 4] = ["stats", "ring-status", "member-status", "cluster-status"];

#[test]
fn empty_and_garbage_are_unknown_naming_the_file() {
    for kind in KINDS {
        for text in [
            "",
            "\n\n",
            "garbage\n",
            "\u{0}\u{1}\u{2}binary\n",
            "{\"a\":1}\n",
            "Status Ring Pending Node\n",
        ] {
            let run = run_with(kind, text);
            run.expect(3, &["RIAK UNKNOWN"]);
            assert!(
                run.summary.contains("saved"),
                "{kind} {text:?}: {}",
                run.first
            );
            run.expect_one_line();
        }
    }
}

#[test]
fn huge_is_refused_before_parsing() {
    for kind in KINDS {
        let text = "x".repeat(2 * 1024 * 1024);
        run_with(kind, &text).expect(3, &["RIAK UNKNOWN", "larger than"]);
    }
}

#[test]
fn deeply_nested_json_is_unknown_not_a_crash() {
    let deep = format!(
        "{{\"nodename\":{}{}}}",
        "[".repeat(200_000),
        "]".repeat(200_000)
    );
    run_with("stats", &deep).expect(3, &["RIAK UNKNOWN - cannot read", "not JSON"]);
}

#[test]
fn a_listing_that_lies_about_its_rows_is_unknown() {
    let text = std::fs::read_to_string(format!(
        "{}/tests/fixtures/member-status-one-node-marked-down.txt",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    // a row lost in the middle (a cut copy-paste): the tally no longer counts the rows
    let lost: String = text
        .lines()
        .filter(|l| !l.contains(".162"))
        .map(|l| format!("{l}\n"))
        .collect();
    run_with("member-status", &lost).expect(3, &["the tally says 4 valid, the rows list 3"]);
}

#[test]
fn usage_errors_are_unknown_with_a_cause() {
    let run = Plugin::new(env!("CARGO_BIN_EXE_check_riak")).run();
    run.expect(3, &["nothing to check"]);
    let run = Plugin::new(env!("CARGO_BIN_EXE_check_riak"))
        .args(["--node", "a:b"])
        .run();
    run.expect(3, &["expected a TCP port"]);
}
