//! The rules (pure): zones and their capacity from DescribeAvailabilityZones `verbose`, NC
//! states from DescribeServices. One function per family: how a zone is listed, its capacity,
//! the reference VM type's free share, its NCs.

use common::euca::availability_zones::{Zone, ZoneState};
use common::euca::model::{Service, State};
use common::{Finding, Perfdata, Range, Report, Uom};

/// A `-w`/`-c` limit on the reference type's free instances: under `value` instances, or
/// under `value` percent of max.
#[derive(Debug, Clone, PartialEq)]
pub struct Limit {
    pub value: f64,
    pub percent: bool,
    /// The same as a standard range (`value:`: alerts below), for perfdata.
    pub range: Range,
}

impl Limit {
    /// `10` or `10%`.
    pub fn parse(option: &str, text: &str) -> Result<Limit, String> {
        let t = text.trim();
        let (number, percent) = match t.strip_suffix('%') {
            Some(n) => (n, true),
            None => (t, false),
        };
        let value: f64 = number
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite() && *v >= 0.0 && number.bytes().all(|b| b.is_ascii_digit() || b == b'.'))
            .ok_or_else(|| {
                format!("{option} '{text}': give free instances (10) or a percent of max (10%), under which it alerts")
            })?;
        if percent && value > 100.0 {
            return Err(format!("{option} '{text}': a percent is at most 100%"));
        }
        let range = Range::parse(&format!("{number}:")).map_err(|e| format!("{option}: {e}"))?;
        Ok(Limit {
            value,
            percent,
            range,
        })
    }

    fn alerts(&self, free: u64, max: u64) -> bool {
        let v = if self.percent {
            percent(free, max)
        } else {
            free as f64
        };
        v < self.value
    }

    fn describe(&self) -> String {
        if self.percent {
            format!("under {}% of max", self.range_number())
        } else {
            format!("under {}", self.range_number())
        }
    }

    fn range_number(&self) -> String {
        self.range.to_string().trim_end_matches(':').to_string()
    }
}

#[derive(Debug, Clone, Default)]
pub struct Rules {
    /// The zones judged, each of which must be listed (`--zone`); none: every zone listed.
    pub zones: Vec<String>,
    /// The reference VM type (`--vm-type`).
    pub vm_type: String,
    pub warning: Option<Limit>,
    pub critical: Option<Limit>,
    /// CRITICAL when a zone has fewer ENABLED NCs (`--min-nodes`).
    pub min_nodes: Option<usize>,
    /// The zones were asked with `verbose` (over HTTP): an answer without capacity means the
    /// credentials are not an admin's.
    pub asked_verbose: bool,
}

fn percent(free: u64, max: u64) -> f64 {
    if max == 0 {
        0.0
    } else {
        free as f64 * 100.0 / max as f64
    }
}

