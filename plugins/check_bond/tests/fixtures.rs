//! check_bond end to end: the binary on every fixture, asserting the state, the key words of
//! the output and the perfdata. Bond fixtures are placed at DIR/proc/net/bonding/bond0 and
//! read with --root DIR; teamdctl dumps are given with --input teamdctl=FILE.

use harness::{HostTree, Outcome, Plugin};
use std::path::{Path, PathBuf};

const BIN: &str = env!("CARGO_BIN_EXE_check_bond");

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

fn read_fixture(rel: &str) -> String {
    std::fs::read_to_string(fixture(rel)).expect(rel)
}

/// A host tree with one fixture as bond0.
fn with_bond(rel: &str) -> HostTree {
    HostTree::new().file("/proc/net/bonding/bond0", &read_fixture(rel))
}

fn run(args: &[&str]) -> Outcome {
    Plugin::new(BIN).args(args).run()
}

fn bond(rel: &str, extra: &[&str]) -> Outcome {
    let t = with_bond(rel);
    let root = t.root_arg();
    let mut args = vec!["--root", root.as_str()];
    args.extend_from_slice(extra);
    run(&args)
}

fn team(rel: &str, extra: &[&str]) -> Outcome {
    let input = format!("teamdctl={}", fixture(rel).display());
    let mut args = vec!["--input", input.as_str()];
    args.extend_from_slice(extra);
    run(&args)
}

// ---- captured /proc/net/bonding files (tests/fixtures/bonding, see its SOURCES.md) ----

#[test]
fn balance_rr_with_both_slaves_up_is_ok() {
    bond("bonding/bond-balance-rr-2slaves-up", &[]).expect_first(
        0,
        "BOND OK - bond0 balance-rr 2/2 up | 'bond0_slaves_up'=2;2:;1:;0;2",
        &[
            "'bond0_eno1_link_failures'=0c;;;0;",
            "bond0: balance-rr, MII up, 2/2 slaves up",
        ],
    );
}

#[test]
fn rhel5_lacp_without_partner_and_a_slave_in_another_aggregator_is_warning() {
    bond(
        "bonding/bond-8023ad-rhel5-v3.2.4-zero-partner-mixed-aggregators",
        &["-vv"],
    )
    .expect_first(
        1,
        "BOND WARNING - bond0 eth2 not in the LACP bundle; bond0 no LACP partner |",
        &[
            "eth2 up but not in the LACP bundle (in aggregator 2, the active aggregator is 3)",
            "partner MAC 00:00:00:00:00:00 on active aggregator 3",
            "'bond0_aggregator_ports'=1;;;0;2",
            "'Speed' without a value, skipped",
        ],
    );
}

#[test]
fn active_backup_10g_with_both_slaves_up_is_ok() {
    bond("bonding/bond-active-backup-10g-ok", &[]).expect_first(
        0,
        "BOND OK - bond0 active-backup 2/2 up",
        &[
            "active enp17s0f0",
            "'bond0_enp17s0f1_link_failures'=0c;;;0;",
        ],
    );
}

#[test]
fn lacp_with_a_slave_down_no_partner_and_churn_is_warning() {
    bond(
        "bonding/bond-8023ad-lacp-pdu-slave-down-no-partner",
        &[],
    )
    .expect_first(
        1,
        "BOND WARNING - bond0 1/2 slaves up, enp0s8 down; bond0 no LACP partner; bond0 enp0s9 LACP churned |",
        &[
            "enp0s8 down (link failures 0)",
            "-> check cable, switch port and NIC of enp0s8",
            "enp0s9 LACP churned (partner)",
            "'bond0_slaves_up'=1;2:;1:;0;2",
            "'bond0_aggregator_ports'=1;;;0;2",
        ],
    )
    // the down slave's own aggregator is not a second complaint
    .lacks(&["enp0s8 up but not in the LACP bundle"]);
}

#[test]
fn active_backup_with_the_backup_slave_down_is_warning() {
    bond("bonding/bond-active-backup-v3.6.0-backup-slave-down", &[])
        .expect_first(
            1,
            "BOND WARNING - bond0 1/2 slaves up, eth3 down |",
            &[
                "redundancy lost; eth3 down (link failures 2)",
                "active eth2, primary eth2",
                "'bond0_eth3_link_failures'=2c;;;0;",
            ],
        )
        // eth3 (1000 Mbps) is down, so its speed is not compared with eth2 (100 Mbps)
        .lacks(&["differ in speed"]);
}

#[test]
fn lacp_with_churn_counters_and_both_slaves_up_is_ok() {
    bond("bonding/bond-8023ad-v3.7.1-churn-2slaves-up", &[]).expect_first(
        0,
        "BOND OK - bond0 802.3ad 2/2 up",
        &[
            "active aggregator not shown (newer kernels show it to root only)",
            "'bond0_eth0_link_failures'=2c;;;0;",
            "'bond0_eth1_link_failures'=1c;;;0;",
        ],
    );
}

