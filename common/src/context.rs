//! Host access for checks: files under `--root`, saved sources from `--input NAME=FILE`, and
//! tools. Plugins never open host paths or spawn processes themselves; going through here is
//! what makes `--root` and `--input` work the same in every plugin.

use crate::error::CheckError;
use crate::tool::{self, ToolCommand, ToolError, ToolOutput};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Caps on what is read, sized to the source, so that peak memory stays small whatever the
/// source holds (a /dev/zero, a runaway log, a FIFO fed forever). A source larger than its cap
/// is an error ("larger than 1 MiB, not read whole"), never evaluated as if it were whole: the
/// part after the cap may hold the degraded array.
///
/// A host file: /proc and /sys files are small (an /proc/mdstat of 1 MiB lists thousands of
/// arrays). A plugin whose file can be larger asks with [`Context::read_host_capped`].
pub const HOST_FILE_CAP: usize = 1024 * 1024;
/// A saved source given with `--input` (a file or standard input): a tool's or a server's
/// output saved by an admin, a few MiB at most for the largest clouds.
pub const INPUT_CAP: usize = 8 * 1024 * 1024;
/// A file named in an option (credentials, a configuration file).
pub const USER_FILE_CAP: usize = 1024 * 1024;

/// What the check is doing now; the timeout and signal messages end with "while <it>". Kept
/// ready for a signal handler: already on one line, scrubbed of secrets and bounded, as the
/// " while ..." tail of the status line, in one of two slots; the other slot is written and
/// then published by one atomic store, so a handler interrupting the writer reads a whole text.
/// (A handler on another thread that reads while two updates in a row go by may read a mixed
/// text: only the wording of the tail, never more than its bound.)
static DOING: [SignalSafeText<DOING_MAX>; 2] = [const { SignalSafeText::new() }; 2];
static DOING_SLOT: AtomicUsize = AtomicUsize::new(0);
/// Writers take turns (normal context only: a handler never takes it).
static DOING_WRITER: Mutex<()> = Mutex::new(());
/// Longest tail kept. The guard's line is at most 4096 bytes and a summary that long is cut
/// at a quarter of it, so what lies past this bound is never printed.
const DOING_MAX: usize = 2304;

/// The prepared " while <doing>" tail (empty when the check says nothing), copied into `out`;
/// async-signal-safe. Returns the length.
pub(crate) fn doing_tail(out: &mut [u8]) -> usize {
    DOING[DOING_SLOT.load(Ordering::SeqCst) & 1].copy_into(out)
}

pub(crate) fn set_doing(what: String) {
    set_doing_parts(&[&what]);
}

/// `set_doing` of the parts written one after the other, without building that text first when
/// it needs no rewriting (printable ASCII, no trailing space, no secret registered): the usual
/// "reading <path>" of a plugin reading hundreds of /proc files, where building the text cost a
/// fifth of check_euca_proc's instructions (callgrind). What the message says is the same.
fn set_doing_parts(parts: &[&str]) {
    let Ok(_turn) = DOING_WRITER.lock() else {
        return;
    };
    // Once a signal came, the message names what was being done then, whatever the check
    // (seeing its tool die of the same group kill) goes on to do.
    if crate::ending::interrupted() {
        return;
    }
    let next = (DOING_SLOT.load(Ordering::SeqCst) + 1) & 1;
    store_doing(&DOING[next], parts);
    DOING_SLOT.store(next, Ordering::SeqCst);
}

/// The " while <parts>" tail into `slot`, on one line, scrubbed, bounded.
fn store_doing(slot: &SignalSafeText<DOING_MAX>, parts: &[&str]) {
    let plain = |b: &u8| (b' '..=b'~').contains(b) && *b != b'|';
    let last = parts.iter().rev().find_map(|p| p.as_bytes().last());
    match last {
        None => slot.store(b""),
        Some(&last)
            if last != b' '
                && parts.iter().all(|p| p.as_bytes().iter().all(plain))
                && crate::secret::nothing_to_scrub() =>
        {
            slot.store_parts(b" while ", parts)
        }
        Some(_) => {
            let tail = format!(" while {}", parts.concat());
            // The usual text (a path, a host) is printable ASCII: nothing for one_line to
            // change but trailing spaces, and its char by char rewrite costs ~3 K instructions.
            let tail = if tail.bytes().all(|b| plain(&b)) {
                std::borrow::Cow::Borrowed(tail.trim_end())
            } else {
                std::borrow::Cow::Owned(crate::report::one_line(&tail))
            };
            slot.store(crate::secret::scrub(&tail).as_bytes());
        }
    }
}

