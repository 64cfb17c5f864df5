//! check_raid when things go wrong, and its options: every failure is UNKNOWN with a one-line
//! cause, never a hang, never a backtrace.

use harness::{HostTree, Outcome, Plugin};
use std::time::Duration;

fn run(args: &[&str]) -> Outcome {
    Plugin::new(env!("CARGO_BIN_EXE_check_raid"))
        .args(args)
        .run()
}

fn run_on_mdstat(text: &str, extra: &[&str]) -> Outcome {
    let host = HostTree::new().file("/proc/mdstat", text);
    Plugin::new(env!("CARGO_BIN_EXE_check_raid"))
        .root(&host)
        .args(extra)
        .run()
}

const CLEAN: &str = "Personalities : [raid1]\nmd0 : active raid1 sdb1[1] sda1[0]\n      1024 blocks super 1.2 [2/2] [UU]\n\nmd1 : active raid1 sdd1[1] sdc1[0]\n      2048 blocks super 1.2 [2/2] [UU]\n\nunused devices: <none>\n";

#[test]
fn missing_mdstat_is_unknown_naming_the_file() {
    let host = HostTree::new().dir("/proc");
    let o = Plugin::new(env!("CARGO_BIN_EXE_check_raid"))
        .root(&host)
        .run();
    assert_eq!(o.code, 3);
    assert_eq!(
        o.stdout,
        format!(
            "RAID UNKNOWN - cannot read {}/proc/mdstat: no such file\n",
            host.root().display()
        )
    );
    assert!(o.perfdata.is_empty() && o.stderr.is_empty());
}

#[test]
fn unreadable_mdstat_is_unknown() {
    let host = HostTree::new().dir("/proc/mdstat");
    let o = Plugin::new(env!("CARGO_BIN_EXE_check_raid"))
        .root(&host)
        .run();
    assert_eq!(o.code, 3);
    assert!(
        o.first.starts_with("RAID UNKNOWN - cannot read ")
            && o.first.ends_with("/proc/mdstat: is a directory"),
        "{}",
        o.first
    );
    o.expect_one_line();
}

#[test]
fn garbage_and_truncated_files_are_unknown_naming_the_line() {
    let table: &[(&str, &str)] = &[
        ("", "the file is empty"),
        ("<html><body>502 Bad Gateway</body></html>\n", "line 1 '<html><body>502 Bad Gateway</body></html>': expected 'Personalities :'"),
        ("Personalities : [raid1]\nmd0 : active raid1 sdb1[1] sda1[0]\n", "line 2 'md0 : active': md0 has no status line ('N blocks ...'): the file looks truncated"),
        ("Personalities : [raid1]\nmd0 : active raid1 sdb1[1] sda1[0]\n      1024 blocks super 1.2 [2/2", "line 3 '1024 blocks super 1.2 [2/2': the file ends inside this line (no newline after it): it is cut"),
        ("Personalities : [raid1]\nmd0 : active raid1 sdb1[1] sd", "line 2 'md0 : active raid1 sdb1[1] sd': the file ends inside this line"),
    ];
    for (text, want) in table {
        let o = run_on_mdstat(text, &[]);
        assert_eq!(o.code, 3, "{text:?}: {}", o.stdout);
        assert!(
            o.first.starts_with("RAID UNKNOWN - cannot parse "),
            "{}",
            o.first
        );
        assert!(o.first.contains(want), "{text:?}: {}", o.first);
        assert!(o.long.is_empty(), "one line: {}", o.stdout);
        assert!(o.stderr.is_empty());
    }
}

#[test]
fn a_fifo_nobody_writes_to_ends_unknown_within_the_timeout() {
    let host = HostTree::new().fifo("/proc/mdstat");
    let o = Plugin::new(env!("CARGO_BIN_EXE_check_raid"))
        .root(&host)
        .args(["-t", "1"])
        .run();
    let took = o.elapsed;
    assert_eq!(o.code, 3);
    assert_eq!(
        o.stdout,
        format!(
            "RAID UNKNOWN - timed out after 1 s while reading {}/proc/mdstat\n",
            host.root().display()
        )
    );
    assert!(took < Duration::from_millis(2500), "took {took:?}");
}

