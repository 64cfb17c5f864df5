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
    }
}
