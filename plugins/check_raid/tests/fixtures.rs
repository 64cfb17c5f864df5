//! check_raid on every captured /proc/mdstat in tests/fixtures/ (tests/fixtures/SOURCES.md gives
//! each file's origin and expected state), run as a real process with --root.

use harness::{HostTree, Outcome, Plugin};

fn run_on_mdstat(text: &str, extra: &[&str]) -> Outcome {
    let host = HostTree::new().file("/proc/mdstat", text);
    Plugin::new(env!("CARGO_BIN_EXE_check_raid"))
        .root(&host)
        .args(extra)
        .run()
}

struct Case {
    file: &'static str,
    code: i32,
    /// Words the status line must contain (summary and perfdata).
    first_line: &'static [&'static str],
    /// Words the long output must contain.
    long: &'static [&'static str],
}

fn check(case: &Case) {
    let text = std::fs::read_to_string(format!(
        "{}/tests/fixtures/{}",
        env!("CARGO_MANIFEST_DIR"),
        case.file
    ))
    .unwrap();
    let Outcome {
        code, first, long, ..
    } = run_on_mdstat(&text, &[]);
    assert_eq!(code, case.code, "{}: {first}\n{long}", case.file);
    for w in case.first_line {
        assert!(
            first.contains(w),
            "{}: status line lacks {w:?}:\n{first}",
            case.file
        );
    }
    for w in case.long {
        assert!(
            long.contains(w),
            "{}: long output lacks {w:?}:\n{long}",
            case.file
        );
    }
}

#[test]
fn centos6_raid1_with_bitmaps_and_raid0_is_ok() {
    check(&Case {
        file: "mdstat-centos6-raid1-bitmap-raid0-clean",
        code: 0,
        first_line: &[
            "RAID OK - md4, md3, md0, md1, md2 ok",
            "'md4_active'=2;;;0;2",
            "'md1_degraded'=0;;;0;1",
            "'md2_sync'=100%;;;0;100",
        ],
        long: &[
            "md4: raid1, 2/2 active [UU], clean",
            "md1: raid0, 2 members, clean",
        ],
    });
}

#[test]
fn raid5_with_a_failed_member_is_critical() {
    check(&Case {
        file: "mdstat-raid5-failed-member",
        code: 2,
        first_line: &[
            "RAID CRITICAL - md0 raid5 degraded [U_U], sdc1 failed |",
            "'md0_active'=2;;;0;3",
            "'md0_total'=3;;;0;",
            "'md0_degraded'=1;;;0;1",
        ],
        long: &[
            "md0: raid5, 2/3 active [U_U], sdc1 (F) failed",
            "-> replace the failed disk, then: mdadm --manage /dev/md0 --remove /dev/sdc1",
        ],
    });
}

#[test]
fn linear_and_raid1_with_090_superblocks_are_ok() {
    check(&Case {
        file: "mdstat-linear-and-raid1-clean",
        code: 0,
        first_line: &["RAID OK - md1, md0 ok", "'md0_active'=2;;;0;2"],
        long: &["md0: linear, 2 members, clean"],
    });
}

#[test]
fn raid0_on_device_mapper_without_footer_is_ok() {
    check(&Case {
        file: "mdstat-raid0-on-dm-no-footer",
        code: 0,
        first_line: &[
            "RAID OK - md2 ok",
            "'md2_active'=2;;;0;2",
            "'md2_degraded'=0",
        ],
        long: &["md2: raid0, 2 members, clean"],
    });
}

#[test]
fn resync_on_clean_raid1_arrays_is_a_warning_with_progress() {
    check(&Case {
        file: "mdstat-raid1-resync-clean-arrays",
        code: 1,
        first_line: &["RAID WARNING - md2 raid1 resync 11.2%, finish 197.2min; md1 raid1 resync 9.9%, finish 211.5min; md0 ok", "'md2_sync'=11.2%;;;0;100", "'md1_sync'=9.9%;;;0;100", "'md2_degraded'=0"],
        long: &["resync 11.2% (82505280/732571904) finish=197.2min speed=54928K/sec"],
    });
}

