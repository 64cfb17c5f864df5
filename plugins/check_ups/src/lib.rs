//! check_ups: the UPS circuit behind the core servers, over NUT (upsd) and apcupsd (NIS), or
//! from saved `upsc` / `apcaccess status` output.
//!
//! acquire (net.rs, or --input files) -> parse (nut.rs, upsc.rs, apcaccess.rs) -> one model
//! (model.rs) -> evaluate (evaluate.rs) -> Report.

pub mod apcaccess;
pub mod evaluate;
pub mod model;
pub mod net;
pub mod nut;
pub mod upsc;

use common::net::NetError;
use common::secret::{self, Secret};
use common::{CheckError, Context, Metric, MetricList, ParseError, PerMetric, Plugin, Report};
use evaluate::Limits;
use model::{Answer, Observation, Reading, Source, Ups};
use net::Credentials;
use std::path::PathBuf;
use std::time::Instant;

pub const PLUGIN: Plugin = Plugin {
    name: "check_ups",
    service: "UPS",
    version: env!("CARGO_PKG_VERSION"),
    about: "UPS state (on battery, low battery, overload, replace battery, unreadable) over NUT upsd and apcupsd NIS",
    reads_host: false,
    inputs: &["upsc", "apcaccess"],
    synopsis: "\
check_ups [--ups NAME@HOST[:PORT]]... [--apcupsd HOST[:PORT]]... [--auth-file FILE]
          [--input upsc=FILE]... [--input apcaccess=FILE]...
          [--charge-warning R --charge-critical R] [--runtime-... R] [--load-... R]
          [--input-voltage-... R] [--temperature-... R] [-t S] [-v]",
    runs_tools: false,
    keeps_state: false,
};

/// The plugin's whole command line (standard options included), for generated configuration,
/// man pages and Icinga 2 CheckCommands.
pub fn command() -> clap::Command {
    common::command::<Options>(&PLUGIN)
}

/// Most variables (or apcupsd records) one UPS may report. A UPS has a few hundred; more is
/// no UPS dump, and is refused (UNKNOWN) rather than judged or held in memory.
pub const MAX_VARIABLES: usize = 10_000;

/// The parse error for a dump with more than [`MAX_VARIABLES`].
pub(crate) fn too_many_variables(what: &str) -> ParseError {
    ParseError::whole(format!(
        "more than {MAX_VARIABLES} {what} (a UPS has a few hundred): not a UPS dump, not read whole"
    ))
}

/// Default TCP port of upsd.
pub const NUT_PORT: u16 = 3493;
/// Default TCP port of apcupsd's NIS.
pub const APCUPSD_PORT: u16 = 3551;

#[derive(Debug, clap::Args)]
pub struct Options {
    /// NUT UPS to ask upsd about (repeatable: one check for both UPSes of a dual-fed server)
    #[arg(long = "ups", value_name = "NAME@HOST[:PORT]", value_parser = parse_nut_target)]
    pub ups: Vec<NutTarget>,

    /// apcupsd to ask over NIS (repeatable; default port 3551)
    #[arg(long = "apcupsd", value_name = "HOST[:PORT]", value_parser = parse_apcupsd_target)]
    pub apcupsd: Vec<HostPort>,

    /// File with 'username = NAME' and 'password = SECRET' lines for upsd (optional; upsd
    /// needs none to read variables)
    #[arg(long = "auth-file", value_name = "FILE")]
    pub auth_file: Option<PathBuf>,

    /// `--charge-warning RANGE`, `--charge-critical RANGE` ... for every metric in [`UpsMetrics`]
    #[command(flatten)]
    pub thresholds: PerMetric<UpsMetrics>,
}

/// The metrics that take `--NAME-warning/--NAME-critical` ranges.
#[derive(Debug, Clone, Copy)]
pub struct UpsMetrics;

impl MetricList for UpsMetrics {
    const METRICS: &'static [Metric] = &[
        Metric::new("charge", "Battery charge", "%", "50:", "20:"),
        Metric::new("runtime", "Runtime left", "s", "600:", "300:"),
        Metric::new("load", "Load", "%", "80", "95"),
        Metric::new("input-voltage", "Input voltage", "V", "210:250", "200:260"),
        Metric::new("temperature", "Temperature", "C", "40", "50"),
    ];
}

