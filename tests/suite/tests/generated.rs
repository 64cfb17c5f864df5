//! `euca-checks generate`'s output inside the real daemons: `nagios4 -v` accepts the Nagios
//! objects generated for the reference deployment and for a one-zone loopback one; `icinga2
//! daemon -C` accepts the Icinga 2 configuration of both, single-master and distributed; a real
//! NRPE runs each loopback host's generated commands and check_nrpe hands back every plugin's
//! output (status line, long output, perfdata) and exit code intact; a real Nagios 4 runs a
//! host's generated services (through NRPE and from the monitor) and records the states and
//! outputs of direct runs.
//!
//! Every test here needs daemons, so each is #[ignore]d with what it needs: a plain
//! `cargo test` reports them as ignored; scripts/test installs the daemons and runs them.

use euca_checks::generate::{generate, Format, Output, Settings};
use euca_checks::plan::{self, Runs, Service};
use harness::peers::{require_programs, Daemon, WorkDir};
use harness::{Outcome, Plugin};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;
use suite::{assert_same_perfdata, nagios_record, plugin, repo, wait_for};

const CHECK_NRPE: &str = "/usr/lib/nagios/plugins/check_nrpe";
const STANDARD: &str = "/usr/lib/nagios/plugins";
/// Perfdata whose value is a measured duration: present in both, never equal.
const VARYING: &[&str] = &["time", "since_apply"];

/// The reference deployment's text.
fn reference() -> (String, String) {
    let path = repo().join("samples/topology/reference.toml");
    (
        "reference.toml".into(),
        std::fs::read_to_string(path).unwrap(),
    )
}

/// The loopback deployment, its sample trees made absolute.
fn loopback() -> (String, String) {
    let text =
        std::fs::read_to_string(repo().join("tests/suite/tests/fixtures/loopback.toml")).unwrap();
    let samples = repo().join("samples").display().to_string();
    (
        "loopback.toml".into(),
        text.replace("root = \"samples/", &format!("root = \"{samples}/")),
    )
}

fn topology((file, text): &(String, String)) -> topology::Topology {
    topology::parse(file, text).unwrap_or_else(|e| panic!("{e}"))
}

fn write(dir: &Path, outputs: &[Output]) {
    for o in outputs {
        let path = dir.join(&o.path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, &o.text).unwrap();
    }
}

/// A directory standing for /usr/lib/nagios/plugins: the built plugins of the suite and the
/// standard ones (check_nrpe, check_ping, check_disk ...), as once installed.
fn plugin_dir(work: &Path) -> PathBuf {
    let dir = work.join("plugins");
    std::fs::create_dir_all(&dir).unwrap();
    for k in euca_checks::plugins::all() {
        std::os::unix::fs::symlink(plugin(k.plugin.name), dir.join(k.plugin.name)).unwrap();
    }
    for p in [
        "check_nrpe",
        "check_ping",
        "check_disk",
        "check_ntp_time",
        "check_tcp",
    ] {
        std::os::unix::fs::symlink(Path::new(STANDARD).join(p), dir.join(p)).unwrap();
    }
    dir
}

/// All generated Nagios object files as one, for the recipe's single cfg_file.
fn nagios_objects(t: &topology::Topology, settings: &Settings) -> String {
    generate(t, settings)
        .unwrap()
        .into_iter()
        .map(|o| o.text)
        .collect()
}

