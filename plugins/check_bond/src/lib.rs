//! check_bond: bonded (kernel bonding) and teamed (libteam) NICs, and whether their
//! redundancy exists now.
//!
//! Acquire (/proc/net/bonding/*, /sys/class/net/<bond>/bonding/*, `teamdctl DEV state dump`
//! or `--input teamdctl=FILE`) -> parse (`procfs`, `sysfs`, `teamd`) -> `evaluate` -> Report.

pub mod evaluate;
pub mod model;
pub mod procfs;
pub mod sysfs;
pub mod teamd;

use common::acquisition::{self, Acquisition};
use common::{CheckError, Context, ParseError, Plugin, Report, ToolCommand};
use evaluate::{Observed, Rules};
use model::{is_ifname, Aggregate, Kind, Mode};
use std::path::Path;

pub const PLUGIN: Plugin = Plugin {
    name: "check_bond",
    service: "BOND",
    version: env!("CARGO_PKG_VERSION"),
    about:
        "Bonded and teamed NICs: every slave up, one LACP bundle with a partner, the expected mode",
    reads_host: true,
    inputs: &["teamdctl"],
    synopsis: "\
check_bond [--bond NAME]... [--team DEV]... [--mode MODE] [--min-slaves N] [--critical-slaves N]
           [--allow-none] [--sudo] [--teamdctl PATH] [--root DIR] [--input teamdctl=FILE]... [-t S] [-v]",
    runs_tools: true,
    keeps_state: false,
};

/// The plugin's whole command line (standard options included), for generated configuration,
/// man pages and Icinga 2 CheckCommands.
pub fn command() -> clap::Command {
    common::command::<Options>(&PLUGIN)
}

#[derive(clap::Args, Debug, Clone)]
pub struct Options {
    /// Check only this bond (repeatable); a named bond that does not exist is CRITICAL
    #[arg(long = "bond", value_name = "NAME")]
    pub bonds: Vec<String>,

    /// Check this team device with `teamdctl DEV state dump` (repeatable); without --bond and
    /// --team, every bond and every team with a teamd pid file in /run/teamd is checked
    #[arg(long = "team", value_name = "DEV")]
    pub teams: Vec<String>,

    /// WARNING when fewer slaves/ports are up than N [default: all configured]
    #[arg(long = "min-slaves", value_name = "N")]
    pub min_slaves: Option<usize>,

    /// CRITICAL when fewer slaves/ports are up than N
    #[arg(long = "critical-slaves", value_name = "N", default_value_t = 1)]
    pub critical_slaves: usize,

    /// CRITICAL when a bond/team runs another mode (balance-rr, active-backup, balance-xor,
    /// broadcast, 802.3ad, balance-tlb, balance-alb, 0-6, or a teamd runner name)
    #[arg(long, value_name = "MODE")]
    pub mode: Option<Mode>,

    /// OK instead of UNKNOWN when the host has no bond or team
    #[arg(long)]
    pub allow_none: bool,

    /// Run teamdctl through `sudo -n` (teamd's control socket is root's)
    #[arg(long)]
    pub sudo: bool,

    /// The teamdctl program
    #[arg(long, value_name = "PATH", default_value = "teamdctl")]
    pub teamdctl: String,
}

/// Most a teamd state dump may be, saved (--input) or printed by teamdctl: a real one is a few
/// KiB (about 2 KiB a port); 1 MiB keeps the JSON model of a hostile one far below 64 MiB.
pub const TEAMD_DUMP_CAP: usize = 1024 * 1024;

pub fn check(opts: &Options, ctx: &Context) -> Result<Report, CheckError> {
    let opts = &checked(opts)?;
    let mut notes = Vec::new();
    let observed = if ctx.inputs_given() {
        from_inputs(opts, ctx)?
    } else {
        let mut all = bonds(opts, ctx)?;
        all.extend(teams(opts, ctx, &mut notes)?);
        all
    };
    let rules = Rules {
        min_members: opts.min_slaves,
        critical_members: opts.critical_slaves,
        mode: opts.mode,
        allow_none: opts.allow_none,
    };
    let mut report = evaluate::evaluate(&observed, &rules);
    for n in notes {
        report.verbose(0, n);
    }
    Ok(report)
}

/// The options with --bond/--team names checked (interface names only: nothing that walks out
/// of a directory or reads as a teamdctl option) and each named once: `--bond bond0 --bond
/// bond0` asks about bond0, once.
fn checked(opts: &Options) -> Result<Options, CheckError> {
    let once = |names: &[String]| -> Result<Vec<String>, CheckError> {
        let mut out: Vec<String> = Vec::new();
        for name in names {
            if !is_ifname(name) {
                return Err(CheckError::usage(format!(
                    "'{name}' is not an interface name"
                )));
            }
            if !out.contains(name) {
                out.push(name.clone());
            }
        }
        Ok(out)
    };
    Ok(Options {
        bonds: once(&opts.bonds)?,
        teams: once(&opts.teams)?,
        ..opts.clone()
    })
}

