//! check_ups against the real daemons: NUT's upsd with two dummy-ups drivers, and apcupsd
//! fed by a simulated Smart-UPS (recipes in tests/peers/). Each test walks one daemon through
//! its states, one step per state, waiting for each change to show (the daemons poll once a
//! second); the daemons are stopped by a Drop guard whatever happens.

use harness::peers::{require_programs, Daemon};
use harness::{Outcome, Plugin};
use std::time::Duration;

fn check_ups(args: &[&str]) -> Outcome {
    Plugin::new(env!("CARGO_BIN_EXE_check_ups"))
        .args(args)
        .run()
}

const NUT: &[&str] = &["/lib/nut/upsd", "/lib/nut/dummy-ups", "upsc"];
const APCUPSD: &[&str] = &["apcupsd|/sbin/apcupsd|/opt/apcupsd/sbin/apcupsd", "python3"];

/// Run check_ups until it exits with `code` and prints every word, or `within` seconds pass
/// (the daemons poll once a second); the last run is asserted and returned.
fn eventually(args: &[&str], code: i32, words: &[&str], within: f64) -> Outcome {
    let run = Plugin::new(env!("CARGO_BIN_EXE_check_ups"))
        .args(args)
        .run_until(Duration::from_secs_f64(within), |o| {
            o.code == code && words.iter().all(|w| o.stdout.contains(w))
        });
    run.expect(code, words);
    run
}

const OK: i32 = 0;
const WARNING: i32 = 1;
const CRITICAL: i32 = 2;

#[test]
#[ignore = "needs nut-server (upsd, dummy-ups) and nut-client (upsc): run scripts/test"]
fn nut_upsd_on_line_on_battery_low_battery_replace_battery() {
    require_programs(NUT);
    let nut = Daemon::start_on_port("nut", "states");
    let ups1 = format!("ups1@127.0.0.1:{}", nut.port());
    let ups2 = format!("ups2@127.0.0.1:{}", nut.port());
    let both = ["--ups", ups1.as_str(), "--ups", ups2.as_str()];

    eprintln!("step: OL on both UPSes is OK, with perfdata per UPS");
    let run = check_ups(&both);
    run.expect(
        OK,
        &[
            "UPS OK - ups1 on line (charge 100%, runtime 60 min); ups2 on line",
            "'ups1_charge'=100%;;;0;100",
            "'ups1_runtime'=3600s;;;0;",
            "'ups1_load'=23%;;;0;",
            "'ups2_load'=41%;;;0;",
            "'ups1_input_voltage'=230;;;;",
            "'ups1_output_voltage'=230;;;;",
            "'ups2_temperature'=30.5;;;;",
            "model DummyUPS 3000",
        ],
    );

    eprintln!("step: OB is WARNING");
    nut.script("set-var.sh", &["ups1", "ups.status", "OB", "DISCHRG"]);
    eventually(
        &both,
        WARNING,
        &["UPS WARNING - ups1 on battery (charge 100%", "ups2 on line"],
        8.0,
    );

    eprintln!("step: OB LB is CRITICAL, and thresholds apply");
    nut.script("set-var.sh", &["ups1", "battery.charge", "15"]);
    nut.script("set-var.sh", &["ups1", "battery.runtime", "240"]);
    nut.script("set-var.sh", &["ups1", "ups.status", "OB", "LB"]);
    let with_limits = [
        "--ups",
        ups1.as_str(),
        "--charge-warning",
        "50:",
        "--charge-critical",
        "20:",
    ];
    eventually(
        &with_limits,
        CRITICAL,
        &[
            "UPS CRITICAL - ups1 on battery, low battery, charge 15% (critical 20:) (runtime 4 min)",
            "ups.status 'OB LB'",
            "-> the battery is nearly exhausted",
            "'ups1_charge'=15%;50:;20:;0;100",
            "'ups1_runtime'=240s;;;0;",
        ],
        8.0,
    );

    eprintln!("step: RB on line power is WARNING");
    nut.script("set-var.sh", &["ups1", "battery.charge", "100"]);
    nut.script("set-var.sh", &["ups1", "ups.status", "OL", "RB"]);
    eventually(
        &both,
        WARNING,
        &[
            "UPS WARNING - ups1 replace battery (charge 100%",
            "-> the UPS failed its battery test",
        ],
        8.0,
    );

    eprintln!("step: username/password from a file are accepted by upsd");
    let auth = nut.dir.join("check_ups.auth");
    harness::write_secret(
        &auth,
        "# for upsd.users [monuser]\nusername = monuser\npassword = monpass\n",
    );
    let auth = auth.display().to_string();
    let run = check_ups(&["--ups", ups2.as_str(), "--auth-file", auth.as_str()]);
    run.expect(OK, &["UPS OK - ups2 on line"]);
    assert!(!run.stdout.contains("monpass"), "{}", run.stdout);

    eprintln!("step: a UPS upsd does not know is CRITICAL");
    let nosuch = format!("nosuch@127.0.0.1:{}", nut.port());
    check_ups(&["--ups", nosuch.as_str()]).expect(
        CRITICAL,
        &["UPS CRITICAL - nosuch unknown to upsd", "upsc -l HOST"],
    );
}

