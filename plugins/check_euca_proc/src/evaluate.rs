//! Pure evaluation: what was read of the host (processes, pid files, sockets, Heartbeat) and
//! the roles asked for, in; findings and perfdata out. No I/O here.

use crate::heartbeat::Component;
use crate::roles::{PortSpec, ProcSpec, Role, RoleSpec};
use crate::sockets::Listener;
use common::{Acquisition, Finding, Perfdata, Report, Uom};

/// One process as read from /proc.
#[derive(Debug, Clone, PartialEq)]
pub struct Proc {
    pub pid: u32,
    pub comm: String,
    pub argv: Vec<String>,
    /// Seconds since it started (from its start time and /proc/uptime).
    pub age: f64,
    /// From /proc/PID/status, read for the processes a role needs.
    pub threads: Option<u64>,
    pub rss_bytes: Option<u64>,
}

/// A pid file that exists (or could not be read) for a process spec.
#[derive(Debug, Clone, PartialEq)]
pub struct PidFile {
    pub owner: &'static str,
    /// The path as shown to the admin.
    pub path: String,
    pub got: Acquisition<u32>,
}

/// The Heartbeat as asked (or why not).
#[derive(Debug, Clone, PartialEq)]
pub struct Heartbeat {
    pub url: String,
    pub got: Acquisition<Vec<Component>>,
}

/// Everything read from the host.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Host {
    pub procs: Vec<Proc>,
    pub listeners: Vec<Listener>,
    pub unix_listening: Vec<String>,
    pub pid_files: Vec<PidFile>,
    pub heartbeat: Option<Heartbeat>,
    /// /proc/PID files that could not be read (hidepid): "PATH: why".
    pub unreadable_procs: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Rules {
    pub roles: Vec<&'static RoleSpec>,
    /// The port each role's port spec resolves to (conf settings and --port-override applied).
    pub port_of: Vec<(Role, u16, u16)>,
    pub expect_active: Vec<String>,
    /// A process up this long without its port is down, not starting.
    pub starting_grace: f64,
}

impl Rules {
    pub fn port(&self, role: Role, spec: &PortSpec) -> u16 {
        self.port_of
            .iter()
            .find(|(r, p, _)| *r == role && *p == spec.port)
            .map_or(spec.port, |(_, _, to)| *to)
    }
}

/// Does this process run this program (argv[0]'s file name, an interpreter's script, or the
/// kernel's 15-character comm), with the argument the spec requires?
pub fn matches(spec: &ProcSpec, p: &Proc) -> bool {
    let argv: Vec<&str> = p.argv.iter().map(String::as_str).collect();
    matches_argv(spec, &p.comm, &argv)
}

/// [`matches`] on a process not yet copied out of its /proc text (the scan asks this of every
/// process on the host, so it allocates nothing).
pub fn matches_argv(spec: &ProcSpec, comm: &str, argv: &[&str]) -> bool {
    fn base(a: &str) -> &str {
        a.rsplit('/').next().unwrap_or(a)
    }
    let argv0 = argv.first().map_or("", |a| base(a));
    // The kernel keeps 15 characters of the name (TASK_COMM_LEN 16 with the NUL).
    let comm_name = spec.program.get(..15).unwrap_or(spec.program);
    let by_name = argv0 == spec.program
        || (argv0.starts_with("python") && argv.get(1).is_some_and(|a| base(a) == spec.program))
        || comm == comm_name;
    by_name
        && spec
            .arg_suffix
            .is_none_or(|s| argv.iter().any(|a| a.ends_with(s)))
}

