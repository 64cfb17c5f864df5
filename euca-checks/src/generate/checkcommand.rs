//! The options of a plugin as the generators see them, read from the plugin's clap definition:
//! the Icinga 2 `CheckCommand` (ITL style, one argument per option) and the mapping from a
//! planned option (`--controller md`) to its custom variable (`euca_raid_controller`).

use crate::plugins::Known;
use clap::ArgAction;

/// How an option takes its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `--mode 802.3ad`
    Value,
    /// `--bond bond0 --bond bond1`: an array variable, `repeat_key = true`.
    Repeat,
    /// `--sudo`: a boolean variable, `set_if`.
    Flag,
}

/// One option of a plugin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionSpec {
    /// The form written in the CheckCommand: the long one if the option has one.
    pub key: String,
    /// Every form the option is written in (`-t`, `--timeout`).
    pub forms: Vec<String>,
    /// The Icinga 2 custom variable (`euca_raid_controller`).
    pub var: String,
    /// First line of the option's help.
    pub description: String,
    pub kind: Kind,
}

/// Options that are requests to the program, not settings of a check: help, version, and
/// `--print-sudoers` (prints the sudoers lines instead of checking). No CheckCommand argument.
pub const EXCLUDED: [&str; 3] = ["help", "version", "print_sudoers"];

/// The variable prefix of a plugin: its command name (`euca_raid`).
pub fn prefix(k: &Known) -> String {
    super::command_name(k.plugin.name, true)
}

/// Every option of the plugin (the excluded requests left out), in its definition's order.
pub fn options(k: &Known) -> Vec<OptionSpec> {
    let cmd = (k.command)();
    let prefix = prefix(k);
    let mut out = Vec::new();
    for a in cmd.get_arguments() {
        let id = a.get_id().as_str().replace('-', "_");
        if EXCLUDED.contains(&id.as_str())
            || matches!(a.get_action(), ArgAction::Help | ArgAction::Version)
            || a.is_positional()
        {
            continue;
        }
        let mut forms = Vec::new();
        if let Some(s) = a.get_short() {
            forms.push(format!("-{s}"));
        }
        if let Some(l) = a.get_long() {
            forms.push(format!("--{l}"));
        }
        let Some(key) = forms.last().cloned() else {
            continue;
        };
        let name = a.get_long().map(|l| l.replace('-', "_")).unwrap_or(id);
        let kind = match a.get_action() {
            ArgAction::SetTrue | ArgAction::SetFalse | ArgAction::Count => Kind::Flag,
            ArgAction::Append => Kind::Repeat,
            _ => Kind::Value,
        };
        let description = a
            .get_help()
            .map(|h| h.to_string())
            .unwrap_or_default()
            .lines()
            .next()
            .unwrap_or("")
            .to_string();
        out.push(OptionSpec {
            key,
            forms,
            var: format!("{prefix}_{name}"),
            description,
            kind,
        });
    }
    out
}

/// The option a planned flag (`-t`, `--controller`) is one form of.
pub fn find<'a>(options: &'a [OptionSpec], flag: &str) -> Option<&'a OptionSpec> {
    options.iter().find(|o| o.forms.iter().any(|f| f == flag))
}

/// An Icinga 2 string literal. `$` is left alone: the macros (`$euca_raid_sudo$`) need it, and
/// the planned values cannot carry one (generate::check_values).
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The `object CheckCommand` of a plugin: every option an argument, its variable left unset
/// (the plugin's own default applies; Icinga 2 leaves out an argument whose variable is unset).
pub fn checkcommand(k: &Known) -> String {
    let mut out = format!(
        "/* {}: {} */\nobject CheckCommand {} {{\n  command = [ PluginDir + \"/{}\" ]\n  arguments = {{\n",
        k.plugin.name,
        k.plugin.about,
        quote(&prefix(k)),
        k.plugin.name
    );
    for o in options(k) {
        let var = format!("${}$", o.var);
        let body = match o.kind {
            Kind::Value => format!("value = {}", quote(&var)),
            Kind::Repeat => format!("value = {}\n      repeat_key = true", quote(&var)),
            Kind::Flag => format!("set_if = {}", quote(&var)),
        };
        out.push_str(&format!(
            "    {} = {{\n      {body}\n      description = {}\n    }}\n",
            quote(&o.key),
            quote(&o.description)
        ));
    }
    out.push_str("  }\n}\n\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugins;

    /// The complaint about the hand-written file: these were missing.
    #[test]
    fn the_options_the_hand_written_file_lacked_are_there() {
        let clc = checkcommand(&plugins::find("check_euca_clc").unwrap());
        assert!(
            clc.contains("\"--insecure\" = {\n      set_if = \"$euca_clc_insecure$\""),
            "{clc}"
        );
        let bond = checkcommand(&plugins::find("check_bond").unwrap());
        assert!(
            bond.contains("\"--teamdctl\" = {\n      value = \"$euca_bond_teamdctl$\""),
            "{bond}"
        );
        assert!(
            bond.contains(
                "\"--bond\" = {\n      value = \"$euca_bond_bond$\"\n      repeat_key = true"
            ),
            "{bond}"
        );
        for k in plugins::all() {
            assert!(
                checkcommand(&k).contains("\"--max-output\""),
                "{}",
                k.plugin.name
            );
        }
    }

    /// Every option of every plugin, walked on the clap definition itself (not on options()),
    /// has its argument in the generated CheckCommand, with its variable; only -h, -V and
    /// --print-sudoers are left out.
    #[test]
    fn every_option_of_every_plugin_has_a_checkcommand_argument() {
        let mut checked = 0;
        for k in plugins::all() {
            let text = checkcommand(&k);
            for a in (k.command)().get_arguments() {
                let id = a.get_id().as_str();
                if matches!(id, "help" | "version" | "print_sudoers" | "print-sudoers") {
                    continue;
                }
                let key = match (a.get_long(), a.get_short()) {
                    (Some(l), _) => format!("--{l}"),
                    (None, Some(s)) => format!("-{s}"),
                    (None, None) => panic!("{}: positional {id} has no argument", k.plugin.name),
                };
                assert!(
                    text.contains(&format!("    \"{key}\" = {{\n")),
                    "{}: no CheckCommand argument for {key}:\n{text}",
                    k.plugin.name
                );
                checked += 1;
            }
            // And nothing else: the excluded requests are not arguments.
            assert!(!text.contains("\"--print-sudoers\" ="), "{}", k.plugin.name);
            assert!(!text.contains("\"--help\" ="), "{}", k.plugin.name);
        }
        assert!(checked > 150, "only {checked} options walked");
    }

    #[test]
    fn a_planned_flag_finds_its_option_in_either_form() {
        let opts = options(&plugins::find("check_raid").unwrap());
        assert_eq!(find(&opts, "-t").unwrap().var, "euca_raid_timeout");
        assert_eq!(find(&opts, "--timeout").unwrap().key, "--timeout");
        assert_eq!(find(&opts, "--sudo").unwrap().kind, Kind::Flag);
        assert!(find(&opts, "--nonsense").is_none());
    }

    #[test]
    fn strings_are_quoted_for_icinga() {
        assert_eq!(quote("a\"b\\c$d$"), "\"a\\\"b\\\\c$d$\"");
    }
}