impl Options {
    pub fn limits(&self) -> Limits {
        let t = |name| self.thresholds.get(name);
        Limits {
            charge: t("charge"),
            runtime: t("runtime"),
            load: t("load"),
            input_voltage: t("input-voltage"),
            temperature: t("temperature"),
        }
    }
}

/// `HOST[:PORT]`; an IPv6 address with a port is written `[::1]:3493`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostPort {
    pub host: String,
    pub port: u16,
}

/// `NAME@HOST[:PORT]` as upsc takes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NutTarget {
    pub ups: String,
    pub at: HostPort,
}

fn parse_host_port(text: &str, default_port: u16) -> Result<HostPort, String> {
    let bad_port = |p: &str| format!("expected a TCP port from 1 to 65535, not '{p}'");
    let port = |p: &str| match p.parse::<u16>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(bad_port(p)),
    };
    let (host, port) = if let Some(rest) = text.strip_prefix('[') {
        let (host, after) = rest
            .split_once(']')
            .ok_or_else(|| "expected ']' after the IPv6 address".to_string())?;
        if !is_ipv6(host) {
            return Err(format!("expected an IPv6 address inside [ ], not '{host}'"));
        }
        match after {
            "" => (host, default_port),
            _ => match after.strip_prefix(':') {
                Some(p) => (host, port(p)?),
                None => return Err("expected ':PORT' after ']'".to_string()),
            },
        }
    } else if text.matches(':').count() > 1 {
        // Only a bare IPv6 address has several ':'; anything else (`127.0.0.1:1:2`) is a
        // typo, which would otherwise be looked up as a host name and reported unreachable.
        if !is_ipv6(text) {
            return Err(format!(
                "expected HOST:PORT, [IPV6]:PORT or a bare IPv6 address, not '{text}'"
            ));
        }
        (text, default_port)
    } else {
        match text.split_once(':') {
            Some((h, p)) => (h, port(p)?),
            None => (text, default_port),
        }
    };
    if host.is_empty() || host.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("expected a host name or address".to_string());
    }
    Ok(HostPort {
        host: host.to_string(),
        port,
    })
}

/// An IPv6 address, with an optional zone (`fe80::1%eth0`, which the resolver understands).
fn is_ipv6(text: &str) -> bool {
    let (address, zone) = match text.split_once('%') {
        Some((a, z)) => (a, Some(z)),
        None => (text, None),
    };
    address.parse::<std::net::Ipv6Addr>().is_ok()
        && zone.is_none_or(|z| {
            !z.is_empty()
                && z.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        })
}

fn parse_nut_target(text: &str) -> Result<NutTarget, String> {
    let (ups, at) = match text.split_once('@') {
        Some((u, h)) => (u, parse_host_port(h, NUT_PORT)?),
        None => (
            text,
            HostPort {
                host: "localhost".into(),
                port: NUT_PORT,
            },
        ),
    };
    let valid = !ups.is_empty()
        && ups
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if !valid {
        return Err(
            "expected NAME@HOST[:PORT] with a UPS name of letters, digits, '.', '-', '_'"
                .to_string(),
        );
    }
    Ok(NutTarget {
        ups: ups.to_string(),
        at,
    })
}

fn parse_apcupsd_target(text: &str) -> Result<HostPort, String> {
    parse_host_port(text, APCUPSD_PORT)
}

