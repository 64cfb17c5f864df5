//! What the kit's process-level tests share.

use std::path::PathBuf;

/// The kit_probe example, the tiny plugin these tests run as a real process. cargo test builds
/// examples next to the test binaries' directory.
pub fn probe() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    let dir = exe
        .parent()
        .and_then(|d| d.parent())
        .expect("target/<profile>/deps");
    let p = dir.join("examples").join("kit_probe");
    assert!(
        p.exists(),
        "{} missing: run through cargo test",
        p.display()
    );
    p
}
