//! Listening sockets from /proc/net/tcp, /proc/net/tcp6 and /proc/net/unix: pure parsers.
//!
//! Line-oriented files with no end marker: a copy cut inside a line is refused (too few
//! fields, or no final newline); one cut between lines reads as a host with fewer sockets,
//! which no reader can tell apart.

use common::ParseError;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// A TCP socket in LISTEN state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Listener {
    pub addr: IpAddr,
    pub port: u16,
}

/// `st` of a listening socket (`TCP_LISTEN` = 10).
const TCP_LISTEN: &str = "0A";

/// /proc/net/tcp or tcp6: a header line, then `sl: LOCAL REMOTE st ...` per socket, with
/// LOCAL = hex address (network byte order per 32-bit word, as the kernel prints it) `:` hex
/// port. Returns the listening sockets.
pub fn tcp(text: &str) -> Result<Vec<Listener>, ParseError> {
    if text.is_empty() {
        return Err(ParseError::whole("empty (not even the header)"));
    }
    if !text.ends_with('\n') {
        return Err(ParseError::whole("no final newline: cut"));
    }
    let mut lines = text.lines().enumerate();
    match lines.next() {
        Some((_, h)) if h.trim_start().starts_with("sl") && h.contains("local_address") => {}
        Some((_, h)) => return Err(ParseError::at(1, h, "not the header of /proc/net/tcp")),
        None => unreachable!("text is not empty"),
    }
    let mut out = Vec::new();
    for (i, line) in lines {
        let f: Vec<&str> = line.split_ascii_whitespace().collect();
        // sl local remote st tx:rx tr:when retrnsmt uid timeout inode (10 at least; the
        // kernel prints 12 to 17)
        if f.len() < 10 || !f[0].ends_with(':') {
            return Err(ParseError::at(
                i + 1,
                line,
                "expected 'N: LOCAL REMOTE STATE ...'",
            ));
        }
        let local =
            address(f[1]).ok_or_else(|| ParseError::at(i + 1, line, "bad local address"))?;
        address(f[2]).ok_or_else(|| ParseError::at(i + 1, line, "bad remote address"))?;
        if f[3].len() != 2 || u8::from_str_radix(f[3], 16).is_err() {
            return Err(ParseError::at(i + 1, line, "bad state"));
        }
        if f[3] == TCP_LISTEN {
            out.push(local);
        }
    }
    Ok(out)
}

/// `0100007F:1F90` (127.0.0.1:8080) or the 32-hex-digit IPv6 form.
fn address(field: &str) -> Option<Listener> {
    let (ip, port) = field.split_once(':')?;
    let port = u16::from_str_radix(port, 16)
        .ok()
        .filter(|_| port.len() == 4)?;
    let addr = match ip.len() {
        // The kernel prints each 32-bit word of the address as a host-order integer: on the
        // little-endian hosts Eucalyptus runs on (x86_64) the bytes come reversed
        // (127.0.0.1 is 0100007F).
        8 => IpAddr::V4(Ipv4Addr::from(
            u32::from_str_radix(ip, 16).ok()?.to_le_bytes(),
        )),
        32 => {
            let mut bytes = [0u8; 16];
            for k in 0..4 {
                let w = u32::from_str_radix(ip.get(k * 8..k * 8 + 8)?, 16).ok()?;
                bytes[k * 4..k * 4 + 4].copy_from_slice(&w.to_le_bytes());
            }
            IpAddr::V6(Ipv6Addr::from(bytes))
        }
        _ => return None,
    };
    Some(Listener { addr, port })
}

