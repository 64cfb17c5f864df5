//! check_euca_workers: the worker VMs Eucalyptus runs in its system accounts, the imaging worker
//! (`(eucalyptus)imaging`) and the ELB VMs (`(eucalyptus)loadbalancing`). Asks admin
//! `DescribeInstances verbose`, the worker image properties, `DescribeImages` for them,
//! `DescribeConversionTasks` and `DescribeServices` (the imagingbackend / loadbalancingbackend
//! states and events, the NC states), all through the kit's Eucalyptus client. Acquire ->
//! parse (one kit parser per answer) -> evaluate -> report.

pub mod evaluate;
pub mod properties_text;

use check_euca_clc::{eucadmin, euserv, Signature};
use common::euca::ask::{
    acquired, ask_in_turn, error_report, judge_answer, load_credentials, url_password,
};
use common::euca::describe_services::Answer as ServicesAnswer;
use common::euca::query::Signing;
use common::euca::{conversion_tasks, describe_images, describe_instances, describe_properties};
use common::euca::{credentials::Credentials, Endpoint};
use common::net::http::{HttpClient, HttpOptions};
use common::{secret, CheckError, Context, ParseError, Plugin, Report};
use evaluate::{Observed, ELB_IMAGE, ELB_PER_ZONE, IMAGING_IMAGE};
use std::path::PathBuf;

/// Largest DescribeInstances answer read: an instance is about 2 KB of XML, so 8 MiB is about
/// 4,000 instances (the kit's tag guard stops at about 3,300).
pub const MAX_INSTANCES_ANSWER: u64 = 8 * 1024 * 1024;
/// Largest answer of the other sources: properties, images, conversion tasks (a few KB each in
/// any cloud), and DescribeServices (check_euca_clc's bound).
pub const MAX_SMALL_ANSWER: u64 = 1024 * 1024;
pub const MAX_SERVICES_ANSWER: u64 = check_euca_clc::MAX_ANSWER;

/// The EC2 API version asked (the one euca2ools 3.x sends).
const EC2_VERSION: &str = "2014-06-15";

pub const PLUGIN: Plugin = Plugin {
    name: "check_euca_workers",
    service: "EUCA WORKERS",
    version: env!("CARGO_PKG_VERSION"),
    about: "Eucalyptus imaging worker and ELB worker VMs: worker images, running workers per ELB, backend services",
    reads_host: false,
    inputs: &[
        "describe-instances",
        "properties",
        "describe-images",
        "conversion-tasks",
        "describe-services",
    ],
    synopsis: "\
check_euca_workers --clc HOST[:PORT]|URL [--compute HOST[:PORT]|URL] [--properties-url URL]
                   [--credentials FILE] [--signature v2|v4] [--ca-file FILE] [--insecure]
                   [--input describe-instances=FILE --input properties=FILE [--input describe-images=FILE]
                    [--input conversion-tasks=FILE] [--input describe-services=FILE]] [-t S] [-v]",
    runs_tools: false,
    keeps_state: false,
};

pub fn command() -> clap::Command {
    common::command::<Options>(&PLUGIN)
}

#[derive(Debug, clap::Args)]
pub struct Options {
    /// CLC to ask DescribeServices (backend and NC states) and, on /services/Properties,
    /// DescribeProperties: HOST, HOST:PORT (default port 8773) or an http(s):// URL; repeat it
    /// for a CLC pair (3.4-4.1): asked in turn until one answers
    #[arg(long = "clc", value_name = "HOST")]
    pub clc: Vec<String>,
    /// Where to ask DescribeInstances, DescribeImages and DescribeConversionTasks: a UFS (4.x,
    /// /services/compute) or the CLC's /services/Eucalyptus URL (3.x). Default: the --clc host
    #[arg(long = "compute", value_name = "HOST")]
    pub compute: Option<String>,
    /// Where to ask DescribeProperties (default: the --clc host, /services/Properties; 3.x-4.1:
    /// http://CLC:8773/services/Empyrean)
    #[arg(long = "properties-url", value_name = "URL")]
    pub properties_url: Option<String>,
    /// eucarc or admin-tools .ini of an admin of the eucalyptus account (every account's
    /// instances are listed to admins only); without it EC2_ACCESS_KEY/EC2_SECRET_KEY
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
}