fn nagios_verify(name: &str, objects: &str) {
    let work = WorkDir::new(&format!("gen-nagios-v-{name}"));
    let w = work.path();
    std::fs::create_dir_all(w.join("tmp")).unwrap();
    std::fs::create_dir_all(w.join("checkresults")).unwrap();
    let recipe = std::fs::read_to_string(repo().join("tests/peers/nagios4/nagios.cfg.in")).unwrap();
    let me = String::from_utf8(Command::new("id").arg("-un").output().unwrap().stdout).unwrap();
    let cfg = recipe
        .replace("@W@", &w.display().to_string())
        .replace("@USER@", me.trim())
        .replace("@GROUP@", me.trim());
    std::fs::write(w.join("nagios.cfg"), cfg).unwrap();
    std::fs::write(w.join("objects.cfg"), objects).unwrap();
    std::fs::write(w.join("resource.cfg"), format!("$USER1$={STANDARD}\n")).unwrap();
    let out = Command::new("nagios4")
        .arg("-v")
        .arg(w.join("nagios.cfg"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "nagios4 -v refused {name}:\n{text}");
    assert!(text.contains("Total Errors:   0"), "{name}:\n{text}");
    assert!(
        text.contains("Total Warnings: 0"),
        "{name}: warnings:\n{text}"
    );
}

/// nagios-config/ is generated (`euca-checks generate --commands-only
/// samples/topology/reference.toml -o nagios-config`): a hand edit, or a plugin option added
/// without regenerating, fails here.
#[test]
fn shipped_nagios_config_is_a_fresh_generation() {
    let file = "samples/topology/reference.toml";
    let text = std::fs::read_to_string(repo().join(file)).unwrap();
    let t = topology::parse(file, &text).unwrap();
    let outputs = generate(&t, &Settings::new(Format::Commands, file)).unwrap();
    assert_eq!(outputs.len(), 3);
    for o in outputs {
        let shipped = std::fs::read_to_string(repo().join("nagios-config").join(&o.path))
            .unwrap_or_else(|e| panic!("nagios-config/{}: {e}", o.path));
        assert!(
            shipped == o.text,
            "nagios-config/{} differs from a fresh generation: run euca-checks generate \
             --commands-only {file} -o nagios-config",
            o.path
        );
    }
}

/// The shipped Nagios commands and Icinga 2 CheckCommands load in the daemons too (the
/// suite's monitoring.rs runs some of them).
#[test]
#[ignore = "needs nagios4 (nagios4-core): run scripts/test"]
fn nagios_accepts_every_generated_config() {
    require_programs(&["nagios4"]);
    for (name, source) in [("reference", reference()), ("loopback", loopback())] {
        let t = topology(&source);
        let objects = nagios_objects(&t, &Settings::new(Format::Nagios, &source.0));
        // A service of each kind, so an empty generation cannot pass.
        assert!(objects.contains("define servicedependency") || name == "loopback");
        assert!(objects.contains("check_command                  euca_nrpe!euca_proc"));
        nagios_verify(name, &objects);
    }
}

#[test]
#[ignore = "needs icinga2: run scripts/test"]
fn icinga2_accepts_the_shipped_checkcommands() {
    require_programs(&["icinga2"]);
    let work = WorkDir::new("gen-icinga-shipped");
    std::fs::create_dir_all(work.path().join("zones.d")).unwrap();
    std::fs::write(
        work.path().join("zones.conf"),
        format!(
            "object Endpoint \"mon\" {{ }}\nobject Zone \"master\" {{ endpoints = [ \"mon\" ] }}\ninclude \"{}\"\n",
            repo().join("nagios-config/icinga2/euca-checks-commands.conf").display()
        ),
    )
    .unwrap();
    let log = icinga_verify("shipped", work.path(), "mon");
    // The ITL's and the suite's 15.
    assert!(instantiated(&log, "CheckCommands") > 15, "{log}");
}

fn icinga_verify(name: &str, dir: &Path, master: &str) -> String {
    let w = dir.join("run");
    for d in ["cache", "lib", "log", "run/icinga2", "spool"] {
        std::fs::create_dir_all(w.join(d)).unwrap();
    }
    let conf = w.join("icinga2.conf");
    std::fs::write(
        &conf,
        format!(
            "const PluginDir = \"{STANDARD}\"\nconst ConfigDir = \"/etc/icinga2\"\n\
             const NodeName = \"{master}\"\nconst ZoneName = \"master\"\n\
             include <itl>\ninclude <plugins>\ninclude \"{}\"\n",
            dir.join("zones.conf").display()
        ),
    )
    .unwrap();
    let me = |flag: &str| {
        String::from_utf8(Command::new("id").arg(flag).output().unwrap().stdout)
            .unwrap()
            .trim()
            .to_string()
    };
    let out = Command::new("icinga2")
        .args(["daemon", "-C", "-c"])
        .arg(&conf)
        .arg(format!("-DConfiguration.RunAsUser={}", me("-un")))
        .arg(format!("-DConfiguration.RunAsGroup={}", me("-gn")))
        .arg(format!(
            "-DConfiguration.DataDir={}",
            w.join("lib").display()
        ))
        .arg(format!(
            "-DConfiguration.CacheDir={}",
            w.join("cache").display()
        ))
        .arg(format!(
            "-DConfiguration.LogDir={}",
            w.join("log").display()
        ))
        .arg(format!(
            "-DConfiguration.SpoolDir={}",
            w.join("spool").display()
        ))
        .arg(format!(
            "-DConfiguration.InitRunDir={}",
            w.join("run").display()
        ))
        .arg(format!(
            "-DConfiguration.ZonesDir={}",
            dir.join("zones.d").display()
        ))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "icinga2 daemon -C refused {name}:\n{text}"
    );
    assert!(!text.contains("warning/"), "{name}: warnings:\n{text}");
    text
}

