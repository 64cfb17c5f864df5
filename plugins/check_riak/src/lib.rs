//! check_riak: the Riak ring under Riak CS (Eucalyptus object storage with
//! `objectstorage.providerclient=riakcs`), from the Nagios server.
//!
//! acquire (HTTP `GET /ping` and `/stats` of each `--node`, `/riak-cs/ping` of each `--cs`,
//! or saved files with `--input`) -> parse (stats.rs, ring_status.rs, member_status.rs,
//! cluster_status.rs) -> evaluate (evaluate.rs) -> Report.

pub mod cluster_status;
pub mod evaluate;
pub mod member_status;
pub mod ring_status;
pub mod stats;

use common::net::http::{HttpClient, HttpError, HttpOptions};
use common::{Acquisition, CheckError, Context, Plugin, Range, Report, Thresholds};
use evaluate::{Limits, Observed, Ping, PingReply};
use std::time::{Duration, Instant};

pub const PLUGIN: Plugin = Plugin {
    name: "check_riak",
    service: "RIAK",
    version: env!("CARGO_PKG_VERSION"),
    about: "The Riak ring under Riak CS: ping, members down, ring not converged, handoff pending, get/put latency, disks, Riak CS ping",
    reads_host: false,
    inputs: &["stats", "ring-status", "member-status", "cluster-status"],
    synopsis: "\
check_riak [--node HOST[:PORT]]... [--cs HOST[:PORT]]... [--max-down N] [--min-members N]
           [-w RANGE -c RANGE] [--disk-warning R --disk-critical R]
           [--input stats=FILE]... [--input ring-status=FILE] [--input member-status=FILE]
           [--input cluster-status=FILE] [-t S] [-v]",
    runs_tools: false,
    keeps_state: false,
};

/// The plugin's whole command line (standard options included).
pub fn command() -> clap::Command {
    common::command::<Options>(&PLUGIN)
}

/// Riak KV's HTTP port.
pub const RIAK_PORT: u16 = 8098;
/// Riak CS's S3 port.
pub const CS_PORT: u16 = 8080;
/// Largest riak-admin listing read: a line per member or partition in handoff; a ring of
/// 1024 partitions all moving is ~200 KiB.
pub const MAX_LISTING: usize = 1024 * 1024;
/// Largest ping answer: "OK".
const MAX_PING: u64 = 64 * 1024;

#[derive(Debug, clap::Args)]
pub struct Options {
    /// Riak KV node to ask GET /ping and /stats over HTTP (repeatable; default port 8098)
    #[arg(long = "node", value_name = "HOST[:PORT]", value_parser = node_target)]
    pub nodes: Vec<HostPort>,
    /// Riak CS node to ask GET /riak-cs/ping (repeatable; default port 8080)
    #[arg(long = "cs", value_name = "HOST[:PORT]", value_parser = cs_target)]
    pub cs: Vec<HostPort>,
    /// Most ring members down that is only WARNING; more is CRITICAL
    #[arg(long = "max-down", value_name = "N", default_value_t = 1)]
    pub max_down: usize,
    /// WARNING when the ring has fewer members than N (a node left the cluster)
    #[arg(long = "min-members", value_name = "N")]
    pub min_members: Option<usize>,
    /// 95th percentile get/put time warning range, microseconds (as /stats reports), e.g. 50000
    #[arg(short = 'w', long = "warning", value_name = "RANGE")]
    pub warning: Option<Range>,
    /// 95th percentile get/put time critical range, microseconds, e.g. 200000
    #[arg(short = 'c', long = "critical", value_name = "RANGE")]
    pub critical: Option<Range>,
    /// Used percent of each disk of /stats: warning range
    #[arg(long = "disk-warning", value_name = "RANGE", default_value = "80")]
    pub disk_warning: Range,
    /// Used percent of each disk of /stats: critical range
    #[arg(long = "disk-critical", value_name = "RANGE", default_value = "90")]
    pub disk_critical: Range,
}

