//! Hardware RAID: every shared capture with the state its SOURCES.md gives, cuts, hostile input,
//! md and a controller in one report, fake tools found through CHECK_RAID_TOOL_PATH.

use check_raid::hw::{is_trailer, Parsed};
use check_raid::hw_eval::{evaluate_controller, HwRules};
use check_raid::{arcconf, megacli, ssacli, storcli};
use common::{Report, Status};
use harness::{HostTree, Plugin};

fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn run(args: &[String]) -> harness::Outcome {
    Plugin::new(env!("CARGO_BIN_EXE_check_raid"))
        .args(args)
        .run()
}

fn input(kind: &str, name: &str) -> harness::Outcome {
    run(&["--input".into(), format!("{kind}={}", fixture(name))])
}

/// (file, --input name, exit code, words in the first line, a perfdata label)
const TABLE: &[(&str, &str, i32, &[&str], &str)] = &[
    (
        "storcli-call-show-all-raid6-ssd-cachevault-optimal.json",
        "storcli",
        0,
        &["storcli c0 ok (1 logical, 4 disks)"],
        "storcli_0_vd0_0_state",
    ),
    (
        "storcli-call-show-all-m5015-raid6-bbu.json",
        "storcli",
        0,
        &["storcli c0 ok (1 logical, 6 disks)"],
        "storcli_0_bbu_temp",
    ),
    (
        "megacli-pdlist-12disks-2hotspares-ok",
        "megacli-pd",
        0,
        &["adapter 0 ok"],
        "megacli_0_disks_spare",
    ),
    (
        "megacli-pdlist-unconfigured-good-hotspare-ok",
        "megacli-pd",
        0,
        &["ok"],
        "megacli_0_disks_unconfigured",
    ),
    (
        "megacli-pdlist-predictive-423-media-71",
        "megacli-pd",
        1,
        &["disk 252:2 predictive failure count 423", "71 media errors"],
        "megacli_0_disks_online",
    ),
    (
        "megacli-pdlist-media-errors-3",
        "megacli-pd",
        1,
        &["disk 32:1 3 media errors"],
        "megacli_0_disks_online",
    ),
    (
        "megacli-pdlist-jbod-ok",
        "megacli-pd",
        0,
        &["ok"],
        "megacli_0_disks_unconfigured",
    ),
    (
        "megacli-pdlist-8disks-ok",
        "megacli-pd",
        0,
        &["ok (0 logical, 8 disks)"],
        "megacli_0_disk252_0_temp",
    ),
    (
        "megacli-ldinfo-raid1-raid5-optimal",
        "megacli-ld",
        0,
        &["ok (2 logical"],
        "megacli_0_vd1_state",
    ),
    (
        "megacli-ldinfo-writethrough-bad-bbu",
        "megacli-ld",
        1,
        &["VD 0 write-through, configured write-back"],
        "megacli_0_vd0_state",
    ),
    (
        "megacli-ldinfo-old-format-writethrough",
        "megacli-ld",
        1,
        &["write-through"],
        "megacli_0_vd0_state",
    ),
    (
        "megacli-ldinfo-3-raid1-optimal",
        "megacli-ld",
        0,
        &["ok (3 logical"],
        "megacli_0_vd2_state",
    ),
    (
        "megacli-ldinfo-7-vds-optimal",
        "megacli-ld",
        0,
        &["ok (7 logical"],
        "megacli_0_vd6_state",
    ),
    (
        "megacli-ldinfo-raid10-optimal",
        "megacli-ld",
        0,
        &["ok (1 logical"],
        "megacli_0_vd0_state",
    ),
    (
        "megacli-ldinfo-raid5-writethrough-cached",
        "megacli-ld",
        1,
        &["write-through"],
        "megacli_0_vd0_state",
    ),
    (
        "ssacli-config-detail-P212-P410i-two-ctrls-ok",
        "ssacli",
        0,
        &["ssacli slot 5 ok", "ssacli slot 0 ok"],
        "ssacli_slot_0_disks_online",
    ),
    (
        "ssacli-config-detail-P440ar-ssd-ok",
        "ssacli",
        0,
        &["ok"],
        "ssacli_slot_0_temp",
    ),
    (
        "ssacli-config-detail-P408i-a-gen10-ok",
        "ssacli",
        0,
        &["ssacli slot 0 ok"],
        "ssacli_slot_0_ld1_state",
    ),
    (
        "ssacli-config-detail-P822-raid1-plus-unassigned-ok",
        "ssacli",
        0,
        &["ssacli slot 2 ok"],
        "ssacli_slot_2_temp",
    ),
    (
        "ssacli-config-detail-P822-hba-mode",
        "ssacli",
        0,
        &["ssacli slot 3 ok (0 logical, 1 disks)"],
        "ssacli_slot_3_disks_unconfigured",
    ),
    (
        "hpacucli-show-config-p400i-raid1-ok",
        "ssacli",
        0,
        &["ssacli slot 0 ok"],
        "ssacli_slot_0_disks_online",
    ),
    (
        "hpacucli-ld-show-p410-array-b-failed",
        "ssacli",
        2,
        &["array B failed"],
        "ssacli_slot_1_arrayb_state",
    ),
    (
        "hpacucli-ld-show-msa1500-arrays-failed-lds-ok",
        "ssacli",
        2,
        &["array A failed", "array B failed"],
        "ssacli_my_storage_ld12_state",
    ),
    (
        "hpacucli-ld-show-p400i-firmware-banner-ok",
        "ssacli",
        0,
        &["ssacli slot 0 ok"],
        "ssacli_slot_0_ld1_state",
    ),
    (
        "arcconf-getconfig-al-raid1-optimal",
        "arcconf",
        0,
        &["arcconf controller 1 ok"],
        "arcconf_1_disks_online",
    ),
    (
        "arcconf-getconfig-al-battery-optimal",
        "arcconf",
        0,
        &["ok"],
        "arcconf_1_battery_charge",
    ),
    (
        "arcconf-getconfig-al-zmm-optimal",
        "arcconf",
        0,
        &["ok"],
        "arcconf_1_temp",
    ),
    (
        "arcconf-getconfig-al-3-lds-optimal",
        "arcconf",
        0,
        &["ok (3 logical, 11 disks)"],
        "arcconf_1_logical_device2_state",
    ),
    (
        "arcconf-getconfig-al-raid5-optimal",
        "arcconf",
        0,
        &["ok"],
        "arcconf_1_logical_device0_state",
    ),
    (
        "arcconf-getconfig-al-degraded-rebuilding",
        "arcconf",
        2,
        &["logical device 0 'data' degraded"],
        "arcconf_1_disks_rebuilding",
    ),
    (
        "arcconf-getconfig-al-dedicated-hotspares",
        "arcconf",
        0,
        &["ok"],
        "arcconf_1_disks_spare",
    ),
    (
        "arcconf-getconfig-al-4-lds-hotspare-ready-drives",
        "arcconf",
        0,
        &["ok (4 logical"],
        "arcconf_1_disks_unconfigured",
    ),
    (
        "arcconf-getconfig-al-defunct-count-1-ld-optimal",
        "arcconf",
        2,
        &["1 defunct disk"],
        "arcconf_1_disks_online",
    ),
    (
        "arcconf-getconfig-al-raid1-degraded-failed-drive",
        "arcconf",
        2,
        &["degraded", "failed"],
        "arcconf_1_disks_failed",
    ),
    (
        "arcconf-getconfig-al-v2-controller-ok",
        "arcconf",
        0,
        &["ok"],
        "arcconf_1_temp",
    ),
    (
        "arcconf-getconfig-al-ld-impacted-build-verify",
        "arcconf",
        1,
        &["Build/Verify with fix : 90 %"],
        "arcconf_1_logical_device0_progress",
    ),
    (
        "megacli-bbu-replacement-required",
        "megacli-bbu",
        1,
        &["BBU failed (Battery Replacement required: Yes)"],
        "megacli_0_bbu_charge",
    ),
    (
        "megacli-bbu-learn-cycle-non-operational",
        "megacli-bbu",
        1,
        &["BBU learn cycle"],
        "megacli_0_bbu_temp",
    ),
    (
        "megacli-bbu-not-present-exit-0x22",
        "megacli-bbu",
        0,
        &["adapter 0 ok"],
        "",
    ),
    (
        "megacli-bbu-empty-state-word-ok",
        "megacli-bbu",
        0,
        &["adapter 0 ok"],
        "megacli_0_bbu_charge",
    ),
    (
        "megacli-pdlist-unconfigured-bad",
        "megacli-pd",
        2,
        &["disk 15:10 failed (Unconfigured(bad))"],
        "megacli_0_disks_failed",
    ),
    (
        "hpacucli-ld-show-interim-recovery-mode",
        "ssacli",
        2,
        &["LD 1 degraded (Interim Recovery Mode)"],
        "ssacli_slot_0_ld1_state",
    ),
    (
        "hpacucli-ctrl-status-cache-disabled-recharging",
        "ssacli",
        1,
        &["cache module Temporarily Disabled", "charging"],
        "",
    ),
    (
        "arcconf-getconfig-okay-ld-offline-defunct",
        "arcconf",
        2,
        &["'ARRAY01' failed (Offline)", "failed (Defunct)"],
        "arcconf_1_disks_failed",
    ),
    (
        "arcconf-getconfig-battery-failed",
        "arcconf",
        1,
        &["battery failed"],
        "arcconf_1_disks_online",
    ),
    (
        "arcconf-getstatus-not-getconfig",
        "arcconf",
        3,
        &["no 'Controller information' section"],
        "",
    ),
    (
        "storcli-call-eall-sall-show-all-4-ssd-ok.json",
        "storcli",
        0,
        &["storcli c0 ok (0 logical, 4 disks)"],
        "storcli_0_disk252_5_temp",
    ),
];

