//! Parser for eucanetd's log, `/var/log/eucalyptus/eucanetd.log` (`net/eucanetd.c`
//! `eucanetd_setup`/`log_file_set`). Lines at the standard INFO/WARN/ERROR prefix of
//! `util/log.c` (`log_level_prefix`: `"%T %L |"`, `%T` = `strftime("%F %T")` in local time,
//! `%L` = the level right-aligned in 5 columns):
//!
//! ```text
//! 2026-11-25 10:15:02  WARN | retry (3): could not complete VM network update: retrying
//! 2026-11-25 10:15:02  WARN | main loop complete (212 ms): failures detected sleeping 1 seconds before next poll
//! 2026-11-25 10:15:09  INFO | main loop complete (187 ms), applied GNI 5e0a7c1f
//! 2026-11-25 10:17:40  INFO | eucanetd report: tot_checks=60 tot_update_attempts=4
//! <TAB>success_update_attempts=1 fail_update_attempts=3 duty_cycle_minutes=5.000000
//! ```
//!
//! (`<TAB>`: a tab character; the DEBUG/TRACE prefix adds thread and function columns before `|`: still read). Every
//! failed pass of eucanetd's main loop ends with the "failures detected" line: one failed
//! update attempt each. A line that does not start with a timestamp continues the entry before
//! it (the report's second line). The last line of the file, when it has no newline yet, is
//! being written and is left for the next run.

use common::ParseError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Seconds since 1970-01-01 00:00:00 of the timestamp as written (the host's local
    /// clock, no zone: compared only with other lines of the same file).
    pub time: i64,
    pub level: String,
    /// The message, continuation lines joined with a space.
    pub message: String,
}

impl Entry {
    /// A failed pass of the main loop (one failed update attempt).
    pub fn is_failed_attempt(&self) -> bool {
        self.message.starts_with("main loop complete (")
            && self.message.contains("failures detected")
    }

    /// Why an update failed, as eucanetd says it ("could not complete VM network update ...").
    pub fn is_failure_cause(&self) -> bool {
        matches!(self.level.as_str(), "ERROR" | "WARN" | "FATAL")
            && self.message.contains("could not complete")
    }

    /// The GNI version a successful pass applied.
    pub fn applied_version(&self) -> Option<&str> {
        self.message
            .strip_prefix("main loop complete (")?
            .split_once("), applied GNI ")
            .map(|(_, v)| v.trim())
    }
}

/// Every entry of the log text (whole lines only; see the module doc).
pub fn parse(text: &str) -> Result<Vec<Entry>, ParseError> {
    let complete = match text.rfind('\n') {
        Some(end) => &text[..=end],
        None => "",
    };
    let mut entries: Vec<Entry> = Vec::new();
    let mut lines = 0usize;
    for line in complete.lines() {
        if line.trim().is_empty() {
            continue;
        }
        lines += 1;
        match entry(line) {
            Some(e) => entries.push(e),
            None => {
                if let Some(last) = entries.last_mut() {
                    if line.starts_with([' ', '\t']) {
                        last.message.push(' ');
                        last.message.push_str(line.trim());
                    }
                }
            }
        }
    }
    if lines > 0 && entries.is_empty() {
        let first = complete
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("");
        return Err(ParseError::at(
            1,
            first,
            format!("none of its {lines} lines is an eucanetd log line ('YYYY-MM-DD HH:MM:SS LEVEL | message')"),
        ));
    }
    Ok(entries)
}

/// One `YYYY-MM-DD HH:MM:SS LEVEL ... | message` line.
fn entry(line: &str) -> Option<Entry> {
    let (date, rest) = line.split_at_checked(10)?;
    let rest = rest.strip_prefix(' ')?;
    let (clock, rest) = rest.split_at_checked(8)?;
    let time = timestamp(date, clock)?;
    let (prefix, message) = rest.split_once(" | ").or_else(|| {
        // A message that is empty: the line ends at the bar.
        rest.strip_suffix(" |").map(|p| (p, ""))
    })?;
    let level = prefix.split_whitespace().next()?;
    if !level.bytes().all(|b| b.is_ascii_uppercase()) {
        return None;
    }
    Some(Entry {
        time,
        level: level.to_string(),
        message: message.trim_end().to_string(),
    })
}

