//! The reliability audit: the rules of Part 1 of *Design and Operate a Reliable Eucalyptus
//! Cloud* ("the guide") checked against a [`Topology`]. Pure: topology in, findings out.
//!
//! Severity follows one line, so an admin can predict it:
//! - **critical**: one failure of a single server or disk pool stops a service of the
//!   Eucalyptus Core for everyone, or puts user data in one place (a lone UFS or CLC, a CC
//!   without its passive half, EBS volumes on the SC's own disks);
//! - **warning**: the deployment survives one failure but lacks a protection the guide asks for
//!   (UPS, RAID, bond, BMC under a core server, HA partners sharing a UPS or a switch), runs a
//!   choice that widens a failure's impact (not EDGE, Walrus and NC sharing disks, Walrus on a
//!   SAN rather than Riak), or describes what its release cannot run (a CLC pair on 4.2+).
//!
//! Each rule is one short function; [`RULES`] holds what is fixed about each (id, severity,
//! reason, the guide's section), so a finding only adds what it found and where.

use crate::model::*;
use std::collections::BTreeSet;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Warning,
    Critical,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What is fixed about a rule.
#[derive(Debug, PartialEq, Eq)]
pub struct Rule {
    /// Stable short name (`ufs-single`), for tests, filters and the check's long output.
    pub id: &'static str,
    pub severity: Severity,
    /// Why it matters, in one sentence.
    pub reason: &'static str,
    /// Where the guide says so.
    pub section: &'static str,
}

/// One rule broken, at one place of the topology.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: &'static Rule,
    /// What was found, naming hosts and values (`only one UFS: ufs1`).
    pub what: String,
    /// The hosts concerned (empty for a cloud-wide choice).
    pub hosts: Vec<String>,
    /// Where to fix it in the file.
    pub at: Pos,
}

impl Finding {
    pub fn severity(&self) -> Severity {
        self.rule.severity
    }
}

// The guide's headings, as they appear in it.
const S_ACTIVE_ACTIVE: &str =
    "Part 1 > Reliability in the Eucalyptus Platform > Active/Active Components";
const S_ACTIVE_PASSIVE: &str =
    "Part 1 > Reliability in the Eucalyptus Platform > Active/Passive Components (Tech. Preview)";
const S_TOPOLOGY: &str = "Part 1 > Reliability in the Eucalyptus Platform > Deployment Topology";
const S_VM_NETWORKING: &str =
    "Part 1 > Reliability in the Eucalyptus Platform > VM Networking Reliability";
const S_EBS: &str =
    "Part 1 > Reliability in the Eucalyptus Platform > EBS/Storage Controller Data Reliability";
const S_S3: &str = "Part 1 > Reliability in the Eucalyptus Platform > S3/Walrus Data Reliability";
const S_POWER: &str = "Part 1 > Reliability in Hardware > Servers > Power";
const S_RAID: &str = "Part 1 > Reliability in Hardware > Servers > RAID";
const S_BMC: &str = "Part 1 > Reliability in Hardware > Servers > On-board management";
const S_INTERFACES: &str = "Part 1 > Reliability in Hardware > Network > Interfaces";
const S_SWITCHES: &str = "Part 1 > Reliability in Hardware > Network > Switches";

use Severity::{Critical, Warning};

