//! The rules (pure), one function per family: the worker images (property set, image exists),
//! the backend services, the ELB workers per load balancer, the imaging worker against the
//! conversion tasks, and workers on NCs that are not ENABLED.
//!
//! Which instances are workers (docs/EUCALYPTUS.md; the fixtures' SOURCES.md names the files):
//! * imaging: an instance carrying a tag whose value is `euca-internal-imaging-workers`
//!   (`ImagingServiceProperties.DEFAULT_LAUNCHER_TAG`, what `verifyWorker` checks);
//! * ELB: an instance of an auto scaling group `euca-internal-elb-<account>-<lb>-<zone>` (4.x,
//!   `getAutoScalingGroupName`; before the per-zone groups `asg-euca-internal-elb-<account>-<lb>`),
//!   read from its `aws:autoscaling:groupName` tag.

use common::euca::conversion_tasks::Task;
use common::euca::describe_images::Image;
use common::euca::describe_instances::Instance;
use common::euca::model::{Service, State};
use common::{Finding, Perfdata, Report};

pub const IMAGING_TAG: &str = "euca-internal-imaging-workers";
pub const IMAGING_IMAGE: &str = "services.imaging.worker.image";
pub const ELB_IMAGE: &str = "services.loadbalancing.worker.image";
pub const ELB_PER_ZONE: &str = "services.loadbalancing.vm_per_zone";

/// Everything read; `None`: that source was not given (its rules are not judged).
#[derive(Debug, Clone, Default)]
pub struct Observed {
    pub instances: Vec<Instance>,
    pub properties: Vec<(String, String)>,
    pub services: Option<Vec<Service>>,
    pub images: Option<Vec<Image>>,
    pub tasks: Option<Vec<Task>>,
}

/// The two worker services.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Imaging,
    Elb,
}

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::Imaging => "imaging",
            Kind::Elb => "ELB",
        }
    }
    fn property(self) -> &'static str {
        match self {
            Kind::Imaging => IMAGING_IMAGE,
            Kind::Elb => ELB_IMAGE,
        }
    }
    fn backend(self) -> &'static str {
        match self {
            Kind::Imaging => "imagingbackend",
            Kind::Elb => "loadbalancingbackend",
        }
    }
}

/// The ELB an instance works for: (account, load balancer name), from its group name.
pub fn elb_of(i: &Instance) -> Option<(String, String)> {
    let group = i.tag("aws:autoscaling:groupName")?;
    let rest = group
        .strip_prefix("euca-internal-elb-")
        .or_else(|| group.strip_prefix("asg-euca-internal-elb-"))?;
    let (account, rest) = rest.split_once('-')?;
    let zone_suffix = format!("-{}", i.zone);
    let name = if i.zone.is_empty() {
        rest
    } else {
        rest.strip_suffix(&zone_suffix).unwrap_or(rest)
    };
    if account.is_empty() || name.is_empty() {
        return None;
    }
    Some((account.to_string(), name.to_string()))
}

pub fn is_imaging_worker(i: &Instance) -> bool {
    i.tags.iter().any(|(_, v)| v == IMAGING_TAG)
}

fn property<'a>(o: &'a Observed, name: &str) -> Option<&'a str> {
    o.properties
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

