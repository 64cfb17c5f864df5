//! check_euca_backup: are the Eucalyptus backups fresh, complete and restorable?
//!
//! Acquire (the sets under --dir: database dumps streamed through [`dumpall`], custom dumps
//! listed with `pg_restore --list` and parsed by [`toc`], keys and configuration archives read
//! by [`archive`], the properties listing recognised by [`properties`]; optionally the live keys
//! and a restore test, [`restore`]) -> [`evaluate`] -> Report. The layout is documented in
//! the crate's README.md.

pub mod archive;
pub mod dumpall;
pub mod evaluate;
pub mod properties;
pub mod restore;
pub mod toc;

use common::{CheckError, Context, Plugin, Range, Report, Thresholds, ToolCommand};
use evaluate::{ArchiveSeen, DumpKind, DumpSeen, LiveKeys, Outcome, Rules, SetSeen};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

pub const PLUGIN: Plugin = Plugin {
    name: "check_euca_backup",
    service: "EUCA BACKUP",
    version: env!("CARGO_PKG_VERSION"),
    about: "Eucalyptus backups: the newest complete set (database dump, cloud keys, configuration per host, properties) fresh, and restorable",
    reads_host: false,
    inputs: &[],
    synopsis: "\
check_euca_backup --dir DIR [-w HOURS] [-c HOURS] [--euca-version VER | --expect-db NAME...]
                  [--zone NAME]... [--host NAME]... [--no-properties] [--verify-keys DIR]
                  [--restore-test [--restore-user USER]] [--pg-bindir DIR] [-t S] [-v]",
    runs_tools: true,
    keeps_state: false,
};

pub fn command() -> clap::Command {
    common::command::<Options>(&PLUGIN)
}

#[derive(clap::Args, Debug, Clone)]
pub struct Options {
    /// The backup directory: one set, or one set per subdirectory (2026-12-01-0300/ ...)
    /// (required: there is no standard place; the backup script's default was /tmp/eucalyptus-backups)
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Age of the newest complete set, hours, warning range
    #[arg(short = 'w', long, value_name = "RANGE", default_value = "26")]
    pub warning: Range,
    /// Age of the newest complete set, hours, critical range
    #[arg(short = 'c', long, value_name = "RANGE", default_value = "50")]
    pub critical: Range,
    /// Eucalyptus version whose databases the dump must hold (4.1+: eucalyptus_shared and
    /// database_events; 3.4/4.0: the per-context eucalyptus_* databases)
    #[arg(long = "euca-version", value_name = "VER", default_value = "4.4")]
    pub euca_version: String,
    /// A database the dump must hold (repeatable; replaces the --euca-version set)
    #[arg(long = "expect-db", value_name = "NAME")]
    pub expect_db: Vec<String>,
    /// An availability zone whose keys (ZONE/cluster-pk.pem ...) the keys archive must hold
    #[arg(long = "zone", value_name = "NAME")]
    pub zones: Vec<String>,
    /// A host whose configuration archive (config-HOST.tgz) each set must hold
    #[arg(long = "host", value_name = "NAME")]
    pub hosts: Vec<String>,
    /// Do not require a properties listing in the set
    #[arg(long = "no-properties")]
    pub no_properties: bool,
    /// The live keys directory (/var/lib/eucalyptus/keys): the backed-up keys must equal it
    #[arg(long = "verify-keys", value_name = "DIR")]
    pub verify_keys: Option<PathBuf>,
    /// Restore the newest complete set's database dump into a throw-away PostgreSQL in a
    /// temporary directory, count its tables, remove it (daily, not every 5 minutes: give -t)
    #[arg(long = "restore-test")]
    pub restore_test: bool,
    /// User to run initdb and the throw-away server as when the check runs as root (PostgreSQL
    /// refuses root)
    #[arg(long = "restore-user", value_name = "USER", default_value = "postgres")]
    pub restore_user: String,
    /// Directory of pg_restore, psql, initdb, postgres, pg_ctl [default: the newest
    /// /usr/lib/postgresql/*/bin or /usr/pgsql-*/bin, else PATH]
    #[arg(long = "pg-bindir", value_name = "DIR")]
    pub pg_bindir: Option<PathBuf>,
}

/// 4.1 and later (docs/EUCALYPTUS.md: backup and restore).
const DATABASES_4_1: &[&str] = &["eucalyptus_shared", "database_events"];
/// 3.4 and 4.0: the per-context databases every such CLC has (--expect-db for more).
const DATABASES_3_4: &[&str] = &[
    "eucalyptus_auth",
    "eucalyptus_cloud",
    "eucalyptus_config",
    "eucalyptus_general",
    "eucalyptus_records",
    "database_events",
];

