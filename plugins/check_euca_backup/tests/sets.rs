//! The backup-set suite: sets laid out as the documented procedure and as Eucalyptus' own
//! backup script make them, from a real pg_dumpall (tests/fixtures/pg15) and keys archives
//! built here (made-up key contents). Fresh, stale, truncated, missing keys, keys that differ
//! from the live ones, configuration per host, and (needs postgres) custom dumps listed by the
//! real pg_restore and restore tests into a real throw-away PostgreSQL.

use harness::peers::{require_programs, Daemon, WorkDir};
use harness::{Outcome, Plugin, Status};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime};

const BIN: &str = env!("CARGO_BIN_EXE_check_euca_backup");
const DUMPALL: &[u8] = include_bytes!("fixtures/pg15/eucalyptus_pg_dumpall-backup.sql");
const CUSTOM: &[u8] = include_bytes!("fixtures/pg15/eucalyptus_shared-2026-12-01.sql");
const PROPERTIES: &str = include_str!("fixtures/properties/baseline.txt");

const KEYS: &[(&str, &[u8])] = &[
    (
        "var/lib/eucalyptus/keys/euca.p12",
        b"\x30\x82\x0a\x01 not a real p12",
    ),
    (
        "var/lib/eucalyptus/keys/cloud-cert.pem",
        b"-----BEGIN CERTIFICATE-----\nmade up\n-----END CERTIFICATE-----\n",
    ),
    (
        "var/lib/eucalyptus/keys/cloud-pk.pem",
        b"-----BEGIN RSA PRIVATE KEY-----\nmade up\n-----END RSA PRIVATE KEY-----\n",
    ),
    ("var/lib/eucalyptus/keys/one/cluster-pk.pem", b"cluster key"),
    (
        "var/lib/eucalyptus/keys/one/cluster-cert.pem",
        b"cluster cert",
    ),
    ("var/lib/eucalyptus/keys/one/node-pk.pem", b"node key"),
    ("var/lib/eucalyptus/keys/one/node-cert.pem", b"node cert"),
];

fn tgz(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::default(),
    ));
    for (path, data) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o600);
        h.set_cksum();
        b.append_data(&mut h, path, *data).unwrap();
    }
    b.into_inner().unwrap().finish().unwrap()
}

/// A set as the documented procedure leaves it, in `dir`, dumped `hours` ago.
fn documented_set(dir: &Path, hours: f64) {
    std::fs::create_dir_all(dir).unwrap();
    let dump = dir.join("eucalyptus_pg_dumpall-backup.sql");
    std::fs::write(&dump, DUMPALL).unwrap();
    std::fs::write(dir.join("eucalyptus-keydir.tgz"), tgz(KEYS)).unwrap();
    std::fs::write(dir.join("properties.txt"), PROPERTIES).unwrap();
    std::fs::write(
        dir.join("config-clc1.tgz"),
        tgz(&[("etc/eucalyptus/eucalyptus.conf", b"EUCALYPTUS=\"/\"\n")]),
    )
    .unwrap();
    age(&dump, hours);
}

fn age(file: &Path, hours: f64) {
    let t = SystemTime::now() - Duration::from_secs_f64(hours * 3600.0);
    std::fs::File::options()
        .write(true)
        .open(file)
        .unwrap()
        .set_modified(t)
        .unwrap();
}

fn check(dir: &Path, extra: &[&str]) -> Outcome {
    Plugin::new(BIN)
        .args(["--dir", &dir.display().to_string()])
        .args(extra)
        .run()
}

#[test]
fn a_fresh_complete_set_is_ok_with_its_perfdata() {
    let w = WorkDir::new("backup-fresh");
    documented_set(w.path(), 2.0);
    let out = check(w.path(), &["--host", "clc1", "--zone", "one"]);
    out.expect(
        0,
        &[
            "EUCA BACKUP OK - newest complete set euca-checks-backup-fresh",
            " is 2.0 h old",
        ],
    );
    assert!(
        (out.perf("age").value - 7200.0).abs() < 60.0,
        "{}",
        out.first
    );
    assert_eq!(out.perf("dump_size").value, DUMPALL.len() as f64);
    out.perf("keys_size");
    out.contains(&[
        "eucalyptus_pg_dumpall-backup.sql complete, 4 databases",
        "eucalyptus-keydir.tgz holds 7 keys",
        "properties.txt: 42 properties",
    ]);
}

