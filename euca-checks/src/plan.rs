//! What the topology asks to be watched: every service of every host, with the plugin, its
//! options, where it must run and how urgent it is. One plan, three consumers: the Nagios /
//! NRPE / Icinga 2 generators write it out, `euca-checks run` executes it. Pure: topology in,
//! plan out.
//!
//! Placement follows what each plugin reads: host files, local tools and local sockets
//! (RAID, bonds, SAN paths, processes, EDGE, the CLC's database and backups, disks, the clock)
//! run ON the host (NRPE or an Icinga 2 agent); network peers (UPS daemons, BMCs over the LAN,
//! the CLC's API, DNS names, Riak's HTTP) are asked FROM the monitoring server (or the zone's
//! satellite).

use topology::{Host, ObjectStorage, Raid, Role, Topology};

/// Where a check runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Runs {
    /// On the host itself: it reads the host (NRPE command / Icinga 2 `command_endpoint`).
    OnHost,
    /// On the monitoring server (or the zone's satellite), asking the host over the network.
    FromMonitor,
}

/// What a failure of the service costs, for intervals and escalation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layer {
    /// Hardware under the components (RAID, power, bonds, BMC, SAN paths, disks, clock).
    Hardware,
    /// The Eucalyptus platform: service states, processes, endpoints, capacity, networking.
    Platform,
    /// Operations: backups, properties drift, the topology audit. Checked rarely.
    Operations,
}

/// One command-line option as the plan gives it: `--flag` and its value, or a bare flag.
/// Repeatable options appear once per value, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opt {
    pub flag: &'static str,
    pub value: Option<String>,
}

impl Opt {
    pub fn new(flag: &'static str, value: impl Into<String>) -> Opt {
        Opt {
            flag,
            value: Some(value.into()),
        }
    }
    pub fn flag(flag: &'static str) -> Opt {
        Opt { flag, value: None }
    }
}

/// One service to watch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    /// The host object it belongs to (a topology host, or one of [`Plan::extra_hosts`]).
    pub host: String,
    /// Nagios `service_description`, what an admin reads: "RAID", "Eucalyptus services".
    pub description: String,
    /// A short identifier: NRPE command `euca_<id>`, Icinga 2 service name.
    pub id: String,
    /// The program: one of the suite's plugins (`check_raid`) or a standard monitoring plugin.
    pub program: &'static str,
    /// True for the suite's own plugins, false for monitoring-plugins (check_disk ...).
    pub ours: bool,
    pub opts: Vec<Opt>,
    pub runs: Runs,
    pub layer: Layer,
    /// Part of the Eucalyptus Core (the guide: must run for the cloud to be available):
    /// notified faster, escalated to the pager.
    pub core: bool,
    /// Services this one is not alarmed for while they are down: `(host, id)`.
    pub depends_on: Vec<(String, String)>,
}

impl Service {
    /// argv without the program name.
    pub fn args(&self) -> Vec<String> {
        let mut out = Vec::new();
        for o in &self.opts {
            out.push(o.flag.to_string());
            if let Some(v) = &o.value {
                out.push(v.clone());
            }
        }
        out
    }
}

/// A host object that is not a server of the topology: a DNS name end users reach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtraHost {
    pub name: String,
    pub address: String,
    pub about: String,
    /// The servers answering behind the name: it is unreachable (not down) only when all of
    /// them are down (Nagios `parents`, Icinga 2 a redundancy group).
    pub behind: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub services: Vec<Service>,
    pub extra_hosts: Vec<ExtraHost>,
}

impl Plan {
    pub fn for_host<'a>(&'a self, host: &'a str) -> impl Iterator<Item = &'a Service> {
        self.services.iter().filter(move |s| s.host == host)
    }
}

