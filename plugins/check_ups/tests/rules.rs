//! The issue 9 rules, each on the sample that showed it (tests/samples, SOURCES.md there) or
//! on a real fixture: state, summary words, long output and perfdata of the binary's output.

use harness::{Outcome, Plugin, Status};

fn check_ups(args: &[&str]) -> Outcome {
    Plugin::new(env!("CARGO_BIN_EXE_check_ups"))
        .args(args)
        .run()
}

fn sample(name: &str) -> String {
    format!("{}/tests/samples/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn fixture(kind: &str, name: &str) -> String {
    format!(
        "{}/tests/fixtures/{kind}/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

const INPUT_VOLTAGE_RANGES: [&str; 4] = [
    "--input-voltage-warning",
    "210:240",
    "--input-voltage-critical",
    "200:260",
];

#[test]
fn trim_without_ol_from_an_old_bcmxcp_driver_is_ok_regulating_mains() {
    let input = format!("upsc={}", sample("upsc-compaq-t700h-bcmxcp-TRIM-no-OL"));
    let run = check_ups(&["--input", &input]);
    run.expect_state(Status::Ok)
        .expect_summary(
            "upsc-compaq-t700h-bcmxcp-TRIM-no-OL on line (no OL flag: regulating mains), \
             trimming high input voltage (charge 95%, runtime 150 min)",
        )
        .expect_long("ups.status 'TRIM'")
        .expect_perf("'upsc-compaq-t700h-bcmxcp-TRIM-no-OL_charge'=95%;;;0;100")
        .expect_perf("'upsc-compaq-t700h-bcmxcp-TRIM-no-OL_input_voltage'=245;;;;")
        .lacks(&["neither on line nor on battery", "UNKNOWN"]);
}

#[test]
fn inline_comments_in_a_saved_dev_file_are_comments() {
    let input = format!(
        "upsc={}",
        sample("upsc-bestpower-patriot-pro-ii-OL-inline-comments")
    );
    let run = check_ups(&["--input", &input, "-vv"]);
    run.expect_state(Status::Ok)
        .expect_summary(
            "upsc-bestpower-patriot-pro-ii-OL-inline-comments on line (charge 100%, runtime 103 min)",
        )
        .expect_long("ups.status 'OL'")
        .expect_long("input.voltage.fault = 119.0")
        .expect_perf("'upsc-bestpower-patriot-pro-ii-OL-inline-comments_load'=6%;;;0;")
        .lacks(&["unrecognised flag", "#COMMENT", "#CMD"]);
}

/// NUT `OL CHRG LB` (a real dump) and apcupsd `ONLINE LOWBATT` (built from a real one): one
/// state, WARNING, with the same words and advice.
#[test]
fn low_battery_on_mains_is_warning_whichever_daemon_reports_it() {
    let nut = format!(
        "upsc={}",
        fixture("upsc", "upsc-apc-backups-es750-OL-CHRG-LB")
    );
    let apc = format!(
        "apcaccess={}",
        sample("apcaccess-backups-bk650m2-ONLINE-LOWBATT")
    );
    for (input, name, perf) in [
        (
            &nut,
            "upsc-apc-backups-es750-OL-CHRG-LB",
            "'upsc-apc-backups-es750-OL-CHRG-LB_charge'=35%;;;0;100",
        ),
        (&apc, "ups1", "'ups1_charge'=4%;;;0;100"),
    ] {
        let run = check_ups(&["--input", input]);
        run.expect_state(Status::Warning)
            .expect_summary(&format!("{name} low battery (charge "))
            .expect_long("-> the battery is low although on line power")
            .expect_perf(perf);
    }
}

/// On battery the mains is out of range by definition: an input-voltage range must not make
/// every power cut CRITICAL. The on-battery state stands; the long output says why the range
/// was skipped, and the perfdata carries no range that was not applied.
#[test]
fn input_voltage_thresholds_are_not_judged_on_battery() {
    let cases = [
        (
            format!(
                "apcaccess={}",
                fixture("apcaccess", "apcaccess-backups-bk650m2-openwrt-onbatt")
            ),
            "ups1",
        ),
        (
            format!("upsc={}", fixture("upsc", "upsc-apc-smartups1000-snmp-OB")),
            "upsc-apc-smartups1000-snmp-OB",
        ),
    ];
    for (input, name) in &cases {
        let mut args = vec!["--input", input.as_str()];
        args.extend(INPUT_VOLTAGE_RANGES);
        let run = check_ups(&args);
        run.expect_state(Status::Warning)
            .expect_summary(&format!("{name} on battery (charge "))
            .expect_long("input voltage not judged on battery (the mains is expected out of range)")
            .expect_perf(&format!("'{name}_input_voltage'=0;;;;"))
            .lacks(&["critical 200:260", "warning 210:240"]);
    }
}

#[test]
fn input_voltage_thresholds_still_apply_on_mains() {
    let input = format!("upsc={}", sample("upsc-compaq-t700h-bcmxcp-TRIM-no-OL"));
    let mut args = vec!["--input", input.as_str()];
    args.extend(INPUT_VOLTAGE_RANGES);
    let run = check_ups(&args);
    run.expect_state(Status::Warning)
        .expect_summary("upsc-compaq-t700h-bcmxcp-TRIM-no-OL input voltage 245 V (warning 210:240)")
        .expect_perf("'upsc-compaq-t700h-bcmxcp-TRIM-no-OL_input_voltage'=245;210:240;200:260;;");
}

/// Labels use underscores, the suite's one style: `NAME_metric`, every metric.
#[test]
fn perfdata_labels_are_name_underscore_metric() {
    let input = format!("upsc={}", fixture("upsc", "upsc-apc-smartups1000-snmp-OB"));
    let run = check_ups(&["--input", &input]);
    let labels: Vec<&str> = run.perfdata.iter().map(|p| p.label.as_str()).collect();
    let name = "upsc-apc-smartups1000-snmp-OB";
    let want: Vec<String> = [
        "charge",
        "runtime",
        "load",
        "input_voltage",
        "output_voltage",
        "temperature",
    ]
    .iter()
    .map(|m| format!("{name}_{m}"))
    .collect();
    assert_eq!(labels, want, "{}", run.stdout);
}
