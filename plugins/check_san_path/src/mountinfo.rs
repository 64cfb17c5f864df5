//! /proc/self/mountinfo (proc(5)): `36 35 98:0 /mnt1 /mnt/parent rw,noatime master:1 - ext3
//! /dev/root rw,errors=continue`. A line that lacks its ` - ` separator or fields, or a text
//! whose last line has no newline (the kernel always writes one), is a cut copy: refused.

use crate::model::Mount;
use common::ParseError;

pub fn parse(text: &str) -> Result<Vec<Mount>, ParseError> {
    if text.is_empty() {
        return Err(ParseError::whole("empty"));
    }
    let mut out = Vec::new();
    let count = text.lines().count();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let err = |why: &str| ParseError::at(n, line, why);
        if n == count && !text.ends_with('\n') {
            return Err(err("the text ends inside this line (no newline): cut"));
        }
        let (head, tail) = line
            .split_once(" - ")
            .ok_or_else(|| err("no ' - ' separator: not a mountinfo line"))?;
        let h: Vec<&str> = head.split(' ').collect();
        let t: Vec<&str> = tail.split(' ').collect();
        if h.len() < 6 || t.len() < 3 || !h[0].bytes().all(|b| b.is_ascii_digit()) {
            return Err(err(
                "expected ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS ... - TYPE SOURCE OPTIONS",
            ));
        }
        let ro = |opts: &str| opts.split(',').any(|o| o == "ro");
        out.push(Mount {
            mount_point: unescape(h[4]),
            read_only: ro(h[5]) || ro(t[2]),
            fs_type: t[0].to_string(),
            source: unescape(t[1]),
        });
    }
    Ok(out)
}

/// The mount that is visible at `path` now: the last one mounted there.
pub fn find<'a>(mounts: &'a [Mount], path: &str) -> Option<&'a Mount> {
    let want = if path.len() > 1 {
        path.trim_end_matches('/')
    } else {
        path
    };
    mounts.iter().rev().find(|m| m.mount_point == want)
}

/// The kernel writes space, tab, newline and backslash as `\040`, `\011`, `\012`, `\134`.
/// Three octal digits above `\377` are no byte (the kernel never writes them): kept as written.
fn unescape(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let octal = (b[i] == b'\\'
            && i + 3 < b.len()
            && b[i + 1..i + 4].iter().all(|c| (b'0'..=b'7').contains(c)))
        .then(|| {
            let d = |k: usize| u32::from(b[i + k] - b'0');
            u8::try_from(d(1) * 64 + d(2) * 8 + d(3)).ok()
        })
        .flatten();
        if let Some(v) = octal {
            out.push(v);
            i += 4;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mounts_their_options_and_escapes() {
        let m = parse(
            "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n\
             40 22 253:3 / /var/lib/eucalyptus/bukkits ro,relatime - xfs /dev/mapper/mpatha rw\n\
             41 22 0:50 / /srv/my\\040store rw - nfs4 10.0.0.5:/export rw,vers=4.2\n",
        )
        .unwrap();
        assert!(find(&m, "/var/lib/eucalyptus/bukkits/").unwrap().read_only);
        assert_eq!(find(&m, "/srv/my store").unwrap().fs_type, "nfs4");
        assert!(!find(&m, "/").unwrap().read_only);
        assert!(find(&m, "/nowhere").is_none());
    }

    #[test]
    fn cut_lines_are_refused() {
        assert!(parse("22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw").is_err());
        assert!(parse("22 1 8:1 / / rw,relatime shared:1 -\n").is_err());
        assert!(parse("22 1 8:1 / /\n").is_err());
        assert!(parse("").is_err());
    }
}