#[test]
fn an_unknown_option_is_unknown_exit_3() {
    let o = run(&["--frobnicate"]);
    assert_eq!(o.code, 3);
    assert_eq!(o.first, "RAID UNKNOWN - unknown option --frobnicate");
    assert!(o
        .long
        .contains("Usage: check_raid [--array NAME]... [--exclude NAME]..."));
}

#[test]
fn array_selects_and_a_missing_named_array_is_critical() {
    let o = run_on_mdstat(CLEAN, &["--array", "md1"]);
    assert_eq!(o.code, 0, "{}", o.stdout);
    assert!(o.first.starts_with("RAID OK - md1 ok |"), "{}", o.first);
    assert!(!o.first.contains("md0_"));
    let o = run_on_mdstat(CLEAN, &["--array", "/dev/md0", "--array", "md9"]);
    assert_eq!(o.code, 2);
    assert!(
        o.first.starts_with("RAID CRITICAL - md9 missing; md0 ok"),
        "{}",
        o.first
    );
}

#[test]
fn exclude_leaves_an_array_out() {
    let degraded = CLEAN.replace("[2/2] [UU]\n\nmd1", "[2/1] [U_]\n\nmd1");
    let o = run_on_mdstat(&degraded, &[]);
    assert_eq!(o.code, 2);
    let o = run_on_mdstat(&degraded, &["--exclude", "md0"]);
    assert_eq!(o.code, 0, "{}", o.stdout);
    assert!(o.first.starts_with("RAID OK - md1 ok"));
}

#[test]
fn expect_counts_arrays() {
    let o = run_on_mdstat(CLEAN, &["--expect", "2"]);
    assert_eq!(o.code, 0);
    let o = run_on_mdstat(CLEAN, &["--expect", "3"]);
    assert_eq!(o.code, 2);
    assert!(
        o.first
            .starts_with("RAID CRITICAL - 2 of 3 expected arrays"),
        "{}",
        o.first
    );
    let o = run_on_mdstat(CLEAN, &["--expect", "1"]);
    assert_eq!(o.code, 1);
}

#[test]
fn allow_none_makes_no_arrays_ok() {
    let none = "Personalities : \nunused devices: <none>\n";
    assert_eq!(run_on_mdstat(none, &[]).code, 3);
    let o = run_on_mdstat(none, &["--allow-none"]);
    assert_eq!(o.code, 0);
    assert_eq!(o.first, "RAID OK - no md arrays");
}

#[test]
fn pending_resync_and_delayed_resync_without_a_check_are_warnings() {
    let pending = "md11 : active (auto-read-only) raid1 sdb2[0] sdc2[1]\n      4190208 blocks super 1.2 [2/2] [UU]\n      resync=PENDING\n";
    let o = run_on_mdstat(pending, &[]);
    assert_eq!(o.code, 1);
    assert!(
        o.first
            .starts_with("RAID WARNING - md11 raid1 resync pending |"),
        "{}",
        o.first
    );
    assert!(o.first.contains("'md11_sync'=0%"));
    assert!(o.long.contains("mdadm --readwrite /dev/md11"));
    let delayed = "md1 : active raid1 sda2[0] sdb2[1]\n      467282752 blocks super 1.1 [2/2] [UU]\n        resync=DELAYED\n";
    let o = run_on_mdstat(delayed, &[]);
    assert_eq!(o.code, 1);
    assert!(
        o.first
            .starts_with("RAID WARNING - md1 raid1 resync delayed"),
        "{}",
        o.first
    );
}

