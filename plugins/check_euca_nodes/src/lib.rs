//! check_euca_nodes: the Node Controllers and the free capacity of each availability zone. NC
//! states come from the CLC's DescribeServices (`node` services, read by the kit's shared
//! parser), capacity from the admin-only `DescribeAvailabilityZones verbose` (free / max per VM
//! type, per zone). Acquire (two signed GETs, or saved answers) -> parse -> evaluate -> report.

pub mod evaluate;
pub mod nodes_text;

use check_euca_clc::{eucadmin, euserv, Signature};
use common::euca::ask::{
    acquired, ask_in_turn, error_report, judge_answer, load_credentials, url_password,
};
use common::euca::availability_zones::{self, Zone};
use common::euca::describe_services::Answer;
use common::euca::model::Service;
use common::euca::query::Signing;
use common::euca::Endpoint;
use common::net::http::{HttpAnswer, HttpClient, HttpOptions};
use common::{secret, Acquisition, CheckError, Context, Plugin, Report};
use evaluate::{Limit, Rules};
use std::path::PathBuf;

/// Largest DescribeServices answer read (over HTTP or saved): the bound check_euca_clc uses,
/// a cloud of 1,000 NCs with an event each is about 2 MiB.
pub const MAX_SERVICES_ANSWER: u64 = check_euca_clc::MAX_ANSWER;

/// Largest DescribeAvailabilityZones answer read: a verbose zone is 20-odd items of about 150
/// bytes (3.5 KB), so 1 MiB is about 300 zones, far beyond any cloud.
pub const MAX_ZONES_ANSWER: u64 = 1024 * 1024;

/// Largest node listing read (`--input nodes=`): 1,000 NCs with 20 instances each is about
/// 500 KB of text.
pub const MAX_NODES_LISTING: usize = 2 * 1024 * 1024;

/// The EC2 API version asked (the one euca2ools 3.x sends; the compute service answers it in
/// 3.4-4.4).
const EC2_VERSION: &str = "2014-06-15";

pub const PLUGIN: Plugin = Plugin {
    name: "check_euca_nodes",
    service: "EUCA NODES",
    version: env!("CARGO_PKG_VERSION"),
    about: "Eucalyptus Node Controllers and free capacity per zone (DescribeServices + DescribeAvailabilityZones verbose)",
    reads_host: false,
    inputs: &["availability-zones", "describe-services", "nodes"],
    synopsis: "\
check_euca_nodes --clc HOST[:PORT]|URL [--compute HOST[:PORT]|URL] [--credentials FILE]
                 [--signature v2|v4] [--ca-file FILE] [--insecure] [--zone NAME]...
                 [--vm-type TYPE] [-w N|N%] [-c N|N%] [--min-nodes N]
                 [--input availability-zones=FILE [--input describe-services=FILE | --input nodes=FILE]] [-t S] [-v]",
    runs_tools: false,
    keeps_state: false,
};

/// The plugin's whole command line, for generated configuration and the suite's checks.
pub fn command() -> clap::Command {
    common::command::<Options>(&PLUGIN)
}

#[derive(Debug, clap::Args)]
pub struct Options {
    /// CLC to ask DescribeServices (NC states): HOST, HOST:PORT (default port 8773) or an
    /// http(s):// URL; repeat it for a CLC pair (3.4-4.1): asked in turn until one answers
    #[arg(long = "clc", value_name = "HOST")]
    pub clc: Vec<String>,
    /// Where to ask DescribeAvailabilityZones: a UFS (4.x, path /services/compute) or, for 3.x,
    /// the CLC's URL with /services/Eucalyptus. Default: the --clc host, /services/compute
    #[arg(long = "compute", value_name = "HOST")]
    pub compute: Option<String>,
    /// eucarc or admin-tools .ini of an admin of the eucalyptus account (capacity is listed
    /// to admins only); without it EC2_ACCESS_KEY/EC2_SECRET_KEY from the environment
    #[arg(long, value_name = "FILE")]
    pub credentials: Option<PathBuf>,
    /// How to sign the requests
    #[arg(long, value_enum, default_value = "v2")]
    pub signature: Signature,
    /// PEM file of a private CA to trust for https:// URLs (besides the system's)
    #[arg(long = "ca-file", value_name = "FILE")]
    pub ca_file: Option<PathBuf>,
    /// Do not verify TLS certificates (not recommended)
    #[arg(long)]
    pub insecure: bool,
    /// Judge this zone, which must be listed and available (repeatable); without --zone every
    /// zone listed is judged
    #[arg(long = "zone", value_name = "NAME")]
    pub zones: Vec<String>,
    /// The VM type whose free count -w/-c judge
    #[arg(long = "vm-type", value_name = "TYPE", default_value = "m1.small")]
    pub vm_type: String,
    /// WARNING when a zone's free instances of --vm-type are under N, or under N percent of max
    #[arg(short = 'w', long = "warning", value_name = "N|N%")]
    pub warning: Option<String>,
    /// CRITICAL when a zone's free instances of --vm-type are under N, or under N percent of max
    #[arg(short = 'c', long = "critical", value_name = "N|N%")]
    pub critical: Option<String>,
    /// CRITICAL when a zone has fewer than N ENABLED NCs
    #[arg(long = "min-nodes", value_name = "N")]
    pub min_nodes: Option<usize>,
}

