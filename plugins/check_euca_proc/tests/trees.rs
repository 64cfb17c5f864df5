//! check_euca_proc end to end on the sample host trees (tests/trees/<name>/, built by
//! tests/trees/make_trees.py; expected states in tests/trees/SOURCES.md): the binary with
//! --root, --role auto and named roles; every tree cut at many places (a cut file is UNKNOWN
//! naming it, or the verdict is the whole tree's); hostile files.

use check_euca_proc::{check, Options};
use common::{Context, Status};
use harness::{HostTree, Outcome, Plugin};
use std::path::{Path, PathBuf};

const BIN: &str = env!("CARGO_BIN_EXE_check_euca_proc");

fn tree(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/trees")
        .join(name)
}

fn run(name: &str, extra: &[&str]) -> Outcome {
    let root = tree(name).display().to_string();
    let mut args = vec!["--root", root.as_str()];
    args.extend_from_slice(extra);
    Plugin::new(BIN).args(args).run()
}

#[test]
fn clc_healthy_auto() {
    run("clc-healthy", &[])
        .expect(0, &["clc: 2 processes running, listening on 8773, 8777"])
        .contains(&[
            "roles inferred",
            "clc (eucalyptus-cloud.service enabled, CLC database",
        ])
        .expect_perf("'jvm_threads'=412;;;0;")
        .expect_perf("'jvm_rss'=4310274048B;;;0;")
        .expect_perf("'eucalyptus_cloud_uptime'=273600s;;;0;")
        .expect_perf("'clc_processes'=2;;;0;");
}

#[test]
fn clc_crashed_is_a_stale_pid_file() {
    run("clc-crashed", &[])
        .expect(2, &["eucalyptus-cloud crashed (stale pid file)"])
        .contains(&[
            "eucalyptus-cloud.pid: pid 2817 gone",
            "systemctl restart eucalyptus-cloud",
            "cloud-output.log",
        ]);
}

#[test]
fn clc_starting_then_not_listening() {
    run("clc-starting", &["--role", "clc"])
        .expect(
            1,
            &["eucalyptus-cloud starting (port 8773 not listening yet)"],
        )
        .contains(&["up 75s"]);
    run("clc-not-listening", &["--role", "clc"])
        .expect(2, &["eucalyptus-cloud not listening on port 8773"])
        .contains(&["longer than the 600s start-up grace"]);
    // A longer grace: still starting.
    run(
        "clc-not-listening",
        &["--role", "clc", "--starting-grace", "9000"],
    )
    .expect(1, &["eucalyptus-cloud starting"]);
}

#[test]
fn a_jvm_host_without_database_is_inferred_as_cloud() {
    run("sc-healthy", &[])
        .expect(0, &["cloud: 2 processes running, listening on 8773"])
        .contains(&["cloud (eucalyptus-cloud.service enabled, no CLC database"]);
    run("sc-healthy", &["--role", "sc"]).expect(0, &["sc: 2 processes running"]);
    // Asked as a CLC it lacks the database port; its JVM runs for days: CRITICAL.
    run("sc-healthy", &["--role", "clc"]).expect(2, &["not listening on port 8777"]);
}

#[test]
fn cc_el6_names_and_stale_pid_with_the_process_running() {
    run("cc-healthy-el6", &[])
        .expect(0, &["cc: 3 processes running, listening on 8774"])
        .contains(&["init script eucalyptus-cc in runlevel 3", "pid 4100"]);
    run("cc-stale-pid", &[])
        .expect(1, &["eucalyptus-cluster pid file stale"])
        .contains(&["runs as pid 4300", "eucalyptus-cluster.pid: pid 4100 gone"]);
}

#[test]
fn nc_needs_libvirtd_and_reads_its_port_from_eucalyptus_conf() {
    run("nc-healthy", &[]).expect(0, &["nc: 3 processes running, listening on 8775"]);
    run("nc-libvirtd-down", &[])
        .expect(2, &["libvirtd not running"])
        .lacks(&["eucalyptus-node not running"]);
    run("nc-port-moved", &[]).expect(0, &["listening on 8885"]);
    run("nc-port-moved", &["--port-override", "nc:8775=8775"])
        .expect(2, &["eucalyptus-node not listening on port 8775"]);
}

