//! Our nagios-config/ definitions of every plugin inside the real daemons: NRPE 4 carries the
//! output and state of each command it ships intact; Nagios 4 and Icinga 2 run our command
//! definitions of check_raid, check_bond, check_ups, check_euca_clc, check_euca_proc, check_san_path
//! and check_euca_edge and record the same state, status line, long output and perfdata as a direct
//! run of the same command line.
//! The plugins read the bundled samples (samples/hosts), a NUT upsd with dummy UPSes and the
//! CLC test double, all on 127.0.0.1, so no RAID, bond, UPS or cloud is needed.
//!
//! Every test here needs daemons, so each is #[ignore]d with what it needs: a plain
//! `cargo test` reports them as ignored; scripts/test installs the daemons and runs them.

use harness::peers::{require_programs, require_python_module, ClcDouble, Daemon, WorkDir};
use harness::{Outcome, Plugin};
use std::path::{Path, PathBuf};
use std::time::Duration;
use suite::{
    assert_same_perfdata, bin_dir, hand_to_nagios, nagios_command_line, nagios_record, plugin,
    repo, run_expanded, shipped, wait_for,
};

const CHECK_NRPE: &str = "/usr/lib/nagios/plugins/check_nrpe";
const NUT: &[&str] = &["/lib/nut/upsd", "/lib/nut/dummy-ups"];
/// The access key pair the CLC double accepts.
const ACCESS: &str = "AKIDSUITEEXAMPLE";
const SECRET: &str = "suite/Secret+Key0123456789";
/// Perfdata whose value is a measured duration or a file's age: present in both, never equal.
const VARYING: &[&str] = &["time", "since_apply"];

fn sample(rel: &str) -> String {
    repo().join("samples").join(rel).display().to_string()
}

fn clc_scenario() -> PathBuf {
    repo().join("plugins/check_euca_clc/tests/fixtures/describe-services/07-healthy-4.4.xml")
}

/// The peers every plugin's service needs: NUT for check_ups, the CLC double (one zone's CC
/// failed over, so WARNING) for check_euca_clc; stopped on drop.
struct Peers {
    nut: Daemon,
    clc: ClcDouble,
}

