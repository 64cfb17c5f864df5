//! Man pages for every euca-checks binary, made from the same clap `Command` the binary parses
//! its options with, so `--help` and `man check_x` cannot drift apart.
//!
//! Each plugin crate exposes `pub fn command() -> clap::Command` (the kit's standard options,
//! the plugin's own, the README synopsis and the exit-status text). [`pages`] lists them;
//! [`render`] turns one into roff. A binary that joins the packages joins [`pages`] too:
//! the tests below fail while a crate under plugins/ has no page, and packaging/build refuses
//! to pack a binary without one.

use clap::Command;

/// One man page: the binary's name and its command line.
pub struct Page {
    pub name: &'static str,
    pub command: fn() -> Command,
}

/// Every shipped binary that gets a page (section 1).
pub fn pages() -> Vec<Page> {
    vec![
        Page {
            name: "check_bond",
            command: check_bond::command,
        },
        Page {
            name: "check_euca_backup",
            command: check_euca_backup::command,
        },
        Page {
            name: "check_euca_clc",
            command: check_euca_clc::command,
        },
        Page {
            name: "check_euca_db",
            command: check_euca_db::command,
        },
        Page {
            name: "check_euca_edge",
            command: check_euca_edge::command,
        },
        Page {
            name: "check_euca_endpoint",
            command: check_euca_endpoint::command,
        },
        Page {
            name: "check_euca_topology",
            command: check_euca_topology::command,
        },
        Page {
            name: "check_euca_nodes",
            command: check_euca_nodes::command,
        },
        Page {
            name: "check_euca_proc",
            command: check_euca_proc::command,
        },
        Page {
            name: "check_euca_props",
            command: check_euca_props::command,
        },
        Page {
            name: "check_euca_workers",
            command: check_euca_workers::command,
        },
        Page {
            name: "check_ipmi",
            command: check_ipmi::command,
        },
        Page {
            name: "check_raid",
            command: check_raid::command,
        },
        Page {
            name: "check_riak",
            command: check_riak::command,
        },
        Page {
            name: "check_san_path",
            command: check_san_path::command,
        },
        Page {
            name: "check_ups",
            command: check_ups::command,
        },
        Page {
            name: "euca-checks",
            command: euca_checks::cli::command,
        },
    ]
}

/// Where the admin finds what a page cannot hold (examples, configuration, sudoers).
const SEE_ALSO: &str = ".SH \"SEE ALSO\"
/usr/share/doc/euca\\-checks/README.md (every plugin, with examples),
/usr/share/euca\\-checks/nagios\\-config/ (Nagios, NRPE and Icinga 2 definitions),
/etc/sudoers.d/euca\\-checks (the tool command lines that need root).
";

/// The roff text of one page.
pub fn render(command: Command) -> std::io::Result<Vec<u8>> {
    let version = command.get_version().unwrap_or_default().to_string();
    // euca-checks: its subcommands (generate, audit, run ...) get a section of their own.
    let has_subcommands = command.has_subcommands();
    // What --help prints after "Usage: " (the plugin's synopsis when it has one).
    let usage = command
        .clone()
        .render_usage()
        .to_string()
        .strip_prefix("Usage: ")
        .map(str::to_string);
    let man = clap_mangen::Man::new(command)
        .section("1")
        .manual("euca-checks")
        .source(format!("euca-checks {version}"));
    let mut out = Vec::new();
    man.render_title(&mut out)?;
    man.render_name_section(&mut out)?;
    // The usage --help prints (the README synopsis, with each option's value) rather than
    // clap_mangen's own list of bare flags.
    match &usage {
        Some(usage) => {
            out.extend_from_slice(b".SH SYNOPSIS\n.nf\n");
            for line in usage.lines() {
                out.extend_from_slice(roff_escape(line.trim_start()).as_bytes());
                out.push(b'\n');
            }
            out.extend_from_slice(b".fi\n");
        }
        None => man.render_synopsis_section(&mut out)?,
    }
    man.render_description_section(&mut out)?;
    man.render_options_section(&mut out)?;
    if has_subcommands {
        man.render_subcommands_section(&mut out)?;
    }
    man.render_extra_section(&mut out)?;
    man.render_version_section(&mut out)?;
    out.extend_from_slice(SEE_ALSO.as_bytes());
    Ok(out)
}

