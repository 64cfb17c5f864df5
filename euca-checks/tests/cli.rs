//! The command line's own exit codes: 1 and 2 are answers, so a refused command line is 3.
use std::process::Command;

fn run(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_euca-checks"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_refused_command_line_is_3_and_help_is_0() {
    let (code, err) = run(&["audit"]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("<TOPOLOGY>"), "{err}");
    assert_eq!(run(&["no-such-subcommand"]).0, 3);
    assert_eq!(run(&["--help"]).0, 0);
    assert_eq!(run(&["--version"]).0, 0);
}
