//! What the EC2-style answer parsers (DescribeInstances, DescribeImages, DescribeConversionTasks,
//! DescribeProperties) share: the guards run before any tree is built (depth, tag count), the
//! root check, the error bodies, and errors that name a line.

use super::describe_services::{refuse_oversized, MAX_DEPTH};
use super::xml::{self, Document};
use crate::ParseError;

/// A read document, or the error body a service sent instead.
pub(crate) enum Read<'a> {
    Doc(Document<'a>),
    Error { code: String, message: String },
}

/// Read `text` whose root must be one of `roots` (local names), refusing more than
/// `max_tags` tags or nesting deeper than [`MAX_DEPTH`] before the tree is built.
pub(crate) fn read<'a>(
    text: &'a str,
    roots: &[&str],
    max_tags: usize,
) -> Result<Read<'a>, ParseError> {
    if text.trim().is_empty() {
        return Err(ParseError::whole("the answer is empty"));
    }
    refuse_oversized(text, max_tags)?;
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
    let name = doc.name(root);
    if name == "Response" || name == "ErrorResponse" {
        let field = |n: &str| {
            doc.descendants(root)
                .find(|&i| doc.name(i) == n)
                .map(|i| doc.text_of(i))
                .unwrap_or_default()
        };
        return Ok(Read::Error {
            code: field("Code"),
            message: field("Message"),
        });
    }
    if !roots.contains(&name) {
        return Err(at_offset(
            text,
            doc.nodes[root].start,
            format!("expected {}, found <{name}>", roots[0]),
        ));
    }
    Ok(Read::Doc(doc))
}

/// The first direct child element of `n` named `name`.
pub(crate) fn child(doc: &Document, n: usize, name: &str) -> Option<usize> {
    doc.elements(n).find(|&c| doc.name(c) == name)
}

/// The text of the direct child `name`, empty when absent.
pub(crate) fn text(doc: &Document, n: usize, name: &str) -> String {
    child(doc, n, name)
        .map(|c| doc.text_of(c))
        .unwrap_or_default()
}

/// The `item` children of the direct child `set` (`instancesSet/item`).
pub(crate) fn items<'d>(
    doc: &'d Document,
    n: usize,
    set: &str,
) -> impl Iterator<Item = usize> + 'd {
    child(doc, n, set)
        .into_iter()
        .flat_map(move |s| doc.elements(s).filter(move |&i| doc.name(i) == "item"))
}

/// A parse error at the line where `node` starts.
pub(crate) fn at(
    text: &str,
    doc: &Document,
    node: usize,
    message: impl Into<String>,
) -> ParseError {
    at_offset(text, doc.nodes[node].start, message)
}

/// A parse error at the line holding byte `offset`; past the end, the last line with text.
pub(crate) fn at_offset(text: &str, offset: usize, message: impl Into<String>) -> ParseError {
    let offset = if offset >= text.len() {
        text.trim_end().len().saturating_sub(1)
    } else {
        offset
    };
    let row = text.as_bytes()[..offset]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1;
    ParseError::at(row, text.lines().nth(row - 1).unwrap_or(""), message)
}
