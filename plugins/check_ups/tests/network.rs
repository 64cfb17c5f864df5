//! check_ups against misbehaving peers on 127.0.0.1 (in-process listeners): a daemon that
//! accepts and never answers, and one that answers garbage.

use harness::{Outcome, Plugin};
use std::io::{Read, Write};
use std::net::TcpListener;

fn check_ups(args: &[&str]) -> Outcome {
    Plugin::new(env!("CARGO_BIN_EXE_check_ups"))
        .args(args)
        .run()
}

/// A listener that answers every connection with `answer` (None: says nothing, holds the
/// connection open until the test ends).
fn fake_daemon(answer: Option<&'static [u8]>) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for mut stream in listener.incoming().flatten() {
            let mut buf = [0u8; 256];
            let _ = stream.read(&mut buf);
            match answer {
                Some(bytes) => {
                    let _ = stream.write_all(bytes);
                }
                None => held.push(stream),
            }
        }
    });
    port
}

/// A listener that answers and then keeps the connection open.
fn fake_daemon_open(answer: &'static [u8]) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for mut stream in listener.incoming().flatten() {
            let mut buf = [0u8; 256];
            let _ = stream.read(&mut buf);
            let _ = stream.write_all(answer);
            held.push(stream);
        }
    });
    port
}

#[test]
fn a_upsd_that_never_answers_is_critical_unreachable_before_the_timeout() {
    let port = fake_daemon(None);
    let target = format!("ups1@127.0.0.1:{port}");
    let run = check_ups(&["-t", "2", "--ups", &target]);
    run.expect(
        2,
        &[&format!(
            "UPS CRITICAL - ups1 unreachable: upsd at 127.0.0.1:{port}: no answer within"
        )],
    );
}

#[test]
fn an_apcupsd_that_never_answers_is_critical_unreachable() {
    let port = fake_daemon(None);
    let target = format!("127.0.0.1:{port}");
    let run = check_ups(&["-t", "2", "--apcupsd", &target]);
    run.expect(
        2,
        &[
            "UPS CRITICAL",
            "unreachable: apcupsd at",
            "no answer within",
        ],
    );
}

#[test]
fn a_upsd_answering_garbage_is_unknown_naming_the_line() {
    // held open after the answer: the check must not wait for the close
    let port = fake_daemon_open(b"HTTP/1.1 400 Bad Request\r\n\r\n");
    let target = format!("ups1@127.0.0.1:{port}");
    let run = check_ups(&["--ups", &target]);
    run.expect(
        3,
        &[
            "UPS UNKNOWN",
            &format!("cannot parse the answer of upsd at 127.0.0.1:{port} line 1 'HTTP/1.1 400 Bad Request'"),
        ],
    );
}

#[test]
fn a_upsd_cut_off_mid_list_is_unknown_truncated() {
    let port = fake_daemon(Some(b"BEGIN LIST VAR ups1\nVAR ups1 ups.status \"OL\"\n"));
    let target = format!("ups1@127.0.0.1:{port}");
    check_ups(&["--ups", &target]).expect(3, &["UPS UNKNOWN", "(truncated)"]);
}

#[test]
fn an_apcupsd_port_answering_garbage_is_unknown() {
    let port = fake_daemon(Some(b"SSH-2.0-OpenSSH_9.2\r\n"));
    let target = format!("127.0.0.1:{port}");
    check_ups(&["--apcupsd", &target]).expect(3, &["UPS UNKNOWN", "not an apcupsd NIS answer"]);
}

#[test]
fn one_dead_ups_of_two_is_critical_and_the_other_still_reported() {
    let upsd = fake_daemon(Some(
        b"BEGIN LIST VAR ups\nVAR ups ups.status \"OL\"\nVAR ups battery.charge \"100\"\nEND LIST VAR ups\n",
    ));
    let dead = harness::free_port();
    let a = format!("ups@127.0.0.1:{upsd}");
    let b = format!("ups@127.0.0.1:{dead}");
    let run = check_ups(&["--ups", &a, "--ups", &b]);
    // same UPS name on two servers: the labels carry the address
    run.expect(
        2,
        &[
            &format!("UPS CRITICAL - ups@127.0.0.1:{dead} unreachable"),
            &format!("ups@127.0.0.1:{upsd} on line (charge 100%)"),
            &format!("'ups@127.0.0.1:{upsd}_charge'=100%;;;0;100"),
        ],
    );
}

