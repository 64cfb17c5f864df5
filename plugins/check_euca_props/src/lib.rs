//! check_euca_props: have the Eucalyptus run-time properties drifted from the backed-up
//! baseline? After a restore the running properties must match the backed-up ones; between
//! backups, a change nobody meant shows here.
//!
//! Acquire (the running listing from `--input properties=FILE`, the baseline from
//! `--baseline FILE`) -> [`listing`] (either format) -> [`evaluate`] -> Report. Asking the CLC
//! itself (DescribeProperties) belongs to the kit's Eucalyptus client and joins at merge.

pub mod evaluate;
pub mod listing;

use common::{CheckError, Context, Plugin, Report};
use std::path::PathBuf;

pub const PLUGIN: Plugin = Plugin {
    name: "check_euca_props",
    service: "EUCA PROPS",
    version: env!("CARGO_PKG_VERSION"),
    about: "Eucalyptus run-time properties against the backed-up baseline: changed, added, removed",
    reads_host: false,
    inputs: &["properties"],
    synopsis:
        "\
check_euca_props --input properties=FILE --baseline FILE [--ignore REGEX]... [--strict] [-t S] [-v]",
    runs_tools: false,
    keeps_state: false,
};

/// Most a listing may be: 700 properties are about 60 KiB; a JSON network configuration a few.
pub const LISTING_CAP: usize = 4 * 1024 * 1024;

pub fn command() -> clap::Command {
    common::command::<Options>(&PLUGIN)
}

#[derive(clap::Args, Debug, Clone)]
pub struct Options {
    /// The backed-up properties (euca-describe-properties or euctl output)
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
    let Some(baseline) = &opts.baseline else {
        return Err(CheckError::usage(
            "give --baseline FILE, the backed-up properties",
        ));
    };
    let Some((shown, running)) = ctx.input_capped("properties", LISTING_CAP)? else {
        return Err(CheckError::usage(
            "give --input properties=FILE (asking the CLC itself is not in this build yet)",
        ));
    };
    let base_shown = baseline.display().to_string();
    let base_text = read_capped(baseline)?;
    let parse = |text: &str, source: &str| {
        listing::parse(text).map_err(|e| {
            let at = e.line.map(|n| format!("line {n}: ")).unwrap_or_default();
            CheckError::Read {
                path: source.to_string(),
                reason: format!("{at}{}", e.message),
            }
        })
    };
    let base = parse(&base_text, &base_shown)?;
    let now = parse(&running, &shown)?;
    let rules = evaluate::Rules {
        ignore: opts.ignore.clone(),
        strict: opts.strict,
    };
    Ok(evaluate::evaluate(
        &evaluate::drift(&base, &now, &rules),
        &rules,
    ))
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
