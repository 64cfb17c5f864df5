//! check_san_path end to end on every real capture (tests/fixtures, states from its SOURCES.md):
//! the state, the words of the status line, and the perfdata.

use harness::{Outcome, Plugin};
use std::path::PathBuf;

const BIN: &str = env!("CARGO_BIN_EXE_check_san_path");

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn multipath(name: &str, extra: &[&str]) -> Outcome {
    let input = format!("multipath={}", fixture(name).display());
    Plugin::new(BIN).arg("--input").arg(input).args(extra).run()
}

fn iscsiadm(name: &str, extra: &[&str]) -> Outcome {
    let input = format!("iscsiadm={}", fixture(name).display());
    Plugin::new(BIN).arg("--input").arg(input).args(extra).run()
}

/// label=value pairs that must be in the perfdata.
fn perf(o: &Outcome, pairs: &[(&str, f64)]) {
    for (label, value) in pairs {
        assert_eq!(o.perf(label).value, *value, "{label} in {}", o.first);
    }
}

/// (file, exit code, words of the first line, perfdata)
type Case = (
    &'static str,
    i32,
    &'static [&'static str],
    &'static [(&'static str, f64)],
);

const MULTIPATH: &[Case] = &[
    (
        "multipath-falcon-2luns-4paths-ok",
        0,
        &["SAN OK - 2 multipath maps: every path up"],
        &[("mpatha_active_paths", 4.0), ("mpathb_failed_paths", 0.0)],
    ),
    (
        "multipath-falcon-2luns-one-path-missing",
        0,
        &["SAN OK"],
        &[("mpathb_active_paths", 3.0), ("mpatha_active_paths", 4.0)],
    ),
    (
        "multipath-old-format-multipath-l-undef-ok",
        0,
        &["SAN OK - 2 multipath maps"],
        &[("mpathb_active_paths", 4.0), ("mpatha_active_paths", 4.0)],
    ),
    (
        "multipath-dgc-emc-and-local-lsi-single-path",
        1,
        &["SAN WARNING - 36003005700f0eb70160c9b590a77c13e: only 1 active path"],
        &[
            ("36003005700f0eb70160c9b590a77c13e_active_paths", 1.0),
            ("36006016019e02a00d009495ddbf3e011_active_paths", 4.0),
        ],
    ),
    (
        "multipath-netapp-debian-squeeze-ok",
        0,
        &["SAN OK - 2 multipath maps"],
        &[
            ("foobar_backup_lun0_active_paths", 4.0),
            ("foobar_postgresql_lun0_active_paths", 4.0),
        ],
    ),
    (
        "multipath-old-format-eternus-dash-names",
        0,
        &["SAN OK"],
        &[
            ("tex-lun4_active_paths", 2.0),
            ("tex-lun3_active_paths", 2.0),
        ],
    ),
    (
        "multipath-iscsi-no-wwid-ok",
        0,
        &["SAN OK - 1 multipath map"],
        &[("1STORAGE_server_target2_active_paths", 2.0)],
    ),
    (
        "multipath-md32xx-rdac-path-failed",
        1,
        &["map00: only 1 active path", "map00 path sdf checker failed"],
        &[("map00_active_paths", 1.0), ("map00_failed_paths", 1.0)],
    ),
    (
        "multipath-md32xx-orphan-path",
        1,
        &["map00: only 1 active path", "map00 path #:#:#:# orphan"],
        &[("map00_active_paths", 1.0), ("map00_failed_paths", 1.0)],
    ),
    (
        "multipath-proware-4-groups-no-trailing-newline",
        0,
        &["SAN OK - 1 multipath map"],
        &[("fc-p6-vicepb_active_paths", 4.0)],
    ),
    (
        "multipath-netapp-cmode-alua-ok",
        0,
        &["SAN OK - 3 multipath maps"],
        &[
            ("360a98000375432714a3f336733636843_active_paths", 4.0),
            ("3600a098038303039365d4671616a756e_active_paths", 2.0),
        ],
    ),
    (
        "multipath-3par-alua-ok",
        0,
        &["SAN OK - 1 multipath map"],
        &[("u00.2_active_paths", 4.0), ("u00.2_failed_paths", 0.0)],
    ),
    (
        "multipath-nvme-native-na-states",
        1,
        &["eui.354358304e6107500025384100000004: only 1 active path"],
        &[("eui.354358304e6107500025384100000004_active_paths", 1.0)],
    ),
    (
        "multipath-nvme-dm-2paths-ok",
        0,
        &["SAN OK"],
        &[("mpathq_active_paths", 2.0)],
    ),
    (
        "multipath-netapp-multipathd-not-running-msgs",
        1,
        &["SAN WARNING - multipathd is not running"],
        &[
            ("lun-name_active_paths", 8.0),
            ("lun-name_failed_paths", 0.0),
        ],
    ),
    (
        "multipath-lio-2maps-alua-ok",
        0,
        &["SAN OK - 2 multipath maps"],
        &[("mpatha_active_paths", 2.0), ("mpathb_active_paths", 2.0)],
    ),
];

