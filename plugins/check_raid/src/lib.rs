//! check_raid: Linux software RAID (md) from /proc/mdstat, and hardware RAID controllers
//! (storcli/perccli, MegaCli, ssacli/hpssacli/hpacucli, arcconf).
//!
//! md: acquire (`/proc/mdstat` under `--root`) -> parse ([`md::parse`]) -> evaluate
//! ([`evaluate`]); the rules live in [`evaluate_array`], one branch each. Controllers: find
//! and run the tools or read `--input` ([`controllers`]) -> one parser per format
//! ([`storcli`], [`megacli`], [`ssacli`], [`arcconf`]) into one model ([`hw`]) -> rules
//! ([`hw_eval`]). Both end in one report: one summary, long output grouped by controller.

pub mod arcconf;
pub mod controllers;
pub mod hw;
pub mod hw_eval;
pub mod md;
pub mod megacli;
pub mod ssacli;
pub mod storcli;

use controllers::{Acquired, Family};

use common::acquisition::{self, Acquisition};
use common::{CheckError, Context, Finding, Perfdata, Plugin, Report, Status, ToolCommand, Uom};
use md::{Access, Array, Mdstat, Queued, SyncAction};

pub const PLUGIN: Plugin = Plugin {
    name: "check_raid",
    service: "RAID",
    version: env!("CARGO_PKG_VERSION"),
    about: "Checks Linux software RAID (md) arrays in /proc/mdstat and hardware RAID controllers (storcli/perccli, MegaCli, ssacli/hpssacli/hpacucli, arcconf): degraded, failed, rebuilding, disks, BBU/cache. The controller tools need root: run with --sudo and the lines of --print-sudoers.",
    reads_host: true,
    inputs: &["mdstat", "storcli", "megacli-ld", "megacli-pd", "megacli-bbu", "ssacli", "arcconf"],
    synopsis: "check_raid [--array NAME]... [--exclude NAME]... [--expect N] [--allow-none] [--controller TOOL]...
           [--disk-errors RANGE] [--need-spare] [--max-age SECONDS] [--sudo] [--state-dir DIR]
           [--root DIR] [--input NAME=FILE]... [-t SECONDS] [-v] [--print-sudoers [USER]]",
    runs_tools: true,
    keeps_state: true,
};

/// The plugin's whole command line (standard options included), for generated configuration,
/// man pages and Icinga 2 CheckCommands.
pub fn command() -> clap::Command {
    common::command::<Options>(&PLUGIN)
}

/// Where the kernel publishes md state.
pub const MDSTAT: &str = "/proc/mdstat";

#[derive(Debug, Clone, clap::Args)]
pub struct Options {
    /// Check only this array (repeatable; e.g. md0 or /dev/md0). A named array that is missing is CRITICAL
    #[arg(long = "array", value_name = "NAME")]
    pub arrays: Vec<String>,
    /// Leave this array out (repeatable). Not with --array for the same array; leaving none is UNKNOWN
    #[arg(long = "exclude", value_name = "NAME")]
    pub exclude: Vec<String>,
    /// The number of arrays this host must have: fewer is CRITICAL, more is WARNING
    #[arg(long, value_name = "N")]
    pub expect: Option<usize>,
    /// No arrays at all is OK instead of UNKNOWN
    #[arg(long)]
    pub allow_none: bool,
    /// Check only this source (repeatable): md, storcli, megacli, ssacli, arcconf. Default: md and every tool found
    #[arg(long = "controller", value_name = "TOOL", value_enum)]
    pub controller: Vec<Family>,
    /// Media errors per disk outside this range are WARNING (default 0: any)
    #[arg(long, value_name = "RANGE", default_value = "0", value_parser = |s: &str| s.parse::<common::Range>())]
    pub disk_errors: common::Range,
    /// A controller without a hot spare disk is WARNING
    #[arg(long)]
    pub need_spare: bool,
    /// Reuse a controller tool's output younger than this many seconds, kept in the state directory (each call can stall controller I/O a moment)
    #[arg(long, value_name = "SECONDS")]
    pub max_age: Option<u64>,
    /// Run the controller tools through `sudo -n`: they need root (see --print-sudoers)
    #[arg(long)]
    pub sudo: bool,
}

