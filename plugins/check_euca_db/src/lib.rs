//! check_euca_db: the Eucalyptus CLC's PostgreSQL (port 8777, socket in
//! /var/lib/eucalyptus/db/data), asked the way the documented backup asks it: as OS user root
//! over the unix socket with peer authentication, or over TCP with a password from a file.
//!
//! Acquire (connect, four small queries, all inside the `-t` budget) -> `model::Observed` ->
//! `evaluate` -> Report. No text parser: the server's answers arrive typed, and each row is
//! converted with `try_get` (a value of another type is UNKNOWN, never a panic).

pub mod evaluate;
pub mod model;
pub mod relay;
pub mod tls;

use common::bounded::{run_bounded, Bounded};
use common::{secret, Acquisition, CheckError, Context, Plugin, Range, Report, Secret, Thresholds};
use evaluate::Rules;
use model::{Database, Observed};
use std::path::PathBuf;
use std::time::{Duration, Instant};

pub const PLUGIN: Plugin = Plugin {
    name: "check_euca_db",
    service: "EUCA DB",
    version: env!("CARGO_PKG_VERSION"),
    about: "The Eucalyptus CLC's PostgreSQL: answers, quickly, with the databases Eucalyptus needs, connections to spare, no transaction left open",
    reads_host: false,
    inputs: &[],
    synopsis: "\
check_euca_db [--socket-dir DIR | --host HOST --password-file FILE [--ssl [--ca-file FILE | --insecure]]]
              [--port N] [--user NAME] [--dbname NAME] [--euca-version VER | --expect-db NAME...]
              [-w S] [-c S] [--connections-warning RANGE] [--connections-critical RANGE]
              [--transaction-warning RANGE] [--transaction-critical RANGE] [-t S] [-v]",
    runs_tools: false,
    keeps_state: false,
};

/// Where Eucalyptus starts its PostgreSQL (`setup_db.groovy`: the socket lives in the data dir).
pub const EUCA_SOCKET_DIR: &str = "/var/lib/eucalyptus/db/data";
pub const EUCA_DB_PORT: u16 = 8777;

fn parse_port(text: &str) -> Result<u16, String> {
    match text.trim().parse::<u16>() {
        Ok(p) if p > 0 => Ok(p),
        _ => Err("expected a port number from 1 to 65535".into()),
    }
}

pub fn command() -> clap::Command {
    common::command::<Options>(&PLUGIN)
}

