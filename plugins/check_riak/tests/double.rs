//! The HTTP path against a Riak TEST DOUBLE: Riak is not packaged for Debian, so a small
//! loopback server (below, std only) stands in for a Riak KV node (`GET /ping` -> `OK`,
//! `GET /stats` -> a fixture's JSON) and a Riak CS node (`GET /riak-cs/ping`). It is not Riak:
//! it answers what the fixtures captured or reconstructed, so these tests check the plugin's
//! HTTP side (ports, paths, failures, deadlines), not Riak's behaviour.

use harness::{Outcome, Plugin};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the double answers on a path: status line and body.
type Routes = Arc<Mutex<Vec<(String, String, String)>>>;

struct Double {
    port: u16,
    routes: Routes,
}

impl Double {
    fn start(routes: &[(&str, &str, &str)]) -> Double {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let routes: Routes = Arc::new(Mutex::new(
            routes
                .iter()
                .map(|(p, s, b)| (p.to_string(), s.to_string(), b.to_string()))
                .collect(),
        ));
        let shared = routes.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                let routes = shared.clone();
                std::thread::spawn(move || answer(conn, &routes));
            }
        });
        Double { port, routes }
    }

    fn at(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    fn set(&self, path: &str, status: &str, body: &str) {
        let mut routes = self.routes.lock().unwrap();
        routes.retain(|(p, _, _)| p != path);
        routes.push((path.into(), status.into(), body.into()));
    }
}

fn answer(mut conn: TcpStream, routes: &Routes) {
    let mut request = Vec::new();
    let mut buf = [0u8; 1024];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
        match conn.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => request.extend_from_slice(&buf[..n]),
        }
    }
    let text = String::from_utf8_lossy(&request);
    let path = text.split_whitespace().nth(1).unwrap_or("").to_string();
    let route = routes
        .lock()
        .unwrap()
        .iter()
        .find(|(p, _, _)| *p == path)
        .cloned();
    let (status, body) = match route {
        Some((_, s, _)) if s == "silent" => {
            std::thread::sleep(Duration::from_secs(30));
            return;
        }
        Some((_, s, b)) => (s, b),
        None => (
            "404 Object Not Found".to_string(),
            "not found\n".to_string(),
        ),
    };
    let _ = write!(
        conn,
        "HTTP/1.1 {status}\r\nServer: MochiWeb/1.1 WebMachine/1.10.8 (riak-test-double)\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn node(stats: &str) -> Double {
    Double::start(&[
        ("/ping", "200 OK", "OK"),
        ("/stats", "200 OK", &fixture(stats)),
    ])
}

fn riak(args: &[&str]) -> Outcome {
    Plugin::new(env!("CARGO_BIN_EXE_check_riak"))
        .args(args)
        .run()
}

/// A port nothing listens on.
fn closed_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

#[test]
fn a_healthy_node_is_ok_with_its_ping_and_stats() {
    let n = node("stats-healthy-5node.json");
    riak(&["--node", &n.at(), "-v"]).expect(
        0,
        &[
            "RIAK OK - ring of 5 members, all up",
            &format!("Riak at {}: ping OK", n.at()),
            "'get_95th'=4321us;;;0;",
            "'partitions'=64;;;0;",
        ],
    );
}

#[test]
fn a_failing_ping_is_critical_naming_the_node() {
    let n = node("stats-healthy-5node.json");
    n.set("/ping", "500 Internal Server Error", "{error,timeout}");
    riak(&["--node", &n.at()]).expect(
        2,
        &[&format!(
            "RIAK CRITICAL - Riak at {} ping failed (answered 500 Internal Server Error)",
            n.at()
        )],
    );
    n.set("/ping", "200 OK", "pong");
    riak(&["--node", &n.at()]).expect(2, &["ping failed (answered 'pong' instead of OK)"]);
}

#[test]
fn a_node_that_refuses_is_critical_unreachable() {
    let at = format!("127.0.0.1:{}", closed_port());
    riak(&["--node", &at]).expect(
        2,
        &[&format!(
            "RIAK CRITICAL - Riak at {at} unreachable (connection refused)"
        )],
    );
}

