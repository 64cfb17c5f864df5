//! What a check found, and how it is written for Nagios, Icinga and NRPE.
//!
//! ```text
//! RAID CRITICAL - md1 raid1 degraded [U_], sdb1 failed; md0 ok | 'md1_active'=1;;;0;2
//! md1: raid1, 2 members, 1 active, sdb1 (F) failed
//!   -> replace the failed disk, then: mdadm --manage /dev/md1 --add /dev/sdX1
//! md0: raid1, 2/2 active, clean
//! ```
//!
//! Summary: the findings' short texts, worst first. Long output: one line per finding, worst
//! first, each with its restore hint. A `|` in any text would end the text and start perfdata
//! for every parser, so it is written as `/`. The output cap bounds everything written (NRPE
//! and some Nagios builds truncate what is longer, mid-label): long output is cut first, then
//! the summary, and perfdata items are left out whole, never cut, saying so on the first line.

use crate::perfdata::{Perfdata, PerfdataError};
use crate::status::Status;

/// Default output cap in bytes.
pub const DEFAULT_MAX_OUTPUT: usize = 4096;

/// One thing a check found: its state, a line of long output, maybe a short text for the
/// status line, maybe a restore hint.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub status: Status,
    pub summary: Option<String>,
    pub detail: String,
    pub hint: Option<String>,
}

impl Finding {
    pub fn new(status: Status, detail: impl Into<String>) -> Finding {
        Finding {
            status,
            summary: None,
            detail: detail.into(),
            hint: None,
        }
    }
    pub fn ok(detail: impl Into<String>) -> Finding {
        Finding::new(Status::Ok, detail)
    }
    pub fn warning(detail: impl Into<String>) -> Finding {
        Finding::new(Status::Warning, detail)
    }
    pub fn critical(detail: impl Into<String>) -> Finding {
        Finding::new(Status::Critical, detail)
    }
    pub fn unknown(detail: impl Into<String>) -> Finding {
        Finding::new(Status::Unknown, detail)
    }
    /// The short text this finding adds to the status line.
    pub fn summary(mut self, text: impl Into<String>) -> Self {
        self.summary = Some(text.into());
        self
    }
    /// How to restore service, printed under the detail line.
    pub fn hint(mut self, text: impl Into<String>) -> Self {
        self.hint = Some(text.into());
        self
    }
}

/// Everything a check returns to the runner.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    findings: Vec<Finding>,
    perfdata: Vec<Perfdata>,
    headline: Option<String>,
    ok_summary: Option<String>,
    verbose: Vec<(u8, String)>,
}

impl Report {
    pub fn new() -> Report {
        Report::default()
    }

    /// A report of one finding, e.g. an error that makes the whole check UNKNOWN: the message
    /// is the summary, with no long output repeating it.
    pub fn single(status: Status, message: impl Into<String>) -> Report {
        let mut report = Report::new();
        report.add(Finding::new(status, "").summary(message));
        report
    }

