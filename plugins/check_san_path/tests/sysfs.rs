//! The sysfs mode on the built trees (tests/samples, see its SOURCES.md) and hostile sysfs
//! values; mounts from the trees' /proc/self/mountinfo.

use harness::{HostTree, Outcome, Plugin};

const BIN: &str = env!("CARGO_BIN_EXE_check_san_path");

fn sample(name: &str, extra: &[&str]) -> Outcome {
    let root = format!("{}/tests/samples/{name}", env!("CARGO_MANIFEST_DIR"));
    Plugin::new(BIN).args(["--root", &root]).args(extra).run()
}

#[test]
fn a_healthy_tree_is_ok_with_perfdata_per_map_and_target() {
    let o = sample("healthy", &["--mount", "/var/lib/eucalyptus/bukkits"]);
    o.expect(
        0,
        &["SAN OK - 2 multipath maps, 2 iSCSI targets, 1 mount: every path and session up"],
    );
    assert_eq!(o.perf("mpatha_active_paths").value, 2.0);
    assert_eq!(o.perf("mpathb_failed_paths").value, 0.0);
    assert_eq!(o.perf("iqn.2025-03.com.example_san-a_sessions").value, 2.0);
    o.contains(&[
        "/var/lib/eucalyptus/bukkits (xfs /dev/mapper/mpatha) mounted read-write",
        "iqn.2025-03.com.example:san-a: 2 sessions logged in (10.131.0.11:3260, 10.132.0.11:3260)",
    ]);
    // The LVM volume (dm-2) is no multipath map.
    o.lacks(&["vg0-root"]);
}

#[test]
fn one_path_offline_is_a_warning_naming_it() {
    let o = sample("one-path-offline", &[]);
    o.expect(
        1,
        &[
            "mpatha: only 1 active path",
            "mpatha path sdc device offline",
        ],
    );
    assert_eq!(o.perf("mpatha_active_paths").value, 1.0);
    assert_eq!(o.perf("mpatha_failed_paths").value, 1.0);
}

#[test]
fn all_paths_down_is_critical() {
    let o = sample("all-paths-down", &[]);
    o.expect(
        2,
        &[
            "SAN CRITICAL - mpatha: no active path",
            "sdc device transport-offline",
        ],
    );
    assert_eq!(o.perf("mpatha_active_paths").value, 0.0);
}

#[test]
fn a_failed_session_beside_a_logged_in_one_is_a_warning() {
    let o = sample("iscsi-session-failed", &[]);
    o.expect(
        1,
        &[
            "iqn.2025-03.com.example:san-a session 2 FAILED",
            "session 2 via 10.132.0.11:3260 is FAILED (connection failed); 1 of 2 logged in",
        ],
    );
    assert_eq!(o.perf("iqn.2025-03.com.example_san-a_sessions").value, 1.0);
    // Its only other session gone too: CRITICAL.
    let root = format!(
        "{}/tests/samples/iscsi-session-failed",
        env!("CARGO_MANIFEST_DIR")
    );
    let t = HostTree::new();
    copy(std::path::Path::new(&root), t.root());
    t.put("/sys/class/iscsi_session/session1/state", "FREE\n");
    Plugin::new(BIN).root(&t).run().expect(2, &["iqn.2025-03.com.example:san-a: no session logged in (session 1 FREE, session 2 FAILED)"]);
}

