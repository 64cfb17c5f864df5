//! Parsers for what tells whether a daemon runs: its pid file and `/proc/PID/stat` and
//! `/proc/PID/cmdline` (proc(5)). Kept small and inside this crate: check_euca_proc reads
//! /proc too, and the lead may move a shared reader into the kit.

use common::ParseError;

/// Highest pid Linux hands out (`/proc/sys/kernel/pid_max` can be at most 2^22).
const PID_MAX: u32 = 4_194_304;

/// A pid file: one decimal pid, maybe a newline (eucanetd writes `"%d\n"`, `net/eucanetd.c`
/// `eucanetd_daemonize`; dhcpd the same).
pub fn pid_file(text: &str) -> Result<u32, ParseError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(ParseError::whole("the pid file is empty"));
    }
    match t.parse::<u32>() {
        Ok(pid) if (1..=PID_MAX).contains(&pid) => Ok(pid),
        _ => Err(ParseError::at(1, t, "expected a process id")),
    }
}

/// What `/proc/PID/stat` says of a process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stat {
    /// The command name (`comm`, at most 15 bytes: the kernel's truncation).
    pub comm: String,
    /// R, S, D, Z, T ... (proc(5) field 3).
    pub state: char,
}

impl Stat {
    /// A zombie or a dead task is not running whatever its name.
    pub fn alive(&self) -> bool {
        !matches!(self.state, 'Z' | 'X' | 'x')
    }
}

/// `PID (comm) S ppid ...`: comm may hold spaces and parentheses, so it ends at the last `)`.
pub fn stat(text: &str) -> Result<Stat, ParseError> {
    let line = text.lines().next().unwrap_or("");
    let (open, close) = match (line.find('('), line.rfind(')')) {
        (Some(o), Some(c)) if o < c => (o, c),
        _ => return Err(ParseError::at(1, line, "expected 'PID (name) STATE ...'")),
    };
    let state = line[close + 1..]
        .split_whitespace()
        .next()
        .and_then(|s| s.chars().next())
        .filter(char::is_ascii_alphabetic)
        .ok_or_else(|| ParseError::at(1, line, "no process state after the name"))?;
    Ok(Stat {
        comm: line[open + 1..close].to_string(),
        state,
    })
}

/// `/proc/PID/cmdline`: the arguments, NUL-separated.
pub fn cmdline(text: &str) -> Vec<String> {
    text.split('\0')
        .filter(|a| !a.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pid_files_hold_one_pid() {
        assert_eq!(pid_file("4021\n").unwrap(), 4021);
        assert!(pid_file("").unwrap_err().to_string().contains("empty"));
        assert!(pid_file("0").is_err());
        assert!(pid_file("-1").is_err());
        assert!(pid_file("99999999").is_err());
        assert!(pid_file("40 21").is_err());
        assert!(pid_file("\u{fffd}\u{0}").is_err());
    }

    #[test]
    fn stat_gives_the_name_and_state_even_with_parentheses_in_the_name() {
        let s = stat("4021 (eucanetd) S 1 4021 4021 0 -1 4202560 ...").unwrap();
        assert_eq!(
            (s.comm.as_str(), s.state, s.alive()),
            ("eucanetd", 'S', true)
        );
        let s = stat("77 (a) (b)) Z 1 ...").unwrap();
        assert_eq!((s.comm.as_str(), s.alive()), ("a) (b)", false));
        assert!(stat("").is_err());
        assert!(stat("4021 (eucanetd").is_err());
        assert!(stat("4021 (eucanetd) ").is_err());
        // cut inside the line
        let full = "4021 (eucanetd) S 1 4021";
        for cut in 0..full.len() {
            if let Ok(s) = stat(&full[..cut]) {
                assert_eq!(s, stat(full).unwrap());
            }
        }
    }

    #[test]
    fn cmdline_is_split_at_nuls() {
        let args =
            cmdline("/usr/sbin/dhcpd\0-f\0-cf\0/var/run/eucalyptus/net/euca-dhcp.conf\0br0\0");
        assert_eq!(
            args,
            [
                "/usr/sbin/dhcpd",
                "-f",
                "-cf",
                "/var/run/eucalyptus/net/euca-dhcp.conf",
                "br0"
            ]
        );
        assert!(cmdline("").is_empty());
    }
}
