//! `riak-admin cluster status` text (Riak 2.x, clique table, layout from basho_docs
//! `riak/kv/2.1.4/using/admin/commands.md`): `---- Cluster Status ----`, `Ring ready: BOOL`,
//! and a table of `| node | status | avail | ring | pending |` between `+---+` borders, the
//! claimant marked `(C)`, an unexpected availability marked with `!` (`down!`).
//!
//! Whole only once the table's closing border is read: a cut before it is refused (UNKNOWN).

use crate::member_status::STATES;
use crate::ring_status::node_name;
use common::ParseError;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ClusterStatus {
    pub ready: bool,
    pub nodes: Vec<ClusterNode>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ClusterNode {
    pub node: String,
    pub claimant: bool,
    pub status: String,
    /// `up`, `down` (`!` dropped: every down member is judged, expected or not).
    pub avail: String,
}

pub fn parse(text: &str) -> Result<ClusterStatus, ParseError> {
    let mut ready = None;
    let mut borders = 0;
    let mut header = false;
    let mut nodes = Vec::new();
    let mut title = false;
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let t = line.trim();
        if t.is_empty() {
            continue;
        }
        let bad = |why: &str| Err(ParseError::at(n, line, why.to_string()));
        if !title {
            if t.trim_matches('-').trim() != "Cluster Status" {
                return bad("expected '---- Cluster Status ----' (riak-admin cluster status)");
            }
            title = true;
            continue;
        }
        if borders == 3 {
            // clique's key after the table ("Key: (C) = Claimant; ..."): words for people.
            continue;
        }
        if let Some(v) = t.strip_prefix("Ring ready:") {
            ready = match v.trim() {
                "true" => Some(true),
                "false" => Some(false),
                _ => return bad("expected 'Ring ready: true' or 'false'"),
            };
            continue;
        }
        if t.starts_with('+') && t.ends_with('+') && t.chars().all(|c| c == '+' || c == '-') {
            borders += 1;
            continue;
        }
        let cells: Vec<&str> = match t.strip_prefix('|').and_then(|r| r.strip_suffix('|')) {
            Some(inner) => inner.split('|').map(str::trim).collect(),
            None => return bad("expected a table row between '|'"),
        };
        if cells.len() != 5 {
            return bad("expected 5 columns: node, status, avail, ring, pending");
        }
        match borders {
            1 if !header && cells[..3] == ["node", "status", "avail"] => header = true,
            2 => {
                let (claimant, name) = match cells[0].strip_prefix("(C)") {
                    Some(rest) => (true, rest),
                    None => (false, cells[0]),
                };
                let Some(node) = node_name(name) else {
                    return bad("expected a node name ('riak@HOST')");
                };
                if !STATES.contains(&cells[1]) {
                    return bad("expected a status of valid, leaving, exiting, joining or down");
                }
                let avail = cells[2].trim_end_matches('!');
                if !matches!(avail, "up" | "down") {
                    return bad("expected availability up or down");
                }
                nodes.push(ClusterNode {
                    node,
                    claimant,
                    status: cells[1].to_string(),
                    avail: avail.to_string(),
                });
            }
            _ => return bad("a table row outside the table"),
        }
    }
    match (ready, borders, header) {
        (Some(ready), 3, true) if !nodes.is_empty() => Ok(ClusterStatus { ready, nodes }),
        (None, _, _) => Err(ParseError::whole(
            "no 'Ring ready:' line: not riak-admin cluster status, or cut off",
        )),
        _ => Err(ParseError::whole(
            "the node table is not closed: riak-admin cluster status output cut off",
        )),
    }
}
