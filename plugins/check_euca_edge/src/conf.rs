//! Parser for `/etc/eucalyptus/eucalyptus.conf`, read only for `VNET_MODE` (the network mode
//! eucanetd runs in; `net/eucanetd.c` reads it with `configFileValue("VNET_MODE")`, default
//! EDGE when unset). The file is shell variable assignments: `KEY="value"`, `#` comments.

/// Whether the text is a whole conf file: text (no NUL byte) ending with a newline, as every
/// editor and Eucalyptus's packages write it; else a cut copy or not the file at all.
pub fn whole(text: &str) -> Result<(), String> {
    if text.contains('\0') {
        return Err("binary data, not text".into());
    }
    if !text.is_empty() && !text.ends_with('\n') {
        return Err("no final newline: cut".into());
    }
    Ok(())
}

/// The `VNET_MODE` value, if the file sets one (the last assignment wins, as in a shell).
pub fn vnet_mode(text: &str) -> Option<String> {
    let mut found = None;
    for line in text.lines() {
        let line = line.trim();
        let Some(rest) = line.strip_prefix("VNET_MODE") else {
            continue;
        };
        let Some(value) = rest.trim_start().strip_prefix('=') else {
            continue;
        };
        // A comment after the value ends it, outside quotes.
        let value = value.trim();
        let value = match value.chars().next() {
            Some(q @ ('"' | '\'')) => value[1..].split(q).next().unwrap_or(""),
            _ => value.split('#').next().unwrap_or("").trim(),
        };
        if !value.is_empty() {
            found = Some(value.to_string());
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_conf_that_is_binary_or_cut_is_not_whole_and_an_empty_one_is() {
        assert_eq!(whole("VNET_MODE=\"EDGE\"\n"), Ok(()));
        assert_eq!(whole(""), Ok(()));
        assert_eq!(whole("VNET_MODE=\"ED"), Err("no final newline: cut".into()));
        assert_eq!(whole("\0\u{1}x\n"), Err("binary data, not text".into()));
    }

    #[test]
    fn the_mode_is_read_quoted_or_not_and_commented_lines_are_skipped() {
        let conf = "# VNET_MODE=\"MANAGED\"\nEUCALYPTUS=\"/\"\nVNET_MODE=\"EDGE\"\n";
        assert_eq!(vnet_mode(conf).as_deref(), Some("EDGE"));
        assert_eq!(
            vnet_mode("VNET_MODE = VPCMIDO # the VPC mode\n").as_deref(),
            Some("VPCMIDO")
        );
        assert_eq!(
            vnet_mode("VNET_MODE='MANAGED-NOVLAN'").as_deref(),
            Some("MANAGED-NOVLAN")
        );
        assert_eq!(vnet_mode("VNET_MODEX=1\nVNET_MODE=\"\"\n"), None);
        assert_eq!(vnet_mode(""), None);
        assert_eq!(vnet_mode("\u{fffd}garbage\u{0}"), None);
    }
}
