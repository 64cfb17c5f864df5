//! Every saved listing in tests/fixtures/ (SOURCES.md says where each comes from and the state
//! it must give), run through the binary with `--input`: state, the words of the summary, and
//! perfdata with the BMC's thresholds.

use harness::{HostTree, Outcome, Plugin};

fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn run(input: &str, file: &str, extra: &[&str]) -> Outcome {
    Plugin::new(env!("CARGO_BIN_EXE_check_ipmi"))
        .arg("--input")
        .arg(format!("{input}={}", fixture(file)))
        .args(extra)
        .run()
}

#[test]
fn supermicro_discrete_hex_states_are_no_fault() {
    run(
        "ipmitool",
        "ipmitool-sensor-supermicro-ps-status-0x0100-ok",
        &[],
    )
    .expect_first(0, "IPMI OK - 66 sensors ok", &[])
    .expect_perf("'cpu1_temp'=33;0:79;0:82;;")
    .expect_perf("'fan2'=3000;600:18975;450:19050;;")
    .lacks(&["PS1 Status"]);
}

#[test]
fn hp_ml110_inverted_fan_thresholds_stay_ok_without_ranges() {
    let o = run(
        "ipmitool",
        "ipmitool-sensor-hp-ml110g5-inverted-fan-thresholds-ok",
        &[],
    );
    o.expect_first(0, "IPMI OK - 12 sensors ok", &[])
        .expect_perf("'cpu_fan'=1434.309;;;;")
        .expect_perf("'cpu0_dmn_0_temp'=24.5;0:97;0:100;;");
    assert!(o.find_perf("cpu0_diode").is_none(), "na sensor in perfdata");
}

#[test]
fn hp_dl360_power_meter_cr_and_fans_nc() {
    run("ipmitool", "ipmitool-sensor-hp-dl360g5-fan-nc-power-meter-cr", &[])
        .expect_first(
            2,
            "IPMI CRITICAL - Power Meter critical (214 W); Power Meter 2 critical (220 W); Fan Block 1 warning",
            &[],
        )
        .expect_perf("'power_meter'=214;384:;;;")
        .lacks(&["Temp 6"]);
}

#[test]
fn hp_dl360_old_sdr_layout_same_verdict() {
    let o = run(
        "ipmitool-sdr",
        "ipmitool-sdr-list-hp-dl360g5-fan-nc-power-meter-cr",
        &[],
    );
    o.expect_first(
        2,
        "IPMI CRITICAL - Power Meter critical (208 W)",
        &["Fan Block 3 warning"],
    )
    .expect_perf("'temp_1'=41;;;;");
    assert!(o.find_perf("temp_6").is_none());
}

#[test]
fn ibm_not_readable_rows_are_skipped() {
    run(
        "ipmitool-sdr",
        "ipmitool-sdr-list-ibm-3col-not-readable-ns",
        &[],
    )
    .expect_first(0, "IPMI OK - 133 sensors ok", &[])
    .expect_perf("'ambient_temp'=20;;;;")
    .expect_perf("'avg_power'=210;;;;")
    .lacks(&["DASD Backplane 3"]);
    // Asked for: not readable is WARNING.
    run(
        "ipmitool-sdr",
        "ipmitool-sdr-list-ibm-3col-not-readable-ns",
        &["--unreadable", "warning"],
    )
    .expect(1, &["DASD Backplane 3 not readable"]);
}

#[test]
fn single_cpu_temp_in_nc_is_warning() {
    run("ipmitool", "ipmitool-sensor-single-cpu-temp-nc", &[])
        .expect_first(1, "IPMI WARNING - CPU2 Temp warning (33 C)", &[])
        .expect_perf("'cpu2_temp'=33;10:20;10:40;;");
}

#[test]
fn curated_elist_ns_sel_is_no_fault() {
    run(
        "ipmitool-sdr",
        "ipmitool-sdr-elist-curated-mixed-vendors-ok",
        &[],
    )
    .expect_first(0, "IPMI OK - 7 sensors ok", &[])
    .expect_perf("'fan1'=5040;;;;")
    .expect_perf("'inlet_temp'=25;;;;")
    .expect_perf("'power_supply_1'=110;;;;");
}

#[test]
fn dell_ac_lost_behind_an_ok_status_is_critical() {
    run(
        "ipmitool-sdr",
        "ipmitool-sdr-type-psu-dell-ac-lost-redundancy-degraded",
        &[],
    )
    .expect_first(
        2,
        "IPMI CRITICAL - Status 65h AC lost; PS Redundancy degraded",
        &["Status 65h: Presence detected, Power Supply AC lost"],
    );
}

