//! Icinga 2's own distributed monitoring (no home-made distribution): `zones.conf` with the
//! master zone and endpoint, with `--distributed` one satellite zone per Eucalyptus zone, an
//! agent zone and endpoint per host (named after the host: its Icinga 2 NodeName), whose parent
//! is its zone's satellite (or the master), and the global zone the CheckCommands, templates and
//! apply rules are synced in.

use super::checkcommand::quote;
use super::{header, Settings};
use topology::{Host, Topology};

pub const MASTER: &str = "master";
pub const GLOBAL: &str = "global-templates";

/// The Icinga 2 zone of a Eucalyptus zone's satellite.
pub fn satellite_zone(zone: &str) -> String {
    format!("zone-{zone}")
}

/// The zone the host object (and its services asked from the monitor) lives in: its
/// Eucalyptus zone's satellite with `--distributed`, else the master.
pub fn zone_of(host: Option<&Host>, settings: &Settings) -> String {
    match host.and_then(|h| h.zone.as_deref()) {
        Some(z) if settings.distributed => satellite_zone(z),
        _ => MASTER.to_string(),
    }
}

/// With `--distributed` every Eucalyptus zone needs its satellite.
pub fn check(t: &Topology, settings: &Settings) -> Result<(), String> {
    if !settings.distributed {
        return Ok(());
    }
    let missing: Vec<String> = t
        .zones
        .iter()
        .filter(|z| z.satellite.is_none())
        .map(|z| {
            format!(
                "{}:{}: zone '{}' has no satellite: --distributed needs `satellite = {{ name = ..., address = ... }}` in its [[zone]]",
                settings.file, z.at, z.name
            )
        })
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(missing.join("\n"))
    }
}

fn endpoint(name: &str, address: Option<&str>) -> String {
    match address {
        Some(a) => format!(
            "object Endpoint {} {{\n  host = {}\n}}\n",
            quote(name),
            quote(a)
        ),
        None => format!("object Endpoint {} {{\n}}\n", quote(name)),
    }
}

fn zone(name: &str, endpoints: &[&str], parent: Option<&str>) -> String {
    let list: Vec<String> = endpoints.iter().map(|e| quote(e)).collect();
    let mut out = format!(
        "object Zone {} {{\n  endpoints = [ {} ]\n",
        quote(name),
        list.join(", ")
    );
    if let Some(p) = parent {
        out.push_str(&format!("  parent = {}\n", quote(p)));
    }
    out.push_str("}\n\n");
    out
}

pub fn zones_conf(t: &Topology, settings: &Settings) -> String {
    let mut out = header(
        "//",
        "Icinga 2 zones and endpoints of euca-checks: the same /etc/icinga2/zones.conf on the master, satellites and agents.",
        settings,
    );
    out.push_str("// The master: the monitoring server of the topology.\n");
    out.push_str(&endpoint(&t.monitoring.name, None));
    out.push_str(&zone(MASTER, &[&t.monitoring.name], None));
    if settings.distributed {
        out.push_str("// One satellite per Eucalyptus zone: it checks the zone's hosts.\n");
        for z in &t.zones {
            if let Some(s) = &z.satellite {
                out.push_str(&endpoint(&s.name, Some(&s.address)));
                out.push_str(&zone(&satellite_zone(&z.name), &[&s.name], Some(MASTER)));
            }
        }
    }
    out.push_str(
        "// An agent on every host: it runs the host-local checks (command_endpoint). Its\n\
         // NodeName (node wizard) is the host's name here.\n",
    );
    for h in &t.hosts {
        out.push_str(&endpoint(&h.name, Some(&h.address)));
        out.push_str(&zone(
            &h.name,
            &[&h.name],
            Some(&zone_of(Some(h), settings)),
        ));
    }
    out.push_str("// CheckCommands, templates, users and apply rules, synced to every node.\n");
    out.push_str(&format!(
        "object Zone {} {{\n  global = true\n}}\n",
        quote(GLOBAL)
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::super::tests::topology;
    use super::*;
    use crate::generate::Format;

    #[test]
    fn agents_report_to_their_zones_satellite() {
        let t = topology("reference.toml");
        let mut s = Settings::new(Format::Icinga2, "reference.toml");
        s.distributed = true;
        let text = zones_conf(&t, &s);
        assert!(text.contains("object Zone \"zone-one\" {\n  endpoints = [ \"mon-one\" ]\n  parent = \"master\"\n}"), "{text}");
        assert!(text.contains("object Zone \"nc-two-1\" {\n  endpoints = [ \"nc-two-1\" ]\n  parent = \"zone-two\"\n}"));
        assert!(text.contains(
            "object Zone \"clc1\" {\n  endpoints = [ \"clc1\" ]\n  parent = \"master\"\n}"
        ));
        s.distributed = false;
        let text = zones_conf(&t, &s);
        assert!(!text.contains("zone-one"));
        assert!(text.contains(
            "object Zone \"nc-two-1\" {\n  endpoints = [ \"nc-two-1\" ]\n  parent = \"master\"\n}"
        ));
    }

    #[test]
    fn a_zone_without_satellite_is_named_with_its_line() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../samples/topology/reference.toml"
        ))
        .unwrap()
        .replace(
            "satellite = { name = \"mon-two\", address = \"10.111.7.12\" }\n",
            "",
        );
        let t = topology::parse("t.toml", &text).unwrap();
        let mut s = Settings::new(Format::Icinga2, "t.toml");
        assert!(check(&t, &s).is_ok());
        s.distributed = true;
        let e = check(&t, &s).unwrap_err();
        let line = text
            .lines()
            .position(|l| l.contains("name = \"two\""))
            .unwrap();
        // The [[zone]] header's line or its name's: either way the admin finds it.
        assert!(
            e.starts_with(&format!("t.toml:{}:", line + 1))
                || e.starts_with(&format!("t.toml:{}:", line)),
            "{e}"
        );
        assert!(e.contains("zone 'two' has no satellite"), "{e}");
    }
}
