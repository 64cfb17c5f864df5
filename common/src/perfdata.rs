//! Performance data: `'label'=value[UOM];[warn];[crit];[min];[max]`.
//!
//! Labels are always quoted; a `'` inside a label is written as `''` (guidelines, rule 4). A
//! label with `=`, `|` or a control character, or a value that is not a finite number, cannot be
//! written correctly and is an error: the runner turns it into UNKNOWN instead of printing
//! something a graphing tool would misread. Numbers never use exponent notation.
//!
//! ```
//! use common::{Perfdata, Uom};
//! let p = Perfdata::new("md1 active", 1.0).max(2.0).min(0.0);
//! assert_eq!(p.render().unwrap(), "'md1 active'=1;;;0;2");
//! let t = Perfdata::new("time", 0.0123).uom(Uom::Seconds);
//! assert_eq!(t.render().unwrap(), "'time'=0.0123s;;;;");
//! ```

use crate::range::Range;
use std::fmt::Write as _;

/// Units of measurement the guidelines allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Uom {
    None,
    Seconds,
    Millis,
    Micros,
    Percent,
    Bytes,
    Kilobytes,
    Megabytes,
    Gigabytes,
    Terabytes,
    /// A continuous counter (`c`).
    Counter,
}

impl Uom {
    pub fn as_str(self) -> &'static str {
        match self {
            Uom::None => "",
            Uom::Seconds => "s",
            Uom::Millis => "ms",
            Uom::Micros => "us",
            Uom::Percent => "%",
            Uom::Bytes => "B",
            Uom::Kilobytes => "KB",
            Uom::Megabytes => "MB",
            Uom::Gigabytes => "GB",
            Uom::Terabytes => "TB",
            Uom::Counter => "c",
        }
    }
}

/// One performance data item.
#[derive(Debug, Clone, PartialEq)]
pub struct Perfdata {
    pub label: String,
    pub value: f64,
    pub uom: Uom,
    pub warn: Option<Range>,
    pub crit: Option<Range>,
    pub min: Option<f64>,
    pub max: Option<f64>,
}

/// Why a perfdata item cannot be written.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PerfdataError {
    #[error("perfdata label is empty")]
    EmptyLabel,
    #[error("perfdata label '{0}' contains '{1}', which no perfdata parser can read back")]
    BadLabel(String, char),
    #[error("perfdata label '{0}' is used twice; graphs would mix two series")]
    DuplicateLabel(String),
    #[error("perfdata '{label}' has a {what} that is not a finite number ({value})")]
    NotFinite {
        label: String,
        what: &'static str,
        value: f64,
    },
}

impl Perfdata {
    pub fn new(label: impl Into<String>, value: f64) -> Perfdata {
        Perfdata {
            label: label.into(),
            value,
            uom: Uom::None,
            warn: None,
            crit: None,
            min: None,
            max: None,
        }
    }
    pub fn uom(mut self, uom: Uom) -> Self {
        self.uom = uom;
        self
    }
    pub fn warn(mut self, range: Option<&Range>) -> Self {
        self.warn = range.cloned();
        self
    }
    pub fn crit(mut self, range: Option<&Range>) -> Self {
        self.crit = range.cloned();
        self
    }
    pub fn min(mut self, min: f64) -> Self {
        self.min = Some(min);
        self
    }
    pub fn max(mut self, max: f64) -> Self {
        self.max = Some(max);
        self
    }

    /// The item as it appears after the `|`.
    pub fn render(&self) -> Result<String, PerfdataError> {
        if self.label.is_empty() {
            return Err(PerfdataError::EmptyLabel);
        }
        if let Some(bad) = self
            .label
            .chars()
            .find(|c| *c == '=' || *c == '|' || c.is_control())
        {
            return Err(PerfdataError::BadLabel(self.label.clone(), bad));
        }
        let mut out = String::with_capacity(self.label.len() + 24);
        out.push('\'');
        out.push_str(&self.label.replace('\'', "''"));
        out.push_str("'=");
        out.push_str(&self.number("value", self.value)?);
        out.push_str(self.uom.as_str());
        out.push(';');
        if let Some(w) = &self.warn {
            let _ = write!(out, "{w}");
        }
        out.push(';');
        if let Some(c) = &self.crit {
            let _ = write!(out, "{c}");
        }
        out.push(';');
        if let Some(min) = self.min {
            out.push_str(&self.number("min", min)?);
        }
        out.push(';');
        if let Some(max) = self.max {
            out.push_str(&self.number("max", max)?);
        }
        Ok(out)
    }

