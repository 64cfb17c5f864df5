//! A small non-recursive XML reader for the CLC's answers and the NC's GNI file
//! (`common::xml`, feature `xml`): elements, text (with the five predefined entities and
//! character references decoded), CDATA, comments, processing instructions and a skipped
//! DOCTYPE. It builds a flat pre-order list of nodes (no namespace resolution; attributes are
//! checked, kept as written and decoded when asked for) because the answers are read by local
//! element name only; roxmltree, which built a full DOM with namespaces,
//! cost three quarters of the whole check's 4.2 M instructions on a 45-service answer.
//!
//! Well-formedness that matters for a cut or foreign answer is kept: every opened element
//! must be closed by its own name, one root, no text outside it, no unclosed markup, no
//! unknown entity (entities declared in a DOCTYPE are not expanded: the CLC sends none, and
//! not expanding them is what keeps "billion laughs" out). Nesting deeper than the caller's
//! limit stops the reading before anything deeper is stored.

use std::borrow::Cow;

/// One node of the document, in document order.
#[derive(Debug)]
pub struct Node<'a> {
    /// Local element name (after any `prefix:`); `None` for a text node.
    pub name: Option<&'a str>,
    /// Decoded text of a text node (empty for an element).
    pub text: Cow<'a, str>,
    /// Byte offset in the input where the node starts (for error lines).
    pub start: usize,
    /// Index one past this node's last descendant: its descendants are `self+1..end`.
    pub end: usize,
    /// An element's attributes as written (checked, not decoded), between its name and `>`;
    /// read one with [`Document::attribute`]. Empty for a text node.
    pub attributes: &'a str,
}

/// Why the text is not read.
#[derive(Debug)]
pub enum Error {
    /// Not well-formed at this byte offset.
    At(usize, String),
    /// Elements nest deeper than the limit.
    TooDeep,
}

pub struct Document<'a> {
    pub nodes: Vec<Node<'a>>,
}

impl<'a> Document<'a> {
    /// Index of the root element.
    pub fn root(&self) -> usize {
        self.nodes
            .iter()
            .position(|n| n.name.is_some())
            .unwrap_or(0)
    }

    pub fn name(&self, i: usize) -> &'a str {
        self.nodes[i].name.unwrap_or("")
    }

    /// Direct child elements of `i`.
    pub fn elements(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        let end = self.nodes[i].end;
        let mut j = i + 1;
        std::iter::from_fn(move || {
            while j < end {
                let here = j;
                j = self.nodes[here].end;
                if self.nodes[here].name.is_some() {
                    return Some(here);
                }
            }
            None
        })
    }

    /// The decoded value of attribute `name` (local name, any `prefix:` ignored) of element
    /// `i`; None when it has none. The reader checked every attribute when it read the tag.
    pub fn attribute(&self, i: usize, name: &str) -> Option<Cow<'a, str>> {
        let raw = self.nodes[i].attributes;
        let b = raw.as_bytes();
        let mut j = 0;
        loop {
            j = skip_space(b, j);
            let (qname, after) = read_name(raw, j).ok()?;
            let q = skip_space(b, skip_space(b, after) + 1);
            let quote = *b.get(q)?;
            let close = memchr(quote, &b[q + 1..]).map(|p| q + 1 + p)?;
            let local = qname.rsplit(':').next().unwrap_or(qname);
            if local == name {
                return decode(&raw[q + 1..close], 0).ok();
            }
            j = close + 1;
        }
    }

    /// Descendant elements of `i`, in document order.
    pub fn descendants(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        (i + 1..self.nodes[i].end).filter(|&j| self.nodes[j].name.is_some())
    }

    /// All text under `i`, trimmed.
    pub fn text_of(&self, i: usize) -> String {
        let texts = &self.nodes[i + 1..self.nodes[i].end];
        // The usual case, a leaf with one text node, needs no concatenation.
        match texts {
            [one] if one.name.is_none() => one.text.trim().to_string(),
            _ => texts
                .iter()
                .filter(|n| n.name.is_none())
                .map(|n| n.text.as_ref())
                .collect::<String>()
                .trim()
                .to_string(),
        }
    }
}

