//! Parser for Linux software RAID status, `/proc/mdstat`.
//!
//! Pure: text in, [`Mdstat`] out. It follows what the kernel's `md_seq_show()` prints:
//!
//! ```text
//! Personalities : [raid1] [raid6] [raid5] [raid4]
//! md1 : active raid1 sdb1[2](F) sda1[0]
//!       195310144 blocks super 1.2 [2/1] [U_]
//!       [=>...................]  recovery =  8.5% (16775552/195310144) finish=17.0min speed=259783K/sec
//!       bitmap: 0/30 pages [0KB], 65536KB chunk
//!
//! unused devices: <none>
//! ```
//!
//! Variants handled (all seen in real files): 0.90 superblocks (no `super`), `super external:imsm`
//! containers and `external:/md127/0` member arrays, `(read-only)`/`(auto-read-only)`, member flags
//! `(F)(S)(W)(J)(R)` in any combination, `resync=DELAYED`/`resync=PENDING`, bitmap lines before or
//! after the progress line, blank lines holding spaces, 2- or 6-space indentation, no `unused
//! devices` footer, 2.4 kernels' `read_ahead` line, names like `md_test` or `md00`.
//!
//! ```
//! let text = "Personalities : [raid1]\nmd0 : active raid1 sdb1[1] sda1[0]\n      1024 blocks [2/2] [UU]\n\nunused devices: <none>\n";
//! let md = check_raid::md::parse(text).unwrap();
//! assert_eq!(md.arrays[0].name, "md0");
//! assert_eq!(md.arrays[0].counts, Some((2, 2)));
//! ```

use common::ParseError;

/// Everything /proc/mdstat says.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Mdstat {
    pub personalities: Vec<String>,
    pub arrays: Vec<Array>,
    /// The `unused devices:` line the kernel ends every /proc/mdstat with. Without it the file
    /// may have been cut at a line end (some saved copies also just lack it).
    pub footer: bool,
    /// Number of the last line that is not blank, to say where a file without footer ends.
    pub last_line: usize,
}

/// One md array.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Array {
    pub name: String,
    /// Line of the array's first line, for messages.
    pub line: usize,
    pub active: bool,
    pub access: Access,
    /// The personality: raid0, raid1, raid4, raid5, raid6, raid10, linear, multipath, faulty. None
    /// for an inactive array that does not name one.
    pub level: Option<String>,
    pub members: Vec<Member>,
    pub blocks: Option<u64>,
    /// What follows `super`: "1.2", "external:imsm", "external:/md127/0". None for 0.90.
    pub superblock: Option<String>,
    /// `[n/m]`: (devices the array should have, devices working).
    pub counts: Option<(u32, u32)>,
    /// `[UU_]`: one character per slot, U up, _ down.
    pub map: Option<String>,
    pub sync: Option<SyncProgress>,
    pub queued: Option<Queued>,
    pub bitmap: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Access {
    #[default]
    ReadWrite,
    ReadOnly,
    /// Read-only until the first write (typical after boot); a pending resync waits for it.
    AutoReadOnly,
}

/// A member device and its flags.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Member {
    pub device: String,
    pub slot: u32,
    pub failed: bool,
    pub spare: bool,
    pub write_mostly: bool,
    pub journal: bool,
    pub replacement: bool,
}

/// A sync action the kernel is running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncAction {
    Resync,
    Recovery,
    Reshape,
    Check,
    Repair,
}

impl SyncAction {
    pub fn word(self) -> &'static str {
        match self {
            SyncAction::Resync => "resync",
            SyncAction::Recovery => "recovery",
            SyncAction::Reshape => "reshape",
            SyncAction::Check => "check",
            SyncAction::Repair => "repair",
        }
    }
}

/// The progress line.
#[derive(Debug, Clone, PartialEq)]
pub struct SyncProgress {
    pub action: SyncAction,
    pub percent: f64,
    /// (done, total) in blocks.
    pub position: Option<(u64, u64)>,
    /// e.g. "17.0min"
    pub finish: Option<String>,
    /// e.g. "259783K/sec"
    pub speed: Option<String>,
}

