//! check_euca_clc: the state of every Eucalyptus service, as the Cloud Controller's Empyrean
//! service reports it (`DescribeServices`), in one answer: is the Eucalyptus Core up, are the
//! active/passive pairs (CLC, CC, SC, Walrus) whole, are the active/active services (UFS, NCs)
//! all there. Acquire (HTTP to the CLC, or a saved answer) -> parse -> evaluate -> report.

pub mod credentials;
pub mod describe_services;
pub mod eucadmin;
pub mod euserv;
pub mod evaluate;
pub mod http;
pub mod model;
pub mod sign;

use common::{CheckError, Context, Finding, Perfdata, Plugin, Report, Uom};
use describe_services::Answer;
use evaluate::Rules;
use model::Service;
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub const PLUGIN: Plugin = Plugin {
    name: "check_euca_clc",
    service: "EUCA CLC",
    version: env!("CARGO_PKG_VERSION"),
    about: "State of every Eucalyptus service through the CLC (Empyrean DescribeServices): Eucalyptus Core, HA pairs, UFS, zones, NCs",
    reads_host: false,
    inputs: &["describe-services", "euserv", "euca-describe-services"],
    synopsis: "\
check_euca_clc --clc HOST[:PORT]|URL [--clc ...] [--credentials FILE] [--signature v2|v4]
               [--ca-file FILE] [--insecure] [--require-passive] [--min-ufs N] [--zone NAME]...
               [--min-nodes N] [--type T]... [--exclude-type T]...
               [--input describe-services=FILE | --input euserv=FILE | --input euca-describe-services=FILE] [-t S] [-v]",
    runs_tools: false,
    keeps_state: false,
};

