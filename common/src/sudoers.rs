//! sudoers lines for the tools a plugin runs: exact command lines, never wildcards.
//!
//! In sudoers a `*` in the arguments also matches spaces, so `teamdctl * state dump` would
//! allow `teamdctl team0 config update ... state dump` as root. Every line here names the
//! program by its absolute path and every argument literally, escaped as sudoers needs; a
//! command without arguments gets `""`, which in sudoers means "no arguments" (a bare path
//! would allow any).
//!
//! ```
//! use common::{sudoers, ToolCommand};
//! let cmd = ToolCommand::new("/usr/bin/teamdctl").args(["team0", "state", "dump"]);
//! assert_eq!(
//!     sudoers::line("nagios", &cmd).unwrap(),
//!     "nagios ALL=(root) NOPASSWD: /usr/bin/teamdctl team0 state dump"
//! );
//! ```

use crate::tool::ToolCommand;
use std::path::{Path, PathBuf};

/// Where sudo looks for a program when its `secure_path` is set (Debian's and EL's defaults,
/// together), after the plugin's own PATH.
const SECURE_PATH: &[&str] = &[
    "/usr/local/sbin",
    "/usr/local/bin",
    "/usr/sbin",
    "/usr/bin",
    "/sbin",
    "/bin",
];

/// The sudoers line that lets `user` run exactly this command as root without a password.
pub fn line(user: &str, cmd: &ToolCommand) -> Result<String, String> {
    if user.is_empty() || user.chars().any(|c| c.is_whitespace() || c == ',') {
        return Err(format!("'{user}' is not a user name for sudoers"));
    }
    let program = resolve(&cmd.program)?;
    let mut text = format!(
        "{user} ALL=(root) NOPASSWD: {}",
        escape(&program.to_string_lossy())?
    );
    if cmd.args.is_empty() {
        text.push_str(" \"\"");
    }
    for arg in &cmd.args {
        text.push(' ');
        text.push_str(&escape(arg)?);
    }
    Ok(text)
}

/// What to tell the admin when sudo refused a command: the exact line, or where to look when
/// no line can be written (a program not found, an argument with a space).
pub fn hint(cmd: &ToolCommand) -> String {
    match line(&current_user(), cmd) {
        Ok(l) => format!("allow it in sudoers: {l}"),
        Err(_) => "allow it in sudoers (see packaging/sudoers)".into(),
    }
}

/// A sudoers.d file for these commands (duplicates dropped), for `--print-sudoers`.
pub fn file_text(plugin: &str, user: &str, commands: &[ToolCommand]) -> Result<String, String> {
    if commands.is_empty() {
        return Err(format!(
            "{plugin} runs no tool with these options; no sudoers line is needed"
        ));
    }
    let mut lines: Vec<String> = Vec::new();
    for cmd in commands {
        let l = line(user, cmd)?;
        if !lines.contains(&l) {
            lines.push(l);
        }
    }
    Ok(format!(
        "# {plugin}: exact commands, no wildcards (check with visudo -cf FILE)\n{}\n",
        lines.join("\n")
    ))
}

/// The user this process runs as, as sudoers names it: the login name, or `#UID` (which
/// sudoers accepts) when the uid has no name.
pub fn current_user() -> String {
    let uid = nix::unistd::geteuid();
    match nix::unistd::User::from_uid(uid) {
        Ok(Some(user)) => user.name,
        _ => format!("#{uid}"),
    }
}