pub fn evaluate(o: &Observed, report: &mut Report) {
    let mut ok = Vec::new();
    for kind in [Kind::Imaging, Kind::Elb] {
        if let Some(s) = image_rule(o, kind, report) {
            ok.push(s);
        }
        backend_rule(o, kind, report);
    }
    let (elbs, elb_running) = elb_rules(o, report);
    let imaging_running = imaging_rule(o, report);
    node_rule(o, report);
    ok.insert(
        0,
        format!(
            "{elbs} ELB{} with {elb_running} worker{} running; {imaging_running} imaging worker{} running",
            plural(elbs),
            plural(elb_running),
            plural(imaging_running)
        ),
    );
    report.ok_summary(ok.join("; "));
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// The worker image of a service: the property set, naming an image that exists.
fn image_rule(o: &Observed, kind: Kind, report: &mut Report) -> Option<String> {
    let name = kind.property();
    let fix = match kind {
        Kind::Imaging => "install and register the worker image (yum install eucalyptus-service-image; esi-install-image --install-default; esi-manage-stack -a create imaging)",
        Kind::Elb => "install and register the worker image (yum install eucalyptus-service-image; esi-install-image --install-default)",
    };
    let Some(value) = property(o, name) else {
        report.add(
            Finding::unknown(format!(
                "{name} is not in the properties answer: the {} worker image cannot be judged",
                kind.label()
            ))
            .summary(format!("{name} not listed")),
        );
        return None;
    };
    if value.is_empty() || value.eq_ignore_ascii_case("NULL") {
        report.add(
            Finding::critical(format!(
                "{} worker image not set ({name} is {}): resources unavailable, no {} worker can start",
                kind.label(),
                if value.is_empty() { "empty" } else { "NULL" },
                kind.label()
            ))
            .summary(format!("{} worker image not set", kind.label()))
            .hint(fix),
        );
        return None;
    }
    let Some(images) = &o.images else {
        report.add(Finding::ok(format!(
            "{} worker image {value} ({name}); whether it exists is not judged (no DescribeImages)",
            kind.label()
        )));
        return None;
    };
    match images.iter().find(|i| i.id == value) {
        None => {
            report.add(
                Finding::critical(format!(
                    "{} worker image {value} ({name}) does not exist: resources unavailable, no {} worker can start",
                    kind.label(),
                    kind.label()
                ))
                .summary(format!("{} worker image {value} does not exist", kind.label()))
                .hint(fix),
            );
            None
        }
        Some(i) if i.state != "available" => {
            report.add(
                Finding::critical(format!(
                    "{} worker image {value} ({name}) is {}: no {} worker can start",
                    kind.label(),
                    i.state,
                    kind.label()
                ))
                .summary(format!("{} worker image {value} {}", kind.label(), i.state))
                .hint(fix),
            );
            None
        }
        Some(_) => {
            report.add(Finding::ok(format!(
                "{} worker image {value} available",
                kind.label()
            )));
            Some(format!("{} image {value} available", kind.label()))
        }
    }
}

/// The backend service that launches the workers (faults 1014/1015 come as its events).
fn backend_rule(o: &Observed, kind: Kind, report: &mut Report) {
    let Some(services) = &o.services else { return };
    let backends: Vec<&Service> = services
        .iter()
        .filter(|s| s.kind == kind.backend())
        .collect();
    if backends.is_empty() {
        report.add(Finding::ok(format!(
            "no {} service registered",
            kind.backend()
        )));
        return;
    }
    if backends.iter().any(|s| s.state == State::Enabled) {
        report.add(Finding::ok(format!("{} ENABLED", kind.backend())));
        return;
    }
    let states: Vec<String> = backends
        .iter()
        .map(|s| match s.cause() {
            Some(c) => format!("{} {} ({c})", s.label(), s.state),
            None => format!("{} {}", s.label(), s.state),
        })
        .collect();
    report.add(
        Finding::critical(format!(
            "{} not ENABLED: {}",
            kind.backend(),
            states.join(", ")
        ))
        .summary(format!(
            "{} {}",
            kind.backend(),
            backends.first().map(|s| s.state.to_string()).unwrap_or_default()
        ))
        .hint("read /var/log/eucalyptus/cloud-fault.log on the CLC; euserv-describe-services --show-events"),
    );
}

/// Per ELB: no running worker CRITICAL, fewer than zones x vm_per_zone WARNING. Returns the
/// number of ELBs and of ELB workers running.
fn elb_rules(o: &Observed, report: &mut Report) -> (usize, usize) {
    let per_zone = property(o, ELB_PER_ZONE)
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|n| *n > 0)
        .unwrap_or(1);
    // ELBs in order of first appearance: (account, name) -> instances
    let mut elbs: Vec<((String, String), Vec<&Instance>)> = Vec::new();
    for i in &o.instances {
        if let Some(key) = elb_of(i) {
            match elbs.iter_mut().find(|(k, _)| *k == key) {
                Some((_, v)) => v.push(i),
                None => elbs.push((key, vec![i])),
            }
        }
    }
    let mut running_total = 0;
    let mut without = 0;
    for ((account, name), workers) in &elbs {
        let mut zones: Vec<&str> = workers.iter().map(|i| i.zone.as_str()).collect();
        zones.sort_unstable();
        zones.dedup();
        let expected = zones.len() * per_zone;
        let running = workers.iter().filter(|i| i.state == "running").count();
        running_total += running;
        let others: Vec<String> = workers
            .iter()
            .filter(|i| i.state != "running")
            .map(|i| format!("{} {} in {}", i.id, i.state, i.zone))
            .collect();
        let who = format!("ELB {name} (account {account})");
        if running == 0 {
            without += 1;
            report.add(
                Finding::critical(format!(
                    "{who}: no running worker ({}): the load balancer serves nothing",
                    others.join(", ")
                ))
                .summary(format!("{who}: no running worker"))
                .hint("euca-describe-instances verbose --filter tag:aws:autoscaling:groupName=euca-internal-elb-*; check the ELB image, the zone's capacity and /var/log/eucalyptus/cloud-output.log"),
            );
        } else if running < expected {
            report.add(
                Finding::warning(format!(
                    "{who}: {running} of {expected} workers running ({} zone{} x {ELB_PER_ZONE} {per_zone}; {})",
                    zones.len(),
                    plural(zones.len()),
                    others.join(", ")
                ))
                .summary(format!("{who}: {running} of {expected} workers running")),
            );
        } else {
            report.add(Finding::ok(format!(
                "{who}: {running} worker{} running in {}",
                plural(running),
                zones.join(", ")
            )));
        }
    }
    report.perf(Perfdata::new("elbs", elbs.len() as f64).min(0.0));
    report.perf(Perfdata::new("elbs_without_worker", without as f64).min(0.0));
    report.perf(Perfdata::new("elb_workers_running", running_total as f64).min(0.0));
    (elbs.len(), running_total)
}

