//! One test per saved answer in tests/fixtures/ (docs/EUCALYPTUS.md, appendix, gives each
//! file's origin, expected state and why), run through the real binary.

use harness::{Outcome, Plugin};

const BIN: &str = env!("CARGO_BIN_EXE_check_euca_clc");

/// The status line without perfdata.
fn status(r: &Outcome) -> &str {
    r.first.split(" | ").next().unwrap_or("")
}

/// Credentials variables that would make a test depend on who runs it.
const CREDENTIAL_VARIABLES: [&str; 6] = [
    "EC2_ACCESS_KEY",
    "EC2_SECRET_KEY",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_ACCESS_KEY",
    "AWS_SECRET_KEY",
];

fn without_credentials(args: &[&str]) -> Plugin {
    CREDENTIAL_VARIABLES
        .iter()
        .fold(Plugin::new(BIN).args(args), |p, name| p.env_remove(name))
}

fn run(args: &[&str]) -> Outcome {
    without_credentials(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .run()
}

fn xml(file: &str, extra: &[&str]) -> Outcome {
    let input = format!("describe-services=tests/fixtures/describe-services/{file}");
    let mut args = vec!["--input", input.as_str()];
    args.extend_from_slice(extra);
    run(&args)
}

fn euserv(file: &str, extra: &[&str]) -> Outcome {
    let input = format!("euserv=tests/fixtures/euserv-describe-services/{file}");
    let mut args = vec!["--input", input.as_str()];
    args.extend_from_slice(extra);
    run(&args)
}

fn eucadmin(file: &str, extra: &[&str]) -> Outcome {
    let input = format!("euca-describe-services=tests/fixtures/euca-describe-services/{file}");
    let mut args = vec!["--input", input.as_str()];
    args.extend_from_slice(extra);
    run(&args)
}

fn assert_ok_healthy(r: &Outcome, services: usize) {
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(
        status(r).starts_with("EUCA CLC OK - Eucalyptus Core available: "),
        "{}",
        r.stdout
    );
    assert!(r.has(&format!("{services} services:")), "{}", r.stdout);
    assert!(r.has("'services_notready'=0;;;0;"), "{}", r.stdout);
    assert!(r.has("'enabled_eucalyptus'=1;;;0;"), "{}", r.stdout);
}

// --- describe-services (XML) ---

#[test]
fn healthy_ha_pair_4_1_is_ok_with_every_passive_disabled() {
    let r = xml("01-healthy-ha-4.1.xml", &[]);
    assert_ok_healthy(&r, 55);
    assert!(
        r.has("CLC 10.111.5.100 ENABLED, passive 10.111.5.101 DISABLED"),
        "{}",
        r.stdout
    );
    assert!(
        r.has("Walrus backend walrus-1 on 10.111.5.120 ENABLED, passive walrus-2"),
        "{}",
        r.stdout
    );
    assert!(r.has("'enabled_eucalyptus'=1;;;0;2"), "{}", r.stdout);
    assert!(
        r.has("'zone_one_nodes_enabled'=3;;;0;3 'zone_two_nodes_enabled'=2;;;0;2"),
        "{}",
        r.stdout
    );
    // the HA pair satisfies --require-passive for the CLC, CCs, SCs and Walrus
    let r = xml("01-healthy-ha-4.1.xml", &["--require-passive"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
}

#[test]
fn a_vmware_zone_4_1_needs_its_broker_not_ncs() {
    // Zone two runs on vSphere through its VMware Broker pair: no NC is registered there.
    let zones = ["--require-passive", "--zone", "one", "--zone", "two"];
    let r = xml("10-vmware-zone-4.1.xml", &zones);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(
        r.has("VMware broker two-vb-1 on 10.111.5.132 ENABLED, passive two-vb-2"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("zone two: no NC"), "{}", r.stdout);
    // Its broker gone, the zone cannot run instances: the core is available in zone one only.
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/describe-services/10-vmware-zone-4.1.xml"
    ))
    .unwrap();
    let mut down = String::new();
    for (n, part) in text.split("<euca:name>two-vb-").enumerate() {
        if n > 0 {
            down.push_str("<euca:name>two-vb-");
        }
        // each broker's localState (the first after its name) NOTREADY
        match part.split_once("<euca:localState>") {
            Some((before, after)) if n > 0 => {
                let (_, rest) = after.split_once("</euca:localState>").unwrap();
                down.push_str(&format!(
                    "{before}<euca:localState>NOTREADY</euca:localState>{rest}"
                ));
            }
            _ => down.push_str(part),
        }
    }
    let dir = harness::peers::WorkDir::new("clc-vmware");
    let file = dir.path().join("brokers-down.xml");
    std::fs::write(&file, down).unwrap();
    let input = format!("describe-services={}", file.display());
    let mut args = vec!["--input", input.as_str()];
    args.extend_from_slice(&zones);
    let r = run(&args);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.first.contains("two-vb-1"), "{}", r.stdout);
    assert!(r.has("zone two"), "{}", r.stdout);
}

#[test]
fn two_enabled_clcs_are_a_critical_split_brain() {
    let r = xml("02-clc-split-brain-4.1.xml", &[]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        status(&r).ends_with("split brain: 2 ENABLED CLC (10.111.5.100, 10.111.5.101)"),
        "the backends that split with the CLC stay out of the summary: {}",
        status(&r)
    );
    assert!(
        r.has("split brain: 2 imaging backend services ENABLED at once"),
        "{}",
        r.stdout
    );
    assert!(
        r.has("  -> check the network between 10.111.5.100, 10.111.5.101"),
        "{}",
        r.stdout
    );
    assert!(r.has("'enabled_eucalyptus'=2;;;0;2"), "{}", r.stdout);
}

#[test]
fn zone_without_enabled_cc_is_critical_from_one_line_xml() {
    let r = xml("03-cc-broken-4.4.xml", &[]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert_eq!(
        status(&r),
        "EUCA CLC CRITICAL - zone two: no ENABLED CC (two-cc-1 BROKEN, two-cc-2 NOTREADY); Eucalyptus Core available in zone one only"
    );
    assert!(
        r.has("two-cc-1 on 10.111.5.132 BROKEN, two-cc-2 on 10.111.5.133 NOTREADY"),
        "{}",
        r.stdout
    );
    assert!(
        r.has("  -> check the CC on 10.111.5.132, 10.111.5.133"),
        "{}",
        r.stdout
    );
    assert!(r.has("'services_broken'=1;;;0;45"), "{}", r.stdout);
    assert!(r.has("'enabled_cluster'=1;;;0;4"), "{}", r.stdout);
}

#[test]
fn sc_notready_with_partner_enabled_is_warning_quoting_the_event() {
    let r = xml("04-sc-notready-event-4.4.xml", &[]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert_eq!(
        status(&r),
        "EUCA CLC WARNING - Eucalyptus Core available: zone one: SC one-sc-2 ENABLED, passive one-sc-1 NOTREADY: no failover left"
    );
    assert!(
        r.has("(tgtadm (Linux SCSI target administrator utility) is unresponsive)"),
        "{}",
        r.stdout
    );
    assert!(r.has("euserv-modify-service -s START"), "{}", r.stdout);
    assert!(r.has("'services_notready'=1;;;0;45"), "{}", r.stdout);
}

#[test]
fn vanished_zone_and_nc_are_critical_only_against_the_expected_topology() {
    // From states alone nothing is wrong: zone two is simply not there.
    let r = xml("05-partition-and-nc-missing-4.4.xml", &[]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(r.has("'zone_one_nodes_enabled'=2;;;0;2"), "{}", r.stdout);
    let r = xml(
        "05-partition-and-nc-missing-4.4.xml",
        &["--zone", "one", "--zone", "two", "--min-nodes", "3"],
    );
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(status(&r).contains("zone two missing"), "{}", status(&r));
    assert!(
        status(&r).contains("zone one: 2 NCs ENABLED (--min-nodes 3)"),
        "{}",
        status(&r)
    );
    assert!(r.has("'zone_one_nodes_enabled'=2;;3:;0;2"), "{}", r.stdout);
}

#[test]
fn one_ufs_host_down_is_warning_while_the_other_serves() {
    let r = xml("06-ufs-host-down-4.4.xml", &[]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        status(&r).starts_with(
            "EUCA CLC WARNING - Eucalyptus Core available: UFS API_10.111.5.111 on 10.111.5.111 down: 11/11 services NOTREADY"
        ),
        "{}",
        status(&r)
    );
    assert!(
        r.has("java.net.ConnectException: Connection refused"),
        "{}",
        r.stdout
    );
    assert!(
        r.has("UFS API_10.111.5.110 on 10.111.5.110: all 11 services ENABLED"),
        "{}",
        r.stdout
    );
    assert!(r.has("'enabled_user-api'=1;;;0;2"), "{}", r.stdout);
    // with --min-ufs 2 the lost redundancy is critical
    let r = xml("06-ufs-host-down-4.4.xml", &["--min-ufs", "2"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        status(&r).contains("1 UFS fully ENABLED (--min-ufs 2)"),
        "{}",
        status(&r)
    );
}

#[test]
fn healthy_4_4_single_clc_is_ok() {
    let r = xml("07-healthy-4.4.xml", &[]);
    assert_ok_healthy(&r, 45);
    assert!(
        status(&r).ends_with("41 ENABLED, 4 DISABLED; NCs ENABLED per zone: one 3/3, two 2/2"),
        "{}",
        status(&r)
    );
    // 4.2+ has one CLC: --require-passive says it has no peer
    let r = xml(
        "07-healthy-4.4.xml",
        &["--require-passive", "--type", "eucalyptus"],
    );
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        status(&r).contains("CLC has no passive peer"),
        "{}",
        status(&r)
    );
}

#[test]
fn rejected_signature_is_unknown_with_a_credentials_hint() {
    let r = xml("08-error-403-signature.xml", &[]);
    assert_eq!(r.code, 3, "{}", r.stdout);
    assert!(
        status(&r).contains("403 Forbidden: Signature validation failed"),
        "{}",
        r.stdout
    );
    assert!(
        r.has("  -> check the access key and secret key"),
        "{}",
        r.stdout
    );
}

#[test]
fn clock_skew_is_unknown_and_points_at_ntp() {
    let r = xml("09-error-403-clock-skew.xml", &[]);
    assert_eq!(r.code, 3, "{}", r.stdout);
    assert!(
        status(&r).contains("Message was generated in the future"),
        "{}",
        r.stdout
    );
    assert!(r.has("check NTP"), "{}", r.stdout);
}

#[test]
fn type_filters_split_the_check() {
    let r = xml("03-cc-broken-4.4.xml", &["--type", "node"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(
        status(&r).starts_with("EUCA CLC OK - 5 services: 5 ENABLED"),
        "{}",
        status(&r)
    );
    let r = xml("03-cc-broken-4.4.xml", &["--exclude-type", "cluster"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    let r = xml("03-cc-broken-4.4.xml", &["--type", "cluster"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    // groups: the UFS alone of a cloud with one UFS host down, and everything but the UFS
    let r = xml("06-ufs-host-down-4.4.xml", &["--type", "ufs"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        status(&r).starts_with("EUCA CLC WARNING - UFS API_10.111.5.111 on 10.111.5.111 down"),
        "{}",
        status(&r)
    );
    assert!(
        r.stdout.contains("'enabled_user-api'=1;;;0;2"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("'enabled_cluster'"), "{}", r.stdout);
    let r = xml(
        "06-ufs-host-down-4.4.xml",
        &["--exclude-type", "ufs", "--exclude-type", "bootstrap"],
    );
    assert_eq!(r.code, 0, "{}", r.stdout);
}

#[test]
fn garbage_and_truncated_answers_are_unknown_naming_the_line() {
    let dir = std::env::temp_dir().join(format!("euca-clc-garbage-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let full = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/describe-services/07-healthy-4.4.xml"
    ))
    .unwrap();
    let cut = dir.join("cut.xml");
    std::fs::write(&cut, &full[..full.len() / 2]).unwrap();
    let r = run(&["--input", &format!("describe-services={}", cut.display())]);
    assert_eq!(r.code, 3, "{}", r.stdout);
    assert!(status(&r).contains("not well-formed XML"), "{}", r.stdout);
    assert!(status(&r).contains(" line "), "{}", r.stdout);
    let junk = dir.join("junk.txt");
    std::fs::write(
        &junk,
        "SERVICE  cluster  one  one-cc-1  enabled\n<html>502 Bad Gateway</html>\n",
    )
    .unwrap();
    let r = run(&["--input", &format!("euserv={}", junk.display())]);
    assert_eq!(r.code, 3, "{}", r.stdout);
    assert!(
        status(&r).contains("line 2 '<html>502 Bad Gateway</html>'"),
        "{}",
        r.stdout
    );
    let _ = std::fs::remove_dir_all(dir);
}

// --- euserv-describe-services (4.2+ text) ---

#[test]
fn euserv_healthy_4_4_is_ok_in_default_and_expert_layouts() {
    assert_ok_healthy(&euserv("07-healthy-4.4.txt", &[]), 45);
    let r = euserv("07-healthy-4.4-expert.txt", &[]);
    assert_ok_healthy(&r, 45);
    assert!(
        r.has("zone one: CC one-cc-1 on 10.111.5.130 ENABLED"),
        "{}",
        r.stdout
    );
}

#[test]
fn euserv_cc_broken_is_critical() {
    let r = euserv("03-cc-broken-4.4.txt", &[]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        status(&r).ends_with("zone two: no ENABLED CC (two-cc-1 BROKEN, two-cc-2 NOTREADY); Eucalyptus Core available in zone one only"),
        "{}",
        r.stdout
    );
    assert!(r.has("'enabled_cluster'=1;;;0;4"), "{}", r.stdout);
}

#[test]
fn euserv_sc_notready_is_warning() {
    let r = euserv("04-sc-notready-4.4.txt", &[]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        status(&r).ends_with(
            "zone one: SC one-sc-2 ENABLED, passive one-sc-1 NOTREADY: no failover left"
        ),
        "{}",
        r.stdout
    );
}

#[test]
fn euserv_missing_zone_is_critical_when_the_zone_is_expected() {
    let r = euserv(
        "05-partition-and-nc-missing-4.4.txt",
        &["--zone", "two", "--min-nodes", "3"],
    );
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(status(&r).contains("zone two missing"), "{}", r.stdout);
    assert!(r.has("'zone_one_nodes_enabled'=2;;3:;0;2"), "{}", r.stdout);
}

#[test]
fn euserv_ufs_host_down_is_warning() {
    let r = euserv("06-ufs-host-down-4.4.txt", &[]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        status(&r).contains("UFS API_10.111.5.111 down: 11/11 services NOTREADY"),
        "{}",
        r.stdout
    );
    assert!(r.has("'services_notready'=12;;;0;45"), "{}", r.stdout);
}

// --- euca-describe-services (3.x-4.1 text) ---

#[test]
fn captured_3_4_single_host_cloud_is_ok() {
    let r = eucadmin("00-captured-3.4-tutorial.txt", &[]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(
        status(&r),
        "EUCA CLC OK - Eucalyptus Core available: 14 services: 14 ENABLED; 1 zone"
    );
    assert!(
        r.has("Walrus walrus on 192.168.2.21 ENABLED"),
        "{}",
        r.stdout
    );
    assert!(r.has("NCs are not in this listing"), "{}", r.stdout);
    assert!(r.has("'services_enabled'=14;;;0;14"), "{}", r.stdout);
}

#[test]
fn captured_broken_sc_is_critical_quoting_its_event() {
    // The capture lists only the SC: judge the storage type alone.
    let r = eucadmin(
        "00-captured-sc-broken-events-docs.txt",
        &["--type", "storage"],
    );
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert_eq!(
        status(&r),
        "EUCA CLC CRITICAL - Eucalyptus Core unavailable: zone ZONE1: no ENABLED SC (SC71 BROKEN)"
    );
    assert!(
        r.has("SC blockstorageamanger not configured"),
        "{}",
        r.stdout
    );
    assert!(r.has("'enabled_storage'=0;;;0;1"), "{}", r.stdout);
    // Unfiltered, the missing CLC is said too (and the state stays CRITICAL).
    let r = eucadmin("00-captured-sc-broken-events-docs.txt", &[]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(status(&r).contains("no CLC registered"), "{}", r.stdout);
}

#[test]
fn eucadmin_healthy_ha_4_1_is_ok() {
    let r = eucadmin("01-healthy-ha-4.1.txt", &[]);
    assert_ok_healthy(&r, 55);
    assert!(r.has("zone two: SC two-sc-1 on 10.111.5.132 ENABLED, passive two-sc-2 on 10.111.5.133 DISABLED"), "{}", r.stdout);
}

#[test]
fn eucadmin_split_brain_is_critical() {
    let r = eucadmin("02-clc-split-brain-4.1.txt", &[]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        status(&r).ends_with("split brain: 2 ENABLED CLC (10.111.5.100, 10.111.5.101)"),
        "{}",
        r.stdout
    );
}

#[test]
fn eucadmin_sc_notready_with_events_is_warning_quoting_the_event() {
    let r = eucadmin("04-sc-notready-events.txt", &[]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        status(&r).ends_with("passive one-sc-1 NOTREADY: no failover left"),
        "{}",
        r.stdout
    );
    assert!(
        r.has("(tgtadm (Linux SCSI target administrator utility) is unresponsive)"),
        "{}",
        r.stdout
    );
}

// --- usage ---

#[test]
fn without_clc_or_credentials_it_refuses_to_start() {
    let r = run(&[]);
    assert_eq!(r.code, 3, "{}", r.stdout);
    assert!(status(&r).contains("give --clc HOST"), "{}", r.stdout);
    let r = without_credentials(&["--clc", "127.0.0.1:1"]).run();
    assert_eq!(r.code, 3, "{}", r.stdout);
    assert!(
        r.first.starts_with("EUCA CLC UNKNOWN - no credentials"),
        "{}",
        r.stdout
    );
    let r = xml("07-healthy-4.4.xml", &["--clc", "127.0.0.1"]);
    assert_eq!(r.code, 3, "{}", r.stdout);
    assert!(status(&r).contains("without --clc"), "{}", r.stdout);
}

// --- reaching the CLCs (no double needed: nothing listens on these ports) ---

fn run_with_keys(args: &[&str]) -> Outcome {
    Plugin::new(BIN)
        .args(args)
        .env("EC2_ACCESS_KEY", "AKIDTEST")
        .env("EC2_SECRET_KEY", "not-a-real-secret")
        .run()
}

#[test]
fn every_clc_refusing_is_critical_unreachable() {
    let r = run_with_keys(&["-t", "5", "--clc", "127.0.0.1:1", "--clc", "127.0.0.1:2"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert_eq!(
        status(&r),
        "EUCA CLC CRITICAL - CLC unreachable (127.0.0.1:1: connection refused; 127.0.0.1:2: connection refused)"
    );
}

#[test]
fn a_clc_not_asked_for_lack_of_time_is_unknown_never_unreachable() {
    // -t 0.05 leaves no I/O budget: claiming "CLC unreachable" (CRITICAL) would page for an
    // outage nobody observed.
    let r = run_with_keys(&["-t", "0.05", "--clc", "127.0.0.1:1", "--clc", "127.0.0.1:2"]);
    assert_eq!(r.code, 3, "{}", r.stdout);
    assert_eq!(
        status(&r),
        "EUCA CLC UNKNOWN - the timeout (-t) left no time to ask every CLC: 127.0.0.1:1 not asked; 127.0.0.1:2 not asked"
    );
    assert!(r.has("-> raise -t"), "{}", r.stdout);
}
