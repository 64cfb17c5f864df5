//! A DNS A/AAAA question and its answer (RFC 1035 section 4, RFC 3596 for AAAA), pure: bytes
//! out, bytes in. Only what `--dns-server` needs: one question, recursion desired, the
//! addresses of the answer section (a CNAME chain's final A/AAAA records included), the
//! response code and the truncation bit.
//!
//! Why not hickory: hickory-resolver runs on tokio; hickory-proto 0.25 without default
//! features still resolves to 60 crates (`cargo tree -e normal`: futures, async-trait, idna with
//! the icu tables, rand, 8 proc-macros) where this whole plugin is 40, for what is here under
//! 300 lines of encode/decode with their tests (cut at every byte, compression loops, garbage).
//! The I/O (UDP with the kit's deadline, TCP when truncated) is in resolve.rs.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

pub const TYPE_A: u16 = 1;
pub const TYPE_AAAA: u16 = 28;
const CLASS_IN: u16 = 1;

/// Response codes an admin may read (RFC 1035 4.1.1, RFC 6895).
pub fn rcode_name(rcode: u8) -> String {
    match rcode {
        0 => "NOERROR".into(),
        1 => "FORMERR".into(),
        2 => "SERVFAIL".into(),
        3 => "NXDOMAIN".into(),
        4 => "NOTIMP".into(),
        5 => "REFUSED".into(),
        n => format!("rcode {n}"),
    }
}

/// A host name as DNS labels: letters, digits, '-', '_' (SRV-style labels), 1-63 bytes each,
/// at most 253 in all; a trailing '.' is allowed.
pub fn valid_name(name: &str) -> Result<(), String> {
    let name = name.strip_suffix('.').unwrap_or(name);
    if name.is_empty() || name.len() > 253 {
        return Err("expected a host name of 1 to 253 characters".into());
    }
    for label in name.split('.') {
        if label.is_empty() || label.len() > 63 {
            return Err("expected a host name with 1 to 63 characters between dots".into());
        }
        if !label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(
                "expected a host name of letters, digits, '-' and '.' (an IDN name in its xn-- form)"
                    .into(),
            );
        }
    }
    Ok(())
}

/// The question message for `name` and `qtype`, recursion desired.
pub fn query(id: u16, name: &str, qtype: u16) -> Result<Vec<u8>, String> {
    valid_name(name)?;
    let mut m = Vec::with_capacity(18 + name.len());
    m.extend_from_slice(&id.to_be_bytes());
    m.extend_from_slice(&[0x01, 0x00]); // QR=0, opcode QUERY, RD=1
    m.extend_from_slice(&[0, 1, 0, 0, 0, 0, 0, 0]); // QDCOUNT=1, AN/NS/AR=0
    for label in name.strip_suffix('.').unwrap_or(name).split('.') {
        m.push(label.len() as u8);
        m.extend_from_slice(label.as_bytes());
    }
    m.push(0);
    m.extend_from_slice(&qtype.to_be_bytes());
    m.extend_from_slice(&CLASS_IN.to_be_bytes());
    Ok(m)
}

/// What a server answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub rcode: u8,
    /// TC: the answer did not fit in UDP; ask again over TCP.
    pub truncated: bool,
    pub addresses: Vec<IpAddr>,
}

/// The ID a message carries (to match a reply to its question), if it has one.
pub fn message_id(msg: &[u8]) -> Option<u16> {
    Some(u16::from_be_bytes([*msg.first()?, *msg.get(1)?]))
}

struct Reader<'a> {
    msg: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], String> {
        let end = self.at.checked_add(n).filter(|e| *e <= self.msg.len());
        match end {
            Some(end) => {
                let s = &self.msg[self.at..end];
                self.at = end;
                Ok(s)
            }
            None => Err("the answer is cut off".into()),
        }
    }
    fn u16(&mut self) -> Result<u16, String> {
        let b = self.take(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }
    /// Skip a (possibly compressed) name; pointers are checked, never followed into loops.
    fn skip_name(&mut self) -> Result<(), String> {
        let mut length = 0usize;
        loop {
            let len = self.take(1)?[0];
            match len & 0xC0 {
                0x00 if len == 0 => return Ok(()),
                0x00 => {
                    length += len as usize + 1;
                    if length > 255 {
                        return Err("a name longer than 255 bytes: not DNS".into());
                    }
                    self.take(len as usize)?;
                }
                // A pointer ends the name here; where it points is not read (only addresses
                // are used, not owner names), but it must point inside the message, backwards.
                0xC0 => {
                    let low = self.take(1)?[0];
                    let target = (((len & 0x3F) as usize) << 8) | low as usize;
                    if target >= self.at - 2 {
                        return Err("a name pointer that does not point back: not DNS".into());
                    }
                    return Ok(());
                }
                _ => return Err("a label type DNS does not use".into()),
            }
        }
    }
}