/// Every rule, in the order the guide raises them.
pub static RULES: [Rule; 22] = [
    Rule {
        id: "core-no-ups",
        severity: Warning,
        reason: "a core server needs one power supply on a UPS circuit, or a power blip or outage stops it",
        section: S_POWER,
    },
    Rule {
        id: "partners-one-ups",
        severity: Warning,
        reason: "HA partners fed by the same UPS fail together when it does, so the pair protects nothing against it",
        section: S_POWER,
    },
    Rule {
        id: "core-no-raid",
        severity: Warning,
        reason: "without RAID one disk failure stops a core server (RAID 1, 5 or 6 lets it run until the disk is replaced)",
        section: S_RAID,
    },
    Rule {
        id: "core-no-bmc",
        severity: Warning,
        reason: "without on-board management (a BMC) failing power supplies, fans and temperatures go unseen and the server cannot be power-cycled remotely",
        section: S_BMC,
    },
    Rule {
        id: "core-no-bond",
        severity: Warning,
        reason: "a core server needs two bonded links to two switches of a stack, or one cable, port or switch failure cuts it off",
        section: S_INTERFACES,
    },
    Rule {
        id: "partners-one-switch",
        severity: Warning,
        reason: "HA partners whose links all go to the same switch are both cut off when it fails",
        section: S_SWITCHES,
    },
    Rule {
        id: "disk-contention",
        severity: Warning,
        reason: "Walrus and an NC on one server's local disks contend for IO, and the timeouts trigger Eucalyptus' failure handling (the guide co-locates them only with a SAN or Riak backend)",
        section: S_TOPOLOGY,
    },
    Rule {
        id: "ufs-single",
        severity: Critical,
        reason: "with one User Facing Services host its failure makes the whole cloud unusable; the guide deploys at least two",
        section: S_ACTIVE_ACTIVE,
    },
    Rule {
        id: "ufs-dns-name",
        severity: Critical,
        reason: "several UFS hosts only keep the cloud reachable when clients use one DNS name for them (cloud.ufs_name); by address each client still depends on one host",
        section: S_ACTIVE_ACTIVE,
    },
    Rule {
        id: "console-single",
        severity: Warning,
        reason: "with fewer than two consoles the web console goes down with one server; the guide deploys at least two",
        section: S_ACTIVE_ACTIVE,
    },
    Rule {
        id: "console-dns-name",
        severity: Warning,
        reason: "several consoles only help when users reach them by one DNS name (cloud.console_name)",
        section: S_ACTIVE_ACTIVE,
    },
    Rule {
        id: "clc-no-partner",
        severity: Critical,
        reason: "a Cloud Controller without a passive partner (possible on 3.4 to 4.1) stops the whole cloud when it fails",
        section: S_ACTIVE_PASSIVE,
    },
    Rule {
        id: "cc-no-partner",
        severity: Critical,
        reason: "a Cluster Controller without a passive partner takes its zone's instances and networking down when it fails",
        section: S_ACTIVE_PASSIVE,
    },
    Rule {
        id: "sc-no-partner",
        severity: Critical,
        reason: "a Storage Controller without a passive partner stops its zone's EBS volumes and snapshots when it fails",
        section: S_ACTIVE_PASSIVE,
    },
    Rule {
        id: "vmware-broker-no-partner",
        severity: Critical,
        reason: "a VMware Broker without a passive partner stops its VMware zone when it fails",
        section: S_ACTIVE_PASSIVE,
    },
    Rule {
        id: "clc-pair-unsupported",
        severity: Warning,
        reason: "Eucalyptus 4.2 removed the active/passive CLC (EUCA-11163): a second CLC is no failover there, and monitoring would wait for a partner that cannot exist",
        section: S_ACTIVE_PASSIVE,
    },
    Rule {
        id: "vmware-broker-unsupported",
        severity: Warning,
        reason: "Eucalyptus 4.2 removed VMware support (EUCA-10670): a VMware Broker cannot run on this release",
        section: S_ACTIVE_PASSIVE,
    },
    Rule {
        id: "networking-not-edge",
        severity: Warning,
        reason: "only EDGE keeps each VM's networking on its own NC; in other modes one server's failure cuts the network of VMs running elsewhere",
        section: S_VM_NETWORKING,
    },
    Rule {
        id: "ebs-not-san",
        severity: Critical,
        reason: "EBS volumes on the Storage Controller's own disks are lost or unavailable with that server; the guide keeps them on a reliable SAN device pool",
        section: S_EBS,
    },
    Rule {
        id: "object-storage-walrus",
        severity: Critical,
        reason: "objects (and every VM image) on Walrus' local disks are unavailable with that one server; the guide uses a Riak cluster",
        section: S_S3,
    },
    Rule {
        id: "object-storage-walrus-san",
        severity: Warning,
        reason: "Walrus on a SAN mount is the guide's second choice: the SAN keeps the data, but Walrus' server stays a single point of failure; Riak is its first",
        section: S_S3,
    },
    Rule {
        id: "riak-ring-small",
        severity: Critical,
        reason: "a Riak ring of fewer than 3 nodes cannot keep Riak's 3 replicas (n_val) on distinct nodes, so one node's failure makes objects unreadable (Basho recommends 5)",
        section: S_S3,
    },
];