/// Read `text` into a [`Document`], refusing elements nested deeper than `max_depth`.
pub fn parse(text: &str, max_depth: usize) -> Result<Document<'_>, Error> {
    let b = text.as_bytes();
    let mut nodes: Vec<Node> = Vec::with_capacity(text.len() / 24);
    // Open elements: (node index, qualified name as written, to match the closing tag).
    let mut open: Vec<(usize, &str)> = Vec::new();
    let mut root_closed = false;
    let mut i = usize::from(text.starts_with('\u{feff}')) * 3;
    let find = |from: usize, what: &str| text[from..].find(what).map(|p| from + p);
    while i < b.len() {
        if b[i] != b'<' {
            let stop = memchr(b'<', &b[i..]).map_or(b.len(), |p| i + p);
            let raw = &text[i..stop];
            if open.is_empty() {
                if !raw.trim().is_empty() {
                    let what = if root_closed { "after" } else { "before" };
                    return Err(Error::At(i, format!("text {what} the root element")));
                }
            } else if !raw.bytes().all(|c| c.is_ascii_whitespace()) {
                // White space between elements is left out: it is trimmed from every value
                // read, and half the nodes of a pretty-printed answer were only that.
                nodes.push(Node {
                    name: None,
                    text: decode(raw, i)?,
                    start: i,
                    end: nodes.len() + 1,
                    attributes: "",
                });
            }
            i = stop;
            continue;
        }
        let rest = &b[i..];
        if rest.starts_with(b"<?") {
            i = find(i + 2, "?>")
                .ok_or_else(|| Error::At(i, "processing instruction not closed".into()))?
                + 2;
        } else if rest.starts_with(b"<!--") {
            i = find(i + 4, "-->").ok_or_else(|| Error::At(i, "comment not closed".into()))? + 3;
        } else if rest.starts_with(b"<![CDATA[") {
            let end = find(i + 9, "]]>").ok_or_else(|| Error::At(i, "CDATA not closed".into()))?;
            if open.is_empty() {
                return Err(Error::At(i, "CDATA outside the root element".into()));
            }
            nodes.push(Node {
                name: None,
                text: Cow::Borrowed(&text[i + 9..end]),
                start: i,
                end: nodes.len() + 1,
                attributes: "",
            });
            i = end + 3;
        } else if rest.starts_with(b"<!DOCTYPE") && open.is_empty() && !root_closed {
            i = skip_doctype(b, i)?;
        } else if rest.starts_with(b"<!") {
            return Err(Error::At(i, "unexpected '<!'".into()));
        } else if rest.starts_with(b"</") {
            // The usual closing tag is the open element's: compare it in place instead of
            // scanning the name (half the tags of an answer are closing tags).
            let (name, after) = match open.last() {
                Some((_, opened))
                    if rest[2..].starts_with(opened.as_bytes())
                        && matches!(
                            b.get(i + 2 + opened.len()),
                            Some(b'>' | b' ' | b'\t' | b'\r' | b'\n')
                        ) =>
                {
                    (*opened, i + 2 + opened.len())
                }
                _ => read_name(text, i + 2)?,
            };
            let close = skip_space(b, after);
            if b.get(close) != Some(&b'>') {
                return Err(Error::At(
                    i,
                    format!("closing tag </{name} not ended by '>'"),
                ));
            }
            match open.pop() {
                Some((index, opened)) if opened == name => {
                    nodes[index].end = nodes.len();
                    root_closed = open.is_empty();
                }
                Some((_, opened)) => {
                    return Err(Error::At(
                        i,
                        format!("</{name}> closes <{opened}>, which is still open"),
                    ))
                }
                None => return Err(Error::At(i, format!("</{name}> closes nothing"))),
            }
            i = close + 1;
        } else {
            if root_closed {
                return Err(Error::At(i, "a second root element".into()));
            }
            let (qname, mut j) = read_name(text, i + 1)?;
            let attributes_start = j;
            // Attributes: checked to be name="value" pairs; kept as written, decoded on demand.
            let self_closing = loop {
                j = skip_space(b, j);
                match b.get(j) {
                    None => return Err(Error::At(i, format!("tag <{qname} not closed"))),
                    Some(b'>') => break false,
                    Some(b'/') if b.get(j + 1) == Some(&b'>') => break true,
                    Some(_) => {
                        let (_, after) = read_name(text, j)?;
                        let eq = skip_space(b, after);
                        if b.get(eq) != Some(&b'=') {
                            return Err(Error::At(j, "attribute without '='".into()));
                        }
                        let q = skip_space(b, eq + 1);
                        let quote = match b.get(q) {
                            Some(&c @ (b'"' | b'\'')) => c,
                            _ => return Err(Error::At(q, "attribute value not quoted".into())),
                        };
                        let close = memchr(quote, &b[q + 1..])
                            .map(|p| q + 1 + p)
                            .ok_or_else(|| Error::At(q, "attribute value not closed".into()))?;
                        let value = &text[q + 1..close];
                        if value.contains('<') {
                            return Err(Error::At(q, "'<' in an attribute value".into()));
                        }
                        decode(value, q + 1)?;
                        j = close + 1;
                    }
                }
            };
            let local = qname
                .as_bytes()
                .iter()
                .rposition(|&c| c == b':')
                .map_or(qname, |colon| &qname[colon + 1..]);
            let index = nodes.len();
            nodes.push(Node {
                name: Some(local),
                text: Cow::Borrowed(""),
                start: i,
                end: index + 1,
                attributes: &text[attributes_start..j],
            });
            if self_closing {
                root_closed = open.is_empty();
                i = j + 2;
            } else {
                open.push((index, qname));
                if open.len() > max_depth {
                    return Err(Error::TooDeep);
                }
                i = j + 1;
            }
        }
    }
    if let Some((_, name)) = open.last() {
        return Err(Error::At(
            text.len(),
            format!("unexpected end of text: <{name}> not closed"),
        ));
    }
    if !root_closed {
        return Err(Error::At(text.len(), "no root element".into()));
    }
    Ok(Document { nodes })
}

