//! check_ipmi: the BMC's sensors (power supplies and their redundancy, temperatures, fans,
//! voltages, power), optionally its chassis status and new system event log entries.
//!
//! Acquire (FreeIPMI `ipmi-sensors`, or `ipmitool sensor` + `ipmitool sdr elist`, in-band or
//! over LAN; or `--input`) -> parse (`freeipmi`, `ipmitool_sensor`, `ipmitool_sdr`,
//! `chassis`, `sel`) -> `evaluate` -> Report.
//!
//! FreeIPMI is the default: one call gives each sensor's type, state (FreeIPMI's own
//! interpretation, the one check_ipmi_sensor relies on), reading, the BMC's thresholds and the
//! event texts, and its SDR cache can be kept where we say (under the state directory, keyed
//! by BMC) and recreated on demand. ipmitool needs two calls for the same facts (`sensor` has
//! the thresholds but only hex states for discrete sensors, `sdr elist` has the event texts
//! but no thresholds) and keeps no SDR cache of its own.

pub mod chassis;
pub mod evaluate;
pub mod freeipmi;
pub mod ipmitool_sdr;
pub mod ipmitool_sensor;
pub mod model;
pub mod sel;

use common::{
    CheckError, Context, Finding, ParseError, Plugin, Report, Secret, Status, ToolCommand,
};
use evaluate::Rules;
use model::{Chassis, SelEntry, Sensor};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

pub const PLUGIN: Plugin = Plugin {
    name: "check_ipmi",
    service: "IPMI",
    version: env!("CARGO_PKG_VERSION"),
    about: "BMC sensors over IPMI: power supplies and redundancy, temperatures, fans, voltages; chassis faults; new SEL events",
    reads_host: false,
    inputs: &["ipmi-sensors", "ipmitool", "ipmitool-sdr", "chassis", "sel"],
    synopsis: "\
check_ipmi [--tool freeipmi|ipmitool] [-H HOST [--port N] --user NAME [--password-file FILE]
           [--interface lanplus|lan] [--privilege LEVEL] [--cipher N] [--workaround FLAGS]] [--sudo]
           [--psu-count N] [--exclude-sensor NAME|ID|TYPE]... [--only-type TYPE]...
           [--unreadable warning|critical] [--chassis] [--sel [--sel-ignore REGEX]...]
           [--state-dir DIR] [--input NAME=FILE]... [-t S] [-v]",
    runs_tools: true,
    keeps_state: true,
};

