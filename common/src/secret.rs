//! Secrets: passwords and keys a plugin reads and sends, and never prints.
//!
//! A [`Secret`] prints as `***` (Debug and Display), so a stray `{:?}` cannot leak it. Every
//! secret, and every value derived from one that goes over the wire (an access key id, a SigV2
//! signature, a SigV4 `Authorization`, their URL-encoded forms), is also put in this run's
//! registry: a server or tool that echoes what it was sent (a NUT server quoting the `PASSWORD`
//! line, a CLC 404 page quoting the request URL) would otherwise put it on the status line. The
//! runner passes everything it prints through [`scrub`].

use crate::error::CheckError;
use std::borrow::Cow;
use std::fmt;
use std::io::Read;
use std::path::Path;
use std::sync::Mutex;

/// Values this run sent somewhere and must never print.
static REGISTRY: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Shorter values are not scrubbed: replacing every "ok" or "ups" in the output would garble it
/// and tell an observer the value anyway. Real passwords and keys are longer.
const MIN_SCRUBBED: usize = 4;

/// Largest credentials or password file read (they are a few lines).
const MAX_SECRET_FILE: u64 = 64 * 1024;

/// A password or key. `Debug` and `Display` print `***`; [`Secret::expose`] gives the value to
/// the code that sends it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wrap a value and register it (and its URL-encoded form) for scrubbing.
    pub fn new(value: impl Into<String>) -> Secret {
        let value = value.into();
        register(&value);
        Secret(value)
    }

    /// The value itself, for sending it. Never format it into a message.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Register a value sent this run (a derived one: a signature, an access key id), with its
/// percent-encoded form, so that an echo of it never reaches the output.
pub fn register(value: &str) {
    if value.chars().count() < MIN_SCRUBBED {
        return;
    }
    if let Ok(mut all) = REGISTRY.lock() {
        for form in [value.to_string(), percent_encode(value)] {
            if !all.contains(&form) {
                all.push(form);
            }
        }
        // Longest first, so a value containing another is replaced whole.
        all.sort_by_key(|v| std::cmp::Reverse(v.len()));
    }
}

/// `text` with every registered value replaced by `***`.
/// True when no secret is registered, so [`scrub`] would change nothing (a hot path can skip
/// it). False when that is not known now (the registry is being written).
pub(crate) fn nothing_to_scrub() -> bool {
    match REGISTRY.try_lock() {
        Ok(all) => all.is_empty(),
        Err(_) => false,
    }
}

pub fn scrub(text: &str) -> Cow<'_, str> {
    // try_lock: the timeout path prints while the check may hold the lock; a registry being
    // written at that very moment is a race of nanoseconds, and waiting could hang the exit.
    let all = match REGISTRY.try_lock() {
        Ok(all) => all,
        Err(std::sync::TryLockError::Poisoned(p)) => p.into_inner(),
        Err(std::sync::TryLockError::WouldBlock) => match REGISTRY.lock() {
            Ok(all) => all,
            Err(p) => p.into_inner(),
        },
    };
    if !all.iter().any(|v| text.contains(v.as_str())) {
        return Cow::Borrowed(text);
    }
    let mut out = text.to_string();
    for v in all.iter() {
        if out.contains(v.as_str()) {
            out = out.replace(v.as_str(), "***");
        }
    }
    Cow::Owned(out)
}

/// RFC 3986 unreserved characters (`A-Z a-z 0-9 - _ . ~`) kept, everything else `%XX` in
/// upper-case hex: how a value appears in a query, and what AWS signing canonicalises to.
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A credentials or password file as read: its text (a [`Secret`]: parse it, never quote it).
/// A file more open than 0600 is also recorded for [`take_open_file_warnings`]: the runner
/// adds a WARNING for it to whatever the check reports, so no plugin can forget it.
#[derive(Debug)]
pub struct SecretFile {
    pub text: Secret,
}

/// Secret files read by this process whose mode is looser than 0600, as WARNING texts.
static OPEN_FILES: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

/// The WARNINGs for secret files read more open than 0600 (each once), taken: the runner adds
/// them to the check's report. A credentials file others can read leaks a cloud admin's keys
/// or a BMC's password to every local user (issue 20: "checked for mode 0600 or stricter,
/// warning otherwise"); one others can write hands the plugin credentials of their choosing.
pub fn take_open_file_warnings() -> Vec<crate::Finding> {
    let texts = match OPEN_FILES.lock() {
        Ok(mut v) => std::mem::take(&mut *v),
        Err(poisoned) => std::mem::take(&mut *poisoned.into_inner()),
    };
    let mut seen: Vec<String> = Vec::new();
    texts
        .into_iter()
        .filter(|t| {
            let new = !seen.contains(t);
            seen.push(t.clone());
            new
        })
        .map(|text| {
            crate::Finding::warning(text).summary("a credentials file is open to group or others")
        })
        .collect()
}