fn copy(from: &std::path::Path, to: &std::path::Path) {
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        let kind = e.file_type().unwrap();
        if kind.is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
            copy(&e.path(), &dest);
        } else if kind.is_symlink() {
            // slaves/sdX -> ../../sdX, as sysfs links them (git keeps links, not empty dirs)
            std::os::unix::fs::symlink(std::fs::read_link(e.path()).unwrap(), dest).unwrap();
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

#[test]
fn expected_maps_targets_and_mounts() {
    sample("healthy", &["--map", "mpathc"]).expect(2, &["map mpathc missing"]);
    sample("healthy", &["--expect-maps", "3"]).expect(2, &["2 of 3 maps"]);
    sample(
        "healthy",
        &[
            "--map",
            "36001405d618a8d33eae5caeba25c278c",
            "--target",
            "iqn.2025-03.com.example:san-b",
            "--min-sessions",
            "2",
        ],
    )
    .expect(0, &["SAN OK"]);
    sample("healthy", &["--target", "iqn.2025-03.com.example:san-c"])
        .expect(2, &["target iqn.2025-03.com.example:san-c has no session"]);
    sample("healthy", &["--mount", "/var/lib/eucalyptus/volumes"])
        .expect(2, &["/var/lib/eucalyptus/volumes read-only"]);
    sample("healthy", &["--mount", "/srv/store"]).expect(2, &["/srv/store not mounted"]);
    sample("healthy", &["--mount", "srv"]).expect(3, &["not an absolute path"]);
    sample(
        "healthy",
        &["--mount", "/var/lib/eucalyptus/bukkits", "--write-test"],
    )
    .expect(3, &["--write-test writes on the live host"]);
    sample("healthy", &["--no-multipath"])
        .expect(0, &["SAN OK - 2 iSCSI targets: every session logged in"])
        .lacks(&["mpatha"]);
}

#[test]
fn a_host_without_maps_or_sessions() {
    let t = HostTree::new().dir("/sys/block/sda");
    Plugin::new(BIN)
        .root(&t)
        .run()
        .expect(3, &["no multipath map found"]);
    Plugin::new(BIN)
        .root(&t)
        .args(["--expect-maps", "0"])
        .run()
        .expect(0, &["SAN OK - 0 multipath maps"]);
    // A --target on a host with no session at all is an outage.
    Plugin::new(BIN)
        .root(&t)
        .args(["--expect-maps", "0", "--target", "iqn.x:y"])
        .run()
        .expect(2, &["target iqn.x:y has no session"]);
}

#[test]
fn hostile_sysfs_values_are_unknown_naming_the_file() {
    let t = HostTree::new()
        .file("/sys/block/dm-0/dm/uuid", "mpath-3600a\n")
        .dir("/sys/block/dm-0/slaves/sdb")
        .file("/sys/block/sdb/device/state", "runn");
    Plugin::new(BIN).root(&t).run().expect(
        3,
        &[
            "cannot read",
            "dm-0",
            "sdb/device/state 'runn' is no device state",
        ],
    );
    let t = HostTree::new()
        .dir("/sys/block/sda")
        .file("/sys/class/iscsi_session/session1/targetname", "iqn.a\n")
        .file("/sys/class/iscsi_session/session1/state", "LOGGED_I");
    Plugin::new(BIN)
        .root(&t)
        .args(["--expect-maps", "0"])
        .run()
        .expect(
            3,
            &[
                "cannot read",
                "iscsi_session",
                "session1/state 'LOGGED_I' is no session state",
            ],
        );
    let t = HostTree::new()
        .dir("/sys/block/sda")
        .file("/sys/class/iscsi_session/session1/state", "LOGGED_IN\n");
    Plugin::new(BIN)
        .root(&t)
        .args(["--expect-maps", "0"])
        .run()
        .expect(3, &["session1/targetname missing"]);
    // A map whose slaves are all gone: no active path.
    let t = HostTree::new()
        .file("/sys/block/dm-0/dm/uuid", "mpath-3600a\n")
        .dir("/sys/block/dm-0/slaves");
    Plugin::new(BIN)
        .root(&t)
        .run()
        .expect(2, &["3600a: no active path"]);
    // Garbage and a cut mountinfo.
    let t = HostTree::new().dir("/sys/block").file(
        "/proc/self/mountinfo",
        "22 1 8:1 / / rw - ext4 /dev/sda1 rw\n40 22 253:0 / /srv rw,noatime - xf",
    );
    Plugin::new(BIN)
        .root(&t)
        .args(["--expect-maps", "0", "--mount", "/srv"])
        .run()
        .expect(3, &["cannot read", "mountinfo", "line 2"]);
    let t = HostTree::new()
        .dir("/sys/block")
        .file("/proc/self/mountinfo", "\u{0}\u{1}garbage\n");
    Plugin::new(BIN)
        .root(&t)
        .args(["--expect-maps", "0", "--mount", "/srv"])
        .run()
        .expect(3, &["cannot read", "mountinfo"]);
}
