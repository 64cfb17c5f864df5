//! The rules, one short function per family: query time, expected databases, connections,
//! oldest transaction, sizes (perfdata only). Pure: what was observed and the rules in, a
//! report out.

use crate::model::{label, Observed};
use common::{Finding, Perfdata, Report, Status, Thresholds, Uom};

#[derive(Debug, Clone, Default)]
pub struct Rules {
    /// `-w`/`-c` on the `SELECT 1` time, seconds.
    pub query_time: Thresholds,
    /// On connections used, in percent of `max_connections`.
    pub connections_pct: Thresholds,
    /// On the age of the oldest open transaction, seconds.
    pub transaction_age: Thresholds,
    /// Databases that must exist.
    pub expected: Vec<String>,
}

pub fn evaluate(seen: &Observed, rules: &Rules) -> Report {
    let mut report = Report::new();
    report.headline(format!(
        "PostgreSQL {} at {}",
        short_version(&seen.version),
        seen.server
    ));
    query_time(seen, rules, &mut report);
    databases(seen, rules, &mut report);
    connections(seen, rules, &mut report);
    oldest_transaction(seen, rules, &mut report);
    sizes(seen, &mut report);
    report
}

/// `15.8 (Debian 15.8-0+deb12u1)` -> `15.8`.
fn short_version(v: &str) -> &str {
    v.split_whitespace().next().unwrap_or("?")
}

fn query_time(seen: &Observed, rules: &Rules, report: &mut Report) {
    let t = seen.query_seconds;
    let status = rules.query_time.status(t);
    let text = format!("SELECT 1 in {t:.3} s");
    report.add(match rules.query_time.describe(t) {
        Some(range) => {
            Finding::new(status, format!("{text} ({range})")).summary(format!("{text} ({range})"))
        }
        None => Finding::ok(format!(
            "{text}, connected in {:.3} s",
            seen.connect_seconds
        ))
        .summary(text),
    });
    report.perf(
        Perfdata::new("connect_time", seen.connect_seconds)
            .uom(Uom::Seconds)
            .min(0.0),
    );
    report.perf(
        rules
            .query_time
            .perfdata("query_time", t)
            .uom(Uom::Seconds)
            .min(0.0),
    );
}

fn databases(seen: &Observed, rules: &Rules, report: &mut Report) {
    let has = |name: &str| seen.databases.iter().any(|d| d.name == name);
    let missing: Vec<&str> = rules
        .expected
        .iter()
        .map(String::as_str)
        .filter(|n| !has(n))
        .collect();
    if missing.is_empty() {
        let listed = rules.expected.join(", ");
        report.add(Finding::ok(format!("databases present: {listed}")));
    } else {
        let text = format!(
            "database{} {} missing",
            if missing.len() == 1 { "" } else { "s" },
            missing.join(", ")
        );
        let mut finding = Finding::critical(text.clone()).summary(text);
        // The other generation's layout is there: the version given is probably wrong.
        if rules.expected.iter().any(|e| e == "eucalyptus_shared") && has("eucalyptus_cloud") {
            finding = finding.hint("this server has the 3.4/4.0 layout (eucalyptus_cloud ...): give --euca-version 3.4");
        } else if !rules.expected.iter().any(|e| e == "eucalyptus_shared")
            && has("eucalyptus_shared")
        {
            finding = finding.hint("this server has the 4.1+ layout (eucalyptus_shared): give --euca-version 4.1 or later");
        }
        report.add(finding);
    }
}

fn connections(seen: &Observed, rules: &Rules, report: &mut Report) {
    let (used, max) = (seen.connections, seen.max_connections);
    // max_connections is at least 1 on a server that accepted us; 0 would be a bogus answer.
    let pct = if max == 0 {
        100.0
    } else {
        used as f64 * 100.0 / max as f64
    };
    let text = format!("{used} of {max} connections ({pct:.0}%)");
    let status = rules.connections_pct.status(pct);
    let mut finding = Finding::new(status, text.clone());
    if status != Status::Ok {
        let range = rules.connections_pct.describe(pct).unwrap_or_default();
        finding = finding.summary(format!("{text}, {range}"));
    } else {
        finding = finding.summary(text);
    }
    report.add(finding);
    report.perf(
        Perfdata::new("connections", used as f64)
            .min(0.0)
            .max(max as f64),
    );
    report.perf(
        rules
            .connections_pct
            .perfdata("connections_used", pct)
            .uom(Uom::Percent)
            .min(0.0)
            .max(100.0),
    );
}

