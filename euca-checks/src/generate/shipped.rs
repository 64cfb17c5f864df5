//! `--commands-only`: the files shipped in nagios-config/ for sites that write their own hosts
//! and services: the Nagios command definitions, the Icinga 2 CheckCommands (both independent
//! of the topology but for the standard plugins it uses), and an NRPE example: for each program
//! a host runs locally, the first such command of the topology's plan (the reference
//! deployment's, for the shipped copy). Regenerated, never edited: a suite test fails when the
//! committed files differ from a fresh generation.

use super::{header, icinga2, nagios, nrpe, Output, Settings};
use crate::plan::{Plan, Runs};

pub fn generate(plan: &Plan, settings: &Settings) -> Vec<Output> {
    vec![
        Output::new(
            "nagios/euca-checks-commands.cfg",
            nagios::commands(plan, settings),
        ),
        Output::new(
            "icinga2/euca-checks-commands.conf",
            icinga2::commands(settings),
        ),
        Output::new("nrpe/euca-checks.cfg", nrpe_example(plan, settings)),
    ]
}

fn nrpe_example(plan: &Plan, settings: &Settings) -> String {
    let mut out = header(
        "#",
        "NRPE example of euca-checks, for /etc/nagios/nrpe.d/: one command per host-local program, as the plan gives it for one host (adjust per host, or generate each host's snippet with `euca-checks generate --nrpe`).",
        settings,
    );
    out.push_str(
        "# Nothing comes over the network (keep dont_blame_nrpe=0): every option is here. Each\n\
         # plugin's -t is below NRPE's command_timeout and check_nrpe's -t, so the plugin's own\n\
         # UNKNOWN, naming what hung, arrives rather than theirs. Options with --sudo need the\n\
         # lines `PLUGIN OPTIONS --print-sudoers nagios` prints in /etc/sudoers.d/.\n",
    );
    let mut seen: Vec<&str> = Vec::new();
    for s in plan.services.iter().filter(|s| s.runs == Runs::OnHost) {
        if seen.contains(&s.program) {
            continue;
        }
        seen.push(s.program);
        out.push_str(&format!(
            "# {} (as on {})\n{}\n",
            s.description,
            s.host,
            nrpe::command_line(s, settings)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::tests::topology;
    use super::super::{generate as gen, Format, Settings};

    #[test]
    fn the_nrpe_example_has_one_command_per_local_program() {
        let t = topology("reference.toml");
        let files = gen(&t, &Settings::new(Format::Commands, "reference.toml")).unwrap();
        let nrpe = files
            .iter()
            .find(|f| f.path == "nrpe/euca-checks.cfg")
            .unwrap();
        let names: Vec<&str> = nrpe
            .text
            .lines()
            .filter_map(|l| l.strip_prefix("command["))
            .filter_map(|l| l.split(']').next())
            .collect();
        assert_eq!(
            names,
            [
                "euca_raid",
                "euca_bond",
                "euca_disk",
                "euca_clock",
                "euca_proc",
                "euca_db",
                "euca_backup",
                "euca_san_path",
                "euca_edge"
            ],
            "{}",
            nrpe.text
        );
        let nagios = files
            .iter()
            .find(|f| f.path == "nagios/euca-checks-commands.cfg")
            .unwrap();
        assert!(nagios
            .text
            .contains("command_name                   euca_clc\n"));
    }
}