/// Text as a roff line: backslashes and hyphens escaped, a leading dot or quote made literal.
fn roff_escape(text: &str) -> String {
    let escaped = text.replace('\\', "\\\\").replace('-', "\\-");
    if escaped.starts_with('.') || escaped.starts_with('\'') {
        format!("\\&{escaped}")
    } else {
        escaped
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// Roff source to the words a reader sees: the escapes clap_mangen (its roff crate) writes
    /// for fonts, hyphens, backslashes and a leading dot or quote, and the request lines.
    fn roff_to_text(roff: &str) -> String {
        let mut text = String::new();
        for line in roff.lines() {
            let body = if line.starts_with('.') {
                // A request line: keep the words of the ones that carry text (.TP, .IP take none).
                match line.split_once(' ') {
                    Some((".SH" | ".TH" | ".B" | ".I" | ".IP" | ".BR" | ".BI", rest)) => rest,
                    _ => continue,
                }
            } else {
                line
            };
            let plain = body
                .replace("\\fB", "")
                .replace("\\fI", "")
                .replace("\\fR", "")
                .replace("\\fP", "")
                .replace("\\-", "-")
                .replace("\\&", "")
                .replace("\\(aq", "'")
                .replace("\\*(Aq", "'")
                .replace("\\(lq", "\"")
                .replace("\\(rq", "\"")
                .replace("\\\\", "\\");
            text.push_str(&plain);
            text.push('\n');
        }
        text
    }

    fn squeeze(s: &str) -> String {
        s.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    #[test]
    fn every_plugin_crate_has_a_page() {
        let plugins = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../plugins");
        let mut crates = BTreeSet::new();
        for entry in std::fs::read_dir(&plugins).expect("plugins/ is readable") {
            let path = entry.expect("plugins/ entry").path();
            if path.join("Cargo.toml").is_file() {
                crates.insert(path.file_name().unwrap().to_string_lossy().into_owned());
            }
        }
        // The admin command too.
        crates.insert("euca-checks".to_string());
        let paged: BTreeSet<String> = pages().iter().map(|p| p.name.to_string()).collect();
        assert!(crates.len() >= 16, "plugins/ read wrongly: {crates:?}");
        assert_eq!(crates, paged, "plugins/ crates and pages() differ");
    }

    #[test]
    fn page_names_are_the_binaries() {
        for page in pages() {
            assert_eq!((page.command)().get_name(), page.name);
        }
    }

    /// Every option appears in `--help` and in the page with the same flags and the same help
    /// line, and the page has the about text and the exit-status paragraph of `--help`.
    #[test]
    fn help_and_man_page_say_the_same() {
        for page in pages() {
            let mut command = (page.command)();
            let help = squeeze(&command.render_long_help().to_string());
            let roff = String::from_utf8(render((page.command)()).unwrap()).unwrap();
            let man = squeeze(&roff_to_text(&roff));
            if command.has_subcommands() {
                // euca-checks: the page names each subcommand with its about line (each
                // subcommand's own options are in `euca-checks SUBCOMMAND --help`).
                for sub in command.get_subcommands().filter(|c| c.get_name() != "help") {
                    let about = squeeze(&sub.get_about().unwrap().to_string());
                    assert!(
                        man.contains(sub.get_name()),
                        "{}: lacks {}",
                        page.name,
                        sub.get_name()
                    );
                    assert!(
                        man.contains(&about),
                        "{}: lacks {about:?}\n{man}",
                        page.name
                    );
                }
                continue;
            }
            let mut checked = 0;
            for arg in command.get_arguments() {
                if arg.is_hide_set() {
                    continue;
                }
                let mut flags = Vec::new();
                if let Some(long) = arg.get_long() {
                    flags.push(format!("--{long}"));
                }
                if let Some(short) = arg.get_short() {
                    flags.push(format!("-{short}"));
                }
                for flag in &flags {
                    assert!(
                        help.contains(flag.as_str()),
                        "{}: --help lacks {flag}",
                        page.name
                    );
                    assert!(
                        man.contains(flag.as_str()),
                        "{}: man page lacks {flag}",
                        page.name
                    );
                }
                let said = arg
                    .get_long_help()
                    .or(arg.get_help())
                    .map(|h| squeeze(&h.to_string()));
                if let Some(said) = said {
                    assert!(help.contains(&said), "{}: --help lacks {said:?}", page.name);
                    assert!(
                        man.contains(&said),
                        "{}: man page lacks {said:?}\n{man}",
                        page.name
                    );
                }
                checked += 1;
            }
            assert!(checked >= 5, "{}: only {checked} options walked", page.name);
            let about = squeeze(&command.get_about().unwrap().to_string());
            assert!(
                man.contains(&about),
                "{}: man page lacks its about text",
                page.name
            );
            let after = squeeze(&command.get_after_help().unwrap().to_string());
            assert!(
                help.contains(&after) && man.contains(&after),
                "{}: exit status text",
                page.name
            );
            assert!(
                man.contains(&format!("{} -", page.name)),
                "{}: NAME section",
                page.name
            );
            let usage = squeeze(
                command
                    .render_usage()
                    .to_string()
                    .strip_prefix("Usage: ")
                    .unwrap(),
            );
            assert!(
                help.contains(&usage),
                "{}: --help lacks its synopsis",
                page.name
            );
            assert!(
                man.contains(&format!("SYNOPSIS {usage}")),
                "{}: man SYNOPSIS differs",
                page.name
            );
        }
    }

    #[test]
    fn the_unescaping_used_above_is_not_a_no_op() {
        // If roff_to_text passed escapes through, the test above would fail; if it dropped
        // text, this shows it: a page's option names survive only as unescaped words.
        let roff = String::from_utf8(render(check_raid::command()).unwrap()).unwrap();
        assert!(
            roff.contains("\\-\\-array"),
            "clap_mangen escaped differently: {roff}"
        );
        assert!(roff_to_text(&roff).contains("--array"));
    }
}