pub fn command() -> clap::Command {
    common::command::<Options>(&PLUGIN)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Tool {
    Freeipmi,
    Ipmitool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Interface {
    /// IPMI 2.0 / RMCP+ (FreeIPMI LAN_2_0)
    Lanplus,
    /// IPMI 1.5 (FreeIPMI LAN)
    Lan,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Privilege {
    User,
    Operator,
    Admin,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Unreadable {
    Warning,
    Critical,
}

#[derive(clap::Args, Debug, Clone)]
pub struct Options {
    /// The IPMI tool: FreeIPMI (ipmi-sensors, one call with states, thresholds and event texts)
    /// or ipmitool (sensor + sdr elist)
    #[arg(long, value_enum, default_value = "freeipmi")]
    pub tool: Tool,

    /// Ask this BMC over the LAN instead of the local one (/dev/ipmi0)
    #[arg(short = 'H', long = "host", value_name = "HOST")]
    pub host: Option<String>,

    /// The BMC's UDP port
    #[arg(long, value_name = "N", default_value_t = 623, value_parser = parse_port)]
    pub port: u16,

    /// BMC user (over LAN)
    #[arg(long, value_name = "NAME")]
    pub user: Option<String>,

    /// File whose first line is the BMC password (else the environment variable
    /// IPMI_PASSWORD); it reaches the tool through a file or its environment, never its argv
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<std::path::PathBuf>,

    /// lanplus: IPMI 2.0 (RMCP+), lan: IPMI 1.5
    #[arg(long, value_enum, default_value = "lanplus")]
    pub interface: Interface,

    /// Privilege level asked for the session (reading sensors needs only user)
    #[arg(long, value_enum, default_value = "user")]
    pub privilege: Privilege,

    /// RMCP+ cipher suite (3: the one every BMC has; without it ipmitool spends seconds
    /// asking for the list)
    #[arg(long, value_name = "N", default_value_t = 3, value_parser = parse_cipher)]
    pub cipher: u8,

    /// FreeIPMI workaround flags for a quirky BMC (-W, e.g. opensesspriv)
    #[arg(long, value_name = "FLAGS")]
    pub workaround: Option<String>,

    /// Run the tool through `sudo -n` (in-band: /dev/ipmi0 is root's)
    #[arg(long)]
    pub sudo: bool,

    /// CRITICAL when fewer than N power supplies are present
    #[arg(long, value_name = "N")]
    pub psu_count: Option<usize>,

    /// Leave out sensors of this name, id (05h or 5) or type (repeatable)
    #[arg(long = "exclude-sensor", value_name = "NAME|ID|TYPE")]
    pub exclude_sensor: Vec<String>,

    /// Judge only sensors of this type (Temperature, Fan, Voltage, Power, "Power Supply";
    /// repeatable)
    #[arg(long = "only-type", value_name = "TYPE")]
    pub only_type: Vec<String>,

    /// A sensor that cannot be read is this state instead of skipped
    #[arg(long, value_enum, value_name = "STATE")]
    pub unreadable: Option<Unreadable>,

    /// Also read the chassis status: power overload, power faults, cooling/fan and drive
    /// fault are CRITICAL (one more call to the BMC)
    #[arg(long)]
    pub chassis: bool,

    /// Also read the system event log: entries since the last run that report a failure are
    /// CRITICAL (warnings WARNING), once (one more call to the BMC)
    #[arg(long)]
    pub sel: bool,

    /// SEL entries matching REGEX are ignored (repeatable)
    #[arg(long = "sel-ignore", value_name = "REGEX")]
    pub sel_ignore: Vec<String>,
}

fn parse_port(text: &str) -> Result<u16, String> {
    text.parse::<u16>()
        .ok()
        .filter(|p| *p > 0)
        .ok_or_else(|| format!("expected a UDP port from 1 to 65535, not '{text}'"))
}

/// RMCP+ cipher suite ids are 0 to 17 (IPMI 2.0 table 22-20).
fn parse_cipher(text: &str) -> Result<u8, String> {
    text.parse::<u8>()
        .ok()
        .filter(|c| *c <= 17)
        .ok_or_else(|| format!("expected a cipher suite id from 0 to 17, not '{text}'"))
}

/// Most a tool's answer may be: a big server's listing is ~40 KiB, a full SEL ~300 KiB.
pub const OUTPUT_CAP: usize = 4 * 1024 * 1024;

/// What the run found, before the rules.
struct Facts {
    /// None: not asked (only a saved chassis status or SEL given).
    sensors: Option<Result<Vec<Sensor>, Finding>>,
    chassis: Option<Result<Chassis, Finding>>,
    sel: Option<Result<Vec<SelEntry>, Finding>>,
    notes: Vec<String>,
}

pub fn check(opts: &Options, ctx: &Context) -> Result<Report, CheckError> {
    let ignore = sel_ignore(opts)?;
    let facts = if ctx.inputs_given() {
        from_inputs(ctx)?
    } else {
        Bmc::new(opts, ctx)?.ask(opts, ctx)?
    };
    let rules = Rules {
        psu_count: opts.psu_count,
        exclude: opts.exclude_sensor.clone(),
        only_types: opts.only_type.clone(),
        unreadable: opts.unreadable.map(|u| match u {
            Unreadable::Warning => Status::Warning,
            Unreadable::Critical => Status::Critical,
        }),
    };
    let mut report = Report::new();
    let mut unreachable = false;
    match &facts.sensors {
        Some(Ok(sensors)) => evaluate::sensors(sensors, &rules, &mut report),
        Some(Err(f)) => {
            unreachable = f.status == Status::Critical;
            report.add(f.clone());
        }
        None => {}
    }
    if !unreachable {
        match &facts.chassis {
            Some(Ok(c)) => evaluate::chassis(c, &mut report),
            Some(Err(f)) => {
                report.add(f.clone());
            }
            None => {}
        }
        match &facts.sel {
            Some(Ok(entries)) => sel_since_last_run(opts, ctx, entries, &ignore, &mut report)?,
            Some(Err(f)) => {
                report.add(f.clone());
            }
            None => {}
        }
    }
    for n in facts.notes {
        report.verbose(0, n);
    }
    report.ok_summary(match &facts.sensors {
        Some(Ok(s)) => format!("{} sensors ok", s.len()),
        _ => "no fault".to_string(),
    });
    Ok(report)
}

fn sel_ignore(opts: &Options) -> Result<Vec<regex_lite::Regex>, CheckError> {
    opts.sel_ignore
        .iter()
        .map(|r| {
            regex_lite::Regex::new(r)
                .map_err(|e| CheckError::usage(format!("--sel-ignore '{r}': {e}")))
        })
        .collect()
}

/// The state files of this BMC: `local` in-band, else its host and port.
fn bmc_key(opts: &Options) -> String {
    match &opts.host {
        None => "local".into(),
        Some(h) => {
            let safe: String = h
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                        c
                    } else {
                        '_'
                    }
                })
                .collect();
            format!("{safe}_{}", opts.port)
        }
    }
}

/// New entries since the last run (their record ids above the highest one seen then): the
/// first run only records where the log stands.
fn sel_since_last_run(
    opts: &Options,
    ctx: &Context,
    entries: &[SelEntry],
    ignore: &[regex_lite::Regex],
    report: &mut Report,
) -> Result<(), CheckError> {
    let state = ctx.state()?;
    if let Some(n) = state.note() {
        report.verbose(0, n.to_string());
    }
    let name = format!("ipmi-sel-{}", bmc_key(opts));
    let _lock = state.lock(&name, std::time::Duration::from_secs(2))?;
    let last: Option<u64> = state
        .read(&name)?
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|t| t.trim().strip_prefix("last=").and_then(|v| v.parse().ok()));
    let highest = entries.iter().map(|e| e.id).max().unwrap_or(0);
    let kept: Vec<&SelEntry> = entries
        .iter()
        .filter(|e| !ignore.iter().any(|r| r.is_match(&e.text)))
        .collect();
    let new: Vec<&SelEntry> = match last {
        None => {
            report.verbose(
                0,
                format!(
                    "SEL: first run, {} entries recorded as seen (state in {})",
                    entries.len(),
                    state.path().display()
                ),
            );
            Vec::new()
        }
        // Fewer records than last time: the log was cleared; all of it is new.
        Some(l) if highest < l => {
            report.verbose(0, "SEL was cleared since the last run");
            kept
        }
        Some(l) => kept.into_iter().filter(|e| e.id > l).collect(),
    };
    evaluate::sel(&new, entries.len(), report);
    state.write(&name, format!("last={highest}\n").as_bytes())?;
    Ok(())
}

