//! The runner, seen from outside: a real process, its stdout and its exit code.

mod support;
use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::{Duration, Instant};
use support::probe;

fn run(args: &[&str]) -> (i32, String, String, Output) {
    let out = Command::new(probe()).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out,
    )
}

fn tempdir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("euca-runner-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(d.join("proc")).unwrap();
    d
}

#[test]
fn thresholds_drive_the_state_and_perfdata() {
    let table: &[(&[&str], i32, &str)] = &[
        (&["--value", "5"], 0, "PROBE OK - value 5 | 'value'=5;;;;"),
        (
            &["--value", "5", "-w", "4", "-c", "10"],
            1,
            "PROBE WARNING - value 5 | 'value'=5;4;10;;",
        ),
        (
            &["--value", "11", "-w", "4", "-c", "10"],
            2,
            "PROBE CRITICAL - value 11 | 'value'=11;4;10;;",
        ),
        (
            &["--value", "15", "-c", "@10:20"],
            2,
            "PROBE CRITICAL - value 15 | 'value'=15;;@10:20;;",
        ),
        (
            &["--value", "-11", "-w", "-10:40", "-c", "-20:-0.5"],
            1,
            "PROBE WARNING - value -11 | 'value'=-11;-10:40;-20:-0.5;;",
        ),
        (
            &["--value=-3", "-w", "~:0"],
            0,
            "PROBE OK - value -3 | 'value'=-3;~:0;;;",
        ),
    ];
    for (args, code, first) in table {
        let (c, out, err, _) = run(args);
        assert_eq!(c, *code, "{args:?}: {out}");
        assert_eq!(out.lines().next().unwrap(), *first, "{args:?}");
        assert!(err.is_empty(), "{err}");
    }
}

#[test]
fn verbose_adds_long_output_only() {
    let (_, quiet, _, _) = run(&[]);
    let (_, loud, _, _) = run(&["-v"]);
    assert!(!quiet.contains("detail for -v"));
    assert!(loud.contains("detail for -v"));
    assert_eq!(quiet.lines().next(), loud.lines().next());
}

#[test]
fn a_panic_is_unknown_without_backtrace() {
    for mode in ["panic", "thread-panic"] {
        let (code, out, err, _) = run(&["--mode", mode]);
        assert_eq!(code, 3, "{mode}: {out}");
        assert!(
            out.starts_with(
                "PROBE UNKNOWN - internal error (a bug, please report it): injected panic"
            ),
            "{out}"
        );
        assert_eq!(out.lines().count(), 1, "{out}");
        assert!(err.is_empty(), "stderr: {err}");
        assert!(!out.contains("backtrace") && !out.contains("RUST_BACKTRACE"));
    }
}

#[test]
fn bad_usage_is_unknown_exit_3_with_the_usage_line() {
    let table: &[(&[&str], &str)] = &[
        (&["--no-such-option"], "PROBE UNKNOWN - unknown option --no-such-option"),
        (&["stray"], "PROBE UNKNOWN - unexpected argument 'stray': this plugin takes options only"),
        (&["-w", "20:10"], "PROBE UNKNOWN - -w 20:10: expected a range N, N:, ~:N, N:M or @N:M (start is greater than end)"),
        (&["-t", "0"], "PROBE UNKNOWN - -t 0: expected seconds, more than 0 and at most 86400"),
        (&["--timeout=abc"], "PROBE UNKNOWN - -t abc: expected seconds, more than 0 and at most 86400"),
        (&["-t"], "PROBE UNKNOWN - -t needs a value"),
        (&["-t", "5", "--timeout", "6"], "PROBE UNKNOWN - -t given twice"),
        (&["--root", "/", "--root", "/x"], "PROBE UNKNOWN - --root given twice"),
        (&["--max-output", "10"], "PROBE UNKNOWN - --max-output 10: expected bytes from 256 to 1048576"),
        (&["--count", "abc"], "PROBE UNKNOWN - --count abc: expected a whole number"),
        (&["--count", "-1"], "PROBE UNKNOWN - --count -1: a negative number is not accepted here"),
        (&["--count=-1"], "PROBE UNKNOWN - --count -1: expected a whole number, 0 or more"),
        (&["-w", "--value"], "PROBE UNKNOWN - -w --value: expected N, N:, ~:N, N:M or @N:M with plain decimal numbers (e.g. 10, 10:, ~:10, 10:20, @10:20)"),
        (&["--value", "x"], "PROBE UNKNOWN - --value x: expected a number"),
        (&["--input", "nope=/x"], "PROBE UNKNOWN - unknown --input name 'nope'; expected one of: saved"),
        (&["--input", "nonsense"], "PROBE UNKNOWN - --input nonsense: expected NAME=FILE"),
        (&["--mode", "usage"], "PROBE UNKNOWN - --mode usage needs more options"),
    ];
    for (args, first) in table {
        let (code, out, err, _) = run(args);
        assert_eq!(code, 3, "{args:?}: {out}");
        assert_eq!(out.lines().next().unwrap(), *first, "{args:?}: {out}");
        assert!(out.contains("Usage: kit_probe"), "{out}");
        assert!(err.is_empty(), "{err}");
    }
}

