//! The command line of `euca-checks`, here in the library so that its man page is made from
//! the same definition (packaging/manpages) as its `--help`.

use crate::audit;
use clap::{CommandFactory, Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "euca-checks",
    version,
    about = "Monitoring configuration, audit and ad-hoc runs for a Eucalyptus cloud, from one topology file"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
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
    Generate(crate::generate::cli::Args),
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
        #[arg(long, value_name = "DIR", default_value = crate::run::STANDARD_DIR)]
        standard_dir: std::path::PathBuf,
    },
}

/// The whole command line, for the man page.
pub fn command() -> clap::Command {
    Cli::command()
}