/// Most sets looked at: the newest complete one is usually the first; a directory of years of
/// daily sets is not walked whole.
const MAX_SETS: usize = 60;
/// Most a keys directory file may be (keys are a few KiB).
const KEY_FILE_CAP: u64 = 1024 * 1024;
/// Most a keys or configuration archive file may be (compressed).
const ARCHIVE_CAP: u64 = 16 * 1024 * 1024;
/// Most a properties listing may be: 700 properties are about 60 KiB.
const PROPERTIES_CAP: u64 = 4 * 1024 * 1024;
/// Most a `pg_restore --list` may print: a few thousand entries of ~80 bytes.
const LISTING_CAP: usize = 8 * 1024 * 1024;

impl Options {
    fn rules(&self) -> Result<Rules, CheckError> {
        let databases: Vec<String> = if self.expect_db.is_empty() {
            databases_for(&self.euca_version)
                .ok_or_else(|| {
                    CheckError::usage(format!(
                        "--euca-version '{}': give MAJOR.MINOR, 3.4 or later",
                        self.euca_version
                    ))
                })?
                .iter()
                .map(|s| s.to_string())
                .collect()
        } else {
            self.expect_db.clone()
        };
        for (opt, names) in [("--zone", &self.zones), ("--host", &self.hosts)] {
            if let Some(bad) = names.iter().find(|n| !is_plain_name(n)) {
                return Err(CheckError::usage(format!(
                    "{opt} '{bad}': letters, digits, '.', '-' and '_' only"
                )));
            }
        }
        Ok(Rules {
            age_hours: Thresholds::new(Some(self.warning.clone()), Some(self.critical.clone())),
            databases,
            zones: self.zones.clone(),
            require_properties: !self.no_properties,
        })
    }

    /// Where the PostgreSQL programs are.
    fn bindir(&self) -> Option<PathBuf> {
        if let Some(d) = &self.pg_bindir {
            return Some(d.clone());
        }
        let mut found: Vec<(Vec<u32>, PathBuf)> = Vec::new();
        for (parent, prefix) in [("/usr/lib/postgresql", ""), ("/usr", "pgsql-")] {
            let Ok(entries) = std::fs::read_dir(parent) else {
                continue;
            };
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                let Some(v) = name.strip_prefix(prefix) else {
                    continue;
                };
                let Ok(version) = v
                    .split('.')
                    .map(str::parse)
                    .collect::<Result<Vec<u32>, _>>()
                else {
                    continue;
                };
                let bin = e.path().join("bin");
                if bin.join("pg_restore").is_file() {
                    found.push((version, bin));
                }
            }
        }
        found.sort();
        found.pop().map(|(_, b)| b)
    }

    fn program(&self, name: &str) -> String {
        match self.bindir() {
            Some(d) => d.join(name).display().to_string(),
            None => name.to_string(),
        }
    }
}

fn databases_for(version: &str) -> Option<&'static [&'static str]> {
    let mut parts = version.trim().split('.');
    let major: u32 = parts.next()?.parse().ok()?;
    let minor: u32 = parts.next().unwrap_or("0").parse().ok()?;
    Some(match (major, minor) {
        (3, _) | (4, 0) => DATABASES_3_4,
        (m, _) if m >= 4 => DATABASES_4_1,
        _ => return None,
    })
}

/// A zone or host name that is also a safe file-name part.
fn is_plain_name(n: &str) -> bool {
    !n.is_empty()
        && n.len() <= 253
        && !n.starts_with('.')
        && n.chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
}

/// The commands to allow in sudoers (`--print-sudoers`): none. pg_restore reads the dump
/// files as the user the check runs as, and the restore test runs PostgreSQL as
/// --restore-user through runuser when it runs as root; nothing goes through sudo.
pub fn tools(opts: &Options, _: &Context) -> Result<Vec<ToolCommand>, CheckError> {
    opts.rules()?;
    Ok(Vec::new())
}

