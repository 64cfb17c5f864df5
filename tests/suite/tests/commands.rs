//! Every plugin's own command line, walked from its `command()` function: the thing a
//! configuration generator, man pages and Icinga 2 CheckCommands are made from. Options are
//! well formed, help says only what applies, the usage line is the README's synopsis, a bad
//! value is refused in plain words, and packaging/sudoers is what the plugins print.

use clap::{ArgAction, Command, FromArgMatches};
use common::runner::parse_args;
use common::Plugin;
use std::path::PathBuf;

struct Entry {
    plugin: Plugin,
    command: fn() -> Command,
    takes_ranges: bool,
}

fn plugins() -> Vec<Entry> {
    vec![
        Entry {
            plugin: check_raid::PLUGIN,
            command: check_raid::command,
            takes_ranges: true,
        },
        Entry {
            plugin: check_bond::PLUGIN,
            command: check_bond::command,
            takes_ranges: false,
        },
        Entry {
            plugin: check_ups::PLUGIN,
            command: check_ups::command,
            takes_ranges: true,
        },
        Entry {
            plugin: check_euca_clc::PLUGIN,
            command: check_euca_clc::command,
            takes_ranges: false,
        },
        Entry {
            plugin: check_ipmi::PLUGIN,
            command: check_ipmi::command,
            takes_ranges: false,
        },
        Entry {
            plugin: check_san_path::PLUGIN,
            command: check_san_path::command,
            takes_ranges: false,
        },
        Entry {
            plugin: check_euca_proc::PLUGIN,
            command: check_euca_proc::command,
            takes_ranges: false,
        },
        Entry {
            plugin: check_euca_edge::PLUGIN,
            command: check_euca_edge::command,
            takes_ranges: true,
        },
        Entry {
            plugin: check_euca_nodes::PLUGIN,
            command: check_euca_nodes::command,
            takes_ranges: false,
        },
        Entry {
            plugin: check_euca_workers::PLUGIN,
            command: check_euca_workers::command,
            takes_ranges: false,
        },
        Entry {
            plugin: check_euca_endpoint::PLUGIN,
            command: check_euca_endpoint::command,
            takes_ranges: true,
        },
        Entry {
            plugin: check_riak::PLUGIN,
            command: check_riak::command,
            takes_ranges: true,
        },
        Entry {
            plugin: check_euca_db::PLUGIN,
            command: check_euca_db::command,
            takes_ranges: true,
        },
        Entry {
            plugin: check_euca_backup::PLUGIN,
            command: check_euca_backup::command,
            takes_ranges: true,
        },
        Entry {
            plugin: check_euca_props::PLUGIN,
            command: check_euca_props::command,
            takes_ranges: false,
        },
        Entry {
            plugin: check_euca_topology::PLUGIN,
            command: check_euca_topology::command,
            takes_ranges: false,
        },
    ]
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn longs(cmd: &Command) -> Vec<String> {
    cmd.get_arguments()
        .filter_map(|a| a.get_long())
        .map(|l| format!("--{l}"))
        .collect()
}

#[test]
fn every_plugin_command_has_the_standard_options_and_help_for_each() {
    for e in plugins() {
        let mut cmd = (e.command)();
        cmd.clone().debug_assert(); // clap's own consistency checks (ids, conflicts, names)
        cmd.build(); // adds --help and --version
        assert_eq!(cmd.get_name(), e.plugin.name);
        let longs = longs(&cmd);
        for standard in [
            "--timeout",
            "--verbose",
            "--max-output",
            "--help",
            "--version",
        ] {
            assert!(
                longs.iter().any(|l| l == standard),
                "{}: {standard}",
                e.plugin.name
            );
        }
        let has = |l: &str| longs.iter().any(|x| x == l);
        assert_eq!(has("--root"), e.plugin.reads_host, "{}", e.plugin.name);
        assert_eq!(
            has("--input"),
            !e.plugin.inputs.is_empty(),
            "{}",
            e.plugin.name
        );
        assert_eq!(
            has("--print-sudoers"),
            e.plugin.runs_tools,
            "{}",
            e.plugin.name
        );
        assert_eq!(
            has("--state-dir"),
            e.plugin.keeps_state,
            "{}",
            e.plugin.name
        );
        for arg in cmd.get_arguments() {
            assert!(
                arg.get_help().is_some_and(|h| !h.to_string().is_empty()),
                "{}: --{} has no help",
                e.plugin.name,
                arg.get_id()
            );
        }
    }
}

#[test]
fn help_explains_ranges_and_tool_killing_only_in_plugins_they_apply_to() {
    for e in plugins() {
        let help = (e.command)().render_long_help().to_string();
        assert_eq!(
            help.contains("Ranges: N (alert outside 0..N)"),
            e.takes_ranges,
            "{}:\n{help}",
            e.plugin.name
        );
        assert_eq!(
            help.contains("killing any tool"),
            e.plugin.runs_tools,
            "{}",
            e.plugin.name
        );
        assert!(help.contains("Exit status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN"));
    }
    // the plugins that run tools are the ones that declare it
    let running: Vec<&str> = plugins()
        .iter()
        .filter(|e| e.plugin.runs_tools)
        .map(|e| e.plugin.name)
        .collect();
    assert_eq!(
        running,
        [
            "check_raid",
            "check_bond",
            "check_ipmi",
            "check_san_path",
            "check_euca_backup"
        ]
    );
}

#[test]
fn the_usage_line_is_the_readme_synopsis_and_names_real_options() {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    for e in plugins() {
        let synopsis = e.plugin.synopsis;
        assert!(
            readme.contains(&format!("```\n{synopsis}\n```")),
            "README.md has no synopsis block equal to {}'s:\n{synopsis}",
            e.plugin.name
        );
        let mut cmd = (e.command)();
        let usage = cmd.render_usage().to_string();
        let first = synopsis.lines().next().unwrap();
        assert!(usage.starts_with(&format!("Usage: {first}")), "{usage}");
        let longs = longs(&cmd);
        for word in synopsis.split(|c: char| c.is_whitespace() || "[]|".contains(c)) {
            let Some(opt) = word.strip_prefix("--") else {
                continue;
            };
            // `--runtime-... R` stands for the --runtime-warning/--runtime-critical pair
            let opt = opt.split(['=', '.']).next().unwrap().trim_end_matches('-');
            let exists = longs
                .iter()
                .any(|l| l == &format!("--{opt}") || l.starts_with(&format!("--{opt}-")));
            assert!(
                exists,
                "{}: synopsis names --{opt}, which is no option",
                e.plugin.name
            );
        }
    }
}

fn usage_error(e: &Entry, args: &[&str]) -> Option<String> {
    let mut argv = vec![e.plugin.name.to_string()];
    argv.extend(args.iter().map(|a| a.to_string()));
    parse_args(
        &mut (e.command)(),
        argv.into_iter().map(Into::into).collect(),
    )
    .err()
}

#[test]
fn numeric_options_say_what_they_accept() {
    let all = plugins();
    let by_name = |n: &str| all.iter().find(|e| e.plugin.name == n).unwrap();
    let table: &[(&str, &[&str], &str)] = &[
        ("check_raid", &["-t", "0"], "-t 0: expected seconds, more than 0 and at most 86400"),
        ("check_raid", &["-t", "86401"], "-t 86401: expected seconds, more than 0 and at most 86400"),
        ("check_raid", &["--timeout", "ten"], "-t ten: expected seconds, more than 0 and at most 86400"),
        ("check_raid", &["--expect", "abc"], "--expect abc: expected a whole number"),
        ("check_raid", &["--expect", "1.5"], "--expect 1.5: expected a whole number"),
        ("check_raid", &["--expect", "99999999999999999999999"], "--expect 99999999999999999999999: expected a whole number (this one is too large)"),
        ("check_raid", &["--expect", "-1"], "--expect -1: a negative number is not accepted here"),
        ("check_raid", &["--max-output", "10"], "--max-output 10: expected bytes from 256 to 1048576"),
        ("check_bond", &["--min-slaves", "two"], "--min-slaves two: expected a whole number"),
        ("check_bond", &["--critical-slaves", "x"], "--critical-slaves x: expected a whole number"),
        ("check_bond", &["--max-output", "2000000"], "--max-output 2000000: expected bytes from 256 to 1048576"),
        ("check_euca_clc", &["--min-ufs", "x"], "--min-ufs x: expected a whole number"),
        ("check_euca_clc", &["--min-nodes", "3x"], "--min-nodes 3x: expected a whole number"),
        ("check_euca_clc", &["--signature", "v3"], "--signature v3: expected one of v2, v4"),
        ("check_ups", &["--charge-warning", "20:10"], "--charge-warning 20:10: expected a range N, N:, ~:N, N:M or @N:M (start is greater than end)"),
        ("check_ups", &["--load-critical", "lots"], "--load-critical lots: expected N, N:, ~:N, N:M or @N:M with plain decimal numbers (e.g. 10, 10:, ~:10, 10:20, @10:20)"),
        ("check_ups", &["--ups", "ups1@host:99999"], "--ups ups1@host:99999: expected a TCP port from 1 to 65535, not '99999'"),
        ("check_ups", &["-t", "-5"], "-t -5: a negative number is not accepted here"),
        ("check_raid", &["--root", "/", "--root", "/x"], "--root given twice"),
    ];
    for (name, args, want) in table {
        let got = usage_error(by_name(name), args);
        assert_eq!(got.as_deref(), Some(*want), "{name} {args:?}");
    }
}

#[test]
fn no_option_of_any_plugin_lets_clap_or_std_wording_through() {
    // Wording of clap and of the standard library's number parsers.
    let foreign = [
        "invalid value",
        "invalid digit",
        "is not in",
        "for '--",
        "error:",
        "found in string",
        "cannot parse integer",
        "invalid float",
        "unexpected argument '-",
    ];
    let bad_values = [
        "abc",
        "0",
        "-1",
        "1e999",
        "1.5",
        "x:y",
        "20:10",
        "99999999999999999999",
    ];
    let mut refused = 0;
    for e in plugins() {
        let cmd = (e.command)();
        for arg in cmd.get_arguments() {
            let takes_value = matches!(arg.get_action(), ArgAction::Set | ArgAction::Append);
            let Some(long) = arg.get_long().filter(|_| takes_value) else {
                continue;
            };
            for value in bad_values {
                let given = format!("--{long}={value}");
                let Some(message) = usage_error(&e, &[&given]) else {
                    continue;
                };
                refused += 1;
                assert!(
                    !foreign.iter().any(|f| message.contains(f)),
                    "{} {given}: {message}",
                    e.plugin.name
                );
                let shown = arg
                    .get_short()
                    .map_or_else(|| format!("--{long}"), |c| format!("-{c}"));
                assert!(
                    message.starts_with(&format!("{shown} {value}: expected")),
                    "{} {given}: {message}",
                    e.plugin.name
                );
            }
        }
    }
    // the walk did refuse values (so the assertions above ran)
    assert!(refused > 40, "only {refused} values refused");
}

#[test]
fn packaging_sudoers_is_what_the_plugins_print() {
    let packaged = std::fs::read_to_string(repo().join("packaging/sudoers")).unwrap();
    let rules: Vec<&str> = packaged
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with("Defaults"))
        .collect();
    assert!(
        rules.iter().all(|l| !l.contains('*')),
        "a wildcard in packaging/sudoers: {rules:?}"
    );
    // check_bond as the shipped example configures it: team0 through sudo, the package's path.
    let argv = [
        "check_bond",
        "--team",
        "team0",
        "--sudo",
        "--teamdctl",
        "/usr/bin/teamdctl",
    ];
    let matches = parse_args(
        &mut check_bond::command(),
        argv.iter().map(Into::into).collect(),
    )
    .unwrap();
    let opts = check_bond::Options::from_arg_matches(&matches).unwrap();
    let tools = check_bond::tools(&opts, &common::Context::for_root("/")).unwrap();
    let mut printed = rules_of("check_bond", &tools);
    assert_eq!(
        printed,
        ["nagios ALL=(root) NOPASSWD: /usr/bin/teamdctl team0 state dump"]
    );
    // check_ipmi in-band through sudo, with the default tool and state directory.
    let matches = parse_args(
        &mut check_ipmi::command(),
        ["check_ipmi", "--sudo"].iter().map(Into::into).collect(),
    )
    .unwrap();
    let opts = check_ipmi::Options::from_arg_matches(&matches).unwrap();
    let tools = check_ipmi::tools(&opts, &common::Context::for_root("/")).unwrap();
    printed.extend(rules_of("check_ipmi", &tools));
    // check_san_path as nrpe/euca-checks.cfg runs it: multipath -ll through sudo.
    let argv = [
        "check_san_path",
        "--sudo",
        "--multipath",
        "/usr/sbin/multipath",
    ];
    let matches = parse_args(
        &mut check_san_path::command(),
        argv.iter().map(Into::into).collect(),
    )
    .unwrap();
    let opts = check_san_path::Options::from_arg_matches(&matches).unwrap();
    let tools = check_san_path::tools(&opts, &common::Context::for_root("/")).unwrap();
    printed.extend(rules_of("check_san_path", &tools));
    assert_eq!(
        printed[1..],
        [
            "nagios ALL=(root) NOPASSWD: /usr/sbin/ipmi-sensors --quiet-cache --sdr-cache-file\\=/var/lib/euca-checks/ipmi-sdr-local.cache --output-sensor-state --output-sensor-thresholds --interpret-oem-data",
            "nagios ALL=(root) NOPASSWD: /usr/sbin/multipath -ll"
        ]
    );
    // check_raid --sudo, each controller tool at its vendor's default path.
    use check_raid::controllers::{commands, Family};
    let raid: Vec<common::ToolCommand> = [
        (Family::Storcli, "/opt/MegaRAID/storcli/storcli64"),
        (Family::Storcli, "/opt/MegaRAID/perccli/perccli64"),
        (Family::Megacli, "/opt/MegaRAID/MegaCli/MegaCli64"),
        (Family::Ssacli, "/usr/sbin/ssacli"),
        (Family::Arcconf, "/usr/sbin/arcconf"),
    ]
    .iter()
    .flat_map(|(f, p)| commands(*f, std::path::Path::new(p), true))
    .collect();
    printed.extend(rules_of("check_raid", &raid));
    assert_eq!(rules, printed);
}

/// The rule lines (comments left out) of the sudoers file a plugin prints for these tools.
fn rules_of(plugin: &str, tools: &[common::ToolCommand]) -> Vec<String> {
    common::sudoers::file_text(plugin, "nagios", tools)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(String::from)
        .collect()
}

#[test]
fn check_bond_without_a_team_to_ask_says_how_to_name_one() {
    let dir = std::env::temp_dir().join(format!("euca-commands-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let matches = parse_args(
        &mut check_bond::command(),
        ["check_bond"].iter().map(Into::into).collect(),
    )
    .unwrap();
    let opts = check_bond::Options::from_arg_matches(&matches).unwrap();
    let err = check_bond::tools(&opts, &common::Context::for_root(&dir)).unwrap_err();
    assert!(
        err.to_string().contains("--team DEV --print-sudoers"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(dir);
}
