//! The Eucalyptus API client, shared by every check that asks a Eucalyptus service
//! (check_euca_clc today; check_euca_nodes, _props and _endpoint next): endpoints, credentials
//! files (eucarc, admin-tools .ini, environment), SigV2 and SigV4 signing, and the Empyrean
//! `DescribeServices` model and parser; parsers for `DescribeAvailabilityZones` (verbose
//! capacity), `DescribeInstances` (verbose), `DescribeImages`, `DescribeConversionTasks` and
//! `DescribeProperties`; and one signed query GET for any action (`query`). Behind the `euca` feature (which brings `http`).

pub mod ask;
pub mod availability_zones;
pub mod conversion_tasks;
pub mod credentials;
pub mod describe_images;
pub mod describe_instances;
pub mod describe_properties;
pub mod describe_services;
mod ec2_xml;
pub mod endpoint;
pub mod model;
pub mod query;
pub mod sign;
use crate::xml;

pub use credentials::Credentials;
pub use endpoint::Endpoint;
