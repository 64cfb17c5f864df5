//! One test per saved answer in tests/fixtures/ (tests/fixtures/SOURCES.md gives each file's
//! origin and the state it must produce), run through the real binary: state, words, perfdata.

use harness::{Outcome, Plugin};

const BIN: &str = env!("CARGO_BIN_EXE_check_euca_nodes");

fn run(args: &[&str]) -> Outcome {
    Plugin::new(BIN)
        .args(args)
        .env_remove("EC2_ACCESS_KEY")
        .env_remove("EC2_SECRET_KEY")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .run()
}

fn zones(file: &str, extra: &[&str]) -> Outcome {
    let input = format!("availability-zones=tests/fixtures/availability-zones/{file}");
    let mut args = vec!["--input", input.as_str()];
    args.extend_from_slice(extra);
    run(&args)
}

const HEALTHY_SERVICES: &str =
    "describe-services=tests/fixtures/describe-services/07-healthy-4.4.xml";

#[test]
fn captured_docs_listing_is_ok_in_both_zones() {
    zones("00-captured-verbose-docs.txt", &[])
        .expect_first(
            0,
            "EUCA NODES OK - 2 zones available; m1.small free test00 4/4, test01 4/4",
            &[],
        )
        .expect_perf("'test00_m1_small_free'=4;;;0;4 'test00_m1_small_max'=4;;;0;")
        .expect_perf("'test01_m1_small_free_pct'=100%;;;0;100");
}

#[test]
fn healthy_xml_and_text_read_the_same() {
    for file in ["01-verbose-healthy.xml", "01-verbose-healthy.txt"] {
        let r = zones(file, &["--input", HEALTHY_SERVICES]);
        r.expect_first(
            0,
            "EUCA NODES OK - 2 zones available; m1.small free one 34/48, two 26/32; 5 NCs ENABLED",
            &[],
        )
        .expect_perf("'one_m1_small_free'=34;;;0;48 'one_m1_small_max'=48;;;0;")
        .expect_perf("'one_m1_small_free_pct'=70.8%;;;0;100 'two_m1_small_free_pct'=81.3%;;;0;100")
        .expect_perf("'one_nodes_enabled'=3;;;0;3 'two_nodes_enabled'=2;;;0;2")
        .expect_long("zone one: 3 of 3 NCs ENABLED")
        // hs1.8xlarge is 0000 / 0000 in both zones: normal, never an alarm
        .lacks(&["hs1.8xlarge", "resources unavailable"]);
    }
}

#[test]
fn zone_two_exhausted_is_resources_unavailable() {
    for file in [
        "02-verbose-zone-two-exhausted.xml",
        "02-verbose-zone-two-exhausted.txt",
    ] {
        zones(file, &["--input", HEALTHY_SERVICES])
            .expect_first(2, "EUCA NODES CRITICAL - zone two: resources unavailable", &[])
            .expect_long("zone two: resources unavailable, free 0 for every VM type an NC can host (17 types)")
            .expect_perf("'two_m1_small_free'=0;;;0;32 'one_m1_small_free'=34;;;0;48")
            .lacks(&["zone one: resources"]);
    }
}

#[test]
fn zone_two_unavailable_is_critical_and_capacity_not_judged() {
    for file in ["03-zone-two-unavailable.xml", "03-zone-two-unavailable.txt"] {
        zones(file, &[])
            .expect_first(2, "EUCA NODES CRITICAL - zone two unavailable", &[])
            .expect_long("its cluster controller is not ENABLED")
            .expect_long("listed without capacity");
    }
}

