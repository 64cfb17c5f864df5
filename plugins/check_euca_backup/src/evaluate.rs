//! The rules, one short function per family: each part of a set (database dumps, keys,
//! configuration per host, properties) judged good, defective or not checkable; then the set
//! level (the newest complete set, its age, newer sets that are not complete) and the restore
//! test. Pure: what was seen and the rules in, findings and perfdata out.

use crate::archive::{fingerprint, Member};
use crate::dumpall::Dumpall;
use crate::toc::Toc;
use common::{Finding, Perfdata, Report, Status, Thresholds, Uom};

/// The cloud keys the docs name (`eucadmin` syncs them, maint-4.1).
pub const CLOUD_KEYS: &[&str] = &["euca.p12", "cloud-cert.pem", "cloud-pk.pem"];
/// The keys of each zone (`<zone>/`), written by the cluster credential code.
pub const ZONE_KEYS: &[&str] = &[
    "cluster-pk.pem",
    "cluster-cert.pem",
    "node-pk.pem",
    "node-cert.pem",
];

/// What a part came to.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Good(String),
    /// The backup itself is wrong (cut, missing, empty, not what it should be).
    Defect(String),
    /// It could not be checked (permissions, a tool that failed): nothing known.
    Unreadable(String),
}

/// One database dump file of a set.
#[derive(Debug, Clone, PartialEq)]
pub struct DumpSeen {
    pub file: String,
    pub bytes: u64,
    pub kind: DumpKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum DumpKind {
    Dumpall(Result<Dumpall, String>),
    /// A custom-format dump and its `pg_restore --list`.
    Custom(Result<Toc, Outcome>),
    Unreadable(String),
}

/// A .tgz part (keys, a host's configuration).
#[derive(Debug, Clone, PartialEq)]
pub enum ArchiveSeen {
    Absent,
    Read {
        file: String,
        bytes: u64,
        members: Result<Vec<Member>, String>,
    },
    Unreadable {
        file: String,
        why: String,
    },
}

/// The live keys of --verify-keys: relative path, digest or why it could not be read.
pub type LiveKeys = Vec<(String, Result<[u8; 32], String>)>;

#[derive(Debug, Clone, PartialEq)]
pub struct SetSeen {
    /// The set's directory name (`2026-12-01-0300`; a flat --dir's own name).
    pub name: String,
    /// Age of its newest database dump, seconds (None: no dump, or a time in the future).
    pub age_seconds: Option<f64>,
    pub dumps: Vec<DumpSeen>,
    pub keys: ArchiveSeen,
    /// One per --host, in order.
    pub configs: Vec<(String, ArchiveSeen)>,
    /// The properties listing: file name and count, or why it is not usable; None: absent.
    pub properties: Option<(String, Result<usize, Outcome>)>,
}

#[derive(Debug, Clone, Default)]
pub struct Rules {
    /// On the age of the newest complete set, hours (as -w/-c are given).
    pub age_hours: Thresholds,
    pub databases: Vec<String>,
    pub zones: Vec<String>,
    pub require_properties: bool,
}

/// The restore test's result.
#[derive(Debug, Clone, PartialEq)]
pub enum Restored {
    Done {
        seconds: f64,
        tables: Vec<(String, String, u64)>,
        errors: Vec<String>,
    },
    Failed(String),
    /// It could not be run (no initdb, no time): UNKNOWN.
    NotRun(String),
}

/// Every part of a set, judged.
pub fn parts(set: &SetSeen, rules: &Rules, live: Option<&LiveKeys>) -> Vec<(String, Outcome)> {
    let mut out = vec![(
        "database dump".to_string(),
        dumps(&set.dumps, &rules.databases),
    )];
    out.push(("keys".to_string(), keys(&set.keys, &rules.zones, live)));
    for (host, seen) in &set.configs {
        out.push((format!("configuration of {host}"), config(seen)));
    }
    match &set.properties {
        Some((file, Ok(n))) => out.push((
            "properties".into(),
            Outcome::Good(format!("{file}: {n} properties")),
        )),
        Some((_, Err(o))) => out.push(("properties".into(), o.clone())),
        None if rules.require_properties => out.push((
            "properties".into(),
            Outcome::Defect("no properties listing (properties.txt)".into()),
        )),
        None => {}
    }
    out
}

/// The dumps together must hold every expected database: a complete pg_dumpall that connects
/// to it, or a custom dump of it that lists cleanly.
fn dumps(seen: &[DumpSeen], expected: &[String]) -> Outcome {
    if seen.is_empty() {
        return Outcome::Defect("no database dump (pg_dumpall file or pg_dump -F c files)".into());
    }
    let mut covered: Vec<&str> = Vec::new();
    let mut good = Vec::new();
    for d in seen {
        if d.bytes == 0 {
            return Outcome::Defect(format!("{} is empty", d.file));
        }
        match &d.kind {
            DumpKind::Unreadable(why) => return Outcome::Unreadable(format!("{}: {why}", d.file)),
            DumpKind::Dumpall(Err(why)) => return Outcome::Defect(format!("{}: {why}", d.file)),
            DumpKind::Dumpall(Ok(all)) if !all.complete => {
                return Outcome::Defect(format!(
                    "{} is cut: it does not end with '-- PostgreSQL database cluster dump complete' ({} bytes)",
                    d.file, d.bytes
                ))
            }
            DumpKind::Dumpall(Ok(all)) => {
                covered.extend(all.databases.iter().map(String::as_str));
                good.push(format!("{} complete, {} databases", d.file, all.databases.len()));
            }
            DumpKind::Custom(Err(o)) => {
                return match o {
                    Outcome::Defect(w) => Outcome::Defect(format!("{}: {w}", d.file)),
                    Outcome::Unreadable(w) => Outcome::Unreadable(format!("{}: {w}", d.file)),
                    Outcome::Good(_) => Outcome::Unreadable(d.file.clone()),
                }
            }
            DumpKind::Custom(Ok(toc)) => {
                covered.push(&toc.dbname);
                good.push(format!("{} lists cleanly ({}, {} tables)", d.file, toc.dbname, toc.tables));
            }
        }
    }
    let missing: Vec<&str> = expected
        .iter()
        .map(String::as_str)
        .filter(|e| !covered.contains(e))
        .collect();
    if !missing.is_empty() {
        return Outcome::Defect(format!("no dump of {}", missing.join(", ")));
    }
    Outcome::Good(good.join("; "))
}

fn keys(seen: &ArchiveSeen, zones: &[String], live: Option<&LiveKeys>) -> Outcome {
    let (file, members) = match seen {
        ArchiveSeen::Absent => {
            return Outcome::Defect("no keys archive (eucalyptus-keydir.tgz)".into())
        }
        ArchiveSeen::Unreadable { file, why } => {
            return Outcome::Unreadable(format!("{file}: {why}"))
        }
        ArchiveSeen::Read {
            file,
            members: Err(why),
            ..
        } => return Outcome::Defect(format!("{file}: {why}")),
        ArchiveSeen::Read {
            file,
            members: Ok(m),
            ..
        } => (file, m),
    };
    let wanted = expected_keys(zones);
    let find = |rel: &str| members.iter().find(|m| m.is(rel));
    let missing: Vec<&str> = wanted
        .iter()
        .map(String::as_str)
        .filter(|k| find(k).is_none())
        .collect();
    if !missing.is_empty() {
        return Outcome::Defect(format!("{file} lacks {}", missing.join(", ")));
    }
    if let Some(empty) = wanted.iter().find(|k| find(k).is_some_and(|m| m.size == 0)) {
        return Outcome::Defect(format!("{file}: {empty} is empty"));
    }
    let Some(live) = live else {
        return Outcome::Good(format!("{file} holds {} keys", wanted.len()));
    };
    let mut differ = Vec::new();
    for (rel, got) in live {
        let Some(m) = find(rel) else { continue };
        match got {
            Err(why) => return Outcome::Unreadable(format!("live key {rel}: {why}")),
            Ok(sha) if *sha != m.sha256 => differ.push(format!(
                "{rel} (backup {}, live {})",
                fingerprint(&m.sha256),
                fingerprint(sha)
            )),
            Ok(_) => {}
        }
    }
    if differ.is_empty() {
        Outcome::Good(format!(
            "{file} holds {} keys, equal to the live ones",
            wanted.len()
        ))
    } else {
        Outcome::Defect(format!(
            "{file} differs from the live keys: {}",
            differ.join(", ")
        ))
    }
}

/// The keys a set must hold, relative to the keys directory.
pub fn expected_keys(zones: &[String]) -> Vec<String> {
    let mut all: Vec<String> = CLOUD_KEYS.iter().map(|k| k.to_string()).collect();
    for z in zones {
        all.extend(ZONE_KEYS.iter().map(|k| format!("{z}/{k}")));
    }
    all
}

/// A host's configuration archive must hold eucalyptus.conf (or, for a console host,
/// console.ini), not empty.
fn config(seen: &ArchiveSeen) -> Outcome {
    match seen {
        ArchiveSeen::Absent => Outcome::Defect("missing".into()),
        ArchiveSeen::Unreadable { file, why } => Outcome::Unreadable(format!("{file}: {why}")),
        ArchiveSeen::Read {
            file,
            members: Err(why),
            ..
        } => Outcome::Defect(format!("{file}: {why}")),
        ArchiveSeen::Read {
            file,
            members: Ok(m),
            ..
        } => {
            match m
                .iter()
                .find(|x| x.is("eucalyptus/eucalyptus.conf") || x.is("eucaconsole/console.ini"))
            {
                Some(conf) if conf.size > 0 => Outcome::Good(format!("{file}: {} files", m.len())),
                Some(conf) => Outcome::Defect(format!("{file}: {} is empty", conf.path)),
                None => Outcome::Defect(format!(
                    "{file} holds no eucalyptus/eucalyptus.conf or eucaconsole/console.ini"
                )),
            }
        }
    }
}

/// Whether a set is complete: no defect, nothing unchecked.
fn complete(parts: &[(String, Outcome)]) -> bool {
    parts.iter().all(|(_, o)| matches!(o, Outcome::Good(_)))
}

fn problems(parts: &[(String, Outcome)]) -> String {
    parts
        .iter()
        .filter_map(|(what, o)| match o {
            Outcome::Good(_) => None,
            Outcome::Defect(w) | Outcome::Unreadable(w) => Some(format!("{what}: {w}")),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Sets newest first, each with its judged parts.
pub fn evaluate(
    dir: &str,
    sets: &[(SetSeen, Vec<(String, Outcome)>)],
    rules: &Rules,
    restored: Option<&Restored>,
) -> Report {
    let mut report = Report::new();
    let newest_complete = sets.iter().position(|(_, p)| complete(p));
    freshness(dir, sets, newest_complete, rules, &mut report);
    newer_incomplete(sets, newest_complete, &mut report);
    if let Some(i) = newest_complete {
        for (what, o) in &sets[i].1 {
            if let Outcome::Good(text) = o {
                report.verbose(0, format!("{what}: {text}"));
            }
        }
        sizes(&sets[i].0, &mut report);
    }
    if let Some(r) = restored {
        restore(r, &mut report);
    }
    report
}

fn freshness(
    dir: &str,
    sets: &[(SetSeen, Vec<(String, Outcome)>)],
    newest_complete: Option<usize>,
    rules: &Rules,
    report: &mut Report,
) {
    let Some(i) = newest_complete else {
        let text = match sets.first() {
            None => format!("no backup set in {dir}"),
            Some((set, parts)) => format!(
                "no complete backup set in {dir}; newest ({}): {}",
                set.name,
                problems(parts)
            ),
        };
        // Only what could not be checked at all is UNKNOWN; a defective backup is an outage.
        let unchecked = sets
            .first()
            .is_some_and(|(_, p)| p.iter().all(|(_, o)| !matches!(o, Outcome::Defect(_))));
        let status = if unchecked {
            Status::Unknown
        } else {
            Status::Critical
        };
        report.add(Finding::new(status, text.clone()).summary(text));
        return;
    };
    let (set, _) = &sets[i];
    let Some(age) = set.age_seconds else {
        let text = format!("set {}: its dump is dated in the future (clock?)", set.name);
        report.add(Finding::unknown(text.clone()).summary(text));
        return;
    };
    let hours = age / 3600.0;
    let status = rules.age_hours.status(hours);
    let mut text = format!("newest complete set {} is {hours:.1} h old", set.name);
    if let Some(range) = rules.age_hours.describe(hours) {
        text.push_str(&format!(" ({range} h)"));
    }
    let mut f = Finding::new(status, text.clone()).summary(text);
    if status != Status::Ok {
        f = f.hint("the backup job has not completed a set since: look at its log and its schedule (cron), run it by hand, and check that the set it writes holds the database dump, the keys, the configuration and the properties");
    }
    report.add(f);
    // Seconds, as the issue asks; the thresholds are in hours, so they are not attached.
    report.perf(Perfdata::new("age", age.round()).uom(Uom::Seconds).min(0.0));
}

/// A set newer than the newest complete one is a backup run that failed: WARNING (the older
/// set still restores), UNKNOWN when it only could not be checked.
fn newer_incomplete(
    sets: &[(SetSeen, Vec<(String, Outcome)>)],
    newest_complete: Option<usize>,
    report: &mut Report,
) {
    let Some(i) = newest_complete else { return };
    for (set, parts) in &sets[..i] {
        let defect = parts.iter().any(|(_, o)| matches!(o, Outcome::Defect(_)));
        let text = format!("newer set {} incomplete: {}", set.name, problems(parts));
        let status = if defect {
            Status::Warning
        } else {
            Status::Unknown
        };
        report.add(Finding::new(status, text.clone()).summary(text));
    }
}

fn sizes(set: &SetSeen, report: &mut Report) {
    let dump: u64 = set.dumps.iter().map(|d| d.bytes).sum();
    report.perf(
        Perfdata::new("dump_size", dump as f64)
            .uom(Uom::Bytes)
            .min(0.0),
    );
    if let ArchiveSeen::Read { bytes, .. } = &set.keys {
        report.perf(
            Perfdata::new("keys_size", *bytes as f64)
                .uom(Uom::Bytes)
                .min(0.0),
        );
    }
}

fn restore(r: &Restored, report: &mut Report) {
    match r {
        Restored::Done {
            seconds,
            tables,
            errors,
        } => {
            let total: u64 = tables.iter().map(|(_, _, n)| n).sum();
            let mut text = format!("restore test: {total} tables restored in {seconds:.1} s");
            let status = if errors.is_empty() {
                Status::Ok
            } else {
                Status::Warning
            };
            if let Some(first) = errors.first() {
                text.push_str(&format!(
                    ", {} statements failed (first: {first})",
                    errors.len()
                ));
            }
            let mut f = Finding::new(status, text.clone());
            if status != Status::Ok || total == 0 {
                f = f.summary(text.clone());
            }
            if total == 0 {
                let t = "restore test: no table restored".to_string();
                f = Finding::critical(t.clone()).summary(t);
            }
            report.add(f);
            for (db, schema, n) in tables {
                report.verbose(1, format!("restored {db}.{schema}: {n} tables"));
            }
            report.perf(
                Perfdata::new("restore_time", *seconds)
                    .uom(Uom::Seconds)
                    .min(0.0),
            );
            report.perf(Perfdata::new("restored_tables", total as f64).min(0.0));
        }
        Restored::Failed(why) => {
            let t = format!("restore test failed: {why}");
            report.add(Finding::critical(t.clone()).summary(t));
        }
        Restored::NotRun(why) => {
            let t = format!("restore test not run: {why}");
            report.add(Finding::unknown(t.clone()).summary(t));
        }
    }
}
