//! Hostile saved outputs: garbage, empty, binary, huge, a line of endless quotes. Each ends
//! UNKNOWN naming what could not be read, within the timeout, never a verdict.

use harness::{HostTree, Outcome, Plugin};
use std::time::Duration;

fn with(input: &str, text: &[u8]) -> Outcome {
    let tree = HostTree::new();
    let path = tree.path("saved");
    std::fs::write(&path, text).unwrap();
    let o = Plugin::new(env!("CARGO_BIN_EXE_check_ipmi"))
        .arg("--input")
        .arg(format!("{input}={}", path.display()))
        .run();
    assert!(o.elapsed < Duration::from_secs(5), "took {:?}", o.elapsed);
    o
}

const INPUTS: &[&str] = &["ipmi-sensors", "ipmitool", "ipmitool-sdr", "chassis", "sel"];

#[test]
fn garbage_is_unknown_naming_the_file_and_line() {
    for input in INPUTS {
        with(input, b"<html><body>502 Bad Gateway</body></html>\n").expect_first(
            3,
            "IPMI UNKNOWN - cannot read ",
            &["saved", "line 1"],
        );
    }
}

#[test]
fn empty_is_unknown_except_an_empty_sel() {
    for input in ["ipmi-sensors", "ipmitool", "ipmitool-sdr", "chassis"] {
        with(input, b"").expect_first(3, "IPMI UNKNOWN - cannot read ", &["empty"]);
    }
    // ipmi-sel prints nothing for an empty log.
    with("sel", b"").expect(0, &["'sel_entries'=0"]);
}

#[test]
fn binary_is_unknown() {
    let bytes: Vec<u8> = (0..4096u32).map(|i| (i * 7919 % 256) as u8).collect();
    for input in INPUTS {
        with(input, &bytes).expect(3, &["cannot read"]);
    }
}

#[test]
fn huge_is_unknown_not_read_whole() {
    let line = "CPU Temp         | 45.000     | degrees C  | ok    | na        | na        | na        | 75.000    | 85.000    | 95.000\n";
    let big = line.repeat(5 * 1024 * 1024 / line.len() + 1);
    with("ipmitool", big.as_bytes()).expect(3, &["larger than"]);
    // Under the byte cap, over the sensor count cap.
    let many = line.repeat(10_001);
    with("ipmitool", many.as_bytes()).expect(3, &["more than 10000 sensors"]);
    // Just under it, all of one name: judged (linearly: labels and names are counted once).
    let o = with("ipmitool", line.repeat(9_999).as_bytes());
    o.expect_first(0, "IPMI OK - 9999 sensors ok", &[]);
}

#[test]
fn endless_quotes_and_pipes_are_unknown_fast() {
    let quotes = format!(
        "ID | Name | Type | State | Reading | Units | Event\n1 | x | Fan | Nominal | 1 | RPM | {}\n",
        "'a' '".repeat(200_000)
    );
    with("ipmi-sensors", quotes.as_bytes()).expect(3, &["line 2", "quoted"]);
    // Whole quotes, too many of them for one sensor.
    let many = format!(
        "ID | Name | Type | State | Reading | Units | Event\n1 | x | Fan | Nominal | 1 | RPM | {}\n",
        "'a' ".repeat(100_000)
    );
    with("ipmi-sensors", many.as_bytes()).expect(3, &["line 2", "at most 32"]);
    let commas = format!("PS1 | 05h | ok | 10.1 | {}\n", "a, ".repeat(100_000));
    with("ipmitool-sdr", commas.as_bytes()).expect(3, &["line 1", "more than 32 event texts"]);
    let pipes = format!("x{}\n", " |".repeat(500_000));
    for input in INPUTS {
        with(input, pipes.as_bytes()).expect(3, &["cannot read"]);
    }
}
