//! check_ipmi against a real simulated BMC: OpenIPMI's ipmi_sim on 127.0.0.1 (recipe in
//! tests/peers/ipmi_sim: temperatures, fans, 12V, two PSUs and a PS redundancy sensor), asked
//! over RMCP+ by the real FreeIPMI and ipmitool. Each step changes the BMC at run time and
//! asserts the state it must give; the simulator is stopped by a Drop guard whatever happens.

use harness::peers::{require_programs, Daemon, WorkDir};
use harness::{Outcome, Plugin};

const NEEDS: &[&str] = &[
    "ipmi_sim",
    "sdrcomp",
    "ipmitool",
    "ipmi-sensors",
    "ipmi-sel",
    "ipmi-chassis",
    "python3",
];

struct Bmc {
    daemon: Daemon,
    port: u16,
    // Dropped after the daemon (fields drop in order).
    work: WorkDir,
}

fn start(tag: &str) -> Bmc {
    require_programs(NEEDS);
    let work = WorkDir::new(&format!("ipmi_sim-{tag}"));
    let port = harness::free_port();
    let console = harness::free_port();
    let daemon = Daemon::start(
        "ipmi_sim",
        &work.path().join("sim"),
        &[&port.to_string(), &console.to_string()],
        &[],
    );
    std::fs::create_dir_all(work.path().join("state")).unwrap();
    std::fs::write(work.path().join("password"), "monpass\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(
        work.path().join("password"),
        std::fs::Permissions::from_mode(0o600),
    )
    .unwrap();
    Bmc { daemon, port, work }
}

impl Bmc {
    fn check(&self, tool: &str, extra: &[&str]) -> Outcome {
        let port = self.port.to_string();
        let state = self.work.path().join("state").display().to_string();
        let password = self.work.path().join("password").display().to_string();
        Plugin::new(env!("CARGO_BIN_EXE_check_ipmi"))
            .args(["--tool", tool, "-H", "127.0.0.1", "--port", port.as_str()])
            .args(["--user", "monitor", "--password-file", password.as_str()])
            .args([
                "--workaround",
                "opensesspriv",
                "--state-dir",
                state.as_str(),
            ])
            .args(extra)
            .run()
    }
    fn script(&self, name: &str, args: &[&str]) {
        self.daemon.script(name, args);
    }
}

/// PSU failure, redundancy lost, fan stop, over-temperature: each flips the state, and each
/// repair brings it back to OK.
fn states_flip(tool: &str) {
    let bmc = start(&format!("states-{tool}"));
    let check = |extra: &[&str]| bmc.check(tool, extra);
    let two = ["--psu-count", "2"];

    eprintln!("step: healthy BMC is OK, perfdata with the BMC's thresholds");
    check(&two)
        .expect_first(0, "IPMI OK - 8 sensors ok", &[])
        .expect_perf("'cpu_temp'=45;~:75;~:85;;")
        .expect_perf("'fan1'=4800;1000:;500:;;")
        .expect_perf("'12v'=12.1;;10.8:13.2;;")
        .expect_perf("'psu_present'=2;;;0;")
        .lacks(&["monpass"]);

    eprintln!("step: PS1 failure detected is CRITICAL (ipmitool's status column says ok)");
    bmc.script("psu.sh", &["1", "fail"]);
    check(&two).expect_first(2, "IPMI CRITICAL - PS1 Status failure detected", &[]);
    bmc.script("psu.sh", &["1", "ok"]);
    check(&two).expect_first(0, "IPMI OK - 8 sensors ok", &[]);

    eprintln!("step: PS2 predictive failure, AC lost, absent");
    bmc.script("psu.sh", &["2", "predictive"]);
    check(&two).expect_first(2, "IPMI CRITICAL - PS2 Status predictive failure", &[]);
    bmc.script("psu.sh", &["2", "acloss"]);
    check(&two)
        .expect_first(2, "IPMI CRITICAL - PS2 Status", &[])
        .contains(&["lost"]);
    bmc.script("psu.sh", &["2", "absent"]);
    check(&two).expect_first(2, "IPMI CRITICAL - 1 of 2 power supplies present", &[]);
    bmc.script("psu.sh", &["2", "ok"]);
    check(&two).expect_first(0, "IPMI OK", &[]);

    eprintln!("step: redundancy lost is CRITICAL");
    bmc.script("redundancy.sh", &["lost"]);
    check(&two).expect_first(2, "IPMI CRITICAL - PS Redundancy lost", &[]);
    bmc.script("redundancy.sh", &["full"]);
    check(&two).expect_first(0, "IPMI OK", &[]);

    eprintln!("step: a stopped fan (400 RPM, below lower critical 500) is CRITICAL");
    bmc.script("set-sensor.sh", &["3", "8"]);
    check(&two)
        .expect_first(2, "IPMI CRITICAL - FAN1 critical (400 RPM)", &[])
        .expect_perf("'fan1'=400;1000:;500:;;");
    bmc.script("set-sensor.sh", &["3", "96"]);
    check(&two).expect_first(0, "IPMI OK", &[]);

    eprintln!("step: over-temperature: 80 C WARNING, 90 C CRITICAL, 45 C OK");
    bmc.script("set-sensor.sh", &["1", "80"]);
    check(&two).expect_first(1, "IPMI WARNING - CPU Temp warning (80 C)", &[]);
    bmc.script("set-sensor.sh", &["1", "90"]);
    check(&two).expect_first(2, "IPMI CRITICAL - CPU Temp critical (90 C)", &[]);
    check(&["--exclude-sensor", "CPU Temp"]).expect_first(0, "IPMI OK", &[]);
    bmc.script("set-sensor.sh", &["1", "45"]);
    check(&two).expect_first(0, "IPMI OK", &[]);

    eprintln!("step: chassis status has no fault");
    check(&["--chassis"]).expect(0, &["chassis: no fault"]);
}

