//! Every real capture cut at every byte: a cut file is never judged differently from the whole
//! file unless the verdict is UNKNOWN naming a line (issue 9: a cut inside a bitmap line hid the
//! degraded array after it behind `RAID OK`).
//!
//! What cannot be told apart, and is therefore allowed to differ: a cut exactly at a line end,
//! before the kernel's closing `unused devices:` line. Real saved copies lack that line (the
//! shared fixtures mdstat-raid0-on-dm-no-footer and mdstat-raid6-degraded-no-footer, whose
//! SOURCES.md gives them a state), so such a file is judged, but always with the long-output note
//! saying where it ends. A cut inside a line (no newline at the end), or after the footer began,
//! must never change the verdict. This is the saved-tree side (`--root DIR`); on the live host a
//! file without the footer is UNKNOWN (`check_raid::judge`, tests in robustness.rs).

use check_raid::{evaluate, md, Options};
use common::Status;
use harness::{HostTree, Plugin};

/// The whole files: the shared captures and this crate's built samples.
fn whole_files() -> Vec<(String, String)> {
    let mut files = Vec::new();
    for folder in ["fixtures", "samples"] {
        let dir = format!("{}/tests/{folder}", env!("CARGO_MANIFEST_DIR"));
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with("mdstat-") && !n.contains("-cut-"))
            .collect();
        names.sort();
        for name in names {
            let text = std::fs::read_to_string(format!("{dir}/{name}")).unwrap();
            files.push((name, text));
        }
    }
    assert!(files.len() >= 20, "fixtures not found");
    files
}

/// The state of one text, as the plugin decides it (parse error = UNKNOWN), and whether the
/// report carries the missing-footer note.
fn verdict(text: &str) -> Result<(Status, bool), String> {
    let model = md::parse(text).map_err(|e| e.to_string())?;
    let report = evaluate(&model, &Options::default());
    let noted = report.findings().iter().any(|f| {
        f.detail
            .starts_with("note: no 'unused devices' line after line ")
    });
    Ok((report.status(), noted))
}

#[test]
fn every_cut_of_every_capture_is_the_whole_verdict_or_unknown_naming_a_line() {
    let mut refused = 0;
    let mut noted = 0;
    for (name, text) in whole_files() {
        let (whole, _) = verdict(&text).unwrap_or_else(|e| panic!("{name} whole: {e}"));
        for cut in 1..text.len() {
            if !text.is_char_boundary(cut) {
                continue;
            }
            let part = &text[..cut];
            let last_line = part.lines().next_back().unwrap_or("");
            let inside_a_line = !part.ends_with('\n') && !last_line.starts_with("unused devices:");
            match verdict(part) {
                Err(message) => {
                    assert!(
                        names_a_line(&message),
                        "{name} cut at byte {cut}: refused without naming a line: {message}"
                    );
                    refused += 1;
                }
                Ok((state, has_note)) => {
                    assert!(
                        !inside_a_line,
                        "{name} cut at byte {cut}, inside line {last_line:?}, was judged {state:?}"
                    );
                    if state != whole {
                        assert!(
                            has_note,
                            "{name} cut at byte {cut} (after {last_line:?}): {state:?}, whole file {whole:?}, and no note that the file may be cut"
                        );
                        noted += 1;
                    }
                }
            }
        }
    }
    // The sweep exercised both outcomes (a sweep that never refuses would prove nothing).
    assert!(refused > 5000, "only {refused} cuts refused");
    assert!(noted > 0, "no cut at a line end changed the verdict");
}

#[test]
fn cuts_through_the_binary_give_unknown_naming_the_line_or_the_whole_verdict() {
    // The same rule seen as the admin sees it, every 7th byte: the first line of the process.
    for (name, text) in whole_files() {
        let whole = run(&text);
        for cut in (1..text.len()).step_by(7) {
            if !text.is_char_boundary(cut) {
                continue;
            }
            let part = &text[..cut];
            let o = run(part);
            if o.code == whole.code {
                continue;
            }
            let refused =
                o.code == 3 && o.first.contains("cannot parse ") && names_a_line(&o.first);
            let noted = o
                .long
                .contains("note: no 'unused devices' line after line ");
            assert!(
                refused || (part.ends_with('\n') && noted),
                "{name} cut at byte {cut}: {}, whole file: {}",
                o.first,
                whole.first
            );
        }
    }
}

/// "... line 4 '...': why": the message names a line by its number.
fn names_a_line(message: &str) -> bool {
    message
        .split(" line ")
        .skip(1)
        .any(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
}

fn run(text: &str) -> harness::Outcome {
    let host = HostTree::new().file("/proc/mdstat", text);
    Plugin::new(env!("CARGO_BIN_EXE_check_raid"))
        .root(&host)
        .run()
}