/// Saved outputs: exactly those, nothing from the BMC.
fn from_inputs(ctx: &Context) -> Result<Facts, CheckError> {
    let parsed = |name: &str, parse: fn(&str) -> Result<Vec<Sensor>, ParseError>| {
        ctx.input_capped(name, OUTPUT_CAP)
            .map(|got| got.map(|(shown, text)| parse(&text).map_err(|e| unreadable(&shown, &e))))
    };
    let freeipmi = parsed("ipmi-sensors", freeipmi::parse)?;
    let sensor = parsed("ipmitool", ipmitool_sensor::parse)?;
    let sdr = parsed("ipmitool-sdr", ipmitool_sdr::parse)?;
    let sensors = match (freeipmi, sensor, sdr) {
        (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
            return Err(CheckError::usage(
                "--input ipmi-sensors is one tool's listing and ipmitool/ipmitool-sdr another's; give one tool's",
            ))
        }
        (Some(f), None, None) => Some(f),
        (None, Some(s), None) => Some(s),
        (None, None, Some(d)) => Some(d),
        (None, Some(s), Some(d)) => Some(match (s, d) {
            (Ok(s), Ok(d)) => Ok(merge(d, &s)),
            (Err(e), _) | (_, Err(e)) => Err(e),
        }),
        (None, None, None) => None,
    };
    let chassis = ctx
        .input_capped("chassis", OUTPUT_CAP)?
        .map(|(shown, text)| chassis::parse(&text).map_err(|e| unreadable(&shown, &e)));
    let sel = ctx
        .input_capped("sel", OUTPUT_CAP)?
        .map(|(shown, text)| sel::parse(&text).map_err(|e| unreadable(&shown, &e)));
    if sensors.is_none() && chassis.is_none() && sel.is_none() {
        return Err(CheckError::usage("no --input given"));
    }
    Ok(Facts {
        sensors,
        chassis,
        sel,
        notes: Vec::new(),
    })
}