#[test]
fn console_needs_eucaconsole_and_nginx() {
    run("console-healthy", &[])
        .expect(0, &["console: 5 processes running, listening on 8888, 443"])
        .contains(&["socket /run/eucaconsole/memcached.sock (memcached) listening"]);
    run("console-nginx-down", &[])
        .expect(2, &["the console is down for users: nginx not running"])
        .contains(&["restart eucaconsole and nginx through their init scripts"]);
}

#[test]
fn a_host_with_nothing_enabled_is_unknown_under_auto() {
    let t = HostTree::new().file("/proc/uptime", "1.0 1.0\n");
    Plugin::new(BIN)
        .args(["--root", &t.root_arg()])
        .run()
        .expect(3, &["--role auto: no Eucalyptus service enabled"]);
}

#[test]
fn expect_active_without_a_heartbeat_to_judge_it_is_a_usage_error() {
    run("clc-healthy", &["--expect-active", "eucalyptus"])
        .expect(3, &["--expect-active is judged from the Heartbeat"]);
    run(
        "nc-healthy",
        &[
            "--role",
            "nc",
            "--heartbeat",
            "--expect-active",
            "eucalyptus",
        ],
    )
    .expect(3, &["give a JVM role"]);
}

#[test]
fn bad_options_are_unknown() {
    for bad in [
        ["--port-override", "clc:80=81"],
        ["--port-override", "clc8773"],
        ["--role", "dns"],
    ] {
        Plugin::new(BIN)
            .args(bad)
            .run()
            .expect_state(Status::Unknown);
    }
}

// ---- cut and hostile, in process (thousands of runs) ----

fn opts(roles: &[&str]) -> Options {
    use clap::{Args, FromArgMatches};
    let mut argv = vec!["x".to_string()];
    for r in roles {
        argv.push("--role".into());
        argv.push(r.to_string());
    }
    let cmd = Options::augment_args(clap::Command::new("x"));
    Options::from_arg_matches(&cmd.get_matches_from(argv)).expect("options")
}

/// Verdict and, for UNKNOWN, the summary.
fn verdict(root: &Path, roles: &[&str]) -> (Status, String) {
    match check(&opts(roles), &Context::for_root(root)) {
        Ok(r) => (r.status(), r.summary_text()),
        Err(e) => (Status::Unknown, e.to_string()),
    }
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        let meta = std::fs::symlink_metadata(&src).unwrap();
        if meta.file_type().is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(&src).unwrap(), &dst).unwrap();
        } else if meta.is_dir() {
            std::fs::create_dir_all(&dst).unwrap();
            copy_tree(&src, &dst);
        } else {
            std::fs::copy(&src, &dst).unwrap();
        }
    }
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        let meta = std::fs::symlink_metadata(&p).unwrap();
        if meta.is_dir() {
            files(&p, out);
        } else if meta.is_file() && !p.ends_with(".keep") {
            out.push(p);
        }
    }
}