/// `--input teamdctl=FILE`: exactly those dumps, nothing from the host.
fn from_inputs(opts: &Options, ctx: &Context) -> Result<Vec<Observed>, CheckError> {
    if !opts.bonds.is_empty() {
        return Err(CheckError::usage(
            "--bond reads /proc/net/bonding on the host; it cannot be combined with --input",
        ));
    }
    let mut out: Vec<Observed> = Vec::new();
    // The teams the dumps are of (a second dump of one team is judged under a name of its own).
    let mut of_teams: Vec<String> = Vec::new();
    for (shown, text) in ctx.inputs_capped("teamdctl", TEAMD_DUMP_CAP)? {
        let fallback = Path::new(&shown)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| shown.clone());
        let got = match teamd::parse(&fallback, &text) {
            Ok(team) if !opts.teams.is_empty() && !opts.teams.contains(&team.name) => {
                Acquisition::unreadable(
                    shown.clone(),
                    format!(
                        "the dump is of {}, not {}",
                        team.name,
                        opts.teams.join(", ")
                    ),
                )
            }
            Ok(mut team) => {
                of_teams.push(team.name.clone());
                // Two dumps of one team (before/after) must not share perfdata labels.
                let base = team.name.clone();
                let mut n = 1;
                while out.iter().any(|o| o.name == team.name) {
                    team.name = if n == 1 {
                        format!("{base}@{fallback}")
                    } else {
                        format!("{base}@{fallback}#{n}")
                    };
                    n += 1;
                }
                Acquisition::Read(team)
            }
            Err(e) => not_the_format(e, &shown),
        };
        let name = got.read().map_or(fallback, |t| t.name.clone());
        out.push(Observed::new(name, Kind::Team, got));
    }
    // A --team named alongside the dumps must be among them. While a dump could not be read (or
    // is of another team), the team may be the one in it: that dump's UNKNOWN says so, and the
    // team is not called missing on a guess.
    let all_read = out.iter().all(|o| o.seen().is_some());
    for team in &opts.teams {
        if all_read && !of_teams.contains(team) {
            out.push(Observed::new(
                team.clone(),
                Kind::Team,
                Acquisition::missing("--input teamdctl dump of it"),
            ));
        }
    }
    Ok(out)
}

/// Bonds: the --bond names, or every /proc/net/bonding/* unless only --team was given.
fn bonds(opts: &Options, ctx: &Context) -> Result<Vec<Observed>, CheckError> {
    let names = if !opts.bonds.is_empty() {
        opts.bonds.clone()
    } else if !opts.teams.is_empty() {
        Vec::new()
    } else {
        ctx.list_host_dir("/proc/net/bonding")?
    };
    let mut out = Vec::new();
    for name in names {
        let path = format!("/proc/net/bonding/{name}");
        let shown = ctx.host_path(&path).display().to_string();
        let got = match acquisition::host_file(ctx, &path) {
            Acquisition::Read(text) => {
                let parsed = procfs::parse(&name, &text).and_then(|mut bond| {
                    sysfs::apply(&mut bond, &read_sys(ctx, &name))?;
                    Ok(bond)
                });
                match parsed {
                    Ok(bond) => Acquisition::Read(bond),
                    Err(e) => not_the_format(e, &shown),
                }
            }
            // Missing, unreadable: as the kit says them (the closure is for `Read`, handled
            // above, and never runs).
            other => other.and_then(shown.clone(), |_| Err(String::new())),
        };
        out.push(Observed::new(name, Kind::Bond, got));
    }
    Ok(out)
}

/// Text that is not the format it should be (garbage, cut): the kit's "unreadable", naming
/// the file (the error's own when a sysfs file failed) and the line.
fn not_the_format(e: ParseError, shown: &str) -> Acquisition<Aggregate> {
    let why = match (e.line, &e.content) {
        (Some(n), Some(c)) => format!("line {n} '{c}': {}", e.message),
        (Some(n), None) => format!("line {n}: {}", e.message),
        _ => e.message.clone(),
    };
    Acquisition::unreadable(e.source_name.as_deref().unwrap_or(shown), why)
}

/// The sysfs files of one bond; an absent or unreadable one is simply not used.
fn read_sys(ctx: &Context, bond: &str) -> sysfs::SysBonding {
    let file = |leaf: &str| {
        let path = format!("/sys/class/net/{bond}/bonding/{leaf}");
        match acquisition::host_file(ctx, &path) {
            Acquisition::Read(text) => Some((ctx.host_path(&path).display().to_string(), text)),
            _ => None,
        }
    };
    sysfs::SysBonding {
        ad_aggregator: file("ad_aggregator"),
        ad_num_ports: file("ad_num_ports"),
        ad_partner_mac: file("ad_partner_mac"),
        min_links: file("min_links"),
        slaves: file("slaves"),
    }
}

