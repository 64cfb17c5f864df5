//! `riak-admin ring-status` text (riak_core 2.1.9, `riak_core_console:ring_status/1`): three
//! sections under `==== Title ====` rules: Claimant (claimant node, its status, `Ring Ready:`),
//! Ownership Handoff (`No pending changes.` or `Owner:`/`Next Owner:` blocks of `Index:`
//! lines, each block closed by a line of dashes) and Unreachable Nodes (`All nodes are up and
//! reachable` or `The following nodes are unreachable: [...]`, then riak_core's advice).
//!
//! The listing has no end marker, so it is whole only when all three sections are there with
//! what each must hold: a cut before the last section's first line is refused (UNKNOWN), a cut
//! inside the node list too (no closing `]`). Only riak_core's advice paragraph may be cut
//! without changing what is judged.

use common::ParseError;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct RingStatus {
    pub claimant: String,
    /// `up` / `down`, as printed.
    pub claimant_status: String,
    pub ready: bool,
    pub handoffs: Vec<Handoff>,
    pub unreachable: Vec<String>,
}

/// Partitions moving from one owner to the next.
#[derive(Debug, Clone, PartialEq)]
pub struct Handoff {
    pub owner: String,
    pub next_owner: String,
    pub partitions: usize,
}

/// A `==== Title ====` rule's title (also used by member-status).
pub fn section_title(line: &str) -> Option<&str> {
    let t = line.trim();
    (t.len() > 2 && t.starts_with('=') && t.ends_with('=')).then(|| t.trim_matches('=').trim())
}

/// `'riak@10.0.0.1'` or `riak@10.0.0.1`, as riak_core prints a node (`~p` quotes it).
pub fn node_name(text: &str) -> Option<String> {
    let t = text.trim();
    let t = match t.strip_prefix('\'') {
        Some(rest) => rest.strip_suffix('\'')?,
        None => t,
    };
    let valid = !t.is_empty()
        && t.contains('@')
        && t.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '@' | '.' | '-' | '_' | ':'));
    valid.then(|| t.to_string())
}

#[derive(PartialEq, Clone, Copy)]
enum Section {
    None,
    Claimant,
    Handoff,
    Unreachable,
}

