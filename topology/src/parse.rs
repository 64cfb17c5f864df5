//! The topology file (TOML) in, a checked [`Topology`] out, or every mistake with its line and
//! column. Pure: text in, model out (the caller reads the file).
//!
//! ```toml
//! [cloud]
//! name = "reference"
//! eucalyptus = "4.4"
//! networking = "EDGE"
//! ebs = "san"
//! object_storage = "riak"
//! ufs_name = "ufs.cloud.example"
//!
//! [[zone]]
//! name = "one"
//!
//! [[host]]
//! name = "clc1"
//! address = "10.111.5.10"
//! roles = ["clc"]
//! raid = "md"
//! bonds = ["bond0"]
//! ups = ["ups1@10.111.5.3", "ups2@10.111.5.3"]
//! bmc = "10.111.6.10"
//! ```
//! The whole format, key by key: `docs/topology.md`.

use crate::model::*;
use serde::Deserialize;
use std::fmt;
use std::ops::Range;
use toml::Spanned;

/// Largest topology file read: a 1,000-host cloud is about 400 KiB.
pub const MAX_TOPOLOGY_BYTES: usize = 8 * 1024 * 1024;

/// One mistake in the file, at its place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mistake {
    pub at: Pos,
    pub message: String,
}

/// Everything wrong with a topology file (at least one mistake), for `FILE:LINE:COL: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopologyError {
    pub file: String,
    pub mistakes: Vec<Mistake>,
}

impl fmt::Display for TopologyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, m) in self.mistakes.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{}:{}: {}", self.file, m.at, m.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for TopologyError {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    cloud: Spanned<RawCloud>,
    monitoring: Option<Spanned<RawMonitor>>,
    #[serde(default)]
    contact: Vec<Spanned<RawContact>>,
    #[serde(default)]
    zone: Vec<Spanned<RawZone>>,
    #[serde(default)]
    host: Vec<Spanned<RawHost>>,
    simulation: Option<RawSimulation>,
}