pub fn check(opts: &Options, ctx: &Context) -> Result<Report, CheckError> {
    for v in opts
        .clc
        .iter()
        .chain([&opts.compute, &opts.properties_url].into_iter().flatten())
    {
        if let Some(p) = url_password(v) {
            secret::register(p);
        }
    }
    if ctx.inputs_given() {
        if !opts.clc.is_empty() || opts.compute.is_some() || opts.properties_url.is_some() {
            return Err(CheckError::usage(
                "--input evaluates saved answers; give it without --clc, --compute or --properties-url",
            ));
        }
        return check_input(ctx);
    }
    if opts.clc.is_empty() {
        return Err(CheckError::usage(
            "give --clc HOST or --input describe-instances=FILE --input properties=FILE",
        ));
    }
    let endpoint = |option: &str, value: &str, path: &str| {
        let masked = check_euca_clc::masked_clc(value.trim());
        Endpoint::parse(value, path).map_err(|e| {
            CheckError::usage(format!("{option} {}", e.replace(value.trim(), &masked)))
        })
    };
    // Each CLC of a pair in turn; --compute and --properties-url name one place.
    let services_at = opts
        .clc
        .iter()
        .map(|c| endpoint("--clc", c, "/services/Empyrean"))
        .collect::<Result<Vec<_>, _>>()?;
    let on_clc = |path: &str| -> Vec<Endpoint> {
        services_at
            .iter()
            .map(|at| Endpoint {
                path: path.into(),
                ..at.clone()
            })
            .collect()
    };
    let compute_at = match &opts.compute {
        Some(c) => vec![endpoint("--compute", c, "/services/compute")?],
        None => on_clc("/services/compute"),
    };
    let properties_at = match &opts.properties_url {
        Some(p) => vec![endpoint("--properties-url", p, "/services/Properties")?],
        None => on_clc("/services/Properties"),
    };
    let creds = load_credentials(opts.credentials.as_deref())?;
    let client = HttpClient::new(HttpOptions {
        ca_pem: match &opts.ca_file {
            Some(f) => Some(ctx.read_user_file(f)?.into_bytes()),
            None => None,
        },
        insecure: opts.insecure,
        max_body: MAX_INSTANCES_ANSWER,
        user_agent: concat!("check_euca_workers/", env!("CARGO_PKG_VERSION")).into(),
    });
    let asker = Asker {
        client: &client,
        creds: &creds,
        signature: opts.signature,
        ctx,
    };
    let report = match gather(&asker, &compute_at, &properties_at, &services_at) {
        Ok(observed) => {
            let mut r = Report::new();
            evaluate::evaluate(&observed, &mut r);
            r.verbose(
                1,
                format!(
                    "asked {}, {} and {}",
                    compute_at[0].url(),
                    properties_at[0].url(),
                    services_at[0].url()
                ),
            );
            r
        }
        Err(r) => r,
    };
    Ok(report)
}

struct Asker<'a> {
    client: &'a HttpClient,
    creds: &'a Credentials,
    signature: Signature,
    ctx: &'a Context,
}

impl Asker<'_> {
    /// One action, its answer parsed by `parse` (Ok(Err((code, message))) for an error body).
    /// `left`: how many asks remain including this one, to share the time budget. `ats`: where
    /// to ask, in turn until one answers (the CLCs of a pair).
    #[allow(clippy::too_many_arguments)]
    fn get<T>(
        &self,
        ats: &[Endpoint],
        what: &str,
        params: &[(&str, &str)],
        service: &'static str,
        cap: u64,
        left: u32,
        parse: impl Fn(&str) -> Result<Result<T, (String, String)>, ParseError>,
    ) -> Result<T, Report> {
        let signing = match self.signature {
            Signature::V2 => Signing::V2,
            Signature::V4 => Signing::V4 {
                region: "eucalyptus",
                service,
            },
        };
        self.ctx
            .doing(format!("asking {what} at {}", ats[0].host_header()));
        let budget = self.ctx.io_budget() / left.max(1);
        let (i, got) = ask_in_turn(self.client, ats, params, self.creds, signing, budget, cap);
        let at = &ats[i];
        let what = format!("{what} at {}", at.host_header());
        let answer = acquired(&got, &what)?;
        judge_answer(answer, &what, &at.url(), parse)
    }
}