/// The imaging worker: conversion tasks waiting while none runs is WARNING. Returns the
/// number running.
fn imaging_rule(o: &Observed, report: &mut Report) -> usize {
    let workers: Vec<&Instance> = o
        .instances
        .iter()
        .filter(|i| is_imaging_worker(i))
        .collect();
    let running = workers.iter().filter(|i| i.state == "running").count();
    report.perf(Perfdata::new("imaging_workers_running", running as f64).min(0.0));
    let waiting = o
        .tasks
        .as_ref()
        .map(|t| t.iter().filter(|t| t.is_waiting()).count());
    let listed: Vec<String> = workers
        .iter()
        .map(|i| format!("{} {}", i.id, i.state))
        .collect();
    match waiting {
        Some(n) if n > 0 && running == 0 => {
            let which = if listed.is_empty() {
                "no imaging worker instance".to_string()
            } else {
                format!("imaging worker {}", listed.join(", "))
            };
            report.add(
                Finding::warning(format!(
                    "{n} conversion task{} waiting and no imaging worker running ({which})",
                    plural(n)
                ))
                .summary(format!(
                    "{n} conversion task{} waiting, no imaging worker running",
                    plural(n)
                ))
                .hint("the imaging service starts a worker on demand: check services.imaging.worker.image, the imaging stack (esi-manage-stack -a check imaging) and the zone's capacity"),
            );
        }
        _ => {
            let tasks = match waiting {
                Some(n) => format!("; {n} conversion task{} waiting", plural(n)),
                None => String::new(),
            };
            let list = if listed.is_empty() {
                "none listed (started on demand)".to_string()
            } else {
                listed.join(", ")
            };
            report.add(Finding::ok(format!("imaging workers: {list}{tasks}")));
        }
    }
    running
}