#[test]
fn dell_fully_redundant_is_ok_and_psu_count_is_checked() {
    let f = "ipmitool-sdr-type-psu-dell-r740xd-fully-redundant-ok";
    run("ipmitool-sdr", f, &[]).expect_first(0, "IPMI OK - 3 sensors ok", &[]);
    run("ipmitool-sdr", f, &["--psu-count", "2"]).expect(0, &["'psu_present'=2;;;0;"]);
    run("ipmitool-sdr", f, &["--psu-count", "3"]).expect_first(
        2,
        "IPMI CRITICAL - 2 of 3 power supplies present",
        &[],
    );
}

#[test]
fn idrac6_all_nominal() {
    run(
        "ipmi-sensors",
        "ipmi-sensors-ipmimonitoring-dell-idrac6-ok",
        &["--psu-count", "2"],
    )
    .expect_first(0, "IPMI OK - 33 sensors ok", &[])
    .expect_perf("'ambient_temp'=23;;;;")
    .expect_perf("'fan_1_rpm'=2400;;;;")
    .expect_perf("'system_level'=273;;;;")
    .expect_perf("'psu_present'=2;;;0;");
}

#[test]
fn freeipmi_without_state_column() {
    let f = "ipmi-sensors-type-power-supply-no-state-column-ok";
    run("ipmi-sensors", f, &["--psu-count", "2"]).expect_first(0, "IPMI OK - 3 sensors ok", &[]);
}

const SIM_SENSORS: &str = "sim-ipmi-sensors-psu1-fail-redundancy-lost-cpu-hot-fan-stopped-cr";
const SIM_SENSOR: &str = "sim-ipmitool-sensor-psu1-fail-redundancy-lost-cpu-hot-fan-stopped-cr";
const SIM_SDR: &str = "sim-ipmitool-sdr-elist-psu1-fail-redundancy-lost-cpu-hot-fan-stopped-cr";

#[test]
fn ipmi_sim_failures_through_freeipmi() {
    run("ipmi-sensors", SIM_SENSORS, &[])
        .expect_first(
            2,
            "IPMI CRITICAL - CPU Temp critical (90 C); FAN1 critical (400 RPM); PS1 Status failure detected; PS Redundancy lost",
            &[],
        )
        .expect_perf("'cpu_temp'=90;~:75;~:85;;")
        .expect_perf("'fan1'=400;1000:;500:;;")
        .expect_perf("'12v'=12.1;;10.8:13.2;;");
}

#[test]
fn ipmi_sim_failures_through_ipmitool_both_listings() {
    let o = Plugin::new(env!("CARGO_BIN_EXE_check_ipmi"))
        .arg("--input")
        .arg(format!("ipmitool={}", fixture(SIM_SENSOR)))
        .arg("--input")
        .arg(format!("ipmitool-sdr={}", fixture(SIM_SDR)))
        .run();
    o.expect_first(
        2,
        "IPMI CRITICAL - CPU Temp critical (90 C); FAN1 critical (400 RPM); PS1 Status failure detected; PS Redundancy lost",
        &[],
    )
    .expect_perf("'cpu_temp'=90;~:75;~:85;;")
    .expect_perf("'fan1'=400;1000:;500:;;");
    // The sensor listing alone has hex states only for the PSUs: no PSU verdict from it.
    run("ipmitool", SIM_SENSOR, &[])
        .expect(2, &["CPU Temp critical", "FAN1 critical"])
        .lacks(&["PS1 Status failure"]);
}

#[test]
fn exclude_and_only_type() {
    run("ipmi-sensors", SIM_SENSORS, &["--only-type", "fan"])
        .expect_first(2, "IPMI CRITICAL - FAN1 critical (400 RPM)", &[])
        .lacks(&["CPU Temp", "PS1"]);
    run(
        "ipmi-sensors",
        SIM_SENSORS,
        &[
            "--exclude-sensor",
            "CPU Temp",
            "--exclude-sensor",
            "3",
            "--exclude-sensor",
            "power_supply",
        ],
    )
    .expect_first(0, "IPMI OK", &[])
    .lacks(&["cpu_temp", "'fan1'"]);
}

