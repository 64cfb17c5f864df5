//! `euca-checks run` end to end on a small topology whose plugins are stand-in scripts: the
//! table, the worst state as exit code, a missing program, --host, and the checks running in
//! the topology file's directory (its relative `root =`).

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

const TOPOLOGY: &str = r#"
[cloud]
name = "t"
eucalyptus = "4.4"
networking = "EDGE"
ebs = "san"
object_storage = "riak"

[[host]]
name = "riak1"
address = "127.0.0.1"
roles = ["riak"]
raid = "md"
root = "trees/riak1"

[[host]]
name = "riak2"
address = "127.0.0.1"
roles = ["riak"]
raid = "md"
"#;

struct Dir(PathBuf);

impl Dir {
    fn new(tag: &str) -> Dir {
        let p =
            std::env::temp_dir().join(format!("euca-checks-run-it-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        Dir(p)
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn script(dir: &Path, name: &str, body: &str) {
    std::fs::create_dir_all(dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
}

fn run(d: &Dir, extra: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_euca-checks"))
        .arg("run")
        .arg(d.0.join("topology.toml"))
        .arg("--plugin-dir")
        .arg(d.0.join("plugins"))
        .arg("--standard-dir")
        .arg(d.0.join("standard"))
        .args(extra)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn setup(tag: &str) -> Dir {
    let d = Dir::new(tag);
    std::fs::write(d.0.join("topology.toml"), TOPOLOGY).unwrap();
    // The stand-ins say where they ran and with which root.
    script(
        &d.0.join("plugins"),
        "check_raid",
        r#"echo "RAID OK - cwd $(basename "$(pwd)") args $*"; exit 0"#,
    );
    script(
        &d.0.join("plugins"),
        "check_riak",
        "printf 'RIAK WARNING - one node slow\\033[2J\\n'; exit 1",
    );
    d
}

#[test]
fn the_table_has_every_check_and_the_worst_state_is_the_exit_code() {
    let d = setup("all");
    let (code, out, err) = run(&d, &["--jobs", "2"]);
    // check_tcp is not in --standard-dir: UNKNOWN with its name, which outranks the WARNING.
    assert_eq!(code, 3, "{out}{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("STATE"), "{out}");
    let row = |host: &str, svc: &str| {
        lines
            .iter()
            .find(|l| l.split_whitespace().nth(1) == Some(host) && l.contains(svc))
            .unwrap_or_else(|| panic!("no {host} {svc}:\n{out}"))
            .to_string()
    };
    let raid = row("riak1", "RAID");
    assert!(raid.starts_with("OK "), "{raid}");
    // Run in the topology file's directory, with its relative root as written.
    let dir_name = d.0.file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        raid.contains(&format!(
            "cwd {dir_name} args -t 10 --root trees/riak1 --controller md"
        )),
        "{raid}"
    );
    assert!(!row("riak2", "RAID").contains("--root"), "{out}");
    let port = row("riak1", "Riak HTTP port");
    assert!(port.starts_with("UNKNOWN "), "{port}");
    assert!(port.contains("check_tcp not found in "), "{port}");
    let ring = row("riak1", "Riak ring");
    assert!(ring.starts_with("WARNING "), "{ring}");
    // A plugin's terminal escapes never reach the admin's terminal.
    assert!(!out.contains('\u{1b}'), "{out:?}");
    assert!(
        out.contains("\n5 checks: 2 OK, 1 WARNING, 2 UNKNOWN\nin "),
        "{out}"
    );
    // The last line: what the run took and its slowest check.
    let last = lines.last().unwrap();
    assert!(
        last.starts_with("in ") && last.contains("; slowest check "),
        "{last}"
    );
    // Not a terminal: no progress line.
    assert!(err.is_empty(), "{err}");
}

#[test]
fn one_host_only_and_mistakes_named() {
    let d = setup("host");
    let (code, out, _) = run(&d, &["--host", "riak2"]);
    assert!(out.lines().skip(1).all(|l| !l.contains("riak1")), "{out}");
    assert!(out.contains("riak2"), "{out}");
    assert_eq!(code, 3, "riak2's check_tcp is missing too:\n{out}");

    let (code, _, err) = run(&d, &["--host", "nosuch"]);
    assert_eq!(code, 3);
    assert!(
        err.contains("no host 'nosuch'") && err.contains("riak1, riak2"),
        "{err}"
    );

    std::fs::write(d.0.join("topology.toml"), "[cloud]\nname = 1\n").unwrap();
    let (code, out, err) = run(&d, &[]);
    assert_eq!(code, 3);
    assert!(out.is_empty(), "{out}");
    assert!(err.contains("topology.toml:2:"), "{err}");

    std::fs::remove_file(d.0.join("topology.toml")).unwrap();
    let (code, _, err) = run(&d, &[]);
    assert_eq!(code, 3);
    assert!(
        err.contains("cannot read ") && err.contains("topology.toml"),
        "{err}"
    );
}
