//! A `.tgz` archive (the keys archive of the documented backup, `tar -czvf eucalyptus-keydir.tgz
//! /var/lib/eucalyptus/keys`; a host's configuration): its members, each with its size and
//! SHA-256, read in-process with caps on what it inflates to. Pure: bytes in, members out.

use sha2::{Digest, Sha256};
use std::io::Read;

/// Most a keys or configuration archive may inflate to: the keys of a cloud with 50 zones are
/// well under 1 MiB; 64 MiB of a gzip bomb is never inflated.
pub const MAX_INFLATED: u64 = 16 * 1024 * 1024;
/// Most members read.
pub const MAX_MEMBERS: usize = 10_000;

#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    /// As stored, without a leading `/` or `./` (`var/lib/eucalyptus/keys/cloud-pk.pem`).
    pub path: String,
    pub size: u64,
    pub sha256: [u8; 32],
}

impl Member {
    /// True when this member is `rel` (`cloud-pk.pem`, `zone1/node-pk.pem`) at any depth.
    pub fn is(&self, rel: &str) -> bool {
        self.path == rel || self.path.ends_with(&format!("/{rel}"))
    }
}

pub fn members(gz: &[u8]) -> Result<Vec<Member>, String> {
    if gz.is_empty() {
        return Err("empty".into());
    }
    if !gz.starts_with(&[0x1f, 0x8b]) {
        return Err("not a gzip-compressed tar archive".into());
    }
    let over = std::rc::Rc::new(std::cell::Cell::new(false));
    let inflated = Capped {
        inner: flate2::read::GzDecoder::new(gz),
        left: MAX_INFLATED,
        over: over.clone(),
    };
    let too_large = || format!("inflates to more than {} MiB", MAX_INFLATED / 1024 / 1024);
    let mut archive = tar::Archive::new(inflated);
    let mut out = Vec::new();
    let entries = archive
        .entries()
        .map_err(|e| format!("not a tar archive: {e}"))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| cut_or_bad(&e))?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let path = entry.path().map_err(|e| cut_or_bad(&e))?;
        let path = path.to_string_lossy();
        let path = path
            .trim_start_matches("./")
            .trim_start_matches('/')
            .to_string();
        let mut hasher = Sha256::new();
        let mut buf = [0u8; 8192];
        let mut size = 0u64;
        loop {
            let n = entry.read(&mut buf).map_err(|e| cut_or_bad(&e))?;
            if n == 0 {
                break;
            }
            size += n as u64;
            hasher.update(&buf[..n]);
        }
        if over.get() {
            return Err(too_large());
        }
        if size != entry.header().size().unwrap_or(u64::MAX) {
            return Err(format!("{path} is cut short (the archive ends early)"));
        }
        out.push(Member {
            path,
            size,
            sha256: hasher.finalize().into(),
        });
        if out.len() > MAX_MEMBERS {
            return Err(format!("more than {MAX_MEMBERS} members"));
        }
    }
    // tar stops at the end-of-archive blocks; what inflates past the cap, or a gzip stream
    // that is cut, is found by reading on to the end.
    let mut rest = archive.into_inner();
    let mut sink = [0u8; 8192];
    loop {
        match rest.read(&mut sink) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => return Err(cut_or_bad(&e)),
        }
    }
    if over.get() {
        return Err(too_large());
    }
    Ok(out)
}

/// A reader that gives at most `left` bytes, then says so in `over` (and ends, as if cut).
struct Capped<R> {
    inner: R,
    left: u64,
    over: std::rc::Rc<std::cell::Cell<bool>>,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.left == 0 {
            // Past the cap: one byte more means the archive is larger than allowed.
            let mut probe = [0u8; 1];
            if self.inner.read(&mut probe)? > 0 {
                self.over.set(true);
            }
            return Ok(0);
        }
        let max = buf.len().min(self.left as usize);
        let n = self.inner.read(&mut buf[..max])?;
        self.left -= n as u64;
        Ok(n)
    }
}

fn cut_or_bad(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::UnexpectedEof => "it ends early (cut)".into(),
        _ => format!("not a readable tar.gz: {e}"),
    }
}

/// The first 12 hex digits of a digest: enough to tell two keys apart in long output.
pub fn fingerprint(sha: &[u8; 32]) -> String {
    sha[..6].iter().map(|b| format!("{b:02x}")).collect()
}

pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A .tgz of (path, contents), as `tar -czf` makes it.
    pub fn tgz(files: &[(&str, &[u8])]) -> Vec<u8> {
        let mut b = tar::Builder::new(flate2::write::GzEncoder::new(
            Vec::new(),
            flate2::Compression::default(),
        ));
        for (path, data) in files {
            let mut h = tar::Header::new_gnu();
            h.set_size(data.len() as u64);
            h.set_mode(0o600);
            h.set_cksum();
            b.append_data(&mut h, path, *data).unwrap();
        }
        b.into_inner().unwrap().finish().unwrap()
    }

    #[test]
    fn members_with_their_digests() {
        let gz = tgz(&[
            ("var/lib/eucalyptus/keys/cloud-pk.pem", b"KEY"),
            ("var/lib/eucalyptus/keys/zone1/node-pk.pem", b"N"),
        ]);
        let m = members(&gz).unwrap();
        assert_eq!(m.len(), 2);
        assert!(m[0].is("cloud-pk.pem") && !m[0].is("pk.pem"));
        assert!(m[1].is("zone1/node-pk.pem"));
        assert_eq!(m[0].sha256, sha256(b"KEY"));
    }

    #[test]
    fn cut_at_every_point_it_is_the_whole_or_refused() {
        let data: Vec<u8> = (0..3000u32).map(|i| (i * 7 % 251) as u8).collect();
        let gz = tgz(&[("keys/cloud-pk.pem", &data), ("keys/euca.p12", b"p12")]);
        let whole = members(&gz).unwrap();
        for at in 0..gz.len() {
            if let Ok(m) = members(&gz[..at]) {
                assert_eq!(
                    m,
                    whole,
                    "cut at {at} of {} read as something else",
                    gz.len()
                );
            }
        }
    }

    #[test]
    fn hostile_input() {
        assert_eq!(members(b"").unwrap_err(), "empty");
        assert!(members(b"garbage").unwrap_err().contains("not a gzip"));
        // A gzip bomb: 32 MiB of zeros in one member.
        let zeros = vec![0u8; 32 * 1024 * 1024];
        let bomb = tgz(&[("big", &zeros)]);
        assert!(bomb.len() < 200_000);
        let e = members(&bomb).unwrap_err();
        assert_eq!(e, "inflates to more than 16 MiB");
        // gzip of text that is no tar.
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut enc, &[b'x'; 2048]).unwrap();
        assert!(members(&enc.finish().unwrap()).is_err());
    }
}