#[test]
fn a_stale_set_warns_then_is_critical() {
    let w = WorkDir::new("backup-stale");
    documented_set(w.path(), 30.0);
    check(w.path(), &[]).expect(1, &["is 30.0 h old (warning 26 h)"]);
    documented_set(w.path(), 60.0);
    check(w.path(), &[]).expect(2, &["is 60.0 h old (critical 50 h)"]);
    check(w.path(), &["-w", "72", "-c", "96"]).expect_state(Status::Ok);
}

#[test]
fn a_truncated_dump_is_critical_at_every_cut() {
    let w = WorkDir::new("backup-cut");
    documented_set(w.path(), 1.0);
    let dump = w.path().join("eucalyptus_pg_dumpall-backup.sql");
    for at in [DUMPALL.len() / 3, DUMPALL.len() - 60, DUMPALL.len() - 1] {
        std::fs::write(&dump, &DUMPALL[..at]).unwrap();
        check(w.path(), &[]).expect(
            2,
            &[
                "no complete backup set",
                "is cut: it does not end with '-- PostgreSQL database cluster dump complete'",
            ],
        );
    }
    std::fs::write(&dump, b"").unwrap();
    check(w.path(), &[]).expect(2, &["eucalyptus_pg_dumpall-backup.sql is empty"]);
    std::fs::write(&dump, b"garbage\n").unwrap();
    check(w.path(), &[]).expect(2, &["not a pg_dumpall file"]);
}

#[test]
fn missing_or_incomplete_keys_are_critical() {
    let w = WorkDir::new("backup-keys");
    documented_set(w.path(), 1.0);
    let keys = w.path().join("eucalyptus-keydir.tgz");
    std::fs::write(&keys, tgz(&KEYS[..2])).unwrap();
    check(w.path(), &[]).expect(2, &["eucalyptus-keydir.tgz lacks cloud-pk.pem"]);
    std::fs::write(&keys, tgz(&KEYS[..3])).unwrap();
    check(w.path(), &[]).expect_state(Status::Ok);
    check(w.path(), &["--zone", "one"]).expect(
        2,
        &["lacks one/cluster-pk.pem, one/cluster-cert.pem, one/node-pk.pem, one/node-cert.pem"],
    );
    let full = tgz(KEYS);
    std::fs::write(&keys, &full[..full.len() / 2]).unwrap();
    check(w.path(), &[]).expect(2, &["eucalyptus-keydir.tgz:"]);
    std::fs::remove_file(&keys).unwrap();
    check(w.path(), &[]).expect(2, &["keys: no keys archive"]);
}

#[test]
fn verify_keys_compares_the_backup_with_the_live_keys() {
    let w = WorkDir::new("backup-verify");
    documented_set(w.path(), 1.0);
    let live = w.path().join("live");
    for (path, data) in &KEYS[..3] {
        let rel = path.trim_start_matches("var/lib/eucalyptus/keys/");
        std::fs::create_dir_all(live.join(rel).parent().unwrap()).unwrap();
        std::fs::write(live.join(rel), data).unwrap();
    }
    let l = live.display().to_string();
    check(w.path(), &["--verify-keys", &l]).expect(0, &["equal to the live ones"]);
    std::fs::write(live.join("cloud-pk.pem"), "a new key\n").unwrap();
    let out = check(w.path(), &["--verify-keys", &l]);
    out.expect(2, &["differs from the live keys: cloud-pk.pem (backup "]);
    out.lacks(&["a new key", "made up"]);
    std::fs::remove_file(live.join("euca.p12")).unwrap();
    check(w.path(), &["--verify-keys", &l]).expect(3, &["live key euca.p12: no such file"]);
}

