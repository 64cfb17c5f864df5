//! check_euca_db against a real PostgreSQL (Debian's postgresql-15), started by each test on a
//! free port with a socket directory of its own, pg_hba.conf written as Eucalyptus writes it
//! (tests/peers/postgres, EUCA_HBA=1), and the Eucalyptus database layout created with psql.

use harness::peers::{require_programs, Daemon, WorkDir};
use harness::{Plugin, Status};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_check_euca_db");
const NEEDS: &[&str] = &[
    "/usr/lib/postgresql/15/bin/initdb",
    "/usr/bin/psql",
    "runuser",
];

struct Cluster {
    daemon: Daemon,
    port: u16,
    _work: WorkDir,
}

impl Cluster {
    fn start(tag: &str) -> Cluster {
        Cluster::start_with(tag, &[])
    }

    fn start_with(tag: &str, env: &[(&str, String)]) -> Cluster {
        require_programs(NEEDS);
        let work = WorkDir::new(&format!("euca-db-{tag}"));
        let port = harness::free_port();
        let mut all = vec![("EUCA_HBA", "1".to_string())];
        all.extend(env.iter().cloned());
        let daemon = Daemon::start("postgres", work.path(), &[&port.to_string()], &all);
        Cluster {
            daemon,
            port,
            _work: work,
        }
    }

