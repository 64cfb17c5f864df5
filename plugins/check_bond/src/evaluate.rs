//! The rules: what makes a bond or team OK, WARNING or CRITICAL. One branch per rule, each
//! with the line of long output it writes.

use crate::model::{is_zero_mac, Aggregate, Kind, Member, Mode};
use common::{Acquisition, Finding, Perfdata, Range, Report, Status, Uom};

/// The options the rules use.
#[derive(Debug, Clone, Default)]
pub struct Rules {
    /// WARNING below this many members up (None: all configured).
    pub min_members: Option<usize>,
    /// CRITICAL below this many members up.
    pub critical_members: usize,
    /// CRITICAL when the mode is another.
    pub mode: Option<Mode>,
    /// OK instead of UNKNOWN when no bond or team exists.
    pub allow_none: bool,
}

/// One bond or team as acquisition found it, in the kit's terms: read (and parsed), missing,
/// unreadable (cannot be read, or not as the format: garbage, cut), not asked. Every state
/// but one is the kit's, in the kit's words; `Missing` means something of its own here: a
/// bond or team named with --bond/--team that is not there is an outage (CRITICAL), where the
/// kit's default for a missing source is UNKNOWN. Its `source` is what was looked for.
#[derive(Debug, Clone)]
pub struct Observed {
    pub name: String,
    pub kind: Kind,
    pub got: Acquisition<Aggregate>,
}

impl Observed {
    pub fn new(name: impl Into<String>, kind: Kind, got: Acquisition<Aggregate>) -> Observed {
        Observed {
            name: name.into(),
            kind,
            got,
        }
    }

    /// The bond or team, when it was read.
    pub fn seen(&self) -> Option<&Aggregate> {
        self.got.read()
    }
}

pub fn evaluate(observed: &[Observed], rules: &Rules) -> Report {
    let mut report = Report::new();
    if observed.is_empty() {
        if rules.allow_none {
            report.add(Finding::ok("no bonded or teamed interface on this host"));
            report.ok_summary("no bond or team found (--allow-none)");
        } else {
            report.add(
                Finding::unknown(
                    "no bond or team found: /proc/net/bonding is empty and no teamd runs",
                )
                .summary("no bond or team found")
                .hint("on a host without bonds, pass --allow-none; for a team give --team DEV"),
            );
        }
        return report;
    }
    for o in observed {
        match &o.got {
            Acquisition::Read(agg) => judge(agg, rules, &mut report),
            Acquisition::Missing { source } => {
                let (name, what) = (&o.name, kind_word(o.kind));
                report.add(
                    Finding::critical(format!("{name}: {what} missing (no {source})"))
                        .summary(format!("{name} missing"))
                        .hint(format!(
                            "bring it up (ip link show {name}; check its network configuration), \
                             or fix the --{what} name"
                        )),
                );
            }
            // The kit's state and words: "cannot read SOURCE: WHY", "... not asked".
            other => {
                if let Some(f) = other.finding() {
                    report.add(f);
                }
            }
        }
    }
    report
}

