//! A cap on what the server may send. The postgres client buffers each message whole, as long
//! as its header says (up to 2 GiB), so a peer that is not PostgreSQL, or a hostile one, made
//! the check hold as much memory as it could send within `-t` (100 MB: 105 MiB resident, found
//! by tests/suite/tests/hostile.rs). Over TCP the client therefore talks to this relay on
//! 127.0.0.1, which forwards both ways and stops after [`CAP`] bytes from the server. The
//! check's own answers are a few KiB.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Most the server may send in one visit.
pub const CAP: u64 = 4 * 1024 * 1024;

/// A running relay: where the client connects, and whether the server went over the cap.
pub struct Relay {
    pub port: u16,
    overflowed: Arc<AtomicBool>,
}

impl Relay {
    pub fn overflowed(&self) -> bool {
        self.overflowed.load(Ordering::SeqCst)
    }
}

/// Relay the one connection our client makes within `budget` to `server`.
pub fn start(server: TcpStream, budget: Duration) -> std::io::Result<Relay> {
    start_capped(server, budget, CAP)
}

fn start_capped(server: TcpStream, budget: Duration, cap: u64) -> std::io::Result<Relay> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    listener.set_nonblocking(true)?;
    let overflowed = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&overflowed);
    std::thread::Builder::new()
        .name("pg-relay".into())
        .spawn(move || {
            let deadline = Instant::now() + budget;
            // Only our own client connects, right after start() returns; nobody else can
            // guess the port in time, and a second connection is never accepted.
            let client = loop {
                match listener.accept() {
                    Ok((c, _)) => break c,
                    // Our client connects within microseconds of start(): a short wait, not
                    // a 2 ms one that every run paid.
                    Err(_) if Instant::now() < deadline => {
                        std::thread::sleep(Duration::from_micros(100))
                    }
                    Err(_) => return,
                }
            };
            drop(listener);
            if client.set_nonblocking(false).is_err() {
                return;
            }
            // Each message is passed on as it comes: with Nagle's algorithm on the relay's two
            // sockets a reply waited for the peer's delayed ACK, 40 ms a query over TCP
            // (bench/RESULTS.md: 57 ms against the C check_pgsql's 10 before).
            let _ = client.set_nodelay(true);
            let _ = server.set_nodelay(true);
            let (Ok(mut client_in), Ok(mut server_out)) = (client.try_clone(), server.try_clone())
            else {
                return;
            };
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut client_in, &mut server_out);
                let _ = server_out.shutdown(Shutdown::Write);
            });
            let mut from_server = (&server).take(cap);
            let mut to_client = &client;
            let _ = std::io::copy(&mut from_server, &mut to_client);
            if from_server.limit() == 0 {
                // One byte more would be over: the answer is not read whole.
                let mut probe = [0u8; 1];
                let _ = server.set_read_timeout(Some(Duration::from_millis(50)));
                if matches!((&server).read(&mut probe), Ok(1)) {
                    flag.store(true, Ordering::SeqCst);
                }
            }
            let _ = to_client.flush();
            let _ = client.shutdown(Shutdown::Both);
            let _ = server.shutdown(Shutdown::Both);
        })?;
    Ok(Relay { port, overflowed })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair() -> (TcpStream, TcpStream) {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let a = TcpStream::connect(l.local_addr().unwrap()).unwrap();
        let (b, _) = l.accept().unwrap();
        (a, b)
    }

    #[test]
    fn bytes_pass_both_ways_and_a_server_over_the_cap_is_cut_and_flagged() {
        let (to_server, mut server) = pair();
        let relay = start_capped(to_server, Duration::from_secs(5), 1000).unwrap();
        let mut client = TcpStream::connect(("127.0.0.1", relay.port)).unwrap();
        client.write_all(b"hello").unwrap();
        let mut got = [0u8; 5];
        server.read_exact(&mut got).unwrap();
        assert_eq!(&got, b"hello");
        let sender = std::thread::spawn(move || {
            let _ = server.write_all(&vec![b'x'; 100_000]);
        });
        let mut seen = Vec::new();
        let _ = client.read_to_end(&mut seen);
        assert_eq!(seen.len(), 1000);
        assert!(relay.overflowed());
        let _ = sender.join();
    }

    #[test]
    fn a_server_under_the_cap_is_relayed_whole_and_not_flagged() {
        let (to_server, mut server) = pair();
        let relay = start_capped(to_server, Duration::from_secs(5), 1000).unwrap();
        let mut client = TcpStream::connect(("127.0.0.1", relay.port)).unwrap();
        server.write_all(&[b'y'; 999]).unwrap();
        drop(server);
        let mut seen = Vec::new();
        client.read_to_end(&mut seen).unwrap();
        assert_eq!(seen.len(), 999);
        assert!(!relay.overflowed());
    }
}
