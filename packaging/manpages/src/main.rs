//! `euca-checks-manpages DIR`: write DIR/check_x.1 for every binary (packaging/build runs it).

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let (Some(dir), None) = (args.next(), args.next()) else {
        eprintln!("usage: euca-checks-manpages DIR");
        return ExitCode::from(2);
    };
    let dir = PathBuf::from(dir);
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("euca-checks-manpages: cannot create {}: {e}", dir.display());
        return ExitCode::FAILURE;
    }
    for page in euca_checks_manpages::pages() {
        let path = dir.join(format!("{}.1", page.name));
        let written = euca_checks_manpages::render((page.command)())
            .and_then(|roff| std::fs::write(&path, roff));
        if let Err(e) = written {
            eprintln!("euca-checks-manpages: cannot write {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
        println!("{}", path.display());
    }
    ExitCode::SUCCESS
}
