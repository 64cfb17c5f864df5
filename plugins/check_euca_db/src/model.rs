//! What one visit to the CLC's PostgreSQL saw, as plain data (no client types): the
//! evaluation is a pure function of it.

/// The server's answers, each already converted from its SQL row.
#[derive(Debug, Clone, PartialEq)]
pub struct Observed {
    /// Where it was asked, for messages: `socket /var/lib/eucalyptus/db/data port 8777`.
    pub server: String,
    /// Time to connect and authenticate, seconds.
    pub connect_seconds: f64,
    /// Time `SELECT 1` took, seconds.
    pub query_seconds: f64,
    /// `server_version` as the server says it, e.g. `15.8 (Debian 15.8-0+deb12u1)`.
    pub version: String,
    /// Every database that accepts connections, with its size when we may see it.
    pub databases: Vec<Database>,
    /// Backends open now (`pg_stat_activity`, this one included).
    pub connections: u64,
    /// `max_connections`.
    pub max_connections: u64,
    /// Age of the oldest open transaction other than ours, seconds (None: none open).
    pub oldest_transaction_seconds: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Database {
    pub name: String,
    /// `pg_database_size`, None when the user lacks CONNECT on it.
    pub size_bytes: Option<u64>,
}

/// The databases each Eucalyptus generation needs (docs/EUCALYPTUS.md, backup section):
/// 4.1 merged the per-context databases into `eucalyptus_shared` (one schema per context).
pub const DATABASES_4_1: &[&str] = &["eucalyptus_shared", "database_events"];

/// 3.4 and 4.0: one database per persistence context. Only the contexts every 3.4/4.0 CLC has
/// are listed (the full list varies with the services installed; `eucalyptus_dns` is not
/// confirmed): pass --expect-db for more.
pub const DATABASES_3_4: &[&str] = &[
    "eucalyptus_auth",
    "eucalyptus_cloud",
    "eucalyptus_config",
    "eucalyptus_general",
    "eucalyptus_records",
    "database_events",
];

/// The expected set for a Eucalyptus version `MAJOR.MINOR` (3.4, 4.0 -> per-context; 4.1+ ->
/// shared). None: not a version.
pub fn databases_for(version: &str) -> Option<&'static [&'static str]> {
    let mut parts = version.trim().split('.');
    let major: u32 = parts.next()?.parse().ok()?;
    let minor: u32 = parts.next().unwrap_or("0").parse().ok()?;
    if parts.next().is_some_and(|p| p.parse::<u32>().is_err()) {
        return None;
    }
    Some(match (major, minor) {
        (3, _) | (4, 0) => DATABASES_3_4,
        (m, _) if m >= 4 => DATABASES_4_1,
        _ => return None,
    })
}

/// A database name usable as a perfdata label: the guidelines forbid `'` and `=` there, and
/// the suite writes labels with underscores only.
pub fn label(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_pick_their_layout() {
        assert_eq!(databases_for("4.4"), Some(DATABASES_4_1));
        assert_eq!(databases_for("4.1.2"), Some(DATABASES_4_1));
        assert_eq!(databases_for("5"), Some(DATABASES_4_1));
        assert_eq!(databases_for("4.0"), Some(DATABASES_3_4));
        assert_eq!(databases_for("3.4.2"), Some(DATABASES_3_4));
        assert_eq!(databases_for("2.0"), None);
        assert_eq!(databases_for("four"), None);
        assert_eq!(databases_for(""), None);
        assert_eq!(databases_for("4.x"), None);
    }

    #[test]
    fn labels_keep_only_safe_characters() {
        assert_eq!(label("eucalyptus_shared"), "eucalyptus_shared");
        assert_eq!(label("we'ird=db name"), "we_ird_db_name");
    }
}
