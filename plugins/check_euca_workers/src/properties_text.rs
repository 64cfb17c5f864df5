//! Parser for the property listings of the admin tools:
//!
//! ```text
//! euctl (4.2+, admin-tools .../properties/euctl.py):        services.imaging.worker.image = emi-1a2b3c4d
//! euca-describe-properties (3.x-4.1, describeproperties.py): PROPERTY<TAB>services.imaging.worker.image<TAB>emi-1a2b3c4d
//! ```
//!
//! Both tools end their output with a newline, so text that does not is cut and refused; a cut
//! at a line end is a shorter listing (the rules then say which property is not listed).

use common::ParseError;

/// Most lines read: a 4.4 cloud has about 600 properties.
pub const MAX_LINES: usize = 50_000;

pub fn parse(text: &str) -> Result<Vec<(String, String)>, ParseError> {
    if text.trim().is_empty() {
        return Err(ParseError::whole("the listing is empty"));
    }
    if !text.ends_with('\n') {
        let row = text.lines().count();
        return Err(ParseError::at(
            row,
            text.lines().last().unwrap_or(""),
            "last line not ended by a newline (listing cut?)",
        ));
    }
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let row = i + 1;
        if row > MAX_LINES {
            return Err(ParseError::whole(format!(
                "more than {MAX_LINES} lines, more than any cloud lists: not read"
            )));
        }
        if line.trim().is_empty() || line.starts_with("DESCRIPTION\t") {
            continue;
        }
        let (name, value) = if let Some(rest) = line.strip_prefix("PROPERTY\t") {
            match rest.split_once('\t') {
                Some((n, v)) => (n, v),
                None => (rest, ""),
            }
        } else if let Some((n, v)) = line.split_once(" = ") {
            (n, v)
        } else {
            return Err(ParseError::at(
                row,
                line,
                "expected 'name = value' (euctl) or PROPERTY<TAB>name<TAB>value (euca-describe-properties)",
            ));
        };
        let name = name.trim();
        let valid = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
        if !valid {
            return Err(ParseError::at(
                row,
                line,
                format!("'{name}' is not a property name"),
            ));
        }
        out.push((name.to_string(), value.trim().to_string()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_tools_read_alike() {
        let euctl = parse("a.b = emi-1\nc.d = \n").unwrap();
        let old = parse("PROPERTY\ta.b\temi-1\nPROPERTY\tc.d\t\nDESCRIPTION\ta.b\tx\n").unwrap();
        assert_eq!(euctl, old);
        assert_eq!(euctl[0], ("a.b".into(), "emi-1".into()));
    }

    #[test]
    fn cut_and_foreign_text_is_refused() {
        let e = |t: &str| parse(t).unwrap_err().to_string();
        assert!(e("a.b = emi-1").contains("not ended by a newline"));
        assert!(e("<html>\n").contains("expected 'name = value'"));
        assert!(e("a b = c\n").contains("not a property name"));
        assert!(e("\n").contains("empty"));
    }
}
