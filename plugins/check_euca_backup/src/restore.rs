//! `--restore-test`: the newest complete set's database dump restored into a throw-away
//! PostgreSQL (initdb into a kit [`ScratchDir`], the server listening on a unix socket in it
//! only, no TCP), its tables counted per schema, the server stopped and the directory removed.
//! Every program runs through the kit's tool runner; when `-t` or a signal ends the run, the
//! kit stops the server with the other tools and removes the scratch directory.

use crate::evaluate::{DumpKind, Restored, SetSeen};
use crate::Options;
use common::{CheckError, Context, ScratchDir, ToolCommand};
use std::path::Path;
use std::time::{Duration, Instant};

/// The port only names the socket (`.s.PGSQL.5432` in the scratch directory).
const PORT: &str = "5432";

/// Statements of a pg_dumpall file that fail by design in a fresh cluster whose superuser is
/// `postgres`: the dump re-creates (and, with -c, drops) the role that runs the restore, and
/// (with -c) drops databases and roles that a fresh cluster does not have yet.
const EXPECTED_ERRORS: &[&str] = &[
    "role \"postgres\" already exists",
    "current user cannot be dropped",
];

/// `DROP DATABASE x;` / `DROP ROLE x;` of a -c dump in a fresh cluster: `database "x" does not
/// exist`, `role "x" does not exist`.
fn drop_of_what_is_not_there(line: &str) -> bool {
    ["ERROR:  database \"", "ERROR:  role \""].iter().any(|p| {
        line.split_once(p)
            .is_some_and(|(_, rest)| rest.ends_with("\" does not exist"))
    })
}

pub fn run(
    opts: &Options,
    ctx: &Context,
    set: &SetSeen,
    dir: &Path,
    databases: &[String],
) -> Restored {
    let started = Instant::now();
    let scratch = match ScratchDir::new("check_euca_backup-restore") {
        Ok(s) => s,
        Err(why) => return Restored::NotRun(why),
    };
    match in_scratch(opts, ctx, set, dir, databases, &scratch) {
        Ok((tables, errors)) => Restored::Done {
            seconds: started.elapsed().as_secs_f64(),
            tables,
            errors,
        },
        Err(r) => r,
    }
    // scratch dropped here: the directory is removed
}

/// The user initdb and the server run as: PostgreSQL refuses root.
fn as_user(opts: &Options) -> Option<&str> {
    nix::unistd::geteuid()
        .is_root()
        .then_some(opts.restore_user.as_str())
}

fn tool(opts: &Options, program: &str, args: &[String]) -> ToolCommand {
    let path = opts.program(program);
    match as_user(opts) {
        Some(user) => ToolCommand::new("runuser")
            .args(["-u", user, "--", &path])
            .args(args.iter().cloned()),
        None => ToolCommand::new(path).args(args.iter().cloned()),
    }
}

type Tables = Vec<(String, String, u64)>;

fn in_scratch(
    opts: &Options,
    ctx: &Context,
    set: &SetSeen,
    dir: &Path,
    databases: &[String],
    scratch: &ScratchDir,
) -> Result<(Tables, Vec<String>), Restored> {
    let s = scratch.path().display().to_string();
    let data = format!("{s}/data");
    if let Some(user) = as_user(opts) {
        let Ok(Some(u)) = nix::unistd::User::from_name(user) else {
            return Err(Restored::NotRun(format!(
                "no user '{user}' to run PostgreSQL as (--restore-user)"
            )));
        };
        if let Err(e) =
            std::os::unix::fs::chown(scratch.path(), Some(u.uid.as_raw()), Some(u.gid.as_raw()))
        {
            return Err(Restored::NotRun(format!("cannot give {s} to {user}: {e}")));
        }
    }
    ctx.doing("initdb of the throw-away cluster");
    let init = tool(
        opts,
        "initdb",
        &strings(&[
            "-D",
            &data,
            "-U",
            "postgres",
            "-A",
            "trust",
            "--no-sync",
            "-E",
            "UTF8",
        ]),
    );
    must(ctx, &init, "initdb").map_err(Restored::NotRun)?;

    let server = tool(
        opts,
        "postgres",
        &strings(&[
            "-D",
            &data,
            "-k",
            &s,
            "-p",
            PORT,
            "-c",
            "listen_addresses=",
            "-c",
            "fsync=off",
            "-c",
            "full_page_writes=off",
            // Its log goes to the tool runner's capped stderr: the restore's own errors come
            // back to psql, so the server logs only what stops it.
            "-c",
            "log_min_messages=fatal",
            "-c",
            "log_min_error_statement=panic",
        ]),
    );
    std::thread::scope(|scope| {
        let running = scope.spawn(|| ctx.run_tool(&server));
        let result = ready(ctx, &data, &running)
            .and_then(|()| restore_dumps(opts, ctx, set, dir, &s))
            .and_then(|errors| Ok((count_tables(opts, ctx, &s, databases)?, errors)));
        ctx.doing("stopping the throw-away cluster");
        let stop = tool(
            opts,
            "pg_ctl",
            &strings(&["-D", &data, "-m", "immediate", "-w", "-t", "10", "stop"]),
        );
        let _ = ctx.run_tool(&stop);
        let _ = running.join();
        result
    })
}

