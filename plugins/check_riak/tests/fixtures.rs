//! Every file in tests/fixtures (copied from the shared Riak fixtures with their SOURCES.md)
//! with the state SOURCES.md gives it, the words that say why (naming the node) and perfdata.

use harness::{Outcome, Plugin};

fn riak(args: &[&str]) -> Outcome {
    Plugin::new(env!("CARGO_BIN_EXE_check_riak"))
        .args(args)
        .run()
}

fn input(kind: &str, file: &str) -> String {
    format!(
        "{kind}={}/tests/fixtures/{file}",
        env!("CARGO_MANIFEST_DIR")
    )
}

const OK: i32 = 0;
const WARNING: i32 = 1;
const CRITICAL: i32 = 2;

macro_rules! fixture_test {
    ($name:ident, $kind:literal, $file:literal, [$($extra:literal),*], $code:expr, [$($word:literal),* $(,)?]) => {
        #[test]
        fn $name() {
            let arg = input($kind, $file);
            let mut args = vec!["--input", arg.as_str()];
            let extra: &[&str] = &[$($extra),*];
            args.extend(extra);
            riak(&args).expect($code, &[$($word),*]);
        }
    };
}

fixture_test!(
    captured_stats_of_a_single_node_is_ok,
    "stats",
    "captured-stats-riak-0.11.json",
    [],
    OK,
    [
        "RIAK OK - ring of 1 member, all up",
        "'ring_members'=1;;;0;",
        "'partitions'=64;;;0;",
        "'down'=0;0;1;0;1"
    ]
);
fixture_test!(
    captured_stats_is_warning_when_five_members_are_expected,
    "stats",
    "captured-stats-riak-0.11.json",
    ["--min-members", "5"],
    WARNING,
    ["RIAK WARNING - 1 ring member (expected at least 5)"]
);
fixture_test!(
    healthy_stats_is_ok,
    "stats",
    "stats-healthy-5node.json",
    [],
    OK,
    [
        "RIAK OK - ring of 5 members, all up",
        "'get_95th'=4321us;;;0;",
        "'put_95th'=9876us;;;0;",
        "'connected'=5;;;0;5"
    ]
);
fixture_test!(
    stats_with_one_peer_not_connected_is_warning_naming_it,
    "stats",
    "stats-one-node-down.json",
    [],
    WARNING,
    [
        "RIAK WARNING - 1 of 5 ring members down: riak@10.111.5.164",
        "riak@10.111.5.164: not connected to riak@10.111.5.160 (/stats)",
        "'down'=1;0;1;0;5",
        "'connected'=4;;;0;5"
    ]
);
fixture_test!(
    stats_one_node_down_is_critical_when_no_node_may_be_down,
    "stats",
    "stats-one-node-down.json",
    ["--max-down", "0"],
    CRITICAL,
    ["RIAK CRITICAL - 1 of 5 ring members down: riak@10.111.5.164"]
);
fixture_test!(
    stats_latency_over_the_thresholds_names_the_node,
    "stats",
    "stats-one-node-down.json",
    ["-w", "50000", "-c", "80000"],
    CRITICAL,
    [
        "riak@10.111.5.160: put 95th percentile 88.3 ms (critical 80000 us)",
        "riak@10.111.5.160: get 95th percentile 51.3 ms (warning 50000 us)",
        "'put_95th'=88340us;50000;80000;0;"
    ]
);
fixture_test!(
    stats_healthy_latency_is_under_the_same_thresholds,
    "stats",
    "stats-healthy-5node.json",
    ["-w", "50000", "-c", "80000"],
    OK,
    ["RIAK OK"]
);
fixture_test!(
    a_disk_over_its_threshold_names_node_and_mount,
    "stats",
    "stats-healthy-5node.json",
    ["--disk-warning", "50", "--disk-critical", "70"],
    WARNING,
    ["RIAK WARNING - riak@10.111.5.160: disk /var/lib/riak 61% used (warning 50)"]
);
fixture_test!(
    captured_member_status_healthy_is_ok,
    "member-status",
    "captured-member-status-healthy-5node.txt",
    [],
    OK,
    [
        "RIAK OK - ring of 5 members, all up",
        "'ring_members'=5;;;0;"
    ]
);
fixture_test!(captured_member_status_four_down_is_critical, "member-status", "captured-member-status-4-marked-down.txt", [], CRITICAL,
    ["RIAK CRITICAL - 4 of 5 ring members down: riak@10.1.42.12, riak@10.1.42.13, riak@10.1.42.14, riak@10.1.42.15",
     "riak@10.1.42.15: marked down (member-status)", "'down'=4;0;1;0;5"]);
