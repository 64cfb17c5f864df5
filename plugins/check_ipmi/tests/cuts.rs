//! Every fixture cut at every byte: the verdict is the whole file's, or an UNKNOWN parse error
//! naming a line (or the text as a whole) — never a verdict on part of the BMC's listing
//! taken for all of it. The formats have no end marker: a cut exactly at a line end is a
//! shorter listing and is judged as one; every cut inside a line (the last line then has no
//! newline) must be refused.
//!
//! Pure: the parsers and the rules, no process per cut.

use check_ipmi::evaluate::{self, Rules};
use check_ipmi::{chassis, freeipmi, ipmitool_sdr, ipmitool_sensor, sel};
use common::{Report, Status};

type Verdict = (Status, String);

fn verdict(format: &str, text: &str) -> Result<Verdict, String> {
    let mut report = Report::new();
    match format {
        "chassis" => evaluate::chassis(
            &chassis::parse(text).map_err(|e| e.to_string())?,
            &mut report,
        ),
        "sel" => {
            let entries = sel::parse(text).map_err(|e| e.to_string())?;
            let all: Vec<_> = entries.iter().collect();
            evaluate::sel(&all, entries.len(), &mut report);
        }
        _ => {
            let sensors = match format {
                "ipmi-sensors" => freeipmi::parse(text),
                "ipmitool" => ipmitool_sensor::parse(text),
                _ => ipmitool_sdr::parse(text),
            }
            .map_err(|e| e.to_string())?;
            evaluate::sensors(&sensors, &Rules::default(), &mut report);
        }
    }
    Ok((report.status(), report.summary_text()))
}

fn format_of(file: &str) -> &'static str {
    if file.contains("chassis") {
        "chassis"
    } else if file.contains("sel") {
        "sel"
    } else if file.contains("ipmi-sensors") {
        "ipmi-sensors"
    } else if file.contains("ipmitool-sensor") {
        "ipmitool"
    } else {
        "ipmitool-sdr"
    }
}

#[test]
fn every_cut_of_every_fixture_is_the_whole_verdict_or_unknown() {
    let dir = format!("{}/tests/fixtures", env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "SOURCES.md")
        .collect();
    files.sort();
    assert!(files.len() >= 18, "{files:?}");
    let (mut refused, mut judged, mut shorter) = (0, 0, 0);
    for file in &files {
        let text = std::fs::read_to_string(format!("{dir}/{file}")).unwrap();
        let format = format_of(file);
        let whole = verdict(format, &text).unwrap_or_else(|e| panic!("{file} whole: {e}"));
        for cut in (1..text.len()).filter(|&c| text.is_char_boundary(c)) {
            let part = &text[..cut];
            let at_line_end = part.ends_with('\n');
            match verdict(format, part) {
                Err(e) => {
                    assert!(
                        e.contains("line ") || e.contains("no '") || at_line_end,
                        "{file} cut at {cut}: the error names no line: {e}"
                    );
                    refused += 1;
                }
                Ok(v) if v == whole => judged += 1,
                Ok(v) => {
                    assert!(
                        at_line_end,
                        "{file} cut at byte {cut} (...{:?}) judged {v:?}; the whole file is {whole:?}",
                        &part[part.len().saturating_sub(40)..]
                    );
                    shorter += 1;
                }
            }
        }
    }
    // The sweep saw refusals and verdicts (one that refuses or accepts everything tests nothing).
    assert!(
        refused > 1000 && judged > 0 && shorter > 0,
        "{refused} {judged} {shorter}"
    );
}