#[test]
fn lacp_with_the_second_slave_down_is_warning() {
    bond("bonding/bond-8023ad-v3.7.1-second-slave-down", &[]).expect_first(
        1,
        "BOND WARNING - bond0 1/2 slaves up, eth1 down | 'bond0_slaves_up'=1;2:;1:;0;2",
        &["eth1 down (link failures 1)"],
    );
}

#[test]
fn active_backup_without_slaves_and_mii_down_is_critical() {
    bond(
        "bonding/bond-active-backup-ubuntu12-no-slaves-mii-down",
        &[],
    )
    .expect_first(
        2,
        "BOND CRITICAL - bond0 down, MII down, no slaves | 'bond0_slaves_up'=0;;1:;0;0",
        &["-> enslave the NICs again"],
    );
}

// ---- built /proc/net/bonding files (tests/fixtures/built, see SOURCES.md there) ----

#[test]
fn kernel6_lacp_with_pdu_details_and_a_partner_is_ok() {
    bond("built/bond-8023ad-v6-2slaves-ok", &[]).expect_first(
        0,
        "BOND OK - bond0 802.3ad 2/2 up | 'bond0_slaves_up'=2;2:;1:;0;2 'bond0_aggregator_ports'=2;;;0;2",
        &["aggregator 1 (2 ports), partner 00:23:04:ee:be:64, min_links 1"],
    );
}

#[test]
fn slaves_with_different_speeds_are_warning() {
    bond("built/bond-8023ad-v6-speed-mismatch", &[]).expect_first(
        1,
        "BOND WARNING - bond0 slaves differ in speed/duplex |",
        &["eno1 10000 Mbps full, eno2 1000 Mbps full"],
    );
}

#[test]
fn active_backup_on_the_backup_while_the_primary_is_up_is_warning() {
    bond("built/bond-active-backup-arp-not-on-primary", &[]).expect_first(
        1,
        "BOND WARNING - bond0 active eth1, not primary eth0 |",
        &[
            "active slave eth1, not the primary eth0",
            "-> once eth0 is healthy: echo eth0 > /sys/class/net/bond0/bonding/active_slave",
        ],
    );
}

#[test]
fn alb_with_no_slave_up_is_critical_even_if_the_bond_says_up() {
    bond("built/bond-balance-alb-no-slave-up", &[]).expect_first(
        2,
        "BOND CRITICAL - bond0 down, no slave up (0/2) | 'bond0_slaves_up'=0;2:;1:;0;2",
        &["eth1 going back (link failures 3)"],
    );
}

#[test]
fn xor_with_one_of_four_down_is_warning_and_min_and_critical_slaves_move_it() {
    let f = "built/bond-balance-xor-4slaves-1down";
    bond(f, &[]).expect_first(
        1,
        "BOND WARNING - bond0 3/4 slaves up, eth3 down | 'bond0_slaves_up'=3;4:;1:;0;4",
        &["want at least 4"],
    );
    bond(f, &["--min-slaves", "3"]).expect_first(
        0,
        "BOND OK - bond0 balance-xor 3/4 up | 'bond0_slaves_up'=3;3:;1:;0;4",
        &["eth3 down, tolerated (3 up, --min-slaves 3)"],
    );
    bond(f, &["--critical-slaves", "4"]).expect_first(
        2,
        "BOND CRITICAL - bond0 3/4 slaves up, eth3 down | 'bond0_slaves_up'=3;4:;4:;0;4",
        &[],
    );
    bond(f, &["--min-slaves", "5"]).expect_first(1, "BOND WARNING", &["only 4 configured"]);
}

#[test]
fn another_mode_than_expected_is_critical() {
    bond("bonding/bond-balance-rr-2slaves-up", &["--mode", "802.3ad"]).expect_first(
        2,
        "BOND CRITICAL - bond0 mode balance-rr |",
        &["bond0: mode balance-rr, expected 802.3ad"],
    );
    bond("bonding/bond-balance-rr-2slaves-up", &["--mode", "0"]).expect_first(0, "BOND OK", &[]);
}

// ---- the sysfs supplement ----

#[test]
fn sysfs_fills_in_the_active_aggregator_proc_hides_from_non_root() {
    let t = with_bond("bonding/bond-8023ad-v3.7.1-churn-2slaves-up");
    t.put("sys/class/net/bond0/bonding/ad_aggregator", "2\n")
        .put("sys/class/net/bond0/bonding/ad_num_ports", "2\n")
        .put(
            "sys/class/net/bond0/bonding/ad_partner_mac",
            "00:00:00:00:00:00\n",
        )
        .put("sys/class/net/bond0/bonding/slaves", "eth0 eth1\n");
    run(&["--root", &t.root_arg()]).expect_first(
        1,
        "BOND WARNING - bond0 no LACP partner |",
        &["aggregator 2 (2 ports)", "active aggregator read from /sys"],
    );
    t.put(
        "sys/class/net/bond0/bonding/ad_partner_mac",
        "00:23:04:ee:be:64\n",
    );
    run(&["--root", &t.root_arg()]).expect_first(
        0,
        "BOND OK - bond0 802.3ad 2/2 up",
        &["'bond0_aggregator_ports'=2;;;0;2"],
    );
    t.put("sys/class/net/bond0/bonding/ad_num_ports", "two\n");
    run(&["--root", &t.root_arg()]).expect_first(
        3,
        "BOND UNKNOWN - cannot read",
        &["ad_num_ports: line 1 'two'"],
    );
}

