//! Finding, running (or reading saved output of) the controller tools, and caching their
//! output (`--max-age`). The parsing is in the per-format modules; this is the I/O.
//!
//! Tools are looked for in PATH, then in the vendors' usual install directories (NRPE's PATH
//! is short: "no RAID found" was the commonest complaint about the Perl check_raid). Tests
//! and unusual installs replace the whole list with `CHECK_RAID_TOOL_PATH=DIR:DIR`; with
//! `--root DIR` (a saved host tree) no tool is looked for unless that variable is set.

use crate::hw::Parsed;
use crate::{arcconf, megacli, ssacli, storcli};
use common::state::Cached;
use common::{CheckError, Context, ToolCommand};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The variable that replaces the tool search path (see the module comment).
pub const TOOL_PATH_VAR: &str = "CHECK_RAID_TOOL_PATH";

/// Most any of these tools prints for `show all` on a big controller (hundreds of disks).
const OUTPUT_CAP: usize = 4 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Family {
    /// Linux software RAID, /proc/mdstat
    Md,
    /// Broadcom/LSI MegaRAID and Dell PERC: storcli64, storcli, perccli64, perccli
    Storcli,
    /// Older LSI MegaRAID: MegaCli64, MegaCli, megacli
    Megacli,
    /// HPE Smart Array: ssacli, hpssacli, hpacucli
    Ssacli,
    /// Microsemi/Adaptec: arcconf
    Arcconf,
}

impl Family {
    pub fn word(self) -> &'static str {
        match self {
            Family::Md => "md",
            Family::Storcli => "storcli",
            Family::Megacli => "megacli",
            Family::Ssacli => "ssacli",
            Family::Arcconf => "arcconf",
        }
    }
    pub const TOOLS: [Family; 4] = [
        Family::Storcli,
        Family::Megacli,
        Family::Ssacli,
        Family::Arcconf,
    ];

    fn programs(self) -> &'static [&'static str] {
        match self {
            Family::Md => &[],
            Family::Storcli => &["storcli64", "storcli", "perccli64", "perccli"],
            Family::Megacli => &["MegaCli64", "MegaCli", "megacli"],
            Family::Ssacli => &["ssacli", "hpssacli", "hpacucli"],
            Family::Arcconf => &["arcconf"],
        }
    }

    /// The vendors' install directories, after PATH.
    fn usual_dirs(self) -> &'static [&'static str] {
        match self {
            Family::Md => &[],
            Family::Storcli => &[
                "/opt/MegaRAID/storcli",
                "/opt/MegaRAID/perccli",
                "/opt/lsi/storcli",
            ],
            Family::Megacli => &["/opt/MegaRAID/MegaCli", "/opt/lsi/megacli"],
            Family::Ssacli => &[
                "/opt/smartstorageadmin/ssacli/bin",
                "/opt/hp/hpssacli/bld",
                "/opt/compaq/hpacucli/bld",
            ],
            Family::Arcconf => &["/usr/Arcconf", "/usr/StorMan", "/opt/Adaptec/arcconf"],
        }
    }
}

/// Where a family's tool was looked for and what was found.
pub struct Search {
    pub family: Family,
    pub found: Option<PathBuf>,
    pub looked: Vec<PathBuf>,
}

impl Search {
    /// `looked for storcli64, storcli, perccli64, perccli in PATH, /usr/sbin, ...`: PATH by
    /// name (its entries are the run's own), then the directories added to it.
    pub fn tried(&self) -> String {
        let names = self.family.programs().join(", ");
        if std::env::var_os(TOOL_PATH_VAR).is_some() {
            let dirs: Vec<String> = self
                .looked
                .iter()
                .map(|d| d.display().to_string())
                .collect();
            return format!("looked for {names} in {TOOL_PATH_VAR}={}", dirs.join(":"));
        }
        let path: Vec<PathBuf> = std::env::var_os("PATH")
            .map(|p| std::env::split_paths(&p).collect())
            .unwrap_or_default();
        let added: Vec<String> = self
            .looked
            .iter()
            .filter(|d| !path.contains(d))
            .map(|d| d.display().to_string())
            .collect();
        if added.is_empty() {
            format!("looked for {names} in PATH")
        } else {
            format!("looked for {names} in PATH, {}", added.join(", "))
        }
    }
}

