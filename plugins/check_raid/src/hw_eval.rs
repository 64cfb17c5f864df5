//! Hardware RAID rules: one finding per controller (its long output is the controller's group:
//! a header line, then one indented line per logical drive, disk and cache unit), rules one
//! function per family. Pure: model and options in, findings and perfdata out.

use crate::hw::{Cache, CacheState, Controller, Disk, DiskState, LdState, Logical};
use common::{Finding, Perfdata, Range, Report, Status, Uom};

/// What the hardware rules need of the options.
#[derive(Debug, Clone)]
pub struct HwRules {
    /// Media errors per disk beyond this range are WARNING (default `0`: any).
    pub disk_errors: Range,
    /// No hot spare on a controller is WARNING.
    pub need_spare: bool,
}

impl Default for HwRules {
    fn default() -> Self {
        HwRules {
            disk_errors: "0"
                .parse()
                .unwrap_or_else(|_| unreachable!("a valid range")),
            need_spare: false,
        }
    }
}

/// One problem: its state and short words (for the summary and the item's line).
struct Problem {
    status: Status,
    words: String,
}

/// Judge one controller: the finding for its group, and its perfdata into `report`.
pub fn evaluate_controller(c: &Controller, rules: &HwRules, report: &mut Report) {
    let name = group_name(c);
    let mut lines = Vec::new();
    let mut problems: Vec<Problem> = Vec::new();

    controller_rules(c, &mut problems);
    for ld in &c.logical {
        let p = logical_rules(ld);
        lines.push(format!("  {}{}", describe_logical(ld), tail(&p)));
        problems.extend(p);
    }
    // A disk that only repeats what its rebuilding drive says (rebuilding) is not a second
    // problem when a logical drive already reports the rebuild.
    let ld_rebuilding = c.logical.iter().any(|l| l.state == LdState::Rebuilding);
    for d in &c.disks {
        let mut p = disk_rules(d, rules);
        if ld_rebuilding {
            p.retain(|x| !x.words.ends_with("rebuilding"));
        }
        lines.push(format!("  {}{}", describe_disk(d), tail(&p)));
        problems.extend(p);
    }
    for cache in &c.caches {
        let p = cache_rules(cache);
        lines.push(format!("  {}{}", describe_cache(cache), tail(&p)));
        problems.extend(p);
    }
    spare_rule(c, rules, &mut problems);

    for f in &c.failures {
        lines.push(format!("  {} reported a failure: {f}", c.tool.word()));
    }
    // A controller that gave nothing to judge, only failures: nothing is known.
    if c.logical.is_empty() && c.disks.is_empty() && c.status.is_none() && !c.failures.is_empty() {
        problems.push(Problem {
            status: Status::Unknown,
            words: format!("no data ({})", c.failures.join("; ")),
        });
    }

    let status = Status::worst_of(problems.iter().map(|p| p.status));
    let header = format!(
        "{name}{}: {}",
        c.model
            .as_deref()
            .map(|m| format!(" ({m})"))
            .unwrap_or_default(),
        overview(c)
    );
    let mut detail = vec![header];
    detail.extend(lines);
    let mut finding = Finding::new(status, detail.join("\n"));
    if !problems.is_empty() {
        let mut sorted: Vec<&Problem> = problems.iter().collect();
        sorted.sort_by_key(|p| std::cmp::Reverse(p.status));
        let words: Vec<&str> = sorted.iter().map(|p| p.words.as_str()).collect();
        finding = finding.summary(format!("{name}: {}", words.join(", ")));
    }
    if problems.is_empty() {
        finding = finding.summary(format!(
            "{name} ok ({} logical, {} disks)",
            c.logical.len(),
            c.disks.len()
        ));
    }
    if let Some(h) = hint(c, status) {
        finding = finding.hint(h);
    }
    report.add(finding);
    add_perfdata(c, report);
}

/// `storcli c0`, `megacli adapter 0`, `ssacli slot 1`, `arcconf controller 1`.
pub fn group_name(c: &Controller) -> String {
    match c.tool {
        crate::hw::Tool::Storcli => format!("storcli c{}", c.id),
        crate::hw::Tool::MegaCli => format!("megacli adapter {}", c.id),
        crate::hw::Tool::Ssacli => format!("ssacli {}", c.id),
        crate::hw::Tool::Arcconf => format!("arcconf controller {}", c.id),
    }
}

fn tail(p: &[Problem]) -> String {
    if p.is_empty() {
        String::new()
    } else {
        let w: Vec<String> = p
            .iter()
            .map(|x| format!("{}: {}", x.status.word(), x.words))
            .collect();
        format!(" <- {}", w.join("; "))
    }
}

fn overview(c: &Controller) -> String {
    let mut parts = Vec::new();
    if let Some(s) = &c.status {
        parts.push(format!("status {s}"));
    }
    parts.push(format!(
        "{} logical, {} disks",
        c.logical.len(),
        c.disks.len()
    ));
    if let Some(t) = c.temperature {
        parts.push(format!("{t} C"));
    }
    parts.join(", ")
}

