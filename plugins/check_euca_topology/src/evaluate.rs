//! The audit's findings as a check's report: each finding CRITICAL or WARNING as its rule
//! says, one long-output line each with the place to fix and the guide's section; the status
//! line counts them and names the worst first. Pure: findings in, report out.

use common::{Finding, Perfdata, Report, Status};
use topology::audit::{self, Severity};

pub fn evaluate(found: &[audit::Finding], ignore: &[&str]) -> Report {
    let mut report = Report::new();
    let (kept, left): (Vec<&audit::Finding>, Vec<&audit::Finding>) =
        found.iter().partition(|f| !ignore.contains(&f.rule.id));
    let critical = kept
        .iter()
        .filter(|f| f.severity() == Severity::Critical)
        .count();
    let warning = kept.len() - critical;
    for (i, f) in kept.iter().enumerate() {
        let status = match f.severity() {
            Severity::Critical => Status::Critical,
            Severity::Warning => Status::Warning,
        };
        let mut finding = Finding::new(
            status,
            format!(
                "{}: {} (line {}; {})",
                f.rule.id, f.what, f.at.line, f.rule.section
            ),
        );
        // The audit lists the worst first: the status line counts and names that one.
        if i == 0 {
            finding = finding.summary(format!(
                "{} reliability finding{} ({critical} critical, {warning} warning), first {}: {}",
                kept.len(),
                if kept.len() == 1 { "" } else { "s" },
                f.rule.id,
                f.what
            ));
        }
        report.add(finding);
    }
    if kept.is_empty() {
        report.ok_summary("the deployment follows Part 1 of the reliability guide");
    }
    if !left.is_empty() {
        let mut ids: Vec<&str> = left.iter().map(|f| f.rule.id).collect();
        ids.dedup();
        report.verbose(
            0,
            format!(
                "{} finding(s) of ignored rules left out: {}",
                left.len(),
                ids.join(", ")
            ),
        );
    }
    report.verbose(
        2,
        kept.iter()
            .map(|f| format!("{}: {}", f.rule.id, f.rule.reason))
            .collect::<Vec<_>>()
            .join("\n"),
    );
    report.perf(Perfdata::new("findings_critical", critical as f64).min(0.0));
    report.perf(Perfdata::new("findings_warning", warning as f64).min(0.0));
    report
}

#[cfg(test)]
mod tests {
    use super::*;
    use topology::Pos;

    fn finding(id: &str, what: &str, line: usize) -> audit::Finding {
        audit::Finding {
            rule: audit::rule(id),
            what: what.into(),
            hosts: Vec::new(),
            at: Pos { line, col: 1 },
        }
    }

    #[test]
    fn no_finding_is_ok_with_zero_counts() {
        let r = evaluate(&[], &[]);
        assert_eq!(r.status(), Status::Ok);
        assert_eq!(
            r.summary_text(),
            "the deployment follows Part 1 of the reliability guide"
        );
        let perf: Vec<(String, f64)> = r
            .perfdata()
            .iter()
            .map(|p| (p.label.clone(), p.value))
            .collect();
        assert_eq!(
            perf,
            [
                ("findings_critical".into(), 0.0),
                ("findings_warning".into(), 0.0)
            ]
        );
    }

    #[test]
    fn each_finding_has_its_rules_state_and_the_summary_counts_and_names_the_first() {
        let found = [
            finding("ufs-single", "only one host runs ufs: ufs1", 20),
            finding("core-no-bmc", "nc1 has no BMC (bmc or bmc_local)", 40),
        ];
        let r = evaluate(&found, &[]);
        assert_eq!(r.status(), Status::Critical);
        assert_eq!(
            r.summary_text(),
            "2 reliability findings (1 critical, 1 warning), first ufs-single: only one host runs ufs: ufs1"
        );
        let states: Vec<Status> = r.findings().iter().map(|f| f.status).collect();
        assert_eq!(states, [Status::Critical, Status::Warning]);
        assert_eq!(
            r.findings()[1].detail,
            "core-no-bmc: nc1 has no BMC (bmc or bmc_local) (line 40; Part 1 > Reliability in Hardware > Servers > On-board management)"
        );
        // warnings only: WARNING
        let r = evaluate(&found[1..], &[]);
        assert_eq!(r.status(), Status::Warning);
        // an ignored rule is left out, and said
        let r = evaluate(&found, &["ufs-single"]);
        assert_eq!(r.status(), Status::Warning);
        assert!(r
            .summary_text()
            .starts_with("1 reliability finding (0 critical, 1 warning), first core-no-bmc"));
        let r = evaluate(&found, &["ufs-single", "core-no-bmc"]);
        assert_eq!(r.status(), Status::Ok);
    }
}
