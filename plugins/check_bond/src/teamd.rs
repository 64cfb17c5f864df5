//! libteam's `teamdctl DEV state dump` JSON.
//!
//! ```json
//! {
//!   "ports": {
//!     "eth1": {
//!       "ifinfo": { "ifname": "eth1", ... },
//!       "link": { "duplex": "full", "speed": 10000, "up": true },
//!       "link_watches": { "list": { "link_watch_0": { "down_count": 0, "name": "ethtool", "up": true } }, "up": true },
//!       "runner": { "aggregator": { "id": 4, "selected": true }, "selected": true, "state": "current",
//!                   "partner_lacpdu_info": { "system": "00:11:22:33:44:55", ... }, ... }
//!     }
//!   },
//!   "runner": { "active": true, "fast_rate": true, ... },
//!   "setup": { "runner_name": "lacp", ... },
//!   "team_device": { "ifinfo": { "ifname": "team0", ... } }
//! }
//! ```
//!
//! Older teamd (libteam 1.0-1.2x) writes the port's aggregator as `"aggregator_id": N` and the
//! team's as `runner.selected_aggregator_id`; both shapes are read. A port's link is what
//! teamd itself acts on: the kernel link AND its link watches.

use crate::model::{
    is_ifname, is_mac, ActiveAggregator, Aggregate, Kind, Member, Mode, MAX_MEMBERS,
};
use common::ParseError;
use serde_json::{Map, Value};

/// Read one dump. `fallback_name` names the team when the dump does not (`team_device`
/// missing): the device given to teamdctl, or the input file.
pub fn parse(fallback_name: &str, text: &str) -> Result<Aggregate, ParseError> {
    if text.trim().is_empty() {
        return Err(ParseError::whole("file is empty"));
    }
    // A JSON object costs serde_json a tree node (over half a KiB) however small it is: a
    // 1 MiB file of `{"":0}` made a 100 MiB model. Counted first, before any is built.
    if objects(text) > MAX_OBJECTS {
        return Err(ParseError::whole(format!(
            "more than {MAX_OBJECTS} JSON objects: not a team's dump (it has about 10 a port)"
        )));
    }
    let root: Value = serde_json::from_str(text).map_err(|e| json_error(&e, text))?;
    let root = root
        .as_object()
        .ok_or_else(|| ParseError::whole("expected a JSON object (teamdctl state dump)"))?;

    let named = root
        .get("team_device")
        .and_then(|t| t.pointer("/ifinfo/ifname"))
        .and_then(Value::as_str);
    if let Some(n) = named.filter(|n| !is_ifname(n)) {
        return Err(ParseError::whole(format!(
            "team_device.ifinfo.ifname '{}' is not an interface name",
            n.chars().take(40).collect::<String>()
        )));
    }
    let name = named.unwrap_or(fallback_name).to_string();
    let runner_name = root
        .get("setup")
        .and_then(|s| s.get("runner_name"))
        .and_then(Value::as_str)
        .ok_or_else(|| ParseError::whole("no 'setup.runner_name': not a teamdctl state dump"))?;
    let mode = Mode::from_team_runner(runner_name)
        .ok_or_else(|| ParseError::whole(format!("unknown teamd runner '{runner_name}'")))?;
    let ports = root
        .get("ports")
        .and_then(Value::as_object)
        .ok_or_else(|| {
            ParseError::whole(
                "no 'ports' object: the dump carries no port state (teamdctl's own state view \
             refuses it too), so the team's redundancy cannot be judged",
            )
        })?;
    if ports.len() > MAX_MEMBERS {
        return Err(ParseError::whole(format!(
            "{} ports: more than the {MAX_MEMBERS} a team is read with, not a real dump",
            ports.len()
        )));
    }
    let runner = root.get("runner").and_then(Value::as_object);

    let mut team = Aggregate::new(name, Kind::Team, mode);
    for (port_name, port) in ports {
        team.members.push(port_member(port_name, port)?);
    }

    if mode == Mode::ActiveBackup {
        team.active = runner
            .and_then(|r| r.get("active_port"))
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string);
        team.primary = preferred_port(&team.members);
    }
    if mode == Mode::Lacp {
        team.active_aggregator = active_aggregator(runner, &team.members);
        if team.active_aggregator.is_none() && team.members_up() > 0 {
            team.notes.push("no aggregator selected".into());
        }
    }
    Ok(team)
}

/// Most JSON objects a dump may hold: about 10 a port and a few of the team's, for
/// [`MAX_MEMBERS`] ports, with room to spare.
const MAX_OBJECTS: usize = 16 * MAX_MEMBERS;