/// The rule named `id`.
pub fn rule(id: &str) -> &'static Rule {
    RULES
        .iter()
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("no audit rule '{id}'")) // ids are literals of this file
}

/// Every rule the topology breaks: critical first, then in file order.
pub fn audit(t: &Topology) -> Vec<Finding> {
    let mut out = Vec::new();
    for h in t.hosts.iter().filter(|h| h.is_core()) {
        core_hardware(h, &mut out);
        disk_contention(t, h, &mut out);
    }
    partner_pairs(t, &mut out);
    active_active(t, &mut out);
    active_passive(t, &mut out);
    release(t, &mut out);
    backends(t, &mut out);
    out.sort_by_key(|f| (std::cmp::Reverse(f.severity()), f.at.line, f.at.col));
    out
}

fn found(out: &mut Vec<Finding>, id: &str, what: String, hosts: Vec<String>, at: Pos) {
    out.push(Finding {
        rule: rule(id),
        what,
        hosts,
        at,
    });
}

fn one(h: &Host) -> Vec<String> {
    vec![h.name.clone()]
}

fn names<'a>(hosts: impl Iterator<Item = &'a Host>) -> Vec<String> {
    hosts.map(|h| h.name.clone()).collect()
}

/// UPS, RAID, BMC and a redundant link under every core server.
fn core_hardware(h: &Host, out: &mut Vec<Finding>) {
    let n = &h.name;
    if h.ups.is_empty() && h.apcupsd.is_empty() {
        found(
            out,
            "core-no-ups",
            format!("{n} has no UPS (ups or apcupsd)"),
            one(h),
            h.at,
        );
    }
    match h.raid {
        None => found(
            out,
            "core-no-raid",
            format!("{n} names no RAID (raid)"),
            one(h),
            h.at,
        ),
        Some(Raid::None) => found(
            out,
            "core-no-raid",
            format!("{n} has no RAID (raid = \"none\")"),
            one(h),
            h.at,
        ),
        Some(_) => {}
    }
    if h.bmc.is_none() && !h.bmc_local {
        found(
            out,
            "core-no-bmc",
            format!("{n} has no BMC (bmc or bmc_local)"),
            one(h),
            h.at,
        );
    }
    let links = h.bonds.len() + h.teams.len();
    let what = match (links, h.switches.len()) {
        (0, _) => Some(format!("{n} has no bond or team (bonds, teams)")),
        (_, 0) => Some(format!("{n}'s links go to no switch listed (switches)")),
        (_, 1) => Some(format!(
            "{n}'s links all go to one switch ({})",
            h.switches[0]
        )),
        _ => None,
    };
    if let Some(what) = what {
        found(out, "core-no-bond", what, one(h), h.at);
    }
}

/// Walrus and an NC sharing one server's disks, with neither a SAN nor Riak under Walrus.
fn disk_contention(t: &Topology, h: &Host, out: &mut Vec<Finding>) {
    let on_san = !h.san_mounts.is_empty() || !h.san_maps.is_empty();
    if h.has(Role::Walrus)
        && h.has(Role::Nc)
        && !on_san
        && t.cloud.object_storage != ObjectStorage::Riak
    {
        found(
            out,
            "disk-contention",
            format!("{} runs Walrus and an NC on local disks", h.name),
            one(h),
            h.at,
        );
    }
}

