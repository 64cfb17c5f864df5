//! One signed GET of a Eucalyptus query API action (DescribeServices, DescribeAvailabilityZones,
//! DescribeInstances, DescribeProperties ...): the parameters, SigV2 in the query or SigV4 in
//! the headers, through the kit's HTTP client within a deadline. What the answer means is the
//! caller's: this only builds, signs and sends.

use super::credentials::Credentials;
use super::endpoint::Endpoint;
use super::sign;
use crate::net::http::{HttpAnswer, HttpClient, HttpError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How to sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signing {
    /// SigV2, HmacSHA256, in the query (every Eucalyptus 3.4-4.4).
    V2,
    /// SigV4 in the Authorization header, scoped to this region and service name.
    V4 {
        region: &'static str,
        service: &'static str,
    },
}

/// The query string and headers of a signed GET of `endpoint` with `params`, at `unix` time.
pub fn signed(
    endpoint: &Endpoint,
    params: &[(&str, &str)],
    creds: &Credentials,
    signing: Signing,
    unix: u64,
) -> (String, Vec<(String, String)>) {
    let host = endpoint.host_header();
    let req = sign::Request {
        method: "GET",
        host: &host,
        path: &endpoint.path,
        params: params
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    };
    // The signing functions register the signatures with the kit's scrubber.
    match signing {
        Signing::V2 => (
            sign::sigv2(&req, &creds.access_key, creds.secret_key.expose(), unix).query,
            Vec::new(),
        ),
        Signing::V4 { region, service } => (
            sign::canonical_query(&req.params),
            sign::sigv4_headers(
                &req,
                &creds.access_key,
                creds.secret_key.expose(),
                region,
                service,
                unix,
            ),
        ),
    }
}

/// Sign and send; the whole exchange ends by `budget`.
pub fn get(
    client: &HttpClient,
    endpoint: &Endpoint,
    params: &[(&str, &str)],
    creds: &Credentials,
    signing: Signing,
    budget: Duration,
) -> Result<HttpAnswer, HttpError> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (query, headers) = signed(endpoint, params, creds, signing, now);
    client.get(&endpoint.url_with_query(&query), &headers, budget)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Secret;

    fn creds() -> Credentials {
        Credentials {
            access_key: "AKIDEXAMPLE".into(),
            secret_key: Secret::new("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".to_string()),
        }
    }

    #[test]
    fn v2_carries_the_signature_in_the_query_and_v4_in_a_header() {
        let ep = Endpoint::parse("10.1.1.1", "/services/compute").unwrap();
        let params = [
            ("Action", "DescribeAvailabilityZones"),
            ("ZoneName.1", "verbose"),
        ];
        let (q, h) = signed(&ep, &params, &creds(), Signing::V2, 1_700_000_000);
        assert!(q.starts_with("AWSAccessKeyId=AKIDEXAMPLE&Action=DescribeAvailabilityZones"));
        assert!(q.contains("&Signature=") && q.contains("ZoneName.1=verbose"));
        assert!(h.is_empty());
        let v4 = Signing::V4 {
            region: "eucalyptus",
            service: "ec2",
        };
        let (q, h) = signed(&ep, &params, &creds(), v4, 1_700_000_000);
        assert_eq!(q, "Action=DescribeAvailabilityZones&ZoneName.1=verbose");
        let auth = h.iter().find(|(k, _)| k == "Authorization").unwrap();
        assert!(auth
            .1
            .contains("Credential=AKIDEXAMPLE/20231114/eucalyptus/ec2/aws4_request"));
        // the same time and parameters sign the same way (nothing random goes in)
        assert_eq!(signed(&ep, &params, &creds(), v4, 1_700_000_000).1, h);
    }
}