/// A running worker on an NC that is not ENABLED.
fn node_rule(o: &Observed, report: &mut Report) {
    let Some(services) = &o.services else { return };
    for i in o.instances.iter().filter(|i| i.state == "running") {
        let kind = if is_imaging_worker(i) {
            "imaging"
        } else if elb_of(i).is_some() {
            "ELB"
        } else {
            continue;
        };
        let Some(node) = &i.node else { continue };
        if let Some(nc) = services
            .iter()
            .find(|s| s.kind == "node" && (&s.name == node || s.host.as_ref() == Some(node)))
        {
            if nc.state != State::Enabled {
                report.add(
                    Finding::warning(format!(
                        "{kind} worker {} runs on NC {node}, which is {}: it may stop answering",
                        i.id, nc.state
                    ))
                    .summary(format!("{kind} worker {} on NC {node} {}", i.id, nc.state))
                    .hint("bring the NC back (check_euca_nodes, eucalyptus-nc and libvirtd on it), or terminate the worker instance: Eucalyptus starts a new one on an ENABLED NC"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use common::Status;

    fn inst(id: &str, state: &str, zone: &str, tags: &[(&str, &str)]) -> Instance {
        Instance {
            id: id.into(),
            image_id: "emi-1".into(),
            state: state.into(),
            owner: "1".into(),
            zone: zone.into(),
            node: Some("10.0.0.1".into()),
            tags: tags
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    fn elb(id: &str, state: &str, lb: &str, zone: &str) -> Instance {
        let group = format!("euca-internal-elb-000123456789-{lb}-{zone}");
        inst(id, state, zone, &[("aws:autoscaling:groupName", &group)])
    }

    fn observed(instances: Vec<Instance>) -> Observed {
        Observed {
            instances,
            properties: vec![
                (IMAGING_IMAGE.into(), "emi-1".into()),
                (ELB_IMAGE.into(), "emi-2".into()),
            ],
            images: Some(vec![
                Image {
                    id: "emi-1".into(),
                    state: "available".into(),
                    name: String::new(),
                },
                Image {
                    id: "emi-2".into(),
                    state: "available".into(),
                    name: String::new(),
                },
            ]),
            ..Observed::default()
        }
    }

    fn judge(o: &Observed) -> Report {
        let mut r = Report::new();
        evaluate(o, &mut r);
        r
    }

    #[test]
    fn elb_names_come_from_the_group_name_without_the_zone() {
        let i = elb("i-1", "running", "web-front", "one");
        assert_eq!(
            elb_of(&i),
            Some(("000123456789".into(), "web-front".into()))
        );
        let old = inst(
            "i-2",
            "running",
            "one",
            &[(
                "aws:autoscaling:groupName",
                "asg-euca-internal-elb-000123456789-api",
            )],
        );
        assert_eq!(elb_of(&old), Some(("000123456789".into(), "api".into())));
        assert_eq!(
            elb_of(&inst(
                "i-3",
                "running",
                "one",
                &[("aws:autoscaling:groupName", "mine")]
            )),
            None
        );
    }

    #[test]
    fn elb_without_running_worker_is_critical_fewer_than_expected_warns() {
        let r = judge(&observed(vec![elb("i-1", "terminated", "api", "one")]));
        assert_eq!(r.status(), Status::Critical);
        assert_eq!(
            r.summary_text(),
            "ELB api (account 000123456789): no running worker"
        );
        let r = judge(&observed(vec![
            elb("i-1", "running", "web", "one"),
            elb("i-2", "terminated", "web", "two"),
        ]));
        assert_eq!(r.status(), Status::Warning);
        assert_eq!(
            r.summary_text(),
            "ELB web (account 000123456789): 1 of 2 workers running"
        );
        let mut o = observed(vec![elb("i-1", "running", "web", "one")]);
        o.properties.push((ELB_PER_ZONE.into(), "2".into()));
        assert_eq!(judge(&o).status(), Status::Warning);
    }

    #[test]
    fn worker_image_unset_missing_or_deregistered_is_critical() {
        let mut o = observed(vec![]);
        o.properties[1].1 = "NULL".into();
        assert_eq!(judge(&o).summary_text(), "ELB worker image not set");
        let mut o = observed(vec![]);
        o.images.as_mut().unwrap().remove(0);
        assert_eq!(
            judge(&o).summary_text(),
            "imaging worker image emi-1 does not exist"
        );
        let mut o = observed(vec![]);
        o.images.as_mut().unwrap()[1].state = "deregistered".into();
        assert_eq!(
            judge(&o).summary_text(),
            "ELB worker image emi-2 deregistered"
        );
        let mut o = observed(vec![]);
        o.properties.clear();
        assert_eq!(judge(&o).status(), Status::Unknown);
        assert_eq!(judge(&observed(vec![])).status(), Status::Ok);
    }

    #[test]
    fn imaging_worker_down_warns_only_while_tasks_wait() {
        let w = inst("i-9", "stopped", "one", &[("Name", IMAGING_TAG)]);
        let mut o = observed(vec![w]);
        assert_eq!(judge(&o).status(), Status::Ok);
        o.tasks = Some(vec![Task {
            id: "import-i-1".into(),
            state: "active".into(),
            message: String::new(),
        }]);
        let r = judge(&o);
        assert_eq!(r.status(), Status::Warning);
        assert_eq!(
            r.summary_text(),
            "1 conversion task waiting, no imaging worker running"
        );
        o.instances[0].state = "running".into();
        assert_eq!(judge(&o).status(), Status::Ok);
    }

    #[test]
    fn a_worker_on_an_nc_not_enabled_warns_and_a_backend_down_is_critical() {
        let mut o = observed(vec![elb("i-1", "running", "web", "one")]);
        o.services = Some(vec![
            Service::new("node", "one", "10.0.0.1", State::NotReady),
            Service::new(
                "loadbalancingbackend",
                "eucalyptus",
                "10.0.0.9",
                State::Enabled,
            ),
        ]);
        let r = judge(&o);
        assert_eq!(r.status(), Status::Warning);
        assert_eq!(r.summary_text(), "ELB worker i-1 on NC 10.0.0.1 NOTREADY");
        o.services.as_mut().unwrap()[1].state = State::NotReady;
        assert_eq!(judge(&o).status(), Status::Critical);
    }
}