    pub fn add(&mut self, finding: Finding) -> &mut Self {
        self.findings.push(finding);
        self
    }
    pub fn perf(&mut self, perfdata: Perfdata) -> &mut Self {
        self.perfdata.push(perfdata);
        self
    }
    /// Words that open the summary, before the findings' texts (e.g. "Eucalyptus Core available").
    pub fn headline(&mut self, text: impl Into<String>) -> &mut Self {
        self.headline = Some(text.into());
        self
    }
    /// The summary used when no finding has a short text of its own.
    pub fn ok_summary(&mut self, text: impl Into<String>) -> &mut Self {
        self.ok_summary = Some(text.into());
        self
    }
    /// A long-output line shown only with at least `level` `-v` flags.
    pub fn verbose(&mut self, level: u8, line: impl Into<String>) -> &mut Self {
        self.verbose.push((level, line.into()));
        self
    }

    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }
    pub fn perfdata(&self) -> &[Perfdata] {
        &self.perfdata
    }

    /// The worst state of all findings (OK when there are none).
    pub fn status(&self) -> Status {
        Status::worst_of(self.findings.iter().map(|f| f.status))
    }

    /// The summary that follows `SERVICE STATE - `.
    pub fn summary_text(&self) -> String {
        let mut parts: Vec<&Finding> = self
            .findings
            .iter()
            .filter(|f| f.summary.is_some())
            .collect();
        parts.sort_by_key(|f| std::cmp::Reverse(f.status)); // stable: plugin order within a state
        let joined = parts
            .iter()
            .filter_map(|f| f.summary.as_deref())
            .collect::<Vec<_>>()
            .join("; ");
        let body = if joined.is_empty() {
            self.ok_summary.clone().unwrap_or_default()
        } else {
            joined
        };
        match (&self.headline, body.is_empty()) {
            (Some(h), true) => h.clone(),
            (Some(h), false) => format!("{h}: {body}"),
            (None, _) => body,
        }
    }

    /// Write the plugin output, at most `max_output` bytes in all: the summary may be cut,
    /// perfdata items are kept whole or left out whole (the first line then says how many),
    /// long output is cut by lines. Fails only when a perfdata item cannot be written.
    pub fn render(
        &self,
        service: &str,
        verbosity: u8,
        max_output: usize,
    ) -> Result<String, PerfdataError> {
        let perf: Vec<String> = self
            .perfdata
            .iter()
            .map(Perfdata::render)
            .collect::<Result<_, _>>()?;
        let mut labels = std::collections::HashSet::new();
        if let Some(dup) = self
            .perfdata
            .iter()
            .find(|p| !labels.insert(p.label.as_str()))
        {
            return Err(PerfdataError::DuplicateLabel(dup.label.clone()));
        }
        let status = self.status();

        let header = format!("{} {} - ", one_line(service), status.word());
        let summary = one_line(&self.summary_text());
        let fitted = fit_first_line_and_perfdata(&header, &summary, perf, max_output);
        let first_line = fitted.first_line;
        let rest_perf = fitted.rest_perf;

        let mut long: Vec<String> = Vec::new();
        let mut findings: Vec<&Finding> = self.findings.iter().collect();
        findings.sort_by_key(|f| std::cmp::Reverse(f.status));
        for f in findings {
            // A detail that only repeats the finding's summary adds nothing to long output.
            if f.summary.as_deref() != Some(f.detail.as_str()) {
                long.extend(f.detail.lines().map(clean));
            }
            if let Some(h) = &f.hint {
                long.extend(h.lines().map(|l| format!("  -> {}", clean(l))));
            }
        }
        long.extend(
            self.verbose
                .iter()
                .filter(|(level, _)| *level <= verbosity)
                .flat_map(|(_, l)| l.lines().map(clean)),
        );
        long.retain(|l| !l.trim().is_empty());

        let tail = if rest_perf.is_empty() {
            String::new()
        } else {
            format!("| {}\n", rest_perf.join("\n"))
        };
        // Long output only gets what the first line and the perfdata left.
        let fixed = first_line.len() + 1 + tail.len();
        let mut out = first_line;
        out.push('\n');
        let mut used = fixed;
        let total = long.len();
        for (i, line) in long.iter().enumerate() {
            let note_room = if i + 1 < total { 48 } else { 0 };
            if used + line.len() + 1 + note_room > max_output {
                let note = format!(
                    "... {} more lines cut (output cap {max_output} bytes)\n",
                    total - i
                );
                if used + note.len() <= max_output {
                    out.push_str(&note);
                }
                break;
            }
            used += line.len() + 1;
            out.push_str(line);
            out.push('\n');
        }
        out.push_str(&tail);
        Ok(out)
    }
}

/// The first line and the perfdata that goes after the second `|`, together within the cap.
struct Fitted {
    first_line: String,
    rest_perf: Vec<String>,
}

