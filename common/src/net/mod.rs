//! The kit's network layer: a deadline-bound TCP line-protocol connection (always built: it is
//! a few dozen lines of std), and the HTTP client behind the `http` feature.

#[cfg(feature = "http")]
pub mod http;
pub mod line;

pub use line::{LineConn, NetError};
