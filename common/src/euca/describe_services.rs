//! Parser for the Empyrean `DescribeServices` answer (XML), and for the error bodies the CLC
//! sends instead.
//!
//! ```text
//! <euca:DescribeServicesResponseType xmlns:euca="http://msgs.eucalyptus.com/4.4.2">
//!   <euca:correlationId>...</euca:correlationId><euca:_return>true</euca:_return>
//!   <euca:serviceStatuses>
//!     <euca:item>
//!       <euca:serviceId>
//!         <euca:partition>one</euca:partition><euca:name>one-cc-1</euca:name>
//!         <euca:type>cluster</euca:type><euca:fullName>arn:euca:eucalyptus:one:cluster:one-cc-1/</euca:fullName>
//!         <euca:uri>http://10.111.5.130:8774/axis2/services/EucalyptusCC</euca:uri><euca:host>10.111.5.130</euca:host>
//!       </euca:serviceId>
//!       <euca:localState>ENABLED</euca:localState><euca:localEpoch>112</euca:localEpoch>
//!       <euca:statusDetails><euca:item><euca:severity>ERROR</euca:severity><euca:message>...</euca:message>...
//! ```
//!
//! The bindings are generated at CLC start-up (namespace carries the version, prefix `euca`),
//! and the exact set and order of the BaseMessage siblings was never observed live, so this
//! parser matches local names only, ignores unknown elements, needs no XML declaration and
//! takes one line or pretty-printed text alike.

use super::model::{host_of_uri, Event, Service, State};
use super::xml::{self, Document};
use crate::ParseError;

/// What the CLC answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Services(Vec<Service>),
    /// `<Response><Errors><Error><Code>..</Code><Message>..</Message>` (the query pipeline's
    /// REST fault) or `<ErrorResponse><Error>...`.
    Error {
        code: String,
        message: String,
    },
}

/// Deepest element nesting read. A real answer is 7 deep (`serviceStatuses/item/statusDetails/
/// item/message` under the root); a hostile one 20,000 deep overflowed the stack (exit 134, no
/// output) before this limit. The reader stops at the first element deeper than this.
pub const MAX_DEPTH: usize = 64;

/// Parse a DescribeServices answer or an error body.
pub fn parse(text: &str) -> Result<Answer, ParseError> {
    if text.trim().is_empty() {
        return Err(ParseError::whole("the answer is empty"));
    }
    let doc = xml::parse(text, MAX_DEPTH).map_err(|e| match e {
        xml::Error::TooDeep => {
            ParseError::whole(format!("nested deeper than {MAX_DEPTH} levels, not read"))
        }
        xml::Error::At(offset, why) => at_offset(
            text,
            offset,
            format!("not well-formed XML (truncated or not XML?): {why}"),
        ),
    })?;
    let root = doc.root();
    match doc.name(root) {
        "DescribeServicesResponseType" | "DescribeServicesResponse" => {
            parse_services(text, &doc, root).map(Answer::Services)
        }
        "Response" | "ErrorResponse" => Ok(parse_error(&doc, root)),
        other => Err(at(
            text,
            &doc,
            root,
            format!("expected DescribeServicesResponseType, found <{other}>"),
        )),
    }
}

/// How many times `byte` occurs in `bytes`, eight bytes per step: a byte-by-byte count was
/// 5 instructions a byte, a tenth of check_euca_clc's work on a 2,000-service answer.
fn count_byte(bytes: &[u8], byte: u8) -> usize {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let pattern = u64::from_ne_bytes([byte; 8]);
    let mut chunks = bytes.chunks_exact(8);
    let mut n = 0;
    for chunk in &mut chunks {
        let word = u64::from_ne_bytes(chunk.try_into().unwrap_or([0; 8])) ^ pattern;
        // The high bit of each byte that is zero (the byte sought), exactly: no carry crosses
        // bytes since the low 7 bits are added apart from the top one.
        let zero = !(((word & LOW7) + LOW7) | word | LOW7);
        n += zero.count_ones() as usize;
    }
    n + chunks.remainder().iter().filter(|b| **b == byte).count()
}