/// Tests and simulations only (docs/topology.md): options added to planned checks.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSimulation {
    #[serde(default)]
    args: std::collections::BTreeMap<String, Spanned<Vec<Spanned<String>>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCloud {
    name: String,
    eucalyptus: Spanned<String>,
    networking: Spanned<String>,
    ebs: Spanned<String>,
    object_storage: Spanned<String>,
    ufs_name: Option<Spanned<String>>,
    console_name: Option<Spanned<String>>,
    dns_server: Option<Spanned<String>>,
    credentials: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMonitor {
    name: Spanned<String>,
    address: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawContact {
    name: Spanned<String>,
    email: Spanned<String>,
    pager: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawZone {
    name: Spanned<String>,
    satellite: Option<Spanned<RawMonitor>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHost {
    name: Spanned<String>,
    address: Spanned<String>,
    roles: Spanned<Vec<Spanned<String>>>,
    zone: Option<Spanned<String>>,
    partner: Option<Spanned<String>>,
    raid: Option<Spanned<String>>,
    raid_arrays: Option<u32>,
    #[serde(default)]
    bonds: Vec<Spanned<String>>,
    #[serde(default)]
    teams: Vec<Spanned<String>>,
    bond_mode: Option<Spanned<String>>,
    #[serde(default)]
    switches: Vec<String>,
    #[serde(default)]
    ups: Vec<Spanned<String>>,
    #[serde(default)]
    apcupsd: Vec<Spanned<String>>,
    bmc: Option<Spanned<String>>,
    #[serde(default)]
    bmc_local: bool,
    psus: Option<u32>,
    #[serde(default)]
    san_maps: Vec<String>,
    #[serde(default)]
    iscsi_targets: Vec<String>,
    #[serde(default)]
    san_mounts: Vec<Spanned<String>>,
    backup_dir: Option<Spanned<String>>,
    root: Option<String>,
}

/// The default place of the cloud administrator's credentials on the monitoring server
/// (readable by the monitoring user only).
pub const DEFAULT_CREDENTIALS: &str = "/etc/nagios/euca/eucarc";

/// The bond mode a reliable deployment uses: LACP to a switch stack (the seed's "Network").
pub const DEFAULT_BOND_MODE: &str = "802.3ad";

/// Eucalyptus releases the suite knows.
pub const OLDEST: Version = Version::new(3, 4);
pub const NEWEST: Version = Version::new(4, 4);

/// Parse and check a topology file. `file` is only used in messages.
pub fn parse(file: &str, text: &str) -> Result<Topology, TopologyError> {
    let lines = Lines::new(text);
    let fail = |mistakes: Vec<Mistake>| TopologyError {
        file: file.to_string(),
        mistakes,
    };
    if text.len() > MAX_TOPOLOGY_BYTES {
        return Err(fail(vec![Mistake {
            at: Pos { line: 1, col: 1 },
            message: format!(
                "larger than {} MiB, not read",
                MAX_TOPOLOGY_BYTES / 1024 / 1024
            ),
        }]));
    }
    let raw: RawFile = toml::from_str(text).map_err(|e| {
        let at = e.span().map(|s| lines.pos(s.start)).unwrap_or_default();
        fail(vec![Mistake {
            at,
            message: e.message().trim().to_string(),
        }])
    })?;
    let mut check = Checker {
        lines: &lines,
        mistakes: Vec::new(),
    };
    let topology = check.topology(raw);
    if check.mistakes.is_empty() {
        Ok(topology)
    } else {
        check.mistakes.sort_by_key(|m| (m.at.line, m.at.col));
        Err(fail(check.mistakes))
    }
}

/// Byte offsets to line and column (columns count characters, as editors do).
struct Lines<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Lines<'a> {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Lines { text, starts }
    }

    fn pos(&self, offset: usize) -> Pos {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= offset);
        let start = self.starts[line - 1];
        let col = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count())
            + 1;
        Pos { line, col }
    }
}

struct Checker<'a> {
    lines: &'a Lines<'a>,
    mistakes: Vec<Mistake>,
}

