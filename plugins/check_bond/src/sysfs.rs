//! What `/sys/class/net/<bond>/bonding/` adds where /proc is silent.
//!
//! The 802.3ad `Active Aggregator Info` can be missing from /proc (newer kernels print it to
//! CAP_NET_ADMIN only; captures get trimmed); the same facts are in the `ad_aggregator`,
//! `ad_num_ports` and `ad_partner_mac` files where the reader may see them. `min_links` is the bond's own
//! floor, and `slaves` lists the enslaved interfaces (a cross-check against a cut /proc file).
//! Each file holds one line; empty files mean "not available".

use crate::model::{is_mac, ActiveAggregator, Aggregate, Mode};
use common::ParseError;

/// The sysfs files read, each as (shown path, contents); None when absent or unreadable.
#[derive(Debug, Clone, Default)]
pub struct SysBonding {
    pub ad_aggregator: Option<(String, String)>,
    pub ad_num_ports: Option<(String, String)>,
    pub ad_partner_mac: Option<(String, String)>,
    pub min_links: Option<(String, String)>,
    pub slaves: Option<(String, String)>,
}

/// The one value in a sysfs file, or None if the file is empty.
fn value(file: &Option<(String, String)>) -> Option<(&str, &str)> {
    let (path, text) = file.as_ref()?;
    let v = text.trim();
    (!v.is_empty()).then_some((path.as_str(), v))
}

fn number(file: &Option<(String, String)>) -> Result<Option<u32>, ParseError> {
    match value(file) {
        None => Ok(None),
        Some((path, v)) => v
            .parse::<u32>()
            .map(Some)
            .map_err(|_| ParseError::at(1, v, "expected a whole number").in_source(path)),
    }
}

/// Fill in what /proc left out.
pub fn apply(bond: &mut Aggregate, sys: &SysBonding) -> Result<(), ParseError> {
    if bond.mode == Mode::Lacp && bond.active_aggregator.is_none() {
        if let Some(id) = number(&sys.ad_aggregator)?.filter(|id| *id > 0) {
            let partner_mac = match value(&sys.ad_partner_mac) {
                Some((path, mac)) if !is_mac(mac) => {
                    return Err(ParseError::at(1, mac, "expected a MAC address").in_source(path))
                }
                other => other.map(|(_, mac)| mac.to_string()),
            };
            bond.active_aggregator = Some(ActiveAggregator {
                id,
                ports: number(&sys.ad_num_ports)?,
                partner_mac,
            });
            bond.notes
                .retain(|n| !n.starts_with("active aggregator not shown"));
            bond.notes.push("active aggregator read from /sys".into());
        }
    }
    if bond.min_links.is_none() {
        bond.min_links = number(&sys.min_links)?.filter(|m| *m > 0);
    }
    if let Some((_, list)) = value(&sys.slaves) {
        for name in list.split_whitespace() {
            if !bond.members.iter().any(|m| m.name == name) {
                bond.notes.push(format!(
                    "/sys lists slave {name} that /proc does not show (added just now?)"
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Kind;

    fn file(text: &str) -> Option<(String, String)> {
        Some(("/sys/x".into(), text.into()))
    }

    #[test]
    fn fills_the_active_aggregator_when_proc_hides_it() {
        let mut b = Aggregate::new("bond0", Kind::Bond, Mode::Lacp);
        b.notes
            .push("active aggregator not shown (newer kernels show it to root only)".into());
        let sys = SysBonding {
            ad_aggregator: file("2\n"),
            ad_num_ports: file("2\n"),
            ad_partner_mac: file("00:11:22:33:44:55\n"),
            min_links: file("0\n"),
            slaves: file("eth0 eth1\n"),
        };
        apply(&mut b, &sys).unwrap();
        let a = b.active_aggregator.clone().unwrap();
        assert_eq!((a.id, a.ports), (2, Some(2)));
        assert_eq!(b.min_links, None);
        assert!(b.notes.iter().any(|n| n.contains("slave eth0")));
        assert!(!b.notes.iter().any(|n| n.contains("not shown")));
        let mut b = Aggregate::new("bond0", Kind::Bond, Mode::Lacp);
        let bad = SysBonding {
            ad_aggregator: file("x2"),
            ..SysBonding::default()
        };
        assert!(apply(&mut b, &bad)
            .unwrap_err()
            .to_string()
            .contains("/sys/x line 1 'x2'"));
    }
}