/// A parse error as an UNKNOWN finding naming the source and the line.
fn unreadable(shown: &str, e: &ParseError) -> Finding {
    let why = match (e.line, &e.content) {
        (Some(n), Some(c)) => format!("line {n} '{c}': {}", e.message),
        (Some(n), None) => format!("line {n}: {}", e.message),
        _ => e.message.clone(),
    };
    let text = format!("cannot read {shown}: {why}");
    Finding::unknown(text.clone()).summary(text)
}

/// ipmitool: the `sdr elist` sensors (with their event texts), each with the thresholds and
/// the worse status of its `sensor` line (matched by name, the k-th of a name to the k-th).
pub fn merge(mut sdr: Vec<Sensor>, listed: &[Sensor]) -> Vec<Sensor> {
    use model::Health;
    let rank = |h: Health| match h {
        Health::NotReadable => 0,
        Health::Ok => 1,
        Health::Warning => 2,
        Health::Critical => 3,
    };
    let mut used = vec![false; listed.len()];
    for s in &mut sdr {
        if let Some(i) = (0..listed.len()).find(|&i| !used[i] && listed[i].name == s.name) {
            used[i] = true;
            s.limits = listed[i].limits;
            if rank(listed[i].health) > rank(s.health) {
                s.health = listed[i].health;
            }
        }
    }
    sdr
}

/// How to reach the BMC for this run.
struct Bmc {
    password: Option<Secret>,
    sdr_cache: Option<std::path::PathBuf>,
    notes: Vec<String>,
}

/// A pipe holding the FreeIPMI config line with the password, inherited by the tool and read
/// as `--config-file=/dev/fd/N`: the password never is on a command line or on disk.
struct PasswordPipe {
    read: OwnedFd,
}

impl PasswordPipe {
    fn new(password: &Secret) -> Result<PasswordPipe, CheckError> {
        let mut fds = [0 as libc::c_int; 2];
        // SAFETY: pipe(2) with a two-int array. No O_CLOEXEC: the tool must inherit the read end.
        if unsafe { libc::pipe(fds.as_mut_ptr()) } != 0 {
            return Err(CheckError::other(
                "cannot create a pipe for the BMC password",
            ));
        }
        // SAFETY: both descriptors were just created and are ours alone.
        let (read, write) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
        // The write end must not reach the tool (it would never see the end of the file).
        // SAFETY: fcntl on our own descriptor.
        unsafe { libc::fcntl(write.as_raw_fd(), libc::F_SETFD, libc::FD_CLOEXEC) };
        let text = format!("password {}\n", password.expose());
        let mut file = std::fs::File::from(write);
        // A pipe holds 64 KiB; a password line is far smaller, so this never blocks.
        std::io::Write::write_all(&mut file, text.as_bytes())
            .map_err(|_| CheckError::other("cannot write the BMC password to its pipe"))?;
        drop(file);
        Ok(PasswordPipe { read })
    }
    fn path(&self) -> String {
        format!("/dev/fd/{}", self.read.as_raw_fd())
    }
}

