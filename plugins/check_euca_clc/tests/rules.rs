//! The rules of issue 9, each on the sample that showed it (tests/samples/SOURCES.md), through
//! the real binary: state, summary words and perfdata.

use harness::{Outcome, Plugin, Status};

const BIN: &str = env!("CARGO_BIN_EXE_check_euca_clc");

fn run(input: &str) -> Outcome {
    Plugin::new(BIN)
        .args(["--input", input])
        .env_remove("EC2_ACCESS_KEY")
        .env_remove("EC2_SECRET_KEY")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .run()
}

#[test]
fn an_empty_service_list_is_unknown_naming_the_likely_cause() {
    let r = run("describe-services=tests/samples/empty-list-4.4.xml");
    r.expect_state(Status::Unknown).expect_summary(
        "DescribeServices listed no services: the credentials are not those of an admin of the eucalyptus account, or the CLC is still starting",
    );
    r.lacks(&["Eucalyptus Core unavailable", "no CLC registered"]);
}

#[test]
fn a_service_listed_twice_alike_is_one_service_not_a_split_brain() {
    let r = run("euserv=tests/samples/twin-cc-4.4.txt");
    r.expect_state(Status::Ok)
        .expect_summary("Eucalyptus Core available: 45 services: 41 ENABLED, 4 DISABLED")
        .expect_perf("'enabled_cluster'=2;;;0;4")
        .lacks(&["split brain"]);
}

#[test]
fn euca_describe_services_with_spaces_for_tabs_reads_as_the_tabbed_file() {
    let spaced = run("euca-describe-services=tests/samples/spaces-healthy-ha-4.1.txt");
    let tabbed =
        run("euca-describe-services=tests/fixtures/euca-describe-services/01-healthy-ha-4.1.txt");
    spaced
        .expect_state(Status::Ok)
        .expect_summary("Eucalyptus Core available: 55 services: 43 ENABLED, 12 DISABLED")
        .expect_perf("'enabled_eucalyptus'=1;;;0;2");
    assert_eq!(spaced.stdout, tabbed.stdout);
}

#[test]
fn a_listing_cut_mid_arn_is_unknown_naming_the_line() {
    let r = run("euca-describe-services=tests/samples/cut-mid-arn-healthy-ha-4.1.txt");
    r.expect_state(Status::Unknown)
        .contains(&["line 44 'SERVICE cluster", "line cut short"])
        .lacks(&["Eucalyptus Core"]);
}

#[test]
fn a_zone_out_says_where_the_core_is_available_after_the_problem() {
    let r = run("describe-services=tests/fixtures/describe-services/03-cc-broken-4.4.xml");
    r.expect_state(Status::Critical).expect_summary(
        "zone two: no ENABLED CC (two-cc-1 BROKEN, two-cc-2 NOTREADY); Eucalyptus Core available in zone one only",
    );
    r.expect_perf("'zone_two_nodes_enabled'=2;;;0;2");
    // a CRITICAL that is not a zone out (split brain) does not claim the core either way
    let r = run("describe-services=tests/fixtures/describe-services/02-clc-split-brain-4.1.xml");
    r.expect_state(Status::Critical)
        .expect_summary("split brain: 2 ENABLED CLC (10.111.5.100, 10.111.5.101)")
        .lacks(&["Eucalyptus Core available"]);
}