/// A text a signal handler can read: bytes in atomics (no lock, no allocation, never undefined
/// behaviour even when read while written), written in normal context. A text longer than N
/// is kept up to N bytes, cut at a character boundary.
pub(crate) struct SignalSafeText<const N: usize> {
    bytes: [AtomicU8; N],
    len: AtomicUsize,
}

impl<const N: usize> SignalSafeText<N> {
    pub(crate) const fn new() -> Self {
        SignalSafeText {
            bytes: [const { AtomicU8::new(0) }; N],
            len: AtomicUsize::new(0),
        }
    }

    /// Normal context only.
    pub(crate) fn store(&self, text: &[u8]) {
        let mut len = text.len().min(N);
        while len > 0 && len < text.len() && is_continuation(text[len]) {
            len -= 1;
        }
        self.len.store(0, Ordering::SeqCst);
        for (slot, b) in self.bytes.iter().zip(&text[..len]) {
            slot.store(*b, Ordering::Relaxed);
        }
        self.len.store(len, Ordering::SeqCst);
    }

    /// `store` of `head` and then `parts`, all ASCII (no character to cut in two). Normal
    /// context only.
    pub(crate) fn store_parts(&self, head: &[u8], parts: &[&str]) {
        self.len.store(0, Ordering::SeqCst);
        let text = std::iter::once(head).chain(parts.iter().map(|p| p.as_bytes()));
        let mut slots = self.bytes.iter();
        let mut len = 0;
        for (slot, b) in (&mut slots).zip(text.flatten()) {
            slot.store(*b, Ordering::Relaxed);
            len += 1;
        }
        self.len.store(len, Ordering::SeqCst);
    }

    /// Async-signal-safe: plain loads and stores.
    pub(crate) fn copy_into(&self, out: &mut [u8]) -> usize {
        let len = self.len.load(Ordering::SeqCst).min(out.len());
        for (o, b) in out.iter_mut().zip(&self.bytes[..len]) {
            *o = b.load(Ordering::Relaxed);
        }
        len
    }
}

/// A UTF-8 continuation byte (not the start of a character).
pub(crate) fn is_continuation(b: u8) -> bool {
    b & 0xC0 == 0x80
}

/// The end of a growing host file, from [`Context::read_host_tail`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tail {
    /// Whole lines from the start of the window (the last may still be being written).
    pub text: String,
    /// True when this is the whole file (it was no larger than asked).
    pub whole: bool,
}

/// One `--input NAME=FILE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputSpec {
    pub name: String,
    pub file: PathBuf,
}

impl std::str::FromStr for InputSpec {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.split_once('=') {
            Some((name, file)) if !name.is_empty() && !file.is_empty() => Ok(InputSpec {
                name: name.to_string(),
                file: PathBuf::from(file),
            }),
            _ => Err(format!("expected NAME=FILE, got '{s}'")),
        }
    }
}

/// The check's view of the host and the run.
#[derive(Debug)]
pub struct Context {
    root: PathBuf,
    inputs: Vec<InputSpec>,
    verbosity: u8,
    deadline: Instant,
    timeout: Duration,
    /// `--state-dir`, for plugins that keep state (None: the default, with its fallbacks).
    state_dir: Option<PathBuf>,
}

impl Context {
    /// `timeout` is the global `-t`, counted from `started`.
    pub fn new(
        root: impl Into<PathBuf>,
        inputs: Vec<InputSpec>,
        verbosity: u8,
        started: Instant,
        timeout: Duration,
    ) -> Context {
        Context {
            root: root.into(),
            inputs,
            verbosity,
            deadline: started + timeout,
            timeout,
            state_dir: None,
        }
    }