/// HA partners sharing their power or their switch (each pair once).
fn partner_pairs(t: &Topology, out: &mut Vec<Finding>) {
    for h in &t.hosts {
        let Some(p) = h.partner.as_deref().and_then(|p| t.host(p)) else {
            continue;
        };
        if p.name <= h.name && p.partner.as_deref() == Some(h.name.as_str()) {
            continue; // reported from the other side
        }
        let pair = vec![h.name.clone(), p.name.clone()];
        let feeds = |x: &Host| -> BTreeSet<String> {
            x.ups
                .iter()
                .map(|u| u.to_string())
                .chain(x.apcupsd.iter().cloned())
                .collect()
        };
        let (a, b) = (feeds(h), feeds(p));
        if !a.is_empty() && a == b {
            let list: Vec<String> = a.into_iter().collect();
            found(
                out,
                "partners-one-ups",
                format!(
                    "partners {} and {} are both fed by {}",
                    h.name,
                    p.name,
                    list.join(", ")
                ),
                pair.clone(),
                h.at,
            );
        }
        if h.switches.len() == 1 && h.switches == p.switches {
            found(
                out,
                "partners-one-switch",
                format!(
                    "partners {} and {} both link to switch {} only",
                    h.name, p.name, h.switches[0]
                ),
                pair,
                h.at,
            );
        }
    }
}

/// At least two UFS and consoles, each kind behind one DNS name.
fn active_active(t: &Topology, out: &mut Vec<Finding>) {
    for (role, single, dns, name) in [
        (Role::Ufs, "ufs-single", "ufs-dns-name", &t.cloud.ufs_name),
        (
            Role::Console,
            "console-single",
            "console-dns-name",
            &t.cloud.console_name,
        ),
    ] {
        let hosts: Vec<&Host> = t.with_role(role).collect();
        let key = if role == Role::Ufs {
            "ufs_name"
        } else {
            "console_name"
        };
        match hosts.as_slice() {
            [] => found(
                out,
                single,
                format!("no host runs {role}"),
                Vec::new(),
                t.cloud.at,
            ),
            [h] => found(
                out,
                single,
                format!("only one host runs {role}: {}", h.name),
                one(h),
                h.at,
            ),
            _ if name.is_none() => found(
                out,
                dns,
                format!(
                    "{} hosts run {role} but the cloud has no {key}",
                    hosts.len()
                ),
                names(hosts.iter().copied()),
                t.cloud.at,
            ),
            _ => {}
        }
    }
}

/// Every active/passive component of this release with its partner.
fn active_passive(t: &Topology, out: &mut Vec<Finding>) {
    let old = t.cloud.version < Version::new(4, 2);
    for h in &t.hosts {
        for role in [Role::Clc, Role::Cc, Role::Sc, Role::VmwareBroker] {
            // On 4.2+ the CLC has no passive half and the broker does not exist: `release` says so.
            if !h.has(role) || !t.is_active_passive(role) || (role == Role::VmwareBroker && !old) {
                continue;
            }
            let paired = h
                .partner
                .as_deref()
                .and_then(|p| t.host(p))
                .is_some_and(|p| p.has(role));
            if !paired {
                let id = match role {
                    Role::Clc => "clc-no-partner",
                    Role::Cc => "cc-no-partner",
                    Role::Sc => "sc-no-partner",
                    _ => "vmware-broker-no-partner",
                };
                let zone = h
                    .zone
                    .as_deref()
                    .map(|z| format!(" (zone {z})"))
                    .unwrap_or_default();
                found(
                    out,
                    id,
                    format!("{role} on {}{zone} has no partner running {role}", h.name),
                    one(h),
                    h.at,
                );
            }
        }
    }
}

