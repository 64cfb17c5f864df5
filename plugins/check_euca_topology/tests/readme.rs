//! The README's `$ check_euca_topology ...` examples are what the binary prints.

use std::path::Path;
use std::process::Command;

/// Each `$ PROGRAM ...` line of a fenced block with its expected output up to `[exit N]`.
fn examples(readme: &str, program: &str) -> Vec<(String, Vec<String>)> {
    let lines: Vec<&str> = readme.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if let Some(cmd) = lines[i]
            .strip_prefix("$ ")
            .filter(|c| c.starts_with(program))
        {
            let mut want = Vec::new();
            while i + 1 < lines.len() {
                i += 1;
                want.push(lines[i].to_string());
                if lines[i].starts_with("[exit ") {
                    break;
                }
            }
            out.push((cmd.to_string(), want));
        }
        i += 1;
    }
    out
}

#[test]
fn the_readme_examples_are_the_binarys_output() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let readme = std::fs::read_to_string(repo.join("README.md")).unwrap();
    let found = examples(&readme, "check_euca_topology ");
    assert!(!found.is_empty(), "no example in README.md");
    for (cmd, want) in found {
        let args: Vec<&str> = cmd.split_whitespace().skip(1).collect();
        let run = Command::new(env!("CARGO_BIN_EXE_check_euca_topology"))
            .args(&args)
            .current_dir(&repo)
            .output()
            .unwrap();
        let mut got: Vec<String> = String::from_utf8_lossy(&run.stdout)
            .trim_end_matches('\n')
            .lines()
            .map(String::from)
            .collect();
        got.push(format!("[exit {}]", run.status.code().unwrap_or(-1)));
        assert_eq!(got, want, "README example: {cmd}");
    }
}
