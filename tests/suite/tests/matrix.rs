//! Issue 17's failure matrix: tests/matrix/run.py applies each scenario (tests/matrix/*.toml)
//! to the SIMULATED reference deployment (samples/simulation; the Walrus and VMware broker
//! cells to its 4.1 variant, samples/simulation/variants/ha-4.1) under a real Nagios 4 running the
//! generated configuration, and judges what status.dat shows (tests/matrix/run.py says how).
//! Every cell must pass. The table docs/failure-matrix.md is written by the same runner:
//! `tests/matrix/run.py --plugin-dir target/debug --write-doc docs/failure-matrix.md`; here it
//! goes to the target directory (a test run does not rewrite the committed document).
//!
//! Needs what simulation.rs needs plus nagios4: #[ignore]d with what it needs, failing (not
//! skipping) when one is missing; scripts/test runs it. It uses the simulation's fixed
//! addresses and its run/ directory: do not run the demo at the same time.

use harness::peers::require_programs;
use std::process::Command;
use suite::repo;

const NEEDS: &[&str] = &[
    "/usr/bin/python3",
    "nagios4",
    "openssl",
    "/usr/lib/postgresql/15/bin/initdb|/usr/lib/postgresql/16/bin/initdb|/usr/lib/postgresql/17/bin/initdb",
    "/usr/lib/nagios/plugins/check_disk",
    "/usr/lib/nagios/plugins/check_ntp_time",
    "/usr/lib/nagios/plugins/check_tcp",
    "/usr/lib/nagios/plugins/check_dummy",
    "ipmi_sim",
    "sdrcomp",
    "ipmitool",
    "ipmi-sensors",
];

#[test]
#[ignore = "needs nagios4, python3, openssl, postgresql-15, monitoring-plugins, openipmi: run scripts/test"]
fn every_failure_matrix_cell_is_detected_by_nagios() {
    require_programs(NEEDS);
    // The plugins the generated configuration runs: built by this `cargo test`.
    for p in euca_checks::plugins::all() {
        suite::plugin(p.plugin.name);
    }
    suite::plugin("euca-checks");
    let doc = suite::bin_dir().join("failure-matrix.md");
    let out = Command::new("/usr/bin/python3")
        .arg(repo().join("tests/matrix/run.py"))
        .arg("--plugin-dir")
        .arg(suite::bin_dir())
        .arg("--write-doc")
        .arg(&doc)
        .output()
        .expect("tests/matrix/run.py");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "failure matrix:\n{stdout}\n{stderr}");
    // A run that judged nothing cannot pass: every scenario file has its line.
    let scenarios = std::fs::read_dir(repo().join("tests/matrix"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "toml"))
        })
        .count();
    // The seed's 10 components x 3 failure types, plus six hardware cells.
    assert!(scenarios >= 36, "{scenarios} scenarios");
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with("PASS ")).count(),
        scenarios,
        "{stdout}"
    );
    let table = std::fs::read_to_string(&doc).unwrap();
    for row in [
        "| Cluster controller | server down |",
        "| Walrus | resources unavailable |",
        "| VMware broker | software down (server up) |",
    ] {
        assert!(table.contains(row), "{row}: {table}");
    }
    assert!(!table.contains("no scenario yet"), "{table}");
}
