//! `rss_probe REPORT PROGRAM ARGS...`: runs PROGRAM as its child (same stdin, stdout, stderr)
//! and writes to REPORT the child's pid (first line, as soon as it runs) and then
//! `PEAK_RSS_KIB EXIT_CODE SIGNAL`; exits with the child's code.
//!
//! Why not wait4 in the test itself: a child's `ru_maxrss` starts from the resident size of
//! the process that spawned it (the kernel keeps the larger of the old and the new memory at
//! exec), so a test process holding 100 MiB would make every plugin look 100 MiB big. This
//! probe is small, so what it reports is the plugin's own peak (and that of the tools it waited
//! for).

use std::io::Write;
use std::process::Command;

fn main() {
    let mut args = std::env::args_os().skip(1);
    let (Some(report), Some(program)) = (args.next(), args.next()) else {
        eprintln!("usage: rss_probe REPORT PROGRAM [ARGS...]");
        std::process::exit(125);
    };
    let child = match Command::new(&program).args(args).spawn() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("rss_probe: cannot start {}: {e}", program.to_string_lossy());
            std::process::exit(126);
        }
    };
    let pid = child.id() as i32;
    let mut out = match std::fs::File::create(&report) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("rss_probe: {}: {e}", report.to_string_lossy());
            std::process::exit(125);
        }
    };
    let _ = writeln!(out, "{pid}");
    let mut status = 0;
    // SAFETY: rusage is plain data; wait4 fills it for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    if r != pid {
        eprintln!("rss_probe: wait4 failed");
        std::process::exit(125);
    }
    let (code, signal) = if libc::WIFEXITED(status) {
        (libc::WEXITSTATUS(status), 0)
    } else {
        (-1, libc::WTERMSIG(status))
    };
    let _ = writeln!(out, "{} {code} {signal}", usage.ru_maxrss);
    drop(out);
    std::process::exit(if signal != 0 { 128 + signal } else { code });
}