fn judge(agg: &Aggregate, rules: &Rules, report: &mut Report) {
    let name = &agg.name;
    let word = agg.kind.member_word();
    let total = agg.members.len();
    let up = agg.members_up();
    let up_members: Vec<&Member> = agg.members.iter().filter(|m| m.up).collect();
    let down_members: Vec<&Member> = agg.members.iter().filter(|m| !m.up).collect();
    // Default: all configured; a single slave is no redundancy, so then two. (No slave at
    // all is the down rule's; its threshold stays as it was.)
    let want = rules
        .min_members
        .unwrap_or(if total == 1 { 2 } else { total });
    let crit = rules.critical_members;
    let before = report.findings().len();

    // Rule: a mode other than --mode.
    if let Some(expected) = rules.mode {
        if expected != agg.mode {
            report.add(
                Finding::critical(format!(
                    "{name}: mode {}, expected {}",
                    agg.mode.name_for(agg.kind),
                    expected.name_for(agg.kind)
                ))
                .summary(format!("{name} mode {}", agg.mode.name_for(agg.kind)))
                .hint(format!(
                    "set the intended mode in {name}'s configuration (BONDING_OPTS / netplan / \
                     NetworkManager / teamd runner) and restart the interface"
                )),
            );
        }
    }

    // Rule: the bond itself down, or no member up: no path to the network.
    if agg.up == Some(false) || up == 0 {
        let why = match (agg.up == Some(false), total) {
            (true, 0) => format!("MII down, no {word}s"),
            (true, _) => format!("MII down, {up}/{total} {word}s up"),
            (false, 0) => format!("no {word}s"),
            (false, _) => format!("no {word} up (0/{total})"),
        };
        report.add(
            Finding::critical(format!("{name}: down, {why}{}", down_list(&down_members)))
                .summary(format!("{name} down, {why}"))
                .hint(if total == 0 {
                    format!("enslave the NICs again (ip link set NIC master {name}) and check the network configuration")
                } else {
                    format!("check cables, switch ports and NICs: ip link show; ethtool {}", names(&down_members))
                }),
        );
    } else {
        // Rule: members down, or fewer up than --min-slaves / --critical-slaves.
        let status = if up < crit {
            Status::Critical
        } else if up < want {
            Status::Warning
        } else {
            Status::Ok
        };
        let configured = if want > total {
            format!(", only {total} configured")
        } else {
            String::new()
        };
        // Rule: a bond left with one slave (a NIC removed by a driver crash or hot-unplug drops
        // its section) works but cannot fail over.
        let single = total == 1 && rules.min_members.is_none() && status == Status::Warning;
        if single {
            let only = &agg.members[0].name;
            report.add(
                Finding::warning(format!(
                    "{name}: 1 {word} ({only}): no redundancy; a NIC removed by a driver crash or unplugged drops out of the {}",
                    kind_word(agg.kind)
                ))
                .summary(format!("{name} 1 {word}: no redundancy"))
                .hint(match agg.kind {
                    Kind::Bond => format!(
                        "bring the second NIC back (dmesg; ip link set NIC master {name}), or accept one slave with --min-slaves 1"
                    ),
                    Kind::Team => format!(
                        "bring the second NIC back (dmesg; teamdctl {name} port add NIC), or accept one port with --min-slaves 1"
                    ),
                }),
            );
        } else if status != Status::Ok {
            let mut summary = format!("{name} {up}/{total} {word}s up");
            if !down_members.is_empty() {
                summary.push_str(&format!(", {} down", names(&down_members)));
            }
            let mut f = Finding::new(
                status,
                format!(
                    "{name}: {up} of {total} {word}s up, want at least {want} (critical below {crit}){configured}: redundancy lost{}",
                    down_list(&down_members)
                ),
            )
            .summary(summary);
            if !down_members.is_empty() {
                f = f.hint(format!(
                    "check cable, switch port and NIC of {0}: ip link show {0}; ethtool {0}",
                    names(&down_members)
                ));
            } else {
                f = f.hint(format!("add {word}s to {name} or lower --min-slaves"));
            }
            report.add(f);
        } else if !down_members.is_empty() {
            report.add(Finding::ok(format!(
                "{name}: {} down, tolerated ({up} up, --min-slaves {want}){}",
                names(&down_members),
                down_list(&down_members)
            )));
        }
    }

    if agg.mode == Mode::Lacp {
        lacp_rules(agg, &up_members, report);
    }

    // Rule: no link monitoring at all: the bond never notices a dead slave, never fails over.
    if agg.kind == Kind::Bond
        && agg.mii_interval_ms == Some(0)
        && agg.arp_interval_ms.unwrap_or(0) == 0
    {
        report.add(
            Finding::warning(format!(
                "{name}: no link monitoring (MII Polling Interval 0, no ARP interval): a dead slave is never noticed, the bond never fails over"
            ))
            .summary(format!("{name} no link monitoring"))
            .hint(format!(
                "set miimon=100 in {name}'s bonding options (BONDING_OPTS / netplan mii-monitor-interval), \
                 or arp_interval with arp_ip_target; now: echo 100 > /sys/class/net/{name}/bonding/miimon"
            )),
        );
    }

    // Values the source holds but the kernel never writes: only the rule that needs them is
    // left unjudged (UNKNOWN for that part); the rest of the bond is judged as usual.
    let balancing = agg.mode.balances_load();
    for m in &agg.members {
        for u in &m.unreadable {
            let needed = balancing && m.up && (u.field == "Speed" || u.field == "Duplex");
            let read = format!(
                "{} {} '{}' (line {}) is not a value the kernel writes",
                m.name, u.field, u.value, u.line
            );
            if needed {
                report.add(
                    Finding::unknown(format!(
                        "{name}: {read}: {}'s {} is not compared with the other {}s'",
                        m.name,
                        u.field.to_ascii_lowercase(),
                        agg.kind.member_word()
                    ))
                    .summary(format!(
                        "{name} {} {} '{}' unreadable",
                        m.name, u.field, u.value
                    ))
                    .hint(format!("read it on the host: ethtool {}", m.name)),
                );
            } else {
                report.add(
                    Finding::ok(format!("{name}: {read}; not needed to judge it")).summary(
                        format!("{name} {} {} '{}' not read", m.name, u.field, u.value),
                    ),
                );
            }
        }
    }

    // Rule: members that differ in speed or duplex (the slow one caps or skews the bond). Only
    // where traffic is spread over them: an active-backup 10G primary with a 1G backup is normal.
    let speeds: Vec<u64> = distinct(up_members.iter().filter_map(|m| m.speed_mbps));
    let duplexes: Vec<&str> = distinct(up_members.iter().filter_map(|m| m.duplex.as_deref()));
    if balancing && (speeds.len() > 1 || duplexes.len() > 1) {
        let each: Vec<String> = up_members
            .iter()
            .map(|m| format!("{} {}", m.name, speed_text(m)))
            .collect();
        report.add(
            Finding::warning(format!("{name}: {word}s differ in speed or duplex: {}", each.join(", ")))
                .summary(format!("{name} {word}s differ in speed/duplex"))
                .hint("check autonegotiation and cabling of the slower link (ethtool NIC) and the switch port settings"),
        );
    }

    // Rule: active-backup (and tlb/alb) on a slave other than the primary.
    if let Some(primary) = &agg.primary {
        if agg.active.as_deref() != Some(primary.as_str()) {
            let active = agg.active.as_deref().unwrap_or("none");
            let primary_down = agg.members.iter().any(|m| &m.name == primary && !m.up);
            let which = match agg.kind {
                Kind::Bond => "primary",
                Kind::Team => "preferred (highest prio)",
            };
            report.add(
                Finding::warning(format!(
                    "{name}: active {word} {active}, not the {which} {primary}{}",
                    if primary_down { format!(" ({primary} is down)") } else { String::new() }
                ))
                .summary(format!("{name} active {active}, not {which} {primary}"))
                .hint(match agg.kind {
                    Kind::Bond => format!(
                        "once {primary} is healthy: echo {primary} > /sys/class/net/{name}/bonding/active_slave"
                    ),
                    Kind::Team => format!("once {primary} is healthy: teamdctl {name} state item set runner.active_port {primary}"),
                }),
            );
        }
    }

    // The object's own line: OK (and in the summary) when nothing above was said about it.
    let clean = report.findings()[before..]
        .iter()
        .all(|f| f.status == Status::Ok);
    let mut line = Finding::ok(describe(agg));
    if clean {
        line = line.summary(format!(
            "{name} {} {up}/{total} up",
            agg.mode.name_for(agg.kind)
        ));
    }
    report.add(line);
    for m in &agg.members {
        report.verbose(1, format!("  {name} {}", describe_member(m)));
    }
    for n in &agg.parse_notes {
        report.verbose(2, format!("  {name}: {n}"));
    }

    // Perfdata: members up against the thresholds, aggregator ports, link failure counters.
    report.perf(
        Perfdata::new(format!("{name}_{word}s_up"), up as f64)
            .warn(range(want).as_ref())
            .crit(range(crit).as_ref())
            .min(0.0)
            .max(total as f64),
    );
    if let Some(ports) = agg.active_aggregator.as_ref().and_then(|a| a.ports) {
        report.perf(
            Perfdata::new(format!("{name}_aggregator_ports"), f64::from(ports))
                .min(0.0)
                .max(total as f64),
        );
    }
    for m in &agg.members {
        if let Some(n) = m.link_failures {
            report.perf(
                Perfdata::new(format!("{name}_{}_link_failures", m.name), n as f64)
                    .uom(Uom::Counter)
                    .min(0.0),
            );
        }
    }
}

