//! Hostile saved answers for every input: garbage, empty, binary, huge (over the cap), deeply
//! nested, too many tags or lines. Each ends UNKNOWN with a one-line cause naming the file,
//! quickly (-t 5 is never reached).

use harness::{Outcome, Plugin};
use std::path::PathBuf;
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_check_euca_nodes");
const HEALTHY: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/availability-zones/01-verbose-healthy.txt"
);

struct Files(PathBuf);

impl Files {
    fn new(tag: &str) -> Files {
        let dir = std::env::temp_dir().join(format!("euca-nodes-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Files(dir)
    }
    fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> String {
        let p = self.0.join(name);
        std::fs::write(&p, bytes).unwrap();
        p.display().to_string()
    }
}

impl Drop for Files {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn run(inputs: &[String]) -> Outcome {
    let mut args = vec!["-t".to_string(), "5".to_string()];
    for i in inputs {
        args.push("--input".into());
        args.push(i.clone());
    }
    let r = Plugin::new(BIN).args(&args).run();
    assert!(r.elapsed < Duration::from_secs(4), "took {:?}", r.elapsed);
    r
}

fn hostile(files: &Files) -> Vec<(&'static str, String, &'static str)> {
    let deep = format!("{}{}", "<a>".repeat(100_000), "</a>".repeat(100_000));
    let mut random = Vec::new();
    let mut seed: u32 = 0x1234_5678;
    for _ in 0..3000 {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        random.push((seed % 256) as u8);
    }
    vec![
        ("empty", files.write("empty", ""), "empty"),
        (
            "garbage",
            files.write("garbage", "hello world\n"),
            "line 1 'hello world'",
        ),
        (
            "binary",
            files.write("binary", &random),
            "(binary data, not text)",
        ),
        (
            "huge",
            files.write("huge", "A".repeat(5 * 1024 * 1024)),
            "not read whole",
        ),
        (
            "deep",
            files.write("deep.xml", &deep),
            "nested deeper than 64 levels",
        ),
    ]
}

#[test]
fn hostile_availability_zones_are_unknown_naming_the_file() {
    let files = Files::new("hostile-az");
    for (what, path, words) in hostile(&files) {
        let r = run(&[format!("availability-zones={path}")]);
        assert_eq!(r.code, 3, "{what}: {}", r.stdout);
        r.expect_first(3, "EUCA NODES UNKNOWN - cannot ", &[words, &path]);
    }
    let wide = format!(
        "<DescribeAvailabilityZonesResponse>{}</DescribeAvailabilityZonesResponse>",
        "<a/>".repeat(200_001)
    );
    let path = files.write("wide.xml", wide);
    run(&[format!("availability-zones={path}")]).expect(3, &["XML tags, more than the 200000"]);
}

#[test]
fn hostile_node_states_are_unknown_naming_the_file() {
    let files = Files::new("hostile-nodes");
    for input in ["nodes", "describe-services"] {
        for (what, path, words) in hostile(&files) {
            // the huge file is over both caps (2 MiB, 4 MiB)
            let r = run(&[
                format!("availability-zones={HEALTHY}"),
                format!("{input}={path}"),
            ]);
            assert_eq!(r.code, 3, "{input} {what}: {}", r.stdout);
            let words = if input == "nodes" && what == "deep" {
                "line 1 '<a><a><a>"
            } else {
                words
            };
            r.expect_first(3, "EUCA NODES UNKNOWN - cannot ", &[words, &path]);
        }
    }
    // many lines under the byte cap
    let path = files.write("many", "INSTANCE\ti-1\n".repeat(100_001));
    run(&[
        format!("availability-zones={HEALTHY}"),
        format!("nodes={path}"),
    ])
    .expect(3, &["more than 100000 lines"]);
}

/// A credentials file that is a FIFO nobody writes to blocks its open until -t: the timeout
/// must name the file, not end with a bare "timed out" (the kit's read_secret_file).
#[test]
fn a_credentials_fifo_times_out_naming_the_file() {
    let files = Files::new("creds-fifo");
    let fifo = files.0.join("eucarc");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let f = fifo.display().to_string();
    let out = Plugin::new(BIN)
        .args(["-t", "1", "--clc", "127.0.0.1:9", "--credentials", &f])
        .run();
    out.expect(3, &["timed out after 1 s while reading", "eucarc"]);
}
