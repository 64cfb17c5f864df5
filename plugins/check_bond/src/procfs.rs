//! The kernel bonding driver's `/proc/net/bonding/<bond>` text.
//!
//! ```text
//! Ethernet Channel Bonding Driver: v3.7.1 (April 27, 2011)
//!
//! Bonding Mode: IEEE 802.3ad Dynamic link aggregation
//! Transmit Hash Policy: layer2 (0)
//! MII Status: up
//! ...
//! 802.3ad info
//! LACP rate: slow
//! Active Aggregator Info:
//!         Aggregator ID: 3
//!         Number of ports: 1
//!         Actor Key: 17
//!         Partner Key: 1
//!         Partner Mac Address: 00:00:00:00:00:00
//!
//! Slave Interface: eth1
//! MII Status: up
//! Speed: 1000 Mbps
//! Duplex: full
//! Link Failure Count: 0
//! Permanent HW addr: 00:16:35:5e:42:fc
//! Aggregator ID: 3
//! ```
//!
//! Every kernel from 2.6 (driver v3.x) to 6.x writes this shape; newer ones add lines
//! (churn states, `details actor/partner lacp pdu:` blocks, System MAC) and unknown
//! `Key: value` lines are skipped, so a new kernel line does not make the check blind. What
//! cannot be read as the format (a line without a colon, a value that is not what the
//! kernel writes, a section cut short) is an error naming the line: a half-written capture
//! must not pass for a healthy bond. One exception: a slave's `Speed`, `Duplex` or
//! `Permanent HW addr` on a whole line (one the file goes on after) holding a value the kernel
//! never writes (`Duplex: Unkown`, pasted text) is kept as an unreadable field, so that the
//! slave's link state, read fine, is still judged; the same value on the file's last,
//! unterminated line is a cut and stays an error.

use crate::model::{
    is_mac, ActiveAggregator, Aggregate, Kind, Member, Mode, Unreadable, MAX_MEMBERS,
};
use common::ParseError;

/// Keys the kernel writes; a line holding only one of them (no colon) is a known quirk of
/// some saved captures (a stray `Speed` line) and is skipped, anything else without a colon
/// is garbage.
const KNOWN_KEYS: &[&str] = &[
    "MII Status",
    "Speed",
    "Duplex",
    "Link Failure Count",
    "Permanent HW addr",
    "Slave queue ID",
    "Aggregator ID",
];

const LINK_STATES: &[&str] = &["up", "down", "going down", "going back", "fail", "unknown"];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Pdu {
    Actor,
    Partner,
}

/// A slave section while it is read: where it started and what it has shown so far.
struct SlaveBlock {
    member: Member,
    line: usize,
    text: String,
    has_mii: bool,
    has_failures: bool,
    has_aggregator: bool,
    /// An open `details ... lacp pdu:` block: which, and where it started.
    pdu: Option<(Pdu, usize, String)>,
}

/// A line position for error messages.
struct At<'a> {
    no: usize,
    text: &'a str,
    /// The file goes on after this line (it ends in a newline): the line is whole, not cut.
    whole: bool,
}

impl At<'_> {
    fn err(&self, message: impl Into<String>) -> ParseError {
        ParseError::at(self.no, self.text, message)
    }
}

