//! check_euca_edge end to end: the binary on NC host trees built from tests/fixtures (see its
//! SOURCES.md) and on the demo's samples/hosts/edge-* trees, healthy and broken, and on cut,
//! garbage, deep and huge sources.

use harness::{HostTree, Outcome, Plugin};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const BIN: &str = env!("CARGO_BIN_EXE_check_euca_edge");
const GNI: &str = "/var/run/eucalyptus/global_network_info.xml";
const VERSION: &str = "/var/run/eucalyptus/global_network_info.version";
const DHCP: &str = "/var/run/eucalyptus/net/euca-dhcp.conf";
const LOG: &str = "/var/log/eucalyptus/eucanetd.log";

fn fixture(name: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn stat(pid: u32, comm: &str) -> String {
    format!("{pid} ({comm}) S 1 {pid} {pid} 0 -1 4202816 1853 0 0 0 210 95 0 0 20 0 1 0 3112 171016192 2310\n")
}

/// NC 10.111.5.140 as it should be: eucanetd (4021) and dhcpd (4188) running with their pid
/// files, the GNI applied, both instances in euca-dhcp.conf, a quiet log.
fn healthy() -> HostTree {
    HostTree::new()
        .file(GNI, &fixture("global_network_info.xml"))
        .file(VERSION, &fixture("global_network_info.version-current"))
        .file(DHCP, &fixture("euca-dhcp.conf"))
        .file(LOG, &fixture("eucanetd.log-healthy"))
        .file("/proc/net/fib_trie", &fixture("fib_trie-nc140"))
        .file(
            "/etc/eucalyptus/eucalyptus.conf",
            "EUCALYPTUS=\"/\"\nVNET_MODE=\"EDGE\"\n",
        )
        .file("/var/run/eucalyptus/eucanetd.pid", "4021\n")
        .file("/proc/4021/stat", &stat(4021, "eucanetd"))
        .file("/proc/4021/cmdline", "/usr/sbin/eucanetd\0")
        .file("/var/run/eucalyptus/net/euca-dhcp.pid", "4188\n")
        .file("/proc/4188/stat", &stat(4188, "dhcpd"))
        .file(
            "/proc/4188/cmdline",
            "/usr/sbin/dhcpd\0-f\0-cf\0/var/run/eucalyptus/net/euca-dhcp.conf\0br0\0",
        )
        .file("/proc/1/stat", &stat(1, "systemd"))
        .file("/proc/1/cmdline", "/usr/lib/systemd/systemd\0")
}

/// A state directory of the test's own (mode 0700, as the kit wants one it did not create).
struct State {
    tree: HostTree,
}

impl State {
    fn new() -> State {
        let tree = HostTree::new().dir("/state");
        State { tree }
    }
    fn dir(&self) -> String {
        self.tree.path("/state").display().to_string()
    }
    /// Say the check first saw `gni` unapplied (eucanetd at `applied`) `ago` seconds ago.
    fn seen(self, gni: &str, applied: &str, ago: u64) -> State {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        self.tree.put(
            "/state/check_euca_edge.unapplied",
            &format!("{gni} {applied} {}\n", now - ago),
        );
        self
    }
}

fn run_with(tree: &HostTree, state: &State, extra: &[&str]) -> Outcome {
    let root = tree.root_arg();
    let dir = state.dir();
    let mut args = vec!["--root", root.as_str(), "--state-dir", dir.as_str(), "-vv"];
    args.extend_from_slice(extra);
    Plugin::new(BIN).args(&args).run()
}

fn run(tree: &HostTree, extra: &[&str]) -> Outcome {
    run_with(tree, &State::new(), extra)
}

fn remove(tree: &HostTree, path: &str) {
    let p = tree.path(path);
    if p.is_dir() {
        std::fs::remove_dir_all(&p).unwrap();
    } else {
        std::fs::remove_file(&p).unwrap();
    }
}

fn set_mtime(tree: &HostTree, path: &str, ago: Duration) {
    let f = std::fs::File::options()
        .write(true)
        .open(tree.path(path))
        .unwrap();
    f.set_modified(SystemTime::now() - ago).unwrap();
}

// ---- healthy ----

#[test]
fn a_healthy_nc_is_ok_with_its_perfdata() {
    run(&healthy(), &[])
        .expect_first(
            0,
            "EUCA EDGE OK - EDGE networking applied (GNI 5e0a7c1f), 2 instance(s) on this NC with DHCP entries |",
            &[
                "eucanetd running (pid 4021, /var/run/eucalyptus/eucanetd.pid)",
                "dhcpd running (pid 4188, /var/run/eucalyptus/net/euca-dhcp.pid)",
                "this NC is 10.111.5.140 in cluster one: 2 instance(s) (i-3c1f2a4b, i-7d2e9b10)",
                "i-7d2e9b10: DHCP entry node-10.111.10.24",
            ],
        )
        .expect_perf("'unapplied'=0s;120;600;0; 'failed_updates'=0;;;0; 'instances'=2;;;0;");
}

#[test]
fn the_node_ip_option_picks_another_node_and_an_nc_without_instances_needs_no_dhcpd() {
    let tree = healthy();
    remove(&tree, "/proc/4188");
    remove(&tree, "/var/run/eucalyptus/net/euca-dhcp.pid");
    run(&tree, &["--node-ip", "10.111.5.141"])
        .expect(
            0,
            &[
                "this NC is 10.111.5.141 in cluster one: 0 instance(s)",
                "dhcpd not running: not needed",
            ],
        )
        .expect_perf("'instances'=0;;;0;");
}

#[test]
fn processes_are_found_in_proc_without_pid_files() {
    let tree = healthy();
    remove(&tree, "/var/run/eucalyptus/eucanetd.pid");
    remove(&tree, "/var/run/eucalyptus/net/euca-dhcp.pid");
    run(&tree, &[]).expect(
        0,
        &[
            "eucanetd running (pid 4021, no pid file names it)",
            "dhcpd running (pid 4188, no pid file names it)",
        ],
    );
}

#[test]
fn the_el7_run_directory_is_read_too() {
    let tree = healthy();
    remove(&tree, "/var/run/eucalyptus/eucanetd.pid");
    tree.put("/run/eucalyptus/eucanetd.pid", "4021\n");
    run(&tree, &[]).expect(
        0,
        &["eucanetd running (pid 4021, /run/eucalyptus/eucanetd.pid)"],
    );
}

// ---- daemons ----

#[test]
fn eucanetd_gone_with_its_pid_file_left_is_critical_crashed() {
    let tree = healthy();
    remove(&tree, "/proc/4021");
    run(&tree, &[]).expect_first(
        2,
        "EUCA EDGE CRITICAL - eucanetd crashed (stale pid file) |",
        &[
            "/var/run/eucalyptus/eucanetd.pid names pid 4021, which is gone",
            "-> systemctl start eucanetd",
        ],
    );
}

#[test]
fn eucanetd_absent_is_critical_not_running_and_a_zombie_is_not_running() {
    let tree = healthy();
    remove(&tree, "/proc/4021");
    remove(&tree, "/var/run/eucalyptus/eucanetd.pid");
    run(&tree, &[]).expect_first(2, "EUCA EDGE CRITICAL - eucanetd not running |", &[]);
    let tree = healthy();
    tree.put("/proc/4021/stat", "4021 (eucanetd) Z 1 4021 4021 0 -1\n");
    run(&tree, &[]).expect_first(
        2,
        "EUCA EDGE CRITICAL - eucanetd crashed (stale pid file) |",
        &[],
    );
}

#[test]
fn a_pid_file_naming_another_program_is_stale() {
    let tree = healthy();
    tree.put("/proc/4021/stat", &stat(4021, "bash"));
    tree.put("/proc/4021/cmdline", "bash\0");
    run(&tree, &[]).expect_first(
        2,
        "EUCA EDGE CRITICAL - eucanetd crashed (stale pid file) |",
        &[],
    );
}

#[test]
fn a_proc_that_hides_other_users_processes_is_unknown_not_crashed() {
    // hidepid=2: root's eucanetd, dhcpd and init are invisible; the check's own process is not
    let tree = healthy();
    remove(&tree, "/proc/4021");
    remove(&tree, "/proc/4188");
    remove(&tree, "/proc/1");
    tree.put("/proc/7001/stat", &stat(7001, "check_euca_edge"));
    run(&tree, &[])
        .expect_first(
            3,
            "EUCA EDGE UNKNOWN - cannot see other users' processes in",
            &["(mounted with hidepid?)"],
        )
        .lacks(&["crashed"]);
}

#[test]
fn dhcpd_down_while_instances_need_it_is_critical_and_a_foreign_dhcpd_does_not_count() {
    let tree = healthy();
    remove(&tree, "/proc/4188");
    run(&tree, &[]).expect_first(
        2,
        "EUCA EDGE CRITICAL - dhcpd crashed (stale pid file) |",
        &["eucanetd-dhcpd@"],
    );
    let tree = healthy();
    remove(&tree, "/var/run/eucalyptus/net/euca-dhcp.pid");
    tree.put(
        "/proc/4188/cmdline",
        "/usr/sbin/dhcpd\0-cf\0/etc/dhcp/dhcpd.conf\0",
    );
    run(&tree, &[]).expect_first(2, "EUCA EDGE CRITICAL - dhcpd not running |", &[]);
}

// ---- GNI and applied version ----

#[test]
fn a_stale_version_is_ok_when_first_seen_then_warning_then_critical() {
    let tree = healthy();
    tree.put(VERSION, &fixture("global_network_info.version-stale"));
    let state = State::new();
    run_with(&tree, &state, &[])
        .expect(
            0,
            &["GNI 5e0a7c1f not applied for 0 s: eucanetd last applied 4d1b93e2"],
        )
        .expect_perf("'unapplied'=0s;120;600;0;");
    // the first sight is remembered: the next run counts from it
    let kept =
        std::fs::read_to_string(Path::new(&state.dir()).join("check_euca_edge.unapplied")).unwrap();
    assert!(kept.starts_with("5e0a7c1f 4d1b93e2 "), "{kept}");
    run_with(&tree, &State::new().seen("5e0a7c1f", "4d1b93e2", 300), &[]).expect_first(
        1,
        "EUCA EDGE WARNING - GNI 5e0a7c1f not applied for 5 min (warning 120) |",
        &["-> read /var/log/eucalyptus/eucanetd.log"],
    );
    let o = run_with(&tree, &State::new().seen("5e0a7c1f", "4d1b93e2", 1000), &[]);
    o.expect_first(
        2,
        "EUCA EDGE CRITICAL - GNI 5e0a7c1f not applied for 16 min (critical 600) |",
        &["'unapplied'=10", "s;120;600;0;"],
    );
    // a second may tick between the test's clock and the check's
    let age = o.perf("unapplied").value;
    assert!((1000.0..=1002.0).contains(&age), "{}", o.first);
    // a record of another mismatch is not this one's age
    run_with(&tree, &State::new().seen("0badc0de", "4d1b93e2", 1000), &[])
        .expect(0, &["not applied for 0 s"]);
    // -w/-c are the admin's
    run_with(
        &tree,
        &State::new().seen("5e0a7c1f", "4d1b93e2", 300),
        &["-w", "400", "-c", "900"],
    )
    .expect(0, &[]);
}

/// Within -w a mismatch is OK, but the summary must not say the GNI is applied when it is not.
#[test]
fn a_mismatch_within_the_warning_time_is_ok_without_claiming_it_applied() {
    let tree = healthy();
    tree.put(VERSION, &fixture("global_network_info.version-stale"));
    let o = run_with(&tree, &State::new().seen("5e0a7c1f", "4d1b93e2", 60), &[]);
    o.expect(0, &[]);
    assert!(
        o.first
            .starts_with("EUCA EDGE OK - EDGE: GNI 5e0a7c1f not applied yet (60 s)"),
        "{}",
        o.first
    );
    assert!(!o.first.contains("EDGE applied"), "{}", o.first);
}

#[test]
fn no_version_file_after_a_boot_is_a_mismatch_too() {
    let tree = healthy();
    remove(&tree, VERSION);
    run_with(&tree, &State::new().seen("5e0a7c1f", "-", 700), &[]).expect_first(
        2,
        "EUCA EDGE CRITICAL - GNI 5e0a7c1f not applied for 11 min (critical 600) |",
        &["eucanetd has applied no version since the host started"],
    );
}

#[test]
fn a_cut_version_file_is_unknown() {
    let tree = healthy();
    tree.put(VERSION, "");
    run(&tree, &[]).expect_first(
        3,
        "EUCA EDGE UNKNOWN - cannot read",
        &["global_network_info.version: the file is empty"],
    );
}

#[test]
fn a_missing_gni_is_critical_on_an_edge_nc_and_unknown_where_nothing_says_edge() {
    let tree = healthy();
    remove(&tree, GNI);
    run(&tree, &[]).expect_first(
        2,
        "EUCA EDGE CRITICAL - global network information missing |",
        &["this EDGE NC has received no broadcast from its CC"],
    );
    remove(&tree, "/etc/eucalyptus/eucalyptus.conf");
    run(&tree, &[]).expect_first(
        3,
        "EUCA EDGE UNKNOWN - ",
        &[
            "global_network_info.xml missing",
            "is this a Eucalyptus NC?",
        ],
    );
}

/// A host with nothing of Eucalyptus (no GNI, no eucalyptus.conf, no eucanetd) is UNKNOWN,
/// not CRITICAL "eucanetd not running"; an NC whose eucanetd crashed (pid file left) stays
/// CRITICAL.
#[test]
fn a_host_that_is_no_nc_at_all_is_unknown_not_critical() {
    let tree = HostTree::new()
        .file("/proc/uptime", "350735.47 234388.90\n")
        .file("/proc/1/stat", &stat(1, "systemd"))
        .file("/proc/1/cmdline", "/usr/lib/systemd/systemd\0")
        .dir("/var/log");
    run(&tree, &[]).expect_first(
        3,
        "EUCA EDGE UNKNOWN - ",
        &[
            "global_network_info.xml missing",
            "is this a Eucalyptus NC?",
        ],
    );
    let crashed = healthy();
    remove(&crashed, GNI);
    remove(&crashed, "/etc/eucalyptus/eucalyptus.conf");
    remove(&crashed, "/proc/4021");
    run(&crashed, &[]).expect(2, &["eucanetd crashed (stale pid file)"]);
}

#[test]
fn the_ccs_copy_of_the_gni_is_read_when_the_ncs_is_absent() {
    let tree = healthy();
    remove(&tree, GNI);
    tree.put(
        "/var/run/eucalyptus/cc_global_network_info.xml",
        &fixture("global_network_info.xml"),
    );
    run(&tree, &[]).expect(0, &["GNI version 5e0a7c1f"]);
}

/// The GNI cut at many points: the whole file's verdict or UNKNOWN naming the file, never a
/// smaller network judged as whole.
#[test]
fn a_gni_cut_anywhere_is_unknown_naming_it_or_the_whole_verdict() {
    let whole = fixture("global_network_info.xml");
    let tree = healthy();
    let mut unknown = 0;
    for cut in (0..whole.len())
        .step_by(41)
        .chain([whole.len() - 1, whole.len() - 2])
    {
        tree.put(GNI, &whole[..cut]);
        let o = run(&tree, &[]);
        match o.code {
            0 => assert!(
                o.first.starts_with(
                    "EUCA EDGE OK - EDGE networking applied (GNI 5e0a7c1f), 2 instance(s)"
                ),
                "cut at {cut}: {}",
                o.stdout
            ),
            3 => {
                assert!(
                    o.summary.contains("global_network_info.xml"),
                    "cut at {cut}: {}",
                    o.stdout
                );
                unknown += 1;
            }
            _ => panic!("cut at {cut} judged: {}", o.stdout),
        }
    }
    assert!(unknown > 100);
}

#[test]
fn garbage_deep_and_huge_gnis_are_unknown_naming_the_file() {
    let tree = healthy();
    tree.put(GNI, "\u{1}\u{2}garbage<<<");
    run(&tree, &[]).expect_first(
        3,
        "EUCA EDGE UNKNOWN - cannot read",
        &["global_network_info.xml: line 1"],
    );
    tree.put(GNI, "<html><body>502 Bad Gateway</body></html>");
    run(&tree, &[]).expect(3, &["not a global network information file"]);
    tree.put(
        GNI,
        &format!("<network-data version='1'>{}", "<a>".repeat(150_000)),
    );
    let o = run(&tree, &[]);
    o.expect(3, &["nested deeper than 32 levels"]);
    assert!(o.elapsed < Duration::from_secs(5));
    tree.put(
        GNI,
        &format!("<network-data version='1'>{}", "<a/>x".repeat(500_000)),
    );
    run(&tree, &[]).expect(3, &["500001 XML tags, more than the 175000"]);
    let big = format!(
        "<network-data version='1'>{}</network-data>",
        " ".repeat(4 << 20)
    );
    tree.put(GNI, &big);
    run(&tree, &[]).expect(
        3,
        &["global_network_info.xml: larger than 4 MiB, not read whole"],
    );
}

// ---- DHCP ----

#[test]
fn an_instance_without_dhcp_entry_is_critical() {
    let tree = healthy();
    let conf = fixture("euca-dhcp.conf").replace(
        "host node-10.111.10.24 {\n  hardware ethernet d0:0d:7d:2e:9b:10;\n  fixed-address 10.111.10.24;\n}\n",
        "",
    );
    tree.put(DHCP, &conf);
    run(&tree, &[]).expect_first(
        2,
        "EUCA EDGE CRITICAL - i-7d2e9b10 (10.111.10.24) without DHCP entry |",
        &["the NC waits for the entry before starting it"],
    );
}

#[test]
fn a_dhcp_entry_with_another_mac_is_critical() {
    let tree = healthy();
    tree.put(
        DHCP,
        &fixture("euca-dhcp.conf").replace("d0:0d:7d:2e:9b:10", "d0:0d:00:00:00:01"),
    );
    run(&tree, &[]).expect_first(
        2,
        "EUCA EDGE CRITICAL - i-7d2e9b10 DHCP entry with the wrong MAC |",
        &["node-10.111.10.24 has MAC d0:0d:00:00:00:01, the GNI says d0:0d:7d:2e:9b:10"],
    );
}

#[test]
fn a_missing_or_cut_dhcp_conf_is_critical_or_unknown() {
    let tree = healthy();
    remove(&tree, DHCP);
    run(&tree, &[]).expect_first(2, "EUCA EDGE CRITICAL - euca-dhcp.conf missing |", &[]);
    let whole = fixture("euca-dhcp.conf");
    for cut in (0..whole.len()).step_by(23) {
        tree.put(DHCP, &whole[..cut]);
        let o = run(&tree, &[]);
        assert_eq!(o.code, 3, "cut at {cut}: {}", o.stdout);
        assert!(
            o.summary.contains("euca-dhcp.conf"),
            "cut at {cut}: {}",
            o.stdout
        );
    }
}

// ---- this NC ----

#[test]
fn a_host_that_is_no_gni_node_is_unknown() {
    let tree = healthy();
    tree.put(
        "/proc/net/fib_trie",
        &fixture("fib_trie-nc140").replace("10.111.5.140", "10.111.5.199"),
    );
    run(&tree, &[]).expect_first(
        3,
        "EUCA EDGE UNKNOWN - this host is not a node of the GNI |",
        &[
            "none of this host's addresses (10.111.5.199, 127.0.0.1, 169.254.169.254)",
            "give --node-ip",
        ],
    );
    run(&tree, &["--node-ip", "10.111.5.77"]).expect(3, &["--node-ip 10.111.5.77 is not a node of the GNI (its nodes: 10.111.5.140, 10.111.5.141, 10.111.5.142)"]);
    remove(&tree, "/proc/net/fib_trie");
    run(&tree, &[]).expect(
        3,
        &["cannot tell which GNI node is this NC", "fib_trie missing"],
    );
}

// ---- the log ----

#[test]
fn recent_failed_updates_are_warning_and_old_ones_are_not() {
    let tree = healthy();
    tree.put(LOG, &fixture("eucanetd.log-failing"));
    run(&tree, &[])
        .expect_first(
            1,
            "EUCA EDGE WARNING - 4 failed update attempt(s) in the last 10 min |",
            &["last: could not complete VM network update: check above log errors for details"],
        )
        .expect_perf("'failed_updates'=4;;;0;");
    // the same lines written an hour ago
    set_mtime(&tree, LOG, Duration::from_secs(3600));
    run(&tree, &[])
        .expect(0, &["no failed update attempt"])
        .expect_perf("'failed_updates'=0;;;0;");
    // a wider window counts them again
    run(&tree, &["--failure-window", "4000"])
        .expect(1, &["4 failed update attempt(s) in the last 66 min"]);
}

#[test]
fn a_missing_or_foreign_log_is_unknown_unless_skipped() {
    let tree = healthy();
    remove(&tree, LOG);
    run(&tree, &[]).expect_first(
        3,
        "EUCA EDGE UNKNOWN - ",
        &["eucanetd.log missing", "--skip-log"],
    );
    run(&tree, &["--skip-log"])
        .expect(0, &[])
        .lacks(&["failed_updates"]);
    tree.put(LOG, "this is\nnot eucanetd's log\n");
    run(&tree, &[]).expect(3, &["none of its 2 lines is an eucanetd log line"]);
    tree.put("/var/log/other.log", &fixture("eucanetd.log-failing"));
    run(&tree, &["--log", "/var/log/other.log"]).expect(1, &["4 failed update attempt(s)"]);
}

#[test]
fn only_the_end_of_a_huge_log_is_read() {
    let tree = healthy();
    // 2.6 MiB of old lines, then the failures: the 1 MiB read reaches back past the window, so
    // the count is exact
    let mut log =
        "2026-11-25 09:00:00  INFO | eucanetd: pre-flight checks complete.\n".repeat(40_000);
    log.push_str(&fixture("eucanetd.log-failing"));
    tree.put(LOG, &log);
    run(&tree, &[])
        .expect(1, &["4 failed update attempt(s) in"])
        .lacks(&["at least"]);
    // 4.3 MiB of failures within the window: what was read is a lower bound, said so
    let failed = "2026-11-25 10:15:05  WARN | main loop complete (1213 ms): failures detected sleeping 1 seconds before next poll\n";
    tree.put(LOG, &failed.repeat(40_000));
    let o = run(&tree, &[]);
    o.expect(1, &["at least "]);
    let counted = o.perf("failed_updates").value;
    assert!(counted > 9_000.0 && counted < 10_000.0, "{}", o.first);
}

// ---- mode ----

#[test]
fn another_mode_is_unknown_unless_allowed() {
    let tree = healthy();
    tree.put("/etc/eucalyptus/eucalyptus.conf", "VNET_MODE=\"VPCMIDO\"\n");
    tree.put(
        GNI,
        &fixture("global_network_info.xml")
            .replace("<value>EDGE</value>", "<value>VPCMIDO</value>"),
    );
    run(&tree, &[]).expect_first(
        3,
        "EUCA EDGE UNKNOWN - network mode VPCMIDO, not EDGE",
        &["give --allow-mode VPCMIDO", "eucanetd runs on the CLC"],
    );
    run(&tree, &["--allow-mode", "vpcmido"])
        .expect_first(
            0,
            "EUCA EDGE OK - VPCMIDO networking applied (GNI 5e0a7c1f)",
            &[],
        )
        .lacks(&["DHCP"]);
    // without a GNI, eucalyptus.conf says the mode
    remove(&tree, GNI);
    tree.put("/etc/eucalyptus/eucalyptus.conf", "VNET_MODE=\"MANAGED\"\n");
    run(&tree, &[]).expect(
        3,
        &["network mode MANAGED (VNET_MODE in eucalyptus.conf), not EDGE"],
    );
    run(&tree, &["--allow-mode=-x"]).expect(3, &["--allow-mode '-X': expected a mode name"]);
}

#[test]
fn a_gni_mode_other_than_eucalyptus_conf_is_critical() {
    let tree = healthy();
    tree.put(
        "/etc/eucalyptus/eucalyptus.conf",
        "VNET_MODE=\"MANAGED-NOVLAN\"\n",
    );
    run(&tree, &[]).expect_first(
        2,
        "EUCA EDGE CRITICAL - GNI mode EDGE, eucalyptus.conf MANAGED-NOVLAN |",
        &["eucanetd skips every update"],
    );
}

// ---- the demo's samples ----

/// Copy a sample tree into a fresh tree (fresh mtimes: the log is as eucanetd just wrote it).
fn copy_into(from: &Path, tree: &HostTree, rel: &str) {
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let name = format!("{rel}/{}", e.file_name().to_string_lossy());
        if e.file_type().unwrap().is_dir() {
            copy_into(&e.path(), tree, &name);
        } else {
            tree.put(&name, &std::fs::read_to_string(e.path()).unwrap());
        }
    }
}

