//! Helpers for the suite-wide tests in `tests/`: the built plugins, our shipped command
//! definitions expanded as the daemons expand them, and the daemons' records of a result read
//! back. Running plugins, host trees and peers come from the `harness` crate.

use harness::{Outcome, Plugin};
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use harness::repo;

/// The directory holding the built check_* binaries (cargo test --workspace builds them).
pub fn bin_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    // target/<profile>/deps/<test> -> target/<profile>
    exe.parent()
        .and_then(Path::parent)
        .expect("target dir")
        .to_path_buf()
}

/// A built plugin; fails with the way to build it when missing.
pub fn plugin(name: &str) -> PathBuf {
    let p = bin_dir().join(name);
    assert!(
        p.exists(),
        "{} is not built: run cargo test --workspace (or cargo build)",
        p.display()
    );
    p
}

/// A shipped file of nagios-config/.
pub fn shipped(rel: &str) -> String {
    let path = repo().join("nagios-config").join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The command_line of a Nagios `define command` block, or a failure naming the command.
pub fn nagios_command_line(commands: &str, name: &str) -> String {
    for block in commands.split("define command").skip(1) {
        let block = block.split('}').next().unwrap_or("");
        let field = |key: &str| {
            block.lines().find_map(|l| {
                let l = l.trim();
                l.strip_prefix(key)
                    .filter(|rest| rest.starts_with([' ', '\t']))
                    .map(|rest| rest.trim().to_string())
            })
        };
        if field("command_name").as_deref() == Some(name) {
            return field("command_line").unwrap_or_else(|| panic!("{name} has no command_line"));
        }
    }
    panic!("nagios-config defines no command {name}")
}

/// A command line expanded as Nagios would ($USER1$, $ARGn$) and run directly by the test:
/// the reference the daemon's record must match.
pub fn run_expanded(line: &str, user1: &Path, args: &[&str]) -> Outcome {
    let mut line = line.replace("$USER1$", &user1.display().to_string());
    for (i, a) in args.iter().enumerate() {
        line = line.replace(&format!("$ARG{}$", i + 1), a);
    }
    for n in args.len() + 1..10 {
        line = line.replace(&format!("$ARG{n}$"), "");
    }
    let mut words = line.split_whitespace();
    let program = words.next().expect("a program");
    Plugin::new(program).args(words).run()
}

/// One service as Nagios 4 recorded it in status.dat (plugin_output, long_plugin_output with
/// its `\n` escapes undone, performance_data).
#[derive(Debug, Clone)]
pub struct NagiosRecord {
    pub state: i32,
    pub output: String,
    pub long: String,
    pub perfdata: String,
}

/// The checked service's record in a status.dat text, if it is there yet.
pub fn nagios_record(status_dat: &str, service: &str) -> Option<NagiosRecord> {
    for block in status_dat.split("servicestatus {").skip(1) {
        let block = block.split("\n\t}").next().unwrap_or("");
        let field = |k: &str| {
            block
                .lines()
                .find_map(|l| {
                    l.trim_start()
                        .strip_prefix(&format!("{k}="))
                        .map(str::to_string)
                })
                .unwrap_or_default()
        };
        if field("service_description") == service && field("has_been_checked") == "1" {
            return Some(NagiosRecord {
                state: field("current_state").parse().unwrap_or(-1),
                output: field("plugin_output"),
                long: field("long_plugin_output").replace("\\n", "\n"),
                perfdata: field("performance_data"),
            });
        }
    }
    None
}

/// Poll `read` every 100 ms until it yields a value, or fail after `within` saying `what`.
pub fn wait_for<T>(within: Duration, what: &str, mut read: impl FnMut() -> Option<T>) -> T {
    let deadline = std::time::Instant::now() + within;
    loop {
        if let Some(v) = read() {
            return v;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{what}: nothing within {within:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Perfdata items equal to the direct run's, except labels in `varying` (e.g. a duration)
/// which must only be present. `relayed` is the text the daemon recorded.
pub fn assert_same_perfdata(relayed: &str, direct: &Outcome, varying: &[&str], who: &str) {
    let relayed = common::perfdata::parse_perfdata(relayed.trim())
        .unwrap_or_else(|e| panic!("{who} relayed perfdata that does not parse: {e}"));
    let labels = |items: &[common::Perfdata]| -> Vec<String> {
        items.iter().map(|p| p.label.clone()).collect()
    };
    assert_eq!(
        labels(&relayed),
        labels(&direct.perfdata),
        "{who}: perfdata labels"
    );
    for (got, want) in relayed.iter().zip(&direct.perfdata) {
        if !varying.contains(&want.label.as_str()) {
            assert_eq!(got, want, "{who}: perfdata item {}", want.label);
        }
    }
}

/// Make a file the test wrote readable to the daemon's user (`nagios` when the tests run as
/// root: Nagios 4 and NRPE drop to it) and to nobody else.
pub fn hand_to_nagios(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).expect("chmod 600");
    if running_as_root() {
        let status = std::process::Command::new("chown")
            .arg("nagios:nagios")
            .arg(path)
            .status()
            .expect("run chown");
        assert!(status.success(), "chown nagios {}", path.display());
    }
}

fn running_as_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}