#[derive(clap::Args, Debug, Clone)]
pub struct Options {
    /// Unix socket directory (peer authentication as the OS user running the check)
    #[arg(long = "socket-dir", value_name = "DIR", default_value = EUCA_SOCKET_DIR)]
    pub socket_dir: PathBuf,
    /// Connect over TCP to HOST instead of the unix socket (password authentication)
    #[arg(long, value_name = "HOST")]
    pub host: Option<String>,
    /// File whose first line is the password (TCP; kept out of argv and never printed)
    #[arg(long = "password-file", value_name = "FILE")]
    pub password_file: Option<PathBuf>,
    /// Speak TLS over TCP (Eucalyptus admits TCP clients only as `hostssl`); the certificate is
    /// verified against the system's CAs and --ca-file
    #[arg(long)]
    pub ssl: bool,
    /// PEM file of the CA (or the self-signed certificate) of the server's TLS certificate
    #[arg(long = "ca-file", value_name = "FILE")]
    pub ca_file: Option<PathBuf>,
    /// Do not verify the server's TLS certificate (the traffic is still encrypted)
    #[arg(long)]
    pub insecure: bool,
    /// Port (Eucalyptus starts its PostgreSQL on 8777; on the socket it names .s.PGSQL.N)
    #[arg(short = 'p', long, value_name = "N", default_value_t = EUCA_DB_PORT, value_parser = parse_port)]
    pub port: u16,
    /// Database role (Eucalyptus creates `root` for peer access and `eucalyptus` for itself)
    #[arg(short = 'U', long, value_name = "NAME", default_value = "root")]
    pub user: String,
    /// Database to connect to
    #[arg(long, value_name = "NAME", default_value = "postgres")]
    pub dbname: String,
    /// Eucalyptus version whose databases must exist: 4.1 and later need eucalyptus_shared and
    /// database_events; 3.4 and 4.0 the per-context eucalyptus_* databases
    #[arg(long = "euca-version", value_name = "VER", default_value = "4.4")]
    pub euca_version: String,
    /// A database that must exist (repeatable; replaces the --euca-version set)
    #[arg(long = "expect-db", value_name = "NAME")]
    pub expect_db: Vec<String>,
    /// SELECT 1 time warning range, seconds
    #[arg(short = 'w', long, value_name = "RANGE", default_value = "2")]
    pub warning: Range,
    /// SELECT 1 time critical range, seconds
    #[arg(short = 'c', long, value_name = "RANGE", default_value = "8")]
    pub critical: Range,
    /// Connections used, percent of max_connections, warning range
    #[arg(
        long = "connections-warning",
        value_name = "RANGE",
        default_value = "80"
    )]
    pub connections_warning: Range,
    /// Connections used, percent of max_connections, critical range
    #[arg(
        long = "connections-critical",
        value_name = "RANGE",
        default_value = "90"
    )]
    pub connections_critical: Range,
    /// Age of the oldest open transaction, seconds, warning range
    #[arg(
        long = "transaction-warning",
        value_name = "RANGE",
        default_value = "3600"
    )]
    pub transaction_warning: Range,
    /// Age of the oldest open transaction, seconds, critical range
    #[arg(long = "transaction-critical", value_name = "RANGE")]
    pub transaction_critical: Option<Range>,
}

impl Options {
    /// The connection options that only make sense together.
    fn usage(&self) -> Result<(), CheckError> {
        let fail = |m: &str| Err(CheckError::usage(m));
        if self.ssl && self.host.is_none() {
            return fail("--ssl is for --host (TCP); the unix socket needs no TLS");
        }
        if (self.ca_file.is_some() || self.insecure) && !self.ssl {
            return fail("--ca-file and --insecure go with --ssl");
        }
        if self.ca_file.is_some() && self.insecure {
            return fail("--ca-file verifies the certificate, --insecure does not: give one");
        }
        Ok(())
    }

    fn rules(&self) -> Result<Rules, CheckError> {
        self.usage()?;
        let expected: Vec<String> = if self.expect_db.is_empty() {
            model::databases_for(&self.euca_version)
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
            let mut once = Vec::new();
            for db in &self.expect_db {
                if db.is_empty() || db.len() > 63 {
                    return Err(CheckError::usage(format!(
                        "--expect-db '{db}' is not a PostgreSQL database name (1-63 bytes)"
                    )));
                }
                if !once.contains(db) {
                    once.push(db.clone());
                }
            }
            once
        };
        Ok(Rules {
            query_time: Thresholds::new(Some(self.warning.clone()), Some(self.critical.clone())),
            connections_pct: Thresholds::new(
                Some(self.connections_warning.clone()),
                Some(self.connections_critical.clone()),
            ),
            transaction_age: Thresholds::new(
                Some(self.transaction_warning.clone()),
                self.transaction_critical.clone(),
            ),
            expected,
        })
    }

    /// `socket DIR port N` or `HOST:PORT`, for messages.
    fn server(&self) -> String {
        match &self.host {
            Some(h) => format!("{h}:{}", self.port),
            None => format!("socket {} port {}", self.socket_dir.display(), self.port),
        }
    }
}