#[test]
fn no_arrays_is_unknown() {
    check(&Case {
        file: "mdstat-no-arrays",
        code: 3,
        first_line: &["RAID UNKNOWN - no md arrays found (use --allow-none if this host has none)"],
        long: &[],
    });
}

#[test]
fn degraded_raid1_recovering_is_critical_with_progress() {
    check(&Case {
        file: "mdstat-raid1-degraded-recovering",
        code: 2,
        first_line: &[
            "RAID CRITICAL - md0 raid1 degraded [_U], recovery 0.4%, finish 276.9min; md1 ok",
            "'md0_active'=1;;;0;2",
            "'md0_degraded'=1",
            "'md0_sync'=0.4%",
        ],
        long: &[
            "md0: raid1, 1/2 active [_U], recovery 0.4%",
            "-> recovery running",
        ],
    });
}

#[test]
fn degraded_raid1_with_delayed_recovery_is_critical() {
    check(&Case {
        file: "mdstat-raid1-degraded-resync-delayed",
        code: 2,
        first_line: &[
            "md1 raid1 degraded [_U], recovery queued",
            "md0 raid1 degraded [_U], recovery 3.9%",
            "'md1_sync'=0%",
            "'md0_sync'=3.9%",
        ],
        long: &[
            "md1: raid1, 1/2 active [_U], resync=DELAYED",
            "queued behind another sync",
        ],
    });
}

#[test]
fn resync_delayed_behind_a_monthly_check_is_ok() {
    check(&Case {
        file: "mdstat-raid1-check-and-resync-delayed",
        code: 0,
        first_line: &[
            "RAID OK - md0 check 6.4%, finish 3.3min; md1 ok",
            "'md1_sync'=100%",
            "'md0_sync'=100%",
        ],
        long: &[
            "md1: raid1, 2/2 active [UU], resync=DELAYED (queued behind the check on md0)",
            "check 6.4% (1362112/20971392)",
        ],
    });
}

#[test]
fn inactive_imsm_container_is_ok() {
    check(&Case {
        file: "mdstat-imsm-container-inactive",
        code: 0,
        first_line: &["RAID OK - md127, md0 ok", "'md127_active'=2;;;0;2"],
        long: &["md0: inactive container (external:imsm) of sda sdb, normal for external metadata"],
    });
}

#[test]
fn raid6_degraded_recovery_starting_is_critical() {
    check(&Case {
        file: "mdstat-raid6-degraded-recovery-start",
        code: 2,
        first_line: &[
            "RAID CRITICAL - md0 raid6 degraded [U_UUUU], recovery 0.2%",
            "'md0_active'=5;;;0;6",
            "'md0_sync'=0.2%",
        ],
        long: &["md0: raid6, 5/6 active [U_UUUU], recovery 0.2%"],
    });
}

#[test]
fn raid6_degraded_without_footer_is_critical() {
    check(&Case {
        file: "mdstat-raid6-degraded-no-footer",
        code: 2,
        first_line: &[
            "RAID CRITICAL - md0 raid6 degraded [U_UUUU] |",
            "'md0_degraded'=1",
        ],
        long: &["-> add a disk to the empty slot: mdadm --manage /dev/md0 --add"],
    });
}

#[test]
fn raid6_reshape_while_degraded_is_critical() {
    check(&Case {
        file: "mdstat-raid6-reshape-degraded",
        code: 2,
        first_line: &[
            "RAID CRITICAL - md0 raid6 degraded [UUUU__], reshape 48.4%",
            "'md0_active'=4;;;0;6",
            "'md0_sync'=48.4%",
        ],
        long: &["sde1 (S) spare, sdf1 (S) spare, reshape 48.4%"],
    });
}