// ---- several bonds, named bonds, none ----

#[test]
fn the_worst_bond_leads_and_a_named_missing_bond_is_critical() {
    let t = with_bond("bonding/bond-balance-rr-2slaves-up");
    t.put(
        "proc/net/bonding/bond1",
        &read_fixture("bonding/bond-8023ad-v3.7.1-second-slave-down"),
    );
    run(&["--root", &t.root_arg()]).expect_first(
        1,
        "BOND WARNING - bond1 1/2 slaves up, eth1 down; bond0 balance-rr 2/2 up |",
        &["'bond0_slaves_up'=2", "'bond1_slaves_up'=1"],
    );
    run(&[
        "--root",
        &t.root_arg(),
        "--bond",
        "bond0",
        "--bond",
        "bond9",
    ])
    .expect_first(
        2,
        "BOND CRITICAL - bond9 missing; bond0 balance-rr 2/2 up |",
        &["bond9: bond missing (no /"],
    )
    .lacks(&["bond1"]);
}

#[test]
fn no_bond_at_all_is_unknown_unless_allowed() {
    let t = HostTree::new();
    run(&["--root", &t.root_arg()]).expect_first(
        3,
        "BOND UNKNOWN - no bond or team found",
        &["--allow-none"],
    );
    run(&["--root", &t.root_arg(), "--allow-none"]).expect_first(
        0,
        "BOND OK - no bond or team found",
        &[],
    );
}

#[test]
fn a_team_in_a_saved_tree_asks_for_a_saved_dump() {
    let t = with_bond("bonding/bond-balance-rr-2slaves-up");
    t.put("run/teamd/team0.pid", "4057\n");
    run(&["--root", &t.root_arg()]).expect_first(
        3,
        "BOND UNKNOWN - cannot read team team0: its state comes from teamdctl on the live host",
        &["--input teamdctl=FILE", "bond0 balance-rr 2/2 up"],
    );
}

// ---- garbage and half files ----

#[test]
fn garbage_is_unknown_naming_the_line() {
    let t = HostTree::new();
    t.put("proc/net/bonding/bond0", "hello\nworld\n");
    run(&["--root", &t.root_arg()]).expect_first(
        3,
        "BOND UNKNOWN - cannot read ",
        &["proc/net/bonding/bond0: line 1 'hello': expected 'Ethernet Channel Bonding Driver: ...'"],
    );
}

#[test]
fn a_file_cut_after_the_header_is_unknown() {
    let full = read_fixture("bonding/bond-balance-rr-2slaves-up");
    let cut = &full[..full.find("Slave Interface").unwrap()];
    let t = HostTree::new();
    t.put("proc/net/bonding/bond0", cut);
    run(&["--root", &t.root_arg()]).expect_first(
        3,
        "BOND UNKNOWN - cannot read ",
        &["line 7 'Down Delay (ms): 0': bond MII up but the file ends before any slave (truncated?)"],
    );
}

/// Every fixture cut inside any line (at two thirds of it) is UNKNOWN, never a verdict. (A cut
/// exactly after "Permanent HW addr:" cannot be told from drivers that print it empty.)
#[test]
fn a_cut_inside_any_line_of_any_bond_fixture_is_unknown() {
    let mut files: Vec<String> = Vec::new();
    for dir in ["bonding", "built"] {
        for e in std::fs::read_dir(fixture(dir)).unwrap() {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            if name.starts_with("bond-") {
                files.push(format!("{dir}/{name}"));
            }
        }
    }
    assert!(files.len() >= 13);
    let t = HostTree::new();
    for f in files {
        let text = read_fixture(&f);
        let mut offset = 0;
        for line in text.split('\n') {
            let body = line.trim();
            if body.len() >= 2 {
                let start = offset + (line.len() - line.trim_start().len());
                let cut = start + body.len() * 2 / 3;
                t.put("proc/net/bonding/bond0", &text[..cut]);
                let r = run(&["--root", &t.root_arg()]);
                assert_eq!(
                    r.code,
                    3,
                    "{f} cut at {cut} ('{}'):\n{}",
                    &text[start..cut],
                    r.stdout
                );
                assert!(r.first.contains(" line "), "{f} cut at {cut}: {}", r.stdout);
            }
            offset += line.len() + 1;
        }
    }
}

// ---- teamdctl state dumps ----

