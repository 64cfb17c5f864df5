//! check_euca_endpoint: the active/active servers behind one DNS name (the UFS hosts behind
//! the cloud's service name, the consoles behind the console name). Clients pick any address
//! of the name: one dead host is a share of requests failing, not a dead service. So the name
//! is resolved (system resolver or `--dns-server`) and EVERY address is probed, as clients
//! reach it: by name (Host header, TLS server name and certificate), at that address.
//!
//! resolve (resolve.rs, dns.rs) -> probe each address (HTTP, kit client with connect_to) ->
//! evaluate (evaluate.rs) -> Report.

pub mod dns;
pub mod evaluate;
pub mod resolve;

use common::net::http::{HttpClient, HttpError, HttpOptions};
use common::{Acquisition, CheckError, Context, Plugin, Range, Report, Thresholds};
use evaluate::{Limits, Observed, Probe};
use resolve::Resolved;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Instant;

pub const PLUGIN: Plugin = Plugin {
    name: "check_euca_endpoint",
    service: "EUCA ENDPOINT",
    version: env!("CARGO_PKG_VERSION"),
    about: "Every address behind one DNS name (UFS Heartbeat on 8773, or the console's HTTPS login page), each probed by name",
    reads_host: false,
    inputs: &[],
    synopsis: "\
check_euca_endpoint --name FQDN [--kind ufs|console] [--dns-server ADDR[:PORT]] [--port N]
                    [--path PATH] [--expect TEXT] [--min-addresses N] [-w S -c S]
                    [--ca-file FILE] [--insecure] [-t S] [-v]",
    runs_tools: false,
    keeps_state: false,
};

/// The plugin's whole command line (standard options included).
pub fn command() -> clap::Command {
    common::command::<Options>(&PLUGIN)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    /// HTTP GET /services/Heartbeat on port 8773 (no credentials): the JVM answers
    Ufs,
    /// HTTPS GET of the console (port 443): status 200 and its login page
    Console,
}

/// Largest answer read: a Heartbeat is ~2 KiB, the console's login page ~30 KiB.
const MAX_BODY: u64 = 1024 * 1024;

/// Most addresses probed at once (an active/active name has a handful).
pub const MAX_PARALLEL: usize = 32;

#[derive(Debug, clap::Args)]
pub struct Options {
    /// The DNS name clients use (every A/AAAA record of it is probed)
    #[arg(long, value_name = "FQDN", value_parser = name_arg)]
    pub name: Option<String>,
    /// What answers at each address
    #[arg(long, value_enum, default_value = "ufs")]
    pub kind: Kind,
    /// Ask this DNS server (e.g. the cloud's own DNS on a UFS) instead of the system resolver
    #[arg(long = "dns-server", value_name = "ADDR[:PORT]", value_parser = dns_server_arg)]
    pub dns_server: Option<SocketAddr>,
    /// Port probed (default 8773 for ufs, 443 for console)
    #[arg(long, value_name = "N", value_parser = port_arg)]
    pub port: Option<u16>,
    /// Path asked (default /services/Heartbeat for ufs, / for console)
    #[arg(long, value_name = "PATH")]
    pub path: Option<String>,
    /// Console: text the page must contain, any case (default: login)
    #[arg(long, value_name = "TEXT")]
    pub expect: Option<String>,
    /// WARNING when the name has fewer addresses (a host left DNS)
    #[arg(long = "min-addresses", value_name = "N")]
    pub min_addresses: Option<usize>,
    /// Response time warning range per address, seconds
    #[arg(short = 'w', long = "warning", value_name = "RANGE")]
    pub warning: Option<Range>,
    /// Response time critical range per address, seconds
    #[arg(short = 'c', long = "critical", value_name = "RANGE")]
    pub critical: Option<Range>,
    /// PEM file of a private CA to trust for the console's certificate (besides the system's)
    #[arg(long = "ca-file", value_name = "FILE")]
    pub ca_file: Option<PathBuf>,
    /// Do not verify the console's certificate (not recommended)
    #[arg(long)]
    pub insecure: bool,
}

fn port_arg(text: &str) -> Result<u16, String> {
    match text.parse::<u16>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err("expected a TCP port from 1 to 65535".into()),
    }
}

fn name_arg(text: &str) -> Result<String, String> {
    dns::valid_name(text)?;
    Ok(text.trim_end_matches('.').to_ascii_lowercase())
}