/// Read one bond's /proc text. `name` is the bond (the file name); the text never says it.
pub fn parse(name: &str, text: &str) -> Result<Aggregate, ParseError> {
    let mut driver_seen = false;
    let mut mode: Option<Mode> = None;
    let mut bond_up: Option<bool> = None;
    let mut primary: Option<String> = None;
    let mut active: Option<String> = None;
    let mut ad_info_seen = false;
    let mut min_links: Option<u32> = None;
    // The Active Aggregator Info block: where it started, and its fields.
    let mut agg_block: Option<(usize, String)> = None;
    let mut agg_id: Option<u32> = None;
    let mut agg_ports: Option<u32> = None;
    let mut agg_partner: Option<String> = None;
    let mut no_active_aggregator = false;
    let mut quirks: Vec<String> = Vec::new();
    let mut slaves: Vec<SlaveBlock> = Vec::new();
    let mut last: Option<(usize, String)> = None;
    let mut mii_interval: Option<u64> = None;
    let mut arp_interval: Option<u64> = None;
    // The last line is cut when the file does not end in a newline.
    let cut_line = if text.ends_with('\n') {
        None
    } else {
        text.lines().count().checked_sub(1)
    };

    for (i, raw) in text.lines().enumerate() {
        let raw = raw.trim_end_matches('\r');
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        let at = At {
            no: i + 1,
            text: raw,
            whole: cut_line != Some(i),
        };
        last = Some((at.no, raw.to_string()));
        if !driver_seen {
            if !line.starts_with("Ethernet Channel Bonding Driver") {
                return Err(
                    at.err("expected 'Ethernet Channel Bonding Driver: ...' as the first line")
                );
            }
            driver_seen = true;
            continue;
        }
        let Some((key, value)) = line.split_once(':') else {
            if line == "802.3ad info" {
                ad_info_seen = true;
            } else if line.starts_with("bond ") && line.ends_with("has no active aggregator") {
                no_active_aggregator = true;
            } else if KNOWN_KEYS.contains(&line) {
                quirks.push(format!("line {}: '{line}' without a value, skipped", at.no));
            } else {
                return Err(at.err("expected 'Key: value'"));
            }
            continue;
        };
        let key = key.trim();
        let value = value.trim();

        if key == "Slave Interface" {
            if value.is_empty() {
                return Err(at.err("expected the slave's interface name"));
            }
            if let Some(open) = slaves.last() {
                check_slave(open, mode)?;
            }
            // The kernel lists each slave once: a second section is a file pieced together
            // (two captures pasted), whose counts would be wrong.
            if slaves.iter().any(|s| s.member.name == value) {
                return Err(at.err(format!("slave {value} listed twice")));
            }
            if slaves.len() == MAX_MEMBERS {
                return Err(at.err(format!(
                    "more than the {MAX_MEMBERS} slaves a bond is read with, not a real file"
                )));
            }
            slaves.push(SlaveBlock {
                member: Member {
                    name: value.to_string(),
                    ..Member::default()
                },
                line: at.no,
                text: raw.to_string(),
                has_mii: false,
                has_failures: false,
                has_aggregator: false,
                pdu: None,
            });
            continue;
        }

        if let Some(slave) = slaves.last_mut() {
            slave_line(slave, key, value, &at)?;
            continue;
        }

        // The bond's own lines, before the first slave.
        match key {
            "Bonding Mode" => {
                mode = Some(
                    Mode::from_proc_text(value).ok_or_else(|| at.err("unknown bonding mode"))?,
                );
            }
            "MII Status" => {
                bond_up = Some(match value {
                    "up" => true,
                    "down" => false,
                    _ => return Err(at.err("expected 'up' or 'down'")),
                });
            }
            "Primary Slave" => {
                // "eth2 (primary_reselect always)" or "None"
                let first = value.split_whitespace().next().unwrap_or("");
                if first.is_empty() {
                    return Err(at.err("expected a slave name or 'None'"));
                }
                primary = (first != "None").then(|| first.to_string());
            }
            "Currently Active Slave" => {
                if value.is_empty() {
                    return Err(at.err("expected a slave name or 'None'"));
                }
                active = (value != "None").then(|| value.to_string());
            }
            "Min links" => min_links = Some(number(value, &at)?),
            "Active Aggregator Info" => agg_block = Some((at.no, raw.to_string())),
            "Aggregator ID" => agg_id = Some(number(value, &at)?),
            "Number of ports" => agg_ports = Some(number(value, &at)?),
            "Actor Key" | "Partner Key" => {
                let _: u32 = number(value, &at)?;
            }
            "Partner Mac Address" => {
                if !is_mac(value) {
                    return Err(at.err("expected a MAC address"));
                }
                agg_partner = Some(value.to_string());
            }
            // Driver details the rules do not use are still checked for the shape the kernel
            // writes, so a capture cut inside them is not taken for a whole one.
            "MII Polling Interval (ms)" => mii_interval = Some(number(value, &at)?),
            "ARP Polling Interval (ms)" => arp_interval = Some(number(value, &at)?),
            "Up Delay (ms)"
            | "Down Delay (ms)"
            | "Peer Notification Delay (ms)"
            | "ARP Missed Max"
            | "System priority" => {
                let _: u64 = number(value, &at)?;
            }
            "System MAC address" if !is_mac(value) => {
                return Err(at.err("expected a MAC address"));
            }
            "LACP rate" if value != "slow" && value != "fast" => {
                return Err(at.err("expected 'slow' or 'fast'"));
            }
            "LACP active" if value != "on" && value != "off" => {
                return Err(at.err("expected 'on' or 'off'"));
            }
            "Transmit Hash Policy" if !value.ends_with(')') => {
                return Err(at.err("expected 'POLICY (N)'"));
            }
            // Lines a newer kernel may add.
            _ => {}
        }
    }

    let Some((last_no, last_text)) = last else {
        return Err(ParseError::whole("file is empty"));
    };
    let at_end = At {
        no: last_no,
        text: &last_text,
        whole: true,
    };
    let Some(mode) = mode else {
        return Err(at_end.err("file ends before the 'Bonding Mode' line (truncated?)"));
    };
    let Some(bond_up) = bond_up else {
        return Err(at_end.err("file ends before the bond's 'MII Status' line (truncated?)"));
    };
    if mode == Mode::Lacp && !ad_info_seen {
        return Err(at_end.err("802.3ad bond without the '802.3ad info' section (truncated?)"));
    }
    if let Some((no, text)) = &agg_block {
        if agg_id.is_none() || agg_partner.is_none() {
            return Err(ParseError::at(
                *no,
                text,
                "Active Aggregator Info block incomplete: no 'Aggregator ID' or 'Partner Mac Address' (truncated?)",
            ));
        }
    }
    if let Some(open) = slaves.last() {
        check_slave(open, Some(mode))?;
    }
    // The kernel drops a bond's carrier when its last slave leaves: "up" with no slave
    // section means the file was cut before them.
    if bond_up && slaves.is_empty() {
        return Err(at_end.err("bond MII up but the file ends before any slave (truncated?)"));
    }

    let mut bond = Aggregate::new(name, Kind::Bond, mode);
    bond.up = Some(bond_up);
    bond.primary = primary;
    bond.active = active;
    bond.min_links = min_links.filter(|m| *m > 0);
    bond.mii_interval_ms = mii_interval;
    bond.arp_interval_ms = arp_interval;
    bond.no_active_aggregator = mode == Mode::Lacp && no_active_aggregator;
    if let Some(id) = agg_id {
        bond.active_aggregator = Some(ActiveAggregator {
            id,
            ports: agg_ports,
            partner_mac: agg_partner,
        });
    }
    // "no active aggregator" is a rule of its own (evaluate); only the hidden one is a note.
    if mode == Mode::Lacp && bond.active_aggregator.is_none() && !no_active_aggregator {
        bond.notes
            .push("active aggregator not shown (newer kernels show it to root only)".to_string());
    }
    bond.parse_notes = quirks;
    bond.members = slaves.into_iter().map(|s| s.member).collect();
    Ok(bond)
}