impl Peers {
    fn start(tag: &str) -> Peers {
        require_programs(NUT);
        require_python_module(harness::peers::PYTHON, "botocore.auth", "python3-botocore");
        let nut = Daemon::start_on_port("nut", tag);
        let clc = ClcDouble::start(tag, &clc_scenario(), ACCESS, SECRET);
        clc.control(r#"{"states": {"one-cc-1": "NOTREADY", "one-cc-2": "ENABLED"}}"#);
        hand_to_nagios(&clc.eucarc());
        Peers { nut, clc }
    }
    fn ups(&self, name: &str) -> String {
        format!("{name}@127.0.0.1:{}", self.nut.port())
    }
}

/// One service per plugin: its Nagios command, the $ARGn$ given to it, and what the state must be.
struct Service {
    name: &'static str,
    command: &'static str,
    args: Vec<String>,
    state: i32,
}

fn services(peers: &Peers) -> Vec<Service> {
    vec![
        Service {
            name: "RAID",
            command: "euca_raid",
            args: vec![format!("--root {}", sample("hosts/raid-degraded"))],
            state: 2,
        },
        Service {
            name: "BOND",
            command: "euca_bond",
            args: vec![format!(
                "--mode 802.3ad --root {}",
                sample("hosts/bond-degraded")
            )],
            state: 2,
        },
        Service {
            name: "UPS",
            command: "euca_ups",
            args: vec![format!(
                "--ups {} --ups {} --charge-warning 50: --charge-critical 20: --load-warning 20",
                peers.ups("ups1"),
                peers.ups("ups2")
            )],
            state: 1,
        },
        Service {
            name: "CLC",
            command: "euca_clc",
            args: vec![format!(
                "--clc {} --credentials {} --zone one --zone two",
                peers.clc.clc(),
                peers.clc.eucarc().display()
            )],
            state: 1,
        },
        Service {
            name: "EUCA PROC",
            command: "euca_proc",
            args: vec![format!("--root {}", sample("hosts/euca-clc-crashed"))],
            state: 2,
        },
        Service {
            name: "SAN",
            command: "euca_san_path",
            args: vec![format!(
                "--root {} --mount /var/lib/eucalyptus/bukkits",
                sample("hosts/san-one-path-offline")
            )],
            state: 1,
        },
        Service {
            name: "EDGE",
            command: "euca_edge",
            args: vec![format!(
                "--root {}",
                sample("hosts/edge-missing-dhcp-entry")
            )],
            state: 2,
        },
    ]
}

/// The shipped (generated) Nagios commands: `$USER1$/PLUGIN $ARG1$`, every option in the
/// service's $ARG1$ (the credentials file's path among them).
fn nagios_commands(_peers: &Peers) -> String {
    shipped("nagios/euca-checks-commands.cfg")
}

/// Nagios 4 stores the status line with every ';' turned into ':' (checks.c replaces semicolons
/// in the short plugin output, not in long output or perfdata). This is the only change it
/// makes; everything else must arrive as printed.
fn nagios_sanitized(text: &str) -> String {
    text.replace(';', ":")
}

/// Long output with measured durations ("answered ... in 0.02 s") masked: two runs never
/// take the same time.
fn without_durations(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(" in ") {
        out.push_str(&rest[..i + 4]);
        rest = &rest[i + 4..];
        let number = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if number > 0 && rest[number..].starts_with(" s") {
            out.push('#');
            rest = &rest[number..];
        }
    }
    out.push_str(rest);
    out
}

/// The first line without perfdata, as Nagios and Icinga store plugin_output.
fn status_text(o: &Outcome) -> &str {
    o.first.split(" | ").next().unwrap_or("").trim_end()
}

#[test]
fn durations_are_masked_and_nothing_else() {
    assert_eq!(
        without_durations("answered by CLC 127.0.0.1:1 in 0.07 s (SigV2)\nin 3 sites in 2 s"),
        "answered by CLC 127.0.0.1:1 in # s (SigV2)\nin 3 sites in # s"
    );
}

/// NRPE with our snippet, the packaged paths pointed at the built plugins and each command at
/// a sample host tree (NRPE takes no arguments over the network: the line is the whole
/// command). Returns the daemon, its port and the snippet's (command name, command line)s.
fn start_nrpe(work: &Path) -> (Daemon, String, Vec<(String, String)>) {
    require_programs(&["nrpe", CHECK_NRPE]);
    let snippet = shipped("nrpe/euca-checks.cfg");
    // Each command at a sample: a host tree (--root), or saved answers for the plugins that
    // ask a BMC or a Riak node (check_riak's --node 127.0.0.1 then finds nothing listening).
    let root = |tree: &str| format!("--root {}", sample(tree));
    let samples = [
        ("check_raid", root("hosts/raid-degraded")),
        ("check_bond", root("hosts/bond-degraded")),
        ("check_euca_proc", root("hosts/euca-clc-crashed")),
        ("check_san_path", root("hosts/san-one-path-offline")),
        ("check_euca_edge", root("hosts/edge-missing-dhcp-entry")),
    ];
    let mut rendered = snippet.clone();
    for (name, args) in samples {
        rendered = rendered.replace(
            &format!("/usr/lib/nagios/plugins/{name} "),
            &format!("{} {args} ", plugin(name).display()),
        );
    }
    let all: Vec<(String, String)> = rendered
        .lines()
        .filter_map(|l| l.strip_prefix("command["))
        .filter_map(|l| l.split_once("]="))
        .map(|(name, line)| (name.to_string(), line.to_string()))
        .collect();
    let names: Vec<&str> = all.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "euca_raid",
            "euca_bond",
            "euca_disk",
            "euca_clock",
            "euca_proc",
            "euca_db",
            "euca_backup",
            "euca_san_path",
            "euca_edge"
        ],
        "the snippet's commands"
    );
    // Run here: those a sample tree stands in for. The CLC's database and backups need a
    // PostgreSQL and a backup set, the disk and clock checks are the standard plugins': the
    // generated snippets of tests/generated.rs run those through NRPE.
    let commands: Vec<(String, String)> = all
        .into_iter()
        .filter(|(_, line)| !line.contains("/usr/lib/nagios/plugins/"))
        .collect();
    let names: Vec<&str> = commands.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "euca_raid",
            "euca_bond",
            "euca_proc",
            "euca_san_path",
            "euca_edge"
        ],
        "the commands with a sample"
    );
    let include = work.join("euca-checks.cfg");
    std::fs::write(&include, &rendered).unwrap();
    let port = harness::free_port().to_string();
    let nrpe = Daemon::start(
        "nrpe",
        &work.join("nrpe"),
        &[&port],
        &[("NRPE_INCLUDE", include.display().to_string())],
    );
    (nrpe, port, commands)
}