#[test]
#[ignore = "needs ipmi_sim: run scripts/test"]
fn ipmi_sim_states_flip_with_freeipmi() {
    states_flip("freeipmi");
}

#[test]
#[ignore = "needs ipmi_sim: run scripts/test"]
fn ipmi_sim_states_flip_with_ipmitool() {
    states_flip("ipmitool");
}

/// A new SEL entry is CRITICAL once, then the state is back to OK.
fn sel_new_entry_once(tool: &str) {
    let bmc = start(&format!("sel-{tool}"));
    let sel = |extra: &[&str]| bmc.check(tool, &[&["--sel"][..], extra].concat());
    sel(&[]).expect(0, &["SEL: first run", "'sel_new'=0"]);
    sel(&[]).expect(0, &["'sel_new'=0"]);
    bmc.script("sel-add.sh", &[]);
    sel(&[]).expect_first(
        2,
        "IPMI CRITICAL - SEL:",
        &["Failure detected", "'sel_new'=1"],
    );
    sel(&[]).expect_first(0, "IPMI OK", &["'sel_new'=0"]);
    bmc.script("sel-add.sh", &[]);
    sel(&["--sel-ignore", "PS1 Status"]).expect_first(0, "IPMI OK", &[]);
}

#[test]
#[ignore = "needs ipmi_sim: run scripts/test"]
fn ipmi_sim_sel_new_entry_once_with_freeipmi() {
    sel_new_entry_once("freeipmi");
}

#[test]
#[ignore = "needs ipmi_sim: run scripts/test"]
fn ipmi_sim_sel_new_entry_once_with_ipmitool() {
    sel_new_entry_once("ipmitool");
}

#[test]
#[ignore = "needs ipmi_sim: run scripts/test"]
fn ipmi_sim_stopped_bmc_is_critical_unreachable() {
    let bmc = start("stopped");
    bmc.check("freeipmi", &[]).expect_state(common::Status::Ok);
    bmc.script("stop.sh", &[]);
    for tool in ["freeipmi", "ipmitool"] {
        let o = bmc.check(tool, &["-t", "4"]);
        o.expect_first(
            2,
            "IPMI CRITICAL - BMC unreachable: remote console and power control lost",
            &[],
        );
        assert!(o.elapsed.as_secs_f64() < 4.0, "{tool} took {:?}", o.elapsed);
    }
}

#[test]
#[ignore = "needs ipmi_sim: run scripts/test"]
fn ipmi_sim_password_from_env_wrong_password_and_a_corrupt_sdr_cache() {
    let bmc = start("login");
    let port = bmc.port.to_string();
    let state = bmc.work.path().join("state").display().to_string();
    let by_env = |tool: &str, password: &str| {
        Plugin::new(env!("CARGO_BIN_EXE_check_ipmi"))
            .args(["--tool", tool, "-H", "127.0.0.1", "--port", port.as_str()])
            .args(["--user", "monitor", "--workaround", "opensesspriv"])
            .args(["--state-dir", state.as_str()])
            .env("IPMI_PASSWORD", password)
            .run()
    };
    for tool in ["freeipmi", "ipmitool"] {
        by_env(tool, "monpass")
            .expect_first(0, "IPMI OK - 8 sensors ok", &[])
            .lacks(&["monpass"]);
    }
    // FreeIPMI tells a refused login from a BMC that does not answer.
    by_env("freeipmi", "wrongpass")
        .expect_first(
            3,
            "IPMI UNKNOWN - the BMC refused the login of monitor",
            &[],
        )
        .lacks(&["wrongpass"]);
    // A corrupt SDR cache is recreated once, and the long output says so.
    let cache = bmc
        .work
        .path()
        .join("state/ipmi-sdr-127.0.0.1_".to_string() + &port + ".cache");
    assert!(cache.is_file(), "no SDR cache at {}", cache.display());
    std::fs::write(&cache, "garbage\n").unwrap();
    by_env("freeipmi", "monpass")
        .expect_first(0, "IPMI OK - 8 sensors ok", &[])
        .expect_long("SDR cache")
        .expect_long("recreated");
    by_env("freeipmi", "monpass").lacks(&["recreated"]);
}
