//! The euca-checks plugin kit: everything the `check_*` plugins share.
//!
//! A plugin is three pure parts and one call: a parser (text in, typed model out), an
//! evaluation (model and options in, [`Finding`]s and [`Perfdata`] out, gathered in a
//! [`Report`]), acquisition through [`Context`] (host files under `--root`, saved sources from
//! `--input`, tools), and `main` calling [`run`] (one line: `common::main!(check_raid);`). Only this crate prints and
//! exits.

pub mod context;
pub mod error;
pub mod perfdata;
pub mod range;
pub mod report;
pub mod runner;
pub mod state;
pub mod status;
pub mod sudoers;
pub mod thresholds;
pub mod tool;

pub use context::{Context, InputSpec};
pub use error::{CheckError, ParseError};
pub use perfdata::{Perfdata, Uom};
pub use range::{Range, RangeError};
pub use report::{Finding, Report};
pub use runner::{command, run, run_from, run_with_tools, CheckFn, Plugin, ToolsFn};
pub use state::{Cached, StateDir, StateLock};
pub use status::Status;
pub use thresholds::{Metric, MetricList, PerMetric, Thresholds};
pub use tool::{ToolCommand, ToolError, ToolOutput};
