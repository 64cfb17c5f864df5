//! The body of every fuzz target, one function per parser (the files under `fuzz_targets/`
//! are one line each). Each function feeds the input to the parser the way its plugin does
//! (valid UTF-8 text, as the kit's readers hand it over, or bytes for the binary formats),
//! then exercises what the plugin does next with a model: print it, render its error
//! message, evaluate it and render the report, so a panic anywhere after the parse counts.
//!
//! Beyond "no panic" the checks are the suite's output promises: a rendered report keeps its
//! first line one line with at most one `|`, stays inside max-output, and a parsed range or
//! perfdata item written back reads back the same.

use common::{Report, Status};

/// The bytes as text, as the kit hands a host file or saved input to a parser (anything not
/// UTF-8 is refused by the kit before any parser sees it).
fn text(data: &[u8]) -> Option<&str> {
    std::str::from_utf8(data).ok()
}

/// A selector byte and the rest, for targets that cover several small readers of one source.
fn split(data: &[u8]) -> Option<(u8, &[u8])> {
    data.split_first().map(|(b, rest)| (*b, rest))
}

/// Render a report as the runner would, at two max-output sizes, and check the output promises.
fn render(report: &Report) {
    for max in [256usize, 4096] {
        for verbosity in [0u8, 3] {
            // An Err is a perfdata item the kit refuses to write (the runner turns it into
            // UNKNOWN); not a crash.
            if let Ok(out) = report.render("CHECK_FUZZ", verbosity, max) {
                let first = out.lines().next().unwrap_or("");
                assert!(
                    first.starts_with("CHECK_FUZZ "),
                    "first line does not start with the service name: {first:?}"
                );
                assert!(
                    first.matches('|').count() <= 1,
                    "more than one | on the first line: {first:?}"
                );
                assert!(
                    out.len() <= max,
                    "output of {} bytes over max-output {max}",
                    out.len()
                );
            }
        }
    }
    let _ = report.status();
}

