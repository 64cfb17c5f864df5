//! Pid files (`/var/run/eucalyptus/eucalyptus-cloud.pid`): pure parser.

use common::ParseError;

/// One decimal pid and a newline. Every writer of the pid files checked here ends the line
/// (the eucalyptus-cloud launcher, httpd for the CC and NC, eucanetd): without the newline the
/// copy was cut, and a cut `12345` reads as another pid (`123`), so it is refused.
pub fn parse(text: &str) -> Result<u32, ParseError> {
    let line = text
        .strip_suffix('\n')
        .ok_or_else(|| ParseError::whole("no final newline: cut or not a pid file"))?;
    let digits = line.trim();
    match digits.parse::<u32>() {
        Ok(pid) if pid > 0 && !digits.starts_with('+') => Ok(pid),
        _ => Err(ParseError::at(1, line, "not a process id")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pid_and_newline() {
        assert_eq!(parse("2817\n").unwrap(), 2817);
        assert_eq!(parse(" 2817 \n").unwrap(), 2817);
        for cut in 0.."2817\n".len() {
            assert!(parse(&"2817\n"[..cut]).is_err(), "cut at {cut}");
        }
        for bad in [
            "",
            "\n",
            "0\n",
            "-1\n",
            "+5\n",
            "12 13\n",
            "99999999999\n",
            "garbage\n",
            "1\n2\n",
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }
}
