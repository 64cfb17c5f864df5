//! `euca-checks generate`'s command line and the one place it touches files: read the
//! topology, write the generated files under DIR (creating directories), report.

use super::{generate, Format, Settings, NRPE_PORT, PLUGIN_DIR};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
#[command(group(clap::ArgGroup::new("format").required(true).args(["nagios", "nrpe", "icinga2", "commands_only"])))]
pub struct Args {
    /// Nagios 4 object files (include the directory with cfg_dir=)
    #[arg(long)]
    pub nagios: bool,
    /// NRPE snippets (nrpe/HOST.cfg) and sudoers files (sudoers/HOST) per host
    #[arg(long)]
    pub nrpe: bool,
    /// Icinga 2 zones.conf and zones.d/ (CheckCommands, hosts, apply rules, notifications)
    #[arg(long)]
    pub icinga2: bool,
    /// Only what nagios-config/ ships: the Nagios commands, the Icinga 2 CheckCommands and an
    /// NRPE example (nagios/, icinga2/, nrpe/ under DIR)
    #[arg(long)]
    pub commands_only: bool,
    /// With --icinga2: a satellite zone per Eucalyptus zone ([[zone]] satellite), checking
    /// that zone's hosts
    #[arg(long)]
    pub distributed: bool,
    /// The plugin directory on the hosts, in NRPE command lines
    #[arg(long, value_name = "DIR", default_value = PLUGIN_DIR)]
    pub plugin_dir: String,
    /// The port check_nrpe asks, in the Nagios euca_nrpe command
    #[arg(long, value_name = "PORT", default_value_t = NRPE_PORT)]
    pub nrpe_port: u16,
    /// The output directory (created; files of the same names are replaced)
    #[arg(short = 'o', long = "output", value_name = "DIR")]
    pub output: PathBuf,
    /// The topology file (docs/topology.md)
    #[arg(value_name = "TOPOLOGY")]
    pub topology: PathBuf,
}

pub fn run(args: &Args) -> ExitCode {
    match write(args) {
        Ok(written) => {
            // The list of what was written; a closed pipe (`| head`) is no failure.
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            for p in written {
                if writeln!(out, "{}", p.display()).is_err() {
                    break;
                }
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("euca-checks generate: {e}");
            ExitCode::from(2)
        }
    }
}

fn write(args: &Args) -> Result<Vec<PathBuf>, String> {
    // Checked here: clap's `requires` counts a flag's default (false) as given.
    if args.distributed && !args.icinga2 {
        return Err(
            "--distributed is Icinga 2's distributed monitoring: use it with --icinga2".into(),
        );
    }
    let file = args.topology.display().to_string();
    let text = std::fs::read_to_string(&args.topology)
        .map_err(|e| format!("cannot read the topology {file}: {e}"))?;
    let t = topology::parse(&file, &text).map_err(|e| e.to_string())?;
    let format = if args.nagios {
        Format::Nagios
    } else if args.nrpe {
        Format::Nrpe
    } else if args.commands_only {
        Format::Commands
    } else {
        Format::Icinga2
    };
    let mut settings = Settings::new(format, &file);
    settings.distributed = args.distributed;
    settings.plugin_dir = args.plugin_dir.clone();
    settings.nrpe_port = args.nrpe_port;
    let outputs = generate(&t, &settings)?;
    let mut written = Vec::new();
    for o in outputs {
        let path = args.output.join(&o.path);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        std::fs::write(&path, o.text)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}