/// `resync=DELAYED` (queued behind another array's sync on shared disks) or `resync=PENDING`
/// (needed, waiting for the array to leave auto-read-only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Queued {
    Delayed,
    Pending,
}

impl Array {
    /// External-metadata containers (IMSM, DDF) are always listed inactive; that is their normal state.
    pub fn is_container(&self) -> bool {
        self.superblock
            .as_deref()
            .and_then(|s| s.strip_prefix("external:"))
            .is_some_and(|kind| !kind.starts_with('/') && !kind.starts_with('-'))
    }

    /// Levels that keep data when a member fails.
    pub fn is_redundant(&self) -> bool {
        matches!(
            self.level.as_deref(),
            Some("raid1" | "raid4" | "raid5" | "raid6" | "raid10" | "multipath")
        )
    }

    pub fn failed_members(&self) -> impl Iterator<Item = &Member> {
        self.members.iter().filter(|m| m.failed)
    }

    pub fn spares(&self) -> impl Iterator<Item = &Member> {
        self.members.iter().filter(|m| m.spare && !m.failed)
    }
}

// The kernel prints mdstat with a fixed handful of `seq_printf` formats, so a hand tokenizer per
// line shape is enough. It replaced compiled patterns whose construction at every start cost most
// of the plugin's run (callgrind: 4.8 M of 6.3 M instructions). Each matcher below documents the
// pattern it implements and keeps its semantics (leftmost match, greedy fields), checked against
// the old parser on 1.5 million mutated mdstat files. Digits are ASCII digits only: the kernel
// prints nothing else, and a non-ASCII digit is garbage rather than a number that fails to convert.

/// Is `c` a word character, for the "whole word" checks (`\b`)?
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// No word character just before byte `at` of `text` (start of text counts as a boundary).
fn word_starts_at(text: &str, at: usize) -> bool {
    !text[..at].chars().next_back().is_some_and(is_word_char)
}

/// No word character at byte `at` of `text` (end of text counts as a boundary).
fn word_ends_at(text: &str, at: usize) -> bool {
    !text[at..].chars().next().is_some_and(is_word_char)
}

/// The leading ASCII digits of `text` (possibly empty) and what follows them.
fn split_digits(text: &str) -> (&str, &str) {
    let end = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    text.split_at(end)
}

/// One or more leading ASCII digits, and the rest; None when `text` does not start with a digit.
fn leading_number(text: &str) -> Option<(&str, &str)> {
    let (digits, rest) = split_digits(text);
    (!digits.is_empty()).then_some((digits, rest))
}

/// The leading run of non-whitespace (possibly empty) and what follows it.
fn split_token(text: &str) -> (&str, &str) {
    let end = text.find(char::is_whitespace).unwrap_or(text.len());
    text.split_at(end)
}

/// An array line, `NAME : active|inactive [rest]` (pattern `^(\S+)\s*:\s*(active|inactive)(?:\s+(.*))?$`
/// on a trimmed line). Returns (name, active, rest). The name is the longest run without
/// whitespace that leaves a match, so `md0: active` and `a:b : active` both read as meant.
fn array_line(trimmed: &str) -> Option<(&str, bool, &str)> {
    let (first, _) = split_token(trimmed);
    // Candidate name ends: the whole first token, then before each ':' inside it, longest first.
    let inner_colons = first
        .char_indices()
        .rev()
        .filter(|&(i, c)| c == ':' && i > 0);
    let ends = std::iter::once(first.len()).chain(inner_colons.map(|(i, _)| i));
    for end in ends {
        if end == 0 {
            continue;
        }
        let Some(after_colon) = trimmed[end..].trim_start().strip_prefix(':') else {
            continue;
        };
        let after_colon = after_colon.trim_start();
        for (word, active) in [("active", true), ("inactive", false)] {
            let Some(rest) = after_colon.strip_prefix(word) else {
                continue;
            };
            if rest.is_empty() {
                return Some((&trimmed[..end], active, ""));
            }
            if rest.starts_with(char::is_whitespace) {
                return Some((&trimmed[..end], active, rest.trim_start()));
            }
        }
    }
    None
}

