//! The rules: what each UPS state means for the servers behind it. One branch per rule, each
//! with the words it prints and, for problems, how to restore service.

use crate::model::{Answer, Flag, Metrics, Observation, Reading, Source, Ups};
use common::{Finding, Report, Status, Thresholds, Uom};

/// Thresholds on the metrics (all optional; none is set by default: the UPS's own LB flag is
/// what says the battery is low).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Limits {
    pub charge: Thresholds,
    pub runtime: Thresholds,
    pub load: Thresholds,
    pub input_voltage: Thresholds,
    pub temperature: Thresholds,
}

/// One thing said about a UPS.
struct Condition {
    status: Status,
    text: String,
    hint: Option<String>,
}

fn cond(status: Status, text: impl Into<String>, hint: Option<&str>) -> Condition {
    Condition {
        status,
        text: text.into(),
        hint: hint.map(str::to_string),
    }
}

/// Evaluate every UPS into one report: one finding (one long-output line) per UPS.
pub fn evaluate(upses: &[Ups], limits: &Limits) -> Report {
    let mut report = Report::new();
    for ups in upses {
        let conditions = match &ups.observation {
            Observation::Read(Answer::Reading(reading)) => {
                let mut c = status_conditions(ups, reading);
                if !blind(reading) {
                    c.extend(threshold_conditions(reading, limits));
                }
                c
            }
            other => failure_conditions(ups, other),
        };
        report.add(finding(ups, &conditions));
        if let Observation::Read(Answer::Reading(reading)) = &ups.observation {
            for (key, value) in &reading.raw {
                report.verbose(2, format!("{}: {key} = {value}", ups.name));
            }
        }
        if let Observation::Read(Answer::Reading(reading)) = &ups.observation {
            if !blind(reading) {
                add_perfdata(&mut report, &ups.name, reading, limits);
            }
        }
    }
    report
}

/// A UPS whose monitor has lost contact reports last-known values: they are not shown as now.
fn blind(reading: &Reading) -> bool {
    reading.has(&Flag::CommLost)
}

