//! Every plugin of the suite, as the generator and the runner see it: its `Plugin` (name,
//! service word, what it reads), its whole clap command line, and, for plugins that run tools,
//! the sudoers lines a given command line needs (from the plugin's own tool list).

use clap::FromArgMatches;
use common::{CheckError, Context, Plugin, ToolCommand};

/// Sudoers rule lines for a plugin run with these arguments (argv without the program name),
/// for this user.
pub type SudoersOf = fn(&[String], &str) -> Result<Vec<String>, String>;

/// One plugin of the suite.
pub struct Known {
    pub plugin: Plugin,
    /// Its whole command line (standard options included), from its clap definition.
    pub command: fn() -> clap::Command,
    /// The sudoers lines (for `user`) that the plugin run with these arguments (argv without
    /// the program name) needs; `None` for plugins that run no tool.
    pub sudoers: Option<SudoersOf>,
}

/// The sudoers rule lines (comments left out) for a plugin run with `args`, from its own
/// `tools(options, context)`: exactly the command lines it may run as root.
fn sudoers_of<O: FromArgMatches>(
    name: &str,
    args: &[String],
    user: &str,
    command: fn() -> clap::Command,
    tools: fn(&O, &Context) -> Result<Vec<ToolCommand>, CheckError>,
) -> Result<Vec<String>, String> {
    let mut argv: Vec<std::ffi::OsString> = vec![name.into()];
    argv.extend(args.iter().map(Into::into));
    let matches = common::runner::parse_args(&mut command(), argv)?;
    let opts = O::from_arg_matches(&matches).map_err(|e| e.to_string())?;
    let tools: Vec<ToolCommand> = tools(&opts, &Context::for_root("/"))
        .map_err(|e| e.to_string())?
        .into_iter()
        .filter(|t| t.sudo)
        .collect();
    if tools.is_empty() {
        return Ok(Vec::new());
    }
    let text = common::sudoers::file_text(name, user, &tools)?;
    Ok(text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(String::from)
        .collect())
}

macro_rules! known {
    ($p:ident) => {
        Known {
            plugin: $p::PLUGIN,
            command: $p::command,
            sudoers: None,
        }
    };
    ($p:ident, tools) => {
        Known {
            plugin: $p::PLUGIN,
            command: $p::command,
            sudoers: Some(|args, user| {
                sudoers_of::<$p::Options>(stringify!($p), args, user, $p::command, $p::tools)
            }),
        }
    };
}

/// All plugins, in the README's order.
pub fn all() -> Vec<Known> {
    vec![
        known!(check_raid, tools),
        known!(check_bond, tools),
        known!(check_ups),
        known!(check_euca_clc),
        known!(check_euca_endpoint),
        known!(check_riak),
        known!(check_euca_proc),
        known!(check_ipmi, tools),
        known!(check_san_path, tools),
        known!(check_euca_edge),
        known!(check_euca_db),
        known!(check_euca_backup, tools),
        known!(check_euca_props),
        known!(check_euca_nodes),
        known!(check_euca_workers),
        known!(check_euca_topology),
    ]
}

/// The plugin named `name`.
pub fn find(name: &str) -> Option<Known> {
    all().into_iter().find(|k| k.plugin.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_plugin_crate_is_known() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../plugins");
        let mut crates: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        crates.sort();
        let mut known: Vec<String> = all().iter().map(|k| k.plugin.name.to_string()).collect();
        known.sort();
        assert_eq!(crates, known);
    }

    #[test]
    fn sudoers_lines_come_from_the_plugins_tools() {
        let bond = find("check_bond").unwrap();
        let lines = (bond.sudoers.unwrap())(
            &[
                "--team".into(),
                "team0".into(),
                "--sudo".into(),
                "--teamdctl".into(),
                "/usr/bin/teamdctl".into(),
            ],
            "nagios",
        )
        .unwrap();
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(
            lines[0].starts_with("nagios ALL=(root) NOPASSWD: "),
            "{lines:?}"
        );
        assert!(
            lines[0].ends_with("/usr/bin/teamdctl team0 state dump"),
            "{lines:?}"
        );
        // Without --sudo nothing needs root.
        let lines = (bond.sudoers.unwrap())(&["--team".into(), "team0".into()], "nagios").unwrap();
        assert!(lines.is_empty(), "{lines:?}");
    }
}
