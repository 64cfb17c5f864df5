//! `/etc/eucalyptus/eucalyptus.conf`: pure parser of the few settings this check uses.
//!
//! A shell fragment of `KEY="value"` lines and comments (`tools/eucalyptus.conf`); the
//! services source it (EnvironmentFile of the systemd units, `.` in the EL6 init scripts).

use common::ParseError;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EucaConf {
    /// `EUCALYPTUS`: the install prefix (`/` for packages, `/opt/eucalyptus` for old source
    /// installs); pid files live under `$EUCALYPTUS/var/run/eucalyptus`.
    pub prefix: Option<String>,
    /// `CC_PORT` (default 8774).
    pub cc_port: Option<u16>,
    /// `NC_PORT` (default 8775).
    pub nc_port: Option<u16>,
}

pub fn parse(text: &str) -> Result<EucaConf, ParseError> {
    if !text.is_empty() && !text.ends_with('\n') {
        return Err(ParseError::whole("no final newline: cut"));
    }
    let mut conf = EucaConf::default();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let bad = |why: &str| ParseError::at(i + 1, raw, why.to_string());
        let line = line.strip_prefix("export ").unwrap_or(line);
        let Some((key, value)) = line.split_once('=') else {
            return Err(bad("expected KEY=\"value\""));
        };
        if key.is_empty() || !key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return Err(bad("expected KEY=\"value\""));
        }
        let value = unquote(value).ok_or_else(|| bad("unterminated quote: cut?"))?;
        let port = |v: &str| {
            v.parse::<u16>()
                .ok()
                .filter(|p| *p > 0)
                .ok_or_else(|| bad("not a port number"))
        };
        match key {
            "EUCALYPTUS" => conf.prefix = Some(value.to_string()),
            "CC_PORT" => conf.cc_port = Some(port(value)?),
            "NC_PORT" => conf.nc_port = Some(port(value)?),
            _ => {}
        }
    }
    Ok(conf)
}

/// `"v"`, `'v'` or `v` (a trailing `# comment` after a quoted value is allowed).
fn unquote(value: &str) -> Option<&str> {
    let value = value.trim();
    for q in ['"', '\''] {
        if let Some(rest) = value.strip_prefix(q) {
            let end = rest.find(q)?;
            let after = rest[end + 1..].trim();
            return (after.is_empty() || after.starts_with('#')).then_some(&rest[..end]);
        }
    }
    Some(value.split(" #").next().unwrap_or(value).trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    pub const CONF: &str = "# Eucalyptus configuration\nEUCALYPTUS=\"/\"\nEUCA_USER=\"eucalyptus\"\nCLOUD_OPTS=\"-Xmx4g --bind-addr=10.0.0.5\"\n#NC_PORT=\"8775\"\nCC_PORT=\"8774\"\nSCHEDPOLICY=\"ROUNDROBIN\"\nNC_PORT='9775' # moved\nVNET_MODE=\"EDGE\"\n";

    #[test]
    fn reads_prefix_and_ports() {
        let c = parse(CONF).unwrap();
        assert_eq!(c.prefix.as_deref(), Some("/"));
        assert_eq!((c.cc_port, c.nc_port), (Some(8774), Some(9775)));
        assert_eq!(parse("").unwrap(), EucaConf::default());
    }

    #[test]
    fn cut_inside_a_line_is_refused() {
        let whole = parse(CONF).unwrap();
        for cut in 0..CONF.len() {
            if let Ok(c) = parse(&CONF[..cut]) {
                // Only a cut between lines reads, as the settings of the lines before it.
                assert!(
                    cut == 0 || CONF.as_bytes()[cut - 1] == b'\n',
                    "cut at {cut}: {c:?}"
                );
                for (got, want) in [(c.cc_port, whole.cc_port), (c.nc_port, whole.nc_port)] {
                    assert!(got.is_none() || got == want);
                }
            }
        }
    }

    #[test]
    fn hostile() {
        for bad in [
            "garbage\n",
            "CC_PORT=\"x\"\n",
            "CC_PORT=\"8774\n",
            "A B=1\n",
            "NC_PORT=0\n",
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }
}