/// What the release cannot run: a CLC pair or a VMware Broker on 4.2+.
fn release(t: &Topology, out: &mut Vec<Finding>) {
    let v = t.cloud.version;
    if v < Version::new(4, 2) {
        return;
    }
    let clcs: Vec<&Host> = t.with_role(Role::Clc).collect();
    if clcs.len() > 1 {
        found(
            out,
            "clc-pair-unsupported",
            format!(
                "{} hosts run clc on Eucalyptus {v}: {}",
                clcs.len(),
                names(clcs.iter().copied()).join(", ")
            ),
            names(clcs.iter().copied()),
            clcs[1].at,
        );
    }
    for h in t.with_role(Role::VmwareBroker) {
        found(
            out,
            "vmware-broker-unsupported",
            format!("{} runs vmware-broker on Eucalyptus {v}", h.name),
            one(h),
            h.at,
        );
    }
}

/// EDGE networking, EBS on a SAN, objects on a Riak ring of at least 3 nodes.
fn backends(t: &Topology, out: &mut Vec<Finding>) {
    let c = &t.cloud;
    if c.networking != "EDGE" {
        found(
            out,
            "networking-not-edge",
            format!("networking is {}", c.networking),
            Vec::new(),
            c.at,
        );
    }
    if c.ebs != Ebs::San {
        found(
            out,
            "ebs-not-san",
            format!("ebs is {} (the SCs' own disks)", c.ebs.name()),
            names(t.with_role(Role::Sc)),
            c.at,
        );
    }
    match c.object_storage {
        ObjectStorage::Walrus => {
            let walruses: Vec<&Host> = t.with_role(Role::Walrus).collect();
            if walruses.is_empty() {
                let what = "object_storage is walrus but no host runs walrus".to_string();
                found(out, "object-storage-walrus", what, Vec::new(), c.at);
            }
            // Each Walrus host on its own: a SAN mount under one does not keep another's data.
            for h in walruses {
                let (id, on) = if h.san_mounts.is_empty() {
                    ("object-storage-walrus", "on its local disks")
                } else {
                    ("object-storage-walrus-san", "on a SAN mount")
                };
                let what = format!("object_storage is walrus, {} keeps it {on}", h.name);
                found(out, id, what, one(h), h.at);
            }
        }
        ObjectStorage::Riak => {
            let ring: Vec<&Host> = t.with_role(Role::Riak).collect();
            if ring.len() < 3 {
                found(
                    out,
                    "riak-ring-small",
                    format!(
                        "the Riak ring has {} node{}{}",
                        ring.len(),
                        if ring.len() == 1 { "" } else { "s" },
                        if ring.is_empty() {
                            String::new()
                        } else {
                            format!(": {}", names(ring.iter().copied()).join(", "))
                        }
                    ),
                    names(ring.iter().copied()),
                    ring.first().map_or(c.at, |h| h.at),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse;

    /// The smallest deployment the guide has nothing to say about: every rule's test breaks
    /// one thing of it.
    fn good() -> Topology {
        let hw = |n: usize, ups: &str| {
            format!(
                "raid = \"md\"\nbonds = [\"bond0\"]\nswitches = [\"s1\", \"s2\"]\nups = [\"{ups}@10.0.9.1\"]\nbmc = \"10.0.8.{n}\"\n"
            )
        };
        let mut text = String::from(
            "[cloud]\nname = \"t\"\neucalyptus = \"4.4\"\nnetworking = \"EDGE\"\nebs = \"san\"\nobject_storage = \"riak\"\nufs_name = \"ufs.t\"\nconsole_name = \"console.t\"\n\n[[zone]]\nname = \"one\"\n",
        );
        let hosts: [(&str, &str, &str, &str); 9] = [
            ("clc1", "\"clc\"", "", "a"),
            ("ufs1", "\"ufs\", \"console\", \"osg\"", "", "a"),
            ("ufs2", "\"ufs\", \"console\", \"osg\"", "", "b"),
            ("riak1", "\"riak\"", "", "a"),
            ("riak2", "\"riak\"", "", "b"),
            ("riak3", "\"riak\"", "", "a"),
            (
                "cc1",
                "\"cc\", \"sc\"",
                "zone = \"one\"\npartner = \"cc2\"\n",
                "a",
            ),
            (
                "cc2",
                "\"cc\", \"sc\"",
                "zone = \"one\"\npartner = \"cc1\"\n",
                "b",
            ),
            ("nc1", "\"nc\"", "zone = \"one\"\n", "b"),
        ];
        for (i, (name, roles, extra, ups)) in hosts.iter().enumerate() {
            text += &format!(
                "\n[[host]]\nname = \"{name}\"\naddress = \"10.0.0.{i}\"\nroles = [{roles}]\n{extra}{}",
                hw(i, ups)
            );
        }
        parse("t.toml", &text).unwrap_or_else(|e| panic!("{e}"))
    }

    fn ids(t: &Topology) -> Vec<&'static str> {
        audit(t).iter().map(|f| f.rule.id).collect()
    }

    fn host<'a>(t: &'a mut Topology, name: &str) -> &'a mut Host {
        t.hosts.iter_mut().find(|h| h.name == name).unwrap()
    }

    /// `change` makes `good()` break exactly the rule `id` (once).
    fn breaks(id: &str, change: impl FnOnce(&mut Topology)) -> Finding {
        let mut t = good();
        change(&mut t);
        let found = audit(&t);
        assert_eq!(
            found.iter().map(|f| f.rule.id).collect::<Vec<_>>(),
            [id],
            "{found:#?}"
        );
        found.into_iter().next().unwrap()
    }

    #[test]
    fn the_minimal_reliable_deployment_has_no_finding() {
        assert_eq!(ids(&good()), Vec::<&str>::new());
    }

    #[test]
    fn every_rule_has_a_unique_id_a_reason_and_a_section_of_part_1() {
        let mut seen = BTreeSet::new();
        for r in &RULES {
            assert!(seen.insert(r.id), "{} twice", r.id);
            assert!(
                r.section.starts_with("Part 1 > Reliability in "),
                "{}",
                r.id
            );
            assert!(r.reason.len() > 40 && !r.reason.ends_with('.'), "{}", r.id);
        }
    }

    #[test]
    fn core_hardware_ups_raid_bmc_and_a_bond_to_two_switches() {
        let f = breaks("core-no-ups", |t| host(t, "nc1").ups.clear());
        assert_eq!(
            (f.hosts, f.at.line),
            (vec!["nc1".to_string()], good().host("nc1").unwrap().at.line)
        );
        // apcupsd watching the UPS counts as one
        let mut t = good();
        let h = host(&mut t, "nc1");
        h.ups.clear();
        h.apcupsd.push("10.0.9.2".into());
        assert_eq!(ids(&t), Vec::<&str>::new());
        breaks("core-no-raid", |t| host(t, "riak1").raid = None);
        let f = breaks("core-no-raid", |t| host(t, "riak1").raid = Some(Raid::None));
        assert!(f.what.contains("raid = \"none\""), "{}", f.what);
        breaks("core-no-bmc", |t| host(t, "clc1").bmc = None);
        let mut t = good();
        let h = host(&mut t, "clc1");
        h.bmc = None;
        h.bmc_local = true;
        assert_eq!(ids(&t), Vec::<&str>::new());
        breaks("core-no-bond", |t| host(t, "clc1").bonds.clear());
        let f = breaks("core-no-bond", |t| host(t, "clc1").switches.truncate(1));
        assert_eq!(f.what, "clc1's links all go to one switch (s1)");
        breaks("core-no-bond", |t| host(t, "clc1").switches.clear());
        // teams count as bonds
        let mut t = good();
        let h = host(&mut t, "clc1");
        h.bonds.clear();
        h.teams.push("team0".into());
        assert_eq!(ids(&t), Vec::<&str>::new());
    }

    #[test]
    fn a_console_only_host_is_not_core_and_needs_no_hardware_rule() {
        let mut t = good();
        for name in ["ufs1", "ufs2"] {
            let h = host(&mut t, name);
            h.roles.retain(|r| *r == Role::Console);
            h.ups.clear();
            h.raid = None;
        }
        // only the lost UFS is said
        assert_eq!(ids(&t), ["ufs-single"]);
    }

    #[test]
    fn partners_on_one_ups_or_one_switch_are_said_once_per_pair() {
        let f = breaks("partners-one-ups", |t| {
            host(t, "cc2").ups = host(t, "cc1").ups.clone()
        });
        assert_eq!(f.hosts, ["cc1", "cc2"]);
        assert_eq!(f.what, "partners cc1 and cc2 are both fed by a@10.0.9.1");
        let mut t = good();
        host(&mut t, "cc1").switches = vec!["s1".into()];
        host(&mut t, "cc2").switches = vec!["s1".into()];
        let found = ids(&t);
        assert_eq!(
            found,
            ["core-no-bond", "partners-one-switch", "core-no-bond"],
            "both single-switch hosts and the pair, in file order"
        );
    }

    #[test]
    fn disk_heavy_walrus_and_nc_share_a_server_only_with_a_san_or_riak() {
        let walrus_nc = |t: &mut Topology, san: bool| {
            t.cloud.object_storage = ObjectStorage::Walrus;
            let h = host(t, "nc1");
            h.roles.push(Role::Walrus);
            if san {
                h.san_mounts.push("/var/lib/eucalyptus/bukkits".into());
            }
        };
        let mut t = good();
        walrus_nc(&mut t, false);
        assert_eq!(ids(&t), ["object-storage-walrus", "disk-contention"]);
        let mut t = good();
        walrus_nc(&mut t, true);
        assert_eq!(ids(&t), ["object-storage-walrus-san"]);
        // Riak keeps the objects: a walrus role on an NC is no contention
        breaks("riak-ring-small", |t| {
            host(t, "nc1").roles.push(Role::Walrus);
            t.hosts.retain(|h| h.name != "riak3");
        });
    }

    #[test]
    fn ufs_and_consoles_two_or_more_behind_a_dns_name() {
        let f = breaks("ufs-single", |t| {
            host(t, "ufs2").roles.retain(|r| *r != Role::Ufs)
        });
        assert_eq!(
            (f.what.as_str(), f.severity()),
            ("only one host runs ufs: ufs1", Critical)
        );
        breaks("ufs-dns-name", |t| t.cloud.ufs_name = None);
        let f = breaks("console-single", |t| {
            host(t, "ufs2").roles.retain(|r| *r != Role::Console)
        });
        assert_eq!(f.severity(), Warning);
        let mut t = good();
        for name in ["ufs1", "ufs2"] {
            host(&mut t, name).roles.retain(|r| *r != Role::Console);
        }
        assert_eq!(ids(&t), ["console-single"]);
        assert_eq!(audit(&t)[0].what, "no host runs console");
        breaks("console-dns-name", |t| t.cloud.console_name = None);
    }

    #[test]
    fn active_passive_components_need_their_partner() {
        let f = breaks("cc-no-partner", |t| host(t, "cc2").roles = vec![Role::Sc]);
        assert_eq!(f.what, "cc on cc1 (zone one) has no partner running cc");
        breaks("sc-no-partner", |t| host(t, "cc2").roles = vec![Role::Cc]);
        let mut t = good();
        host(&mut t, "cc1").partner = None;
        host(&mut t, "cc2").partner = None;
        assert_eq!(
            ids(&t),
            [
                "cc-no-partner",
                "sc-no-partner",
                "cc-no-partner",
                "sc-no-partner"
            ]
        );
        // the CLC: only before 4.2
        let f = breaks("clc-no-partner", |t| t.cloud.version = Version::new(4, 1));
        assert_eq!(f.hosts, ["clc1"]);
        breaks("clc-no-partner", |t| t.cloud.version = Version::new(3, 4));
        // the VMware Broker: only before 4.2, its own rule after
        let broker = |t: &mut Topology| {
            host(t, "cc1").roles.push(Role::VmwareBroker);
        };
        let mut t = good();
        t.cloud.version = Version::new(4, 1);
        broker(&mut t);
        assert_eq!(ids(&t), ["clc-no-partner", "vmware-broker-no-partner"]);
        host(&mut t, "cc2").roles.push(Role::VmwareBroker);
        assert_eq!(ids(&t), ["clc-no-partner"]);
    }

    #[test]
    fn what_a_release_cannot_run_a_clc_pair_or_a_broker_on_4_2_and_later() {
        let pair = |t: &mut Topology| host(t, "ufs1").roles.push(Role::Clc);
        let f = breaks("clc-pair-unsupported", pair);
        assert_eq!(f.hosts, ["clc1", "ufs1"]);
        assert_eq!(f.what, "2 hosts run clc on Eucalyptus 4.4: clc1, ufs1");
        breaks("clc-pair-unsupported", |t| {
            t.cloud.version = Version::new(4, 2);
            pair(t)
        });
        // on 4.1 a CLC pair is the guide's answer
        let mut t = good();
        t.cloud.version = Version::new(4, 1);
        pair(&mut t);
        host(&mut t, "clc1").partner = Some("ufs1".into());
        host(&mut t, "ufs1").partner = Some("clc1".into());
        host(&mut t, "ufs1").ups = host(&mut t, "cc2").ups.clone(); // not the UPS of clc1
        assert_eq!(ids(&t), Vec::<&str>::new());
        let f = breaks("vmware-broker-unsupported", |t| {
            host(t, "cc1").roles.push(Role::VmwareBroker)
        });
        assert_eq!(f.hosts, ["cc1"]);
    }

    #[test]
    fn backends_edge_san_and_riak_of_three() {
        let f = breaks("networking-not-edge", |t| {
            t.cloud.networking = "MANAGED".into()
        });
        assert_eq!(
            (f.what.as_str(), f.at),
            ("networking is MANAGED", good().cloud.at)
        );
        let f = breaks("ebs-not-san", |t| t.cloud.ebs = Ebs::Overlay);
        assert_eq!(f.hosts, ["cc1", "cc2"]);
        assert_eq!(f.severity(), Critical);
        let f = breaks("riak-ring-small", |t| t.hosts.retain(|h| h.name != "riak3"));
        assert_eq!(f.what, "the Riak ring has 2 nodes: riak1, riak2");
        let f = breaks("riak-ring-small", |t| {
            t.hosts.retain(|h| !h.has(Role::Riak))
        });
        assert_eq!(f.what, "the Riak ring has 0 nodes");
        // walrus with no walrus host at all
        let f = breaks("object-storage-walrus", |t| {
            t.cloud.object_storage = ObjectStorage::Walrus;
            t.hosts.retain(|h| !h.has(Role::Riak));
        });
        assert_eq!(f.what, "object_storage is walrus but no host runs walrus");
        // each Walrus host by its own disks
        let mut t = good();
        t.cloud.object_storage = ObjectStorage::Walrus;
        t.hosts.retain(|h| !h.has(Role::Riak));
        host(&mut t, "ufs1").roles.push(Role::Walrus);
        host(&mut t, "ufs2").roles.push(Role::Walrus);
        host(&mut t, "ufs2").san_mounts.push("/bukkits".into());
        let found = audit(&t);
        let got: Vec<(&str, &str)> = found.iter().map(|f| (f.rule.id, f.what.as_str())).collect();
        assert_eq!(
            got,
            [
                (
                    "object-storage-walrus",
                    "object_storage is walrus, ufs1 keeps it on its local disks"
                ),
                (
                    "object-storage-walrus-san",
                    "object_storage is walrus, ufs2 keeps it on a SAN mount"
                ),
            ]
        );
    }

    #[test]
    fn critical_findings_come_first_then_file_order() {
        let mut t = good();
        t.cloud.networking = "MANAGED".into();
        host(&mut t, "nc1").bmc = None;
        host(&mut t, "ufs2").roles.retain(|r| *r != Role::Ufs);
        assert_eq!(
            ids(&t),
            ["ufs-single", "networking-not-edge", "core-no-bmc"]
        );
    }
}