/// A member token, `DEVICE[SLOT]` followed by any number of one-letter flags `(F)`, `(S)` ...
/// (pattern `^(\S+?)\[(\d+)\]((?:\([A-Z]\))*)$` on a token without whitespace). Returns
/// (device, slot digits, flags). The slot's `[` is the last one: a flag holds none.
fn member_token(token: &str) -> Option<(&str, &str, &str)> {
    let open = token.rfind('[')?;
    if open == 0 {
        return None;
    }
    let (slot, rest) = leading_number(&token[open + 1..])?;
    let flags = rest.strip_prefix(']')?;
    let well_formed = flags.len() % 3 == 0
        && flags
            .as_bytes()
            .chunks(3)
            .all(|flag| flag[0] == b'(' && flag[1].is_ascii_uppercase() && flag[2] == b')');
    well_formed.then_some((&token[..open], slot, flags))
}

/// A RAID level word: a lower-case letter, then lower-case letters and digits (`^[a-z][a-z0-9]*$`).
fn is_level(token: &str) -> bool {
    let mut chars = token.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
}

/// The block count that starts a status line (`^(\d+) blocks\b`).
fn blocks_field(trimmed: &str) -> Option<&str> {
    let (digits, rest) = leading_number(trimmed)?;
    let after = rest.strip_prefix(" blocks")?;
    word_ends_at(after, 0).then_some(digits)
}

/// What follows the word `super` (`\bsuper (\S+)`, leftmost).
fn superblock_field(trimmed: &str) -> Option<&str> {
    trimmed.match_indices("super ").find_map(|(at, word)| {
        let (value, _) = split_token(&trimmed[at + word.len()..]);
        (word_starts_at(trimmed, at) && !value.is_empty()).then_some(value)
    })
}

/// The member counts and slot map, `[n/m] [UU_]` (`\[(\d+)/(\d+)\]\s*\[([U_]+)\]`, leftmost).
fn counts_field(trimmed: &str) -> Option<(&str, &str, &str)> {
    trimmed.match_indices('[').find_map(|(at, _)| {
        let (total, rest) = leading_number(&trimmed[at + 1..])?;
        let (working, rest) = leading_number(rest.strip_prefix('/')?)?;
        let rest = rest.strip_prefix(']')?.trim_start().strip_prefix('[')?;
        let map_len = rest.find(|c| c != 'U' && c != '_').unwrap_or(rest.len());
        (map_len > 0 && rest[map_len..].starts_with(']')).then_some((
            total,
            working,
            &rest[..map_len],
        ))
    })
}

/// The fields of a progress line, as found in the text.
struct ProgressText<'a> {
    action: SyncAction,
    percent: &'a str,
    position: Option<(&'a str, &'a str)>,
    finish: Option<&'a str>,
    speed: Option<&'a str>,
}

/// A sync in progress, `recovery =  8.5% (16775552/195310144) finish=17.0min speed=259783K/sec`
/// (pattern `\b(resync|recovery|reshape|check|repair)\s*=\s*(\d+(?:\.\d+)?)%` then optional
/// `\s*\((\d+)/(\d+)\)`, `\s*finish=(\S+)`, `\s*speed=(\S+)` in that order; leftmost).
fn progress_field(trimmed: &str) -> Option<ProgressText<'_>> {
    const ACTIONS: [(&str, SyncAction); 5] = [
        ("resync", SyncAction::Resync),
        ("recovery", SyncAction::Recovery),
        ("reshape", SyncAction::Reshape),
        ("check", SyncAction::Check),
        ("repair", SyncAction::Repair),
    ];
    trimmed.char_indices().find_map(|(at, _)| {
        if !word_starts_at(trimmed, at) {
            return None;
        }
        let text = &trimmed[at..];
        let (word, action) = ACTIONS.iter().find(|(w, _)| text.starts_with(w))?;
        let number = text[word.len()..]
            .trim_start()
            .strip_prefix('=')?
            .trim_start();
        let (whole, after_whole) = leading_number(number)?;
        let fraction = after_whole
            .strip_prefix('.')
            .and_then(leading_number)
            .map_or(0, |(digits, _)| 1 + digits.len());
        let (percent, rest) = number.split_at(whole.len() + fraction);
        let mut rest = rest.strip_prefix('%')?;
        // Each optional field is taken when it follows, in this order; one that is absent or
        // malformed is skipped without consuming anything.
        let position = (|| {
            let inner = rest.trim_start().strip_prefix('(')?;
            let (done, inner) = leading_number(inner)?;
            let (total, inner) = leading_number(inner.strip_prefix('/')?)?;
            Some(((done, total), inner.strip_prefix(')')?))
        })()
        .map(|(pair, after)| {
            rest = after;
            pair
        });
        let mut named = |name: &str| {
            let (value, after) = split_token(rest.trim_start().strip_prefix(name)?);
            if value.is_empty() {
                return None;
            }
            rest = after;
            Some(value)
        };
        let finish = named("finish=");
        let speed = named("speed=");
        Some(ProgressText {
            action: *action,
            percent,
            position,
            finish,
            speed,
        })
    })
}

