//! The live path: `multipath -ll` run through the kit's tool runner. multipath-tools is not
//! installed here (no device-mapper multipath on this machine), so a stand-in `multipath`
//! script (a HostTree executable given with --multipath) prints a saved capture, fails, hangs
//! or prints nothing. The live host's /sys/class/iscsi_session is read too (absent here: no
//! iSCSI, which is not judged).

use harness::{HostTree, Outcome, Plugin};

const BIN: &str = env!("CARGO_BIN_EXE_check_san_path");

fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// Run the check with a stand-in multipath made of this shell script body.
fn with_fake(script: &str, extra: &[&str]) -> Outcome {
    let t = HostTree::new();
    let fake = t.executable("/bin/multipath", &format!("#!/bin/sh\n{script}\n"));
    let fake = fake.display().to_string();
    let o = Plugin::new(BIN)
        .args(["--multipath", &fake])
        .args(extra)
        .run();
    drop(t);
    o
}

#[test]
fn the_tools_output_is_judged_like_a_saved_copy() {
    let o = with_fake(
        &format!(
            "[ \"$1\" = -ll ] || exit 9; cat '{}'",
            fixture("multipath-md32xx-rdac-path-failed")
        ),
        &[],
    );
    o.expect(
        1,
        &["map00: only 1 active path", "map00 path sdf checker failed"],
    );
    assert_eq!(o.perf("map00_failed_paths").value, 1.0);
    with_fake(
        &format!("cat '{}'", fixture("multipath-lio-2maps-alua-ok")),
        &[],
    )
    .expect(0, &["SAN OK - 2 multipath maps"]);
}

#[test]
fn multipathd_not_running_said_on_stderr_is_a_warning() {
    with_fake(
        &format!(
            "cat '{}'; echo \"Apr 08 09:21:04 | multipath device maps are present, but 'multipathd' service is not running\" >&2",
            fixture("multipath-lio-2maps-alua-ok")
        ),
        &[],
    )
    .expect(1, &["SAN WARNING - multipathd is not running"]);
}

#[test]
fn no_output_is_no_map() {
    with_fake("exit 0", &[]).expect(3, &["no multipath map found"]);
    with_fake("exit 0", &["--expect-maps", "0"]).expect(0, &["SAN OK - 0 multipath maps"]);
    with_fake("exit 0", &["--map", "mpatha"]).expect(2, &["map mpatha missing"]);
}

#[test]
fn failures_of_the_tool_are_unknown_with_its_words() {
    with_fake(
        "echo 'DM multipath kernel driver not loaded' >&2; exit 1",
        &[],
    )
    .expect(
        3,
        &[
            "cannot read",
            "multipath -ll",
            "DM multipath kernel driver not loaded",
        ],
    );
    // Not root: the exact sudoers line for the fix.
    with_fake("echo 'need to be root' >&2; exit 1", &[]).expect(3, &["cannot read"]);
    let o = with_fake("echo 'permission denied' >&2; exit 1", &[]);
    o.expect(3, &["give --sudo", "NOPASSWD"]);
    // Garbage from the tool: UNKNOWN naming the output and line.
    with_fake("echo 'hello'; echo 'world'", &[])
        .expect(3, &["cannot read output of", "line 2 'world'"]);
}

#[test]
fn a_hung_tool_is_killed_at_the_timeout() {
    let started = std::time::Instant::now();
    let o = with_fake("sleep 30", &["-t", "1"]);
    assert_eq!(o.code, 3, "{}", o.stdout);
    assert!(o.first.contains("multipath"), "{}", o.first);
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}

#[test]
fn print_sudoers_names_multipath_ll() {
    let run = |args: &[&str]| {
        let o = std::process::Command::new(BIN).args(args).output().unwrap();
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let out = run(&[
        "--print-sudoers",
        "nagios",
        "--multipath",
        "/usr/sbin/multipath",
    ]);
    assert!(
        out.contains("nagios ALL=(root) NOPASSWD: /usr/sbin/multipath -ll"),
        "{out}"
    );
    // --sysfs runs no tool: no line.
    let out = run(&["--print-sudoers", "nagios", "--sysfs"]);
    assert!(!out.contains("NOPASSWD"), "{out}");
}
