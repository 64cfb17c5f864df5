//! The kit's promises under attack, from outside a real plugin process (the kit_probe example):
//! signals mid-run, kills of the plugin's process group, tools that fork, daemonise or flood,
//! a stdout nobody reads, sources far larger than their caps. Every test asserts what was
//! printed and, where tools are involved, that no tool process is left (found by a marker that
//! is unique to the test in the tool's argv).

mod support;
use nix::sys::signal::{kill, killpg, Signal};
use nix::unistd::Pid;
use std::io::{Read, Write};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use support::probe;

fn tempdir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("euca-hostile-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(d.join("proc")).unwrap();
    d
}

/// Start the probe in a process group of its own, as NRPE and Nagios start a check.
fn start(args: &[&str], path_first: Option<&Path>) -> Child {
    let mut cmd = Command::new(probe());
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    if let Some(dir) = path_first {
        let path = std::env::var("PATH").unwrap_or_default();
        cmd.env("PATH", format!("{}:{path}", dir.display()));
    }
    cmd.spawn().unwrap()
}

struct Ended {
    code: Option<i32>,
    stdout: String,
    took: Duration,
}

/// Wait at most `limit` for the probe; a probe still running then is killed and the test fails.
fn finish(mut child: Child, started: Instant, limit: Duration) -> Ended {
    let mut out = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return Ended {
                code: status.code(),
                stdout: reader.join().unwrap(),
                took: started.elapsed(),
            };
        }
        if started.elapsed() > limit {
            let _ = killpg(Pid::from_raw(child.id() as i32), Signal::SIGKILL);
            let _ = child.wait();
            panic!("the plugin was still running {limit:?} after it started");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Live processes whose command line contains `marker` (zombies have none).
fn processes_with(marker: &str) -> Vec<u32> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        if String::from_utf8_lossy(&cmdline)
            .replace('\0', " ")
            .contains(marker)
        {
            found.push(pid);
        }
    }
    found
}

