//! check_euca_props: have the Eucalyptus run-time properties drifted from the backed-up
//! baseline? After a restore the running properties must match the backed-up ones; between
//! backups, a change nobody meant shows here.
//!
//! Acquire (the running properties: DescribeProperties asked of the CLC through the kit's
//! Eucalyptus client, or `--input properties=FILE`; the baseline from `--baseline FILE`) ->
//! [`listing`] (any of the three formats) -> [`evaluate`] -> Report.

pub mod evaluate;
pub mod listing;

use check_euca_clc::{masked_clc, Signature};
use common::euca::ask::{acquired, ask_in_turn, judge_answer, load_credentials, url_password};
use common::euca::query::Signing;
use common::euca::{describe_properties, Endpoint};
use common::net::http::{HttpClient, HttpOptions};
use common::{secret, CheckError, Context, Plugin, Report};
use std::path::PathBuf;

pub const PLUGIN: Plugin = Plugin {
    name: "check_euca_props",
    service: "EUCA PROPS",
    version: env!("CARGO_PKG_VERSION"),
    about: "Eucalyptus run-time properties against the backed-up baseline: changed, added, removed",
    reads_host: false,
    inputs: &["properties"],
    synopsis: "\
check_euca_props --clc HOST[:PORT]|URL [--properties-url URL] [--credentials FILE] [--signature v2|v4]
                 [--ca-file FILE] [--insecure] [--input properties=FILE] --baseline FILE
                 [--ignore REGEX]... [--strict] [-t S] [-v]",
    runs_tools: false,
    keeps_state: false,
};

/// Most a listing may be: 700 properties are about 60 KiB; a JSON network configuration a few.
/// The DescribeProperties answer (with descriptions, about 300 bytes a property) is held to the
/// same bound.
pub const LISTING_CAP: usize = 4 * 1024 * 1024;

pub fn command() -> clap::Command {
    common::command::<Options>(&PLUGIN)
}

#[derive(clap::Args, Debug, Clone)]
pub struct Options {
    /// CLC to ask DescribeProperties (on /services/Properties, 4.2+): HOST, HOST:PORT (default
    /// port 8773) or an http(s):// URL; repeat it for a CLC pair (3.4-4.1): asked in turn until
    /// one answers
    #[arg(long = "clc", value_name = "HOST")]
    pub clc: Vec<String>,
    /// Where to ask DescribeProperties instead (3.x-4.1: http://CLC:8773/services/Empyrean);
    /// repeatable as --clc
    #[arg(long = "properties-url", value_name = "URL")]
    pub properties_url: Vec<String>,
    /// eucarc or admin-tools .ini of an admin of the eucalyptus account (properties are listed
    /// to admins only); without it EC2_ACCESS_KEY/EC2_SECRET_KEY
    #[arg(long, value_name = "FILE")]
    pub credentials: Option<PathBuf>,
    /// How to sign the request
    #[arg(long, value_enum, default_value = "v2")]
    pub signature: Signature,
    /// PEM file of a private CA to trust for https:// URLs (besides the system's)
    #[arg(long = "ca-file", value_name = "FILE")]
    pub ca_file: Option<PathBuf>,
    /// Do not verify TLS certificates (not recommended)
    #[arg(long)]
    pub insecure: bool,
    /// The backed-up properties (euca-describe-properties or euctl output, or a saved
    /// DescribeProperties answer)
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Leave out properties whose name matches (repeatable), e.g. '^cloud\.vmstate\.'
    #[arg(long = "ignore", value_name = "REGEX", value_parser = parse_regex)]
    pub ignore: Vec<regex_lite::Regex>,
    /// Any drift is CRITICAL instead of WARNING
    #[arg(long)]
    pub strict: bool,
}

fn parse_regex(text: &str) -> Result<regex_lite::Regex, String> {
    if text.len() > 1000 {
        return Err("expected a regular expression of at most 1000 characters".into());
    }
    regex_lite::Regex::new(text).map_err(|e| {
        let first = e.to_string();
        let first = first.lines().last().unwrap_or("").trim().to_string();
        format!("expected a regular expression ({first})")
    })
}

