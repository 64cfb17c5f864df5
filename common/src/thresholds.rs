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

#[cfg(test)]
mod tests {
    use super::*;

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