/// Read a credentials or password file the user named (never under `--root`: it is not host
/// state). The text is not registered for scrubbing as a whole (the parser registers the
/// values in it); errors name the path, never the contents.
pub fn read_secret_file(path: &Path) -> Result<SecretFile, CheckError> {
    let shown = path.display().to_string();
    let read_error = |e: std::io::Error| CheckError::Read {
        path: shown.clone(),
        reason: match e.kind() {
            std::io::ErrorKind::NotFound => "no such file".into(),
            std::io::ErrorKind::PermissionDenied => "permission denied".into(),
            _ => e.to_string(),
        },
    };
    // A FIFO nobody writes to blocks the open: the global timeout then names the file.
    crate::context::set_doing(format!("reading {shown}"));
    let file = std::fs::File::open(path).map_err(read_error)?;
    let meta = file.metadata().map_err(read_error)?;
    if meta.is_dir() {
        return Err(CheckError::Read {
            path: shown,
            reason: "is a directory".into(),
        });
    }
    let mut buf = Vec::new();
    file.take(MAX_SECRET_FILE + 1)
        .read_to_end(&mut buf)
        .map_err(read_error)?;
    crate::context::set_doing(String::new());
    if buf.len() as u64 > MAX_SECRET_FILE {
        return Err(CheckError::Read {
            path: shown,
            reason: format!(
                "larger than {} KiB, not a credentials file",
                MAX_SECRET_FILE / 1024
            ),
        });
    }
    let text = String::from_utf8(buf).map_err(|_| CheckError::Read {
        path: shown.clone(),
        reason: "not text (invalid UTF-8)".into(),
    })?;
    if let Some(warning) = open_mode_note(path, &meta) {
        match OPEN_FILES.lock() {
            Ok(mut v) => v.push(warning),
            Err(poisoned) => poisoned.into_inner().push(warning),
        }
    }
    Ok(SecretFile { text: Secret(text) })
}

#[cfg(unix)]
fn open_mode_note(path: &Path, meta: &std::fs::Metadata) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    let mode = meta.permissions().mode() & 0o777;
    // 0600 or stricter: any bit for group or others is noted. A file others may write lets
    // them hand the plugin credentials of their choosing, so write bits count as much as read.
    let open = if mode & 0o044 != 0 {
        "readable"
    } else if mode & 0o077 != 0 {
        "writable or executable"
    } else {
        return None;
    };
    Some(format!(
        "{} is {open} by group or others (mode {mode:04o}): chmod 600 it (owner: the user the plugin runs as)",
        path.display()
    ))
}

#[cfg(not(unix))]
fn open_mode_note(_: &Path, _: &std::fs::Metadata) -> Option<String> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_never_prints() {
        let s = Secret::new("hunter2-long");
        assert_eq!(format!("{s}"), "***");
        assert_eq!(format!("{s:?}"), "***");
        assert_eq!(format!("{:?}", Some(&s)), "Some(***)");
        assert_eq!(s.expose(), "hunter2-long");
    }

    #[test]
    fn registered_values_and_their_url_forms_are_scrubbed() {
        let _s = Secret::new("pa ss/wd+1");
        register("AKIAREGISTERED");
        let echoed =
            "ERR bad PASSWORD pa ss/wd+1; GET /x?AWSAccessKeyId=AKIAREGISTERED&p=pa%20ss%2Fwd%2B1";
        assert_eq!(
            scrub(echoed),
            "ERR bad PASSWORD ***; GET /x?AWSAccessKeyId=***&p=***"
        );
        assert!(matches!(scrub("nothing secret here"), Cow::Borrowed(_)));
        // too short to scrub without garbling ordinary words
        register("ok");
        assert_eq!(scrub("UPS OK - ok"), "UPS OK - ok");
    }

    #[cfg(unix)]
    #[test]
    fn a_file_open_to_others_is_warned_about_and_its_text_is_hidden() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("euca-secret-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("auth");
        std::fs::write(&f, "user u\npassword p\n").unwrap();
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o644)).unwrap();
        let read = read_secret_file(&f).unwrap();
        assert_eq!(read.text.expose(), "user u\npassword p\n");
        assert_eq!(format!("{read:?}").matches("password p").count(), 0);
        // Read more open than 0600: a WARNING for the runner to add, naming the file and mode.
        let warned = |f: &Path| -> Option<String> {
            read_secret_file(f).unwrap();
            take_open_file_warnings()
                .into_iter()
                .map(|w| format!("{w:?}"))
                .find(|w| w.contains(&f.display().to_string()))
        };
        let w = warned(&f).expect("a 0644 file is warned about");
        assert!(w.contains("readable by group or others (mode 0644)"), "{w}");
        assert!(w.contains("Warning"), "{w}");
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(warned(&f), None);
        // Stricter than 0600 is fine; a group- or other-writable file is warned like a readable one.
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o400)).unwrap();
        assert_eq!(warned(&f), None);
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o620)).unwrap();
        let w = warned(&f).expect("a 0620 file is warned about");
        assert!(
            w.contains("writable or executable by group or others (mode 0620)"),
            "{w}"
        );
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o600)).unwrap();
        let e = read_secret_file(&dir.join("nothing"))
            .unwrap_err()
            .to_string();
        assert!(e.ends_with("no such file"), "{e}");
        std::fs::write(&f, vec![b'x'; 70 * 1024]).unwrap();
        let e = read_secret_file(&f).unwrap_err().to_string();
        assert!(e.contains("larger than 64 KiB"), "{e}");
        let _ = std::fs::remove_dir_all(dir);
    }
}