pub fn check(opts: &Options, ctx: &Context) -> Result<Report, CheckError> {
    for v in opts.clc.iter().chain(&opts.properties_url) {
        if let Some(p) = url_password(v) {
            secret::register(p);
        }
    }
    let Some(baseline) = &opts.baseline else {
        return Err(CheckError::usage(
            "give --baseline FILE, the backed-up properties",
        ));
    };
    let asks = !opts.clc.is_empty() || !opts.properties_url.is_empty();
    let saved = ctx.input_capped("properties", LISTING_CAP)?;
    if saved.is_some() && asks {
        return Err(CheckError::usage(
            "--input properties=FILE compares a saved listing; give it without --clc or --properties-url",
        ));
    }
    if saved.is_none() && !asks {
        return Err(CheckError::usage(
            "give --clc HOST (ask the CLC) or --input properties=FILE (a saved listing)",
        ));
    }
    // The baseline first: a bad one is UNKNOWN without asking the cloud anything.
    let base_shown = baseline.display().to_string();
    let base = parse_file(&read_capped(baseline)?, &base_shown)?;
    let rules = evaluate::Rules {
        ignore: opts.ignore.clone(),
        strict: opts.strict,
    };
    let judge =
        |now: &listing::Listing| evaluate::evaluate(&evaluate::drift(&base, now, &rules), &rules);
    if let Some((shown, running)) = saved {
        return Ok(judge(&parse_file(&running, &shown)?));
    }
    let ats = properties_endpoints(opts)?;
    let creds = load_credentials(opts.credentials.as_deref())?;
    let client = HttpClient::new(HttpOptions {
        ca_pem: match &opts.ca_file {
            Some(f) => Some(ctx.read_user_file(f)?.into_bytes()),
            None => None,
        },
        insecure: opts.insecure,
        max_body: LISTING_CAP as u64,
        user_agent: concat!("check_euca_props/", env!("CARGO_PKG_VERSION")).into(),
    });
    let signing = match opts.signature {
        Signature::V2 => Signing::V2,
        Signature::V4 => Signing::V4 {
            region: "eucalyptus",
            service: "properties",
        },
    };
    ctx.doing(format!(
        "asking DescribeProperties at {}",
        ats[0].host_header()
    ));
    // No Property.N: every property (each name is a prefix filter, docs: the crate README).
    let params = [("Action", "DescribeProperties"), ("Version", "eucalyptus")];
    let (i, got) = ask_in_turn(
        &client,
        &ats,
        &params,
        &creds,
        signing,
        ctx.io_budget(),
        LISTING_CAP as u64,
    );
    let at = &ats[i];
    let what = format!("DescribeProperties at {}", at.host_header());
    let report = match acquired(&got, &what)
        .and_then(|answer| judge_answer(answer, &what, &at.url(), running_answer))
    {
        Ok(now) => {
            let mut r = judge(&now);
            r.verbose(1, format!("asked {}", at.url()));
            r
        }
        Err(r) => r,
    };
    Ok(report)
}

/// `--properties-url`, else `/services/Properties` on each `--clc` host: in the order given.
fn properties_endpoints(opts: &Options) -> Result<Vec<Endpoint>, CheckError> {
    let endpoint = |option: &str, value: &str| {
        let masked = masked_clc(value.trim());
        Endpoint::parse(value, "/services/Properties").map_err(|e| {
            CheckError::usage(format!("{option} {}", e.replace(value.trim(), &masked)))
        })
    };
    let ats = if opts.properties_url.is_empty() {
        opts.clc.iter().map(|c| endpoint("--clc", c)).collect()
    } else {
        opts.properties_url
            .iter()
            .map(|u| endpoint("--properties-url", u))
            .collect::<Result<Vec<_>, _>>()
    }?;
    if ats.is_empty() {
        return Err(CheckError::usage("give --clc HOST"));
    }
    Ok(ats)
}

/// The CLC's answer: the listing, or its error body's code and message.
fn running_answer(
    text: &str,
) -> Result<Result<listing::Listing, (String, String)>, common::ParseError> {
    Ok(match describe_properties::parse(text)? {
        describe_properties::Answer::Properties(p) => Ok(listing::from_answer(p)?),
        describe_properties::Answer::Error { code, message } => Err((code, message)),
    })
}

/// A listing file (baseline or saved) parsed, or UNKNOWN naming the file and line.
fn parse_file(text: &str, source: &str) -> Result<listing::Listing, CheckError> {
    listing::parse(text).map_err(|e| {
        let at = e.line.map(|n| format!("line {n}: ")).unwrap_or_default();
        CheckError::Read {
            path: source.to_string(),
            reason: format!("{at}{}", e.message),
        }
    })
}

fn read_capped(path: &std::path::Path) -> Result<String, CheckError> {
    use std::io::Read;
    let shown = path.display().to_string();
    let err = |reason: String| CheckError::Read {
        path: shown.clone(),
        reason,
    };
    let f = std::fs::File::open(path).map_err(|e| {
        err(match e.kind() {
            std::io::ErrorKind::NotFound => "no such file".into(),
            std::io::ErrorKind::PermissionDenied => "permission denied".into(),
            _ => e.to_string(),
        })
    })?;
    let mut buf = Vec::new();
    f.take(LISTING_CAP as u64 + 1)
        .read_to_end(&mut buf)
        .map_err(|e| err(e.to_string()))?;
    if buf.len() > LISTING_CAP {
        return Err(err(format!(
            "larger than {} MiB, not read",
            LISTING_CAP / 1024 / 1024
        )));
    }
    String::from_utf8(buf).map_err(|_| err("not text (invalid UTF-8)".into()))
}