/// The auth file: `username = NAME` and `password = SECRET` lines, `#` comments. Errors never
/// quote a line (it may hold the password).
///
/// ```
/// let c = check_ups::parse_auth("# upsd.users: monuser\nusername = monuser\npassword = s3cr=t\n").unwrap();
/// assert_eq!((c.username.as_str(), c.password.expose()), ("monuser", "s3cr=t"));
/// ```
pub fn parse_auth(text: &str) -> Result<Credentials, ParseError> {
    let mut username = None;
    let mut password = None;
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let expected = || {
            ParseError::whole(format!(
                "line {}: expected 'username = NAME' or 'password = SECRET'",
                index + 1
            ))
        };
        let (key, value) = line.split_once('=').ok_or_else(expected)?;
        let value = value.trim().to_string();
        match key.trim() {
            "username" => username = Some(value),
            "password" => password = Some(value),
            _ => return Err(expected()),
        }
    }
    match (username, password) {
        (Some(username), Some(password)) if !username.is_empty() => Ok(Credentials {
            username,
            password: Secret::new(password),
        }),
        _ => Err(ParseError::whole(
            "expected both 'username = NAME' and 'password = SECRET'",
        )),
    }
}

pub fn check(opts: &Options, ctx: &Context) -> Result<Report, CheckError> {
    let mut upses = if ctx.inputs_given() {
        if !opts.ups.is_empty() || !opts.apcupsd.is_empty() {
            return Err(CheckError::usage(
                "--input evaluates saved output only; do not combine it with --ups or --apcupsd",
            ));
        }
        from_inputs(ctx)?
    } else {
        given_once(opts)?;
        if opts.ups.is_empty() && opts.apcupsd.is_empty() {
            return Err(CheckError::usage(
                "nothing to check: give --ups NAME@HOST[:PORT], --apcupsd HOST[:PORT] or --input upsc=FILE / apcaccess=FILE",
            ));
        }
        let credentials = match &opts.auth_file {
            Some(path) => Some(read_auth(path)?),
            None => None,
        };
        ask_daemons(opts, credentials.as_ref(), ctx)
    };
    distinct_names(&mut upses);
    Ok(evaluate::evaluate(&upses, &opts.limits()))
}

/// The auth file (the kit warns when it is open to group or others). It is the user's file,
/// not host state: read as given, never under --root.
fn read_auth(path: &std::path::Path) -> Result<Credentials, CheckError> {
    let read = secret::read_secret_file(path)?;
    let credentials = parse_auth(read.text.expose())
        .map_err(|e| CheckError::Parse(e.in_source(path.display().to_string())))?;
    Ok(credentials)
}

/// The same UPS or daemon given twice is a mistake in the command line (a copy-paste whose
/// second line was meant for another UPS, which is then not checked): refused (UNKNOWN) so it
/// is seen and fixed, rather than quietly judged once. Host names compare without case.
fn given_once(opts: &Options) -> Result<(), CheckError> {
    let twice = |option: &str, shown: String| {
        CheckError::usage(format!("{option} {shown} given twice; give each one once"))
    };
    for (i, t) in opts.ups.iter().enumerate() {
        if opts.ups[..i].iter().any(|o| {
            o.ups == t.ups && o.at.port == t.at.port && o.at.host.eq_ignore_ascii_case(&t.at.host)
        }) {
            return Err(twice(
                "--ups",
                format!("{}@{}", t.ups, net::display_address(&t.at.host, t.at.port)),
            ));
        }
    }
    for (i, t) in opts.apcupsd.iter().enumerate() {
        if opts.apcupsd[..i]
            .iter()
            .any(|o| o.port == t.port && o.host.eq_ignore_ascii_case(&t.host))
        {
            return Err(twice("--apcupsd", net::display_address(&t.host, t.port)));
        }
    }
    Ok(())
}

/// Saved outputs of one kind, each file once (see [`given_once`]), each capped at what a UPS
/// dump can be.
fn saved(ctx: &Context, kind: &str) -> Result<Vec<(String, String)>, CheckError> {
    let inputs = ctx.inputs_capped(kind, net::MAX_ANSWER)?;
    for (i, (shown, _)) in inputs.iter().enumerate() {
        if inputs[..i].iter().any(|(other, _)| other == shown) {
            return Err(CheckError::usage(format!(
                "--input {kind}={shown} given twice; give each file once"
            )));
        }
    }
    Ok(inputs)
}

