//! /proc/PID/{cmdline,stat,status} and /proc/uptime: pure parsers (text in, model out).
//!
//! Own small parsers rather than the `procfs` crate: the check reads four fields of three
//! files per process, under `--root` (saved host trees) as well as on the live host, and must
//! refuse a cut file; see the crate README section for the measured cost of each choice.

use common::ParseError;

/// argv of a process, from `/proc/PID/cmdline` (NUL-separated, NUL-terminated).
///
/// The kernel hands a whole cmdline, ending in NUL; a saved one without its final NUL was cut
/// in the copy (`live == false`) and is refused. On the live host a process that rewrote its
/// argv (setproctitle) may leave no final NUL: that is taken as it is.
pub fn cmdline(text: &str, live: bool) -> Result<Vec<&str>, ParseError> {
    if text.is_empty() {
        return Ok(Vec::new()); // kernel threads and zombies have none
    }
    if !live && !text.ends_with('\0') {
        return Err(ParseError::whole("no final NUL: cut"));
    }
    Ok(text.split('\0').filter(|a| !a.is_empty()).collect())
}

/// What the check needs of `/proc/PID/stat`.
#[derive(Debug, Clone, PartialEq)]
pub struct Stat {
    pub pid: u32,
    /// The kernel's 15-character name (`eucalyptus-clou`).
    pub comm: String,
    pub state: char,
    /// Field 22: start time in clock ticks after boot.
    pub start_ticks: u64,
    /// Field 9 has PF_KTHREAD: a kernel thread (no cmdline, ever).
    pub kernel_thread: bool,
}

/// `PF_KTHREAD` in include/linux/sched.h.
const PF_KTHREAD: u64 = 0x0020_0000;

/// `/proc/PID/stat`: `pid (comm) state ppid ...` on one line. comm may hold spaces and `)`,
/// so it ends at the LAST `)`. At least 22 fields and the final newline, or it was cut.
pub fn stat(text: &str) -> Result<Stat, ParseError> {
    let line = text
        .strip_suffix('\n')
        .ok_or_else(|| ParseError::whole("no final newline: cut"))?;
    if line.contains('\n') {
        return Err(ParseError::whole("more than one line"));
    }
    let (open, close) = match (line.find(" ("), line.rfind(')')) {
        (Some(o), Some(c)) if c > o => (o, c),
        _ => return Err(ParseError::at(1, line, "expected 'PID (NAME) STATE ...'")),
    };
    let pid = line[..open]
        .parse::<u32>()
        .map_err(|_| ParseError::at(1, line, "the pid is not a number"))?;
    let comm = line[open + 2..close].to_string();
    // Fields 3 to 22 only: the rest (up to 52 on recent kernels) is not used.
    let rest: Vec<&str> = line[close + 1..]
        .split_ascii_whitespace()
        .take(20)
        .collect();
    // rest[0] is field 3 (state); field 22 (starttime) is rest[19].
    if rest.len() < 20 {
        return Err(ParseError::at(
            1,
            line,
            format!("{} fields, expected at least 22", rest.len() + 2),
        ));
    }
    let state = rest[0]
        .chars()
        .next()
        .filter(|_| rest[0].len() == 1)
        .ok_or_else(|| ParseError::at(1, line, "the state is not one letter"))?;
    let flags = rest[6]
        .parse::<u64>()
        .map_err(|_| ParseError::at(1, line, "the flags (field 9) are not a number"))?;
    let start_ticks = rest[19]
        .parse::<u64>()
        .map_err(|_| ParseError::at(1, line, "the start time (field 22) is not a number"))?;
    Ok(Stat {
        pid,
        comm,
        state,
        start_ticks,
        kernel_thread: flags & PF_KTHREAD != 0,
    })
}

/// What the check needs of `/proc/PID/status`.
#[derive(Debug, Clone, PartialEq)]
pub struct Status {
    pub threads: u64,
    /// VmRSS in bytes; absent for kernel threads and zombies.
    pub rss_bytes: Option<u64>,
}

/// `/proc/PID/status`: `Key:\tvalue` lines. `Name` and `Threads` must be there (a file cut
/// before them is refused); `VmRSS` is read when present (`NNN kB`).
pub fn status(text: &str) -> Result<Status, ParseError> {
    if !text.ends_with('\n') {
        return Err(ParseError::whole("no final newline: cut"));
    }
    let (mut name, mut threads, mut rss) = (false, None, None);
    for (i, line) in text.lines().enumerate() {
        let Some((key, value)) = line.split_once(':') else {
            return Err(ParseError::at(i + 1, line, "expected 'Key: value'"));
        };
        let value = value.trim();
        match key {
            "Name" => name = true,
            "Threads" => {
                threads = Some(
                    value
                        .parse::<u64>()
                        .map_err(|_| ParseError::at(i + 1, line, "Threads is not a number"))?,
                )
            }
            "VmRSS" => {
                let kb = value
                    .strip_suffix(" kB")
                    .and_then(|n| n.trim().parse::<u64>().ok())
                    .ok_or_else(|| ParseError::at(i + 1, line, "VmRSS is not 'N kB'"))?;
                rss = Some(kb.saturating_mul(1024));
            }
            _ => {}
        }
    }
    match (name, threads) {
        (true, Some(threads)) => Ok(Status {
            threads,
            rss_bytes: rss,
        }),
        _ => Err(ParseError::whole("no Name or Threads line: cut")),
    }
}