/// One line inside a `Slave Interface:` section.
fn slave_line(slave: &mut SlaveBlock, key: &str, value: &str, at: &At) -> Result<(), ParseError> {
    // Lines of a `details actor/partner lacp pdu:` block (newer kernels).
    if let Some((which, _, _)) = slave.pdu {
        match key {
            "system priority" | "port key" | "oper key" | "port priority" | "port number" => {
                let _: u32 = number(value, at)?;
                return Ok(());
            }
            "system mac address" => {
                if !is_mac(value) {
                    return Err(at.err("expected a MAC address"));
                }
                if which == Pdu::Partner {
                    slave.member.partner_mac = Some(value.to_string());
                }
                return Ok(());
            }
            "port state" => {
                let _: u32 = number(value, at)?;
                slave.pdu = None; // the last line the kernel writes in the block
                return Ok(());
            }
            _ => check_pdu_closed(slave)?,
        }
    }
    let m = &mut slave.member;
    match key {
        "MII Status" => {
            if !LINK_STATES.contains(&value) {
                return Err(at.err("expected 'up', 'down', 'going down' or 'going back'"));
            }
            m.link = value.to_string();
            m.up = value == "up";
            slave.has_mii = true;
        }
        "Speed" => match speed(value) {
            Some(s) => m.speed_mbps = s,
            None => unreadable(m, key, value, at, "expected 'N Mbps' or 'Unknown'")?,
        },
        "Duplex" => match value.to_ascii_lowercase().as_str() {
            "full" => m.duplex = Some("full".into()),
            "half" => m.duplex = Some("half".into()),
            "unknown" => m.duplex = None,
            _ => unreadable(m, key, value, at, "expected 'full', 'half' or 'Unknown'")?,
        },
        "Link Failure Count" => {
            m.link_failures = Some(number(value, at)?);
            slave.has_failures = true;
        }
        // empty on some drivers (v3.6.0 captures)
        "Permanent HW addr" if !value.is_empty() && !is_mac(value) => {
            unreadable(m, key, value, at, "expected a MAC address")?
        }
        "Aggregator ID" => {
            m.aggregator_id = if value == "N/A" {
                None
            } else {
                Some(number(value, at)?)
            };
            slave.has_aggregator = true;
        }
        "Actor Churn State" | "Partner Churn State" => {
            if !["none", "monitoring", "churned", "unknown"].contains(&value) {
                return Err(at.err("expected a churn state (none, monitoring, churned)"));
            }
            if key.starts_with("Actor") {
                m.actor_churn = Some(value.to_string());
            } else {
                m.partner_churn = Some(value.to_string());
            }
        }
        "Actor Churned Count" | "Partner Churned Count" | "Slave queue ID" => {
            let _: u64 = number(value, at)?;
        }
        "details actor lacp pdu" => slave.pdu = Some((Pdu::Actor, at.no, at.text.to_string())),
        "details partner lacp pdu" => slave.pdu = Some((Pdu::Partner, at.no, at.text.to_string())),
        _ => {}
    }
    Ok(())
}