/// The reply to question `id` of type `qtype`; Err when it is no DNS reply to it, or cut off.
pub fn parse(msg: &[u8], id: u16, qtype: u16) -> Result<Reply, String> {
    let mut r = Reader { msg, at: 0 };
    let header = r
        .take(12)
        .map_err(|_| "shorter than a DNS header".to_string())?;
    let got_id = u16::from_be_bytes([header[0], header[1]]);
    let flags = u16::from_be_bytes([header[2], header[3]]);
    if got_id != id || flags & 0x8000 == 0 {
        return Err("not a reply to the question asked".into());
    }
    let qd = u16::from_be_bytes([header[4], header[5]]);
    let an = u16::from_be_bytes([header[6], header[7]]);
    let rcode = (flags & 0x000F) as u8;
    let truncated = flags & 0x0200 != 0;
    let mut reply = Reply {
        rcode,
        truncated,
        addresses: Vec::new(),
    };
    if truncated {
        // What follows may be cut anywhere: never read as the whole answer.
        return Ok(reply);
    }
    for _ in 0..qd {
        r.skip_name()?;
        r.take(4)?;
    }
    for _ in 0..an {
        r.skip_name()?;
        let rtype = r.u16()?;
        let class = r.u16()?;
        r.take(4)?; // TTL
        let len = r.u16()? as usize;
        let data = r.take(len)?;
        if class != CLASS_IN || rtype != qtype {
            continue; // a CNAME of the chain, or another type
        }
        let ip = match (rtype, data.len()) {
            (TYPE_A, 4) => IpAddr::V4(Ipv4Addr::new(data[0], data[1], data[2], data[3])),
            (TYPE_AAAA, 16) => {
                let mut b = [0u8; 16];
                b.copy_from_slice(data);
                IpAddr::V6(Ipv6Addr::from(b))
            }
            _ => return Err("an address record of the wrong length".into()),
        };
        if !reply.addresses.contains(&ip) {
            reply.addresses.push(ip);
        }
    }
    Ok(reply)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reply as dnsmasq writes it: the question, then answers pointing at it (0xC00C).
    pub(crate) fn reply(id: u16, rcode: u8, name: &str, qtype: u16, ips: &[IpAddr]) -> Vec<u8> {
        let mut m = query(id, name, qtype).unwrap();
        m[2] = 0x81;
        m[3] = 0x80 | rcode;
        m[7] = ips.len() as u8;
        for ip in ips {
            m.extend_from_slice(&[0xC0, 0x0C]);
            let data = match ip {
                IpAddr::V4(v4) => v4.octets().to_vec(),
                IpAddr::V6(v6) => v6.octets().to_vec(),
            };
            let t = if ip.is_ipv4() { TYPE_A } else { TYPE_AAAA };
            m.extend_from_slice(&t.to_be_bytes());
            m.extend_from_slice(&[0, 1, 0, 0, 0, 0]);
            m.extend_from_slice(&(data.len() as u16).to_be_bytes());
            m.extend_from_slice(&data);
        }
        m
    }

    #[test]
    fn a_question_is_encoded_as_rfc_1035_says() {
        let q = query(0x1234, "ufs.cloud.test.", TYPE_A).unwrap();
        assert_eq!(
            q,
            b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x03ufs\x05cloud\x04test\x00\x00\x01\x00\x01"
        );
        for bad in ["", "a..b", "a b", &"x".repeat(64), "ü.test"] {
            assert!(query(1, bad, TYPE_A).is_err(), "{bad}");
        }
    }

    #[test]
    fn addresses_are_read_and_a_cname_chain_is_skipped() {
        let ips: Vec<IpAddr> = vec!["127.0.0.2".parse().unwrap(), "127.0.0.3".parse().unwrap()];
        let m = reply(7, 0, "ufs.cloud.test", TYPE_A, &ips);
        assert_eq!(parse(&m, 7, TYPE_A).unwrap().addresses, ips);
        assert!(parse(&m, 8, TYPE_A).is_err(), "another question's reply");
        let v6: Vec<IpAddr> = vec!["::1".parse().unwrap()];
        let m6 = reply(9, 0, "ufs.cloud.test", TYPE_AAAA, &v6);
        assert_eq!(parse(&m6, 9, TYPE_AAAA).unwrap().addresses, v6);
        let nx = reply(3, 3, "ufs.cloud.test", TYPE_A, &[]);
        assert_eq!(parse(&nx, 3, TYPE_A).unwrap().rcode, 3);
    }

    #[test]
    fn every_cut_of_a_reply_is_refused_never_fewer_addresses() {
        let ips: Vec<IpAddr> = vec!["10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap()];
        let m = reply(5, 0, "ufs.cloud.test", TYPE_A, &ips);
        for cut in 0..m.len() {
            assert!(parse(&m[..cut], 5, TYPE_A).is_err(), "cut at {cut}");
        }
    }

    #[test]
    fn hostile_replies_are_refused() {
        // a pointer to itself (a loop), a label type DNS does not use, garbage
        let mut looping = query(1, "a.test", TYPE_A).unwrap();
        looping[2] = 0x81;
        looping[7] = 1;
        let at = looping.len();
        looping.extend_from_slice(&[0xC0 | (at >> 8) as u8, at as u8]);
        assert!(parse(&looping, 1, TYPE_A).is_err());
        let mut weird = reply(1, 0, "a.test", TYPE_A, &["10.0.0.1".parse().unwrap()]);
        let answer_name = 12 + 8 + 4; // header, name "a.test", type and class
        weird[answer_name] = 0x80;
        assert!(parse(&weird, 1, TYPE_A).is_err());
        assert!(parse(b"HTTP/1.1 200 OK\r\n\r\n", 0x4854, TYPE_A).is_err());
        assert!(parse(&[], 1, TYPE_A).is_err());
    }
}