/// `/proc/uptime`: `SECONDS IDLE\n`; the seconds since boot.
pub fn uptime(text: &str) -> Result<f64, ParseError> {
    let line = text
        .strip_suffix('\n')
        .ok_or_else(|| ParseError::whole("no final newline: cut"))?;
    let mut fields = line.split_ascii_whitespace();
    match (fields.next(), fields.next(), fields.next()) {
        (Some(up), Some(idle), None) if idle.parse::<f64>().is_ok() => up
            .parse::<f64>()
            .ok()
            .filter(|s| s.is_finite() && *s >= 0.0)
            .ok_or_else(|| ParseError::at(1, line, "the uptime is not a number")),
        _ => Err(ParseError::at(1, line, "expected 'SECONDS IDLE'")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub const STAT: &str = "2817 (eucalyptus-clou) S 1 2816 2816 0 -1 1077936192 5215301 0 21 0 \
        1342201 188620 0 0 20 0 412 0 1523 24729006080 1052313 18446744073709551615 4194304 \
        4210980 140735317393376 0 0 0 0 0 16800975 0 0 0 17 1 0 0 0 0 0 6311928 6313160 \
        24498176 140735317401366 140735317401450 140735317401450 140735317401569 0\n";

    #[test]
    fn stat_reads_comm_state_and_start() {
        let s = stat(STAT).unwrap();
        assert_eq!(
            (s.pid, s.comm.as_str(), s.state, s.start_ticks),
            (2817, "eucalyptus-clou", 'S', 1523)
        );
        // A name with ") (" inside still ends at the last ')'.
        let odd = STAT.replace("(eucalyptus-clou)", "(a) (b)");
        assert_eq!(stat(&odd).unwrap().comm, "a) (b");
    }

    #[test]
    fn stat_cut_anywhere_is_refused_or_the_same() {
        let whole = stat(STAT).unwrap();
        for cut in 0..STAT.len() {
            if let Ok(s) = stat(&STAT[..cut]) {
                panic!("cut at {cut} read as {s:?} (whole: {whole:?})");
            }
        }
    }

    #[test]
    fn cmdline_splits_on_nul_and_refuses_a_saved_cut() {
        let c = "/usr/sbin/httpd\0-f\0/run/eucalyptus/httpd-cc.conf\0-DFOREGROUND\0";
        assert_eq!(
            cmdline(c, false).unwrap(),
            [
                "/usr/sbin/httpd",
                "-f",
                "/run/eucalyptus/httpd-cc.conf",
                "-DFOREGROUND"
            ]
        );
        for cut in 1..c.len() {
            assert!(cmdline(&c[..cut], false).is_err() || c.as_bytes()[cut - 1] == 0);
        }
        assert!(cmdline("nginx: master process", true).is_ok());
        assert_eq!(cmdline("", false).unwrap(), Vec::<&str>::new());
    }

    pub const STATUS: &str = "Name:\teucalyptus-clou\nUmask:\t0022\nState:\tS (sleeping)\n\
        Tgid:\t2817\nPid:\t2817\nPPid:\t2816\nVmPeak:\t24150400 kB\nVmSize:\t24149420 kB\n\
        VmRSS:\t 4209252 kB\nThreads:\t412\nSigQ:\t0/63448\nCpus_allowed_list:\t0-3\n";

    #[test]
    fn status_reads_threads_and_rss_and_refuses_a_cut() {
        let s = status(STATUS).unwrap();
        assert_eq!((s.threads, s.rss_bytes), (412, Some(4209252 * 1024)));
        for cut in 0..STATUS.len() {
            if let Ok(s) = status(&STATUS[..cut]) {
                assert_eq!(s, status(STATUS).unwrap(), "cut at {cut}");
            }
        }
        assert!(status("garbage\n").is_err());
        assert!(status("").is_err());
    }

    #[test]
    fn uptime_reads_seconds() {
        assert_eq!(uptime("350735.47 234388.90\n").unwrap(), 350735.47);
        for bad in ["", "350735.47", "x y\n", "1 2 3\n", "-1 2\n"] {
            assert!(uptime(bad).is_err(), "{bad:?}");
        }
    }
}
