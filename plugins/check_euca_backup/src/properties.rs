//! The properties listing a backup set keeps for drift comparison: `euca-describe-properties`
//! (`PROPERTY\tname\tvalue`) or `euctl` (`name = value`) output. Here only recognised and
//! counted (check_euca_props compares it): a listing that is neither, or cut inside a line, is
//! not a usable part of the set. Pure: text in, count out.

use common::ParseError;

/// Most lines read: a 4.4 cloud has about 700 properties.
pub const MAX_LINES: usize = 100_000;

pub fn count(text: &str) -> Result<usize, ParseError> {
    if text.trim().is_empty() {
        return Err(ParseError::whole("empty"));
    }
    if !text.ends_with('\n') {
        return Err(ParseError::whole("it ends inside a line (cut)"));
    }
    let mut n = 0;
    for (i, line) in text.lines().enumerate() {
        if i >= MAX_LINES {
            return Err(ParseError::whole(format!("more than {MAX_LINES} lines")));
        }
        if line.trim().is_empty() || line.starts_with('#') || line.starts_with("DESCRIPTION\t") {
            continue;
        }
        let property = if let Some(rest) = line.strip_prefix("PROPERTY\t") {
            rest.split('\t').next().is_some_and(is_name)
        } else {
            line.split_once(" = ")
                .is_some_and(|(name, _)| is_name(name))
        };
        if !property {
            return Err(ParseError::at(
                i + 1,
                line,
                "neither euca-describe-properties nor euctl output",
            ));
        }
        n += 1;
    }
    if n == 0 {
        return Err(ParseError::whole("no property in it"));
    }
    Ok(n)
}

/// `bootstrap.webservices.port`, `zone-1.storage.blockstoragemanager`.
fn is_name(name: &str) -> bool {
    name.contains('.')
        && name.len() <= 256
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASELINE: &str = include_str!("../tests/fixtures/properties/baseline.txt");

    #[test]
    fn both_formats() {
        assert!(count(BASELINE).unwrap() > 10);
        assert_eq!(count("PROPERTY\tbootstrap.webservices.port\t8773\nDESCRIPTION\tbootstrap.webservices.port\tport\n").unwrap(), 1);
        assert_eq!(
            count("region.region_name = eucalyptus\nstats.enable_stats = false\n").unwrap(),
            2
        );
    }

    #[test]
    fn cut_at_every_byte_it_is_whole_or_refused() {
        let whole = count(BASELINE).unwrap();
        for at in 0..BASELINE.len() {
            if !BASELINE.is_char_boundary(at) {
                continue;
            }
            if let Ok(n) = count(&BASELINE[..at]) {
                assert!(BASELINE[..at].ends_with('\n') && n <= whole, "cut at {at}");
            }
        }
    }

    #[test]
    fn hostile_input() {
        assert!(count("").is_err());
        assert!(count("garbage here\n").is_err());
        assert!(count("\u{0}\u{1}\u{2}\n").is_err());
        assert!(count(&"a.b = c\n".repeat(MAX_LINES + 1)).is_err());
    }
}