#[test]
#[ignore = "needs nrpe and check_nrpe (nagios-nrpe-server, nagios-nrpe-plugin): run scripts/test"]
fn nrpe_carries_every_shipped_command_intact() {
    let work = WorkDir::new("nrpe");
    let (_nrpe, port, commands) = start_nrpe(work.path());

    for (name, line) in &commands {
        let via_nrpe = Plugin::new(CHECK_NRPE)
            .args(["-H", "127.0.0.1", "-p", &port, "-t", "20", "-c", name])
            .run();
        let direct = run_expanded(line, &bin_dir(), &[]);
        assert_ne!(direct.code, 0, "{name}: the sample should not be OK");
        assert_eq!(
            via_nrpe.code, direct.code,
            "{name} via NRPE:\n{}",
            via_nrpe.stdout
        );
        // Whole output equal, but for perfdata that differs between any two runs (a file's
        // age in seconds): then the status line, long output and the other items.
        if VARYING.iter().any(|v| direct.find_perf(v).is_some()) {
            assert_eq!(
                status_text(&via_nrpe),
                status_text(&direct),
                "NRPE changed {name}'s status line"
            );
            assert_eq!(
                via_nrpe.long, direct.long,
                "NRPE changed {name}'s long output"
            );
            assert_same_perfdata(&via_nrpe.perfdata_text, &direct, VARYING, name);
        } else {
            assert_eq!(
                via_nrpe.stdout, direct.stdout,
                "NRPE changed {name}'s output"
            );
        }
        assert!(!direct.long_lines.is_empty() && !direct.perfdata.is_empty());
    }
    // the first one, spelled out, so the comparison above can never compare two empty runs
    let raid = Plugin::new(CHECK_NRPE)
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
        .run();
    raid.expect_first(
        2,
        "RAID CRITICAL - md0 raid5 degraded [U_U], sdc1 failed | 'md0_active'=2;;;0;3",
        &["\n  -> replace the failed disk"],
    );
}