/// A perfdata label: zone and what, every character but letters and digits as `_`
/// (`one_m1_small_free`).
fn label(zone: &str, what: &str) -> String {
    format!("{zone}_{what}")
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// Judge everything. `services` is DescribeServices' list (or the nodes listing) when it was
/// read, None when no NC states were given.
pub fn evaluate(zones: &[Zone], services: Option<&[Service]>, rules: &Rules, report: &mut Report) {
    // --zone picks the zones judged: a generated configuration has one service per zone, and
    // zone two's exhausted capacity or missing NCs is "Capacity two"'s alarm, not also
    // "Capacity one"'s (--min-nodes is each zone's own count).
    let (picked_zones, picked_services);
    let (zones, services) = if rules.zones.is_empty() {
        (zones, services)
    } else {
        let judged = |zone: &str| rules.zones.iter().any(|z| z == zone);
        picked_zones = zones
            .iter()
            .filter(|z| judged(&z.name))
            .cloned()
            .collect::<Vec<Zone>>();
        picked_services = services
            .unwrap_or(&[])
            .iter()
            .filter(|s| judged(&s.partition))
            .cloned()
            .collect::<Vec<Service>>();
        (&picked_zones[..], services.map(|_| &picked_services[..]))
    };
    listing(zones, services, rules, report);
    let verbose = zones.iter().filter(|z| z.is_verbose()).count();
    if verbose == 0 && !zones.is_empty() {
        let text =
            "the zones are listed without capacity (no 'verbose' answer): free and max not judged";
        if rules.asked_verbose {
            report.add(Finding::warning(text).summary("DescribeAvailabilityZones verbose listed no capacity").hint(
                "capacity is listed only to an admin of the eucalyptus account: check the access key in --credentials",
            ));
        } else {
            report.add(Finding::ok(text));
        }
    }
    let mut summary = Vec::new();
    for zone in zones.iter().filter(|z| z.is_verbose()) {
        if let Some(s) = capacity(zone, rules, report) {
            summary.push(s);
        }
    }
    let mut enabled_total = 0;
    if let Some(services) = services {
        enabled_total = node_rules(zones, services, rules, report);
    }
    let mut ok = Vec::new();
    let zone_count = zones
        .iter()
        .filter(|z| z.state != ZoneState::Unavailable)
        .count();
    ok.push(format!(
        "{zone_count} zone{} available",
        if zone_count == 1 { "" } else { "s" }
    ));
    if !summary.is_empty() {
        ok.push(format!("{} free {}", rules.vm_type, summary.join(", ")));
    }
    if services.is_some() {
        let s = if enabled_total == 1 { "" } else { "s" };
        ok.push(format!("{enabled_total} NC{s} ENABLED"));
    }
    report.ok_summary(ok.join("; "));
}

/// How each zone is listed: unavailable, absent when expected, listed with another word.
fn listing(zones: &[Zone], services: Option<&[Service]>, rules: &Rules, report: &mut Report) {
    for zone in zones {
        match &zone.state {
            ZoneState::Unavailable => {
                report.add(
                    Finding::critical(format!(
                        "zone {} unavailable: its cluster controller is not ENABLED, no instance can start there{}",
                        zone.name,
                        messages(zone)
                    ))
                    .summary(format!("zone {} unavailable", zone.name))
                    .hint("check the zone's CC (euserv-describe-services --filter service-type=cluster; on the CC host: systemctl status eucalyptus-cluster)"),
                );
            }
            ZoneState::Other(word) => {
                report.add(
                    Finding::warning(format!(
                        "zone {} listed as '{word}'{}",
                        zone.name,
                        messages(zone)
                    ))
                    .summary(format!("zone {} {word}", zone.name)),
                );
            }
            _ => {}
        }
    }
    // Expected: --zone, and every zone that has a cluster controller or an NC registered. A
    // verbose answer leaves out a zone whose cluster is not ENABLED; and a listing cut between
    // two zones' blocks reads as a whole shorter one, so the NCs' zones are what shows it.
    let mut expected: Vec<&str> = rules.zones.iter().map(String::as_str).collect();
    for s in services.unwrap_or(&[]) {
        if (s.kind == "cluster" || s.kind == "node")
            && !s.partition.is_empty()
            && !expected.contains(&s.partition.as_str())
        {
            expected.push(&s.partition);
        }
    }
    for name in expected {
        if zones.iter().any(|z| z.name == name) {
            continue;
        }
        let why = if rules.zones.iter().any(|z| z == name) {
            "expected (--zone)"
        } else if services
            .unwrap_or(&[])
            .iter()
            .any(|s| s.kind == "cluster" && s.partition == name)
        {
            "it has a cluster controller registered"
        } else {
            "it has NCs registered"
        };
        report.add(
            Finding::critical(format!(
                "zone {name} absent from DescribeAvailabilityZones, {why}: a verbose answer leaves out a zone whose cluster controller is not ENABLED"
            ))
            .summary(format!("zone {name} absent"))
            .hint("check the zone's CC (euserv-describe-services --filter partition=ZONE) and that the zone name is spelled as registered"),
        );
    }
}

fn messages(zone: &Zone) -> String {
    if zone.messages.is_empty() {
        String::new()
    } else {
        format!(" ({})", zone.messages.join("; "))
    }
}

/// One verbose zone's capacity; the reference type's `zone free/max` for the OK summary.
fn capacity(zone: &Zone, rules: &Rules, report: &mut Report) -> Option<String> {
    let hosted: Vec<_> = zone.types.iter().filter(|t| t.max > 0).collect();
    if hosted.is_empty() {
        report.add(
            Finding::critical(format!(
                "zone {}: no NC contributes capacity (max 0 for every one of {} VM types)",
                zone.name,
                zone.types.len()
            ))
            .summary(format!("zone {}: no NC contributes capacity", zone.name))
            .hint("check the zone's NCs (euserv-describe-node-controllers): ENABLED, eucalyptus-node and libvirtd running, clocks in sync with the CC"),
        );
    } else if hosted.iter().all(|t| t.free == 0) {
        report.add(
            Finding::critical(format!(
                "zone {}: resources unavailable, free 0 for every VM type an NC can host ({} types)",
                zone.name,
                hosted.len()
            ))
            .summary(format!("zone {}: resources unavailable", zone.name))
            .hint("no instance can start in this zone: add NCs or terminate instances (euca-describe-instances --filter availability-zone=ZONE)"),
        );
    }
    let zone_down = hosted.is_empty() || hosted.iter().all(|t| t.free == 0);
    let Some(t) = zone.vm_type(&rules.vm_type) else {
        let names: Vec<&str> = zone.types.iter().map(|t| t.name.as_str()).take(6).collect();
        report.add(
            Finding::unknown(format!(
                "zone {} lists no VM type {} (it lists {}...)",
                zone.name,
                rules.vm_type,
                names.join(", ")
            ))
            .summary(format!("zone {}: no VM type {}", zone.name, rules.vm_type))
            .hint("give --vm-type as euca-describe-instance-types lists it"),
        );
        return None;
    };
    let pct = percent(t.free, t.max);
    let ranges = |percent: bool| {
        let pick = |l: &Option<Limit>| {
            l.as_ref()
                .filter(|l| l.percent == percent)
                .map(|l| l.range.clone())
        };
        (pick(&rules.warning), pick(&rules.critical))
    };
    let (w, c) = ranges(false);
    report.perf(
        Perfdata::new(
            label(&zone.name, &format!("{}_free", t.name)),
            t.free as f64,
        )
        .warn(w.as_ref())
        .crit(c.as_ref())
        .min(0.0)
        .max(t.max as f64),
    );
    report
        .perf(Perfdata::new(label(&zone.name, &format!("{}_max", t.name)), t.max as f64).min(0.0));
    let (w, c) = ranges(true);
    report.perf(
        Perfdata::new(
            label(&zone.name, &format!("{}_free_pct", t.name)),
            (pct * 10.0).round() / 10.0,
        )
        .uom(Uom::Percent)
        .warn(w.as_ref())
        .crit(c.as_ref())
        .min(0.0)
        .max(100.0),
    );
    let line = format!(
        "zone {}: {} free {} of {} ({:.0}%), CC {}",
        zone.name,
        t.name,
        t.free,
        t.max,
        pct,
        match &zone.state {
            ZoneState::Cluster { host, .. } => host.as_str(),
            _ => "?",
        }
    );
    if t.max == 0 {
        // Too large for every NC of the zone: normal, never an alarm.
        report.add(Finding::ok(format!(
            "{line}: no NC can host {} (max 0), its free share is not judged",
            t.name
        )));
        return Some(format!("{} {}/{}", zone.name, t.free, t.max));
    }
    let alarm = if zone_down {
        None
    } else if let Some(l) = rules.critical.as_ref().filter(|l| l.alerts(t.free, t.max)) {
        Some((true, l))
    } else {
        rules
            .warning
            .as_ref()
            .filter(|l| l.alerts(t.free, t.max))
            .map(|l| (false, l))
    };
    match alarm {
        Some((critical, limit)) => {
            let text = format!(
                "zone {}: {} free {} of {} ({:.0}%, {} {})",
                zone.name,
                t.name,
                t.free,
                t.max,
                pct,
                if critical { "critical" } else { "warning" },
                limit.describe()
            );
            let f = if critical {
                Finding::critical(line)
            } else {
                Finding::warning(line)
            };
            report.add(
                f.summary(text)
                    .hint("add NC capacity to the zone or terminate instances"),
            );
        }
        None => {
            report.add(Finding::ok(line));
        }
    }
    Some(format!("{} {}/{}", zone.name, t.free, t.max))
}

/// NC states per zone; the number of ENABLED NCs in all.
fn node_rules(zones: &[Zone], services: &[Service], rules: &Rules, report: &mut Report) -> usize {
    let nodes: Vec<&Service> = services.iter().filter(|s| s.kind == "node").collect();
    // Zones: those listed, then those only the NCs name, in order of appearance.
    let mut names: Vec<&str> = zones.iter().map(|z| z.name.as_str()).collect();
    for n in &nodes {
        if !names.contains(&n.partition.as_str()) {
            names.push(&n.partition);
        }
    }
    for z in &rules.zones {
        if !names.contains(&z.as_str()) {
            names.push(z);
        }
    }
    let mut total = 0;
    for zone in names {
        let here: Vec<&&Service> = nodes.iter().filter(|n| n.partition == zone).collect();
        let enabled = here.iter().filter(|n| n.state == State::Enabled).count();
        total += enabled;
        let not: Vec<String> = here
            .iter()
            .filter(|n| n.state != State::Enabled)
            .map(|n| match n.cause() {
                Some(c) => format!("NC {} {} ({c})", n.label(), n.state),
                None => format!("NC {} {}", n.label(), n.state),
            })
            .collect();
        let min = rules
            .min_nodes
            .and_then(|m| Range::parse(&format!("{m}:")).ok());
        report.perf(
            Perfdata::new(label(zone, "nodes_enabled"), enabled as f64)
                .crit(min.as_ref())
                .min(0.0)
                .max(here.len() as f64),
        );
        if !not.is_empty() {
            report.add(
                Finding::warning(format!(
                    "zone {zone}: {} of {} NCs not ENABLED: {}",
                    not.len(),
                    here.len(),
                    not.join(", ")
                ))
                    .summary(format!("zone {zone}: {}", not.join(", ")))
                    .hint("on the NC: systemctl status eucalyptus-node libvirtd; a DISABLED NC is enabled again with euserv-enable-service"),
            );
        }
        match rules.min_nodes {
            Some(m) if enabled < m => {
                report.add(
                    Finding::critical(format!(
                        "zone {zone}: {enabled} of {} NCs ENABLED, fewer than --min-nodes {m}: instances may not start or fit",
                        here.len()
                    ))
                    .summary(format!(
                        "zone {zone}: {enabled} NC{} ENABLED (minimum {m})",
                        if enabled == 1 { "" } else { "s" }
                    )),
                );
            }
            _ => {
                report.add(Finding::ok(format!(
                    "zone {zone}: {enabled} of {} NCs ENABLED",
                    here.len()
                )));
            }
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use common::euca::availability_zones::VmType;
    use common::Status;

    fn zone(name: &str, types: &[(&str, u64, u64)]) -> Zone {
        Zone {
            name: name.into(),
            state: ZoneState::Cluster {
                host: "10.1.1.1".into(),
                name: format!("arn:euca:eucalyptus:{name}:cluster:{name}-cc-1/"),
            },
            types: types
                .iter()
                .map(|(n, free, max)| VmType {
                    name: n.to_string(),
                    free: *free,
                    max: *max,
                    cpu: 1,
                    ram_mb: 256,
                    disk_gb: 5,
                })
                .collect(),
            messages: vec![],
        }
    }

    fn rules() -> Rules {
        Rules {
            vm_type: "m1.small".into(),
            ..Rules::default()
        }
    }

    fn judge(zones: &[Zone], services: Option<&[Service]>, rules: &Rules) -> Report {
        let mut r = Report::new();
        evaluate(zones, services, rules, &mut r);
        r
    }

    #[test]
    fn free_zero_for_every_hosted_type_is_resources_unavailable_and_huge_types_never_alarm() {
        let z = zone(
            "two",
            &[
                ("m1.small", 0, 32),
                ("c1.medium", 0, 16),
                ("hs1.8xlarge", 0, 0),
            ],
        );
        let r = judge(&[z], None, &rules());
        assert_eq!(r.status(), Status::Critical);
        assert_eq!(r.summary_text(), "zone two: resources unavailable");
        let z = zone("one", &[("m1.small", 1, 32), ("hs1.8xlarge", 0, 0)]);
        assert_eq!(judge(&[z], None, &rules()).status(), Status::Ok);
    }

    #[test]
    fn max_zero_everywhere_is_no_nc_contributing() {
        let z = zone("one", &[("m1.small", 0, 0), ("hs1.8xlarge", 0, 0)]);
        let r = judge(&[z], None, &rules());
        assert_eq!(r.summary_text(), "zone one: no NC contributes capacity");
    }

    #[test]
    fn reference_type_under_percent_or_absolute_limits() {
        let z = zone("one", &[("m1.small", 4, 48), ("c1.medium", 10, 24)]);
        let mut ru = rules();
        ru.warning = Some(Limit::parse("-w", "20%").unwrap());
        ru.critical = Some(Limit::parse("-c", "5").unwrap());
        let r = judge(std::slice::from_ref(&z), None, &ru);
        assert_eq!(r.status(), Status::Critical);
        assert_eq!(
            r.summary_text(),
            "zone one: m1.small free 4 of 48 (8%, critical under 5)"
        );
        ru.critical = Some(Limit::parse("-c", "4").unwrap());
        let r = judge(std::slice::from_ref(&z), None, &ru);
        assert_eq!(
            r.summary_text(),
            "zone one: m1.small free 4 of 48 (8%, warning under 20% of max)"
        );
        let free = r
            .perfdata()
            .iter()
            .find(|p| p.label == "one_m1_small_free")
            .unwrap();
        assert_eq!(free.render().unwrap(), "'one_m1_small_free'=4;;4:;0;48");
        let pct = r
            .perfdata()
            .iter()
            .find(|p| p.label == "one_m1_small_free_pct")
            .unwrap();
        assert_eq!(
            pct.render().unwrap(),
            "'one_m1_small_free_pct'=8.3%;20:;;0;100"
        );
        assert!(Limit::parse("-w", "101%").is_err());
        assert!(Limit::parse("-w", "-1").is_err());
        assert!(Limit::parse("-w", "ten").is_err());
        // a reference type too large for any NC never alarms
        let z = zone("one", &[("m1.small", 0, 0), ("c1.medium", 10, 24)]);
        assert_eq!(judge(&[z], None, &ru).status(), Status::Ok);
    }

    #[test]
    fn unavailable_and_absent_zones_are_critical() {
        let mut two = zone("two", &[]);
        two.state = ZoneState::Unavailable;
        let mut one = zone("one", &[]);
        one.state = ZoneState::Available;
        let r = judge(&[one.clone(), two], None, &rules());
        assert_eq!(r.summary_text(), "zone two unavailable");
        let mut ru = rules();
        ru.zones = vec!["three".into()];
        let r = judge(&[one.clone()], None, &ru);
        assert_eq!(r.summary_text(), "zone three absent");
        // a zone with a registered CC is expected without --zone
        let cc = Service::new("cluster", "four", "four-cc-1", State::Enabled);
        let r = judge(&[one], Some(&[cc]), &rules());
        assert_eq!(r.status(), Status::Critical);
        assert!(
            r.summary_text().starts_with("zone four absent"),
            "{}",
            r.summary_text()
        );
    }

    #[test]
    fn zone_picks_the_zones_judged_with_their_own_nodes() {
        // Zone two exhausted and short of NCs: the alarm of zone two's service only.
        let one = zone("one", &[("m1.small", 10, 48)]);
        let two = zone("two", &[("m1.small", 0, 48)]);
        let nodes = [
            Service::new("node", "one", "10.0.0.1", State::Enabled),
            Service::new("node", "one", "10.0.0.2", State::Enabled),
            Service::new("node", "two", "10.0.0.3", State::NotReady),
        ];
        let mut ru = rules();
        ru.min_nodes = Some(2);
        ru.zones = vec!["one".into()];
        let r = judge(&[one.clone(), two.clone()], Some(&nodes), &ru);
        assert_eq!(r.status(), Status::Ok, "{}", r.summary_text());
        assert_eq!(
            r.summary_text(),
            "1 zone available; m1.small free one 10/48; 2 NCs ENABLED"
        );
        ru.zones = vec!["two".into()];
        let r = judge(&[one.clone(), two.clone()], Some(&nodes), &ru);
        assert_eq!(r.status(), Status::Critical);
        assert!(
            r.summary_text().contains("zone two"),
            "{}",
            r.summary_text()
        );
        assert!(
            !r.summary_text().contains("zone one"),
            "{}",
            r.summary_text()
        );
        // without --zone every zone is judged
        ru.zones = Vec::new();
        let r = judge(&[one, two], Some(&nodes), &ru);
        assert_eq!(r.status(), Status::Critical);
        assert!(
            r.summary_text().contains("zone two"),
            "{}",
            r.summary_text()
        );
    }

    #[test]
    fn a_zone_with_ncs_but_no_zone_block_is_absent_as_a_listing_cut_between_zones_reads() {
        // DescribeAvailabilityZones cut after zone one's block: zone two's NCs show it.
        let one = zone("one", &[("m1.small", 10, 48)]);
        let nodes = [
            Service::new("node", "one", "10.0.0.1", State::Enabled),
            Service::new("node", "two", "10.0.0.2", State::Enabled),
        ];
        let r = judge(&[one], Some(&nodes), &rules());
        assert_eq!(r.status(), Status::Critical);
        assert!(
            r.summary_text().starts_with("zone two absent"),
            "{}",
            r.summary_text()
        );
        assert!(r
            .findings()
            .iter()
            .any(|f| f.detail.contains("it has NCs registered")));
    }

    #[test]
    fn ncs_not_enabled_warn_and_too_few_are_critical() {
        let z = zone("one", &[("m1.small", 10, 48)]);
        let nodes = [
            Service::new("node", "one", "10.0.0.1", State::Enabled),
            Service::new("node", "one", "10.0.0.2", State::NotReady),
        ];
        let r = judge(std::slice::from_ref(&z), Some(&nodes), &rules());
        assert_eq!(r.status(), Status::Warning);
        assert_eq!(r.summary_text(), "zone one: NC 10.0.0.2 NOTREADY");
        let mut ru = rules();
        ru.min_nodes = Some(2);
        let r = judge(&[z], Some(&nodes), &ru);
        assert_eq!(r.status(), Status::Critical);
        assert_eq!(
            r.summary_text(),
            "zone one: 1 NC ENABLED (minimum 2); zone one: NC 10.0.0.2 NOTREADY"
        );
        let p = r
            .perfdata()
            .iter()
            .find(|p| p.label == "one_nodes_enabled")
            .unwrap();
        assert_eq!(p.render().unwrap(), "'one_nodes_enabled'=1;;2:;0;2");
    }

    #[test]
    fn a_non_verbose_answer_warns_only_when_verbose_was_asked() {
        let mut one = zone("one", &[]);
        one.state = ZoneState::Available;
        assert_eq!(judge(&[one.clone()], None, &rules()).status(), Status::Ok);
        let mut ru = rules();
        ru.asked_verbose = true;
        assert_eq!(judge(&[one], None, &ru).status(), Status::Warning);
    }
}