impl Bmc {
    fn new(opts: &Options, ctx: &Context) -> Result<Bmc, CheckError> {
        let mut notes = Vec::new();
        let mut password = None;
        if opts.host.is_some() {
            if opts.user.is_none() {
                return Err(CheckError::usage("-H needs --user NAME (the BMC user)"));
            }
            password = Some(match &opts.password_file {
                Some(path) => {
                    let file = common::secret::read_secret_file(path)?;
                    let first = file.text.expose().lines().next().unwrap_or("").to_string();
                    Secret::new(first)
                }
                None => match std::env::var("IPMI_PASSWORD") {
                    Ok(p) if !p.is_empty() => Secret::new(p),
                    _ => {
                        return Err(CheckError::usage(
                            "-H needs the BMC password: --password-file FILE or the environment variable IPMI_PASSWORD",
                        ))
                    }
                },
            });
        } else if opts.user.is_some() || opts.password_file.is_some() {
            return Err(CheckError::usage(
                "--user and --password-file are for a BMC over the LAN: give -H HOST",
            ));
        }
        if opts.sudo && opts.host.is_some() {
            // sudo closes the descriptors the password travels on, and a BMC over the LAN
            // needs no root.
            return Err(CheckError::usage(
                "--sudo is for the local BMC (/dev/ipmi0); over the LAN (-H) no root is needed",
            ));
        }
        if let Some(w) = &opts.workaround {
            if w.is_empty() || !w.chars().all(|c| c.is_ascii_alphanumeric() || c == ',') {
                return Err(CheckError::usage(format!(
                    "--workaround '{w}': FreeIPMI workaround names separated by commas"
                )));
            }
        }
        if let Some(h) = &opts.host {
            if h.is_empty() || h.starts_with('-') || h.chars().any(|c| c.is_whitespace()) {
                return Err(CheckError::usage(format!("-H '{h}' is not a host name")));
            }
        }
        let sdr_cache = if opts.tool == Tool::Freeipmi {
            match ctx.state() {
                Ok(dir) => {
                    if let Some(n) = dir.note() {
                        notes.push(n.to_string());
                    }
                    Some(dir.path().join(format!("ipmi-sdr-{}.cache", bmc_key(opts))))
                }
                Err(e) => {
                    notes.push(format!(
                        "SDR cached where FreeIPMI keeps it by default ({e})"
                    ));
                    None
                }
            }
        } else {
            None
        };
        Ok(Bmc {
            password,
            sdr_cache,
            notes,
        })
    }

    fn ask(mut self, opts: &Options, ctx: &Context) -> Result<Facts, CheckError> {
        let sensors = match opts.tool {
            Tool::Freeipmi => self.freeipmi_sensors(opts, ctx)?,
            Tool::Ipmitool => {
                let listed = self.run(opts, ctx, &ipmitool(opts, &["sensor"]))?;
                match listed {
                    Err(f) => Err(f),
                    Ok(text) => match ipmitool_sensor::parse(&text) {
                        Err(e) => Err(unreadable("output of ipmitool sensor", &e)),
                        Ok(listed) => {
                            let cmd = ipmitool(opts, &["sdr", "elist"]);
                            match self.run(opts, ctx, &cmd)? {
                                Err(f) => Err(f),
                                Ok(text) => ipmitool_sdr::parse(&text)
                                    .map(|sdr| merge(sdr, &listed))
                                    .map_err(|e| unreadable("output of ipmitool sdr elist", &e)),
                            }
                        }
                    },
                }
            }
        };
        let reachable = !matches!(&sensors, Err(f) if f.status == Status::Critical);
        let chassis = if opts.chassis && reachable {
            let cmd = match opts.tool {
                Tool::Freeipmi => {
                    self.freeipmi(opts, "ipmi-chassis", &["--get-chassis-status"], false)
                }
                Tool::Ipmitool => ipmitool(opts, &["chassis", "status"]),
            };
            Some(self.run(opts, ctx, &cmd)?.and_then(|t| {
                chassis::parse(&t)
                    .map_err(|e| unreadable(&format!("output of {}", cmd.display()), &e))
            }))
        } else {
            None
        };
        let sel = if opts.sel && reachable {
            let cmd = match opts.tool {
                Tool::Freeipmi => self.freeipmi(opts, "ipmi-sel", &["--output-event-state"], true),
                Tool::Ipmitool => ipmitool(opts, &["sel", "elist"]),
            };
            Some(self.run(opts, ctx, &cmd)?.and_then(|t| {
                sel::parse(&t).map_err(|e| unreadable(&format!("output of {}", cmd.display()), &e))
            }))
        } else {
            None
        };
        Ok(Facts {
            sensors: Some(sensors),
            chassis,
            sel,
            notes: std::mem::take(&mut self.notes),
        })
    }