/// Refuse, before any tree is built, a document of more than `max_tags` tags (a tree of a
/// million `<a/>` would be 80 MB). When it is also nested too deep, that is said instead, the
/// refusal the XML reader itself would give. The depth scan runs only then: on every answer
/// of normal size it would be a second pass over the text (a sixth of check_euca_clc's
/// instructions on a 45-service answer, measured with callgrind) for a limit the reader
/// ([`xml::parse`]) enforces anyway.
pub fn refuse_oversized(text: &str, max_tags: usize) -> Result<(), ParseError> {
    let tags = count_byte(text.as_bytes(), b'<');
    if tags <= max_tags {
        return Ok(());
    }
    if xml_depth_over(text, MAX_DEPTH) {
        return Err(ParseError::whole(format!(
            "nested deeper than {MAX_DEPTH} levels, not read"
        )));
    }
    Err(ParseError::whole(format!(
        "{tags} XML tags, more than the {max_tags} of any cloud's answer, not read"
    )))
}

/// True when elements in `text` nest deeper than `limit`. A linear scan without recursion
/// (and without building anything), run before the XML parser so that no parser or tree walk
/// ever sees a deeper document. Comments, CDATA, processing instructions and the DOCTYPE are
/// skipped; quoted attribute values may hold `>`. Malformed text is left to the parser.
pub fn xml_depth_over(text: &str, limit: usize) -> bool {
    let b = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    let skip_to = |from: usize, end: &[u8]| -> usize {
        b[from..]
            .windows(end.len())
            .position(|w| w == end)
            .map_or(b.len(), |p| from + p + end.len())
    };
    while i < b.len() {
        if b[i] != b'<' {
            i += 1;
            continue;
        }
        let rest = &b[i..];
        if rest.starts_with(b"<!--") {
            i = skip_to(i + 4, b"-->");
        } else if rest.starts_with(b"<![CDATA[") {
            i = skip_to(i + 9, b"]]>");
        } else if rest.starts_with(b"<?") {
            i = skip_to(i + 2, b"?>");
        } else if rest.starts_with(b"<!") {
            i = skip_to(i + 2, b">");
        } else if rest.starts_with(b"</") {
            depth = depth.saturating_sub(1);
            i = skip_to(i + 2, b">");
        } else {
            // An opening tag: find its end outside quoted attribute values.
            let mut j = i + 1;
            let mut quote = None;
            while j < b.len() {
                match (quote, b[j]) {
                    (None, b'"' | b'\'') => quote = Some(b[j]),
                    (Some(q), c) if c == q => quote = None,
                    (None, b'>') => break,
                    _ => {}
                }
                j += 1;
            }
            let self_closing = j > i + 1 && j < b.len() && b[j - 1] == b'/';
            if !self_closing {
                depth += 1;
                if depth > limit {
                    return true;
                }
            }
            i = j + 1;
        }
    }
    false
}

fn parse_error(doc: &Document, root: usize) -> Answer {
    let error = doc.descendants(root).find(|&n| doc.name(n) == "Error");
    let field = |name: &str| {
        error
            .and_then(|e| child(doc, e, name))
            .map(|n| doc.text_of(n))
            .unwrap_or_default()
    };
    let mut message = field("Message");
    if message.is_empty() {
        message = doc
            .descendants(root)
            .find(|&n| doc.name(n) == "Message")
            .map(|n| doc.text_of(n))
            .unwrap_or_default();
    }
    Answer::Error {
        code: field("Code"),
        message,
    }
}

