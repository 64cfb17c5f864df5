//! One model for a UPS whatever it was read from: NUT's `ups.status` flags and apcupsd's
//! `STATUS` words become the same [`Flag`]s, their metrics the same [`Metrics`].

use crate::apcaccess;
use crate::nut::NutError;
use common::Acquisition;

/// Where the reading came from; a few rules differ (see `evaluate`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Nut,
    Apcupsd,
}

/// One status flag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Flag {
    Online,
    OnBattery,
    LowBattery,
    HighBattery,
    ReplaceBattery,
    NoBattery,
    Charging,
    Discharging,
    Bypass,
    Calibrating,
    Off,
    Overload,
    Trim,
    Boost,
    ForcedShutdown,
    ShuttingDown,
    Alarm,
    HighEfficiency,
    /// upsd has not had the driver's first data yet.
    Wait,
    CommLost,
    Slave,
    SlaveDown,
    /// A flag this plugin does not know, as written.
    Other(String),
}

impl Flag {
    /// NUT `ups.status` words (docs/new-drivers.txt, "Status data").
    pub fn from_nut(word: &str) -> Flag {
        match word {
            "OL" => Flag::Online,
            "OB" => Flag::OnBattery,
            "LB" => Flag::LowBattery,
            "HB" => Flag::HighBattery,
            "RB" => Flag::ReplaceBattery,
            "CHRG" => Flag::Charging,
            "DISCHRG" => Flag::Discharging,
            "BYPASS" => Flag::Bypass,
            "CAL" => Flag::Calibrating,
            "OFF" => Flag::Off,
            "OVER" => Flag::Overload,
            "TRIM" => Flag::Trim,
            "BOOST" => Flag::Boost,
            "FSD" => Flag::ForcedShutdown,
            "ALARM" => Flag::Alarm,
            "HE" => Flag::HighEfficiency,
            "WAIT" => Flag::Wait,
            other => Flag::Other(other.to_string()),
        }
    }

    /// apcupsd `STATUS` words (apcupsd's apcstatus.c). "SHUTTING DOWN" is two words and is
    /// matched on the whole text before splitting.
    pub fn from_apcupsd(word: &str) -> Flag {
        match word {
            "ONLINE" => Flag::Online,
            "ONBATT" => Flag::OnBattery,
            "LOWBATT" => Flag::LowBattery,
            "REPLACEBATT" => Flag::ReplaceBattery,
            "NOBATT" => Flag::NoBattery,
            "CAL" => Flag::Calibrating,
            "TRIM" => Flag::Trim,
            "BOOST" => Flag::Boost,
            "OVERLOAD" => Flag::Overload,
            "COMMLOST" => Flag::CommLost,
            "SLAVE" => Flag::Slave,
            "SLAVEDOWN" => Flag::SlaveDown,
            other => Flag::Other(other.to_string()),
        }
    }
}

/// The measured values, each only when the UPS reports it as a number.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Metrics {
    /// Battery charge, %.
    pub charge: Option<f64>,
    /// Runtime left on battery, seconds.
    pub runtime: Option<f64>,
    /// Load, % of capacity.
    pub load: Option<f64>,
    /// Volts.
    pub input_voltage: Option<f64>,
    pub output_voltage: Option<f64>,
    /// Degrees Celsius (UPS internal, else battery).
    pub temperature: Option<f64>,
}

/// What a UPS said about itself.
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    /// `ups.status` / `STATUS` as given; None when absent.
    pub status_text: Option<String>,
    pub flags: Vec<Flag>,
    pub metrics: Metrics,
    pub model: Option<String>,
    /// NUT `ups.alarm`: the alarm text behind an ALARM flag.
    pub alarm: Option<String>,
    /// Every variable / record as read, for `-vv`.
    pub raw: Vec<(String, String)>,
}

impl Reading {
    pub fn has(&self, flag: &Flag) -> bool {
        self.flags.contains(flag)
    }

