//! Running the check_ups binary from the integration tests.
#![allow(dead_code)] // each test binary uses a part

use std::path::PathBuf;
use std::process::Command;

/// What one run printed and its exit code.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub out: String,
}

impl Run {
    pub fn first_line(&self) -> &str {
        self.out.lines().next().unwrap_or("")
    }
    /// Assert the exit code and that every word appears in the output.
    pub fn expect(&self, code: i32, words: &[&str]) {
        assert_eq!(self.code, code, "exit code; output:\n{}", self.out);
        for w in words {
            assert!(self.out.contains(w), "'{w}' missing from:\n{}", self.out);
        }
    }
}

pub fn check_ups(args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_check_ups"))
        .args(args)
        .env("LC_ALL", "C")
        .output()
        .expect("run check_ups");
    Run {
        code: out.status.code().unwrap_or(-1),
        out: String::from_utf8_lossy(&out.stdout).into_owned(),
    }
}

pub fn fixture(kind: &str, name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(kind)
        .join(name)
        .display()
        .to_string()
}
