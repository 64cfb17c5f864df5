#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| euca_checks_fuzz::topology(data));