#[test]
fn team_roundrobin_with_both_ports_up_is_ok() {
    team("teamdctl/teamdctl-team0-roundrobin-2ports-up.json", &[]).expect_first(
        0,
        "BOND OK - team0 roundrobin 2/2 up | 'team0_ports_up'=2;2:;1:;0;2",
        &["'team0_eno12399_link_failures'=0c;;;0;"],
    );
}

#[test]
fn team_dump_without_ports_is_unknown() {
    team(
        "teamdctl/teamdctl-team0-activebackup-trimmed-no-ports.json",
        &[],
    )
    .expect_first(3, "BOND UNKNOWN - cannot read ", &["no 'ports' object"]);
}

#[test]
fn team_lacp_with_both_ports_in_the_bundle_is_ok() {
    team("built/teamdctl-built-lacp-2ports-ok.json", &[]).expect_first(
        0,
        "BOND OK - team0 lacp 2/2 up | 'team0_ports_up'=2;2:;1:;0;2 'team0_aggregator_ports'=2;;;0;2",
        &["partner 00:23:04:ee:be:64"],
    );
    team(
        "built/teamdctl-built-lacp-2ports-ok.json",
        &["--mode", "802.3ad"],
    )
    .expect_first(0, "BOND OK", &[]);
    team(
        "built/teamdctl-built-lacp-2ports-ok.json",
        &["--mode", "active-backup"],
    )
    .expect_first(
        2,
        "BOND CRITICAL - team0 mode lacp",
        &["expected activebackup"],
    );
}

#[test]
fn team_lacp_from_old_libteam_is_ok() {
    team("built/teamdctl-built-lacp-old-libteam-ok.json", &[]).expect_first(
        0,
        "BOND OK - team0 lacp 2/2 up",
        &["aggregator 3 (2 ports)"],
    );
}

#[test]
fn team_lacp_with_a_port_down_is_warning() {
    team("built/teamdctl-built-lacp-port-down.json", &[]).expect_first(
        1,
        "BOND WARNING - team0 1/2 ports up, ens1f1 down |",
        &[
            "'team0_ens1f1_link_failures'=3c;;;0;",
            "'team0_aggregator_ports'=1;;;0;2",
        ],
    );
}

#[test]
fn team_lacp_without_partner_is_warning() {
    team("built/teamdctl-built-lacp-no-partner.json", &[]).expect_first(
        1,
        "BOND WARNING - team0 no LACP partner |",
        &["partner MAC 00:00:00:00:00:00"],
    );
}

#[test]
fn team_lacp_port_outside_the_selected_aggregator_is_warning() {
    team("built/teamdctl-built-lacp-split-aggregator.json", &[]).expect_first(
        1,
        "BOND WARNING - team0 ens1f1 not in the LACP bundle |",
        &["in aggregator 5, the active aggregator is 4"],
    );
}

#[test]
fn team_activebackup_with_both_ports_up_is_ok() {
    team("built/teamdctl-built-activebackup-2ports-ok.json", &[]).expect_first(
        0,
        "BOND OK - team0 activebackup 2/2 up",
        &["active eno1"],
    );
}

#[test]
fn team_activebackup_with_all_ports_down_is_critical() {
    team("built/teamdctl-built-activebackup-all-down.json", &[]).expect_first(
        2,
        "BOND CRITICAL - team0 down, no port up (0/2) | 'team0_ports_up'=0;2:;1:;0;2",
        &["eno1 down (link failures 5)"],
    );
}

#[test]
fn team_activebackup_not_on_the_preferred_port_is_warning() {
    team("built/teamdctl-built-activebackup-not-preferred.json", &[]).expect_first(
        1,
        "BOND WARNING - team0 active eno2, not preferred (highest prio) eno1 |",
        &["teamdctl team0 state item set runner.active_port eno1"],
    );
}

#[test]
fn team_port_with_link_up_but_link_watch_down_is_warning() {
    team("built/teamdctl-built-activebackup-linkwatch-down.json", &[]).expect_first(
        1,
        "BOND WARNING - team0 1/2 ports up, eno2 down |",
        &["eno2 link up, link watch down (link failures 12)"],
    );
}

#[test]
fn team_dump_cut_short_is_unknown_naming_the_line() {
    team("built/teamdctl-built-truncated.json", &[]).expect_first(
        3,
        "BOND UNKNOWN - cannot read ",
        &["teamdctl-built-truncated.json: cut: the JSON ends inside a string, line 66"],
    );
}

