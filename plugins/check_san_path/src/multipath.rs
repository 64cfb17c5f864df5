//! `multipath -ll` (and `-l`) text: both layouts.
//!
//! New (multipath-tools 0.4.9 on):
//! ```text
//! mpatha (36001405d618a8d33eae5caeba25c278c) dm-1 LIO-ORG,disk01
//! size=20G features='1 queue_if_no_path' hwhandler='1 alua' wp=rw
//! `-+- policy='round-robin 0' prio=50 status=active
//!   |- 16:0:0:1 sdb 8:16 active ready running
//!   `- 17:0:0:1 sdc 8:32 active ready running
//! ```
//! Old (RHEL4/5):
//! ```text
//! tex-lun4 (3600000e00d0000000002161200120000) dm-7 FUJITSU ,ETERNUS_DXL
//! [size=1.2T][features=1 queue_if_no_path][hwhandler=0]
//! \_ round-robin 0 [prio=0][active]
//!  \_ 7:0:1:4 sdt 65:48 [active][undef]
//! ```
//!
//! The text has no end marker, so a cut copy must show itself some other way: every state word
//! is checked against the tool's closed vocabulary (a cut `runn` is no device state), and in the
//! new layout the tree's own corners close each map (the last group is `` `-+- ``, the last path
//! of a group `` `- ``), so a map cut after any of its paths is refused. What stays impossible to
//! tell: a copy cut exactly between two maps (or, in the old layout, between two paths); the
//! plugin's long output says how many maps it read.

use crate::model::{Map, Multipath, Path, PathGroup, ToolMessage};
use common::ParseError;

/// Longer lines are no multipath output (the longest real ones are map headers of ~150 bytes);
/// refusing them keeps a hostile text from being copied into models and messages.
const MAX_LINE: usize = 4096;
/// device-mapper's path states (`%t`).
const DM_STATES: &[&str] = &["active", "failed", "undef", "n/a"];
/// Path checker states (`%T`), one word (`i/o pending` and `i/o timeout` are read as two).
const CHECKER_STATES: &[&str] = &[
    "ready",
    "faulty",
    "ghost",
    "shaky",
    "delayed",
    "failed",
    "undef",
    "n/a",
    "up",
    "down",
    "unchecked",
    "wild",
    "removed",
];
/// SCSI device states (sysfs `device/state`) and NVMe controller states, as `%o` prints them.
const DEVICE_STATES: &[&str] = &[
    "running",
    "offline",
    "blocked",
    "quiesce",
    "transport-offline",
    "created",
    "cancel",
    "cancel-offline",
    "deleted",
    "live",
    "connecting",
    "resetting",
    "dead",
    "new",
    "deleting",
    "undef",
    "unknown",
    "n/a",
];
/// Path group states.
const GROUP_STATES: &[&str] = &["active", "enabled", "disabled", "undef", "n/a"];