/// Where the monitoring server keeps the BMC monitoring user's password (mode 0600).
pub const IPMI_PASSWORD_FILE: &str = "/etc/nagios/euca/ipmi-password";
/// The BMC user the checks log in as (a user with the `user` privilege level).
pub const IPMI_USER: &str = "monitor";
/// The properties baseline the monitoring server compares against: copy the backed-up
/// listing there after each backup (`euctl` / `euca-describe-properties` output).
pub const PROPERTIES_BASELINE: &str = "/etc/nagios/euca/properties-baseline";
/// Seconds each plugin may take: below NRPE's and check_nrpe's 30 s, so the plugin's own
/// UNKNOWN (naming what hung) arrives instead of theirs.
pub const TIMEOUT: &str = "10";
/// The Eucalyptus data directory and the NCs' instance store, watched with check_disk.
pub const EUCA_DATA: &str = "/var/lib/eucalyptus";
pub const INSTANCE_STORE: &str = "/var/lib/eucalyptus/instances";

pub fn plan(t: &Topology) -> Plan {
    let mut plan = Plan {
        services: Vec::new(),
        extra_hosts: Vec::new(),
    };
    for h in &t.hosts {
        hardware(t, h, &mut plan.services);
        software(t, h, &mut plan.services);
    }
    cloud(t, &mut plan);
    dependencies(t, &mut plan.services);
    simulation(t, &mut plan.services);
    plan
}

/// A service with the defaults most have; the caller fills in the rest.
fn service(
    h: &Host,
    id: &str,
    description: &str,
    program: &'static str,
    runs: Runs,
    layer: Layer,
) -> Service {
    let ours = program.starts_with("check_")
        && !matches!(
            program,
            "check_disk" | "check_ntp_time" | "check_tcp" | "check_ping" | "check_nrpe"
        );
    let mut opts = vec![Opt::new("-t", TIMEOUT)];
    // Only plugins that read host files take --root.
    let reads_host = crate::plugins::find(program).is_some_and(|k| k.plugin.reads_host);
    if reads_host && runs == Runs::OnHost {
        if let Some(root) = &h.root {
            opts.push(Opt::new("--root", root.clone()));
        }
    }
    if !ours {
        opts.clear();
    }
    Service {
        host: h.name.clone(),
        description: description.to_string(),
        id: id.to_string(),
        program,
        ours,
        opts,
        runs,
        layer,
        core: h.is_core(),
        depends_on: Vec::new(),
    }
}