const ISCSI: &[Case] = &[
    (
        "iscsiadm-P3-ubuntu-2.1.9-two-targets-4-sessions-logged-in",
        0,
        &["SAN OK - 2 iSCSI targets: every session logged in"],
        &[
            ("iqn.2025-03.ru.abegorov_gfs2_gfs-iscsi-01_sessions", 2.0),
            ("iqn.2025-03.ru.abegorov_gfs2_gfs-iscsi-02_sessions", 2.0),
        ],
    ),
    (
        "iscsiadm-P1-suse-ipv6-two-targets-free-reopen",
        2,
        &[
            "iqn.2013-10.de.suse:test_file1: no session logged in (session 1 FREE)",
            "test_file2: no session logged in",
        ],
        &[
            ("iqn.2013-10.de.suse_test_file1_sessions", 0.0),
            ("iqn.2013-10.de.suse_test_file2_sessions", 0.0),
        ],
    ),
    (
        "iscsiadm-P3-debian-2.0-873-tabs-one-target-4-portals-logged-in",
        0,
        &["SAN OK - 1 iSCSI target"],
        &[("iqn.2020-01.lenovo_test_sessions", 4.0)],
    ),
];

#[test]
fn every_multipath_capture_gives_its_state_words_and_perfdata() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let on_disk = std::fs::read_dir(dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with("multipath-")
        })
        .count();
    assert_eq!(on_disk, MULTIPATH.len(), "a fixture without a case");
    for (name, code, words, pairs) in MULTIPATH {
        let o = multipath(name, &[]);
        assert_eq!(o.code, *code, "{name}: {}", o.stdout);
        for w in *words {
            assert!(o.first.contains(w), "{name}: '{w}' not in {}", o.first);
        }
        perf(&o, pairs);
    }
}

#[test]
fn every_iscsiadm_capture_gives_its_state_words_and_perfdata() {
    for (name, code, words, pairs) in ISCSI {
        let o = iscsiadm(name, &[]);
        assert_eq!(o.code, *code, "{name}: {}", o.stdout);
        for w in *words {
            assert!(o.first.contains(w), "{name}: '{w}' not in {}", o.first);
        }
        perf(&o, pairs);
    }
}

#[test]
fn the_long_output_names_every_path_with_its_states() {
    multipath("multipath-md32xx-rdac-path-failed", &["-v"]).contains(&[
        "map00: path sdf (2:0:0:0) checker failed",
        "map00 group 2 (round-robin 0, prio 0, enabled): sdf (2:0:0:0) active failed running",
        "read 1 map from",
    ]);
    multipath("multipath-3par-alua-ok", &[]).contains(&[
        "u00.2 (360002ac000000000000000400000adfc) dm-6 3PARdata,VV 34G: 4 of 4 paths active",
    ]);
    iscsiadm("iscsiadm-P1-suse-ipv6-two-targets-free-reopen", &[])
        .contains(&["session 1 via [2620:113:80c0:890:e051:56:73c7:9171]:3260,1 is FREE (REOPEN)"]);
}

#[test]
fn path_thresholds_and_expected_maps() {
    // Four paths each: --min-paths 5 warns, --critical-paths 5 is critical.
    multipath("multipath-falcon-2luns-4paths-ok", &["--min-paths", "5"])
        .expect(1, &["mpatha: only 4 active paths"]);
    multipath(
        "multipath-falcon-2luns-4paths-ok",
        &["--min-paths", "5", "--critical-paths", "5"],
    )
    .expect(2, &["mpatha: only 4 active paths"]);
    // The single-path local RAID volume is accepted with --min-paths 1.
    multipath(
        "multipath-dgc-emc-and-local-lsi-single-path",
        &["--min-paths", "1"],
    )
    .expect(0, &["SAN OK"]);
    // --map by alias or WWID; --expect-maps.
    multipath(
        "multipath-falcon-2luns-4paths-ok",
        &[
            "--map",
            "mpatha",
            "--map",
            "36000d774000045f655ea91cb4ea41d6f",
        ],
    )
    .expect(0, &["SAN OK"]);
    multipath("multipath-falcon-2luns-4paths-ok", &["--map", "mpathc"])
        .expect(2, &["map mpathc missing"]);
    multipath("multipath-falcon-2luns-4paths-ok", &["--expect-maps", "3"])
        .expect(2, &["2 of 3 maps"]);
    multipath(
        "multipath-falcon-2luns-4paths-ok",
        &["--critical-paths", "3", "--min-paths", "2"],
    )
    .expect(3, &["--critical-paths 3 is above --min-paths 2"]);
}