#[test]
fn configuration_per_host_and_properties() {
    let w = WorkDir::new("backup-config");
    documented_set(w.path(), 1.0);
    check(w.path(), &["--host", "clc1"]).expect_state(Status::Ok);
    check(w.path(), &["--host", "clc1", "--host", "nc7"])
        .expect(2, &["configuration of nc7: missing"]);
    std::fs::write(w.path().join("config-nc7.tgz"), tgz(&[("etc/hosts", b"x")])).unwrap();
    check(w.path(), &["--host", "nc7"]).expect(2, &["holds no eucalyptus/eucalyptus.conf"]);
    check(w.path(), &["--host", "../x"]).expect(3, &["--host '../x'"]);
    std::fs::write(
        w.path().join("properties.txt"),
        &PROPERTIES[..PROPERTIES.len() - 5],
    )
    .unwrap();
    check(w.path(), &[]).expect(
        2,
        &["properties: properties.txt: it ends inside a line (cut)"],
    );
    std::fs::remove_file(w.path().join("properties.txt")).unwrap();
    check(w.path(), &[]).expect(2, &["no properties listing"]);
    check(w.path(), &["--no-properties"]).expect_state(Status::Ok);
}

#[test]
fn a_newer_incomplete_set_warns_while_an_older_one_is_whole() {
    let w = WorkDir::new("backup-sets");
    documented_set(&w.path().join("2026-11-30-0300"), 25.0);
    documented_set(&w.path().join("2026-12-01-0300"), 1.0);
    let newest = w
        .path()
        .join("2026-12-01-0300/eucalyptus_pg_dumpall-backup.sql");
    std::fs::write(&newest, &DUMPALL[..1000]).unwrap();
    age(&newest, 1.0);
    let out = check(w.path(), &[]);
    out.expect(
        1,
        &[
            "newer set 2026-12-01-0300 incomplete",
            "newest complete set 2026-11-30-0300 is 25.0 h old",
        ],
    );
}

#[test]
fn an_empty_or_absent_directory() {
    let w = WorkDir::new("backup-none");
    check(w.path(), &[]).expect(2, &["no backup set in"]);
    check(&w.path().join("nope"), &[]).expect(3, &["cannot read", "no such file or directory"]);
}

// ---- with the real PostgreSQL programs ----

const PG: &[&str] = &[
    "/usr/lib/postgresql/15/bin/initdb",
    "/usr/lib/postgresql/15/bin/pg_restore",
    "runuser",
];

/// The layout of tools/eucalyptus-backup-restore: a dated directory, one custom-format dump per
/// database, the keys copied to keys/.
#[test]
#[ignore = "needs postgres: run scripts/test"]
fn the_backup_scripts_layout_with_custom_dumps() {
    require_programs(PG);
    let w = WorkDir::new("backup-script");
    let set = w.path().join("2026-12-01-0300");
    std::fs::create_dir_all(set.join("keys")).unwrap();
    std::fs::write(set.join("eucalyptus_shared-2026-12-01.sql"), CUSTOM).unwrap();
    std::fs::write(set.join("properties.txt"), PROPERTIES).unwrap();
    for (path, data) in &KEYS[..3] {
        std::fs::write(
            set.join("keys").join(Path::new(path).file_name().unwrap()),
            data,
        )
        .unwrap();
    }
    check(w.path(), &["--expect-db", "eucalyptus_shared"])
        .expect(0, &["newest complete set 2026-12-01-0300"])
        .contains(&[
            "eucalyptus_shared-2026-12-01.sql lists cleanly (eucalyptus_shared, 2 tables)",
        ]);
    check(w.path(), &[]).expect(2, &["no dump of database_events"]);
    // The custom dump restores with pg_restore -C into the throw-away cluster.
    {
        let _one = one_at_a_time();
        check(
            w.path(),
            &[
                "--expect-db",
                "eucalyptus_shared",
                "--restore-test",
                "-t",
                "60",
                "-v",
            ],
        )
        .expect(0, &["restore test: 2 tables restored in"])
        .contains(&["restored eucalyptus_shared.eucalyptus_cloud: 1 tables"]);
    }
    // A custom dump cut inside its table of contents does not list.
    std::fs::write(set.join("eucalyptus_shared-2026-12-01.sql"), &CUSTOM[..200]).unwrap();
    check(w.path(), &["--expect-db", "eucalyptus_shared"]).expect(2, &["pg_restore --list"]);
}