/// A device state word as sysfs and `%o` write it.
pub fn is_device_state(word: &str) -> bool {
    DEVICE_STATES.contains(&word)
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Layout {
    /// `|-+-` / `` `- `` tree.
    New,
    /// `\_` tree.
    Old,
}

/// A map being read, with what its tree drawing says about where it ends.
struct Open {
    map: Map,
    line: usize,
    header: String,
    has_size: bool,
    layout: Option<Layout>,
    /// New layout: the current group was drawn `` `-+- `` (the map's last).
    in_last_group: bool,
    /// New layout: the current group's last path (`` `- ``) was read.
    group_closed: bool,
}

impl Open {
    fn closed(&self) -> bool {
        self.in_last_group && self.group_closed
    }

    /// The map, when it is whole. `at_end`: nothing follows it (it may be a cut copy's last).
    fn finish(self, at_end: bool) -> Result<Map, ParseError> {
        let at = |why: String| Err(ParseError::at(self.line, &self.header, why));
        if !self.has_size {
            return at(format!(
                "map '{}' has no size line after its header (not multipath -ll output, or cut)",
                self.map.name
            ));
        }
        if self.map.groups.is_empty() {
            // A map whose paths are all gone is printed without groups; as the last lines of
            // the text it cannot be told from a copy cut after the size line.
            if at_end {
                return at(format!(
                    "map '{}' ends the text before any path group: the output was cut",
                    self.map.name
                ));
            }
            return Ok(self.map);
        }
        match self.layout {
            Some(Layout::New) if !self.closed() => at(format!(
                "map '{}' ends before its last path (`- under `-+-): the output was cut",
                self.map.name
            )),
            _ if self.map.groups.iter().any(|g| g.paths.is_empty()) => at(format!(
                "map '{}' has a path group without paths: the output was cut",
                self.map.name
            )),
            _ => Ok(self.map),
        }
    }
}

pub fn parse(text: &str) -> Result<Multipath, ParseError> {
    if text.trim().is_empty() {
        return Err(ParseError::whole("empty: no multipath map in it"));
    }
    let mut out = Multipath::default();
    let mut open: Option<Open> = None;
    let unterminated = !text.ends_with('\n');
    let count = text.lines().count();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let line = line.trim_end_matches('\r');
        let err = |why: &str| ParseError::at(n, line, why);
        if line.len() > MAX_LINE {
            return Err(err(
                "a line longer than 4096 bytes: not multipath -ll output",
            ));
        }
        if line.trim().is_empty() {
            if unterminated && n == count && !line.is_empty() {
                // Blanks and no newline: the start of a line the copy lost.
                return Err(err(
                    "the text ends inside a line (no newline): the output was cut",
                ));
            }
            continue;
        }
        if let Some(message) = tool_message(line) {
            if unterminated && n == count {
                // Its words may be cut ("... 'multipathd' serv"): a message read in part
                // could hide the one that matters.
                return Err(err(
                    "the text ends inside this message line (no newline): the output was cut",
                ));
            }
            out.messages.push(ToolMessage {
                line: n,
                text: message.to_string(),
            });
            continue;
        }
        if line.starts_with("size=") || line.starts_with("[size=") {
            let Some(o) = open.as_mut() else {
                return Err(err("a size line before any map header"));
            };
            if o.has_size {
                return Err(err("a second size line for one map"));
            }
            o.map.size = Some(size(line).ok_or_else(|| err("expected size=SIZE"))?);
            o.has_size = true;
            continue;
        }
        if let Some(rest) = line
            .strip_prefix("|-+-")
            .map(|r| (r, false))
            .or_else(|| line.strip_prefix("`-+-").map(|r| (r, true)))
        {
            let o = expect_map(&mut open, n, line)?;
            layout(o, Layout::New, n, line)?;
            if o.closed() || (o.in_last_group && !o.map.groups.is_empty()) {
                return Err(err("a path group after the map's last one (`-+-)"));
            }
            if !o.map.groups.is_empty() && !o.group_closed {
                return Err(err("a path group before the previous one's last path (`-)"));
            }
            o.map
                .groups
                .push(new_group(rest.0).map_err(|why| err(&why))?);
            o.in_last_group = rest.1;
            o.group_closed = false;
            continue;
        }
        if let Some(rest) = line.strip_prefix("\\_ ") {
            let o = expect_map(&mut open, n, line)?;
            layout(o, Layout::Old, n, line)?;
            if o.map.groups.last().is_some_and(|g| g.paths.is_empty()) {
                return Err(err("a path group after one without paths"));
            }
            o.map.groups.push(old_group(rest).map_err(|why| err(&why))?);
            continue;
        }
        if let Some((rest, last)) = new_path_line(line) {
            let o = open
                .as_mut()
                .filter(|o| !o.map.groups.is_empty())
                .ok_or_else(|| err("a path line outside any path group"))?;
            layout(o, Layout::New, n, line)?;
            if o.group_closed {
                return Err(err("a path after its group's last one (`-)"));
            }
            let path = new_path(rest).map_err(|why| err(&why))?;
            if let Some(g) = o.map.groups.last_mut() {
                g.paths.push(path);
            }
            o.group_closed = last;
            continue;
        }
        if line.starts_with(['|', '`']) {
            return Err(err(
                "not a line of multipath -ll output (a tree line that is no path group or path)",
            ));
        }
        if line.starts_with([' ', '\t']) {
            if let Some(rest) = line.trim_start().strip_prefix("\\_ ") {
                let o = open
                    .as_mut()
                    .filter(|o| !o.map.groups.is_empty())
                    .ok_or_else(|| err("a path line outside any path group"))?;
                layout(o, Layout::Old, n, line)?;
                let path = old_path(rest).map_err(|why| err(&why))?;
                if let Some(g) = o.map.groups.last_mut() {
                    g.paths.push(path);
                }
                continue;
            }
            return Err(err("not a line of multipath -ll output"));
        }
        // A line at the margin that is nothing else: the next map's header. What looked like a
        // header but was followed by no size line (old tools' notes such as "error calling out
        // /sbin/scsi_id ...") was a message.
        if let Some(o) = open.take() {
            if !o.has_size && o.map.groups.is_empty() {
                out.messages.push(ToolMessage {
                    line: o.line,
                    text: o.header,
                });
            } else {
                out.maps.push(o.finish(false)?);
            }
        }
        // `multipath -v2` prefixes the maps it acts on: `create: mpatha (...) ...`.
        let line = ["create: ", "reload: ", "switchpg: ", "rename: "]
            .iter()
            .find_map(|p| line.strip_prefix(p))
            .unwrap_or(line);
        open = Some(Open {
            map: header(line).map_err(|why| err(&why))?,
            line: n,
            header: line.to_string(),
            has_size: false,
            layout: None,
            in_last_group: false,
            group_closed: false,
        });
    }
    if let Some(o) = open.take() {
        out.maps.push(o.finish(true)?);
    }
    if out.maps.is_empty() {
        return Err(ParseError::whole(
            "no multipath map in it (only tool messages)",
        ));
    }
    Ok(out)
}

