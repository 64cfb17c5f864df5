//! The rules: the CLC's list of services in, findings and perfdata out.
//!
//! Service types fall in two families (docs/EUCALYPTUS.md section 1 and its appendix):
//! * active/passive — the CLC (`eucalyptus`) and the CLC-local backends, `walrusbackend` (and
//!   3.x `walrus`), `db`, cloud-wide; `cluster`, `storage` and `vmwarebroker` per zone. Exactly
//!   one ENABLED; the others should be DISABLED (the healthy passive).
//! * active/active — `user-api` and its members (the UFS), `bootstrap`, `node` (per zone) and
//!   anything else: at least one ENABLED; every one not ENABLED is lost redundancy or capacity.
//!
//! Above that sits the "Eucalyptus Core" of the deployment guide: the CLC, at least one CC, a
//! UFS, object storage with its backend, an SC and NCs. Without one of them the cloud does
//! not serve, and the status line opens with "Eucalyptus Core unavailable".

use crate::model::{Event, Service, State};
use common::{Finding, Perfdata, Range, Report, Status};
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

/// What the user asked for beyond the defaults.
#[derive(Debug, Clone, Default)]
pub struct Rules {
    /// A single ENABLED without a passive peer is a WARNING.
    pub require_passive: bool,
    /// This many UFS hosts must have every service ENABLED.
    pub min_ufs: Option<usize>,
    /// Zones that must exist with an ENABLED CC and SC.
    pub zones: Vec<String>,
    /// ENABLED NCs each zone needs.
    pub min_nodes: Option<usize>,
    /// Only these service types (empty: all).
    pub types: Vec<String>,
    /// Not these service types.
    pub exclude_types: Vec<String>,
    /// Each `--type` as the user wrote it, with the types it stands for: one that matches no
    /// listed service is UNKNOWN, never an OK about nothing.
    pub type_args: Vec<(String, Vec<String>)>,
}

impl Rules {
    fn selects(&self, kind: &str) -> bool {
        (self.types.is_empty() || self.types.iter().any(|t| t == kind))
            && !self.exclude_types.iter().any(|t| t == kind)
    }
    fn filtered(&self) -> bool {
        !self.types.is_empty() || !self.exclude_types.is_empty()
    }
}

/// Backends behind service VMs: NOTREADY until the worker image is installed.
const SERVICE_VM_BACKENDS: &[&str] = &["imagingbackend", "loadbalancingbackend"];

/// The short name an admin uses for a service type.
pub fn what(kind: &str) -> String {
    match kind {
        "eucalyptus" => "CLC".into(),
        "cluster" => "CC".into(),
        "storage" => "SC".into(),
        "node" => "NC".into(),
        "user-api" => "UFS".into(),
        "objectstorage" => "OSG".into(),
        "walrusbackend" => "Walrus backend".into(),
        "walrus" => "Walrus".into(),
        "vmwarebroker" => "VMware broker".into(),
        "imagingbackend" => "imaging backend".into(),
        "loadbalancingbackend" => "ELB backend".into(),
        "db" => "CLC database".into(),
        other => other.into(),
    }
}

fn per_zone(kind: &str) -> bool {
    matches!(kind, "cluster" | "storage" | "vmwarebroker" | "node")
}

fn active_passive(s: &Service) -> bool {
    matches!(
        s.kind.as_str(),
        "eucalyptus"
            | "cluster"
            | "storage"
            | "vmwarebroker"
            | "walrusbackend"
            | "walrus"
            | "db"
            | "notifications"
            | "pollednotifications"
    ) || s.kind.ends_with("backend")
        // 3.x CLC-local services (euare, tokens, dns ... in partition `eucalyptus`)
        || (s.partition == "eucalyptus" && s.kind != "bootstrap")
}

/// A restore hint per type.
fn hint(kind: &str, hosts: &str) -> String {
    let on = if hosts.is_empty() {
        String::new()
    } else {
        format!(" on {hosts}")
    };
    match kind {
        "eucalyptus" | "db" => format!("check eucalyptus-cloud{on} (service eucalyptus-cloud status; EL7: systemctl status eucalyptus-cloud), /var/log/eucalyptus/cloud-output.log and the database; events: euserv-describe-services -a --show-events"),
        "cluster" => format!("check the CC{on}: service eucalyptus-cc status (EL7: systemctl status eucalyptus-cluster), /var/log/eucalyptus/cc.log; events: euserv-describe-services -a --show-events --filter service-type=cluster"),
        "storage" => format!("check the SC{on}: /var/log/eucalyptus/cloud-output.log, the block storage backend (tgtd/iSCSI, SAN, property <zone>.storage.blockstoragemanager); events: euserv-describe-services -a --show-events --filter service-type=storage"),
        "node" => format!("check the NC{on}: service eucalyptus-nc status (EL7: systemctl status eucalyptus-node), libvirtd, /var/log/eucalyptus/nc.log; the CC must reach it on port 8775"),
        "walrusbackend" | "walrus" => format!("check eucalyptus-cloud{on} and its storage (walrusbackend.storagedir; an HA pair replicates with DRBD: drbdadm cstate r0)"),
        "objectstorage" => format!("check the OSG{on} and its provider (property objectstorage.providerclient; Walrus backend or Riak CS reachable)"),
        "imagingbackend" | "loadbalancingbackend" => "install the service image (4.2+: esi-install-image --install-default; 4.0/4.1: euca-install-imaging-worker / euca-install-load-balancer), then read the events: euserv-describe-services -a --show-events".to_string(),
        "vmwarebroker" => format!("check the VMware broker{on} and its vCenter connection (/var/log/eucalyptus/cloud-output.log)"),
        _ => format!("check eucalyptus-cloud{on} (/var/log/eucalyptus/cloud-output.log); events: euserv-describe-services -a --show-events"),
    }
}

