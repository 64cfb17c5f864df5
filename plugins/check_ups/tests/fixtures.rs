//! Every saved upsc and apcaccess output in tests/fixtures, with the state its SOURCES.md
//! expects, the words that say why, and one perfdata item.

use harness::{Outcome, Plugin};

fn check_ups(args: &[&str]) -> Outcome {
    Plugin::new(env!("CARGO_BIN_EXE_check_ups"))
        .args(args)
        .run()
}

fn fixture(kind: &str, name: &str) -> String {
    format!(
        "{}/tests/fixtures/{kind}/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

macro_rules! fixture_test {
    ($name:ident, $kind:literal, $file:literal, $code:expr, [$($word:literal),* $(,)?]) => {
        #[test]
        fn $name() {
            let arg = format!("{}={}", $kind, fixture($kind, $file));
            let run = check_ups(&["--input", &arg]);
            run.expect($code, &[$($word),*]);
            assert!(!run.perfdata.is_empty(), "perfdata on the first line:\n{}", run.stdout);
        }
    };
}

const OK: i32 = 0;
const WARNING: i32 = 1;
const CRITICAL: i32 = 2;

// upsc: NUT ups.status flags
fixture_test!(
    upsc_smartups_snmp_on_battery_is_warning,
    "upsc",
    "upsc-apc-smartups1000-snmp-OB",
    WARNING,
    [
        "UPS WARNING - upsc-apc-smartups1000-snmp-OB on battery (charge 93%",
        "ups.status 'OB'",
        "'upsc-apc-smartups1000-snmp-OB_charge'=93%;;;0;100",
        "'upsc-apc-smartups1000-snmp-OB_temperature'=33.3;;;;"
    ]
);
fixture_test!(
    upsc_on_battery_discharging_with_overflowed_runtime_is_warning,
    "upsc",
    "upsc-apc-smartups2200-usbhid-OB-DISCHRG",
    WARNING,
    [
        "UPS WARNING",
        "on battery",
        "'upsc-apc-smartups2200-usbhid-OB-DISCHRG_runtime'=65535s;;;0;",
        "-> mains power is out"
    ]
);
fixture_test!(
    upsc_cyberpower_on_battery_is_warning,
    "upsc",
    "upsc-cyberpower-cp900avr-OB-DISCHRG",
    WARNING,
    [
        "UPS WARNING",
        "on battery (charge 93%, runtime 42 min 52 s)",
        "'upsc-cyberpower-cp900avr-OB-DISCHRG_load'=13%;;;0;"
    ]
);
fixture_test!(
    upsc_low_battery_on_line_power_is_warning_not_critical,
    "upsc",
    "upsc-apc-backups-es750-OL-CHRG-LB",
    WARNING,
    [
        "UPS WARNING",
        "low battery (charge 35%, runtime 0 s)",
        "on line, charging",
        "'upsc-apc-backups-es750-OL-CHRG-LB_runtime'=0s;;;0;"
    ]
);
fixture_test!(
    upsc_replace_battery_overload_and_low_battery_on_line_is_warning,
    "upsc",
    "upsc-apc-backups-xs1200-OL-LB-OVER-RB-BOOST",
    WARNING,
    [
        "UPS WARNING",
        "low battery, replace battery, overloaded",
        "boosting low input voltage",
        "-> the UPS failed its battery test: replace the battery",
        "'upsc-apc-backups-xs1200-OL-LB-OVER-RB-BOOST_charge'=1%;;;0;100"
    ]
);
fixture_test!(
    upsc_alarm_replace_battery_is_warning_and_shows_the_alarm,
    "upsc",
    "upsc-eaton-5px2000-ALARM-OL-CHRG-RB",
    WARNING,
    [
        "UPS WARNING",
        "replace battery, alarm: Replace battery!",
        "'upsc-eaton-5px2000-ALARM-OL-CHRG-RB_output_voltage'=235;;;;"
    ]
);
fixture_test!(
    upsc_alarm_on_line_is_warning,
    "upsc",
    "upsc-eaton-93ps-snmp-ALARM-OL",
    WARNING,
    [
        "UPS WARNING",
        "alarm: Bypass not available! Internal failure!",
        "'upsc-eaton-93ps-snmp-ALARM-OL_runtime'=42114s;;;0;"
    ]
);
fixture_test!(
    upsc_output_off_is_critical,
    "upsc",
    "upsc-eaton-powerware9130-bcmxcp-OFF",
    CRITICAL,
    [
        "UPS CRITICAL",
        "output off",
        "model PW9130 1500VA-T 1500VA",
        "-> the UPS output is off",
        "'upsc-eaton-powerware9130-bcmxcp-OFF_output_voltage'=0;;;;"
    ]
);
fixture_test!(
    upsc_on_bypass_without_charge_is_warning,
    "upsc",
    "upsc-eaton-9sx5000i-OL-CHRG-BYPASS",
    WARNING,
    [
        "UPS WARNING",
        "on bypass",
        "'upsc-eaton-9sx5000i-OL-CHRG-BYPASS_input_voltage'=223.2;;;;"
    ]
);
fixture_test!(upsc_on_line_charging_is_ok, "upsc", "upsc-apc-backups-rs1000ms-OL-CHRG", OK,
    ["UPS OK - upsc-apc-backups-rs1000ms-OL-CHRG on line, charging (charge 96%, runtime 34 min 36 s)",
     "'upsc-apc-backups-rs1000ms-OL-CHRG_runtime'=2076s;;;0;"]);
fixture_test!(
    upsc_smartups_x_on_line_charging_is_ok,
    "upsc",
    "upsc-apc-smartups-x1500-OL-CHRG",
    OK,
    [
        "UPS OK",
        "on line, charging (charge 89%",
        "'upsc-apc-smartups-x1500-OL-CHRG_charge'=89%;;;0;100"
    ]
);
fixture_test!(
    upsc_on_line_trimming_is_ok,
    "upsc",
    "upsc-hp-rt2200g2-OL-TRIM",
    OK,
    [
        "UPS OK",
        "on line, trimming high input voltage",
        "'upsc-hp-rt2200g2-OL-TRIM_input_voltage'=248.1;;;;"
    ]
);
fixture_test!(
    upsc_plain_on_line_is_ok,
    "upsc",
    "upsc-cyberpower-br1000elcd-OL",
    OK,
    [
        "UPS OK - upsc-cyberpower-br1000elcd-OL on line (charge 100%, runtime 120 min)",
        "'upsc-cyberpower-br1000elcd-OL_load'=0%;;;0;"
    ]
);
fixture_test!(
    upsc_on_line_calibrating_is_ok,
    "upsc",
    "upsc-eaton-5e2200-nutdrv-qx-OL-CAL",
    OK,
    [
        "UPS OK",
        "on line, calibrating",
        "'upsc-eaton-5e2200-nutdrv-qx-OL-CAL_load'=29%;;;0;"
    ]
);

// apcaccess: apcupsd STATUS
fixture_test!(
    apcaccess_on_battery_is_warning,
    "apcaccess",
    "apcaccess-backups-bk650m2-openwrt-onbatt",
    WARNING,
    [
        "UPS WARNING - ups1 on battery (charge 100%, runtime 46 min 48 s)",
        "STATUS 'ONBATT'",
        "'ups1_input_voltage'=0;;;;"
    ]
);
fixture_test!(
    apcaccess_online_is_ok,
    "apcaccess",
    "apcaccess-backups-bk650m2-openwrt-online",
    OK,
    [
        "UPS OK - ups1 on line",
        "'ups1_charge'=100%;;;0;100",
        "'ups1_runtime'=2808s;;;0;"
    ]
);
fixture_test!(
    apcaccess_padded_load_value_is_read,
    "apcaccess",
    "apcaccess-backups-rs1500-usb-manual-online",
    OK,
    [
        "UPS OK - dev on line",
        "'dev_load'=24%;;;0;",
        "model Back-UPS RS 1500"
    ]
);
fixture_test!(
    apcaccess_old_3_7_release_field_is_read,
    "apcaccess",
    "apcaccess-smartups1000-v3.7.3-online",
    OK,
    [
        "UPS OK - UPS_IDEN on line (charge 100%, runtime 130 min)",
        "'UPS_IDEN_temperature'=32.8;;;;",
        "'UPS_IDEN_output_voltage'=236.6;;;;"
    ]
);
fixture_test!(
    apcaccess_replace_battery_is_warning,
    "apcaccess",
    "apcaccess-smartups3000-online-replacebatt-trimmed",
    WARNING,
    [
        "UPS WARNING",
        "replace battery",
        "STATUS 'ONLINE REPLACEBATT'",
        "'apcaccess-smartups3000-online-replacebatt-trimmed_load'=26.6%;;;0;"
    ]
);

#[test]
fn two_saved_upses_in_one_check_report_the_worst() {
    let a = format!("upsc={}", fixture("upsc", "upsc-cyberpower-br1000elcd-OL"));
    let b = format!(
        "apcaccess={}",
        fixture("apcaccess", "apcaccess-backups-bk650m2-openwrt-onbatt")
    );
    let run = check_ups(&["--input", &a, "--input", &b]);
    run.expect(
        WARNING,
        &[
            "UPS WARNING - ups1 on battery",
            "; upsc-cyberpower-br1000elcd-OL on line",
            "'ups1_charge'=100%",
        ],
    );
}

#[test]
fn thresholds_on_saved_output_use_the_range_syntax() {
    let a = format!(
        "upsc={}",
        fixture("upsc", "upsc-cyberpower-cp900avr-OB-DISCHRG")
    );
    let run = check_ups(&[
        "--input",
        &a,
        "--runtime-warning",
        "3600:",
        "--runtime-critical",
        "2700:",
        "--load-warning",
        "10",
    ]);
    run.expect(
        CRITICAL,
        &[
            "runtime 2572 s (critical 2700:)",
            "load 13% (warning 10)",
            "'upsc-cyberpower-cp900avr-OB-DISCHRG_runtime'=2572s;3600:;2700:;0;",
            "'upsc-cyberpower-cp900avr-OB-DISCHRG_load'=13%;10;;0;",
        ],
    );
}

#[test]
fn a_threshold_on_a_metric_the_ups_does_not_report_is_unknown() {
    let a = format!(
        "upsc={}",
        fixture("upsc", "upsc-eaton-5e2200-nutdrv-qx-OL-CAL")
    );
    let run = check_ups(&["--input", &a, "--charge-critical", "20:"]);
    run.expect(
        3,
        &[
            "UPS UNKNOWN",
            "charge not reported, --charge-* cannot be checked",
        ],
    );
}

#[test]
fn garbage_and_truncated_input_is_unknown_naming_the_line() {
    let dir = std::env::temp_dir().join(format!("check_ups-garbage-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let garbage = dir.join("garbage");
    std::fs::write(
        &garbage,
        "battery.charge: 100\n<html><body>502 Bad Gateway</body></html>\n",
    )
    .unwrap();
    let run = check_ups(&["--input", &format!("upsc={}", garbage.display())]);
    run.expect(
        3,
        &[
            "UPS UNKNOWN",
            "line 2 '<html><body>502 Bad Gateway</body></html>'",
        ],
    );

    let cut = dir.join("cut");
    std::fs::write(
        &cut,
        "APC      : 001,036,0860\nSTATUS   : ONLINE\nBCHARGE  : 10",
    )
    .unwrap();
    let run = check_ups(&["--input", &format!("apcaccess={}", cut.display())]);
    run.expect(3, &["UPS UNKNOWN", "without 'END APC' (truncated)"]);

    let none = dir.join("nostatus");
    std::fs::write(&none, "battery.charge: 100\n").unwrap();
    let run = check_ups(&["--input", &format!("upsc={}", none.display())]);
    run.expect(3, &["UPS UNKNOWN", "no ups.status reported"]);

    let stale = dir.join("stale");
    std::fs::write(
        &stale,
        "Init SSL without certificate database\nError: Data stale\n",
    )
    .unwrap();
    let run = check_ups(&["--input", &format!("upsc={}", stale.display())]);
    run.expect(2, &["UPS CRITICAL", "data stale"]);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn usage_errors_are_unknown() {
    check_ups(&[]).expect(3, &["UPS UNKNOWN - nothing to check"]);
    check_ups(&["--ups", "a b@host"]).expect(3, &["UPS UNKNOWN"]);
    check_ups(&["--apcupsd", "127.0.0.1", "--charge-warning", "abc"]).expect(
        3,
        &["--charge-warning abc: expected N, N:, ~:N, N:M or @N:M"],
    );
    let a = format!("upsc={}", fixture("upsc", "upsc-cyberpower-br1000elcd-OL"));
    check_ups(&["--input", &a, "--ups", "ups1@127.0.0.1"]).expect(3, &["do not combine"]);
}

#[test]
fn very_verbose_output_lists_every_variable_as_read() {
    let a = format!("upsc={}", fixture("upsc", "upsc-cyberpower-br1000elcd-OL"));
    let quiet = check_ups(&["--input", &a]);
    assert!(!quiet.stdout.contains("= OL"), "{}", quiet.stdout);
    let run = check_ups(&["--input", &a, "-vv"]);
    run.expect(
        OK,
        &[
            "upsc-cyberpower-br1000elcd-OL: ups.status = OL",
            "upsc-cyberpower-br1000elcd-OL: battery.charge = 100",
        ],
    );
}

#[test]
fn the_same_source_twice_is_a_usage_error_not_an_internal_error() {
    // Before: "internal error: perfdata label used twice". A duplicate is a copy-paste whose
    // second line was meant for another UPS: refused so it is seen, not judged once quietly.
    let f = fixture("upsc", "upsc-cyberpower-br1000elcd-OL");
    let a = format!("upsc={f}");
    check_ups(&["--input", &a, "--input", &a])
        .expect_first(
            3,
            &format!("UPS UNKNOWN - --input upsc={f} given twice; give each file once"),
            &[],
        )
        .lacks(&["internal error"]);
    let apc = format!(
        "apcaccess={}",
        fixture("apcaccess", "apcaccess-backups-bk650m2-openwrt-online")
    );
    check_ups(&["--input", &apc, "--input", &apc])
        .expect(3, &["UPS UNKNOWN", "given twice; give each file once"]);
    check_ups(&["--ups", "ups1@127.0.0.1:1", "--ups", "ups1@127.0.0.1:1"]).expect_first(
        3,
        "UPS UNKNOWN - --ups ups1@127.0.0.1:1 given twice; give each one once",
        &[],
    );
    // the same address written two ways, and host names without case
    check_ups(&["--ups", "ups1@[::1]", "--ups", "ups1@[::1]:3493"])
        .expect(3, &["UPS UNKNOWN - --ups ups1@[::1]:3493 given twice"]);
    check_ups(&["--ups", "u@NAS", "--ups", "u@nas"]).expect(3, &["--ups u@nas:3493 given twice"]);
    check_ups(&["--apcupsd", "127.0.0.1:1", "--apcupsd", "127.0.0.1:1"]).expect(
        3,
        &["UPS UNKNOWN - --apcupsd 127.0.0.1:1 given twice; give each one once"],
    );
    // the same file under another path is not recognised: judged twice, the labels carrying
    // each path (no internal error either)
    let other = format!("upsc={}", f.replace("/upsc/", "/upsc/./"));
    check_ups(&["--input", &a, "--input", &other]).expect(0, &["UPS OK"]);
}

#[test]
fn a_host_with_several_colons_that_is_no_ipv6_address_is_a_usage_error() {
    // Before: CRITICAL "unreachable ([127.0.0.1:1:2]:3493)", a typo reported as a dead UPS.
    let run = check_ups(&["--ups", "ups1@127.0.0.1:1:2"]);
    run.expect(3, &["UPS UNKNOWN", "not '127.0.0.1:1:2'"])
        .lacks(&["unreachable", "CRITICAL"]);
    check_ups(&["--apcupsd", "host:1:2"]).expect(3, &["UPS UNKNOWN", "not 'host:1:2'"]);
    // IPv6 forms still reach the network: nothing listens on port 1, so unreachable
    for target in ["ups1@[::1]:1", "ups1@::1"] {
        let run = check_ups(&["-t", "2", "--ups", target]);
        assert!(
            matches!(run.code, 2 | 3) && run.has("[::1]:") && !run.has("usage"),
            "{target}: {}",
            run.stdout
        );
    }
}

#[test]
fn a_hostile_saved_output_is_refused_before_it_can_balloon() {
    // The reviewer's case: 1.1M lines 'a.b: 1' (7.7 MB) peaked at 251 MB; 1.3M apcaccess
    // lines at 295 MB. A UPS dump is a few KiB: saved outputs are capped like network answers
    // (256 KiB), and a dump under the cap with more than 10,000 variables is refused too.
    let dir = std::env::temp_dir().join(format!("check_ups-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let big = dir.join("upsc-big");
    std::fs::write(&big, "a.b: 1\n".repeat(1_100_000)).unwrap();
    check_ups(&["--input", &format!("upsc={}", big.display())])
        .expect(3, &["UPS UNKNOWN", "larger than 256 KiB, not read whole"]);
    let big = dir.join("apc-big");
    std::fs::write(&big, "AB : 1\n".repeat(1_300_000)).unwrap();
    check_ups(&["--input", &format!("apcaccess={}", big.display())])
        .expect(3, &["UPS UNKNOWN", "larger than 256 KiB, not read whole"]);

    let many = dir.join("upsc-many");
    std::fs::write(
        &many,
        format!("ups.status: OL\n{}", "a.b: 1\n".repeat(10_000)),
    )
    .unwrap();
    check_ups(&["--input", &format!("upsc={}", many.display())])
        .expect(3, &["UPS UNKNOWN", "more than 10000 variables"]);
    let many = dir.join("apc-many");
    std::fs::write(
        &many,
        format!("STATUS : ONLINE\n{}", "AB : 1\n".repeat(10_000)),
    )
    .unwrap();
    check_ups(&["--input", &format!("apcaccess={}", many.display())])
        .expect(3, &["UPS UNKNOWN", "more than 10000 records"]);

    // 10,000 exactly is still a dump (the limit is not off by one)
    let most = dir.join("upsc-most");
    std::fs::write(
        &most,
        format!("ups.status: OL\n{}", "a.b: 1\n".repeat(9_999)),
    )
    .unwrap();
    check_ups(&["--input", &format!("upsc={}", most.display())]).expect(0, &["UPS OK"]);
    let _ = std::fs::remove_dir_all(dir);
}
