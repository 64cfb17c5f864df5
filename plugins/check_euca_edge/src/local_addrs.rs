//! Parser for `/proc/net/fib_trie`: the IPv4 addresses of this host (the kernel's own list, no
//! tool needed). An address of the host is a leaf of the `Local:` table followed by
//! `/32 host LOCAL`:
//!
//! ```text
//! Local:
//!   +-- 0.0.0.0/0 3 0 5
//!      |-- 10.111.5.140
//!         /32 host LOCAL
//!      |-- 10.111.255.255
//!         /32 link BROADCAST
//! ```
//!
//! Used to find which node of the GNI is this NC when `--node-ip` is not given (eucanetd
//! itself compares the GNI's node names with the host's interface addresses,
//! `net/euca_gni.c` `gni_find_self_node`).

use common::ParseError;

/// The host's own IPv4 addresses (loopback included), sorted, each once.
pub fn parse(text: &str) -> Result<Vec<String>, ParseError> {
    if text.trim().is_empty() {
        return Err(ParseError::whole("the file is empty"));
    }
    let mut out: Vec<String> = Vec::new();
    let mut leaf: Option<&str> = None;
    let mut in_local = false;
    for line in text.lines() {
        if !line.starts_with(' ') {
            in_local = line.trim_end() == "Local:";
            leaf = None;
            continue;
        }
        let t = line.trim();
        if let Some(addr) = t.strip_prefix("|-- ") {
            leaf = Some(addr.trim());
        } else if t.starts_with("/32 host LOCAL") && in_local {
            if let Some(addr) = leaf.filter(|a| a.parse::<std::net::Ipv4Addr>().is_ok()) {
                out.push(addr.to_string());
            }
        } else if t.starts_with("+-- ") {
            leaf = None;
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    pub const TRIE: &str = include_str!("../tests/fixtures/fib_trie-nc140");

    #[test]
    fn the_local_table_gives_the_hosts_addresses() {
        assert_eq!(
            parse(TRIE).unwrap(),
            ["10.111.5.140", "127.0.0.1", "169.254.169.254"]
        );
        assert!(parse("").is_err());
        assert_eq!(parse("garbage\n").unwrap(), Vec::<String>::new());
    }

    /// Cut anywhere: a subset of the whole file's addresses (the check then names the host's
    /// addresses it saw when none is a GNI node: never a wrong node).
    #[test]
    fn a_cut_file_gives_a_subset() {
        let whole = parse(TRIE).unwrap();
        for cut in 1..TRIE.len() {
            if let Ok(found) = parse(&TRIE[..cut]) {
                assert!(found.iter().all(|a| whole.contains(a)), "cut at {cut}");
            }
        }
    }
}
