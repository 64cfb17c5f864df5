//! One test per built fixture (tests/fixtures/SOURCES.md: how each was built, from which
//! source, the state it must produce), through the real binary: state, words, perfdata.

use harness::{Outcome, Plugin};

const BIN: &str = env!("CARGO_BIN_EXE_check_euca_workers");

fn run(inputs: &[(&str, &str)]) -> Outcome {
    let mut args = Vec::new();
    for (name, file) in inputs {
        args.push("--input".to_string());
        args.push(format!("{name}=tests/fixtures/{file}"));
    }
    Plugin::new(BIN)
        .args(&args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .run()
}

const HEALTHY: [(&str, &str); 5] = [
    ("describe-instances", "describe-instances/01-healthy.xml"),
    ("properties", "properties/01-images-set.xml"),
    ("describe-images", "describe-images/01-both-available.xml"),
    ("conversion-tasks", "conversion-tasks/00-none-waiting.xml"),
    ("describe-services", "describe-services/07-healthy-4.4.xml"),
];

fn healthy_but(name: &str, file: &str) -> Vec<(&'static str, String)> {
    HEALTHY
        .iter()
        .map(|(n, f)| {
            (
                *n,
                if *n == name {
                    file.to_string()
                } else {
                    f.to_string()
                },
            )
        })
        .collect()
}

fn run_owned(inputs: &[(&str, String)]) -> Outcome {
    let v: Vec<(&str, &str)> = inputs.iter().map(|(n, f)| (*n, f.as_str())).collect();
    run(&v)
}

#[test]
fn healthy_cloud_is_ok_with_perfdata() {
    run(&HEALTHY)
        .expect_first(
            0,
            "EUCA WORKERS OK - 2 ELBs with 3 workers running; 1 imaging worker running; imaging image emi-1a2b3c4d available; ELB image emi-5e6f7a8b available",
            &[],
        )
        .expect_perf("'elbs'=2;;;0; 'elbs_without_worker'=0;;;0; 'elb_workers_running'=3;;;0; 'imaging_workers_running'=1;;;0;")
        .expect_long("ELB web (account 000123456789): 2 workers running in one, two")
        .expect_long("loadbalancingbackend ENABLED");
}

#[test]
fn the_three_property_forms_read_alike() {
    let xml = run(&HEALTHY);
    for file in [
        "properties/01-images-set-euctl.txt",
        "properties/01-images-set-euca-describe-properties.txt",
    ] {
        let r = run_owned(&healthy_but("properties", file));
        assert_eq!(r.first, xml.first, "{file}");
    }
}

#[test]
fn elb_without_worker_critical_fewer_warning_imaging_waits() {
    let mut inputs = healthy_but(
        "describe-instances",
        "describe-instances/02-elb-without-worker.xml",
    );
    run_owned(&inputs)
        .expect_first(
            2,
            "EUCA WORKERS CRITICAL - ELB api (account 000123456789): no running worker; ELB web (account 000123456789): 1 of 2 workers running",
            &["i-e1b00003 terminated in one, i-e1b00004 pending in one"],
        )
        .expect_perf("'elbs_without_worker'=1;;;0; 'elb_workers_running'=1;;;0; 'imaging_workers_running'=0;;;0;")
        .lacks(&["conversion task waiting"]);
    inputs[3].1 = "conversion-tasks/01-one-waiting.xml".into();
    run_owned(&inputs).contains(&[
        "1 conversion task waiting, no imaging worker running",
        "imaging worker i-1a900001 stopped",
    ]);
}

#[test]
fn worker_images_unset_missing_deregistered_are_critical() {
    run_owned(&healthy_but(
        "properties",
        "properties/02-elb-image-unset.xml",
    ))
    .expect_first(
        2,
        "EUCA WORKERS CRITICAL - ELB worker image not set",
        &["is NULL", "esi-install-image"],
    );
    run_owned(&healthy_but(
        "describe-images",
        "describe-images/02-imaging-image-missing.xml",
    ))
    .expect_first(
        2,
        "EUCA WORKERS CRITICAL - imaging worker image emi-1a2b3c4d does not exist",
        &[],
    );
    run_owned(&healthy_but(
        "describe-images",
        "describe-images/03-elb-image-deregistered.xml",
    ))
    .expect_first(
        2,
        "EUCA WORKERS CRITICAL - ELB worker image emi-5e6f7a8b deregistered",
        &[],
    );
}

#[test]
fn backend_down_and_worker_on_a_notready_nc() {
    let mut inputs = healthy_but(
        "describe-services",
        "describe-services/10-elb-backend-notready-nc-141-notready-4.4.xml",
    );
    inputs[0].1 = "describe-instances/03-worker-on-notready-nc.xml".into();
    run_owned(&inputs)
        .expect_first(
            2,
            "EUCA WORKERS CRITICAL - loadbalancingbackend NOTREADY; ELB worker i-e1b00001 on NC 10.111.5.141 NOTREADY",
            &["Load balancer image not configured"],
        );
    // the same instances on healthy NCs: OK
    inputs[4].1 = "describe-services/07-healthy-4.4.xml".into();
    run_owned(&inputs).expect_first(0, "EUCA WORKERS OK", &[]);
}

#[test]
fn optional_sources_left_out_are_said_and_required_ones_are_usage_errors() {
    run(&HEALTHY[..2]).expect_first(0, "EUCA WORKERS OK", &["whether it exists is not judged"]);
    run(&HEALTHY[..1]).expect(
        3,
        &["give --input describe-instances=FILE and --input properties=FILE"],
    );
    run(&[]).expect(3, &["give --clc HOST"]);
}