fixture_test!(
    captured_ring_status_healthy_is_ok,
    "ring-status",
    "captured-ring-status-healthy.txt",
    [],
    OK,
    ["RIAK OK - ring ready (claimant riak@192.168.17.11), no handoff pending"]
);
fixture_test!(
    member_status_healthy_is_ok,
    "member-status",
    "member-status-healthy-5node.txt",
    [],
    OK,
    ["RIAK OK - ring of 5 members, all up"]
);
fixture_test!(
    member_status_of_an_unreachable_node_alone_is_ok,
    "member-status",
    "member-status-one-node-unreachable.txt",
    [],
    OK,
    ["RIAK OK - ring of 5 members, all up"]
);
fixture_test!(
    member_status_marked_down_is_warning_naming_it,
    "member-status",
    "member-status-one-node-marked-down.txt",
    [],
    WARNING,
    [
        "RIAK WARNING - 1 of 5 ring members down: riak@10.111.5.164",
        "riak@10.111.5.164: marked down (member-status)"
    ]
);
fixture_test!(
    member_status_joining_is_warning_naming_it,
    "member-status",
    "member-status-joining-pending.txt",
    [],
    WARNING,
    [
        "RIAK WARNING - riak@10.111.5.165 joining",
        "ownership transfer pending for riak@10.111.5.160",
        "'ring_members'=6;;;0;"
    ]
);
fixture_test!(
    ring_status_healthy_is_ok,
    "ring-status",
    "ring-status-healthy.txt",
    [],
    OK,
    ["RIAK OK - ring ready (claimant riak@10.111.5.160), no handoff pending"]
);
fixture_test!(
    ring_status_unreachable_is_warning_naming_it,
    "ring-status",
    "ring-status-one-node-unreachable.txt",
    [],
    WARNING,
    [
        "RIAK WARNING - 1 ring member down: riak@10.111.5.164",
        "riak@10.111.5.164: unreachable (ring-status)"
    ]
);
fixture_test!(
    ring_status_not_converged_is_warning,
    "ring-status",
    "ring-status-not-converged.txt",
    [],
    WARNING,
    [
        "RIAK WARNING - ring not ready (claimant riak@10.111.5.160)",
        "ownership handoff pending: riak@10.111.5.160 -> riak@10.111.5.165, 2 partitions waiting"
    ]
);
fixture_test!(
    cluster_status_one_down_is_warning_naming_it,
    "cluster-status",
    "cluster-status-one-node-down.txt",
    [],
    WARNING,
    [
        "RIAK WARNING - 1 of 5 ring members down: riak@10.111.5.164",
        "riak@10.111.5.164: down (cluster status)"
    ]
);

/// The unreachable node's member-status says nothing; with ring-status beside it, the node is
/// named once, with both sources' words.
#[test]
fn member_status_and_ring_status_together_name_the_node_once() {
    let m = input("member-status", "member-status-one-node-unreachable.txt");
    let r = input("ring-status", "ring-status-one-node-unreachable.txt");
    let s = input("stats", "stats-one-node-down.json");
    let run = riak(&["--input", &m, "--input", &r, "--input", &s]);
    run.expect(WARNING, &[
        "RIAK WARNING - 1 of 5 ring members down: riak@10.111.5.164",
        "riak@10.111.5.164: not connected to riak@10.111.5.160 (/stats); unreachable (ring-status)",
    ]);
}

/// Every fixture file is used by a test above (a new fixture without a test fails here).
#[test]
fn every_fixture_has_a_test() {
    let me = include_str!("fixtures.rs");
    for entry in
        std::fs::read_dir(format!("{}/tests/fixtures", env!("CARGO_MANIFEST_DIR"))).unwrap()
    {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if name == "SOURCES.md" {
            continue;
        }
        assert!(
            me.contains(&format!("\"{name}\"")),
            "fixture {name} has no test"
        );
    }
}