/// Teams: the --team names, or (without --bond/--team) every team teamd runs for, found by
/// its pid file (/run/teamd/DEV.pid; /var/run/teamd on older systems).
/// The command lines this check may run with these options (`--print-sudoers`, generated
/// sudoers files): `teamdctl DEV state dump` for each team it would ask.
pub fn tools(opts: &Options, ctx: &Context) -> Result<Vec<ToolCommand>, CheckError> {
    let opts = &checked(opts)?;
    let names = team_names(opts, ctx, &mut Vec::new())?;
    if names.is_empty() {
        return Err(CheckError::usage(
            "no team to ask teamdctl about (none named, no pid file in /run/teamd); name it: --team DEV --print-sudoers",
        ));
    }
    Ok(names.iter().map(|dev| teamdctl(opts, dev)).collect())
}

fn teamdctl(opts: &Options, dev: &str) -> ToolCommand {
    ToolCommand::new(&opts.teamdctl)
        .args([dev, "state", "dump"])
        .sudo(opts.sudo)
        .max_output(TEAMD_DUMP_CAP)
}

/// The teams to ask: those named, else (without --bond) every one teamd has a pid file for. A
/// pid file whose name is no interface name (`--help.pid`) is skipped with a note in `notes`:
/// it is not passed to teamdctl, where it would be read as an option.
fn team_names(
    opts: &Options,
    ctx: &Context,
    notes: &mut Vec<String>,
) -> Result<Vec<String>, CheckError> {
    Ok(if !opts.teams.is_empty() {
        opts.teams.clone()
    } else if !opts.bonds.is_empty() {
        Vec::new()
    } else {
        let mut found: Vec<String> = Vec::new();
        for dir in ["/run/teamd", "/var/run/teamd"] {
            for f in ctx.list_host_dir(dir)? {
                let Some(dev) = f.strip_suffix(".pid") else {
                    continue;
                };
                if !is_ifname(dev) {
                    let shown: String = dev.chars().take(40).collect();
                    notes.push(format!(
                        "skipped the pid file {dir}/{shown}.pid: '{shown}' is not an interface name"
                    ));
                } else if !found.iter().any(|d| d == dev) {
                    found.push(dev.to_string());
                }
            }
        }
        found
    })
}

fn teams(
    opts: &Options,
    ctx: &Context,
    notes: &mut Vec<String>,
) -> Result<Vec<Observed>, CheckError> {
    let names = team_names(opts, ctx, notes)?;
    let explicit = !opts.teams.is_empty();
    let live = ctx.host_path("/") == Path::new("/");
    let mut out = Vec::new();
    for dev in names {
        let got = if live {
            ask_teamd(opts, ctx, &dev, explicit)?
        } else {
            // A saved host tree holds no teamd to ask.
            Acquisition::unreadable(
                format!("team {dev}"),
                format!(
                    "its state comes from teamdctl on the live host, not from --root; \
                     save `teamdctl {dev} state dump` and pass --input teamdctl=FILE"
                ),
            )
        };
        out.push(Observed::new(dev, Kind::Team, got));
    }
    Ok(out)
}

/// `teamdctl DEV state dump`, parsed; a failure in the kit's terms. Only a timeout (the whole
/// check's) is an error that ends the check.
fn ask_teamd(
    opts: &Options,
    ctx: &Context,
    dev: &str,
    explicit: bool,
) -> Result<Acquisition<Aggregate>, CheckError> {
    let cmd = teamdctl(opts, dev);
    let shown = cmd.display().to_string();
    let output = match ctx.run_tool(&cmd) {
        Ok(o) => o,
        Err(CheckError::Tool(e)) => return Ok(Acquisition::unreadable(shown, e.to_string())),
        Err(e) => return Err(e),
    };
    if !output.success() {
        let first = output.first_error_line();
        if !opts.sudo && output.lacks_privilege() {
            // teamd's control socket is root's: name the exact fix, not a wildcard rule.
            return Ok(Acquisition::unreadable(
                shown,
                format!(
                    "{first}; give --sudo and {}",
                    common::sudoers::hint(&cmd.clone().sudo(true))
                ),
            ));
        }
        // A named team that is gone is an outage; a pid file left behind by a removed team
        // is only something we cannot read.
        return Ok(if explicit && first.contains("does not exist") {
            Acquisition::missing(format!("such team, {shown} says: {first}"))
        } else if explicit {
            Acquisition::unreadable(shown, first)
        } else {
            Acquisition::unreadable(
                shown,
                format!("{first} (team found by its teamd pid file; stale?)"),
            )
        });
    }
    Ok(match teamd::parse(dev, &output.stdout) {
        // Asked about one team, answered about another: that team is not judged in its place.
        Ok(team) if team.name != dev => {
            Acquisition::unreadable(shown, format!("the dump is of {}, not {dev}", team.name))
        }
        Ok(team) => Acquisition::Read(team),
        Err(e) => not_the_format(e, &format!("output of {shown}")),
    })
}
