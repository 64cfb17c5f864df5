//! The simulated reference deployment (samples/simulation, a SIMULATION: host trees and test
//! doubles on 127.0.0.x, no cloud) under `euca-checks run`: healthy, every check the topology
//! assigns is present and OK, exit 0; then one thing breaks at a time and exactly the services
//! that watch it change.
//!
//! Needs python3, openssl, PostgreSQL 15, the standard monitoring-plugins (check_disk,
//! check_ntp_time, check_tcp) and OpenIPMI's ipmi_sim with ipmitool and FreeIPMI (clc1's BMC): #[ignore]d with what it needs, failing (not skipping) when one is
//! missing; scripts/test runs it. It uses the simulation's fixed addresses and its run/
//! directory: do not run the demo at the same time.

use harness::peers::require_programs;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use suite::{plugin, repo};

const NEEDS: &[&str] = &[
    "/usr/bin/python3",
    "openssl",
    "/usr/lib/postgresql/15/bin/initdb|/usr/lib/postgresql/16/bin/initdb|/usr/lib/postgresql/17/bin/initdb",
    "/usr/lib/nagios/plugins/check_disk",
    "/usr/lib/nagios/plugins/check_ntp_time",
    "/usr/lib/nagios/plugins/check_tcp",
    "ipmi_sim",
    "sdrcomp",
    "ipmitool",
    "ipmi-sensors",
];

fn sim() -> PathBuf {
    repo().join("samples/simulation")
}

/// The running simulation; stopped (and its run/ removed) on drop, even when the test fails.
struct Simulation;

impl Simulation {
    fn start() -> Simulation {
        let _ = Command::new(sim().join("stop")).status();
        let out = Command::new(sim().join("start")).output().expect("start");
        // Stopped on drop from here on, whatever start left running.
        let s = Simulation;
        assert!(
            out.status.success(),
            "samples/simulation/start failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        s
    }
    fn run_file(&self, rel: &str) -> PathBuf {
        sim().join("run").join(rel)
    }
}

impl Drop for Simulation {
    fn drop(&mut self) {
        let _ = Command::new(sim().join("stop")).status();
    }
}

/// (host, service) -> (state, first line), from `euca-checks run`'s table.
type Rows = BTreeMap<(String, String), (String, String)>;

/// `euca-checks run` on the simulation: exit code, rows, the whole table.
fn run() -> (i32, Rows, String) {
    let out = Command::new(plugin("euca-checks"))
        .arg("run")
        .arg(sim().join("topology.toml"))
        .arg("--plugin-dir")
        .arg(suite::bin_dir())
        .output()
        .expect("euca-checks run");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut rows = BTreeMap::new();
    let planned = planned();
    for line in text.lines().skip(1) {
        let mut words = line.split_whitespace();
        let (Some(state), Some(host)) = (words.next(), words.next()) else {
            continue;
        };
        let rest = words.collect::<Vec<_>>().join(" ");
        if let Some((_, desc)) = planned
            .iter()
            .find(|(h, d)| h == host && rest.starts_with(d.as_str()))
        {
            let first = rest[desc.len()..].trim().to_string();
            let old = rows.insert((host.to_string(), desc.clone()), (state.to_string(), first));
            assert!(old.is_none(), "{host} {desc} twice:\n{text}");
        }
    }
    (out.status.code().unwrap_or(-1), rows, text)
}

/// Every (host, service description) the simulation's topology assigns.
fn planned() -> Vec<(String, String)> {
    let path = sim().join("topology.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let t = topology::parse("topology.toml", &text).unwrap();
    euca_checks::plan::plan(&t)
        .services
        .iter()
        .map(|s| (s.host.clone(), s.description.clone()))
        .collect()
}

/// The services not OK, with their state.
fn not_ok(rows: &Rows) -> Vec<(String, String, String)> {
    rows.iter()
        .filter(|(_, (state, _))| state != "OK")
        .map(|((h, d), (state, _))| (h.clone(), d.clone(), state.clone()))
        .collect()
}

/// The doubles notice run/down/ADDRESS within 0.1 s: wait for the port to be as wanted.
fn wait_until_listening(address: &str, wanted: bool) {
    let addr: std::net::SocketAddr = address.parse().unwrap();
    for _ in 0..50 {
        let listening =
            std::net::TcpStream::connect_timeout(&addr, std::time::Duration::from_millis(200))
                .is_ok();
        if listening == wanted {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!(
        "{address} still {}",
        if wanted { "closed" } else { "listening" }
    );
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

#[test]
#[ignore = "needs python3, openssl, postgresql-15, monitoring-plugins, openipmi: run scripts/test"]
fn the_healthy_simulation_is_all_ok_and_each_failure_reaches_its_services() {
    require_programs(NEEDS);
    let s = Simulation::start();

    let (code, rows, text) = run();
    let planned = planned();
    assert!(planned.len() > 100, "{} services planned", planned.len());
    assert_eq!(
        rows.len(),
        planned.len(),
        "every planned service in the table:\n{text}"
    );
    assert_eq!(not_ok(&rows), [], "healthy simulation:\n{text}");
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains(&format!("\n{n} checks: {n} OK\nin ", n = planned.len())),
        "{text}"
    );

    // The CLC's server goes down: its port and every check that asks it, nothing else.
    write(&s.run_file("down/127.0.0.10"), "");
    wait_until_listening("127.0.0.10:8773", false);
    let (code, rows, text) = run();
    let clc = |d: &str| ("clc1".to_string(), d.to_string(), "CRITICAL".to_string());
    assert_eq!(
        not_ok(&rows),
        [
            clc("Capacity one"),
            clc("Capacity two"),
            clc("Eucalyptus services"),
            clc("Properties drift"),
            clc("Web services port"),
            clc("Worker VMs"),
        ],
        "CLC down:\n{text}"
    );
    assert_eq!(code, 2, "{text}");
    assert!(rows[&("clc1".into(), "Eucalyptus services".into())]
        .1
        .contains("127.0.0.10"));
    std::fs::remove_file(s.run_file("down/127.0.0.10")).unwrap();
    wait_until_listening("127.0.0.10:8773", true);

    // The power fails on the circuit of UPS ups1: the UPS check of every host it feeds, no other.
    let cut = std::fs::read_to_string(repo().join("samples/ups/power-cut/ups1")).unwrap();
    write(&s.run_file("ups/ups1"), &cut);
    let (code, rows, text) = run();
    let fed: Vec<String> = [
        "clc1", "ufs1", "riak1", "riak3", "cc-one-a", "nc-one-1", "cc-two-a", "nc-two-1",
    ]
    .iter()
    .map(|h| h.to_string())
    .collect();
    let bad = not_ok(&rows);
    assert_eq!(
        bad.iter()
            .map(|(h, _, _)| h.clone())
            .collect::<Vec<_>>()
            .len(),
        fed.len(),
        "{text}"
    );
    for (h, d, state) in &bad {
        assert!(
            fed.contains(h) && d == "UPS" && state == "CRITICAL",
            "{h} {d} {state}:\n{text}"
        );
    }
    assert_eq!(code, 2, "{text}");
}
