//! A `pg_dumpall` file (plain SQL), scanned as it is read: such a dump is as big as the cloud's
//! database (gigabytes), so it is fed in chunks and only what is needed is kept: whether it
//! opens as a cluster dump, the databases it `\connect`s to, the schemas it creates, and
//! whether it ends with PostgreSQL's completion trailer. Pure: bytes in, a [`Dumpall`] out.

/// How every pg_dumpall file opens (pg_dumpall.c, 8.x to 17).
pub const HEADER: &[u8] = b"--\n-- PostgreSQL database cluster dump\n--\n";

/// How a whole pg_dumpall file ends: the completion line, a comment line, an empty line. A
/// file cut anywhere (inside a line or between lines) lacks it.
pub const TRAILER: &[u8] = b"\n--\n-- PostgreSQL database cluster dump complete\n--\n\n";

/// Most of a line kept to look at: `\connect` and `CREATE SCHEMA` lines are short; data lines
/// (COPY rows, function bodies) may be megabytes and are only counted through.
const LINE_KEEP: usize = 512;

/// Most databases and schemas remembered: a cloud has about 20 of each; a hostile file of a
/// million `\connect` lines stays small.
pub const MAX_NAMES: usize = 1000;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Dumpall {
    /// Databases connected to, in order, each once (`template1` and `postgres` included).
    pub databases: Vec<String>,
    /// `CREATE SCHEMA name;` seen (any database).
    pub schemas: Vec<String>,
    /// It ends with the completion trailer.
    pub complete: bool,
    pub bytes: u64,
}

/// Feed it the file in chunks of any size, then [`Scanner::finish`].
#[derive(Debug, Default)]
pub struct Scanner {
    seen: Dumpall,
    /// The first bytes, to compare with [`HEADER`].
    head: Vec<u8>,
    /// The last bytes, to compare with [`TRAILER`].
    tail: Vec<u8>,
    /// The start of the current line (at most [`LINE_KEEP`] bytes).
    line: Vec<u8>,
    /// Too many names to remember.
    overflow: bool,
}

impl Scanner {
    pub fn new() -> Scanner {
        Scanner::default()
    }

    pub fn feed(&mut self, chunk: &[u8]) {
        self.seen.bytes += chunk.len() as u64;
        if self.head.len() < HEADER.len() {
            let want = HEADER.len() - self.head.len();
            self.head.extend_from_slice(&chunk[..want.min(chunk.len())]);
        }
        self.tail
            .extend_from_slice(&chunk[chunk.len().saturating_sub(TRAILER.len())..]);
        if self.tail.len() > TRAILER.len() {
            self.tail.drain(..self.tail.len() - TRAILER.len());
        }
        for part in chunk.split_inclusive(|b| *b == b'\n') {
            let (body, ends) = match part.split_last() {
                Some((b'\n', body)) => (body, true),
                _ => (part, false),
            };
            let room = LINE_KEEP.saturating_sub(self.line.len());
            self.line.extend_from_slice(&body[..room.min(body.len())]);
            if ends {
                let line = std::mem::take(&mut self.line);
                self.look_at(&line);
            }
        }
    }

    fn look_at(&mut self, line: &[u8]) {
        let Ok(text) = std::str::from_utf8(line) else {
            return;
        };
        if let Some(rest) = text.strip_prefix("\\connect ") {
            if let Some(db) = connect_target(rest) {
                self.remember(true, db);
            }
        } else if let Some(rest) = text.strip_prefix("CREATE SCHEMA ") {
            let name = rest
                .trim_end_matches(';')
                .split_whitespace()
                .next()
                .unwrap_or("");
            if !name.is_empty() {
                self.remember(false, unquote(name));
            }
        }
    }

    fn remember(&mut self, database: bool, name: String) {
        let list = if database {
            &mut self.seen.databases
        } else {
            &mut self.seen.schemas
        };
        if list.contains(&name) {
            return;
        }
        if list.len() >= MAX_NAMES {
            self.overflow = true;
            return;
        }
        list.push(name);
    }

    /// What the file was; Err when it is no pg_dumpall file at all (or a hostile one).
    pub fn finish(self) -> Result<Dumpall, String> {
        if self.seen.bytes == 0 {
            return Err("empty".into());
        }
        if self.head != HEADER {
            return Err("not a pg_dumpall file (it does not open with '-- PostgreSQL database cluster dump')".into());
        }
        if self.overflow {
            return Err(format!(
                "more than {MAX_NAMES} databases or schemas: not a Eucalyptus dump"
            ));
        }
        let mut seen = self.seen;
        seen.complete = self.tail == TRAILER;
        Ok(seen)
    }
}