fn oldest_transaction(seen: &Observed, rules: &Rules, report: &mut Report) {
    let age = seen.oldest_transaction_seconds.unwrap_or(0.0).max(0.0);
    let status = rules.transaction_age.status(age);
    let text = match seen.oldest_transaction_seconds {
        Some(a) => format!("oldest open transaction {a:.0} s old"),
        None => "no other transaction open".to_string(),
    };
    let mut finding = Finding::new(status, text.clone());
    if status != Status::Ok {
        let range = rules.transaction_age.describe(age).unwrap_or_default();
        finding = finding.summary(format!("{text} ({range})"));
    }
    report.add(finding);
    report.perf(
        rules
            .transaction_age
            .perfdata("oldest_transaction", age)
            .uom(Uom::Seconds)
            .min(0.0),
    );
}

/// Sizes are trends, not states: perfdata for every expected database (and, with -v, a line
/// for every database).
fn sizes(seen: &Observed, report: &mut Report) {
    for db in &seen.databases {
        match db.size_bytes {
            Some(bytes) => {
                report.perf(
                    Perfdata::new(format!("size_{}", label(&db.name)), bytes as f64)
                        .uom(Uom::Bytes)
                        .min(0.0),
                );
                report.verbose(1, format!("{}: {bytes} bytes", db.name));
            }
            None => {
                report.verbose(
                    1,
                    format!("{}: size not visible (no CONNECT privilege)", db.name),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Database, DATABASES_3_4, DATABASES_4_1};
    use common::Range;

    fn seen() -> Observed {
        Observed {
            server: "socket /tmp/x port 8777".into(),
            connect_seconds: 0.004,
            query_seconds: 0.001,
            version: "15.8 (Debian 15.8-0+deb12u1)".into(),
            databases: ["postgres", "eucalyptus_shared", "database_events"]
                .iter()
                .map(|n| Database {
                    name: n.to_string(),
                    size_bytes: Some(8_000_000),
                })
                .collect(),
            connections: 3,
            max_connections: 100,
            oldest_transaction_seconds: None,
        }
    }

    fn rules() -> Rules {
        let r = |s: &str| Some(s.parse::<Range>().unwrap());
        Rules {
            query_time: Thresholds::new(r("2"), r("8")),
            connections_pct: Thresholds::new(r("80"), r("90")),
            transaction_age: Thresholds::new(r("3600"), None),
            expected: DATABASES_4_1.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn a_healthy_4_1_layout_is_ok_with_its_perfdata() {
        let r = evaluate(&seen(), &rules());
        assert_eq!(r.status(), Status::Ok, "{:?}", r.findings());
        let labels: Vec<&str> = r.perfdata().iter().map(|p| p.label.as_str()).collect();
        for l in [
            "connect_time",
            "query_time",
            "connections",
            "connections_used",
            "oldest_transaction",
            "size_eucalyptus_shared",
            "size_database_events",
        ] {
            assert!(labels.contains(&l), "{l} in {labels:?}");
        }
        assert!(
            r.summary_text().contains("3 of 100 connections (3%)"),
            "{}",
            r.summary_text()
        );
    }

    #[test]
    fn a_missing_database_is_critical_and_named() {
        let mut rules = rules();
        rules.expected = DATABASES_3_4.iter().map(|s| s.to_string()).collect();
        let r = evaluate(&seen(), &rules);
        assert_eq!(r.status(), Status::Critical);
        assert!(
            r.summary_text()
                .contains("databases eucalyptus_auth, eucalyptus_cloud"),
            "{}",
            r.summary_text()
        );
    }

    #[test]
    fn connections_slow_queries_and_old_transactions_alert() {
        let mut s = seen();
        s.connections = 85;
        assert_eq!(evaluate(&s, &rules()).status(), Status::Warning);
        s.connections = 95;
        let r = evaluate(&s, &rules());
        assert_eq!(r.status(), Status::Critical);
        assert!(
            r.summary_text()
                .contains("95 of 100 connections (95%), critical 90"),
            "{}",
            r.summary_text()
        );
        let mut s = seen();
        s.query_seconds = 3.0;
        assert_eq!(evaluate(&s, &rules()).status(), Status::Warning);
        s.query_seconds = 9.0;
        assert_eq!(evaluate(&s, &rules()).status(), Status::Critical);
        let mut s = seen();
        s.oldest_transaction_seconds = Some(7200.0);
        let r = evaluate(&s, &rules());
        assert_eq!(r.status(), Status::Warning);
        assert!(
            r.summary_text()
                .contains("oldest open transaction 7200 s old"),
            "{}",
            r.summary_text()
        );
    }

    #[test]
    fn a_bogus_max_connections_alerts_instead_of_dividing_by_zero() {
        let mut s = seen();
        s.max_connections = 0;
        assert_eq!(evaluate(&s, &rules()).status(), Status::Critical);
    }
}
