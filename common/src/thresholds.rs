//! A warning and a critical range for one metric.
//!
//! Convention for the whole suite: a plugin with one main metric takes `-w RANGE -c RANGE`; a
//! plugin with several takes `--METRIC-warning RANGE --METRIC-critical RANGE` per metric (e.g.
//! `check_ups --charge-warning 50: --charge-critical 20:`). Either may be left out.

use crate::perfdata::Perfdata;
use crate::range::Range;
use crate::status::Status;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Thresholds {
    pub warning: Option<Range>,
    pub critical: Option<Range>,
}

impl Thresholds {
    pub fn new(warning: Option<Range>, critical: Option<Range>) -> Thresholds {
        Thresholds { warning, critical }
    }

    /// CRITICAL if the critical range alerts, else WARNING if the warning range alerts, else OK.
    pub fn status(&self, value: f64) -> Status {
        if self.critical.as_ref().is_some_and(|r| r.alerts(value)) {
            Status::Critical
        } else if self.warning.as_ref().is_some_and(|r| r.alerts(value)) {
            Status::Warning
        } else {
            Status::Ok
        }
    }

    /// A perfdata item carrying these ranges.
    pub fn perfdata(&self, label: impl Into<String>, value: f64) -> Perfdata {
        Perfdata::new(label, value)
            .warn(self.warning.as_ref())
            .crit(self.critical.as_ref())
    }

    /// The range that alerted, for messages ("charge 15% (critical 20:)").
    pub fn describe(&self, value: f64) -> Option<String> {
        match self.status(value) {
            Status::Critical => self.critical.as_ref().map(|r| format!("critical {r}")),
            Status::Warning => self.warning.as_ref().map(|r| format!("warning {r}")),
            _ => None,
        }
    }
}

/// One metric that takes a `--NAME-warning RANGE` / `--NAME-critical RANGE` pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Metric {
    /// Option stem as the admin types it, e.g. `input-voltage`.
    pub name: &'static str,
    /// What is measured, for the help text, e.g. `Input voltage`.
    pub what: &'static str,
    /// Unit shown in the help, e.g. `V`, `%`, `s`.
    pub unit: &'static str,
    /// Example warning and critical ranges for the help.
    pub warning_example: &'static str,
    pub critical_example: &'static str,
}

impl Metric {
    pub const fn new(
        name: &'static str,
        what: &'static str,
        unit: &'static str,
        warning_example: &'static str,
        critical_example: &'static str,
    ) -> Metric {
        Metric {
            name,
            what,
            unit,
            warning_example,
            critical_example,
        }
    }
}

/// A plugin's list of metrics with thresholds; implemented by a unit struct of the plugin so
/// that [`PerMetric`] can declare the options as clap's derive expects (a type, no value).
pub trait MetricList {
    const METRICS: &'static [Metric];
}

/// The `--NAME-warning/--NAME-critical` pairs of every metric in `L`, declared once instead of
/// two hand-written `Option<Range>` fields per metric. Use with `#[command(flatten)]`.
pub struct PerMetric<L: MetricList> {
    values: Vec<(&'static str, Thresholds)>,
    _list: std::marker::PhantomData<L>,
}

impl<L: MetricList> PerMetric<L> {
    /// The thresholds given for a metric (none given: both `None`). A name not in the list is
    /// a bug in the plugin, so it panics (which the runner reports as an internal error).
    pub fn get(&self, name: &str) -> Thresholds {
        assert!(
            L::METRICS.iter().any(|m| m.name == name),
            "no metric '{name}' declared"
        );
        self.values
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, t)| t.clone())
            .unwrap_or_default()
    }
}

impl<L: MetricList> std::fmt::Debug for PerMetric<L> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map()
            .entries(self.values.iter().map(|(n, t)| (n, t)))
            .finish()
    }
}

impl<L: MetricList> Clone for PerMetric<L> {
    fn clone(&self) -> Self {
        PerMetric {
            values: self.values.clone(),
            _list: std::marker::PhantomData,
        }
    }
}

fn option_id(metric: &Metric, level: &str) -> String {
    format!("{}-{level}", metric.name)
}

impl<L: MetricList> clap::FromArgMatches for PerMetric<L> {
    fn from_arg_matches(m: &clap::ArgMatches) -> Result<Self, clap::Error> {
        let get = |id: String| m.try_get_one::<Range>(&id).ok().flatten().cloned();
        let values = L::METRICS
            .iter()
            .map(|metric| {
                (
                    metric.name,
                    Thresholds::new(
                        get(option_id(metric, "warning")),
                        get(option_id(metric, "critical")),
                    ),
                )
            })
            .collect();
        Ok(PerMetric {
            values,
            _list: std::marker::PhantomData,
        })
    }
    fn update_from_arg_matches(&mut self, m: &clap::ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(m)?;
        Ok(())
    }
}