/// A queued sync, `resync=DELAYED` or `resync=PENDING` (`^resync=(DELAYED|PENDING)\b`).
fn queued_field(trimmed: &str) -> Option<Queued> {
    let rest = trimmed.strip_prefix("resync=")?;
    let (queued, after) = if let Some(after) = rest.strip_prefix("DELAYED") {
        (Queued::Delayed, after)
    } else {
        (Queued::Pending, rest.strip_prefix("PENDING")?)
    };
    word_ends_at(after, 0).then_some(queued)
}

/// Parse the text of /proc/mdstat.
pub fn parse(text: &str) -> Result<Mdstat, ParseError> {
    if text.trim().is_empty() {
        return Err(ParseError::whole(
            "the file is empty (is the md driver loaded?)",
        ));
    }
    // First, because a cut line is also malformed: "it is cut" is the cause to name.
    check_last_line_whole(text)?;
    let mut md = Mdstat::default();
    let mut seen_header_or_footer = false;
    let mut header_line = None;
    for (index, raw) in text.lines().enumerate() {
        let line_no = index + 1;
        let line = raw.trim_end();
        let trimmed = line.trim_start();
        if trimmed.is_empty() {
            continue;
        }
        md.last_line = line_no;
        let indented = line.len() != trimmed.len();
        if !indented {
            if let Some(rest) = trimmed.strip_prefix("Personalities") {
                let list = rest.trim_start().strip_prefix(':').ok_or_else(|| {
                    ParseError::at(line_no, line, "expected 'Personalities : [raid1] ...'")
                })?;
                md.personalities = list
                    .split_whitespace()
                    .map(|p| p.trim_matches(|c| c == '[' || c == ']').to_string())
                    .collect();
                seen_header_or_footer = true;
                header_line = Some((line_no, line));
            } else if trimmed.starts_with("unused devices:") {
                seen_header_or_footer = true;
                md.footer = true;
            } else if trimmed.starts_with("read_ahead") || trimmed.starts_with("Event:") {
                seen_header_or_footer = true;
            } else if let Some((name, active, rest)) = array_line(trimmed) {
                md.arrays
                    .push(parse_array_line(line_no, line, name, active, rest)?);
            } else {
                return Err(ParseError::at(
                    line_no,
                    line,
                    "expected 'Personalities :', an array line 'mdN : active|inactive ...' or 'unused devices:'",
                ));
            }
            continue;
        }
        let Some(array) = md.arrays.last_mut() else {
            return Err(ParseError::at(
                line_no,
                line,
                "indented line before any array line",
            ));
        };
        parse_array_detail(line_no, line, trimmed, array)?;
    }
    if md.arrays.is_empty() && !seen_header_or_footer {
        return Err(ParseError::whole(
            "no 'Personalities' line, no array and no 'unused devices' line: not /proc/mdstat",
        ));
    }
    for array in &md.arrays {
        check_complete(array)?;
    }
    if md.arrays.is_empty() && !md.footer {
        if let Some((line_no, line)) = header_line {
            return Err(ParseError::at(
                line_no,
                line,
                "no array and no 'unused devices' line after it: the file is cut",
            ));
        }
    }
    Ok(md)
}