fn strings(a: &[&str]) -> Vec<String> {
    a.iter().map(|s| s.to_string()).collect()
}

/// Run a tool that must succeed; its first error line otherwise.
fn must(ctx: &Context, cmd: &ToolCommand, what: &str) -> Result<common::ToolOutput, String> {
    match ctx.run_tool(cmd) {
        Ok(o) if o.success() => Ok(o),
        Ok(o) => Err(format!("{what}: {}", o.first_error_line())),
        Err(e) => Err(format!("{what}: {e}")),
    }
}

/// Wait until the server says it is ready (postmaster.pid's status line), or has ended.
fn ready(
    ctx: &Context,
    data: &str,
    running: &std::thread::ScopedJoinHandle<'_, Result<common::ToolOutput, CheckError>>,
) -> Result<(), Restored> {
    ctx.doing("starting the throw-away cluster");
    loop {
        if running.is_finished() {
            return Err(Restored::NotRun(
                "the throw-away server ended at once (see its log with -v)".into(),
            ));
        }
        if std::fs::read_to_string(format!("{data}/postmaster.pid"))
            .is_ok_and(|t| t.lines().any(|l| l.trim() == "ready"))
        {
            return Ok(());
        }
        if ctx.io_budget().is_zero() {
            return Err(Restored::NotRun(
                "the throw-away server was not ready in time; raise -t".into(),
            ));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// psql -f for a pg_dumpall file, pg_restore -C for custom dumps; the statements that failed.
fn restore_dumps(
    opts: &Options,
    ctx: &Context,
    set: &SetSeen,
    dir: &Path,
    socket: &str,
) -> Result<Vec<String>, Restored> {
    let mut errors = Vec::new();
    for d in &set.dumps {
        let file = dir.join(&d.file).display().to_string();
        ctx.doing(format!("restoring {}", d.file));
        let cmd = match d.kind {
            DumpKind::Dumpall(_) => ToolCommand::new(opts.program("psql")).args(strings(&[
                "-X",
                "-q",
                "-o",
                "/dev/null",
                "-v",
                "ON_ERROR_STOP=0",
                "-h",
                socket,
                "-p",
                PORT,
                "-U",
                "postgres",
                "-d",
                "postgres",
                "-f",
                &file,
            ])),
            // Roles are not in a per-database dump: owners and grants are left out.
            _ => ToolCommand::new(opts.program("pg_restore")).args(strings(&[
                "-h",
                socket,
                "-p",
                PORT,
                "-U",
                "postgres",
                "--no-owner",
                "--no-privileges",
                "-C",
                "-d",
                "postgres",
                &file,
            ])),
        };
        let out = match ctx.run_tool(&cmd) {
            Ok(o) => o,
            Err(e) => return Err(Restored::NotRun(format!("{}: {e}", cmd.program))),
        };
        for line in out.stderr.lines() {
            let failed = line.contains("ERROR:") || line.contains("pg_restore: error:");
            if failed
                && !EXPECTED_ERRORS.iter().any(|x| line.contains(x))
                && !drop_of_what_is_not_there(line)
            {
                errors.push(line.trim().chars().take(200).collect());
            }
        }
        if !out.success() && errors.is_empty() && matches!(d.kind, DumpKind::Dumpall(_)) {
            return Err(Restored::Failed(format!(
                "psql -f {}: {}",
                d.file,
                out.first_error_line()
            )));
        }
    }
    Ok(errors)
}

/// Tables per schema in each expected database; a database that is not there was not restored.
fn count_tables(
    opts: &Options,
    ctx: &Context,
    socket: &str,
    databases: &[String],
) -> Result<Tables, Restored> {
    let sql = "SELECT schemaname, count(*) FROM pg_tables \
               WHERE schemaname NOT IN ('pg_catalog', 'information_schema') GROUP BY 1 ORDER BY 1";
    let mut out = Vec::new();
    for db in databases {
        ctx.doing(format!("counting the tables of {db}"));
        let cmd = ToolCommand::new(opts.program("psql")).args(strings(&[
            "-X", "-A", "-t", "-h", socket, "-p", PORT, "-U", "postgres", "-d", db, "-c", sql,
        ]));
        let got = match ctx.run_tool(&cmd) {
            Ok(o) => o,
            Err(e) => return Err(Restored::NotRun(format!("psql: {e}"))),
        };
        if !got.success() {
            let first = got.first_error_line();
            return Err(if first.contains("does not exist") {
                Restored::Failed(format!("database {db} is not in the restored cluster"))
            } else {
                Restored::NotRun(format!("psql on {db}: {first}"))
            });
        }
        for line in got.stdout.lines() {
            let Some((schema, n)) = line.rsplit_once('|') else {
                continue;
            };
            let Ok(n) = n.trim().parse::<u64>() else {
                continue;
            };
            out.push((db.clone(), schema.to_string(), n));
        }
    }
    Ok(out)
}