pub fn evaluate(host: &Host, rules: &Rules) -> Report {
    let mut report = Report::new();
    let mut seen_specs: Vec<&'static str> = Vec::new();
    let mut running = 0usize;
    let mut ports_ok: Vec<u16> = Vec::new();
    for role in &rules.roles {
        let mut role_procs = 0usize;
        for spec in role.processes {
            let matched: Vec<&Proc> = host.procs.iter().filter(|p| matches(spec, p)).collect();
            role_procs += matched.len();
            if seen_specs.contains(&spec.label) {
                continue; // shared by two roles (the JVM): judged once
            }
            seen_specs.push(spec.label);
            running += matched.len();
            process_rule(&mut report, host, role, spec, &matched);
        }
        report.perf(Perfdata::new(format!("{}_processes", role.name), role_procs as f64).min(0.0));
    }
    let mut seen_ports: Vec<u16> = Vec::new();
    for role in &rules.roles {
        for spec in role.ports {
            let port = rules.port(role.role, spec);
            if seen_ports.contains(&port) {
                continue;
            }
            seen_ports.push(port);
            if port_rule(&mut report, host, role, spec, port, rules.starting_grace) {
                ports_ok.push(port);
            }
        }
        for (path, owner) in role.sockets {
            socket_rule(&mut report, host, role, path, owner);
        }
    }
    if let Some(hb) = &host.heartbeat {
        heartbeat_rule(&mut report, hb, rules);
    }
    let names: Vec<&str> = rules.roles.iter().map(|r| r.name).collect();
    let ports: Vec<String> = ports_ok.iter().map(|p| p.to_string()).collect();
    report.ok_summary(format!(
        "{}: {running} process{} running{}",
        names.join(", "),
        if running == 1 { "" } else { "es" },
        if ports.is_empty() {
            String::new()
        } else {
            format!(", listening on {}", ports.join(", "))
        }
    ));
    report
}

fn label(name: &str) -> String {
    name.replace('-', "_")
}

/// 3d4h, 5h12m, 7m, 42s.
pub fn human_age(secs: f64) -> String {
    let s = secs.max(0.0) as u64;
    match s {
        0..=119 => format!("{s}s"),
        120..=3599 => format!("{}m", s / 60),
        3600..=86399 => format!("{}h{}m", s / 3600, s % 3600 / 60),
        _ => format!("{}d{}h", s / 86400, s % 86400 / 3600),
    }
}