    /// `ipmi-sensors`, once more with the SDR cache recreated when FreeIPMI says the cache is
    /// bad or out of date (a stale cache otherwise reads wrong or old sensors forever).
    fn freeipmi_sensors(
        &mut self,
        opts: &Options,
        ctx: &Context,
    ) -> Result<Result<Vec<Sensor>, Finding>, CheckError> {
        let args = [
            "--output-sensor-state",
            "--output-sensor-thresholds",
            "--interpret-oem-data",
        ];
        for attempt in 0..2 {
            let cmd = self.freeipmi(opts, "ipmi-sensors", &args, true);
            let cmd = if attempt == 1 {
                cmd.arg("--sdr-cache-recreate")
            } else {
                cmd
            };
            let out = self.run_raw(opts, ctx, &cmd)?;
            let out = match out {
                Err(f) => return Ok(Err(f)),
                Ok(o) => o,
            };
            if attempt == 0 && self.sdr_cache.is_some() && cache_trouble(&out) {
                self.notes.push(format!(
                    "SDR cache {} recreated: {}",
                    self.sdr_cache
                        .as_ref()
                        .map(|p| p.display().to_string())
                        .unwrap_or_default(),
                    out.first_error_line()
                ));
                if let Some(p) = &self.sdr_cache {
                    let _ = std::fs::remove_file(p);
                }
                continue;
            }
            if !out.success() {
                return Ok(Err(self.failure(opts, &cmd, &out)));
            }
            return Ok(ipmi_sensors_parse(&out.stdout));
        }
        unreachable!("the loop returns on its second pass")
    }

    /// A FreeIPMI command line (the password pipe is added when it runs).
    fn freeipmi(&self, opts: &Options, program: &str, args: &[&str], sdr: bool) -> ToolCommand {
        let mut cmd = ToolCommand::new(program).max_output(OUTPUT_CAP);
        if let Some(host) = &opts.host {
            let driver = match opts.interface {
                Interface::Lanplus => "LAN_2_0",
                Interface::Lan => "LAN",
            };
            cmd = cmd
                .arg(format!("--hostname={host}:{}", opts.port))
                .arg(format!("--driver-type={driver}"))
                .arg(format!("--username={}", opts.user.as_deref().unwrap_or("")))
                .arg(format!("--privilege-level={}", priv_word(opts.privilege)));
            if opts.interface == Interface::Lanplus {
                cmd = cmd.arg(format!("--cipher-suite-id={}", opts.cipher));
            }
            if let Some(w) = &opts.workaround {
                cmd = cmd.arg(format!("--workaround-flags={w}"));
            }
        }
        if sdr {
            cmd = match &self.sdr_cache {
                Some(p) => cmd
                    .arg("--quiet-cache")
                    .arg(format!("--sdr-cache-file={}", p.display())),
                // No state directory: FreeIPMI's own default (~/.freeipmi), noted above.
                None => cmd.arg("--quiet-cache"),
            };
        }
        cmd.args(args.iter().copied()).sudo(opts.sudo)
    }

    /// Run a command; the tool's answer on success, else the finding that says why not.
    fn run(
        &self,
        opts: &Options,
        ctx: &Context,
        cmd: &ToolCommand,
    ) -> Result<Result<String, Finding>, CheckError> {
        Ok(match self.run_raw(opts, ctx, cmd)? {
            Err(f) => Err(f),
            Ok(out) if !out.success() => Err(self.failure(opts, cmd, &out)),
            Ok(out) => Ok(out.stdout),
        })
    }