#[test]
fn chassis_status_of_both_tools() {
    run("chassis", "sim-ipmitool-chassis-status-ok", &[]).expect_first(
        0,
        "IPMI OK - no fault",
        &[],
    );
    run("chassis", "sim-ipmi-chassis-status-ok", &[]).expect_first(0, "IPMI OK - no fault", &[]);
    let tree = HostTree::new().file(
        "c",
        &std::fs::read_to_string(fixture("sim-ipmitool-chassis-status-ok"))
            .unwrap()
            .replace(
                "Cooling/Fan Fault    : false",
                "Cooling/Fan Fault    : true",
            )
            .replace(
                "Main Power Fault     : false",
                "Main Power Fault     : true",
            ),
    );
    Plugin::new(env!("CARGO_BIN_EXE_check_ipmi"))
        .arg("--input")
        .arg(format!("chassis={}", tree.path("c").display()))
        .run()
        .expect_first(
            2,
            "IPMI CRITICAL - chassis main power fault, cooling/fan fault",
            &[],
        );
}

/// The SEL: the first run records where the log stands, new failure entries are CRITICAL
/// once, then the state is back to OK.
fn sel_once_then_back(file: &str) {
    let text = std::fs::read_to_string(fixture(file)).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    // ipmi-sel has a header line: keep it with the first three entries.
    let head = if lines[0].starts_with("ID") { 4 } else { 3 };
    let tree = HostTree::new()
        .dir("state")
        .file("before", &(lines[..head].join("\n") + "\n"))
        .file("after", &text);
    let state = tree.path("state").display().to_string();
    let sel = |f: &str, extra: &[&str]| {
        Plugin::new(env!("CARGO_BIN_EXE_check_ipmi"))
            .arg("--input")
            .arg(format!("sel={}", tree.path(f).display()))
            .args(["--state-dir", state.as_str()])
            .args(extra)
            .run()
    };
    sel("before", &[]).expect(0, &["SEL: first run, 3 entries recorded", "'sel_new'=0"]);
    sel("after", &[]).expect_first(
        2,
        "IPMI CRITICAL - SEL: 2 new critical entries, first: ",
        &[
            "new SEL entry 4: ",
            "Failure detected",
            "new SEL entry 6: ",
            "Redundancy Lost",
            "'sel_new'=3",
        ],
    );
    sel("after", &[]).expect(0, &["'sel_new'=0", "'sel_entries'=6"]);
    // Again from the baseline, with the failures ignored.
    std::fs::remove_dir_all(tree.path("state")).unwrap();
    std::fs::create_dir(tree.path("state")).unwrap();
    sel("before", &[]).expect_state(common::Status::Ok);
    sel(
        "after",
        &["--sel-ignore", "Failure detected|Redundancy Lost"],
    )
    .expect(0, &["'sel_new'=1"]);
}

#[test]
fn sel_of_ipmitool_new_entries_once() {
    sel_once_then_back("sim-ipmitool-sel-elist-psu1-fail-redundancy-lost");
}

#[test]
fn sel_of_freeipmi_new_entries_once() {
    sel_once_then_back("sim-ipmi-sel-psu1-fail-redundancy-lost");
}

#[test]
fn a_bad_sel_ignore_regex_is_a_usage_error() {
    run(
        "sel",
        "sim-ipmi-sel-psu1-fail-redundancy-lost",
        &["--sel-ignore", "("],
    )
    .expect(3, &["--sel-ignore '('"]);
}

#[test]
fn lan_options_are_checked_before_anything_runs() {
    let run = |args: &[&str]| {
        Plugin::new(env!("CARGO_BIN_EXE_check_ipmi"))
            .args(args)
            .env_remove("IPMI_PASSWORD")
            .run()
    };
    run(&["-H", "bmc1"]).expect_first(3, "IPMI UNKNOWN - -H needs --user NAME", &[]);
    run(&["-H", "bmc1", "--user", "monitor"]).expect_first(
        3,
        "IPMI UNKNOWN - -H needs the BMC password",
        &["IPMI_PASSWORD"],
    );
    Plugin::new(env!("CARGO_BIN_EXE_check_ipmi"))
        .args(["-H", "bmc1", "--user", "monitor", "--sudo"])
        .env("IPMI_PASSWORD", "secret-pass")
        .run()
        .expect_first(3, "IPMI UNKNOWN - --sudo is for the local BMC", &[])
        .lacks(&["secret-pass"]);
    run(&["--user", "monitor"]).expect_first(
        3,
        "IPMI UNKNOWN - --user and --password-file are for a BMC over the LAN",
        &[],
    );
    run(&["--port", "0"]).expect_first(3, "IPMI UNKNOWN - --port 0: expected a UDP port", &[]);
}