/// The guide's Part 1 hardware: RAID, bonds, power (UPS, power supplies), BMC, SAN paths;
/// plus the disks and the clock every Eucalyptus host needs.
fn hardware(t: &Topology, h: &Host, out: &mut Vec<Service>) {
    if let Some(raid) = h.raid.filter(|r| *r != Raid::None) {
        let mut s = service(
            h,
            "raid",
            "RAID",
            "check_raid",
            Runs::OnHost,
            Layer::Hardware,
        );
        s.opts.push(Opt::new("--controller", raid.name()));
        if raid != Raid::Md {
            // The controller tools need root (packaging/sudoers); their answer is cached so
            // a slow controller is asked at most every 5 minutes.
            s.opts.push(Opt::flag("--sudo"));
            s.opts.push(Opt::new("--max-age", "300"));
        }
        if let Some(n) = h.raid_arrays {
            s.opts.push(Opt::new("--expect", n.to_string()));
        }
        out.push(s);
    }
    if !h.bonds.is_empty() || !h.teams.is_empty() {
        let mut s = service(
            h,
            "bond",
            "Bonded NICs",
            "check_bond",
            Runs::OnHost,
            Layer::Hardware,
        );
        s.opts
            .extend(h.bonds.iter().map(|b| Opt::new("--bond", b.clone())));
        s.opts
            .extend(h.teams.iter().map(|b| Opt::new("--team", b.clone())));
        s.opts.push(Opt::new("--mode", h.bond_mode.clone()));
        if !h.teams.is_empty() {
            s.opts.push(Opt::flag("--sudo"));
            s.opts.push(Opt::new("--teamdctl", "/usr/bin/teamdctl"));
        }
        out.push(s);
    }
    if !h.ups.is_empty() || !h.apcupsd.is_empty() {
        let mut s = service(
            h,
            "ups",
            "UPS",
            "check_ups",
            Runs::FromMonitor,
            Layer::Hardware,
        );
        s.opts
            .extend(h.ups.iter().map(|u| Opt::new("--ups", u.to_string())));
        s.opts
            .extend(h.apcupsd.iter().map(|a| Opt::new("--apcupsd", a.clone())));
        s.opts.push(Opt::new("--charge-warning", "50:"));
        s.opts.push(Opt::new("--charge-critical", "20:"));
        s.opts.push(Opt::new("--runtime-warning", "600:"));
        s.opts.push(Opt::new("--runtime-critical", "300:"));
        out.push(s);
    }
    if h.bmc.is_some() || h.bmc_local {
        let runs = if h.bmc_local {
            Runs::OnHost
        } else {
            Runs::FromMonitor
        };
        let mut s = service(
            h,
            "ipmi",
            "BMC sensors",
            "check_ipmi",
            runs,
            Layer::Hardware,
        );
        s.opts[0] = Opt::new("-t", "15");
        match (&h.bmc, h.bmc_local) {
            (_, true) => s.opts.push(Opt::flag("--sudo")),
            (Some(bmc), false) => {
                s.opts.push(Opt::new("--host", bmc.clone()));
                s.opts.push(Opt::new("--user", IPMI_USER));
                s.opts.push(Opt::new("--password-file", IPMI_PASSWORD_FILE));
            }
            (None, false) => {}
        }
        s.opts.push(Opt::new("--psu-count", h.psus.to_string()));
        s.opts.push(Opt::flag("--chassis"));
        s.opts.push(Opt::flag("--sel"));
        out.push(s);
    }
    if !h.san_maps.is_empty() || !h.iscsi_targets.is_empty() || !h.san_mounts.is_empty() {
        let mut s = service(
            h,
            "san_path",
            "SAN paths",
            "check_san_path",
            Runs::OnHost,
            Layer::Hardware,
        );
        s.opts
            .extend(h.san_maps.iter().map(|m| Opt::new("--map", m.clone())));
        s.opts.extend(
            h.iscsi_targets
                .iter()
                .map(|m| Opt::new("--target", m.clone())),
        );
        s.opts
            .extend(h.san_mounts.iter().map(|m| Opt::new("--mount", m.clone())));
        if h.san_maps.is_empty() {
            s.opts.push(Opt::flag("--no-multipath"));
        } else {
            s.opts.push(Opt::flag("--sudo"));
            s.opts.push(Opt::new("--multipath", "/usr/sbin/multipath"));
        }
        if !h.san_mounts.is_empty() {
            s.opts.push(Opt::flag("--write-test"));
        }
        out.push(s);
    }
    if h.roles.iter().any(|r| *r != Role::Riak) {
        let mut s = service(
            h,
            "disk",
            "Disk",
            "check_disk",
            Runs::OnHost,
            Layer::Hardware,
        );
        // The directories are the host's files: under `root` when the host is simulated.
        let under_root = |p: &str| match &h.root {
            Some(root) => format!("{}{p}", root.trim_end_matches('/')),
            None => p.to_string(),
        };
        s.opts = vec![
            Opt::new("-w", "20%"),
            Opt::new("-c", "10%"),
            Opt::new("-p", under_root(EUCA_DATA)),
        ];
        if h.has(Role::Nc) {
            s.opts.push(Opt::new("-p", under_root(INSTANCE_STORE)));
        }
        out.push(s);
        // Request signatures (SigV2/V4) are refused with clock skew: every component host's
        // clock must agree with the site's time source.
        let mut s = service(
            h,
            "clock",
            "Clock",
            "check_ntp_time",
            Runs::OnHost,
            Layer::Hardware,
        );
        s.opts = vec![
            Opt::new("-H", ntp_server(t)),
            Opt::new("-w", "0.5"),
            Opt::new("-c", "1"),
        ];
        out.push(s);
    }
}