/// The rules on the status flags.
fn status_conditions(ups: &Ups, r: &Reading) -> Vec<Condition> {
    use Status::{Critical, Ok, Unknown, Warning};
    let mut out = Vec::new();
    let var = match ups.source {
        Source::Nut => "ups.status",
        Source::Apcupsd => "STATUS",
    };
    let Some(text) = r.status_text.as_deref() else {
        out.push(cond(
            Unknown,
            format!("no {var} reported, state unknown"),
            Some("the driver gives no status for this UPS; check the driver and its UPS support"),
        ));
        return out;
    };
    if r.flags.is_empty() {
        out.push(cond(
            Unknown,
            format!("{var} is empty, state unknown"),
            None,
        ));
        return out;
    }
    let on_battery = r.has(&Flag::OnBattery);
    let low = r.has(&Flag::LowBattery);

    // Blind or not yet seeing: nothing else it says can be trusted as current.
    if r.has(&Flag::CommLost) {
        out.push(cond(
            Critical,
            "communication lost (apcupsd cannot talk to the UPS)",
            Some("check the UPS cable (USB/serial) and apcupsd's log; the UPS state is not known"),
        ));
        return out;
    }
    if r.has(&Flag::Wait) {
        out.push(cond(
            Unknown,
            "upsd is waiting for the driver's first data",
            Some("if this lasts, check the driver's log"),
        ));
        return out;
    }

    // Power source and battery.
    if on_battery && low {
        out.push(cond(
            Critical,
            "on battery, low battery",
            Some("the battery is nearly exhausted: shut the servers on this UPS down cleanly now, or restore mains power"),
        ));
    } else if on_battery {
        out.push(cond(
            Warning,
            "on battery",
            Some("mains power is out on this UPS's feed: restore it before the runtime runs out"),
        ));
    } else if r.has(&Flag::Online) {
        out.push(cond(Ok, "on line", None));
    } else if regulating(r) {
        // TRIM or BOOST without OL: old bcmxcp drivers send only the regulation flag (a
        // Compaq T700h reports `ups.status: TRIM`). A UPS that trims or boosts the input is
        // regulating mains, so it is on line; the note says the flag was inferred.
        out.push(cond(Ok, "on line (no OL flag: regulating mains)", None));
    }
    if low && !on_battery {
        // Low battery on mains is WARNING whichever daemon says it (NUT LB, apcupsd LOWBATT):
        // the load is fed and neither upsmon nor apcupsd shuts anything down for it; the risk
        // is that a power cut now would drop the load at once. It is the normal state while
        // the battery recharges after an outage, which is no reason to page anyone; on
        // battery it is CRITICAL (above), because then the shutdown is imminent.
        out.push(cond(
            Warning,
            "low battery",
            Some("the battery is low although on line power: a power cut now would drop the load at once; let it recharge, check the battery"),
        ));
    }
    if r.has(&Flag::ForcedShutdown) {
        out.push(cond(
            Critical,
            "forced shutdown (FSD) in progress",
            Some("the UPS's primary monitor ordered a shutdown: let it finish, restore power, then restart"),
        ));
    }
    if r.has(&Flag::ShuttingDown) {
        out.push(cond(
            Critical,
            "apcupsd is shutting the system down",
            Some("restore mains power, then restart apcupsd (the state stays latched until then)"),
        ));
    }
    if r.has(&Flag::Off) {
        out.push(cond(
            Critical,
            "output off",
            Some("the UPS output is off: the servers on it have no power from it; switch the output on"),
        ));
    }
    if r.has(&Flag::NoBattery) {
        out.push(cond(
            Critical,
            "no battery",
            Some("the battery is missing or disconnected: a power cut would drop the load at once; reconnect or replace it"),
        ));
    }
    if r.has(&Flag::ReplaceBattery) {
        out.push(cond(
            Warning,
            "replace battery",
            Some("the UPS failed its battery test: replace the battery"),
        ));
    }
    if r.has(&Flag::Overload) {
        out.push(cond(
            Warning,
            "overloaded",
            Some("reduce the load on this UPS (move a power supply to another circuit)"),
        ));
    }
    if r.has(&Flag::Bypass) {
        out.push(cond(
            Warning,
            "on bypass",
            Some("the load is fed from mains through the bypass, unprotected: find why the UPS went to bypass"),
        ));
    }
    if r.has(&Flag::Alarm) {
        let text = match &r.alarm {
            Some(a) => format!("alarm: {a}"),
            None => "alarm".to_string(),
        };
        out.push(cond(
            Warning,
            text,
            Some("read the alarm on the UPS panel or in ups.alarm and act on it"),
        ));
    }
    if r.has(&Flag::SlaveDown) {
        out.push(cond(
            Warning,
            "an apcupsd slave is down",
            Some("check the apcupsd slaves of this master"),
        ));
    }

    // Neither on line nor on battery, and nothing that explains it: the state is not known.
    let explained = [
        Flag::Online,
        Flag::Trim,
        Flag::Boost,
        Flag::OnBattery,
        Flag::Off,
        Flag::ForcedShutdown,
        Flag::ShuttingDown,
        Flag::Bypass,
    ];
    if !explained.iter().any(|f| r.has(f)) {
        out.push(cond(
            Unknown,
            format!("{var} '{text}' says neither on line nor on battery"),
            None,
        ));
    }

    // Noted, not alarming: operator actions and normal regulation.
    for flag in &r.flags {
        let note = match flag {
            Flag::Charging => "charging".to_string(),
            Flag::Discharging if !on_battery => "discharging".to_string(),
            Flag::Trim => "trimming high input voltage".to_string(),
            Flag::Boost => "boosting low input voltage".to_string(),
            Flag::HighEfficiency => "in high-efficiency (eco) mode".to_string(),
            Flag::Calibrating => "calibrating".to_string(),
            Flag::HighBattery => "battery high".to_string(),
            Flag::Slave => "apcupsd slave".to_string(),
            Flag::Other(word) => format!("unrecognised flag '{word}'"),
            _ => continue,
        };
        out.push(cond(Ok, note, None));
    }
    out
}

