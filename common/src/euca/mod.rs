//! The Eucalyptus API client, shared by every check that asks a Eucalyptus service
//! (check_euca_clc today; check_euca_nodes, _props and _endpoint next): endpoints, credentials
//! files (eucarc, admin-tools .ini, environment), SigV2 and SigV4 signing, and the Empyrean
//! `DescribeServices` model and parser, `DescribeAvailabilityZones` (verbose capacity) and one
//! signed query GET for any action (`query`). Behind the `euca` feature (which brings `http`).

pub mod availability_zones;
pub mod credentials;
pub mod describe_services;
pub mod endpoint;
pub mod model;
pub mod query;
pub mod sign;
mod xml;

pub use credentials::Credentials;
pub use endpoint::Endpoint;
