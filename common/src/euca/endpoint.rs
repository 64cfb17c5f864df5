//! Where to ask: a `--clc` (or any Eucalyptus service) value as an endpoint. `HOST`,
//! `HOST:PORT` or an `http(s)://HOST[:PORT][/PATH]` URL; bare hosts get `http://`, port 8773
//! (every Eucalyptus web service listens there) and the service's path.

/// An endpoint: scheme, host, port, path, without query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub https: bool,
    /// Lower case; an IPv6 address without brackets.
    pub host: String,
    /// None: the scheme's default (80, 443), not written.
    pub port: Option<u16>,
    /// Starts with `/`.
    pub path: String,
}

/// The Eucalyptus web services port.
pub const DEFAULT_PORT: u16 = 8773;

impl Endpoint {
    /// Read a `--clc`-style value; `default_path` (e.g. `/services/Empyrean`) replaces an
    /// empty or `/` path.
    pub fn parse(value: &str, default_path: &str) -> Result<Endpoint, String> {
        let value = value.trim();
        let bad = || format!("'{value}': expected HOST, HOST:PORT or an http(s):// URL");
        let (https, rest, bare) = if let Some((scheme, rest)) = value.split_once("://") {
            match scheme.to_ascii_lowercase().as_str() {
                "http" => (false, rest, false),
                "https" => (true, rest, false),
                _ => return Err(bad()),
            }
        } else {
            (false, value, true)
        };
        let (authority, path) = match rest.find(['/', '?', '#']) {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        let path = path.split(['?', '#']).next().unwrap_or("");
        if authority.contains('@') {
            return Err(format!(
                "'{value}': no user or password in the URL; give them with --credentials"
            ));
        }
        let (host, port_text) = if let Some(v6) = authority.strip_prefix('[') {
            let (h, after) = v6.split_once(']').ok_or_else(bad)?;
            match after {
                "" => (h, None),
                p => (h, Some(p.strip_prefix(':').ok_or_else(bad)?)),
            }
        } else {
            match authority.rsplit_once(':') {
                Some((h, p)) if !h.contains(':') => (h, Some(p)),
                Some(_) => return Err(format!("'{value}': write an IPv6 address as [ADDRESS]")),
                None => (authority, None),
            }
        };
        let valid_host = !host.is_empty()
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ':'));
        if !valid_host {
            return Err(bad());
        }
        let port = match port_text {
            None if bare => Some(DEFAULT_PORT),
            None => None,
            Some(p) => Some(
                p.parse::<u16>()
                    .ok()
                    .filter(|p| *p > 0)
                    .ok_or_else(|| format!("'{value}': the port must be a number 1-65535"))?,
            ),
        };
        let path = if path.is_empty() || path == "/" {
            default_path.to_string()
        } else {
            path.to_string()
        };
        Ok(Endpoint {
            https,
            host: host.to_ascii_lowercase(),
            port,
            path,
        })
    }

    /// The Host header (what both signatures cover): `host` or `host:port`.
    pub fn host_header(&self) -> String {
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        match self.port {
            Some(p) => format!("{host}:{p}"),
            None => host,
        }
    }

    /// The URL without query.
    pub fn url(&self) -> String {
        format!(
            "{}://{}{}",
            if self.https { "https" } else { "http" },
            self.host_header(),
            self.path
        )
    }

    /// The URL with this (already encoded) query.
    pub fn url_with_query(&self, query: &str) -> String {
        if query.is_empty() {
            self.url()
        } else {
            format!("{}?{query}", self.url())
        }
    }
}

impl std::fmt::Display for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.url())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EMPYREAN: &str = "/services/Empyrean";

    #[test]
    fn clc_values_become_empyrean_urls() {
        let u = |s| Endpoint::parse(s, EMPYREAN).unwrap().to_string();
        assert_eq!(
            u("10.111.5.100"),
            "http://10.111.5.100:8773/services/Empyrean"
        );
        assert_eq!(
            u("clc.example:8080"),
            "http://clc.example:8080/services/Empyrean"
        );
        assert_eq!(
            u("https://clc.example:8443/"),
            "https://clc.example:8443/services/Empyrean"
        );
        assert_eq!(u("[::1]:9000"), "http://[::1]:9000/services/Empyrean");
        assert_eq!(u("http://clc/x/y?old=query"), "http://clc/x/y");
        assert_eq!(
            Endpoint::parse("CLC.example", EMPYREAN)
                .unwrap()
                .host_header(),
            "clc.example:8773"
        );
        assert_eq!(
            Endpoint::parse("https://clc.example", EMPYREAN)
                .unwrap()
                .host_header(),
            "clc.example"
        );
        for bad in [
            "ftp://x",
            "",
            "http://",
            "host:99999",
            "host:0",
            "a b",
            "http://u:p@h/",
        ] {
            assert!(Endpoint::parse(bad, EMPYREAN).is_err(), "{bad}");
        }
    }
}