/// The time source hosts are compared with: the cloud's DNS server if named (sites run their
/// NTP there), else the monitoring server.
fn ntp_server(t: &Topology) -> String {
    match &t.cloud.dns_server {
        // The DNS server's address, not its DNS port (`10.0.0.2:5353`, `[fd00::2]:53`).
        Some(dns) => match dns.rsplit_once(':') {
            Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) && !host.is_empty() => {
                if host.matches(':').count() > 0 && !host.starts_with('[') {
                    dns.clone() // a bare IPv6 address: its last group is no port
                } else {
                    host.trim_start_matches('[')
                        .trim_end_matches(']')
                        .to_string()
                }
            }
            _ => dns.clone(),
        },
        None => t.monitoring.address.clone(),
    }
}

/// `[simulation.args]` of the topology (tests and simulations only): each option given there
/// takes the place of the plan's option of that name (the first not yet replaced), or is added.
/// `--input NAME=FILE` given twice is added twice; `!--flag` drops the plan's `--flag` (an
/// option a simulated host cannot take, such as check_san_path's `--write-test` under `--root`).
fn simulation(t: &Topology, services: &mut [Service]) {
    for sim in &t.simulation {
        for s in services
            .iter_mut()
            .filter(|s| (sim.host == "*" || s.host == sim.host) && s.id == sim.service)
        {
            for drop in sim.args.iter().filter_map(|a| a.strip_prefix('!')) {
                s.opts.retain(|o| o.flag != drop);
            }
            let mut replaced = vec![false; s.opts.len()];
            let mut i = 0;
            while i < sim.args.len() {
                let flag = &sim.args[i];
                if flag.starts_with('!') {
                    i += 1;
                    continue;
                }
                let value = sim
                    .args
                    .get(i + 1)
                    .filter(|v| {
                        (!v.starts_with('-') || v.parse::<f64>().is_ok()) && !v.starts_with("!--")
                    })
                    .cloned();
                i += 1 + usize::from(value.is_some());
                let at = s
                    .opts
                    .iter()
                    .enumerate()
                    .position(|(k, o)| o.flag == flag.as_str() && !replaced[k]);
                match at {
                    Some(k) => {
                        s.opts[k].value = value;
                        replaced[k] = true;
                    }
                    None => {
                        // Opt's flags are the plan's own constants; a simulation's are read once
                        // per process from its file, so leaking them costs a few bytes, once.
                        let flag: &'static str = Box::leak(flag.clone().into_boxed_str());
                        s.opts.push(Opt { flag, value });
                        replaced.push(true);
                    }
                }
            }
        }
    }
}