/// /proc/net/unix: `Num RefCount Protocol Flags Type St Inode Path` per socket. Returns the
/// paths of listening sockets (flag `__SO_ACCEPTCON` 0x10000, state 01 unconnected).
pub fn unix_listening(text: &str) -> Result<Vec<String>, ParseError> {
    if text.is_empty() {
        return Err(ParseError::whole("empty (not even the header)"));
    }
    if !text.ends_with('\n') {
        return Err(ParseError::whole("no final newline: cut"));
    }
    let mut lines = text.lines().enumerate();
    match lines.next() {
        Some((_, h)) if h.starts_with("Num") && h.contains("Inode") => {}
        Some((_, h)) => return Err(ParseError::at(1, h, "not the header of /proc/net/unix")),
        None => unreachable!("text is not empty"),
    }
    let mut out = Vec::new();
    for (i, line) in lines {
        let f: Vec<&str> = line.splitn(8, ' ').filter(|s| !s.is_empty()).collect();
        let bad = || {
            ParseError::at(
                i + 1,
                line,
                "expected 'Num: RefCount Protocol Flags Type St Inode [Path]'",
            )
        };
        if f.len() < 7 || !f[0].ends_with(':') {
            return Err(bad());
        }
        let flags = u32::from_str_radix(f[3], 16).map_err(|_| bad())?;
        let st = u8::from_str_radix(f[5], 16).map_err(|_| bad())?;
        f[6].parse::<u64>().map_err(|_| bad())?;
        if flags & 0x10000 != 0 && st == 1 {
            if let Some(path) = f.get(7) {
                out.push(path.trim_end().to_string());
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    pub const TCP: &str = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   0: 00000000:2255 00000000:0000 0A 00000000:00000000 00:00000000 00000000   498        0 24311 1 ffff8800b8b5e000 100 0 0 10 0\n   1: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 18201 1 ffff8800b8b5e800 100 0 0 10 0\n   2: 0A000005:2255 0A000007:D2C4 01 00000000:00000000 02:000A7D4F 00000000   498        0 90123 2 ffff8800b8b5f000 20 4 30 10 -1\n";

    #[test]
    fn tcp_listeners_only() {
        let l = tcp(TCP).unwrap();
        assert_eq!(
            l,
            [
                Listener {
                    addr: "0.0.0.0".parse().unwrap(),
                    port: 8789
                },
                Listener {
                    addr: "127.0.0.1".parse().unwrap(),
                    port: 8080
                },
            ]
        );
    }

    #[test]
    fn tcp6_addresses() {
        let t = "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   0: 00000000000000000000000001000000:22B8 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0\n   1: 00000000000000000000000000000000:01BB 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2 1 0 100 0 0 10 0\n";
        let l = tcp(t).unwrap();
        assert_eq!(l[0].addr, "::1".parse::<IpAddr>().unwrap());
        assert_eq!((l[0].port, l[1].port), (8888, 443));
        assert_eq!(l[1].addr, "::".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn tcp_cut_inside_a_line_is_refused_between_lines_is_fewer() {
        let whole = tcp(TCP).unwrap();
        for cut in 0..TCP.len() {
            match tcp(&TCP[..cut]) {
                Err(_) => {}
                Ok(l) => {
                    assert_eq!(TCP.as_bytes()[cut - 1], b'\n', "cut at {cut} read whole");
                    assert!(whole.starts_with(&l), "cut at {cut}");
                }
            }
        }
    }

    #[test]
    fn tcp_hostile() {
        for bad in ["", "garbage\n", "  sl  local_address\n   0: zz\n", "\0\0\0"] {
            assert!(tcp(bad).is_err(), "{bad:?}");
        }
        let mut huge = String::from(TCP.lines().next().unwrap());
        huge.push('\n');
        for _ in 0..20000 {
            huge.push_str("   9: 0100007F:1F90 00000000:0000 01 00000000:00000000 00:00000000 00000000 0 0 1 1 0 1 0 0 1 0\n");
        }
        assert_eq!(tcp(&huge).unwrap().len(), 0);
    }

    pub const UNIX: &str = "Num       RefCount Protocol Flags    Type St Inode Path\nffff8800b9d4e000: 00000002 00000000 00010000 0001 01 21504 /run/eucaconsole/memcached.sock\nffff8800b9d4e400: 00000003 00000000 00000000 0001 03 21650 /run/eucaconsole/memcached.sock\nffff8800b9d4e800: 00000002 00000000 00010000 0001 01 14012 @/org/kernel/udev/udevd\nffff8800b9d4ec00: 00000002 00000000 00000000 0002 01 9876\n";

    #[test]
    fn unix_listening_paths() {
        assert_eq!(
            unix_listening(UNIX).unwrap(),
            ["/run/eucaconsole/memcached.sock", "@/org/kernel/udev/udevd"]
        );
        for cut in 0..UNIX.len() {
            if let Ok(l) = unix_listening(&UNIX[..cut]) {
                assert_eq!(UNIX.as_bytes()[cut - 1], b'\n', "cut at {cut}");
                assert!(unix_listening(UNIX).unwrap().starts_with(&l));
            }
        }
        assert!(unix_listening("garbage\n").is_err());
    }
}
