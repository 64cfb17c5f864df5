//! The rules, pure: what was observed (pings, /stats, riak-admin listings) and the limits in,
//! findings and perfdata out. One function per family; every finding names the node.

use crate::cluster_status::ClusterStatus;
use crate::member_status::MemberStatus;
use crate::ring_status::RingStatus;
use crate::stats::Stats;
use common::{Acquisition, Finding, Perfdata, Report, Status, Thresholds, Uom};
use std::collections::BTreeMap;

/// Everything asked or read this run.
#[derive(Debug, Clone, Default)]
pub struct Observed {
    pub pings: Vec<Ping>,
    pub stats: Vec<Acquisition<Stats>>,
    pub ring_status: Option<RingStatus>,
    pub member_status: Option<MemberStatus>,
    pub cluster_status: Option<ClusterStatus>,
}

/// One `GET /ping` (Riak KV) or `GET /riak-cs/ping` (Riak CS).
#[derive(Debug, Clone)]
pub struct Ping {
    /// `Riak` or `Riak CS`
    pub service: &'static str,
    /// `10.111.5.160:8098`
    pub at: String,
    pub got: Acquisition<PingReply>,
}

#[derive(Debug, Clone)]
pub struct PingReply {
    pub status: u16,
    pub status_text: String,
    pub body: String,
    pub elapsed_ms: f64,
}

#[derive(Debug, Clone, Default)]
pub struct Limits {
    /// Most members down that is only WARNING (`--max-down`, default 1).
    pub max_down: usize,
    /// WARNING under this many ring members (`--min-members`).
    pub min_members: Option<usize>,
    /// 95th percentile get and put time, microseconds (`-w`/`-c`).
    pub latency: Thresholds,
    /// Used percent of each disk (`--disk-warning`/`--disk-critical`).
    pub disk: Thresholds,
}

