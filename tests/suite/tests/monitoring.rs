//! Our nagios-config/ files inside the real daemons: NRPE 4 carries a plugin's output and state
//! intact, Nagios 4 and Icinga 2 run our command definitions and record state, output, long
//! output and perfdata. The daemons run from tests/peers/ recipes on 127.0.0.1.

use std::process::Command;
use std::time::{Duration, Instant};
use suite::{free_port, peers_present, plugin, repo, run_direct, start_peer, WorkDir};

const CHECK_NRPE: &str = "/usr/lib/nagios/plugins/check_nrpe";

fn degraded_root() -> String {
    repo()
        .join("samples/hosts/raid-degraded")
        .display()
        .to_string()
}

#[test]
fn nrpe_carries_check_raid_output_and_state_intact() {
    if !peers_present(&["nrpe", CHECK_NRPE]) {
        return;
    }
    let work = WorkDir::new("nrpe");
    let raid = plugin("check_raid");
    // Our snippet, with the packaged path pointed at the built plugin and a sample host tree
    // (NRPE takes no arguments over the network, so the snippet line is the whole command).
    let snippet =
        std::fs::read_to_string(repo().join("nagios-config/nrpe/euca-checks.cfg")).unwrap();
    let rendered = snippet.replace(
        "/usr/lib/nagios/plugins/check_raid",
        &format!("{} --root {}", raid.display(), degraded_root()),
    );
    assert_ne!(
        rendered, snippet,
        "the snippet no longer defines check_raid"
    );
    let include = work.path().join("euca-checks.cfg");
    std::fs::write(&include, rendered).unwrap();
    let port = free_port().to_string();
    let _nrpe = start_peer(
        "nrpe",
        &work.path().join("nrpe"),
        &[&port],
        &[("NRPE_INCLUDE", include.display().to_string())],
    );

    let out = Command::new(CHECK_NRPE)
        .args([
            "-H",
            "127.0.0.1",
            "-p",
            &port,
            "-t",
            "20",
            "-c",
            "euca_raid",
        ])
        .output()
        .unwrap();
    let via_nrpe = String::from_utf8_lossy(&out.stdout).into_owned();
    let (direct_code, direct) = run_direct(&raid, &["-t", "8", "--root", &degraded_root()]);
    assert_eq!(direct_code, 2);
    assert_eq!(out.status.code(), Some(2), "{via_nrpe}");
    assert_eq!(via_nrpe, direct, "NRPE changed the output");
    assert!(via_nrpe.starts_with(
        "RAID CRITICAL - md0 raid5 degraded [U_U], sdc1 failed | 'md0_active'=2;;;0;3"
    ));
    assert!(via_nrpe.contains("\n  -> replace the failed disk"));
}

/// (current_state, plugin_output, long_plugin_output, performance_data) of a checked service.
fn nagios_service(status_dat: &str, service: &str) -> Option<(String, String, String, String)> {
    for block in status_dat.split("servicestatus {").skip(1) {
        let block = block.split("\n\t}").next().unwrap_or("");
        let field = |k: &str| {
            block
                .lines()
                .find_map(|l| {
                    l.trim_start()
                        .strip_prefix(&format!("{k}="))
                        .map(str::to_string)
                })
                .unwrap_or_default()
        };
        if field("service_description") == service && field("has_been_checked") == "1" {
            return Some((
                field("current_state"),
                field("plugin_output"),
                field("long_plugin_output"),
                field("performance_data"),
            ));
        }
    }
    None
}

