//! check_euca_topology: does the deployment, as its topology file describes it, follow Part 1
//! of the reliability guide? The same audit as `euca-checks audit` (topology/src/audit.rs), as a
//! service: an admin who edits the topology (a host added without its UPS, a second UFS without
//! the DNS name) sees it in Nagios, and the audit stays part of what is monitored.
//!
//! Acquire (`--topology FILE`, read with the kit's capped user-file reading) -> the topology
//! parser (`topology::parse`, every mistake at FILE:LINE:COL) -> the audit -> [`evaluate`] ->
//! Report.

pub mod evaluate;

use common::{CheckError, Context, Plugin, Report};
use std::path::PathBuf;

pub const PLUGIN: Plugin = Plugin {
    name: "check_euca_topology",
    service: "EUCA TOPOLOGY",
    version: env!("CARGO_PKG_VERSION"),
    about: "The deployment's topology file against Part 1 of the reliability guide: single points of failure, missing partners, hardware protections, backends",
    reads_host: false,
    inputs: &[],
    synopsis: "check_euca_topology --topology FILE [--ignore RULE]... [-t S] [-v]",
    runs_tools: false,
    keeps_state: false,
};

pub fn command() -> clap::Command {
    common::command::<Options>(&PLUGIN)
}

#[derive(clap::Args, Debug, Clone)]
pub struct Options {
    /// The topology file (docs/topology.md), e.g. /etc/euca-checks/topology.toml
    #[arg(long, value_name = "FILE")]
    pub topology: Option<PathBuf>,
    /// Leave out the findings of this rule (repeatable), for a choice made on purpose, e.g.
    /// networking-not-edge on a VPCMIDO cloud
    #[arg(long = "ignore", value_name = "RULE", value_parser = parse_rule)]
    pub ignore: Vec<&'static str>,
}

fn parse_rule(text: &str) -> Result<&'static str, String> {
    topology::audit::RULES
        .iter()
        .find(|r| r.id == text)
        .map(|r| r.id)
        .ok_or_else(|| {
            let ids: Vec<&str> = topology::audit::RULES.iter().map(|r| r.id).collect();
            format!("expected a rule of the audit ({})", ids.join(", "))
        })
}

pub fn check(opts: &Options, ctx: &Context) -> Result<Report, CheckError> {
    let Some(path) = &opts.topology else {
        return Err(CheckError::usage(
            "give --topology FILE, the deployment's topology",
        ));
    };
    let shown = path.display().to_string();
    // The kit's cap for a user file is 1 MiB: about 2,500 hosts (docs/topology.md).
    let text = ctx.read_user_file(path)?;
    let t = topology::parse(&shown, &text).map_err(|e| CheckError::other(first_mistake(&e)))?;
    let found = topology::audit::audit(&t);
    let mut report = evaluate::evaluate(&found, &opts.ignore);
    report.verbose(
        1,
        format!(
            "{shown}: {} hosts, {} zones, Eucalyptus {}",
            t.hosts.len(),
            t.zones.len(),
            t.cloud.version
        ),
    );
    Ok(report)
}

/// The first mistake at FILE:LINE:COL, and how many more there are (`euca-checks audit` lists
/// them all).
fn first_mistake(e: &topology::TopologyError) -> String {
    let Some(first) = e.mistakes.first() else {
        return format!("{}: not a topology", e.file);
    };
    let more = match e.mistakes.len() - 1 {
        0 => String::new(),
        n => format!(
            " (and {n} more mistake{}: euca-checks audit {} lists them)",
            if n == 1 { "" } else { "s" },
            e.file
        ),
    };
    format!("{}:{}: {}{more}", e.file, first.at, first.message)
}