impl Checker<'_> {
    fn at(&self, span: Range<usize>) -> Pos {
        self.lines.pos(span.start)
    }

    fn wrong(&mut self, span: Range<usize>, message: String) {
        let at = self.at(span);
        self.mistakes.push(Mistake { at, message });
    }

    fn topology(&mut self, raw: RawFile) -> Topology {
        let cloud = self.cloud(raw.cloud);
        let monitoring = match raw.monitoring {
            Some(m) => self.monitor(m, "monitoring server"),
            // Nagios on the machine that runs `euca-checks generate`, unless said otherwise.
            None => Monitor {
                name: "monitoring".to_string(),
                address: "127.0.0.1".to_string(),
                at: Pos::default(),
            },
        };
        let contacts = raw.contact.into_iter().map(|c| self.contact(c)).collect();
        let zones = self.zones(raw.zone);
        let hosts = self.hosts(raw.host, &zones);
        let simulation = raw
            .simulation
            .map(|s| self.simulation(s, &cloud, &hosts))
            .unwrap_or_default();
        let topology = Topology {
            cloud,
            monitoring,
            contacts,
            zones,
            hosts,
            simulation,
        };
        self.references(&topology);
        topology
    }

    /// `[simulation.args]`: `"HOST/SERVICE" = [ARGS]`, HOST a host, an endpoint's DNS name or
    /// `*` (every host), SERVICE a planned service's id.
    fn simulation(
        &mut self,
        raw: RawSimulation,
        cloud: &Cloud,
        hosts: &[Host],
    ) -> Vec<SimulationArgs> {
        let mut out = Vec::new();
        for (key, args) in raw.args {
            let span = args.span();
            let Some((host, service)) = key.split_once('/') else {
                self.wrong(
                    span,
                    format!("simulation args '{key}': the key is HOST/SERVICE (e.g. \"clc1/db\", \"*/ipmi\")"),
                );
                continue;
            };
            let known = host == "*"
                || hosts.iter().any(|h| h.name == host)
                || cloud.ufs_name.as_deref() == Some(host)
                || cloud.console_name.as_deref() == Some(host);
            if !known {
                self.wrong(
                    span.clone(),
                    format!("simulation args '{key}': '{host}' is not a host of the topology"),
                );
            }
            if !is_object_name(service) {
                self.wrong(
                    span.clone(),
                    format!("simulation args '{key}': '{service}' is not a service id"),
                );
            }
            let mut values = Vec::new();
            for a in args.into_inner() {
                // `!--flag` drops the plan's option (docs/topology.md): it never reaches a
                // command line, the flag after it must still be plain.
                let text = a.get_ref();
                if !is_plain(text.strip_prefix("!--").map_or(text.as_str(), |f| f)) {
                    self.wrong(
                        a.span(),
                        format!(
                            "simulation args '{key}': '{}' is unsafe in a command line",
                            a.get_ref()
                        ),
                    );
                }
                values.push(a.into_inner());
            }
            out.push(SimulationArgs {
                host: host.to_string(),
                service: service.to_string(),
                args: values,
                at: self.at(span),
            });
        }
        out
    }

    fn cloud(&mut self, raw: Spanned<RawCloud>) -> Cloud {
        let at = self.at(raw.span());
        let raw = raw.into_inner();
        let version = self.version(&raw.eucalyptus);
        let networking = raw.networking.get_ref().to_ascii_uppercase();
        if !NETWORK_MODES.contains(&networking.as_str()) {
            self.wrong(
                raw.networking.span(),
                format!(
                    "unknown networking mode '{}' (modes: {})",
                    raw.networking.get_ref(),
                    NETWORK_MODES.join(", ")
                ),
            );
        }
        let ebs = Ebs::from_name(raw.ebs.get_ref()).unwrap_or_else(|| {
            self.wrong(
                raw.ebs.span(),
                format!(
                    "unknown EBS backend '{}' (backends: {})",
                    raw.ebs.get_ref(),
                    Ebs::NAMES
                ),
            );
            Ebs::Overlay
        });
        let object_storage =
            ObjectStorage::from_name(raw.object_storage.get_ref()).unwrap_or_else(|| {
                self.wrong(
                    raw.object_storage.span(),
                    format!(
                        "unknown object storage backend '{}' (backends: {})",
                        raw.object_storage.get_ref(),
                        ObjectStorage::NAMES
                    ),
                );
                ObjectStorage::Walrus
            });
        let ufs_name = raw.ufs_name.map(|n| self.dns_name(n, "ufs_name"));
        let console_name = raw.console_name.map(|n| self.dns_name(n, "console_name"));
        let dns_server = raw.dns_server.map(|n| self.address(n, "dns_server"));
        Cloud {
            name: raw.name,
            version,
            networking,
            ebs,
            object_storage,
            ufs_name,
            console_name,
            dns_server,
            credentials: raw
                .credentials
                .unwrap_or_else(|| DEFAULT_CREDENTIALS.to_string()),
            at,
        }
    }

    fn version(&mut self, raw: &Spanned<String>) -> Version {
        let text = raw.get_ref();
        let mut parts = text.split('.').map(|p| p.parse::<u32>().ok());
        let parsed = match (parts.next().flatten(), parts.next().flatten()) {
            (Some(major), Some(minor)) if parts.all(|p| p.is_some()) => {
                Some(Version::new(major, minor))
            }
            _ => None,
        };
        match parsed {
            Some(v) if (OLDEST..=NEWEST).contains(&v) => v,
            Some(v) => {
                self.wrong(
                    raw.span(),
                    format!(
                        "Eucalyptus {v} is not a release this suite knows ({OLDEST} to {NEWEST})"
                    ),
                );
                NEWEST
            }
            None => {
                self.wrong(
                    raw.span(),
                    format!("'{text}' is not a Eucalyptus version (e.g. \"4.4\")"),
                );
                NEWEST
            }
        }
    }

    /// A host name or IP address: something a check can be pointed at, nothing that reads as
    /// an option or splits into two arguments in a generated command line.
    fn address(&mut self, raw: Spanned<String>, what: &str) -> String {
        let span = raw.span();
        let text = raw.into_inner();
        if !is_address(&text) {
            self.wrong(
                span,
                format!("{what} '{text}' is not a host name or IP address"),
            );
        }
        text
    }

    fn dns_name(&mut self, raw: Spanned<String>, what: &str) -> String {
        self.address(raw, what)
    }

    /// A name that becomes a Nagios object name and a file name: letters, digits, `-`, `_`, `.`.
    fn object_name(&mut self, raw: &Spanned<String>, what: &str) -> String {
        let text = raw.get_ref();
        if !is_object_name(text) {
            self.wrong(
                raw.span(),
                format!(
                    "{what} '{text}' must be letters, digits, '-', '_' or '.' (it names Nagios objects and files)"
                ),
            );
        }
        text.clone()
    }

    fn monitor(&mut self, raw: Spanned<RawMonitor>, what: &str) -> Monitor {
        let at = self.at(raw.span());
        let raw = raw.into_inner();
        Monitor {
            name: self.object_name(&raw.name, &format!("{what} name")),
            address: self.address(raw.address, &format!("{what} address")),
            at,
        }
    }

    fn contact(&mut self, raw: Spanned<RawContact>) -> Contact {
        let at = self.at(raw.span());
        let raw = raw.into_inner();
        let name = self.object_name(&raw.name, "contact name");
        let mut mail = |m: Spanned<String>, what: &str| {
            let ok = m.get_ref().contains('@') && is_plain(m.get_ref());
            if !ok {
                self.wrong(
                    m.span(),
                    format!("{what} '{}' is not a mail address", m.get_ref()),
                );
            }
            m.into_inner()
        };
        let email = mail(raw.email, "email");
        let pager = raw.pager.map(|p| mail(p, "pager"));
        Contact {
            name,
            email,
            pager,
            at,
        }
    }

    fn zones(&mut self, raw: Vec<Spanned<RawZone>>) -> Vec<Zone> {
        let mut zones: Vec<Zone> = Vec::new();
        for z in raw {
            let at = self.at(z.span());
            let z = z.into_inner();
            let name = self.object_name(&z.name, "zone name");
            if zones.iter().any(|other| other.name == name) {
                self.wrong(z.name.span(), format!("zone '{name}' is declared twice"));
                continue;
            }
            let satellite = z.satellite.map(|s| self.monitor(s, "satellite"));
            zones.push(Zone {
                name,
                satellite,
                at,
            });
        }
        zones
    }

    fn hosts(&mut self, raw: Vec<Spanned<RawHost>>, zones: &[Zone]) -> Vec<Host> {
        let mut hosts: Vec<Host> = Vec::new();
        for h in raw {
            let at = self.at(h.span());
            let h = h.into_inner();
            let name = self.object_name(&h.name, "host name");
            if hosts.iter().any(|other| other.name == name) {
                // Kept, so that what it declares (a zone's CC ...) does not cause more
                // messages: the file is refused anyway.
                self.wrong(h.name.span(), format!("host '{name}' is declared twice"));
            }
            let host = self.host(name, h, at, zones);
            hosts.push(host);
        }
        hosts
    }

    fn host(&mut self, name: String, h: RawHost, at: Pos, zones: &[Zone]) -> Host {
        let roles = self.roles(&name, &h.roles);
        let zone = h.zone.as_ref().map(|z| z.get_ref().clone());
        match (&h.zone, roles.iter().find(|r| r.is_zonal())) {
            (None, Some(role)) => self.wrong(
                h.name.span(),
                format!("host '{name}' runs {role} but names no zone (zone = \"...\")"),
            ),
            (Some(z), _) if !zones.iter().any(|known| &known.name == z.get_ref()) => self.wrong(
                z.span(),
                format!(
                    "zone '{}' is not declared (add a [[zone]] with name = \"{}\")",
                    z.get_ref(),
                    z.get_ref()
                ),
            ),
            (Some(z), None) => self.wrong(
                z.span(),
                format!(
                    "host '{name}' names a zone but runs nothing registered per zone (cc, sc, nc, vmware-broker)"
                ),
            ),
            _ => {}
        }
        let raid = h.raid.as_ref().map(|r| {
            Raid::from_name(r.get_ref()).unwrap_or_else(|| {
                self.wrong(
                    r.span(),
                    format!(
                        "unknown RAID kind '{}' (kinds: {})",
                        r.get_ref(),
                        Raid::NAMES
                    ),
                );
                Raid::None
            })
        });
        let bonds = self.interfaces(h.bonds, "bond");
        let teams = self.interfaces(h.teams, "team");
        let bond_mode = match h.bond_mode {
            Some(m) if is_plain(m.get_ref()) && !m.get_ref().starts_with('-') => m.into_inner(),
            Some(m) => {
                self.wrong(m.span(), format!("'{}' is not a bond mode", m.get_ref()));
                String::new()
            }
            None => DEFAULT_BOND_MODE.to_string(),
        };
        let ups = h
            .ups
            .into_iter()
            .filter_map(|u| self.ups(u))
            .collect::<Vec<_>>();
        let apcupsd = h
            .apcupsd
            .into_iter()
            .map(|a| self.address(a, "apcupsd"))
            .collect();
        let bmc = h.bmc.map(|b| self.address(b, "bmc"));
        let san_mounts = h
            .san_mounts
            .into_iter()
            .map(|m| self.absolute(m, "san_mounts"))
            .collect();
        let backup_dir = h.backup_dir.map(|d| self.absolute(d, "backup_dir"));
        let plain = |list: &[String]| list.iter().all(|s| is_plain(s) && !s.starts_with('-'));
        if !plain(&h.san_maps) || !plain(&h.iscsi_targets) || !plain(&h.switches) {
            self.wrong(
                h.name.span(),
                format!(
                    "host '{name}': san_maps, iscsi_targets and switches are names without spaces or a leading '-'"
                ),
            );
        }
        Host {
            address: self.address(h.address, "address"),
            name,
            roles,
            zone,
            partner: h.partner.map(|p| p.into_inner()),
            raid,
            raid_arrays: h.raid_arrays,
            bonds,
            teams,
            bond_mode,
            switches: h.switches,
            ups,
            apcupsd,
            bmc,
            bmc_local: h.bmc_local,
            psus: h.psus.unwrap_or(2),
            san_maps: h.san_maps,
            iscsi_targets: h.iscsi_targets,
            san_mounts,
            backup_dir,
            root: h.root,
            at,
        }
    }

    fn roles(&mut self, host: &str, raw: &Spanned<Vec<Spanned<String>>>) -> Vec<Role> {
        let mut roles = Vec::new();
        for r in raw.get_ref() {
            match Role::from_name(r.get_ref()) {
                Some(role) if roles.contains(&role) => {
                    self.wrong(r.span(), format!("role '{role}' is listed twice"))
                }
                Some(role) => roles.push(role),
                None => {
                    let known: Vec<&str> = Role::ALL.iter().map(|r| r.name()).collect();
                    self.wrong(
                        r.span(),
                        format!(
                            "unknown role '{}' (roles: {})",
                            r.get_ref(),
                            known.join(", ")
                        ),
                    )
                }
            }
        }
        if raw.get_ref().is_empty() {
            self.wrong(
                raw.span(),
                format!("host '{host}' runs no role (roles = [\"nc\"] ...)"),
            );
        }
        roles
    }

    fn interfaces(&mut self, raw: Vec<Spanned<String>>, what: &str) -> Vec<String> {
        raw.into_iter()
            .map(|i| {
                let ok = !i.get_ref().is_empty()
                    && i.get_ref().len() < 16
                    && i.get_ref()
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
                    && !i.get_ref().starts_with('-');
                if !ok {
                    self.wrong(
                        i.span(),
                        format!("'{}' is not a {what} interface name", i.get_ref()),
                    );
                }
                i.into_inner()
            })
            .collect()
    }

    fn ups(&mut self, raw: Spanned<String>) -> Option<Ups> {
        let span = raw.span();
        let text = raw.into_inner();
        match text.split_once('@') {
            Some((name, upsd)) if is_object_name(name) && is_address(upsd) => Some(Ups {
                name: name.to_string(),
                upsd: upsd.to_string(),
            }),
            _ => {
                self.wrong(
                    span,
                    format!("ups '{text}' is not NAME@HOST[:PORT] (a NUT UPS and its upsd)"),
                );
                None
            }
        }
    }

    fn absolute(&mut self, raw: Spanned<String>, what: &str) -> String {
        let span = raw.span();
        let text = raw.into_inner();
        if !text.starts_with('/') || !is_plain(&text) {
            self.wrong(span, format!("{what} '{text}' is not an absolute path"));
        }
        text
    }

    /// Names that point at other entries: partners.
    fn references(&mut self, t: &Topology) {
        for h in &t.hosts {
            let Some(partner) = &h.partner else { continue };
            let message = match t.host(partner) {
                None => Some(format!(
                    "host '{}' names partner '{partner}', which is not a host here",
                    h.name
                )),
                Some(p) if p.name == h.name => {
                    Some(format!("host '{}' names itself as its partner", h.name))
                }
                Some(p) if p.partner.as_deref().is_some_and(|back| back != h.name) => {
                    Some(format!(
                        "host '{}' names partner '{partner}', whose partner is '{}'",
                        h.name,
                        p.partner.as_deref().unwrap_or_default()
                    ))
                }
                Some(p)
                    if !h
                        .roles
                        .iter()
                        .any(|r| t.is_active_passive(*r) && p.has(*r)) =>
                {
                    Some(format!(
                        "hosts '{}' and '{partner}' share no active/passive component (cc, sc, vmware-broker; clc before 4.2)",
                        h.name
                    ))
                }
                Some(p) if p.zone != h.zone && h.roles.iter().any(|r| r.is_zonal()) => {
                    Some(format!(
                        "partners '{}' and '{partner}' are in different zones",
                        h.name
                    ))
                }
                Some(_) => None,
            };
            if let Some(message) = message {
                self.mistakes.push(Mistake { at: h.at, message });
            }
        }
        for z in &t.zones {
            if t.in_zone(&z.name, Role::Cc).next().is_none() {
                self.mistakes.push(Mistake {
                    at: z.at,
                    message: format!(
                        "zone '{}' has no Cluster Controller (a host with roles = [\"cc\"] and zone = \"{}\")",
                        z.name, z.name
                    ),
                });
            }
        }
    }
}