    /// The `--state-dir` the admin gave (the runner sets it).
    pub fn with_state_dir(mut self, dir: Option<PathBuf>) -> Context {
        self.state_dir = dir;
        self
    }

    /// The state directory for this run (see [`crate::state`]); a fallback adds a note the
    /// plugin should put in its long output.
    pub fn state(&self) -> Result<crate::state::StateDir, CheckError> {
        Ok(crate::state::StateDir::open(self.state_dir.as_deref())?)
    }

    /// A context for tests: root DIR, no inputs, 10 s.
    pub fn for_root(root: impl Into<PathBuf>) -> Context {
        Context::new(root, Vec::new(), 0, Instant::now(), Duration::from_secs(10))
    }

    /// The `--root` directory (`/` unless given).
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// True when the check looks at the live host (`--root /` and no `--input`), so live-only
    /// sources (a daemon's socket, a tool) make sense.
    pub fn is_live_host(&self) -> bool {
        self.root == Path::new("/") && !self.inputs_given()
    }

    pub fn verbosity(&self) -> u8 {
        self.verbosity
    }

    /// Time left before the global timeout.
    pub fn remaining(&self) -> Duration {
        self.deadline.saturating_duration_since(Instant::now())
    }

    /// How long network I/O or a tool may still take, so that its own failure ("unreachable",
    /// "did not finish") is what the user reads, not the runner's timeout: what is left of `-t`
    /// less a margin for evaluating and printing (a tenth of `-t`, between 50 and 300 ms).
    /// Zero means there is no time left to start anything: say so (UNKNOWN), do not report
    /// the peer as down.
    pub fn io_budget(&self) -> Duration {
        let margin =
            (self.timeout / 10).clamp(Duration::from_millis(50), Duration::from_millis(300));
        self.remaining().saturating_sub(margin)
    }

    /// True when the user gave any `--input`: then the check evaluates exactly those sources and
    /// reads nothing from the host (no auto-detection).
    pub fn inputs_given(&self) -> bool {
        !self.inputs.is_empty()
    }

    /// The contents of every `--input NAME=FILE` for this name, in the order given, with the
    /// file name (for messages). `-` reads standard input. Each is capped at [`INPUT_CAP`].
    pub fn inputs(&self, name: &str) -> Result<Vec<(String, String)>, CheckError> {
        self.inputs_capped(name, INPUT_CAP)
    }

    /// `inputs` with a cap sized to the source (a UPS dump is a few KiB, a cloud's service
    /// listing a few MiB): larger is "larger than N, not read whole", so a hostile file cannot
    /// make the parser's model balloon.
    pub fn inputs_capped(
        &self,
        name: &str,
        cap: usize,
    ) -> Result<Vec<(String, String)>, CheckError> {
        self.inputs
            .iter()
            .filter(|i| i.name == name)
            .map(|i| {
                let shown = i.file.display().to_string();
                let text = if i.file == Path::new("-") {
                    set_doing("reading standard input".into());
                    let text = read_capped(std::io::stdin().lock(), "standard input", cap)?;
                    set_doing(String::new());
                    text
                } else {
                    read_limited(&i.file, &shown, cap)?
                };
                Ok((shown, text))
            })
            .collect()
    }

    /// The one `--input NAME=FILE` for this name, if given.
    pub fn input(&self, name: &str) -> Result<Option<(String, String)>, CheckError> {
        self.input_capped(name, INPUT_CAP)
    }

    /// `input` with a cap sized to the source (see [`Context::inputs_capped`]).
    pub fn input_capped(
        &self,
        name: &str,
        cap: usize,
    ) -> Result<Option<(String, String)>, CheckError> {
        let mut all = self.inputs_capped(name, cap)?;
        match all.len() {
            0 => Ok(None),
            1 => Ok(all.pop()),
            n => Err(CheckError::usage(format!(
                "--input {name}= given {n} times; give it once"
            ))),
        }
    }