/// 802.3ad / teamd lacp: every up member in the one active aggregator, with a partner,
/// without churn.
fn lacp_rules(agg: &Aggregate, up_members: &[&Member], report: &mut Report) {
    let name = &agg.name;
    let word = agg.kind.member_word();
    let active = agg.active_aggregator.as_ref();
    let lag_hint =
        "the switch ports are not in one LACP port-channel: check the LAG on the switch \
                    stack (both switches must be in one stack/MLAG, ports in LACP active mode)";

    // Rule: the kernel says the bond has no active aggregator: nothing is sent (when the bond
    // is down as well, the down rule has said it; the bond's line repeats the kernel's words).
    if agg.no_active_aggregator {
        if !up_members.is_empty() && agg.up != Some(false) {
            report.add(
                Finding::critical(format!(
                    "{name}: the kernel reports no active aggregator: the bond passes no traffic ({} {word}s up)",
                    up_members.len()
                ))
                .summary(format!("{name} no active aggregator"))
                .hint(lag_hint),
            );
        }
        return;
    }

    // Rule: an up member outside the active aggregator carries no traffic; when no up member
    // is in it, the whole bond passes none.
    let mut outside = 0;
    let mut outside_findings: Vec<(String, Finding)> = Vec::new();
    for m in up_members {
        // A bond slave always shows "Aggregator ID:" in 802.3ad; None is its "N/A".
        let no_aggregator = agg.kind == Kind::Bond && m.aggregator_id.is_none();
        let other_aggregator = match (active, m.aggregator_id) {
            (Some(a), Some(id)) => id != a.id,
            _ => no_aggregator,
        };
        if other_aggregator || m.selected == Some(false) {
            outside += 1;
            let where_ = match (m.aggregator_id, active) {
                (Some(id), Some(a)) => {
                    format!("in aggregator {id}, the active aggregator is {}", a.id)
                }
                (Some(id), None) => format!("in aggregator {id}, not selected"),
                (None, _) if no_aggregator => "in no aggregator (N/A)".into(),
                _ => "not selected".into(),
            };
            outside_findings.push((
                format!("{} {where_}", m.name),
                Finding::warning(format!(
                    "{name}: {} up but not in the LACP bundle ({where_}): it carries no traffic",
                    m.name
                ))
                .summary(format!("{name} {} not in the LACP bundle", m.name))
                .hint(lag_hint),
            ));
        }
    }
    if !up_members.is_empty() && outside == up_members.len() {
        let each: Vec<String> = outside_findings.into_iter().map(|(w, _)| w).collect();
        let which = active.map_or(String::new(), |a| format!(" {}", a.id));
        report.add(
            Finding::critical(format!(
                "{name}: no up {word} in the active aggregator{which}: the bond passes no traffic ({})",
                each.join("; ")
            ))
            .summary(format!("{name} no up {word} in the active aggregator{which}"))
            .hint(lag_hint),
        );
    } else {
        for (_, f) in outside_findings {
            report.add(f);
        }
    }
    // Without the active aggregator shown, members split over aggregators still tell.
    if active.is_none() {
        let ids: Vec<u32> = distinct(up_members.iter().filter_map(|m| m.aggregator_id));
        if ids.len() > 1 {
            outside += 1;
            let each: Vec<String> = up_members
                .iter()
                .map(|m| {
                    format!(
                        "{} in {}",
                        m.name,
                        m.aggregator_id.map_or("none".into(), |i| i.to_string())
                    )
                })
                .collect();
            report.add(
                Finding::warning(format!(
                    "{name}: {word}s split over aggregators: {}",
                    each.join(", ")
                ))
                .summary(format!("{name} {word}s split over aggregators"))
                .hint(lag_hint),
            );
        }
    }

    // Rule: no LACP partner (partner MAC all zeros, or teamd gave up waiting: defaulted).
    let agg_partnerless = active
        .and_then(|a| a.partner_mac.as_deref())
        .is_some_and(is_zero_mac);
    if agg_partnerless {
        report.add(
            Finding::warning(format!(
                "{name}: no LACP partner (partner MAC 00:00:00:00:00:00 on active aggregator {}): the switch does not answer LACP",
                active.map_or(0, |a| a.id)
            ))
            .summary(format!("{name} no LACP partner"))
            .hint("configure the switch ports as an LACP (802.3ad) port-channel, active mode"),
        );
    } else {
        for m in up_members {
            let zero = m.partner_mac.as_deref().is_some_and(is_zero_mac);
            let defaulted = m.lacp_state.as_deref() == Some("defaulted");
            if zero || defaulted {
                report.add(
                    Finding::warning(format!(
                        "{name}: {} has no LACP partner ({})",
                        m.name,
                        if zero {
                            "partner MAC 00:00:00:00:00:00"
                        } else {
                            "LACP state defaulted"
                        }
                    ))
                    .summary(format!("{name} {} no LACP partner", m.name))
                    .hint("configure the switch port as a member of the LACP port-channel"),
                );
            }
        }
    }

    // Rule: LACP that does not settle (bond churn states, teamd expired).
    for m in up_members {
        let churned: Vec<&str> = [("actor", &m.actor_churn), ("partner", &m.partner_churn)]
            .iter()
            .filter(|(_, s)| s.as_deref() == Some("churned"))
            .map(|(who, _)| *who)
            .collect();
        if !churned.is_empty() {
            report.add(
                Finding::warning(format!(
                    "{name}: {} LACP churned ({}): the negotiation does not settle",
                    m.name,
                    churned.join(" and ")
                ))
                .summary(format!("{name} {} LACP churned", m.name))
                .hint("check the switch port's LACP settings (mode, LACP rate, port-channel membership)"),
            );
        }
        if m.lacp_state.as_deref() == Some("expired") {
            report.add(
                Finding::warning(format!(
                    "{name}: {} LACP expired: the partner's LACPDUs stopped",
                    m.name
                ))
                .summary(format!("{name} {} LACP expired", m.name))
                .hint("check the switch port's LACP settings and the LACP rate on both ends"),
            );
        }
    }

    // Rule: the active aggregator has fewer ports than members are up (unless already said).
    if outside == 0 {
        if let Some((id, ports)) = active.and_then(|a| a.ports.map(|p| (a.id, p))) {
            if (ports as usize) < up_members.len() {
                report.add(
                    Finding::warning(format!(
                        "{name}: active aggregator {id} has {ports} port(s) but {} {word}s are up: not all of them carry traffic",
                        up_members.len()
                    ))
                    .summary(format!("{name} aggregator {id} has {ports} of {} ports", up_members.len()))
                    .hint(lag_hint),
                );
            }
        }
    }
}

