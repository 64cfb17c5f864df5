//! The live host's listening TCP sockets from the kernel's sock_diag netlink interface (what
//! `ss -lnt` asks), instead of /proc/net/tcp and tcp6.
//!
//! Why: the kernel makes /proc/net/tcp by walking its whole established-connections hash,
//! whose size follows the RAM, not the sockets: about 5 ms for each of the two files on a
//! 2-CPU test machine with 114 sockets, most of check_euca_proc's run (bench/RESULTS.md, where
//! it was 1.6x the C check_procs). A sock_diag dump asked for LISTEN sockets only walks the
//! listening hash. No privilege is needed (ss works for any user).
//!
//! Acquisition only: one request per address family, the answers read into [`Listener`]s.
//! Any failure (no netlink in a container, an answer not understood) is `None`: the caller
//! then reads /proc/net/tcp as before. Bounded: at most [`MAX_LISTENERS`] sockets, a receive
//! timeout of the caller's budget.

use crate::sockets::Listener;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Duration;

/// More listening sockets than any Eucalyptus host has (a CLC listens on a few dozen ports):
/// past it the dump is not trusted and /proc/net/tcp is read instead.
pub const MAX_LISTENERS: usize = 65_536;

const SOCK_DIAG_BY_FAMILY: u16 = 20;
const TCP_LISTEN: u32 = 10;
const NLMSG_HDRLEN: usize = 16;

/// struct inet_diag_req_v2 (linux/inet_diag.h), with its inet_diag_sockid.
#[repr(C)]
struct Request {
    // struct nlmsghdr
    len: u32,
    kind: u16,
    flags: u16,
    seq: u32,
    pid: u32,
    // struct inet_diag_req_v2
    family: u8,
    protocol: u8,
    ext: u8,
    pad: u8,
    states: u32,
    // struct inet_diag_sockid: sport, dport, src[4], dst[4], if, cookie[2]
    id: [u32; 12],
}

/// Every listening TCP socket of the live host, IPv4 and IPv6, or None when the kernel could
/// not be asked.
pub fn listeners(budget: Duration) -> Option<Vec<Listener>> {
    let mut out = Vec::new();
    for family in [libc::AF_INET, libc::AF_INET6] {
        out.extend(dump(family, budget)?);
    }
    Some(out)
}

/// A netlink socket, closed on drop.
struct Socket(i32);

impl Drop for Socket {
    fn drop(&mut self) {
        // SAFETY: our own descriptor, closed once.
        unsafe { libc::close(self.0) };
    }
}

fn dump(family: i32, budget: Duration) -> Option<Vec<Listener>> {
    // SAFETY: plain socket calls on a descriptor this function owns; every buffer passed is
    // ours and of the length given.
    let fd = unsafe {
        libc::socket(
            libc::AF_NETLINK,
            libc::SOCK_DGRAM | libc::SOCK_CLOEXEC,
            libc::NETLINK_SOCK_DIAG,
        )
    };
    if fd < 0 {
        return None;
    }
    let socket = Socket(fd);
    let timeout = libc::timeval {
        tv_sec: budget.as_secs().min(3600) as _,
        // Never 0 s 0 us: that would be no timeout at all.
        tv_usec: budget.subsec_micros().max(1000) as _,
    };
    // SAFETY: a timeval of ours, its size given.
    let set = unsafe {
        libc::setsockopt(
            socket.0,
            libc::SOL_SOCKET,
            libc::SO_RCVTIMEO,
            &timeout as *const libc::timeval as *const libc::c_void,
            std::mem::size_of::<libc::timeval>() as libc::socklen_t,
        )
    };
    if set != 0 {
        return None;
    }
    let request = Request {
        len: std::mem::size_of::<Request>() as u32,
        kind: SOCK_DIAG_BY_FAMILY,
        flags: (libc::NLM_F_REQUEST | libc::NLM_F_DUMP) as u16,
        seq: 1,
        pid: 0,
        family: family as u8,
        protocol: libc::IPPROTO_TCP as u8,
        ext: 0,
        pad: 0,
        states: 1 << TCP_LISTEN,
        id: [0; 12],
    };
    // SAFETY: the kernel's address (pid 0), zeroed, and our request, their sizes given.
    let sent = unsafe {
        let mut to: libc::sockaddr_nl = std::mem::zeroed();
        to.nl_family = libc::AF_NETLINK as libc::sa_family_t;
        libc::sendto(
            socket.0,
            &request as *const Request as *const libc::c_void,
            std::mem::size_of::<Request>(),
            0,
            &to as *const libc::sockaddr_nl as *const libc::sockaddr,
            std::mem::size_of::<libc::sockaddr_nl>() as libc::socklen_t,
        )
    };
    if sent != std::mem::size_of::<Request>() as isize {
        return None;
    }
    let mut out = Vec::new();
    let mut buf = vec![0u8; 32 * 1024];
    loop {
        // SAFETY: into our buffer, its length given.
        let n = unsafe {
            libc::recv(
                socket.0,
                buf.as_mut_ptr() as *mut libc::c_void,
                buf.len(),
                0,
            )
        };
        if n <= 0 {
            return None; // timed out, or failed
        }
        match messages(&buf[..n as usize], &mut out)? {
            Done::Yes => return Some(out),
            Done::No if out.len() > MAX_LISTENERS => return None,
            Done::No => {}
        }
    }
}