/// Printable, no spaces, quotes, `$`, `!`, `;` or `|`: safe inside generated Nagios, NRPE and
/// Icinga 2 configuration and as one argument.
fn is_plain(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 255
        && s.bytes()
            .all(|b| b.is_ascii_graphic() && !b"'\"`$!;|\\#{}".contains(&b))
}

fn is_object_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && !s.starts_with(['-', '.'])
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
}

/// A host name, IPv4/IPv6 address, optionally with `:PORT` (or `[v6]:PORT`).
fn is_address(s: &str) -> bool {
    is_plain(s)
        && !s.starts_with('-')
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:[]".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = r#"
[cloud]
name = "small"
eucalyptus = "4.4"
networking = "EDGE"
ebs = "san"
object_storage = "riak"

[[zone]]
name = "one"

[[host]]
name = "clc1"
address = "10.0.0.1"
roles = ["clc", "ufs"]

[[host]]
name = "cc1"
address = "10.0.0.2"
roles = ["cc", "sc"]
zone = "one"
"#;

    fn mistakes(text: &str) -> Vec<String> {
        match parse("t.toml", text) {
            Ok(_) => Vec::new(),
            Err(e) => e.to_string().lines().map(str::to_string).collect(),
        }
    }

    #[test]
    fn a_small_cloud_parses_with_defaults() {
        let t = parse("t.toml", SMALL).expect("parses");
        assert_eq!(t.cloud.version, Version::new(4, 4));
        assert_eq!(t.hosts.len(), 2);
        assert_eq!(t.hosts[1].roles, vec![Role::Cc, Role::Sc]);
        assert_eq!(t.hosts[1].bond_mode, "802.3ad");
        assert_eq!(t.hosts[1].psus, 2);
        assert_eq!(t.cloud.credentials, DEFAULT_CREDENTIALS);
        assert_eq!(t.hosts[0].at, Pos { line: 12, col: 1 });
    }

    #[test]
    fn an_unknown_role_names_its_line_and_column() {
        let text = SMALL.replace("[\"clc\", \"ufs\"]", "[\"clc\", \"ucs\"]");
        assert_eq!(
            mistakes(&text),
            ["t.toml:15:17: unknown role 'ucs' (roles: clc, ufs, console, osg, walrus, riak, cc, sc, nc, vmware-broker)"]
        );
    }

    #[test]
    fn a_duplicate_host_is_named_where_it_comes_again() {
        let text = SMALL.replace("name = \"cc1\"", "name = \"clc1\"");
        assert_eq!(
            mistakes(&text),
            ["t.toml:18:8: host 'clc1' is declared twice"]
        );
    }

    #[test]
    fn a_missing_address_is_named_at_its_table() {
        let text = SMALL.replace("address = \"10.0.0.2\"\n", "");
        let m = mistakes(&text);
        assert_eq!(m.len(), 1, "{m:?}");
        assert!(m[0].starts_with("t.toml:1"), "{m:?}");
        assert!(m[0].contains("missing field `address`"), "{m:?}");
    }

    #[test]
    fn a_zone_without_cc_is_a_mistake() {
        let text = SMALL.replace("[\"cc\", \"sc\"]", "[\"sc\"]");
        assert_eq!(
            mistakes(&text),
            ["t.toml:9:1: zone 'one' has no Cluster Controller (a host with roles = [\"cc\"] and zone = \"one\")"]
        );
    }

    #[test]
    fn a_zonal_role_needs_a_declared_zone() {
        let text = SMALL.replace("zone = \"one\"", "zone = \"two\"");
        let m = mistakes(&text);
        assert!(
            m.iter()
                .any(|l| l.starts_with("t.toml:21:8: zone 'two' is not declared")),
            "{m:?}"
        );
        let text = SMALL.replace("zone = \"one\"\n", "");
        let m = mistakes(&text);
        assert!(
            m.iter()
                .any(|l| l.contains("host 'cc1' runs cc but names no zone")),
            "{m:?}"
        );
    }

    #[test]
    fn a_typo_in_a_key_is_refused_not_ignored() {
        let text = SMALL.replace(
            "address = \"10.0.0.2\"",
            "address = \"10.0.0.2\"\nbmcc = \"x\"",
        );
        let m = mistakes(&text);
        assert_eq!(m.len(), 1, "{m:?}");
        assert!(
            m[0].starts_with("t.toml:20:1: unknown field `bmcc`"),
            "{m:?}"
        );
    }

    #[test]
    fn values_that_would_break_a_generated_command_line_are_refused() {
        for (from, to) in [
            ("address = \"10.0.0.2\"", "address = \"10.0.0.2 -H x\""),
            ("address = \"10.0.0.2\"", "address = \"--insecure\""),
            ("name = \"cc1\"", "name = \"cc1;rm\""),
        ] {
            let m = mistakes(&SMALL.replace(from, to));
            assert!(!m.is_empty(), "{to} accepted");
        }
    }

    #[test]
    fn partners_must_exist_and_share_an_active_passive_component() {
        let pair = format!(
            "{SMALL}\n[[host]]\nname = \"cc2\"\naddress = \"10.0.0.3\"\nroles = [\"cc\"]\nzone = \"one\"\npartner = \"cc1\"\n"
        );
        assert!(parse("t.toml", &pair).is_ok());
        let m = mistakes(&pair.replace("partner = \"cc1\"", "partner = \"cc9\""));
        assert!(
            m[0].contains("names partner 'cc9', which is not a host"),
            "{m:?}"
        );
        let m = mistakes(&pair.replace("partner = \"cc1\"", "partner = \"clc1\""));
        assert!(m[0].contains("share no active/passive component"), "{m:?}");
    }

    #[test]
    fn versions_outside_the_known_releases_are_refused() {
        let m = mistakes(&SMALL.replace("\"4.4\"", "\"5.0\""));
        assert_eq!(
            m,
            ["t.toml:4:14: Eucalyptus 5.0 is not a release this suite knows (3.4 to 4.4)"]
        );
        let m = mistakes(&SMALL.replace("\"4.4\"", "\"four\""));
        assert!(m[0].contains("'four' is not a Eucalyptus version"), "{m:?}");
        let t = parse("t.toml", &SMALL.replace("\"4.4\"", "\"4.1.2\"")).expect("parses");
        assert_eq!(t.cloud.version, Version::new(4, 1));
        assert!(t.is_active_passive(Role::Clc));
    }

    #[test]
    fn a_toml_syntax_error_names_its_place() {
        let m = mistakes("[cloud\nname = 1\n");
        assert_eq!(m.len(), 1);
        assert!(m[0].starts_with("t.toml:1:"), "{m:?}");
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let lines = Lines::new("# é\nab");
        assert_eq!(lines.pos(4), Pos { line: 1, col: 4 });
        assert_eq!(lines.pos(6), Pos { line: 2, col: 2 });
    }

    #[test]
    fn simulation_args_name_a_host_and_a_service_with_safe_values() {
        let ok =
            format!("{SMALL}\n[simulation.args]\n\"*/ipmi\" = [\"--input\", \"ipmi-sensors=f\"]\n");
        let t = parse("t.toml", &ok).expect("parses");
        assert_eq!(t.simulation.len(), 1);
        assert_eq!(t.simulation[0].host, "*");
        assert_eq!(t.simulation[0].service, "ipmi");
        let drop = format!("{SMALL}\n[simulation.args]\n\"*/san_path\" = [\"!--write-test\"]\n");
        assert_eq!(
            parse("t.toml", &drop).expect("parses").simulation[0].args,
            ["!--write-test"]
        );
        for (key, value, want) in [
            ("ipmi", "x", "the key is HOST/SERVICE"),
            ("nohost/ipmi", "x", "'nohost' is not a host"),
            ("*/ipmi", "a;b", "unsafe in a command line"),
            ("*/ipmi", "!x;y", "unsafe in a command line"),
        ] {
            let text = format!("{SMALL}\n[simulation.args]\n\"{key}\" = [\"{value}\"]\n");
            let m = mistakes(&text);
            assert!(m.iter().any(|l| l.contains(want)), "{key}: {m:?}");
        }
    }
}