/// A value the kernel never writes in a field the link state does not depend on: on a whole
/// line it is recorded as unreadable (the rest of the slave is still judged), on the file's
/// cut last line it is the cut it looks like.
fn unreadable(
    m: &mut Member,
    field: &str,
    value: &str,
    at: &At,
    expected: &str,
) -> Result<(), ParseError> {
    if !at.whole {
        return Err(at.err(expected));
    }
    m.unreadable.push(Unreadable {
        field: field.to_string(),
        value: value.to_string(),
        line: at.no,
    });
    Ok(())
}

fn check_pdu_closed(slave: &SlaveBlock) -> Result<(), ParseError> {
    match &slave.pdu {
        Some((_, no, text)) => Err(ParseError::at(
            *no,
            text,
            "lacp pdu block ends before its 'port state' line (truncated?)",
        )),
        None => Ok(()),
    }
}

/// A slave section must have the lines every kernel writes for it.
fn check_slave(slave: &SlaveBlock, mode: Option<Mode>) -> Result<(), ParseError> {
    check_pdu_closed(slave)?;
    let missing = if !slave.has_mii {
        Some("MII Status")
    } else if !slave.has_failures {
        Some("Link Failure Count")
    } else if mode == Some(Mode::Lacp) && !slave.has_aggregator {
        Some("Aggregator ID")
    } else {
        None
    };
    match missing {
        Some(what) => Err(ParseError::at(
            slave.line,
            &slave.text,
            format!("slave section has no '{what}' line (truncated?)"),
        )),
        None => Ok(()),
    }
}

fn number<T: std::str::FromStr>(value: &str, at: &At) -> Result<T, ParseError> {
    value
        .parse::<T>()
        .map_err(|_| at.err("expected a whole number"))
}