/// The rules for a UPS that could not be read.
fn failure_conditions(ups: &Ups, observation: &Observation) -> Vec<Condition> {
    use crate::nut::NutError;
    let c = match observation {
        Observation::Read(Answer::Reading(_)) => return Vec::new(),
        Observation::Unreachable { source, why } => {
            let hint = match ups.source {
                Source::Nut => "start upsd, or check the network and that upsd LISTENs on this address (upsd.conf)",
                Source::Apcupsd => "start apcupsd, or check the network and NETSERVER on, NISIP, NISPORT in apcupsd.conf",
            };
            cond(
                Status::Critical,
                format!("unreachable: {source}: {why}"),
                Some(hint),
            )
        }
        Observation::Read(Answer::NutError(e)) => match e {
            NutError::DataStale => cond(
                Status::Critical,
                "data stale (upsd gets no fresh data from the driver, the UPS is not watched)",
                Some("check the UPS cable and restart the driver: upsdrvctl stop NAME; upsdrvctl start NAME"),
            ),
            NutError::DriverNotConnected => cond(
                Status::Critical,
                "driver not connected (the UPS is not watched)",
                Some("start the driver: upsdrvctl start NAME, and read its log"),
            ),
            NutError::UnknownUps => cond(
                Status::Critical,
                "unknown to upsd (the UPS is not watched)",
                Some("check the UPS name against 'upsc -l HOST' and ups.conf"),
            ),
            NutError::ConnectionFailure(m) => cond(
                Status::Critical,
                format!("unreachable: {m}"),
                Some("start upsd, or check the network and upsd.conf LISTEN"),
            ),
            NutError::Access(code) => cond(
                Status::Unknown,
                format!("upsd refused access ({code}), state unknown"),
                Some("check the user and password in --auth-file against upsd.users"),
            ),
            NutError::Other(code) => cond(
                Status::Unknown,
                format!("upsd answered ERR {code}, state unknown"),
                None,
            ),
        },
        Observation::Unreadable { why, .. } => cond(Status::Unknown, why.clone(), None),
        // The kit's words, so "not asked" and "missing" read the same in every plugin.
        Observation::NotAsked { .. } | Observation::Missing { .. } => cond(
            observation.status().unwrap_or(Status::Unknown),
            observation.message().unwrap_or_default(),
            None,
        ),
    };
    vec![c]
}

/// TRIM or BOOST: the UPS corrects the mains voltage it is fed.
fn regulating(r: &Reading) -> bool {
    r.has(&Flag::Trim) || r.has(&Flag::Boost)
}

/// The threshold rules: one per metric, and UNKNOWN when a threshold is set on a metric the
/// UPS does not report (it cannot be checked; saying OK would be a lie).
///
/// On battery the input voltage is not judged: the UPS went to battery because the mains is
/// out of range or gone, so an input-voltage range would turn every on-battery event into
/// CRITICAL by itself; the on-battery rule already says what matters. The long output says
/// the threshold was skipped.
fn threshold_conditions(r: &Reading, limits: &Limits) -> Vec<Condition> {
    let m = &r.metrics;
    let on_battery = r.has(&Flag::OnBattery);
    let table: [(&str, &str, Option<f64>, &Thresholds, &str); 5] = [
        ("charge", "%", m.charge, &limits.charge, "--charge-*"),
        ("runtime", " s", m.runtime, &limits.runtime, "--runtime-*"),
        ("load", "%", m.load, &limits.load, "--load-*"),
        (
            "input voltage",
            " V",
            m.input_voltage,
            &limits.input_voltage,
            "--input-voltage-*",
        ),
        (
            "temperature",
            " C",
            m.temperature,
            &limits.temperature,
            "--temperature-*",
        ),
    ];
    let mut out = Vec::new();
    for (what, unit, value, t, option) in table {
        let set = t.warning.is_some() || t.critical.is_some();
        if what == "input voltage" && on_battery {
            if set {
                out.push(cond(
                    Status::Ok,
                    "input voltage not judged on battery (the mains is expected out of range)",
                    None,
                ));
            }
            continue;
        }
        match value {
            Some(v) => {
                if let Some(range) = t.describe(v) {
                    out.push(cond(
                        t.status(v),
                        format!("{what} {}{unit} ({range})", number(v)),
                        None,
                    ));
                }
            }
            None if set => out.push(cond(
                Status::Unknown,
                format!("{what} not reported, {option} cannot be checked"),
                None,
            )),
            None => {}
        }
    }
    out
}