/// Where the mdstat text came from, which decides what a missing `unused devices:` line means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// The running kernel's /proc/mdstat (`--root /`): the kernel always ends it with
    /// `unused devices:`, so a file without that line was cut (a short read).
    LiveHost,
    /// A saved host tree under `--root DIR`: copies pasted from mails and bug reports often lack
    /// the footer, so it is judged, with a note saying where the file ends.
    SavedTree,
}

/// Refuse options that cannot mean anything: an empty array name, or an array both selected
/// and excluded (which used to give `RAID OK - ` with nothing judged).
pub fn check_options(options: &Options) -> Result<(), CheckError> {
    for (flag, names) in [
        ("--array", &options.arrays),
        ("--exclude", &options.exclude),
    ] {
        for name in names {
            let short = short_name(name);
            if short.is_empty() || short.chars().any(|c| c.is_whitespace() || c.is_control()) {
                return Err(CheckError::usage(format!(
                    "{flag} '{name}' is not an md array name (e.g. md0 or /dev/md0)"
                )));
            }
        }
    }
    if let Some(both) = options.arrays.iter().find(|a| {
        options
            .exclude
            .iter()
            .any(|e| short_name(e) == short_name(a))
    }) {
        return Err(CheckError::usage(format!(
            "{} is given to both --array and --exclude; give it to one",
            short_name(both)
        )));
    }
    Ok(())
}

impl Default for Options {
    fn default() -> Self {
        Options {
            arrays: Vec::new(),
            exclude: Vec::new(),
            expect: None,
            allow_none: false,
            controller: Vec::new(),
            disk_errors: hw_eval::HwRules::default().disk_errors,
            need_spare: false,
            max_age: None,
            sudo: false,
        }
    }
}

/// The command lines this check would run on this host (`--print-sudoers`): those of every
/// controller tool found, through sudo.
pub fn tools(options: &Options, _ctx: &Context) -> Result<Vec<ToolCommand>, CheckError> {
    let mut out = Vec::new();
    for family in Family::TOOLS {
        if !options.controller.is_empty() && !options.controller.contains(&family) {
            continue;
        }
        if let Some(path) = &controllers::find(family).found {
            out.extend(controllers::commands(family, path, true));
        }
    }
    if out.is_empty() {
        return Err(CheckError::usage(
            "no RAID controller tool found in PATH or the vendors' directories (check_raid's long output says where it looked); md needs no sudo",
        ));
    }
    Ok(out)
}

