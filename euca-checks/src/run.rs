//! `euca-checks run`: every check the topology assigns (or one host's), run here and now, in
//! parallel with a bound, then one table. For an admin at a shell and for the demo; Nagios or
//! Icinga 2 run the same command lines on their schedule (`generate`).
//!
//! Each check is a process started without a shell through the kit's tool runner (LC_ALL=C,
//! its own process group, killed with everything it started when it outlives its time), so a
//! hung plugin never outlives `run`. A check that cannot be run at all (program missing, killed,
//! silent, an exit code outside 0-3) is UNKNOWN with the reason, never left out of the table.
//!
//! Checks that the plan places on the host itself (NRPE / agent) run here too: `run` is meant
//! for the host it is started on (`--host`), or for a simulation whose hosts' files are under
//! `root =` directories.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use common::{Context, Status, ToolCommand};

use crate::plan::{self, Service};

/// Where the monitoring-plugins package installs its plugins (Debian, Ubuntu; EL's nagios-plugins
/// use /usr/lib64/nagios/plugins: give --standard-dir there).
pub const STANDARD_DIR: &str = "/usr/lib/nagios/plugins";
/// Grace beyond a check's own `-t`: the plugin should end itself with an UNKNOWN naming what
/// hung; only one that does not is killed.
const GRACE: Duration = Duration::from_secs(5);
/// Time a check without `-t` gets (the standard plugins' own default is 10 s).
const DEFAULT_LIMIT: Duration = Duration::from_secs(30);
/// Output of one check kept (a plugin prints at most 4 KiB unless told otherwise).
const OUTPUT_CAP: usize = 64 * 1024;

#[derive(Debug, Clone)]
pub struct RunOptions {
    pub topology: PathBuf,
    pub host: Option<String>,
    /// At most this many checks at once (at least 1).
    pub jobs: usize,
    /// The suite's plugins.
    pub plugin_dir: PathBuf,
    /// The standard monitoring-plugins (check_disk, check_ntp_time, check_tcp).
    pub standard_dir: PathBuf,
}

/// One check to run: the service and the program file it runs.
#[derive(Debug, Clone)]
pub struct Job {
    pub host: String,
    pub description: String,
    pub program: PathBuf,
    pub args: Vec<String>,
    /// Killed after this.
    pub limit: Duration,
}

/// What one check ended with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub status: Status,
    pub host: String,
    pub description: String,
    /// The plugin's first line, or why it could not be run.
    pub first: String,
    pub elapsed: Duration,
}

/// The default plugin directory: next to this binary when our plugins were installed (or built)
/// there, else the standard one.
pub fn default_plugin_dir() -> PathBuf {
    if let Some(dir) = std::env::current_exe()
        .ok()
        .and_then(|e| e.parent().map(Path::to_path_buf))
    {
        if dir.join("check_raid").is_file() {
            return dir;
        }
    }
    PathBuf::from(STANDARD_DIR)
}

/// The jobs for the plan's services (one host's when `host` is given).
pub fn jobs(
    plan: &plan::Plan,
    host: Option<&str>,
    plugin_dir: &Path,
    standard_dir: &Path,
) -> Result<Vec<Job>, String> {
    if let Some(h) = host {
        if !plan.services.iter().any(|s| s.host == h) {
            // Each host once, in plan order (the cloud checks come back to the CLC's host).
            let mut known: Vec<&str> = Vec::new();
            for s in &plan.services {
                if !known.contains(&s.host.as_str()) {
                    known.push(&s.host);
                }
            }
            return Err(format!(
                "no host '{h}' with services in the topology; hosts: {}",
                known.join(", ")
            ));
        }
    }
    Ok(plan
        .services
        .iter()
        .filter(|s| host.is_none_or(|h| s.host == h))
        .map(|s| job(s, plugin_dir, standard_dir))
        .collect())
}