fn expect_map<'a>(
    open: &'a mut Option<Open>,
    n: usize,
    line: &str,
) -> Result<&'a mut Open, ParseError> {
    match open.as_mut() {
        Some(o) if o.has_size => Ok(o),
        Some(_) => Err(ParseError::at(
            n,
            line,
            "a path group before the map's size line",
        )),
        None => Err(ParseError::at(
            n,
            line,
            "a path group before any map header",
        )),
    }
}

fn layout(o: &mut Open, want: Layout, n: usize, line: &str) -> Result<(), ParseError> {
    match o.layout {
        None => {
            o.layout = Some(want);
            Ok(())
        }
        Some(l) if l == want => Ok(()),
        Some(_) => Err(ParseError::at(
            n,
            line,
            "old (\\_) and new (|-+-) tree layouts mixed in one map",
        )),
    }
}

/// `Apr 08 09:21:04 | text` (multipath's log prefix) or `sdd: checker msg is ...` / `create: ...`
/// (a word and a colon first): the message text.
fn tool_message(line: &str) -> Option<&str> {
    let b = line.as_bytes();
    let stamp = b.len() > 18
        && b[0].is_ascii_uppercase()
        && b[1..3].iter().all(u8::is_ascii_lowercase)
        && b[3] == b' '
        && (b[4] == b' ' || b[4].is_ascii_digit())
        && b[5].is_ascii_digit()
        && b[6] == b' '
        && b[9] == b':'
        && b[12] == b':'
        && line.get(15..18) == Some(" | ");
    if stamp {
        return line.get(18..);
    }
    let first = line.split_whitespace().next()?;
    let acts = matches!(first, "create:" | "reload:" | "switchpg:" | "rename:");
    (first.len() > 1 && first.ends_with(':') && !first.contains('(') && !acts).then_some(line)
}

/// `name (wwid) dm-N VENDOR,PRODUCT`, with any of wwid, dm-N, vendor/product absent.
fn header(line: &str) -> Result<Map, String> {
    let mut rest = line.trim();
    let name = next_word(&mut rest);
    let mut map = Map {
        name: name.to_string(),
        ..Map::default()
    };
    if rest.starts_with('(') {
        let close = rest.find(')').ok_or("a '(' without ')' around the WWID")?;
        map.wwid = Some(rest[1..close].to_string());
        rest = rest[close + 1..].trim_start();
    } else {
        // Named by its WWID alone (no alias configured), or an iSCSI name.
        map.wwid = Some(name.to_string());
    }
    let mut peek = rest;
    let dm = next_word(&mut peek);
    if is_dm_name(dm) || dm.starts_with("[nvme]:") {
        map.dm = Some(dm.to_string());
        rest = peek;
    }
    let rest = rest.trim();
    if !rest.is_empty() {
        match rest.split_once(',') {
            Some((v, p)) => {
                map.vendor = Some(v.trim().to_string());
                map.product = Some(p.trim().to_string());
            }
            None => map.product = Some(rest.to_string()),
        }
    }
    Ok(map)
}

