//! Every real capture cut at every byte: a cut text is judged as the whole one was, or refused
//! (UNKNOWN naming the line and saying it was cut). Never judged differently while it ends
//! inside a line.
//!
//! What cannot be told apart, and may differ: a cut exactly at a line end where a whole text
//! could end too: between two maps (the next line of the whole text is at the margin: a map
//! header or a tool message), in the old `\_` layout after any path, and for iscsiadm after a
//! session's state line. In the new layout a cut after any line inside a map is refused (the
//! tree's corners close each map), which the sweep checks too.

use check_san_path::evaluate::{evaluate, Observed, Rules, Source};
use check_san_path::{iscsiadm, multipath};
use common::{Acquisition, Status};
use harness::Plugin;

fn captures(prefix: &str) -> Vec<(String, String)> {
    let dir = format!("{}/tests/fixtures", env!("CARGO_MANIFEST_DIR"));
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(prefix))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|n| {
            let t = std::fs::read_to_string(format!("{dir}/{n}")).unwrap();
            (n, t)
        })
        .collect()
}

fn multipath_verdict(text: &str) -> Result<Status, String> {
    let mp = multipath::parse(text).map_err(|e| e.to_string())?;
    let seen = Observed {
        multipath: Some(Source {
            name: "f".into(),
            got: Acquisition::Read(mp),
        }),
        ..Observed::default()
    };
    Ok(evaluate(&seen, &Rules::default()).status())
}

fn iscsi_verdict(text: &str) -> Result<Status, String> {
    let t = iscsiadm::parse(text).map_err(|e| e.to_string())?;
    let seen = Observed {
        iscsi: Some(Source {
            name: "f".into(),
            got: Acquisition::Read(t),
        }),
        ..Observed::default()
    };
    Ok(evaluate(&seen, &Rules::default()).status())
}

/// The cut keeps whole lines: it falls just after a newline, or just before one (the last
/// line is then whole, only its newline is gone, as in a saved copy without a final newline).
fn at_line_end(text: &str, cut: usize) -> bool {
    text[..cut].ends_with('\n') || text[cut..].starts_with('\n')
}

fn says_why(message: &str) -> bool {
    message.contains(" line ") || message.contains("cut") || message.contains("empty")
}

#[test]
fn every_cut_of_every_multipath_capture_is_the_whole_verdict_or_refused() {
    let (mut refused, mut differed) = (0, 0);
    for (name, text) in captures("multipath-") {
        let whole = multipath_verdict(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        for cut in 1..text.len() {
            if !text.is_char_boundary(cut) {
                continue;
            }
            let part = &text[..cut];
            match multipath_verdict(part) {
                Err(m) => {
                    assert!(says_why(&m), "{name} cut at {cut}: {m}");
                    refused += 1;
                }
                Ok(state) if state != whole => {
                    assert!(
                        at_line_end(&text, cut),
                        "{name} cut at {cut} inside a line: {state:?}, whole {whole:?}"
                    );
                    // Only where a whole text could end: the next line is at the margin (a
                    // map header or message), or the old layout, which has no corners.
                    let next = text[cut..].lines().next().unwrap_or("");
                    let old_layout = text.contains("\\_ ");
                    assert!(
                        old_layout || !next.starts_with([' ', '|', '`']),
                        "{name} cut at {cut} inside a map (next line {next:?}) judged {state:?}, whole {whole:?}"
                    );
                    differed += 1;
                }
                Ok(_) => {}
            }
        }
    }
    assert!(refused > 5000, "only {refused} cuts refused");
    assert!(
        differed > 0,
        "no cut between maps changed the verdict: the sweep proves nothing of that"
    );
}

#[test]
fn every_cut_of_every_iscsiadm_capture_is_the_whole_verdict_or_refused() {
    let mut refused = 0;
    for (name, text) in captures("iscsiadm-") {
        let whole = iscsi_verdict(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        for cut in 1..text.len() {
            if !text.is_char_boundary(cut) {
                continue;
            }
            let part = &text[..cut];
            match iscsi_verdict(part) {
                Err(m) => {
                    assert!(says_why(&m), "{name} cut at {cut}: {m}");
                    refused += 1;
                }
                Ok(state) if state != whole => {
                    assert!(
                        at_line_end(&text, cut),
                        "{name} cut at {cut} inside a line: {state:?}, whole {whole:?}"
                    );
                }
                Ok(_) => {}
            }
        }
    }
    assert!(refused > 2000, "only {refused} cuts refused");
}

#[test]
fn cuts_through_the_binary_are_unknown_naming_the_file_or_the_whole_verdict() {
    let bin = env!("CARGO_BIN_EXE_check_san_path");
    let dir = std::env::temp_dir().join(format!("san-cuts-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (prefix, input) in [("multipath-", "multipath"), ("iscsiadm-", "iscsiadm")] {
        for (name, text) in captures(prefix) {
            let file = dir.join(&name);
            std::fs::write(&file, &text).unwrap();
            let arg = format!("{input}={}", file.display());
            let whole = Plugin::new(bin).args(["--input", &arg]).run();
            for cut in (1..text.len()).step_by(37) {
                if !text.is_char_boundary(cut) {
                    continue;
                }
                std::fs::write(&file, &text[..cut]).unwrap();
                let o = Plugin::new(bin).args(["--input", &arg]).run();
                if o.code == whole.code {
                    continue;
                }
                assert!(
                    (o.code == 3 && o.first.contains("cannot read") && o.first.contains(&name))
                        || at_line_end(&text, cut),
                    "{name} cut at {cut}: {} (whole: {})",
                    o.first,
                    whole.first
                );
            }
        }
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn every_cut_of_the_sample_mountinfo_is_the_whole_answer_or_refused() {
    use check_san_path::mountinfo;
    let path = format!(
        "{}/tests/samples/healthy/proc/self/mountinfo",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(path).unwrap();
    let answer = |t: &str| {
        mountinfo::parse(t).map(|m| {
            mountinfo::find(&m, "/var/lib/eucalyptus/bukkits")
                .map(|m| (m.read_only, m.fs_type.clone()))
        })
    };
    let whole = answer(&text).unwrap();
    assert_eq!(whole, Some((false, "xfs".to_string())));
    let mut refused = 0;
    for cut in 1..text.len() {
        match answer(&text[..cut]) {
            Err(_) => refused += 1,
            Ok(a) if a != whole => assert!(
                text[..cut].ends_with('\n'),
                "cut at {cut} inside a line: {a:?}, whole {whole:?}"
            ),
            Ok(_) => {}
        }
    }
    assert!(refused > text.len() / 2, "only {refused} cuts refused");
}