/// One finding per UPS: its worst condition's state, a summary of its problems (or its
/// power state when all is well), and every condition in the long-output line.
fn finding(ups: &Ups, conditions: &[Condition]) -> Finding {
    let status = Status::worst_of(conditions.iter().map(|c| c.status));
    let mut sorted: Vec<&Condition> = conditions.iter().collect();
    sorted.sort_by_key(|c| std::cmp::Reverse(c.status)); // stable: rule order within a state
    let shown: Vec<&str> = if status == Status::Ok {
        sorted.iter().map(|c| c.text.as_str()).collect()
    } else {
        sorted
            .iter()
            .filter(|c| c.status != Status::Ok)
            .map(|c| c.text.as_str())
            .collect()
    };
    let reading = match &ups.observation {
        Observation::Read(Answer::Reading(r)) => Some(r),
        _ => None,
    };
    // Charge and runtime in brackets, unless a threshold message already gives them.
    let already = |what: &str| shown.iter().any(|t| t.starts_with(what));
    let brief = reading
        .filter(|r| !blind(r))
        .map(|r| Metrics {
            charge: r.metrics.charge.filter(|_| !already("charge ")),
            runtime: r.metrics.runtime.filter(|_| !already("runtime ")),
            ..Metrics::default()
        })
        .map(|m| brief_metrics(&m))
        .filter(|b| !b.is_empty());
    let summary = match &brief {
        Some(b) => format!("{} {} ({b})", ups.name, shown.join(", ")),
        None => format!("{} {}", ups.name, shown.join(", ")),
    };

    let mut detail = format!(
        "{}: {}",
        ups.origin,
        sorted
            .iter()
            .map(|c| c.text.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    if let Some(r) = reading {
        if let Some(s) = &r.status_text {
            let var = match ups.source {
                Source::Nut => "ups.status",
                Source::Apcupsd => "STATUS",
            };
            detail.push_str(&format!("; {var} '{s}'"));
        }
        let all = all_metrics(&r.metrics);
        if !all.is_empty() {
            if blind(r) {
                detail.push_str(&format!("; last known: {all}"));
            } else {
                detail.push_str(&format!("; {all}"));
            }
        }
        if let Some(model) = &r.model {
            detail.push_str(&format!("; model {model}"));
        }
    }
    let mut f = Finding::new(status, detail).summary(summary);
    let hints: Vec<&str> = sorted.iter().filter_map(|c| c.hint.as_deref()).collect();
    if !hints.is_empty() {
        f = f.hint(hints.join("\n"));
    }
    f
}

/// Charge and runtime, for the status line.
fn brief_metrics(m: &Metrics) -> String {
    let mut parts = Vec::new();
    if let Some(c) = m.charge {
        parts.push(format!("charge {}%", number(c)));
    }
    if let Some(r) = m.runtime {
        parts.push(format!("runtime {}", duration(r)));
    }
    parts.join(", ")
}

/// Every metric reported, for the long output.
fn all_metrics(m: &Metrics) -> String {
    let mut parts = Vec::new();
    if let Some(v) = m.charge {
        parts.push(format!("charge {}%", number(v)));
    }
    if let Some(v) = m.runtime {
        parts.push(format!("runtime {}", duration(v)));
    }
    if let Some(v) = m.load {
        parts.push(format!("load {}%", number(v)));
    }
    if let Some(v) = m.input_voltage {
        parts.push(format!("input {} V", number(v)));
    }
    if let Some(v) = m.output_voltage {
        parts.push(format!("output {} V", number(v)));
    }
    if let Some(v) = m.temperature {
        parts.push(format!("temperature {} C", number(v)));
    }
    parts.join(", ")
}

/// Perfdata labels are `NAME_metric` (`ups1_charge`, `ups1_input_voltage`): underscores, the
/// suite's one style (check_raid writes `md0_active`). Graphs are keyed on them: keep them
/// stable.
fn add_perfdata(report: &mut Report, name: &str, reading: &Reading, limits: &Limits) {
    let m = &reading.metrics;
    // A name from outside (apcupsd's UPSNAME, a file name) may hold what no perfdata parser
    // reads back ('=', '|', control characters) or blanks, which the label style has none
    // of: those become '_'.
    let name: String = name
        .chars()
        .map(|c| {
            if c == '=' || c == '|' || c.is_control() || c.is_whitespace() {
                '_'
            } else {
                c
            }
        })
        .collect();
    if let Some(v) = m.charge {
        report.perf(
            limits
                .charge
                .perfdata(format!("{name}_charge"), v)
                .uom(Uom::Percent)
                .min(0.0)
                .max(100.0),
        );
    }
    if let Some(v) = m.runtime {
        report.perf(
            limits
                .runtime
                .perfdata(format!("{name}_runtime"), v)
                .uom(Uom::Seconds)
                .min(0.0),
        );
    }
    if let Some(v) = m.load {
        report.perf(
            limits
                .load
                .perfdata(format!("{name}_load"), v)
                .uom(Uom::Percent)
                .min(0.0),
        );
    }
    if let Some(v) = m.input_voltage {
        // On battery the input-voltage range is not applied (see threshold_conditions), so
        // the perfdata carries no range either: its warn/crit fields say what was judged.
        let label = format!("{name}_input_voltage");
        report.perf(if reading.has(&Flag::OnBattery) {
            common::Perfdata::new(label, v)
        } else {
            limits.input_voltage.perfdata(label, v)
        });
    }
    if let Some(v) = m.output_voltage {
        report.perf(common::Perfdata::new(format!("{name}_output_voltage"), v));
    }
    if let Some(v) = m.temperature {
        report.perf(
            limits
                .temperature
                .perfdata(format!("{name}_temperature"), v),
        );
    }
}

fn number(v: f64) -> String {
    common::perfdata::format_number(v).unwrap_or_else(|| v.to_string())
}

/// "45 min", "34 min 36 s", "50 s".
fn duration(seconds: f64) -> String {
    let s = seconds.max(0.0).round() as u64;
    match (s / 60, s % 60) {
        (0, sec) => format!("{sec} s"),
        (min, 0) => format!("{min} min"),
        (min, sec) => format!("{min} min {sec} s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nut(status: &str) -> Ups {
        let vars = vec![
            ("ups.status".to_string(), status.to_string()),
            ("battery.charge".to_string(), "40".to_string()),
            ("battery.runtime".to_string(), "2076".to_string()),
        ];
        Ups {
            name: "ups1".into(),
            origin: "ups1@127.0.0.1:3493".into(),
            source: Source::Nut,
            observation: Observation::Read(Answer::Reading(Reading::from_nut(&vars))),
        }
    }

    fn apc(status: &str) -> Ups {
        let s = crate::apcaccess::Status {
            records: vec![("STATUS".into(), status.into())],
        };
        Ups {
            name: "simups".into(),
            origin: "apcupsd 127.0.0.1:3551".into(),
            source: Source::Apcupsd,
            observation: Observation::Read(Answer::Reading(Reading::from_apcupsd(&s))),
        }
    }

    /// Every ups.status rule of the issue: (status, state, words in the summary).
    #[test]
    fn nut_status_rules() {
        let table = [
            ("OL", Status::Ok, "ups1 on line"),
            ("OL CHRG", Status::Ok, "on line, charging"),
            ("OL TRIM", Status::Ok, "trimming"),
            ("OL BOOST", Status::Ok, "boosting"),
            // old bcmxcp drivers: the regulation flag without OL
            (
                "TRIM",
                Status::Ok,
                "ups1 on line (no OL flag: regulating mains), trimming",
            ),
            (
                "BOOST",
                Status::Ok,
                "ups1 on line (no OL flag: regulating mains), boosting",
            ),
            ("TRIM LB", Status::Warning, "low battery"),
            ("OL HE", Status::Ok, "high-efficiency"),
            ("OL CAL", Status::Ok, "calibrating"),
            ("OB", Status::Warning, "ups1 on battery"),
            ("OB DISCHRG", Status::Warning, "on battery"),
            ("OB LB", Status::Critical, "on battery, low battery"),
            ("FSD OB LB", Status::Critical, "forced shutdown"),
            ("OFF", Status::Critical, "output off"),
            ("OL RB", Status::Warning, "replace battery"),
            ("OL CHRG LB", Status::Warning, "low battery"),
            ("OL OVER", Status::Warning, "overloaded"),
            ("OL BYPASS", Status::Warning, "on bypass"),
            ("ALARM OL", Status::Warning, "alarm"),
            ("WAIT", Status::Unknown, "waiting"),
            ("RB", Status::Unknown, "neither on line nor on battery"),
            ("", Status::Unknown, "ups.status is empty"),
            ("OL FOO", Status::Ok, "unrecognised flag 'FOO'"),
        ];
        for (status, want, words) in table {
            let r = evaluate(&[nut(status)], &Limits::default());
            assert_eq!(r.status(), want, "{status}");
            assert!(
                r.summary_text().contains(words),
                "{status}: {}",
                r.summary_text()
            );
        }
    }

    #[test]
    fn apcupsd_status_rules() {
        let table = [
            ("ONLINE", Status::Ok, "simups on line"),
            ("ONBATT", Status::Warning, "on battery"),
            (
                "ONBATT LOWBATT",
                Status::Critical,
                "on battery, low battery",
            ),
            ("ONLINE LOWBATT", Status::Warning, "low battery"),
            ("TRIM", Status::Ok, "on line (no OL flag: regulating mains)"),
            ("COMMLOST", Status::Critical, "communication lost"),
            ("ONLINE REPLACEBATT", Status::Warning, "replace battery"),
            ("ONBATT SLAVEDOWN", Status::Warning, "slave is down"),
            (
                "SHUTTING DOWN",
                Status::Critical,
                "shutting the system down",
            ),
            ("ONLINE NOBATT", Status::Critical, "no battery"),
            ("ONLINE OVERLOAD", Status::Warning, "overloaded"),
        ];
        for (status, want, words) in table {
            let r = evaluate(&[apc(status)], &Limits::default());
            assert_eq!(r.status(), want, "{status}");
            assert!(
                r.summary_text().contains(words),
                "{status}: {}",
                r.summary_text()
            );
        }
    }

    #[test]
    fn thresholds_alert_and_go_into_perfdata() {
        let limits = Limits {
            charge: Thresholds::new(Some("50:".parse().unwrap()), Some("20:".parse().unwrap())),
            load: Thresholds::new(Some("80".parse().unwrap()), None),
            ..Limits::default()
        };
        let r = evaluate(&[nut("OL")], &limits);
        assert_eq!(r.status(), Status::Unknown, "load is not reported");
        assert!(
            r.summary_text().contains("charge 40% (warning 50:)"),
            "{}",
            r.summary_text()
        );
        assert!(r
            .summary_text()
            .contains("load not reported, --load-* cannot be checked"));
        let perf: Vec<String> = r.perfdata().iter().map(|p| p.render().unwrap()).collect();
        assert_eq!(
            perf,
            vec![
                "'ups1_charge'=40%;50:;20:;0;100",
                "'ups1_runtime'=2076s;;;0;"
            ]
        );
    }

    #[test]
    fn unreachable_and_blind_upses_are_critical_without_perfdata() {
        let mut down = nut("OL");
        down.observation = Observation::unreachable("127.0.0.1:9", "connection refused");
        let mut stale = nut("OL");
        stale.name = "ups2".into();
        stale.observation = Observation::Read(Answer::NutError(crate::nut::NutError::DataStale));
        let r = evaluate(&[down, stale, apc("COMMLOST")], &Limits::default());
        assert_eq!(r.status(), Status::Critical);
        let s = r.summary_text();
        assert!(
            s.contains("ups1 unreachable: 127.0.0.1:9: connection refused"),
            "{s}"
        );
        assert!(s.contains("ups2 data stale"), "{s}");
        assert!(s.contains("simups communication lost"), "{s}");
        assert!(r.perfdata().is_empty());
    }

    #[test]
    fn names_that_perfdata_cannot_carry_are_made_safe() {
        let mut ups = nut("OL");
        ups.name = "a=b|c d".into();
        let r = evaluate(&[ups], &Limits::default());
        assert_eq!(
            r.perfdata()[0].render().unwrap(),
            "'a_b_c_d_charge'=40%;;;0;100"
        );
    }

    #[test]
    fn durations_read_well() {
        assert_eq!(duration(50.0), "50 s");
        assert_eq!(duration(2700.0), "45 min");
        assert_eq!(duration(2076.0), "34 min 36 s");
    }
}
