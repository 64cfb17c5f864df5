//! A properties listing, either format the Eucalyptus tools print (docs/EUCALYPTUS.md §3):
//! `euca-describe-properties` (`PROPERTY\tname\tvalue`, with `-v` also `DESCRIPTION\tname\ttext`
//! lines) or `euctl` (`name = value`). Pure: text in, [`Listing`] out.

use common::ParseError;

/// How the server hides a KEYVALUEHIDDEN property's value.
pub const HIDDEN: &str = "********";
/// Most properties read: a 4.4 cloud has about 700.
pub const MAX_PROPERTIES: usize = 50_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    DescribeProperties,
    Euctl,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Listing {
    pub format: Format,
    /// In file order, each name once.
    pub properties: Vec<(String, String)>,
}

impl Listing {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.properties
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

pub fn parse(text: &str) -> Result<Listing, ParseError> {
    if text.trim().is_empty() {
        return Err(ParseError::whole("empty"));
    }
    if !text.ends_with('\n') {
        return Err(ParseError::whole("it ends inside a line (cut)"));
    }
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let format = if first.starts_with("PROPERTY\t") || first.starts_with("DESCRIPTION\t") {
        Format::DescribeProperties
    } else {
        Format::Euctl
    };
    let mut properties: Vec<(String, String)> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let (name, value) = match format {
            Format::DescribeProperties => {
                if line.starts_with("DESCRIPTION\t") {
                    continue;
                }
                let Some(rest) = line.strip_prefix("PROPERTY\t") else {
                    return Err(ParseError::at(
                        n,
                        line,
                        "not a PROPERTY or DESCRIPTION line",
                    ));
                };
                // The value may be empty (`PROPERTY\tname\t`) or absent (`PROPERTY\tname`).
                rest.split_once('\t').unwrap_or((rest, ""))
            }
            Format::Euctl => match line.split_once(" = ") {
                Some(nv) => nv,
                None => match line.strip_suffix(" =") {
                    Some(name) => (name, ""),
                    None => return Err(ParseError::at(n, line, "not a 'name = value' line")),
                },
            },
        };
        if !is_name(name) {
            return Err(ParseError::at(n, line, "not a property name"));
        }
        if !seen.insert(name.to_string()) {
            return Err(ParseError::at(n, line, "the property is listed twice"));
        }
        if properties.len() >= MAX_PROPERTIES {
            return Err(ParseError::whole(format!(
                "more than {MAX_PROPERTIES} properties"
            )));
        }
        properties.push((name.to_string(), value.to_string()));
    }
    Ok(Listing { format, properties })
}

/// `bootstrap.webservices.port`, `zone-1.storage.blockstoragemanager`.
fn is_name(name: &str) -> bool {
    name.contains('.')
        && name.len() <= 256
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASELINE: &str = include_str!("../tests/fixtures/properties/baseline.txt");
    const EUCTL: &str = include_str!("../tests/fixtures/properties/baseline-euctl.txt");

    #[test]
    fn both_formats() {
        let b = parse(BASELINE).unwrap();
        assert_eq!(
            (b.format, b.properties.len()),
            (Format::DescribeProperties, 42)
        );
        assert_eq!(b.get("bootstrap.webservices.clock_skew_sec"), Some("20"));
        let e = parse(EUCTL).unwrap();
        assert_eq!((e.format, e.properties.len()), (Format::Euctl, 41));
        assert_eq!(
            e.get("authentication.ldap_integration_configuration"),
            Some("{ 'sync': { 'enable':'false' } }")
        );
        let d = parse("PROPERTY\ta.b\t\nDESCRIPTION\ta.b\tthe b\nPROPERTY\ta.c\n").unwrap();
        assert_eq!(
            d.properties,
            [("a.b".into(), "".into()), ("a.c".into(), "".into())]
        );
    }

    #[test]
    fn cut_at_every_byte_it_is_whole_or_refused() {
        for text in [BASELINE, EUCTL] {
            let whole = parse(text).unwrap();
            for at in 0..text.len() {
                if !text.is_char_boundary(at) {
                    continue;
                }
                if let Ok(l) = parse(&text[..at]) {
                    // Cut between lines: a prefix of the whole, never a changed value.
                    assert!(text[..at].ends_with('\n'), "cut at {at}");
                    assert_eq!(
                        l.properties[..],
                        whole.properties[..l.properties.len()],
                        "cut at {at}"
                    );
                }
            }
        }
    }

    #[test]
    fn hostile_input() {
        assert!(parse("").is_err());
        assert!(parse("garbage\n").is_err());
        assert!(parse("\u{0}\u{1}\n").is_err());
        assert!(parse("PROPERTY\ta.b\t1\nPROPERTY\ta.b\t2\n")
            .unwrap_err()
            .message
            .contains("twice"));
        assert!(parse("PROPERTY\ta.b\t1\nnoise\n").is_err());
        let huge: String = (0..(MAX_PROPERTIES + 1))
            .map(|i| format!("a.p{i} = 1\n"))
            .collect();
        assert!(parse(&huge).unwrap_err().message.contains("more than"));
    }
}