impl Options {
    fn rules(&self, asked_verbose: bool) -> Result<Rules, CheckError> {
        let limit = |option: &str, v: &Option<String>| {
            v.as_deref()
                .map(|t| Limit::parse(option, t))
                .transpose()
                .map_err(CheckError::usage)
        };
        if self.vm_type.trim().is_empty() {
            return Err(CheckError::usage(
                "--vm-type is empty: give a type such as m1.small",
            ));
        }
        Ok(Rules {
            zones: self.zones.clone(),
            vm_type: self.vm_type.trim().to_string(),
            warning: limit("-w", &self.warning)?,
            critical: limit("-c", &self.critical)?,
            min_nodes: self.min_nodes,
            asked_verbose,
        })
    }
}

/// The check: saved answers (`--input`) or the CLC and compute service over HTTP.
pub fn check(opts: &Options, ctx: &Context) -> Result<Report, CheckError> {
    for value in opts.clc.iter().chain(opts.compute.iter()) {
        if let Some(password) = url_password(value) {
            secret::register(password);
        }
    }
    if ctx.inputs_given() {
        if !opts.clc.is_empty() || opts.compute.is_some() {
            return Err(CheckError::usage(
                "--input evaluates saved answers; give it without --clc or --compute",
            ));
        }
        return check_input(ctx, &opts.rules(false)?);
    }
    let rules = opts.rules(true)?;
    if opts.clc.is_empty() {
        return Err(CheckError::usage(
            "give --clc HOST or --input availability-zones=FILE",
        ));
    }
    let masked = check_euca_clc::masked_clc;
    let endpoint = |option: &str, value: &str, path: &str| {
        Endpoint::parse(value, path).map_err(|e| {
            CheckError::usage(format!(
                "{option} {}",
                e.replace(value.trim(), &masked(value.trim()))
            ))
        })
    };
    let services_ats = opts
        .clc
        .iter()
        .map(|c| endpoint("--clc", c, "/services/Empyrean"))
        .collect::<Result<Vec<_>, _>>()?;
    let zones_ats = match &opts.compute {
        Some(c) => vec![endpoint("--compute", c, "/services/compute")?],
        None => services_ats
            .iter()
            .map(|at| Endpoint {
                path: "/services/compute".into(),
                ..at.clone()
            })
            .collect(),
    };
    let creds = load_credentials(opts.credentials.as_deref())?;
    let client = HttpClient::new(HttpOptions {
        ca_pem: match &opts.ca_file {
            Some(f) => Some(ctx.read_user_file(f)?.into_bytes()),
            None => None,
        },
        insecure: opts.insecure,
        max_body: MAX_SERVICES_ANSWER,
        user_agent: concat!("check_euca_nodes/", env!("CARGO_PKG_VERSION")).into(),
    });
    let signing = |service: &'static str| match opts.signature {
        Signature::V2 => Signing::V2,
        Signature::V4 => Signing::V4 {
            region: "eucalyptus",
            service,
        },
    };
    // Half the I/O budget each: the zones are asked first (they carry the capacity), then the
    // NC states with what is left; each of a CLC pair in turn until one answers.
    ctx.doing(format!(
        "asking DescribeAvailabilityZones at {}",
        zones_ats[0].host_header()
    ));
    let (z, zones) = ask_in_turn(
        &client,
        &zones_ats,
        &[
            ("Action", "DescribeAvailabilityZones"),
            ("Version", EC2_VERSION),
            ("ZoneName.1", "verbose"),
        ],
        &creds,
        signing("ec2"),
        ctx.io_budget() / 2,
        MAX_ZONES_ANSWER,
    );
    ctx.doing(format!(
        "asking DescribeServices at {}",
        services_ats[0].host_header()
    ));
    let (s, services) = ask_in_turn(
        &client,
        &services_ats,
        &[
            ("Action", "DescribeServices"),
            ("Version", "eucalyptus"),
            ("ListAll", "true"),
            ("ShowEvents", "true"),
        ],
        &creds,
        signing("bootstrap"),
        ctx.io_budget(),
        MAX_SERVICES_ANSWER,
    );
    let (zones_at, services_at) = (&zones_ats[z], &services_ats[s]);
    let report = judge_answers(&zones, zones_at, &services, services_at, &rules);
    Ok(report)
}