pub fn check(opts: &Options, ctx: &Context) -> Result<Report, CheckError> {
    let rules = opts.rules()?;
    let password = match (&opts.host, &opts.password_file) {
        (Some(_), Some(file)) => {
            let read = secret::read_secret_file(file)?;
            let first = read.text.expose().lines().next().unwrap_or("").to_string();
            if first.is_empty() {
                return Err(CheckError::Read {
                    path: file.display().to_string(),
                    reason: "its first line (the password) is empty".into(),
                });
            }
            Some(Secret::new(first))
        }
        (None, Some(_)) => {
            return Err(CheckError::usage(
                "--password-file is for --host (TCP); the unix socket uses peer authentication",
            ))
        }
        _ => None,
    };
    let tls = if opts.ssl {
        Some(
            tls::client_config(opts.ca_file.as_deref(), opts.insecure)
                .map_err(CheckError::Other)?,
        )
    } else {
        None
    };
    let got = acquire(opts, password, tls, ctx);
    let report = match &got {
        Acquisition::Read(seen) => evaluate::evaluate(seen, &rules),
        other => {
            let mut r = Report::new();
            if let Some(f) = other.finding() {
                r.add(match other {
                    Acquisition::Unreachable { .. } => f.hint(RESTORE_UNREACHABLE),
                    _ => f,
                });
            }
            r
        }
    };
    Ok(report)
}

/// The way back when the CLC's database does not answer: the cloud's state lives there, so the
/// CLC (eucalyptus-cloud) cannot serve until it does.
const RESTORE_UNREACHABLE: &str = "on the CLC: is its PostgreSQL running (ps -C postgres; /var/lib/eucalyptus/db/data/postmaster.pid; its log in /var/lib/eucalyptus/db/data/pg_log)? eucalyptus-cloud starts it: restart eucalyptus-cloud, and if the data directory is lost or corrupt restore it from the newest backup (check_euca_backup)";

/// Connect and ask, in a thread of its own so that the whole visit (connect, authentication,
/// queries) is bounded by the `-t` budget: the client's connect timeout covers only the socket,
/// and a server that accepted the connection but never answers (stopped with SIGSTOP, a full
/// disk) would otherwise hold the check until the runner's UNKNOWN timeout. Past the budget
/// the server is reported unreachable (CRITICAL): it did not answer in time.
fn acquire(
    opts: &Options,
    password: Option<Secret>,
    tls: Option<rustls::ClientConfig>,
    ctx: &Context,
) -> Acquisition<Observed> {
    let source = format!("PostgreSQL at {}", opts.server());
    let budget = ctx.io_budget();
    if budget.is_zero() {
        return Acquisition::not_asked(source);
    }
    ctx.doing(format!("asking {source}"));
    let opts2 = opts.clone();
    let visit = move || visit(&opts2, password.as_ref(), tls, budget);
    match run_bounded("postgres", budget, visit) {
        Bounded::Done(Ok(seen)) => Acquisition::Read(seen),
        Bounded::Done(Err(Failure::Unreachable(why))) => Acquisition::unreachable(source, why),
        Bounded::Done(Err(Failure::Unreadable(why))) => Acquisition::unreadable(source, why),
        Bounded::TimedOut => Acquisition::unreachable(
            source,
            format!("no answer within {:.1} s", budget.as_secs_f64()),
        ),
        Bounded::NoThread(why) => Acquisition::unreadable(source, why),
    }
}

#[derive(Debug)]
enum Failure {
    /// Not running, refused, no answer: the database is down for Eucalyptus too (CRITICAL).
    Unreachable(String),
    /// It answered but we could not check (authentication, privileges, odd answers): UNKNOWN.
    Unreadable(String),
}