#[test]
fn targets_and_session_counts() {
    let two = "iscsiadm-P3-ubuntu-2.1.9-two-targets-4-sessions-logged-in";
    iscsiadm(
        two,
        &[
            "--target",
            "iqn.2025-03.ru.abegorov:gfs2:gfs-iscsi-01",
            "--min-sessions",
            "2",
        ],
    )
    .expect(0, &["SAN OK"]);
    iscsiadm(two, &["--min-sessions", "3"]).expect(2, &["gfs-iscsi-01: 2 of 3 sessions"]);
    iscsiadm(
        two,
        &["--target", "iqn.2025-03.ru.abegorov:gfs2:gfs-iscsi-03"],
    )
    .expect(
        2,
        &["target iqn.2025-03.ru.abegorov:gfs2:gfs-iscsi-03 has no session"],
    );
}

#[test]
fn one_failed_session_is_a_warning_while_another_is_logged_in() {
    let text = std::fs::read_to_string(fixture(
        "iscsiadm-P3-ubuntu-2.1.9-two-targets-4-sessions-logged-in",
    ))
    .unwrap();
    // SID 2 (second session to gfs-iscsi-01) fails; SID 3 and 4 (gfs-iscsi-02) both fail.
    let mut out = String::new();
    let mut sid = String::new();
    for line in text.lines() {
        if let Some(v) = line.trim().strip_prefix("SID: ") {
            sid = v.to_string();
        }
        if line.contains("iSCSI Session State: LOGGED_IN") && sid == "2" {
            out.push_str(&line.replace("LOGGED_IN", "FAILED"));
        } else if line.contains("iSCSI Session State: LOGGED_IN") && (sid == "3" || sid == "4") {
            out.push_str(&line.replace("LOGGED_IN", "FREE"));
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    let o = Plugin::new(BIN)
        .args(["--input", "iscsiadm=-"])
        .stdin(&out)
        .run();
    o.expect(
        2,
        &[
            "gfs-iscsi-02: no session logged in (session 3 FREE, session 4 FREE)",
            "iqn.2025-03.ru.abegorov:gfs2:gfs-iscsi-01 session 2 FAILED",
            "session 2 via 10.132.0.11:3260,1 is FAILED (NO CHANGE); 1 of 2 logged in",
        ],
    );
    assert_eq!(
        o.perf("iqn.2025-03.ru.abegorov_gfs2_gfs-iscsi-01_sessions")
            .value,
        1.0
    );
    // Only the second session (SID 2) failed: WARNING.
    let mut seen = 0;
    let warn: String = text
        .lines()
        .map(|l| {
            let l = if l.contains("iSCSI Session State: LOGGED_IN") {
                seen += 1;
                if seen == 2 {
                    l.replace("LOGGED_IN", "FAILED")
                } else {
                    l.to_string()
                }
            } else {
                l.to_string()
            };
            format!("{l}\n")
        })
        .collect();
    Plugin::new(BIN)
        .args(["--input", "iscsiadm=-"])
        .stdin(&warn)
        .run()
        .expect(
            1,
            &["SAN WARNING - iqn.2025-03.ru.abegorov:gfs2:gfs-iscsi-01 session 2 FAILED"],
        );
}

#[test]
fn both_sources_at_once() {
    let o = Plugin::new(BIN)
        .arg("--input")
        .arg(format!(
            "multipath={}",
            fixture("multipath-lio-2maps-alua-ok").display()
        ))
        .arg("--input")
        .arg(format!(
            "iscsiadm={}",
            fixture("iscsiadm-P3-ubuntu-2.1.9-two-targets-4-sessions-logged-in").display()
        ))
        .run();
    o.expect(
        0,
        &["SAN OK - 2 multipath maps, 2 iSCSI targets: every path and session up"],
    );
    assert_eq!(o.perfdata.len(), 6);
}