/// Controller status not optimal: CRITICAL. Failed (defunct) disks counted: CRITICAL.
fn controller_rules(c: &Controller, out: &mut Vec<Problem>) {
    if let Some(s) = &c.status {
        let l = s.to_ascii_lowercase();
        // arcconf's older releases say `Okay`.
        if l != "optimal" && l != "ok" && l != "okay" {
            out.push(Problem {
                status: Status::Critical,
                words: format!("controller {s}"),
            });
        }
    }
    if let Some(n) = c.defunct.filter(|n| *n > 0) {
        out.push(Problem {
            status: Status::Critical,
            words: format!("{n} defunct disk{}", if n == 1 { "" } else { "s" }),
        });
    }
}

fn ld_label(ld: &Logical) -> String {
    let mut s = format!("{} {}", ld.kind, ld.id);
    if let Some(n) = &ld.name {
        s.push_str(&format!(" '{n}'"));
    }
    s
}

fn describe_logical(ld: &Logical) -> String {
    let mut s = ld_label(ld);
    if let Some(l) = &ld.level {
        s.push_str(&format!(" {l}"));
    }
    s.push_str(&format!(" {}", ld.raw));
    s
}

/// Degraded/failed: CRITICAL; rebuilding or a background task: WARNING with its percent;
/// write-back configured but write-through now (a bad or learning BBU): WARNING.
fn logical_rules(ld: &Logical) -> Vec<Problem> {
    let label = ld_label(ld);
    // The tool's own word in parentheses, unless it is the same word.
    let own = |word: &str| {
        if ld.raw.eq_ignore_ascii_case(word) {
            String::new()
        } else {
            format!(" ({})", ld.raw)
        }
    };
    let pct = ld.progress.map(|p| format!(" {p}%")).unwrap_or_default();
    let mut out = Vec::new();
    let (status, words) = match ld.state {
        LdState::Optimal => (Status::Ok, String::new()),
        LdState::Degraded => (
            Status::Critical,
            format!("{label} degraded{}", own("degraded")),
        ),
        LdState::Failed => (Status::Critical, format!("{label} failed{}", own("failed"))),
        LdState::Rebuilding => (Status::Warning, format!("{label} rebuilding{pct}")),
        LdState::Background => (Status::Warning, format!("{label} {}", ld.raw)),
        LdState::Other => (
            Status::Warning,
            format!("{label} state '{}' not known to check_raid", ld.raw),
        ),
    };
    if status != Status::Ok {
        out.push(Problem { status, words });
    }
    if ld.write_back_configured == Some(true) && ld.write_back_now == Some(false) {
        out.push(Problem {
            status: Status::Warning,
            words: format!("{label} write-through, configured write-back (BBU bad or learning?)"),
        });
    }
    out
}

fn describe_disk(d: &Disk) -> String {
    let mut s = format!("disk {} {}", d.id, d.raw);
    let mut counts = Vec::new();
    if let Some(m) = d.media_errors {
        counts.push(format!("media errors {m}"));
    }
    if let Some(o) = d.other_errors {
        counts.push(format!("other errors {o}"));
    }
    if let Some(p) = d.predictive_count {
        counts.push(format!("predictive {p}"));
    }
    if let Some(t) = d.temperature {
        counts.push(format!("{t} C"));
    }
    if !counts.is_empty() {
        s.push_str(&format!(" ({})", counts.join(", ")));
    }
    s
}

/// Failed/missing: CRITICAL; predictive failure, SMART alert, media errors over
/// `--disk-errors`, rebuilding or an unknown state: WARNING.
fn disk_rules(d: &Disk, rules: &HwRules) -> Vec<Problem> {
    let label = format!("disk {}", d.id);
    let own = |word: &str| {
        if d.raw.eq_ignore_ascii_case(word) {
            String::new()
        } else {
            format!(" ({})", d.raw)
        }
    };
    let mut out = Vec::new();
    let mut push = |status, words: String| out.push(Problem { status, words });
    match d.state {
        DiskState::Failed => push(Status::Critical, format!("{label} failed{}", own("failed"))),
        DiskState::Missing => push(
            Status::Critical,
            format!("{label} missing{}", own("missing")),
        ),
        DiskState::Predictive => push(Status::Warning, format!("{label} predictive failure")),
        DiskState::Rebuilding => push(Status::Warning, format!("{label} rebuilding")),
        DiskState::Other => push(
            Status::Warning,
            format!("{label} state '{}' not known to check_raid", d.raw),
        ),
        DiskState::Online | DiskState::Spare | DiskState::Unconfigured => {}
    }
    if d.state != DiskState::Predictive {
        if let Some(p) = d.predictive_count.filter(|p| *p > 0) {
            push(
                Status::Warning,
                format!("{label} predictive failure count {p}"),
            );
        }
        if d.smart_alert {
            push(Status::Warning, format!("{label} SMART alert"));
        }
    }
    if let Some(m) = d.media_errors {
        if rules.disk_errors.alerts(m as f64) {
            push(Status::Warning, format!("{label} {m} media errors"));
        }
    }
    out
}