fn memchr(c: u8, b: &[u8]) -> Option<usize> {
    b.iter().position(|&x| x == c)
}

fn skip_space(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\r' | b'\n') {
        i += 1;
    }
    i
}

/// Bytes of a name: letters, digits, '-', '.', '_', ':' and non-ASCII (UTF-8 of a non-ASCII
/// name character). A table: the name scan was the reader's hottest loop.
const NAME_BYTE: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        t[c] = b.is_ascii_alphanumeric() || b >= 0x80 || matches!(b, b':' | b'_' | b'-' | b'.');
        c += 1;
    }
    t
};

/// An element or attribute name starting at `from`: up to white space, `/`, `>` or `=`.
fn read_name(text: &str, from: usize) -> Result<(&str, usize), Error> {
    let b = text.as_bytes();
    let mut j = from;
    while let Some(&c) = b.get(j) {
        if NAME_BYTE[c as usize] {
            j += 1;
            continue;
        }
        if matches!(c, b' ' | b'\t' | b'\r' | b'\n' | b'/' | b'>' | b'=') {
            break;
        }
        return Err(Error::At(j, format!("'{}' in a name", c as char)));
    }
    let name = &text[from..j];
    let starts_well = name
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_' || c == ':');
    if !starts_well {
        let what = if j >= b.len() {
            "unexpected end of text in a tag".to_string()
        } else {
            format!("'{name}' is not a name")
        };
        return Err(Error::At(from, what));
    }
    Ok((name, j))
}

/// Skip `<!DOCTYPE ...>`, with an internal subset in brackets.
fn skip_doctype(b: &[u8], from: usize) -> Result<usize, Error> {
    let mut in_subset = false;
    let mut quote = None;
    for (j, &c) in b.iter().enumerate().skip(from + 9) {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(c),
            (None, b'[') => in_subset = true,
            (None, b']') => in_subset = false,
            (None, b'>') if !in_subset => return Ok(j + 1),
            _ => {}
        }
    }
    Err(Error::At(from, "DOCTYPE not closed".into()))
}

