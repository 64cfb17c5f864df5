//! `euca-checks generate` as an admin runs it: files written where the README says, mistakes
//! as one line naming the file (and line) with exit 2, nothing written then.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn out_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("euca-checks-gen-cli-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn generate(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_euca-checks"))
        .arg("generate")
        .args(args)
        .output()
        .unwrap()
}

fn reference() -> String {
    repo()
        .join("samples/topology/reference.toml")
        .display()
        .to_string()
}

#[test]
fn each_format_writes_its_files() {
    let dir = out_dir("formats");
    let d = dir.display().to_string();
    let topo = reference();
    for (flag, sub, expect) in [
        (
            "--nagios",
            "nagios",
            vec!["euca-services.cfg", "euca-hosts.cfg", "euca-commands.cfg"],
        ),
        (
            "--nrpe",
            "nrpe",
            vec!["nrpe/clc1.cfg", "nrpe/nc-one-1.cfg", "sudoers/cc-one-a"],
        ),
        (
            "--icinga2",
            "icinga2",
            vec![
                "zones.conf",
                "zones.d/master/hosts.conf",
                "zones.d/global-templates/commands.conf",
            ],
        ),
        (
            "--commands-only",
            "shipped",
            vec![
                "nagios/euca-checks-commands.cfg",
                "icinga2/euca-checks-commands.conf",
                "nrpe/euca-checks.cfg",
            ],
        ),
    ] {
        let o = generate(&[flag, &topo, "-o", &format!("{d}/{sub}")]);
        assert!(
            o.status.success(),
            "{flag}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let listed = String::from_utf8_lossy(&o.stdout);
        for f in expect {
            let path = dir.join(sub).join(f);
            assert!(path.is_file(), "{flag}: {} missing", path.display());
            assert!(
                listed.contains(&path.display().to_string()),
                "{flag}: not listed: {f}"
            );
        }
    }
    let o = generate(&[
        "--icinga2",
        "--distributed",
        &topo,
        "-o",
        &format!("{d}/dist"),
    ]);
    assert!(o.status.success());
    assert!(dir.join("dist/zones.d/zone-one/hosts.conf").is_file());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn mistakes_are_one_line_with_exit_2_and_nothing_written() {
    let dir = out_dir("mistakes");
    let d = dir.display().to_string();
    let o = generate(&["--nagios", "/nonexistent/topology.toml", "-o", &d]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("cannot read the topology /nonexistent/topology.toml"),
        "{err}"
    );

    // A zone without satellite, with --distributed: its FILE:LINE.
    let text = std::fs::read_to_string(reference()).unwrap().replace(
        "satellite = { name = \"mon-two\", address = \"10.111.7.12\" }\n",
        "",
    );
    std::fs::create_dir_all(std::env::temp_dir()).unwrap();
    let topo = std::env::temp_dir().join(format!("euca-gen-cli-{}.toml", std::process::id()));
    std::fs::write(&topo, &text).unwrap();
    let t = topo.display().to_string();
    let o = generate(&["--icinga2", "--distributed", &t, "-o", &d]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    let line = text.lines().position(|l| l == "name = \"two\"").unwrap();
    assert!(
        err.contains(&format!("{t}:{}:", line)) || err.contains(&format!("{t}:{}:", line + 1)),
        "{err}"
    );
    assert!(err.contains("zone 'two' has no satellite"), "{err}");
    assert!(!dir.exists(), "something was written");
    // Without --distributed the same topology is fine.
    let o = generate(&["--icinga2", &t, "-o", &d]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    // --distributed is Icinga 2's; one format is required.
    let o = generate(&["--nagios", "--distributed", &t, "-o", &d]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("use it with --icinga2"));
    assert!(!generate(&[&t, "-o", &d]).status.success());
    let _ = std::fs::remove_file(&topo);
    let _ = std::fs::remove_dir_all(&dir);
}