pub fn check(opts: &Options, ctx: &Context) -> Result<Report, CheckError> {
    let rules = opts.rules()?;
    let Some(dir) = &opts.dir else {
        return Err(CheckError::usage("give --dir DIR, the backup directory"));
    };
    let dir_shown = dir.display().to_string();
    let candidates = sets_in(dir)?;
    let live = opts.verify_keys.as_ref().map(|d| live_keys(d, &rules));
    let mut judged = Vec::new();
    for (name, path) in candidates {
        if ctx.io_budget().is_zero() {
            return Err(CheckError::other(format!(
                "sets in {dir_shown} not all read in time; raise -t"
            )));
        }
        ctx.doing(format!("reading backup set {name}"));
        let seen = read_set(opts, ctx, &name, &path)?;
        let parts = evaluate::parts(&seen, &rules, live.as_ref());
        let complete = parts.iter().all(|(_, o)| matches!(o, Outcome::Good(_)));
        judged.push((seen, parts, path));
        if complete {
            break; // older sets do not change the verdict
        }
    }
    let restored = if opts.restore_test {
        judged
            .iter()
            .find(|(_, p, _)| p.iter().all(|(_, o)| matches!(o, Outcome::Good(_))))
            .map(|(seen, _, path)| restore::run(opts, ctx, seen, path, &rules.databases))
    } else {
        None
    };
    let sets: Vec<(SetSeen, Vec<(String, Outcome)>)> =
        judged.into_iter().map(|(s, p, _)| (s, p)).collect();
    Ok(evaluate::evaluate(
        &dir_shown,
        &sets,
        &rules,
        restored.as_ref(),
    ))
}

/// The sets in DIR, newest first: DIR itself when it holds a dump, and every subdirectory that
/// does. "Newest" is by the newest dump's modification time.
fn sets_in(dir: &Path) -> Result<Vec<(String, PathBuf)>, CheckError> {
    let shown = dir.display().to_string();
    let read_err = |e: std::io::Error| CheckError::Read {
        path: shown.clone(),
        reason: io_words(&e),
    };
    let entries = std::fs::read_dir(dir).map_err(read_err)?;
    let mut found: Vec<(Option<SystemTime>, String, PathBuf)> = Vec::new();
    if let Some(t) = newest_dump_time(dir) {
        // A flat set is named after its directory (`/root/backup` -> `backup`).
        let name = dir
            .file_name()
            .map_or_else(|| ".".into(), |n| n.to_string_lossy().into_owned());
        found.push((Some(t), name, dir.to_path_buf()));
    }
    for e in entries.flatten() {
        let path = e.path();
        if path.is_dir() && path.file_name().is_some_and(|n| n != "keys") {
            if let Some(t) = newest_dump_time(&path) {
                let name = e.file_name().to_string_lossy().into_owned();
                found.push((Some(t), name, path));
            }
        }
    }
    found.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)));
    found.truncate(MAX_SETS);
    Ok(found.into_iter().map(|(_, n, p)| (n, p)).collect())
}

fn io_words(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => {
            let t = e.to_string();
            t.split(" (os error").next().unwrap_or(&t).to_string()
        }
    }
}

/// What a set's file is, by name (and, for dumps, by its first bytes).
#[derive(Debug, PartialEq)]
enum FileKind {
    Dump,
    Keys,
    Config(String),
    Properties,
    Other,
}

fn kind_of(name: &str) -> FileKind {
    let lower = name.to_ascii_lowercase();
    let archive = lower.ends_with(".tgz") || lower.ends_with(".tar.gz");
    if archive {
        if let Some(host) = name.strip_prefix("config-") {
            let host = host.trim_end_matches(".tgz").trim_end_matches(".tar.gz");
            return FileKind::Config(host.to_string());
        }
        if lower.contains("key") {
            return FileKind::Keys;
        }
        return FileKind::Other;
    }
    if [".sql", ".dump", ".backup", ".pgdump"]
        .iter()
        .any(|x| lower.ends_with(x))
    {
        return FileKind::Dump;
    }
    if lower.starts_with("properties")
        || lower.starts_with("euctl")
        || lower.starts_with("euca-describe-properties")
    {
        return FileKind::Properties;
    }
    FileKind::Other
}

/// The first bytes of a file (to tell a dump from other .sql files).
fn head(path: &Path, n: usize) -> Option<Vec<u8>> {
    let mut buf = vec![0u8; n];
    let mut f = std::fs::File::open(path).ok()?;
    let mut got = 0;
    while got < n {
        match f.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(k) => got += k,
            Err(_) => return None,
        }
    }
    buf.truncate(got);
    Some(buf)
}

/// A database dump: a pg_dumpall file, a custom-format dump, or one named a dumpall. An empty
/// or unreadable file with a dump's name counts (it is then judged a defect or unchecked).
fn is_dump(path: &Path, name: &str) -> bool {
    if kind_of(name) != FileKind::Dump {
        return false;
    }
    match head(path, dumpall::HEADER.len()) {
        Some(h) if h.starts_with(b"PGDMP") || h == dumpall::HEADER => true,
        Some(h) => h.is_empty() || name.contains("dumpall") || dumpall::HEADER.starts_with(&h),
        None => true,
    }
}