/// The absolute path sudo will run: a path as given (it must be absolute, sudoers needs one),
/// or the first executable of that name in PATH, then in sudo's usual secure_path.
pub fn resolve(program: &str) -> Result<PathBuf, String> {
    if program.contains('/') {
        let path = Path::new(program);
        if !path.is_absolute() {
            return Err(format!(
                "{program}: sudoers needs an absolute path; give the tool's full path"
            ));
        }
        return Ok(path.to_path_buf());
    }
    let from_env = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default();
    from_env
        .into_iter()
        .chain(SECURE_PATH.iter().map(PathBuf::from))
        .filter(|dir| dir.is_absolute())
        .map(|dir| dir.join(program))
        .find(|p| is_executable(p))
        .ok_or_else(|| {
            format!("{program} not found in PATH; install it or give its full path for sudoers")
        })
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// Escape what sudoers treats specially in a command line; refuse what it cannot express.
fn escape(word: &str) -> Result<String, String> {
    // Spaces split words, `#` may start a comment and `"` quotes: no escape sudo documents
    // makes them safe, so such an argument is refused rather than written loosely.
    if word.is_empty()
        || word
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '#' || c == '"')
    {
        return Err(format!(
            "'{word}' cannot be written in a sudoers command line (empty, or with spaces, '#' or '\"')"
        ));
    }
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        // , : = \ must be escaped in sudoers command lines (sudoers(5)); * ? [ ] are
        // wildcards there, escaped so they match only themselves.
        if matches!(c, ',' | ':' | '=' | '\\' | '*' | '?' | '[' | ']') {
            out.push('\\');
        }
        out.push(c);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_names_the_absolute_path_and_every_argument_literally() {
        let cmd = ToolCommand::new("sh").args(["-c", "x"]);
        let l = line("nagios", &cmd).unwrap();
        assert!(l.starts_with("nagios ALL=(root) NOPASSWD: /"), "{l}");
        assert!(l.ends_with("/sh -c x"), "{l}");
        // wildcards and sudoers separators are escaped, never left to match
        let cmd = ToolCommand::new("/usr/sbin/storcli64").args(["/c0", "show", "a*b,c:d=e"]);
        assert_eq!(
            line("nagios", &cmd).unwrap(),
            r"nagios ALL=(root) NOPASSWD: /usr/sbin/storcli64 /c0 show a\*b\,c\:d\=e"
        );
        // no arguments is written "" (a bare path would allow any arguments)
        assert_eq!(
            line("icinga", &ToolCommand::new("/usr/bin/true")).unwrap(),
            "icinga ALL=(root) NOPASSWD: /usr/bin/true \"\""
        );
    }

    #[test]
    fn what_sudoers_cannot_express_is_refused() {
        let table = [
            (
                ToolCommand::new("/bin/echo").arg("two words"),
                "cannot be written",
            ),
            (ToolCommand::new("/bin/echo").arg(""), "cannot be written"),
            (ToolCommand::new("bin/echo"), "absolute path"),
            (
                ToolCommand::new("no-such-tool-euca-checks"),
                "not found in PATH",
            ),
        ];
        for (cmd, want) in table {
            let err = line("nagios", &cmd).unwrap_err();
            assert!(err.contains(want), "{cmd:?}: {err}");
        }
        assert!(line("two users", &ToolCommand::new("/bin/true")).is_err());
        assert!(line("", &ToolCommand::new("/bin/true")).is_err());
    }

    #[test]
    fn a_file_lists_each_line_once() {
        let cmd = ToolCommand::new("/usr/bin/teamdctl").args(["team0", "state", "dump"]);
        let text = file_text("check_bond", "nagios", &[cmd.clone(), cmd]).unwrap();
        assert_eq!(
            text,
            "# check_bond: exact commands, no wildcards (check with visudo -cf FILE)\n\
             nagios ALL=(root) NOPASSWD: /usr/bin/teamdctl team0 state dump\n"
        );
        assert!(file_text("check_raid", "nagios", &[])
            .unwrap_err()
            .contains("no sudoers line is needed"));
    }

    #[test]
    fn the_current_user_has_a_name_or_a_uid() {
        let me = current_user();
        assert!(!me.is_empty() && !me.contains(' '), "{me}");
        let hint = hint(&ToolCommand::new("/usr/bin/teamdctl").args(["team0", "state", "dump"]));
        assert_eq!(
            hint,
            format!(
                "allow it in sudoers: {me} ALL=(root) NOPASSWD: /usr/bin/teamdctl team0 state dump"
            )
        );
    }
}
