//! Drift: the running properties against the baseline. Changed, added and removed properties,
//! each in long output with its old and new value; hidden values (`********`) never compared
//! and never printed; names matching --ignore left out. Pure.

use crate::listing::{Format, Listing, HIDDEN};
use common::{Finding, Perfdata, Report, Status};

#[derive(Debug, Clone, Default)]
pub struct Rules {
    pub ignore: Vec<regex_lite::Regex>,
    pub strict: bool,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Drift {
    pub changed: Vec<(String, String, String)>,
    pub added: Vec<(String, String)>,
    pub removed: Vec<(String, String)>,
    pub compared: usize,
    pub hidden: usize,
    pub ignored: usize,
    /// JSON-typed values euctl does not print (only one side is euctl output).
    pub not_in_euctl: usize,
}

pub fn drift(baseline: &Listing, running: &Listing, rules: &Rules) -> Drift {
    let mut d = Drift::default();
    let ignored = |name: &str| rules.ignore.iter().any(|r| r.is_match(name));
    // euctl prints no JSON-typed property without --dump: against the other format, one that is
    // JSON on the side that has it is not taken as added or removed.
    let mixed = baseline.format != running.format;
    let euctl_skips = |value: &str| mixed && value.trim_start().starts_with('{');
    for (name, old) in &baseline.properties {
        if ignored(name) {
            d.ignored += 1;
            continue;
        }
        match running.get(name) {
            None if euctl_skips(old) && running.format == Format::Euctl => d.not_in_euctl += 1,
            None => d.removed.push((name.clone(), old.clone())),
            Some(new) if old == HIDDEN || new == HIDDEN => d.hidden += 1,
            Some(new) => {
                d.compared += 1;
                if new != old {
                    d.changed.push((name.clone(), old.clone(), new.to_string()));
                }
            }
        }
    }
    for (name, new) in &running.properties {
        if baseline.get(name).is_some() {
            continue;
        }
        if ignored(name) {
            d.ignored += 1;
        } else if euctl_skips(new) && baseline.format == Format::Euctl {
            d.not_in_euctl += 1;
        } else {
            d.added.push((name.clone(), new.clone()));
        }
    }
    d
}

/// A value for long output: a hidden one is never printed (the fixture's `********` is the
/// server's own mask; an added or removed secret is shown as hidden too).
fn shown(v: &str) -> &str {
    if v == HIDDEN {
        "(hidden)"
    } else {
        v
    }
}

pub fn evaluate(d: &Drift, rules: &Rules) -> Report {
    let mut report = Report::new();
    let drifted = d.changed.len() + d.added.len() + d.removed.len();
    if drifted == 0 {
        let mut text = format!("{} properties as in the baseline", d.compared);
        if d.hidden > 0 {
            text.push_str(&format!(" ({} hidden not compared)", d.hidden));
        }
        report.add(Finding::ok(text.clone()).summary(text));
    } else {
        let status = if rules.strict {
            Status::Critical
        } else {
            Status::Warning
        };
        let mut parts = Vec::new();
        for (n, what) in [
            (d.changed.len(), "changed"),
            (d.added.len(), "added"),
            (d.removed.len(), "removed"),
        ] {
            if n > 0 {
                parts.push(format!("{n} {what}"));
            }
        }
        let text = format!(
            "properties drifted from the baseline: {} (of {} compared)",
            parts.join(", "),
            d.compared
        );
        report.add(Finding::new(status, text.clone()).summary(text));
        for (name, old, new) in &d.changed {
            report.verbose(
                0,
                format!("changed {name}: '{}' -> '{}'", shown(old), shown(new)),
            );
        }
        for (name, new) in &d.added {
            report.verbose(0, format!("added {name} = '{}'", shown(new)));
        }
        for (name, old) in &d.removed {
            report.verbose(0, format!("removed {name} (was '{}')", shown(old)));
        }
    }
    if d.hidden > 0 {
        report.verbose(
            1,
            format!("{} hidden values (********) not compared", d.hidden),
        );
    }
    if d.ignored > 0 {
        report.verbose(1, format!("{} properties left out by --ignore", d.ignored));
    }
    if d.not_in_euctl > 0 {
        report.verbose(
            1,
            format!(
                "{} JSON-typed properties not compared: euctl prints them only with --dump",
                d.not_in_euctl
            ),
        );
    }
    for (label, n) in [
        ("compared", d.compared),
        ("changed", d.changed.len()),
        ("added", d.added.len()),
        ("removed", d.removed.len()),
    ] {
        report.perf(Perfdata::new(label, n as f64).min(0.0));
    }
    report
}