/// The check: md (/proc/mdstat under --root, or --input mdstat=) and every controller tool
/// found (or its --input), in one report.
pub fn check(options: &Options, ctx: &Context) -> Result<Report, CheckError> {
    check_options(options)?;
    let want = |f: Family| options.controller.is_empty() || options.controller.contains(&f);
    let mut tried: Vec<String> = Vec::new();
    // Said only with -v: a saved host tree is a test or a post-mortem, not a host to search.
    let mut quiet_note: Option<String> = None;
    let mut hw: Vec<Acquired> = Vec::new();
    let mut report = Report::new();
    if ctx.inputs_given() {
        hw = controllers::from_inputs(ctx)?
            .into_iter()
            .filter(|a| want(a.family))
            .collect();
    } else if controllers::searching(ctx) {
        let mut storcli_used = false;
        for family in Family::TOOLS {
            if !want(family) {
                continue;
            }
            let search = controllers::find(family);
            let Some(path) = &search.found else {
                let line = format!("{}: not found ({})", family.word(), search.tried());
                if !options.controller.is_empty() {
                    report.add(
                        Finding::unknown(line.clone())
                            .summary(format!("{} not found", family.word())),
                    );
                } else {
                    tried.push(line);
                }
                continue;
            };
            // MegaCli sees the same controllers as storcli, slower and in older words.
            if family == Family::Megacli && storcli_used && options.controller.is_empty() {
                tried.push(format!(
                    "megacli: {} found, not used: storcli answers for the same controllers",
                    path.display()
                ));
                continue;
            }
            storcli_used |= family == Family::Storcli;
            tried.push(format!("{}: {} used", family.word(), path.display()));
            hw.push(controllers::run_family(
                ctx,
                family,
                path,
                options.sudo,
                options.max_age,
            )?);
        }
    } else {
        quiet_note = Some(format!(
            "controller tools: not looked for with --root DIR (a saved host tree); {} names where to look",
            controllers::TOOL_PATH_VAR
        ));
    }

    if want(Family::Md) {
        let (md_report, has_arrays) = md_check(options, ctx)?;
        match md_report {
            // No md arrays on a host whose controllers answered: nothing to say about md.
            Some(_) if !has_arrays && !hw.is_empty() && options.arrays.is_empty() => {
                tried.push("md: no arrays".into())
            }
            Some(r) => {
                for f in r.findings() {
                    report.add(f.clone());
                }
                for p in r.perfdata() {
                    report.perf(p.clone());
                }
            }
            None => {}
        }
    }

    let rules = hw_eval::HwRules {
        disk_errors: options.disk_errors.clone(),
        need_spare: options.need_spare,
    };
    for a in &hw {
        match &a.result {
            Ok(parsed) => {
                if !parsed.complete {
                    report.add(Finding::ok(format!(
                        "note: {} has no closing line from the tool: this copy may be cut there, and what follows unseen",
                        a.source
                    )));
                }
                if parsed.controllers.is_empty() {
                    report.add(
                        Finding::ok(format!("{}: no controller", a.source))
                            .summary(format!("{}: no controller", a.family.word())),
                    );
                }
                for c in &parsed.controllers {
                    hw_eval::evaluate_controller(c, &rules, &mut report);
                }
            }
            Err(why) => {
                report.add(Finding::unknown(why.clone()).summary(why.clone()));
            }
        }
        for n in &a.notes {
            report.verbose(0, n.clone());
        }
    }
    // Never OK for nothing: --controller left out every source given.
    if report.findings().is_empty() {
        let text = "nothing to check: --controller leaves out every source";
        report.add(Finding::unknown(text).summary(text));
    }
    for t in tried {
        report.verbose(0, t);
    }
    if let Some(n) = quiet_note {
        report.verbose(1, n);
    }
    Ok(report)
}

/// md's part: its report (None when md is not part of this run: --input without mdstat) and
/// whether it had arrays.
fn md_check(options: &Options, ctx: &Context) -> Result<(Option<Report>, bool), CheckError> {
    if ctx.inputs_given() {
        let Some((name, text)) = ctx.input("mdstat")? else {
            return Ok((None, false));
        };
        let mdstat = md::parse(&text).map_err(|e| e.in_source(name))?;
        let has = !mdstat.arrays.is_empty();
        return Ok((Some(judge(&mdstat, options, Origin::SavedTree)), has));
    }
    let text = match acquisition::host_file(ctx, MDSTAT) {
        Acquisition::Read(text) => text,
        // No /proc/mdstat on a host that has /proc: the md driver is not loaded (it creates the
        // file when it loads), so there are no arrays; OK when the admin said none is fine.
        // Without /proc at all, --root is not a host tree: that stays UNKNOWN.
        Acquisition::Missing { .. } if options.allow_none && ctx.host_path("/proc").is_dir() => {
            let mut report = Report::new();
            report.add(
                Finding::ok(format!("no {MDSTAT}: no md driver loaded, so no md arrays"))
                    .summary("no md driver loaded"),
            );
            return Ok((Some(report), false));
        }
        // Otherwise nothing to judge; worded as every unreadable source is.
        Acquisition::Missing { source } => {
            return Ok((
                Some(report_of(&Acquisition::<()>::unreadable(
                    source,
                    "no such file",
                ))),
                false,
            ))
        }
        other => return Ok((Some(report_of(&other)), false)),
    };
    let shown = ctx.host_path(MDSTAT).display().to_string();
    let mdstat = md::parse(&text).map_err(|e| e.in_source(shown))?;
    let origin = if ctx.is_live_host() {
        Origin::LiveHost
    } else {
        Origin::SavedTree
    };
    let has = !mdstat.arrays.is_empty();
    Ok((Some(judge(&mdstat, options, origin)), has))
}