/// `10.0.0.1`, `10.0.0.1:5353`, `[fd00::1]:53`, `fd00::1` (an address: a DNS server given by
/// name would need a resolver to find the resolver).
fn dns_server_arg(text: &str) -> Result<SocketAddr, String> {
    if let Ok(a) = text.parse::<SocketAddr>() {
        return Ok(a);
    }
    match text.parse::<IpAddr>() {
        Ok(ip) => Ok(SocketAddr::new(ip, 53)),
        Err(_) => Err(format!(
            "expected an IP address with an optional :PORT ([ADDR]:PORT for IPv6), not '{text}'"
        )),
    }
}

impl Options {
    fn port(&self) -> u16 {
        self.port.unwrap_or(match self.kind {
            Kind::Ufs => 8773,
            Kind::Console => 443,
        })
    }
    fn path(&self) -> Result<String, CheckError> {
        let path = self.path.clone().unwrap_or_else(|| {
            match self.kind {
                Kind::Ufs => "/services/Heartbeat",
                Kind::Console => "/",
            }
            .to_string()
        });
        if !path.starts_with('/') || path.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(CheckError::usage(format!(
                "--path '{path}': expected a path starting with /"
            )));
        }
        Ok(path)
    }
}

pub fn check(opts: &Options, ctx: &Context) -> Result<Report, CheckError> {
    let Some(name) = opts.name.as_deref() else {
        return Err(CheckError::usage(
            "give --name FQDN: the DNS name clients use (e.g. the UFS or console name)",
        ));
    };
    let path = opts.path()?;
    let service = match opts.kind {
        Kind::Ufs => "UFS",
        Kind::Console => "console",
    };
    let deadline = Instant::now() + ctx.io_budget();
    ctx.doing(format!("resolving {name}"));
    let resolved = match opts.dns_server {
        Some(server) => resolve::ask_server(server, name, deadline),
        None => resolve::system(name, deadline),
    };
    let mut seen = Observed {
        name: name.to_string(),
        service,
        resolved,
        probes: Vec::new(),
    };
    if let Acquisition::Read(Resolved::Addresses(addresses)) = &seen.resolved {
        ctx.doing(format!(
            "probing {} address(es) of {}",
            addresses.len(),
            name
        ));
        let ca_pem = match &opts.ca_file {
            Some(f) => Some(ctx.read_user_file(f)?.into_bytes()),
            None => None,
        };
        let prober = Prober {
            opts,
            name,
            path: &path,
            ca_pem,
            deadline,
        };
        let prober = &prober;
        // At most MAX_PARALLEL probes at a time: a name with thousands of records (a
        // misconfigured zone, a hostile server) would otherwise start a thread and a TLS
        // client per address, past the memory bound. All share the one deadline.
        for batch in addresses.chunks(MAX_PARALLEL) {
            seen.probes.extend(std::thread::scope(|scope| {
                let handles: Vec<_> = batch
                    .iter()
                    .map(|ip| (*ip, scope.spawn(move || prober.probe(*ip))))
                    .collect();
                handles
                    .into_iter()
                    .map(|(ip, h)| {
                        let probe = h.join().unwrap_or_else(|_| Probe::Wrong {
                            why: "internal error while probing it (a bug, please report it)".into(),
                        });
                        (ip, probe)
                    })
                    .collect::<Vec<_>>()
            }));
        }
    }
    let limits = Limits {
        min_addresses: opts.min_addresses,
        time: Thresholds::new(opts.warning.clone(), opts.critical.clone()),
    };
    let mut report = evaluate::evaluate(&seen, &limits);
    report.verbose(
        1,
        match opts.dns_server {
            Some(s) => format!("resolved by the DNS server {s}"),
            None => "resolved by the system resolver".to_string(),
        },
    );
    Ok(report)
}

struct Prober<'a> {
    opts: &'a Options,
    name: &'a str,
    path: &'a str,
    ca_pem: Option<Vec<u8>>,
    deadline: Instant,
}