/// A file cut off in the middle must not be judged as if whole: what followed the cut (on a real
/// host perhaps a degraded array) is unknown. The kernel ends every line with a newline, so a
/// last line without one was cut inside, unless it is the footer (nothing after it is judged).
/// A cut exactly at a line end cannot be told from a saved copy that lacks the footer (real
/// captures do): that is a note in the report, or an error when not one array came before it.
fn check_last_line_whole(text: &str) -> Result<(), ParseError> {
    if text.ends_with('\n') {
        return Ok(());
    }
    let line_no = text.lines().count();
    let last = text.lines().next_back().unwrap_or("");
    if last.starts_with("unused devices:") {
        return Ok(());
    }
    Err(ParseError::at(
        line_no,
        last,
        "the file ends inside this line (no newline after it): it is cut, and what followed is unknown",
    ))
}

fn parse_array_line(
    line_no: usize,
    line: &str,
    name: &str,
    active: bool,
    rest: &str,
) -> Result<Array, ParseError> {
    let mut array = Array {
        name: name.to_string(),
        line: line_no,
        active,
        ..Array::default()
    };
    for token in rest.split_whitespace() {
        if token == "(read-only)" {
            array.access = Access::ReadOnly;
        } else if token == "(auto-read-only)" {
            array.access = Access::AutoReadOnly;
        } else if let Some((device, slot, flags)) = member_token(token) {
            array.members.push(Member {
                device: device.to_string(),
                slot: slot.parse().map_err(|_| {
                    ParseError::at(line_no, line, format!("slot number too large in '{token}'"))
                })?,
                failed: flags.contains("(F)"),
                spare: flags.contains("(S)"),
                write_mostly: flags.contains("(W)"),
                journal: flags.contains("(J)"),
                replacement: flags.contains("(R)"),
            });
        } else if array.level.is_none() && array.members.is_empty() && is_level(token) {
            array.level = Some(token.to_string());
        } else {
            return Err(ParseError::at(
                line_no,
                line,
                format!("expected a member like 'sda1[0]' or 'sdb1[1](F)', got '{token}'"),
            ));
        }
    }
    if array.active && array.level.is_none() {
        return Err(ParseError::at(
            line_no,
            line,
            "an active array without a RAID level",
        ));
    }
    Ok(array)
}

fn parse_array_detail(
    line_no: usize,
    line: &str,
    trimmed: &str,
    array: &mut Array,
) -> Result<(), ParseError> {
    if let Some(bitmap) = trimmed.strip_prefix("bitmap:") {
        array.bitmap = Some(bitmap.trim().to_string());
    } else if let Some(queued) = queued_field(trimmed) {
        array.queued = Some(queued);
    } else if let Some(blocks) = blocks_field(trimmed) {
        array.blocks = blocks.parse().ok();
        array.superblock = superblock_field(trimmed).map(str::to_string);
        if let Some((total, working, map)) = counts_field(trimmed) {
            array.counts = total.parse().ok().zip(working.parse().ok());
            array.map = Some(map.to_string());
        }
        // Some old kernels put the progress on the status line itself.
        if let Some(p) = progress_field(trimmed) {
            array.sync = Some(progress(line_no, line, &p)?);
        }
    } else if let Some(p) = progress_field(trimmed) {
        array.sync = Some(progress(line_no, line, &p)?);
    } else {
        return Err(ParseError::at(
            line_no,
            line,
            format!(
                "expected the status line of {} ('N blocks ...'), a progress line, 'resync=DELAYED|PENDING' or 'bitmap:'",
                array.name
            ),
        ));
    }
    Ok(())
}