fn files(dir: &Path) -> Vec<(String, PathBuf)> {
    let mut out: Vec<(String, PathBuf)> = std::fs::read_dir(dir)
        .map(|r| {
            r.flatten()
                // Followed through symlinks (a set's files may link to where the dump was
                // written); a FIFO or device is no backup file and would block a read.
                .filter(|e| std::fs::metadata(e.path()).is_ok_and(|m| m.is_file()))
                .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

fn newest_dump_time(dir: &Path) -> Option<SystemTime> {
    files(dir)
        .into_iter()
        .filter(|(n, p)| is_dump(p, n))
        .filter_map(|(_, p)| p.metadata().and_then(|m| m.modified()).ok())
        .max()
}

fn read_set(opts: &Options, ctx: &Context, name: &str, dir: &Path) -> Result<SetSeen, CheckError> {
    let all = files(dir);
    let mut dumps = Vec::new();
    let mut keys = ArchiveSeen::Absent;
    let mut configs: Vec<(String, ArchiveSeen)> = opts
        .hosts
        .iter()
        .map(|h| (h.clone(), ArchiveSeen::Absent))
        .collect();
    let mut props = None;
    let mut newest: Option<SystemTime> = None;
    for (file, path) in &all {
        match kind_of(file) {
            FileKind::Dump if is_dump(path, file) => {
                if let Ok(t) = path.metadata().and_then(|m| m.modified()) {
                    newest = newest.max(Some(t));
                }
                dumps.push(read_dump(opts, ctx, file, path)?);
            }
            FileKind::Keys if keys == ArchiveSeen::Absent => keys = read_archive(file, path),
            FileKind::Config(host) => {
                if let Some(slot) = configs.iter_mut().find(|(h, _)| *h == host) {
                    slot.1 = read_archive(file, path);
                }
            }
            FileKind::Properties if props.is_none() => props = Some(read_properties(file, path)),
            _ => {}
        }
    }
    // The layout of tools/eucalyptus-backup-restore: the keys copied to <set>/keys.
    if keys == ArchiveSeen::Absent && dir.join("keys").is_dir() {
        keys = keys_dir(&dir.join("keys"));
    }
    let age_seconds = newest
        .and_then(|t| SystemTime::now().duration_since(t).ok())
        .map(|d| d.as_secs_f64());
    Ok(SetSeen {
        name: name.to_string(),
        age_seconds,
        dumps,
        keys,
        configs,
        properties: props,
    })
}

fn read_dump(
    opts: &Options,
    ctx: &Context,
    file: &str,
    path: &Path,
) -> Result<DumpSeen, CheckError> {
    let bytes = path.metadata().map(|m| m.len()).unwrap_or(0);
    let is_custom = head(path, 5).is_some_and(|h| h == b"PGDMP");
    let kind = if is_custom {
        DumpKind::Custom(list_custom(opts, ctx, path)?)
    } else {
        match scan_dumpall(ctx, path) {
            Ok(d) => DumpKind::Dumpall(d),
            Err(Scan::Unreadable(why)) => DumpKind::Unreadable(why),
            Err(Scan::OutOfTime) => {
                return Err(CheckError::other(format!(
                    "{} not read whole in time ({bytes} bytes); raise -t",
                    path.display()
                )))
            }
        }
    };
    Ok(DumpSeen {
        file: file.to_string(),
        bytes,
        kind,
    })
}

enum Scan {
    Unreadable(String),
    OutOfTime,
}

/// Stream a pg_dumpall file through the scanner, 1 MiB at a time, inside the -t budget.
fn scan_dumpall(ctx: &Context, path: &Path) -> Result<Result<dumpall::Dumpall, String>, Scan> {
    let mut f = std::fs::File::open(path).map_err(|e| Scan::Unreadable(io_words(&e)))?;
    let mut scanner = dumpall::Scanner::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        if ctx.io_budget().is_zero() {
            return Err(Scan::OutOfTime);
        }
        match f.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => scanner.feed(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Scan::Unreadable(io_words(&e))),
        }
    }
    Ok(scanner.finish())
}

fn pg_restore_list(opts: &Options, path: &Path) -> ToolCommand {
    ToolCommand::new(opts.program("pg_restore"))
        .args(["--list".to_string(), path.display().to_string()])
        .max_output(LISTING_CAP)
}

/// `pg_restore --list`: a dump it cannot list is a defect of the backup; a pg_restore that is
/// not there (or cannot run) leaves the dump unchecked.
fn list_custom(
    opts: &Options,
    ctx: &Context,
    path: &Path,
) -> Result<Result<toc::Toc, Outcome>, CheckError> {
    let cmd = pg_restore_list(opts, path);
    let out = match ctx.run_tool(&cmd) {
        Ok(o) => o,
        Err(CheckError::Tool(e)) => return Ok(Err(Outcome::Unreadable(e.to_string()))),
        Err(e) => return Err(e),
    };
    if !out.success() {
        return Ok(Err(Outcome::Defect(format!(
            "pg_restore --list: {}",
            out.first_error_line()
        ))));
    }
    Ok(toc::parse(&out.stdout)
        .map_err(|e| Outcome::Defect(format!("pg_restore --list: {}", e.message))))
}

fn read_capped(path: &Path, cap: u64) -> Result<Vec<u8>, String> {
    // A FIFO nobody writes to would block the open until the global timeout, which then
    // names no file: refuse what is not a regular file first.
    let meta = std::fs::metadata(path).map_err(|e| io_words(&e))?;
    if !meta.is_file() {
        return Err("not a regular file".into());
    }
    let f = std::fs::File::open(path).map_err(|e| io_words(&e))?;
    let mut buf = Vec::new();
    f.take(cap + 1)
        .read_to_end(&mut buf)
        .map_err(|e| io_words(&e))?;
    if buf.len() as u64 > cap {
        return Err(format!("larger than {} MiB, not read", cap / 1024 / 1024));
    }
    Ok(buf)
}

fn read_archive(file: &str, path: &Path) -> ArchiveSeen {
    match read_capped(path, ARCHIVE_CAP) {
        Ok(bytes) => ArchiveSeen::Read {
            file: file.to_string(),
            bytes: bytes.len() as u64,
            members: archive::members(&bytes),
        },
        Err(why) => ArchiveSeen::Unreadable {
            file: file.to_string(),
            why,
        },
    }
}

/// A keys directory (the backup script's `<set>/keys`) seen as an archive of its files, two
/// levels deep (the zones' keys are in `<zone>/`).
fn keys_dir(dir: &Path) -> ArchiveSeen {
    let mut members = Vec::new();
    let mut total = 0u64;
    for (name, path) in files(dir) {
        match read_capped(&path, KEY_FILE_CAP) {
            Ok(b) => {
                total += b.len() as u64;
                members.push(archive::Member {
                    path: name,
                    size: b.len() as u64,
                    sha256: archive::sha256(&b),
                });
            }
            Err(why) => {
                return ArchiveSeen::Unreadable {
                    file: format!("keys/{name}"),
                    why,
                }
            }
        }
    }
    if let Ok(subdirs) = std::fs::read_dir(dir) {
        for zone in subdirs.flatten().filter(|e| e.path().is_dir()) {
            let z = zone.file_name().to_string_lossy().into_owned();
            for (name, path) in files(&zone.path()) {
                match read_capped(&path, KEY_FILE_CAP) {
                    Ok(b) => {
                        total += b.len() as u64;
                        members.push(archive::Member {
                            path: format!("{z}/{name}"),
                            size: b.len() as u64,
                            sha256: archive::sha256(&b),
                        });
                    }
                    Err(why) => {
                        return ArchiveSeen::Unreadable {
                            file: format!("keys/{z}/{name}"),
                            why,
                        }
                    }
                }
            }
        }
    }
    ArchiveSeen::Read {
        file: "keys/".into(),
        bytes: total,
        members: Ok(members),
    }
}

fn read_properties(file: &str, path: &Path) -> (String, Result<usize, Outcome>) {
    let got = match read_capped(path, PROPERTIES_CAP) {
        Err(why) => Err(Outcome::Unreadable(format!("{file}: {why}"))),
        Ok(bytes) => match String::from_utf8(bytes) {
            Err(_) => Err(Outcome::Defect(format!("{file}: not text (invalid UTF-8)"))),
            Ok(text) => properties::count(&text).map_err(|e| {
                let at = e.line.map(|n| format!(" line {n}")).unwrap_or_default();
                Outcome::Defect(format!("{file}{at}: {}", e.message))
            }),
        },
    };
    (file.to_string(), got)
}

/// The live keys --verify-keys compares with, by digest.
fn live_keys(dir: &Path, rules: &Rules) -> LiveKeys {
    evaluate::expected_keys(&rules.zones)
        .into_iter()
        .map(|rel| {
            let got = read_capped(&dir.join(&rel), KEY_FILE_CAP).map(|b| archive::sha256(&b));
            let got = got.map_err(|why| {
                if why == "permission denied" {
                    format!("{why} (the keys are the eucalyptus user's; run the check as root or give it read access)")
                } else {
                    why
                }
            });
            (rel, got)
        })
        .collect()
}
