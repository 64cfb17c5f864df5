//! What both sources describe: a link aggregate (a kernel bond or a libteam team) and its
//! members. The parsers fill it; `evaluate` judges it without caring where it came from.

use std::fmt;

/// Kernel bonding driver or libteam's teamd.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Bond,
    Team,
}

impl Kind {
    /// What a member is called in messages.
    pub fn member_word(self) -> &'static str {
        match self {
            Kind::Bond => "slave",
            Kind::Team => "port",
        }
    }
}

/// The aggregation mode (bonding mode or teamd runner).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    RoundRobin,
    ActiveBackup,
    Xor,
    Broadcast,
    Lacp,
    Tlb,
    Alb,
    /// teamd only: hash-based load balancing without LACP.
    LoadBalance,
    /// teamd only.
    Random,
}

impl Mode {
    /// Modes that spread traffic over all members at once: there a slower member caps or
    /// skews the bond. (active-backup uses one at a time, so a 1G backup to a 10G primary is
    /// normal; broadcast sends everything on every member.)
    pub fn balances_load(self) -> bool {
        matches!(
            self,
            Mode::RoundRobin
                | Mode::Xor
                | Mode::Lacp
                | Mode::Tlb
                | Mode::Alb
                | Mode::LoadBalance
                | Mode::Random
        )
    }

    /// The kernel's name (`mode=` in ifcfg/netplan), or teamd's runner name for team-only modes.
    pub fn bond_name(self) -> &'static str {
        match self {
            Mode::RoundRobin => "balance-rr",
            Mode::ActiveBackup => "active-backup",
            Mode::Xor => "balance-xor",
            Mode::Broadcast => "broadcast",
            Mode::Lacp => "802.3ad",
            Mode::Tlb => "balance-tlb",
            Mode::Alb => "balance-alb",
            Mode::LoadBalance => "loadbalance",
            Mode::Random => "random",
        }
    }

    /// teamd's runner name, where teamd has one.
    pub fn team_name(self) -> Option<&'static str> {
        match self {
            Mode::RoundRobin => Some("roundrobin"),
            Mode::ActiveBackup => Some("activebackup"),
            Mode::Broadcast => Some("broadcast"),
            Mode::Lacp => Some("lacp"),
            Mode::LoadBalance => Some("loadbalance"),
            Mode::Random => Some("random"),
            Mode::Xor | Mode::Tlb | Mode::Alb => None,
        }
    }

    /// The name shown for an aggregate of this kind.
    pub fn name_for(self, kind: Kind) -> &'static str {
        match kind {
            Kind::Bond => self.bond_name(),
            Kind::Team => self.team_name().unwrap_or(self.bond_name()),
        }
    }

    /// The mode a bonding `Bonding Mode:` line names (its text without any suffix such as
    /// "(fail_over_mac active)").
    pub fn from_proc_text(text: &str) -> Option<Mode> {
        let t = text.trim();
        let table = [
            ("load balancing (round-robin)", Mode::RoundRobin),
            ("fault-tolerance (active-backup)", Mode::ActiveBackup),
            ("load balancing (xor)", Mode::Xor),
            ("fault-tolerance (broadcast)", Mode::Broadcast),
            ("IEEE 802.3ad Dynamic link aggregation", Mode::Lacp),
            ("transmit load balancing", Mode::Tlb),
            ("adaptive load balancing", Mode::Alb),
        ];
        table
            .iter()
            .find(|(name, _)| t.starts_with(name))
            .map(|(_, m)| *m)
    }

    /// A teamd runner name.
    pub fn from_team_runner(name: &str) -> Option<Mode> {
        match name {
            "roundrobin" => Some(Mode::RoundRobin),
            "activebackup" => Some(Mode::ActiveBackup),
            "broadcast" => Some(Mode::Broadcast),
            "lacp" => Some(Mode::Lacp),
            "loadbalance" => Some(Mode::LoadBalance),
            "random" => Some(Mode::Random),
            _ => None,
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.bond_name())
    }
}

/// `--mode` as users write it: the kernel name, its number, or teamd's runner name.
impl std::str::FromStr for Mode {
    type Err = String;
    fn from_str(s: &str) -> Result<Mode, String> {
        let m = match s.trim().to_ascii_lowercase().as_str() {
            "balance-rr" | "0" | "roundrobin" => Mode::RoundRobin,
            "active-backup" | "1" | "activebackup" => Mode::ActiveBackup,
            "balance-xor" | "2" => Mode::Xor,
            "broadcast" | "3" => Mode::Broadcast,
            "802.3ad" | "4" | "lacp" => Mode::Lacp,
            "balance-tlb" | "5" => Mode::Tlb,
            "balance-alb" | "6" => Mode::Alb,
            "loadbalance" => Mode::LoadBalance,
            "random" => Mode::Random,
            _ => {
                return Err(String::from(
                    "expected balance-rr, active-backup, balance-xor, broadcast, \
                     802.3ad, balance-tlb, balance-alb (or 0-6, or a teamd runner: roundrobin, \
                     activebackup, lacp, loadbalance, random)",
                ))
            }
        };
        Ok(m)
    }
}

/// The LACP aggregator the bond (or team) transmits on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActiveAggregator {
    pub id: u32,
    /// Ports in it (`Number of ports`).
    pub ports: Option<u32>,
    /// The switch's LACP system MAC; all zeros when no partner answered.
    pub partner_mac: Option<String>,
}