#[test]
fn every_sample_tree_gives_its_state() {
    let samples: PathBuf = harness::repo().join("samples/hosts");
    let expected = [
        ("edge-healthy", 0, "EDGE networking applied (GNI 5e0a7c1f)"),
        ("edge-stale-version", 2, "GNI 5e0a7c1f not applied for"),
        ("edge-eucanetd-down", 2, "eucanetd crashed (stale pid file)"),
        ("edge-dhcpd-down", 2, "dhcpd crashed (stale pid file)"),
        (
            "edge-missing-dhcp-entry",
            2,
            "i-7d2e9b10 (10.111.10.24) without DHCP entry",
        ),
        (
            "edge-failed-updates",
            1,
            "4 failed update attempt(s) in the last 10 min",
        ),
        ("edge-vpcmido-mode", 3, "network mode VPCMIDO, not EDGE"),
    ];
    let found = std::fs::read_dir(&samples)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with("edge-")
        })
        .count();
    assert_eq!(
        found,
        expected.len(),
        "a sample tree without its expected state here"
    );
    for (name, code, summary) in expected {
        let tree = HostTree::new();
        copy_into(&samples.join(name), &tree, "");
        let state = tree.path("/var/lib/euca-checks");
        let state = if state.is_dir() {
            state.display().to_string()
        } else {
            tree.put("/var/lib/euca-checks/.keep", "");
            state.display().to_string()
        };
        let root = tree.root_arg();
        let o = Plugin::new(BIN)
            .args(["--root", root.as_str(), "--state-dir", state.as_str()])
            .run();
        assert_eq!(o.code, code, "{name}: {}", o.stdout);
        assert!(o.summary.starts_with(summary), "{name}: {}", o.stdout);
    }
}