/// `check_bond --max-output 256 --bogus-<5000 z>` printed 1288 bytes: a usage error honours a
/// --max-output that parses, else the default cap.
#[test]
fn usage_errors_honour_max_output() {
    let bogus = format!("--bogus-{}", "z".repeat(5000));
    for (args, cap) in [
        (vec!["--max-output", "256", bogus.as_str()], 256),
        (vec![bogus.as_str(), "--max-output=300"], 300),
        (vec!["--max-output", "10", bogus.as_str()], 4096),
    ] {
        let (code, out, _, _) = run(&args);
        assert_eq!(code, 3, "{out}");
        assert!(out.starts_with("PROBE UNKNOWN - "), "{out}");
        assert!(out.len() <= cap, "{args:?}: {} bytes", out.len());
    }
    let (_, out, _, _) = run(&["--max-output", "256", &bogus]);
    assert!(
        out.starts_with("PROBE UNKNOWN - unknown option --bogus-zzz"),
        "{out}"
    );
}

#[test]
fn help_and_version_exit_3_like_the_monitoring_plugins() {
    let (code, out, _, _) = run(&["-h"]);
    assert_eq!(code, 3);
    assert!(out.contains("--timeout") && out.contains("--root") && out.contains("--input"));
    let (code, out, _, _) = run(&["-V"]);
    assert_eq!(code, 3);
    assert!(out.starts_with("kit_probe "), "{out}");
}

#[test]
fn errors_are_one_line_unknown() {
    let (code, out, _, _) = run(&["--mode", "error"]);
    assert_eq!(code, 3);
    assert_eq!(out, "PROBE UNKNOWN - something went wrong\n");
    let (code, out, _, _) = run(&["--mode", "bad-perf"]);
    assert_eq!(code, 3);
    assert!(
        out.starts_with("PROBE UNKNOWN - internal error: perfdata label 'a=b' contains '='"),
        "{out}"
    );
}

#[test]
fn a_hang_times_out_as_unknown() {
    let started = Instant::now();
    let (code, out, _, _) = run(&["--mode", "hang", "-t", "1"]);
    assert_eq!(code, 3);
    assert_eq!(out, "PROBE UNKNOWN - timed out after 1 s\n");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn a_fifo_nobody_writes_to_times_out_naming_the_file() {
    let d = tempdir("fifo");
    let fifo = d.join("proc/mdstat");
    nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::from_bits_truncate(0o600)).unwrap();
    let started = Instant::now();
    let (code, out, _, _) = run(&["--mode", "read", "--root", d.to_str().unwrap(), "-t", "0.5"]);
    assert_eq!(code, 3);
    assert_eq!(
        out,
        format!(
            "PROBE UNKNOWN - timed out after 0.5 s while reading {}\n",
            fifo.display()
        )
    );
    assert!(started.elapsed() < Duration::from_secs(3));
    let _ = std::fs::remove_dir_all(d);
}

/// PIDs whose command line contains `needle`.
fn processes_with(needle: &str) -> Vec<u32> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
        if cmdline.contains(needle) {
            found.push(pid);
        }
    }
    found
}