/// The directories to search for a family's tool: the override, else PATH + usual ones.
fn search_dirs(family: Family) -> Vec<PathBuf> {
    if let Some(list) = std::env::var_os(TOOL_PATH_VAR) {
        return std::env::split_paths(&list)
            .filter(|d| d.is_absolute())
            .collect();
    }
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    for d in [
        "/usr/local/sbin",
        "/usr/sbin",
        "/sbin",
        "/usr/local/bin",
        "/usr/bin",
    ]
    .iter()
    .chain(family.usual_dirs())
    {
        dirs.push(PathBuf::from(d));
    }
    let mut seen = Vec::new();
    dirs.retain(|d| {
        d.is_absolute() && !seen.contains(d) && {
            seen.push(d.clone());
            true
        }
    });
    dirs
}

/// Tools are looked for on the live host, or anywhere the override points.
pub fn searching(ctx: &Context) -> bool {
    ctx.is_live_host() || std::env::var_os(TOOL_PATH_VAR).is_some()
}

pub fn find(family: Family) -> Search {
    let looked = search_dirs(family);
    let found = looked.iter().find_map(|dir| {
        family
            .programs()
            .iter()
            .map(|p| dir.join(p))
            .find(|p| is_executable(p))
    });
    Search {
        family,
        found,
        looked,
    }
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// The command lines for a family's tool at `path` (arcconf: the first controller; the
/// others, when it reports more, are asked the same way).
pub fn commands(family: Family, path: &Path, sudo: bool) -> Vec<ToolCommand> {
    let p = path.display().to_string();
    let cmd = |args: &[&str]| {
        ToolCommand::new(&p)
            .args(args.iter().copied())
            .sudo(sudo)
            .max_output(OUTPUT_CAP)
    };
    match family {
        Family::Md => Vec::new(),
        // The controller, its VDs and PDs; then each drive's error counts and SMART flag.
        Family::Storcli => vec![
            cmd(&["/call", "show", "all", "J"]),
            cmd(&["/call/eall/sall", "show", "all", "J"]),
        ],
        // -NoLog: MegaCli otherwise writes MegaSAS.log into the current directory.
        Family::Megacli => vec![
            cmd(&["-LDInfo", "-Lall", "-aALL", "-NoLog"]),
            cmd(&["-PDList", "-aALL", "-NoLog"]),
            cmd(&["-AdpBbuCmd", "-aALL", "-NoLog"]),
        ],
        Family::Ssacli => vec![cmd(&["ctrl", "all", "show", "config", "detail"])],
        Family::Arcconf => vec![arcconf_cmd(&p, "1", sudo)],
    }
}

fn arcconf_cmd(program: &str, n: &str, sudo: bool) -> ToolCommand {
    ToolCommand::new(program)
        .args(["GETCONFIG", n, "AL"])
        .sudo(sudo)
        .max_output(OUTPUT_CAP)
}

/// What one source gave: parsed controllers, or why not; and notes for long output (cache use).
pub struct Acquired {
    pub family: Family,
    pub source: String,
    pub result: Result<Parsed, String>,
    pub notes: Vec<String>,
}

/// Words some of these tools use for "not root" that the kit's check does not know.
fn lacks_privilege(out: &common::ToolOutput) -> bool {
    if out.lacks_privilege() {
        return true;
    }
    let text = format!("{}\n{}", out.stderr, out.stdout).to_ascii_lowercase();
    [
        "administrator rights",
        "sufficient privilege",
        "root privilege",
        "run as root",
        "must be run as",
    ]
    .iter()
    .any(|w| text.contains(w))
}

/// Run one command (or take it from the cache when `--max-age` allows); the text or why not.
fn output_of(
    ctx: &Context,
    cmd: &ToolCommand,
    max_age: Option<u64>,
    sudo: bool,
    accept: &dyn Fn(&str) -> bool,
    notes: &mut Vec<String>,
) -> Result<Result<String, String>, CheckError> {
    let cache_name = format!(
        "check_raid-{}.cache",
        cmd.args
            .iter()
            .map(|a| a
                .chars()
                .filter(|c| c.is_ascii_alphanumeric())
                .collect::<String>())
            .collect::<Vec<_>>()
            .join("-")
    );
    let cache_name = format!(
        "{}-{cache_name}",
        Path::new(&cmd.program)
            .file_name()
            .map_or(String::new(), |f| f.to_string_lossy().into_owned())
    );
    let state = match max_age {
        Some(_) => match ctx.state() {
            Ok(s) => Some(s),
            Err(e) => {
                notes.push(format!("not caching {}: {e}", cmd.display()));
                None
            }
        },
        None => None,
    };
    if let (Some(state), Some(age)) = (&state, max_age) {
        match state.cached(&cache_name, Duration::from_secs(age)) {
            Ok(Cached::Fresh { text, age: old }) => {
                notes.push(format!(
                    "{}: cached output from {} s ago used (--max-age {age}), in {}",
                    cmd.display(),
                    old.as_secs(),
                    state.path().display()
                ));
                return Ok(Ok(text));
            }
            Ok(Cached::Corrupt { reason }) => {
                notes.push(format!("cache for {} ignored: {reason}", cmd.display()))
            }
            Ok(_) => {}
            Err(e) => notes.push(format!("cache for {} not read: {e}", cmd.display())),
        }
    }
    let out = match ctx.run_tool(cmd) {
        Ok(o) => o,
        Err(CheckError::Tool(e)) => return Ok(Err(e.to_string())),
        Err(e) => return Err(e),
    };
    // storcli and MegaCli exit non-zero on partial failures with a full answer on stdout:
    // the answer is what counts when there is one.
    if out.stdout.trim().is_empty() || (!out.success() && !accept(&out.stdout)) {
        let first = out.first_error_line();
        if !sudo && lacks_privilege(&out) {
            return Ok(Err(format!(
                "{first}; give --sudo and {}",
                common::sudoers::hint(&cmd.clone().sudo(true))
            )));
        }
        return Ok(Err(format!(
            "{first} (exit {})",
            out.code.map_or("by a signal".into(), |c| c.to_string())
        )));
    }
    if let Some(state) = &state {
        if let Err(e) = state.store_cached(&cache_name, &out.stdout) {
            notes.push(format!("output of {} not cached: {e}", cmd.display()));
        }
    }
    Ok(Ok(out.stdout))
}

/// Run a found family's tool(s) and parse.
pub fn run_family(
    ctx: &Context,
    family: Family,
    path: &Path,
    sudo: bool,
    max_age: Option<u64>,
) -> Result<Acquired, CheckError> {
    let cmds = commands(family, path, sudo);
    let source = cmds.first().map(|c| c.display()).unwrap_or_default();
    let mut notes = Vec::new();
    let result = match family {
        Family::Md => Err("not a tool".into()),
        Family::Storcli => {
            let mut answers = Vec::new();
            let mut failed = None;
            for cmd in &cmds {
                let json = |t: &str| t.trim_start().starts_with('{');
                match output_of(ctx, cmd, max_age, sudo, &json, &mut notes)? {
                    Ok(text) => match storcli::parse(&text) {
                        Ok(c) => answers.push(c),
                        Err(e) => {
                            failed = Some(e.in_source(cmd.display()).to_string());
                            break;
                        }
                    },
                    Err(why) => {
                        failed = Some(format!("{}: {why}", cmd.display()));
                        break;
                    }
                }
            }
            match failed {
                Some(why) => Err(why),
                None => Ok(Parsed {
                    controllers: storcli::merge(answers),
                    complete: true,
                }),
            }
        }
        Family::Megacli => {
            let mut parts = Vec::new();
            let mut failed = None;
            for (i, cmd) in cmds.iter().enumerate() {
                match output_of(
                    ctx,
                    cmd,
                    max_age,
                    sudo,
                    &|t| t.contains("Adapter"),
                    &mut notes,
                )? {
                    Ok(text) => {
                        let parsed = match i {
                            0 => megacli::parse_ld(&text),
                            1 => megacli::parse_pd(&text),
                            _ => megacli::parse_bbu(&text),
                        };
                        match parsed {
                            Ok(p) => parts.push(p),
                            // No battery fitted: MegaCli says so in words, not as a BBU.
                            Err(_) if i == 2 => {
                                notes.push(format!("{}: no BBU status", cmd.display()))
                            }
                            Err(e) => {
                                failed = Some(e.in_source(cmd.display()).to_string());
                                break;
                            }
                        }
                    }
                    Err(why) => {
                        failed = Some(format!("{}: {why}", cmd.display()));
                        break;
                    }
                }
            }
            match failed {
                Some(why) => Err(why),
                None => Ok(megacli::merge(parts)),
            }
        }
        Family::Ssacli => match output_of(ctx, &cmds[0], max_age, sudo, &|_| false, &mut notes)? {
            Ok(text) => ssacli::parse(&text).map_err(|e| e.in_source(&source).to_string()),
            // Named like the other tools' failures: "exit 1" alone says not which tool.
            Err(why) => Err(format!("{source}: {why}")),
        },
        Family::Arcconf => {
            let program = path.display().to_string();
            let mut all = Parsed {
                controllers: Vec::new(),
                complete: true,
            };
            let mut result = Ok(());
            let mut n = 1;
            let mut count = 1;
            while n <= count {
                let cmd = arcconf_cmd(&program, &n.to_string(), sudo);
                match output_of(ctx, &cmd, max_age, sudo, &|_| false, &mut notes)? {
                    Ok(text) => {
                        if n == 1 {
                            count = controllers_found(&text).unwrap_or(1).min(16);
                        }
                        match arcconf::parse(&text, &n.to_string()) {
                            Ok(p) => {
                                all.complete &= p.complete;
                                all.controllers.extend(p.controllers);
                            }
                            Err(e) => {
                                result = Err(e.in_source(cmd.display()).to_string());
                                break;
                            }
                        }
                    }
                    Err(why) => {
                        result = Err(format!("{}: {why}", cmd.display()));
                        break;
                    }
                }
                n += 1;
            }
            result.map(|_| all)
        }
    };
    // Live output must be whole: a missing closing line is a cut, not a note.
    let result = match result {
        Ok(p) if !p.complete => Err(format!(
            "{source}: output without the tool's closing line: cut, not judged"
        )),
        other => other,
    };
    Ok(Acquired {
        family,
        source,
        result,
        notes,
    })
}

/// `Controllers found: 2` in arcconf's output.
fn controllers_found(text: &str) -> Option<usize> {
    text.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim()
            .eq_ignore_ascii_case("controllers found")
            .then(|| v.trim().parse().ok())?
    })
}