    /// The path a host path has under `--root` (e.g. `/proc/mdstat` -> `DIR/proc/mdstat`).
    pub fn host_path(&self, path: &str) -> PathBuf {
        self.root.join(path.trim_start_matches('/'))
    }

    /// Read a host file (a path as on the host, e.g. `/proc/mdstat`), under `--root`, at
    /// most [`HOST_FILE_CAP`] bytes: a larger file is an error, not read whole.
    pub fn read_host(&self, path: &str) -> Result<String, CheckError> {
        self.read_host_capped(path, HOST_FILE_CAP)
    }

    /// `read_host` with a cap of this plugin's own, for a host file that can be larger.
    pub fn read_host_capped(&self, path: &str, max_bytes: usize) -> Result<String, CheckError> {
        self.guard_host(path)?;
        let full = self.host_path(path);
        read_limited(&full, &full.display().to_string(), max_bytes)
    }

    /// Like `read_host`, but a file that does not exist is `None`, not an error.
    pub fn read_host_if_exists(&self, path: &str) -> Result<Option<String>, CheckError> {
        self.guard_host(path)?;
        let full = self.host_path(path);
        match std::fs::symlink_metadata(&full) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            _ => read_limited(&full, &full.display().to_string(), HOST_FILE_CAP).map(Some),
        }
    }

    /// The end of a host file that only grows (a log), at most `max_bytes`: the whole file when
    /// it is that small, else its last `max_bytes` from the first line that starts inside them
    /// (a line cut at the front is dropped, so every line returned is whole at its start).
    /// `None` when the file does not exist. Unlike [`Context::read_host_capped`], a larger file
    /// is not an error: a log is read from its end.
    pub fn read_host_tail(&self, path: &str, max_bytes: usize) -> Result<Option<Tail>, CheckError> {
        use std::io::{Seek, SeekFrom};
        self.guard_host(path)?;
        let full = self.host_path(path);
        let shown = full.display().to_string();
        set_doing_parts(&["reading ", &shown]);
        let mut file = match std::fs::File::open(&full) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(read_error(&shown, &e)),
            Ok(f) => f,
        };
        let meta = file.metadata().map_err(|e| read_error(&shown, &e))?;
        if meta.is_dir() {
            return Err(CheckError::Read {
                path: shown,
                reason: "is a directory".into(),
            });
        }
        let len = meta.len();
        let from = len.saturating_sub(max_bytes as u64);
        // From the byte before the window: it tells whether the window's first line is whole.
        let before = u64::from(from > 0);
        if from > 0 {
            file.seek(SeekFrom::Start(from - 1))
                .map_err(|e| read_error(&shown, &e))?;
        }
        let mut buf = Vec::new();
        // What was appended since the size was taken is left for the next run.
        file.take(max_bytes as u64 + before)
            .read_to_end(&mut buf)
            .map_err(|e| read_error(&shown, &e))?;
        let start = if from > 0 {
            buf.iter()
                .position(|&b| b == b'\n')
                .map_or(buf.len(), |p| p + 1)
        } else {
            0
        };
        let text = String::from_utf8_lossy(&buf[start..]).into_owned();
        set_doing(String::new());
        Ok(Some(Tail {
            text,
            whole: from == 0,
        }))
    }

    /// When a host file was last modified; `None` when it does not exist.
    pub fn host_modified(&self, path: &str) -> Result<Option<std::time::SystemTime>, CheckError> {
        self.guard_host(path)?;
        let full = self.host_path(path);
        match std::fs::metadata(&full) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(read_error(&full.display().to_string(), &e)),
            Ok(m) => m
                .modified()
                .map(Some)
                .map_err(|e| read_error(&full.display().to_string(), &e)),
        }
    }

    /// Names in a host directory, sorted; a missing directory is an empty list.
    pub fn list_host_dir(&self, path: &str) -> Result<Vec<String>, CheckError> {
        self.guard_host(path)?;
        let full = self.host_path(path);
        set_doing(format!("listing {}", full.display()));
        let entries = match std::fs::read_dir(&full) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(read_error(&full.display().to_string(), &e)),
            Ok(entries) => entries,
        };
        let mut names: Vec<String> = entries
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        Ok(names)
    }

    /// Read a file the user named in an option (credentials, a config file), as given: never
    /// under `--root` and allowed with `--input`, because it is not host state. The contents
    /// never appear in messages, only the path.
    pub fn read_user_file(&self, path: &Path) -> Result<String, CheckError> {
        read_limited(path, &path.display().to_string(), USER_FILE_CAP)
    }

    /// Say what the check is doing now (e.g. "asking upsd at 10.0.0.5:3493"); a global timeout
    /// message ends with "while <what>".
    pub fn doing(&self, what: impl Into<String>) {
        set_doing(what.into());
    }

    /// Run a tool within its own timeout and the global deadline.
    pub fn run_tool(&self, cmd: &ToolCommand) -> Result<ToolOutput, CheckError> {
        if self.inputs_given() {
            return Err(CheckError::other(format!(
                "internal error: {} would run although --input was given",
                cmd.program
            )));
        }
        let global = self.io_budget();
        let limit = cmd.timeout.map_or(global, |t| t.min(global));
        // When the global deadline is what stops the tool, say so as the runner's timeout would.
        let global_bound = cmd.timeout.is_none_or(|t| t >= global);
        let global_timeout = || {
            CheckError::other(format!(
                "timed out after {} s while running {}",
                crate::perfdata::format_number(self.timeout.as_secs_f64()).unwrap_or_default(),
                cmd.display()
            ))
        };
        if limit.is_zero() {
            return Err(global_timeout());
        }
        set_doing(format!("running {}", cmd.display()));
        // Only a tool needs the guard thread: stopping its subtree walks /proc, which a signal
        // handler may not do.
        crate::ending::start_guard_for_tools();
        let out = match tool::run(cmd, limit) {
            Err(ToolError::TimedOut { .. }) if global_bound => return Err(global_timeout()),
            other => other?,
        };
        // A tool killed by a signal was most likely killed with the plugin (a kill of its
        // process group): the guard's "interrupted ... while running" must still name it.
        // A signal already pending counts too: the kernel delivers a group kill to every member
        // before any of them can finish dying, so a tool seen dead with the signal not yet
        // taken by the runner still shows it pending here.
        if out.code.is_some() && !crate::ending::interrupted() {
            set_doing(String::new());
        }
        Ok(out)
    }

    fn guard_host(&self, path: &str) -> Result<(), CheckError> {
        if self.inputs_given() {
            return Err(CheckError::other(format!(
                "internal error: {path} would be read from the host although --input was given"
            )));
        }
        Ok(())
    }
}

