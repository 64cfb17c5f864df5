//! Hostile saved sources for every parser (multipath -ll, iscsiadm, mountinfo): garbage,
//! empty, huge (over the cap, and just under it), deeply nested, one endless line, binary.
//! Each ends UNKNOWN naming what could not be read, within the timeout, under 64 MiB.

use harness::{Outcome, Plugin};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_check_san_path");

/// Deterministic bytes (no dependency for a random generator).
fn noise(len: usize, mut seed: u64) -> Vec<u8> {
    (0..len)
        .map(|_| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as u8
        })
        .collect()
}

fn run_on(input: &str, bytes: &[u8], extra: &[&str]) -> (Outcome, String) {
    let dir = std::env::temp_dir().join(format!("san-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("{input}-{}", bytes.len()));
    std::fs::write(&file, bytes).unwrap();
    let started = Instant::now();
    let o = Plugin::new(BIN)
        .args(["--input", &format!("{input}={}", file.display())])
        .args(extra)
        .run();
    // Within the plugin's timeout (-t, 10 s unless given), with a margin for a loaded machine:
    // past -t the plugin itself would have ended UNKNOWN "timed out".
    let limit = extra
        .iter()
        .position(|a| *a == "-t")
        .and_then(|i| extra.get(i + 1))
        .and_then(|t| t.parse().ok())
        .unwrap_or(10)
        + 5;
    assert!(
        started.elapsed() < Duration::from_secs(limit),
        "{input}: took {:?}",
        started.elapsed()
    );
    let _ = std::fs::remove_file(&file);
    (o, file.display().to_string())
}

fn refused(input: &str, bytes: &[u8], extra: &[&str], words: &[&str]) {
    let (o, file) = run_on(input, bytes, extra);
    assert_eq!(o.code, 3, "{input} ({} bytes): {}", bytes.len(), o.stdout);
    assert!(
        o.first.contains("cannot read") && o.first.contains(&file),
        "{}",
        o.first
    );
    for w in words {
        assert!(o.first.contains(w), "'{w}' not in {}", o.first);
    }
}

fn cases() -> Vec<(&'static str, Vec<u8>, Vec<&'static str>)> {
    let mut deep_tree = String::from("m (1) dm-0 A,B\nsize=1G features='0' hwhandler='0' wp=rw\n`-+- policy='x' prio=1 status=active\n");
    deep_tree.push_str(&"| ".repeat(200_000));
    deep_tree.push_str("`- 1:0:0:0 sda 8:0 active ready running\n");
    let deep_parens = format!("{}\n", "(".repeat(500_000));
    let mut deep_iscsi = String::from("Target: iqn.a\n");
    deep_iscsi.push_str(&"\t".repeat(500_000));
    deep_iscsi.push_str("Current Portal: 1:3260,1\n");
    vec![
        ("multipath", noise(100_000, 1), vec!["line "]),
        ("multipath", Vec::new(), vec!["empty"]),
        ("multipath", b"   \n\n \n".to_vec(), vec!["empty"]),
        (
            "multipath",
            vec![b'x'; 3 * 1024 * 1024],
            vec!["larger than"],
        ),
        (
            "multipath",
            vec![b'a'; 2 * 1024 * 1024 - 1],
            vec!["line 1", "longer than 4096"],
        ),
        ("multipath", deep_tree.into_bytes(), vec!["line 4"]),
        ("multipath", deep_parens.into_bytes(), vec!["line 1"]),
        (
            "multipath",
            b"\0\0\0\x01\x02mpatha\n".to_vec(),
            vec!["binary data"],
        ),
        ("iscsiadm", noise(100_000, 2), vec![]),
        ("iscsiadm", Vec::new(), vec!["empty"]),
        (
            "iscsiadm",
            "Target: iqn.a\n"
                .repeat(10)
                .replace("iqn.a", &"\t".repeat(100))
                .into_bytes(),
            vec!["line 1"],
        ),
        ("iscsiadm", vec![b'y'; 3 * 1024 * 1024], vec!["larger than"]),
        (
            "iscsiadm",
            deep_iscsi.into_bytes(),
            vec!["longer than 4096"],
        ),
        (
            "iscsiadm",
            "Target: iqn.a\n".repeat(100_000).into_bytes(),
            vec!["no session"],
        ),
    ]
}

#[test]
fn every_hostile_text_is_unknown_naming_the_file_in_time() {
    for (input, bytes, words) in cases() {
        let extra: &[&str] = if input == "iscsiadm" {
            &["--no-multipath"]
        } else {
            &[]
        };
        refused(input, &bytes, extra, &words);
    }
    // mountinfo: the same kinds, with a --mount to look for.
    for bytes in [
        noise(50_000, 3),
        Vec::new(),
        vec![b'z'; 9 * 1024 * 1024],
        b"1 2 3 4 /srv rw".to_vec(),
    ] {
        refused(
            "mountinfo",
            &bytes,
            &["--no-multipath", "--mount", "/srv"],
            &[],
        );
    }
}

#[test]
fn a_text_just_under_the_cap_is_read_whole_in_time_and_small() {
    // 2 MiB of healthy maps (the cap), then one with a failed path: the failed path is found.
    let map = |i: usize, state: &str| {
        format!(
            "m{i} (3600{i:012}) dm-{i} LIO-ORG,disk01\nsize=20G features='0' hwhandler='1 alua' wp=rw\n`-+- policy='round-robin 0' prio=50 status=active\n  |- 16:0:0:{i} sdb 8:16 active ready running\n  `- 17:0:0:{i} sdc 8:32 {state}\n"
        )
    };
    let mut text = String::new();
    let mut i = 0;
    while text.len() < 2 * 1024 * 1024 - 1000 {
        text.push_str(&map(i, "active ready running"));
        i += 1;
    }
    text.push_str(&map(i, "failed faulty offline"));
    // A generous -t: this is about reading it whole (a debug build on a loaded machine is slow;
    // the release build takes a fraction of a second).
    let (o, _) = run_on("multipath", text.as_bytes(), &["-t", "60"]);
    assert_eq!(o.code, 1, "{}", o.first);
    assert!(
        o.first.contains(&format!(
            "m{i} path sdc failed, checker faulty, device offline"
        )),
        "{}",
        o.first
    );
}

#[test]
fn no_hostile_run_needs_more_than_64_mib() {
    // The plugin runs with its data limit (heap and other private memory, RLIMIT_DATA) at
    // 64 MiB: an allocation past it would abort the process (no status line, killed by
    // SIGABRT), which the assertions below reject. (getrusage's max RSS of a child is no
    // measure here: it counts the test process's own pages at the fork.)
    use std::os::unix::process::CommandExt;
    let dir = std::env::temp_dir().join(format!("san-mem-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut all = cases();
    let mut big = String::new();
    let mut i = 0;
    while big.len() < 2 * 1024 * 1024 - 1000 {
        big.push_str(&format!("m{i} (3600{i:012}) dm-{i} LIO-ORG,disk01\nsize=20G features='0' hwhandler='0' wp=rw\n`-+- policy='round-robin 0' prio=50 status=active\n  |- 16:0:0:{i} sdb 8:16 active ready running\n  `- 17:0:0:{i} sdc 8:32 active ready running\n"));
        i += 1;
    }
    all.push(("multipath", big.into_bytes(), vec![]));
    for (n, (input, bytes, _)) in all.into_iter().enumerate() {
        let file = dir.join(format!("case-{n}"));
        std::fs::write(&file, &bytes).unwrap();
        let mut cmd = std::process::Command::new(BIN);
        cmd.args([
            "--input",
            &format!("{input}={}", file.display()),
            "--no-multipath",
        ]);
        if input == "multipath" {
            cmd = std::process::Command::new(BIN);
            cmd.args(["--input", &format!("{input}={}", file.display())]);
        }
        // SAFETY: setrlimit in the child before exec: one system call.
        unsafe {
            cmd.pre_exec(|| {
                let limit = libc::rlimit {
                    rlim_cur: 64 << 20,
                    rlim_max: 64 << 20,
                };
                if libc::setrlimit(libc::RLIMIT_DATA, &limit) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let out = cmd.output().unwrap();
        let code = out.status.code();
        let first = String::from_utf8_lossy(&out.stdout)
            .lines()
            .next()
            .unwrap_or("")
            .to_string();
        assert!(
            matches!(code, Some(0..=3)) && first.starts_with("SAN "),
            "case {n} ({input}, {} bytes) under 64 MiB: {:?} {first}",
            bytes.len(),
            out.status
        );
    }
    let _ = std::fs::remove_dir_all(dir);
}