    fn run_raw(
        &self,
        opts: &Options,
        ctx: &Context,
        cmd: &ToolCommand,
    ) -> Result<Result<common::ToolOutput, Finding>, CheckError> {
        let is_freeipmi = !cmd.program.ends_with("ipmitool");
        let cmd = &cmd.clone();
        // FreeIPMI over LAN: the password through an inherited pipe, as a config file.
        let pipe = match (&self.password, is_freeipmi) {
            (Some(p), true) => Some(PasswordPipe::new(p)?),
            _ => None,
        };
        let mut cmd = match &pipe {
            Some(p) => {
                let mut c = cmd.clone();
                c.args.insert(0, format!("--config-file={}", p.path()));
                c
            }
            None => cmd.clone(),
        };
        if opts.host.is_some() {
            // A BMC that does not answer must end as "unreachable" before -t ends the run:
            // the tool gets nine tenths of what is left, and FreeIPMI its own session timeout
            // below that, so that it says "connection timeout" itself.
            let budget = ctx.io_budget().mul_f64(0.9);
            if is_freeipmi {
                let session = (budget.as_millis() as u64 * 6 / 10).max(400);
                let retransmit = (session / 4).clamp(100, 1000);
                cmd.args.insert(0, format!("--session-timeout={session}"));
                cmd.args
                    .insert(1, format!("--retransmission-timeout={retransmit}"));
            }
            cmd = cmd.timeout(budget);
        }
        ctx.doing(format!("asking the BMC: {}", cmd.display()));
        let out = ctx.run_tool(&cmd);
        drop(pipe);
        match out {
            Ok(o) => Ok(Ok(o)),
            Err(CheckError::Tool(common::ToolError::TimedOut { seconds, .. }))
                if opts.host.is_some() =>
            {
                Ok(Err(unreachable_bmc(
                    opts,
                    &format!("no answer to {} within {seconds} s", cmd.program),
                )))
            }
            Err(CheckError::Tool(e)) => {
                let text = format!("cannot run {}: {e}", cmd.program);
                Ok(Err(Finding::unknown(text.clone()).summary(text)))
            }
            Err(e) => Err(e),
        }
    }

    /// Why a tool failed, in the admin's terms: the BMC not answering (CRITICAL), refused
    /// logins, no local BMC driver, missing privilege (UNKNOWN, with the fix).
    fn failure(&self, opts: &Options, cmd: &ToolCommand, out: &common::ToolOutput) -> Finding {
        let first = out.first_error_line();
        let all = format!("{}\n{}", out.stderr, out.stdout).to_ascii_lowercase();
        let tool = cmd.program.as_str();
        if opts.host.is_some() {
            const LOGIN: &[&str] = &[
                "password invalid",
                "username invalid",
                "privilege level cannot be obtained",
                "authentication type unavailable",
                "unauthorized name",
                "invalid password",
                "rakp 2 hmac is invalid",
                "k_g invalid",
            ];
            if LOGIN.iter().any(|w| all.contains(w)) {
                let text = format!(
                    "the BMC refused the login of {}: {first}",
                    opts.user.as_deref().unwrap_or("")
                );
                return Finding::unknown(text.clone()).summary(text).hint(
                    "check --user, the password and --privilege (reading sensors needs user)",
                );
            }
            const GONE: &[&str] = &[
                "connection timeout",
                "session timeout",
                "unable to establish",
                "get session challenge",
                "get auth capabilities",
                "no response",
                "connection refused",
                "could not resolve",
                "unknown host",
                "timed out",
                "timeout",
            ];
            if GONE.iter().any(|w| all.contains(w)) {
                let why = if tool.ends_with("ipmitool") {
                    // ipmitool says the same when the BMC refused the login.
                    format!("{first} (ipmitool says so for a refused login too: check --user and the password)")
                } else {
                    first
                };
                return unreachable_bmc(opts, &why);
            }
        } else {
            const NO_DEVICE: &[&str] = &[
                "could not open device",
                "/dev/ipmi",
                "driver timeout",
                "could not find inband device",
                "kcs",
            ];
            if NO_DEVICE.iter().any(|w| all.contains(w)) && !out.lacks_privilege() {
                let text = format!("no local BMC: {tool}: {first}");
                return Finding::unknown(text.clone()).summary(text).hint(
                    "load the drivers (modprobe ipmi_si ipmi_devintf), or ask the BMC over the LAN with -H",
                );
            }
            if out.lacks_privilege() && !opts.sudo {
                let text = format!("{tool}: {first}");
                return Finding::unknown(text.clone()).summary(text).hint(format!(
                    "the local BMC is root's: give --sudo and {}",
                    common::sudoers::hint(&cmd.clone().sudo(true))
                ));
            }
        }
        let text = format!("{} failed: {first}", cmd.display());
        Finding::unknown(text.clone()).summary(text)
    }
}