fn job(s: &Service, plugin_dir: &Path, standard_dir: &Path) -> Job {
    let dir = if s.ours { plugin_dir } else { standard_dir };
    let args = s.args();
    Job {
        host: s.host.clone(),
        description: s.description.clone(),
        program: dir.join(s.program),
        limit: own_timeout(&args).map_or(DEFAULT_LIMIT, |t| t + GRACE),
        args,
    }
}

/// The check's own `-t SECONDS`, if it has one.
fn own_timeout(args: &[String]) -> Option<Duration> {
    let i = args.iter().position(|a| a == "-t" || a == "--timeout")?;
    let secs: f64 = args.get(i + 1)?.parse().ok()?;
    (secs.is_finite() && secs > 0.0 && secs < 86_400.0).then(|| Duration::from_secs_f64(secs))
}

/// Run one check to its end (or its limit).
pub fn execute(job: &Job) -> Outcome {
    let started = Instant::now();
    let (status, first) = run_one(job);
    Outcome {
        status,
        host: job.host.clone(),
        description: job.description.clone(),
        first,
        elapsed: started.elapsed(),
    }
}

fn run_one(job: &Job) -> (Status, String) {
    let name = job
        .program
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if !job.program.is_file() {
        let dir = job
            .program
            .parent()
            .map(|d| d.display().to_string())
            .unwrap_or_default();
        return (
            Status::Unknown,
            format!("{name} not found in {dir} (--plugin-dir / --standard-dir)"),
        );
    }
    let cmd = ToolCommand::new(job.program.to_string_lossy())
        .args(job.args.iter().cloned())
        .timeout(job.limit)
        .max_output(OUTPUT_CAP);
    // A context of its own per check, whose budget is just over the check's limit: the tool's
    // own timeout is what stops it.
    let ctx = Context::new(
        "/",
        Vec::new(),
        0,
        Instant::now(),
        job.limit + Duration::from_secs(1),
    );
    let out = match ctx.run_tool(&cmd) {
        Ok(out) => out,
        Err(e) => return (Status::Unknown, format!("{name}: {e}")),
    };
    let first = out
        .stdout
        .lines()
        .find(|l| !l.trim().is_empty())
        .map(str::to_string);
    let status = match out.code {
        Some(0) => Status::Ok,
        Some(1) => Status::Warning,
        Some(2) => Status::Critical,
        Some(3) => Status::Unknown,
        Some(n) => {
            return (
                Status::Unknown,
                format!(
                    "{name} exited with code {n} (not a plugin state): {}",
                    first.unwrap_or_else(|| out.first_error_line())
                ),
            )
        }
        None => return (Status::Unknown, format!("{name} was killed by a signal")),
    };
    match first {
        Some(line) => (status, line),
        None => (
            Status::Unknown,
            format!(
                "{name} printed nothing on stdout: {}",
                out.first_error_line()
            ),
        ),
    }
}

/// Run every job, at most `jobs` at once; `progress` is called (from the worker threads, one
/// at a time) after each check with (done, total, the outcome). Outcomes in the jobs' order.
pub fn run_all(
    jobs: &[Job],
    parallel: usize,
    progress: &(dyn Fn(usize, usize, &Outcome) + Sync),
) -> Vec<Outcome> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Outcome>>> = Mutex::new(vec![None; jobs.len()]);
    let done = Mutex::new(0usize);
    let workers = parallel.clamp(1, jobs.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(job) = jobs.get(i) else { break };
                let outcome = execute(job);
                {
                    let mut n = done.lock().unwrap_or_else(|p| p.into_inner());
                    *n += 1;
                    progress(*n, jobs.len(), &outcome);
                }
                results.lock().unwrap_or_else(|p| p.into_inner())[i] = Some(outcome);
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_else(|p| p.into_inner())
        .into_iter()
        .flatten()
        .collect()
}

