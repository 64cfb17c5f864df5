//! The bundled topologies (samples/topology/) and hostile files through the binary.

use harness::{Plugin, Status};

const BIN: &str = env!("CARGO_BIN_EXE_check_euca_topology");

fn at(path: &str) -> String {
    format!("{}/../../{path}", env!("CARGO_MANIFEST_DIR"))
}

fn check(path: &str) -> Plugin {
    Plugin::new(BIN).arg(format!("--topology={path}"))
}

#[test]
fn the_reference_deployment_is_ok_with_zero_findings() {
    check(&at("samples/topology/reference.toml"))
        .run()
        .expect(
            0,
            &["EUCA TOPOLOGY OK - the deployment follows Part 1 of the reliability guide"],
        )
        .expect_perf("'findings_critical'=0;;;0; 'findings_warning'=0;;;0;")
        .expect_one_line();
}

#[test]
fn the_unreliable_deployment_is_critical_one_line_per_finding_with_its_section() {
    let out = check(&at("samples/topology/unreliable.toml")).run();
    out.expect_first(
        2,
        "EUCA TOPOLOGY CRITICAL - 19 reliability findings (5 critical, 14 warning), first ebs-not-san: ebs is overlay (the SCs' own disks)",
        &[],
    )
    .expect_perf("'findings_critical'=5;;;0; 'findings_warning'=14;;;0;");
    assert_eq!(out.long_lines.len(), 19, "{}", out.stdout);
    for line in [
        "ufs-single: only one host runs ufs: clc2 (line 43; Part 1 > Reliability in the Eucalyptus Platform > Active/Active Components)",
        "clc-pair-unsupported: 2 hosts run clc on Eucalyptus 4.4: clc1, clc2 (line 43;",
        "partners-one-ups: partners cc-one-a and cc-one-b are both fed by ups-a@10.111.5.3 (line 66; Part 1 > Reliability in Hardware > Servers > Power)",
        "disk-contention: nc-one-1 runs Walrus and an NC on local disks (line 93; Part 1 > Reliability in the Eucalyptus Platform > Deployment Topology)",
        "vmware-broker-unsupported: cc-two runs vmware-broker on Eucalyptus 4.4 (line 105;",
    ] {
        out.expect_long(line);
    }
    // critical lines first
    assert!(
        out.long_lines[..5].iter().all(|l| !l.starts_with("core-")),
        "{}",
        out.stdout
    );
    let out = check(&at("samples/topology/unreliable-4.1.toml")).run();
    out.expect_first(2, "EUCA TOPOLOGY CRITICAL - 5 reliability findings (4 critical, 1 warning), first ufs-dns-name", &[]);
    out.expect_long("clc-no-partner: clc on clc1 has no partner running clc (line 19;");
    out.expect_long("riak-ring-small: the Riak ring has 2 nodes: riak1, riak2 (line 51;");
}

#[test]
fn ignored_rules_are_left_out_and_said() {
    let warnings_only = [
        "ufs-single",
        "ebs-not-san",
        "object-storage-walrus",
        "cc-no-partner",
        "sc-no-partner",
    ];
    let mut p = check(&at("samples/topology/unreliable.toml"));
    for id in warnings_only {
        p = p.arg(format!("--ignore={id}"));
    }
    let out = p.run();
    out.expect_first(1, "EUCA TOPOLOGY WARNING - 14 reliability findings (0 critical, 14 warning)", &[
        "5 finding(s) of ignored rules left out: ebs-not-san, ufs-single, object-storage-walrus, cc-no-partner, sc-no-partner",
    ]);
    out.lacks(&["ufs-single: only one host"]);
    check(&at("samples/topology/reference.toml"))
        .arg("--ignore=nope")
        .run()
        .expect(
            3,
            &["--ignore nope: expected a rule of the audit (core-no-ups, "],
        );
}

#[test]
fn a_topology_with_mistakes_is_unknown_naming_the_first_at_file_line_col() {
    let file = at("topology/tests/fixtures/mistakes.toml");
    check(&file).run().expect(
        3,
        &[&format!("EUCA TOPOLOGY UNKNOWN - {file}:15:17: unknown role 'ucs' (roles: clc, ufs, console, osg, walrus, riak, cc, sc, nc, vmware-broker) (and 3 more mistakes: euca-checks audit {file} lists them)")],
    ).expect_one_line();
}

#[test]
fn a_missing_or_absent_file_is_unknown() {
    check("/nonexistent/topology.toml")
        .run()
        .expect(
            3,
            &["EUCA TOPOLOGY UNKNOWN - cannot read /nonexistent/topology.toml: no such file"],
        )
        .expect_one_line();
    Plugin::new(BIN).run().expect(
        3,
        &["EUCA TOPOLOGY UNKNOWN - give --topology FILE, the deployment's topology"],
    );
}

#[test]
fn hostile_files_empty_garbage_deep_or_huge_are_unknown_never_a_crash() {
    let dir = std::env::temp_dir().join(format!("check-euca-topology-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cases: [(&str, Vec<u8>, &str); 5] = [
        ("empty.toml", Vec::new(), ":1:1: missing field `cloud`"),
        (
            "garbage.toml",
            (0..=255u8).cycle().take(2560).collect(),
            "garbage.toml:1:",
        ),
        (
            "deep.toml",
            format!(
                "[cloud]\nname = {}{}\n",
                "[".repeat(200_000),
                "]".repeat(200_000)
            )
            .into_bytes(),
            "deep.toml:2:",
        ),
        (
            "deep-tables.toml",
            format!("x = {}1{}\n", "{a=".repeat(100_000), "}".repeat(100_000)).into_bytes(),
            "deep-tables.toml:1:",
        ),
        (
            "huge.toml",
            vec![b'#'; 1024 * 1024 + 1],
            "larger than 1 MiB",
        ),
    ];
    for (name, bytes, want) in cases {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        let out = check(&path.display().to_string()).run();
        out.expect_state(Status::Unknown)
            .contains(&[want])
            .expect_one_line();
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
