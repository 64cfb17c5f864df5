//! A tiny plugin that exercises the runner from a real process, for common/tests/runner.rs:
//! panics, hangs, hung tools, errors and bad perfdata must all end as documented. Not shipped.

use common::{
    CheckError, Context, Finding, Perfdata, Plugin, Range, Report, Thresholds, ToolCommand,
};

#[derive(clap::Args)]
struct Options {
    /// What to do: ok, secret (read --secret FILE), panic, thread-panic, hang, tool-hang, read, error, usage, bad-perf, state,
    /// tool (run --tool with --tool-arg), tcp (wait for --peer to speak), many (--count
    /// findings and perfdata items)
    #[arg(long, default_value = "ok")]
    mode: String,
    /// The tool for mode tool
    #[arg(long, default_value = "true")]
    tool: String,
    /// An argument of the tool (repeatable)
    #[arg(long = "tool-arg", allow_hyphen_values = true)]
    tool_args: Vec<String>,
    /// Run the tool through sudo -n
    #[arg(long)]
    sudo: bool,
    /// HOST:PORT for mode tcp
    #[arg(long, default_value = "127.0.0.1:9")]
    peer: String,
    /// How many findings and perfdata items for mode many (and a whole number for the
    /// usage-error tests)
    #[arg(long, default_value = "10")]
    count: usize,
    /// The credentials file for mode secret
    #[arg(long, value_name = "FILE")]
    secret: Option<std::path::PathBuf>,
    /// The metric value (mode ok)
    #[arg(long, default_value = "5", allow_negative_numbers = true)]
    value: f64,
    #[arg(short = 'w', long, value_name = "RANGE")]
    warning: Option<Range>,
    #[arg(short = 'c', long, value_name = "RANGE")]
    critical: Option<Range>,
}

const PLUGIN: Plugin = Plugin {
    name: "kit_probe",
    service: "PROBE",
    version: env!("CARGO_PKG_VERSION"),
    about: "Exercises the euca-checks runner (test helper)",
    reads_host: true,
    inputs: &["saved"],
    synopsis: "",
    runs_tools: true,
    keeps_state: true,
};

fn check(o: &Options, ctx: &Context) -> Result<Report, CheckError> {
    let mut report = Report::new();
    match o.mode.as_str() {
        "ok" => {
            let t = Thresholds::new(o.warning.clone(), o.critical.clone());
            report.add(
                Finding::new(t.status(o.value), format!("value is {}", o.value))
                    .summary(format!("value {}", o.value)),
            );
            report.perf(t.perfdata("value", o.value));
            report.verbose(1, "detail for -v");
            if let Some((name, text)) = ctx.input("saved")? {
                report.add(Finding::ok(format!("{name}: {}", text.trim())));
            }
        }
        "panic" => panic!("injected panic for the test"),
        "thread-panic" => {
            let _ = std::thread::spawn(|| panic!("injected panic on a thread")).join();
            std::thread::sleep(std::time::Duration::from_secs(30));
        }
        "hang" => std::thread::sleep(std::time::Duration::from_secs(30)),
        "tool-hang" => {
            ctx.run_tool(&ToolCommand::new("sh").args(["-c", "sleep 31.4159; true"]))?;
        }
        "tool" => {
            let out = ctx.run_tool(
                &ToolCommand::new(&o.tool)
                    .args(o.tool_args.iter().cloned())
                    .sudo(o.sudo),
            )?;
            let first = out.stdout.lines().next().unwrap_or("").to_string();
            report.add(
                Finding::ok(format!("tool said {first}")).summary(format!("tool said {first}")),
            );
        }
        "tcp" => {
            use std::io::Read;
            ctx.doing(format!("asking {}", o.peer));
            let mut peer = std::net::TcpStream::connect(&o.peer)
                .map_err(|e| CheckError::other(format!("{} unreachable: {e}", o.peer)))?;
            let mut byte = [0u8; 1];
            let _ = peer.read(&mut byte);
            report.add(Finding::ok("the peer spoke"));
        }
        "many" => {
            for i in 0..o.count {
                report.add(
                    Finding::critical(format!("md{i}: raid1, 2 members, 1 active, degraded"))
                        .summary(format!("md{i} degraded")),
                );
                report.perf(
                    Perfdata::new(format!("md{i}_active"), 1.0)
                        .min(0.0)
                        .max(2.0),
                );
            }
        }
        "read" => {
            let text = ctx.read_host("/proc/mdstat")?;
            report.add(Finding::ok(text));
        }
        "secret" => {
            let path = o
                .secret
                .as_deref()
                .ok_or_else(|| CheckError::usage("--secret FILE"))?;
            let read = common::secret::read_secret_file(path)?;
            report.add(Finding::ok(format!(
                "read {} lines",
                read.text.expose().lines().count()
            )));
        }
        "error" => return Err(CheckError::other("something went wrong\nsecond line")),
        "usage" => return Err(CheckError::usage("--mode usage needs more options")),
        "state" => {
            let dir = ctx.state()?;
            dir.store_cached("probe", "kept")?;
            report.ok_summary(format!("state in {}", dir.path().display()));
            if let Some(note) = dir.note() {
                report.verbose(0, note);
            }
        }
        "bad-perf" => {
            report.add(Finding::ok("fine"));
            report.perf(Perfdata::new("a=b", 1.0));
        }
        other => return Err(CheckError::usage(format!("unknown mode '{other}'"))),
    }
    Ok(report)
}

/// The tools the probe's modes run.
fn tools(_: &Options, _: &Context) -> Result<Vec<ToolCommand>, CheckError> {
    Ok(vec![
        ToolCommand::new("true"),
        ToolCommand::new("/bin/echo").arg("a*b"),
    ])
}

fn main() {
    common::runner::run_with_tools(&PLUGIN, check, tools)
}