/// The plugin's whole command line (standard options included), for generated configuration,
/// man pages and Icinga 2 CheckCommands.
pub fn command() -> clap::Command {
    common::command::<Options>(&PLUGIN)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Signature {
    /// Signature Version 2, HmacSHA256 (every Eucalyptus 3.4-4.4)
    V2,
    /// Signature Version 4 (Authorization header)
    V4,
}

#[derive(Debug, clap::Args)]
pub struct Options {
    /// CLC to ask: HOST, HOST:PORT (default port 8773) or an http(s):// URL. Repeat for an HA
    /// pair (3.4-4.1): each is asked in turn and the first that answers is used
    #[arg(long = "clc", value_name = "HOST")]
    pub clc: Vec<String>,
    /// eucarc (EC2_ACCESS_KEY/EC2_SECRET_KEY or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) or
    /// admin-tools .ini (key-id/secret-key) of an admin of the eucalyptus account; without it
    /// the same environment variables are used
    #[arg(long, value_name = "FILE")]
    pub credentials: Option<PathBuf>,
    /// How to sign the request
    #[arg(long, value_enum, default_value = "v2")]
    pub signature: Signature,
    /// PEM file of a private CA to trust for https:// CLC URLs (besides the system's)
    #[arg(long = "ca-file", value_name = "FILE")]
    pub ca_file: Option<PathBuf>,
    /// Do not verify the CLC's TLS certificate (not recommended)
    #[arg(long)]
    pub insecure: bool,
    /// WARNING when an active/passive service (CLC, CC, SC, Walrus backend) has no passive peer
    #[arg(long = "require-passive")]
    pub require_passive: bool,
    /// CRITICAL when fewer than N UFS hosts have every service ENABLED
    #[arg(long = "min-ufs", value_name = "N")]
    pub min_ufs: Option<usize>,
    /// A zone that must exist with an ENABLED CC and SC (repeatable)
    #[arg(long = "zone", value_name = "NAME")]
    pub zones: Vec<String>,
    /// CRITICAL when a zone has fewer than N ENABLED NCs
    #[arg(long = "min-nodes", value_name = "N")]
    pub min_nodes: Option<usize>,
    /// Judge only services of this type (repeatable): a type as listed (node, cluster, storage,
    /// user-api ...) or a group: clc, ufs, cc, sc, nc, osg
    #[arg(long = "type", value_name = "TYPE")]
    pub types: Vec<String>,
    /// Do not judge services of this type or group (repeatable)
    #[arg(long = "exclude-type", value_name = "TYPE")]
    pub exclude_types: Vec<String>,
}

impl Options {
    fn rules(&self) -> Rules {
        Rules {
            require_passive: self.require_passive,
            min_ufs: self.min_ufs,
            zones: self.zones.clone(),
            min_nodes: self.min_nodes,
            types: expand_types(&self.types),
            exclude_types: expand_types(&self.exclude_types),
        }
    }
}

/// Service types, with the names admins use for groups of them: `clc` (the CLC and its local
/// backends), `ufs` (user-api and its members), `cc`, `sc`, `nc`, `osg`.
pub fn expand_types(names: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for name in names {
        let group: &[&str] = match name.to_ascii_lowercase().as_str() {
            "clc" => &[
                "eucalyptus",
                "db",
                "autoscalingbackend",
                "cloudwatchbackend",
                "imagingbackend",
                "loadbalancingbackend",
                "notifications",
                "pollednotifications",
            ],
            "ufs" => &[
                "user-api",
                "compute",
                "euare",
                "tokens",
                "autoscaling",
                "cloudwatch",
                "cloudformation",
                "loadbalancing",
                "imaging",
                "objectstorage",
                "simpleworkflow",
                "identity",
                "dns",
            ],
            "cc" => &["cluster"],
            "sc" => &["storage"],
            "nc" => &["node"],
            "osg" => &["objectstorage"],
            _ => &[],
        };
        if group.is_empty() {
            out.push(name.clone());
        } else {
            out.extend(group.iter().map(|t| t.to_string()));
        }
    }
    out
}

/// The check: a saved answer (`--input`) or the CLC over HTTP.
pub fn check(opts: &Options, ctx: &Context) -> Result<Report, CheckError> {
    let rules = opts.rules();
    if ctx.inputs_given() {
        if !opts.clc.is_empty() {
            return Err(CheckError::usage(
                "--input evaluates a saved answer; give it without --clc",
            ));
        }
        return check_input(ctx, &rules);
    }
    if opts.clc.is_empty() {
        return Err(CheckError::usage(
            "give --clc HOST (repeat it for an HA pair) or --input describe-services=FILE",
        ));
    }
    let creds = load_credentials(opts, ctx)?;
    let tls = http::Tls {
        ca_pem: match &opts.ca_file {
            Some(f) => Some(ctx.read_user_file(f)?.into_bytes()),
            None => None,
        },
        insecure: opts.insecure,
    };
    let endpoints = opts
        .clc
        .iter()
        .map(|c| http::endpoint(c))
        .collect::<Result<Vec<_>, _>>()
        .map_err(CheckError::usage)?;
    ask_clcs(&endpoints, &creds, opts.signature, &tls, ctx, &rules)
}

fn check_input(ctx: &Context, rules: &Rules) -> Result<Report, CheckError> {
    let mut given = Vec::new();
    for name in PLUGIN.inputs {
        if let Some((file, text)) = ctx.input(name)? {
            given.push((*name, file, text));
        }
    }
    if given.len() != 1 {
        return Err(CheckError::usage(
            "give one saved answer: --input describe-services=FILE, euserv=FILE or euca-describe-services=FILE",
        ));
    }
    let (name, file, text) = given.remove(0);
    let services = match name {
        "describe-services" => {
            match describe_services::parse(&text).map_err(|e| e.in_source(&file))? {
                Answer::Services(s) => s,
                Answer::Error { code, message } => {
                    return Ok(error_report(
                        &format!("saved answer {file}:"),
                        &code,
                        &message,
                    ))
                }
            }
        }
        "euserv" => euserv::parse(&text).map_err(|e| e.in_source(&file))?,
        _ => eucadmin::parse(&text).map_err(|e| e.in_source(&file))?,
    };
    let mut report = Report::new();
    evaluate::evaluate(&services, rules, &mut report);
    report.verbose(1, format!("source: {name} output saved in {file}"));
    verbose_services(&mut report, &services);
    Ok(report)
}

fn load_credentials(opts: &Options, ctx: &Context) -> Result<credentials::Credentials, CheckError> {
    if let Some(file) = &opts.credentials {
        let path = file.display();
        let text = ctx.read_user_file(file)?;
        return credentials::parse(&text)
            .map_err(|why| CheckError::usage(format!("--credentials {path}: {why}")));
    }
    credentials::from_env(|n| std::env::var(n).ok()).ok_or_else(|| {
        CheckError::usage(
            "no credentials: give --credentials FILE (an eucarc or admin-tools .ini of an admin of the eucalyptus account) or set EC2_ACCESS_KEY and EC2_SECRET_KEY",
        )
    })
}

/// Ask each CLC in turn; the first that answers with services is judged.
fn ask_clcs(
    endpoints: &[reqwest::Url],
    creds: &credentials::Credentials,
    signature: Signature,
    tls: &http::Tls,
    ctx: &Context,
    rules: &Rules,
) -> Result<Report, CheckError> {
    let mut unreachable: Vec<String> = Vec::new();
    let mut not_asked: Vec<String> = Vec::new();
    let mut failed: Vec<(String, Report)> = Vec::new();
    for (i, url) in endpoints.iter().enumerate() {
        let who = http::host_header(url);
        // Share the kit's I/O budget (what is left of -t less a margin) among the CLCs still to
        // ask, so a CLC that hangs ends as "unreachable" before the runner's own timeout.
        // When the fair share is under 0.1 s, the CLC asked first (the primary) gets up to 0.1 s.
        let left = ctx.io_budget();
        let budget =
            (left / (endpoints.len() - i) as u32).max(left.min(Duration::from_millis(100)));
        if budget < Duration::from_millis(10) {
            not_asked.push(who);
            continue;
        }
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let host = http::host_header(url);
        let req = sign::Request {
            method: "GET",
            host: &host,
            path: url.path(),
            params: vec![
                ("Action".into(), "DescribeServices".into()),
                ("Version".into(), "eucalyptus".into()),
                ("ListAll".into(), "true".into()),
                ("ShowEvents".into(), "true".into()),
            ],
        };
        let (query, headers) = match signature {
            Signature::V2 => (
                sign::sigv2_query(&req, &creds.access_key, &creds.secret_key, now),
                Vec::new(),
            ),
            Signature::V4 => (
                sign::canonical_query(&req.params),
                sign::sigv4_headers(
                    &req,
                    &creds.access_key,
                    &creds.secret_key,
                    "eucalyptus",
                    "bootstrap",
                    now,
                ),
            ),
        };
        let mut full = url.clone();
        full.set_query(Some(&query));
        ctx.doing(format!("asking the CLC at {who}"));
        match http::get(full.as_str(), &headers, budget, tls) {
            Err(http::FetchError::Unreachable(why)) => unreachable.push(format!("{who}: {why}")),
            Err(http::FetchError::Failed(why)) => {
                let text = format!("CLC {who}: {why}");
                let mut finding = Finding::unknown(text.clone()).summary(text);
                if why.contains("certificate") {
                    finding = finding.hint(
                        "give --ca-file with the CA that signed the CLC's certificate (--insecure skips the check, not recommended)",
                    );
                }
                let mut report = Report::new();
                report.add(finding);
                failed.push((who.clone(), report));
            }
            Ok(answer) => {
                let source = url.to_string();
                if answer.status != 200 {
                    let (code, message) = match describe_services::parse(&answer.body) {
                        Ok(Answer::Error { code, message }) => (code, message),
                        _ => (answer.status_text.clone(), first_words(&answer.body)),
                    };
                    let code = if code.is_empty() {
                        answer.status_text.clone()
                    } else {
                        code
                    };
                    failed.push((
                        who.clone(),
                        error_report(&format!("CLC {who} answered"), &code, &message),
                    ));
                    continue;
                }
                let services = match describe_services::parse(&answer.body)
                    .map_err(|e| e.in_source(&source))?
                {
                    Answer::Services(s) => s,
                    Answer::Error { code, message } => {
                        failed.push((
                            who.clone(),
                            error_report(&format!("CLC {who} answered"), &code, &message),
                        ));
                        continue;
                    }
                };
                let mut report = Report::new();
                let mut note = format!(
                    "DescribeServices answered by CLC {who} in {:.2} s ({})",
                    answer.elapsed.as_secs_f64(),
                    match signature {
                        Signature::V2 => "SigV2",
                        Signature::V4 => "SigV4",
                    }
                );
                for (w, _) in &failed {
                    note.push_str(&format!("; {w} failed first"));
                }
                for u in &unreachable {
                    note.push_str(&format!("; {u}"));
                }
                for w in &not_asked {
                    note.push_str(&format!("; {w} not asked (no time left)"));
                }
                report.add(Finding::ok(note));
                evaluate::evaluate(&services, rules, &mut report);
                report.perf(
                    Perfdata::new("time", answer.elapsed.as_secs_f64())
                        .uom(Uom::Seconds)
                        .min(0.0),
                );
                report.verbose(1, format!("asked {source}"));
                verbose_services(&mut report, &services);
                return Ok(report);
            }
        }
    }
    if let Some((_, mut report)) = failed.into_iter().next() {
        for u in &unreachable {
            report.verbose(0, format!("CLC {u}"));
        }
        return Ok(report);
    }
    // "CLC unreachable" is a claim about every --clc: only make it when each one was asked.
    if !not_asked.is_empty() {
        let mut parts: Vec<String> = not_asked.iter().map(|w| format!("{w} not asked")).collect();
        parts.extend(unreachable.iter().cloned());
        let text = format!(
            "the timeout (-t) left no time to ask every CLC: {}",
            parts.join("; ")
        );
        let mut report = Report::new();
        report.add(Finding::unknown("").summary(text).hint(
            "raise -t (each CLC needs at least 0.1 s; allow several seconds for a loaded CLC)",
        ));
        return Ok(report);
    }
    let mut report = Report::new();
    report.add(
        Finding::critical(format!("CLC unreachable: {}", unreachable.join("; ")))
            .summary(format!("CLC unreachable ({})", unreachable.join("; ")))
            .hint("check eucalyptus-cloud on the CLC (service eucalyptus-cloud status; EL7: systemctl status eucalyptus-cloud), that the host is up and port 8773 is open to this host"),
    );
    Ok(report)
}

/// An answer that is an error (a 403 and the like): UNKNOWN, since no service state was seen.
fn error_report(what: &str, code: &str, message: &str) -> Report {
    let message = if message.is_empty() {
        "(no message)"
    } else {
        message
    };
    let hint = if message.contains("in the future") || message.contains("expired") {
        "the clocks of this host and the CLC differ by more than bootstrap.webservices.clock_skew_sec (20 s): check NTP on both (chronyc tracking / ntpq -p)"
    } else if message.contains("Signature") || code.starts_with("403") {
        "check the access key and secret key in --credentials (an admin of the eucalyptus account) and --signature"
    } else {
        "read /var/log/eucalyptus/cloud-output.log on the CLC"
    };
    let mut report = Report::new();
    report.add(
        Finding::unknown(format!("{what} {code}: {message}"))
            .summary(format!("{what} {code}: {message}"))
            .hint(hint),
    );
    report
}

fn first_words(body: &str) -> String {
    let line = body.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut cut: String = line.chars().take(120).collect();
    if line.chars().count() > 120 {
        cut.push_str("...");
    }
    cut
}

/// -vv: every service as listed.
fn verbose_services(report: &mut Report, services: &[Service]) {
    for s in services {
        report.verbose(
            2,
            format!(
                "{} {} {} {}{}",
                s.kind,
                s.partition,
                s.label(),
                s.state,
                s.cause().map(|c| format!(" ({c})")).unwrap_or_default()
            ),
        );
    }
}