#[test]
fn every_capture_gives_the_state_its_sources_say() {
    for (file, kind, code, words, label) in TABLE {
        let o = input(kind, file);
        assert_eq!(o.code, *code, "{file}: {}", o.stdout);
        for w in *words {
            assert!(o.first.contains(w), "{file}: no '{w}' in {}", o.first);
        }
        assert!(
            label.is_empty() || o.find_perf(label).is_some(),
            "{file}: no perfdata {label}: {}",
            o.first
        );
    }
    let n = std::fs::read_dir(format!("{}/tests/fixtures", env!("CARGO_MANIFEST_DIR")))
        .unwrap()
        .filter(|e| {
            !e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with("mdstat")
        })
        .count();
    // Every non-md capture (SOURCES.md aside) is in the table.
    assert_eq!(n - 1, TABLE.len());
}

/// The state a text gets from the library, or the parse error.
fn verdict(kind: &str, text: &str) -> Result<(Status, bool), String> {
    let parsed: Parsed = match kind {
        "storcli" => storcli::parse(text).map(|controllers| Parsed {
            controllers,
            complete: true,
        }),
        "megacli-ld" => megacli::parse_ld(text),
        "megacli-pd" => megacli::parse_pd(text),
        "megacli-bbu" => megacli::parse_bbu(text),
        "ssacli" => ssacli::parse(text),
        _ => arcconf::parse(text, "1"),
    }
    .map_err(|e| e.to_string())?;
    let mut report = Report::new();
    for c in &parsed.controllers {
        evaluate_controller(c, &HwRules::default(), &mut report);
    }
    Ok((report.status(), parsed.complete))
}