fn is_dm_name(word: &str) -> bool {
    word.strip_prefix("dm-")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

fn next_word<'a>(rest: &mut &'a str) -> &'a str {
    let s = rest.trim_start();
    let end = s.find(char::is_whitespace).unwrap_or(s.len());
    let (word, tail) = s.split_at(end);
    *rest = tail.trim_start();
    word
}

/// `size=34G ...` or `[size=1.2T][...]`.
fn size(line: &str) -> Option<String> {
    if let Some(r) = line.strip_prefix("[size=") {
        let end = r.find(']')?;
        return Some(r[..end].to_string());
    }
    let r = line.strip_prefix("size=")?;
    let v: &str = r.split_whitespace().next()?;
    (!v.is_empty()).then(|| v.to_string())
}

/// ` policy='round-robin 0' prio=50 status=active` (after `|-+-`).
fn new_group(rest: &str) -> Result<PathGroup, String> {
    let mut g = PathGroup::default();
    if let Some(p) = rest.split_once("policy='") {
        let end = p.1.find('\'').ok_or("policy=' without its closing quote")?;
        g.policy = p.1[..end].to_string();
    }
    for word in rest.split_whitespace() {
        if let Some(p) = word.strip_prefix("prio=") {
            g.prio = Some(p.to_string());
        } else if let Some(s) = word.strip_prefix("status=") {
            g.status = s.to_string();
        }
    }
    if g.status.is_empty() {
        return Err("a path group without status=".into());
    }
    if !GROUP_STATES.contains(&g.status.as_str()) {
        return Err(format!("'{}' is no path group status", g.status));
    }
    Ok(g)
}

/// `round-robin 0 [prio=0][active]` (after `\_ `).
fn old_group(rest: &str) -> Result<PathGroup, String> {
    let open = rest.find('[').unwrap_or(rest.len());
    let mut g = PathGroup {
        policy: rest[..open].trim().to_string(),
        status: "undef".to_string(),
        ..PathGroup::default()
    };
    for word in brackets(&rest[open..])? {
        if let Some(p) = word.strip_prefix("prio=") {
            g.prio = Some(p.to_string());
        } else if GROUP_STATES.contains(&word) {
            g.status = word.to_string();
        }
    }
    Ok(g)
}

/// The words of `[a][b c][d]`; text outside brackets (but spaces) or an unclosed one is refused.
fn brackets(text: &str) -> Result<Vec<&str>, String> {
    let mut out = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        let r = rest.strip_prefix('[').ok_or_else(|| {
            format!(
                "expected '[' at '{}'",
                rest.chars().take(20).collect::<String>()
            )
        })?;
        let end = r.find(']').ok_or("a '[' without its ']'")?;
        out.push(&r[..end]);
        rest = r[end + 1..].trim_start();
    }
    Ok(out)
}

/// A new-layout path line without its tree prefix, and whether it is its group's last (`` `- ``).
fn new_path_line(line: &str) -> Option<(&str, bool)> {
    let b = line.as_bytes();
    if b.len() < 5 || !matches!(b[0], b'|' | b' ') || b[1] != b' ' {
        return None;
    }
    let rest = line[2..].trim_start_matches(' ');
    rest.strip_prefix("|- ")
        .map(|r| (r, false))
        .or_else(|| rest.strip_prefix("`- ").map(|r| (r, true)))
}

/// The H:C:T:L, device and dev_t that start a path line; `#:#:#:# - #:#` is an orphan.
fn path_ids<'a>(words: &mut impl Iterator<Item = &'a str>, path: &mut Path) -> Result<(), String> {
    let (Some(hctl), Some(dev), Some(devt)) = (words.next(), words.next(), words.next()) else {
        return Err("expected H:C:T:L DEVICE MAJOR:MINOR and the path's states".into());
    };
    if hctl == "#:#:#:#" && dev == "-" && devt == "#:#" {
        return Ok(());
    }
    let parts: Vec<&str> = hctl.split(':').collect();
    if !(3..=4).contains(&parts.len())
        || parts
            .iter()
            .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(format!("'{hctl}' is no H:C:T:L"));
    }
    if dev.is_empty() || !dev.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(format!("'{dev}' is no device name"));
    }
    let is_devt = devt.split_once(':').is_some_and(|(a, b)| {
        [a, b]
            .iter()
            .all(|x| !x.is_empty() && x.bytes().all(|c| c.is_ascii_digit()))
    });
    if !is_devt {
        return Err(format!("'{devt}' is no MAJOR:MINOR"));
    }
    path.hctl = Some(hctl.to_string());
    path.device = Some(dev.to_string());
    path.dev_t = Some(devt.to_string());
    Ok(())
}