fn visit(
    opts: &Options,
    password: Option<&Secret>,
    tls: Option<rustls::ClientConfig>,
    budget: Duration,
) -> Result<Observed, Failure> {
    let mut config = postgres::Config::new();
    match &opts.host {
        Some(h) => config.host(h),
        None => config.host_path(&opts.socket_dir),
    };
    config
        .user(&opts.user)
        .dbname(&opts.dbname)
        .application_name("check_euca_db")
        .connect_timeout(budget)
        // The server stops any statement of ours that runs past the budget (milliseconds).
        .options(&format!(
            "-c statement_timeout={}",
            budget.as_millis().max(1)
        ));
    if let Some(p) = password {
        config.password(p.expose());
    }
    let started = Instant::now();
    // Over TCP, through the relay that caps what the server may send (relay.rs); the name
    // stays the server's, for TLS.
    let relay = match &opts.host {
        Some(host) => {
            let server = connect_tcp(host, opts.port, budget).map_err(|e| io_failure(opts, &e))?;
            let relay = relay::start(server, budget)
                .map_err(|e| Failure::Unreadable(format!("cannot relay to the server: {e}")))?;
            config.hostaddr(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST));
            Some(relay)
        }
        None => None,
    };
    // One port only (tokio-postgres refuses a list longer than its hosts).
    config.port(relay.as_ref().map_or(opts.port, |r| r.port));
    let over_cap = || relay.as_ref().is_some_and(relay::Relay::overflowed);
    let capped = |f: Failure| {
        if over_cap() {
            Failure::Unreadable(format!(
                "the server sent more than {} MiB, not read whole (is this PostgreSQL?)",
                relay::CAP >> 20
            ))
        } else {
            f
        }
    };
    let connected = match tls {
        Some(tls) => {
            config.ssl_mode(postgres::config::SslMode::Require);
            config.connect(tokio_postgres_rustls::MakeRustlsConnect::new(tls))
        }
        None => config.connect(postgres::NoTls),
    };
    let mut client = connected.map_err(|e| capped(connect_failure(opts, &e)))?;
    let connect_seconds = started.elapsed().as_secs_f64();

    let started = Instant::now();
    client
        .simple_query("SELECT 1")
        .map_err(|e| capped(query_failure(e)))?;
    let query_seconds = started.elapsed().as_secs_f64();

    // The activity query depends on the server's version (Eucalyptus 4.1+ runs PostgreSQL
    // 9.2, 3.4/4.0 run 9.1): ask it first, on its own. Each question is one simple query:
    // one round trip, where a prepared statement costs two (bench/RESULTS.md, db).
    let failed = |e| capped(query_failure(e));
    let version_num: i32 = parsed(
        &text_rows(&mut client, "SELECT current_setting('server_version_num')").map_err(failed)?,
        0,
        0,
    )?;
    let activity = text_rows(&mut client, activity_query(version_num).as_str()).map_err(failed)?;
    let version = value(&activity, 0, 0)?.to_string();
    let max_connections: i64 = parsed(&activity, 0, 1)?;
    let connections: i64 = parsed(&activity, 0, 2)?;
    let oldest: Option<f64> = match activity.first().and_then(|r| r.get(3)) {
        Some(Some(_)) => Some(parsed(&activity, 0, 3)?),
        _ => None,
    };

    // Sizes only where we may connect: pg_database_size fails for a database without CONNECT.
    let rows = text_rows(
        &mut client,
        "SELECT datname::text, CASE WHEN has_database_privilege(datname, 'CONNECT') \
                THEN pg_database_size(datname)::int8 END \
         FROM pg_database WHERE datallowconn ORDER BY datname",
    )
    .map_err(failed)?;
    let mut databases = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        let name = value(&rows, i, 0)?.to_string();
        let size: Option<i64> = match row.get(1) {
            Some(Some(_)) => Some(parsed(&rows, i, 1)?),
            _ => None,
        };
        databases.push(Database {
            name,
            size_bytes: size.and_then(|s| u64::try_from(s).ok()),
        });
    }
    Ok(Observed {
        server: opts.server(),
        connect_seconds,
        query_seconds,
        version,
        databases,
        connections: u64::try_from(connections).unwrap_or(0),
        max_connections: u64::try_from(max_connections).unwrap_or(0),
        oldest_transaction_seconds: oldest,
    })
}

/// The rows of one statement over the simple query protocol, each value as the text
/// PostgreSQL prints (None for NULL).
fn text_rows(
    client: &mut postgres::Client,
    sql: &str,
) -> Result<Vec<Vec<Option<String>>>, postgres::Error> {
    let mut out = Vec::new();
    for message in client.simple_query(sql)? {
        if let postgres::SimpleQueryMessage::Row(row) = message {
            out.push(
                (0..row.len())
                    .map(|i| row.get(i).map(str::to_string))
                    .collect(),
            );
        }
    }
    Ok(out)
}

