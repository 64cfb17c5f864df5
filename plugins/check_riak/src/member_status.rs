//! `riak-admin member-status` text (riak_core 2.1.9, `riak_core_console:member_status/1`):
//! a `==== Membership ====` rule, the `Status Ring Pending Node` header, dashes, one row per
//! member (`valid      20.3%      --      'riak@10.111.5.160'`), dashes, and the tally
//! `Valid:5 / Leaving:0 / Exiting:0 / Joining:0 / Down:0`.
//!
//! Whole only with the tally, and the tally must count the rows: a cut anywhere before it, or
//! a tally that does not match, is refused (UNKNOWN), never judged as a smaller ring.

use crate::ring_status::{node_name, section_title};
use common::ParseError;

#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    /// valid, leaving, exiting, joining or down
    pub status: String,
    pub ring_percent: f64,
    /// None for `--` (no ownership change pending for it).
    pub pending_percent: Option<f64>,
    pub node: String,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct MemberStatus {
    pub members: Vec<Member>,
}

/// The states riak_core prints, in the tally's order.
pub const STATES: [&str; 5] = ["valid", "leaving", "exiting", "joining", "down"];

impl MemberStatus {
    pub fn in_state<'a>(&'a self, state: &'a str) -> impl Iterator<Item = &'a Member> + 'a {
        self.members.iter().filter(move |m| m.status == state)
    }
}

fn percent(text: &str) -> Option<f64> {
    let n: f64 = text.strip_suffix('%')?.parse().ok()?;
    (0.0..=100.0).contains(&n).then_some(n)
}

pub fn parse(text: &str) -> Result<MemberStatus, ParseError> {
    #[derive(PartialEq)]
    enum At {
        Start,
        Header,
        Dashes,
        Rows,
        Tally,
        Done,
    }
    let mut at = At::Start;
    let mut status = MemberStatus::default();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let t = line.trim();
        if t.is_empty() {
            continue;
        }
        let bad = |why: &str| Err(ParseError::at(n, line, why.to_string()));
        let dashes = t.len() > 2 && t.chars().all(|c| c == '-');
        match at {
            At::Start => match section_title(line) {
                Some("Membership") => at = At::Header,
                _ => {
                    return bad(
                        "expected the '==== Membership ====' rule of riak-admin member-status",
                    )
                }
            },
            At::Header => {
                let words: Vec<&str> = t.split_whitespace().collect();
                if words != ["Status", "Ring", "Pending", "Node"] {
                    return bad("expected the 'Status Ring Pending Node' header");
                }
                at = At::Dashes;
            }
            At::Dashes if dashes => at = At::Rows,
            At::Dashes => return bad("expected a line of dashes under the header"),
            At::Rows if dashes => at = At::Tally,
            At::Rows => {
                let f: Vec<&str> = t.split_whitespace().collect();
                let member = match f.as_slice() {
                    [state, ring, pending, node] if STATES.contains(state) => Member {
                        status: state.to_string(),
                        ring_percent: match percent(ring) {
                            Some(p) => p,
                            None => return bad("expected the ring share as N.N%"),
                        },
                        pending_percent: match *pending {
                            "--" => None,
                            p => match percent(p) {
                                Some(p) => Some(p),
                                None => return bad("expected the pending share as N.N% or --"),
                            },
                        },
                        node: match node_name(node) {
                            Some(n) => n,
                            None => return bad("expected a node name ('riak@HOST')"),
                        },
                    },
                    _ => {
                        return bad(
                            "expected 'STATUS RING% PENDING NODE' with a status of valid, leaving, exiting, joining or down",
                        )
                    }
                };
                status.members.push(member);
            }
            At::Tally => {
                let counts: Option<Vec<(String, usize)>> = t
                    .split(" / ")
                    .map(|part| {
                        let (k, v) = part.split_once(':')?;
                        Some((k.trim().to_ascii_lowercase(), v.trim().parse().ok()?))
                    })
                    .collect();
                let Some(counts) = counts else {
                    return bad(
                        "expected the tally 'Valid:N / Leaving:N / Exiting:N / Joining:N / Down:N'",
                    );
                };
                let keys: Vec<&str> = counts.iter().map(|(k, _)| k.as_str()).collect();
                if keys != STATES {
                    return bad(
                        "expected the tally 'Valid:N / Leaving:N / Exiting:N / Joining:N / Down:N'",
                    );
                }
                for (state, count) in &counts {
                    if status.in_state(state).count() != *count {
                        return bad(&format!(
                            "the tally says {count} {state}, the rows list {}: not read whole",
                            status.in_state(state).count()
                        ));
                    }
                }
                at = At::Done;
            }
            At::Done => return bad("text after the tally"),
        }
    }
    if at != At::Done {
        return Err(ParseError::whole(
            "no tally line (Valid:N / ... / Down:N): not riak-admin member-status, or cut off",
        ));
    }
    Ok(status)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO: &str = "==== Membership ====\nStatus Ring Pending Node\n-----\nvalid 50.0% -- 'riak@a'\ndown 50.0% -- 'riak@b'\n-----\nValid:1 / Leaving:0 / Exiting:0 / Joining:0 / Down:1\n";

    #[test]
    fn rows_and_tally_agree() {
        let s = parse(TWO).unwrap();
        assert_eq!(s.in_state("down").next().unwrap().node, "riak@b");
        let lying = TWO.replace("Down:1", "Down:2");
        assert!(parse(&lying)
            .unwrap_err()
            .to_string()
            .contains("tally says 2 down"));
        assert!(parse(&TWO.replace("down ", "sleeping ")).is_err());
        assert!(parse(&TWO.replace("50.0%", "150.0%")).is_err());
        assert!(parse("").is_err());
    }
}