/// `2:0:6:10 sdep 129:16  active ready running` (after `|- `).
fn new_path(rest: &str) -> Result<Path, String> {
    let mut path = Path::default();
    let mut words = rest.split_whitespace().peekable();
    path_ids(&mut words, &mut path)?;
    let dm = words
        .next()
        .ok_or("no dm state (active/failed) after the device")?;
    if !DM_STATES.contains(&dm) {
        return Err(format!("'{dm}' is no dm path state (active, failed)"));
    }
    path.dm_state = dm.to_string();
    let first = words
        .next()
        .ok_or("no path checker state after the dm state")?;
    path.checker = checker(first, &mut words)?;
    let dev = words
        .next()
        .ok_or("no device state (running, offline ...) after the checker state")?;
    if !DEVICE_STATES.contains(&dev) {
        return Err(format!("'{dev}' is no device state (running, offline ...)"));
    }
    path.device_state = Some(dev.to_string());
    Ok(path)
}

fn checker<'a>(first: &str, words: &mut impl Iterator<Item = &'a str>) -> Result<String, String> {
    if first == "i/o" {
        return match words.next() {
            Some(w @ ("pending" | "timeout")) => Ok(format!("i/o {w}")),
            _ => Err("'i/o' not followed by 'pending' or 'timeout'".into()),
        };
    }
    if CHECKER_STATES.contains(&first) {
        Ok(first.to_string())
    } else {
        Err(format!(
            "'{first}' is no path checker state (ready, faulty ...)"
        ))
    }
}