#[test]
fn a_zone_absent_from_the_verbose_answer_is_critical() {
    // The verbose answer leaves out a zone whose cluster is not ENABLED: --zone names it, and
    // so does a registered cluster controller (07 has CCs in one and two).
    let only_one =
        "AVAILABILITYZONE\tone\t10.111.5.130 arn:euca:eucalyptus:one:cluster:one-cc-1/\t\n\
        AVAILABILITYZONE\t|- vm types\tfree / max   cpu   ram  disk\t\n\
        AVAILABILITYZONE\t|- m1.small\t0034 / 0048   1    256     5\t\n";
    let dir = std::env::temp_dir().join(format!("euca-nodes-absent-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("one.txt");
    std::fs::write(&f, only_one).unwrap();
    let input = format!("availability-zones={}", f.display());
    run(&["--input", &input, "--zone", "one"]).expect_first(0, "EUCA NODES OK", &[]);
    run(&["--input", &input, "--zone", "three"]).expect_first(
        2,
        "EUCA NODES CRITICAL - zone three absent",
        &["expected (--zone)"],
    );
    run(&["--input", &input, "--input", HEALTHY_SERVICES]).expect_first(
        2,
        "EUCA NODES CRITICAL - zone two absent",
        &["it has a cluster controller registered"],
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn every_node_listing_reads_and_the_degraded_ones_warn() {
    for (file, code, start) in [
        ("01-euca-describe-nodes-healthy-4.1.txt", 0, "EUCA NODES OK"),
        ("01-euserv-describe-node-controllers-healthy-4.4.txt", 0, "EUCA NODES OK"),
        (
            "02-euca-describe-nodes-degraded-4.1.txt",
            1,
            "EUCA NODES WARNING - zone one: NC 10.111.5.141 NOTREADY; zone two: NC 10.111.5.151 DISABLED",
        ),
        (
            "02-euserv-describe-node-controllers-degraded-4.4.txt",
            1,
            "EUCA NODES WARNING - zone one: NC 10.111.5.141 NOTREADY; zone two: NC 10.111.5.151 DISABLED",
        ),
    ] {
        let nodes = format!("nodes=tests/fixtures/nodes/{file}");
        let r = zones("01-verbose-healthy.txt", &["--input", &nodes]);
        r.expect_first(code, start, &[]);
        if code == 1 {
            r.expect_perf("'one_nodes_enabled'=2;;;0;3 'two_nodes_enabled'=1;;;0;2");
        }
        // the degraded zones fall below a configured minimum
        let r = zones("01-verbose-healthy.txt", &["--input", &nodes, "--min-nodes", "3"]);
        r.expect_first(2, "EUCA NODES CRITICAL - zone ", &["(minimum 3)"]);
        assert_eq!(r.perf("two_nodes_enabled").crit.as_ref().map(|c| c.to_string()).as_deref(), Some("3:"));
    }
    // the captured 3.4 listing: one NC in zone clearlogy. The zones capture comes from another
    // cloud (zones test00, test01): an NC whose zone the answer leaves out is what a zone with
    // its CC down, or a zones listing cut between two zones' blocks, looks like (CRITICAL).
    zones(
        "00-captured-verbose-docs.txt",
        &[
            "--input",
            "nodes=tests/fixtures/nodes/00-captured-euca-describe-nodes-3.4-tutorial.txt",
        ],
    )
    .expect_first(
        2,
        "EUCA NODES CRITICAL - zone clearlogy absent",
        &["it has NCs registered"],
    )
    .expect_perf("'clearlogy_nodes_enabled'=1;;;0;1");
}

#[test]
fn partition_two_missing_from_describe_services_with_min_nodes() {
    zones(
        "01-verbose-healthy.xml",
        &[
            "--input",
            "describe-services=tests/fixtures/describe-services/05-partition-and-nc-missing-4.4.xml",
            "--min-nodes",
            "3",
        ],
    )
    .expect_first(
        2,
        "EUCA NODES CRITICAL - zone one: 2 NCs ENABLED (minimum 3); zone two: 0 NCs ENABLED (minimum 3)",
        &[],
    )
    .expect_perf("'one_nodes_enabled'=2;;3:;0;2");
}

#[test]
fn reference_type_thresholds_percent_and_absolute() {
    zones("01-verbose-healthy.xml", &["-w", "75%"])
        .expect_first(
            1,
            "EUCA NODES WARNING - zone one: m1.small free 34 of 48 (71%, warning under 75% of max)",
            &[],
        )
        .expect_perf("'one_m1_small_free_pct'=70.8%;75:;;0;100 'one_m1_small_free'=34;;;0;48");
    zones(
        "01-verbose-healthy.xml",
        &["-c", "30", "--vm-type", "m1.small"],
    )
    .expect_first(
        2,
        "EUCA NODES CRITICAL - zone two: m1.small free 26 of 32 (81%, critical under 30)",
        &[],
    )
    .expect_perf("'two_m1_small_free'=26;;30:;0;32");
    // another reference type, and one no NC can host (max 0): never an alarm
    zones(
        "01-verbose-healthy.xml",
        &["--vm-type", "cc2.8xlarge", "-c", "2"],
    )
    .expect_first(
        2,
        "EUCA NODES CRITICAL - zone one: cc2.8xlarge free 1 of 3",
        &[],
    );
    zones(
        "01-verbose-healthy.xml",
        &["--vm-type", "hs1.8xlarge", "-c", "50%"],
    )
    .expect_first(0, "EUCA NODES OK", &["no NC can host hs1.8xlarge (max 0)"]);
    zones("01-verbose-healthy.xml", &["--vm-type", "m9.huge"]).expect_first(
        3,
        "EUCA NODES UNKNOWN - zone one: no VM type m9.huge",
        &[],
    );
}

#[test]
fn usage_errors_are_unknown() {
    zones("01-verbose-healthy.xml", &["-w", "ten"]).expect(3, &["-w 'ten'"]);
    zones("01-verbose-healthy.xml", &["-c", "120%"]).expect(3, &["at most 100%"]);
    run(&[]).expect(3, &["give --clc HOST or --input availability-zones=FILE"]);
    run(&["--input", HEALTHY_SERVICES]).expect(3, &["give --input availability-zones=FILE"]);
    zones(
        "01-verbose-healthy.xml",
        &[
            "--input",
            HEALTHY_SERVICES,
            "--input",
            "nodes=tests/fixtures/nodes/01-euca-describe-nodes-healthy-4.1.txt",
        ],
    )
    .expect(3, &["give the NC states once"]);
    zones("01-verbose-healthy.xml", &["--clc", "10.0.0.1"]).expect(3, &["without --clc"]);
}

#[test]
fn a_saved_error_answer_is_unknown() {
    zones(
        "01-verbose-healthy.xml",
        &[
            "--input",
            "describe-services=tests/fixtures/describe-services/08-error-403-signature.xml",
        ],
    )
    .expect_first(
        3,
        "EUCA NODES UNKNOWN - saved answer",
        &["403 Forbidden: Signature validation failed"],
    );
}