#[test]
fn a_silent_node_is_unreachable_within_the_timeout() {
    let n = node("stats-healthy-5node.json");
    n.set("/ping", "silent", "");
    n.set("/stats", "silent", "");
    let run = riak(&["--node", &n.at(), "-t", "2"]);
    run.expect(
        2,
        &[&format!("Riak at {} unreachable (no answer within", n.at())],
    );
    assert!(
        run.elapsed < Duration::from_millis(2500),
        "{:?}",
        run.elapsed
    );
}

#[test]
fn a_member_down_seen_over_http_is_warning_and_two_nodes_are_both_judged() {
    let a = node("stats-one-node-down.json");
    // The healthy fixture as riak@10.111.5.161 sees the ring.
    let as_161 = fixture("stats-healthy-5node.json")
        .replace(
            "\"nodename\": \"riak@10.111.5.160\"",
            "\"nodename\": \"riak@10.111.5.161\"",
        )
        .replacen("\"riak@10.111.5.161\",", "\"riak@10.111.5.160\",", 1);
    let b = node("stats-healthy-5node.json");
    b.set("/stats", "200 OK", &as_161);
    let run = riak(&["--node", &a.at(), "--node", &b.at(), "-w", "50000"]);
    run.expect(
        1,
        &[
            "RIAK WARNING - 1 of 5 ring members down: riak@10.111.5.164",
            "riak@10.111.5.160: get 95th percentile 51.3 ms (warning 50000 us)",
            // two nodes' latencies: labels carry the node's name
            "'riak_10_111_5_160_get_95th'=51277us;50000;;0;",
            "'riak_10_111_5_161_get_95th'=4321us;50000;;0;",
        ],
    );
    // The same node reached at two addresses (a load balancer and its own): judged once.
    let c = node("stats-healthy-5node.json");
    riak(&["--node", &b.at(), "--node", &c.at(), "--node", &a.at()])
        .expect(1, &["'riak_10_111_5_160_get_95th'=4321us", "1 of 5"]);
}

#[test]
fn stats_that_are_not_json_are_unknown_naming_the_node() {
    let n = node("stats-healthy-5node.json");
    n.set("/stats", "200 OK", "<html>proxy error</html>");
    riak(&["--node", &n.at()]).expect(
        3,
        &[&format!(
            "RIAK UNKNOWN - cannot read /stats of Riak at {}: not JSON",
            n.at()
        )],
    );
    n.set(
        "/stats",
        "200 OK",
        &fixture("stats-healthy-5node.json")[..300],
    );
    riak(&["--node", &n.at()]).expect(3, &["cut off: the JSON document does not end"]);
    n.set("/stats", "503 Service Unavailable", "");
    riak(&["--node", &n.at()]).expect(3, &["answered 503 Service Unavailable"]);
}

#[test]
fn riak_cs_ping_is_asked_and_its_failure_is_critical() {
    let cs = Double::start(&[("/riak-cs/ping", "200 OK", "")]);
    riak(&["--cs", &cs.at(), "-v"]).expect(0, &[&format!("Riak CS at {}: ping OK", cs.at())]);
    cs.set("/riak-cs/ping", "503 Service Unavailable", "");
    riak(&["--cs", &cs.at()]).expect(
        2,
        &[&format!(
            "RIAK CRITICAL - Riak CS at {} ping failed (answered 503 Service Unavailable)",
            cs.at()
        )],
    );
    let at = format!("127.0.0.1:{}", closed_port());
    riak(&["--cs", &at]).expect(
        2,
        &[&format!("Riak CS at {at} unreachable (connection refused)")],
    );
}

#[test]
fn saved_riak_admin_listings_join_the_live_check() {
    let n = node("stats-healthy-5node.json");
    let ring = format!(
        "ring-status={}/tests/fixtures/ring-status-not-converged.txt",
        env!("CARGO_MANIFEST_DIR")
    );
    riak(&["--node", &n.at(), "--input", &ring])
        .expect(1, &["ring not ready (claimant riak@10.111.5.160)"]);
}
