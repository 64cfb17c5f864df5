//! A properties listing, either format the Eucalyptus tools print (docs/EUCALYPTUS.md §3):
//! `euca-describe-properties` (`PROPERTY\tname\tvalue`, with `-v` also `DESCRIPTION\tname\ttext`
//! lines) or `euctl` (`name = value`); or the `DescribeProperties` answer itself (XML, read by
//! the kit's parser), asked of the CLC or saved. Pure: text in, [`Listing`] out.

use common::euca::describe_properties::{self, Answer};
use common::ParseError;

/// How the server hides a KEYVALUEHIDDEN property's value.
pub const HIDDEN: &str = "********";
/// Most properties read: a 4.4 cloud has about 700.
pub const MAX_PROPERTIES: usize = 50_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    DescribeProperties,
    Euctl,
    /// The DescribeProperties XML answer: every property, JSON-typed ones included (what
    /// euctl leaves out it does client-side), so it compares like `euca-describe-properties`.
    Answer,
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
    if text.trim_start().starts_with('<') {
        return match describe_properties::parse(text)? {
            Answer::Properties(p) => from_answer(p),
            Answer::Error { code, message } => Err(ParseError::whole(format!(
                "a DescribeProperties error answer ({code}: {message}), no properties"
            ))),
        };
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
            // (Answer is never the format here: XML went to the kit's parser above.)
            Format::DescribeProperties | Format::Answer => {
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

/// The properties of a DescribeProperties answer, held to the rules of the text listings (names,
/// each once, at most [`MAX_PROPERTIES`]). An error quotes the name only, never a value.
pub fn from_answer(properties: Vec<(String, String)>) -> Result<Listing, ParseError> {
    if properties.len() > MAX_PROPERTIES {
        return Err(ParseError::whole(format!(
            "more than {MAX_PROPERTIES} properties"
        )));
    }
    let mut seen = std::collections::HashSet::new();
    for (i, (name, _)) in properties.iter().enumerate() {
        let quoted = || {
            // Control characters would garble the status line.
            let mut q: String = name
                .chars()
                .take(60)
                .map(|c| if c.is_control() { '?' } else { c })
                .collect();
            if name.chars().count() > 60 {
                q.push_str("...");
            }
            q
        };
        if !is_name(name) {
            return Err(ParseError::whole(format!(
                "property {} '{}' is not a property name",
                i + 1,
                quoted()
            )));
        }
        if !seen.insert(name.as_str()) {
            return Err(ParseError::whole(format!(
                "property '{}' is listed twice",
                quoted()
            )));
        }
    }
    Ok(Listing {
        format: Format::Answer,
        properties,
    })
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
    const DRIFTED: &str = include_str!("../tests/fixtures/properties/drifted.txt");
    const BASELINE_XML: &str = include_str!("../tests/fixtures/properties/baseline.xml");
    const DRIFTED_XML: &str = include_str!("../tests/fixtures/properties/drifted.xml");

    #[test]
    fn the_answer_reads_as_its_text_listing() {
        for (xml, txt) in [(BASELINE_XML, BASELINE), (DRIFTED_XML, DRIFTED)] {
            let a = parse(xml).unwrap();
            assert_eq!(a.format, Format::Answer);
            assert_eq!(a.properties, parse(txt).unwrap().properties);
        }
        let a = parse(DRIFTED_XML).unwrap();
        assert!(a
            .get("cloud.network.network_configuration")
            .unwrap()
            .contains("\"PublicIps\":[\"10.111.200.1-10.111.200.126\"]"));
        assert_eq!(a.get("objectstorage.s3provider.s3secretkey"), Some(HIDDEN));
    }

    #[test]
    fn the_answer_cut_at_every_byte_is_whole_or_refused() {
        for text in [BASELINE_XML, DRIFTED_XML] {
            let whole = parse(text).unwrap();
            // Every byte of the last 300 (the end tags), every 7th before (the debug build
            // reads each cut whole: every byte of both answers took 30 s).
            let tail = text.len().saturating_sub(300);
            for at in (0..tail).step_by(7).chain(tail..text.len()) {
                if !text.is_char_boundary(at) {
                    continue;
                }
                if let Ok(l) = parse(&text[..at]) {
                    // Only the final newline may go: the document ends at its root's end tag.
                    assert_eq!(l, whole, "cut at {at}");
                    assert!(text[at..].trim().is_empty(), "cut at {at}");
                }
            }
        }
    }

    #[test]
    fn hostile_answers() {
        let doc = |items: &str| {
            format!(
                "<euca:DescribePropertiesResponseType xmlns:euca=\"u\"><euca:properties>{items}\
                 </euca:properties></euca:DescribePropertiesResponseType>"
            )
        };
        let item = |n: &str, v: &str| {
            format!("<euca:item><euca:name>{n}</euca:name><euca:value>{v}</euca:value></euca:item>")
        };
        for bad in [
            "<",
            "<html><body>502 Proxy Error</body></html>",
            "<x/>",
            "<a><b></a>",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        let twice = doc(&(item("a.b", "1") + &item("a.b", "2")));
        let e = parse(&twice).unwrap_err();
        assert!(e.message.contains("'a.b' is listed twice"), "{e}");
        assert!(!e.to_string().contains('2'), "{e}");
        let e = parse(&doc(&item("no name\u{1}", "s3cr3t"))).unwrap_err();
        assert!(
            e.message.contains("'no name?' is not a property name"),
            "{e}"
        );
        assert!(!e.to_string().contains("s3cr3t"), "{e}");
        let error = "<Response><Errors><Error><Code>403 Forbidden</Code><Message>Signature validation failed</Message></Error></Errors></Response>";
        assert!(parse(error)
            .unwrap_err()
            .message
            .contains("error answer (403 Forbidden: Signature validation failed)"));
        // Deep nesting and too many tags end at the kit's guards, not the stack.
        let deep = format!(
            "<euca:DescribePropertiesResponseType>{}",
            "<a>".repeat(100_000)
        );
        assert!(parse(&deep).is_err());
        let many: String = (0..(MAX_PROPERTIES + 1))
            .map(|i| item(&format!("a.p{i}"), "1"))
            .collect();
        assert!(parse(&doc(&many)).is_err());
        assert!(from_answer(
            (0..=MAX_PROPERTIES)
                .map(|i| (format!("a.p{i}"), String::new()))
                .collect()
        )
        .unwrap_err()
        .message
        .contains("more than"));
    }

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