/// Wait until `count` processes carry the marker (the tools really started), at most 3 s.
fn wait_for_tools(marker: &str, count: usize) {
    let until = Instant::now() + Duration::from_secs(3);
    while processes_with(marker).len() < count {
        assert!(
            Instant::now() < until,
            "the tools with {marker} never started"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// After the plugin ended, nothing with the marker may be left (a short while for the kernel).
fn assert_no_tool_left(marker: &str, case: &str) {
    let until = Instant::now() + Duration::from_millis(500);
    loop {
        let left = processes_with(marker);
        if left.is_empty() {
            return;
        }
        if Instant::now() > until {
            for pid in &left {
                let _ = kill(Pid::from_raw(*pid as i32), Signal::SIGKILL);
            }
            panic!("{case}: tool processes survived the plugin: {left:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A sudo stand-in: not setuid, but shaped like sudo: takes -n, runs the command as a child
/// it waits for, and relays SIGTERM to it (it cannot relay SIGKILL, as real sudo cannot).
fn sudo_stand_in(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let sudo = dir.join("sudo");
    std::fs::write(
        &sudo,
        "#!/bin/sh\n[ \"$1\" = -n ] && shift\n\"$@\" &\nchild=$!\ntrap 'kill -TERM $child' TERM\nwait $child\n",
    )
    .unwrap();
    std::fs::set_permissions(&sudo, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn sigterm_sigint_and_sighup_while_blocked_on_a_fifo_end_unknown_naming_the_file() {
    let d = tempdir("fifo-signals");
    let fifo = d.join("proc/mdstat");
    nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::from_bits_truncate(0o600)).unwrap();
    for signal in [Signal::SIGTERM, Signal::SIGINT, Signal::SIGHUP] {
        let started = Instant::now();
        let child = start(
            &["--mode", "read", "--root", d.to_str().unwrap(), "-t", "20"],
            None,
        );
        std::thread::sleep(Duration::from_millis(300));
        kill(Pid::from_raw(child.id() as i32), signal).unwrap();
        let ended = finish(child, started, Duration::from_secs(5));
        assert_eq!(ended.code, Some(3), "{signal}: {}", ended.stdout);
        assert_eq!(
            ended.stdout,
            format!(
                "PROBE UNKNOWN - interrupted by {signal} while reading {}\n",
                fifo.display()
            )
        );
    }
    let _ = std::fs::remove_dir_all(d);
}

/// Every other catchable signal whose default would end the process silently (exit 128+N, no
/// line) ends UNKNOWN the same way; a SIGALRM sent from outside is told from the `-t` alarm.
#[test]
fn other_terminating_signals_and_an_outside_sigalrm_end_unknown_naming_the_signal() {
    let d = tempdir("fifo-other-signals");
    let fifo = d.join("proc/mdstat");
    nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::from_bits_truncate(0o600)).unwrap();
    for signal in [
        Signal::SIGUSR1,
        Signal::SIGUSR2,
        Signal::SIGALRM,
        Signal::SIGVTALRM,
        Signal::SIGPROF,
        Signal::SIGTRAP,
        Signal::SIGIO,
        Signal::SIGXCPU,
        Signal::SIGXFSZ,
        Signal::SIGPWR,
        Signal::SIGQUIT,
    ] {
        let started = Instant::now();
        let child = start(
            &["--mode", "read", "--root", d.to_str().unwrap(), "-t", "20"],
            None,
        );
        std::thread::sleep(Duration::from_millis(300));
        kill(Pid::from_raw(child.id() as i32), signal).unwrap();
        let ended = finish(child, started, Duration::from_secs(5));
        assert_eq!(ended.code, Some(3), "{signal}: {}", ended.stdout);
        assert_eq!(
            ended.stdout,
            format!(
                "PROBE UNKNOWN - interrupted by {signal} while reading {}\n",
                fifo.display()
            )
        );
    }
    // The -t alarm itself still says it timed out.
    let started = Instant::now();
    let child = start(
        &["--mode", "read", "--root", d.to_str().unwrap(), "-t", "0.5"],
        None,
    );
    let ended = finish(child, started, Duration::from_secs(5));
    assert_eq!(ended.code, Some(3), "{}", ended.stdout);
    assert_eq!(
        ended.stdout,
        format!(
            "PROBE UNKNOWN - timed out after 0.5 s while reading {}\n",
            fifo.display()
        )
    );
    let _ = std::fs::remove_dir_all(d);
}

/// While a tool runs the guard thread takes these signals too: the tool goes down with the run.
#[test]
fn sigusr1_and_an_outside_sigalrm_while_a_tool_runs_take_the_tool_down() {
    for (signal, marker) in [(Signal::SIGUSR1, "31.7101"), (Signal::SIGALRM, "31.7102")] {
        let script = format!("sleep {marker} & sleep {marker}; wait");
        let started = Instant::now();
        let child = start(
            &[
                "--mode",
                "tool",
                "--tool",
                "sh",
                "--tool-arg=-c",
                "--tool-arg",
                &script,
                "-t",
                "20",
            ],
            None,
        );
        wait_for_tools(marker, 2);
        kill(Pid::from_raw(child.id() as i32), signal).unwrap();
        let ended = finish(child, started, Duration::from_secs(5));
        assert_eq!(ended.code, Some(3), "{signal}: {}", ended.stdout);
        assert_eq!(
            ended.stdout,
            format!("PROBE UNKNOWN - interrupted by {signal} while running sh -c {script}\n")
        );
        assert_no_tool_left(marker, &format!("{signal} to the plugin"));
    }
}

#[test]
fn sigterm_while_a_silent_peer_is_asked_ends_unknown_naming_the_peer() {
    // Connections complete in the kernel's backlog; nobody ever accepts or writes.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let peer = silent.local_addr().unwrap().to_string();
    let started = Instant::now();
    let child = start(&["--mode", "tcp", "--peer", &peer, "-t", "20"], None);
    std::thread::sleep(Duration::from_millis(300));
    kill(Pid::from_raw(child.id() as i32), Signal::SIGTERM).unwrap();
    let ended = finish(child, started, Duration::from_secs(5));
    assert_eq!(ended.code, Some(3), "{}", ended.stdout);
    assert_eq!(
        ended.stdout,
        format!("PROBE UNKNOWN - interrupted by SIGTERM while asking {peer}\n")
    );
    drop(silent);
}

#[test]
fn sigterm_while_a_tool_runs_takes_the_tool_and_its_children_down() {
    let marker = "31.7001";
    let script = format!("sleep {marker} & sleep {marker}; wait");
    let started = Instant::now();
    let child = start(
        &[
            "--mode",
            "tool",
            "--tool",
            "sh",
            "--tool-arg=-c",
            "--tool-arg",
            &script,
            "-t",
            "20",
        ],
        None,
    );
    wait_for_tools(marker, 2);
    kill(Pid::from_raw(child.id() as i32), Signal::SIGTERM).unwrap();
    let ended = finish(child, started, Duration::from_secs(5));
    assert_eq!(ended.code, Some(3), "{}", ended.stdout);
    assert_eq!(
        ended.stdout,
        format!("PROBE UNKNOWN - interrupted by SIGTERM while running sh -c {script}\n")
    );
    assert_no_tool_left(marker, "SIGTERM to the plugin");
}

/// NRPE and Nagios kill the check's whole process group on their own timeout (`kill(-pgid)`):
/// with SIGTERM the plugin reports and cleans up; with SIGKILL the kernel ends the group, which
/// the tools are in. Either way no tool survives: a shell script's children, sudo's child.
#[test]
fn a_kill_of_the_plugins_process_group_takes_every_tool_down() {
    let d = tempdir("pgroup");
    sudo_stand_in(&d);
    let cases: &[(&str, bool, Signal, &str)] = &[
        (
            "31.7101",
            false,
            Signal::SIGKILL,
            "script with a child, group SIGKILL",
        ),
        (
            "31.7102",
            true,
            Signal::SIGKILL,
            "through sudo, group SIGKILL",
        ),
        (
            "31.7103",
            false,
            Signal::SIGTERM,
            "script with a child, group SIGTERM",
        ),
        (
            "31.7104",
            true,
            Signal::SIGTERM,
            "through sudo, group SIGTERM",
        ),
    ];
    for (marker, sudo, signal, case) in cases {
        let script = format!("sleep {marker} & sleep {marker}; wait");
        let mut args = vec![
            "--mode",
            "tool",
            "--tool",
            "sh",
            "--tool-arg=-c",
            "--tool-arg",
            &script,
        ];
        args.extend(["-t", "20"]);
        if *sudo {
            args.push("--sudo");
        }
        let started = Instant::now();
        let child = start(&args, Some(&d));
        wait_for_tools(marker, 2);
        killpg(Pid::from_raw(child.id() as i32), *signal).unwrap();
        let ended = finish(child, started, Duration::from_secs(5));
        if *signal == Signal::SIGTERM {
            assert_eq!(ended.code, Some(3), "{case}: {}", ended.stdout);
            assert!(
                ended
                    .stdout
                    .starts_with("PROBE UNKNOWN - interrupted by SIGTERM while running "),
                "{case}: {}",
                ended.stdout
            );
        }
        assert_no_tool_left(marker, case);
    }
    let _ = std::fs::remove_dir_all(d);
}

/// SIGKILL of the plugin's pid alone: no code of the plugin runs, so only the kernel's
/// parent-death signal acts, which every direct child (not behind a setuid sudo) has.
#[test]
fn sigkill_of_the_plugin_alone_still_takes_a_direct_tool_down() {
    let marker = "31.7201";
    let started = Instant::now();
    let child = start(
        &[
            "--mode",
            "tool",
            "--tool",
            "sleep",
            "--tool-arg",
            marker,
            "-t",
            "20",
        ],
        None,
    );
    wait_for_tools(marker, 1);
    kill(Pid::from_raw(child.id() as i32), Signal::SIGKILL).unwrap();
    let ended = finish(child, started, Duration::from_secs(5));
    assert_eq!(ended.code, None, "killed by a signal");
    assert_no_tool_left(marker, "SIGKILL of the plugin pid");
}

#[test]
fn the_plugins_own_timeout_takes_a_sudo_tool_and_its_child_down() {
    let d = tempdir("sudo-timeout");
    sudo_stand_in(&d);
    let marker = "31.7301";
    let script = format!("sleep {marker} & sleep {marker}; wait");
    let started = Instant::now();
    let child = start(
        &[
            "--mode",
            "tool",
            "--sudo",
            "--tool",
            "sh",
            "--tool-arg=-c",
            "--tool-arg",
            &script,
            "-t",
            "1",
        ],
        Some(&d),
    );
    let ended = finish(child, started, Duration::from_secs(5));
    assert_eq!(ended.code, Some(3));
    assert_eq!(
        ended.stdout,
        format!("PROBE UNKNOWN - timed out after 1 s while running sudo -n sh -c {script}\n")
    );
    assert!(
        ended.took < Duration::from_millis(2500),
        "took {:?}",
        ended.took
    );
    assert_no_tool_left(marker, "-t with sudo");
    let _ = std::fs::remove_dir_all(d);
}

#[test]
fn a_daemonised_grandchild_holding_stdout_does_not_turn_an_answer_into_a_timeout() {
    let marker = "31.7401";
    // The grandchild leaves the tool's session and keeps stdout and stderr open.
    let script = format!("echo good; setsid sleep {marker} & exit 0");
    let started = Instant::now();
    let child = start(
        &[
            "--mode",
            "tool",
            "--tool",
            "sh",
            "--tool-arg=-c",
            "--tool-arg",
            &script,
            "-t",
            "5",
        ],
        None,
    );
    let ended = finish(child, started, Duration::from_secs(8));
    assert_eq!(ended.code, Some(0), "{}", ended.stdout);
    assert_eq!(ended.stdout, "PROBE OK - tool said good\n");
    assert!(ended.took < Duration::from_secs(2), "took {:?}", ended.took);
    assert_no_tool_left(marker, "daemonised grandchild");
}

#[test]
fn a_stdout_pipe_nobody_reads_does_not_stop_the_timeout() {
    // About 1 MiB of output: far more than a pipe holds, and nobody reads it.
    let started = Instant::now();
    let mut child = Command::new(probe())
        .args([
            "--mode",
            "many",
            "--count",
            "20000",
            "--max-output",
            "1048576",
            "-t",
            "1",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(6) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("still blocked {:?} after -t 1", started.elapsed());
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(3));
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "took {:?}",
        started.elapsed()
    );
    drop(child.stdout.take());
}

#[test]
fn max_output_bounds_everything_printed_and_says_what_perfdata_was_left_out() {
    for (cap, arg) in [(256, "256"), (4096, "4096"), (65_536, "65536")] {
        let started = Instant::now();
        let child = start(
            &["--mode", "many", "--count", "100000", "--max-output", arg],
            None,
        );
        let ended = finish(child, started, Duration::from_secs(30));
        assert_eq!(ended.code, Some(2));
        assert!(
            ended.stdout.len() <= cap,
            "cap {cap}: {} bytes",
            ended.stdout.len()
        );
        let first = ended.stdout.lines().next().unwrap();
        assert!(
            first.starts_with("PROBE CRITICAL - md0 degraded; md1 degraded"),
            "{first}"
        );
        assert!(
            first.contains("perfdata items left out (over --max-output) | 'md0_active'=1;;;0;2"),
            "{first}"
        );
        // the last perfdata item written is whole
        let last = ended.stdout.trim_end().rsplit(['\n', ' ']).next().unwrap();
        assert!(last.ends_with("=1;;;0;2"), "cap {cap}: cut item {last:?}");
    }
}

/// Peak resident memory of a finished child, in KiB (its own and its waited-for children's).
fn wait_measuring(child: Child) -> (Option<i32>, String, i64) {
    let pid = child.id() as i32;
    let mut child = child;
    let mut out = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let mut status = 0;
    // SAFETY: plain wait4 on our own child with valid out-pointers.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid);
    let code = libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
    (code, reader.join().unwrap(), usage.ru_maxrss)
}

const RSS_LIMIT_KIB: i64 = 64 * 1024;

#[test]
fn a_tool_printing_50_mb_is_unknown_and_memory_stays_small() {
    for (script, stream) in [
        ("head -c 50000000 /dev/zero", "stdout"),
        ("head -c 50000000 /dev/zero >&2", "stderr"),
    ] {
        let child = start(
            &[
                "--mode",
                "tool",
                "--tool",
                "sh",
                "--tool-arg=-c",
                "--tool-arg",
                script,
            ],
            None,
        );
        let (code, out, rss) = wait_measuring(child);
        assert_eq!(code, Some(3), "{stream}: {out}");
        assert_eq!(
            out,
            format!("PROBE UNKNOWN - output of sh -c {script} is larger than 8 MiB, not read whole; it was stopped\n")
        );
        assert!(rss < RSS_LIMIT_KIB, "{stream}: peak RSS {rss} KiB");
    }
}

#[test]
fn sources_far_over_their_caps_are_unknown_and_memory_stays_small() {
    let d = tempdir("big");
    // Sparse files: a gigabyte each on paper, nothing on disk.
    let big_mdstat = d.join("proc/mdstat");
    std::fs::File::create(&big_mdstat)
        .unwrap()
        .set_len(1 << 30)
        .unwrap();
    let big_saved = d.join("saved.txt");
    std::fs::File::create(&big_saved)
        .unwrap()
        .set_len(1 << 30)
        .unwrap();

    let child = start(&["--mode", "read", "--root", d.to_str().unwrap()], None);
    let (code, out, rss) = wait_measuring(child);
    assert_eq!(code, Some(3));
    assert_eq!(
        out,
        format!(
            "PROBE UNKNOWN - cannot read {}: larger than 1 MiB, not read whole\n",
            big_mdstat.display()
        )
    );
    assert!(rss < RSS_LIMIT_KIB, "host file: peak RSS {rss} KiB");

    let saved = format!("saved={}", big_saved.display());
    let child = start(&["--input", &saved], None);
    let (code, out, rss) = wait_measuring(child);
    assert_eq!(code, Some(3));
    assert_eq!(
        out,
        format!(
            "PROBE UNKNOWN - cannot read {}: larger than 8 MiB, not read whole\n",
            big_saved.display()
        )
    );
    assert!(rss < RSS_LIMIT_KIB, "saved file: peak RSS {rss} KiB");

    // 100 MB on standard input.
    let mut child = Command::new(probe())
        .args(["--input", "saved=-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let feeder = std::thread::spawn(move || {
        let block = vec![b'x'; 1 << 20];
        for _ in 0..100 {
            // The plugin stops reading past its cap: a broken pipe is expected.
            if stdin.write_all(&block).is_err() {
                break;
            }
        }
    });
    let (code, out, rss) = wait_measuring(child);
    let _ = feeder.join();
    assert_eq!(code, Some(3));
    assert_eq!(
        out,
        "PROBE UNKNOWN - cannot read standard input: larger than 8 MiB, not read whole\n"
    );
    assert!(rss < RSS_LIMIT_KIB, "stdin: peak RSS {rss} KiB");
    let _ = std::fs::remove_dir_all(d);
}
