//! Inputs the fuzzer (fuzz/) found crashing a kit parser, kept so the fix stays. The Eucalyptus
//! parsers are behind the `euca` feature (the workspace test run enables it).
#![cfg(feature = "euca")]

use common::euca::describe_services;

/// Target `describe_services`: an answer cut right after a multi-byte character. The error
/// names the last line, whose offset fell inside that character: slicing the text there
/// panicked ("end byte index 63 is not a char boundary") instead of reporting the cut.
#[test]
fn describe_services_cut_after_a_multibyte_character() {
    let bytes = include_bytes!("fuzz/describe-services-cut-after-multibyte");
    let text = std::str::from_utf8(bytes).unwrap();
    let e = describe_services::parse(text).unwrap_err().to_string();
    assert!(e.contains("line 2"), "{e}");
    // The smallest form of it: an element never closed, the text ending in 'é'.
    let e = describe_services::parse("<a>\n<b>é")
        .unwrap_err()
        .to_string();
    assert!(e.contains("line 2"), "{e}");
}
