//! Run check_raid as a process on an mdstat text placed in a temporary --root.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

pub struct Outcome {
    pub code: i32,
    pub first: String,
    pub long: String,
    pub stdout: String,
    pub stderr: String,
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A fresh root directory with proc/ in it.
pub fn temp_root() -> PathBuf {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("check_raid-test-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("proc")).unwrap();
    dir
}

pub fn run(args: &[&str]) -> Outcome {
    let out = Command::new(env!("CARGO_BIN_EXE_check_raid"))
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut lines = stdout.splitn(2, '\n');
    Outcome {
        code: out.status.code().unwrap_or(-1),
        first: lines.next().unwrap_or("").to_string(),
        long: lines.next().unwrap_or("").to_string(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        stdout,
    }
}

pub fn run_on_mdstat(text: &str, extra: &[&str]) -> Outcome {
    let root = temp_root();
    std::fs::write(root.join("proc/mdstat"), text).unwrap();
    let mut args = vec!["--root", root.to_str().unwrap()];
    args.extend_from_slice(extra);
    let outcome = run(&args);
    let _ = std::fs::remove_dir_all(&root);
    outcome
}