/// The table, in plan order (host by host, as the topology lists them: a map of the deployment
/// an admin reads top-down), each line cut to `width` characters, and a closing count.
pub fn table(outcomes: &[Outcome], width: usize) -> String {
    let host_w = outcomes
        .iter()
        .map(|o| o.host.len())
        .max()
        .unwrap_or(4)
        .max(4);
    let svc_w = outcomes
        .iter()
        .map(|o| o.description.len())
        .max()
        .unwrap_or(7)
        .max(7);
    let mut out = String::new();
    let header = format!(
        "{:<8} {:<host_w$} {:<svc_w$} OUTPUT",
        "STATE", "HOST", "SERVICE"
    );
    out.push_str(&cut(&header, width));
    out.push('\n');
    for o in outcomes {
        let line = format!(
            "{:<8} {:<host_w$} {:<svc_w$} {}",
            o.status.word(),
            o.host,
            o.description,
            printable(o.first.trim())
        );
        out.push_str(&cut(&line, width));
        out.push('\n');
    }
    out.push_str(&summary(outcomes));
    out.push('\n');
    out
}

/// "61 checks: 58 OK, 1 WARNING, 2 CRITICAL".
pub fn summary(outcomes: &[Outcome]) -> String {
    let mut parts = Vec::new();
    for s in [
        Status::Ok,
        Status::Warning,
        Status::Critical,
        Status::Unknown,
    ] {
        let n = outcomes.iter().filter(|o| o.status == s).count();
        if n > 0 {
            parts.push(format!("{n} {}", s.word()));
        }
    }
    format!("{} checks: {}", outcomes.len(), parts.join(", "))
}

/// "in 0.31 s; slowest check 0.22 s: clc1 BMC sensors": what a run took and which check held
/// it up (the run can end no sooner than its slowest check).
pub fn timing(outcomes: &[Outcome], took: Duration) -> String {
    let mut line = format!("in {:.2} s", took.as_secs_f64());
    if let Some(o) = outcomes.iter().max_by_key(|o| o.elapsed) {
        line.push_str(&format!(
            "; slowest check {:.2} s: {} {}",
            o.elapsed.as_secs_f64(),
            o.host,
            o.description
        ));
    }
    line
}

/// The exit code: the worst state's (CRITICAL before UNKNOWN before WARNING, as the kit ranks
/// them); 0 for none.
pub fn exit_code(outcomes: &[Outcome]) -> u8 {
    Status::worst_of(outcomes.iter().map(|o| o.status)).exit_code() as u8
}

/// A plugin's line as the table shows it: control characters (a terminal escape, a tab) as
/// `?`, so that no output can move the cursor or recolour the admin's terminal.
fn printable(line: &str) -> String {
    line.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

fn cut(line: &str, width: usize) -> String {
    if line.chars().count() <= width {
        return line.to_string();
    }
    let mut s: String = line.chars().take(width.saturating_sub(1)).collect();
    s.push('…');
    s
}

/// The terminal's width when stdout is one, else 120.
fn width() -> usize {
    if std::io::stdout().is_terminal() {
        // SAFETY: TIOCGWINSZ fills a winsize we own; nothing else is touched.
        let mut ws: libc::winsize = unsafe { std::mem::zeroed() };
        if unsafe { libc::ioctl(1, libc::TIOCGWINSZ, &mut ws) } == 0 && ws.ws_col >= 40 {
            return ws.ws_col as usize;
        }
    }
    120
}

/// The whole subcommand: read the topology, plan, run, print; the exit code.
pub fn main(opts: &RunOptions) -> Result<u8, String> {
    let name = opts.topology.display().to_string();
    let text = read_topology(&opts.topology)?;
    let t = topology::parse(&name, &text).map_err(|e| e.to_string())?;
    let plan = plan::plan(&t);
    let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let jobs = jobs(
        &plan,
        opts.host.as_deref(),
        &absolute(&opts.plugin_dir),
        &absolute(&opts.standard_dir),
    )?;
    // Relative paths in the topology (`root =`, files given to checks) are relative to the
    // topology file, as an admin reading it expects: the checks run in its directory.
    if let Some(dir) = opts.topology.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::env::set_current_dir(dir)
            .map_err(|e| format!("cannot change to {}: {e}", dir.display()))?;
    }
    let live = std::io::stderr().is_terminal();
    let started = Instant::now();
    let progress = |done: usize, total: usize, o: &Outcome| {
        if live {
            // One line, rewritten: how far, and the last check that ended.
            let line = format!(
                "[{done}/{total}] {:.1} s  {} {}: {}",
                started.elapsed().as_secs_f64(),
                o.host,
                o.description,
                o.status.word()
            );
            eprint!("\r\x1b[K{}", cut(&line, width()));
            if done == total {
                eprint!("\r\x1b[K");
            }
        }
    };
    let outcomes = run_all(&jobs, opts.jobs, &progress);
    print!("{}", table(&outcomes, width()));
    println!("{}", timing(&outcomes, started.elapsed()));
    Ok(exit_code(&outcomes))
}