/// The process is there, or crashed (its pid file names a pid that is gone), or not running.
fn process_rule(
    report: &mut Report,
    host: &Host,
    role: &RoleSpec,
    spec: &ProcSpec,
    matched: &[&Proc],
) {
    let files: Vec<&PidFile> = host
        .pid_files
        .iter()
        .filter(|f| f.owner == spec.label)
        .collect();
    let mut stale: Vec<String> = Vec::new();
    for f in &files {
        match &f.got {
            Acquisition::Read(pid) => {
                if !matched.iter().any(|p| p.pid == *pid) {
                    let now = match host.procs.iter().find(|p| p.pid == *pid) {
                        Some(other) => format!("pid {pid} is now '{}'", other.comm),
                        None => format!("pid {pid} gone"),
                    };
                    stale.push(format!("{}: {now}", f.path));
                }
            }
            other => {
                if let Some(finding) = other.finding() {
                    report.add(finding);
                }
            }
        }
    }
    let hint = format!("{}; read {} first", role.restore, spec.log);
    if matched.is_empty() && !host.unreadable_procs.is_empty() {
        // Not among the processes we could read: it may be one of those we could not.
        let n = host.unreadable_procs.len();
        report.add(
            Finding::unknown(format!(
                "{} not found, but {n} /proc file{} could not be read (first: {})",
                spec.label,
                if n == 1 { "" } else { "s" },
                host.unreadable_procs[0]
            ))
            .summary(format!(
                "{} not found among the processes readable: {n} unreadable (/proc mounted with hidepid?)",
                spec.label
            ))
            .hint("run the check as root (NRPE through sudo) or in the group /proc's gid= option names"),
        );
        return;
    }
    if matched.is_empty() {
        let (summary, detail) = if let Some(s) = stale.first() {
            (
                format!("{} crashed (stale pid file)", spec.label),
                format!("{} crashed (stale pid file {s})", spec.label),
            )
        } else {
            let why = if files.is_empty() && !spec.pid_files.is_empty() {
                " (no pid file)"
            } else {
                ""
            };
            (
                format!("{} not running", spec.label),
                format!("{} ({}) not running{why}", spec.label, role.name),
            )
        };
        let summary = match spec.down_for_users {
            Some(service) => format!("{service} is down for users: {summary}"),
            None => summary,
        };
        report.add(Finding::critical(detail).summary(summary).hint(hint));
        return;
    }
    // The first started (the master of a pre-forked server); the lowest pid among equals.
    let oldest = matched
        .iter()
        .copied()
        .max_by(|a, b| a.age.total_cmp(&b.age).then(b.pid.cmp(&a.pid)));
    if let Some(first) = oldest {
        report.perf(
            Perfdata::new(
                format!("{}_uptime", label(spec.label)),
                first.age.max(0.0).round(),
            )
            .uom(Uom::Seconds)
            .min(0.0),
        );
    }
    if let Some(s) = stale.first() {
        let pids: Vec<String> = matched.iter().map(|p| p.pid.to_string()).collect();
        report.add(
            Finding::warning(format!(
                "{} runs as pid {} but its pid file is stale ({s}): its init script cannot stop it",
                spec.label,
                pids.join(", ")
            ))
            .summary(format!("{} pid file stale", spec.label))
            .hint(format!(
                "stop the process by pid and restart it through its unit; {hint}"
            )),
        );
    }
    let mut detail = format!(
        "{} ({}): {} process{}, pid {}, up {}",
        spec.label,
        role.name,
        matched.len(),
        if matched.len() == 1 { "" } else { "es" },
        oldest.map_or(0, |p| p.pid),
        human_age(oldest.map_or(0.0, |p| p.age))
    );
    if spec.jvm {
        // The JVM is the process with the most threads (the launcher's controller has few).
        if let Some(jvm) = matched
            .iter()
            .filter(|p| p.threads.is_some())
            .max_by_key(|p| p.threads)
        {
            if let Some(rss) = jvm.rss_bytes {
                report.perf(
                    Perfdata::new("jvm_rss", rss as f64)
                        .uom(Uom::Bytes)
                        .min(0.0),
                );
                detail.push_str(&format!(", JVM RSS {} MiB", rss / (1024 * 1024)));
            }
            if let Some(t) = jvm.threads {
                report.perf(Perfdata::new("jvm_threads", t as f64).min(0.0));
                detail.push_str(&format!(", {t} thread{}", if t == 1 { "" } else { "s" }));
            }
        }
    }
    report.add(Finding::ok(detail));
}

fn listening(host: &Host, port: u16) -> bool {
    host.listeners.iter().any(|l| l.port == port)
}

/// Returns whether the port listens.
fn port_rule(
    report: &mut Report,
    host: &Host,
    role: &RoleSpec,
    spec: &PortSpec,
    port: u16,
    grace: f64,
) -> bool {
    if listening(host, port) {
        report.add(Finding::ok(format!(
            "port {port} ({}) listening",
            spec.what
        )));
        return true;
    }
    let owner = role.processes.iter().find(|p| p.label == spec.owner);
    let up: Vec<&Proc> = owner
        .map(|o| host.procs.iter().filter(|p| matches(o, p)).collect())
        .unwrap_or_default();
    let age = up.iter().map(|p| p.age).fold(f64::NAN, f64::max);
    let hint = match owner {
        Some(o) => format!("{}; read {} first", role.restore, o.log),
        None => role.restore.to_string(),
    };
    if up.is_empty() {
        // Its process is down: that finding says so; this one only in the long output.
        report.add(Finding::critical(format!(
            "port {port} ({}) not listening: {} not running",
            spec.what, spec.owner
        )));
    } else if age <= grace {
        report.add(
            Finding::warning(format!(
                "{} starting: up {}, port {port} ({}) not listening yet",
                spec.owner,
                human_age(age),
                spec.what
            ))
            .summary(format!(
                "{} starting (port {port} not listening yet)",
                spec.owner
            )),
        );
    } else {
        report.add(
            Finding::critical(format!(
                "{} up {} but port {port} ({}) not listening (longer than the {}s start-up grace)",
                spec.owner,
                human_age(age),
                spec.what,
                grace
            ))
            .summary(format!("{} not listening on port {port}", spec.owner))
            .hint(hint),
        );
    }
    false
}

