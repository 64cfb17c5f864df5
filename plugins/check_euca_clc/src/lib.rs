//! check_euca_clc: the state of every Eucalyptus service, as the Cloud Controller's Empyrean
//! service reports it (`DescribeServices`), in one answer: is the Eucalyptus Core up, are the
//! active/passive pairs (CLC, CC, SC, Walrus) whole, are the active/active services (UFS, NCs)
//! all there. Acquire (HTTP to the CLC, or a saved answer) -> parse -> evaluate -> report.

pub mod eucadmin;
pub mod euserv;
pub mod evaluate;

// The Eucalyptus API client lives in the kit (feature `euca`), shared with the next
// check_euca_* plugins; re-exported under the names this crate always had.
pub use common::euca::{credentials, describe_services, model, sign};

use common::euca::Endpoint;
use common::net::http::{HttpClient, HttpError, HttpOptions};
use common::{secret, Acquisition, CheckError, Context, Finding, Perfdata, Plugin, Report, Uom};
use describe_services::Answer;
use evaluate::Rules;
use model::Service;
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Largest DescribeServices answer read: a cloud of 1,000 NCs with a status event each answers
/// about 2 MiB; twice that leaves room and keeps peak memory (body, text, XML tree) far under
/// 64 MiB. A bigger answer is UNKNOWN, never judged cut.
pub const MAX_ANSWER: u64 = 4 * 1024 * 1024;

/// Largest saved answer read (`--input`), per source: what the source can be for a big cloud,
/// with room, and small enough that peak memory stays under 64 MiB on hostile input (measured
/// on the release build, bench note in plugins/check_euca_clc/README.md).
/// * `describe-services`: the XML answer, the same bound as over HTTP ([`MAX_ANSWER`]).
/// * `euserv`: a line is about 100 bytes (250 with `--expert`), so 1 MiB is 4,000-10,000
///   services, several times a cloud of 1,000 NCs; at 4 MiB a hostile file of 150,000 one-word
///   lines made a model of 66-108 MB.
/// * `euca-describe-services`: lines of about 150 bytes plus four lines per event (`-E`): 2 MiB.
pub fn saved_answer_cap(source: &str) -> usize {
    match source {
        "euserv" => 1024 * 1024,
        "euca-describe-services" => 2 * 1024 * 1024,
        _ => MAX_ANSWER as usize,
    }
}

/// Most XML tags read in a DescribeServices answer: a service is about 40 (its elements opened
/// and closed), so this is 10,000 services, more than [`MAX_ANSWER`] holds of real ones. Checked
/// before the XML tree is built: 4 MiB of `<a/>` would be a million elements (80 MB of tree).
pub const MAX_XML_TAGS: usize = 400_000;

/// [`describe_services::parse`] behind the tag count guard.
pub fn parse_answer(text: &str) -> Result<Answer, common::ParseError> {
    describe_services::refuse_oversized(text, MAX_XML_TAGS)?;
    describe_services::parse(text)
}

/// The Empyrean service's path on every CLC.
const EMPYREAN: &str = "/services/Empyrean";

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
    fn rules(&self) -> Result<Rules, CheckError> {
        let types = self
            .types
            .iter()
            .map(|t| Ok((t.clone(), expand_type("--type", t)?)))
            .collect::<Result<Vec<_>, CheckError>>()?;
        let exclude_types = self
            .exclude_types
            .iter()
            .map(|t| expand_type("--exclude-type", t))
            .collect::<Result<Vec<_>, CheckError>>()?;
        Ok(Rules {
            require_passive: self.require_passive,
            min_ufs: self.min_ufs,
            zones: self.zones.clone(),
            min_nodes: self.min_nodes,
            types: types.iter().flat_map(|(_, k)| k.iter().cloned()).collect(),
            exclude_types: exclude_types.into_iter().flatten().collect(),
            type_args: types,
        })
    }
}

/// The groups `--type`/`--exclude-type` accept besides a type as listed.
pub const TYPE_GROUPS: &str = "clc, ufs, cc, sc, nc, osg";

/// One `--type` value as the types it stands for. A group is matched in any case; a type must
/// be written as the CLC lists it (lower case letters, digits and `-`): `Node` or an empty
/// value would match nothing and turn an outage green, so they are a usage error.
pub fn expand_type(option: &str, name: &str) -> Result<Vec<String>, CheckError> {
    if let Some(types) = group(name) {
        return Ok(types);
    }
    let as_listed = name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !as_listed {
        let lower = name.to_ascii_lowercase();
        let like = if !lower.is_empty() && lower != name {
            format!(" (did you mean {lower}?)")
        } else {
            String::new()
        };
        return Err(CheckError::usage(format!(
            "{option} '{name}'{like}: give a group ({TYPE_GROUPS}) or a service type as the CLC lists it, in lower case (node, cluster, storage, user-api ...)"
        )));
    }
    Ok(vec![name.to_string()])
}