/// One slave (bond) or port (team).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Member {
    pub name: String,
    /// Link state as the source writes it ("up", "down", "going down" ...).
    pub link: String,
    pub up: bool,
    /// Mbps, None when the driver does not know.
    pub speed_mbps: Option<u64>,
    /// "full" / "half", None when unknown.
    pub duplex: Option<String>,
    /// Link failures since the member joined (bond: Link Failure Count; team: link watch
    /// down counts).
    pub link_failures: Option<u64>,
    /// 802.3ad: the aggregator this member is attached to (None: N/A or not LACP).
    pub aggregator_id: Option<u32>,
    /// teamd lacp: whether the port is selected into the aggregator.
    pub selected: Option<bool>,
    /// 802.3ad: the partner system MAC this member hears.
    pub partner_mac: Option<String>,
    /// 802.3ad: churn machine states ("none", "monitoring", "churned").
    pub actor_churn: Option<String>,
    pub partner_churn: Option<String>,
    /// teamd lacp: port state ("current", "expired", "defaulted", "disabled").
    pub lacp_state: Option<String>,
    /// teamd activebackup: port priority (the highest is the preferred port).
    pub prio: Option<i64>,
    /// Fields whose value is not one the source ever writes (e.g. `Duplex: Unkown` in pasted
    /// text): what was read instead, so the rules that need the field can say they could not
    /// judge, and the others still judge the rest.
    pub unreadable: Vec<Unreadable>,
}

/// A member's field that could not be read, and the line it was on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    /// The field as the source names it ("Duplex", "Speed").
    pub field: String,
    /// The value found.
    pub value: String,
    pub line: usize,
}

/// A bond or team.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Aggregate {
    pub name: String,
    pub kind: Kind,
    pub mode: Mode,
    /// The bond's own carrier (MII Status); teamd's dump does not carry it.
    pub up: Option<bool>,
    /// Primary slave as configured (None: none set).
    pub primary: Option<String>,
    /// Currently active slave / port (active-backup, tlb, alb); None when "None".
    pub active: Option<String>,
    /// 802.3ad: the active aggregator, when the source shows it.
    pub active_aggregator: Option<ActiveAggregator>,
    /// The bond's own floor (`min_links`), when known and set.
    pub min_links: Option<u32>,
    /// 802.3ad: the kernel wrote "bond X has no active aggregator".
    pub no_active_aggregator: bool,
    /// Link monitoring intervals (ms) as the bond shows them; None when the source does not
    /// say (teams, trimmed captures). 0 is "off".
    pub mii_interval_ms: Option<u64>,
    pub arp_interval_ms: Option<u64>,
    pub members: Vec<Member>,
    /// Things the reader should know but that are no problem (e.g. a part the source hides).
    pub notes: Vec<String>,
    /// Oddities of the source text that were skipped (shown with -vv).
    pub parse_notes: Vec<String>,
}

impl Aggregate {
    pub fn new(name: impl Into<String>, kind: Kind, mode: Mode) -> Aggregate {
        Aggregate {
            name: name.into(),
            kind,
            mode,
            up: None,
            primary: None,
            active: None,
            active_aggregator: None,
            min_links: None,
            no_active_aggregator: false,
            mii_interval_ms: None,
            arp_interval_ms: None,
            members: Vec::new(),
            notes: Vec::new(),
            parse_notes: Vec::new(),
        }
    }

    pub fn members_up(&self) -> usize {
        self.members.iter().filter(|m| m.up).count()
    }
}

/// A MAC of all zeros: the LACP partner never answered.
/// Most slaves (ports) one bond (team) is read with. Neither driver has a fixed limit, but a
/// real one has a handful (a server has a few NICs); a file claiming thousands is hostile or
/// garbage, and judging it would cost memory by the member (a 1 MiB dump of minimal ports made
/// a 67 MiB process).
pub const MAX_MEMBERS: usize = 256;

/// Interface names as the kernel allows them (`dev_valid_name`: at most IFNAMSIZ-1 = 15
/// bytes, no '/', ':' or whitespace, not "." or ".."), and not starting with '-': a name is
/// passed to teamdctl as an argument, where a leading '-' would be read as an option.
pub fn is_ifname(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 15
        && name != "."
        && name != ".."
        && !name.starts_with('-')
        && !name.contains(['/', ':'])
        && !name.chars().any(|c| c.is_whitespace() || c.is_control())
}

pub fn is_zero_mac(mac: &str) -> bool {
    !mac.is_empty() && mac.split(':').all(|octet| octet.chars().all(|c| c == '0'))
}

/// Colon-separated two-digit hex octets, at least six (Ethernet; InfiniBand has 20).
pub fn is_mac(text: &str) -> bool {
    let octets: Vec<&str> = text.split(':').collect();
    octets.len() >= 6
        && octets
            .iter()
            .all(|o| o.len() == 2 && o.chars().all(|c| c.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_parse_from_every_spelling() {
        for (text, mode) in [
            ("802.3ad", Mode::Lacp),
            ("4", Mode::Lacp),
            ("LACP", Mode::Lacp),
            ("active-backup", Mode::ActiveBackup),
            ("activebackup", Mode::ActiveBackup),
            ("balance-alb", Mode::Alb),
        ] {
            assert_eq!(text.parse::<Mode>().unwrap(), mode, "{text}");
        }
        assert!("bogus".parse::<Mode>().is_err());
        assert_eq!(
            Mode::from_proc_text("fault-tolerance (active-backup) (fail_over_mac active)"),
            Some(Mode::ActiveBackup)
        );
        assert_eq!(Mode::from_proc_text("IEEE 802.3ad Dyn"), None);
    }

    #[test]
    fn macs() {
        assert!(is_zero_mac("00:00:00:00:00:00"));
        assert!(!is_zero_mac("00:00:00:00:00:01"));
        assert!(is_mac("3c:ec:ef:5e:71:58"));
        assert!(!is_mac("3c:ec:ef:5e:71:5"));
        assert!(!is_mac("3c:ec:ef"));
    }
}
