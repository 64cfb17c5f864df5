//! `euca-checks`: the admin command of the suite. One deployment description (the topology
//! file, docs/topology.md) in; Nagios, NRPE and Icinga 2 configuration, a reliability audit
//! and an ad-hoc run of every check out.

use clap::{Parser, Subcommand};
use std::process::ExitCode;

use euca_checks::{audit, plugins};

#[derive(Parser)]
#[command(
    name = "euca-checks",
    version,
    about = "Monitoring configuration, audit and ad-hoc runs for a Eucalyptus cloud, from one topology file"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List the plugins of the suite (name, status-line word, what each checks)
    Plugins,
    /// Audit a topology against Part 1 of the reliability guide: each finding with its
    /// severity, place, reason and section; exit 0 none, 1 warnings, 2 critical, 3 the file
    /// cannot be read or has mistakes (each as FILE:LINE:COL)
    Audit {
        /// The topology file (docs/topology.md)
        topology: std::path::PathBuf,
        /// text: paragraphs for a person; json: one object for a script
        #[arg(long, value_enum, default_value = "text")]
        format: audit::Format,
    },
    /// Write Nagios 4 objects, NRPE snippets and sudoers files per host, or Icinga 2 objects
    /// (zones, CheckCommands, hosts, apply rules) for the topology, into DIR
    Generate(euca_checks::generate::cli::Args),
    /// Run every check the topology assigns (to one host with --host), in parallel, and print a
    /// table of state, host, service and first line; the exit code is the worst state
    Run {
        /// The topology file (docs/topology.md)
        topology: std::path::PathBuf,
        /// Only this host's checks (a host of the topology, or an endpoint's DNS name)
        #[arg(long, value_name = "NAME")]
        host: Option<String>,
        /// At most N checks at once [default: the number of CPUs]
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
        jobs: Option<u16>,
        /// Where the suite's plugins are [default: this program's directory if check_raid is
        /// there, else /usr/lib/nagios/plugins]
        #[arg(long, value_name = "DIR")]
        plugin_dir: Option<std::path::PathBuf>,
        /// Where the standard monitoring-plugins are (check_disk, check_ntp_time, check_tcp)
        #[arg(long, value_name = "DIR", default_value = euca_checks::run::STANDARD_DIR)]
        standard_dir: std::path::PathBuf,
    },
}

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