/// "1000 Mbps" -> Some(Some(1000)); "Unknown" (and the -1 / 0 older kernels print for it)
/// -> Some(None); anything else -> None.
fn speed(value: &str) -> Option<Option<u64>> {
    if value.eq_ignore_ascii_case("unknown") {
        return Some(None);
    }
    let n: i64 = value.strip_suffix("Mbps")?.trim().parse().ok()?;
    Some(
        u64::try_from(n)
            .ok()
            .filter(|n| *n > 0 && *n != 65535 && *n != u32::MAX as u64),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const AB: &str = "Ethernet Channel Bonding Driver: v3.7.1 (April 27, 2011)\n\n\
Bonding Mode: fault-tolerance (active-backup)\n\
Primary Slave: eth0 (primary_reselect always)\n\
Currently Active Slave: eth1\n\
MII Status: up\n\n\
Slave Interface: eth0\n\
MII Status: down\n\
Speed: Unknown\n\
Duplex: Unknown\n\
Link Failure Count: 3\n\
Permanent HW addr: 00:1f:f3:af:d3:f0\n\n\
Slave Interface: eth1\n\
MII Status: up\n\
Speed: 1000 Mbps\n\
Duplex: full\n\
Link Failure Count: 0\n\
Permanent HW addr: 00:1f:f3:af:d3:f1\n";

    #[test]
    fn reads_an_active_backup_bond() {
        let b = parse("bond0", AB).unwrap();
        assert_eq!(b.mode, Mode::ActiveBackup);
        assert_eq!(b.up, Some(true));
        assert_eq!(b.primary.as_deref(), Some("eth0"));
        assert_eq!(b.active.as_deref(), Some("eth1"));
        assert_eq!(b.members.len(), 2);
        assert!(!b.members[0].up);
        assert_eq!(b.members[0].link_failures, Some(3));
        assert_eq!(b.members[0].speed_mbps, None);
        assert_eq!(b.members[1].speed_mbps, Some(1000));
        assert_eq!(b.members[1].duplex.as_deref(), Some("full"));
    }

    #[test]
    fn every_mode_name_is_known() {
        for (text, mode) in [
            ("load balancing (round-robin)", Mode::RoundRobin),
            ("load balancing (xor)", Mode::Xor),
            ("fault-tolerance (broadcast)", Mode::Broadcast),
            ("transmit load balancing", Mode::Tlb),
            ("adaptive load balancing", Mode::Alb),
        ] {
            let t = AB.replace("fault-tolerance (active-backup)", text);
            assert_eq!(parse("b", &t).unwrap().mode, mode, "{text}");
        }
    }

    #[test]
    fn garbage_and_cut_files_name_the_line() {
        let table: Vec<(String, &str)> = vec![
            (String::new(), "file is empty"),
            ("hello world\n".into(), "line 1 'hello world': expected 'Ethernet"),
            (AB[..AB.find("Speed: 1000 Mbps").unwrap() + 11].to_string(), "line 17 'Speed: 1000'"),
            (AB.replace("MII Status: up\n\nSlave", "MII Stat\n\nSlave"), "line 6 'MII Stat': expected 'Key: value'"),
            (AB[..AB.find("Link Failure Count: 0").unwrap()].to_string(), "line 15 'Slave Interface: eth1': slave section has no 'Link Failure Count'"),
            (AB[..AB.find("MII Status: up\n\n").unwrap()].to_string(), "file ends before the bond's 'MII Status'"),
            (AB.replace("00:1f:f3:af:d3:f1\n", "00:1f:f3:a"), "line 20 'Permanent HW addr: 00:1f:f3:a': expected a MAC"),
            (AB.replace("(active-backup)", "(active-bac"), "line 3 'Bonding Mode: fault-tolerance (active-bac': unknown bonding mode"),
            (AB[..AB.find("Duplex: full").unwrap() + 10].to_string(), "line 18 'Duplex: fu': expected 'full', 'half'"),
            ("Ethernet Channel Bonding Driver: v3.7.1\n".into(), "line 1 'Ethernet Channel Bonding Driver: v3.7.1': file ends before the 'Bonding Mode'"),
        ];
        for (text, want) in table {
            let err = parse("bond0", &text).unwrap_err().to_string();
            assert!(err.contains(want), "want '{want}' in: {err}");
        }
    }

    #[test]
    fn a_cut_lacp_pdu_block_is_an_error() {
        let text = "Ethernet Channel Bonding Driver: v6.1.0\n\n\
Bonding Mode: IEEE 802.3ad Dynamic link aggregation\nMII Status: up\n\n802.3ad info\n\n\
Slave Interface: eth0\nMII Status: up\nSpeed: 1000 Mbps\nDuplex: full\nLink Failure Count: 0\n\
Aggregator ID: 1\ndetails actor lacp pdu:\n    system priority: 65535\n";
        let err = parse("bond0", text).unwrap_err().to_string();
        assert!(
            err.contains("'details actor lacp pdu:': lacp pdu block ends"),
            "{err}"
        );
    }

    #[test]
    fn no_active_aggregator_line_is_understood() {
        let text = "Ethernet Channel Bonding Driver: v6.1.0\n\n\
Bonding Mode: IEEE 802.3ad Dynamic link aggregation\nMII Status: down\n\n802.3ad info\n\
bond bond0 has no active aggregator\n";
        let b = parse("bond0", text).unwrap();
        assert!(b.active_aggregator.is_none());
        assert!(b.no_active_aggregator);
        assert!(b.notes.is_empty(), "{:?}", b.notes);
    }

    #[test]
    fn a_value_the_kernel_never_writes_on_a_whole_line_is_kept_as_unreadable() {
        let text = AB
            .replace("Duplex: Unknown", "Duplex: Unkown")
            .replace("Speed: 1000 Mbps", "Speed: 1000");
        let b = parse("bond0", &text).unwrap();
        assert!(!b.members[0].up, "the slave's link is still read");
        let u = &b.members[0].unreadable;
        assert_eq!(u.len(), 1);
        assert_eq!(
            (u[0].field.as_str(), u[0].value.as_str(), u[0].line),
            ("Duplex", "Unkown", 11)
        );
        assert_eq!(b.members[1].unreadable[0].field, "Speed");
        assert_eq!(b.members[1].speed_mbps, None);
    }

    #[test]
    fn monitoring_intervals_are_read() {
        let text = AB.replace(
            "MII Status: up\n\nSlave",
            "MII Status: up\nMII Polling Interval (ms): 0\nARP Polling Interval (ms): 1000\n\nSlave",
        );
        let b = parse("bond0", &text).unwrap();
        assert_eq!(
            (b.mii_interval_ms, b.arp_interval_ms),
            (Some(0), Some(1000))
        );
        assert_eq!(parse("bond0", AB).unwrap().mii_interval_ms, None);
    }
}