pub fn evaluate(seen: &Observed, limits: &Limits) -> Report {
    let mut report = Report::new();
    pings(seen, &mut report);
    for s in &seen.stats {
        if let Some(f) = s.finding() {
            report.add(f);
        }
    }
    let members = members(seen);
    let down = down_members(seen, &mut report, limits, members);
    convergence(seen, &mut report);
    if let (Some(min), Some(n)) = (limits.min_members, members) {
        if n < min {
            report.add(
                Finding::warning(format!(
                    "the ring has {n} member{}, fewer than --min-members {min}: a node left the cluster",
                    plural(n)
                ))
                .summary(format!("{n} ring member{} (expected at least {min})", plural(n))),
            );
        }
    }
    let stats = distinct(&seen.stats);
    latency(&stats, limits, &mut report);
    disks(&stats, limits, &mut report);
    if let Some(n) = members {
        report.perf(Perfdata::new("ring_members", n as f64).min(0.0));
        report.perf(
            Perfdata::new("connected", n.saturating_sub(down) as f64)
                .min(0.0)
                .max(n as f64),
        );
        // The down rule as ranges: any down WARNING, more than --max-down CRITICAL.
        report.perf(
            Perfdata::new("down", down as f64)
                .warn(range("0").as_ref())
                .crit(range(&limits.max_down.to_string()).as_ref())
                .min(0.0)
                .max(n as f64),
        );
    }
    if let Some(p) = stats.iter().find_map(|s| s.partitions) {
        report.perf(Perfdata::new("partitions", p as f64).min(0.0));
    }
    let ok = match (members, down) {
        (Some(n), 0) => format!("ring of {n} member{}, all up", plural(n)),
        (Some(n), d) => format!("ring of {n} member{}, {d} down", plural(n)),
        (None, _) => match &seen.ring_status {
            Some(r) if r.ready => {
                format!("ring ready (claimant {}), no handoff pending", r.claimant)
            }
            _ => "Riak answers".to_string(),
        },
    };
    report.ok_summary(ok);
    report
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn range(text: &str) -> Option<common::Range> {
    text.parse().ok()
}

/// Ping failing (not reached, an error status, not `OK`) CRITICAL, naming the node.
fn pings(seen: &Observed, report: &mut Report) {
    for p in &seen.pings {
        let what = format!("{} at {}", p.service, p.at);
        let reply = match &p.got {
            Acquisition::Read(r) => r,
            other => {
                if let Some(f) = other.finding() {
                    report.add(f);
                }
                continue;
            }
        };
        // Riak KV answers exactly "OK"; Riak CS's answer body is not documented: its 200 is
        // the answer.
        let kv_ok = p.service != "Riak" || reply.body.trim() == "OK";
        if reply.status == 200 && kv_ok {
            report.add(Finding::ok(format!(
                "{what}: ping OK ({:.0} ms)",
                reply.elapsed_ms
            )));
        } else {
            let said = if reply.status == 200 {
                format!("answered '{}' instead of OK", shorten(reply.body.trim()))
            } else {
                format!("answered {}", reply.status_text)
            };
            report.add(
                Finding::critical(format!("{what}: ping failed: {said}"))
                    .summary(format!("{what} ping failed ({said})"))
                    .hint("see the node's console.log and error.log; riak ping on the node"),
            );
        }
    }
}

fn shorten(text: &str) -> String {
    let mut s: String = text.chars().take(40).collect();
    if text.chars().count() > 40 {
        s.push_str("...");
    }
    s
}

/// The ring's size as any source saw it (the largest: a member dropped from one listing is
/// still a member in the others).
fn members(seen: &Observed) -> Option<usize> {
    let from_stats = seen
        .stats
        .iter()
        .filter_map(Acquisition::read)
        .map(|s| s.ring_members.len());
    let from_members = seen.member_status.iter().map(|m| m.members.len());
    let from_cluster = seen.cluster_status.iter().map(|c| c.nodes.len());
    from_stats.chain(from_members).chain(from_cluster).max()
}

/// Members down, from every source, each node once with every reason: one WARNING, more than
/// `--max-down` CRITICAL. Returns how many.
fn down_members(
    seen: &Observed,
    report: &mut Report,
    limits: &Limits,
    members: Option<usize>,
) -> usize {
    let mut down: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut say = |node: &str, why: String| down.entry(node.to_string()).or_default().push(why);
    for s in seen.stats.iter().filter_map(Acquisition::read) {
        for node in s.not_connected() {
            say(node, format!("not connected to {} (/stats)", s.nodename));
        }
    }
    if let Some(r) = &seen.ring_status {
        for node in &r.unreachable {
            say(node, "unreachable (ring-status)".into());
        }
    }
    if let Some(m) = &seen.member_status {
        for member in m.in_state("down") {
            say(&member.node, "marked down (member-status)".into());
        }
    }
    if let Some(c) = &seen.cluster_status {
        for n in c.nodes.iter().filter(|n| n.avail == "down") {
            say(&n.node, "down (cluster status)".into());
        }
    }
    let count = down.len();
    if count == 0 {
        return 0;
    }
    let status = if count > limits.max_down {
        Status::Critical
    } else {
        Status::Warning
    };
    let of = members.map(|n| format!(" of {n}")).unwrap_or_default();
    // "1 of 5 ring members down", "1 ring member down"
    let noun = if members.unwrap_or(count) == 1 {
        "ring member"
    } else {
        "ring members"
    };
    let names: Vec<&str> = down.keys().map(String::as_str).collect();
    report.add(
        Finding::new(
            status,
            format!(
                "{count}{of} {noun} down (more than --max-down {} is CRITICAL): {}",
                limits.max_down,
                names.join(", ")
            ),
        )
        .summary(format!("{count}{of} {noun} down: {}", names.join(", ")))
        .hint("start Riak on it (riak start) or, if it is gone for good: riak-admin down NODE, then riak-admin cluster force-remove NODE"),
    );
    for (node, why) in &down {
        report.add(Finding::new(status, format!("{node}: {}", why.join("; "))));
    }
    count
}

/// Ring not ready, ownership handoff pending, members joining or leaving: WARNING (the ring
/// has not converged; data is served, but a node lost now costs more).
fn convergence(seen: &Observed, report: &mut Report) {
    let mut said = |detail: String, summary: String| {
        report.add(Finding::warning(detail).summary(summary));
    };
    if let Some(r) = &seen.ring_status {
        if !r.ready {
            said(
                format!(
                    "ring not ready (claimant {}, status {}): the cluster state has not converged",
                    r.claimant, r.claimant_status
                ),
                format!("ring not ready (claimant {})", r.claimant),
            );
        } else if r.claimant_status != "up" {
            said(
                format!("claimant {} is {}", r.claimant, r.claimant_status),
                format!("claimant {} {}", r.claimant, r.claimant_status),
            );
        }
        for h in &r.handoffs {
            said(
                format!(
                    "ownership handoff pending: {} -> {}, {} partition{} waiting",
                    h.owner,
                    h.next_owner,
                    h.partitions,
                    plural(h.partitions)
                ),
                format!("handoff pending {} -> {}", h.owner, h.next_owner),
            );
        }
    }
    if let Some(c) = &seen.cluster_status {
        if !c.ready && seen.ring_status.as_ref().is_none_or(|r| r.ready) {
            let claimant = c
                .nodes
                .iter()
                .find(|n| n.claimant)
                .map_or("?", |n| n.node.as_str());
            said(
                format!("ring not ready (cluster status, claimant {claimant})"),
                format!("ring not ready (claimant {claimant})"),
            );
        }
    }
    if let Some(m) = &seen.member_status {
        for state in ["joining", "leaving", "exiting"] {
            for member in m.in_state(state) {
                said(
                    format!(
                        "{} {state} the ring (member-status): ownership is moving",
                        member.node
                    ),
                    format!("{} {state}", member.node),
                );
            }
        }
        let pending: Vec<&str> = m
            .members
            .iter()
            .filter(|x| {
                x.pending_percent
                    .is_some_and(|p| (p - x.ring_percent).abs() > 0.05)
            })
            .map(|x| x.node.as_str())
            .collect();
        if !pending.is_empty() {
            said(
                format!(
                    "ownership transfer pending for {} (member-status Pending column)",
                    pending.join(", ")
                ),
                format!(
                    "ownership transfer pending on {} node{}",
                    pending.len(),
                    plural(pending.len())
                ),
            );
        }
    }
}

/// Each node's /stats once: two `--node` addresses may reach the same node (its own address
/// and a load balancer's); the first answer is judged.
fn distinct(stats: &[Acquisition<Stats>]) -> Vec<&Stats> {
    let mut seen: Vec<&Stats> = Vec::new();
    for s in stats.iter().filter_map(Acquisition::read) {
        if !seen.iter().any(|o| o.nodename == s.nodename) {
            seen.push(s);
        }
    }
    seen
}

/// A perfdata label from a node name: `riak@10.111.5.160` -> `riak_10_111_5_160`.
fn label(node: &str) -> String {
    node.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// 95th percentile get and put time over `-w`/`-c`, per node.
fn latency(stats: &[&Stats], limits: &Limits, report: &mut Report) {
    let several = stats.len() > 1;
    for s in stats {
        for (op, value) in [("get", s.get_95), ("put", s.put_95)] {
            let name = if several {
                format!("{}_{op}_95th", label(&s.nodename))
            } else {
                format!("{op}_95th")
            };
            let Some(us) = value else {
                report.verbose(
                    1,
                    format!("{}: no {op} measured yet ('undefined')", s.nodename),
                );
                continue;
            };
            report.perf(limits.latency.perfdata(name, us).uom(Uom::Micros).min(0.0));
            let status = limits.latency.status(us);
            let text = format!("{}: {op} 95th percentile {:.1} ms", s.nodename, us / 1000.0);
            match limits.latency.describe(us) {
                Some(range) => report.add(
                    Finding::new(status, format!("{text} ({range} us)"))
                        .summary(format!("{text} ({range} us)")),
                ),
                None => report.add(Finding::ok(text)),
            };
        }
    }
}

/// Each disk's used percent over `--disk-warning`/`--disk-critical`, per node.
fn disks(stats: &[&Stats], limits: &Limits, report: &mut Report) {
    for s in stats {
        for d in &s.disks {
            let text = format!("{}: disk {} {:.0}% used", s.nodename, d.id, d.used_percent);
            match limits.disk.describe(d.used_percent) {
                Some(range) => report.add(
                    Finding::new(
                        limits.disk.status(d.used_percent),
                        format!("{text} ({range})"),
                    )
                    .summary(format!("{text} ({range})"))
                    .hint("free space on it: Riak stops writing to a full disk"),
                ),
                None => report.verbose(1, text),
            };
        }
    }
}