/// The types of a group name (any case), None when it is not one: `clc` (the CLC and its local
/// backends), `ufs` (user-api and its members), `cc`, `sc`, `nc`, `osg`.
fn group(name: &str) -> Option<Vec<String>> {
    let types: &[&str] = match name.to_ascii_lowercase().as_str() {
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
        _ => return None,
    };
    Some(types.iter().map(|t| t.to_string()).collect())
}

/// A `--clc` value with the password of its user info masked (`http://admin:***@host/`), for
/// every message that quotes it: an admin may paste a URL with credentials in it.
pub fn masked_clc(value: &str) -> String {
    let (scheme, rest) = match value.split_once("://") {
        Some((scheme, rest)) => (format!("{scheme}://"), rest),
        None => (String::new(), value),
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split_once(':').map_or(userinfo, |(u, _)| u);
            format!("{scheme}{user}:***@{host}{tail}")
        }
        None => value.to_string(),
    }
}

/// The password in a `--clc` URL's user info, when there is one.
fn clc_password(value: &str) -> Option<&str> {
    let rest = value.split_once("://").map_or(value, |(_, r)| r);
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    let (userinfo, _) = authority.rsplit_once('@')?;
    userinfo
        .split_once(':')
        .map(|(_, p)| p)
        .filter(|p| !p.is_empty())
}