const RESTART_PASSIVE: &str = "once it is fixed, start it again so it comes back DISABLED: euserv-modify-service -s START NAME (3.x-4.1: euca-modify-service -s START NAME)";

/// `one-cc-1 BROKEN, one-cc-2 NOTREADY`
fn states(members: &[&Service]) -> String {
    members
        .iter()
        .map(|s| format!("{} {}", s.name, s.state))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `one-cc-1 on 10.111.5.130 BROKEN (cause), ...` for long output.
fn states_long(members: &[&Service]) -> String {
    members
        .iter()
        .map(|s| match s.cause() {
            Some(c) => format!("{} {} ({c})", s.label(), s.state),
            None => format!("{} {}", s.label(), s.state),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn hosts(members: &[&Service]) -> String {
    let set: BTreeSet<&str> = members
        .iter()
        .map(|s| s.host.as_deref().unwrap_or(s.name.as_str()))
        .collect();
    set.into_iter().collect::<Vec<_>>().join(", ")
}

/// "zone one: " for per-zone types, "" otherwise.
fn scope(kind: &str, partition: &str) -> String {
    if per_zone(kind) {
        format!("zone {partition}: ")
    } else {
        String::new()
    }
}

/// Findings in the order an admin reads them (and the summary lists problems of one state):
/// the core, the CLC, the UFS, object storage, each zone's CC, SC and NCs together, the
/// CLC-local backends, bootstrap, the rest.
#[derive(Default)]
struct Ordered {
    items: Vec<((u8, String, u8), Finding)>,
}

impl Ordered {
    fn add(&mut self, key: (u8, String, u8), finding: Finding) {
        self.items.push((key, finding));
    }
    fn into_report(mut self, report: &mut Report) {
        self.items.sort_by(|a, b| a.0.cmp(&b.0)); // stable
        for (_, f) in self.items {
            report.add(f);
        }
    }
}

fn order(kind: &str, partition: &str) -> (u8, String, u8) {
    match kind {
        "eucalyptus" => (1, String::new(), 0),
        "db" => (1, String::new(), 1),
        "user-api" => (2, String::new(), 0),
        "objectstorage" | "walrusbackend" | "walrus" => (3, String::new(), 0),
        "cluster" => (4, partition.to_string(), 1),
        "storage" => (4, partition.to_string(), 2),
        "vmwarebroker" => (4, partition.to_string(), 3),
        "node" => (4, partition.to_string(), 4),
        "bootstrap" => (6, String::new(), 0),
        k if partition == "eucalyptus" || k.ends_with("backend") || k.contains("notifications") => {
            (5, String::new(), 0)
        }
        _ => (7, kind.to_string(), 0),
    }
}

/// The list with each service once: the CLC (or a saved listing) may list the same service
/// twice, with the same type, zone, name, host and state; that is one service, not two ENABLED
/// (a split brain) nor a second member.
pub fn distinct(all: &[Service]) -> Cow<'_, [Service]> {
    // Indexed by what makes two listings one service, so a listing of tens of thousands of
    // services is deduplicated in O(n log n), not by comparing each with all before it. The
    // name first: it tells nearly every two services apart at the first comparison.
    type Key<'a> = (&'a str, &'a str, &'a str, Option<&'a str>, &'a State);
    type EventKey<'a> = (&'a str, &'a str, &'a str);
    fn key(s: &Service) -> Key<'_> {
        (
            s.name.as_str(),
            s.kind.as_str(),
            s.partition.as_str(),
            s.host.as_deref(),
            &s.state,
        )
    }
    fn event_key(e: &Event) -> EventKey<'_> {
        (&e.severity, &e.message, &e.timestamp)
    }
    // A listing with no twin (nearly all of them) is judged as it is, nothing copied.
    let mut keys: BTreeSet<Key> = BTreeSet::new();
    if all.iter().all(|s| keys.insert(key(s))) {
        return Cow::Borrowed(all);
    }
    let mut out: Vec<Service> = Vec::with_capacity(all.len());
    // key -> (its place in `out`, the listing it was first seen as)
    let mut index: BTreeMap<Key, (usize, &Service)> = BTreeMap::new();
    // The events each kept service has (keys borrowed from the listing, not from `out`),
    // filled only once a twin shows up.
    let mut events_seen: BTreeMap<usize, BTreeSet<EventKey>> = BTreeMap::new();
    for s in all {
        match index.get(&key(s)) {
            // Keep the events of both listings (the second may carry the cause).
            Some(&(i, first)) => {
                let seen = events_seen
                    .entry(i)
                    .or_insert_with(|| first.events.iter().map(event_key).collect());
                for e in &s.events {
                    if seen.insert(event_key(e)) {
                        out[i].events.push(e.clone());
                    }
                }
            }
            None => {
                index.insert(key(s), (out.len(), s));
                out.push(s.clone());
            }
        }
    }
    Cow::Owned(out)
}