    /// From NUT variables (`upsc` or `LIST VAR`).
    pub fn from_nut(vars: &[(String, String)]) -> Reading {
        let get = |name: &str| {
            vars.iter()
                .rev()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.trim())
        };
        let number = |name: &str| get(name).and_then(leading_number);
        let status_text = get("ups.status").map(str::to_string);
        let flags = status_text
            .as_deref()
            .map(|s| s.split_whitespace().map(Flag::from_nut).collect())
            .unwrap_or_default();
        Reading {
            status_text,
            flags,
            metrics: Metrics {
                charge: number("battery.charge"),
                runtime: number("battery.runtime"),
                load: number("ups.load"),
                input_voltage: number("input.voltage"),
                output_voltage: number("output.voltage"),
                temperature: number("ups.temperature").or_else(|| number("battery.temperature")),
            },
            model: get("ups.model")
                .or_else(|| get("device.model"))
                .map(squeeze)
                .filter(|m| !m.is_empty()),
            alarm: get("ups.alarm")
                .filter(|a| !a.is_empty())
                .map(str::to_string),
            raw: vars.to_vec(),
        }
    }

    /// From an apcupsd status report.
    pub fn from_apcupsd(status: &apcaccess::Status) -> Reading {
        let number = |key: &str| status.get(key).and_then(leading_number);
        let status_text = status.get("STATUS").map(str::to_string);
        let flags = match status_text.as_deref() {
            None => Vec::new(),
            Some(s) if s.contains("SHUTTING DOWN") => {
                let mut flags: Vec<Flag> = s
                    .replace("SHUTTING DOWN", "")
                    .split_whitespace()
                    .map(Flag::from_apcupsd)
                    .collect();
                flags.push(Flag::ShuttingDown);
                flags
            }
            Some(s) => s.split_whitespace().map(Flag::from_apcupsd).collect(),
        };
        Reading {
            status_text,
            flags,
            metrics: Metrics {
                charge: number("BCHARGE"),
                // TIMELEFT is in minutes
                runtime: number("TIMELEFT").map(|m| (m * 60.0).round()),
                load: number("LOADPCT"),
                input_voltage: number("LINEV"),
                output_voltage: number("OUTPUTV"),
                temperature: number("ITEMP"),
            },
            model: status
                .get("MODEL")
                .or_else(|| status.get("APCMODEL"))
                .map(squeeze)
                .filter(|m| !m.is_empty()),
            alarm: None,
            raw: status.records.clone(),
        }
    }
}

/// Runs of blanks as one space (drivers pad model names: "PW9130 1500VA-T      1500VA").
fn squeeze(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The number at the start of a value ("24.0 Percent Load Capacity", "  0.0", "65535");
/// None for "N/A", empty or anything else.
pub fn leading_number(value: &str) -> Option<f64> {
    let word = value.split_whitespace().next()?;
    let n: f64 = word.parse().ok()?;
    n.is_finite().then_some(n)
}

/// What upsd or apcupsd said, when it answered.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// The UPS's state.
    Reading(Reading),
    /// upsd answered with an error instead of the variables.
    NutError(NutError),
}

/// What the check learnt about one UPS: the kit's acquisition of an [`Answer`]. Unreachable
/// and not asked have the daemon and its address as source (`upsd at 127.0.0.1:3493`);
/// unreadable carries the whole message (it names where the text came from).
pub type Observation = Acquisition<Answer>;

/// One UPS and what was observed.
#[derive(Debug, Clone, PartialEq)]
pub struct Ups {
    /// Short name for the status line and perfdata labels (`ups1`).
    pub name: String,
    /// Where it was read (`ups1@127.0.0.1:3493`, `apcupsd 127.0.0.1:3551`, a file).
    pub origin: String,
    pub source: Source,
    pub observation: Observation,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leading_numbers_ignore_units_and_refuse_words() {
        let table = [
            ("24.0 Percent Load Capacity", Some(24.0)),
            ("  0.0", Some(0.0)),
            ("65535", Some(65535.0)),
            ("-272", Some(-272.0)),
            ("N/A", None),
            ("", None),
            ("inf", None),
        ];
        for (text, want) in table {
            assert_eq!(leading_number(text), want, "{text}");
        }
    }

    #[test]
    fn apcupsd_shutting_down_is_one_flag() {
        let status = apcaccess::Status {
            records: vec![("STATUS".into(), "ONBATT SHUTTING DOWN".into())],
        };
        let r = Reading::from_apcupsd(&status);
        assert_eq!(r.flags, vec![Flag::OnBattery, Flag::ShuttingDown]);
    }
}