/// `2026-11-25` `10:15:02` as seconds since the epoch, as if UTC.
fn timestamp(date: &str, clock: &str) -> Option<i64> {
    let num = |s: &str| -> Option<i64> {
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let mut d = date.split('-');
    let (y, m, day) = (num(d.next()?)?, num(d.next()?)?, num(d.next()?)?);
    let mut c = clock.split(':');
    let (h, min, s) = (num(c.next()?)?, num(c.next()?)?, num(c.next()?)?);
    if d.next().is_some() || c.next().is_some() {
        return None;
    }
    if !(1..=12).contains(&m) || !(1..=31).contains(&day) || h > 23 || min > 59 || s > 60 {
        return None;
    }
    Some(days_from_civil(y, m, day) * 86_400 + h * 3600 + min * 60 + s)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAILING: &str = include_str!("../tests/fixtures/eucanetd.log-failing");
    const HEALTHY: &str = include_str!("../tests/fixtures/eucanetd.log-healthy");

    #[test]
    fn timestamps_count_seconds_since_the_epoch() {
        assert_eq!(timestamp("1970-01-01", "00:00:00"), Some(0));
        assert_eq!(timestamp("2000-03-01", "00:00:01"), Some(951_868_801));
        assert_eq!(timestamp("2026-11-25", "10:15:02"), Some(1_795_601_702));
        assert_eq!(timestamp("2026-13-25", "10:15:02"), None);
        assert_eq!(timestamp("2026-11-25", "1a:15:02"), None);
        assert_eq!(timestamp("+026-11-25", "10:15:02"), None);
    }

    #[test]
    fn the_failing_log_has_failed_attempts_and_their_cause() {
        let entries = parse(FAILING).unwrap();
        let failed = entries.iter().filter(|e| e.is_failed_attempt()).count();
        assert_eq!(failed, 4);
        let cause = entries.iter().rev().find(|e| e.is_failure_cause()).unwrap();
        assert!(
            cause
                .message
                .contains("could not complete VM network update"),
            "{cause:?}"
        );
        let report = entries
            .iter()
            .rfind(|e| e.message.starts_with("eucanetd report"))
            .unwrap();
        // the report's second line is joined to it
        assert!(report
            .message
            .ends_with("fail_update_attempts=4 duty_cycle_minutes=5.000000"));
    }

    #[test]
    fn the_healthy_log_has_no_failed_attempt_and_names_the_applied_version() {
        let entries = parse(HEALTHY).unwrap();
        assert!(!entries.iter().any(Entry::is_failed_attempt));
        let applied: Vec<&str> = entries.iter().filter_map(Entry::applied_version).collect();
        assert_eq!(applied, ["4d1b93e2", "5e0a7c1f"]);
    }

    #[test]
    fn a_debug_prefix_is_read_and_foreign_text_refused() {
        let e = parse("2026-11-25 10:15:02 DEBUG 000001234 eucanetd_fetch_latest_net | fetching\n")
            .unwrap();
        assert_eq!(
            (e[0].level.as_str(), e[0].message.as_str()),
            ("DEBUG", "fetching")
        );
        assert!(parse("no log\nat all\n")
            .unwrap_err()
            .to_string()
            .contains("none of its 2 lines"));
        assert_eq!(parse("").unwrap(), []);
        // a last line without its newline is still being written
        assert_eq!(
            parse("2026-11-25 10:15:02  WARN | main loop complete (1 ms): failures det").unwrap(),
            []
        );
    }

    /// Cut anywhere: the entries read are the whole file's first ones (a cut last line is
    /// left out, never read as another message), or the text is refused.
    #[test]
    fn the_log_cut_anywhere_gives_only_whole_entries() {
        let whole = parse(FAILING).unwrap();
        for cut in 0..FAILING.len() {
            if !FAILING.is_char_boundary(cut) {
                continue;
            }
            if let Ok(entries) = parse(&FAILING[..cut]) {
                assert!(entries.len() <= whole.len());
                for (i, e) in entries.iter().enumerate() {
                    // a continuation line may still be missing from the last entry
                    if i + 1 < entries.len() {
                        assert_eq!(e, &whole[i], "cut at {cut}");
                    } else {
                        assert!(whole[i].message.starts_with(&e.message), "cut at {cut}");
                    }
                }
            }
        }
    }
}
