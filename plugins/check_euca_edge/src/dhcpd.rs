//! Parser for the dhcpd configuration eucanetd generates on each NC,
//! `/var/run/eucalyptus/net/euca-dhcp.conf` (`net/eucanetd_edge.c` `generate_dhcpd_config`):
//!
//! ```text
//! # automatically generated config file for DHCP server
//! default-lease-time 86400;
//! ...
//! shared-network euca {
//! subnet 10.111.0.0 netmask 255.255.0.0 {
//!   option subnet-mask 255.255.0.0;
//!   ...
//! }
//!
//! host node-10.111.10.23 {
//!   hardware ethernet d0:0d:3c:1f:2a:4b;
//!   fixed-address 10.111.10.23;
//! }
//! }
//! ```
//!
//! Only the `host` blocks are kept. The NC itself waits for the text `node-<private IP> ` in
//! this file before it starts an instance (`node/handlers.c`). eucanetd rewrites the file in
//! place (`fopen(..., "w")`), so a block left open at the end means it was read mid-write:
//! refused, never judged as a file with fewer hosts.

use common::ParseError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Host {
    /// The declaration's name, `node-10.111.10.23`.
    pub name: String,
    /// `hardware ethernet`, lower case.
    pub mac: Option<String>,
    pub fixed_address: Option<String>,
}

/// Every `host` block of the file, in order.
pub fn parse(text: &str) -> Result<Vec<Host>, ParseError> {
    if text.trim().is_empty() {
        return Err(ParseError::whole("the file is empty (being written?)"));
    }
    let tokens = tokenize(text)?;
    let mut hosts = Vec::new();
    let mut depth = 0usize;
    let mut statement: Vec<&str> = Vec::new();
    // The host block being read: its depth and what it holds so far.
    let mut host: Option<(usize, Host)> = None;
    // eucanetd writes every host inside one `shared-network euca { ... }` that ends the file:
    // without it closed, the file is cut (or not eucanetd's).
    let mut shared_at: Option<usize> = None;
    let mut shared_closed = false;
    for (line, token) in &tokens {
        match *token {
            "{" => {
                if statement.first() == Some(&"host") {
                    if host.is_some() {
                        return Err(ParseError::at(
                            *line,
                            &line_of(text, *line),
                            "a host block inside a host block",
                        ));
                    }
                    let name = statement.get(1).copied().unwrap_or("").to_string();
                    host = Some((
                        depth,
                        Host {
                            name,
                            mac: None,
                            fixed_address: None,
                        },
                    ));
                } else if statement.first() == Some(&"shared-network") && shared_at.is_none() {
                    shared_at = Some(depth);
                }
                statement.clear();
                depth += 1;
            }
            "}" => {
                if !statement.is_empty() {
                    return Err(ParseError::at(
                        *line,
                        &line_of(text, *line),
                        "a statement without its ';'",
                    ));
                }
                depth = depth.checked_sub(1).ok_or_else(|| {
                    ParseError::at(*line, &line_of(text, *line), "'}' closes nothing")
                })?;
                if host.as_ref().is_some_and(|(d, _)| *d == depth) {
                    if let Some((_, h)) = host.take() {
                        hosts.push(h);
                    }
                }
                if shared_at == Some(depth) {
                    shared_closed = true;
                }
            }
            ";" => {
                if let Some((_, h)) = host.as_mut() {
                    match statement.as_slice() {
                        ["hardware", "ethernet", mac] => h.mac = Some(mac.to_ascii_lowercase()),
                        ["fixed-address", address] => h.fixed_address = Some(address.to_string()),
                        _ => {}
                    }
                }
                statement.clear();
            }
            word => statement.push(word),
        }
    }
    if depth > 0 {
        return Err(ParseError::whole(format!(
            "cut: {depth} block(s) not closed at the end of the file (read while eucanetd was writing it?)"
        )));
    }
    if !statement.is_empty() {
        return Err(ParseError::whole(
            "cut: the last statement has no ';' (read while eucanetd was writing it?)",
        ));
    }
    if !shared_closed {
        return Err(ParseError::whole(
            "no shared-network block: cut while eucanetd was writing it, or not eucanetd's file",
        ));
    }
    Ok(hosts)
}

/// Words, quoted strings (kept with their quotes), `{`, `}` and `;`, each with its line;
/// `#` comments dropped.
fn tokenize(text: &str) -> Result<Vec<(usize, &str)>, ParseError> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let (mut i, mut line) = (0usize, 1usize);
    while i < b.len() {
        match b[i] {
            b'\n' => {
                line += 1;
                i += 1;
            }
            c if c.is_ascii_whitespace() => i += 1,
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'{' | b'}' | b';' => {
                out.push((line, &text[i..i + 1]));
                i += 1;
            }
            b'"' => {
                let end = text[i + 1..].find('"').map(|p| i + 1 + p).ok_or_else(|| {
                    ParseError::at(line, &line_of(text, line), "a quoted string not closed")
                })?;
                line += text[i..end].matches('\n').count();
                out.push((line, &text[i..=end]));
                i = end + 1;
            }
            _ => {
                let start = i;
                while i < b.len()
                    && !b[i].is_ascii_whitespace()
                    && !matches!(b[i], b'{' | b'}' | b';' | b'"' | b'#')
                {
                    i += 1;
                }
                out.push((line, &text[start..i]));
            }
        }
    }
    Ok(out)
}

fn line_of(text: &str, line: usize) -> String {
    text.lines()
        .nth(line.saturating_sub(1))
        .unwrap_or("")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What generate_dhcpd_config writes for NC 10.111.5.140 of the GNI fixture.
    pub const CONF: &str = include_str!("../tests/fixtures/euca-dhcp.conf");

    #[test]
    fn the_generated_file_gives_its_hosts() {
        let hosts = parse(CONF).unwrap();
        assert_eq!(
            hosts,
            [
                Host {
                    name: "node-10.111.10.23".into(),
                    mac: Some("d0:0d:3c:1f:2a:4b".into()),
                    fixed_address: Some("10.111.10.23".into()),
                },
                Host {
                    name: "node-10.111.10.24".into(),
                    mac: Some("d0:0d:7d:2e:9b:10".into()),
                    fixed_address: Some("10.111.10.24".into()),
                },
            ]
        );
    }

    #[test]
    fn a_file_without_hosts_is_an_empty_list() {
        let conf = "default-lease-time 86400;\nshared-network euca {\nsubnet 10.0.0.0 netmask 255.0.0.0 {\n  option routers 10.0.0.1;\n}\n}\n";
        assert_eq!(parse(conf).unwrap(), []);
    }

    #[test]
    fn broken_files_are_refused() {
        let err = |t: &str| parse(t).unwrap_err().to_string();
        assert!(err("").contains("empty"));
        assert!(err("}").contains("closes nothing"));
        assert!(err("a \"b").contains("not closed"));
        assert!(err("host a { host b { } }").contains("inside a host block"));
        assert!(err("x { y }").contains("without its ';'"));
        assert!(err("garbage").contains("no ';'"));
        assert!(
            err("# automatically generated\ndefault-lease-time 86400;\n")
                .contains("no shared-network")
        );
    }

    /// Cut at every byte: the same hosts as the whole file, or refused (never fewer hosts).
    #[test]
    fn the_file_cut_anywhere_is_the_whole_or_refused() {
        let whole = parse(CONF).unwrap();
        for cut in 0..CONF.len() {
            if let Ok(hosts) = parse(&CONF[..cut]) {
                assert_eq!(hosts, whole, "cut at {cut}");
            }
        }
    }
}
