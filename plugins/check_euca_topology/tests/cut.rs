//! Cut files: TOML has no end marker, so a topology cut between two tables is a smaller valid
//! deployment and is audited as one (what it lacks is then said: a UFS, a partner ...); a cut
//! inside a table or a value is UNKNOWN naming FILE:LINE:COL. Never a panic, never a verdict
//! on a half-read value.

use check_euca_topology::evaluate::evaluate;
use common::Status;

#[test]
fn every_cut_of_the_samples_is_refused_at_its_place_or_audited_as_the_smaller_file() {
    for name in ["reference.toml", "unreliable.toml", "unreliable-4.1.toml"] {
        let path = format!(
            "{}/../../samples/topology/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(&path).unwrap();
        let whole = evaluate(
            &topology::audit::audit(&topology::parse(name, &text).unwrap()),
            &[],
        );
        let (mut refused, mut audited) = (0, 0);
        for cut in (0..text.len()).step_by(3) {
            if !text.is_char_boundary(cut) {
                continue;
            }
            let part = &text[..cut];
            match topology::parse(name, part) {
                Err(e) => {
                    refused += 1;
                    assert!(e.to_string().starts_with(&format!("{name}:")), "{e}");
                }
                Ok(t) => {
                    audited += 1;
                    // Only at a line's end or in a comment: a cut inside a value that
                    // still parsed would be a value read half.
                    let rest = &text[cut..];
                    let partial = &part[part.rfind('\n').map_or(0, |i| i + 1)..];
                    let line_rest = rest.split('\n').next().unwrap_or("");
                    let whole_line = partial.trim().is_empty()
                        || partial.trim_start().starts_with('#')
                        || line_rest.trim().is_empty();
                    assert!(whole_line, "{name}: cut at {cut} parsed inside {partial:?}");
                    let r = evaluate(&topology::audit::audit(&t), &[]);
                    if rest.trim().is_empty()
                        || rest
                            .lines()
                            .all(|l| l.trim().is_empty() || l.starts_with('#'))
                    {
                        assert_eq!(r.status(), whole.status(), "{name}: cut at {cut}");
                    }
                    assert_ne!(r.status(), Status::Unknown);
                }
            }
        }
        assert!(
            refused > 0 && audited > 0,
            "{name}: {refused} refused, {audited} audited"
        );
    }
}
