//! Parser for the applied-version file eucanetd writes after every successful apply,
//! `/var/run/eucalyptus/global_network_info.version` (`net/eucanetd.c` main loop: `str2file(
//! pGni->version, ...)`, the GNI's `@version` and nothing else, no newline).

use common::ParseError;

/// The version eucanetd applied last.
pub fn parse(text: &str) -> Result<String, ParseError> {
    let v = text.trim();
    if v.is_empty() {
        // str2file truncates then writes: a check can read it in between.
        return Err(ParseError::whole("the file is empty (being written?)"));
    }
    if v.contains('\n') {
        return Err(ParseError::at(
            1,
            v,
            "expected one version, found several lines",
        ));
    }
    let plain = v.len() <= 64 && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if !plain {
        return Err(ParseError::at(1, v, "expected a GNI version (hex digits)"));
    }
    Ok(v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fixtures_are_versions() {
        let current = include_str!("../tests/fixtures/global_network_info.version-current");
        let stale = include_str!("../tests/fixtures/global_network_info.version-stale");
        assert_eq!(parse(current).unwrap(), "5e0a7c1f");
        assert_eq!(parse(stale).unwrap(), "4d1b93e2");
        assert_eq!(parse("5e0a7c1f\n").unwrap(), "5e0a7c1f");
    }

    #[test]
    fn anything_else_is_refused() {
        assert!(parse("").unwrap_err().to_string().contains("empty"));
        assert!(parse("a\nb")
            .unwrap_err()
            .to_string()
            .contains("several lines"));
        assert!(parse("<xml>")
            .unwrap_err()
            .to_string()
            .contains("expected a GNI version"));
        assert!(parse(&"f".repeat(65)).is_err());
        assert!(parse("\u{fffd}\u{1}").is_err());
    }

    /// A cut version is a shorter version: it differs from the GNI's, and the mismatch needs
    /// -w seconds before it alerts, so one unlucky read never pages anyone.
    #[test]
    fn a_cut_file_is_refused_or_a_prefix() {
        let v = "5e0a7c1f";
        for cut in 0..v.len() {
            match parse(&v[..cut]) {
                Ok(p) => assert!(v.starts_with(&p)),
                Err(e) => assert!(e.to_string().contains("empty")),
            }
        }
    }
}