#[test]
fn a_timeout_too_short_to_connect_is_unknown_never_unreachable() {
    // With -t 0.05 the kit's I/O budget is zero: nothing was asked, so nothing is known. The
    // words are the kit's Acquisition words, as in every plugin.
    let port = fake_daemon(None);
    let target = format!("ups1@127.0.0.1:{port}");
    let run = check_ups(&["-t", "0.05", "--ups", &target]);
    run.expect(
        3,
        &[&format!(
            "UPS UNKNOWN - ups1 upsd at 127.0.0.1:{port} not asked: no time left; raise -t"
        )],
    );
}

/// A listener that reads the request, then runs `talk` on the connection and holds it open
/// (a peer that stops part way, or trickles).
fn fake_daemon_talking(talk: fn(&mut std::net::TcpStream)) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut buf = [0u8; 256];
                let _ = stream.read(&mut buf);
                talk(&mut stream);
                std::thread::sleep(std::time::Duration::from_secs(30));
            });
        }
    });
    port
}

fn nis_frame(record: &str) -> Vec<u8> {
    let mut out = (record.len() as u16).to_be_bytes().to_vec();
    out.extend_from_slice(record.as_bytes());
    out
}

#[test]
fn a_upsd_that_stops_before_end_list_var_is_unknown_cut_off_never_unreachable() {
    // Every VAR line, then no END LIST VAR and silence: upsd is up, the list is not whole.
    let port = fake_daemon_talking(|s| {
        let _ = s.write_all(
            b"BEGIN LIST VAR ups1\nVAR ups1 ups.status \"OL\"\nVAR ups1 battery.charge \"100\"\n",
        );
    });
    let target = format!("ups1@127.0.0.1:{port}");
    let run = check_ups(&["-t", "2", "--ups", &target]);
    run.expect_first(
        3,
        &format!("UPS UNKNOWN - ups1 upsd at 127.0.0.1:{port}: answer cut off: no END LIST VAR after 3 lines (nothing more within 1."),
        &[],
    )
    .lacks(&["unreachable", "CRITICAL", "charge="]);
}

#[test]
fn an_apcupsd_that_stops_before_the_end_record_is_unknown_cut_off_never_unreachable() {
    // Every record, then no zero-length end record and silence.
    let port = fake_daemon_talking(|s| {
        let mut bytes = nis_frame("APC      : 001,036,0860\n");
        bytes.extend(nis_frame("STATUS   : ONLINE \n"));
        bytes.extend(nis_frame("BCHARGE  : 100.0 Percent\n"));
        bytes.extend(nis_frame("END APC  : 2026-11-25 09:28:02 +0000  \n"));
        let _ = s.write_all(&bytes);
    });
    let target = format!("127.0.0.1:{port}");
    let run = check_ups(&["-t", "2", "--apcupsd", &target]);
    run.expect(
        3,
        &[
            "UPS UNKNOWN",
            &format!("apcupsd at 127.0.0.1:{port}: answer cut off: no end record after 4 records (nothing more within 1."),
        ],
    )
    .lacks(&["unreachable", "CRITICAL"]);
}

#[test]
fn a_upsd_trickling_one_byte_every_50_ms_is_cut_off_with_the_real_time_waited() {
    // Before the fix the figure was the time left at the last read: "within 0.0 s".
    let port = fake_daemon_talking(|s| {
        for b in b"BEGIN LIST VAR ups1\nVAR ups1 ups.status \"OL\"\n".repeat(20) {
            if s.write_all(&[b]).is_err() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    });
    let target = format!("ups1@127.0.0.1:{port}");
    let run = check_ups(&["-t", "2", "--ups", &target]);
    run.expect(
        3,
        &[
            "UPS UNKNOWN",
            "answer cut off: no END LIST VAR after",
            "(nothing more within 1.",
        ],
    )
    .lacks(&["within 0.0 s", "unreachable"]);
}

#[test]
fn a_upsd_listing_more_than_10000_variables_is_unknown() {
    let port = fake_daemon_talking(|s| {
        let mut answer = b"BEGIN LIST VAR ups1\nVAR ups1 ups.status \"OL\"\n".to_vec();
        answer.extend(b"VAR ups1 a.b \"1\"\n".repeat(10_000));
        answer.extend(b"END LIST VAR ups1\n");
        let _ = s.write_all(&answer);
    });
    let target = format!("ups1@127.0.0.1:{port}");
    check_ups(&["-t", "5", "--ups", &target])
        .expect(3, &["UPS UNKNOWN", "more than 10000 variables"]);
}
