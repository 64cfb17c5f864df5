//! Hostile saved answers for every input: empty, garbage, binary, over the cap, deeply nested,
//! too many tags. Each ends UNKNOWN with a one-line cause naming the file, quickly.

use harness::{Outcome, Plugin};
use std::path::PathBuf;
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_check_euca_workers");
const FX: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

struct Files(PathBuf);

impl Files {
    fn new(tag: &str) -> Files {
        let dir = std::env::temp_dir().join(format!("euca-workers-{tag}-{}", std::process::id()));
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

fn run(args: &[String]) -> Outcome {
    let mut all = vec!["-t".to_string(), "5".to_string()];
    all.extend_from_slice(args);
    let r = Plugin::new(BIN).args(&all).run();
    assert!(r.elapsed < Duration::from_secs(4), "took {:?}", r.elapsed);
    r
}

#[test]
fn hostile_inputs_are_unknown_naming_the_file() {
    let f = Files::new("hostile");
    let mut random = Vec::new();
    let mut seed: u32 = 0x8765_4321;
    for _ in 0..3000 {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        random.push((seed % 256) as u8);
    }
    let deep = format!("{}{}", "<a>".repeat(100_000), "</a>".repeat(100_000));
    let cases: Vec<(String, &str)> = vec![
        (f.write("empty", ""), "empty"),
        (f.write("garbage", "hello world\n"), "line 1"),
        (f.write("binary", &random), "line "),
        (
            f.write("huge", "A".repeat(9 * 1024 * 1024)),
            "not read whole",
        ),
        (f.write("deep.xml", &deep), "nested deeper than 64 levels"),
        (
            f.write(
                "wide.xml",
                format!(
                    "<DescribeInstancesResponse>{}</DescribeInstancesResponse>",
                    "<a/>".repeat(400_001)
                ),
            ),
            "XML tags",
        ),
    ];
    let good = [
        (
            "describe-instances",
            format!("{FX}/describe-instances/01-healthy.xml"),
        ),
        ("properties", format!("{FX}/properties/01-images-set.xml")),
    ];
    for input in [
        "describe-instances",
        "properties",
        "describe-images",
        "conversion-tasks",
        "describe-services",
    ] {
        for (path, words) in &cases {
            // the wide file is under the instances cap only (8 MiB): elsewhere it is over 1 MiB
            let words = if path.ends_with("wide.xml") && input != "describe-instances" {
                "cannot "
            } else if path.ends_with("garbage") && input == "properties" {
                "expected 'name = value'"
            } else {
                words
            };
            let mut args = Vec::new();
            for (n, p) in &good {
                if *n != input {
                    args.push("--input".to_string());
                    args.push(format!("{n}={p}"));
                }
            }
            args.push("--input".into());
            args.push(format!("{input}={path}"));
            let r = run(&args);
            assert_eq!(r.code, 3, "{input} {path}: {}", r.stdout);
            r.expect_first(3, "EUCA WORKERS UNKNOWN - cannot ", &[words, path.as_str()]);
        }
    }
}