#[test]
fn every_cut_of_every_capture_is_the_whole_verdict_or_refused() {
    let mut refused = 0;
    for (file, kind, code, _, _) in TABLE {
        if *code == 3 {
            continue;
        }
        let text = std::fs::read_to_string(fixture(file)).unwrap();
        let (whole, _) = verdict(kind, &text).unwrap();
        let step = (text.len() / 600).max(1);
        for cut in (1..text.len()).step_by(step) {
            if !text.is_char_boundary(cut) {
                continue;
            }
            let part = &text[..cut];
            match verdict(kind, part) {
                Err(_) => refused += 1,
                Ok((state, complete)) => {
                    assert!(
                        part.ends_with('\n')
                            || is_trailer(part.lines().last().unwrap_or(""), "Exit Code: 0x")
                            || part.ends_with("Command completed successfully."),
                        "{file} cut at {cut} inside a line was judged {state:?}"
                    );
                    // A cut at a line end: MegaCli and arcconf end with a closing line, so the
                    // part is marked incomplete (and noted); ssacli has none (README says so).
                    if state != whole && *kind != "ssacli" {
                        assert!(
                            !complete,
                            "{file} cut at {cut}: {state:?} vs {whole:?}, judged complete"
                        );
                    }
                    assert!(*kind != "storcli", "{file}: cut JSON at {cut} was judged");
                }
            }
        }
    }
    assert!(refused > 8_000, "only {refused} cuts refused");
}

