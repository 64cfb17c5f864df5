//! Parser for the node listings of the admin tools, both read into `node` services:
//!
//! ```text
//! euca-describe-nodes (3.x-4.1, clc/eucadmin/eucadmin/describenodes.py), tabs:
//! NODE<TAB>one<TAB><TAB>10.111.5.140<TAB>ENABLED<TAB>
//! INSTANCE<TAB>i-3c1f2a4b
//! euserv-describe-node-controllers (4.2+, admin-tools .../describenodecontrollers.py), padded:
//! NODE  one  10.111.5.140  enabled
//! INSTANCE  i-3c1f2a4b
//! ```
//!
//! `NODE zone [host] name STATE [details]`: the name is the NC's address (what DescribeServices
//! calls the node service), STATE upper case in the old tool and lower case in the new. The
//! `INSTANCE` lines (and blank lines between the per-node tables) are skipped here. The tools end
//! their output with a newline, so text that does not is cut and refused; a cut exactly at a
//! line end is a shorter listing (there is no end marker), read as such.

use common::euca::model::{Service, State};
use common::ParseError;

/// Most lines read: a cloud of 1,000 NCs with 20 instances each is 21,000 lines.
pub const MAX_LINES: usize = 100_000;

pub fn parse(text: &str) -> Result<Vec<Service>, ParseError> {
    if text.trim().is_empty() {
        return Err(ParseError::whole("the listing is empty"));
    }
    if !text.ends_with('\n') {
        let row = text.lines().count();
        let line = text.lines().last().unwrap_or("");
        return Err(ParseError::at(
            row,
            line,
            "last line not ended by a newline (listing cut?)",
        ));
    }
    let mut nodes: Vec<Service> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let row = i + 1;
        if row > MAX_LINES {
            return Err(ParseError::whole(format!(
                "more than {MAX_LINES} lines, more than any cloud lists: not read"
            )));
        }
        if line.trim().is_empty() || line.starts_with("INSTANCE") {
            continue;
        }
        let Some(rest) = line.strip_prefix("NODE") else {
            return Err(ParseError::at(
                row,
                line,
                "expected a NODE or INSTANCE line",
            ));
        };
        let fields: Vec<&str> = if rest.contains('\t') {
            // zone, host (empty in every capture), name, STATE, details
            rest.trim_start_matches('\t').split('\t').collect()
        } else {
            rest.split_whitespace().collect()
        };
        let (zone, name, state) = match fields.as_slice() {
            // euca-describe-nodes: zone, host, name, state, details...
            [zone, _host, name, state, ..] if rest.contains('\t') => (*zone, *name, *state),
            // euserv: zone, host, state, details...
            [zone, host, state, ..] if !rest.contains('\t') => (*zone, *host, *state),
            _ => {
                return Err(ParseError::at(
                    row,
                    line,
                    "expected NODE, zone, node address and state",
                ))
            }
        };
        let (zone, name, state_text) = (zone.trim(), name.trim(), state.trim());
        if zone.is_empty() || name.is_empty() {
            return Err(ParseError::at(
                row,
                line,
                "NODE line without zone or address",
            ));
        }
        let state = match State::parse(state_text) {
            Some(s) if !matches!(s, State::NotAvailable(_)) => s,
            _ => {
                return Err(ParseError::at(
                    row,
                    line,
                    format!("NC {name}: unknown state '{state_text}'"),
                ))
            }
        };
        nodes.push(Service::new("node", zone, name, state));
    }
    if nodes.is_empty() {
        return Err(ParseError::whole("no NODE line in the listing"));
    }
    Ok(nodes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_tools_read_alike() {
        let old = parse(
            "NODE\tone\t\t10.1.1.1\tENABLED\t\nINSTANCE\ti-1\nNODE\ttwo\t\t10.1.1.2\tNOTREADY\t\n",
        )
        .unwrap();
        let new = parse("NODE  one  10.1.1.1  enabled    \nINSTANCE  i-1      \n\nNODE  two  10.1.1.2  notready    \n\n")
            .unwrap();
        assert_eq!(old, new);
        assert_eq!(old[1].partition, "two");
        assert_eq!(old[1].name, "10.1.1.2");
        assert_eq!(old[1].state, State::NotReady);
    }

    #[test]
    fn cut_and_foreign_text_is_refused_naming_the_line() {
        let e = |t: &str| parse(t).unwrap_err().to_string();
        assert!(e("NODE\tone\t\t10.1.1.1\tENAB").contains("not ended by a newline"));
        assert!(e("NODE\tone\t\t10.1.1.1\tENAB\n").contains("unknown state 'ENAB'"));
        assert!(e("NODE\tone\t\t10.1\n").contains("expected NODE, zone"));
        assert!(e("<html>\n").contains("expected a NODE or INSTANCE line"));
        assert!(e("INSTANCE\ti-1\n").contains("no NODE line"));
        assert!(e("\n").contains("empty"));
    }
}