impl Options {
    pub fn limits(&self) -> Limits {
        Limits {
            max_down: self.max_down,
            min_members: self.min_members,
            latency: Thresholds::new(self.warning.clone(), self.critical.clone()),
            disk: Thresholds::new(
                Some(self.disk_warning.clone()),
                Some(self.disk_critical.clone()),
            ),
        }
    }
}

/// `HOST[:PORT]`, `[IPV6]:PORT`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostPort {
    pub host: String,
    pub port: u16,
}

impl HostPort {
    /// `10.0.0.1:8098`, `[::1]:8098`
    pub fn shown(&self) -> String {
        common::net::line::display_address(&self.host, self.port)
    }
    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.shown())
    }
}

pub fn parse_host_port(text: &str, default_port: u16) -> Result<HostPort, String> {
    let port = |p: &str| match p.parse::<u16>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!("expected a TCP port from 1 to 65535, not '{p}'")),
    };
    let (host, port) = if let Some(rest) = text.strip_prefix('[') {
        let (h, after) = rest
            .split_once(']')
            .ok_or("expected ']' after the IPv6 address")?;
        if h.parse::<std::net::Ipv6Addr>().is_err() {
            return Err(format!("expected an IPv6 address inside [ ], not '{h}'"));
        }
        match after.strip_prefix(':') {
            Some(p) => (h, port(p)?),
            None if after.is_empty() => (h, default_port),
            None => return Err("expected ':PORT' after ']'".into()),
        }
    } else if text.parse::<std::net::Ipv6Addr>().is_ok() {
        (text, default_port)
    } else {
        match text.split_once(':') {
            Some((h, p)) => (h, port(p)?),
            None => (text, default_port),
        }
    };
    let valid = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ':'));
    if !valid {
        return Err(format!("expected HOST[:PORT], not '{text}'"));
    }
    Ok(HostPort {
        host: host.to_ascii_lowercase(),
        port,
    })
}

fn node_target(text: &str) -> Result<HostPort, String> {
    parse_host_port(text, RIAK_PORT)
}

fn cs_target(text: &str) -> Result<HostPort, String> {
    parse_host_port(text, CS_PORT)
}

pub fn check(opts: &Options, ctx: &Context) -> Result<Report, CheckError> {
    if opts.nodes.is_empty() && opts.cs.is_empty() && !ctx.inputs_given() {
        return Err(CheckError::usage(
            "nothing to check: give --node HOST[:PORT], --cs HOST[:PORT] or --input stats=FILE (ring-status, member-status, cluster-status)",
        ));
    }
    let mut seen = Observed::default();
    for (file, text) in ctx.inputs_capped("stats", stats::MAX_STATS)? {
        seen.stats.push(match stats::parse(&text) {
            Ok(s) => Acquisition::Read(s),
            Err(e) => Acquisition::unreadable(file.clone(), e.message),
        });
    }
    if let Some((file, text)) = ctx.input_capped("ring-status", MAX_LISTING)? {
        seen.ring_status = Some(ring_status::parse(&text).map_err(|e| e.in_source(file))?);
    }
    if let Some((file, text)) = ctx.input_capped("member-status", MAX_LISTING)? {
        seen.member_status = Some(member_status::parse(&text).map_err(|e| e.in_source(file))?);
    }
    if let Some((file, text)) = ctx.input_capped("cluster-status", MAX_LISTING)? {
        seen.cluster_status = Some(cluster_status::parse(&text).map_err(|e| e.in_source(file))?);
    }
    if !opts.nodes.is_empty() || !opts.cs.is_empty() {
        ask(opts, ctx, &mut seen);
    }
    Ok(evaluate::evaluate(&seen, &opts.limits()))
}