/// The check: a saved answer (`--input`) or the CLC over HTTP.
pub fn check(opts: &Options, ctx: &Context) -> Result<Report, CheckError> {
    // Before anything can fail and quote a --clc: its password is never printed, whatever
    // message would carry it.
    for c in &opts.clc {
        if let Some(password) = clc_password(c) {
            secret::register(password);
        }
    }
    let rules = opts.rules()?;
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
    let creds = load_credentials(opts)?;
    let endpoints = opts
        .clc
        .iter()
        .map(|c| {
            Endpoint::parse(c, EMPYREAN)
                .map_err(|e| format!("--clc {}", e.replace(c.trim(), &masked_clc(c.trim()))))
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(CheckError::usage)?;
    let client = HttpClient::new(HttpOptions {
        ca_pem: match &opts.ca_file {
            Some(f) => Some(ctx.read_user_file(f)?.into_bytes()),
            None => None,
        },
        insecure: opts.insecure,
        max_body: MAX_ANSWER,
        user_agent: concat!("check_euca_clc/", env!("CARGO_PKG_VERSION")).into(),
    });
    let asked = ask_clcs(&client, &endpoints, &creds, opts.signature, ctx);
    let mut report = judge(&asked, opts.signature, &rules);
    // One line per service only when -vv shows it: formatting 45 lines nobody reads was a tenth
    // of the check's instructions. The services are those judge() judged: the first answer.
    if ctx.verbosity() >= 2 {
        let judged = asked.iter().find_map(|a| match &a.got {
            Acquisition::Read(ClcAnswer::Services { services, .. }) => Some(services),
            _ => None,
        });
        if let Some(services) = judged {
            verbose_services(&mut report, services);
        }
    }
    Ok(report)
}

fn check_input(ctx: &Context, rules: &Rules) -> Result<Report, CheckError> {
    let mut given = Vec::new();
    for name in PLUGIN.inputs {
        if let Some((file, text)) = ctx.input_capped(name, saved_answer_cap(name))? {
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
        "describe-services" => match parse_answer(&text).map_err(|e| e.in_source(&file))? {
            Answer::Services(s) => s,
            Answer::Error { code, message } => {
                return Ok(error_report(
                    &format!("saved answer {file}:"),
                    &code,
                    &message,
                ))
            }
        },
        "euserv" => euserv::parse(&text).map_err(|e| e.in_source(&file))?,
        _ => eucadmin::parse(&text).map_err(|e| e.in_source(&file))?,
    };
    let mut report = Report::new();
    evaluate::evaluate(&services, rules, &mut report);
    report.verbose(1, format!("source: {name} output saved in {file}"));
    if ctx.verbosity() >= 2 {
        verbose_services(&mut report, &services);
    }
    Ok(report)
}

/// The credentials (the kit warns when their file is open to group or others).
fn load_credentials(opts: &Options) -> Result<credentials::Credentials, CheckError> {
    if let Some(file) = &opts.credentials {
        let path = file.display();
        let read = secret::read_secret_file(file)?;
        let creds = credentials::parse(read.text.expose())
            .map_err(|why| CheckError::usage(format!("--credentials {path}: {why}")))?;
        return Ok(creds);
    }
    let creds = credentials::from_env(|n| std::env::var(n).ok()).ok_or_else(|| {
        CheckError::usage(
            "no credentials: give --credentials FILE (an eucarc or admin-tools .ini of an admin of the eucalyptus account) or set EC2_ACCESS_KEY and EC2_SECRET_KEY",
        )
    })?;
    Ok(creds)
}

/// What one CLC answered, when it answered.
#[derive(Debug, Clone, PartialEq)]
pub enum ClcAnswer {
    /// DescribeServices, and how long the exchange took.
    Services {
        services: Vec<Service>,
        elapsed: Duration,
    },
    /// An error status or an error document instead (`403 Forbidden: Signature ...`).
    Error { code: String, message: String },
}

/// What asking one `--clc` gave.
#[derive(Debug, Clone, PartialEq)]
pub struct Asked {
    /// `host:port` as the Host header carries it.
    pub who: String,
    /// The endpoint's URL, without the (signed) query.
    pub url: String,
    pub got: Acquisition<ClcAnswer>,
}

/// Ask each CLC in turn until one answers with services. Only I/O and signing here: what the
/// answers mean is [`judge`]'s.
pub fn ask_clcs(
    client: &HttpClient,
    endpoints: &[Endpoint],
    creds: &credentials::Credentials,
    signature: Signature,
    ctx: &Context,
) -> Vec<Asked> {
    let mut asked = Vec::new();
    for (i, endpoint) in endpoints.iter().enumerate() {
        let who = endpoint.host_header();
        let url = endpoint.url();
        // Share the kit's I/O budget (what is left of -t less a margin) among the CLCs still to
        // ask, so a CLC that hangs ends as "unreachable" before the runner's own timeout.
        // When the fair share is under 0.1 s, the CLC asked first (the primary) gets up to 0.1 s.
        let left = ctx.io_budget();
        let budget =
            (left / (endpoints.len() - i) as u32).max(left.min(Duration::from_millis(100)));
        if budget < Duration::from_millis(10) {
            asked.push(Asked {
                got: Acquisition::not_asked(format!("CLC {who}")),
                who,
                url,
            });
            continue;
        }
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let req = sign::Request {
            method: "GET",
            host: &who,
            path: &endpoint.path,
            params: vec![
                ("Action".into(), "DescribeServices".into()),
                ("Version".into(), "eucalyptus".into()),
                ("ListAll".into(), "true".into()),
                ("ShowEvents".into(), "true".into()),
            ],
        };
        let (query, headers) = match signature {
            // The signing functions register the signatures with the kit's scrubber.
            Signature::V2 => (
                sign::sigv2(&req, &creds.access_key, creds.secret_key.expose(), now).query,
                Vec::new(),
            ),
            Signature::V4 => (
                sign::canonical_query(&req.params),
                sign::sigv4_headers(
                    &req,
                    &creds.access_key,
                    creds.secret_key.expose(),
                    "eucalyptus",
                    "bootstrap",
                    now,
                ),
            ),
        };
        ctx.doing(format!("asking the CLC at {who}"));
        let got = match client.get(&endpoint.url_with_query(&query), &headers, budget) {
            Err(HttpError::Unreachable(why)) => Acquisition::unreachable(who.clone(), why),
            Err(HttpError::Failed(why)) => Acquisition::unreadable(who.clone(), why),
            Err(HttpError::NotAsked) => Acquisition::not_asked(format!("CLC {who}")),
            Ok(answer) => read_answer(&answer, &url, &who),
        };
        let done = matches!(got, Acquisition::Read(ClcAnswer::Services { .. }));
        asked.push(Asked { who, url, got });
        if done {
            break;
        }
    }
    asked
}

/// An HTTP answer as what the CLC said: services, an error, or unreadable.
fn read_answer(
    answer: &common::net::http::HttpAnswer,
    url: &str,
    who: &str,
) -> Acquisition<ClcAnswer> {
    if answer.status != 200 {
        let (code, message) = match parse_answer(&answer.body) {
            Ok(Answer::Error { code, message }) => (code, message),
            _ => (answer.status_text.clone(), first_words(&answer.body)),
        };
        let code = if code.is_empty() {
            answer.status_text.clone()
        } else {
            code
        };
        return Acquisition::Read(ClcAnswer::Error { code, message });
    }
    match parse_answer(&answer.body) {
        Ok(Answer::Services(services)) => Acquisition::Read(ClcAnswer::Services {
            services,
            elapsed: answer.elapsed,
        }),
        Ok(Answer::Error { code, message }) => {
            Acquisition::Read(ClcAnswer::Error { code, message })
        }
        Err(e) => Acquisition::unreadable(who, e.in_source(url).to_string()),
    }
}

/// The verdict on what the CLCs gave (pure): the first that answered with services is judged;
/// else the first that answered wrongly; else "not asked" (UNKNOWN) when any was not asked,
/// since "CLC unreachable" is a claim about every --clc; else CLC unreachable (CRITICAL).
pub fn judge(asked: &[Asked], signature: Signature, rules: &Rules) -> Report {
    let unreachable: Vec<String> = asked
        .iter()
        .filter_map(|a| match &a.got {
            Acquisition::Unreachable { source, why } => Some(format!("{source}: {why}")),
            _ => None,
        })
        .collect();
    let not_asked: Vec<&str> = asked
        .iter()
        .filter(|a| matches!(a.got, Acquisition::NotAsked { .. }))
        .map(|a| a.who.as_str())
        .collect();
    let failed: Vec<(&str, Report)> = asked
        .iter()
        .filter_map(|a| failure_report(a).map(|r| (a.who.as_str(), r)))
        .collect();
    if let Some(a) = asked.iter().find(|a| a.got.read().is_some_and(is_services)) {
        if let Acquisition::Read(ClcAnswer::Services { services, elapsed }) = &a.got {
            let mut note = format!(
                "DescribeServices answered by CLC {} in {:.2} s ({})",
                a.who,
                elapsed.as_secs_f64(),
                match signature {
                    Signature::V2 => "SigV2",
                    Signature::V4 => "SigV4",
                }
            );
            // The CLCs that failed before it have their own WARNING (a lost partner) below.
            for w in &not_asked {
                note.push_str(&format!("; {w} not asked (no time left)"));
            }
            let mut report = Report::new();
            report.add(Finding::ok(note));
            // A CLC asked before the one that answered and that did not answer (down, too slow
            // for its share of -t, or answering wrongly) is the HA partner lost: the cloud is
            // judged through the other, but the pair has no failover left.
            for earlier in asked.iter().take_while(|e| !std::ptr::eq(*e, a)) {
                if let Some(why) = partner_lost(earlier) {
                    report.add(
                        Finding::warning(format!(
                            "HA partner CLC {} lost ({why}); DescribeServices answered by CLC {}",
                            earlier.who, a.who
                        ))
                        .summary(format!(
                            "HA partner CLC {} not answering ({why})",
                            earlier.who
                        ))
                        .hint(format!(
                            "check eucalyptus-cloud on {} (service eucalyptus-cloud status), that the host is up and port 8773 open to this host; until it is back the CLC pair has no failover",
                            earlier.who
                        )),
                    );
                }
            }
            evaluate::evaluate(services, rules, &mut report);
            report.perf(
                Perfdata::new("time", elapsed.as_secs_f64())
                    .uom(Uom::Seconds)
                    .min(0.0),
            );
            report.verbose(1, format!("asked {}", a.url));
            return report;
        }
    }
    if let Some((_, mut report)) = failed.into_iter().next() {
        for u in &unreachable {
            report.verbose(0, format!("CLC {u}"));
        }
        return report;
    }
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
        return report;
    }
    // Every CLC was asked and none could be reached: one acquisition for "the CLC", in the
    // suite's words.
    let all = Acquisition::<()>::unreachable("CLC", unreachable.join("; "));
    let mut report = Report::new();
    if let Some(finding) = all.finding() {
        report.add(
            finding
                .hint("check eucalyptus-cloud on the CLC (service eucalyptus-cloud status; EL7: systemctl status eucalyptus-cloud), that the host is up and port 8773 is open to this host"),
        );
    }
    report
}

/// Why an earlier `--clc` counts as a lost partner: it did not answer with services.
fn partner_lost(a: &Asked) -> Option<String> {
    match &a.got {
        Acquisition::Unreachable { why, .. } | Acquisition::Unreadable { why, .. } => {
            Some(why.clone())
        }
        Acquisition::Read(ClcAnswer::Error { code, message }) => {
            Some(format!("answered {code}: {message}"))
        }
        _ => None,
    }
}

fn is_services(a: &ClcAnswer) -> bool {
    matches!(a, ClcAnswer::Services { .. })
}

/// The report for a CLC that answered wrongly (an error, or an exchange that failed).
fn failure_report(a: &Asked) -> Option<Report> {
    match &a.got {
        Acquisition::Read(ClcAnswer::Error { code, message }) => Some(error_report(
            &format!("CLC {} answered", a.who),
            code,
            message,
        )),
        Acquisition::Unreadable { why, .. } => {
            let text = format!("CLC {}: {why}", a.who);
            let mut finding = Finding::unknown(text.clone()).summary(text);
            if why.contains("certificate") || why.contains("CertNotValid") {
                finding = finding.hint(
                    "give --ca-file with the CA that signed the CLC's certificate (--insecure skips the check, not recommended)",
                );
            }
            let mut report = Report::new();
            report.add(finding);
            Some(report)
        }
        _ => None,
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use common::Status;

    fn asked(who: &str, got: Acquisition<ClcAnswer>) -> Asked {
        Asked {
            who: who.into(),
            url: format!("http://{who}/services/Empyrean"),
            got,
        }
    }

    fn summary(r: &Report) -> String {
        r.summary_text()
    }

    #[test]
    fn every_clc_unreachable_is_critical_in_the_suites_words() {
        let r = judge(
            &[
                asked(
                    "a:8773",
                    Acquisition::unreachable("a:8773", "connection refused"),
                ),
                asked(
                    "b:8773",
                    Acquisition::unreachable("b:8773", "no answer within 2.0 s"),
                ),
            ],
            Signature::V2,
            &Rules::default(),
        );
        assert_eq!(r.status(), Status::Critical);
        assert_eq!(
            summary(&r),
            "CLC unreachable (a:8773: connection refused; b:8773: no answer within 2.0 s)"
        );
    }

    #[test]
    fn a_clc_not_asked_makes_it_unknown_never_unreachable() {
        let r = judge(
            &[
                asked(
                    "a:8773",
                    Acquisition::unreachable("a:8773", "connection refused"),
                ),
                asked("b:8773", Acquisition::not_asked("CLC b:8773")),
            ],
            Signature::V2,
            &Rules::default(),
        );
        assert_eq!(r.status(), Status::Unknown);
        assert_eq!(
            summary(&r),
            "the timeout (-t) left no time to ask every CLC: b:8773 not asked; a:8773: connection refused"
        );
    }

    #[test]
    fn the_first_clc_with_services_is_judged_and_earlier_failures_are_noted() {
        let r = judge(
            &[
                asked(
                    "a:8773",
                    Acquisition::Read(ClcAnswer::Error {
                        code: "403 Forbidden".into(),
                        message: "Signature validation failed".into(),
                    }),
                ),
                asked(
                    "b:8773",
                    Acquisition::Read(ClcAnswer::Services {
                        services: Vec::new(),
                        elapsed: Duration::from_millis(120),
                    }),
                ),
            ],
            Signature::V4,
            &Rules::default(),
        );
        let note = &r.findings()[0].detail;
        assert_eq!(
            note,
            "DescribeServices answered by CLC b:8773 in 0.12 s (SigV4)"
        );
        // the CLC that answered wrongly first is the HA partner lost
        assert_eq!(r.findings()[1].status, Status::Warning);
        assert_eq!(
            r.findings()[1].summary.as_deref(),
            Some("HA partner CLC a:8773 not answering (answered 403 Forbidden: Signature validation failed)")
        );
        assert!(r.perfdata().iter().any(|p| p.label == "time"));
    }

    #[test]
    fn a_failed_exchange_is_unknown_with_the_tls_hint_when_it_is_the_certificate() {
        let r = judge(
            &[asked(
                "a:8443",
                Acquisition::unreadable("a:8443", "TLS: invalid peer certificate: UnknownIssuer"),
            )],
            Signature::V2,
            &Rules::default(),
        );
        assert_eq!(r.status(), Status::Unknown);
        assert_eq!(
            summary(&r),
            "CLC a:8443: TLS: invalid peer certificate: UnknownIssuer"
        );
        assert!(r.findings()[0]
            .hint
            .as_deref()
            .is_some_and(|h| h.starts_with("give --ca-file")));
    }
}
