//! `euca-checks`: the admin command of the suite. One deployment description (the topology
//! file, docs/topology.md) in; Nagios, NRPE and Icinga 2 configuration, a reliability audit
//! and an ad-hoc run of every check out.

use clap::Parser;
use std::process::ExitCode;

use euca_checks::cli::{Cli, Command};
use euca_checks::{audit, plugins};

fn main() -> ExitCode {
    // Exit codes 1 and 2 are answers (warnings, critical findings, a worst state): a command
    // line clap refuses is 3, as a plugin's usage error is; --help and --version are 0.
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 3 } else { 0 });
        }
    };
    match cli.command {
        Command::Plugins => {
            for k in plugins::all() {
                println!(
                    "{:<20} {:<14} {}",
                    k.plugin.name, k.plugin.service, k.plugin.about
                );
            }
            ExitCode::SUCCESS
        }
        Command::Audit { topology, format } => {
            let out = audit::run(&topology, format);
            print!("{}", out.stdout);
            eprint!("{}", out.stderr);
            ExitCode::from(out.code)
        }
        Command::Generate(args) => euca_checks::generate::cli::run(&args),
        Command::Run {
            topology,
            host,
            jobs,
            plugin_dir,
            standard_dir,
        } => {
            let opts = euca_checks::run::RunOptions {
                topology,
                host,
                jobs: jobs.map_or_else(
                    || std::thread::available_parallelism().map_or(2, |n| n.get()),
                    usize::from,
                ),
                plugin_dir: plugin_dir.unwrap_or_else(euca_checks::run::default_plugin_dir),
                standard_dir,
            };
            match euca_checks::run::main(&opts) {
                Ok(code) => ExitCode::from(code),
                Err(e) => {
                    eprintln!("euca-checks run: {e}");
                    ExitCode::from(3)
                }
            }
        }
    }
}