    /// psql as the superuser `postgres` over the socket (as user postgres when we are root: the
    /// socket directory is its own).
    fn psql(&self, sql: &str) {
        let dir = self.daemon.dir.display().to_string();
        let port = self.port.to_string();
        let args = [
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            &dir,
            "-p",
            &port,
            "-U",
            "postgres",
            "-d",
            "postgres",
            "-c",
            sql,
        ];
        let out = if is_root() {
            Command::new("runuser")
                .args(["-u", "postgres", "--", "psql"])
                .args(args)
                .output()
        } else {
            Command::new("psql").args(args).output()
        }
        .expect("run psql");
        assert!(
            out.status.success(),
            "psql {sql}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// The role Eucalyptus makes for peer access (`root`, here the OS user running the test).
    fn eucalyptus_layout(&self, dbs: &[&str]) {
        self.psql(&format!("CREATE ROLE \"{}\" SUPERUSER LOGIN", me()));
        for db in dbs {
            self.psql(&format!("CREATE DATABASE {db}"));
        }
    }

    fn plugin(&self) -> Plugin {
        Plugin::new(BIN).args([
            "--socket-dir",
            &self.daemon.dir.display().to_string(),
            "--port",
            &self.port.to_string(),
            "--user",
            &me(),
        ])
    }
}

fn is_root() -> bool {
    me() == "root"
}

fn me() -> String {
    let out = Command::new("id").arg("-un").output().expect("id -un");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
#[ignore = "needs postgres: run scripts/test"]
fn the_4_1_layout_over_the_socket_with_peer_auth_is_ok_then_stopped_is_critical() {
    let pg = Cluster::start("ok");
    pg.eucalyptus_layout(&["eucalyptus_shared", "database_events"]);
    let out = pg.plugin().run();
    out.expect(
        0,
        &[
            "EUCA DB OK - PostgreSQL 15.",
            "SELECT 1 in",
            "connections (",
        ],
    );
    for label in [
        "connect_time",
        "query_time",
        "connections",
        "connections_used",
        "oldest_transaction",
        "size_eucalyptus_shared",
        "size_database_events",
        "size_postgres",
    ] {
        out.perf(label);
    }
    assert!(
        out.perf("size_eucalyptus_shared").value > 1_000_000.0,
        "{}",
        out.first
    );
    assert_eq!(out.perf("connections_used").uom.as_str(), "%");

    // The same databases judged as a 3.4 cloud: the per-context ones are missing.
    pg.plugin()
        .args(["--euca-version", "3.4"])
        .run()
        .expect(2, &["databases eucalyptus_auth, eucalyptus_cloud, eucalyptus_config, eucalyptus_general, eucalyptus_records missing", "give --euca-version 4.1 or later"]);
    // --expect-db names one more.
    pg.plugin()
        .args([
            "--expect-db",
            "eucalyptus_shared",
            "--expect-db",
            "eucalyptus_reporting",
        ])
        .run()
        .expect(2, &["database eucalyptus_reporting missing"]);

    // Connections over the threshold (percent of max_connections, the server's own count).
    pg.plugin()
        .args([
            "--connections-warning",
            "0.5",
            "--connections-critical",
            "50",
        ])
        .run()
        .expect(1, &["of 100 connections", "warning 0.5"]);

    // Shutting down (the stop script does not wait) is CRITICAL too; once gone, it says so.
    let data = pg.daemon.dir.join("data/postmaster.pid");
    drop(pg.daemon);
    pg_stopped_run(&pg._work, pg.port).expect_state(Status::Critical);
    wait_gone(&data);
    let out = pg_stopped_run(&pg._work, pg.port);
    out.expect(
        2,
        &[
            "unreachable (not running: no socket",
            &format!(".s.PGSQL.{}", pg.port),
        ],
    );
    // The status line, and the way back (issue 17: every failure with its restore hint).
    out.expect(2, &["-> on the CLC: is its PostgreSQL running"]);
    assert_eq!(out.long_lines.len(), 1, "{}", out.first);
}

fn wait_gone(pid_file: &std::path::Path) {
    let until = std::time::Instant::now() + std::time::Duration::from_secs(15);
    while pid_file.exists() && std::time::Instant::now() < until {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(!pid_file.exists(), "PostgreSQL did not stop");
}

fn pg_stopped_run(work: &WorkDir, port: u16) -> harness::Outcome {
    Plugin::new(BIN)
        .args([
            "--socket-dir",
            &work.path().display().to_string(),
            "--port",
            &port.to_string(),
            "--user",
            &me(),
        ])
        .run()
}

#[test]
#[ignore = "needs postgres: run scripts/test"]
fn the_3_4_layout_and_tcp_with_a_password_file() {
    let pg = Cluster::start("tcp");
    let set = [
        "eucalyptus_auth",
        "eucalyptus_cloud",
        "eucalyptus_config",
        "eucalyptus_general",
        "eucalyptus_records",
        "database_events",
    ];
    pg.eucalyptus_layout(&set);
    pg.plugin()
        .args(["--euca-version", "3.4"])
        .run()
        .expect(0, &["EUCA DB OK"]);
    pg.plugin()
        .run()
        .expect(2, &["database eucalyptus_shared missing"]);

    pg.psql("CREATE ROLE eucalyptus LOGIN PASSWORD 'pw-Kj3nH8sQ2x'");
    let work = WorkDir::new("euca-db-pw");
    let good = work.path().join("pw");
    harness::write_secret(&good, "pw-Kj3nH8sQ2x\n");
    let bad = work.path().join("bad");
    harness::write_secret(&bad, "wrong-Lp0q9Zr\n");
    let tcp = |file: &std::path::Path| {
        Plugin::new(BIN)
            .args([
                "--host",
                "127.0.0.1",
                "--port",
                &pg.port.to_string(),
                "--user",
                "eucalyptus",
            ])
            .args([
                "--password-file",
                &file.display().to_string(),
                "--euca-version",
                "4.0",
            ])
            .run()
    };
    let out = tcp(&good);
    out.expect(0, &["EUCA DB OK - PostgreSQL 15.", "at 127.0.0.1:"]);
    let out = tcp(&bad);
    out.expect(
        3,
        &["password authentication failed for user \"eucalyptus\""],
    );
    out.lacks(&["wrong-Lp0q9Zr", "pw-Kj3nH8sQ2x"]);

    let data = pg.daemon.dir.join("data/postmaster.pid");
    drop(pg.daemon);
    wait_gone(&data);
    tcp(&good).expect(2, &["unreachable (connection refused)"]);
}

#[test]
fn a_server_that_accepts_but_never_answers_is_critical_within_the_timeout() {
    // The kernel accepts into the listen backlog; nobody ever speaks PostgreSQL.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    let out = Plugin::new(BIN)
        .args(["--host", "127.0.0.1", "--port", &port, "-t", "2"])
        .run();
    out.expect(
        2,
        &[
            "EUCA DB CRITICAL - PostgreSQL at 127.0.0.1:",
            "unreachable (no answer within 1.8 s)",
        ],
    );
    assert!(out.elapsed.as_secs_f64() < 2.5, "{:?}", out.elapsed);
    drop(listener);
}

#[test]
fn usage_errors_are_unknown() {
    for (args, says) in [
        (&["--ssl"][..], "--ssl is for --host"),
        (
            &["--host", "h", "--insecure"][..],
            "--ca-file and --insecure go with --ssl",
        ),
        (
            &["--host", "h", "--ssl", "--insecure", "--ca-file", "f"][..],
            "give one",
        ),
        (
            &["--port", "0"][..],
            "-p 0: expected a port number from 1 to 65535",
        ),
    ] {
        Plugin::new(BIN).args(args).run().expect(3, &[says]);
    }
    Plugin::new(BIN)
        .args(["--euca-version", "2.0"])
        .run()
        .expect(3, &["--euca-version '2.0'"]);
    Plugin::new(BIN)
        .args(["--password-file", "/nonexistent"])
        .run()
        .expect(3, &["--password-file is for --host"]);
    Plugin::new(BIN)
        .args(["--host", "127.0.0.1", "--password-file", "/nonexistent/pw"])
        .run()
        .expect(3, &["cannot read /nonexistent/pw: no such file"]);
}

/// TCP as Eucalyptus allows it: `hostssl` only, so the server's certificate (self-signed here,
/// for 127.0.0.1) is verified with --ca-file, refused without it, skipped with --insecure.
#[test]
#[ignore = "needs postgres: run scripts/test"]
fn tcp_over_tls_with_the_servers_own_certificate() {
    require_programs(&["openssl"]);
    let keys = WorkDir::new("euca-db-tls-keys");
    let (cert, key) = (
        keys.path().join("server.crt"),
        keys.path().join("server.key"),
    );
    // A CA and a server certificate for 127.0.0.1 signed by it (webpki refuses a CA
    // certificate used as the server's own).
    let ca = keys.path().join("ca.crt");
    let ca_key = keys.path().join("ca.key");
    let csr = keys.path().join("server.csr");
    let ext = keys.path().join("ext");
    std::fs::write(
        &ext,
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n",
    )
    .unwrap();
    let p = |x: &std::path::Path| x.display().to_string();
    for args in [
        vec![
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=test CA",
            "-keyout",
            &p(&ca_key),
            "-out",
            &p(&ca),
        ],
        vec![
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            &p(&key),
            "-out",
            &p(&csr),
        ],
        vec![
            "x509",
            "-req",
            "-in",
            &p(&csr),
            "-CA",
            &p(&ca),
            "-CAkey",
            &p(&ca_key),
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            &p(&ext),
            "-out",
            &p(&cert),
        ],
    ] {
        let made = Command::new("openssl")
            .args(&args)
            .output()
            .expect("openssl");
        assert!(
            made.status.success(),
            "{}",
            String::from_utf8_lossy(&made.stderr)
        );
    }
    if is_root() {
        // PostgreSQL runs as postgres and wants its key private to it.
        let chown = Command::new("chown")
            .arg("postgres")
            .arg(&key)
            .arg(&cert)
            .status()
            .unwrap();
        assert!(chown.success());
    }
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    let opts = format!(
        "-c ssl=on -c ssl_cert_file={} -c ssl_key_file={}",
        cert.display(),
        key.display()
    );
    let pg = Cluster::start_with("tls", &[("HBA_TCP", "hostssl".into()), ("PG_OPTS", opts)]);
    pg.eucalyptus_layout(&["eucalyptus_shared", "database_events"]);
    pg.psql("CREATE ROLE eucalyptus LOGIN PASSWORD 'pw-Tq7vW2mN5b'");
    let pw = keys.path().join("pw");
    harness::write_secret(&pw, "pw-Tq7vW2mN5b\n");
    let tcp = |extra: &[&str]| {
        Plugin::new(BIN)
            .args([
                "--host",
                "127.0.0.1",
                "--port",
                &pg.port.to_string(),
                "--user",
                "eucalyptus",
            ])
            .args(["--password-file", &pw.display().to_string()])
            .args(extra)
            .run()
    };
    tcp(&[]).expect(3, &["no encryption", "(give --ssl)"]);
    tcp(&["--ssl", "--ca-file", &ca.display().to_string()]).expect(0, &["EUCA DB OK"]);
    tcp(&["--ssl", "--insecure"]).expect(0, &["EUCA DB OK"]);
    tcp(&["--ssl"]).expect(
        3,
        &["TLS: the server's certificate is not signed by a CA we trust (give --ca-file)"],
    );
    tcp(&["--ssl", "--ca-file", &p(&csr)]).expect(3, &["server.csr: no certificate in it"]);
}