/// Priority within the cap: the status word, then perfdata, then the summary, then long output.
/// A summary that would push the first line past half the cap is cut to a quarter of it (every
/// finding is still in long output). Perfdata goes on the first line while that line stays
/// within half the cap, the rest after a second `|` at the end, as the guidelines allow. Items
/// are never cut: when they do not all fit, whole items are left out from the end and the
/// first line says how many (NRPE drops whatever is past 64 KiB, mid-label).
fn fit_first_line_and_perfdata(
    header: &str,
    summary: &str,
    perf: Vec<String>,
    max_output: usize,
) -> Fitted {
    // " | " and the items with a space or newline each; "| " opens the tail.
    let perf_len: usize = perf.iter().map(|p| p.len() + 1).sum::<usize>() + 4;
    let summary = if header.len() + summary.len() + perf_len > max_output / 2 {
        let budget = (max_output / 4).saturating_sub(header.len()).max(80);
        cut(summary, budget)
    } else {
        summary.to_string()
    };
    let mut first_line = format!("{header}{summary}");
    // Room for perfdata: the cap less the first line and its newline.
    let room = max_output.saturating_sub(first_line.len() + 1);
    let total = perf.len();
    let keep = if perf_len <= room {
        total
    } else {
        let note_room = left_out_note(total).len();
        let mut used = 4 + note_room;
        perf.iter()
            .take_while(|p| {
                used += p.len() + 1;
                used <= room
            })
            .count()
    };
    if keep < total {
        first_line.push_str(&left_out_note(total - keep));
    }
    let mut first_perf = Vec::new();
    let mut rest_perf = Vec::new();
    let mut line_len = first_line.len() + 3;
    for item in perf.into_iter().take(keep) {
        if rest_perf.is_empty() && (first_perf.is_empty() || line_len + item.len() < max_output / 2)
        {
            line_len += item.len() + 1;
            first_perf.push(item);
        } else {
            rest_perf.push(item);
        }
    }
    if !first_perf.is_empty() {
        first_line.push_str(" | ");
        first_line.push_str(&first_perf.join(" "));
    }
    Fitted {
        first_line,
        rest_perf,
    }
}

/// What the first line says when perfdata items had to be left out.
fn left_out_note(count: usize) -> String {
    let what = if count == 1 { "item" } else { "items" };
    format!(
        "; {} perfdata {what} left out (over --max-output)",
        thousands(count)
    )
}

/// 99871 -> "99,871".
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A text safe for plugin output: no '|' (it would start perfdata), no control characters.
fn clean(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '|' => '/',
            '\t' => ' ',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect::<String>()
        .trim_end()
        .to_string()
}

/// `clean`, and all on one line.
pub(crate) fn one_line(text: &str) -> String {
    clean(&text.replace(['\r', '\n'], " "))
}