/// How many JSON objects (`{` outside strings) the text opens.
fn objects(text: &str) -> usize {
    let (mut n, mut in_string, mut escaped) = (0, false, false);
    for b in text.bytes() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
        } else if b == b'"' {
            in_string = true;
        } else if b == b'{' {
            n += 1;
        }
    }
    n
}

/// serde_json's error in an admin's words, with the line (not the column: the line is
/// what one opens the file at). A dump that ends early is said to be cut, as it is: teamdctl
/// killed half-way, a disk full while saving it.
fn json_error(e: &serde_json::Error, text: &str) -> ParseError {
    let line = e.line().max(1);
    // serde's Display is "MESSAGE at line L column C"; the message alone is what is reworded.
    let full = e.to_string();
    let message = full
        .strip_suffix(&format!(" at line {} column {}", e.line(), e.column()))
        .unwrap_or(&full);
    if e.is_eof() {
        let inside = match message.strip_prefix("EOF while parsing ") {
            Some("a string") => "the JSON ends inside a string",
            Some("a list") => "the JSON ends inside a list",
            Some("an object") => "the JSON ends inside an object",
            Some("a value") => "the JSON ends where a value should follow",
            _ => "the JSON ends early",
        };
        return ParseError::whole(format!("cut: {inside}, line {line}"));
    }
    let why = match message {
        "recursion limit exceeded" => {
            "nested more than 128 levels deep (a teamd dump is a few levels deep)".to_string()
        }
        "trailing characters" => "text after the end of the JSON".to_string(),
        "expected value" => "a value should be here".to_string(),
        "key must be a string" => "an object key that is not a string".to_string(),
        other => other.replace('`', "'"),
    };
    let content = text.lines().nth(line - 1).unwrap_or("");
    ParseError::at(line, content, format!("not valid JSON: {why}"))
}

fn port_member(name: &str, port: &Value) -> Result<Member, ParseError> {
    if !is_ifname(name) {
        let shown: String = name.chars().take(40).collect();
        return Err(ParseError::whole(format!(
            "port '{shown}' is not an interface name"
        )));
    }
    let bad = |what: &str| ParseError::whole(format!("port '{name}': {what}"));
    let port = port.as_object().ok_or_else(|| bad("expected an object"))?;
    let link = port
        .get("link")
        .and_then(Value::as_object)
        .ok_or_else(|| bad("no 'link' object"))?;
    let link_up = link
        .get("up")
        .and_then(Value::as_bool)
        .ok_or_else(|| bad("no 'link.up'"))?;
    let watches = port.get("link_watches").and_then(Value::as_object);
    let watch_up = watches.and_then(|w| w.get("up")).and_then(Value::as_bool);
    let up = link_up && watch_up.unwrap_or(true);
    let state = match (link_up, watch_up) {
        (true, Some(false)) => "link up, link watch down",
        (true, _) => "up",
        (false, _) => "down",
    };

    let mut m = Member {
        name: name.to_string(),
        link: state.to_string(),
        up,
        speed_mbps: link
            .get("speed")
            .and_then(Value::as_u64)
            .filter(|s| *s > 0 && *s != u64::from(u32::MAX)),
        duplex: link
            .get("duplex")
            .and_then(Value::as_str)
            .filter(|d| *d == "full" || *d == "half")
            .map(str::to_string),
        link_failures: watches.and_then(down_counts),
        ..Member::default()
    };

    if let Some(r) = port.get("runner").and_then(Value::as_object) {
        m.aggregator_id = r
            .get("aggregator")
            .and_then(|a| a.get("id"))
            .or_else(|| r.get("aggregator_id"))
            .and_then(Value::as_u64)
            .and_then(|id| u32::try_from(id).ok());
        m.selected = r
            .get("aggregator")
            .and_then(|a| a.get("selected"))
            .or_else(|| r.get("selected"))
            .and_then(Value::as_bool);
        m.lacp_state = r.get("state").and_then(Value::as_str).map(str::to_string);
        if let Some(p) = r
            .get("partner_lacpdu_info")
            .and_then(|p| p.get("system"))
            .and_then(Value::as_str)
        {
            if !is_mac(p) {
                return Err(bad("partner_lacpdu_info.system is not a MAC address"));
            }
            m.partner_mac = Some(p.to_string());
        }
        m.prio = r.get("prio").and_then(Value::as_i64);
    }
    Ok(m)
}

