//! `euca-checks generate`: the plan (plan.rs) written out as Nagios 4 objects, NRPE snippets and
//! sudoers files per host, or Icinga 2 objects (with its own zones, optionally distributed over
//! one satellite per Eucalyptus zone). Pure: topology in, a list of (relative path, text) out;
//! the binary writes them. One file per output format.
//!
//! Everything about a plugin (its options, their help, which repeat, which are flags; the
//! sudoers lines) comes from the plugin's own clap definition and tool list (plugins.rs).

pub mod checkcommand;
pub mod cli;
pub mod icinga2;
pub mod nagios;
pub mod nrpe;
pub mod shipped;
pub mod sudoers;
pub mod zones;

use crate::plan::{Layer, Plan, Service};
use topology::Topology;

/// Where the plugins are installed on every host and on the monitoring server
/// (Debian's monitoring-plugins directory: `$USER1$`, Icinga 2's `PluginDir`).
pub const PLUGIN_DIR: &str = "/usr/lib/nagios/plugins";
/// NRPE's standard port.
pub const NRPE_PORT: u16 = 5666;
/// The user NRPE and the Nagios / Icinga 2 daemons run the plugins as (Debian's packages).
pub const MONITORING_USER: &str = "nagios";

/// What to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Nagios,
    Nrpe,
    Icinga2,
    /// The files shipped in nagios-config/: commands, CheckCommands, an NRPE example.
    Commands,
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub format: Format,
    /// Icinga 2 only: a satellite zone per Eucalyptus zone.
    pub distributed: bool,
    /// The plugin directory written in NRPE command lines (the Nagios side uses `$USER1$`,
    /// Icinga 2 `PluginDir`).
    pub plugin_dir: String,
    /// The port check_nrpe asks (Nagios).
    pub nrpe_port: u16,
    /// The topology file's name, for messages (`FILE:LINE`).
    pub file: String,
}

impl Settings {
    pub fn new(format: Format, file: &str) -> Settings {
        Settings {
            format,
            distributed: false,
            plugin_dir: PLUGIN_DIR.to_string(),
            nrpe_port: NRPE_PORT,
            file: file.to_string(),
        }
    }
}

/// One generated file: its path under the output directory, and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    pub path: String,
    pub text: String,
}

impl Output {
    fn new(path: impl Into<String>, text: String) -> Output {
        Output {
            path: path.into(),
            text,
        }
    }
}

/// Every file the format asks for, from the topology's plan.
pub fn generate(t: &Topology, settings: &Settings) -> Result<Vec<Output>, String> {
    let plan = crate::plan::plan(t);
    check_values(&plan)?;
    match settings.format {
        Format::Nagios => nagios::generate(t, &plan, settings),
        Format::Nrpe => nrpe::generate(t, &plan, settings),
        Format::Icinga2 => icinga2::generate(t, &plan, settings),
        Format::Commands => Ok(shipped::generate(&plan, settings)),
    }
}

/// The generated command lines are split on white space (NRPE, Nagios) and Nagios reads
/// `!`, `;` and `$` itself: a value carrying one would run something else than planned. The
/// topology's parser already refuses such values; this keeps a plan change from slipping one in.
fn check_values(plan: &Plan) -> Result<(), String> {
    for s in &plan.services {
        for a in s.args() {
            if a.is_empty()
                || a.chars().any(|c| {
                    c.is_whitespace() || matches!(c, '!' | ';' | '$' | '"' | '\'' | '\\' | '`')
                })
            {
                return Err(format!(
                    "service '{}' of host {}: argument '{a}' cannot be written into a command line",
                    s.description, s.host
                ));
            }
        }
    }
    Ok(())
}

/// The command name of a program: `euca_raid` for check_raid, `euca_clc` for check_euca_clc
/// (the names the hand-written definitions used); `euca_mp_disk` for the standard
/// monitoring-plugins' check_disk.
pub fn command_name(program: &str, ours: bool) -> String {
    let short = program.trim_start_matches("check_");
    if ours {
        format!("euca_{}", short.trim_start_matches("euca_"))
    } else {
        format!("euca_mp_{short}")
    }
}

/// NRPE command name of a host-local service.
pub fn nrpe_command(s: &Service) -> String {
    format!("euca_{}", s.id)
}

/// Minutes between checks, between retries, and attempts before a hard state, by layer. Hardware
/// changes slowly and its plugins cost the most (controller tools, BMC): every 5 minutes.
/// The platform every 2 minutes (the Core's every minute). Operations (backups, properties)
/// hourly. A soft state is retried every minute (operations: every 15) before alarming.
pub fn schedule(s: &Service) -> (u32, u32, u32) {
    match s.layer {
        Layer::Hardware => (5, 1, 3),
        Layer::Platform if s.core => (1, 1, 3),
        Layer::Platform => (2, 1, 3),
        Layer::Operations => (60, 15, 2),
    }
}

/// Who the failures reach: the topology's [[contact]]s, or, when it names none, root on the
/// monitoring server (Nagios refuses a configuration without a contact; a failure nobody
/// hears of is what the monitoring is there to prevent).
pub fn contacts(t: &Topology) -> Vec<topology::Contact> {
    if !t.contacts.is_empty() {
        return t.contacts.clone();
    }
    vec![topology::Contact {
        name: "euca-root".to_string(),
        email: "root@localhost".to_string(),
        pager: None,
        at: t.cloud.at,
    }]
}

/// Header of every generated file: what it is (wrapped to 96 columns) and where it came from.
pub fn header(comment: &str, what: &str, settings: &Settings) -> String {
    let mut out = String::new();
    let mut line = comment.to_string();
    for word in what.split_whitespace() {
        if line.len() > comment.len() && line.len() + 1 + word.len() > 96 {
            out.push_str(&line);
            out.push('\n');
            line = comment.to_string();
        }
        line.push(' ');
        line.push_str(word);
    }
    out.push_str(&line);
    out.push('\n');
    out.push_str(&format!(
        "{comment} Generated by `euca-checks generate` from {}: edit the topology and\n\
         {comment} generate again rather than editing this file.\n\n",
        settings.file
    ));
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn topology(name: &str) -> Topology {
        let path = format!("{}/../samples/topology/{name}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap();
        topology::parse(name, &text).unwrap()
    }

    #[test]
    fn command_names_follow_the_suite() {
        assert_eq!(command_name("check_raid", true), "euca_raid");
        assert_eq!(command_name("check_euca_clc", true), "euca_clc");
        assert_eq!(command_name("check_disk", false), "euca_mp_disk");
    }

    #[test]
    fn a_value_that_splits_a_command_line_is_refused() {
        let t = topology("reference.toml");
        let mut plan = crate::plan::plan(&t);
        assert!(check_values(&plan).is_ok());
        plan.services[0]
            .opts
            .push(crate::plan::Opt::new("--mode", "a b"));
        let e = check_values(&plan).unwrap_err();
        assert!(e.contains("'a b'"), "{e}");
    }
}