/// "Instantiated 125 Services." -> 125
fn instantiated(log: &str, what: &str) -> usize {
    log.lines()
        .find_map(|l| {
            let rest = l.split("Instantiated ").nth(1)?;
            let (n, kind) = rest.split_once(' ')?;
            (kind.trim_end_matches('.') == what).then(|| n.parse().ok())?
        })
        .unwrap_or(0)
}

#[test]
#[ignore = "needs icinga2: run scripts/test"]
fn icinga2_accepts_every_generated_config_distributed_included() {
    require_programs(&["icinga2"]);
    for (name, source) in [("reference", reference()), ("loopback", loopback())] {
        let t = topology(&source);
        let planned = plan::plan(&t).services.len();
        for distributed in [false, true] {
            let work = WorkDir::new(&format!("gen-icinga-{name}-{distributed}"));
            let mut settings = Settings::new(Format::Icinga2, &source.0);
            settings.distributed = distributed;
            write(work.path(), &generate(&t, &settings).unwrap());
            let log = icinga_verify(name, work.path(), &t.monitoring.name);
            // Every planned service became an object (the apply-for rule matched every host).
            assert_eq!(instantiated(&log, "Services"), planned, "{name}:\n{log}");
            let zones = 1 + 1 + t.hosts.len() + if distributed { t.zones.len() } else { 0 };
            assert_eq!(instantiated(&log, "Zones"), zones, "{name}:\n{log}");
        }
    }
}

/// The plugin's status line without perfdata (what Nagios keeps as plugin_output).
fn status_text(o: &Outcome) -> &str {
    o.first.split('|').next().unwrap_or("").trim_end()
}

/// Text with measured durations (" in 0.012 s") masked, as monitoring.rs does.
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

/// A run's result: the suite's plugins parsed (status line, long output, perfdata); the
/// standard plugins' lines are not the suite's format, so only their exit code and text.
enum Run {
    Ours(Box<Outcome>),
    Standard(i32, String),
}

impl Run {
    fn code(&self) -> i32 {
        match self {
            Run::Ours(o) => o.code,
            Run::Standard(code, _) => *code,
        }
    }
    fn text(&self) -> &str {
        match self {
            Run::Ours(o) => &o.stdout,
            Run::Standard(_, text) => text,
        }
    }
}