/// The roles' software on each host: processes, EDGE networking on NCs, the CLC's database
/// and backups, the Riak node's port.
fn software(t: &Topology, h: &Host, out: &mut Vec<Service>) {
    let proc_roles: Vec<Role> = h
        .roles
        .iter()
        .copied()
        .filter(|r| !matches!(r, Role::Riak | Role::VmwareBroker))
        .collect();
    if !proc_roles.is_empty() {
        let mut s = service(
            h,
            "proc",
            "Eucalyptus processes",
            "check_euca_proc",
            Runs::OnHost,
            Layer::Platform,
        );
        s.opts
            .extend(proc_roles.iter().map(|r| Opt::new("--role", r.name())));
        out.push(s);
    }
    if h.has(Role::Nc) && t.cloud.networking == "EDGE" {
        out.push(service(
            h,
            "edge",
            "EDGE networking",
            "check_euca_edge",
            Runs::OnHost,
            Layer::Platform,
        ));
    }
    if h.has(Role::Clc) {
        let mut s = service(
            h,
            "db",
            "CLC database",
            "check_euca_db",
            Runs::OnHost,
            Layer::Platform,
        );
        // Peer authentication over the socket as the monitoring user (a role named after it).
        s.opts.push(Opt::new("--user", "nagios"));
        s.opts
            .push(Opt::new("--euca-version", t.cloud.version.to_string()));
        out.push(s);
    }
    if let Some(dir) = &h.backup_dir {
        let mut s = service(
            h,
            "backup",
            "Backups",
            "check_euca_backup",
            Runs::OnHost,
            Layer::Operations,
        );
        s.opts.push(Opt::new("--dir", dir.clone()));
        s.opts
            .push(Opt::new("--euca-version", t.cloud.version.to_string()));
        s.opts
            .extend(t.zones.iter().map(|z| Opt::new("--zone", z.name.clone())));
        s.opts.extend(
            t.hosts
                .iter()
                .filter(|o| o.roles.iter().any(|r| *r != Role::Riak))
                .map(|o| Opt::new("--host", o.name.clone())),
        );
        out.push(s);
    }
    // The JVM's web services port (CLC, UFS, OSG, Walrus, SC), the CC's and the NC's:
    // "its server goes down" is seen from outside even when the host's agent is gone too.
    let port = if h.roles.iter().any(|r| {
        matches!(
            r,
            Role::Clc | Role::Ufs | Role::Osg | Role::Walrus | Role::Sc | Role::VmwareBroker
        )
    }) {
        Some(("8773", "Web services port"))
    } else if h.has(Role::Cc) {
        Some(("8774", "CC port"))
    } else if h.has(Role::Nc) {
        Some(("8775", "NC port"))
    } else if h.has(Role::Riak) {
        Some(("8098", "Riak HTTP port"))
    } else {
        None
    };
    if let Some((port, description)) = port {
        let mut s = service(
            h,
            "port",
            description,
            "check_tcp",
            Runs::FromMonitor,
            Layer::Platform,
        );
        s.opts = vec![Opt::new("-H", h.address.clone()), Opt::new("-p", port)];
        out.push(s);
    }
}