#[test]
fn hostile_inputs_are_unknown_naming_the_source() {
    let dir = std::env::temp_dir().join(format!("check-raid-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "garbage",
            b"hello world\nthis is not a controller\n".to_vec(),
        ),
        ("empty", Vec::new()),
        ("binary", vec![0u8, 159, 146, 150, 10]),
        ("deep", format!("{}\n", "[".repeat(100_000)).into_bytes()),
        ("huge", vec![b'x'; 9 * 1024 * 1024]),
    ];
    for (case, bytes) in &cases {
        let file = dir.join(case);
        std::fs::write(&file, bytes).unwrap();
        for kind in [
            "storcli",
            "megacli-ld",
            "megacli-pd",
            "megacli-bbu",
            "ssacli",
            "arcconf",
        ] {
            let o = run(&["--input".into(), format!("{kind}={}", file.display())]);
            assert_eq!(o.code, 3, "{kind} {case}: {}", o.stdout);
            // Refused at once (the cap stops a huge file before it is parsed), far within -t.
            assert!(o.elapsed.as_secs() < 5, "{kind} {case}: {:?}", o.elapsed);
            assert!(
                o.first.contains(&file.display().to_string()),
                "{kind} {case}: {}",
                o.first
            );
        }
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_storcli_partial_failure_is_critical_not_unknown() {
    let dir = std::env::temp_dir().join(format!("check-raid-partial-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("storcli.json");
    std::fs::write(&file, r#"{"Controllers":[{"Command Status":{"Controller":0,"Status":"Failure","Description":"Show all failed"},
        "Response Data":{"Status":{"Controller Status":"Optimal"},"VD LIST":[{"DG/VD":"0/0","TYPE":"RAID1","State":"Dgrd"}],
        "PD LIST":[{"EID:Slt":"252:0","State":"Onln"},{"EID:Slt":"252:1","State":"Offln"}]}}]}"#).unwrap();
    let o = run(&["--input".into(), format!("storcli={}", file.display())]);
    o.expect(2, &["VD 0/0 degraded", "disk 252:1 failed"]);
    assert!(
        o.stdout
            .contains("storcli reported a failure: Show all failed"),
        "{}",
        o.stdout
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn md_and_a_controller_are_both_reported() {
    let md = "Personalities : [raid1]\nmd0 : active raid1 sdb1[1] sda1[0]\n      1024 blocks super 1.2 [2/2] [UU]\n\nunused devices: <none>\n";
    let dir = std::env::temp_dir().join(format!("check-raid-both-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("mdstat"), md).unwrap();
    let o = run(&[
        "--input".into(),
        format!("mdstat={}", dir.join("mdstat").display()),
        "--input".into(),
        format!(
            "arcconf={}",
            fixture("arcconf-getconfig-al-degraded-rebuilding")
        ),
    ]);
    o.expect(2, &["logical device 0 'data' degraded", "md0 ok"]);
    assert!(
        o.find_perf("md0_active").is_some()
            && o.find_perf("arcconf_1_logical_device0_state").is_some()
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// A fake storcli64 printing the two captures of one host (`/call show all J` and the drive
/// details, the latter with media errors put on one disk), found through CHECK_RAID_TOOL_PATH,
/// next to md in a saved host tree.
#[test]
fn a_fake_tool_is_found_run_and_cached() {
    let show = std::fs::read_to_string(fixture(
        "storcli-call-show-all-raid6-ssd-cachevault-optimal.json",
    ))
    .unwrap();
    let drives =
        std::fs::read_to_string(fixture("storcli-call-eall-sall-show-all-4-ssd-ok.json")).unwrap();
    let at = drives.find("\"Media Error Count\" : 0").unwrap();
    let drives = format!(
        "{}\"Media Error Count\" : 5{}",
        &drives[..at],
        &drives[at + "\"Media Error Count\" : 0".len()..]
    );
    let md = "Personalities : [raid1]\nmd0 : active raid1 sdb1[1] sda1[0]\n      1024 blocks super 1.2 [2/2] [UU]\n\nunused devices: <none>\n";
    let host = HostTree::new()
        .file("/proc/mdstat", md)
        .file("/tools/show.json", &show)
        .file("/tools/drives.json", &drives);
    host.executable(
        "/tools/storcli64",
        "#!/bin/sh\nd=$(dirname \"$0\")\necho run >> \"$d/runs\"\ncase \"$*\" in\n  '/call show all J') cat \"$d/show.json\" ;;\n  '/call/eall/sall show all J') cat \"$d/drives.json\" ;;\n  *) exit 9 ;;\nesac\n",
    );
    let tools = host.root().join("tools");
    let state = host.root().join("state");
    std::fs::create_dir_all(&state).unwrap();
    let plugin = |extra: &[&str]| {
        Plugin::new(env!("CARGO_BIN_EXE_check_raid"))
            .root(&host)
            .env("CHECK_RAID_TOOL_PATH", tools.display().to_string())
            .args(extra)
            .run()
    };
    let o = plugin(&["--max-age", "300", "--state-dir", state.to_str().unwrap()]);
    o.expect(1, &["storcli c0: disk 252:0 5 media errors", "md0 ok"]);
    assert!(
        o.stdout.contains("storcli: ") && o.stdout.contains("storcli64 used"),
        "{}",
        o.stdout
    );
    assert!(
        o.stdout
            .contains("ssacli: not found (looked for ssacli, hpssacli, hpacucli in"),
        "{}",
        o.stdout
    );
    let again = plugin(&["--max-age", "300", "--state-dir", state.to_str().unwrap()]);
    again.expect(1, &["disk 252:0 5 media errors"]);
    assert!(
        again.stdout.contains("cached output from "),
        "{}",
        again.stdout
    );
    let runs = std::fs::read_to_string(tools.join("runs")).unwrap();
    assert_eq!(
        runs.lines().count(),
        2,
        "the second run used the cache for both calls"
    );
    // --print-sudoers names the exact line for the tool found.
    let s = std::process::Command::new(env!("CARGO_BIN_EXE_check_raid"))
        .args(["--print-sudoers", "nagios"])
        .env("CHECK_RAID_TOOL_PATH", &tools)
        .output()
        .unwrap();
    let s = String::from_utf8_lossy(&s.stdout);
    assert!(
        s.contains(&format!(
            "nagios ALL=(root) NOPASSWD: {}/storcli64 /call show all J",
            tools.display()
        )),
        "{s}"
    );
}

#[test]
fn a_tool_refused_for_lack_of_privilege_names_the_sudoers_line() {
    let host = HostTree::new().dir("/proc");
    host.executable(
        "/tools/ssacli",
        "#!/bin/sh\necho 'Error: You need to have administrator rights to continue.' >&2\nexit 1\n",
    );
    let tools = host.root().join("tools");
    let o = Plugin::new(env!("CARGO_BIN_EXE_check_raid"))
        .root(&host)
        .env("CHECK_RAID_TOOL_PATH", tools.display().to_string())
        .args(["--controller", "ssacli"])
        .run();
    o.expect(
        3,
        &[
            "administrator rights",
            "give --sudo and allow it in sudoers:",
            "NOPASSWD: ",
        ],
    );
    assert!(
        o.first.contains(&format!(
            "{}/ssacli ctrl all show config detail",
            tools.display()
        )),
        "{}",
        o.first
    );
}

#[test]
fn a_failing_ssacli_is_unknown_naming_the_command() {
    let host = HostTree::new().dir("/proc");
    host.executable(
        "/tools/ssacli",
        "#!/bin/sh\necho 'Error: controller firmware busy' >&2\nexit 1\n",
    );
    let tools = host.root().join("tools");
    let o = Plugin::new(env!("CARGO_BIN_EXE_check_raid"))
        .root(&host)
        .env("CHECK_RAID_TOOL_PATH", tools.display().to_string())
        .args(["--controller", "ssacli"])
        .run();
    o.expect(3, &["controller firmware busy", "exit 1"]);
    assert!(
        o.first.contains(&format!(
            "{}/ssacli ctrl all show config detail",
            tools.display()
        )),
        "{}",
        o.first
    );
}

#[test]
fn a_forced_tool_that_is_missing_is_unknown_saying_where_it_was_looked_for() {
    let host = HostTree::new().dir("/proc").dir("/empty");
    let o = Plugin::new(env!("CARGO_BIN_EXE_check_raid"))
        .root(&host)
        .env(
            "CHECK_RAID_TOOL_PATH",
            host.root().join("empty").display().to_string(),
        )
        .args(["--controller", "arcconf"])
        .run();
    o.expect(3, &["arcconf not found"]);
    assert!(o.stdout.contains("looked for arcconf in"), "{}", o.stdout);
}

#[test]
fn need_spare_and_disk_errors_change_the_verdict() {
    let f = format!("megacli-pd={}", fixture("megacli-pdlist-8disks-ok"));
    run(&["--input".into(), f.clone(), "--need-spare".into()]).expect(1, &["no hot spare"]);
    let g = format!("megacli-pd={}", fixture("megacli-pdlist-media-errors-3"));
    run(&["--input".into(), g, "--disk-errors".into(), "5".into()]).expect(0, &["ok"]);
}

/// A fake arcconf with two controllers: both asked, both judged; live output without
/// arcconf's closing line is a cut (UNKNOWN), never judged as if whole.
#[test]
fn arcconf_is_asked_for_every_controller_and_a_live_cut_is_unknown() {
    let one = std::fs::read_to_string(fixture("arcconf-getconfig-al-raid1-optimal")).unwrap();
    let two = std::fs::read_to_string(fixture("arcconf-getconfig-al-raid1-degraded-failed-drive"))
        .unwrap();
    let one = one.replace("Controllers found: 1", "Controllers found: 2");
    let host = HostTree::new()
        .dir("/proc")
        .file("/tools/1", &one)
        .file("/tools/2", &two)
        .file(
            "/tools/cut",
            one.trim_end()
                .trim_end_matches("Command completed successfully.")
                .trim_end(),
        );
    host.executable(
        "/tools/arcconf",
        "#!/bin/sh\nd=$(dirname \"$0\")\n[ \"$1 $3\" = \"GETCONFIG AL\" ] || exit 9\nif [ -e \"$d/cutmode\" ]; then cat \"$d/cut\"; echo; exit 0; fi\ncat \"$d/$2\"\n",
    );
    let tools = host.root().join("tools");
    let plugin = || {
        Plugin::new(env!("CARGO_BIN_EXE_check_raid"))
            .root(&host)
            .env("CHECK_RAID_TOOL_PATH", tools.display().to_string())
            .run()
    };
    let o = plugin();
    o.expect(
        2,
        &[
            "arcconf controller 2: 1 defunct disk",
            "arcconf controller 1 ok",
        ],
    );
    std::fs::write(tools.join("cutmode"), "").unwrap();
    let o = plugin();
    o.expect(
        3,
        &["GETCONFIG 1 AL: output without the tool's closing line: cut, not judged"],
    );
}

#[test]
fn a_controller_filter_that_leaves_nothing_is_unknown_not_ok() {
    let f = format!("megacli-pd={}", fixture("megacli-pdlist-8disks-ok"));
    run(&["--input".into(), f, "--controller".into(), "storcli".into()])
        .expect(3, &["nothing to check"]);
}