/// The object's line of long output.
fn describe(agg: &Aggregate) -> String {
    let word = agg.kind.member_word();
    let mut parts = vec![agg.mode.name_for(agg.kind).to_string()];
    if let Some(up) = agg.up {
        parts.push(format!("MII {}", if up { "up" } else { "down" }));
    }
    parts.push(format!(
        "{}/{} {word}s up",
        agg.members_up(),
        agg.members.len()
    ));
    if let Some(a) = &agg.active_aggregator {
        let mut s = format!("aggregator {}", a.id);
        if let Some(p) = a.ports {
            s.push_str(&format!(" ({p} port{})", if p == 1 { "" } else { "s" }));
        }
        if let Some(mac) = &a.partner_mac {
            s.push_str(&format!(", partner {mac}"));
        }
        parts.push(s);
    }
    if matches!(agg.mode, Mode::ActiveBackup | Mode::Tlb | Mode::Alb) {
        parts.push(format!(
            "active {}",
            agg.active.as_deref().unwrap_or("none")
        ));
        if let Some(p) = &agg.primary {
            parts.push(match agg.kind {
                Kind::Bond => format!("primary {p}"),
                Kind::Team => format!("preferred {p}"),
            });
        }
    }
    if agg.no_active_aggregator {
        parts.push("the kernel reports no active aggregator".to_string());
    }
    if let Some(min) = agg.min_links {
        parts.push(format!("min_links {min}"));
    }
    let mut line = format!("{}: {}", agg.name, parts.join(", "));
    if !agg.members.is_empty() {
        let each: Vec<String> = agg
            .members
            .iter()
            .map(|m| format!("{} {}", m.name, m.link))
            .collect();
        line.push_str(&format!(" [{}]", each.join(", ")));
    }
    if agg.members.len() == 1 {
        line.push_str(&format!(" (single {word}: no redundancy)"));
    }
    for n in &agg.notes {
        line.push_str(&format!("; {n}"));
    }
    line
}