/// Every source over HTTP, in turn; the first that fails gives the report.
fn gather(
    a: &Asker,
    compute_at: &[Endpoint],
    properties_at: &[Endpoint],
    services_at: &[Endpoint],
) -> Result<Observed, Report> {
    let instances = a.get(
        compute_at,
        "DescribeInstances",
        &[
            ("Action", "DescribeInstances"),
            ("Version", EC2_VERSION),
            ("InstanceId.1", "verbose"),
        ],
        "ec2",
        MAX_INSTANCES_ANSWER,
        // Half the budget: DescribeInstances verbose lists every instance of every account
        // and is by far the slowest answer; a fifth of it called a busy CLC unreachable.
        2,
        instances_answer,
    )?;
    let properties = a.get(
        properties_at,
        "DescribeProperties",
        &[
            ("Action", "DescribeProperties"),
            ("Version", "eucalyptus"),
            ("Property.1", IMAGING_IMAGE),
            ("Property.2", ELB_IMAGE),
            ("Property.3", ELB_PER_ZONE),
        ],
        "properties",
        MAX_SMALL_ANSWER,
        4,
        properties_answer,
    )?;
    // The images the properties name (an unset property names none).
    let ids: Vec<String> = properties
        .iter()
        .filter(|(n, v)| (n == IMAGING_IMAGE || n == ELB_IMAGE) && !v.is_empty() && v != "NULL")
        .map(|(_, v)| v.clone())
        .collect();
    let images = if ids.is_empty() {
        Some(Vec::new())
    } else {
        let keys: Vec<String> = (1..=ids.len()).map(|i| format!("ImageId.{i}")).collect();
        let mut params = vec![("Action", "DescribeImages"), ("Version", EC2_VERSION)];
        params.extend(
            keys.iter()
                .map(String::as_str)
                .zip(ids.iter().map(String::as_str)),
        );
        Some(a.get(
            compute_at,
            "DescribeImages",
            &params,
            "ec2",
            MAX_SMALL_ANSWER,
            3,
            images_answer,
        )?)
    };
    let tasks = a.get(
        compute_at,
        "DescribeConversionTasks",
        &[
            ("Action", "DescribeConversionTasks"),
            ("Version", EC2_VERSION),
        ],
        "ec2",
        MAX_SMALL_ANSWER,
        2,
        tasks_answer,
    )?;
    let services = a.get(
        services_at,
        "DescribeServices at CLC",
        &[
            ("Action", "DescribeServices"),
            ("Version", "eucalyptus"),
            ("ListAll", "true"),
            ("ShowEvents", "true"),
        ],
        "bootstrap",
        MAX_SERVICES_ANSWER,
        1,
        services_answer,
    )?;
    Ok(Observed {
        instances,
        properties,
        services: Some(services),
        images,
        tasks: Some(tasks),
    })
}

type Parsed<T> = Result<Result<T, (String, String)>, ParseError>;

fn instances_answer(text: &str) -> Parsed<Vec<describe_instances::Instance>> {
    Ok(match describe_instances::parse(text)? {
        describe_instances::Answer::Instances(i) => Ok(i),
        describe_instances::Answer::Error { code, message } => Err((code, message)),
    })
}

fn properties_answer(text: &str) -> Parsed<Vec<(String, String)>> {
    Ok(match describe_properties::parse(text)? {
        describe_properties::Answer::Properties(p) => Ok(p),
        describe_properties::Answer::Error { code, message } => Err((code, message)),
    })
}

/// An asked image id that does not exist may come back as `InvalidAMIID.NotFound`: that is an
/// answer ("no such image"), not a failure.
fn images_answer(text: &str) -> Parsed<Vec<describe_images::Image>> {
    Ok(match describe_images::parse(text)? {
        describe_images::Answer::Images(i) => Ok(i),
        describe_images::Answer::Error { code, .. } if code.contains("NotFound") => Ok(Vec::new()),
        describe_images::Answer::Error { code, message } => Err((code, message)),
    })
}

