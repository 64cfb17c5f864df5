//! check_euca_proc against peers: the Heartbeat from the CLC test double
//! (tests/euca-clc-double, --heartbeat) with a saved host tree, and a live test on this
//! machine's real /proc: processes exec'd with role-like argv (`sleep` as eucalyptus-cloud and
//! libvirtd, a python listener as httpd with the NC's config), ports mapped with
//! --port-override; killing one is CRITICAL naming it. Every process started is killed on drop.

use common::Status;
use harness::peers::{ClcDouble, PYTHON};
use harness::{free_port, HostTree, Outcome, Plugin};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_check_euca_proc");

fn here(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// Any DescribeServices answer: the double needs one; this plugin never asks for it.
fn scenario() -> PathBuf {
    harness::repo()
        .join("plugins/check_euca_clc/tests/fixtures/describe-services/07-healthy-4.4.xml")
}

fn double(heartbeat: &str) -> ClcDouble {
    ClcDouble::start_heartbeat(
        "proc",
        &scenario(),
        &here(&format!("tests/fixtures/heartbeat/{heartbeat}")),
    )
}

/// A /proc/net/tcp line of a listener on 127.0.0.1:PORT (padded as the kernel pads).
fn tcp_listen_line(port: u16) -> String {
    format!(
        "{:149}\n",
        format!("  40: 0100007F:{port:04X} 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 99999 1 ffff8800b8b5ffff 100 0 0 10 0")
    )
}

/// The tree `name` with the JVM's port listening on `port` instead of 8773.
fn tree_listening_on(name: &str, port: u16) -> HostTree {
    let t = HostTree::new();
    copy(&here(&format!("tests/trees/{name}")), t.root());
    let tcp = t.root().join("proc/net/tcp");
    let text = std::fs::read_to_string(&tcp).unwrap() + &tcp_listen_line(port);
    std::fs::write(tcp, text).unwrap();
    t
}

fn copy(from: &Path, to: &Path) {
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let (src, dst) = (e.path(), to.join(e.file_name()));
        let meta = std::fs::symlink_metadata(&src).unwrap();
        if meta.file_type().is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(&src).unwrap(), &dst).unwrap();
        } else if meta.is_dir() {
            std::fs::create_dir_all(&dst).unwrap();
            copy(&src, &dst);
        } else {
            std::fs::copy(&src, &dst).unwrap();
        }
    }
}

fn with_tree(t: &HostTree, args: &[&str]) -> Outcome {
    let root = t.root_arg();
    let mut all = vec!["--root", root.as_str()];
    all.extend_from_slice(args);
    Plugin::new(BIN).args(all).run()
}