/// `7:0:1:4 sdt 65:48 [active][undef]` (after ` \_ `), optionally a third `[running]`.
fn old_path(rest: &str) -> Result<Path, String> {
    let mut path = Path::default();
    let mut words = rest.split_whitespace();
    path_ids(&mut words, &mut path)?;
    let tail: Vec<&str> = words.collect();
    let tail = tail.join(" ");
    let states = brackets(&tail)?;
    let (Some(dm), Some(chk)) = (states.first(), states.get(1)) else {
        return Err("expected [dm state][checker state] after the device".into());
    };
    if !DM_STATES.contains(dm) {
        return Err(format!("'{dm}' is no dm path state (active, failed)"));
    }
    path.dm_state = dm.to_string();
    let mut w = chk.split_whitespace();
    let first = w.next().unwrap_or("");
    path.checker = checker(first, &mut w)?;
    if let Some(dev) = states.get(2) {
        if !DEVICE_STATES.contains(dev) {
            return Err(format!("'{dev}' is no device state (running, offline ...)"));
        }
        path.device_state = Some(dev.to_string());
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NEW: &str = "\
mpatha (36001405d618a8d33eae5caeba25c278c) dm-1 LIO-ORG,disk01
size=20G features='1 queue_if_no_path' hwhandler='1 alua' wp=rw
|-+- policy='round-robin 0' prio=50 status=active
| `- 16:0:0:1 sdb 8:16 active ready running
`-+- policy='round-robin 0' prio=10 status=enabled
  |- 17:0:0:1 sdc 8:32 failed faulty offline
  `- 18:0:0:1 sdd 8:48 active i/o pending running
";

    #[test]
    fn a_new_layout_map_with_every_field() {
        let m = parse(NEW).unwrap();
        let map = &m.maps[0];
        assert_eq!(map.name, "mpatha");
        assert_eq!(
            map.wwid.as_deref(),
            Some("36001405d618a8d33eae5caeba25c278c")
        );
        assert_eq!(map.dm.as_deref(), Some("dm-1"));
        assert_eq!(map.vendor.as_deref(), Some("LIO-ORG"));
        assert_eq!(map.product.as_deref(), Some("disk01"));
        assert_eq!(map.size.as_deref(), Some("20G"));
        assert_eq!(map.groups.len(), 2);
        assert_eq!(map.groups[1].status, "enabled");
        assert_eq!(map.groups[0].policy, "round-robin 0");
        let sdc = &map.groups[1].paths[0];
        assert_eq!(
            (
                sdc.hctl.as_deref(),
                sdc.dev_t.as_deref(),
                sdc.dm_state.as_str()
            ),
            (Some("17:0:0:1"), Some("8:32"), "failed")
        );
        assert_eq!(
            sdc.problem().as_deref(),
            Some("failed, checker faulty, device offline")
        );
        assert_eq!(map.groups[1].paths[1].checker, "i/o pending");
        assert_eq!(map.active_paths(), 2);
        assert_eq!(map.failed_paths(), 1);
    }

    #[test]
    fn a_map_cut_after_any_path_but_its_last_is_refused() {
        for keep in 3..7 {
            let cut: String = NEW.lines().take(keep).map(|l| format!("{l}\n")).collect();
            let e = parse(&cut).unwrap_err();
            assert!(e.to_string().contains("cut"), "{keep}: {e}");
        }
        assert!(parse(NEW).is_ok());
    }

    #[test]
    fn words_outside_the_tools_vocabulary_are_refused() {
        for bad in ["runn", "active", "ok"] {
            let text = NEW.replace(
                "8:48 active i/o pending running",
                &format!("8:48 active ready {bad}"),
            );
            assert!(parse(&text).is_err(), "{bad}");
        }
        assert!(parse(&NEW.replace("i/o pending", "i/o")).is_err());
        assert!(parse(&NEW.replace("status=enabled", "status=enab")).is_err());
    }

    #[test]
    fn a_map_with_no_paths_is_read_unless_it_ends_the_text() {
        let text =
            format!("gone (3600a) dm-4 X,Y\nsize=1G features='0' hwhandler='0' wp=rw\n{NEW}");
        let m = parse(&text).unwrap();
        assert_eq!(m.maps[0].groups.len(), 0);
        let e =
            parse("gone (3600a) dm-4 X,Y\nsize=1G features='0' hwhandler='0' wp=rw\n").unwrap_err();
        assert!(e.to_string().contains("cut"));
    }

    #[test]
    fn notes_and_action_prefixes_of_older_tools_are_read() {
        let text = format!(
            "sdaf: checker msg is \"readsector0 checker reports path is down\"\n\
             error calling out /sbin/scsi_id -g -u -s /block/sda\n\
             create: {NEW}"
        );
        let m = parse(&text).unwrap();
        assert_eq!(m.maps.len(), 1);
        assert_eq!(m.maps[0].name, "mpatha");
        assert_eq!(m.messages.len(), 2);
        assert!(m.messages[1].text.starts_with("error calling out"));
    }

    #[test]
    fn garbage_and_messages_alone_are_refused() {
        assert!(parse("").is_err());
        assert!(parse("hello world\nthis is not it\n").is_err());
        assert!(parse("Apr 08 09:21:04 | DM multipath kernel driver not loaded\n").is_err());
        assert!(parse("  |- 1:0:0:0 sda 8:0 active ready running\n").is_err());
        assert!(parse("size=1G\n").is_err());
    }

    #[test]
    fn old_layout_paths_and_groups() {
        let m = parse(
            "mpath0 (3600508b4000156d700012000000b0000) dm-0 HP,HSV210\n\
             [size=10G][features=1 queue_if_no_path][hwhandler=0]\n\
             \\_ round-robin 0 [prio=1][active]\n \\_ 0:0:0:1 sda 8:0 [active][ready]\n\
             \\_ round-robin 0 [prio=0][enabled]\n \\_ 1:0:0:1 sdb 8:16 [failed][faulty]\n",
        )
        .unwrap();
        let map = &m.maps[0];
        assert_eq!((map.active_paths(), map.failed_paths()), (1, 1));
        assert_eq!(map.groups[1].status, "enabled");
        assert!(parse("m (1) dm-0 A,B\n[size=1G]\n\\_ round-robin 0 [active]\n \\_ 0:0:0:1 sda 8:0 [active][rea").is_err());
    }
}