impl Prober<'_> {
    fn url(&self) -> String {
        let (scheme, default) = match self.opts.kind {
            Kind::Ufs => ("http", 80),
            Kind::Console => ("https", 443),
        };
        let port = self.opts.port();
        if port == default {
            format!("{scheme}://{}{}", self.name, self.path)
        } else {
            format!("{scheme}://{}:{port}{}", self.name, self.path)
        }
    }

    fn probe(&self, ip: IpAddr) -> Probe {
        let client = HttpClient::new(HttpOptions {
            ca_pem: self.ca_pem.clone(),
            insecure: self.opts.insecure,
            max_body: MAX_BODY,
            user_agent: concat!("check_euca_endpoint/", env!("CARGO_PKG_VERSION")).into(),
        })
        .connect_to(SocketAddr::new(ip, self.opts.port()));
        let left = self.deadline.saturating_duration_since(Instant::now());
        let answer = match client.get(&self.url(), &[], left) {
            Ok(a) => a,
            Err(HttpError::Unreachable(why)) => return Probe::Down { why },
            Err(HttpError::Failed(why)) => return Probe::Wrong { why },
            Err(HttpError::NotAsked) => return Probe::NotAsked,
        };
        if answer.status != 200 {
            return Probe::Wrong {
                why: format!("answered {}", answer.status_text),
            };
        }
        match self.opts.kind {
            Kind::Ufs => judge_heartbeat(&answer.body, answer.elapsed),
            Kind::Console => {
                let expect = self.opts.expect.as_deref().unwrap_or("login");
                if answer.body.to_lowercase().contains(&expect.to_lowercase()) {
                    Probe::Up {
                        elapsed: answer.elapsed,
                        said: "login page".into(),
                    }
                } else {
                    Probe::Wrong {
                        why: format!("answered 200 without '{expect}' in the page: not the console's login page"),
                    }
                }
            }
        }
    }
}

/// The Heartbeat answers `name=COMPONENT enabled=BOOL local=BOOL initialized=BOOL` lines
/// (`ws/server/LegacyHBPipeline.java`); anything else at that path is not a Eucalyptus JVM.
pub fn judge_heartbeat(body: &str, elapsed: std::time::Duration) -> Probe {
    let lines: Vec<&str> = body.lines().filter(|l| !l.trim().is_empty()).collect();
    let heartbeat = !lines.is_empty()
        && lines
            .iter()
            .all(|l| l.trim_start().starts_with("name=") && l.contains("enabled="));
    if !heartbeat {
        return Probe::Wrong {
            why: "answered 200 but not with Heartbeat lines (name=... enabled=...): not a Eucalyptus JVM".into(),
        };
    }
    let enabled = lines
        .iter()
        .filter(|l| l.split_whitespace().any(|w| w == "enabled=true"))
        .count();
    // A UFS whose user-api is not ENABLED answers the Heartbeat but serves no API request
    // (EUCALYPTUS.md, Heartbeat: enabled=false for the component the host should run actively
    // is degraded or passive): failing for the clients the name sends there.
    let user_api = lines
        .iter()
        .find(|l| l.split_whitespace().next() == Some("name=user-api"));
    if let Some(line) = user_api {
        if !line.split_whitespace().any(|w| w == "enabled=true") {
            return Probe::Wrong {
                why: "Heartbeat: user-api is not enabled on this host (it serves no API request)"
                    .into(),
            };
        }
    }
    Probe::Up {
        elapsed,
        said: format!("Heartbeat, {enabled} of {} components enabled", lines.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn heartbeat_is_recognised_and_anything_else_is_not() {
        let hb = "name=eucalyptus           enabled=true       local=true       initialized=true\nname=compute enabled=false local=true initialized=true\n";
        assert!(
            matches!(judge_heartbeat(hb, Duration::ZERO), Probe::Up { said, .. } if said.contains("1 of 2"))
        );
        let passive =
            "name=user-api             enabled=false      local=true       initialized=true\n";
        assert!(
            matches!(judge_heartbeat(passive, Duration::ZERO), Probe::Wrong { why } if why.contains("user-api is not enabled"))
        );
        for bad in ["", "<html>It works!</html>", "name=x\n"] {
            assert!(
                matches!(judge_heartbeat(bad, Duration::ZERO), Probe::Wrong { .. }),
                "{bad}"
            );
        }
    }

    #[test]
    fn dns_server_values() {
        assert_eq!(dns_server_arg("127.0.0.1").unwrap().port(), 53);
        assert_eq!(dns_server_arg("127.0.0.1:5353").unwrap().port(), 5353);
        assert_eq!(dns_server_arg("[::1]:53").unwrap().port(), 53);
        assert!(dns_server_arg("ns1.cloud").is_err());
    }
}