#[test]
fn write_mostly_journal_and_replacement_members_are_reported() {
    let text = "md0 : active raid5 sda1[0](W) sdb1[1] sdc1[2] nvme0n1p1[3](J) sdd1[4](R)\n      2048 blocks super 1.2 level 5, 64k chunk, algorithm 2 [3/3] [UUU]\n      [==>..................]  recovery = 12.6% (37043392/292945152) finish=127.5min speed=33440K/sec\n";
    let o = run_on_mdstat(text, &[]);
    // recovering onto a replacement while all slots are up: redundancy intact, but busy
    assert_eq!(o.code, 1, "{}", o.stdout);
    assert!(
        o.first
            .starts_with("RAID WARNING - md0 raid5 recovery 12.6%"),
        "{}",
        o.first
    );
    assert!(
        o.long
            .contains("sda1 (W) write-mostly, nvme0n1p1 (J) journal, sdd1 (R) replacement"),
        "{}",
        o.long
    );
}

fn sample(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/samples/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

#[test]
fn raid0_with_a_failed_member_is_critical_saying_failed_once() {
    // issue 9: the message read "md2 raid0 member failed, sdb1 failed".
    let o = run_on_mdstat(&sample("mdstat-raid0-failed-member"), &[]);
    o.expect_first(2, "RAID CRITICAL - md2 raid0 member sdb1 failed |", &[])
        .expect_perf("'md2_active'=1;;;0;2 'md2_degraded'=1;;;0;1")
        .expect_long("-> raid0 has no redundancy: restore /dev/md2 from backup");
    assert_eq!(o.summary.matches("failed").count(), 1, "{}", o.first);
}

#[test]
fn allow_none_on_a_host_without_the_md_driver_is_ok() {
    // issue 9: no /proc/mdstat at all (the md driver never loaded) with --allow-none.
    let root = format!(
        "{}/tests/samples/host-no-md-driver",
        env!("CARGO_MANIFEST_DIR")
    );
    let o = run(&["--root", &root, "--allow-none"]);
    o.expect_first(0, "RAID OK - no md driver loaded", &[])
        .expect_long("no /proc/mdstat: no md driver loaded");
    assert!(o.perfdata.is_empty(), "{}", o.first);
    // Without --allow-none it stays UNKNOWN, naming the file.
    let o = run(&["--root", &root]);
    o.expect_first(
        3,
        "RAID UNKNOWN - cannot read ",
        &["/proc/mdstat: no such file"],
    );
    // A --root that is not a host tree at all (no /proc) is not "no md driver".
    let empty = HostTree::new();
    let o = Plugin::new(env!("CARGO_BIN_EXE_check_raid"))
        .root(&empty)
        .arg("--allow-none")
        .run();
    o.expect_first(
        3,
        "RAID UNKNOWN - cannot read ",
        &["/proc/mdstat: no such file"],
    );
}

#[test]
fn a_degraded_array_past_the_read_cap_is_not_hidden_behind_raid_ok() {
    // 1.5 MiB of healthy arrays, then the degraded one: the kit reads at most 1 MiB of a host
    // file, so the verdict must be UNKNOWN, never OK on the part that was read.
    let mut text = String::from("Personalities : [raid1]\n");
    let mut n = 0;
    while text.len() < 1536 * 1024 {
        text.push_str(&format!(
            "md{n} : active raid1 sdb1[1] sda1[0]\n      1024 blocks super 1.2 [2/2] [UU]\n\n"
        ));
        n += 1;
    }
    text.push_str("md99999 : active raid1 sdd1[1] sdc1[0](F)\n      1024 blocks super 1.2 [2/1] [U_]\n\nunused devices: <none>\n");
    let host = HostTree::new().file("/proc/mdstat", &text);
    let o = Plugin::new(env!("CARGO_BIN_EXE_check_raid"))
        .root(&host)
        .run();
    assert_eq!(o.code, 3, "{}", o.first);
    assert_eq!(
        o.first,
        format!(
            "RAID UNKNOWN - cannot read {}/proc/mdstat: larger than 1 MiB, not read whole",
            host.root().display()
        )
    );
}

#[test]
fn a_file_cut_inside_a_bitmap_line_is_unknown_naming_the_line() {
    // A saved or truncated mdstat that ends inside md0's bitmap line: what came after it (here
    // nothing, on a real host maybe a degraded md1) is missing, so OK would be a guess.
    let text = "Personalities : [raid1]\nmd0 : active raid1 sdb1[1] sda1[0]\n      1024 blocks super 1.2 [2/2] [UU]\n      bitmap: 0/1 pages [0KB], 65536KB chu";
    let o = run_on_mdstat(text, &[]);
    assert_eq!(o.code, 3, "{}", o.stdout);
    assert!(
        o.first.starts_with("RAID UNKNOWN - cannot parse ") && o.first.contains("line 4"),
        "{}",
        o.first
    );
}

#[test]
fn the_cut_sample_hides_a_degraded_array_and_is_unknown() {
    // issue 9's case: the whole file is CRITICAL (md1 degraded); cut inside md0's bitmap line
    // it was RAID OK. Now UNKNOWN, naming the line and saying it is cut.
    run_on_mdstat(&sample("mdstat-raid1-clean-then-degraded"), &[]).expect_first(
        2,
        "RAID CRITICAL - md1 raid1 degraded [U_], sdc1 failed; md0 ok",
        &[],
    );
    let o = run_on_mdstat(&sample("mdstat-cut-inside-bitmap-line"), &[]);
    o.expect_first(
        3,
        "RAID UNKNOWN - cannot parse ",
        &["line 4 'bitmap: 0/1 pages [0KB], 65536KB chu': the file ends inside this line (no newline after it): it is cut"],
    )
    .expect_one_line();
    assert!(o.perfdata.is_empty());
}

#[test]
fn a_copy_without_the_footer_is_judged_with_a_note() {
    // Real saved copies lack the kernel's "unused devices:" line (two shared fixtures): they are
    // judged, and the long output says where the file ends.
    let text = sample("mdstat-raid1-clean-then-degraded").replace("unused devices: <none>\n", "");
    run_on_mdstat(&text, &[])
        .expect_first(2, "RAID CRITICAL - md1 raid1 degraded [U_]", &[])
        .expect_long("note: no 'unused devices' line after line 8: the kernel always writes one, so this copy may be cut there");
    // A Personalities line and nothing else is cut, not "no arrays".
    run_on_mdstat("Personalities : [raid1]\n", &["--allow-none"]).expect_first(
        3,
        "RAID UNKNOWN - cannot parse ",
        &["line 1 'Personalities : [raid1]': no array and no 'unused devices' line after it: the file is cut"],
    );
}

/// The repository's healthy host tree: five clean arrays, md4 first.
fn healthy_host_mdstat() -> String {
    let path = format!(
        "{}/../../samples/hosts/raid-healthy/proc/mdstat",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(path).unwrap()
}

/// `head -n 3`: md4 whole, the other four arrays and the footer gone (the reviewer's case),
/// kept as a sample and checked to still be that cut of the host tree.
fn first_three_lines(text: &str) -> String {
    let cut: String = text.split_inclusive('\n').take(3).collect();
    assert_eq!(cut, sample("mdstat-cut-at-a-line-end-after-line-3"));
    cut
}

#[test]
fn an_array_both_selected_and_excluded_is_a_usage_error() {
    // Was `RAID OK - ` with an empty summary: nothing judged, reported as fine.
    let root = format!(
        "{}/../../samples/hosts/raid-healthy",
        env!("CARGO_MANIFEST_DIR")
    );
    for args in [
        ["--array", "md0", "--exclude", "md0"],
        ["--array", "/dev/md0", "--exclude", "md0"],
        ["--array", "md0", "--exclude", "/dev/md0"],
    ] {
        let o = Plugin::new(env!("CARGO_BIN_EXE_check_raid"))
            .args(["--root", &root])
            .args(args)
            .run();
        assert_eq!(o.code, 3, "{args:?}: {}", o.stdout);
        assert_eq!(
            o.first, "RAID UNKNOWN - md0 is given to both --array and --exclude; give it to one",
            "{args:?}"
        );
        assert!(o.perfdata.is_empty());
    }
}

#[test]
fn excluding_every_array_is_unknown_never_ok() {
    // Arrays exist, --exclude took them all: nothing judged. UNKNOWN, with or without
    // --allow-none (that option is about a host without arrays).
    for extra in [&[][..], &["--allow-none"][..]] {
        let mut args = vec!["--exclude", "md0", "--exclude", "/dev/md1"];
        args.extend_from_slice(extra);
        let o = run_on_mdstat(CLEAN, &args);
        o.expect_first(
            3,
            "RAID UNKNOWN - no array left to judge after --exclude",
            &[],
        )
        .expect_long("/proc/mdstat has md0, md1, all excluded by --exclude md0 --exclude md1");
        assert!(o.perfdata.is_empty());
    }
    // Excluding some still judges the rest.
    run_on_mdstat(CLEAN, &["--exclude", "md0"]).expect_first(0, "RAID OK - md1 ok", &[]);
    // A named array that is missing stays CRITICAL, as before.
    run_on_mdstat(CLEAN, &["--array", "md9", "--exclude", "md0"]).expect_first(
        2,
        "RAID CRITICAL - md9 missing",
        &[],
    );
}

#[test]
fn an_empty_array_name_is_a_usage_error() {
    // `--array ''` was "RAID CRITICAL -  missing".
    for (args, flag, name) in [
        (["--array", ""], "--array", ""),
        (["--array", "/dev/"], "--array", "/dev/"),
        (["--exclude", ""], "--exclude", ""),
        (["--array", "md 0"], "--array", "md 0"),
    ] {
        let o = run_on_mdstat(CLEAN, &args);
        assert_eq!(o.code, 3, "{args:?}: {}", o.stdout);
        assert_eq!(
            o.first,
            format!(
                "RAID UNKNOWN - {flag} '{name}' is not an md array name (e.g. md0 or /dev/md0)"
            )
        );
        assert!(o.perfdata.is_empty());
    }
}

#[test]
fn a_file_cut_at_a_line_end_is_unknown_on_the_live_host() {
    use check_raid::{judge, md, Options, Origin};
    use common::Status;
    let whole = healthy_host_mdstat();
    let cut = first_three_lines(&whole);
    assert!(!cut.contains("unused devices"));
    let options = Options::default();
    // On the live host the kernel always writes the footer: without it the read was cut.
    let report = judge(&md::parse(&cut).unwrap(), &options, Origin::LiveHost);
    assert_eq!(report.status(), Status::Unknown);
    assert_eq!(
        report.summary_text(),
        "no 'unused devices' line: /proc/mdstat is cut"
    );
    assert!(report.findings()[0].detail.contains("after line 3"));
    assert!(report.perfdata().is_empty());
    // The whole file, footer and all, is judged on the live host as anywhere.
    let report = judge(&md::parse(&whole).unwrap(), &options, Origin::LiveHost);
    assert_eq!(report.status(), Status::Ok);
    assert_eq!(report.summary_text(), "md4, md3, md0, md1, md2 ok");
    // The two real pasted captures without footer: UNKNOWN if the live kernel gave them.
    for name in [
        "mdstat-raid0-on-dm-no-footer",
        "mdstat-raid6-degraded-no-footer",
    ] {
        let text = std::fs::read_to_string(format!(
            "{}/tests/fixtures/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        let model = md::parse(&text).unwrap();
        assert_eq!(
            judge(&model, &options, Origin::LiveHost).status(),
            Status::Unknown,
            "{name}"
        );
    }
}

#[test]
fn a_file_cut_at_a_line_end_in_a_saved_tree_is_judged_with_the_note() {
    // The other side of the rule: a saved tree is a copy someone made, and pasted copies lack
    // the footer (the two real fixtures, OK and CRITICAL in SOURCES.md): judged, with the note.
    let cut = first_three_lines(&healthy_host_mdstat());
    run_on_mdstat(&cut, &[])
        .expect_first(0, "RAID OK - md4 ok", &[])
        .expect_long("note: no 'unused devices' line after line 3: the kernel always writes one, so this copy may be cut there and arrays after it unseen");
    let degraded = std::fs::read_to_string(format!(
        "{}/tests/fixtures/mdstat-raid6-degraded-no-footer",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    run_on_mdstat(&degraded, &[]).expect_first(2, "RAID CRITICAL - md0 raid6 degraded", &[]);
}
