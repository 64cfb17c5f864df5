//! The rules: sensors, power supplies and their redundancy, chassis flags, new SEL entries.
//! Pure: what was read and the options in, findings and perfdata out.

use crate::model::{Chassis, Health, Kind, Limits, SelEntry, Sensor, Unit};
use common::{Finding, Perfdata, Range, Report, Status};
use std::collections::{HashMap, HashSet};

/// What the options ask of the rules.
#[derive(Debug, Clone, Default)]
pub struct Rules {
    /// `--psu-count N`: this many power supplies must be present.
    pub psu_count: Option<usize>,
    /// `--exclude-sensor NAME|ID|TYPE` (compared without case).
    pub exclude: Vec<String>,
    /// `--only-type TYPE`: only sensors of these types (Temperature, Fan, Voltage, Power
    /// Supply, ... or the tool's own type name).
    pub only_types: Vec<String>,
    /// `--unreadable warning`: a sensor that cannot be read is WARNING instead of skipped.
    pub unreadable: Option<Status>,
}

/// The sensors the options keep.
pub fn selected<'a>(sensors: &'a [Sensor], rules: &Rules) -> Vec<&'a Sensor> {
    sensors
        .iter()
        .filter(|s| !rules.exclude.iter().any(|x| matches_sensor(s, x)))
        .filter(|s| rules.only_types.is_empty() || rules.only_types.iter().any(|t| is_type(s, t)))
        .collect()
}

fn matches_sensor(s: &Sensor, x: &str) -> bool {
    s.name.eq_ignore_ascii_case(x)
        || s.id.as_deref().is_some_and(|id| {
            id.eq_ignore_ascii_case(x) || id.trim_end_matches('h').eq_ignore_ascii_case(x)
        })
        || is_type(s, x)
}

/// A type as an admin writes it (`Temperature`, `fan`, `power_supply`, `Power Supply`, `PSU`).
fn is_type(s: &Sensor, t: &str) -> bool {
    let norm = |x: &str| x.to_ascii_lowercase().replace(['_', '-', ' '], "");
    let t = norm(t);
    let ours = match s.kind {
        Kind::Temperature => "temperature",
        Kind::Fan => "fan",
        Kind::Voltage => "voltage",
        Kind::Power => "power",
        Kind::Current => "current",
        Kind::PowerSupply => "powersupply",
        Kind::Other => "",
    };
    (!ours.is_empty() && ours == t)
        || (t == "psu" && s.kind == Kind::PowerSupply)
        || s.type_name.as_deref().is_some_and(|n| norm(n) == t)
}

pub fn sensors(all: &[Sensor], rules: &Rules, report: &mut Report) {
    let chosen = selected(all, rules);
    // Counted once: a hostile listing of 10 000 sensors of one name must stay linear.
    let mut names: HashMap<&str, usize> = HashMap::new();
    for s in &chosen {
        *names.entry(s.name.as_str()).or_default() += 1;
    }
    let mut labels = Labels::default();
    let mut judged = 0usize;
    let mut skipped = 0usize;
    for s in &chosen {
        let shown = shown_name(s, names.get(s.name.as_str()).copied().unwrap_or(1));
        if s.health == Health::NotReadable && s.events.is_empty() {
            skipped += 1;
            if let Some(st) = rules.unreadable {
                report.add(
                    Finding::new(st, format!("{shown}: not readable"))
                        .summary(format!("{shown} not readable")),
                );
            }
            continue;
        }
        judged += 1;
        sensor_finding(s, &shown, report);
        perf(s, &shown, &mut labels, report);
    }
    power_supplies(&chosen, rules, report);
    if judged == 0 && rules.psu_count.is_none() {
        report.add(Finding::unknown("no readable sensor").summary(
            if chosen.is_empty() && !all.is_empty() {
                "no sensor left after --exclude-sensor/--only-type".to_string()
            } else {
                "the BMC listed no readable sensor".to_string()
            },
        ));
    }
    report.verbose(
        1,
        format!("{judged} sensors judged, {skipped} not readable and skipped"),
    );
}

/// The name as an admin finds it: with its id when several sensors share it (`Status 65h`).
fn shown_name(s: &Sensor, same: usize) -> String {
    match (&s.id, same > 1) {
        (Some(id), true) => format!("{} {id}", s.name),
        _ => s.name.clone(),
    }
}

