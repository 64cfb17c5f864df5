//! Every fixture cut at every byte: the verdict is the whole file's, or the parser refuses the
//! text (UNKNOWN) — never a verdict on part of the ring. Each format is whole only at its end:
//! /stats once the JSON object closes, member-status at its tally (which must count the rows),
//! cluster status at the table's closing border, ring-status once its last section (Unreachable
//! Nodes) has its line (riak_core's advice paragraph after it may be cut: nothing in it is
//! judged). Pure: parsers and rules, no process per cut.

use check_riak::evaluate::{evaluate, Limits, Observed};
use check_riak::{cluster_status, member_status, ring_status, stats};
use common::{Acquisition, Status};

fn verdict(kind: &str, text: &str) -> Result<(Status, String), String> {
    let mut seen = Observed::default();
    let e = |e: common::ParseError| e.to_string();
    match kind {
        "stats" => seen
            .stats
            .push(Acquisition::Read(stats::parse(text).map_err(e)?)),
        "ring-status" => seen.ring_status = Some(ring_status::parse(text).map_err(e)?),
        "member-status" => seen.member_status = Some(member_status::parse(text).map_err(e)?),
        _ => seen.cluster_status = Some(cluster_status::parse(text).map_err(e)?),
    }
    let limits = Limits {
        max_down: 1,
        ..Limits::default()
    };
    let report = evaluate(&seen, &limits);
    Ok((report.status(), report.summary_text()))
}

fn kind(file: &str) -> &'static str {
    for k in ["stats", "ring-status", "member-status", "cluster-status"] {
        if file.trim_start_matches("captured-").starts_with(k) {
            return k;
        }
    }
    panic!("{file}: no kind")
}

#[test]
fn every_cut_of_every_fixture_is_whole_or_refused() {
    let dir = format!("{}/tests/fixtures", env!("CARGO_MANIFEST_DIR"));
    let mut files = 0;
    let (mut judged, mut refused) = (0, 0);
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if name == "SOURCES.md" {
            continue;
        }
        files += 1;
        let text = std::fs::read_to_string(format!("{dir}/{name}")).unwrap();
        let k = kind(&name);
        let whole = verdict(k, &text).unwrap_or_else(|e| panic!("{name} whole: {e}"));
        for cut in (1..text.len()).filter(|&c| text.is_char_boundary(c)) {
            match verdict(k, &text[..cut]) {
                Err(e) => {
                    assert!(e.starts_with("cannot parse input"), "{name} at {cut}: {e}");
                    refused += 1;
                }
                Ok(v) => {
                    assert_eq!(
                        v,
                        whole,
                        "{name} cut at byte {cut} (...{:?}) judged differently",
                        &text[cut.saturating_sub(40)..cut]
                    );
                    judged += 1;
                }
            }
        }
    }
    assert_eq!(files, 14);
    // Most cuts are refused; those judged fall after the end (trailing blank lines) or in
    // ring-status's advice paragraph.
    assert!(refused > 10 * judged, "refused {refused}, judged {judged}");
}