/// Saved outputs from `--input NAME=FILE`: parsed, in the same shape as a run.
pub fn from_inputs(ctx: &Context) -> Result<Vec<Acquired>, CheckError> {
    let mut out = Vec::new();
    // `--input storcli=` may be given twice: `/call show all J` and `/call/eall/sall show all J`.
    let storcli_inputs = ctx.inputs("storcli")?;
    if !storcli_inputs.is_empty() {
        let names: Vec<String> = storcli_inputs.iter().map(|(n, _)| n.clone()).collect();
        let parsed: Result<Vec<_>, String> = storcli_inputs
            .iter()
            .map(|(name, text)| storcli::parse(text).map_err(|e| e.in_source(name).to_string()))
            .collect();
        out.push(Acquired {
            family: Family::Storcli,
            source: names.join(" + "),
            result: parsed.map(|answers| Parsed {
                controllers: storcli::merge(answers),
                complete: true,
            }),
            notes: Vec::new(),
        });
    }
    let mut mega = Vec::new();
    let mut mega_sources = Vec::new();
    for (input, parse) in [
        ("megacli-ld", megacli::parse_ld as fn(&str) -> _),
        ("megacli-pd", megacli::parse_pd),
        ("megacli-bbu", megacli::parse_bbu),
    ] {
        for (name, text) in ctx.inputs(input)? {
            mega_sources.push(name.clone());
            mega.push(parse(&text).map_err(|e| e.in_source(&name).to_string()));
        }
    }
    if !mega.is_empty() {
        out.push(Acquired {
            family: Family::Megacli,
            source: mega_sources.join(" + "),
            result: mega
                .into_iter()
                .collect::<Result<Vec<_>, _>>()
                .map(megacli::merge),
            notes: Vec::new(),
        });
    }
    for (name, text) in ctx.inputs("ssacli")? {
        out.push(Acquired {
            family: Family::Ssacli,
            result: ssacli::parse(&text).map_err(|e| e.in_source(&name).to_string()),
            source: name,
            notes: Vec::new(),
        });
    }
    for (i, (name, text)) in ctx.inputs("arcconf")?.into_iter().enumerate() {
        out.push(Acquired {
            family: Family::Arcconf,
            result: arcconf::parse(&text, &(i + 1).to_string())
                .map_err(|e| e.in_source(&name).to_string()),
            source: name,
            notes: Vec::new(),
        });
    }
    Ok(out)
}
