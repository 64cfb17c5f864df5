//! The JVM's Heartbeat answer (`GET http://127.0.0.1:8773/services/Heartbeat`): pure parser.
//!
//! One line per component, written by `ws/server/LegacyHBPipeline.java` (3.4-4.4) with
//! `name=%-20.20s enabled=%-10.10s local=%-10.10s initialized=%-10.10s` and a newline: every
//! line is exactly 84 characters, so a line cut anywhere (even in its trailing padding) is
//! refused. Whole lines missing at the end cannot be told from a shorter list: the HTTP
//! framing (Content-Length, checked by the kit's client) guards that.

use common::ParseError;

/// Width of one line without its newline (the format's fixed widths).
const LINE_WIDTH: usize = 5 + 20 + 9 + 10 + 7 + 10 + 13 + 10;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Component {
    pub name: String,
    /// An ENABLED service of this component runs in this JVM.
    pub enabled: bool,
    /// A service of this component is hosted here (registered on this host).
    pub local: bool,
}

pub fn parse(text: &str) -> Result<Vec<Component>, ParseError> {
    if text.trim().is_empty() {
        return Err(ParseError::whole("empty: no component"));
    }
    if !text.ends_with('\n') {
        return Err(ParseError::whole("no final newline: cut"));
    }
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let bad = |why: &str| ParseError::at(i + 1, line, why.to_string());
        if line.chars().count() != LINE_WIDTH {
            return Err(bad(
                "not a Heartbeat line (each is 84 characters): cut or another format",
            ));
        }
        let mut name = None;
        let (mut enabled, mut local, mut initialized) = (None, None, None);
        for field in line.split_ascii_whitespace() {
            let Some((key, value)) = field.split_once('=') else {
                return Err(bad("expected 'key=value' fields"));
            };
            let flag = || match value {
                "true" => Ok(true),
                "false" => Ok(false),
                _ => Err(bad("expected true or false")),
            };
            match key {
                "name" if !value.is_empty() => name = Some(value.to_string()),
                "enabled" => enabled = Some(flag()?),
                "local" => local = Some(flag()?),
                "initialized" => initialized = Some(flag()?),
                _ => return Err(bad("unknown field")),
            }
        }
        match (name, enabled, local, initialized) {
            (Some(name), Some(enabled), Some(local), Some(_)) => out.push(Component {
                name,
                enabled,
                local,
            }),
            _ => return Err(bad("expected name, enabled, local and initialized")),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLC: &str = include_str!("../tests/fixtures/heartbeat/clc-4.4-healthy.txt");

    #[test]
    fn reads_every_component() {
        let c = parse(CLC).unwrap();
        assert_eq!(c.len(), 32);
        let euca = c.iter().find(|c| c.name == "eucalyptus").unwrap();
        assert!(euca.enabled && euca.local);
        let ufs = c.iter().find(|c| c.name == "user-api").unwrap();
        assert!(!ufs.enabled && !ufs.local);
    }

    #[test]
    fn every_cut_inside_a_line_is_refused() {
        let whole = parse(CLC).unwrap();
        for cut in 0..CLC.len() {
            match parse(&CLC[..cut]) {
                Err(_) => {}
                Ok(c) => {
                    assert_eq!(CLC.as_bytes()[cut - 1], b'\n', "cut at {cut} read");
                    assert_eq!(c[..], whole[..c.len()]);
                }
            }
        }
    }

    #[test]
    fn hostile() {
        for bad in [
            "",
            "\n",
            "garbage\n",
            "<html>502</html>\n",
            &CLC.replace("true ", "yes  "),
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
        let huge = CLC.repeat(5000);
        assert_eq!(parse(&huge).unwrap().len(), 32 * 5000);
    }
}