/// [`evaluate`], unless the file is cut: on the live host a file without the kernel's closing
/// `unused devices:` line is UNKNOWN, never judged on the arrays that happen to precede the cut.
pub fn judge(mdstat: &Mdstat, options: &Options, origin: Origin) -> Report {
    if origin == Origin::LiveHost && !mdstat.footer {
        let text = format!("no 'unused devices' line: {MDSTAT} is cut");
        let mut report = Report::new();
        report.add(
            Finding::new(
                Status::Unknown,
                format!(
                    "{text} after line {}; the kernel always ends it with that line, so arrays after the cut are unseen",
                    mdstat.last_line
                ),
            )
            .summary(text),
        );
        return report;
    }
    evaluate(mdstat, options)
}

/// The report for a source that gave nothing: the kit's finding, alone.
fn report_of<T>(acquired: &Acquisition<T>) -> Report {
    let mut report = Report::new();
    if let Some(finding) = acquired.finding() {
        report.add(finding);
    }
    report
}

fn short_name(name: &str) -> &str {
    name.strip_prefix("/dev/").unwrap_or(name)
}

/// Turn the parsed file and the options into findings and perfdata.
pub fn evaluate(mdstat: &Mdstat, options: &Options) -> Report {
    let mut report = Report::new();
    let wanted: Vec<&str> = options.arrays.iter().map(|n| short_name(n)).collect();
    let excluded: Vec<&str> = options.exclude.iter().map(|n| short_name(n)).collect();
    let selected: Vec<&Array> = mdstat
        .arrays
        .iter()
        .filter(|a| wanted.is_empty() || wanted.contains(&a.name.as_str()))
        .filter(|a| !excluded.contains(&a.name.as_str()))
        .collect();

    // The kernel queues a sync behind any other sync on shared disks and shows it as
    // resync=DELAYED; while a scheduled check runs anywhere, that is the check's queue.
    let check_running = mdstat.arrays.iter().find_map(|a| {
        a.sync
            .as_ref()
            .filter(|s| matches!(s.action, SyncAction::Check | SyncAction::Repair))
            .map(|_| a.name.as_str())
    });

    for name in &wanted {
        if !mdstat.arrays.iter().any(|a| a.name == *name) {
            report.add(
                Finding::critical(format!("{name}: missing, not in {MDSTAT}"))
                    .summary(format!("{name} missing"))
                    .hint(format!(
                        "mdadm --detail /dev/{name}; mdadm --assemble --scan assembles arrays listed in mdadm.conf"
                    )),
            );
        }
    }

    // The kernel always ends the file with `unused devices:`; a saved copy without it may have
    // been cut at a line end, which nothing else in the file can show (see md::parse). On the
    // live host that is UNKNOWN before we get here ([`judge`]).
    if !mdstat.footer {
        report.add(Finding::ok(format!(
            "note: no 'unused devices' line after line {}: the kernel always writes one, so this copy may be cut there and arrays after it unseen",
            mdstat.last_line
        )));
    }

    // Arrays exist but --exclude left none: nothing was judged, which is never OK (and
    // --allow-none is about a host without arrays, not this).
    if selected.is_empty() && wanted.is_empty() && !mdstat.arrays.is_empty() {
        let text = "no array left to judge after --exclude";
        report.add(
            Finding::new(
                Status::Unknown,
                format!(
                    "{text}: {MDSTAT} has {}, all excluded by --exclude {}",
                    mdstat
                        .arrays
                        .iter()
                        .map(|a| a.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    excluded.join(" --exclude ")
                ),
            )
            .summary(text),
        );
        return report;
    }

    if selected.is_empty() && wanted.is_empty() {
        let (status, text) = if options.allow_none {
            (Status::Ok, "no md arrays")
        } else {
            (
                Status::Unknown,
                "no md arrays found (use --allow-none if this host has none)",
            )
        };
        report.add(Finding::new(status, format!("{text} in {MDSTAT}")).summary(text));
        return report;
    }

    if let Some(expected) = options.expect {
        let found = selected.len();
        if found != expected {
            let status = if found < expected {
                Status::Critical
            } else {
                Status::Warning
            };
            report.add(
                Finding::new(status, format!("expected {expected} arrays, found {found}"))
                    .summary(format!("{found} of {expected} expected arrays")),
            );
        }
    }

    let mut ok_names = Vec::new();
    for array in &selected {
        let finding = evaluate_array(array, check_running);
        if finding.status == Status::Ok && finding.summary.is_none() {
            ok_names.push(array.name.clone());
        }
        report.add(finding);
        add_perfdata(&mut report, array);
    }
    if !ok_names.is_empty() {
        let all = ok_names.len() == selected.len();
        let text = match (ok_names.len(), all) {
            (n, true) if n > 5 => format!("{n} arrays ok"),
            (n, false) if n > 5 => format!("{n} other arrays ok"),
            _ => format!("{} ok", ok_names.join(", ")),
        };
        report.add(Finding::ok("").summary(text));
    }
    report
}

/// The rules for one array, most severe first; each branch writes its own message.
pub fn evaluate_array(array: &Array, check_running: Option<&str>) -> Finding {
    let name = &array.name;
    let level = array.level.as_deref().unwrap_or("no level");
    let detail = describe(array);
    let failed: Vec<&str> = array.failed_members().map(|m| m.device.as_str()).collect();
    let failed_text = match failed.len() {
        0 => String::new(),
        _ => format!(", {} failed", failed.join(", ")),
    };
    let progress = array.sync.as_ref().map(|s| {
        let finish = s
            .finish
            .as_deref()
            .map(|f| format!(", finish {f}"))
            .unwrap_or_default();
        format!("{} {}%{finish}", s.action.word(), s.percent)
    });

    // Inactive: an external-metadata container is always listed inactive (normal); any other
    // inactive array is not serving data.
    if !array.active {
        if array.is_container() {
            return Finding::ok(detail);
        }
        return Finding::critical(detail)
            .summary(format!("{name} inactive{failed_text}"))
            .hint(format!(
                "mdadm --detail /dev/{name} and mdadm --examine on its members; once they are present: mdadm --run /dev/{name} (or mdadm --assemble --scan)"
            ));
    }

    let map = array.map.as_deref().unwrap_or("");
    let missing = array.counts.is_some_and(|(total, working)| working < total) || map.contains('_');

    // All members present ([5/5] [UUUUU]) and still an (F) device listed: a former spare or a
    // replaced member that failed. Redundancy is intact, but the device must be removed and a
    // new spare added, or the next failure has nothing to rebuild onto.
    if array.is_redundant() && !missing && !failed.is_empty() {
        let mut summary = format!("{name} ok");
        if !map.is_empty() {
            summary.push_str(&format!(" [{map}]"));
        }
        summary.push_str(&format!("{failed_text}, not in use"));
        if let Some(s) = &array.sync {
            if matches!(
                s.action,
                SyncAction::Resync | SyncAction::Recovery | SyncAction::Reshape
            ) {
                summary.push_str(&format!(", {}", progress.clone().unwrap_or_default()));
            }
        }
        let devices: Vec<String> = failed.iter().map(|d| format!("/dev/{d}")).collect();
        let hint = format!(
            "remove the failed device: mdadm --manage /dev/{name} --remove {}, then add a new spare: mdadm --manage /dev/{name} --add /dev/<new disk>",
            devices.join(" ")
        );
        // A queued sync is still worth saying; behind a running check it is routine (below).
        match (array.queued, check_running) {
            (Some(Queued::Pending), _) => summary.push_str(", resync pending"),
            (Some(Queued::Delayed), None) => summary.push_str(", resync delayed"),
            _ => {}
        }
        return Finding::warning(detail).summary(summary).hint(hint);
    }

    // A redundant array with a missing member has lost (some of) its redundancy.
    if array.is_redundant() && missing {
        let mut summary = format!("{name} {level} degraded");
        if !map.is_empty() {
            summary.push_str(&format!(" [{map}]"));
        }
        summary.push_str(&failed_text);
        let hint = match (&array.sync, failed.is_empty()) {
            (Some(s), _) if matches!(s.action, SyncAction::Recovery | SyncAction::Resync | SyncAction::Reshape) => {
                summary.push_str(&format!(", {}", progress.clone().unwrap_or_default()));
                let mut h = format!(
                    "{} running: keep the other members healthy until it completes (watch {MDSTAT})",
                    s.action.word()
                );
                if !failed.is_empty() {
                    h.push_str(&format!(
                        "; then remove the failed member: mdadm --manage /dev/{name} --remove /dev/{}",
                        failed[0]
                    ));
                }
                h
            }
            (_, false) => format!(
                "replace the failed disk, then: mdadm --manage /dev/{name} --remove /dev/{} && mdadm --manage /dev/{name} --add /dev/<new disk>",
                failed[0]
            ),
            (_, true) if array.queued.is_some() => {
                summary.push_str(", recovery queued");
                "the recovery is queued behind another sync on the same disks (resync=DELAYED); it starts when that one ends".to_string()
            }
            (_, true) => format!(
                "add a disk to the empty slot: mdadm --manage /dev/{name} --add /dev/<new disk> (mdadm --detail /dev/{name} shows which)"
            ),
        };
        return Finding::critical(detail).summary(summary).hint(hint);
    }

    // Without redundancy a failed member means the array's data is at risk or gone.
    if !failed.is_empty() {
        let members = if failed.len() == 1 {
            "member"
        } else {
            "members"
        };
        return Finding::critical(detail)
            .summary(format!(
                "{name} {level} {members} {} failed",
                failed.join(", ")
            ))
            .hint(format!("{level} has no redundancy: restore /dev/{name} from backup after replacing the disk"));
    }

    if let Some(s) = &array.sync {
        match s.action {
            SyncAction::Resync | SyncAction::Recovery | SyncAction::Reshape => {
                return Finding::warning(detail)
                    .summary(format!("{name} {level} {}", progress.unwrap_or_default()))
                    .hint(format!(
                        "{} in progress; redundancy is not complete until it finishes",
                        s.action.word()
                    ));
            }
            // A scheduled check/repair (e.g. the monthly checkarray) is routine.
            SyncAction::Check | SyncAction::Repair => {
                return Finding::ok(detail)
                    .summary(format!("{name} {}", progress.unwrap_or_default()));
            }
        }
    }

    match array.queued {
        Some(Queued::Pending) => {
            return Finding::warning(detail)
                .summary(format!("{name} {level} resync pending"))
                .hint(format!(
                    "the array is auto-read-only; the resync starts on first write, or now with: mdadm --readwrite /dev/{name}"
                ));
        }
        Some(Queued::Delayed) => match check_running {
            Some(other) => {
                return Finding::ok(format!("{detail} (queued behind the check on {other})"));
            }
            None => {
                return Finding::warning(detail)
                    .summary(format!("{name} {level} resync delayed"))
                    .hint("the resync is queued behind another sync on the same disks; it starts when that one ends");
            }
        },
        None => {}
    }

    Finding::ok(detail)
}

/// One line of long output describing an array.
fn describe(array: &Array) -> String {
    let mut parts = Vec::new();
    if array.is_container() {
        let members: Vec<&str> = array.members.iter().map(|m| m.device.as_str()).collect();
        return format!(
            "{}: inactive container ({}) of {}, normal for external metadata",
            array.name,
            array.superblock.as_deref().unwrap_or(""),
            members.join(" ")
        );
    }
    if !array.active {
        parts.push("inactive".to_string());
    }
    if let Some(level) = &array.level {
        parts.push(level.clone());
    }
    match array.access {
        Access::ReadOnly => parts.push("read-only".into()),
        Access::AutoReadOnly => parts.push("auto-read-only".into()),
        Access::ReadWrite => {}
    }
    let data_members = array
        .members
        .iter()
        .filter(|m| !m.spare || m.failed)
        .count();
    match (array.counts, &array.map) {
        // An inactive array's counts are those of its last assembly, not its state now.
        (Some((total, working)), Some(map)) if array.active => {
            parts.push(format!("{working}/{total} active [{map}]"))
        }
        _ => parts.push(format!(
            "{data_members} member{}",
            if data_members == 1 { "" } else { "s" }
        )),
    }
    let mut flagged = Vec::new();
    for m in &array.members {
        let mut words = Vec::new();
        if m.failed {
            words.push("(F) failed");
        } else if m.spare {
            words.push("(S) spare");
        }
        if m.write_mostly {
            words.push("(W) write-mostly");
        }
        if m.journal {
            words.push("(J) journal");
        }
        if m.replacement {
            words.push("(R) replacement");
        }
        if !words.is_empty() {
            flagged.push(format!("{} {}", m.device, words.join(" ")));
        }
    }
    if !flagged.is_empty() {
        parts.push(flagged.join(", "));
    }
    if let Some(s) = &array.sync {
        let mut p = format!("{} {}%", s.action.word(), s.percent);
        if let Some((done, total)) = s.position {
            p.push_str(&format!(" ({done}/{total})"));
        }
        if let Some(f) = &s.finish {
            p.push_str(&format!(" finish={f}"));
        }
        if let Some(sp) = &s.speed {
            p.push_str(&format!(" speed={sp}"));
        }
        parts.push(p);
    }
    match array.queued {
        Some(Queued::Delayed) => parts.push("resync=DELAYED".into()),
        Some(Queued::Pending) => parts.push("resync=PENDING".into()),
        None => {}
    }
    let healthy = array.active
        && array.sync.is_none()
        && array.queued.is_none()
        && !array.members.iter().any(|m| m.failed)
        && array.counts.is_none_or(|(t, w)| w >= t)
        && !array.map.as_deref().unwrap_or("").contains('_');
    if healthy {
        parts.push("clean".into());
    }
    format!("{}: {}", array.name, parts.join(", "))
}

/// Per array: active and total members, degraded (0/1), sync progress (%).
///
/// `sync` is the progress of a running resync, recovery or reshape; 0 while a needed resync waits
/// (PENDING, or a degraded array whose recovery is DELAYED); 100 otherwise. A check does not lower
/// it, and neither does DELAYED on a clean array: the kernel does not say what is queued there
/// (usually the next array's monthly check).
fn add_perfdata(report: &mut Report, array: &Array) {
    if array.is_container() {
        return;
    }
    let name = &array.name;
    let (total, active) = match array.counts {
        Some((total, working)) => (f64::from(total), f64::from(working)),
        None => {
            let data: Vec<_> = array
                .members
                .iter()
                .filter(|m| !m.spare || m.failed)
                .collect();
            (
                data.len() as f64,
                data.iter().filter(|m| !m.failed).count() as f64,
            )
        }
    };
    // A failed device on an array that still has all its members ([5/5] [UUUUU]) is not a loss
    // of redundancy; without counts (raid0, linear) a failed member is.
    let degraded = !array.active
        || (array.counts.is_none() && array.failed_members().next().is_some())
        || active < total
        || array.map.as_deref().unwrap_or("").contains('_');
    let sync = match (&array.sync, array.queued) {
        (Some(s), _)
            if matches!(
                s.action,
                SyncAction::Resync | SyncAction::Recovery | SyncAction::Reshape
            ) =>
        {
            s.percent
        }
        (_, Some(Queued::Pending)) => 0.0,
        (_, Some(Queued::Delayed)) if degraded => 0.0,
        _ => 100.0,
    };
    report.perf(
        Perfdata::new(format!("{name}_active"), active)
            .min(0.0)
            .max(total),
    );
    report.perf(Perfdata::new(format!("{name}_total"), total).min(0.0));
    report.perf(
        Perfdata::new(format!("{name}_degraded"), f64::from(u8::from(degraded)))
            .min(0.0)
            .max(1.0),
    );
    report.perf(
        Perfdata::new(format!("{name}_sync"), sync)
            .uom(Uom::Percent)
            .min(0.0)
            .max(100.0),
    );
}