/// Cut at a character boundary to at most `max` bytes, marking the cut.
fn cut(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut end = max.saturating_sub(3);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &text[..end])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::perfdata::Uom;

    fn sample() -> Report {
        let mut r = Report::new();
        r.add(Finding::ok("md0: raid1, 2/2 active, clean").summary("md0 ok"));
        r.add(
            Finding::critical("md1: raid1, 2 members, 1 active, sdb1 (F) failed")
                .summary("md1 raid1 degraded [U_], sdb1 failed")
                .hint("replace the failed disk, then: mdadm --manage /dev/md1 --add /dev/sdX1"),
        );
        r.perf(Perfdata::new("md1_active", 1.0).min(0.0).max(2.0));
        r.perf(Perfdata::new("md1_degraded", 1.0).min(0.0).max(1.0));
        r
    }

    #[test]
    fn worst_first_summary_long_output_and_hint() {
        let out = sample().render("RAID", 0, DEFAULT_MAX_OUTPUT).unwrap();
        assert_eq!(
            out,
            "RAID CRITICAL - md1 raid1 degraded [U_], sdb1 failed; md0 ok | 'md1_active'=1;;;0;2 'md1_degraded'=1;;;0;1\n\
             md1: raid1, 2 members, 1 active, sdb1 (F) failed\n\
             \x20 -> replace the failed disk, then: mdadm --manage /dev/md1 --add /dev/sdX1\n\
             md0: raid1, 2/2 active, clean\n"
        );
    }

    #[test]
    fn headline_ok_summary_and_no_perfdata() {
        let mut r = Report::new();
        r.add(Finding::ok("all fine"));
        r.ok_summary("3 arrays ok");
        assert_eq!(
            r.render("RAID", 0, 4096).unwrap(),
            "RAID OK - 3 arrays ok\nall fine\n"
        );
        r.headline("Eucalyptus Core available");
        assert!(r
            .render("EUCA", 0, 4096)
            .unwrap()
            .starts_with("EUCA OK - Eucalyptus Core available: 3 arrays ok\n"));
    }

    #[test]
    fn a_pipe_in_any_text_cannot_corrupt_perfdata() {
        let mut r = Report::new();
        r.add(
            Finding::warning("detail | with pipe\nsecond|line")
                .summary("summary | pipe\nnewline")
                .hint("hint | pipe"),
        );
        r.verbose(1, "verbose | pipe");
        r.perf(Perfdata::new("x", 1.0));
        let out = r.render("SVC | X", 1, 4096).unwrap();
        let first = out.lines().next().unwrap();
        assert_eq!(first.matches('|').count(), 1, "{out}");
        assert!(first.ends_with("| 'x'=1;;;;"), "{out}");
        assert_eq!(out.matches('|').count(), 1, "{out}");
        assert!(out.contains("second/line"));
    }

    #[test]
    fn verbose_lines_need_their_level() {
        let mut r = Report::new();
        r.add(Finding::ok("base"));
        r.verbose(1, "one").verbose(2, "two").verbose(3, "three");
        let out = |v| r.render("S", v, 4096).unwrap();
        assert!(!out(0).contains("one"));
        assert!(out(1).contains("one") && !out(1).contains("two"));
        assert!(out(3).contains("three"));
    }

    #[test]
    fn the_cap_cuts_long_output_but_never_the_first_line_or_perfdata() {
        let mut r = Report::new();
        for i in 0..500 {
            r.add(
                Finding::critical(format!("array md{i}: degraded, a long line of detail text"))
                    .summary(format!("md{i} degraded")),
            );
        }
        for i in 0..100 {
            r.perf(
                Perfdata::new(format!("md{i}_active"), 1.0)
                    .uom(Uom::None)
                    .min(0.0)
                    .max(2.0),
            );
        }
        let out = r.render("RAID", 0, 4096).unwrap();
        let first = out.lines().next().unwrap();
        assert!(
            first.starts_with("RAID CRITICAL - md0 degraded; md1 degraded"),
            "{first}"
        );
        assert!(
            first.contains("... | 'md0_active'=1;;;0;2 'md1_active'=1;;;0;2"),
            "summary is cut before the perfdata: {first}"
        );
        // every perfdata item survives, on the first line or after the second '|'
        for i in 0..100 {
            assert!(
                out.contains(&format!("'md{i}_active'=1;;;0;2")),
                "md{i} lost"
            );
        }
        assert!(out.contains("array md0: degraded"), "{out}");
        assert!(
            out.contains("more lines cut (output cap 4096 bytes)"),
            "{out}"
        );
        assert_eq!(out.matches('|').count(), 2);
        assert!(out.len() <= 4096, "{} bytes", out.len());
        // perfdata longer than the cap: whole items are left out, and the first line says so
        for i in 100..300 {
            r.perf(Perfdata::new(format!("md{i}_active"), 1.0));
        }
        let out = r.render("RAID", 0, 4096).unwrap();
        assert!(out.len() <= 4096, "{} bytes", out.len());
        let first = out.lines().next().unwrap();
        assert!(
            first.contains("perfdata items left out (over --max-output) | 'md0_active'=1;;;0;2"),
            "{first}"
        );
        assert!(
            !out.contains("'md299_active'"),
            "the last items are the ones left out"
        );
    }

    /// Every perfdata item written, whole, with the grammar of the kit.
    fn perf_items(out: &str) -> Vec<String> {
        let mut parts = out.splitn(2, '\n');
        let first = parts.next().unwrap_or("");
        let rest = parts.next().unwrap_or("");
        let mut items: Vec<String> = first
            .split_once(" | ")
            .map(|(_, p)| p.split(' ').map(String::from).collect())
            .unwrap_or_default();
        if let Some((_, tail)) = rest.split_once("| ") {
            items.extend(tail.lines().map(String::from));
        }
        items
    }

    #[test]
    fn a_hundred_thousand_arrays_fit_any_cap_with_whole_perfdata_items() {
        let mut r = Report::new();
        for i in 0..100_000 {
            r.add(Finding::critical(format!("md{i}: degraded")).summary(format!("md{i} degraded")));
            r.perf(
                Perfdata::new(format!("md{i}_active"), 1.0)
                    .min(0.0)
                    .max(2.0),
            );
        }
        for cap in [256, 300, 4096, 1_048_576] {
            let out = r.render("RAID", 0, cap).unwrap();
            assert!(out.len() <= cap, "cap {cap}: {} bytes", out.len());
            let first = out.lines().next().unwrap();
            assert!(first.starts_with("RAID CRITICAL - md0 degraded"), "{first}");
            let items = perf_items(&out);
            assert!(!items.is_empty(), "cap {cap}: no perfdata at all: {out}");
            for (n, item) in items.iter().enumerate() {
                assert_eq!(item, &format!("'md{n}_active'=1;;;0;2"), "cap {cap}");
            }
            let left_out = 100_000 - items.len();
            assert!(
                first.contains(&format!(
                    "; {} perfdata items left out (over --max-output) | ",
                    thousands(left_out)
                )),
                "cap {cap}: {first}"
            );
        }
        assert_eq!(thousands(99_871), "99,871");
        assert_eq!(thousands(1_000_000), "1,000,000");
        assert_eq!(thousands(999), "999");
    }

    #[test]
    fn a_huge_single_message_is_cut_to_the_cap() {
        let r = Report::single(Status::Unknown, "x".repeat(10_000_000));
        let out = r.render("S", 0, 256).unwrap();
        assert!(out.len() <= 256, "{}", out.len());
        assert!(
            out.starts_with("S UNKNOWN - xxx") && out.ends_with("...\n"),
            "{out}"
        );
    }

    #[test]
    fn small_output_under_a_small_cap() {
        let mut r = Report::new();
        for i in 0..50 {
            r.add(Finding::ok(format!("line {i}")));
        }
        r.ok_summary("all ok");
        let out = r.render("S", 0, 200).unwrap();
        assert!(out.len() <= 200, "{} bytes: {out}", out.len());
        assert!(out.starts_with("S OK - all ok\nline 0\n"));
        assert!(out.contains("more lines cut"));
    }

    #[test]
    fn bad_perfdata_is_an_error_not_garbage() {
        let mut r = Report::new();
        r.perf(Perfdata::new("a=b", 1.0));
        assert!(r.render("S", 0, 4096).is_err());
        let mut r = Report::new();
        r.perf(Perfdata::new("x", 1.0))
            .perf(Perfdata::new("x", 2.0));
        assert_eq!(
            r.render("S", 0, 4096).unwrap_err().to_string(),
            "perfdata label 'x' is used twice; graphs would mix two series"
        );
    }

    #[test]
    fn a_single_message_is_not_repeated_in_long_output() {
        let r = Report::single(Status::Unknown, "cannot read x");
        assert_eq!(
            r.render("S", 0, 4096).unwrap(),
            "S UNKNOWN - cannot read x\n"
        );
        let mut r = Report::new();
        r.add(Finding::warning("same").summary("same"));
        r.add(Finding::ok("other detail").summary("other"));
        assert_eq!(
            r.render("S", 0, 4096).unwrap(),
            "S WARNING - same; other\nother detail\n"
        );
    }
}
