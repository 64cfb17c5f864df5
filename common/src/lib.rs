//! The euca-checks plugin kit: everything the `check_*` plugins share.
//!
//! A plugin is three pure parts and one call: a parser (text in, typed model out), an
//! evaluation (model and options in, [`Finding`]s and [`Perfdata`] out, gathered in a
//! [`Report`]), acquisition through [`Context`] (host files under `--root`, saved sources from
//! `--input`, tools), and `main` calling [`run`] (one line: `common::main!(check_raid);`).
//! Only this crate prints and exits.
//!
//! What a source gave is an [`Acquisition`] (read, missing, unreadable, unreachable, not
//! asked), worded the same in every plugin. Passwords and keys are [`Secret`]s, and whatever
//! the runner prints is scrubbed of the secrets sent this run ([`secret::scrub`]). Network:
//! [`net::line`] (a deadline-bound TCP line protocol, always built), `net::http` (feature
//! `http`: one small blocking HTTPS client) and `euca` (feature `euca`: the Eucalyptus API
//! client: endpoints, credentials, SigV2/SigV4, DescribeServices).

// Linked in for its memcmp/bcmp definitions (nothing here names them).
#[cfg(target_env = "musl")]
use musl_memcmp as _;

// Every plugin's allocator in the static musl build (allocator.rs says why); glibc's malloc
// is kept where the plugins link glibc. The kit's own tests keep the system allocator.
#[cfg(target_env = "musl")]
pub mod allocator;
#[cfg(all(target_env = "musl", not(test)))]
#[global_allocator]
static ALLOCATOR: allocator::Allocator = allocator::Allocator::new();

pub mod acquisition;
pub mod bounded;
pub mod context;
pub mod detached;
mod ending;
pub mod error;
#[cfg(feature = "euca")]
pub mod euca;
pub mod net;
pub mod perfdata;
pub mod range;
pub mod report;
pub mod runner;
pub mod scratch;
pub mod secret;
pub mod state;
pub mod status;
pub mod sudoers;
pub mod thresholds;
pub mod tool;
/// The XML reader (feature `xml`, which `euca` brings); its file stays with the Eucalyptus
/// client that first used it.
#[cfg(feature = "xml")]
#[path = "euca/xml.rs"]
pub mod xml;

pub use acquisition::Acquisition;
pub use context::{Context, InputSpec, Tail};
pub use error::{CheckError, ParseError};
pub use perfdata::{Perfdata, Uom};
pub use range::{Range, RangeError};
pub use report::{Finding, Report};
pub use runner::{command, run, run_from, run_with_tools, CheckFn, Plugin, ToolsFn};
pub use scratch::ScratchDir;
pub use secret::Secret;
pub use state::{Cached, StateDir, StateLock};
pub use status::Status;
pub use thresholds::{Metric, MetricList, PerMetric, Thresholds};
pub use tool::{ToolCommand, ToolError, ToolOutput};