fn describe_member(m: &Member) -> String {
    let mut s = format!("{}: {}, {}", m.name, m.link, speed_text(m));
    if let Some(n) = m.link_failures {
        s.push_str(&format!(", link failures {n}"));
    }
    if let Some(id) = m.aggregator_id {
        s.push_str(&format!(", aggregator {id}"));
    }
    if let Some(sel) = m.selected {
        s.push_str(if sel { ", selected" } else { ", not selected" });
    }
    if let Some(st) = &m.lacp_state {
        s.push_str(&format!(", lacp {st}"));
    }
    if let Some(mac) = &m.partner_mac {
        s.push_str(&format!(", partner {mac}"));
    }
    if let (Some(a), Some(p)) = (&m.actor_churn, &m.partner_churn) {
        s.push_str(&format!(", churn actor {a} partner {p}"));
    }
    if let Some(p) = m.prio {
        s.push_str(&format!(", prio {p}"));
    }
    s
}

fn kind_word(kind: Kind) -> &'static str {
    match kind {
        Kind::Bond => "bond",
        Kind::Team => "team",
    }
}

fn speed_text(m: &Member) -> String {
    let speed = m
        .speed_mbps
        .map_or("speed unknown".into(), |s| format!("{s} Mbps"));
    format!(
        "{speed} {}",
        m.duplex.as_deref().unwrap_or("duplex unknown")
    )
}

/// " (eth1 down, 3 link failures)" for the long-output lines.
fn down_list(down: &[&Member]) -> String {
    if down.is_empty() {
        return String::new();
    }
    let each: Vec<String> = down
        .iter()
        .map(|m| match m.link_failures {
            Some(n) => format!("{} {} (link failures {n})", m.name, m.link),
            None => format!("{} {}", m.name, m.link),
        })
        .collect();
    format!("; {}", each.join(", "))
}

fn names(members: &[&Member]) -> String {
    members
        .iter()
        .map(|m| m.name.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

fn distinct<T: PartialEq>(items: impl Iterator<Item = T>) -> Vec<T> {
    let mut out: Vec<T> = Vec::new();
    for i in items {
        if !out.contains(&i) {
            out.push(i);
        }
    }
    out
}

/// "N:" (alert below N), None for 0 (no alert possible).
fn range(n: usize) -> Option<Range> {
    if n == 0 {
        return None;
    }
    format!("{n}:").parse().ok()
}