impl<L: MetricList> clap::Args for PerMetric<L> {
    fn augment_args(mut cmd: clap::Command) -> clap::Command {
        for metric in L::METRICS {
            for (level, example) in [
                ("warning", metric.warning_example),
                ("critical", metric.critical_example),
            ] {
                let id = option_id(metric, level);
                cmd = cmd.arg(
                    clap::Arg::new(id.clone())
                        .long(id)
                        .value_name("RANGE")
                        // "-10:40", "-inf:": a range may start with '-'.
                        .allow_hyphen_values(true)
                        .value_parser(|s: &str| s.parse::<Range>())
                        .help(format!(
                            "{} ({}) {level} range, e.g. {example}",
                            metric.what, metric.unit
                        )),
                );
            }
        }
        cmd
    }
    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        Self::augment_args(cmd)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Two;
    impl MetricList for Two {
        const METRICS: &'static [Metric] = &[
            Metric {
                name: "charge",
                what: "Battery charge",
                unit: "%",
                warning_example: "50:",
                critical_example: "20:",
            },
            Metric {
                name: "input-voltage",
                what: "Input voltage",
                unit: "V",
                warning_example: "210:250",
                critical_example: "200:260",
            },
        ];
    }

    fn parse(args: &[&str]) -> Result<PerMetric<Two>, clap::Error> {
        use clap::{Args, FromArgMatches};
        let cmd = PerMetric::<Two>::augment_args(clap::Command::new("t").no_binary_name(true));
        PerMetric::<Two>::from_arg_matches(&cmd.try_get_matches_from(args)?)
    }

    #[test]
    fn per_metric_declares_a_warning_and_a_critical_option_per_metric() {
        let t = parse(&[
            "--charge-critical",
            "20:",
            "--input-voltage-warning",
            "210:250",
        ])
        .unwrap();
        assert_eq!(t.get("charge").warning, None);
        assert_eq!(t.get("charge").critical, Some("20:".parse().unwrap()));
        assert_eq!(
            t.get("input-voltage").warning,
            Some("210:250".parse().unwrap())
        );
        assert_eq!(t.get("input-voltage").critical, None);
        assert_eq!(parse(&[]).unwrap().get("charge"), Thresholds::default());
        assert!(parse(&["--charge-warning", "20:10"]).is_err());
        assert!(parse(&["--load-warning", "5"]).is_err());
        use clap::Args;
        let cmd = PerMetric::<Two>::augment_args(clap::Command::new("t"));
        let help: Vec<String> = cmd
            .get_arguments()
            .map(|a| format!("--{} {}", a.get_long().unwrap(), a.get_help().unwrap()))
            .collect();
        assert_eq!(
            help,
            [
                "--charge-warning Battery charge (%) warning range, e.g. 50:",
                "--charge-critical Battery charge (%) critical range, e.g. 20:",
                "--input-voltage-warning Input voltage (V) warning range, e.g. 210:250",
                "--input-voltage-critical Input voltage (V) critical range, e.g. 200:260",
            ]
        );
    }

    /// `check_ups --temperature-warning -10:40` was refused as "unexpected -1".
    #[test]
    fn ranges_may_start_with_a_minus() {
        let t = parse(&[
            "--charge-warning",
            "-10:40",
            "--charge-critical",
            "-0.5:40",
            "--input-voltage-warning",
            "-5:",
        ])
        .unwrap();
        assert_eq!(t.get("charge").warning, Some("-10:40".parse().unwrap()));
        assert_eq!(t.get("charge").critical, Some("-0.5:40".parse().unwrap()));
        assert_eq!(t.get("input-voltage").warning, Some("-5:".parse().unwrap()));
        assert_eq!(t.get("charge").status(-0.4), Status::Ok);
        assert_eq!(t.get("charge").status(-0.7), Status::Critical);
        assert_eq!(t.get("input-voltage").status(-4.0), Status::Ok);
        assert_eq!(t.get("input-voltage").status(-6.0), Status::Warning);
        // "-5" alone is 0:-5, refused for what it is, not as an unknown option.
        let e = parse(&["--charge-warning", "-5"]).unwrap_err();
        assert_eq!(e.kind(), clap::error::ErrorKind::ValueValidation);
    }

    #[test]
    #[should_panic(expected = "no metric 'load' declared")]
    fn asking_for_an_undeclared_metric_is_a_bug() {
        parse(&[]).unwrap().get("load");
    }

    #[test]
    fn critical_wins_over_warning() {
        let t = Thresholds::new(Some("50:".parse().unwrap()), Some("20:".parse().unwrap()));
        let table = [
            (100.0, Status::Ok),
            (50.0, Status::Ok),
            (49.0, Status::Warning),
            (19.9, Status::Critical),
        ];
        for (value, want) in table {
            assert_eq!(t.status(value), want, "{value}");
        }
        assert_eq!(t.describe(10.0).as_deref(), Some("critical 20:"));
        assert_eq!(t.describe(60.0), None);
        assert_eq!(
            t.perfdata("charge", 60.0).render().unwrap(),
            "'charge'=60;50:;20:;;"
        );
        assert_eq!(Thresholds::default().status(-1e9), Status::Ok);
    }
}