/// Decode the predefined entities and character references in `raw` (at byte `at`).
fn decode(raw: &str, at: usize) -> Result<Cow<'_, str>, Error> {
    let Some(first) = memchr(b'&', raw.as_bytes()) else {
        return Ok(Cow::Borrowed(raw));
    };
    let mut out = String::with_capacity(raw.len());
    out.push_str(&raw[..first]);
    let mut rest = &raw[first..];
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let offset = at + raw.len() - rest.len() + amp;
        let after = &rest[amp + 1..];
        let semi = after
            .find(';')
            .filter(|&s| s <= 10)
            .ok_or_else(|| Error::At(offset, "'&' not part of an entity".into()))?;
        let name = &after[..semi];
        let c = match name {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => name
                .strip_prefix("#x")
                .map(|h| u32::from_str_radix(h, 16))
                .or_else(|| name.strip_prefix('#').map(str::parse::<u32>))
                .and_then(Result::ok)
                .and_then(char::from_u32)
                .filter(|&c| c != '\0'),
        };
        let c = c.ok_or_else(|| Error::At(offset, format!("unknown entity &{name};")))?;
        out.push(c);
        rest = &after[semi + 1..];
    }
    out.push_str(rest);
    Ok(Cow::Owned(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        match parse(text, 64) {
            Err(Error::At(_, m)) => m,
            Err(Error::TooDeep) => "too deep".into(),
            Ok(_) => "read".into(),
        }
    }

    #[test]
    fn entities_cdata_comments_and_attributes_are_read() {
        let text = "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x \"y\">]><!-- c -->\
            <p:r xmlns:p='u' a=\"1 &gt; 0\"><a>x &amp; y &#60;&#x3e;</a><b/><c><![CDATA[<z>]]></c></p:r>";
        let doc = parse(text, 64).unwrap();
        let root = doc.root();
        assert_eq!(doc.name(root), "r");
        let kids: Vec<_> = doc.elements(root).map(|i| doc.name(i)).collect();
        assert_eq!(kids, ["a", "b", "c"]);
        let a = doc.elements(root).next().unwrap();
        assert_eq!(doc.text_of(a), "x & y <>");
        let c = doc.elements(root).nth(2).unwrap();
        assert_eq!(doc.text_of(c), "<z>");
        assert_eq!(doc.text_of(root), "x & y <><z>");
        assert_eq!(doc.attribute(root, "a").as_deref(), Some("1 > 0"));
        assert_eq!(doc.attribute(root, "p").as_deref(), Some("u")); // xmlns:p, by local name
        assert_eq!(doc.attribute(root, "missing"), None);
        assert_eq!(doc.attribute(a, "a"), None);
    }

    #[test]
    fn attributes_are_found_by_name_in_any_quoting_and_spacing() {
        let doc = parse("<n name = 'x y' version=\"5e0a7c1f\"\n x:k='&amp;'/>", 8).unwrap();
        let n = doc.root();
        assert_eq!(doc.attribute(n, "name").as_deref(), Some("x y"));
        assert_eq!(doc.attribute(n, "version").as_deref(), Some("5e0a7c1f"));
        assert_eq!(doc.attribute(n, "k").as_deref(), Some("&"));
        assert_eq!(doc.attribute(n, "nam"), None);
    }

    #[test]
    fn what_is_not_well_formed_is_refused() {
        assert_eq!(err("<a><b></a>"), "</a> closes <b>, which is still open");
        assert_eq!(err("<a><b>"), "unexpected end of text: <b> not closed");
        assert_eq!(err("<a>&bogus;</a>"), "unknown entity &bogus;");
        assert_eq!(err("<a>AT&T</a>"), "'&' not part of an entity");
        assert_eq!(err("<a></a><b/>"), "a second root element");
        assert_eq!(err("<a></a>x"), "text after the root element");
        assert_eq!(err("junk"), "text before the root element");
        assert_eq!(err("<a x=1></a>"), "attribute value not quoted");
        assert_eq!(err("<a x='1></a>"), "attribute value not closed");
        assert_eq!(err("<a><!-- x </a>"), "comment not closed");
        assert_eq!(err("<a><eu"), "tag <eu not closed");
        assert_eq!(err("<a><"), "unexpected end of text in a tag");
        assert_eq!(err("<a></a"), "closing tag </a not ended by '>'");
        assert_eq!(err("<!-- only -->"), "no root element");
        assert_eq!(err(&"<a>".repeat(65)), "too deep");
        assert_eq!(err("<a>  </a>\n"), "read");
    }
}

/// Mutations of every real DescribeServices capture: the reader must never panic, and each
/// answer is a document or an error with a byte offset inside the text (the parser turns that
/// offset into the line it names). A cheap xorshift keeps the run repeatable.
#[cfg(test)]
mod fuzz {
    use super::*;

    fn captures() -> Vec<String> {
        let dir = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../plugins/check_euca_clc/tests/fixtures/describe-services"
        );
        let mut texts: Vec<String> = std::fs::read_dir(dir)
            .expect("the plugin's fixtures")
            .filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
            .collect();
        texts.sort();
        assert!(texts.len() >= 8, "fixtures not found in {dir}");
        texts
    }

    #[test]
    fn mutated_captures_are_read_or_refused_never_a_panic() {
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let pieces: [&[u8]; 12] = [
            b"<",
            b">",
            b"/",
            b"&",
            b";",
            b"\"",
            b"'",
            b"<!--",
            b"<![CDATA[",
            b"&#x",
            b"]]>",
            b"=",
        ];
        let (mut read, mut refused) = (0, 0);
        for text in captures() {
            for _ in 0..400 {
                let mut bytes = text.clone().into_bytes();
                for _ in 0..1 + next() % 4 {
                    let at = (next() as usize) % bytes.len().max(1);
                    match next() % 4 {
                        0 => bytes.truncate(at),
                        1 if at < bytes.len() => {
                            bytes.remove(at);
                        }
                        2 => {
                            let p = pieces[(next() as usize) % pieces.len()];
                            bytes.splice(at..at, p.iter().copied());
                        }
                        _ if at < bytes.len() => bytes[at] = (next() % 256) as u8,
                        _ => {}
                    }
                }
                let mutated = String::from_utf8_lossy(&bytes);
                match parse(&mutated, 64) {
                    Ok(_) => read += 1,
                    Err(Error::At(offset, message)) => {
                        assert!(offset <= mutated.len(), "offset {offset} past the text");
                        assert!(!message.is_empty());
                        refused += 1;
                    }
                    Err(Error::TooDeep) => refused += 1,
                }
            }
        }
        // Both outcomes occur: the mutations neither all break the text nor all miss it.
        assert!(read > 0 && refused > 0, "read {read}, refused {refused}");
    }
}