    fn number(&self, what: &'static str, value: f64) -> Result<String, PerfdataError> {
        format_number(value).ok_or_else(|| PerfdataError::NotFinite {
            label: self.label.clone(),
            what,
            value,
        })
    }
}

/// A finite number in plain decimal notation (Rust's `Display` for f64 never uses an
/// exponent), with `-0` written as `0`. None for NaN and infinities.
pub fn format_number(value: f64) -> Option<String> {
    if !value.is_finite() {
        return None;
    }
    if value == 0.0 {
        return Some("0".into());
    }
    Some(value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(text: &str) -> Range {
        Range::parse(text).unwrap()
    }

    #[test]
    fn renders_like_the_guidelines() {
        let table: Vec<(Perfdata, &str)> = vec![
            (Perfdata::new("load", 1.5), "'load'=1.5;;;;"),
            (
                Perfdata::new("time", 0.25).uom(Uom::Seconds),
                "'time'=0.25s;;;;",
            ),
            (
                Perfdata::new("rta", 12.0).uom(Uom::Millis),
                "'rta'=12ms;;;;",
            ),
            (Perfdata::new("lat", 7.0).uom(Uom::Micros), "'lat'=7us;;;;"),
            (
                Perfdata::new("charge", 95.0)
                    .uom(Uom::Percent)
                    .warn(Some(&r("50:")))
                    .crit(Some(&r("20:")))
                    .min(0.0)
                    .max(100.0),
                "'charge'=95%;50:;20:;0;100",
            ),
            (Perfdata::new("b", 1.0).uom(Uom::Bytes), "'b'=1B;;;;"),
            (Perfdata::new("kb", 2.0).uom(Uom::Kilobytes), "'kb'=2KB;;;;"),
            (Perfdata::new("mb", 3.0).uom(Uom::Megabytes), "'mb'=3MB;;;;"),
            (Perfdata::new("gb", 4.0).uom(Uom::Gigabytes), "'gb'=4GB;;;;"),
            (Perfdata::new("tb", 5.0).uom(Uom::Terabytes), "'tb'=5TB;;;;"),
            (
                Perfdata::new("eth0 link failures", 3.0).uom(Uom::Counter),
                "'eth0 link failures'=3c;;;;",
            ),
            (
                Perfdata::new("it's", 1.0)
                    .warn(Some(&r("~:10")))
                    .crit(Some(&r("@10:20"))),
                "'it''s'=1;~:10;@10:20;;",
            ),
            (Perfdata::new("neg", -2.5).min(-10.0), "'neg'=-2.5;;;-10;"),
            (Perfdata::new("zero", -0.0), "'zero'=0;;;;"),
            (
                Perfdata::new("big", 1e21),
                "'big'=1000000000000000000000;;;;",
            ),
            (Perfdata::new("small", 1e-7), "'small'=0.0000001;;;;"),
        ];
        for (p, want) in table {
            assert_eq!(p.render().unwrap(), want);
        }
    }

    #[test]
    fn what_cannot_be_written_is_an_error() {
        let table: Vec<(Perfdata, &str)> = vec![
            (Perfdata::new("", 1.0), "empty"),
            (Perfdata::new("a=b", 1.0), "contains '='"),
            (Perfdata::new("a|b", 1.0), "contains '|'"),
            (Perfdata::new("a\nb", 1.0), "contains"),
            (Perfdata::new("x", f64::NAN), "value that is not a finite"),
            (
                Perfdata::new("x", f64::INFINITY),
                "value that is not a finite",
            ),
            (
                Perfdata::new("x", 1.0).max(f64::NAN),
                "max that is not a finite",
            ),
            (
                Perfdata::new("x", 1.0).min(f64::NEG_INFINITY),
                "min that is not",
            ),
        ];
        for (p, want) in table {
            let err = p.render().expect_err(&p.label).to_string();
            assert!(err.contains(want), "{err}");
        }
    }
}