fn socket_rule(report: &mut Report, host: &Host, role: &RoleSpec, path: &str, owner: &str) {
    // /var/run is /run on EL7; a socket may be shown under either.
    let alt = path.strip_prefix("/run/").map(|r| format!("/var/run/{r}"));
    if host
        .unix_listening
        .iter()
        .any(|p| p == path || Some(p) == alt.as_ref())
    {
        report.add(Finding::ok(format!("socket {path} ({owner}) listening")));
        return;
    }
    let up = role
        .processes
        .iter()
        .find(|p| p.label == owner)
        .is_some_and(|o| host.procs.iter().any(|p| matches(o, p)));
    let f = Finding::critical(format!("socket {path} ({owner}) not listening"));
    report.add(if up {
        f.summary(format!("{owner} not listening on {path}"))
            .hint(role.restore)
    } else {
        f
    });
}

fn heartbeat_rule(report: &mut Report, hb: &Heartbeat, rules: &Rules) {
    let components = match &hb.got {
        Acquisition::Read(c) => c,
        Acquisition::Unreachable { why, .. } => {
            report.add(
                Finding::critical(format!(
                    "eucalyptus-cloud not answering the Heartbeat at {} ({why})",
                    hb.url
                ))
                .summary("eucalyptus-cloud not answering")
                .hint(format!(
                    "a JVM that accepts no requests is hung or still booting: {}; read {} first",
                    crate::roles::spec(Role::Clc).restore,
                    crate::roles::spec(Role::Clc).processes[0].log
                )),
            );
            return;
        }
        other => {
            if let Some(f) = other.finding() {
                report.add(f);
            }
            return;
        }
    };
    let find = |name: &str| components.iter().find(|c| c.name == name);
    let mut wanted: Vec<(&str, Option<&str>)> = Vec::new();
    for role in &rules.roles {
        for c in role.components {
            wanted.push((c, Some(role.name)));
        }
    }
    for c in &rules.expect_active {
        if !wanted.iter().any(|(w, _)| w == c) {
            wanted.push((c.as_str(), None));
        }
    }
    for (name, role) in wanted {
        let expect = rules.expect_active.iter().any(|e| e == name);
        let whose = role.map_or(String::new(), |r| format!(" (role {r})"));
        match find(name) {
            Some(c) if c.local && c.enabled => {
                report.add(Finding::ok(format!(
                    "Heartbeat: {name}{whose} hosted here and enabled"
                )));
            }
            Some(c) if c.local && expect => {
                report.add(
                    Finding::warning(format!(
                        "Heartbeat: {name}{whose} hosted here but not enabled (expected active)"
                    ))
                    .summary(format!("{name} local but not enabled"))
                    .hint("see which host has it ENABLED (euserv-describe-services); a passive one takes over only on failover"),
                );
            }
            Some(c) if c.local => {
                report.add(Finding::ok(format!(
                    "Heartbeat: {name}{whose} hosted here, not enabled (passive; --expect-active {name} to warn)"
                )));
            }
            _ => {
                report.add(
                    Finding::warning(format!(
                        "Heartbeat: this JVM hosts no {name} service{whose}: not registered on this host?"
                    ))
                    .summary(format!("{name} not hosted by this JVM"))
                    .hint("check the registration (euserv-describe-services) and the --role given"),
                );
            }
        }
    }
    let local: Vec<String> = components
        .iter()
        .filter(|c| c.local)
        .map(|c| {
            let role = crate::roles::role_of_component(&c.name)
                .map(|r| format!("={}", crate::roles::spec(r).name))
                .unwrap_or_default();
            format!(
                "{}{role}{}",
                c.name,
                if c.enabled { "" } else { " (not enabled)" }
            )
        })
        .collect();
    report.verbose(
        0,
        format!("Heartbeat {}: hosted here: {}", hb.url, local.join(", ")),
    );
    let enabled = components.iter().filter(|c| c.local && c.enabled).count();
    report.perf(Perfdata::new("components_enabled", enabled as f64).min(0.0));
    report.perf(
        Perfdata::new(
            "components_local",
            components.iter().filter(|c| c.local).count() as f64,
        )
        .min(0.0),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::roles::spec;
    use common::Status;

    fn proc(pid: u32, comm: &str, argv: &[&str]) -> Proc {
        Proc {
            pid,
            comm: comm.into(),
            argv: argv.iter().map(|a| a.to_string()).collect(),
            age: 100.0,
            threads: Some(1),
            rss_bytes: Some(1024),
        }
    }

    fn rules(role: Role) -> Rules {
        Rules {
            roles: vec![spec(role)],
            port_of: Vec::new(),
            expect_active: Vec::new(),
            starting_grace: 600.0,
        }
    }

    #[test]
    fn processes_are_told_by_argv0_script_or_comm_and_config_argument() {
        let jvm = &spec(Role::Clc).processes[0];
        assert!(matches(
            jvm,
            &proc(1, "eucalyptus-clou", &["/usr/sbin/eucalyptus-cloud"])
        ));
        assert!(matches(
            jvm,
            &proc(1, "sleep", &["eucalyptus-cloud", "600"])
        ));
        assert!(matches(jvm, &proc(1, "eucalyptus-clou", &[])));
        assert!(!matches(
            jvm,
            &proc(1, "java", &["/usr/bin/java", "eucalyptus-cloud"])
        ));
        let cc = &spec(Role::Cc).processes[0];
        let nc = &spec(Role::Nc).processes[0];
        let httpd_cc = proc(
            2,
            "httpd",
            &["/usr/sbin/httpd", "-f", "/run/eucalyptus/httpd-cc.conf"],
        );
        assert!(matches(cc, &httpd_cc) && !matches(nc, &httpd_cc));
        assert!(!matches(
            cc,
            &proc(2, "httpd", &["/usr/sbin/httpd", "-DFOREGROUND"])
        ));
        let console = &spec(Role::Console).processes[0];
        assert!(matches(
            console,
            &proc(
                3,
                "eucaconsole",
                &["/usr/bin/python2", "/usr/bin/eucaconsole"]
            )
        ));
    }

    #[test]
    fn a_process_not_found_on_a_partial_view_of_proc_is_unknown() {
        let listening = vec![
            Listener {
                addr: "0.0.0.0".parse().unwrap(),
                port: 8773,
            },
            Listener {
                addr: "0.0.0.0".parse().unwrap(),
                port: 8777,
            },
        ];
        let host = Host {
            unreadable_procs: vec!["/proc/2817/cmdline: permission denied".into()],
            listeners: listening.clone(),
            ..Host::default()
        };
        let r = evaluate(&host, &rules(Role::Clc));
        assert_eq!(r.status(), Status::Unknown);
        assert!(r.summary_text().contains("hidepid"), "{}", r.summary_text());
        // Its port not listening is a fact of /proc/net/tcp, readable: CRITICAL still.
        let deaf = Host {
            listeners: Vec::new(),
            ..host.clone()
        };
        assert_eq!(
            evaluate(&deaf, &rules(Role::Clc)).status(),
            Status::Critical
        );
        // Found anyway: judged as usual.
        let host = Host {
            procs: vec![proc(
                2817,
                "eucalyptus-clou",
                &["/usr/sbin/eucalyptus-cloud"],
            )],
            ..host
        };
        assert_eq!(evaluate(&host, &rules(Role::Clc)).status(), Status::Ok);
    }

    #[test]
    fn ages_read_as_an_admin_reads_them() {
        assert_eq!(human_age(42.0), "42s");
        assert_eq!(human_age(600.0), "10m");
        assert_eq!(human_age(7260.0), "2h1m");
        assert_eq!(human_age(273600.0), "3d4h");
        assert_eq!(human_age(-5.0), "0s");
    }
}
