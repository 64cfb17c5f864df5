//! `euca-checks audit TOPOLOGY.toml`: the reliability audit (`topology::audit`) as an admin
//! reads it, one finding per paragraph, compiler style (`FILE:LINE:COL: severity rule: what`,
//! so an editor jumps to the table to change), then why and where the guide says so.
//!
//! Exit status as a check's: 0 no finding, 1 warnings only, 2 a critical finding, 3 the file
//! could not be audited (unreadable, too large, or with mistakes, each as FILE:LINE:COL), so a
//! script tells a bad deployment from a bad file.

use std::io::Read;
use std::path::Path;
use topology::audit::{audit, Finding, Severity};
use topology::parse::MAX_TOPOLOGY_BYTES;

/// What the command prints and its exit status; `main` writes them.
#[derive(Debug, PartialEq, Eq)]
pub struct Audited {
    pub stdout: String,
    pub stderr: String,
    pub code: u8,
}

/// How the findings are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Paragraphs for a person
    Text,
    /// One JSON object for a script (mistakes stay on stderr as text, exit 3)
    Json,
}

/// Read, parse and audit the file at `path`.
pub fn run(path: &Path, format: Format) -> Audited {
    let shown = path.display().to_string();
    let fail = |stderr: String| Audited {
        stdout: String::new(),
        stderr,
        code: 3,
    };
    let text = match read(path) {
        Ok(text) => text,
        Err(reason) => {
            return fail(format!(
                "euca-checks audit: cannot read {shown}: {reason}\n"
            ))
        }
    };
    match topology::parse(&shown, &text) {
        Err(mistakes) => fail(format!(
            "{mistakes}\neuca-checks audit: {shown}: {} mistake{}, not audited\n",
            mistakes.mistakes.len(),
            if mistakes.mistakes.len() == 1 {
                ""
            } else {
                "s"
            }
        )),
        Ok(t) => {
            let found = audit(&t);
            Audited {
                stdout: match format {
                    Format::Text => render(&shown, &found),
                    Format::Json => json(&shown, &found),
                },
                stderr: String::new(),
                code: code(&found),
            }
        }
    }
}

/// 0 none, 1 warnings only, 2 any critical.
pub fn code(found: &[Finding]) -> u8 {
    match found.iter().map(|f| f.severity()).max() {
        None => 0,
        Some(Severity::Warning) => 1,
        Some(Severity::Critical) => 2,
    }
}

/// The findings (already worst first) as paragraphs, and a count line.
pub fn render(file: &str, found: &[Finding]) -> String {
    if found.is_empty() {
        return format!(
            "{file}: no finding: the deployment follows Part 1 of the reliability guide\n"
        );
    }
    let mut out = String::new();
    for f in found {
        out += &format!(
            "{file}:{}: {} {}: {}\n    why: {}\n    guide: {}\n",
            f.at,
            f.severity(),
            f.rule.id,
            f.what,
            f.rule.reason,
            f.rule.section
        );
    }
    let critical = found
        .iter()
        .filter(|f| f.severity() == Severity::Critical)
        .count();
    out += &format!(
        "{file}: {} finding{}: {critical} critical, {} warning\n",
        found.len(),
        if found.len() == 1 { "" } else { "s" },
        found.len() - critical
    );
    out
}

/// The findings as one JSON object: `file`, `critical`, `warning` and each finding's rule,
/// severity, what, hosts, line, col, reason and section.
pub fn json(file: &str, found: &[Finding]) -> String {
    let findings: Vec<serde_json::Value> = found
        .iter()
        .map(|f| {
            serde_json::json!({
                "rule": f.rule.id,
                "severity": f.severity().name(),
                "what": f.what,
                "hosts": f.hosts,
                "line": f.at.line,
                "col": f.at.col,
                "reason": f.rule.reason,
                "section": f.rule.section,
            })
        })
        .collect();
    let critical = found
        .iter()
        .filter(|f| f.severity() == Severity::Critical)
        .count();
    let doc = serde_json::json!({
        "file": file,
        "critical": critical,
        "warning": found.len() - critical,
        "findings": findings,
    });
    format!("{doc}\n")
}