#[test]
#[ignore = "needs nagios4, nrpe, check_nrpe, nut-server and python3-botocore: run scripts/test"]
fn nagios_runs_every_command_definition_intact() {
    require_programs(&["nagios4"]);
    let peers = Peers::start("nagios");
    let work = WorkDir::new("nagios");
    // euca_nrpe: Nagios -> check_nrpe -> NRPE -> our snippet. $USER1$ holds our plugins and
    // check_nrpe, as /usr/lib/nagios/plugins does once installed; the port goes after the
    // command name in $ARG1$ (check_nrpe reads options in any order).
    let (_nrpe, nrpe_port, nrpe_commands) = start_nrpe(work.path());
    let user1 = work.path().join("plugins");
    std::fs::create_dir_all(&user1).unwrap();
    for name in [
        "check_raid",
        "check_bond",
        "check_ups",
        "check_euca_clc",
        "check_euca_proc",
        "check_san_path",
        "check_euca_edge",
    ] {
        std::os::unix::fs::symlink(plugin(name), user1.join(name)).unwrap();
    }
    std::os::unix::fs::symlink(CHECK_NRPE, user1.join("check_nrpe")).unwrap();
    let commands = nagios_commands(&peers);
    let recipe =
        std::fs::read_to_string(repo().join("tests/peers/nagios4/objects.cfg.in")).unwrap();
    let services = services(&peers);
    let mut objects = format!("{commands}\n{recipe}\n");
    let via_nrpe: Vec<(String, String)> = nrpe_commands
        .iter()
        .map(|(name, _)| (format!("{name} via NRPE"), format!("{name} -p {nrpe_port}")))
        .collect();
    for (description, arg) in &via_nrpe {
        objects.push_str(&format!(
            "define service {{\n    host_name testhost\n    service_description {description}\n    \
             check_command euca_nrpe!{arg}\n    max_check_attempts 1\n    check_interval 60\n    \
             retry_interval 60\n    check_period 24x7\n    contacts nobody\n    \
             notification_period 24x7\n}}\n"
        ));
    }
    for s in &services {
        objects.push_str(&format!(
            "define service {{\n    host_name testhost\n    service_description {}\n    \
             check_command {}!{}\n    max_check_attempts 1\n    check_interval 60\n    \
             retry_interval 60\n    check_period 24x7\n    contacts nobody\n    \
             notification_period 24x7\n}}\n",
            s.name,
            s.command,
            s.args.join("!")
        ));
    }
    let objects_file = work.path().join("objects.cfg.in");
    std::fs::write(&objects_file, objects).unwrap();
    let nagios_dir = work.path().join("nagios");
    let _nagios = Daemon::start(
        "nagios4",
        &nagios_dir,
        &[],
        &[
            ("NAGIOS_OBJECTS", objects_file.display().to_string()),
            ("NAGIOS_USER1", user1.display().to_string()),
        ],
    );
    for s in &services {
        let record = wait_for(
            Duration::from_secs(40),
            &format!("Nagios {}", s.name),
            || {
                let status = std::fs::read_to_string(nagios_dir.join("status.dat")).ok()?;
                nagios_record(&status, s.name)
            },
        );
        let args: Vec<&str> = s.args.iter().map(String::as_str).collect();
        let direct = run_expanded(
            &nagios_command_line(&commands, s.command),
            &bin_dir(),
            &args,
        );
        let who = format!("Nagios {}", s.name);
        assert_eq!(direct.code, s.state, "{who} direct:\n{}", direct.stdout);
        assert_eq!(record.state, direct.code, "{who}: {record:?}");
        assert_eq!(
            record.output,
            nagios_sanitized(status_text(&direct)),
            "{who}: status line"
        );
        assert_eq!(
            without_durations(&record.long),
            without_durations(direct.long.trim_end()),
            "{who}: long output"
        );
        assert!(
            !direct.long_lines.is_empty(),
            "{who}: no long output to compare"
        );
        assert_same_perfdata(&record.perfdata, &direct, VARYING, &who);
    }
    for ((description, _), (_, line)) in via_nrpe.iter().zip(&nrpe_commands) {
        let record = wait_for(
            Duration::from_secs(40),
            &format!("Nagios {description}"),
            || {
                let status = std::fs::read_to_string(nagios_dir.join("status.dat")).ok()?;
                nagios_record(&status, description)
            },
        );
        let direct = run_expanded(line, &bin_dir(), &[]);
        let who = format!("Nagios {description}");
        assert_ne!(direct.code, 0, "{who}: the sample should not be OK");
        assert_eq!(record.state, direct.code, "{who}: {record:?}");
        assert_eq!(
            record.output,
            nagios_sanitized(status_text(&direct)),
            "{who}: status line"
        );
        assert_eq!(record.long, direct.long.trim_end(), "{who}: long output");
        assert_same_perfdata(&record.perfdata, &direct, VARYING, &who);
    }
}

/// Icinga 2 variables for each service, the same options as `services()` gives Nagios.
fn icinga_vars(s: &Service, peers: &Peers) -> String {
    match s.command {
        "euca_raid" => format!("vars.euca_raid_root = \"{}\"", sample("hosts/raid-degraded")),
        "euca_bond" => format!(
            "vars.euca_bond_root = \"{}\"\n  vars.euca_bond_mode = \"802.3ad\"",
            sample("hosts/bond-degraded")
        ),
        "euca_ups" => format!(
            "vars.euca_ups_ups = [ \"{}\", \"{}\" ]\n  vars.euca_ups_charge_warning = \"50:\"\n  \
             vars.euca_ups_charge_critical = \"20:\"\n  vars.euca_ups_load_warning = \"20\"",
            peers.ups("ups1"),
            peers.ups("ups2")
        ),
        "euca_clc" => format!(
            "vars.euca_clc_clc = [ \"{}\" ]\n  vars.euca_clc_credentials = \"{}\"\n  \
             vars.euca_clc_zone = [ \"one\", \"two\" ]",
            peers.clc.clc(),
            peers.clc.eucarc().display()
        ),
        "euca_proc" => format!(
            "vars.euca_proc_root = \"{}\"",
            sample("hosts/euca-clc-crashed")
        ),
        "euca_san_path" => format!(
            "vars.euca_san_path_root = \"{}\"\n  vars.euca_san_path_mount = [ \"/var/lib/eucalyptus/bukkits\" ]",
            sample("hosts/san-one-path-offline")
        ),
        "euca_edge" => format!(
            "vars.euca_edge_root = \"{}\"",
            sample("hosts/edge-missing-dhcp-entry")
        ),
        other => panic!("no Icinga 2 variables for {other}"),
    }
}

