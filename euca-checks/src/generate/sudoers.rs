//! The sudoers file of one host: exactly the command lines its host-local checks run as root,
//! from each plugin's own tool list for the planned options (plugins.rs, `Known.sudoers`).
//! Nothing is written for a host whose checks need no root.

use super::{header, Settings, MONITORING_USER};
use crate::plan::{Plan, Runs};

/// What one check needs: its rule lines, or, when the plugin finds its tool only where it
/// runs (check_raid looks for the controller tools installed), why and how to print them there.
pub enum Rules {
    Lines(Vec<String>),
    OnTheHost(String),
}

/// The rules for `host` (possibly none), with the check's description. Only checks run with
/// `--sudo` need any.
pub fn lines(plan: &Plan, host: &str) -> Result<Vec<(String, Rules)>, String> {
    let mut out = Vec::new();
    for s in plan
        .for_host(host)
        .filter(|s| s.ours && s.runs == Runs::OnHost && s.opts.iter().any(|o| o.flag == "--sudo"))
    {
        let Some(known) = crate::plugins::find(s.program) else {
            return Err(format!("{}: not a plugin of the suite", s.program));
        };
        let Some(sudoers) = known.sudoers else {
            continue;
        };
        match sudoers(&s.args(), MONITORING_USER) {
            Ok(rules) if rules.is_empty() => {}
            Ok(rules) => out.push((s.description.clone(), Rules::Lines(rules))),
            Err(e) => out.push((
                s.description.clone(),
                Rules::OnTheHost(format!(
                    "{e}\n# On {host}, print its lines with: {} {} --print-sudoers {MONITORING_USER}",
                    s.program,
                    s.args().join(" ")
                )),
            )),
        }
    }
    Ok(out)
}

/// The file text, or None when the host needs no rule.
pub fn file(plan: &Plan, host: &str, settings: &Settings) -> Result<Option<String>, String> {
    let rules = lines(plan, host)?;
    if rules.is_empty() {
        return Ok(None);
    }
    let mut text = header(
        "#",
        &format!("sudoers rules of {host}'s checks: install as /etc/sudoers.d/euca-checks (mode 0440, visudo -cf)."),
        settings,
    );
    for (description, rules) in rules {
        text.push_str(&format!("# {description}\n"));
        match rules {
            Rules::Lines(lines) => {
                for r in lines {
                    text.push_str(&r);
                    text.push('\n');
                }
            }
            Rules::OnTheHost(why) => text.push_str(&format!("# Not known here: {why}\n")),
        }
    }
    Ok(Some(text))
}