/// Saved outputs: each file is one UPS, named after the file (or apcupsd's UPSNAME).
fn from_inputs(ctx: &Context) -> Result<Vec<Ups>, CheckError> {
    let mut upses = Vec::new();
    for (shown, text) in saved(ctx, "upsc")? {
        let observation = match upsc::parse(&text) {
            Ok(upsc::Upsc::Vars(vars)) => {
                Observation::Read(Answer::Reading(Reading::from_nut(&vars)))
            }
            Ok(upsc::Upsc::Error(e)) => Observation::Read(Answer::NutError(e)),
            Err(e) => Observation::unreadable(&shown, e.in_source(&shown).to_string()),
        };
        upses.push(Ups {
            name: file_name(&shown),
            origin: shown,
            source: Source::Nut,
            observation,
        });
    }
    for (shown, text) in saved(ctx, "apcaccess")? {
        let (name, observation) = match apcaccess::parse(&text) {
            Ok(status) => (
                status
                    .get("UPSNAME")
                    .filter(|n| !n.is_empty())
                    .map(str::to_string)
                    .unwrap_or_else(|| file_name(&shown)),
                Observation::Read(Answer::Reading(Reading::from_apcupsd(&status))),
            ),
            Err(e) => (
                file_name(&shown),
                Observation::unreadable(&shown, e.in_source(&shown).to_string()),
            ),
        };
        upses.push(Ups {
            name,
            origin: shown,
            source: Source::Apcupsd,
            observation,
        });
    }
    Ok(upses)
}

fn file_name(shown: &str) -> String {
    if shown == "-" {
        return "stdin".into();
    }
    std::path::Path::new(shown)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| shown.to_string())
}

/// Ask every daemon at once, so one that hangs costs the others nothing. Each conversation
/// ends within the kit's I/O budget (a little before the global timeout), so a hung daemon is
/// reported as unreachable (with its address), not as a plugin timeout.
fn ask_daemons(opts: &Options, credentials: Option<&Credentials>, ctx: &Context) -> Vec<Ups> {
    let deadline = Instant::now() + ctx.io_budget();
    std::thread::scope(|scope| {
        let nut: Vec<_> = opts
            .ups
            .iter()
            .map(|t| scope.spawn(move || ask_upsd(t, credentials, deadline)))
            .collect();
        let apc: Vec<_> = opts
            .apcupsd
            .iter()
            .map(|t| scope.spawn(move || ask_apcupsd(t, deadline)))
            .collect();
        nut.into_iter()
            .chain(apc)
            .map(|h| {
                h.join().unwrap_or_else(|_| Ups {
                    name: "?".into(),
                    origin: "?".into(),
                    source: Source::Nut,
                    observation: Observation::unreadable(
                        "?",
                        "internal error while asking a daemon (a bug, please report it)",
                    ),
                })
            })
            .collect()
    })
}

fn ask_upsd(t: &NutTarget, credentials: Option<&Credentials>, deadline: Instant) -> Ups {
    let address = net::display_address(&t.at.host, t.at.port);
    let origin = format!("{}@{address}", t.ups);
    let observation = match net::nut_list_var(&t.at.host, t.at.port, &t.ups, credentials, deadline)
    {
        Ok(nut::ListVar::Vars(vars)) => {
            Observation::Read(Answer::Reading(Reading::from_nut(&vars)))
        }
        Ok(nut::ListVar::Error(e)) => Observation::Read(Answer::NutError(e)),
        Err(e) => failed(e, "upsd", &address),
    };
    Ups {
        name: t.ups.clone(),
        origin,
        source: Source::Nut,
        observation,
    }
}

fn ask_apcupsd(t: &HostPort, deadline: Instant) -> Ups {
    let address = net::display_address(&t.host, t.port);
    let origin = format!("apcupsd {address}");
    let (name, observation) = match net::apcupsd_status(&t.host, t.port, deadline) {
        Ok(text) => match apcaccess::parse(&text) {
            Ok(status) => (
                status
                    .get("UPSNAME")
                    .filter(|n| !n.is_empty())
                    .map(str::to_string)
                    .unwrap_or_else(|| address.clone()),
                Observation::Read(Answer::Reading(Reading::from_apcupsd(&status))),
            ),
            Err(e) => (
                address.clone(),
                Observation::unreadable(
                    format!("apcupsd at {address}"),
                    e.in_source(format!("the answer of apcupsd at {address}"))
                        .to_string(),
                ),
            ),
        },
        Err(e) => (address.clone(), failed(e, "apcupsd", &address)),
    };
    Ups {
        name,
        origin,
        source: Source::Apcupsd,
        observation,
    }
}