/// Checks of the cloud as a whole, from the monitoring server, attached to the CLC host (the
/// one it asks); the end users' DNS names get a host object each.
fn cloud(t: &Topology, plan: &mut Plan) {
    let clcs: Vec<&Host> = t.with_role(Role::Clc).collect();
    if let Some(first) = clcs.first() {
        let clc_opts = |with_credentials: bool| {
            let mut opts: Vec<Opt> = clcs
                .iter()
                .map(|c| Opt::new("--clc", c.address.clone()))
                .collect();
            if with_credentials {
                opts.push(Opt::new("--credentials", t.cloud.credentials.clone()));
            }
            opts
        };
        let mut s = service(
            first,
            "services",
            "Eucalyptus services",
            "check_euca_clc",
            Runs::FromMonitor,
            Layer::Platform,
        );
        s.opts.extend(clc_opts(true));
        let ufs = t.with_role(Role::Ufs).count();
        if ufs > 1 {
            s.opts.push(Opt::new("--min-ufs", ufs.to_string()));
        }
        // Only before 4.2: from 4.2 on the CLC and the backend services it hosts cannot have a
        // passive peer, so --require-passive would warn on every healthy cloud. A registered
        // passive CC or SC that fails is still a WARNING without it ("no failover left").
        if t.hosts.iter().any(|h| h.partner.is_some())
            && t.cloud.version < topology::Version::new(4, 2)
        {
            s.opts.push(Opt::flag("--require-passive"));
        }
        s.opts
            .extend(t.zones.iter().map(|z| Opt::new("--zone", z.name.clone())));
        s.core = true;
        plan.services.push(s);

        for z in &t.zones {
            let mut s = service(
                first,
                &format!("capacity_{}", z.name),
                &format!("Capacity {}", z.name),
                "check_euca_nodes",
                Runs::FromMonitor,
                Layer::Platform,
            );
            s.opts.extend(clc_opts(true));
            s.opts.push(Opt::new("--zone", z.name.clone()));
            let ncs = t.in_zone(&z.name, Role::Nc).count();
            if ncs > 0 {
                s.opts.push(Opt::new("--min-nodes", ncs.to_string()));
            }
            s.core = true;
            plan.services.push(s);
        }

        let mut s = service(
            first,
            "workers",
            "Worker VMs",
            "check_euca_workers",
            Runs::FromMonitor,
            Layer::Platform,
        );
        s.opts.extend(clc_opts(true));
        plan.services.push(s);

        let mut s = service(
            first,
            "properties",
            "Properties drift",
            "check_euca_props",
            Runs::FromMonitor,
            Layer::Operations,
        );
        s.opts.extend(clc_opts(true));
        if t.cloud.version < topology::Version::new(4, 2) {
            // 3.x-4.1 answer DescribeProperties on the Empyrean service (of each CLC of a pair,
            // asked in turn).
            for c in &clcs {
                s.opts.push(Opt::new(
                    "--properties-url",
                    format!("http://{}:8773/services/Empyrean", c.address),
                ));
            }
        }
        s.opts.push(Opt::new("--baseline", PROPERTIES_BASELINE));
        s.core = false;
        plan.services.push(s);
    }

    let riak: Vec<&Host> = t.with_role(Role::Riak).collect();
    if t.cloud.object_storage == ObjectStorage::Riak {
        if let Some(first) = riak.first() {
            let mut s = service(
                first,
                "riak",
                "Riak ring",
                "check_riak",
                Runs::FromMonitor,
                Layer::Platform,
            );
            s.opts
                .extend(riak.iter().map(|r| Opt::new("--node", r.address.clone())));
            s.opts
                .push(Opt::new("--min-members", riak.len().to_string()));
            plan.services.push(s);
        }
    }

    let names = [
        (
            t.cloud.ufs_name.as_ref(),
            Role::Ufs,
            "ufs",
            "UFS endpoint",
            "User Facing Services",
        ),
        (
            t.cloud.console_name.as_ref(),
            Role::Console,
            "console",
            "Console endpoint",
            "Management Console",
        ),
    ];
    for (name, role, kind, description, about) in names {
        let Some(name) = name else { continue };
        let behind = t.with_role(role).count();
        plan.extra_hosts.push(ExtraHost {
            name: name.clone(),
            address: name.clone(),
            about: format!("{about}: the DNS name end users reach, {behind} behind it"),
            behind: t.with_role(role).map(|h| h.name.clone()).collect(),
        });
        let mut s = Service {
            host: name.clone(),
            description: description.to_string(),
            id: format!("endpoint_{kind}"),
            program: "check_euca_endpoint",
            ours: true,
            opts: vec![
                Opt::new("-t", TIMEOUT),
                Opt::new("--name", name.clone()),
                Opt::new("--kind", kind),
            ],
            runs: Runs::FromMonitor,
            layer: Layer::Platform,
            core: role == Role::Ufs,
            depends_on: Vec::new(),
        };
        if let Some(dns) = &t.cloud.dns_server {
            s.opts.push(Opt::new("--dns-server", dns.clone()));
        }
        if behind > 1 {
            s.opts.push(Opt::new("--min-addresses", behind.to_string()));
        }
        plan.services.push(s);
    }
}

