//! `euca-checks`: the admin command of the suite. One deployment description (the topology
//! file, docs/topology.md) in; Nagios, NRPE and Icinga 2 configuration, a reliability audit
//! and an ad-hoc run of every check out.

use clap::{Parser, Subcommand};
use std::process::ExitCode;

use euca_checks::plugins;

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
    /// Write Nagios 4 objects, NRPE snippets and sudoers files per host, or Icinga 2 objects
    /// (zones, CheckCommands, hosts, apply rules) for the topology, into DIR
    Generate(euca_checks::generate::cli::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
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
        Command::Generate(args) => euca_checks::generate::cli::run(&args),
    }
}