#[test]
fn nagios_runs_our_command_definitions() {
    if !peers_present(&["nagios4"]) {
        return;
    }
    let work = WorkDir::new("nagios");
    let raid = plugin("check_raid");
    let commands =
        std::fs::read_to_string(repo().join("nagios-config/nagios/euca-checks-commands.cfg"))
            .unwrap();
    let sample =
        std::fs::read_to_string(repo().join("tests/peers/nagios4/objects.cfg.in")).unwrap();
    // The recipe's host, timeperiod and contact, our commands, and one service using euca_raid.
    let objects = format!(
        "{commands}\n{sample}\n\
         define service {{\n    host_name testhost\n    service_description RAID\n    \
         check_command euca_raid!--root {root}\n    max_check_attempts 1\n    check_interval 2\n    \
         retry_interval 1\n    check_period 24x7\n    contacts nobody\n    notification_period 24x7\n}}\n",
        root = degraded_root()
    );
    let objects_file = work.path().join("objects.cfg.in");
    std::fs::write(&objects_file, objects).unwrap();
    let nagios_dir = work.path().join("nagios");
    let _nagios = start_peer(
        "nagios4",
        &nagios_dir,
        &[],
        &[
            ("NAGIOS_OBJECTS", objects_file.display().to_string()),
            ("NAGIOS_USER1", raid.parent().unwrap().display().to_string()),
        ],
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    let result = loop {
        let status = std::fs::read_to_string(nagios_dir.join("status.dat")).unwrap_or_default();
        if let Some(r) = nagios_service(&status, "RAID") {
            break r;
        }
        assert!(
            Instant::now() < deadline,
            "no RAID result from Nagios in 30 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    let (state, output, long, perf) = result;
    assert_eq!(state, "2", "{output}");
    assert_eq!(
        output,
        "RAID CRITICAL - md0 raid5 degraded [U_U], sdc1 failed"
    );
    assert!(
        long.contains("md0: raid5, 2/3 active [U_U], sdc1 (F) failed"),
        "{long}"
    );
    assert!(long.contains("-> replace the failed disk"), "{long}");
    assert!(
        perf.contains("'md0_active'=2;;;0;3") && perf.contains("'md0_degraded'=1;;;0;1"),
        "{perf}"
    );
}

#[test]
fn icinga2_runs_our_check_commands() {
    if !peers_present(&["icinga2"]) {
        return;
    }
    let work = WorkDir::new("icinga2");
    let raid = plugin("check_raid");
    let commands = repo().join("nagios-config/icinga2/euca-checks-commands.conf");
    let recipe =
        std::fs::read_to_string(repo().join("tests/peers/icinga2/icinga2.conf.in")).unwrap();
    let config = format!(
        "{recipe}\nconst PluginDir = \"{bin}\"\ninclude \"{commands}\"\n\
         apply Service \"raid\" {{\n  check_command = \"euca_raid\"\n  check_interval = 1s\n  retry_interval = 1s\n  \
         max_check_attempts = 1\n  vars.euca_root = \"{root}\"\n  vars.euca_raid_arrays = [ \"md0\" ]\n  \
         assign where host.vars.fake == true\n}}\n",
        bin = raid.parent().unwrap().display(),
        commands = commands.display(),
        root = degraded_root()
    );
    let conf = work.path().join("icinga2.conf.in");
    std::fs::write(&conf, config).unwrap();
    let icinga_dir = work.path().join("icinga2");
    let _icinga = start_peer(
        "icinga2",
        &icinga_dir,
        &[],
        &[("ICINGA2_CONF", conf.display().to_string())],
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    let record = loop {
        let mut all = String::new();
        for entry in std::fs::read_dir(&icinga_dir).unwrap().flatten() {
            if entry
                .file_name()
                .to_string_lossy()
                .starts_with("service-perfdata.")
            {
                all.push_str(&std::fs::read_to_string(entry.path()).unwrap_or_default());
            }
        }
        // Records are "time\thost\tservice\tSTATE\tid\toutput\tperfdata"; output keeps its newlines.
        if let Some(start) = all.find("\ttesthost\traid\t") {
            break all[start..].to_string();
        }
        assert!(
            Instant::now() < deadline,
            "no raid result from Icinga 2 in 30 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    let fields: Vec<&str> = record.splitn(7, '\t').collect();
    assert_eq!(fields[3], "CRITICAL", "{record}");
    assert_eq!(fields[4], "2");
    assert!(
        fields[5].starts_with("RAID CRITICAL - md0 raid5 degraded [U_U], sdc1 failed"),
        "{record}"
    );
    assert!(
        fields[5].contains("-> replace the failed disk"),
        "long output kept: {record}"
    );
    assert!(
        fields[6].contains("md0_active=2;;;0;3"),
        "perfdata: {record}"
    );
}