/// The whole text at once (tests, small files).
pub fn parse(bytes: &[u8]) -> Result<Dumpall, String> {
    let mut s = Scanner::new();
    s.feed(bytes);
    s.finish()
}

/// `\connect NAME`, `\connect "Weird Name"` or (PostgreSQL 12+, names that need quoting)
/// `\connect -reuse-previous=on "dbname='weird name'"`.
fn connect_target(rest: &str) -> Option<String> {
    let rest = rest.trim();
    if let Some(conn) = rest.strip_prefix("-reuse-previous=on ") {
        let conn = conn.trim().trim_matches('"');
        let value = conn.strip_prefix("dbname=")?;
        let value = value.strip_prefix('\'')?.strip_suffix('\'')?;
        return Some(value.replace("\\'", "'").replace("''", "'"));
    }
    if let Some(quoted) = rest.strip_prefix('"') {
        // "My ""odd"" DB": up to the quote that is not doubled.
        let mut name = String::new();
        let mut chars = quoted.chars().peekable();
        while let Some(c) = chars.next() {
            match (c, chars.peek()) {
                ('"', Some('"')) => {
                    name.push('"');
                    chars.next();
                }
                ('"', _) => return Some(name),
                _ => name.push(c),
            }
        }
        return None; // no closing quote: not a line pg_dumpall writes
    }
    rest.split_whitespace().next().map(str::to_string)
}

fn unquote(name: &str) -> String {
    match name.strip_prefix('"').and_then(|n| n.strip_suffix('"')) {
        Some(inner) => inner.replace("\"\"", "\""),
        None => name.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REAL: &[u8] = include_bytes!("../tests/fixtures/pg15/eucalyptus_pg_dumpall-backup.sql");

    #[test]
    fn the_real_dump_is_complete_and_connects_to_every_database() {
        let d = parse(REAL).unwrap();
        assert!(d.complete);
        assert_eq!(
            d.databases,
            [
                "template1",
                "database_events",
                "eucalyptus_shared",
                "postgres"
            ]
        );
        assert_eq!(d.schemas, ["eucalyptus_auth", "eucalyptus_cloud"]);
    }

    #[test]
    fn chunk_size_does_not_matter() {
        for size in [1, 2, 7, 64, 4096] {
            let mut s = Scanner::new();
            for c in REAL.chunks(size) {
                s.feed(c);
            }
            assert_eq!(
                s.finish().unwrap(),
                parse(REAL).unwrap(),
                "chunks of {size}"
            );
        }
    }

    #[test]
    fn cut_anywhere_it_is_never_complete() {
        for at in (0..REAL.len())
            .step_by(7)
            .chain([REAL.len() - 1, REAL.len() - 2, REAL.len() - 4])
        {
            match parse(&REAL[..at]) {
                Ok(d) => assert!(
                    !d.complete,
                    "cut at {at} of {} taken as complete",
                    REAL.len()
                ),
                Err(e) => assert!(at < HEADER.len(), "cut at {at}: {e}"),
            }
        }
    }

    #[test]
    fn quoted_names_and_the_reuse_previous_form() {
        let text = "--\n-- PostgreSQL database cluster dump\n--\n\\connect \"My DB\"\n\\connect -reuse-previous=on \"dbname='it''s'\"\nCREATE SCHEMA \"Odd\";\n--\n-- PostgreSQL database cluster dump complete\n--\n\n";
        let d = parse(text.as_bytes()).unwrap();
        assert_eq!(d.databases, ["My DB", "it's"]);
        assert_eq!(d.schemas, ["Odd"]);
        assert!(d.complete);
    }

    #[test]
    fn hostile_input() {
        assert_eq!(parse(b"").unwrap_err(), "empty");
        assert!(parse(b"garbage\x00\xff")
            .unwrap_err()
            .contains("not a pg_dumpall file"));
        assert!(parse(b"--\n-- PostgreSQL database dump\n--\n")
            .unwrap_err()
            .contains("not a pg_dumpall"));
        // A huge line is counted through, not kept.
        let mut big = HEADER.to_vec();
        big.extend(std::iter::repeat_n(b'x', 20 * 1024 * 1024));
        let mut s = Scanner::new();
        for c in big.chunks(1 << 16) {
            s.feed(c);
        }
        assert!(!s.finish().unwrap().complete);
        // A flood of names is refused.
        let mut flood = HEADER.to_vec();
        for i in 0..(MAX_NAMES + 1) {
            flood.extend(format!("\\connect db{i}\n").bytes());
        }
        assert!(parse(&flood).unwrap_err().contains("more than 1000"));
    }
}