#[test]
#[ignore = "needs python3 (the CLC test double): run scripts/test"]
fn heartbeat_components_from_the_double() {
    let d = double("clc-4.4-healthy.txt");
    let ws = format!("clc:8773={}", d.port);
    let t = tree_listening_on("clc-healthy", d.port);
    with_tree(
        &t,
        &["--role", "clc", "--heartbeat", "--port-override", &ws],
    )
    .expect(0, &["clc: 2 processes running"])
    .contains(&[
        "Heartbeat: eucalyptus (role clc) hosted here and enabled",
        "eucalyptus=clc",
    ])
    .expect_perf("'components_enabled'=13;;;0;");
    // Not asked unless --heartbeat on a saved tree.
    with_tree(&t, &["--role", "clc", "--port-override", &ws]).lacks(&["Heartbeat"]);
    // A secondary CLC: eucalyptus local but not enabled; OK, WARNING when expected active.
    d.control(r#"{"heartbeat": "clc-4.1-secondary-disabled.txt"}"#);
    with_tree(
        &t,
        &["--role", "clc", "--heartbeat", "--port-override", &ws],
    )
    .expect(0, &["clc"])
    .contains(&["eucalyptus (role clc) hosted here, not enabled (passive"]);
    with_tree(
        &t,
        &[
            "--role",
            "clc",
            "--heartbeat",
            "--port-override",
            &ws,
            "--expect-active",
            "eucalyptus",
        ],
    )
    .expect(1, &["eucalyptus local but not enabled"]);
    // The SC answer on a host asked as a CLC: no eucalyptus component here.
    d.control(r#"{"heartbeat": "sc-4.4-storage-not-enabled.txt"}"#);
    with_tree(
        &t,
        &["--role", "clc", "--heartbeat", "--port-override", &ws],
    )
    .expect(1, &["eucalyptus not hosted by this JVM"]);
    with_tree(
        &t,
        &[
            "--role",
            "sc",
            "--heartbeat",
            "--port-override",
            &format!("sc:8773={}", d.port),
            "--expect-active",
            "storage",
        ],
    )
    .expect(1, &["storage local but not enabled"]);
    // Garbage, and an answer over the 64 KiB cap: UNKNOWN naming the Heartbeat, never judged.
    let dir = HostTree::new();
    let garbage = dir.root().join("garbage.txt");
    std::fs::write(&garbage, "<html><body>502 Proxy Error</body></html>\n").unwrap();
    let huge = dir.root().join("huge.txt");
    let line =
        std::fs::read_to_string(here("tests/fixtures/heartbeat/clc-4.4-healthy.txt")).unwrap();
    std::fs::write(&huge, line.repeat(40)).unwrap();
    for (file, words) in [(&garbage, "not a Heartbeat line"), (&huge, "larger than")] {
        d.control(&format!(r#"{{"heartbeat": "{}"}}"#, file.display()));
        let out = with_tree(
            &t,
            &["--role", "clc", "--heartbeat", "--port-override", &ws],
        );
        out.expect(3, &["cannot read Heartbeat http://127.0.0.1:", words]);
    }
    // A JVM that accepts and never answers: CRITICAL within -t.
    d.control(r#"{"mode": "hang"}"#);
    let started = Instant::now();
    with_tree(
        &t,
        &[
            "--role",
            "clc",
            "--heartbeat",
            "--port-override",
            &ws,
            "-t",
            "2",
        ],
    )
    .expect(2, &["eucalyptus-cloud not answering"]);
    assert!(started.elapsed() < Duration::from_secs(4));
}

#[test]
fn heartbeat_refused_while_the_jvm_runs_is_critical() {
    let port = free_port();
    let t = tree_listening_on("clc-healthy", port);
    with_tree(
        &t,
        &[
            "--role",
            "ufs",
            "--heartbeat",
            "--port-override",
            &format!("ufs:8773={port}"),
        ],
    )
    .expect(2, &["eucalyptus-cloud not answering"])
    .contains(&[&format!("127.0.0.1:{port}/services/Heartbeat")]);
}

/// Processes this test started, killed (and reaped) on drop, also when an assertion fails.
struct Started(Vec<Child>);

impl Drop for Started {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn as_program(program: &str, argv0: &str, args: &[&str]) -> Child {
    Command::new(program)
        .arg0(argv0)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("start {program} as {argv0}: {e}"))
}

fn wait_listening(port: u16) {
    let t = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            t.elapsed() < Duration::from_secs(10),
            "nothing listens on {port}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn live(args: &[&str]) -> Outcome {
    Plugin::new(BIN).args(args).run()
}

#[test]
#[ignore = "needs python3 (the CLC test double and a listener): run scripts/test"]
fn live_host_processes_ports_and_heartbeat() {
    let d = double("ufs-4.4-healthy.txt");
    let nc_port = free_port();
    let mut kids = Started(Vec::new());
    kids.0
        .push(as_program("sleep", "eucalyptus-cloud", &["600"]));
    kids.0.push(as_program("sleep", "libvirtd", &["600"]));
    let listener = "import socket,sys,time\ns=socket.socket()\ns.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)\ns.bind(('127.0.0.1',int(sys.argv[1])))\ns.listen(5)\ntime.sleep(600)";
    let port_text = nc_port.to_string();
    kids.0.push(as_program(
        PYTHON,
        "httpd",
        &[
            "-c",
            listener,
            &port_text,
            "-f",
            "/run/eucalyptus/httpd-nc.conf",
        ],
    ));
    wait_listening(nc_port);
    let ws = format!("ufs:8773={}", d.port);
    let nc = format!("nc:8775={nc_port}");
    let args = [
        "--role",
        "ufs",
        "--role",
        "nc",
        "--port-override",
        ws.as_str(),
        "--port-override",
        nc.as_str(),
    ];
    live(&args)
        .expect(
            0,
            &[
                "ufs, nc: 3 processes running",
                &format!("listening on {}, {nc_port}", d.port),
            ],
        )
        .contains(&[
            "Heartbeat: user-api (role ufs) hosted here and enabled",
            "eucalyptus-cloud (ufs): 1 process",
        ]);
    // The JVM's port not listening yet (mapped to a free port): starting.
    let free = format!("ufs:8773={}", free_port());
    live(&["--role", "ufs", "--port-override", free.as_str()])
        .expect(1, &["eucalyptus-cloud starting"]);
    // Kill the "JVM": CRITICAL naming it.
    kids.0[0].kill().unwrap();
    kids.0[0].wait().unwrap();
    live(&args)
        .expect(2, &["eucalyptus-cloud not running"])
        .lacks(&["libvirtd not running"]);
    // Kill libvirtd too, then the NC's httpd.
    kids.0[1].kill().unwrap();
    kids.0[1].wait().unwrap();
    live(&args).expect(2, &["eucalyptus-cloud not running", "libvirtd not running"]);
    kids.0[2].kill().unwrap();
    kids.0[2].wait().unwrap();
    live(&args)
        .expect(2, &["eucalyptus-node not running"])
        .expect_state(Status::Critical);
}