/// `program args` run as the service's kind of program.
fn run(s: &Service, program: &str, args: &[String]) -> Run {
    if s.ours {
        Run::Ours(Box::new(Plugin::new(program).args(args).run()))
    } else {
        let out = Command::new(program).args(args).output().unwrap();
        Run::Standard(
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    }
}

/// The service run directly, its program from the plugin directory: the reference.
fn direct(s: &Service, plugins: &Path) -> Run {
    run(s, &plugins.join(s.program).display().to_string(), &s.args())
}

fn assert_same(who: &str, relayed: &Run, direct: &Run) {
    assert_eq!(
        relayed.code(),
        direct.code(),
        "{who}: exit code\n{}\nvs\n{}",
        relayed.text(),
        direct.text()
    );
    if let (Run::Ours(relayed), Run::Ours(direct)) = (relayed, direct) {
        assert_eq!(
            status_text(relayed),
            status_text(direct),
            "{who}: status line"
        );
        assert_eq!(
            without_durations(&relayed.long),
            without_durations(&direct.long),
            "{who}: long output"
        );
        assert_same_perfdata(&relayed.perfdata_text, direct, VARYING, who);
    }
}

fn start_nrpe(work: &Path, host: &str, outputs: &[Output]) -> Daemon {
    let snippet = outputs
        .iter()
        .find(|o| o.path == format!("nrpe/{host}.cfg"))
        .unwrap_or_else(|| panic!("no NRPE snippet for {host}"));
    let include = work.join(format!("{host}.cfg"));
    std::fs::write(&include, &snippet.text).unwrap();
    let port = harness::free_port();
    let mut nrpe = Daemon::start(
        "nrpe",
        &work.join(format!("nrpe-{host}")),
        &[&port.to_string()],
        &[("NRPE_INCLUDE", include.display().to_string())],
    );
    nrpe.port = Some(port);
    nrpe
}

#[test]
#[ignore = "needs nrpe and check_nrpe (nagios-nrpe-server, nagios-nrpe-plugin): run scripts/test"]
fn nrpe_runs_each_hosts_generated_commands_intact() {
    require_programs(&["nrpe", CHECK_NRPE]);
    let work = WorkDir::new("gen-nrpe");
    let plugins = plugin_dir(work.path());
    let source = loopback();
    let t = topology(&source);
    let mut settings = Settings::new(Format::Nrpe, &source.0);
    settings.plugin_dir = plugins.display().to_string();
    let outputs = generate(&t, &settings).unwrap();
    let plan = plan::plan(&t);
    let mut compared = 0;
    let mut with_long = 0;
    for h in &t.hosts {
        let nrpe = start_nrpe(work.path(), &h.name, &outputs);
        for s in plan.for_host(&h.name).filter(|s| s.runs == Runs::OnHost) {
            let name = euca_checks::generate::nrpe_command(s);
            let args: Vec<String> = [
                "-H",
                "127.0.0.1",
                "-p",
                &nrpe.port().to_string(),
                "-t",
                "30:UNKNOWN",
                "-c",
                &name,
            ]
            .iter()
            .map(|a| a.to_string())
            .collect();
            let relayed = run(s, CHECK_NRPE, &args);
            let direct = direct(s, &plugins);
            let who = format!("{name} on {}", h.name);
            assert!(
                !relayed.text().contains("NRPE: Command"),
                "{who}: {}",
                relayed.text()
            );
            assert_same(&who, &relayed, &direct);
            compared += 1;
            if let Run::Ours(o) = &direct {
                if !o.long_lines.is_empty() {
                    with_long += 1;
                }
            }
        }
    }
    assert!(compared >= 10, "only {compared} commands compared");
    assert!(with_long >= 2, "only {with_long} commands with long output");
}

#[test]
#[ignore = "needs nagios4, nrpe and check_nrpe: run scripts/test"]
fn nagios_runs_generated_services_and_records_direct_results() {
    require_programs(&["nagios4", "nrpe", CHECK_NRPE]);
    let work = WorkDir::new("gen-nagios");
    let plugins = plugin_dir(work.path());
    // One host of the loopback deployment (its NRPE commands share names with the others').
    let (file, text) = loopback();
    let one = text.split("\n# An NC").next().unwrap().to_string();
    let source = (file, one);
    let t = topology(&source);
    assert_eq!(t.hosts.len(), 1);
    let host = &t.hosts[0].name;
    let mut nrpe_settings = Settings::new(Format::Nrpe, &source.0);
    nrpe_settings.plugin_dir = plugins.display().to_string();
    let nrpe = start_nrpe(work.path(), host, &generate(&t, &nrpe_settings).unwrap());
    let mut settings = Settings::new(Format::Nagios, &source.0);
    settings.nrpe_port = nrpe.port();
    let objects_file = work.path().join("objects.cfg.in");
    std::fs::write(&objects_file, nagios_objects(&t, &settings)).unwrap();
    let nagios_dir = work.path().join("nagios");
    let _nagios = Daemon::start(
        "nagios4",
        &nagios_dir,
        &[],
        &[
            ("NAGIOS_OBJECTS", objects_file.display().to_string()),
            ("NAGIOS_USER1", plugins.display().to_string()),
        ],
    );
    let plan = plan::plan(&t);
    let services: Vec<&Service> = plan.for_host(host).collect();
    assert!(services.iter().any(|s| s.runs == Runs::OnHost));
    assert!(services.iter().any(|s| s.runs == Runs::FromMonitor));
    for s in services {
        let record = wait_for(
            Duration::from_secs(60),
            &format!("Nagios {}", s.description),
            || {
                let status = std::fs::read_to_string(nagios_dir.join("status.dat")).ok()?;
                nagios_record(&status, &s.description)
            },
        );
        let direct = direct(s, &plugins);
        let who = format!("Nagios {}", s.description);
        assert_eq!(
            record.state,
            direct.code(),
            "{who}: {record:?}\ndirect: {}",
            direct.text()
        );
        if let Run::Ours(direct) = &direct {
            // Nagios 4 stores the status line with ';' turned into ':'.
            assert_eq!(
                record.output,
                status_text(direct).replace(';', ":"),
                "{who}: status line"
            );
            assert_eq!(
                without_durations(&record.long),
                without_durations(direct.long.trim_end()),
                "{who}: long output"
            );
            assert_same_perfdata(&record.perfdata, direct, VARYING, &who);
        }
    }
}