/// The last perfdata-writer record of a service: [time, host, service, STATE, id, output, perfdata].
fn icinga_record(dir: &Path, service: &str) -> Option<Vec<String>> {
    let mut all = String::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("service-perfdata."))
        })
        .collect();
    files.sort();
    for f in files {
        all.push_str(&std::fs::read_to_string(f).unwrap_or_default());
    }
    // Records are "time\thost\tservice\tSTATE\tid\toutput\tperfdata\n"; output keeps its
    // newlines, so a record ends at the next record's "time\ttesthost\t" or at the end.
    let start = all.find(&format!("\ttesthost\t{service}\t"))?;
    let line_start = all[..start].rfind('\n').map_or(0, |i| i + 1);
    let rest = &all[line_start..];
    let fields: Vec<String> = rest.splitn(7, '\t').map(str::to_string).collect();
    if fields.len() < 7 {
        return None;
    }
    let mut fields = fields;
    // the perfdata field ends at its newline
    let perf = fields[6].split('\n').next().unwrap_or("").to_string();
    fields[6] = perf;
    Some(fields)
}

#[test]
#[ignore = "needs icinga2, nut-server and python3-botocore: run scripts/test"]
fn icinga2_runs_every_check_command_intact() {
    require_programs(&["icinga2"]);
    let peers = Peers::start("icinga2");
    let work = WorkDir::new("icinga2");
    let commands = repo().join("nagios-config/icinga2/euca-checks-commands.conf");
    let recipe =
        std::fs::read_to_string(repo().join("tests/peers/icinga2/icinga2.conf.in")).unwrap();
    let services = services(&peers);
    let mut config = format!(
        "{recipe}\nconst PluginDir = \"{bin}\"\ninclude \"{commands}\"\n",
        bin = bin_dir().display(),
        commands = commands.display(),
    );
    for s in &services {
        config.push_str(&format!(
            "apply Service \"{name}\" {{\n  check_command = \"{command}\"\n  check_interval = 2s\n  \
             retry_interval = 2s\n  max_check_attempts = 1\n  {vars}\n  \
             assign where host.vars.fake == true\n}}\n",
            name = s.name,
            command = s.command,
            vars = icinga_vars(s, &peers)
        ));
    }
    let conf = work.path().join("icinga2.conf.in");
    std::fs::write(&conf, config).unwrap();
    let icinga_dir = work.path().join("icinga2");
    let _icinga = Daemon::start(
        "icinga2",
        &icinga_dir,
        &[],
        &[("ICINGA2_CONF", conf.display().to_string())],
    );
    let nagios_commands = nagios_commands(&peers);
    for s in &services {
        let fields = wait_for(
            Duration::from_secs(40),
            &format!("Icinga 2 {}", s.name),
            || icinga_record(&icinga_dir, s.name),
        );
        // The reference: the Nagios definition with the same options (both give -t 10/15).
        let args: Vec<&str> = s.args.iter().map(String::as_str).collect();
        let direct = run_expanded(
            &nagios_command_line(&nagios_commands, s.command),
            &bin_dir(),
            &args,
        );
        let who = format!("Icinga 2 {}", s.name);
        assert_eq!(direct.code, s.state, "{who} direct:\n{}", direct.stdout);
        assert_eq!(fields[3], direct.state.word(), "{who}: {fields:?}");
        assert_eq!(fields[4], direct.code.to_string(), "{who}: {fields:?}");
        // Icinga 2 keeps the space before the '|' at the end of the first line.
        let (first, long) = fields[5].split_once('\n').unwrap_or((&fields[5], ""));
        assert_eq!(first.trim_end(), status_text(&direct), "{who}: status line");
        assert_eq!(
            without_durations(long),
            without_durations(direct.long.trim_end()),
            "{who}: long output"
        );
        assert_same_perfdata(&fields[6], &direct, VARYING, &who);
    }
}
