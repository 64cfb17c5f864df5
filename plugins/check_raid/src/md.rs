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
use regex::Regex;
use std::sync::LazyLock;

/// Everything /proc/mdstat says.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Mdstat {
    pub personalities: Vec<String>,
    pub arrays: Vec<Array>,
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

static ARRAY_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(\S+)\s*:\s*(active|inactive)(?:\s+(.*))?$").expect("static regex")
});
static MEMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(\S+?)\[(\d+)\]((?:\([A-Z]\))*)$").expect("static regex"));
static LEVEL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[a-z][a-z0-9]*$").expect("static regex"));
static BLOCKS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(\d+) blocks\b").expect("static regex"));
static SUPER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\bsuper (\S+)").expect("static regex"));
static COUNTS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\[(\d+)/(\d+)\]\s*\[([U_]+)\]").expect("static regex"));
static PROGRESS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b(resync|recovery|reshape|check|repair)\s*=\s*(\d+(?:\.\d+)?)%(?:\s*\((\d+)/(\d+)\))?(?:\s*finish=(\S+))?(?:\s*speed=(\S+))?",
    )
    .expect("static regex")
});
static QUEUED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^resync=(DELAYED|PENDING)\b").expect("static regex"));

/// Parse the text of /proc/mdstat.
pub fn parse(text: &str) -> Result<Mdstat, ParseError> {
    if text.trim().is_empty() {
        return Err(ParseError::whole(
            "the file is empty (is the md driver loaded?)",
        ));
    }
    let mut md = Mdstat::default();
    let mut seen_header_or_footer = false;
    for (index, raw) in text.lines().enumerate() {
        let line_no = index + 1;
        let line = raw.trim_end();
        let trimmed = line.trim_start();
        if trimmed.is_empty() {
            continue;
        }
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
            } else if trimmed.starts_with("unused devices:")
                || trimmed.starts_with("read_ahead")
                || trimmed.starts_with("Event:")
            {
                seen_header_or_footer = true;
            } else if let Some(caps) = ARRAY_LINE.captures(trimmed) {
                md.arrays.push(parse_array_line(line_no, line, &caps)?);
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
    Ok(md)
}

fn parse_array_line(
    line_no: usize,
    line: &str,
    caps: &regex::Captures,
) -> Result<Array, ParseError> {
    let mut array = Array {
        name: caps[1].to_string(),
        line: line_no,
        active: &caps[2] == "active",
        ..Array::default()
    };
    for token in caps.get(3).map_or("", |m| m.as_str()).split_whitespace() {
        if token == "(read-only)" {
            array.access = Access::ReadOnly;
        } else if token == "(auto-read-only)" {
            array.access = Access::AutoReadOnly;
        } else if let Some(m) = MEMBER.captures(token) {
            let flags = &m[3];
            array.members.push(Member {
                device: m[1].to_string(),
                slot: m[2].parse().map_err(|_| {
                    ParseError::at(line_no, line, format!("slot number too large in '{token}'"))
                })?,
                failed: flags.contains("(F)"),
                spare: flags.contains("(S)"),
                write_mostly: flags.contains("(W)"),
                journal: flags.contains("(J)"),
                replacement: flags.contains("(R)"),
            });
        } else if array.level.is_none() && array.members.is_empty() && LEVEL.is_match(token) {
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
    } else if let Some(q) = QUEUED.captures(trimmed) {
        array.queued = Some(if &q[1] == "DELAYED" {
            Queued::Delayed
        } else {
            Queued::Pending
        });
    } else if let Some(b) = BLOCKS.captures(trimmed) {
        array.blocks = b[1].parse().ok();
        array.superblock = SUPER.captures(trimmed).map(|s| s[1].to_string());
        if let Some(c) = COUNTS.captures(trimmed) {
            let total = c[1].parse().ok();
            let working = c[2].parse().ok();
            array.counts = total.zip(working);
            array.map = Some(c[3].to_string());
        }
        // Some old kernels put the progress on the status line itself.
        if let Some(p) = PROGRESS.captures(trimmed) {
            array.sync = Some(progress(line_no, line, &p)?);
        }
    } else if let Some(p) = PROGRESS.captures(trimmed) {
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

fn progress(line_no: usize, line: &str, p: &regex::Captures) -> Result<SyncProgress, ParseError> {
    let action = match &p[1] {
        "resync" => SyncAction::Resync,
        "recovery" => SyncAction::Recovery,
        "reshape" => SyncAction::Reshape,
        "check" => SyncAction::Check,
        _ => SyncAction::Repair,
    };
    let percent: f64 = p[2]
        .parse()
        .map_err(|_| ParseError::at(line_no, line, "a progress percentage that is not a number"))?;
    if !(0.0..=100.0).contains(&percent) {
        return Err(ParseError::at(
            line_no,
            line,
            "a progress percentage over 100",
        ));
    }
    let position = match (p.get(3), p.get(4)) {
        (Some(done), Some(total)) => done.as_str().parse().ok().zip(total.as_str().parse().ok()),
        _ => None,
    };
    Ok(SyncProgress {
        action,
        percent,
        position,
        finish: p.get(5).map(|m| m.as_str().to_string()),
        speed: p.get(6).map(|m| m.as_str().to_string()),
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
            ("md0 : active raid1 sda1[0] sd", "line 1 'md0 : active raid1 sda1[0] sd': expected a member like"),
            ("md0 : active raid1 sda1[0] sdb1[1]\n", "md0 has no status line"),
            ("md0 : active raid1 sda1[0] sdb1[1]\n      1024 blocks super 1.2 [2/2] [U", "md0 (raid1) has no member count"),
            ("md0 : active raid5 a[0] b[1] c[2]\n      1024 blocks super 1.2 level 5, 64k chu", "has no member count"),
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
    fn no_arrays_is_not_an_error_here() {
        let md = parse("Personalities : \nunused devices: <none>\n").unwrap();
        assert!(md.arrays.is_empty());
    }
}
