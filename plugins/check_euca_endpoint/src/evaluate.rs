//! The rules, pure: the name's resolution and each address's probe in, findings and perfdata
//! out. The name not resolving CRITICAL; every address failing CRITICAL; some failing WARNING
//! (redundancy lost, naming them); fewer addresses than `--min-addresses` WARNING; response
//! time per address over `-w`/`-c`.

use crate::resolve::Resolved;
use common::{Acquisition, Finding, Perfdata, Report, Status, Thresholds, Uom};
use std::net::IpAddr;
use std::time::Duration;

/// What probing one address gave.
#[derive(Debug, Clone, PartialEq)]
pub enum Probe {
    /// It answered as the service should (Heartbeat, the console's login page).
    Up { elapsed: Duration, said: String },
    /// It answered, but not as the service should, or TLS failed: failing for clients.
    Wrong { why: String },
    /// Not reached (refused, no route, no answer in time).
    Down { why: String },
    /// The timeout left no time to ask: nothing is known.
    NotAsked,
}

#[derive(Debug, Clone)]
pub struct Observed {
    /// `ufs.cloud.test`
    pub name: String,
    /// `UFS` or `console`
    pub service: &'static str,
    pub resolved: Acquisition<Resolved>,
    pub probes: Vec<(IpAddr, Probe)>,
}

#[derive(Debug, Clone, Default)]
pub struct Limits {
    pub min_addresses: Option<usize>,
    /// Response time per address, seconds.
    pub time: Thresholds,
}

/// `127.0.0.2` -> `127_0_0_2`, `fd00::1` -> `fd00__1` (perfdata labels with underscores).
pub fn label(ip: &IpAddr) -> String {
    ip.to_string()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

pub fn evaluate(seen: &Observed, limits: &Limits) -> Report {
    let mut report = Report::new();
    let name = &seen.name;
    let addresses = match &seen.resolved {
        Acquisition::Read(Resolved::Addresses(a)) => a,
        Acquisition::Read(Resolved::NotFound(why)) => {
            report.add(
                Finding::critical(format!("{name} does not resolve ({why})"))
                    .summary(format!("{name} does not resolve ({why})"))
                    .hint("check the name's records in the cloud's DNS (dns.* properties) or the zone that delegates to it"),
            );
            return report;
        }
        other => {
            // The resolver gave nothing: CRITICAL when it was unreachable (clients cannot
            // resolve the name either), UNKNOWN when its answer was unreadable or not asked.
            if let Some(f) = other.finding() {
                let f = Finding {
                    detail: format!("cannot resolve {name}: {}", f.detail),
                    summary: Some(format!("cannot resolve {name}: {}", f.detail)),
                    ..f
                };
                report.add(f);
            }
            return report;
        }
    };
    let total = addresses.len();
    let mut failing = Vec::new();
    let mut up = 0;
    for (ip, probe) in &seen.probes {
        match probe {
            Probe::Up { elapsed, said } => {
                up += 1;
                // to the microsecond: nanosecond digits are noise in a graph
                let secs = (elapsed.as_secs_f64() * 1e6).round() / 1e6;
                report.perf(
                    limits
                        .time
                        .perfdata(format!("{}_time", label(ip)), secs)
                        .uom(Uom::Seconds)
                        .min(0.0),
                );
                let text = format!("{ip}: {said} in {:.3} s", secs);
                match limits.time.describe(secs) {
                    Some(range) => report.add(
                        Finding::new(limits.time.status(secs), format!("{text} ({range})"))
                            .summary(format!("{ip} slow: {:.3} s ({range})", secs)),
                    ),
                    None => report.add(Finding::ok(text)),
                };
            }
            Probe::Wrong { why } | Probe::Down { why } => failing.push((ip, why.as_str())),
            Probe::NotAsked => {
                report.add(
                    Finding::unknown(format!("{ip} not asked: no time left; raise -t"))
                        .summary(format!("{ip} not asked: no time left; raise -t")),
                );
            }
        }
    }
    if !failing.is_empty() {
        let all = failing.len() == total;
        let status = if all {
            Status::Critical
        } else {
            Status::Warning
        };
        let names: Vec<String> = failing.iter().map(|(ip, _)| ip.to_string()).collect();
        let summary = if all && total == 1 {
            format!(
                "{} at {name}: its only address failing: {}",
                seen.service, names[0]
            )
        } else if all {
            format!(
                "{} at {name}: all {total} address{} failing: {}",
                seen.service,
                if total == 1 { "" } else { "es" },
                names.join(", ")
            )
        } else {
            format!(
                "{} of {total} addresses of {name} failing, redundancy lost: {}",
                failing.len(),
                names.join(", ")
            )
        };
        report.add(
            Finding::new(status, summary.clone())
                .summary(summary)
                .hint(format!(
                    "see the {} on that host; or take its address out of the name's records until it is back",
                    if seen.service == "UFS" { "eucalyptus-cloud service" } else { "eucaconsole and nginx services" }
                )),
        );
        for (ip, why) in &failing {
            report.add(Finding::new(status, format!("{ip}: {why}")));
        }
    }
    if let Some(min) = limits.min_addresses {
        if total < min {
            report.add(
                Finding::warning(format!(
                    "{name} has {total} address{}, fewer than --min-addresses {min}: a host left DNS",
                    if total == 1 { "" } else { "es" }
                ))
                .summary(format!("{total} address{} (expected at least {min})", if total == 1 { "" } else { "es" })),
            );
        }
    }
    report.perf(
        Perfdata::new("addresses_up", up as f64)
            .min(0.0)
            .max(total as f64),
    );
    report.perf(Perfdata::new("addresses", total as f64).min(0.0));
    report.ok_summary(format!(
        "{} at {name}: {up} of {total} address{} up",
        seen.service,
        if total == 1 { "" } else { "es" }
    ));
    report
}