enum Done {
    Yes,
    No,
}

/// The netlink messages of one datagram (pure): sockets into `out`; Yes at NLMSG_DONE, None
/// at an error or a message that does not fit.
fn messages(mut data: &[u8], out: &mut Vec<Listener>) -> Option<Done> {
    while data.len() >= NLMSG_HDRLEN {
        let len = u32::from_ne_bytes(data[0..4].try_into().ok()?) as usize;
        let kind = u16::from_ne_bytes(data[4..6].try_into().ok()?);
        if len < NLMSG_HDRLEN || len > data.len() {
            return None;
        }
        match i32::from(kind) {
            libc::NLMSG_DONE => return Some(Done::Yes),
            libc::NLMSG_ERROR => return None,
            _ if kind == SOCK_DIAG_BY_FAMILY => out.push(listener(&data[NLMSG_HDRLEN..len])?),
            _ => {}
        }
        // Messages are aligned to 4 bytes.
        let next = (len + 3) & !3;
        data = data.get(next..).unwrap_or(&[]);
    }
    Some(Done::No)
}

/// struct inet_diag_msg: family, state, timer, retrans, then inet_diag_sockid (sport and dport
/// in network order, src and dst as four 32-bit words in network order) ...
fn listener(msg: &[u8]) -> Option<Listener> {
    if msg.len() < 4 + 4 + 16 {
        return None;
    }
    let family = i32::from(msg[0]);
    let port = u16::from_be_bytes([msg[4], msg[5]]);
    let src: [u8; 16] = msg[8..24].try_into().ok()?;
    let addr = match family {
        libc::AF_INET => IpAddr::V4(Ipv4Addr::new(src[0], src[1], src[2], src[3])),
        libc::AF_INET6 => IpAddr::V6(Ipv6Addr::from(src)),
        _ => return None,
    };
    Some(Listener { addr, port })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn the_kernel_lists_what_proc_net_tcp_lists() {
        // A listener of ours, so there is at least one of each family worth finding.
        let v4 = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = v4.local_addr().unwrap().port();
        // A sandbox without NETLINK_SOCK_DIAG fails here rather than pass silently; there the
        // plugin reads /proc/net/tcp (tested elsewhere): EUCA_NO_SOCK_DIAG=1 says so.
        let Some(got) = listeners(Duration::from_secs(2)) else {
            assert!(
                std::env::var_os("EUCA_NO_SOCK_DIAG").is_some(),
                "no sock_diag netlink here: set EUCA_NO_SOCK_DIAG=1 to accept that"
            );
            return;
        };
        let ours = Listener {
            addr: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port,
        };
        assert!(got.contains(&ours), "{got:?}");
        let mut proc = BTreeSet::new();
        for path in ["/proc/net/tcp", "/proc/net/tcp6"] {
            if let Ok(text) = std::fs::read_to_string(path) {
                proc.extend(
                    crate::sockets::tcp(&text)
                        .unwrap()
                        .into_iter()
                        .map(|l| (l.addr, l.port)),
                );
            }
        }
        let diag: BTreeSet<_> = got.iter().map(|l| (l.addr, l.port)).collect();
        // Sockets may open or close between the two reads, ours cannot.
        assert!(proc.contains(&(ours.addr, ours.port)));
        let common = proc.intersection(&diag).count();
        assert!(
            common + 2 >= proc.len().max(diag.len()),
            "{proc:?} vs {diag:?}"
        );
    }

    #[test]
    fn a_datagram_is_read_message_by_message_and_refused_when_cut() {
        let mut msg = vec![0u8; NLMSG_HDRLEN + 72];
        let len = msg.len() as u32;
        msg[0..4].copy_from_slice(&len.to_ne_bytes());
        msg[4..6].copy_from_slice(&SOCK_DIAG_BY_FAMILY.to_ne_bytes());
        msg[16] = libc::AF_INET as u8;
        msg[17] = TCP_LISTEN as u8;
        msg[20..22].copy_from_slice(&8773u16.to_be_bytes());
        msg[24..28].copy_from_slice(&[10, 111, 5, 100]);
        let mut done = vec![0u8; NLMSG_HDRLEN + 4];
        let done_len = done.len() as u32;
        done[0..4].copy_from_slice(&done_len.to_ne_bytes());
        done[4..6].copy_from_slice(&(libc::NLMSG_DONE as u16).to_ne_bytes());
        let mut out = Vec::new();
        let whole: Vec<u8> = msg.iter().chain(done.iter()).copied().collect();
        assert!(matches!(messages(&whole, &mut out), Some(Done::Yes)));
        assert_eq!(
            out,
            [Listener {
                addr: IpAddr::V4(Ipv4Addr::new(10, 111, 5, 100)),
                port: 8773
            }]
        );
        // A message longer than what came: refused, never read past.
        let mut cut = msg.clone();
        cut.truncate(40);
        assert!(messages(&cut, &mut Vec::new()).is_none());
        // An error message: refused.
        let mut err = done.clone();
        err[4..6].copy_from_slice(&(libc::NLMSG_ERROR as u16).to_ne_bytes());
        assert!(messages(&err, &mut Vec::new()).is_none());
    }
}