/// A parser's verdict: the model printed (Debug walks all of it) or the error's message
/// (which often quotes the input at an offset: a slice off a char boundary panics there).
fn seen<T: std::fmt::Debug, E: std::fmt::Display>(r: &Result<T, E>) {
    match r {
        Ok(t) => {
            let _ = format!("{t:?}");
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
}

// ---------------------------------------------------------------- common

/// `-w`/`-c` ranges: parse, then the written form reads back to the same range.
pub fn range(data: &[u8]) {
    let Some(t) = text(data) else { return };
    let Ok(r) = common::Range::parse(t) else {
        return;
    };
    for v in [
        0.0,
        -1.0,
        1.0,
        10.0,
        1e300,
        f64::NAN,
        f64::INFINITY,
        -f64::INFINITY,
    ] {
        let _ = r.alerts(v);
    }
    let written = r.to_string();
    let again = common::Range::parse(&written)
        .unwrap_or_else(|e| panic!("{t:?} parsed, but its written form {written:?} does not: {e}"));
    assert_eq!(
        again.to_string(),
        written,
        "range {t:?} does not round-trip"
    );
    assert_eq!(again.alerts_inside(), r.alerts_inside());
}

/// Perfdata as another tool writes it: parse, render each item, reparse the rendering.
pub fn perfdata(data: &[u8]) {
    let Some(t) = text(data) else { return };
    let _ = common::Uom::parse(t);
    let Ok(items) = common::perfdata::parse_perfdata(t) else {
        return;
    };
    let mut report = Report::new();
    for p in &items {
        if let Ok(line) = p.render() {
            let back = common::perfdata::parse_perfdata(&line)
                .unwrap_or_else(|e| panic!("rendered {line:?} does not parse back: {e}"));
            assert_eq!(back.len(), 1, "rendered {line:?} is {} items", back.len());
            assert_eq!(
                back[0].label, p.label,
                "label does not round-trip through {line:?}"
            );
        }
        report.perf(p.clone());
    }
    report.add(common::Finding::new(Status::Ok, t));
    render(&report);
}

/// Arbitrary text as a finding's detail, summary and hint, a headline and verbose lines.
pub fn report_text(data: &[u8]) {
    let Some(t) = text(data) else { return };
    let mut parts = t.splitn(4, '\u{0}');
    let (a, b, c, d) = (
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
    );
    let mut report = Report::new();
    report.add(common::Finding::warning(a).summary(b).hint(c));
    report.headline(d);
    report.verbose(1, a);
    report.perf(common::Perfdata::new("fuzz", 1.0));
    render(&report);
}

/// The kit's depth-limited XML reader.
pub fn xml(data: &[u8]) {
    let Some(t) = text(data) else { return };
    if let Ok(doc) = common::xml::parse(t, 32) {
        let root = doc.root();
        let _ = doc.name(root);
        for n in doc.descendants(root) {
            let _ = doc.name(n);
            let _ = doc.text_of(n);
            let _ = doc.attribute(n, "type");
        }
    }
    let _ = common::euca::describe_services::xml_depth_over(t, 32);
}

pub fn describe_services(data: &[u8]) {
    let Some(t) = text(data) else { return };
    let r = common::euca::describe_services::parse(t);
    seen(&r);
    if let Ok(common::euca::describe_services::Answer::Services(services)) = r {
        let mut report = Report::new();
        check_euca_clc::evaluate::evaluate(
            &services,
            &check_euca_clc::evaluate::Rules::default(),
            &mut report,
        );
        render(&report);
    }
}

pub fn availability_zones(data: &[u8]) {
    let Some(t) = text(data) else { return };
    let r = common::euca::availability_zones::parse(t);
    seen(&r);
    if let Ok(common::euca::availability_zones::Answer::Zones(zones)) = r {
        let mut report = Report::new();
        check_euca_nodes::evaluate::evaluate(
            &zones,
            None,
            &check_euca_nodes::evaluate::Rules::default(),
            &mut report,
        );
        render(&report);
    }
    seen(&common::euca::availability_zones::parse_euca2ools(t));
}

pub fn conversion_tasks(data: &[u8]) {
    let Some(t) = text(data) else { return };
    seen(&common::euca::conversion_tasks::parse(t));
}

pub fn describe_images(data: &[u8]) {
    let Some(t) = text(data) else { return };
    seen(&common::euca::describe_images::parse(t));
}

pub fn describe_instances(data: &[u8]) {
    let Some(t) = text(data) else { return };
    let r = common::euca::describe_instances::parse(t);
    seen(&r);
}

pub fn describe_properties(data: &[u8]) {
    let Some(t) = text(data) else { return };
    seen(&common::euca::describe_properties::parse(t));
}

/// eucarc / credentials files, endpoint URLs and the small model readers.
pub fn euca_credentials(data: &[u8]) {
    let Some(t) = text(data) else { return };
    // Credentials hold secrets: only whether it parsed is looked at, never printed.
    let _ = common::euca::credentials::parse(t).is_ok();
    let _ =
        common::euca::endpoint::Endpoint::parse(t, "/services/Empyrean").map(|e| format!("{e:?}"));
    let _ = common::euca::model::host_of_uri(t);
    let _ = common::euca::model::split_arn(t);
    let _ = common::euca::model::State::parse(t);
    let _ = common::euca::ask::first_words(t);
    let _ = common::euca::ask::url_password(t);
}

// ---------------------------------------------------------------- check_raid

pub fn mdstat(data: &[u8]) {
    let Some(t) = text(data) else { return };
    let r = check_raid::md::parse(t);
    seen(&r);
    if let Ok(m) = r {
        let mut report = Report::new();
        for a in &m.arrays {
            report.add(check_raid::evaluate_array(a, None));
            report.add(check_raid::evaluate_array(a, Some("check")));
        }
        render(&report);
    }
}

fn hw(r: Result<check_raid::hw::Parsed, common::ParseError>) {
    seen(&r);
    if let Ok(p) = r {
        let mut report = Report::new();
        let rules = check_raid::hw_eval::HwRules::default();
        for c in &p.controllers {
            check_raid::hw_eval::evaluate_controller(c, &rules, &mut report);
            let _ = check_raid::hw_eval::group_name(c);
        }
        render(&report);
    }
}

/// MegaCli's three listings (logical drives, physical drives, BBU), chosen by the first byte.
pub fn megacli(data: &[u8]) {
    let Some((sel, rest)) = split(data) else {
        return;
    };
    let Some(t) = text(rest) else { return };
    hw(match sel % 3 {
        0 => check_raid::megacli::parse_ld(t),
        1 => check_raid::megacli::parse_pd(t),
        _ => check_raid::megacli::parse_bbu(t),
    });
}

pub fn ssacli(data: &[u8]) {
    let Some(t) = text(data) else { return };
    hw(check_raid::ssacli::parse(t));
}

pub fn arcconf(data: &[u8]) {
    let Some(t) = text(data) else { return };
    hw(check_raid::arcconf::parse(t, "1"));
}

pub fn storcli(data: &[u8]) {
    let Some(t) = text(data) else { return };
    let r = check_raid::storcli::parse(t);
    seen(&r);
    if let Ok(cs) = r {
        let merged = check_raid::storcli::merge(vec![cs.clone(), cs]);
        let mut report = Report::new();
        let rules = check_raid::hw_eval::HwRules::default();
        for c in &merged {
            check_raid::hw_eval::evaluate_controller(c, &rules, &mut report);
        }
        render(&report);
    }
}

// ---------------------------------------------------------------- check_bond

fn bond_eval(
    kind: check_bond::model::Kind,
    r: Result<check_bond::model::Aggregate, common::ParseError>,
) {
    seen(&r);
    if let Ok(a) = r {
        let observed = [check_bond::evaluate::Observed::new(
            "bond0",
            kind,
            common::Acquisition::Read(a),
        )];
        render(&check_bond::evaluate::evaluate(
            &observed,
            &check_bond::evaluate::Rules::default(),
        ));
    }
}

pub fn bonding(data: &[u8]) {
    let Some(t) = text(data) else { return };
    bond_eval(
        check_bond::model::Kind::Bond,
        check_bond::procfs::parse("bond0", t),
    );
}

pub fn teamd(data: &[u8]) {
    let Some(t) = text(data) else { return };
    bond_eval(
        check_bond::model::Kind::Team,
        check_bond::teamd::parse("team0", t),
    );
}

// ---------------------------------------------------------------- check_san_path

pub fn multipath(data: &[u8]) {
    let Some(t) = text(data) else { return };
    seen(&check_san_path::multipath::parse(t));
    for w in t.split_whitespace().take(64) {
        let _ = check_san_path::multipath::is_device_state(w);
    }
}

pub fn iscsiadm(data: &[u8]) {
    let Some(t) = text(data) else { return };
    seen(&check_san_path::iscsiadm::parse(t));
}

pub fn mountinfo(data: &[u8]) {
    let Some(t) = text(data) else { return };
    let r = check_san_path::mountinfo::parse(t);
    seen(&r);
    if let Ok(m) = r {
        let _ = check_san_path::mountinfo::find(&m, "/var/lib/eucalyptus/volumes");
        let _ = check_san_path::mountinfo::find(&m, "/");
    }
}

// ---------------------------------------------------------------- check_ups

fn ups_eval(source: check_ups::model::Source, reading: check_ups::model::Reading) {
    let ups = [check_ups::model::Ups {
        name: "ups1".into(),
        origin: "fuzz".into(),
        source,
        observation: common::Acquisition::Read(check_ups::model::Answer::Reading(reading)),
    }];
    render(&check_ups::evaluate::evaluate(
        &ups,
        &check_ups::evaluate::Limits::default(),
    ));
}

pub fn upsc(data: &[u8]) {
    let Some(t) = text(data) else { return };
    let r = check_ups::upsc::parse(t);
    seen(&r);
    if let Ok(check_ups::upsc::Upsc::Vars(vars)) = r {
        ups_eval(
            check_ups::model::Source::Nut,
            check_ups::model::Reading::from_nut(&vars),
        );
    }
}

/// upsd's answers on the NUT protocol: LIST VAR, OK/ERR lines, the tokenizer.
pub fn nut(data: &[u8]) {
    let Some(t) = text(data) else { return };
    let _ = check_ups::nut::list_var_complete(t);
    let r = check_ups::nut::parse_list_var("ups1", t);
    seen(&r);
    if let Ok(check_ups::nut::ListVar::Vars(vars)) = r {
        ups_eval(
            check_ups::model::Source::Nut,
            check_ups::model::Reading::from_nut(&vars),
        );
    }
    if let Some(line) = t.lines().next() {
        let _ = format!(
            "{:?}",
            check_ups::nut::parse_ok(line).map_err(|e| e.to_string())
        );
        if let Ok(words) = check_ups::nut::tokens(line) {
            // What quote() writes, tokens() must read back as one word.
            for w in words.iter().take(8) {
                let q = check_ups::nut::quote(w);
                assert_eq!(
                    check_ups::nut::tokens(&q).as_deref(),
                    Ok(&[w.clone()][..]),
                    "quote({w:?}) = {q:?} does not read back"
                );
            }
        }
    }
}

/// apcupsd: NIS frames as bytes off the socket, then the status text they carry.
pub fn apcupsd(data: &[u8]) {
    let _ = check_ups::apcaccess::whole_nis_records(data);
    if let Ok(Some(t)) = check_ups::apcaccess::decode_nis(data) {
        apc_text(&t);
    }
    if let Some(t) = text(data) {
        apc_text(t);
    }
}

fn apc_text(t: &str) {
    let r = check_ups::apcaccess::parse(t);
    seen(&r);
    if let Ok(status) = r {
        ups_eval(
            check_ups::model::Source::Apcupsd,
            check_ups::model::Reading::from_apcupsd(&status),
        );
    }
}

// ---------------------------------------------------------------- check_ipmi

fn ipmi_sensors(r: Result<Vec<check_ipmi::model::Sensor>, common::ParseError>) {
    seen(&r);
    if let Ok(sensors) = r {
        let mut report = Report::new();
        let rules = check_ipmi::evaluate::Rules::default();
        let _ = check_ipmi::evaluate::selected(&sensors, &rules);
        check_ipmi::evaluate::sensors(&sensors, &rules, &mut report);
        render(&report);
    }
}

pub fn ipmi_freeipmi(data: &[u8]) {
    let Some(t) = text(data) else { return };
    ipmi_sensors(check_ipmi::freeipmi::parse(t));
}

pub fn ipmitool_sdr(data: &[u8]) {
    let Some(t) = text(data) else { return };
    ipmi_sensors(check_ipmi::ipmitool_sdr::parse(t));
}

pub fn ipmitool_sensor(data: &[u8]) {
    let Some(t) = text(data) else { return };
    ipmi_sensors(check_ipmi::ipmitool_sensor::parse(t));
}

/// The SEL in either tool's format (one parser reads both).
pub fn ipmi_sel(data: &[u8]) {
    let Some(t) = text(data) else { return };
    let r = check_ipmi::sel::parse(t);
    seen(&r);
    if let Ok(entries) = r {
        let refs: Vec<_> = entries.iter().collect();
        for e in &entries {
            let _ = check_ipmi::evaluate::sel_weight(e);
        }
        let mut report = Report::new();
        check_ipmi::evaluate::sel(&refs, entries.len(), &mut report);
        render(&report);
    }
}

pub fn ipmi_chassis(data: &[u8]) {
    let Some(t) = text(data) else { return };
    let r = check_ipmi::chassis::parse(t);
    seen(&r);
    if let Ok(c) = r {
        let mut report = Report::new();
        check_ipmi::evaluate::chassis(&c, &mut report);
        render(&report);
    }
}

// ---------------------------------------------------------------- Eucalyptus text listings

fn services_eval(r: Result<Vec<common::euca::model::Service>, common::ParseError>) {
    seen(&r);
    if let Ok(services) = r {
        let mut report = Report::new();
        check_euca_clc::evaluate::evaluate(
            &services,
            &check_euca_clc::evaluate::Rules::default(),
            &mut report,
        );
        render(&report);
    }
}

/// `euca-describe-services` text (eucadmin).
pub fn eucadmin(data: &[u8]) {
    let Some(t) = text(data) else { return };
    services_eval(check_euca_clc::eucadmin::parse(t));
}

/// `euserv-describe-services` text.
pub fn euserv(data: &[u8]) {
    let Some(t) = text(data) else { return };
    services_eval(check_euca_clc::euserv::parse(t));
}

/// The node controllers listing (`euserv-describe-node-controllers` and the like).
pub fn nodes_text(data: &[u8]) {
    let Some(t) = text(data) else { return };
    seen(&check_euca_nodes::nodes_text::parse(t));
}

/// `euctl` properties text as the workers check reads it.
pub fn workers_properties(data: &[u8]) {
    let Some(t) = text(data) else { return };
    seen(&check_euca_workers::properties_text::parse(t));
}

/// Properties listings (euctl output / saved files) and their drift against themselves.
pub fn props_listing(data: &[u8]) {
    let Some(t) = text(data) else { return };
    let r = check_euca_props::listing::parse(t);
    seen(&r);
    if let Ok(l) = r {
        let rules = check_euca_props::evaluate::Rules::default();
        let d = check_euca_props::evaluate::drift(&l, &l, &rules);
        render(&check_euca_props::evaluate::evaluate(&d, &rules));
        let _ =
            check_euca_props::listing::from_answer(l.properties.clone()).map(|l| format!("{l:?}"));
    }
}

// ---------------------------------------------------------------- check_euca_backup

/// The .tgz archives (keys, configuration), read in-process with an inflate cap.
pub fn backup_archive(data: &[u8]) {
    let r = check_euca_backup::archive::members(data);
    seen(&r);
}

/// pg_dumpall output (bytes: it may hold any encoding).
pub fn backup_dumpall(data: &[u8]) {
    seen(&check_euca_backup::dumpall::parse(data));
}

/// pg_restore --list tables of contents.
pub fn backup_toc(data: &[u8]) {
    let Some(t) = text(data) else { return };
    seen(&check_euca_backup::toc::parse(t));
}

/// The saved properties listing of a backup set.
pub fn backup_properties(data: &[u8]) {
    let Some(t) = text(data) else { return };
    seen(&check_euca_backup::properties::count(t));
}

// ---------------------------------------------------------------- check_euca_edge

pub fn edge_dhcpd(data: &[u8]) {
    let Some(t) = text(data) else { return };
    seen(&check_euca_edge::dhcpd::parse(t));
}

pub fn edge_eucanetd_log(data: &[u8]) {
    let Some(t) = text(data) else { return };
    seen(&check_euca_edge::eucanetd_log::parse(t));
}

/// global_network_info.xml (through the kit's XML reader).
pub fn edge_gni(data: &[u8]) {
    let Some(t) = text(data) else { return };
    seen(&check_euca_edge::gni::parse(t));
}

/// /proc/net/fib_trie: the host's own addresses.
pub fn edge_local_addrs(data: &[u8]) {
    let Some(t) = text(data) else { return };
    seen(&check_euca_edge::local_addrs::parse(t));
}

/// The small EDGE readers: pid file, /proc/PID/stat, cmdline, the GNI version file, eucalyptus.conf.
pub fn edge_small(data: &[u8]) {
    let Some(t) = text(data) else { return };
    seen(&check_euca_edge::procfs::pid_file(t));
    seen(&check_euca_edge::procfs::stat(t));
    let _ = check_euca_edge::procfs::cmdline(t);
    seen(&check_euca_edge::version::parse(t));
    let _ = check_euca_edge::conf::vnet_mode(t);
}

// ---------------------------------------------------------------- check_euca_proc

/// eucalyptus.conf as the process check reads it.
pub fn proc_conf(data: &[u8]) {
    let Some(t) = text(data) else { return };
    seen(&check_euca_proc::conf::parse(t));
}

/// The JVM's unauthenticated Heartbeat page.
pub fn proc_heartbeat(data: &[u8]) {
    let Some(t) = text(data) else { return };
    seen(&check_euca_proc::heartbeat::parse(t));
}

/// /proc readers: status, stat, cmdline (NUL separated), uptime, and pid files.
pub fn proc_procfs(data: &[u8]) {
    let Some(t) = text(data) else { return };
    seen(&check_euca_proc::procfs::status(t));
    seen(&check_euca_proc::procfs::stat(t));
    seen(&check_euca_proc::procfs::uptime(t));
    seen(&check_euca_proc::procfs::cmdline(t, true));
    seen(&check_euca_proc::procfs::cmdline(t, false));
    seen(&check_euca_proc::pidfile::parse(t));
}

/// /proc/net/tcp{,6} and /proc/net/unix.
pub fn proc_sockets(data: &[u8]) {
    let Some(t) = text(data) else { return };
    seen(&check_euca_proc::sockets::tcp(t));
    seen(&check_euca_proc::sockets::unix_listening(t));
}

// ---------------------------------------------------------------- check_euca_endpoint

/// A DNS reply off the wire. The query id and type come from the reply itself (id) and one
/// byte (A or AAAA), so the fuzzer reaches past the "not our query" checks.
pub fn dns_reply(data: &[u8]) {
    let Some((sel, msg)) = split(data) else {
        return;
    };
    let id = check_euca_endpoint::dns::message_id(msg).unwrap_or(0);
    let qtype = if sel & 1 == 0 { 1 } else { 28 };
    seen(&check_euca_endpoint::dns::parse(msg, id, qtype));
}

// ---------------------------------------------------------------- check_riak

/// Riak's /stats JSON.
pub fn riak_stats(data: &[u8]) {
    let Some(t) = text(data) else { return };
    seen(&check_riak::stats::parse(t));
}

pub fn riak_cluster_status(data: &[u8]) {
    let Some(t) = text(data) else { return };
    seen(&check_riak::cluster_status::parse(t));
}

pub fn riak_member_status(data: &[u8]) {
    let Some(t) = text(data) else { return };
    seen(&check_riak::member_status::parse(t));
}

pub fn riak_ring_status(data: &[u8]) {
    let Some(t) = text(data) else { return };
    seen(&check_riak::ring_status::parse(t));
    for l in t.lines().take(64) {
        let _ = check_riak::ring_status::section_title(l);
        let _ = check_riak::ring_status::node_name(l);
    }
}

// ---------------------------------------------------------------- sysfs attribute files

/// The sysfs readers, which take several small attribute files: the input is the files'
/// contents separated by NUL (which no sysfs text holds), the first byte chooses the reader.
pub fn sysfs(data: &[u8]) {
    let Some((sel, rest)) = split(data) else {
        return;
    };
    let Some(t) = text(rest) else { return };
    let f: Vec<&str> = t.split('\0').collect();
    let get = |i: usize| f.get(i).map(|s| s.to_string());
    match sel % 3 {
        0 => {
            // An 802.3ad bond as /proc wrote it, then its sysfs files applied over it.
            const PROC: &str = include_str!(
                "../../plugins/check_bond/tests/fixtures/bonding/bond-8023ad-v3.7.1-second-slave-down"
            );
            let Ok(mut bond) = check_bond::procfs::parse("bond0", PROC) else {
                panic!("the bonding seed no longer parses");
            };
            let file =
                |i: usize| get(i).map(|text| (format!("/sys/class/net/bond0/bonding/{i}"), text));
            let sys = check_bond::sysfs::SysBonding {
                ad_aggregator: file(0),
                ad_num_ports: file(1),
                ad_partner_mac: file(2),
                min_links: file(3),
                slaves: file(4),
            };
            if check_bond::sysfs::apply(&mut bond, &sys).is_ok() {
                bond_eval(check_bond::model::Kind::Bond, Ok(bond));
            }
        }
        1 => {
            let dev = check_san_path::sysfs::DmDevice {
                dm: "dm-0".into(),
                uuid: get(0).unwrap_or_default(),
                name: get(1),
                slaves: f
                    .iter()
                    .skip(2)
                    .collect::<Vec<_>>()
                    .chunks(2)
                    .map(|c| (c[0].to_string(), c.get(1).map(|s| s.to_string())))
                    .collect(),
            };
            seen(&check_san_path::sysfs::map(&dev));
        }
        _ => {
            let sessions: Vec<_> = f
                .chunks(5)
                .enumerate()
                .map(|(n, c)| check_san_path::sysfs::SysSession {
                    dir: format!("session{n}"),
                    targetname: c[0].to_string(),
                    state: c.get(1).map(|s| s.to_string()).unwrap_or_default(),
                    address: c.get(2).map(|s| s.to_string()),
                    port: c.get(3).map(|s| s.to_string()),
                    connection: c.get(4).map(|s| s.to_string()),
                })
                .collect();
            seen(&check_san_path::sysfs::targets(&sessions));
        }
    }
}

// ---------------------------------------------------------------- topology

/// The topology file (TOML): parse and check, and on a valid one the audit, the plan and a
/// Nagios generation must not panic either (euca-checks is the lead's addition to the list).
pub fn topology(data: &[u8]) {
    let Some(t) = text(data) else { return };
    let r = topology::parse("fuzz.toml", t);
    seen(&r);
    if let Ok(t) = r {
        let _ = topology::audit::audit(&t);
    }
}