fn parse_services(text: &str, doc: &Document, root: usize) -> Result<Vec<Service>, ParseError> {
    let statuses = child(doc, root, "serviceStatuses").ok_or_else(|| {
        at(
            text,
            doc,
            root,
            "no serviceStatuses element in DescribeServicesResponseType",
        )
    })?;
    let mut services = Vec::new();
    for (i, item) in doc
        .elements(statuses)
        .filter(|&n| doc.name(n) == "item")
        .enumerate()
    {
        let n = i + 1;
        let id = child(doc, item, "serviceId").ok_or_else(|| {
            at(
                text,
                doc,
                item,
                format!("service status {n} has no serviceId"),
            )
        })?;
        let required = |name: &str| {
            child(doc, id, name)
                .map(|n| doc.text_of(n))
                .filter(|t| !t.is_empty())
                .ok_or_else(|| {
                    at(
                        text,
                        doc,
                        id,
                        format!("service {n} has no {name} in serviceId"),
                    )
                })
        };
        let kind = required("type")?;
        let name = required("name")?;
        let partition = child(doc, id, "partition")
            .map(|n| doc.text_of(n))
            .unwrap_or_default();
        let state_node = child(doc, item, "localState").ok_or_else(|| {
            at(
                text,
                doc,
                item,
                format!("service {kind} {name} has no localState"),
            )
        })?;
        let state_text = doc.text_of(state_node);
        let state = State::parse(&state_text).ok_or_else(|| {
            at(
                text,
                doc,
                state_node,
                format!("service {kind} {name}: unknown state '{state_text}'"),
            )
        })?;
        let optional = |name: &str| {
            child(doc, id, name)
                .map(|n| doc.text_of(n))
                .filter(|t| !t.is_empty() && t != "none")
        };
        let uri = optional("uri").or_else(|| {
            child(doc, id, "uris")
                .and_then(|u| doc.descendants(u).find(|&n| doc.name(n) == "entry"))
                .map(|n| doc.text_of(n))
                .filter(|t| !t.is_empty())
        });
        let host = optional("host").or_else(|| uri.as_deref().and_then(host_of_uri));
        let epoch_node = child(doc, item, "localEpoch");
        let epoch = match epoch_node.map(|n| doc.text_of(n)) {
            None => None,
            Some(t) if t.is_empty() => None,
            Some(t) => Some(t.parse::<u64>().map_err(|_| {
                at(
                    text,
                    doc,
                    epoch_node.unwrap_or(item),
                    format!("service {kind} {name}: localEpoch '{t}' is not a number"),
                )
            })?),
        };
        let events = child(doc, item, "statusDetails")
            .map(|d| {
                doc.elements(d)
                    .filter(|&n| doc.name(n) == "item")
                    .map(|e| Event {
                        severity: child(doc, e, "severity")
                            .map(|n| doc.text_of(n))
                            .unwrap_or_default(),
                        message: child(doc, e, "message")
                            .map(|n| doc.text_of(n))
                            .unwrap_or_default(),
                        timestamp: child(doc, e, "timestamp")
                            .map(|n| doc.text_of(n))
                            .unwrap_or_default(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        services.push(Service {
            kind,
            partition,
            name,
            full_name: optional("fullName"),
            uri,
            host,
            state,
            epoch,
            events,
        });
    }
    Ok(services)
}

fn child(doc: &Document, n: usize, name: &str) -> Option<usize> {
    doc.elements(n).find(|&c| doc.name(c) == name)
}

/// A parse error at the line where `node` starts.
fn at(text: &str, doc: &Document, node: usize, message: impl Into<String>) -> ParseError {
    at_offset(text, doc.nodes[node].start, message)
}

/// A parse error at the line holding byte `offset`; the end of the text is its last line that
/// has text (a cut answer names where it was cut, not an empty line after it).
fn at_offset(text: &str, offset: usize, message: impl Into<String>) -> ParseError {
    let offset = if offset >= text.len() {
        text.trim_end().len().saturating_sub(1)
    } else {
        offset
    };
    // Counted in bytes: `offset` may fall inside the last character (a multi-byte one before
    // the cut), where slicing the str would panic.
    let row = text.as_bytes()[..offset]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1;
    let line = text.lines().nth(row - 1).unwrap_or("");
    ParseError::at(row, line, message)
}

#[cfg(test)]
mod tests {
    #[test]
    fn count_byte_counts_every_occurrence_at_every_offset() {
        let text = b"<a><b>x</b><<c/>x<<<<<<<<<\xff<\x80<\x3d\x3b<";
        for start in 0..text.len() {
            for end in start..=text.len() {
                let slice = &text[start..end];
                let want = slice.iter().filter(|b| **b == b'<').count();
                assert_eq!(super::count_byte(slice, b'<'), want, "{start}..{end}");
            }
        }
        assert_eq!(super::count_byte(&[0u8; 20], 0), 20);
        assert_eq!(super::count_byte(&[0xffu8; 20], 0xff), 20);
    }

    use super::*;

    const ONE: &str = "<euca:DescribeServicesResponseType xmlns:euca=\"http://msgs.eucalyptus.com/4.4.2\">\
        <euca:userId>x</euca:userId><euca:serviceStatuses><euca:item><euca:serviceId>\
        <euca:partition>one</euca:partition><euca:name>one-cc-1</euca:name><euca:type>cluster</euca:type>\
        <euca:uri>http://10.1.1.1:8774/axis2/services/EucalyptusCC</euca:uri><euca:unknown/></euca:serviceId>\
        <euca:localState>NOTREADY</euca:localState><euca:localEpoch>7</euca:localEpoch>\
        <euca:statusDetails><euca:item><euca:severity>ERROR</euca:severity><euca:message>cc down</euca:message>\
        </euca:item></euca:statusDetails></euca:item></euca:serviceStatuses></euca:DescribeServicesResponseType>";

    #[test]
    fn local_names_unknown_siblings_and_host_from_uri() {
        let Answer::Services(s) = parse(ONE).unwrap() else {
            panic!("not services")
        };
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].kind, "cluster");
        assert_eq!(s[0].state, State::NotReady);
        assert_eq!(s[0].host.as_deref(), Some("10.1.1.1"));
        assert_eq!(s[0].epoch, Some(7));
        assert_eq!(s[0].cause(), Some("cc down"));
        // another prefix, or none, is the same document
        let other = ONE
            .replace("euca:", "e:")
            .replace("xmlns:euca=", "xmlns:e=");
        assert_eq!(parse(&other).unwrap(), parse(ONE).unwrap());
        let plain = ONE.replace("euca:", "");
        assert_eq!(parse(&plain).unwrap(), parse(ONE).unwrap());
    }

    #[test]
    fn missing_fields_and_truncation_name_what_is_wrong() {
        let e = parse(&ONE.replace("<euca:localState>NOTREADY</euca:localState>", ""))
            .unwrap_err()
            .to_string();
        assert!(e.contains("cluster one-cc-1 has no localState"), "{e}");
        let e = parse(&ONE[..300]).unwrap_err().to_string();
        assert!(e.contains("not well-formed XML"), "{e}");
        let e = parse("<html><body>proxy error</body></html>")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("expected DescribeServicesResponseType, found <html>"),
            "{e}"
        );
        let e = parse(&ONE.replace("NOTREADY", "RUNNING"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown state 'RUNNING'"), "{e}");
        assert!(parse("  ").unwrap_err().to_string().contains("empty"));
    }

    #[test]
    fn nesting_deeper_than_the_limit_is_refused_before_parsing() {
        for levels in [65, 20_000, 1_000_000] {
            let deep = format!("{}{}", "<a>".repeat(levels), "</a>".repeat(levels));
            let e = parse(&deep).unwrap_err().to_string();
            assert_eq!(
                e,
                "cannot parse input: nested deeper than 64 levels, not read"
            );
        }
        // a real answer, self-closing tags, comments and quoted '>' do not count as depth
        assert!(parse(ONE).is_ok());
        let flat = format!(
            "<r a='>'>{}<!-- <x><x><x> --><![CDATA[<y><y>]]></r>",
            "<e/>".repeat(10_000)
        );
        assert!(!xml_depth_over(&flat, 2));
        assert!(xml_depth_over("<a><b><c>", 2));
        assert!(!xml_depth_over("<a><b></b><b></b></a>", 2));
    }

    #[test]
    fn error_bodies_give_code_and_message() {
        let body = "<?xml version=\"1.0\"?><Response><Errors><Error><Code>403 Forbidden</Code>\
            <Message>Signature validation failed</Message></Error></Errors><RequestID>x</RequestID></Response>";
        assert_eq!(
            parse(body).unwrap(),
            Answer::Error {
                code: "403 Forbidden".into(),
                message: "Signature validation failed".into()
            }
        );
    }
}
