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