fn read_error(shown: &str, e: &std::io::Error) -> CheckError {
    CheckError::Read {
        path: shown.to_string(),
        reason: io_reason(e),
    }
}

/// Why a file could not be opened or read, in an admin's words: never the standard library's
/// "Too many levels of symbolic links (os error 40)".
pub(crate) fn io_reason(e: &std::io::Error) -> String {
    let known = match e.raw_os_error() {
        Some(libc::ENOENT) => "no such file",
        Some(libc::EACCES) | Some(libc::EPERM) => "permission denied",
        Some(libc::ENOTDIR) => "a part of the path is not a directory",
        Some(libc::EISDIR) => "is a directory",
        Some(libc::ELOOP) => "a loop of symbolic links",
        Some(libc::ENAMETOOLONG) => "the path is too long",
        Some(libc::EIO) => "input/output error (a failing disk or device?)",
        Some(libc::ENXIO) | Some(libc::ENODEV) => "no such device",
        Some(libc::EMFILE) | Some(libc::ENFILE) => "too many open files",
        Some(libc::ENOMEM) => "out of memory",
        Some(libc::EINVAL) => "cannot be read as a file",
        Some(libc::EAGAIN) => "not ready to be read",
        Some(libc::ESTALE) => "a stale NFS file handle",
        Some(libc::EOVERFLOW) | Some(libc::EFBIG) => "too large to read",
        Some(libc::ETXTBSY) => "busy",
        _ => match e.kind() {
            std::io::ErrorKind::NotFound => "no such file",
            std::io::ErrorKind::PermissionDenied => "permission denied",
            std::io::ErrorKind::UnexpectedEof => "ended early",
            std::io::ErrorKind::Interrupted => "interrupted",
            _ => "",
        },
    };
    if !known.is_empty() {
        return known.to_string();
    }
    // Anything else: the system's words, lower case, without " (os error N)".
    let text = e.to_string();
    let text = match text.find(" (os error ") {
        Some(at) => text[..at].to_string(),
        None => text,
    };
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => "read error".to_string(),
    }
}