/// Event texts that mean a failure whatever the status column says (ipmitool prints `ok` for
/// every readable discrete sensor). Lower case, matched as substrings.
const CRITICAL_EVENTS: &[&str] = &[
    "failure detected",
    "predictive failure",
    "ac lost",
    "input lost",
    "out-of-range",
    "redundancy lost",
    "non-redundant",
    "redundancy degraded",
    "config error",
    "configuration error",
    // Processors, drives and the severity sensors some vendors add.
    "ierr",
    "thermal trip",
    "uncorrectable",
    "drive fault",
    "transition to critical",
    "transition to non-recoverable",
];

/// Event texts that mean a warning (the severity sensors' "Transition to Non-Critical").
const WARNING_EVENTS: &[&str] = &["transition to non-critical"];

fn critical_event(e: &str) -> bool {
    let e = e.to_ascii_lowercase();
    CRITICAL_EVENTS.iter().any(|c| e.contains(c))
}

/// FreeIPMI's default interpretation calls a crossed non-critical threshold "Nominal"; its
/// event text ("At or Above (>=) Upper Non-Critical Threshold") says what it is.
fn threshold_event(events: &[String]) -> Status {
    let mut worst = Status::Ok;
    for e in events {
        let e = e.to_ascii_lowercase();
        if WARNING_EVENTS.iter().any(|w| e.contains(w)) {
            worst = worst.max(Status::Warning);
        }
        if !e.contains("threshold") {
            continue;
        }
        let this = if e.contains("non-critical") {
            Status::Warning
        } else if e.contains("critical") || e.contains("non-recoverable") {
            Status::Critical
        } else {
            Status::Ok
        };
        worst = worst.max(this);
    }
    worst
}

fn sensor_finding(s: &Sensor, shown: &str, report: &mut Report) {
    let bad: Vec<&String> = s.events.iter().filter(|e| critical_event(e)).collect();
    if !bad.is_empty() {
        let words: Vec<String> = bad.iter().map(|e| event_words(shown, e)).collect();
        report.add(
            Finding::critical(format!("{shown}: {}", s.events.join(", ")))
                .summary(words.join("; "))
                .hint(hint(s)),
        );
        return;
    }
    let status = match s.health {
        Health::Critical => Status::Critical,
        Health::Warning => Status::Warning,
        _ => Status::Ok,
    }
    .max(threshold_event(&s.events));
    let value = reading_text(s);
    let detail = format!(
        "{shown}: {}{}{}",
        if value.is_empty() { "" } else { &value },
        if s.events.is_empty() || value.is_empty() {
            ""
        } else {
            ", "
        },
        s.events.join(", ")
    );
    let word = match status {
        Status::Critical => "critical",
        Status::Warning => "warning",
        _ => "",
    };
    let detail = format!("{detail}{}", bound_text(s));
    if status == Status::Ok {
        // Healthy sensors are listed with -v only: a server has a hundred of them.
        report.verbose(1, detail);
        return;
    }
    report.add(Finding::new(status, detail).summary(format!(
        "{shown} {word}{}",
        if value.is_empty() {
            String::new()
        } else {
            format!(" ({value})")
        }
    )));
}

/// `PS1 Status failure detected`, `PS Redundancy lost` (not `PS Redundancy redundancy lost`).
fn event_words(shown: &str, event: &str) -> String {
    let mut e = event.trim();
    for prefix in ["Power Supply ", "power supply "] {
        if let Some(rest) = e.strip_prefix(prefix) {
            e = rest;
        }
    }
    if shown.to_ascii_lowercase().ends_with("redundancy")
        && e.len() > 11
        && e[..11].eq_ignore_ascii_case("redundancy ")
    {
        e = &e[11..];
    }
    format!("{shown} {}", lower_first(e))
}

