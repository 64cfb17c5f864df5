//! The listing `pg_restore --list FILE` prints of a custom-format dump: its header (the
//! database it is of, the format) and its table of contents. A listing that does not end with
//! a newline, or whose header is not whole, was cut. Pure: text in, [`Toc`] out.

use common::ParseError;

#[derive(Debug, Clone, PartialEq)]
pub struct Toc {
    /// `;     dbname: eucalyptus_shared`.
    pub dbname: String,
    /// Entries listed (one per line after the header).
    pub entries: usize,
    /// Of which `TABLE` (definitions, not `TABLE DATA`).
    pub tables: usize,
    /// Schemas created (`SCHEMA - name owner`).
    pub schemas: Vec<String>,
}

/// Most entries read: a Eucalyptus database has a few thousand (tables, indexes, constraints).
pub const MAX_ENTRIES: usize = 200_000;

pub fn parse(text: &str) -> Result<Toc, ParseError> {
    if text.is_empty() {
        return Err(ParseError::whole("empty listing"));
    }
    if !text.ends_with('\n') {
        return Err(ParseError::whole("the listing ends inside a line (cut)"));
    }
    let mut dbname = None;
    let mut format_custom = false;
    let mut header_done = false;
    let (mut entries, mut tables, mut schemas) = (0, 0, Vec::new());
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if let Some(comment) = line.strip_prefix(';') {
            let c = comment.trim();
            if let Some(v) = c.strip_prefix("dbname:") {
                dbname = Some(v.trim().to_string());
            } else if let Some(v) = c.strip_prefix("Format:") {
                format_custom = matches!(v.trim(), "CUSTOM" | "DIRECTORY" | "TAR");
            } else if c == "Selected TOC Entries:" {
                header_done = true;
            }
            continue;
        }
        if line.trim().is_empty() {
            continue;
        }
        if !header_done {
            return Err(ParseError::at(
                n,
                line,
                "an entry before the listing's header ended",
            ));
        }
        // `3349; 0 16395 TABLE DATA eucalyptus_auth auth_account postgres`
        let Some((id, rest)) = line.split_once(';') else {
            return Err(ParseError::at(n, line, "not a table-of-contents entry"));
        };
        if id.trim().parse::<u64>().is_err() {
            return Err(ParseError::at(n, line, "not a table-of-contents entry"));
        }
        let words: Vec<&str> = rest.split_whitespace().collect();
        if words.len() < 3 {
            return Err(ParseError::at(
                n,
                line,
                "a table-of-contents entry cut short",
            ));
        }
        entries += 1;
        if entries > MAX_ENTRIES {
            return Err(ParseError::whole(format!(
                "more than {MAX_ENTRIES} entries: not a Eucalyptus dump"
            )));
        }
        match &words[2..] {
            ["TABLE", "DATA", ..] => {}
            ["TABLE", ..] => tables += 1,
            ["SCHEMA", "-", name, ..] => schemas.push(name.to_string()),
            _ => {}
        }
    }
    if !format_custom {
        return Err(ParseError::whole(
            "no 'Format: CUSTOM' in the listing's header",
        ));
    }
    let dbname = dbname.ok_or_else(|| ParseError::whole("no 'dbname:' in the listing's header"))?;
    if !header_done {
        return Err(ParseError::whole("the listing's header never ends (cut)"));
    }
    Ok(Toc {
        dbname,
        entries,
        tables,
        schemas,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const REAL: &str = include_str!("../tests/fixtures/pg15/eucalyptus_shared.list");

    #[test]
    fn the_real_listing() {
        let t = parse(REAL).unwrap();
        assert_eq!(t.dbname, "eucalyptus_shared");
        assert_eq!((t.entries, t.tables), (8, 2));
        assert_eq!(t.schemas, ["eucalyptus_auth", "eucalyptus_cloud"]);
    }

    #[test]
    fn cut_at_every_byte_it_is_the_whole_or_refused() {
        let whole = parse(REAL).unwrap();
        for at in 0..REAL.len() {
            if !REAL.is_char_boundary(at) {
                continue;
            }
            if let Ok(t) = parse(&REAL[..at]) {
                // Cut between whole lines: only the entries before the cut, so never taken for
                // the whole unless it is the whole.
                assert!(
                    t.entries < whole.entries || t == whole,
                    "cut at {at}: {t:?}"
                );
                assert!(REAL[..at].ends_with('\n'));
            }
        }
    }

    #[test]
    fn hostile_input() {
        assert!(parse("").is_err());
        assert!(parse("garbage\n").is_err());
        assert!(parse("\u{0}\u{1}\n;;;\n").is_err());
        let mut huge = String::from(";\n; dbname: x\n; Format: CUSTOM\n; Selected TOC Entries:\n");
        for i in 0..(MAX_ENTRIES + 1) {
            huge.push_str(&format!("{i}; 1259 1 TABLE public t{i} postgres\n"));
        }
        assert!(parse(&huge).unwrap_err().message.contains("more than"));
    }
}