#[test]
fn an_unreadable_dump_of_the_named_team_is_unknown_not_missing() {
    // Reviewer's case: with --team, a dump that cannot be read made the team "missing"
    // (CRITICAL); the team may well be the one in that dump, so it is UNKNOWN, as without --team.
    team("built/teamdctl-built-truncated.json", &["--team", "team0"])
        .expect_first(
            3,
            "BOND UNKNOWN - cannot read ",
            &["teamdctl-built-truncated.json: cut: the JSON ends inside a string, line 66"],
        )
        .lacks(&["missing", "CRITICAL", "EOF", "column"]);
    let t = HostTree::new();
    t.put("deep.json", &"[".repeat(100_000));
    t.put("empty-object.json", "{}");
    let cases = [
        (
            t.root().join("deep.json"),
            "not valid JSON: nested more than 128 levels deep",
        ),
        (
            t.root().join("empty-object.json"),
            "no 'setup.runner_name': not a teamdctl state dump",
        ),
        (PathBuf::from("/dev/null"), "/dev/null: file is empty"),
    ];
    for (file, why) in cases {
        let input = format!("teamdctl={}", file.display());
        run(&["--input", &input, "--team", "team0"])
            .expect_first(3, "BOND UNKNOWN - cannot read ", &[why])
            .lacks(&["missing", "CRITICAL"]);
    }
}