fn progress(line_no: usize, line: &str, p: &ProgressText) -> Result<SyncProgress, ParseError> {
    let percent: f64 = p
        .percent
        .parse()
        .map_err(|_| ParseError::at(line_no, line, "a progress percentage that is not a number"))?;
    if !(0.0..=100.0).contains(&percent) {
        return Err(ParseError::at(
            line_no,
            line,
            "a progress percentage over 100",
        ));
    }
    Ok(SyncProgress {
        action: p.action,
        percent,
        position: p
            .position
            .and_then(|(done, total)| done.parse().ok().zip(total.parse().ok())),
        finish: p.finish.map(str::to_string),
        speed: p.speed.map(str::to_string),
    })
}

/// An array cut off in the middle (a truncated file) must not pass as healthy.
fn check_complete(array: &Array) -> Result<(), ParseError> {
    if !array.active {
        return Ok(());
    }
    let header = format!("{} : active", array.name);
    if array.blocks.is_none() {
        return Err(ParseError::at(
            array.line,
            &header,
            format!(
                "{} has no status line ('N blocks ...'): the file looks truncated",
                array.name
            ),
        ));
    }
    if array.is_redundant() && array.counts.is_none() {
        return Err(ParseError::at(
            array.line,
            &header,
            format!(
                "{} ({}) has no member count '[n/m] [UU]' in its status line: the file looks truncated",
                array.name,
                array.level.as_deref().unwrap_or("?")
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_degraded_recovering_raid1() {
        let md = parse(
            "Personalities : [raid1]\n\
             md6 : active raid1 sdb2[2](F) sdc[1](S) sda2[0]\n\
             \x20     195310144 blocks [2/1] [U_]\n\
             \x20     [=>...................]  recovery =  8.5% (16775552/195310144) finish=17.0min speed=259783K/sec\n\
             \n\
             unused devices: <none>\n",
        )
        .unwrap();
        assert_eq!(md.personalities, vec!["raid1"]);
        let a = &md.arrays[0];
        assert_eq!(
            (a.name.as_str(), a.active, a.level.as_deref()),
            ("md6", true, Some("raid1"))
        );
        assert_eq!(a.counts, Some((2, 1)));
        assert_eq!(a.map.as_deref(), Some("U_"));
        assert_eq!(a.superblock, None);
        assert!(a.members[0].failed && a.members[1].spare && !a.members[2].failed);
        let s = a.sync.as_ref().unwrap();
        assert_eq!(s.action, SyncAction::Recovery);
        assert_eq!(s.percent, 8.5);
        assert_eq!(s.position, Some((16775552, 195310144)));
        assert_eq!(s.finish.as_deref(), Some("17.0min"));
        assert_eq!(s.speed.as_deref(), Some("259783K/sec"));
    }

    #[test]
    fn member_flags_in_any_combination() {
        let md = parse("md0 : active raid1 sda1[0](W) sdb1[1](W)(F) nvme0n1p1[2](J) sdc1[3](R) sdd1[4](S)\n      1 blocks super 1.2 [2/2] [UU]\n").unwrap();
        let m = &md.arrays[0].members;
        assert!(m[0].write_mostly && !m[0].failed);
        assert!(m[1].write_mostly && m[1].failed);
        assert!(m[2].journal);
        assert!(m[3].replacement);
        assert!(m[4].spare);
        assert_eq!(md.arrays[0].superblock.as_deref(), Some("1.2"));
    }

    #[test]
    fn containers_and_member_arrays() {
        let md = parse(
            "md127 : active raid1 sda[1] sdb[0]\n      976759808 blocks super external:/md0/0 [2/2] [UU]\n\n\
             md0 : inactive sda[1](S) sdb[0](S)\n      5288 blocks super external:imsm\n",
        )
        .unwrap();
        assert!(!md.arrays[0].is_container());
        assert!(md.arrays[1].is_container());
        assert!(!md.arrays[1].active && md.arrays[1].level.is_none());
    }

    #[test]
    fn access_modes_and_queued_syncs() {
        let md = parse(
            "md11 : active (auto-read-only) raid1 sdb2[0] sdc2[1]\n      4190208 blocks super 1.2 [2/2] [UU]\n      resync=PENDING\n\
             md101 : active (read-only) raid0 sdb[2] sdd[1]\n      322560 blocks super 1.2 512k chunks\n\
             md1 : active raid1 sda2[0] sdb2[1]\n      467282752 blocks super 1.1 [2/2] [UU]\n        resync=DELAYED\n      bitmap: 0/4 pages [0KB], 65536KB chunk\n",
        )
        .unwrap();
        assert_eq!(md.arrays[0].access, Access::AutoReadOnly);
        assert_eq!(md.arrays[0].queued, Some(Queued::Pending));
        assert_eq!(md.arrays[1].access, Access::ReadOnly);
        assert_eq!(md.arrays[2].queued, Some(Queued::Delayed));
        assert_eq!(
            md.arrays[2].bitmap.as_deref(),
            Some("0/4 pages [0KB], 65536KB chunk")
        );
    }

    #[test]
    fn garbage_and_truncation_name_the_line() {
        let table: &[(&str, &str)] = &[
            ("", "the file is empty"),
            ("\n  \n", "the file is empty"),
            ("hello world\n", "line 1 'hello world': expected 'Personalities :'"),
            ("\u{0}\u{1}binary\u{2}", "line 1"),
            ("Personalities : [raid1]\n   stray\n", "line 2 'stray': indented line before any array"),
            ("md0 : active raid1 sda1[0] sd", "line 1 'md0 : active raid1 sda1[0] sd': the file ends inside this line"),
            ("md0 : active raid1 sda1[0] sdb1[1]\n", "md0 has no status line"),
            ("md0 : active raid1 sda1[0] sdb1[1]\n      1024 blocks super 1.2 [2/2] [U", "line 2 '1024 blocks super 1.2 [2/2] [U': the file ends inside this line"),
            ("md0 : active raid5 a[0] b[1] c[2]\n      1024 blocks super 1.2 level 5, 64k chu", "line 2 '1024 blocks super 1.2 level 5, 64k chu': the file ends inside this line (no newline after it): it is cut"),
            ("Personalities : [raid1]\n", "line 1 'Personalities : [raid1]': no array and no 'unused devices' line after it: the file is cut"),
            ("md0 : active raid1 a[0] b[1]\n      1024 blocks [2/2] [UU]\n      something else\n", "line 3 'something else': expected the status line of md0"),
            ("md0 : active sda1[0]\n", "an active array without a RAID level"),
            ("md0 : bogus\n", "line 1 'md0 : bogus'"),
        ];
        for (text, want) in table {
            let err = parse(text).expect_err(text).to_string();
            assert!(err.contains(want), "{text:?}: {err}");
        }
    }

    #[test]
    fn progress_on_the_status_line_of_old_kernels() {
        let md = parse("md0 : active raid1 hdc1[1] hda1[0]\n      1024 blocks [2/1] [U_] recovery=12.5% finish=3.1min\n").unwrap();
        let a = &md.arrays[0];
        assert_eq!(a.counts, Some((2, 1)));
        assert_eq!(
            a.sync.as_ref().map(|s| (s.action, s.percent)),
            Some((SyncAction::Recovery, 12.5))
        );
    }

    #[test]
    fn only_ascii_digits_are_numbers() {
        // The kernel prints ASCII digits only; an Arabic-Indic '٣' in a slot or block count is
        // garbage, named as such, not a number that fails to convert.
        let err = parse("md0 : active raid1 sda1[\u{663}] sdb1[1]\n      1024 blocks [2/2] [UU]\n")
            .expect_err("non-ASCII slot")
            .to_string();
        assert!(err.contains("expected a member like"), "{err}");
        let err = parse("md0 : active raid1 sda1[0] sdb1[1]\n      1\u{663}24 blocks [2/2] [UU]\n")
            .expect_err("non-ASCII block count")
            .to_string();
        assert!(
            err.contains("line 2") && err.contains("expected the status line of md0"),
            "{err}"
        );
    }

    #[test]
    fn no_arrays_is_not_an_error_here() {
        let md = parse("Personalities : \nunused devices: <none>\n").unwrap();
        assert!(md.arrays.is_empty());
    }
}