/// Row `row`, column `col` of an answer: present and not NULL, else the answer is not one
/// this check understands.
fn value(rows: &[Vec<Option<String>>], row: usize, col: usize) -> Result<&str, Failure> {
    rows.get(row)
        .and_then(|r| r.get(col))
        .and_then(|v| v.as_deref())
        .ok_or_else(|| {
            Failure::Unreadable(format!(
                "a query answered without row {} column {}",
                row + 1,
                col + 1
            ))
        })
}

/// [`value`] as a number.
fn parsed<T: std::str::FromStr>(
    rows: &[Vec<Option<String>>],
    row: usize,
    col: usize,
) -> Result<T, Failure> {
    let text = value(rows, row, col)?;
    text.trim().parse().map_err(|_| {
        Failure::Unreadable(format!(
            "a query answered '{}' where a number was expected",
            text.chars().take(40).collect::<String>()
        ))
    })
}

/// Version, max_connections, client connections and the oldest open transaction, in SQL the
/// server understands: `backend_type` (to leave out background workers) exists from
/// PostgreSQL 10 on, and before 9.2 the backend's pid column was `procpid`. Before 10 every
/// pg_stat_activity row is a client backend.
pub fn activity_query(server_version_num: i32) -> String {
    let pid = if server_version_num >= 90200 {
        "pid"
    } else {
        "procpid"
    };
    let clients = if server_version_num >= 100000 {
        " AND backend_type = 'client backend'"
    } else {
        ""
    };
    format!(
        "SELECT current_setting('server_version'), \
                current_setting('max_connections')::int8, \
                (SELECT count(*) FROM pg_stat_activity WHERE true{clients})::int8, \
                (SELECT extract(epoch FROM max(now() - xact_start))::float8 FROM pg_stat_activity \
                  WHERE xact_start IS NOT NULL AND {pid} <> pg_backend_pid(){clients})"
    )
}

/// The connect error in an admin's words. No server, refused, timed out: unreachable. The
/// server said no (authentication, no such role or database, pg_hba): it is up, we cannot check.
fn connect_failure(opts: &Options, e: &postgres::Error) -> Failure {
    if let Some(db) = e.as_db_error() {
        use postgres::error::SqlState;
        // Up but not serving anyone, Eucalyptus included: as down as a refused connection.
        let not_serving = [
            SqlState::CANNOT_CONNECT_NOW,
            SqlState::ADMIN_SHUTDOWN,
            SqlState::CRASH_SHUTDOWN,
            SqlState::TOO_MANY_CONNECTIONS,
        ];
        if not_serving.contains(db.code()) {
            return Failure::Unreachable(db.message().to_string());
        }
        let mut why = db.message().to_string();
        if opts.host.is_some() && !opts.ssl && why.contains("no encryption") {
            why.push_str(" (give --ssl)");
        }
        return Failure::Unreadable(secret::scrub(&why).into_owned());
    }
    if let Some(t) = tls_error(e) {
        return Failure::Unreadable(format!("TLS: {t}"));
    }
    if let Some(io) = io_error(e) {
        return io_failure(opts, io);
    }
    // Anything else (the server closed during start-up, a protocol error): it did not serve us.
    Failure::Unreachable(secret::scrub(&plain(e)).into_owned())
}

/// A TCP connection to the server within the budget, to each of its addresses in turn.
fn connect_tcp(host: &str, port: u16, budget: Duration) -> std::io::Result<std::net::TcpStream> {
    use std::net::ToSocketAddrs;
    let deadline = Instant::now() + budget;
    let mut last = std::io::Error::new(std::io::ErrorKind::NotFound, "no address for the name");
    for addr in (host, port).to_socket_addrs()? {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(std::io::ErrorKind::TimedOut.into());
        }
        match std::net::TcpStream::connect_timeout(&addr, left) {
            Ok(s) => return Ok(s),
            Err(e) => last = e,
        }
    }
    Err(last)
}

