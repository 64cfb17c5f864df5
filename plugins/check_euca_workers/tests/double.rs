//! End-to-end over HTTP against euca-clc-double, the TEST DOUBLE of the CLC in
//! tests/euca-clc-double/ (Python, signatures verified with botocore): DescribeServices from
//! its scenario, DescribeInstances (only with `InstanceId.1=verbose`), DescribeImages and
//! DescribeConversionTasks on /services/compute, DescribeProperties on /services/Properties,
//! from the built fixtures. Needs /usr/bin/python3 with botocore (python3-botocore): #[ignore]d,
//! scripts/test runs them and fails them without it.

use harness::peers::ClcDouble;
use harness::{Outcome, Plugin};
use std::path::{Path, PathBuf};

const BIN: &str = env!("CARGO_BIN_EXE_check_euca_workers");
const ACCESS: &str = "AKIDWORKERSEXAMPLE";
const SECRET: &str = "workers/Secret+Key0123456789";

fn fixture(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(path)
}

/// The answers as the control file's "answers" (absolute paths).
fn answers(
    d: &ClcDouble,
    instances: &str,
    properties: &str,
    images: &str,
    tasks: &str,
    extra: &str,
) {
    let p = |f: &str| fixture(f).display().to_string();
    d.control(&format!(
        r#"{{"answers": {{"DescribeInstances": "{}", "DescribeProperties": "{}", "DescribeImages": "{}", "DescribeConversionTasks": "{}"}}{extra}}}"#,
        p(instances),
        p(properties),
        p(images),
        p(tasks)
    ));
}

fn check(d: &ClcDouble, extra: &[&str]) -> Outcome {
    let clc = d.clc();
    let creds = d.eucarc();
    let mut args = vec![
        "--clc",
        clc.as_str(),
        "--credentials",
        creds.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    Plugin::new(BIN)
        .args(&args)
        .env_remove("EC2_ACCESS_KEY")
        .env_remove("EC2_SECRET_KEY")
        .run()
}

/// The five healthy answers (two ELBs with three workers, one imaging worker).
fn healthy(d: &ClcDouble) {
    answers(
        d,
        "describe-instances/01-healthy.xml",
        "properties/01-images-set.xml",
        "describe-images/01-both-available.xml",
        "conversion-tasks/00-none-waiting.xml",
        "",
    );
}

fn start(tag: &str, services: &str) -> ClcDouble {
    ClcDouble::start(
        tag,
        &fixture(&format!("describe-services/{services}")),
        ACCESS,
        SECRET,
    )
}

#[test]
#[ignore = "needs /usr/bin/python3 with python3-botocore (the CLC test double): run scripts/test"]
fn healthy_over_http_with_sigv2_and_sigv4() {
    let d = start("workers-healthy", "07-healthy-4.4.xml");
    healthy(&d);
    for signature in ["v2", "v4"] {
        check(&d, &["--signature", signature])
            .expect_first(
                0,
                "EUCA WORKERS OK - 2 ELBs with 3 workers running; 1 imaging worker running",
                &[],
            )
            .expect_perf("'elbs_without_worker'=0;;;0; 'imaging_workers_running'=1;;;0;");
    }
}

#[test]
#[ignore = "needs /usr/bin/python3 with python3-botocore (the CLC test double): run scripts/test"]
fn workers_lost_and_images_gone_between_runs() {
    let d = start(
        "workers-change",
        "10-elb-backend-notready-nc-141-notready-4.4.xml",
    );
    answers(
        &d,
        "describe-instances/02-elb-without-worker.xml",
        "properties/02-elb-image-unset.xml",
        "describe-images/02-imaging-image-missing.xml",
        "conversion-tasks/01-one-waiting.xml",
        "",
    );
    check(&d, &[]).expect_first(
        2,
        "EUCA WORKERS CRITICAL - imaging worker image emi-1a2b3c4d does not exist; ELB worker image not set; loadbalancingbackend NOTREADY; ELB api (account 000123456789): no running worker",
        &["1 conversion task waiting, no imaging worker running"],
    );
    // a 3.x-4.1 cloud: properties through eucadmin's /services/Empyrean
    let url = format!("http://{}/services/Empyrean", d.clc());
    check(&d, &["--properties-url", &url]).expect(2, &["ELB worker image not set"]);
}

#[test]
#[ignore = "needs /usr/bin/python3 with python3-botocore (the CLC test double): run scripts/test"]
fn a_broken_source_is_unknown_naming_it() {
    let d = start("workers-broken", "07-healthy-4.4.xml");
    answers(
        &d,
        "describe-instances/01-healthy.xml",
        "properties/01-images-set.xml",
        "describe-images/01-both-available.xml",
        "conversion-tasks/00-none-waiting.xml",
        r#", "modes": {"DescribeInstances": "truncated"}"#,
    );
    check(&d, &[]).expect_first(
        3,
        "EUCA WORKERS UNKNOWN - cannot parse http://127.0.0.1:",
        &["/services/compute", "not well-formed XML"],
    );
    answers(
        &d,
        "describe-instances/01-healthy.xml",
        "properties/01-images-set.xml",
        "describe-images/01-both-available.xml",
        "conversion-tasks/00-none-waiting.xml",
        r#", "modes": {"DescribeProperties": "error500"}"#,
    );
    check(&d, &[]).expect_first(
        3,
        "EUCA WORKERS UNKNOWN - DescribeProperties at 127.0.0.1:",
        &["500 Internal Server Error"],
    );
    let closed = format!("127.0.0.1:{}", harness::free_port());
    Plugin::new(BIN)
        .args([
            "--clc",
            &closed,
            "--credentials",
            d.eucarc().to_str().unwrap(),
        ])
        .run()
        .expect_first(2, "EUCA WORKERS CRITICAL - ", &["unreachable"]);
}

/// DescribeInstances verbose is the slow answer of a busy CLC: 2.5 s of a 10 s run is not
/// "unreachable" (it had a fifth of the budget, 1.9 s, before).
#[test]
#[ignore = "needs /usr/bin/python3 with python3-botocore (the CLC test double): run scripts/test"]
fn a_slow_describe_instances_gets_most_of_the_budget() {
    let d = start("workers-slow-instances", "07-healthy-4.4.xml");
    answers(
        &d,
        "describe-instances/01-healthy.xml",
        "properties/01-images-set.xml",
        "describe-images/01-both-available.xml",
        "conversion-tasks/00-none-waiting.xml",
        r#", "delays": {"DescribeInstances": 2.5}"#,
    );
    check(&d, &["-t", "10"]).expect_first(
        0,
        "EUCA WORKERS OK - 2 ELBs with 3 workers running; 1 imaging worker running",
        &[],
    );
}

#[test]
#[ignore = "needs /usr/bin/python3 with python3-botocore (the CLC test double): run scripts/test"]
fn a_clc_pair_is_asked_in_turn_until_one_answers() {
    // 3.4-4.1 CLC pair, the first one's server down (nothing listens): the second answers
    // every request.
    let d = start("workers-pair", "07-healthy-4.4.xml");
    healthy(&d);
    let gone = format!("127.0.0.1:{}", harness::free_port());
    let (clc, creds) = (d.clc(), d.eucarc());
    Plugin::new(BIN)
        .args(["--clc", &gone, "--clc", &clc])
        .args(["--credentials", creds.to_str().unwrap()])
        .env_remove("EC2_ACCESS_KEY")
        .env_remove("EC2_SECRET_KEY")
        .run()
        .expect_first(
            0,
            "EUCA WORKERS OK - 2 ELBs with 3 workers running; 1 imaging worker running",
            &[],
        );
}
