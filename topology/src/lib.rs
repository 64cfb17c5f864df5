//! The deployment description of a Eucalyptus cloud: which hosts run which components, in which
//! zones, with which HA partners, backends and hardware. `euca-checks` generates the monitoring
//! configuration from it and audits it; check_euca_topology reports the audit as a check.
//!
//! Pure library: `parse(file, text)` checks the text and returns a [`Topology`] or every
//! mistake with its line and column; nothing here reads files or prints.

pub mod audit;
pub mod model;
pub mod parse;

pub use model::*;
pub use parse::{parse, Mistake, TopologyError, DEFAULT_BOND_MODE, DEFAULT_CREDENTIALS};