/// A socket error in an admin's words: refused or timed out is unreachable.
fn io_failure(opts: &Options, io: &std::io::Error) -> Failure {
    {
        use std::io::ErrorKind::*;
        let why = match io.kind() {
            NotFound if opts.host.is_none() => format!(
                "not running: no socket {}/.s.PGSQL.{}",
                opts.socket_dir.display(),
                opts.port
            ),
            ConnectionRefused => "connection refused".to_string(),
            TimedOut => "connection timed out".to_string(),
            PermissionDenied => {
                return Failure::Unreadable(format!(
                    "permission denied on the socket in {}",
                    opts.socket_dir.display()
                ))
            }
            _ => without_os_error(&io.to_string()),
        };
        Failure::Unreachable(why)
    }
}

fn query_failure(e: postgres::Error) -> Failure {
    match e.as_db_error() {
        Some(db) => Failure::Unreadable(format!("a query failed: {}", db.message())),
        None if e.is_closed() => Failure::Unreachable("the server closed the connection".into()),
        None => Failure::Unreadable(format!("a query failed: {}", plain(&e))),
    }
}

/// A TLS failure (certificate not trusted, wrong name): the server is there, it is not
/// verified; or the server has TLS off.
fn tls_error(e: &postgres::Error) -> Option<String> {
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        // tokio-rustls hands rustls' error over inside an io::Error.
        let inner = s
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            .and_then(|i| i.downcast_ref::<rustls::Error>());
        if let Some(t) = s.downcast_ref::<rustls::Error>().or(inner) {
            return Some(tls_words(t));
        }
        source = s.source();
    }
    let text = e.to_string();
    text.contains("server does not support TLS")
        .then(|| "the server does not support TLS (ssl = off)".to_string())
}

fn tls_words(e: &rustls::Error) -> String {
    use rustls::CertificateError as C;
    match e {
        rustls::Error::InvalidCertificate(C::UnknownIssuer) => {
            "the server's certificate is not signed by a CA we trust (give --ca-file)".into()
        }
        rustls::Error::InvalidCertificate(C::NotValidForName)
        | rustls::Error::InvalidCertificate(C::NotValidForNameContext { .. }) => {
            "the server's certificate is not for this host name (connect by the name in it)".into()
        }
        rustls::Error::InvalidCertificate(C::Expired)
        | rustls::Error::InvalidCertificate(C::ExpiredContext { .. }) => {
            "the server's certificate has expired".into()
        }
        other => other.to_string(),
    }
}

fn io_error(e: &postgres::Error) -> Option<&std::io::Error> {
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            return Some(io);
        }
        source = s.source();
    }
    None
}

/// The error's text on one line, without "(os error N)".
fn plain(e: &postgres::Error) -> String {
    without_os_error(&e.to_string())
}

fn without_os_error(text: &str) -> String {
    let text = text.replace('\n', " ");
    match text.find(" (os error") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::activity_query;

    /// Eucalyptus 4.1+ runs PostgreSQL 9.2 and 3.4/4.0 run 9.1: a query naming a column those
    /// servers lack fails there, on every run ("column backend_type does not exist").
    #[test]
    fn the_activity_query_names_only_columns_the_server_has() {
        let pg92 = activity_query(90224);
        assert!(!pg92.contains("backend_type"), "{pg92}");
        assert!(pg92.contains(" pid <> pg_backend_pid()"), "{pg92}");
        let pg91 = activity_query(90124);
        assert!(!pg91.contains("backend_type"), "{pg91}");
        assert!(pg91.contains("procpid <> pg_backend_pid()"), "{pg91}");
        let pg15 = activity_query(150008);
        assert_eq!(
            pg15.matches("backend_type = 'client backend'").count(),
            2,
            "{pg15}"
        );
        assert!(pg15.contains(" pid <> pg_backend_pid()"), "{pg15}");
    }
}