/// The file as text, at most the parser's cap (a 1,000-host cloud is about 400 KiB).
fn read(path: &Path) -> Result<String, String> {
    let file = std::fs::File::open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    })?;
    if file.metadata().is_ok_and(|m| m.is_dir()) {
        return Err("a directory, not a file".into());
    }
    let mut buf = Vec::new();
    file.take(MAX_TOPOLOGY_BYTES as u64 + 1)
        .read_to_end(&mut buf)
        .map_err(|e| e.to_string())?;
    if buf.len() > MAX_TOPOLOGY_BYTES {
        return Err(format!(
            "larger than {} MiB, not read",
            MAX_TOPOLOGY_BYTES / 1024 / 1024
        ));
    }
    String::from_utf8(buf).map_err(|_| "not text (invalid UTF-8)".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_text(path: &Path) -> Audited {
        run(path, Format::Text)
    }

    #[test]
    fn json_holds_every_finding_with_its_place() {
        let out = run(&sample("unreliable-4.1.toml"), Format::Json);
        assert_eq!(out.code, 2);
        let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        assert_eq!(
            (v["critical"].as_u64(), v["warning"].as_u64()),
            (Some(4), Some(1))
        );
        let f = &v["findings"][2];
        assert_eq!(f["rule"], "riak-ring-small");
        assert_eq!(f["severity"], "critical");
        assert_eq!(f["hosts"], serde_json::json!(["riak1", "riak2"]));
        assert_eq!((f["line"].as_u64(), f["col"].as_u64()), (Some(51), Some(1)));
        assert!(f["section"]
            .as_str()
            .unwrap()
            .ends_with("S3/Walrus Data Reliability"));
        let out = run(&sample("reference.toml"), Format::Json);
        assert_eq!(out.code, 0);
        assert!(out.stdout.contains("\"findings\":[]"), "{}", out.stdout);
    }

    fn sample(name: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../samples/topology")
            .join(name)
    }

    #[test]
    fn the_reference_deployment_exits_0_with_one_line() {
        let out = run_text(&sample("reference.toml"));
        assert_eq!(out.code, 0, "{out:?}");
        assert!(out.stdout.ends_with(
            "reference.toml: no finding: the deployment follows Part 1 of the reliability guide\n"
        ));
        assert_eq!(out.stdout.lines().count(), 1);
    }

    #[test]
    fn findings_are_paragraphs_worst_first_with_place_why_and_guide() {
        let out = run_text(&sample("unreliable.toml"));
        assert_eq!((out.code, out.stderr.as_str()), (2, ""));
        let lines: Vec<&str> = out.stdout.lines().collect();
        assert_eq!(lines.len(), 19 * 3 + 1, "{}", out.stdout);
        let shown = sample("unreliable.toml").display().to_string();
        assert!(lines[0].starts_with(&format!("{shown}:")), "{}", lines[0]);
        assert!(
            lines[0].ends_with(":9:1: critical ebs-not-san: ebs is overlay (the SCs' own disks)"),
            "{}",
            lines[0]
        );
        assert!(lines[1].starts_with("    why: EBS volumes on the Storage Controller's own disks"));
        assert_eq!(
            lines[2],
            "    guide: Part 1 > Reliability in the Eucalyptus Platform > EBS/Storage Controller Data Reliability"
        );
        let ufs = lines
            .iter()
            .position(|l| l.contains(": critical ufs-single: only one host runs ufs: clc2"));
        assert!(
            ufs.is_some_and(|i| i < 5 * 3),
            "critical first:\n{}",
            out.stdout
        );
        assert!(lines[5 * 3].contains(": warning "), "{}", lines[5 * 3]);
        assert!(lines
            .last()
            .unwrap()
            .ends_with(": 19 findings: 5 critical, 14 warning"));
        // warnings only: exit 1
        let t = topology::parse(
            "x",
            &std::fs::read_to_string(sample("reference.toml")).unwrap(),
        )
        .unwrap();
        let mut t = t;
        t.cloud.networking = "MANAGED".into();
        assert_eq!(code(&audit(&t)), 1);
    }

    #[test]
    fn a_file_that_cannot_be_audited_exits_3_naming_it() {
        let mistakes =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../topology/tests/fixtures/mistakes.toml");
        let out = run_text(&mistakes);
        assert_eq!((out.code, out.stdout.as_str()), (3, ""));
        let shown = mistakes.display().to_string();
        assert!(
            out.stderr
                .starts_with(&format!("{shown}:15:17: unknown role 'ucs'")),
            "{}",
            out.stderr
        );
        assert!(
            out.stderr.ends_with(&format!(
                "euca-checks audit: {shown}: 4 mistakes, not audited\n"
            )),
            "{}",
            out.stderr
        );
        let out = run_text(Path::new("/nonexistent/t.toml"));
        assert_eq!(
            (out.code, out.stderr.as_str()),
            (
                3,
                "euca-checks audit: cannot read /nonexistent/t.toml: no such file\n"
            )
        );
        let out = run_text(Path::new(env!("CARGO_MANIFEST_DIR")));
        assert!(
            out.stderr.ends_with(": a directory, not a file\n"),
            "{}",
            out.stderr
        );
        // over the cap: refused before parsing, not judged
        let dir = std::env::temp_dir().join(format!("audit-cap-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let big = dir.join("big.toml");
        std::fs::write(&big, "#".repeat(MAX_TOPOLOGY_BYTES + 1)).unwrap();
        let out = run_text(&big);
        assert!(
            out.stderr.ends_with(": larger than 8 MiB, not read\n"),
            "{}",
            out.stderr
        );
        std::fs::write(&big, [0xff, 0xfe]).unwrap();
        assert!(run_text(&big)
            .stderr
            .ends_with(": not text (invalid UTF-8)\n"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn cut_samples_are_audited_whole_or_refused() {
        // A topology cut anywhere either still parses (the cut fell between tables: what is
        // left is a smaller valid file, audited as such) or is refused with FILE:LINE:COL:
        // never a panic.
        let text = std::fs::read_to_string(sample("unreliable.toml")).unwrap();
        for cut in (0..text.len()).step_by(7) {
            if !text.is_char_boundary(cut) {
                continue;
            }
            match topology::parse("cut.toml", &text[..cut]) {
                Ok(t) => drop(audit(&t)),
                Err(e) => assert!(e.to_string().starts_with("cut.toml:"), "{e}"),
            }
        }
    }
}