/// Cut every file of every tree at about 25 places (inside lines and at line ends): the
/// verdict is the whole tree's, or UNKNOWN naming the cut file (or, for a pid file whose
/// process /proc shows gone, the same CRITICAL naming the cut file). A cut between whole lines of
/// a line file with no end marker (/proc/net/*, eucalyptus.conf) is a shorter, valid file and
/// may be judged as one: those cut points are skipped, as are cmdline cuts between whole
/// arguments.
#[test]
fn every_tree_cut_anywhere_is_the_same_or_unknown_naming_the_file() {
    let names = [
        "clc-healthy",
        "clc-crashed",
        "clc-starting",
        "cc-healthy-el6",
        "cc-stale-pid",
        "nc-healthy",
        "nc-port-moved",
        "console-healthy",
        "console-nginx-down",
        "sc-healthy",
    ];
    let mut checked = 0;
    for name in names {
        let work = HostTree::new();
        copy_tree(&tree(name), work.root());
        let whole = verdict(work.root(), &[]);
        assert_ne!(whole.0, Status::Unknown, "{name}: {}", whole.1);
        let mut all = Vec::new();
        files(work.root(), &mut all);
        for file in all {
            let text = std::fs::read(&file).unwrap();
            let rel = file
                .strip_prefix(work.root())
                .unwrap()
                .display()
                .to_string();
            let line_file = rel.starts_with("proc/net/")
                || rel.ends_with(".conf")
                || rel.starts_with("usr/")
                || rel.starts_with("etc/rc.d/");
            let step = (text.len() / 25).max(1);
            for cut in (0..text.len())
                .step_by(step)
                .chain([text.len().saturating_sub(1)])
            {
                if line_file && (cut == 0 || text[cut - 1] == b'\n') {
                    continue;
                }
                // The same for a cmdline cut between two whole arguments (after a NUL): it
                // reads as a process with fewer arguments; one cut inside an argument is refused.
                if rel.ends_with("/cmdline") && cut > 0 && text[cut - 1] == 0 {
                    continue;
                }
                std::fs::write(&file, &text[..cut]).unwrap();
                let got = verdict(work.root(), &[]);
                checked += 1;
                if got != whole {
                    // UNKNOWN, or (a pid file cut while /proc shows its process gone) the
                    // same state with the cut file named: the outage is known without it.
                    assert!(
                        got.0 == Status::Unknown || got.0 == whole.0,
                        "{name}: {rel} cut at {cut}: {got:?}, whole {whole:?}"
                    );
                    assert!(
                        got.1.contains(&rel),
                        "{name}: {rel} cut at {cut} does not name it: {}",
                        got.1
                    );
                }
            }
            std::fs::write(&file, &text).unwrap();
        }
    }
    assert!(checked > 1500, "only {checked} cuts");
}

#[test]
fn hostile_files_are_unknown_naming_them() {
    let base = tree("clc-healthy");
    let cases: [(&str, Vec<u8>); 7] = [
        ("proc/2817/stat", b"garbage\n".to_vec()),
        ("proc/2817/stat", Vec::new()),
        ("proc/2817/status", b"\0\0\0\xff\xfe\n".to_vec()),
        ("proc/net/tcp", b"garbage\n".to_vec()),
        ("proc/net/tcp", Vec::new()),
        (
            "var/run/eucalyptus/eucalyptus-cloud.pid",
            b"<html>\n".to_vec(),
        ),
        (
            "etc/eucalyptus/eucalyptus.conf",
            b"EUCALYPTUS=\"/\n".to_vec(),
        ),
    ];
    for (file, bytes) in cases {
        let work = HostTree::new();
        copy_tree(&base, work.root());
        std::fs::write(work.root().join(file), &bytes).unwrap();
        let root = work.root_arg();
        let out = Plugin::new(BIN)
            .args(["--root", root.as_str(), "--role", "clc"])
            .run();
        out.expect_state(Status::Unknown);
        assert!(out.first.contains(file), "{file}: {}", out.first);
    }
    // Over the cap: 16 MiB of /proc/net/tcp is refused, not parsed.
    let work = HostTree::new();
    copy_tree(&base, work.root());
    let line = format!("{:149}\n", "   9: 0100007F:1F90 00000000:0000 01 00000000:00000000 00:00000000 00000000 0 0 1 1 0 1 0 0 1 0");
    let huge = std::fs::read_to_string(base.join("proc/net/tcp")).unwrap()
        + &line.repeat(16 * 1024 * 1024 / 150 + 10);
    std::fs::write(work.root().join("proc/net/tcp"), huge).unwrap();
    Plugin::new(BIN)
        .args(["--root", &work.root_arg(), "--role", "clc"])
        .run()
        .expect(3, &["proc/net/tcp", "larger than 16 MiB"]);
}

#[test]
fn a_source_that_never_ends_is_unknown_within_the_timeout() {
    let work = HostTree::new();
    copy_tree(&tree("clc-healthy"), work.root());
    std::fs::remove_file(work.root().join("proc/net/tcp")).unwrap();
    let work = work.fifo("/proc/net/tcp");
    let started = std::time::Instant::now();
    Plugin::new(BIN)
        .args(["--root", &work.root_arg(), "--role", "clc", "-t", "1"])
        .run()
        .expect(3, &["timed out after 1 s", "proc/net/tcp"]);
    assert!(started.elapsed() < std::time::Duration::from_secs(3));
}