#[test]
fn the_global_timeout_kills_child_tools() {
    let started = Instant::now();
    let (code, out, _, _) = run(&["--mode", "tool-hang", "-t", "1"]);
    assert_eq!(code, 3, "{out}");
    assert_eq!(
        out,
        "PROBE UNKNOWN - timed out after 1 s while running sh -c sleep 31.4159; true\n"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    // the tool (sh) and its own child (sleep) are gone
    std::thread::sleep(Duration::from_millis(200));
    assert!(
        processes_with("sleep 31.4159").is_empty(),
        "child tool survived the timeout"
    );
}

#[test]
fn inputs_are_read_and_stdin_works() {
    let d = tempdir("input");
    let f = d.join("saved.txt");
    std::fs::write(&f, "from a file").unwrap();
    let (code, out, _, _) = run(&["--input", &format!("saved={}", f.display())]);
    assert_eq!(code, 0);
    assert!(out.contains("from a file"));
    let (code, out, _, _) = run(&["--input", "saved=/nonexistent/file"]);
    assert_eq!(code, 3);
    assert_eq!(
        out,
        "PROBE UNKNOWN - cannot read /nonexistent/file: no such file\n"
    );
    let mut child = Command::new(probe())
        .args(["--input", "saved=-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"from stdin")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("-: from stdin"));
    let _ = std::fs::remove_dir_all(d);
}

#[test]
fn help_explains_ranges_and_tool_killing_only_where_they_apply() {
    // kit_probe takes -w/-c RANGE and runs tools; the plugins without either are checked in
    // tests/suite/tests/commands.rs.
    let (_, out, _, _) = run(&["-h"]);
    assert!(out.contains("Ranges: N (alert outside 0..N)"), "{out}");
    assert!(out.contains("killing any tool still running"), "{out}");
    assert!(
        out.contains("--state-dir <DIR>") && out.contains("--print-sudoers [<USER>]"),
        "{out}"
    );
}

#[test]
fn print_sudoers_prints_exact_lines_and_exits_3() {
    let (code, out, err, _) = run(&["--print-sudoers", "nagios"]);
    assert_eq!(code, 3, "{out}");
    assert!(err.is_empty(), "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert!(lines[0].starts_with("# kit_probe: exact commands"), "{out}");
    assert!(
        lines[1].starts_with("nagios ALL=(root) NOPASSWD: /") && lines[1].ends_with("/true \"\""),
        "{out}"
    );
    assert_eq!(lines[2], r"nagios ALL=(root) NOPASSWD: /bin/echo a\*b");
    // without USER: the user running it
    let (_, out, _, _) = run(&["--print-sudoers"]);
    assert!(!out.contains("nagios ALL"), "{out}");
    assert!(
        out.contains(" ALL=(root) NOPASSWD: /bin/echo a\\*b"),
        "{out}"
    );
}

#[test]
fn state_dir_is_used_and_an_unusable_one_is_unknown() {
    let d = tempdir("state");
    let (code, out, _, _) = run(&["--mode", "state", "--state-dir", d.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(out, format!("PROBE OK - state in {}\n", d.display()));
    let kept = std::fs::read_to_string(d.join("probe")).unwrap();
    assert!(kept.starts_with("euca-checks cache v1 written=") && kept.ends_with("\nkept"));
    let missing = d.join("missing");
    let (code, out, _, _) = run(&["--mode", "state", "--state-dir", missing.to_str().unwrap()]);
    assert_eq!(code, 3);
    assert_eq!(
        out,
        format!(
            "PROBE UNKNOWN - state directory {} is not usable: missing\n",
            missing.display()
        )
    );
    let _ = std::fs::remove_dir_all(d);
}

#[test]
fn a_secret_file_open_to_others_turns_an_ok_check_into_a_warning() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempdir("secret-mode");
    let file = dir.join("eucarc");
    std::fs::write(&file, "EC2_ACCESS_KEY=AKIDEXAMPLE\nEC2_SECRET_KEY=s3cr3t\n").unwrap();
    let path = file.to_str().unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let (code, out, _, _) = run(&["--mode", "secret", "--secret", path]);
    assert_eq!(code, 0, "{out}");
    assert!(out.starts_with("PROBE OK - "), "{out}");
    for mode in [0o644, 0o640, 0o620] {
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(mode)).unwrap();
        let (code, out, _, _) = run(&["--mode", "secret", "--secret", path]);
        assert_eq!(code, 1, "mode {mode:o}: {out}");
        assert!(
            out.starts_with("PROBE WARNING - a credentials file is open to group or others"),
            "{out}"
        );
        assert!(
            out.contains(&format!("(mode {mode:04o}): chmod 600 it")),
            "{out}"
        );
        assert!(!out.contains("s3cr3t"), "{out}");
    }
    let _ = std::fs::remove_dir_all(dir);
}