/// Read a file, at most `cap` bytes, invalid UTF-8 replaced (the parser then names the line).
/// A FIFO nobody writes to blocks here; the runner's global timeout ends that.
fn read_limited(path: &Path, shown: &str, cap: usize) -> Result<String, CheckError> {
    set_doing_parts(&["reading ", shown]);
    let file = std::fs::File::open(path).map_err(|e| read_error(shown, &e))?;
    if file.metadata().map(|m| m.is_dir()).unwrap_or(false) {
        return Err(CheckError::Read {
            path: shown.to_string(),
            reason: "is a directory".into(),
        });
    }
    let text = read_capped(file, shown, cap)?;
    set_doing(String::new());
    Ok(text)
}

/// Read to the end, but never more than `cap` bytes: one byte more than the cap proves the
/// source larger, and then nothing of it is returned. One buffer: valid UTF-8 becomes the
/// String without a copy (only invalid bytes cost a second, replaced, copy).
pub(crate) fn read_capped(
    source: impl Read,
    shown: &str,
    cap: usize,
) -> Result<String, CheckError> {
    let mut buf = Vec::new();
    source
        .take(cap as u64 + 1)
        .read_to_end(&mut buf)
        .map_err(|e| read_error(shown, &e))?;
    if buf.len() > cap {
        return Err(CheckError::Read {
            path: shown.to_string(),
            reason: format!("larger than {}, not read whole", size_text(cap)),
        });
    }
    Ok(String::from_utf8(buf)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
}

/// A byte count as an admin reads it: "1 MiB", "64 KiB", "300 bytes".
pub(crate) fn size_text(bytes: usize) -> String {
    const KIB: usize = 1024;
    const MIB: usize = 1024 * 1024;
    if bytes >= MIB && bytes % MIB == 0 {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= KIB && bytes % KIB == 0 {
        format!("{} KiB", bytes / KIB)
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tempdir(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("euca-ctx-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(d.join("proc")).unwrap();
        d
    }

    #[test]
    fn a_log_is_read_from_its_end_in_whole_lines() {
        let d = tempdir("tail");
        std::fs::write(d.join("proc/log"), "first line\nsecond\nthird\n").unwrap();
        let ctx = Context::for_root(&d);
        let whole = ctx.read_host_tail("/proc/log", 100).unwrap().unwrap();
        assert_eq!(
            (whole.text.as_str(), whole.whole),
            ("first line\nsecond\nthird\n", true)
        );
        // 10 bytes: "ond\nthird\n": the cut "ond" is dropped
        let end = ctx.read_host_tail("/proc/log", 10).unwrap().unwrap();
        assert_eq!((end.text.as_str(), end.whole), ("third\n", false));
        // a window that starts exactly at a line keeps it: the byte before is the newline
        let at = ctx.read_host_tail("/proc/log", 13).unwrap().unwrap();
        assert_eq!(at.text, "second\nthird\n");
        assert_eq!(ctx.read_host_tail("/proc/none", 10).unwrap(), None);
        assert!(ctx.host_modified("/proc/log").unwrap().is_some());
        assert_eq!(ctx.host_modified("/proc/none").unwrap(), None);
        let _ = std::fs::remove_dir_all(d);
    }

    #[test]
    fn host_files_are_read_under_root() {
        let d = tempdir("root");
        std::fs::write(d.join("proc/mdstat"), "hello").unwrap();
        let ctx = Context::for_root(&d);
        assert_eq!(ctx.read_host("/proc/mdstat").unwrap(), "hello");
        assert_eq!(ctx.read_host_if_exists("/proc/nothing").unwrap(), None);
        let err = ctx.read_host("/proc/nothing").unwrap_err().to_string();
        assert_eq!(
            err,
            format!("cannot read {}/proc/nothing: no such file", d.display())
        );
        let err = ctx.read_host("/proc").unwrap_err().to_string();
        assert!(err.ends_with("is a directory"), "{err}");
        assert_eq!(ctx.list_host_dir("/proc").unwrap(), vec!["mdstat"]);
        assert!(!ctx.is_live_host());
        assert!(Context::for_root("/").is_live_host());
        // a user-named file is read as given, not under --root
        assert_eq!(ctx.read_user_file(&d.join("proc/mdstat")).unwrap(), "hello");
        assert!(ctx.list_host_dir("/nothing").unwrap().is_empty());
        let _ = std::fs::remove_dir_all(d);
    }

    /// A symlink loop under --root and a --root that is a file showed "Too many levels of
    /// symbolic links (os error 40)" and "Not a directory (os error 20)".
    #[test]
    fn read_errors_are_in_plain_words_without_os_error_numbers() {
        let d = tempdir("plain-io");
        std::os::unix::fs::symlink(d.join("proc/b"), d.join("proc/a")).unwrap();
        std::os::unix::fs::symlink(d.join("proc/a"), d.join("proc/b")).unwrap();
        let err = Context::for_root(&d)
            .read_host("/proc/a")
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            format!(
                "cannot read {}/proc/a: a loop of symbolic links",
                d.display()
            )
        );
        let file = d.join("passwd");
        std::fs::write(&file, "root:x:0:0").unwrap();
        let ctx = Context::for_root(&file);
        let err = ctx.read_host("/proc/mdstat").unwrap_err().to_string();
        assert_eq!(
            err,
            format!(
                "cannot read {}/proc/mdstat: a part of the path is not a directory",
                file.display()
            )
        );
        let err = ctx.list_host_dir("/proc").unwrap_err().to_string();
        assert!(
            err.ends_with(": a part of the path is not a directory"),
            "{err}"
        );
        // Whatever is not named gets the system's words, never the errno.
        let odd = std::io::Error::from_raw_os_error(libc::EROFS);
        assert_eq!(io_reason(&odd), "read-only file system");
        let _ = std::fs::remove_dir_all(d);
    }

    #[test]
    fn with_inputs_the_host_is_not_touched() {
        let d = tempdir("inputs");
        let f = d.join("saved.txt");
        std::fs::write(&f, "saved").unwrap();
        let spec: InputSpec = format!("teamdctl={}", f.display()).parse().unwrap();
        let ctx = Context::new(&d, vec![spec], 0, Instant::now(), Duration::from_secs(5));
        assert!(ctx.inputs_given());
        assert_eq!(ctx.input("teamdctl").unwrap().unwrap().1, "saved");
        assert!(ctx.input("other").unwrap().is_none());
        assert!(ctx.read_host("/proc/mdstat").is_err());
        assert!(ctx.run_tool(&ToolCommand::new("true")).is_err());
        let _ = std::fs::remove_dir_all(d);
    }

    #[test]
    fn the_io_budget_keeps_a_margin_before_the_global_timeout() {
        let ten = Context::new("/", Vec::new(), 0, Instant::now(), Duration::from_secs(10));
        let b = ten.io_budget();
        assert!(
            b <= Duration::from_millis(9700) && b > Duration::from_millis(9500),
            "{b:?}"
        );
        let short = Context::new(
            "/",
            Vec::new(),
            0,
            Instant::now(),
            Duration::from_millis(40),
        );
        assert_eq!(short.io_budget(), Duration::ZERO);
    }

    #[test]
    fn a_saved_input_over_the_cap_its_source_was_given_is_an_error() {
        let d = tempdir("input-cap");
        let f = d.join("upsc.txt");
        std::fs::write(&f, "ups.status: OL\n".repeat(20_000)).unwrap(); // 300 000 bytes
        let spec: InputSpec = format!("upsc={}", f.display()).parse().unwrap();
        let ctx = Context::new(&d, vec![spec], 0, Instant::now(), Duration::from_secs(5));
        let err = ctx
            .input_capped("upsc", 256 * 1024)
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            format!(
                "cannot read {}: larger than 256 KiB, not read whole",
                f.display()
            )
        );
        assert_eq!(
            ctx.inputs_capped("upsc", 256 * 1024)
                .unwrap_err()
                .to_string(),
            err
        );
        // the default cap (8 MiB) takes it whole
        assert_eq!(ctx.input("upsc").unwrap().unwrap().1.len(), 300_000);
        let _ = std::fs::remove_dir_all(d);
    }

    #[test]
    fn a_file_over_its_cap_is_an_error_not_a_partial_text() {
        let d = tempdir("cap");
        let f = d.join("proc/mdstat");
        // The line that matters sits past the cap.
        let mut text = "x".repeat(HOST_FILE_CAP);
        text.push_str("\nmd9 : active raid1 sda1[0](F)\n");
        std::fs::write(&f, &text).unwrap();
        let ctx = Context::for_root(&d);
        let err = ctx.read_host("/proc/mdstat").unwrap_err().to_string();
        assert_eq!(
            err,
            format!(
                "cannot read {}: larger than 1 MiB, not read whole",
                f.display()
            )
        );
        // a plugin that expects a larger file says so
        assert_eq!(
            ctx.read_host_capped("/proc/mdstat", 2 * HOST_FILE_CAP)
                .unwrap(),
            text
        );
        // exactly the cap is whole
        std::fs::write(&f, "y".repeat(HOST_FILE_CAP)).unwrap();
        assert_eq!(ctx.read_host("/proc/mdstat").unwrap().len(), HOST_FILE_CAP);
        let err = ctx
            .read_user_file(&d.join("nothing"))
            .unwrap_err()
            .to_string();
        assert!(err.ends_with("no such file"), "{err}");
        assert_eq!(size_text(8 * 1024 * 1024), "8 MiB");
        assert_eq!(size_text(64 * 1024), "64 KiB");
        assert_eq!(size_text(300), "300 bytes");
        let _ = std::fs::remove_dir_all(d);
    }

    #[test]
    fn the_doing_tail_built_in_place_is_the_one_built_as_a_text() {
        // The text path (format, one_line, scrub) is the reference the in-place one must match.
        let reference = |what: &str| -> Vec<u8> {
            if what.is_empty() {
                return Vec::new();
            }
            let tail = crate::report::one_line(&format!(" while {what}"));
            let mut bytes = crate::secret::scrub(&tail).into_owned().into_bytes();
            bytes.truncate(DOING_MAX);
            bytes
        };
        let long = format!("/proc/{}", "x".repeat(3000));
        let cases: &[&[&str]] = &[
            &["reading ", "/proc/1/stat"],
            &["reading ", "/tmp/a b  "],
            &["reading ", "/tmp/a|b"],
            &["reading ", "/tmp/é\nnext"],
            &["reading ", &long],
            &["", ""],
            &["listing ", ""],
        ];
        for parts in cases {
            let slot = SignalSafeText::<DOING_MAX>::new();
            store_doing(&slot, parts);
            let mut out = vec![0u8; DOING_MAX + 10];
            let len = slot.copy_into(&mut out);
            assert_eq!(
                String::from_utf8_lossy(&out[..len]),
                String::from_utf8_lossy(&reference(&parts.concat())),
                "{parts:?}"
            );
        }
    }

    #[test]
    fn invalid_utf8_is_replaced_not_refused() {
        let text = read_capped(&b"ok \xff end"[..], "x", 100).unwrap();
        assert_eq!(text, "ok \u{fffd} end");
    }

    #[test]
    fn input_specs_need_name_and_file() {
        assert!("a=b".parse::<InputSpec>().is_ok());
        assert!("a=b=c".parse::<InputSpec>().unwrap().file == Path::new("b=c"));
        for bad in ["", "a", "=b", "a="] {
            assert!(bad.parse::<InputSpec>().is_err(), "{bad}");
        }
    }
}