#[test]
fn five_way_raid1_with_all_members_and_a_failed_device_is_a_warning_not_degraded() {
    // issue 9: [5/5] [UUUUU] with sdh1(F): redundancy intact, the failed device (a former spare
    // or a replaced member) is to be removed and a new spare added.
    check(&Case {
        file: "mdstat-raid1-5way-failed-member-full-count",
        code: 1,
        first_line: &[
            "RAID WARNING - md1 ok [UUUUU], sdh1 failed, not in use; md0 ok |",
            "'md1_active'=5;;;0;5",
            "'md1_degraded'=0;;;0;1",
        ],
        long: &[
            "md1: raid1, 5/5 active [UUUUU], sdh1 (F) failed",
            "-> remove the failed device: mdadm --manage /dev/md1 --remove /dev/sdh1, then add a new spare: mdadm --manage /dev/md1 --add /dev/<new disk>",
        ],
    });
    let text = std::fs::read_to_string(format!(
        "{}/tests/fixtures/mdstat-raid1-5way-failed-member-full-count",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    run_on_mdstat(&text, &[]).lacks(&["empty slot", " degraded ["]);
}

#[test]
fn raid5_with_a_spare_is_ok() {
    check(&Case {
        file: "mdstat-raid5-with-spare",
        code: 0,
        first_line: &["RAID OK - md1 ok", "'md1_active'=5;;;0;5"],
        long: &["md1: raid5, 5/5 active [UUUUU], sdk (S) spare, clean"],
    });
}

#[test]
fn two_raid5_with_spares_are_ok() {
    check(&Case {
        file: "mdstat-two-raid5-with-spares",
        code: 0,
        first_line: &["RAID OK - md1, md2 ok"],
        long: &["md2: raid5, 5/5 active [UUUUU], sdi (S) spare, sdl (S) spare, clean"],
    });
}

#[test]
fn raid1_recovery_at_29_percent_is_critical() {
    check(&Case {
        file: "mdstat-raid1-recovery-29pct",
        code: 2,
        first_line: &["RAID CRITICAL - md126 raid1 degraded [_U], recovery 29.2%, finish 212.1min; md125, md127 ok", "'md126_sync'=29.2%"],
        long: &["md126: raid1, 1/2 active [_U], recovery 29.2%"],
    });
}

#[test]
fn many_arrays_in_mixed_states_are_critical_naming_each_problem() {
    check(&Case {
        file: "mdstat-many-arrays-mixed-states",
        code: 2,
        first_line: &[
            "RAID CRITICAL - md4 inactive, sda3 failed; md6 raid1 degraded [U_], sdb2 failed, recovery 8.5%",
            "md7 raid6 degraded [U_UU], sdc1 failed",
            "md9 ok [UUUU], sde, sdf failed, not in use",
            "md11 ok [UU], sdc3 failed, not in use, resync pending",
            "md42 raid5 degraded [UU_], reshape 56.1%",
            "md8 raid1 resync 8.5%",
            "md201 check 5.7%",
            "10 other arrays ok",
            "'md4_degraded'=1",
            "'md9_degraded'=0",
            "'md11_degraded'=0",
            "'md11_sync'=0%",
            "'md42_sync'=56.1%",
        ],
        long: &[
            "md4: inactive, raid1, 1 member, sda3 (F) failed, sdb3 (S) spare",
            "md11: raid1, auto-read-only, 2/2 active [UU]",
            "md101: raid0, read-only, 3 members, clean",
            "md219: inactive container (external:imsm)",
            "md120: linear, 2 members, clean",
            "md00: raid0, 1 member, clean",
        ],
    });
}

#[test]
fn imsm_volumes_in_an_inactive_container_are_ok() {
    check(&Case {
        file: "mdstat-imsm-raid1-raid0-container",
        code: 0,
        first_line: &["RAID OK - md125, md126, md127 ok", "'md126_active'=2;;;0;2"],
        long: &[
            "md125: raid1, auto-read-only, 2/2 active [UU], clean",
            "md127: inactive container (external:imsm)",
        ],
    });
}

#[test]
fn a_named_raid0_array_is_ok() {
    check(&Case {
        file: "mdstat-named-array-raid0",
        code: 0,
        first_line: &["RAID OK - md_test ok", "'md_test_active'=2;;;0;2"],
        long: &["md_test: raid0, 2 members, clean"],
    });
}

/// Every fixture in the folder has a test above (a new fixture must get one).
#[test]
fn every_fixture_has_a_test() {
    let source = include_str!("fixtures.rs");
    for entry in
        std::fs::read_dir(format!("{}/tests/fixtures", env!("CARGO_MANIFEST_DIR"))).unwrap()
    {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if name.starts_with("mdstat-") {
            assert!(
                source.contains(&format!("file: \"{name}\"")),
                "{name} has no test"
            );
        }
    }
}
