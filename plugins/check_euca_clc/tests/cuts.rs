//! Every saved listing cut at every offset: the result is the whole file's verdict, or an
//! UNKNOWN parse error naming a line — never a verdict on part of the cloud. (Before issue 9,
//! 178 of 300 random cuts of a healthy euca-describe-services listing were judged, some as
//! CRITICAL "Eucalyptus Core unavailable".)
//!
//! What a cut exactly at a line end means, per format:
//! * describe-services (XML): nothing: the document is whole only once its root element is
//!   closed, so every cut before that is "not well-formed XML" at a line; a cut after it only
//!   drops trailing white space.
//! * euca-describe-services and euserv-describe-services (text): the formats have no end
//!   marker, so a cut that leaves whole lines is a shorter listing and is read as one (with its
//!   own verdict). Only cuts inside a line are held to "whole verdict or UNKNOWN"; a cut inside
//!   a line's trailing padding leaves the line whole.
//!
//! Pure: the parsers and the rules, no process per cut (tens of thousands of cuts; the XML
//! and euserv files at a stride, each of whose cuts the parser reads from the start).

use check_euca_clc::describe_services::{self, Answer};
use check_euca_clc::evaluate::{evaluate, Rules};
use check_euca_clc::{eucadmin, euserv};
use common::{Report, Status};

type Verdict = (Status, String);

fn verdict(format: &str, text: &str) -> Result<Verdict, String> {
    let services = match format {
        "describe-services" => match describe_services::parse(text).map_err(|e| e.to_string())? {
            Answer::Services(s) => s,
            Answer::Error { code, .. } => return Ok((Status::Unknown, code)),
        },
        "euserv" => euserv::parse(text).map_err(|e| e.to_string())?,
        _ => eucadmin::parse(text).map_err(|e| e.to_string())?,
    };
    let mut report = Report::new();
    evaluate(&services, &Rules::default(), &mut report);
    Ok((report.status(), report.summary_text()))
}

/// The cut leaves the line it falls in whole: at its end, or in its trailing padding.
fn at_line_end(text: &str, cut: usize) -> bool {
    text[..cut].ends_with('\n')
        || text[cut..]
            .lines()
            .next()
            .is_none_or(|rest| rest.trim().is_empty())
}

/// Cut each file at every `stride`-th byte, and at every byte of its last 300 (where the
/// document closes).
fn sweep(format: &str, dir: &str, files: &[&str], stride: usize) {
    let mut judged_cuts = 0;
    let mut refused_cuts = 0;
    for file in files {
        let path = format!("{}/tests/fixtures/{dir}/{file}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap();
        let whole = verdict(format, &text).unwrap_or_else(|e| panic!("{file} whole: {e}"));
        let tail = text.len().saturating_sub(300);
        let cuts =
            (1..text.len()).filter(|&c| (c % stride == 0 || c >= tail) && text.is_char_boundary(c));
        for cut in cuts {
            let part = &text[..cut];
            if part.trim().is_empty() {
                continue;
            }
            match verdict(format, part) {
                Err(e) => {
                    // Whole lines are a shorter listing: refused or not, by its own rules.
                    assert!(
                        e.contains("line ") || at_line_end(&text, cut),
                        "{file} cut at {cut}: error names no line: {e}"
                    );
                    refused_cuts += 1;
                }
                Ok(v) if v == whole => judged_cuts += 1,
                Ok(v) => assert!(
                    format != "describe-services" && at_line_end(&text, cut),
                    "{file} cut at byte {cut} (...{:?}) judged {v:?}, the whole file is {whole:?}",
                    &part[part.len().saturating_sub(40)..]
                ),
            }
        }
    }
    // The sweep saw both outcomes (a sweep that refuses or accepts everything tests nothing).
    assert!(
        judged_cuts > 0 && refused_cuts > 0,
        "{judged_cuts} {refused_cuts}"
    );
}

#[test]
fn euca_describe_services_cut_anywhere_in_a_line_is_whole_or_unknown() {
    sweep(
        "euca-describe-services",
        "euca-describe-services",
        &[
            "00-captured-3.4-tutorial.txt",
            "00-captured-sc-broken-events-docs.txt",
            "01-healthy-ha-4.1.txt",
            "02-clc-split-brain-4.1.txt",
            "04-sc-notready-events.txt",
        ],
        2,
    );
}

#[test]
fn euserv_describe_services_cut_anywhere_in_a_line_is_whole_or_unknown() {
    sweep(
        "euserv",
        "euserv-describe-services",
        &[
            "03-cc-broken-4.4.txt",
            "04-sc-notready-4.4.txt",
            "05-partition-and-nc-missing-4.4.txt",
            "06-ufs-host-down-4.4.txt",
            "07-healthy-4.4.txt",
            "07-healthy-4.4-expert.txt",
        ],
        5,
    );
}

#[test]
fn describe_services_xml_cut_anywhere_is_whole_or_unknown() {
    sweep(
        "describe-services",
        "describe-services",
        &[
            "01-healthy-ha-4.1.xml",
            "03-cc-broken-4.4.xml",
            "04-sc-notready-event-4.4.xml",
            "07-healthy-4.4.xml",
        ],
        23,
    );
}