pub fn parse(text: &str) -> Result<RingStatus, ParseError> {
    let mut status = RingStatus::default();
    let mut section = Section::None;
    let (mut claimant, mut claimant_status, mut ready) = (None, None, None);
    let mut handoff_said = false;
    let mut open: Option<Handoff> = None;
    let mut unreachable_said = false;
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let t = line.trim();
        if let Some(title) = section_title(line) {
            let next = match title {
                "Claimant" if section == Section::None => Section::Claimant,
                "Ownership Handoff" if section == Section::Claimant => Section::Handoff,
                "Unreachable Nodes" if section == Section::Handoff => Section::Unreachable,
                _ => {
                    return Err(ParseError::at(
                        n,
                        line,
                        "expected the Claimant, Ownership Handoff and Unreachable Nodes sections in turn",
                    ))
                }
            };
            if next == Section::Unreachable && (open.is_some() || !handoff_said) {
                return Err(ParseError::at(
                    n,
                    line,
                    "the Ownership Handoff section is not complete",
                ));
            }
            section = next;
            continue;
        }
        if t.is_empty() {
            continue;
        }
        let bad = |why: &str| Err(ParseError::at(n, line, why.to_string()));
        match section {
            Section::None => return bad("expected the Claimant section"),
            Section::Claimant => {
                let Some((key, value)) = t.split_once(':') else {
                    return bad("expected 'Claimant:', 'Status:' or 'Ring Ready:'");
                };
                let value = value.trim();
                match key {
                    "Claimant" => match node_name(value) {
                        Some(v) => claimant = Some(v),
                        // riak_core prints 'undefined' while no claimant is known
                        None if value == "undefined" => claimant = Some(value.to_string()),
                        None => return bad("expected a node name after 'Claimant:'"),
                    },
                    "Status" if !value.is_empty() => claimant_status = Some(value.to_string()),
                    "Ring Ready" => match value {
                        "true" => ready = Some(true),
                        "false" => ready = Some(false),
                        _ => return bad("expected 'Ring Ready: true' or 'false'"),
                    },
                    _ => return bad("expected 'Claimant:', 'Status:' or 'Ring Ready:'"),
                }
            }
            Section::Handoff => {
                if t == "No pending changes." && !handoff_said {
                    handoff_said = true;
                } else if t.chars().all(|c| c == '-') {
                    match open.take() {
                        Some(h) => status.handoffs.push(h),
                        None => return bad("a line of dashes without an Owner block"),
                    }
                } else if let Some(v) = t.strip_prefix("Owner:") {
                    if open.is_some() {
                        return bad("an Owner block not closed by a line of dashes");
                    }
                    let owner = node_name(v).ok_or_else(|| {
                        ParseError::at(n, line, "expected a node name after 'Owner:'")
                    })?;
                    handoff_said = true;
                    open = Some(Handoff {
                        owner,
                        next_owner: String::new(),
                        partitions: 0,
                    });
                } else if let Some(v) = t.strip_prefix("Next Owner:") {
                    match (open.as_mut(), node_name(v)) {
                        (Some(h), Some(next)) => h.next_owner = next,
                        _ => return bad("expected 'Next Owner: NODE' inside an Owner block"),
                    }
                } else if let Some(v) = t.strip_prefix("Index:") {
                    match open.as_mut() {
                        Some(h)
                            if !v.trim().is_empty()
                                && v.trim().bytes().all(|b| b.is_ascii_digit()) =>
                        {
                            h.partitions += 1
                        }
                        _ => return bad("expected 'Index: N' inside an Owner block"),
                    }
                } else if t.starts_with("Waiting on:") || t.starts_with("Complete:") {
                    if open.is_none() || !t.ends_with(']') {
                        return bad("expected 'Waiting on: [...]' or 'Complete: [...]' inside an Owner block");
                    }
                } else {
                    return bad("not a line of the Ownership Handoff section");
                }
            }
            Section::Unreachable => {
                if unreachable_said {
                    // riak_core's advice after the list ("WARNING: The cluster state will not
                    // converge ..."): words for people, nothing to judge.
                    continue;
                }
                if t == "All nodes are up and reachable" {
                    unreachable_said = true;
                } else if let Some(list) = t.strip_prefix("The following nodes are unreachable:") {
                    let inner = list
                        .trim()
                        .strip_prefix('[')
                        .and_then(|l| l.strip_suffix(']'))
                        .ok_or_else(|| ParseError::at(n, line, "expected a [...] list of nodes"))?;
                    for item in inner.split(',') {
                        let node = node_name(item).ok_or_else(|| {
                            ParseError::at(n, line, "expected node names in the list")
                        })?;
                        status.unreachable.push(node);
                    }
                    unreachable_said = true;
                } else {
                    return bad(
                        "expected 'All nodes are up and reachable' or the unreachable nodes",
                    );
                }
            }
        }
    }
    let (Some(claimant), Some(claimant_status), Some(ready)) = (claimant, claimant_status, ready)
    else {
        return Err(ParseError::whole(
            "no Claimant section with 'Claimant:', 'Status:' and 'Ring Ready:': not riak-admin ring-status, or cut off",
        ));
    };
    if !unreachable_said {
        return Err(ParseError::whole(
            "no complete Unreachable Nodes section: riak-admin ring-status output cut off",
        ));
    }
    status.claimant = claimant;
    status.claimant_status = claimant_status;
    status.ready = ready;
    Ok(status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_names_with_or_without_quotes() {
        assert_eq!(
            node_name("'riak@10.0.0.1'").as_deref(),
            Some("riak@10.0.0.1")
        );
        assert_eq!(node_name(" riak@host-1 ").as_deref(), Some("riak@host-1"));
        for bad in ["", "'riak@a", "riak", "'riak@a b'"] {
            assert_eq!(node_name(bad), None, "{bad}");
        }
    }

    #[test]
    fn sections_out_of_order_or_missing_are_refused() {
        assert!(parse("").is_err());
        assert!(parse("=== Unreachable Nodes ===\nAll nodes are up and reachable\n").is_err());
        let no_last = "=== Claimant ===\nClaimant: 'riak@a'\nStatus: up\nRing Ready: true\n=== Ownership Handoff ===\nNo pending changes.\n";
        assert!(parse(no_last).is_err());
        let whole = format!("{no_last}=== Unreachable Nodes ===\nThe following nodes are unreachable: ['riak@b', 'riak@c']\n");
        assert_eq!(parse(&whole).unwrap().unreachable, vec!["riak@b", "riak@c"]);
    }
}
