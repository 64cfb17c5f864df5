//! What the BMC said, whichever tool printed it: sensors, chassis flags, SEL entries.

use common::ParseError;

/// The state a tool gave a sensor (its status / State column).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Health {
    Ok,
    Warning,
    Critical,
    /// Not readable, not present, not available (`na`, `ns`, FreeIPMI `N/A`).
    NotReadable,
}

/// What the sensor measures, from the tool's type column or, where there is none (ipmitool),
/// from the unit and the name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Temperature,
    Fan,
    Voltage,
    Power,
    Current,
    PowerSupply,
    Other,
}

/// Unit of a numeric reading, for perfdata.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Celsius,
    Rpm,
    Volts,
    Watts,
    Amps,
    Other,
}

/// The BMC's own thresholds (lower/upper non-critical, critical, non-recoverable).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Limits {
    pub lnr: Option<f64>,
    pub lcr: Option<f64>,
    pub lnc: Option<f64>,
    pub unc: Option<f64>,
    pub ucr: Option<f64>,
    pub unr: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Sensor {
    /// Record id or sensor number as the tool printed it (`05h`, `6`), when it did.
    pub id: Option<String>,
    pub name: String,
    /// The type as the tool named it (FreeIPMI's Type column), when it did.
    pub type_name: Option<String>,
    pub kind: Kind,
    pub health: Health,
    pub reading: Option<f64>,
    pub unit: Option<Unit>,
    /// Event texts (`Presence detected`, `Failure detected`, `Redundancy Lost`).
    pub events: Vec<String>,
    pub limits: Limits,
}

/// One `Key : value` flag of `chassis status`, with the key in lower case.
#[derive(Debug, Clone, PartialEq)]
pub struct Chassis {
    pub flags: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SelEntry {
    pub id: u64,
    /// The whole line's meaning: sensor, event, direction (`PS1 Status Failure detected Asserted`).
    pub text: String,
    /// FreeIPMI's State column (ipmi-sel --output-event-state), when present.
    pub state: Option<Health>,
    /// A deassertion (the condition went away).
    pub deasserted: bool,
}

/// Lines of a tool's output: every line must end with a newline (a last line without one was
/// cut while being written or read, and is never judged as if whole). Empty lines are skipped.
pub fn whole_lines(text: &str) -> Result<Vec<(usize, &str)>, ParseError> {
    if !text.is_empty() && !text.ends_with('\n') {
        let n = text.lines().count().max(1);
        let last = text.lines().last().unwrap_or("");
        return Err(ParseError::at(n, last, "cut: the last line has no end"));
    }
    if text.trim().is_empty() {
        return Err(ParseError::whole("empty: no lines"));
    }
    Ok(text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end_matches('\r')))
        .filter(|(_, l)| !l.trim().is_empty())
        .collect())
}

/// Most sensors one listing may hold: real BMCs have up to a few hundred; more is not a BMC's.
pub const MAX_SENSORS: usize = 10_000;

/// Most event texts one sensor may carry: IPMI defines 15 offsets per sensor type.
pub const MAX_EVENTS: usize = 32;

/// A number as the tools print them (`45.000`, `-64.000`, `0x1` is not one); `na`/`N/A` none.
pub fn number(text: &str) -> Option<f64> {
    let t = text.trim();
    if t.starts_with("0x") {
        return None;
    }
    t.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// The unit from the tools' words (`degrees C`, `C`, `RPM`, `Volts`, `V`, `Watts`, `W`, `Amps`, `A`).
pub fn unit(text: &str) -> Option<Unit> {
    let t = text.trim().to_ascii_lowercase();
    Some(match t.as_str() {
        "" | "na" | "n/a" | "discrete" | "unspecified" | "unspecifi" => return None,
        "degrees c" | "c" => Unit::Celsius,
        "rpm" => Unit::Rpm,
        "volts" | "v" => Unit::Volts,
        "watts" | "w" => Unit::Watts,
        "amps" | "a" => Unit::Amps,
        _ => Unit::Other,
    })
}

/// The kind from a type name (FreeIPMI's column) or, failing that, from unit and name.
pub fn kind(type_name: Option<&str>, unit: Option<Unit>, name: &str, events: &[String]) -> Kind {
    if let Some(t) = type_name {
        let t = t.trim().to_ascii_lowercase();
        return match t.as_str() {
            "temperature" => Kind::Temperature,
            "fan" => Kind::Fan,
            "voltage" => Kind::Voltage,
            "current" if unit == Some(Unit::Watts) => Kind::Power,
            "current" => Kind::Current,
            "power supply" | "power_supply" | "power unit" => Kind::PowerSupply,
            _ => Kind::Other,
        };
    }
    match unit {
        Some(Unit::Celsius) => return Kind::Temperature,
        Some(Unit::Rpm) => return Kind::Fan,
        Some(Unit::Volts) => return Kind::Voltage,
        Some(Unit::Amps) => return Kind::Current,
        Some(Unit::Watts) if !looks_like_psu(name, events) => return Kind::Power,
        _ => {}
    }
    if looks_like_psu(name, events) {
        Kind::PowerSupply
    } else {
        Kind::Other
    }
}

/// ipmitool names no type: a power supply is told by its name (`PS1 Status`, `PSU2`, `Power
/// Supply 1`, `PS Redundancy`) or by event texts only power supplies have.
fn looks_like_psu(name: &str, events: &[String]) -> bool {
    let n = name.to_ascii_lowercase();
    let by_name = n.starts_with("ps")
        && n[2..]
            .chars()
            .next()
            .is_none_or(|c| c.is_ascii_digit() || c == ' ' || c == '_' || c == 'u')
        || n.contains("power supply");
    by_name
        || events.iter().any(|e| {
            let e = e.to_ascii_lowercase();
            e.contains("power supply") || e.contains("ac lost")
        })
}