fn read_topology(path: &Path) -> Result<String, String> {
    use std::io::Read;
    let f =
        std::fs::File::open(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut text = String::new();
    // The topology parser refuses more than its own limit; read one byte past it at most.
    f.take(topology::parse::MAX_TOPOLOGY_BYTES as u64 + 1)
        .read_to_string(&mut text)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    /// A directory of scripts for one test, removed after it.
    struct TempDir(PathBuf);
    impl TempDir {
        fn new() -> TempDir {
            static N: AtomicUsize = AtomicUsize::new(0);
            let p = std::env::temp_dir().join(format!(
                "euca-checks-run-{}-{}",
                std::process::id(),
                N.fetch_add(1, Ordering::SeqCst)
            ));
            std::fs::create_dir_all(&p).unwrap();
            TempDir(p)
        }
        fn path(&self) -> &Path {
            &self.0
        }
    }
    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        p
    }

    fn job(program: PathBuf, limit: Duration) -> Job {
        Job {
            host: "h1".into(),
            description: "Test".into(),
            program,
            args: vec!["-x".into(), "a b".into()],
            limit,
        }
    }

    #[test]
    fn a_plugins_state_and_first_line_are_taken_as_they_are() {
        let dir = TempDir::new();
        let p = script(
            dir.path(),
            "check_x",
            "echo \"X WARNING - args $# $2 | a=1\"; echo long; exit 1",
        );
        let o = execute(&job(p, Duration::from_secs(5)));
        assert_eq!(o.status, Status::Warning);
        assert_eq!(o.first, "X WARNING - args 2 a b | a=1");
    }

    #[test]
    fn what_is_not_a_plugin_answer_is_unknown_with_the_reason() {
        let dir = TempDir::new();
        let cases = [
            ("exit 7", "exited with code 7"),
            ("echo oops >&2; exit 0", "printed nothing on stdout: oops"),
            ("kill -9 $$", "killed by a signal"),
        ];
        for (i, (body, want)) in cases.iter().enumerate() {
            let p = script(dir.path(), &format!("check_{i}"), body);
            let o = execute(&job(p, Duration::from_secs(5)));
            assert_eq!(o.status, Status::Unknown, "{body}");
            assert!(o.first.contains(want), "{body}: {}", o.first);
        }
        let o = execute(&job(dir.path().join("check_gone"), Duration::from_secs(5)));
        assert_eq!(o.status, Status::Unknown);
        assert!(
            o.first.starts_with("check_gone not found in "),
            "{}",
            o.first
        );
    }

    #[test]
    fn a_check_that_hangs_is_killed_with_its_children() {
        let dir = TempDir::new();
        let marker = dir.path().join("child-pid");
        let p = script(
            dir.path(),
            "check_hang",
            &format!("sleep 300 & echo $! > {}; wait", marker.display()),
        );
        let started = Instant::now();
        let o = execute(&job(p, Duration::from_millis(500)));
        assert!(started.elapsed() < Duration::from_secs(5));
        assert_eq!(o.status, Status::Unknown);
        assert!(o.first.contains("did not finish"), "{}", o.first);
        let pid = std::fs::read_to_string(&marker).unwrap();
        let gone = (0..50).any(|_| {
            std::thread::sleep(Duration::from_millis(20));
            !Path::new(&format!("/proc/{}", pid.trim())).exists()
                || std::fs::read_to_string(format!("/proc/{}/stat", pid.trim()))
                    .is_ok_and(|s| s.contains(") Z "))
        });
        assert!(gone, "the check's child {pid} was left running");
    }

    #[test]
    fn checks_run_in_parallel_within_the_bound_and_keep_their_order() {
        let dir = TempDir::new();
        let p = script(dir.path(), "check_slow", "sleep 0.4; echo \"S OK - $2\"");
        let mut jobs = Vec::new();
        for i in 0..6 {
            let mut j = job(p.clone(), Duration::from_secs(5));
            j.args = vec!["-n".into(), i.to_string()];
            jobs.push(j);
        }
        let started = Instant::now();
        let seen = AtomicUsize::new(0);
        let out = run_all(&jobs, 3, &|done, total, _| {
            assert_eq!(total, 6);
            seen.fetch_max(done, Ordering::SeqCst);
        });
        let took = started.elapsed();
        // 6 checks of 0.4 s, 3 at a time: two rounds, not one, not six.
        assert!(took >= Duration::from_millis(780), "{took:?}");
        assert!(took < Duration::from_millis(2300), "{took:?}");
        assert_eq!(seen.load(Ordering::SeqCst), 6);
        let firsts: Vec<&str> = out.iter().map(|o| o.first.as_str()).collect();
        assert_eq!(
            firsts,
            ["S OK - 0", "S OK - 1", "S OK - 2", "S OK - 3", "S OK - 4", "S OK - 5"]
        );
    }

    #[test]
    fn the_timing_line_names_the_slowest_check() {
        let o = |host: &str, ms: u64| Outcome {
            host: host.into(),
            description: "BMC sensors".into(),
            status: Status::Ok,
            first: String::new(),
            elapsed: Duration::from_millis(ms),
        };
        let line = timing(
            &[o("nc1", 30), o("clc1", 220), o("nc2", 40)],
            Duration::from_millis(310),
        );
        assert_eq!(line, "in 0.31 s; slowest check 0.22 s: clc1 BMC sensors");
        assert_eq!(timing(&[], Duration::from_millis(5)), "in 0.01 s");
    }

    #[test]
    fn the_table_is_cut_to_the_width_and_the_exit_code_is_the_worst() {
        let o = |status, first: &str| Outcome {
            status,
            host: "clc1".into(),
            description: "RAID".into(),
            first: first.into(),
            elapsed: Duration::ZERO,
        };
        let all = [
            o(Status::Ok, "RAID OK - fine"),
            o(Status::Warning, &"x".repeat(300)),
            o(Status::Unknown, "RAID UNKNOWN - cannot read /proc/mdstat"),
        ];
        let t = table(&all, 60);
        assert!(t.lines().all(|l| l.chars().count() <= 60), "{t}");
        assert!(t.lines().nth(2).unwrap().ends_with('…'));
        assert!(t.ends_with("3 checks: 1 OK, 1 WARNING, 1 UNKNOWN\n"), "{t}");
        assert_eq!(exit_code(&all), 3);
        assert_eq!(exit_code(&all[..2]), 1);
        assert_eq!(exit_code(&[o(Status::Critical, "x"), all[2].clone()]), 2);
        assert_eq!(exit_code(&[]), 0);
    }

    #[test]
    fn own_timeouts_bound_the_kill() {
        assert_eq!(
            own_timeout(&["-t".into(), "15".into()]),
            Some(Duration::from_secs(15))
        );
        assert_eq!(own_timeout(&["-w".into(), "1".into()]), None);
        assert_eq!(own_timeout(&["-t".into(), "nan".into()]), None);
    }
}