/// Link failures teamd counted: the sum of every link watch's `down_count`.
fn down_counts(watches: &Map<String, Value>) -> Option<u64> {
    let list = watches.get("list")?.as_object()?;
    let counts: Vec<u64> = list
        .values()
        .filter_map(|w| w.get("down_count").and_then(Value::as_u64))
        .collect();
    (!counts.is_empty()).then(|| counts.iter().sum())
}

/// activebackup: the port teamd prefers is the one with the strictly highest `prio`.
fn preferred_port(members: &[Member]) -> Option<String> {
    let best = members.iter().filter_map(|m| m.prio).max()?;
    let top: Vec<&Member> = members.iter().filter(|m| m.prio == Some(best)).collect();
    (top.len() == 1 && members.iter().all(|m| m.prio.is_some())).then(|| top[0].name.clone())
}

/// lacp: the aggregator teamd selected (old dumps name it; new ones mark its ports).
fn active_aggregator(
    runner: Option<&Map<String, Value>>,
    members: &[Member],
) -> Option<ActiveAggregator> {
    let id = runner
        .and_then(|r| r.get("selected_aggregator_id"))
        .and_then(Value::as_u64)
        .and_then(|id| u32::try_from(id).ok())
        .filter(|id| *id != 0)
        .or_else(|| {
            members
                .iter()
                .find(|m| m.selected == Some(true) && m.aggregator_id.is_some())
                .and_then(|m| m.aggregator_id)
        })?;
    let in_it: Vec<&Member> = members
        .iter()
        .filter(|m| m.aggregator_id == Some(id) && m.selected != Some(false))
        .collect();
    Some(ActiveAggregator {
        id,
        ports: Some(in_it.len() as u32),
        partner_mac: in_it.iter().find_map(|m| m.partner_mac.clone()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broken_json_names_the_line() {
        let err = parse("team0", "{\n  \"ports\": {\n    \"eth0\": ,\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("line 3 '\"eth0\": ,': not valid JSON: a value should be here"),
            "{err}"
        );
        let err = parse("team0", "{\"ports\": {\"eth0\": \"cut he").unwrap_err();
        assert_eq!(err.message, "cut: the JSON ends inside a string, line 1");
        let err = parse("team0", "{\"ports\": {}\n").unwrap_err();
        assert_eq!(err.message, "cut: the JSON ends inside an object, line 2");
        let deep = "[".repeat(100_000);
        let err = parse("team0", &deep).unwrap_err().to_string();
        assert!(err.contains("nested more than 128 levels deep"), "{err}");
        let many = format!("[{}]", vec![r#"{"":0}"#; MAX_OBJECTS + 1].join(","));
        let err = parse("team0", &many).unwrap_err().to_string();
        assert!(err.contains("more than 4096 JSON objects"), "{err}");
        // Braces inside strings (escaped quotes too) are not objects.
        let braces = format!(r#"{{"s":"\"{}"}}"#, "{".repeat(MAX_OBJECTS + 1));
        let err = parse("team0", &braces).unwrap_err().to_string();
        assert!(err.contains("no 'setup.runner_name'"), "{err}");
        let err = parse("team0", "{} x").unwrap_err().to_string();
        assert!(err.contains("text after the end of the JSON"), "{err}");
        let err = parse("team0", "").unwrap_err().to_string();
        assert!(err.contains("file is empty"), "{err}");
        let err = parse("team0", "[1]").unwrap_err().to_string();
        assert!(err.contains("expected a JSON object"), "{err}");
    }

    #[test]
    fn old_and_new_aggregator_shapes() {
        let old = r#"{"setup":{"runner_name":"lacp"},"runner":{"selected_aggregator_id":5},
          "ports":{"eth0":{"link":{"up":true},"runner":{"selected":true,"aggregator_id":5,"state":"current",
          "partner_lacpdu_info":{"system":"00:11:22:33:44:55"}}}}}"#;
        let t = parse("team0", old).unwrap();
        assert_eq!(t.active_aggregator.as_ref().unwrap().id, 5);
        assert_eq!(t.active_aggregator.as_ref().unwrap().ports, Some(1));
        let new = r#"{"setup":{"runner_name":"lacp"},"runner":{"active":true},
          "ports":{"eth0":{"link":{"up":true},"runner":{"selected":true,"aggregator":{"id":7,"selected":true},
          "state":"current","partner_lacpdu_info":{"system":"00:11:22:33:44:55"}}}}}"#;
        let t = parse("team0", new).unwrap();
        assert_eq!(t.active_aggregator.unwrap().id, 7);
        assert_eq!(t.name, "team0");
    }
}
