//! The library behind the `euca-checks` command: the plugin registry, and (one module per job)
//! what the subcommands do. The binary (`main.rs`) only parses the command line and wires.

pub mod audit;
pub mod cli;
pub mod generate;
pub mod plan;
pub mod plugins;
pub mod run;
