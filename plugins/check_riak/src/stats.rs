//! Riak KV's `GET /stats` answer (JSON, one object of a few hundred keys), as the part the
//! check judges: the node's name, the ring members, the nodes it is connected to, the number
//! of partitions, the 95th percentile of get and put times, and the disks (disksup).
//!
//! Key names from `basho/riak_kv` 2.1.8 (`riak_kv_stat_bc.erl`, `riak_kv_status.erl`); the
//! same keys in the Riak 0.11 example of the basho docs (latencies `"undefined"` before the
//! first request). serde_json refuses a cut document (EOF while parsing) and nesting deeper
//! than 128 (recursion limit), so neither is ever judged.

use common::ParseError;
use serde_json::Value;

/// Largest `/stats` read: a Riak 2.x node answers 20-40 KiB; a MiB leaves room for many disks
/// and keeps the JSON tree of a hostile answer small.
pub const MAX_STATS: usize = 1024 * 1024;

#[derive(Debug, Clone, PartialEq)]
pub struct Stats {
    /// `riak@10.111.5.160`
    pub nodename: String,
    pub ring_members: Vec<String>,
    /// The other nodes this one has an Erlang distribution connection to.
    pub connected_nodes: Vec<String>,
    pub partitions: Option<u64>,
    /// Microseconds; None before the first get ("undefined").
    pub get_95: Option<f64>,
    pub put_95: Option<f64>,
    pub disks: Vec<Disk>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Disk {
    /// The mount point, `/var/lib/riak`.
    pub id: String,
    pub used_percent: f64,
}

impl Stats {
    /// Ring members this node cannot see: neither itself nor connected to it.
    pub fn not_connected(&self) -> Vec<&str> {
        self.ring_members
            .iter()
            .filter(|m| **m != self.nodename && !self.connected_nodes.contains(m))
            .map(String::as_str)
            .collect()
    }
}

pub fn parse(text: &str) -> Result<Stats, ParseError> {
    if text.trim().is_empty() {
        return Err(ParseError::whole("empty: no /stats JSON"));
    }
    let value: Value = serde_json::from_str(text).map_err(|e| {
        let why = match e.classify() {
            serde_json::error::Category::Eof => "cut off: the JSON document does not end",
            _ => "not JSON",
        };
        ParseError::whole(format!("{why} ({e})"))
    })?;
    let object = value
        .as_object()
        .ok_or_else(|| ParseError::whole("not a JSON object: not Riak's /stats"))?;
    let nodename = object
        .get("nodename")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
        .ok_or_else(|| ParseError::whole("no 'nodename': not Riak's /stats"))?
        .to_string();
    Ok(Stats {
        ring_members: names(object.get("ring_members"), "ring_members")?,
        connected_nodes: names(object.get("connected_nodes"), "connected_nodes")?,
        partitions: match object.get("ring_num_partitions") {
            None => None,
            Some(v) => {
                Some(v.as_u64().ok_or_else(|| {
                    ParseError::whole("'ring_num_partitions' is not a whole number")
                })?)
            }
        },
        get_95: latency(object.get("node_get_fsm_time_95"), "node_get_fsm_time_95")?,
        put_95: latency(object.get("node_put_fsm_time_95"), "node_put_fsm_time_95")?,
        disks: disks(object.get("disk"))?,
        nodename,
    })
}

fn names(value: Option<&Value>, key: &str) -> Result<Vec<String>, ParseError> {
    let list = value
        .and_then(Value::as_array)
        .ok_or_else(|| ParseError::whole(format!("no '{key}' list: not Riak's /stats")))?;
    list.iter()
        .map(|v| {
            v.as_str()
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .ok_or_else(|| {
                    ParseError::whole(format!("'{key}' holds something not a node name"))
                })
        })
        .collect()
}

/// A latency stat: microseconds, or `"undefined"` (no request measured yet).
fn latency(value: Option<&Value>, key: &str) -> Result<Option<f64>, ParseError> {
    match value {
        None => Ok(None),
        Some(Value::String(s)) if s == "undefined" => Ok(None),
        Some(v) => match v.as_f64() {
            Some(n) if n >= 0.0 => Ok(Some(n)),
            _ => Err(ParseError::whole(format!(
                "'{key}' is neither microseconds nor \"undefined\""
            ))),
        },
    }
}

/// disksup's list: `{"id": "/var/lib/riak", "size": KiB, "used": percent}`. Absent on nodes
/// without os_mon: no disk is then judged.
fn disks(value: Option<&Value>) -> Result<Vec<Disk>, ParseError> {
    let Some(value) = value else {
        return Ok(Vec::new());
    };
    let bad = || ParseError::whole("'disk' is not a list of {id, size, used}");
    value
        .as_array()
        .ok_or_else(bad)?
        .iter()
        .map(|d| {
            let id = d.get("id").and_then(Value::as_str).ok_or_else(bad)?;
            let used = d.get("used").and_then(Value::as_f64).ok_or_else(bad)?;
            if !(0.0..=100.0).contains(&used) {
                return Err(ParseError::whole(format!(
                    "disk {id}: used {used}% is not a percentage"
                )));
            }
            Ok(Disk {
                id: id.to_string(),
                used_percent: used,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_judged_keys_are_read() {
        let s = parse(
            r#"{"nodename":"riak@a","ring_members":["riak@a","riak@b","riak@c"],
            "connected_nodes":["riak@b"],"ring_num_partitions":64,
            "node_get_fsm_time_95":4321,"node_put_fsm_time_95":"undefined",
            "disk":[{"id":"/","size":1,"used":38}]}"#,
        )
        .unwrap();
        assert_eq!(s.not_connected(), vec!["riak@c"]);
        assert_eq!(
            (s.partitions, s.get_95, s.put_95),
            (Some(64), Some(4321.0), None)
        );
        assert_eq!(s.disks[0].used_percent, 38.0);
    }

    #[test]
    fn what_is_not_riaks_stats_is_refused() {
        for bad in [
            "",
            "[]",
            "{}",
            r#"{"nodename":"riak@a"}"#,
            r#"{"nodename":"riak@a","ring_members":[1],"connected_nodes":[]}"#,
            r#"{"nodename":"riak@a","ring_members":[],"connected_nodes":[],"node_get_fsm_time_95":"slow"}"#,
            r#"{"nodename":"riak@a","ring_members":[],"connected_nodes":[],"disk":[{"id":"/","used":140}]}"#,
            r#"{"nodename":"riak@a","ring_members":["riak@a"],"connected_nodes":[]"#,
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        let cut = parse(r#"{"nodename":"riak@a","ring_me"#)
            .unwrap_err()
            .to_string();
        assert!(cut.contains("cut off"), "{cut}");
    }

    #[test]
    fn deep_nesting_is_refused_not_a_stack_overflow() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(parse(&deep).is_err());
    }
}
