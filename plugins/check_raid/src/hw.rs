//! The model every hardware RAID parser fills: controllers with their logical drives, physical
//! disks and cache protection (BBU, CacheVault, capacitor, ZMM). Each parser (storcli, MegaCli,
//! ssacli, arcconf) maps its tool's words onto these states and keeps the tool's own word in
//! `raw`, so the long output says what the controller said.
//!
//! Also the small text helpers the three text parsers share (a `Key : Value` split, the cut
//! test on the last line).

use common::ParseError;

/// Which tool a controller was read with (its long-output group and perfdata prefix).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    Storcli,
    MegaCli,
    Ssacli,
    Arcconf,
}

impl Tool {
    pub fn word(self) -> &'static str {
        match self {
            Tool::Storcli => "storcli",
            Tool::MegaCli => "megacli",
            Tool::Ssacli => "ssacli",
            Tool::Arcconf => "arcconf",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Controller {
    pub tool: Tool,
    /// The controller's number or slot as the tool names it (`0`, `slot 2`).
    pub id: String,
    pub model: Option<String>,
    /// The controller's own status word, when it reports one (`Optimal`, `OK`).
    pub status: Option<String>,
    pub temperature: Option<f64>,
    pub logical: Vec<Logical>,
    pub disks: Vec<Disk>,
    pub caches: Vec<Cache>,
    /// Failed (defunct) disks the controller counts, whether or not it lists them (arcconf).
    pub defunct: Option<u32>,
    /// What the tool said it could not answer (storcli `Status = Failure` objects).
    pub failures: Vec<String>,
}

impl Controller {
    pub fn new(tool: Tool, id: impl Into<String>) -> Controller {
        Controller {
            tool,
            id: id.into(),
            model: None,
            status: None,
            temperature: None,
            logical: Vec::new(),
            disks: Vec::new(),
            caches: Vec::new(),
            defunct: None,
            failures: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LdState {
    Optimal,
    /// Redundancy lost or reduced (degraded, partially degraded, interim recovery, ready for
    /// rebuild).
    Degraded,
    /// Data not served (failed, offline).
    Failed,
    /// Rebuilding onto a replacement disk.
    Rebuilding,
    /// A background task that does not mean lost redundancy (initialisation, build/verify).
    Background,
    /// A word this plugin does not know.
    Other,
}

/// A logical drive (storcli VD, MegaCli virtual drive, Smart Array logical drive or array,
/// arcconf logical device).
#[derive(Debug, Clone, PartialEq)]
pub struct Logical {
    /// What the tool calls it: `VD`, `LD`, `array`, `logical device`.
    pub kind: &'static str,
    pub id: String,
    pub name: Option<String>,
    pub level: Option<String>,
    pub state: LdState,
    pub raw: String,
    /// Rebuild or background task progress, percent.
    pub progress: Option<f64>,
    /// Configured and current write policy, when the tool shows both (MegaCli).
    pub write_back_configured: Option<bool>,
    pub write_back_now: Option<bool>,
}

impl Logical {
    pub fn new(kind: &'static str, id: impl Into<String>, raw: &str, state: LdState) -> Logical {
        Logical {
            kind,
            id: id.into(),
            name: None,
            level: None,
            state,
            raw: raw.trim().to_string(),
            progress: None,
            write_back_configured: None,
            write_back_now: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiskState {
    Online,
    Spare,
    /// Healthy but not in use (unconfigured good, ready, unassigned, JBOD).
    Unconfigured,
    Rebuilding,
    Failed,
    Missing,
    /// The controller predicts its failure.
    Predictive,
    Other,
}

impl DiskState {
    pub fn word(self) -> &'static str {
        match self {
            DiskState::Online => "online",
            DiskState::Spare => "spare",
            DiskState::Unconfigured => "unconfigured",
            DiskState::Rebuilding => "rebuilding",
            DiskState::Failed => "failed",
            DiskState::Missing => "missing",
            DiskState::Predictive => "predictive",
            DiskState::Other => "other",
        }
    }
    pub const ALL: [DiskState; 8] = [
        DiskState::Online,
        DiskState::Spare,
        DiskState::Unconfigured,
        DiskState::Rebuilding,
        DiskState::Failed,
        DiskState::Missing,
        DiskState::Predictive,
        DiskState::Other,
    ];
}

#[derive(Debug, Clone, PartialEq)]
pub struct Disk {
    /// Where it sits, as the tool names it (`252:3`, `1I:1:2`, `0,3`).
    pub id: String,
    pub state: DiskState,
    pub raw: String,
    pub media_errors: Option<u64>,
    pub other_errors: Option<u64>,
    pub predictive_count: Option<u64>,
    pub smart_alert: bool,
    pub temperature: Option<f64>,
}

impl Disk {
    pub fn new(id: impl Into<String>, raw: &str, state: DiskState) -> Disk {
        Disk {
            id: id.into(),
            state,
            raw: raw.trim().to_string(),
            media_errors: None,
            other_errors: None,
            predictive_count: None,
            smart_alert: false,
            temperature: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheState {
    Ok,
    Failed,
    /// A learn (calibration) cycle runs: write-back may be off meanwhile.
    Learning,
    /// Charging: the write cache is unprotected until it completes.
    Charging,
    /// Not installed: nothing to judge.
    Absent,
    Other,
}

/// Write-cache protection: a BBU, CacheVault, capacitor pack or ZMM, or the cache module.
#[derive(Debug, Clone, PartialEq)]
pub struct Cache {
    pub kind: String,
    pub state: CacheState,
    pub raw: String,
    pub charge: Option<f64>,
    pub temperature: Option<f64>,
}

impl Cache {
    pub fn new(kind: impl Into<String>, raw: &str, state: CacheState) -> Cache {
        Cache {
            kind: kind.into(),
            state,
            raw: raw.trim().to_string(),
            charge: None,
            temperature: None,
        }
    }
}

/// What a text parser read: the controllers, and whether the tool's closing line (MegaCli's
/// `Exit Code:`, arcconf's `Command completed successfully.`) was there. Without it a saved copy
/// may have been cut at a line end, which nothing else shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    pub controllers: Vec<Controller>,
    pub complete: bool,
}

/// Split `Key : Value` / `Key: Value` (the first colon), both trimmed.
pub fn key_value(line: &str) -> Option<(&str, &str)> {
    let (k, v) = line.split_once(':')?;
    Some((k.trim(), v.trim()))
}

/// The leading number of `28C (82.40 F)`, `45 C/ 113 F (Normal)`, `100 %`, `88`.
pub fn leading_number(text: &str) -> Option<f64> {
    let t = text.trim();
    let end = t
        .char_indices()
        .find(|(i, c)| !(c.is_ascii_digit() || *c == '.' || (*i == 0 && *c == '-')))
        .map_or(t.len(), |(i, _)| i);
    t[..end].parse::<f64>().ok().filter(|n| n.is_finite())
}

/// The number before the first `%` (`Recovering, 45% complete`, `Build/Verify with fix : 90 %`).
pub fn percent(text: &str) -> Option<f64> {
    let at = text.find('%')?;
    let before = text[..at].trim_end();
    let start = before
        .rfind(|c: char| !(c.is_ascii_digit() || c == '.'))
        .map_or(0, |i| i + 1);
    before[start..]
        .parse::<f64>()
        .ok()
        .filter(|p| (0.0..=100.0).contains(p))
}

/// A text source whose last line has no newline was cut inside that line (the tools always
/// end their lines), unless that line is the tool's own closing line (`trailer`), which some
/// saved copies keep without a newline. Binary data is refused too.
pub fn refuse_cut_or_binary(text: &str, trailer: Option<&str>) -> Result<(), ParseError> {
    if text.trim().is_empty() {
        return Err(ParseError::whole("empty: the tool printed nothing"));
    }
    for (i, line) in text.lines().enumerate() {
        if line
            .chars()
            .any(|c| c == '\0' || c == char::REPLACEMENT_CHARACTER)
        {
            return Err(ParseError::at(
                i + 1,
                line,
                "binary data, not the tool's text",
            ));
        }
    }
    if !text.ends_with('\n') {
        let last = text.lines().next_back().unwrap_or("");
        let closed = trailer.is_some_and(|t| is_trailer(last, t));
        if !closed {
            let n = text.lines().count();
            return Err(ParseError::at(
                n,
                last,
                "the text ends inside this line: it is cut",
            ));
        }
    }
    Ok(())
}

/// `Exit Code: 0x00` is whole only with two hex digits; other trailers as given.
pub fn is_trailer(line: &str, trailer: &str) -> bool {
    let line = line.trim();
    match line.strip_prefix(trailer) {
        Some(rest) if trailer.ends_with("0x") => {
            rest.len() == 2 && rest.chars().all(|c| c.is_ascii_hexdigit())
        }
        Some(rest) => rest.is_empty(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_lead_temperatures_and_charges() {
        assert_eq!(leading_number("28C (82.40 F)"), Some(28.0));
        assert_eq!(leading_number("-4 C/ 25 F (Normal)"), Some(-4.0));
        assert_eq!(leading_number("100 %"), Some(100.0));
        assert_eq!(leading_number("Normal"), None);
    }

    #[test]
    fn a_last_line_without_newline_is_a_cut_unless_it_is_the_trailer() {
        assert!(refuse_cut_or_binary("a: b\nExit Code: 0x00", Some("Exit Code: 0x")).is_ok());
        assert!(refuse_cut_or_binary("a: b\nExit Code: 0x0", Some("Exit Code: 0x")).is_err());
        assert!(refuse_cut_or_binary("a: b\nState : Onl", None).is_err());
        assert!(refuse_cut_or_binary("a: b\n", None).is_ok());
        assert!(refuse_cut_or_binary("  \n", None).is_err());
        assert!(refuse_cut_or_binary("a\0b\n", None).is_err());
    }
}