fn describe_cache(c: &Cache) -> String {
    let mut s = format!("{} {}", c.kind, c.raw);
    if let Some(ch) = c.charge {
        s.push_str(&format!(", charge {ch}%"));
    }
    if let Some(t) = c.temperature {
        s.push_str(&format!(", {t} C"));
    }
    s
}

/// Failed, learning, charging or an unknown state: WARNING (the write cache may be off).
fn cache_rules(c: &Cache) -> Vec<Problem> {
    let words = match c.state {
        CacheState::Ok | CacheState::Absent => return Vec::new(),
        CacheState::Failed if c.raw.eq_ignore_ascii_case("failed") => format!("{} failed", c.kind),
        CacheState::Failed => format!("{} failed ({})", c.kind, c.raw),
        CacheState::Learning => format!("{} learn cycle ({})", c.kind, c.raw),
        CacheState::Charging => format!("{} charging ({})", c.kind, c.raw),
        CacheState::Other => format!("{} {}", c.kind, c.raw),
    };
    vec![Problem {
        status: Status::Warning,
        words,
    }]
}

fn spare_rule(c: &Controller, rules: &HwRules, out: &mut Vec<Problem>) {
    if rules.need_spare && !c.disks.iter().any(|d| d.state == DiskState::Spare) {
        out.push(Problem {
            status: Status::Warning,
            words: "no hot spare".into(),
        });
    }
}

fn hint(c: &Controller, status: Status) -> Option<String> {
    if status == Status::Ok {
        return None;
    }
    Some(match c.tool {
        crate::hw::Tool::Storcli => format!("storcli64 /c{} show all; storcli64 /c{}/eall/sall show all shows each disk's error counts", c.id, c.id),
        crate::hw::Tool::MegaCli => "MegaCli64 -PDList -aALL and -AdpEventLog -GetLatest 50 -f /dev/stdout -aALL show what failed".into(),
        crate::hw::Tool::Ssacli => format!("ssacli ctrl {} show config detail", c.id.replace(' ', "=")),
        crate::hw::Tool::Arcconf => format!("arcconf GETCONFIG {} AL; arcconf GETLOGS {} DEVICE tabular", c.id, c.id),
    })
}

/// Letters, digits and underscores only (`252:3` -> `252_3`).
fn label_part(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_end_matches('_').to_string()
}

/// Per logical drive its state (0 ok, 1 warning, 2 critical) and rebuild %, per controller the
/// disks by state, cache charge, controller and disk temperatures where reported.
fn add_perfdata(c: &Controller, report: &mut Report) {
    let prefix = format!("{}_{}", c.tool.word(), label_part(&c.id));
    for ld in &c.logical {
        let code = logical_rules(ld)
            .iter()
            .map(|p| p.status)
            .max()
            .unwrap_or(Status::Ok);
        let base = format!("{prefix}_{}{}", label_part(ld.kind), label_part(&ld.id));
        report.perf(
            Perfdata::new(format!("{base}_state"), f64::from(code.exit_code().min(2)))
                .min(0.0)
                .max(2.0),
        );
        if let Some(p) = ld.progress {
            report.perf(
                Perfdata::new(format!("{base}_progress"), p)
                    .uom(Uom::Percent)
                    .min(0.0)
                    .max(100.0),
            );
        }
    }
    if !c.disks.is_empty() {
        for state in DiskState::ALL {
            let n = c.disks.iter().filter(|d| d.state == state).count();
            if n > 0 || matches!(state, DiskState::Online | DiskState::Failed) {
                report.perf(
                    Perfdata::new(format!("{prefix}_disks_{}", state.word()), n as f64).min(0.0),
                );
            }
        }
    }
    if let Some(t) = c.temperature {
        report.perf(Perfdata::new(format!("{prefix}_temp"), t));
    }
    for (i, cache) in c.caches.iter().enumerate() {
        let base = format!(
            "{prefix}_{}{}",
            label_part(&cache.kind),
            if i == 0 {
                String::new()
            } else {
                format!("_{i}")
            }
        );
        if let Some(ch) = cache.charge {
            report.perf(
                Perfdata::new(format!("{base}_charge"), ch)
                    .uom(Uom::Percent)
                    .min(0.0)
                    .max(100.0),
            );
        }
        if let Some(t) = cache.temperature {
            report.perf(Perfdata::new(format!("{base}_temp"), t));
        }
    }
    for d in &c.disks {
        if let Some(t) = d.temperature {
            report.perf(Perfdata::new(
                format!("{prefix}_disk{}_temp", label_part(&d.id)),
                t,
            ));
        }
    }
}