/// An UNKNOWN for each `--type` that matches no service in the answer: a mistyped type must
/// not judge nothing and say OK while the cloud is out.
fn unmatched_types(listed: &[Service], rules: &Rules, report: &mut Report) {
    if rules.type_args.is_empty() {
        return;
    }
    let kinds: BTreeSet<&str> = listed.iter().map(|s| s.kind.as_str()).collect();
    for (arg, types) in &rules.type_args {
        if types.iter().any(|t| kinds.contains(t.as_str())) {
            continue;
        }
        let text = format!("--type {arg} matches no service in the answer");
        // A hostile answer may list thousands of made-up types: name the first few.
        let mut listed: Vec<&str> = kinds.iter().copied().take(40).collect();
        if kinds.len() > listed.len() {
            listed.push("...");
        }
        report.add(
            Finding::unknown(format!("{text} (types listed: {})", listed.join(", ")))
                .summary(text)
                .hint(format!(
                    "give a type as listed (euserv-describe-services -a) or a group: {}",
                    crate::TYPE_GROUPS
                )),
        );
    }
}

/// Evaluate the services into the report.
pub fn evaluate(listed: &[Service], rules: &Rules, report: &mut Report) {
    // An empty list is an answer, but not about the cloud: a non-admin account is shown no
    // services, and a CLC still starting has none registered yet. No verdict without them.
    if listed.is_empty() {
        report.add(
            Finding::unknown("DescribeServices listed no services")
                .summary("DescribeServices listed no services: the credentials are not those of an admin of the eucalyptus account, or the CLC is still starting")
                .hint("use the access key of an admin of the eucalyptus account (euare-useraddkey -u admin, or the eucarc of the cloud admin); if the CLC was just started, ask again in a few minutes"),
        );
        return;
    }
    unmatched_types(listed, rules, report);
    let owned = distinct(listed);
    if owned.len() < listed.len() {
        report.verbose(
            1,
            format!(
                "{} service(s) listed twice with the same name, host and state, counted once",
                listed.len() - owned.len()
            ),
        );
    }
    let all = &owned[..];
    let mut out = Ordered::default();
    // The era decides what the core is made of: 4.0+ has UFS (`user-api`) and the OSG; 3.x
    // serves the APIs from the CLC itself and stores objects in `walrus`.
    let modern = all.iter().any(|s| {
        matches!(
            s.kind.as_str(),
            "user-api" | "objectstorage" | "walrusbackend"
        )
    });
    let nodes_listed = all.iter().any(|s| s.kind == "node");
    let services: Vec<&Service> = all.iter().filter(|s| rules.selects(&s.kind)).collect();

    let ufs_names: BTreeSet<&str> = services
        .iter()
        .filter(|s| s.kind == "user-api")
        .map(|s| s.name.as_str())
        .collect();
    let in_ufs = |s: &Service| {
        s.kind == "user-api" || (ufs_names.contains(s.partition.as_str()) && s.kind != "bootstrap")
    };

    let mut core_missing: Vec<String> = Vec::new();

    // n/a states: that one service is UNKNOWN, whatever its peers do.
    for s in &services {
        if let State::NotAvailable(msg) = &s.state {
            out.add(order(&s.kind, &s.partition),
                Finding::unknown(format!(
                    "{}{} {}: state unknown (n/a: {msg})",
                    scope(&s.kind, &s.partition),
                    what(&s.kind),
                    s.label()
                ))
                .summary(format!("{} {} state unknown", what(&s.kind), s.name))
                .hint("ask again; if it persists, read /var/log/eucalyptus/cloud-output.log on the CLC"),
            );
        }
    }

    // The UFS: every member type needs one ENABLED somewhere; every UFS host should have all.
    let ufs: Vec<&Service> = services.iter().copied().filter(|s| in_ufs(s)).collect();
    for (kind, members) in by_type(&ufs) {
        let na = members
            .iter()
            .any(|s| matches!(s.state, State::NotAvailable(_)));
        if !members.iter().any(|s| s.state == State::Enabled) && !na {
            let name = what(kind);
            out.add(
                (2, String::new(), 0),
                Finding::critical(format!(
                    "no ENABLED {name} on any UFS: {}",
                    states_long(&members)
                ))
                .summary(format!("no ENABLED {name} ({})", states(&members)))
                .hint(hint(kind, &hosts(&members))),
            );
        }
    }
    let mut fully_enabled = 0;
    let mut per_ufs = by_ufs_host(&ufs, &ufs_names);
    for ufs_name in &ufs_names {
        let members = per_ufs.remove(ufs_name).unwrap_or_default();
        let host = members
            .iter()
            .find_map(|s| s.host.clone())
            .map(|h| format!(" on {h}"))
            .unwrap_or_default();
        let down: Vec<&Service> = members
            .iter()
            .copied()
            .filter(|s| s.state != State::Enabled && !matches!(s.state, State::NotAvailable(_)))
            .collect();
        if down.is_empty() {
            if !members
                .iter()
                .any(|s| matches!(s.state, State::NotAvailable(_)))
            {
                fully_enabled += 1;
            }
            out.add(
                (2, String::new(), 1),
                Finding::ok(format!(
                    "UFS {ufs_name}{host}: all {} services ENABLED",
                    members.len()
                )),
            );
            continue;
        }
        let same_state = down.iter().all(|s| s.state == down[0].state);
        let how = if down.len() == members.len() {
            "down"
        } else {
            "degraded"
        };
        let counted = if same_state {
            format!(
                "{}/{} services {}",
                down.len(),
                members.len(),
                down[0].state
            )
        } else {
            format!(
                "{}/{} services not ENABLED ({})",
                down.len(),
                members.len(),
                count_states(&down)
            )
        };
        let cause = down
            .iter()
            .find_map(|s| s.cause())
            .map(|c| format!(" ({c})"))
            .unwrap_or_default();
        out.add((2, String::new(), 1),
            Finding::warning(format!(
                "UFS {ufs_name}{host}: {} of {} services not ENABLED: {}{cause}",
                down.len(),
                members.len(),
                down.iter().map(|s| format!("{} {}", s.kind, s.state)).collect::<Vec<_>>().join(", ")
            ))
            .summary(format!("UFS {ufs_name}{host} {how}: {counted}"))
            .hint(format!(
                "check eucalyptus-cloud{host} (the UFS JVM) and its network to the CLC; /var/log/eucalyptus/cloud-output.log"
            )),
        );
    }
    if let Some(min) = rules.min_ufs {
        if fully_enabled < min {
            out.add((2, String::new(), 2),
                Finding::critical(format!(
                    "only {fully_enabled} of {} UFS hosts have every service ENABLED, --min-ufs is {min}",
                    ufs_names.len()
                ))
                .summary(format!("{fully_enabled} UFS fully ENABLED (--min-ufs {min})"))
                .hint("bring the degraded UFS hosts back (see the lines above)"),
            );
        }
    }

    // Groups: active/passive per (type, zone) or cloud-wide; active/active outside the UFS.
    let outside_ufs: Vec<&Service> = services.iter().copied().filter(|s| !in_ufs(s)).collect();
    let groups = groups(&outside_ufs);

    // The CLC's own verdict, so the CLC-local backends that share it are not repeated in the
    // summary (a CLC split brain splits every backend too).
    let clc_enabled = services
        .iter()
        .filter(|s| s.kind == "eucalyptus" && s.state == State::Enabled)
        .count();

    for (kind, partition, members) in &groups {
        let ap = members.iter().all(|s| active_passive(s));
        let enabled: Vec<&Service> = members
            .iter()
            .copied()
            .filter(|s| s.state == State::Enabled)
            .collect();
        let na = members
            .iter()
            .any(|s| matches!(s.state, State::NotAvailable(_)));
        let others: Vec<&Service> = members
            .iter()
            .copied()
            .filter(|s| s.state != State::Enabled && !matches!(s.state, State::NotAvailable(_)))
            .collect();
        let zone = scope(kind, partition);
        let name = what(kind);
        let clc_local = kind != "eucalyptus" && members.iter().all(|s| s.partition == "eucalyptus");
        if enabled.is_empty() {
            if na {
                continue; // the UNKNOWN line above says it: no verdict without the state
            }
            let service_vm = SERVICE_VM_BACKENDS.contains(&kind.as_str());
            let f = if service_vm {
                Finding::warning(format!("{zone}no ENABLED {name}: {}", states_long(members)))
                    .summary(format!("{zone}{name} not ENABLED ({})", states(members)))
            } else {
                let f = Finding::critical(format!(
                    "{zone}no ENABLED {name}, the {name} is out: {}",
                    states_long(members)
                ));
                if clc_local && clc_enabled == 0 {
                    f
                } else {
                    f.summary(format!("{zone}no ENABLED {name} ({})", states(members)))
                }
            };
            out.add(order(kind, partition), f.hint(hint(kind, &hosts(members))));
            continue;
        }
        if ap && enabled.len() > 1 {
            let f = Finding::critical(format!(
                "{zone}split brain: {} {name} services ENABLED at once: {}",
                enabled.len(),
                states_long(&enabled)
            ))
            .hint(format!(
                "check the network between {}; stop the {name} that should be passive and start it again so it rejoins DISABLED",
                hosts(&enabled)
            ));
            let f = if clc_local && clc_enabled > 1 {
                f
            } else {
                f.summary(format!(
                    "{zone}split brain: {} ENABLED {name} ({})",
                    enabled.len(),
                    enabled
                        .iter()
                        .map(|s| s.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            };
            out.add(order(kind, partition), f);
            continue;
        }
        if ap {
            let active = enabled[0];
            let starting: Vec<&Service> = others
                .iter()
                .copied()
                .filter(|s| s.state.is_starting())
                .collect();
            let failed: Vec<&Service> = others
                .iter()
                .copied()
                .filter(|s| s.state != State::Disabled && !s.state.is_starting())
                .collect();
            if !failed.is_empty() {
                out.add(
                    order(kind, partition),
                    Finding::warning(format!(
                        "{zone}{name} {} ENABLED, but no failover left: passive {}",
                        active.label(),
                        states_long(&failed)
                    ))
                    .summary(format!(
                        "{zone}{name} {} ENABLED, passive {}: no failover left",
                        active.name,
                        states(&failed)
                    ))
                    .hint(format!(
                        "{}; {RESTART_PASSIVE}",
                        hint(kind, &hosts(&failed))
                    )),
                );
            } else if !starting.is_empty() {
                out.add(order(kind, partition),
                    Finding::warning(format!(
                        "{zone}{name} {} ENABLED, passive starting: {}",
                        active.label(),
                        states_long(&starting)
                    ))
                    .summary(format!("{zone}{name} passive {} starting", states(&starting)))
                    .hint(format!("wait for it to finish starting; if it stays, read /var/log/eucalyptus/cloud-output.log on {}", hosts(&starting))),
                );
            } else if others.is_empty() && rules.require_passive && !na {
                out.add(
                    order(kind, partition),
                    Finding::warning(format!(
                        "{zone}{name} {} ENABLED, no passive peer registered (--require-passive)",
                        active.label()
                    ))
                    .summary(format!("{zone}{name} has no passive peer"))
                    .hint(format!(
                        "register a second {name} (euserv-register-service) to have a failover"
                    )),
                );
            } else {
                let passive = others
                    .iter()
                    .map(|s| s.label())
                    .collect::<Vec<_>>()
                    .join(", ");
                let detail = if passive.is_empty() {
                    format!("{zone}{name} {} ENABLED", active.label())
                } else {
                    format!(
                        "{zone}{name} {} ENABLED, passive {passive} DISABLED",
                        active.label()
                    )
                };
                out.add(order(kind, partition), Finding::ok(detail));
            }
            continue;
        }
        // active/active
        if others.is_empty() {
            out.add(
                order(kind, partition),
                Finding::ok(format!(
                    "{zone}{name} {}/{} ENABLED",
                    enabled.len(),
                    members.len()
                )),
            );
        } else {
            out.add(
                order(kind, partition),
                Finding::warning(format!(
                    "{zone}{name} {}/{} ENABLED, not ENABLED: {}",
                    enabled.len(),
                    members.len(),
                    states_long(&others)
                ))
                .summary(format!(
                    "{zone}{} {name} not ENABLED ({})",
                    others.len(),
                    states(&others)
                ))
                .hint(hint(kind, &hosts(&others))),
            );
        }
    }

    // Zones: every zone seen or named needs its CC and SC; --min-nodes NCs.
    let nodes_required = nodes_listed || modern || rules.min_nodes.is_some();
    let (zones, per_zone_counts) = zones_and_counts(all);
    let zone_known: BTreeSet<&str> = zones.iter().map(|z| z.as_str()).collect();
    let count = |kind: &str, z: &str| per_zone_counts.get(&(kind, z)).copied().unwrap_or_default();
    for z in &rules.zones {
        if !zone_known.contains(z.as_str()) {
            out.add((4, z.clone(), 0),
                Finding::critical(format!("zone {z} missing: no CC, SC or NC registered in it"))
                    .summary(format!("zone {z} missing"))
                    .hint("compare with euserv-describe-services -a; re-register the zone's CC and SC (euserv-register-service -t cluster/-t storage -z ZONE)"),
            );
        }
    }
    // A VMware zone (3.x-4.1: a VMware Broker registered in it) runs its instances on vSphere,
    // which its broker reaches: it has no NCs, and its broker serving stands where they would.
    let vmware = |z: &str| count("vmwarebroker", z).total > 0;
    let mut node_perf: Vec<(String, usize, usize)> = Vec::new();
    for z in &zones {
        let in_zone = |kind: &str| count(kind, z).total;
        for kind in ["cluster", "storage"] {
            if rules.selects(kind) && in_zone(kind) == 0 {
                out.add(
                    order(kind, z),
                    Finding::critical(format!(
                        "zone {z}: no {} registered, the zone cannot run instances",
                        what(kind)
                    ))
                    .summary(format!("zone {z}: no {} registered", what(kind)))
                    .hint(format!(
                        "register the zone's {} (euserv-register-service -t {kind} -z {z})",
                        what(kind)
                    )),
                );
            }
        }
        if !rules.selects("node") {
            continue;
        }
        let total = in_zone("node");
        let enabled = count("node", z).enabled;
        if vmware(z) {
            continue;
        }
        if total == 0 && nodes_required {
            out.add(order("node", z),
                Finding::critical(format!("zone {z}: no NC registered, the zone cannot run instances"))
                    .summary(format!("zone {z}: no NC registered"))
                    .hint(format!("register the NCs of zone {z} on its CC (clusteradmin-register-nodes / euca_conf --register-nodes)")),
            );
        } else if let Some(min) = rules.min_nodes {
            if enabled < min {
                out.add(
                    order("node", z),
                    Finding::critical(format!(
                        "zone {z}: {enabled} of {total} NCs ENABLED, fewer than --min-nodes {min}"
                    ))
                    .summary(format!(
                        "zone {z}: {enabled} NCs ENABLED (--min-nodes {min})"
                    ))
                    .hint(hint("node", "")),
                );
            }
        }
        if total > 0 || nodes_required {
            node_perf.push((z.clone(), enabled, total));
        }
    }
    if !nodes_required && rules.selects("node") && !zones.is_empty() {
        report.verbose(
            0,
            "NCs are not in this listing (3.x lists them with euca-describe-nodes); give --min-nodes with a 4.x listing to count them",
        );
    }

    // The Eucalyptus Core.
    // A service whose state is n/a may well be serving: it counts as present (its UNKNOWN line
    // says the state could not be read) rather than make the core look down.
    let enabled_of = |kinds: &[&str]| {
        all.iter()
            .filter(|s| {
                kinds.contains(&s.kind.as_str())
                    && matches!(s.state, State::Enabled | State::NotAvailable(_))
            })
            .count()
    };
    let registered = |kind: &str| all.iter().any(|s| s.kind == kind);
    let mut core: Vec<(&str, bool, &str)> = vec![
        ("eucalyptus", enabled_of(&["eucalyptus"]) > 0, "CLC"),
        ("cluster", enabled_of(&["cluster"]) > 0, "CC"),
        ("storage", enabled_of(&["storage"]) > 0, "SC"),
    ];
    if modern {
        core.push(("user-api", enabled_of(&["user-api"]) > 0, "UFS"));
        core.push((
            "objectstorage",
            enabled_of(&["objectstorage"]) > 0,
            "object storage (OSG)",
        ));
        if registered("walrusbackend") {
            core.push((
                "walrusbackend",
                enabled_of(&["walrusbackend"]) > 0,
                "Walrus backend",
            ));
        }
    } else {
        core.push(("walrus", enabled_of(&["walrus"]) > 0, "Walrus"));
    }
    if nodes_required {
        core.push(("node", enabled_of(&["node"]) > 0, "NC"));
    }
    for (kind, ok, name) in core {
        if ok || !rules.selects(kind) {
            continue;
        }
        core_missing.push(name.to_string());
        let f = if registered(kind) {
            Finding::critical(format!("Eucalyptus Core: no ENABLED {name} anywhere"))
        } else {
            Finding::critical(format!("Eucalyptus Core: no {name} registered"))
        };
        // A type that is registered but not ENABLED has its own line (and summary) above.
        let zone_says_it = matches!(kind, "cluster" | "storage" | "node") && !zones.is_empty();
        let f = if registered(kind) || zone_says_it {
            f
        } else {
            f.summary(format!("no {name} registered"))
        };
        out.add((0, String::new(), 0), f.hint(hint(kind, "")));
    }

    // The core per zone: a zone serves instances with an ENABLED CC and SC (and NC, where NCs
    // are listed); an n/a state counts as present, as above.
    let serving = |kind: &str, z: &str| count(kind, z).serving > 0;
    let (zones_up, zones_down): (Vec<&String>, Vec<&String>) = zones
        .iter()
        .chain(
            rules
                .zones
                .iter()
                .filter(|z| !zone_known.contains(z.as_str())),
        )
        .partition(|z| {
            serving("cluster", z)
                && serving("storage", z)
                && if vmware(z) {
                    serving("vmwarebroker", z)
                } else {
                    !nodes_required || serving("node", z)
                }
        });

    out.into_report(report);

    // "Eucalyptus Core available" never opens a CRITICAL line: when a zone is out, the core is
    // available in the other zones only, said after the problems.
    if !core_missing.is_empty() || (zones_up.is_empty() && !zones_down.is_empty()) {
        report.headline("Eucalyptus Core unavailable");
    } else if rules.filtered() {
        // part of the services judged: no word on the whole core
    } else if report.status() != Status::Critical {
        report.headline("Eucalyptus Core available");
    } else if !zones_down.is_empty() {
        let list = zones_up
            .iter()
            .map(|z| z.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        let text = format!(
            "Eucalyptus Core available in zone{} {list} only",
            if zones_up.len() == 1 { "" } else { "s" }
        );
        report.add(Finding::ok(text.clone()).summary(text));
    }

    // Summary when nothing needs attention.
    let counts = count_states(&services);
    let zone_text = if node_perf.is_empty() {
        format!(
            "{} zone{}",
            zones.len(),
            if zones.len() == 1 { "" } else { "s" }
        )
    } else {
        format!(
            "NCs ENABLED per zone: {}",
            node_perf
                .iter()
                .map(|(z, e, t)| format!("{z} {e}/{t}"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    report.ok_summary(format!(
        "{} services: {counts}; {zone_text}",
        services.len()
    ));

    // Perfdata: services per state, ENABLED per type, ENABLED NCs per zone.
    let total = services.len() as f64;
    for key in State::KEYS {
        let n = services.iter().filter(|s| s.state.key() == key).count();
        report.perf(
            Perfdata::new(format!("services_{key}"), n as f64)
                .min(0.0)
                .max(total),
        );
    }
    let mut per_type: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for s in &services {
        let e = per_type.entry(s.kind.as_str()).or_default();
        e.1 += 1;
        if s.state == State::Enabled {
            e.0 += 1;
        }
    }
    for (kind, (enabled, total)) in per_type {
        report.perf(
            Perfdata::new(format!("enabled_{kind}"), enabled as f64)
                .min(0.0)
                .max(total as f64),
        );
    }
    let crit = rules
        .min_nodes
        .and_then(|m| Range::parse(&format!("{m}:")).ok());
    for (z, enabled, total) in node_perf {
        report.perf(
            Perfdata::new(format!("zone_{z}_nodes_enabled"), enabled as f64)
                .crit(crit.as_ref())
                .min(0.0)
                .max(total as f64),
        );
    }
}

/// The services of each type, types in the order first listed.
fn by_type<'a>(services: &[&'a Service]) -> Vec<(&'a str, Vec<&'a Service>)> {
    let mut out: Vec<(&str, Vec<&Service>)> = Vec::new();
    let mut index: BTreeMap<&str, usize> = BTreeMap::new();
    for s in services {
        let i = *index.entry(s.kind.as_str()).or_insert_with(|| {
            out.push((s.kind.as_str(), Vec::new()));
            out.len() - 1
        });
        out[i].1.push(s);
    }
    out
}

/// The services of each UFS host: those in its partition, and its `user-api` itself.
fn by_ufs_host<'a>(
    ufs: &[&'a Service],
    names: &BTreeSet<&'a str>,
) -> BTreeMap<&'a str, Vec<&'a Service>> {
    let mut out: BTreeMap<&str, Vec<&Service>> = BTreeMap::new();
    for s in ufs {
        if let Some(&name) = names.get(s.partition.as_str()) {
            out.entry(name).or_default().push(s);
        }
        if s.kind == "user-api" && s.name != s.partition {
            if let Some(&name) = names.get(s.name.as_str()) {
                out.entry(name).or_default().push(s);
            }
        }
    }
    out
}

/// Groups judged together: per (type, zone) for per-zone types, per type otherwise, in the
/// order first listed. Indexed, so tens of thousands of services or zones group in
/// O(n log n).
fn groups<'a>(services: &[&'a Service]) -> Vec<(String, String, Vec<&'a Service>)> {
    let mut out: Vec<(String, String, Vec<&Service>)> = Vec::new();
    let mut index: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for s in services {
        let partition = if per_zone(&s.kind) {
            s.partition.as_str()
        } else {
            ""
        };
        let i = *index
            .entry((s.kind.as_str(), partition))
            .or_insert_with(|| {
                out.push((s.kind.clone(), partition.to_string(), Vec::new()));
                out.len() - 1
            });
        out[i].2.push(s);
    }
    out
}

/// Services of one type in one zone.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct ZoneCount {
    total: usize,
    enabled: usize,
    /// ENABLED or n/a (may well be serving).
    serving: usize,
}

/// The zones in the order first listed, and the count of each (type, zone), in one pass.
#[allow(clippy::type_complexity)]
fn zones_and_counts(all: &[Service]) -> (Vec<String>, BTreeMap<(&str, &str), ZoneCount>) {
    let mut zones: Vec<String> = Vec::new();
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    let mut counts: BTreeMap<(&str, &str), ZoneCount> = BTreeMap::new();
    for s in all.iter().filter(|s| per_zone(&s.kind)) {
        if seen.insert(s.partition.as_str()) {
            zones.push(s.partition.clone());
        }
        let c = counts
            .entry((s.kind.as_str(), s.partition.as_str()))
            .or_default();
        c.total += 1;
        if s.state == State::Enabled {
            c.enabled += 1;
        }
        if matches!(s.state, State::Enabled | State::NotAvailable(_)) {
            c.serving += 1;
        }
    }
    (zones, counts)
}

/// `45 ENABLED, 10 DISABLED`
fn count_states(services: &[&Service]) -> String {
    let mut counts: BTreeMap<State, usize> = BTreeMap::new();
    for s in services {
        let key = match &s.state {
            State::NotAvailable(_) => State::NotAvailable(String::new()),
            other => other.clone(),
        };
        *counts.entry(key).or_default() += 1;
    }
    counts
        .iter()
        .map(|(state, n)| format!("{n} {state}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn svc(kind: &str, partition: &str, name: &str, state: &str) -> Service {
        Service::new(kind, partition, name, State::parse(state).unwrap())
    }

    /// A small healthy 4.4 cloud: one CLC, one UFS, one zone with a CC/SC pair and two NCs.
    fn cloud() -> Vec<Service> {
        vec![
            svc("eucalyptus", "eucalyptus", "clc", "ENABLED"),
            svc("imagingbackend", "eucalyptus", "clc", "ENABLED"),
            svc("user-api", "API_1", "API_1", "ENABLED"),
            svc("objectstorage", "API_1", "API_1.objectstorage", "ENABLED"),
            svc("compute", "API_1", "API_1.compute", "ENABLED"),
            svc("cluster", "one", "cc-1", "ENABLED"),
            svc("cluster", "one", "cc-2", "DISABLED"),
            svc("storage", "one", "sc-1", "ENABLED"),
            svc("storage", "one", "sc-2", "DISABLED"),
            svc("node", "one", "nc-1", "ENABLED"),
            svc("node", "one", "nc-2", "ENABLED"),
        ]
    }

    fn judge(services: &[Service], rules: &Rules) -> (Status, String) {
        let mut r = Report::new();
        evaluate(services, rules, &mut r);
        (r.status(), r.summary_text())
    }

    fn with(name: &str, state: &str) -> Vec<Service> {
        let mut c = cloud();
        for s in c.iter_mut().filter(|s| s.name == name || s.kind == name) {
            s.state = State::parse(state).unwrap();
        }
        c
    }

    #[test]
    fn each_rule_gives_its_state_and_words() {
        let none = Rules::default();
        let table: Vec<(Vec<Service>, Status, &str)> = vec![
            (
                cloud(),
                Status::Ok,
                "Eucalyptus Core available: 11 services: 9 ENABLED, 2 DISABLED",
            ),
            (
                with("cc-2", "BROKEN"),
                Status::Warning,
                "CC cc-1 ENABLED, passive cc-2 BROKEN: no failover left",
            ),
            (
                with("sc-2", "PRIMORDIAL"),
                Status::Warning,
                "passive sc-2 PRIMORDIAL: no failover left",
            ),
            (
                with("sc-2", "LOADED"),
                Status::Warning,
                "zone one: SC passive sc-2 LOADED starting",
            ),
            (
                with("sc-2", "ENABLED"),
                Status::Critical,
                "zone one: split brain: 2 ENABLED SC (sc-1, sc-2)",
            ),
            (
                with("nc-2", "DISABLED"),
                Status::Warning,
                "zone one: 1 NC not ENABLED (nc-2 DISABLED)",
            ),
            (
                with("nc-2", "INITIALIZED"),
                Status::Warning,
                "1 NC not ENABLED (nc-2 INITIALIZED)",
            ),
            (
                with("cc-2", "n/a: java.lang.NullPointerException"),
                Status::Unknown,
                "CC cc-2 state unknown",
            ),
            (
                with("imagingbackend", "NOTREADY"),
                Status::Warning,
                "imaging backend not ENABLED (clc NOTREADY)",
            ),
            (
                with("compute", "STOPPED"),
                Status::Critical,
                "no ENABLED compute (API_1.compute STOPPED)",
            ),
        ];
        for (services, want, words) in table {
            let (status, summary) = judge(&services, &none);
            assert_eq!(status, want, "{summary}");
            assert!(summary.contains(words), "want '{words}' in: {summary}");
        }
    }

    #[test]
    fn a_core_component_without_enabled_service_makes_the_core_unavailable() {
        let mut c = cloud();
        c[0].state = State::NotReady; // the CLC
        c[0].events.push(Event {
            severity: "ERROR".into(),
            message: "database unreachable".into(),
            timestamp: String::new(),
        });
        let mut r = Report::new();
        evaluate(&c, &Rules::default(), &mut r);
        assert_eq!(r.status(), Status::Critical);
        assert!(
            r.summary_text()
                .starts_with("Eucalyptus Core unavailable: no ENABLED CLC (clc NOTREADY)"),
            "{}",
            r.summary_text()
        );
        let text = r.render("EUCA CLC", 0, 4096).unwrap();
        assert!(
            text.contains("clc NOTREADY (database unreachable)"),
            "{text}"
        );
        // no node registered in a 4.x zone: the zone cannot run instances
        let c: Vec<Service> = cloud().into_iter().filter(|s| s.kind != "node").collect();
        let (status, summary) = judge(&c, &Rules::default());
        assert_eq!(status, Status::Critical);
        assert!(
            summary.contains("Eucalyptus Core unavailable: zone one: no NC registered"),
            "{summary}"
        );
    }

    #[test]
    fn a_zone_with_nodes_but_no_cc_is_critical() {
        let c: Vec<Service> = cloud()
            .into_iter()
            .filter(|s| s.kind != "cluster")
            .collect();
        let (status, summary) = judge(&c, &Rules::default());
        assert_eq!(status, Status::Critical);
        assert!(summary.contains("zone one: no CC registered"), "{summary}");
    }

    /// 50,000 services over 8,000 zones, each listed twice: what took seconds when twins and
    /// groups were found by linear search (5k NCs 0.26 s, 20k 3.55 s, 40k past -t 10). The
    /// result is counted here, not timed; the plugin's README notes the time ("Cost").
    #[test]
    fn fifty_thousand_services_group_and_count_by_index() {
        let mut listed = cloud();
        for i in 0..50_000 {
            let zone = format!("z{}", i % 8_000);
            let state = if i % 2 == 0 { "ENABLED" } else { "BROKEN" };
            listed.push(svc("node", &zone, &format!("nc-{i}"), state));
        }
        let mut twice = listed.clone();
        twice.extend(listed.iter().cloned());
        let kept = distinct(&twice);
        assert_eq!(kept, listed, "each service once, in the order first listed");

        let refs: Vec<&Service> = kept.iter().collect();
        let groups = groups(&refs);
        // cloud(): eucalyptus, imagingbackend, user-api, objectstorage, compute, and zone one's
        // cluster, storage and node; then a node group for each of the 8,000 zones.
        assert_eq!(groups.len(), 8 + 8_000);
        assert_eq!(groups[8].0, "node");
        assert_eq!(groups[8].1, "z0");
        assert_eq!(groups[8].2.len(), 7); // nc-0, nc-8000 ... nc-48000
        assert_eq!(groups.iter().map(|g| g.2.len()).sum::<usize>(), kept.len());

        let (zones, counts) = zones_and_counts(&kept);
        assert_eq!(zones.len(), 1 + 8_000);
        assert_eq!(zones[1], "z0");
        let z0 = counts[&("node", "z0")];
        assert_eq!((z0.total, z0.enabled, z0.serving), (7, 7, 7)); // i = 0, 8000 ... all even
        let z1 = counts[&("node", "z1")];
        assert_eq!((z1.total, z1.enabled), (7, 0));
        assert_eq!(counts[&("cluster", "one")].total, 2);

        // And the whole evaluation: every zone judged once, perfdata for each.
        let mut r = Report::new();
        evaluate(&twice, &Rules::default(), &mut r);
        assert_eq!(r.status(), Status::Critical); // odd zones have no ENABLED NC
        let zone_perf = r
            .perfdata()
            .iter()
            .filter(|p| p.label.ends_with("_nodes_enabled"))
            .count();
        assert_eq!(zone_perf, 8_001);
    }

    #[test]
    fn twins_keep_the_events_of_both_listings_once() {
        let event = |m: &str| Event {
            severity: "ERROR".into(),
            message: m.into(),
            timestamp: String::new(),
        };
        let mut a = svc("cluster", "one", "cc-1", "BROKEN");
        a.events = vec![event("first")];
        let mut b = a.clone();
        b.events = vec![event("first"), event("cause"), event("cause")];
        let listed = [a.clone(), b, a];
        let kept = distinct(&listed);
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].events, vec![event("first"), event("cause")]);
    }

    #[test]
    fn n_a_alone_is_unknown_not_a_false_critical() {
        let mut c = with("cc-1", "n/a: lookup failed");
        c.retain(|s| s.name != "cc-2");
        let (status, summary) = judge(&c, &Rules::default());
        assert_eq!(status, Status::Unknown, "{summary}");
        assert!(summary.contains("CC cc-1 state unknown"), "{summary}");
    }
}