/// The verdict on the two answers (pure).
pub fn judge_answers(
    zones: &Acquisition<HttpAnswer>,
    zones_at: &Endpoint,
    services: &Acquisition<HttpAnswer>,
    services_at: &Endpoint,
    rules: &Rules,
) -> Report {
    let zones = match read_zones(zones, zones_at) {
        Ok(z) => z,
        Err(report) => return report,
    };
    let services = match read_services(services, services_at) {
        Ok(s) => s,
        Err(report) => return report,
    };
    let mut report = Report::new();
    evaluate::evaluate(&zones, Some(&services), rules, &mut report);
    report.verbose(
        1,
        format!("asked {} and {}", zones_at.url(), services_at.url()),
    );
    report
}

fn read_zones(got: &Acquisition<HttpAnswer>, at: &Endpoint) -> Result<Vec<Zone>, Report> {
    let what = format!("DescribeAvailabilityZones at {}", at.host_header());
    judge_answer(acquired(got, &what)?, &what, &at.url(), |text| {
        Ok(match availability_zones::parse(text)? {
            availability_zones::Answer::Zones(z) => Ok(z),
            availability_zones::Answer::Error { code, message } => Err((code, message)),
        })
    })
}

fn read_services(got: &Acquisition<HttpAnswer>, at: &Endpoint) -> Result<Vec<Service>, Report> {
    let what = format!("DescribeServices at CLC {}", at.host_header());
    judge_answer(acquired(got, &what)?, &what, &at.url(), |text| {
        Ok(match check_euca_clc::parse_answer(text)? {
            Answer::Services(s) => Ok(s),
            Answer::Error { code, message } => Err((code, message)),
        })
    })
}

/// Saved answers: availability zones (XML or euca2ools text), and NC states from a
/// DescribeServices answer (XML, euserv or euca-describe-services text) or a node listing.
fn check_input(ctx: &Context, rules: &Rules) -> Result<Report, CheckError> {
    let Some((zfile, ztext)) = ctx.input_capped("availability-zones", MAX_ZONES_ANSWER as usize)?
    else {
        return Err(CheckError::usage(
            "give --input availability-zones=FILE (with --input describe-services=FILE or nodes=FILE for the NC states)",
        ));
    };
    let zones = if ztext.trim_start().starts_with('<') {
        match availability_zones::parse(&ztext).map_err(|e| e.in_source(&zfile))? {
            availability_zones::Answer::Zones(z) => z,
            availability_zones::Answer::Error { code, message } => {
                return Ok(error_report(
                    &format!("saved answer {zfile}"),
                    &code,
                    &message,
                ))
            }
        }
    } else {
        availability_zones::parse_euca2ools(&ztext).map_err(|e| e.in_source(&zfile))?
    };
    let ds = ctx.input_capped("describe-services", MAX_SERVICES_ANSWER as usize)?;
    let nodes = ctx.input_capped("nodes", MAX_NODES_LISTING)?;
    let services = match (ds, nodes) {
        (Some(_), Some(_)) => {
            return Err(CheckError::usage(
                "give the NC states once: --input describe-services=FILE or --input nodes=FILE",
            ))
        }
        (Some((file, text)), None) => Some(read_saved_services(&file, &text)?),
        (None, Some((file, text))) => {
            Some(Ok(nodes_text::parse(&text).map_err(|e| e.in_source(&file))?))
        }
        (None, None) => None,
    };
    let services = match services {
        Some(Ok(s)) => Some(s),
        Some(Err(report)) => return Ok(report),
        None => None,
    };
    let mut report = Report::new();
    evaluate::evaluate(&zones, services.as_deref(), rules, &mut report);
    if services.is_none() {
        report.verbose(
            0,
            "NC states not judged: give --input describe-services=FILE or --input nodes=FILE",
        );
    }
    report.verbose(1, format!("zones from {zfile}"));
    Ok(report)
}

/// A saved DescribeServices answer in any of its three forms.
fn read_saved_services(file: &str, text: &str) -> Result<Result<Vec<Service>, Report>, CheckError> {
    let start = text.trim_start();
    if start.starts_with('<') {
        return match check_euca_clc::parse_answer(text).map_err(|e| e.in_source(file))? {
            Answer::Services(s) => Ok(Ok(s)),
            Answer::Error { code, message } => Ok(Err(error_report(
                &format!("saved answer {file}"),
                &code,
                &message,
            ))),
        };
    }
    // euca-describe-services separates with tabs; euserv pads with spaces.
    let first = start.lines().next().unwrap_or("");
    let parsed = if first.starts_with("SERVICE\t") {
        eucadmin::parse(text)
    } else {
        euserv::parse(text)
    };
    Ok(Ok(parsed.map_err(|e| e.in_source(file))?))
}