#[test]
fn a_team_dump_over_1_mib_is_unknown_not_parsed() {
    // A teamd dump is a few KiB; a hostile 8 MiB one made a 135 MB JSON model.
    let t = HostTree::new();
    let dump = read_fixture("built/teamdctl-built-lacp-2ports-ok.json");
    let padded = format!("{}{}", dump, " ".repeat(1024 * 1024));
    t.put("big.json", &padded);
    let input = format!("teamdctl={}", t.root().join("big.json").display());
    run(&["--input", &input]).expect_first(
        3,
        "BOND UNKNOWN - cannot read ",
        &["big.json: larger than 1 MiB, not read whole"],
    );
    let tool = t.executable(
        "teamdctl",
        &format!("#!/bin/sh\ncat '{}'\n", t.root().join("big.json").display()),
    );
    run(&["--team", "team0", "--teamdctl", &tool.display().to_string()])
        .expect_first(
            3,
            "BOND UNKNOWN - cannot read ",
            &["team0 state dump is larger than 1 MiB, not read whole"],
        )
        .lacks(&["BOND OK"]);
    // Under the cap, what makes serde_json's model balloon (an object is a tree node: 1 MiB
    // of `{"":0}` made 100 MiB) or thousands of ports is refused before it is built.
    let objects = format!("[{}]", vec![r#"{"":0}"#; 149_000].join(","));
    t.put("objects.json", &objects);
    let ports: Vec<String> = (0..300)
        .map(|i| format!(r#""e{i}":{{"link":{{"up":true}}}}"#))
        .collect();
    let ports = format!(
        r#"{{"setup":{{"runner_name":"roundrobin"}},"ports":{{{}}}}}"#,
        ports.join(",")
    );
    t.put("ports.json", &ports);
    for (file, why) in [
        (
            "objects.json",
            "more than 4096 JSON objects: not a team's dump",
        ),
        (
            "ports.json",
            "300 ports: more than the 256 a team is read with",
        ),
    ] {
        let input = format!("teamdctl={}", t.root().join(file).display());
        run(&["--input", &input]).expect_first(3, "BOND UNKNOWN - cannot read ", &[why]);
    }
    // The same for a bond: a file of thousands of slave sections.
    let mut text = read_fixture("bonding/bond-balance-rr-2slaves-up");
    for i in 0..300 {
        text.push_str(&format!(
            "\nSlave Interface: x{i}\nMII Status: down\nLink Failure Count: 0\n"
        ));
    }
    bond_text(&text, &[]).expect_first(
        3,
        "BOND UNKNOWN - cannot read ",
        &["'Slave Interface: x254': more than the 256 slaves a bond is read with"],
    );
}

#[test]
fn a_bond_or_team_named_twice_is_checked_once() {
    // Reviewer's case: the second --bond bond0 made a duplicate perfdata label (internal error).
    let o = bond(
        "bonding/bond-balance-rr-2slaves-up",
        &["--bond", "bond0", "--bond", "bond0"],
    );
    o.expect_first(
        0,
        "BOND OK - bond0 balance-rr 2/2 up | 'bond0_slaves_up'=2;2:;1:;0;2",
        &[],
    )
    .lacks(&["internal error"]);
    team(
        "built/teamdctl-built-lacp-2ports-ok.json",
        &["--team", "team0", "--team", "team0"],
    )
    .expect_first(0, "BOND OK - team0 lacp 2/2 up | 'team0_ports_up'=2", &[])
    .lacks(&["internal error"]);
    // The same dump given twice is judged twice under labels of their own.
    let a = format!(
        "teamdctl={}",
        fixture("built/teamdctl-built-lacp-2ports-ok.json").display()
    );
    run(&["--input", &a, "--input", &a, "--input", &a])
        .expect_first(
            0,
            "BOND OK - ",
            &[
                "'team0_ports_up'=2",
                "'team0@teamdctl-built-lacp-2ports-ok_ports_up'=2",
                "'team0@teamdctl-built-lacp-2ports-ok#2_ports_up'=2",
            ],
        )
        .lacks(&["internal error"]);
}

#[test]
fn a_bonding_file_listing_a_slave_twice_is_unknown_naming_the_line() {
    let text = read_fixture("bonding/bond-balance-rr-2slaves-up");
    let second = text.find("Slave Interface: eno2").expect("eno2's section");
    let doubled = format!("{}\n{}", text, &text[second..]);
    let o = bond_text(&doubled, &[]);
    o.expect_first(
        3,
        "BOND UNKNOWN - cannot read ",
        &["slave eno2 listed twice"],
    )
    .lacks(&["internal error"]);
    assert!(
        o.has("'Slave Interface: eno2': slave eno2 listed twice"),
        "{}",
        o.stdout
    );
}

#[test]
fn team_names_that_read_as_teamdctl_options_are_refused() {
    // Reviewer's case: --team=-D ran `teamdctl -D state dump`.
    let t = HostTree::new();
    let ran = t.root().join("ran");
    let tool = t.executable(
        "teamdctl",
        &format!("#!/bin/sh\necho \"$@\" >> '{}'\nexit 1\n", ran.display()),
    );
    let tool = tool.display().to_string();
    for name in ["--team=-D", "--team=--help", "--team=team0team0team0x"] {
        run(&[name, "--teamdctl", &tool]).expect_first(
            3,
            "BOND UNKNOWN - '",
            &["' is not an interface name"],
        );
    }
    assert!(!ran.exists(), "teamdctl was run");
    // A pid file /run/teamd/--help.pid is skipped with a note, never passed to teamdctl.
    let t = HostTree::new()
        .file("/run/teamd/--help.pid", "1\n")
        .file("/run/teamd/team0.pid", "2\n");
    run(&["--root", &t.root_arg()])
        .expect_first(
            3,
            "BOND UNKNOWN - cannot read team team0: ",
            &["skipped the pid file /run/teamd/--help.pid: '--help' is not an interface name"],
        )
        .lacks(&["team --help", "--help state dump"]);
}

#[test]
fn a_dump_of_another_team_than_asked_is_unknown() {
    // Reviewer's case: `--team team1` answered "BOND OK - team0 ..." and team1 was never judged.
    let t = HostTree::new();
    let dump = fixture("built/teamdctl-built-lacp-2ports-ok.json");
    let tool = t.executable(
        "teamdctl",
        &format!("#!/bin/sh\ncat '{}'\n", dump.display()),
    );
    run(&["--team", "team1", "--teamdctl", &tool.display().to_string()])
        .expect_first(
            3,
            "BOND UNKNOWN - cannot read ",
            &["team1 state dump: the dump is of team0, not team1"],
        )
        .lacks(&["BOND OK", "team0_ports_up"]);
    team(
        "built/teamdctl-built-lacp-2ports-ok.json",
        &["--team", "team1"],
    )
    .expect_first(
        3,
        "BOND UNKNOWN - cannot read ",
        &["teamdctl-built-lacp-2ports-ok.json: the dump is of team0, not team1"],
    )
    .lacks(&["team0_ports_up", "missing"]);
}

#[test]
fn several_team_dumps_and_a_named_team_not_among_them() {
    let a = format!(
        "teamdctl={}",
        fixture("built/teamdctl-built-lacp-2ports-ok.json").display()
    );
    let b = format!(
        "teamdctl={}",
        fixture("built/teamdctl-built-lacp-port-down.json").display()
    );
    // both dumps are of team0: both are judged, under labels of their own
    run(&["--input", &a, "--input", &b]).expect_first(
        1,
        "BOND WARNING - team0@teamdctl-built-lacp-port-down 1/2 ports up",
        &[
            "team0 lacp 2/2 up",
            "'team0_ports_up'=2",
            "'team0@teamdctl-built-lacp-port-down_ports_up'=1",
        ],
    );
    // every dump read and of a named team, another named team without one: missing
    run(&["--input", &a, "--team", "team0", "--team", "team1"]).expect_first(
        2,
        "BOND CRITICAL - team1 missing",
        &["team0 lacp 2/2 up"],
    );
}

// ---- running teamdctl (a stand-in script; no real teamd needed) ----

#[test]
fn teams_are_read_by_running_teamdctl() {
    let t = HostTree::new();
    let dump = fixture("built/teamdctl-built-lacp-2ports-ok.json");
    let tool = t.executable(
        "teamdctl",
        &format!(
            "#!/bin/sh\nif [ \"$1 $2 $3\" = \"team0 state dump\" ]; then cat '{}'; \
             else echo \"Device \\\"$1\\\" does not exist\" >&2; exit 1; fi\n",
            dump.display()
        ),
    );
    let tool = tool.display().to_string();
    run(&["--team", "team0", "--teamdctl", &tool]).expect_first(
        0,
        "BOND OK - team0 lacp 2/2 up",
        &[],
    );
    run(&["--team", "team0", "--team", "team7", "--teamdctl", &tool]).expect_first(
        2,
        "BOND CRITICAL - team7 missing",
        &["Device \"team7\" does not exist"],
    );
    run(&["--team", "team0", "--teamdctl", "/nonexistent/teamdctl"]).expect_first(
        3,
        "BOND UNKNOWN - cannot read /nonexistent/teamdctl team0 state dump: /nonexistent/teamdctl not found",
        &[],
    );
}

#[test]
fn a_teamdctl_refused_for_lack_of_privilege_names_the_exact_sudoers_line() {
    let t = HostTree::new();
    let tool = t.executable(
        "/teamdctl",
        "#!/bin/sh\necho 'Failed to connect to teamd: Permission denied' >&2\nexit 1\n",
    );
    let tool = tool.display().to_string();
    run(&["--team", "team0", "--teamdctl", &tool])
        .expect_first(
            3,
            "BOND UNKNOWN - ",
            &[
                "Permission denied; give --sudo and allow it in sudoers: ",
                &format!(" ALL=(root) NOPASSWD: {tool} team0 state dump"),
            ],
        )
        .lacks(&["*"]);
}

// ---- usage ----

#[test]
fn bad_usage_is_unknown() {
    run(&["--bond", "../../etc"]).expect_first(
        3,
        "BOND UNKNOWN - '../../etc' is not an interface name",
        &[],
    );
    let a = format!(
        "teamdctl={}",
        fixture("built/teamdctl-built-lacp-2ports-ok.json").display()
    );
    run(&["--input", &a, "--bond", "bond0"]).expect_first(
        3,
        "BOND UNKNOWN - --bond reads /proc/net/bonding",
        &[],
    );
    run(&["--mode", "bogus"]).expect_first(
        3,
        "BOND UNKNOWN - ",
        &["--mode bogus: expected balance-rr, active-backup"],
    );
}

#[test]
fn an_up_lacp_slave_in_no_aggregator_is_warning() {
    let text = read_fixture("bonding/bond-8023ad-v3.7.1-churn-2slaves-up");
    let text = text.replacen("Aggregator ID: 2\nActor Churn State: none\nPartner Churn State: none\nActor Churned Count: 0", "Aggregator ID: N/A\nActor Churn State: none\nPartner Churn State: none\nActor Churned Count: 0", 1);
    assert!(text.contains("N/A"));
    let t = HostTree::new();
    t.put("proc/net/bonding/bond0", &text);
    run(&["--root", &t.root_arg()]).expect_first(
        1,
        "BOND WARNING - bond0 eth1 not in the LACP bundle |",
        &["eth1 up but not in the LACP bundle (in no aggregator (N/A))"],
    );
}

#[test]
fn a_hanging_teamdctl_ends_in_unknown_at_the_timeout() {
    let t = HostTree::new();
    let tool = t.executable("teamdctl", "#!/bin/sh\nsleep 30\n");
    let tool = tool.display().to_string();
    run(&["--team", "team0", "--teamdctl", &tool, "-t", "1"]).expect_first(
        3,
        "BOND UNKNOWN - timed out after 1 s while running ",
        &["teamdctl team0 state dump"],
    );
}

// ---- issue 9: state rules real data showed wrong (built samples, see built/SOURCES.md) ----

/// bond0 holding `text` (a fixture with one edit, made in the test that needs it).
fn bond_text(text: &str, extra: &[&str]) -> Outcome {
    let t = HostTree::new();
    t.put("proc/net/bonding/bond0", text);
    let root = t.root_arg();
    let mut args = vec!["--root", root.as_str()];
    args.extend_from_slice(extra);
    run(&args)
}

#[test]
fn lacp_the_kernel_says_has_no_active_aggregator_is_critical() {
    bond("built/bond-8023ad-v6-no-active-aggregator", &[])
        .expect_first(
            2,
            "BOND CRITICAL - bond0 no active aggregator | 'bond0_slaves_up'=2;2:;1:;0;2 'bond0_eno1_link_failures'=0c;;;0;",
            &[
                "bond0: the kernel reports no active aggregator: the bond passes no traffic (2 slaves up)",
                "bond0: 802.3ad, MII up, 2/2 slaves up, the kernel reports no active aggregator",
            ],
        )
        // one finding: no split-aggregator or partner complaints on top
        .lacks(&["split over aggregators", "WARNING", "aggregator_ports"]);
}

#[test]
fn lacp_with_no_up_slave_in_the_active_aggregator_is_critical() {
    bond("built/bond-8023ad-v6-no-up-slave-in-active-aggregator", &[])
        .expect_first(
            2,
            "BOND CRITICAL - bond0 no up slave in the active aggregator 1; bond0 1/2 slaves up, eno1 down | 'bond0_slaves_up'=1;2:;1:;0;2 'bond0_aggregator_ports'=1;;;0;2",
            &["the bond passes no traffic (eno2 in aggregator 2, the active aggregator is 1)"],
        )
        .lacks(&["eno2 not in the LACP bundle"]);
    // One up slave of two outside the active aggregator still carries the other: WARNING.
    bond(
        "bonding/bond-8023ad-rhel5-v3.2.4-zero-partner-mixed-aggregators",
        &[],
    )
    .expect_first(1, "BOND WARNING - bond0 eth2 not in the LACP bundle", &[]);
}

#[test]
fn a_bond_left_with_one_slave_is_warning_unless_min_slaves_1() {
    let f = "built/bond-active-backup-1-slave";
    bond(f, &[]).expect_first(
        1,
        "BOND WARNING - bond0 1 slave: no redundancy | 'bond0_slaves_up'=1;2:;1:;0;1",
        &[
            "bond0: 1 slave (enp17s0f0): no redundancy",
            "or accept one slave with --min-slaves 1",
        ],
    );
    bond(f, &["--min-slaves", "1"]).expect_first(
        0,
        "BOND OK - bond0 active-backup 1/1 up | 'bond0_slaves_up'=1;1:;1:;0;1",
        &["(single slave: no redundancy)"],
    );
    bond(f, &["--min-slaves", "2"]).expect_first(
        1,
        "BOND WARNING - bond0 1/1 slaves up |",
        &["only 1 configured"],
    );
}

#[test]
fn different_speeds_are_normal_for_active_backup_but_not_when_balancing() {
    let f = "built/bond-active-backup-10g-primary-1g-backup";
    bond(f, &[])
        .expect_first(
            0,
            "BOND OK - bond0 active-backup 2/2 up | 'bond0_slaves_up'=2;2:;1:;0;2",
            &["active enp17s0f0, primary enp17s0f0"],
        )
        .lacks(&["differ in speed"]);
    // The same slaves in balance-rr: the 1G one skews the bond.
    let rr = read_fixture(f).replace(
        "fault-tolerance (active-backup)",
        "load balancing (round-robin)",
    );
    bond_text(&rr, &[]).expect_first(
        1,
        "BOND WARNING - bond0 slaves differ in speed/duplex |",
        &["enp17s0f0 10000 Mbps full, enp17s0f1 1000 Mbps full"],
    );
}

#[test]
fn a_bond_without_mii_or_arp_monitoring_is_warning() {
    bond("built/bond-active-backup-no-link-monitoring", &[]).expect_first(
        1,
        "BOND WARNING - bond0 no link monitoring | 'bond0_slaves_up'=2;2:;1:;0;2",
        &[
            "bond0: no link monitoring (MII Polling Interval 0, no ARP interval): a dead slave is never noticed, the bond never fails over",
            "-> set miimon=100",
        ],
    );
    // MII off but ARP monitoring on is monitoring.
    bond("built/bond-active-backup-arp-not-on-primary", &[])
        .expect_first(
            1,
            "BOND WARNING - bond0 active eth1, not primary eth0 |",
            &[],
        )
        .lacks(&["no link monitoring"]);
}

#[test]
fn a_value_the_kernel_never_writes_does_not_hide_a_slave_down() {
    bond("built/bond-8023ad-v3.7.1-second-slave-down-duplex-typo", &[]).expect_first(
        1,
        "BOND WARNING - bond0 1/2 slaves up, eth1 down; bond0 eth1 Duplex 'Unkown' not read | 'bond0_slaves_up'=1;2:;1:;0;2",
        &[
            "eth1 down (link failures 1)",
            "bond0: eth1 Duplex 'Unkown' (line 31) is not a value the kernel writes; not needed to judge it",
        ],
    );
    // On an up slave of a balancing bond the speed rule cannot judge it: UNKNOWN for that part
    // only, named; a CRITICAL elsewhere still leads (OK < WARNING < UNKNOWN < CRITICAL).
    let up_typo = read_fixture("built/bond-8023ad-v6-speed-mismatch").replacen(
        "Duplex: full",
        "Duplex: Ful",
        1,
    );
    bond_text(&up_typo, &[])
        .expect_first(
            3,
            "BOND UNKNOWN - bond0 eno1 Duplex 'Ful' unreadable; bond0 slaves differ in speed/duplex |",
            &["eno1 Duplex 'Ful' (line 28) is not a value the kernel writes: eno1's duplex is not compared with the other slaves'"],
        );
    let alb = read_fixture("built/bond-balance-alb-no-slave-up").replacen(
        "Duplex: Unknown",
        "Duplex: Unkown",
        1,
    );
    bond_text(&alb, &[]).expect_first(
        2,
        "BOND CRITICAL - bond0 down, no slave up (0/2); bond0 eth0 Duplex 'Unkown' not read |",
        &[],
    );
    // The same typo on the last line of a file that stops there is a cut: UNKNOWN, never judged.
    let cut = &up_typo[..up_typo.find("Duplex: Ful").unwrap() + "Duplex: Ful".len()];
    bond_text(cut, &[]).expect_first(
        3,
        "BOND UNKNOWN - cannot read ",
        &["line 28 'Duplex: Ful': expected 'full', 'half' or 'Unknown'"],
    );
}