#[test]
#[ignore = "needs nut-server (upsd, dummy-ups) and nut-client (upsc): run scripts/test"]
fn nut_upsd_stale_data_killed_driver_and_stopped_upsd_are_critical() {
    require_programs(NUT);
    let nut = Daemon::start_on_port("nut", "blind");
    let ups1 = format!("ups1@127.0.0.1:{}", nut.port());
    let ups2 = format!("ups2@127.0.0.1:{}", nut.port());
    let both = ["--ups", ups1.as_str(), "--ups", ups2.as_str()];
    check_ups(&both).expect(OK, &["UPS OK"]);

    eprintln!("step: a driver that stops sending data makes upsd say data stale: CRITICAL");
    nut.script("stale.sh", &["ups2", "stop"]);
    let run = eventually(
        &both,
        CRITICAL,
        &[
            "UPS CRITICAL - ups2 data stale",
            "; ups1 on line",
            "-> check the UPS cable and restart the driver",
        ],
        15.0,
    );
    assert!(
        !run.stdout.contains("'ups2 "),
        "no perfdata for a blind UPS:\n{}",
        run.stdout
    );
    assert!(run.stdout.contains("'ups1_charge'=100%"), "{}", run.stdout);

    eprintln!("step: fresh data again is OK again");
    nut.script("stale.sh", &["ups2", "cont"]);
    eventually(&both, OK, &["UPS OK - ups1 on line", "ups2 on line"], 8.0);

    eprintln!("step: a killed driver is CRITICAL driver not connected");
    nut.script("stale.sh", &["ups1", "kill"]);
    eventually(
        &both,
        CRITICAL,
        &[
            "UPS CRITICAL - ups1 driver not connected",
            "upsdrvctl start",
        ],
        8.0,
    );

    eprintln!("step: a stopped upsd is CRITICAL unreachable, with the address");
    nut.script("stop.sh", &[]);
    let address = format!("127.0.0.1:{}", nut.port());
    eventually(
        &both,
        CRITICAL,
        &[
            &format!("UPS CRITICAL - ups1 unreachable: upsd at {address}: connection refused"),
            &format!("ups2 unreachable: upsd at {address}"),
            "-> start upsd",
        ],
        8.0,
    );
}

#[test]
#[ignore = "needs apcupsd and python3: run scripts/test"]
fn apcupsd_online_onbatt_lowbatt_shutting_down_and_stopped() {
    require_programs(APCUPSD);
    let apc = Daemon::start_on_port("apcupsd", "states");
    let target = format!("127.0.0.1:{}", apc.port());
    let args = ["--apcupsd", target.as_str()];

    eprintln!("step: ONLINE is OK, with perfdata named after UPSNAME");
    check_ups(&args).expect(
        OK,
        &[
            "UPS OK - simups on line (charge 100%, runtime 45 min)",
            &format!("apcupsd {target}: on line; STATUS 'ONLINE'"),
            "'simups_charge'=100%;;;0;100",
            "'simups_runtime'=2700s;;;0;",
            "'simups_load'=23.4%;;;0;",
            "'simups_input_voltage'=230.4;;;;",
            "'simups_output_voltage'=230.4;;;;",
            "'simups_temperature'=31.5;;;;",
        ],
    );

    // (REPLACEBATT is not tested live: apcupsd 3.14.14 ignores the simulator's replace-battery
    // bit (Q 88) and its self-test result; the saved REPLACEBATT fixture covers the rule.)

    eprintln!("step: ONBATT is WARNING");
    apc.script("state.sh", &["Q", "10"]);
    eventually(&args, WARNING, &["UPS WARNING - simups on battery"], 8.0);

    eprintln!("step: ONBATT LOWBATT is CRITICAL");
    apc.script("state.sh", &["f", "012.0"]);
    apc.script("state.sh", &["Q", "50"]);
    eventually(
        &args,
        CRITICAL,
        &[
            "UPS CRITICAL - simups on battery, low battery (charge 12%",
            "STATUS 'ONBATT LOWBATT'",
            "'simups_charge'=12%;;;0;100",
        ],
        8.0,
    );

    eprintln!("step: apcupsd then latches SHUTTING DOWN: CRITICAL");
    eventually(
        &args,
        CRITICAL,
        &["UPS CRITICAL - simups apcupsd is shutting the system down"],
        10.0,
    );

    eprintln!("step: a stopped apcupsd is CRITICAL unreachable, with the address");
    apc.script("stop.sh", &[]);
    eventually(
        &args,
        CRITICAL,
        &[&format!(
            "UPS CRITICAL - {target} unreachable: apcupsd at {target}: connection refused"
        )],
        8.0,
    );
}

#[test]
#[ignore = "needs apcupsd and python3: run scripts/test"]
fn apcupsd_commlost_is_critical_without_perfdata() {
    require_programs(APCUPSD);
    let apc = Daemon::start_on_port("apcupsd", "commlost");
    let target = format!("127.0.0.1:{}", apc.port());
    let args = ["--apcupsd", target.as_str()];
    check_ups(&args).expect(OK, &["UPS OK - simups on line"]);

    eprintln!("step: the UPS stops answering apcupsd: COMMLOST (apcupsd needs ~20-25 s)");
    let sim = apc.pid("sim").expect("sim.pid");
    let killed = std::process::Command::new("kill")
        .arg(&sim)
        .status()
        .unwrap();
    assert!(killed.success());
    let run = eventually(
        &args,
        CRITICAL,
        &[
            "UPS CRITICAL - simups communication lost",
            "STATUS 'COMMLOST'",
            "last known: charge 100%",
            "-> check the UPS cable",
        ],
        45.0,
    );
    assert!(
        !run.stdout.contains('|'),
        "no perfdata for a blind UPS:\n{}",
        run.stdout
    );
}
