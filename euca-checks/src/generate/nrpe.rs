//! NRPE: one snippet per host (`nrpe/<host>.cfg`, for /etc/nagios/nrpe.d/) with a
//! `command[euca_<id>]` line per host-local check, every argument fixed here (NRPE's
//! dont_blame_nrpe=0: nothing comes over the wire), and the host's sudoers file
//! (`sudoers/<host>`) when its checks run a tool as root.

use super::{header, nrpe_command, sudoers, Output, Settings};
use crate::plan::{Plan, Runs, Service};
use topology::Topology;

/// The `command[...]=` line of a host-local service.
pub fn command_line(s: &Service, settings: &Settings) -> String {
    let mut line = format!(
        "command[{}]={}/{}",
        nrpe_command(s),
        settings.plugin_dir.trim_end_matches('/'),
        s.program
    );
    for a in s.args() {
        line.push(' ');
        line.push_str(&a);
    }
    line
}

pub fn generate(t: &Topology, plan: &Plan, settings: &Settings) -> Result<Vec<Output>, String> {
    let mut out = Vec::new();
    for h in &t.hosts {
        let local: Vec<&Service> = plan
            .for_host(&h.name)
            .filter(|s| s.runs == Runs::OnHost)
            .collect();
        if local.is_empty() {
            continue;
        }
        let mut text = header(
            "#",
            &format!(
                "NRPE commands of {} ({}): install in /etc/nagios/nrpe.d/.",
                h.name,
                h.roles
                    .iter()
                    .map(|r| r.title())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            settings,
        );
        text.push_str(
            "# Nothing comes over the network (keep dont_blame_nrpe=0): every option is here.\n\
             # Each plugin's -t is below NRPE's command_timeout (60) and check_nrpe's -t (30), so the\n\
             # plugin's own UNKNOWN, naming what hung, arrives rather than theirs.\n",
        );
        for s in local {
            text.push_str(&format!(
                "# {}\n{}\n",
                s.description,
                command_line(s, settings)
            ));
        }
        out.push(Output::new(format!("nrpe/{}.cfg", h.name), text));
        if let Some(text) = sudoers::file(plan, &h.name, settings)? {
            out.push(Output::new(format!("sudoers/{}", h.name), text));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::tests::topology;
    use super::super::{generate as gen, Format, Settings};

    fn files() -> Vec<super::Output> {
        let t = topology("reference.toml");
        gen(&t, &Settings::new(Format::Nrpe, "reference.toml")).unwrap()
    }

    #[test]
    fn each_host_gets_its_local_commands_with_fixed_arguments() {
        let files = files();
        let nc = files
            .iter()
            .find(|f| f.path == "nrpe/nc-one-1.cfg")
            .unwrap();
        assert!(nc.text.contains(
            "command[euca_raid]=/usr/lib/nagios/plugins/check_raid -t 10 --controller storcli --sudo --max-age 300\n"
        ), "{}", nc.text);
        assert!(nc
            .text
            .contains("command[euca_edge]=/usr/lib/nagios/plugins/check_euca_edge -t 10\n"));
        assert!(nc.text.contains("command[euca_clock]=/usr/lib/nagios/plugins/check_ntp_time -H 10.111.5.2 -w 0.5 -c 1\n"));
        // Asked from the monitor: not in the snippet.
        assert!(!nc.text.contains("check_ups"), "{}", nc.text);
        assert!(!nc.text.contains("$ARG"), "{}", nc.text);
    }

    #[test]
    fn sudoers_only_for_hosts_whose_checks_need_root() {
        let files = files();
        let cc = files.iter().find(|f| f.path == "sudoers/cc-one-a").unwrap();
        let rules: Vec<&str> = cc
            .text
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .collect();
        // Its SAN map: multipath -ll as root, exactly.
        assert_eq!(
            rules,
            ["nagios ALL=(root) NOPASSWD: /usr/sbin/multipath -ll"],
            "{}",
            cc.text
        );
        // storcli is looked for where check_raid runs: its lines if this machine has it, else
        // how to print them on the host.
        let nc = files.iter().find(|f| f.path == "sudoers/nc-one-1").unwrap();
        assert!(
            nc.text.contains("storcli64 /call show all J\n")
                || nc.text.contains("# On nc-one-1, print its lines with: check_raid -t 10 --controller storcli --sudo --max-age 300 --print-sudoers nagios\n"),
            "{}", nc.text
        );
        // clc1: md RAID, no SAN map, BMC over the LAN: nothing needs root.
        assert!(files.iter().all(|f| f.path != "sudoers/clc1"));
        assert!(files.iter().any(|f| f.path == "nrpe/clc1.cfg"));
    }
}