fn tasks_answer(text: &str) -> Parsed<Vec<conversion_tasks::Task>> {
    Ok(match conversion_tasks::parse(text)? {
        conversion_tasks::Answer::Tasks(t) => Ok(t),
        conversion_tasks::Answer::Error { code, message } => Err((code, message)),
    })
}

fn services_answer(text: &str) -> Parsed<Vec<common::euca::model::Service>> {
    Ok(match check_euca_clc::parse_answer(text)? {
        ServicesAnswer::Services(s) => Ok(s),
        ServicesAnswer::Error { code, message } => Err((code, message)),
    })
}

/// A saved answer: parsed, or its error body as the report.
fn saved<T>(
    ctx: &Context,
    name: &str,
    cap: u64,
    parse: impl Fn(&str) -> Parsed<T>,
) -> Result<Option<Result<T, Report>>, CheckError> {
    let Some((file, text)) = ctx.input_capped(name, cap as usize)? else {
        return Ok(None);
    };
    Ok(Some(
        match parse(&text).map_err(|e| e.in_source(&file))? {
            Ok(t) => Ok(t),
            Err((code, message)) => Err(error_report(
                &format!("saved answer {file}"),
                &code,
                &message,
            )),
        },
    ))
}

fn check_input(ctx: &Context) -> Result<Report, CheckError> {
    let need = || {
        CheckError::usage(
            "give --input describe-instances=FILE and --input properties=FILE (describe-images, conversion-tasks and describe-services are optional)",
        )
    };
    let instances = saved(
        ctx,
        "describe-instances",
        MAX_INSTANCES_ANSWER,
        instances_answer,
    )?;
    let properties = saved(ctx, "properties", MAX_SMALL_ANSWER, |t| {
        if t.trim_start().starts_with('<') {
            properties_answer(t)
        } else {
            properties_text::parse(t).map(Ok)
        }
    })?;
    let images = saved(ctx, "describe-images", MAX_SMALL_ANSWER, images_answer)?;
    let tasks = saved(ctx, "conversion-tasks", MAX_SMALL_ANSWER, tasks_answer)?;
    let services = saved(ctx, "describe-services", MAX_SERVICES_ANSWER, |t| {
        if t.trim_start().starts_with('<') {
            services_answer(t)
        } else if t.trim_start().starts_with("SERVICE\t") {
            eucadmin::parse(t).map(Ok)
        } else {
            euserv::parse(t).map(Ok)
        }
    })?;
    macro_rules! take {
        ($v:expr) => {
            match $v {
                Some(Ok(t)) => Some(t),
                Some(Err(report)) => return Ok(report),
                None => None,
            }
        };
    }
    let instances = take!(instances).ok_or_else(need)?;
    let properties = take!(properties).ok_or_else(need)?;
    let observed = Observed {
        instances,
        properties,
        images: take!(images),
        tasks: take!(tasks),
        services: take!(services),
    };
    let mut report = Report::new();
    evaluate::evaluate(&observed, &mut report);
    for (given, what) in [
        (
            observed.images.is_some(),
            "worker images not looked up: give --input describe-images=FILE",
        ),
        (
            observed.tasks.is_some(),
            "conversion tasks not judged: give --input conversion-tasks=FILE",
        ),
        (
            observed.services.is_some(),
            "backend and NC states not judged: give --input describe-services=FILE",
        ),
    ] {
        if !given {
            report.verbose(1, what);
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_image_not_found_is_an_answer_and_other_errors_are_not() {
        let not_found = "<Response><Errors><Error><Code>InvalidAMIID.NotFound</Code>\
            <Message>The image id '[emi-1a2b3c4d]' does not exist</Message></Error></Errors></Response>";
        assert!(matches!(images_answer(not_found), Ok(Ok(v)) if v.is_empty()));
        let refused = not_found.replace("InvalidAMIID.NotFound", "403 Forbidden");
        assert!(matches!(images_answer(&refused), Ok(Err((code, _))) if code == "403 Forbidden"));
        assert!(images_answer("<html/>").is_err());
    }
}