/// Ask every node at once (a hung one costs the others nothing), each exchange bound by the
/// kit's I/O budget so that a hung node reads "unreachable (no answer within ...)".
fn ask(opts: &Options, ctx: &Context, seen: &mut Observed) {
    let client = HttpClient::new(HttpOptions {
        ca_pem: None,
        insecure: false,
        max_body: stats::MAX_STATS as u64,
        user_agent: concat!("check_riak/", env!("CARGO_PKG_VERSION")).into(),
    });
    let deadline = Instant::now() + ctx.io_budget();
    let client = &client;
    std::thread::scope(|scope| {
        let kv: Vec<_> = opts
            .nodes
            .iter()
            .map(|n| {
                scope.spawn(move || {
                    (
                        ping(client, "Riak", n, "/ping", deadline),
                        node_stats(client, n, deadline),
                    )
                })
            })
            .collect();
        let cs: Vec<_> = opts
            .cs
            .iter()
            .map(|n| scope.spawn(move || ping(client, "Riak CS", n, "/riak-cs/ping", deadline)))
            .collect();
        for (h, n) in kv.into_iter().zip(&opts.nodes) {
            match h.join() {
                Ok((p, s)) => {
                    seen.pings.push(p);
                    seen.stats.push(s);
                }
                Err(_) => seen.stats.push(Acquisition::unreadable(
                    format!("Riak at {}", n.shown()),
                    "internal error while asking it (a bug, please report it)",
                )),
            }
        }
        for (h, n) in cs.into_iter().zip(&opts.cs) {
            seen.pings.push(h.join().unwrap_or_else(|_| Ping {
                service: "Riak CS",
                at: n.shown(),
                got: Acquisition::unreadable(
                    format!("Riak CS at {}", n.shown()),
                    "internal error while asking it (a bug, please report it)",
                ),
            }));
        }
    });
}

fn left(deadline: Instant) -> Duration {
    deadline.saturating_duration_since(Instant::now())
}

/// An HTTP failure as an acquisition of `source`.
fn failed<T>(source: String, e: HttpError) -> Acquisition<T> {
    match e {
        HttpError::Unreachable(why) => Acquisition::unreachable(source, why),
        HttpError::Failed(why) => Acquisition::unreadable(source, why),
        HttpError::NotAsked => Acquisition::not_asked(source),
    }
}

fn ping(
    client: &HttpClient,
    service: &'static str,
    n: &HostPort,
    path: &str,
    deadline: Instant,
) -> Ping {
    let source = format!("{service} at {}", n.shown());
    let got = match client.get(&n.url(path), &[], left(deadline)) {
        Ok(a) if a.body.len() as u64 > MAX_PING => {
            Acquisition::unreadable(source, "the ping answer is too large: not a Riak ping")
        }
        Ok(a) => Acquisition::Read(PingReply {
            status: a.status,
            status_text: a.status_text,
            body: a.body,
            elapsed_ms: a.elapsed.as_secs_f64() * 1000.0,
        }),
        Err(e) => failed(source, e),
    };
    Ping {
        service,
        at: n.shown(),
        got,
    }
}

fn node_stats(client: &HttpClient, n: &HostPort, deadline: Instant) -> Acquisition<stats::Stats> {
    let source = format!("/stats of Riak at {}", n.shown());
    match client.get(&n.url("/stats"), &[], left(deadline)) {
        Ok(a) if a.status == 200 => match stats::parse(&a.body) {
            Ok(s) => Acquisition::Read(s),
            Err(e) => Acquisition::unreadable(source, e.message),
        },
        Ok(a) => Acquisition::unreadable(source, format!("answered {}", a.status_text)),
        Err(e) => failed(source, e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        assert_eq!(node_target("10.0.0.1").unwrap().shown(), "10.0.0.1:8098");
        assert_eq!(cs_target("cs1:18080").unwrap().shown(), "cs1:18080");
        assert_eq!(node_target("[::1]:1").unwrap().shown(), "[::1]:1");
        assert_eq!(node_target("::1").unwrap().port, 8098);
        for bad in ["", "h:0", "h:x", "[::1", "a b", "h:1:2"] {
            assert!(node_target(bad).is_err(), "{bad}");
        }
    }
}
