//! Inputs the fuzzer (fuzz/, target `mountinfo`) found crashing a parser, kept so the fix stays.

use check_san_path::mountinfo;

/// `\777` is three octal digits but no byte: 7*64 overflowed u8 (a panic in a debug build, a
/// wrong character in release). It is kept as written, as any other backslash.
#[test]
fn mountinfo_octal_escape_over_377_is_kept_as_written() {
    let m = mountinfo::parse("22 1 8:1 / /mnt/a\\777b rw - ext4 /dev/x\\400 rw\n").unwrap();
    assert_eq!(m[0].mount_point, "/mnt/a\\777b");
    assert_eq!(m[0].source, "/dev/x\\400");
    // The largest byte still reads as one.
    let m = mountinfo::parse("22 1 8:1 / /mnt/\\040\\377 rw - ext4 /dev/sda1 rw\n").unwrap();
    assert_eq!(m[0].mount_point, "/mnt/ \u{fffd}");
}

/// The fuzzer's own input, whole: its first line (an escape above \377) is read without a
/// panic; its last line, cut (no newline), refuses the text.
#[test]
fn mountinfo_fuzzer_input() {
    let text = std::str::from_utf8(include_bytes!("fuzz/mountinfo-octal-escape-over-377")).unwrap();
    let e = mountinfo::parse(text).unwrap_err().to_string();
    assert!(e.contains("line 5") && e.contains("cut"), "{e}");
}