fn priv_word(p: Privilege) -> &'static str {
    match p {
        Privilege::User => "user",
        Privilege::Operator => "operator",
        Privilege::Admin => "admin",
    }
}

fn unreachable_bmc(opts: &Options, why: &str) -> Finding {
    let host = opts.host.as_deref().unwrap_or("local");
    Finding::critical(format!("BMC {host}:{} does not answer: {why}", opts.port))
        .summary("BMC unreachable: remote console and power control lost")
        .hint("check the BMC's network port and power (it runs on standby power), then reset it: ipmitool mc reset cold")
}

/// FreeIPMI's words for an SDR cache it cannot use (corrupt, another BMC's, out of date).
fn cache_trouble(out: &common::ToolOutput) -> bool {
    let all = format!("{}\n{}", out.stderr, out.stdout).to_ascii_lowercase();
    [
        "sdr cache",
        "cache out of date",
        "internal ipmi error",
        "sdr record count invalid",
    ]
    .iter()
    .any(|w| all.contains(w))
}

fn ipmi_sensors_parse(text: &str) -> Result<Vec<Sensor>, Finding> {
    freeipmi::parse(text).map_err(|e| unreadable("output of ipmi-sensors", &e))
}

/// An ipmitool command line: over LAN with the password from `-f FILE` or `-E`
/// (IPMI_PASSWORD, inherited from our environment), never `-P`.
fn ipmitool(opts: &Options, args: &[&str]) -> ToolCommand {
    let mut cmd = ToolCommand::new("ipmitool").max_output(OUTPUT_CAP);
    if let Some(host) = &opts.host {
        let iface = match opts.interface {
            Interface::Lanplus => "lanplus",
            Interface::Lan => "lan",
        };
        cmd = cmd
            .args(["-I", iface, "-H", host])
            .arg("-p")
            .arg(opts.port.to_string());
        if opts.interface == Interface::Lanplus {
            cmd = cmd.arg("-C").arg(opts.cipher.to_string());
        }
        cmd = cmd
            .arg("-U")
            .arg(opts.user.clone().unwrap_or_default())
            .arg("-L")
            .arg(priv_word(opts.privilege).to_ascii_uppercase());
        cmd = match &opts.password_file {
            Some(p) => cmd.arg("-f").arg(p.display().to_string()),
            None => cmd.arg("-E"),
        };
    }
    cmd.args(args.iter().copied()).sudo(opts.sudo)
}

/// The command lines this check runs in-band with these options (`--print-sudoers`).
pub fn tools(opts: &Options, ctx: &Context) -> Result<Vec<ToolCommand>, CheckError> {
    let opts = &Options {
        sudo: true,
        ..opts.clone()
    };
    let mut out = Vec::new();
    match opts.tool {
        Tool::Freeipmi => {
            let mut bmc = Bmc::new(opts, ctx)?;
            // The packaged sudoers line names the packaged state directory: a per-user
            // fallback (a test machine without /var/lib/euca-checks) must not change it.
            let fallback = ctx.state().map_or(true, |d| d.note().is_some());
            if fallback {
                bmc.sdr_cache = Some(
                    std::path::Path::new(common::state::DEFAULT_STATE_DIR)
                        .join(format!("ipmi-sdr-{}.cache", bmc_key(opts))),
                );
            }
            out.push(bmc.freeipmi(
                opts,
                "ipmi-sensors",
                &[
                    "--output-sensor-state",
                    "--output-sensor-thresholds",
                    "--interpret-oem-data",
                ],
                true,
            ));
            if opts.chassis {
                out.push(bmc.freeipmi(opts, "ipmi-chassis", &["--get-chassis-status"], false));
            }
            if opts.sel {
                out.push(bmc.freeipmi(opts, "ipmi-sel", &["--output-event-state"], true));
            }
        }
        Tool::Ipmitool => {
            out.push(ipmitool(opts, &["sensor"]));
            out.push(ipmitool(opts, &["sdr", "elist"]));
            if opts.chassis {
                out.push(ipmitool(opts, &["chassis", "status"]));
            }
            if opts.sel {
                out.push(ipmitool(opts, &["sel", "elist"]));
            }
        }
    }
    Ok(out)
}