/// A throw-away source cluster with the 4.1 layout, dumped by the real pg_dumpall.
fn real_dump(work: &WorkDir) -> (Daemon, PathBuf) {
    require_programs(PG);
    let src = work.path().join("src");
    let port = harness::free_port();
    let daemon = Daemon::start("postgres", &src, &[&port.to_string()], &[]);
    let sock = src.display().to_string();
    let p = port.to_string();
    let psql = |db: &str, sql: &str| {
        let out = Command::new("psql")
            .args([
                "-X",
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                &sock,
                "-p",
                &p,
                "-U",
                "postgres",
                "-d",
                db,
                "-c",
                sql,
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{sql}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    psql("postgres", "CREATE DATABASE eucalyptus_shared");
    psql("postgres", "CREATE DATABASE database_events");
    psql("postgres", "CREATE ROLE eucalyptus LOGIN");
    psql(
        "eucalyptus_shared",
        "CREATE SCHEMA eucalyptus_cloud; CREATE SCHEMA eucalyptus_auth; \
        CREATE TABLE eucalyptus_cloud.metadata_instances (id text primary key); \
        CREATE TABLE eucalyptus_cloud.metadata_vm_types (id text primary key); \
        CREATE TABLE eucalyptus_auth.auth_account (id bigint primary key, name text); \
        INSERT INTO eucalyptus_auth.auth_account VALUES (1, 'eucalyptus'); \
        ALTER TABLE eucalyptus_auth.auth_account OWNER TO eucalyptus",
    );
    psql(
        "database_events",
        "CREATE TABLE event (id serial primary key, m text)",
    );
    let set = work.path().join("set");
    std::fs::create_dir_all(&set).unwrap();
    let dump = set.join("eucalyptus_pg_dumpall-backup.sql");
    let out = Command::new("pg_dumpall")
        .args(["-c", "-h", &sock, "-p", &p, "-U", "postgres", "-f"])
        .arg(&dump)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "pg_dumpall: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::write(set.join("eucalyptus-keydir.tgz"), tgz(KEYS)).unwrap();
    std::fs::write(set.join("properties.txt"), PROPERTIES).unwrap();
    (daemon, set)
}

/// The restore tests look for scratch directories and servers left behind: one at a time, so
/// that one test's live cluster is not taken for another's leftover.
static RESTORING: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    RESTORING.lock().unwrap_or_else(|e| e.into_inner())
}

fn scratch_dirs() -> Vec<String> {
    std::fs::read_dir(std::env::temp_dir())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("check_euca_backup-restore-"))
        .collect()
}

fn servers_in_scratch() -> usize {
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter(|e| {
            std::fs::read(e.path().join("cmdline"))
                .map(|c| String::from_utf8_lossy(&c).contains("check_euca_backup-restore-"))
                .unwrap_or(false)
        })
        .count()
}

#[test]
#[ignore = "needs postgres: run scripts/test"]
fn the_restore_test_restores_a_real_dump_and_leaves_nothing() {
    let _one = one_at_a_time();
    let w = WorkDir::new("backup-restore");
    let (_source, set) = real_dump(&w);
    let before = scratch_dirs();
    let out = check(&set, &["--restore-test", "-t", "60", "-v"]);
    out.expect(0, &["newest complete set set is 0.0 h old"])
        .contains(&[
            "restore test: 4 tables restored in",
            "restored eucalyptus_shared.eucalyptus_cloud: 2 tables",
            "restored eucalyptus_shared.eucalyptus_auth: 1 tables",
            "restored database_events.public: 1 tables",
        ]);
    assert!(out.perf("restore_time").value > 0.0);
    assert_eq!(out.perf("restored_tables").value, 4.0);
    let after = scratch_dirs();
    assert!(
        after.iter().all(|d| before.contains(d)),
        "left behind: {after:?}"
    );
}

#[test]
#[ignore = "needs postgres: run scripts/test"]
fn a_restore_test_cut_by_the_timeout_leaves_no_server_and_no_directory() {
    let _one = one_at_a_time();
    let w = WorkDir::new("backup-restore-slow");
    let (_source, set) = real_dump(&w);
    // A statement that takes longer than -t, inside a dump that is still whole.
    let dump = set.join("eucalyptus_pg_dumpall-backup.sql");
    let text = std::fs::read_to_string(&dump).unwrap();
    let cut = text
        .rfind("\n--\n-- PostgreSQL database cluster dump complete")
        .unwrap();
    std::fs::write(
        &dump,
        format!("{}\nSELECT pg_sleep(120);\n{}", &text[..cut], &text[cut..]),
    )
    .unwrap();
    let before = scratch_dirs();
    // -t long enough for initdb and the server's start on a loaded machine, so that the
    // timeout finds the server running and psql inside the restore.
    let out = check(&set, &["--restore-test", "-t", "20"]);
    out.expect(3, &["timed out after 20 s"]);
    assert!(out.elapsed < Duration::from_secs(23), "{:?}", out.elapsed);
    let after = scratch_dirs();
    assert!(
        after.iter().all(|d| before.contains(d)),
        "left behind: {after:?}"
    );
    assert_eq!(servers_in_scratch(), 0, "a throw-away server still runs");
}

#[test]
#[ignore = "needs postgres: run scripts/test"]
fn a_restore_test_of_a_dump_that_restores_nothing_is_critical() {
    require_programs(PG);
    let _one = one_at_a_time();
    let w = WorkDir::new("backup-restore-empty");
    let set = w.path();
    // A whole pg_dumpall of a cluster without the Eucalyptus databases.
    let head = "--\n-- PostgreSQL database cluster dump\n--\n\n\\connect postgres\nSET client_encoding = 'UTF8';\n";
    let tail = "\n--\n-- PostgreSQL database cluster dump complete\n--\n\n";
    std::fs::write(
        set.join("eucalyptus_pg_dumpall-backup.sql"),
        format!("{head}{tail}"),
    )
    .unwrap();
    std::fs::write(set.join("eucalyptus-keydir.tgz"), tgz(KEYS)).unwrap();
    std::fs::write(set.join("properties.txt"), PROPERTIES).unwrap();
    check(
        set,
        &["--expect-db", "postgres", "--restore-test", "-t", "60"],
    )
    .expect(2, &["restore test: no table restored"]);
}

/// A live key that is a FIFO nobody writes to: UNKNOWN naming it at once, not a bare
/// "timed out" that names nothing (the open blocked until -t).
#[test]
fn a_live_key_that_is_a_fifo_is_named_not_waited_for() {
    let w = WorkDir::new("backup-verify-fifo");
    documented_set(w.path(), 1.0);
    let live = w.path().join("live");
    std::fs::create_dir_all(&live).unwrap();
    for (path, data) in &KEYS[..2] {
        let rel = path.trim_start_matches("var/lib/eucalyptus/keys/");
        std::fs::write(live.join(rel), data).unwrap();
    }
    let fifo = live.join("cloud-pk.pem");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let l = live.display().to_string();
    let started = std::time::Instant::now();
    let out = check(w.path(), &["--verify-keys", &l, "-t", "5"]);
    out.expect(3, &["live key cloud-pk.pem: not a regular file"]);
    assert!(started.elapsed() < Duration::from_secs(4), "{out:?}");
}

/// A set whose dump is a symlink to where it was written is still that set.
#[test]
fn a_symlinked_dump_is_read_through_the_link() {
    let w = WorkDir::new("backup-symlink");
    let real = w.path().join("written");
    documented_set(&real, 1.0);
    let set = w.path().join("set");
    std::fs::create_dir_all(&set).unwrap();
    for entry in std::fs::read_dir(&real).unwrap() {
        let entry = entry.unwrap();
        std::os::unix::fs::symlink(entry.path(), set.join(entry.file_name())).unwrap();
    }
    check(&set, &["--host", "clc1"]).expect(0, &["newest complete set set is"]);
}

#[test]
fn a_properties_listing_saved_with_euctl_counts_too() {
    // 4.2+ admins save the listing with `euctl` (name = value), not euca-describe-properties.
    let w = WorkDir::new("backup-euctl");
    documented_set(w.path(), 1.0);
    std::fs::write(
        w.path().join("properties.txt"),
        include_str!("fixtures/properties/baseline-euctl.txt"),
    )
    .unwrap();
    let out = check(w.path(), &["--host", "clc1", "--zone", "one"]);
    out.expect(0, &["EUCA BACKUP OK - newest complete set"]);
    out.contains(&["properties.txt: 41 properties"]);
}