// ---- live /proc ----

/// A process this test started, killed (with its children) when dropped.
struct Started(std::process::Child);

impl Drop for Started {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// An executable at `path` whose process is named after the file (a `#!` script's comm is the
/// script's name) and waits on a pipe nobody writes to: no child process to leave behind.
fn sleeper(tree: &HostTree, path: &str, args: &[&str]) -> Started {
    let exe = tree.executable(path, "#!/bin/sh\nread -r line\n");
    let child = std::process::Command::new(exe)
        .args(args)
        .stdin(std::process::Stdio::piped())
        .spawn()
        .expect("start a stand-in daemon");
    Started(child)
}

/// This machine's real /proc (the tree's proc is a link to it), stand-in processes named
/// eucanetd and dhcpd with their pid files: running, then killed.
#[test]
fn live_processes_are_found_and_a_killed_one_is_critical() {
    let tree = healthy();
    remove(&tree, "/proc");
    std::os::unix::fs::symlink("/proc", tree.path("/proc")).unwrap();
    let eucanetd = sleeper(&tree, "/usr/sbin/eucanetd", &[]);
    let dhcpd = sleeper(
        &tree,
        "/usr/sbin/dhcpd",
        &["-f", "-cf", "/var/run/eucalyptus/net/euca-dhcp.conf", "br0"],
    );
    let (e, d) = (eucanetd.0.id(), dhcpd.0.id());
    tree.put("/var/run/eucalyptus/eucanetd.pid", &format!("{e}\n"));
    tree.put("/var/run/eucalyptus/net/euca-dhcp.pid", &format!("{d}\n"));
    // this host's addresses are not the GNI's: name the node
    let node = ["--node-ip", "10.111.5.140"];
    // a fresh process may still show its parent's name for a moment
    let o = Plugin::new(BIN)
        .args([
            "--root",
            tree.root_arg().as_str(),
            "--state-dir",
            State::new().dir().as_str(),
        ])
        .args(node)
        .run_until(Duration::from_secs(5), |o| o.code == 0);
    o.expect(
        0,
        &[
            &format!("eucanetd running (pid {e}, /var/run/eucalyptus/eucanetd.pid)"),
            &format!("dhcpd running (pid {d},"),
        ],
    );
    drop(dhcpd);
    run(&tree, &node).expect_first(
        2,
        "EUCA EDGE CRITICAL - dhcpd crashed (stale pid file) |",
        &[&format!("euca-dhcp.pid names pid {d}, which is gone")],
    );
    drop(eucanetd);
    let o = run(&tree, &node);
    // The machine is shared: another test may run a process named eucanetd right now. The
    // check must then name that one; else ours is gone and its pid file stale.
    match live_eucanetd() {
        Some(other) => o.expect(2, &[&format!("eucanetd running (pid {other}, no pid file names it)")]),
        None => o.expect_first(
            2,
            "EUCA EDGE CRITICAL - eucanetd crashed (stale pid file); dhcpd crashed (stale pid file) |",
            &[&format!("eucanetd.pid names pid {e}, which is gone")],
        ),
    };
}

/// A process named eucanetd on this machine, read straight from /proc by the test.
fn live_eucanetd() -> Option<String> {
    std::fs::read_dir("/proc").ok()?.flatten().find_map(|d| {
        let name = d.file_name().to_string_lossy().into_owned();
        name.parse::<u32>().ok()?;
        let comm = std::fs::read_to_string(d.path().join("comm")).ok()?;
        (comm.trim_end() == "eucanetd").then_some(name)
    })
}