/// No alarm storm: a zone's NC and SC services are not alarmed while the zone's Cluster
/// Controllers' processes are down (the host itself is covered by Nagios' parents), and the
/// cloud checks not while the CLC's web services port is closed.
fn dependencies(t: &Topology, services: &mut [Service]) {
    for s in services.iter_mut() {
        let Some(host) = t.host(&s.host) else {
            continue;
        };
        if host.has(Role::Cc) || !host.roles.iter().any(|r| r.is_zonal()) {
            continue;
        }
        let Some(zone) = &host.zone else { continue };
        for cc in t.in_zone(zone, Role::Cc) {
            s.depends_on.push((cc.name.clone(), "proc".to_string()));
        }
    }
    let clc_port: Vec<(String, String)> = t
        .with_role(Role::Clc)
        .map(|c| (c.name.clone(), "port".to_string()))
        .collect();
    for s in services.iter_mut() {
        let cloud_wide = matches!(
            s.program,
            "check_euca_clc" | "check_euca_nodes" | "check_euca_workers" | "check_euca_props"
        );
        if cloud_wide && s.id != "services" {
            s.depends_on.extend(clc_port.iter().cloned());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference() -> Topology {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../samples/topology/reference.toml"
        );
        let text = std::fs::read_to_string(path).unwrap();
        topology::parse("reference.toml", &text).unwrap()
    }

    fn find<'a>(p: &'a Plan, host: &'a str, id: &str) -> &'a Service {
        p.for_host(host)
            .find(|s| s.id == id)
            .unwrap_or_else(|| panic!("no {id} on {host}"))
    }

    #[test]
    fn every_host_gets_its_hardware_and_software() {
        let t = reference();
        let p = plan(&t);
        for h in &t.hosts {
            for id in ["raid", "bond", "ups", "ipmi"] {
                find(&p, &h.name, id);
            }
        }
        let nc = find(&p, "nc-one-1", "proc");
        assert_eq!(nc.args(), ["-t", "10", "--role", "nc"]);
        assert_eq!(nc.runs, Runs::OnHost);
        find(&p, "nc-one-1", "edge");
        assert_eq!(
            find(&p, "nc-one-1", "disk").args(),
            [
                "-w",
                "20%",
                "-c",
                "10%",
                "-p",
                EUCA_DATA,
                "-p",
                INSTANCE_STORE
            ]
        );
        let ipmi = find(&p, "clc1", "ipmi");
        assert_eq!(ipmi.runs, Runs::FromMonitor);
        assert!(ipmi
            .args()
            .windows(2)
            .any(|w| w == ["--host", "10.111.6.10"]));
        assert!(p.for_host("riak1").all(|s| s.id != "proc"));
    }

    #[test]
    fn the_cloud_checks_ask_the_clc_from_the_monitor() {
        let p = plan(&reference());
        let s = find(&p, "clc1", "services");
        assert_eq!(s.runs, Runs::FromMonitor);
        assert_eq!(
            s.args(),
            [
                "-t",
                "10",
                "--clc",
                "10.111.5.10",
                "--credentials",
                "/etc/nagios/euca/eucarc",
                "--min-ufs",
                "2",
                "--zone",
                "one",
                "--zone",
                "two"
            ]
        );
        let cap = find(&p, "clc1", "capacity_two");
        assert!(cap.args().ends_with(&[
            "--zone".into(),
            "two".into(),
            "--min-nodes".into(),
            "2".into()
        ]));
        let ufs = find(&p, "ufs.cloud.example", "endpoint_ufs");
        assert!(ufs.args().windows(2).any(|w| w == ["--min-addresses", "2"]));
        assert_eq!(p.extra_hosts.len(), 2);
        assert_eq!(p.extra_hosts[0].behind, ["ufs1", "ufs2"]);
        let riak = find(&p, "riak1", "riak");
        assert_eq!(riak.args().iter().filter(|a| *a == "--node").count(), 3);
    }

    #[test]
    fn zone_services_depend_on_the_zones_cluster_controllers() {
        let p = plan(&reference());
        let edge = find(&p, "nc-two-2", "edge");
        assert_eq!(
            edge.depends_on,
            [
                ("cc-two-a".to_string(), "proc".to_string()),
                ("cc-two-b".to_string(), "proc".to_string())
            ]
        );
        assert!(find(&p, "cc-two-a", "proc").depends_on.is_empty());
        assert_eq!(
            find(&p, "clc1", "workers").depends_on,
            [("clc1".to_string(), "port".to_string())]
        );
    }

    /// Each of our plugins' planned command lines is one its clap definition accepts.
    fn every_command_line_is_accepted(p: &Plan) {
        for s in p.services.iter().filter(|s| s.ours) {
            let known = crate::plugins::find(s.program).expect(s.program);
            let mut argv = vec![s.program.to_string()];
            argv.extend(s.args());
            if let Err(e) = (known.command)().try_get_matches_from_mut(&argv) {
                panic!("{} on {}: {argv:?}: {e}", s.id, s.host);
            }
        }
    }

    #[test]
    fn every_plugin_option_the_plan_uses_exists() {
        let p = plan(&reference());
        every_command_line_is_accepted(&p);
    }

    #[test]
    fn a_clc_pair_reaches_every_cloud_check_and_a_simulation_can_drop_an_option() {
        // The 4.1 variant of the simulation: a CLC pair, a Walrus pair on SAN mounts.
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../samples/simulation/variants/ha-4.1/topology.toml"
        );
        let t = topology::parse("topology.toml", &std::fs::read_to_string(path).unwrap()).unwrap();
        let p = plan(&t);
        for id in [
            "services",
            "capacity_one",
            "capacity_two",
            "workers",
            "properties",
        ] {
            let args = find(&p, "clc1", id).args();
            let clcs: Vec<&[String]> = args.windows(2).filter(|w| w[0] == "--clc").collect();
            assert_eq!(clcs.len(), 2, "{id}: {args:?}");
        }
        let props = find(&p, "clc1", "properties").args();
        assert!(props.contains(&"http://127.0.0.13:8773/services/Empyrean".to_string()));
        // "!--write-test" in [simulation.args]: the plan's --write-test is gone.
        let san = find(&p, "walrus1", "san_path").args();
        assert!(san.contains(&"--mount".to_string()), "{san:?}");
        assert!(!san.iter().any(|a| a.contains("write-test")), "{san:?}");
        every_command_line_is_accepted(&p);
    }

    fn simulation_topology() -> Topology {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../samples/simulation/topology.toml"
        );
        let text = std::fs::read_to_string(path).unwrap();
        topology::parse("topology.toml", &text).unwrap()
    }

    #[test]
    fn the_simulations_args_each_reach_a_service_and_replace_or_add() {
        let t = simulation_topology();
        let p = plan(&t);
        for sim in &t.simulation {
            assert!(
                p.services
                    .iter()
                    .any(|s| (sim.host == "*" || s.host == sim.host) && s.id == sim.service),
                "[simulation.args] {}/{} reaches no planned service",
                sim.host,
                sim.service
            );
        }
        // Replaced, not given twice: clap would refuse a second --password-file.
        let ipmi = find(&p, "nc-two-2", "ipmi").args();
        assert_eq!(ipmi.iter().filter(|a| *a == "--password-file").count(), 1);
        assert!(ipmi
            .windows(2)
            .any(|w| w == ["--password-file", "run/ipmi-password"]));
        assert!(ipmi.iter().any(|a| a.starts_with("ipmi-sensors=")));
        // Every command line, simulated ones included, is one the plugin accepts.
        every_command_line_is_accepted(&p);
        // --root only where the plugin reads host files; check_disk's paths are under it.
        assert!(!find(&p, "clc1", "db")
            .args()
            .contains(&"--root".to_string()));
        assert!(find(&p, "clc1", "proc")
            .args()
            .windows(2)
            .any(|w| w == ["--root", "hosts/clc1"]));
        assert!(find(&p, "nc-one-1", "disk")
            .args()
            .contains(&"hosts/nc-one-1/var/lib/eucalyptus/instances".to_string()));
        // The clock is asked of the DNS server's address, not of its DNS port.
        assert_eq!(
            find(&p, "clc1", "clock").args()[..2],
            ["-H".to_string(), "127.0.0.2".to_string()]
        );
    }
}
