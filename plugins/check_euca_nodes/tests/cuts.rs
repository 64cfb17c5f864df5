//! Every saved answer cut at many byte positions: the verdict is the whole file's, or an
//! UNKNOWN parse error naming a line, never a verdict on part of the cloud.
//!
//! What a cut exactly at a line end means, per format:
//! * XML (availability zones, DescribeServices): nothing; the document is whole only once its
//!   root element is closed, so every earlier cut is "not well-formed XML" at a line.
//! * euca2ools AVAILABILITYZONE text and the node listings: the tools end their output with a
//!   newline, so a cut inside a line is refused. A cut at a line end inside a zone's VM type
//!   list is refused too (every verbose zone must list the same cloud-wide VM types); a cut that
//!   drops whole zones or NODE lines is a shorter listing and is read as one (there is no end
//!   marker), so only cuts inside a line are held to "whole verdict or UNKNOWN".
//!
//! Pure: the parsers and the rules, no process per cut.

use check_euca_nodes::evaluate::{evaluate, Rules};
use check_euca_nodes::nodes_text;
use common::euca::availability_zones::{self, Answer};
use common::{Report, Status};

type Verdict = (Status, String);

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

fn rules() -> Rules {
    Rules {
        vm_type: "m1.small".into(),
        ..Rules::default()
    }
}

fn judge(zones: &str, nodes: Option<&str>) -> Result<Verdict, String> {
    let z = if zones.trim_start().starts_with('<') {
        match availability_zones::parse(zones).map_err(|e| e.to_string())? {
            Answer::Zones(z) => z,
            Answer::Error { code, .. } => return Ok((Status::Unknown, code)),
        }
    } else {
        availability_zones::parse_euca2ools(zones).map_err(|e| e.to_string())?
    };
    let services = match nodes {
        None => None,
        Some(t) if t.trim_start().starts_with('<') => {
            match check_euca_clc::parse_answer(t).map_err(|e| e.to_string())? {
                common::euca::describe_services::Answer::Services(s) => Some(s),
                common::euca::describe_services::Answer::Error { code, .. } => {
                    return Ok((Status::Unknown, code))
                }
            }
        }
        Some(t) => Some(nodes_text::parse(t).map_err(|e| e.to_string())?),
    };
    let mut report = Report::new();
    evaluate(&z, services.as_deref(), &rules(), &mut report);
    Ok((report.status(), report.summary_text()))
}

fn read(path: &str) -> String {
    std::fs::read_to_string(format!("{DIR}/{path}")).unwrap()
}

/// The cut leaves the line it falls in whole: at its end, or in its trailing white space.
fn at_line_end(text: &str, cut: usize) -> bool {
    text[..cut].ends_with('\n')
        || text[cut..]
            .lines()
            .next()
            .is_none_or(|rest| rest.trim().is_empty())
}

/// Cut `which` of the pair at every `stride`-th byte and every byte of its last 200.
fn sweep(zones: &str, nodes: Option<&str>, cut_nodes: bool, stride: usize) -> (usize, usize) {
    let whole = judge(zones, nodes).unwrap_or_else(|e| panic!("whole: {e}"));
    let text = if cut_nodes { nodes.unwrap() } else { zones };
    let xml = text.trim_start().starts_with('<');
    let tail = text.len().saturating_sub(200);
    let (mut judged, mut refused) = (0, 0);
    for cut in
        (1..text.len()).filter(|&c| (c % stride == 0 || c >= tail) && text.is_char_boundary(c))
    {
        let part = &text[..cut];
        if part.trim().is_empty() {
            continue;
        }
        let got = if cut_nodes {
            judge(zones, Some(part))
        } else {
            judge(part, nodes)
        };
        match got {
            Err(e) => {
                assert!(
                    e.contains("line "),
                    "cut at {cut}: error names no line: {e}"
                );
                refused += 1;
            }
            Ok(v) if v == whole => judged += 1,
            Ok(v) => assert!(
                !xml && at_line_end(text, cut),
                "cut at byte {cut} (...{:?}) judged {v:?}, the whole is {whole:?}",
                &part[part.len().saturating_sub(40)..]
            ),
        }
    }
    (judged, refused)
}

#[test]
fn availability_zone_answers_cut_anywhere() {
    for file in [
        "00-captured-verbose-docs.txt",
        "01-verbose-healthy.txt",
        "01-verbose-healthy.xml",
        "02-verbose-zone-two-exhausted.txt",
        "02-verbose-zone-two-exhausted.xml",
        "03-zone-two-unavailable.txt",
        "03-zone-two-unavailable.xml",
    ] {
        let zones = read(&format!("availability-zones/{file}"));
        let stride = if file.ends_with(".xml") { 5 } else { 1 };
        let (judged, refused) = sweep(&zones, None, false, stride);
        assert!(refused > 0, "{file}: no cut refused");
        // XML: only a cut after the root element closed is whole
        if file.ends_with(".xml") {
            assert!(judged <= 2, "{file}: {judged} cuts judged");
        }
    }
}

#[test]
fn node_states_cut_anywhere() {
    let zones = read("availability-zones/01-verbose-healthy.txt");
    for file in [
        "nodes/00-captured-euca-describe-nodes-3.4-tutorial.txt",
        "nodes/01-euca-describe-nodes-healthy-4.1.txt",
        "nodes/01-euserv-describe-node-controllers-healthy-4.4.txt",
        "nodes/02-euca-describe-nodes-degraded-4.1.txt",
        "nodes/02-euserv-describe-node-controllers-degraded-4.4.txt",
        "describe-services/07-healthy-4.4.xml",
        "describe-services/05-partition-and-nc-missing-4.4.xml",
    ] {
        let nodes = read(file);
        // The DescribeServices answers are 20-30 KB: a prime stride samples every position class.
        let stride = if file.ends_with(".xml") { 41 } else { 1 };
        let (_, refused) = sweep(&zones, Some(&nodes), true, stride);
        assert!(refused > 0, "{file}: no cut refused");
    }
}