/// A conversation that failed, as an acquisition: the kit's messages start with the address,
/// which the source names already.
fn failed(e: NetError, daemon: &str, address: &str) -> Observation {
    let source = format!("{daemon} at {address}");
    match e {
        NetError::Unreachable(why) => {
            let why = why
                .strip_prefix(&format!("{address}: "))
                .unwrap_or(&why)
                .to_string();
            Observation::unreachable(source, why)
        }
        NetError::NotAsked(_) => Observation::not_asked(source),
        NetError::Failed(why) => Observation::unreadable(source, why),
        // It answered, then stopped: up, but not read whole (UNKNOWN, never unreachable).
        cut @ NetError::CutOff { .. } => {
            Observation::unreadable(source, format!("{daemon} at {cut}"))
        }
    }
}

/// Two UPSes of the same name (`ups@hostA`, `ups@hostB`) would share perfdata labels: give
/// those their full origin instead.
fn distinct_names(upses: &mut [Ups]) {
    let names: Vec<String> = upses.iter().map(|u| u.name.clone()).collect();
    for ups in upses.iter_mut() {
        if names.iter().filter(|n| **n == ups.name).count() > 1 {
            ups.name = ups.origin.clone();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse_like_upsc() {
        let t = parse_nut_target("ups1@127.0.0.1:13493").unwrap();
        assert_eq!(
            (t.ups.as_str(), t.at.host.as_str(), t.at.port),
            ("ups1", "127.0.0.1", 13493)
        );
        let t = parse_nut_target("ups2@nas").unwrap();
        assert_eq!((t.at.host.as_str(), t.at.port), ("nas", 3493));
        let t = parse_nut_target("ups").unwrap();
        assert_eq!((t.at.host.as_str(), t.at.port), ("localhost", 3493));
        let t = parse_nut_target("ups@[::1]:4000").unwrap();
        assert_eq!((t.at.host.as_str(), t.at.port), ("::1", 4000));
        let a = parse_apcupsd_target("127.0.0.1").unwrap();
        assert_eq!(a.port, 3551);
        // bare IPv6 addresses take the default port
        for (text, host) in [("ups1@::1", "::1"), ("ups1@fe80::1%eth0", "fe80::1%eth0")] {
            let t = parse_nut_target(text).unwrap();
            assert_eq!((t.at.host.as_str(), t.at.port), (host, 3493), "{text}");
        }
        let t = parse_nut_target("ups1@[::1]:3493").unwrap();
        assert_eq!((t.at.host.as_str(), t.at.port), ("::1", 3493));
        let a = parse_apcupsd_target("[::1]").unwrap();
        assert_eq!((a.host.as_str(), a.port), ("::1", 3551));
        for bad in [
            "@host",
            "u p@host",
            "ups@host:0",
            "ups@host:x",
            "ups@",
            "ups@[::1",
            "a\"b@h",
            // several ':' without brackets that are no IPv6 address: a typo, not a host name
            "ups1@127.0.0.1:1:2",
            "ups1@host:1:2",
            "ups1@[127.0.0.1]:3493",
            "ups1@[host]",
            "ups1@fe80::1%",
        ] {
            assert!(parse_nut_target(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn auth_errors_never_quote_the_secret() {
        let err = parse_auth("username = u\npasword s3cret\n")
            .unwrap_err()
            .to_string();
        assert!(!err.contains("s3cret"), "{err}");
        assert!(err.contains("line 2"), "{err}");
        assert!(parse_auth("username = u\n").is_err());
        let c = parse_auth("username = u\npassword = p\n").unwrap();
        assert!(!format!("{c:?}").contains('p') || !format!("{c:?}").contains("\"p\""));
    }
}
