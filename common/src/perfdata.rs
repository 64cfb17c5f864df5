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

/// Why a perfdata text could not be read back.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("perfdata item {index} ('{item}'): {reason}")]
pub struct PerfdataParseError {
    /// 1-based position of the item in the text.
    pub index: usize,
    pub item: String,
    pub reason: String,
}

impl Uom {
    /// The unit written after a value, as `render` writes it; None for a unit the guidelines
    /// do not define.
    pub fn parse(text: &str) -> Option<Uom> {
        Some(match text {
            "" => Uom::None,
            "s" => Uom::Seconds,
            "ms" => Uom::Millis,
            "us" => Uom::Micros,
            "%" => Uom::Percent,
            "B" => Uom::Bytes,
            "KB" => Uom::Kilobytes,
            "MB" => Uom::Megabytes,
            "GB" => Uom::Gigabytes,
            "TB" => Uom::Terabytes,
            "c" => Uom::Counter,
            _ => return None,
        })
    }
}

/// Read back the text after ` | ` (items separated by spaces), with the same grammar `render`
/// writes: `'label'=value[UOM];[warn];[crit];[min];[max]`. Unquoted labels (as Icinga 2 and
/// Nagios re-write them) are accepted; trailing empty fields may be left out. Used by the tests
/// to check every item a plugin prints, and by anything that has to relay a plugin's output.
///
/// ```
/// use common::perfdata::parse_perfdata;
/// let items = parse_perfdata("'md1 active'=1;;;0;2 'charge'=95%;50:;20:;0;100").unwrap();
/// assert_eq!(items[0].label, "md1 active");
/// assert_eq!(items[1].crit.as_ref().unwrap().to_string(), "20:");
/// ```
pub fn parse_perfdata(text: &str) -> Result<Vec<Perfdata>, PerfdataParseError> {
    let mut items = Vec::new();
    let mut rest = text.trim_start();
    while !rest.is_empty() {
        let index = items.len() + 1;
        let fail = |item: &str, reason: &str| PerfdataParseError {
            index,
            item: item.to_string(),
            reason: reason.to_string(),
        };
        // The label: quoted (with '' for a quote) or up to the '='.
        let (label, after_label) = if let Some(quoted) = rest.strip_prefix('\'') {
            let mut label = String::new();
            let mut chars = quoted.char_indices();
            let mut end = None;
            while let Some((i, c)) = chars.next() {
                if c == '\'' {
                    if quoted[i + 1..].starts_with('\'') {
                        label.push('\'');
                        chars.next();
                    } else {
                        end = Some(i + 1);
                        break;
                    }
                } else {
                    label.push(c);
                }
            }
            match end {
                Some(end) => (label, &quoted[end..]),
                None => return Err(fail(rest, "the label's quote is never closed")),
            }
        } else {
            match rest.find('=') {
                Some(eq) if !rest[..eq].contains(' ') => (rest[..eq].to_string(), &rest[eq..]),
                _ => {
                    let item = rest.split(' ').next().unwrap_or(rest);
                    return Err(fail(item, "no '=' after the label"));
                }
            }
        };
        let Some(after_eq) = after_label.strip_prefix('=') else {
            return Err(fail(rest, "no '=' right after the label"));
        };
        let (fields, next) = after_eq.split_once(' ').unwrap_or((after_eq, ""));
        let item = &rest[..rest.len() - after_eq.len() + fields.len()];
        if label.is_empty() {
            return Err(fail(item, "the label is empty"));
        }
        let mut parts = fields.split(';');
        let value_uom = parts.next().unwrap_or("");
        let number_end = value_uom
            .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
            .unwrap_or(value_uom.len());
        let value = parse_plain_number(&value_uom[..number_end])
            .ok_or_else(|| fail(item, "the value is not a plain decimal number"))?;
        let uom = Uom::parse(&value_uom[number_end..])
            .ok_or_else(|| fail(item, "the unit is not one the guidelines define"))?;
        let range = |text: Option<&str>, what: &str| -> Result<Option<Range>, PerfdataParseError> {
            match text {
                None | Some("") => Ok(None),
                Some(t) => Range::parse(t)
                    .map(Some)
                    .map_err(|e| fail(item, &format!("{what}: {e}"))),
            }
        };
        let bound = |text: Option<&str>, what: &str| -> Result<Option<f64>, PerfdataParseError> {
            match text {
                None | Some("") => Ok(None),
                Some(t) => parse_plain_number(t)
                    .map(Some)
                    .ok_or_else(|| fail(item, &format!("{what} is not a plain decimal number"))),
            }
        };
        let warn = range(parts.next(), "warn")?;
        let crit = range(parts.next(), "crit")?;
        let min = bound(parts.next(), "min")?;
        let max = bound(parts.next(), "max")?;
        if parts.next().is_some() {
            return Err(fail(item, "more than five ';'-separated fields"));
        }
        items.push(Perfdata {
            label,
            value,
            uom,
            warn,
            crit,
            min,
            max,
        });
        rest = next.trim_start();
    }
    Ok(items)
}

/// A decimal as `format_number` writes it: digits, at most one '.', an optional leading '-'.
fn parse_plain_number(text: &str) -> Option<f64> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let plain = !digits.is_empty()
        && digits.chars().all(|c| c.is_ascii_digit() || c == '.')
        && digits.matches('.').count() <= 1
        && digits != ".";
    if !plain {
        return None;
    }
    text.parse().ok()
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

#[cfg(test)]
mod parse_tests {
    use super::*;

    #[test]
    fn what_render_writes_parses_back_to_the_same_item() {
        let items = vec![
            Perfdata::new("it's", 1.5)
                .uom(Uom::Percent)
                .warn(Some(&Range::parse("~:10").unwrap()))
                .crit(Some(&Range::parse("@10:20").unwrap()))
                .min(0.0)
                .max(100.0),
            Perfdata::new("md1 active", 1.0).min(0.0).max(2.0),
            Perfdata::new("neg", -2.5).uom(Uom::Counter).min(-10.0),
        ];
        let text: Vec<String> = items.iter().map(|p| p.render().unwrap()).collect();
        assert_eq!(parse_perfdata(&text.join(" ")).unwrap(), items);
    }

    #[test]
    fn unquoted_labels_and_short_items_are_read() {
        let items = parse_perfdata("md0_active=2;;;0;3 load=0.5").unwrap();
        assert_eq!(items[0].label, "md0_active");
        assert_eq!(items[0].max, Some(3.0));
        assert_eq!(items[1].value, 0.5);
        assert_eq!(items[1].warn, None);
    }

    #[test]
    fn broken_items_are_errors_naming_the_item() {
        let table = [
            ("'open=1;;;;", "never closed"),
            ("label 1", "no '='"),
            ("'x'=abc;;;;", "not a plain decimal"),
            ("'x'=1e3;;;;", "unit"),
            ("'x'=1parsecs;;;;", "unit"),
            ("'x'=1;1:2:3;;;", "warn"),
            ("'x'=1;;;;;", "more than five"),
            ("'ok'=1;;;; ''=2;;;;", "item 2"),
        ];
        for (text, want) in table {
            let err = parse_perfdata(text).expect_err(text).to_string();
            assert!(err.contains(want), "{text}: {err}");
        }
    }
}