/// `Predictive Failure` -> `predictive failure`; acronyms (`AC lost`, `(AC/DC)`) stay.
fn lower_first(e: &str) -> String {
    e.split(' ')
        .map(|w| {
            let letters: Vec<char> = w.chars().filter(|c| c.is_ascii_alphabetic()).collect();
            if letters.len() >= 2 && letters.iter().all(|c| c.is_ascii_uppercase()) {
                w.to_string()
            } else {
                w.to_ascii_lowercase()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn hint(s: &Sensor) -> String {
    if s.kind == Kind::PowerSupply {
        "check the power supply's cord and feed, then reseat or replace it".into()
    } else {
        "see the BMC's event log (ipmitool sel elist) for when it started".into()
    }
}

fn reading_text(s: &Sensor) -> String {
    let Some(v) = s.reading else {
        return String::new();
    };
    let unit = match s.unit {
        Some(Unit::Celsius) => " C",
        Some(Unit::Rpm) => " RPM",
        Some(Unit::Volts) => " V",
        Some(Unit::Watts) => " W",
        Some(Unit::Amps) => " A",
        _ => "",
    };
    format!(
        "{}{unit}",
        common::perfdata::format_number(v).unwrap_or_default()
    )
}

fn bound_text(s: &Sensor) -> String {
    let l = &s.limits;
    let mut parts = Vec::new();
    for (name, v) in [
        ("lower critical", l.lcr),
        ("lower warning", l.lnc),
        ("upper warning", l.unc),
        ("upper critical", l.ucr),
    ] {
        if let Some(v) = v {
            parts.push(format!(
                "{name} {}",
                common::perfdata::format_number(v).unwrap_or_default()
            ));
        }
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(" (BMC thresholds: {})", parts.join(", "))
    }
}

/// Temperatures, fans, voltages and power with the BMC's thresholds as warn/crit.
/// Perfdata labels given so far, and the next number to try for each base label.
#[derive(Default)]
struct Labels {
    used: HashSet<String>,
    next: HashMap<String, usize>,
}

impl Labels {
    /// `base`, or `base_2`, `base_3` ... when taken (two sensors of one name without ids).
    fn unique(&mut self, base: String) -> String {
        if self.used.insert(base.clone()) {
            return base;
        }
        let n = self.next.entry(base.clone()).or_insert(2);
        loop {
            let name = format!("{base}_{n}");
            *n += 1;
            if self.used.insert(name.clone()) {
                return name;
            }
        }
    }
}

fn perf(s: &Sensor, shown: &str, labels: &mut Labels, report: &mut Report) {
    let Some(v) = s.reading else { return };
    if !matches!(
        s.unit,
        Some(Unit::Celsius | Unit::Rpm | Unit::Volts | Unit::Watts)
    ) {
        return;
    }
    let name = labels.unique(label(shown));
    let (warn, crit) = ranges(&s.limits);
    report.perf(
        Perfdata::new(name, v)
            .warn(warn.as_ref())
            .crit(crit.as_ref()),
    );
}

/// A perfdata label: lower case, words joined by `_` (`CPU Temp` -> `cpu_temp`).
pub fn label(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    let out = out.trim_end_matches('_').to_string();
    if out.is_empty() {
        "sensor".into()
    } else {
        out
    }
}

/// The BMC thresholds as ranges; a pair the firmware inverted (lower above upper, seen on HP
/// ML110 G5 fans) is left out rather than written as a range that alerts on every value.
pub fn ranges(l: &Limits) -> (Option<Range>, Option<Range>) {
    let lows = [l.lnr, l.lcr, l.lnc].into_iter().flatten();
    let highest_low = lows.fold(f64::NEG_INFINITY, f64::max);
    let ups = [l.unc, l.ucr, l.unr].into_iter().flatten();
    let lowest_up = ups.fold(f64::INFINITY, f64::min);
    if highest_low > lowest_up {
        return (None, None);
    }
    let one = |lo: Option<f64>, hi: Option<f64>| -> Option<Range> {
        let n = |v: f64| common::perfdata::format_number(v);
        let text = match (lo, hi) {
            (Some(a), Some(b)) if a <= b => format!("{}:{}", n(a)?, n(b)?),
            (Some(_), Some(_)) => return None,
            (Some(a), None) => format!("{}:", n(a)?),
            (None, Some(b)) => format!("~:{}", n(b)?),
            (None, None) => return None,
        };
        Range::parse(&text).ok()
    };
    (one(l.lnc, l.unc), one(l.lcr, l.ucr))
}

fn is_redundancy(s: &Sensor) -> bool {
    s.name.to_ascii_lowercase().contains("redundan")
        || s.events
            .iter()
            .any(|e| e.to_ascii_lowercase().contains("redundan"))
}

/// `--psu-count N`: that many power supplies present (`Presence detected`).
fn power_supplies(chosen: &[&Sensor], rules: &Rules, report: &mut Report) {
    let Some(want) = rules.psu_count else { return };
    let psus: Vec<&&Sensor> = chosen
        .iter()
        .filter(|s| s.kind == Kind::PowerSupply && !is_redundancy(s))
        .collect();
    let present = psus
        .iter()
        .filter(|s| {
            s.events
                .iter()
                .any(|e| e.to_ascii_lowercase().contains("presence detected"))
        })
        .count();
    report.perf(Perfdata::new("psu_present", present as f64).min(0.0));
    if present < want {
        report.add(
            Finding::critical(format!(
                "{present} of {want} power supplies present ({} power supply sensors)",
                psus.len()
            ))
            .summary(format!("{present} of {want} power supplies present"))
            .hint("a power supply was pulled or lost its presence signal: reseat it"),
        );
    } else {
        report.verbose(
            0,
            format!("{present} power supplies present (expected {want})"),
        );
    }
}

/// Chassis flags that mean a fault: CRITICAL when `true`.
const CHASSIS_FAULTS: &[(&str, &str)] = &[
    ("power overload", "power overload"),
    ("main power fault", "main power fault"),
    ("power fault", "main power fault"),
    ("power control fault", "power control fault"),
    ("cooling/fan fault", "cooling/fan fault"),
    ("drive fault", "drive fault"),
];

pub fn chassis(c: &Chassis, report: &mut Report) {
    let mut faults = Vec::new();
    for (key, value) in &c.flags {
        if let Some((_, words)) = CHASSIS_FAULTS.iter().find(|(k, _)| k == key) {
            if value.eq_ignore_ascii_case("true") {
                faults.push(*words);
            }
        }
    }
    if faults.is_empty() {
        let power = c
            .flags
            .iter()
            .find(|(k, _)| k == "system power")
            .map_or("?", |(_, v)| v.as_str());
        report.verbose(0, format!("chassis: no fault, system power {power}"));
    } else {
        report.add(
            Finding::critical(format!("chassis status: {}", faults.join(", ")))
                .summary(format!("chassis {}", faults.join(", "))),
        );
    }
}

/// How a SEL entry weighs: a failure asserted is critical, a warning one warning.
pub fn sel_weight(e: &SelEntry) -> Status {
    if e.deasserted {
        return Status::Ok;
    }
    match e.state {
        Some(Health::Critical) => return Status::Critical,
        Some(Health::Warning) => return Status::Warning,
        _ => {}
    }
    let t = e.text.to_ascii_lowercase();
    const CRIT: &[&str] = &[
        "critical going",
        "non-recoverable",
        "uncorrectable",
        "machine check",
        "ierr",
        "thermal trip",
    ];
    // "Upper Non-critical going high" contains "critical going": warnings are told first.
    if t.contains("non-critical going")
        || (t.contains("correctable") && !t.contains("uncorrectable"))
    {
        return Status::Warning;
    }
    if critical_event(&t) || CRIT.iter().any(|c| t.contains(c)) {
        Status::Critical
    } else {
        Status::Ok
    }
}

/// New SEL entries since the last run: CRITICAL/WARNING by their weight, once. One summary
/// per weight (a flood of entries names the first few and their count), each entry a line.
pub fn sel(new: &[&SelEntry], total: usize, report: &mut Report) {
    report.perf(Perfdata::new("sel_new", new.len() as f64).min(0.0));
    report.perf(Perfdata::new("sel_entries", total as f64).min(0.0));
    for weight in [Status::Critical, Status::Warning] {
        let these: Vec<&&SelEntry> = new.iter().filter(|e| sel_weight(e) == weight).collect();
        let Some(first) = these.first() else {
            continue;
        };
        let lines: Vec<String> = these
            .iter()
            .map(|e| format!("new SEL entry {}: {}", e.id, e.text))
            .collect();
        let summary = match these.len() {
            1 => format!("SEL: {}", first.text),
            n => format!(
                "SEL: {n} new {} entries, first: {}",
                if weight == Status::Critical {
                    "critical"
                } else {
                    "warning"
                },
                first.text
            ),
        };
        report.add(Finding::new(weight, lines.join("\n")).summary(summary));
    }
    for e in new.iter().filter(|e| sel_weight(e) == Status::Ok) {
        report.verbose(0, format!("new SEL entry {}: {}", e.id, e.text));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_and_ranges() {
        assert_eq!(label("CPU Temp"), "cpu_temp");
        assert_eq!(label("+3.3VSB"), "3_3vsb");
        let (w, c) = ranges(&Limits {
            lnc: Some(1000.0),
            lcr: Some(500.0),
            ..Limits::default()
        });
        assert_eq!(w.unwrap().to_string(), "1000:");
        assert_eq!(c.unwrap().to_string(), "500:");
        let (w, c) = ranges(&Limits {
            lnc: Some(4859.0),
            lcr: Some(4960.0),
            ucr: Some(937.0),
            ..Limits::default()
        });
        assert!(w.is_none() && c.is_none());
    }

    #[test]
    fn event_words_read_well() {
        assert_eq!(
            event_words("PS Redundancy", "Redundancy Lost"),
            "PS Redundancy lost"
        );
        assert_eq!(
            event_words("PS1 Status", "Power Supply Failure detected"),
            "PS1 Status failure detected"
        );
        assert_eq!(
            event_words("PS2", "Power Supply Predictive Failure"),
            "PS2 predictive failure"
        );
        assert_eq!(event_words("PS2", "Power Supply AC lost"), "PS2 AC lost");
    }
}
