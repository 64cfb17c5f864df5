//! AWS-style request signing as the CLC checks it (`ws/util/HmacUtils.java`, `HmacHandler`):
//! Signature Version 2 with HmacSHA256 (query parameters; accepted by every version 3.4-4.4) and
//! Signature Version 4 (`Authorization: AWS4-HMAC-SHA256 ...`; the CLC does not validate region
//! or service of the credential scope). Pure functions: the caller gives the time.

use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

/// RFC 3986 percent-encoding, as SigV2/SigV4 canonicalise (the same form the secret scrubber
/// looks for in what a peer echoes back).
pub use crate::secret::percent_encode as encode;

/// `k=v&k=v`, sorted by key (then value) by byte order, both encoded.
pub fn canonical_query(params: &[(String, String)]) -> String {
    let mut pairs: Vec<(String, String)> =
        params.iter().map(|(k, v)| (encode(k), encode(v))).collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    // HMAC takes a key of any length; new_from_slice cannot fail for it.
    let mut mac = match HmacSha256::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => return Vec::new(),
    };
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `unix` as a UTC date-time, formatted (the `time` crate does the calendar; a time outside
/// its range, which no clock gives, falls back to the epoch rather than panicking).
fn utc(unix: u64, format: &[time::format_description::BorrowedFormatItem<'_>]) -> String {
    let at = i64::try_from(unix)
        .ok()
        .and_then(|u| time::OffsetDateTime::from_unix_timestamp(u).ok())
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    at.format(format).unwrap_or_default()
}

/// `2017-03-14T16:44:03Z` (SigV2 `Timestamp`).
pub fn iso8601(unix: u64) -> String {
    utc(
        unix,
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z"),
    )
}

/// `20170314T164403Z` (SigV4 `X-Amz-Date`).
pub fn amz_date(unix: u64) -> String {
    utc(
        unix,
        time::macros::format_description!("[year][month][day]T[hour][minute][second]Z"),
    )
}

/// The request to sign.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    pub method: &'a str,
    /// `host` or `host:port` exactly as the Host header carries it.
    pub host: &'a str,
    pub path: &'a str,
    pub params: Vec<(String, String)>,
}

/// A SigV2 signature and the query that carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sigv2 {
    /// The full query, `Signature` last.
    pub query: String,
    /// The base64 signature alone (registered with the secret scrubber when made).
    pub signature: String,
}

/// SigV2 / HmacSHA256 (the parameters get `AWSAccessKeyId`, `SignatureMethod`,
/// `SignatureVersion`, `Timestamp`).
pub fn sigv2(req: &Request, access_key: &str, secret_key: &str, unix: u64) -> Sigv2 {
    let mut params = req.params.clone();
    params.push(("AWSAccessKeyId".into(), access_key.into()));
    params.push(("SignatureMethod".into(), "HmacSHA256".into()));
    params.push(("SignatureVersion".into(), "2".into()));
    params.push(("Timestamp".into(), iso8601(unix)));
    let query = canonical_query(&params);
    let to_sign = format!("{}\n{}\n{}\n{query}", req.method, req.host, req.path);
    let signature = base64::engine::general_purpose::STANDARD
        .encode(hmac(secret_key.as_bytes(), to_sign.as_bytes()));
    // Registered where it is made, so no plugin can forget: a server quoting the request (a
    // 404 page) must not print the signature.
    crate::secret::register(&signature);
    Sigv2 {
        query: format!("{query}&Signature={}", encode(&signature)),
        signature,
    }
}

/// Everything SigV4 covers of a request: method, path, query, headers, body.
#[derive(Debug, Clone)]
pub struct Sigv4Request<'a> {
    pub method: &'a str,
    /// `host` or `host:port` exactly as the Host header carries it.
    pub host: &'a str,
    pub path: &'a str,
    /// Query parameters, unencoded, in any order.
    pub query: &'a [(String, String)],
    /// Headers to sign besides `host` and `x-amz-date` (e.g. `content-type` of a POST).
    pub headers: &'a [(String, String)],
    pub body: &'a [u8],
}

/// A SigV4 signature and the headers that carry it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sigv4 {
    /// `X-Amz-Date`
    pub amz_date: String,
    /// `Authorization`
    pub authorization: String,
    /// The hex signature alone (registered with the secret scrubber when made).
    pub signature: String,
}

/// A header value as SigV4 canonicalises it: trimmed, inner runs of spaces made one.
fn canonical_header_value(v: &str) -> String {
    v.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Sign a request with Signature Version 4 (`AWS4-HMAC-SHA256`), body hashed as sent.
pub fn sigv4(
    req: &Sigv4Request,
    access_key: &str,
    secret_key: &str,
    region: &str,
    service: &str,
    unix: u64,
) -> Sigv4 {
    let date_time = amz_date(unix);
    let date = &date_time[..8];
    let canonical_uri = req
        .path
        .split('/')
        .map(encode)
        .collect::<Vec<_>>()
        .join("/");
    let mut headers: Vec<(String, String)> = req
        .headers
        .iter()
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), canonical_header_value(v)))
        .collect();
    headers.push(("host".into(), req.host.trim().to_ascii_lowercase()));
    headers.push(("x-amz-date".into(), date_time.clone()));
    headers.sort();
    let canonical_headers: String = headers.iter().map(|(k, v)| format!("{k}:{v}\n")).collect();
    let signed_headers = headers
        .iter()
        .map(|(k, _)| k.as_str())
        .collect::<Vec<_>>()
        .join(";");
    let canonical_request = format!(
        "{}\n{canonical_uri}\n{}\n{canonical_headers}\n{signed_headers}\n{}",
        req.method,
        canonical_query(req.query),
        hex(&Sha256::digest(req.body))
    );
    let scope = format!("{date}/{region}/{service}/aws4_request");
    let to_sign = format!(
        "AWS4-HMAC-SHA256\n{date_time}\n{scope}\n{}",
        hex(&Sha256::digest(canonical_request.as_bytes()))
    );
    let k_date = hmac(format!("AWS4{secret_key}").as_bytes(), date.as_bytes());
    let k_region = hmac(&k_date, region.as_bytes());
    let k_service = hmac(&k_region, service.as_bytes());
    let k_signing = hmac(&k_service, b"aws4_request");
    let signature = hex(&hmac(&k_signing, to_sign.as_bytes()));
    let authorization = format!(
        "AWS4-HMAC-SHA256 Credential={access_key}/{scope}, SignedHeaders={signed_headers}, Signature={signature}"
    );
    // As for SigV2: scrubbed from anything a peer echoes back, whoever signs.
    crate::secret::register(&signature);
    crate::secret::register(&authorization);
    Sigv4 {
        amz_date: date_time,
        authorization,
        signature,
    }
}

/// SigV4 for a GET of the CLC: the headers to send (`X-Amz-Date`, `Authorization`); the query
/// is the canonical query of the parameters. Signs `host` and `x-amz-date` and an empty body.
pub fn sigv4_headers(
    req: &Request,
    access_key: &str,
    secret_key: &str,
    region: &str,
    service: &str,
    unix: u64,
) -> Vec<(String, String)> {
    let signed = sigv4(
        &Sigv4Request {
            method: req.method,
            host: req.host,
            path: req.path,
            query: &req.params,
            headers: &[],
            body: b"",
        },
        access_key,
        secret_key,
        region,
        service,
        unix,
    );
    vec![
        ("X-Amz-Date".into(), signed.amz_date),
        ("Authorization".into(), signed.authorization),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    // Vectors computed with botocore 1.43 (`SigV2Auth.calc_signature`, `SigV4Auth`), an
    // implementation independent of this one.
    const AK: &str = "AKIAIOSFODNN7EXAMPLE";
    const SK: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    const T: u64 = 1_489_509_843; // 2017-03-14T16:44:03Z

    fn req() -> Request<'static> {
        Request {
            method: "GET",
            host: "10.111.5.100:8773",
            path: "/services/Empyrean",
            params: vec![
                ("Action".into(), "DescribeServices".into()),
                ("Version".into(), "eucalyptus".into()),
                ("ListAll".into(), "true".into()),
                ("ShowEvents".into(), "true".into()),
            ],
        }
    }

    // The public AWS SigV4 test suite (aws-sig-v4-test-suite, as shipped in botocore's
    // tests/unit/auth/aws4_testsuite and aws-sdk-js-v3's suite.fixture.ts): 2015-08-30T12:36:00Z,
    // us-east-1, service "service", host example.amazonaws.com.
    const SUITE_AK: &str = "AKIDEXAMPLE";
    const SUITE_SK: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    const SUITE_T: u64 = 1_440_938_160;

    /// name, method, path, query, headers, body, expected signature
    type SuiteCase<'a> = (
        &'a str,
        &'a str,
        String,
        Vec<(String, String)>,
        Vec<(String, String)>,
        &'a [u8],
        &'a str,
    );

    fn p(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn sigv4_matches_the_aws_test_suite() {
        let unreserved = "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        let form = p(&[("content-type", "application/x-www-form-urlencoded")]);
        let form_charset = p(&[(
            "content-type",
            "application/x-www-form-urlencoded; charset=utf8",
        )]);
        #[rustfmt::skip]
        let cases: Vec<SuiteCase> = vec![
            ("get-vanilla", "GET", "/".into(), vec![], vec![], b"",
             "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
            ("get-vanilla-empty-query-key", "GET", "/".into(), p(&[("Param1", "value1")]), vec![], b"",
             "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb"),
            ("get-vanilla-query-order-key-case", "GET", "/".into(), p(&[("Param2", "value2"), ("Param1", "value1")]), vec![], b"",
             "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"),
            ("get-vanilla-query-unreserved", "GET", "/".into(), p(&[(unreserved, unreserved)]), vec![], b"",
             "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197"),
            ("get-vanilla-utf8-query", "GET", "/".into(), p(&[("\u{1234}", "bar")]), vec![], b"",
             "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"),
            ("get-unreserved", "GET", format!("/{unreserved}"), vec![], vec![], b"",
             "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"),
            ("get-utf8", "GET", "/\u{1234}".into(), vec![], vec![], b"",
             "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"),
            ("get-header-value-trim", "GET", "/".into(), vec![], p(&[("My-Header1", " value1"), ("My-Header2", "\"a   b   c\"")]), b"",
             "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"),
            ("post-vanilla", "POST", "/".into(), vec![], vec![], b"",
             "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"),
            ("post-header-key-sort", "POST", "/".into(), vec![], p(&[("My-Header1", "value1")]), b"",
             "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c"),
            ("post-header-value-case", "POST", "/".into(), vec![], p(&[("My-Header1", "VALUE1")]), b"",
             "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d"),
            ("post-vanilla-query", "POST", "/".into(), p(&[("Param1", "value1")]), vec![], b"",
             "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11"),
            ("post-vanilla-query-nonunreserved", "POST", "/".into(), p(&[("@#$%^", ""), ("+", "/,?><`\";:\\|][{}")]), vec![], b"",
             "66c82657c86e26fb25238d0e69f011edc4c6df5ae71119d7cb98ed9b87393c1e"),
            ("post-vanilla-query-space", "POST", "/".into(), p(&[("p", "")]), vec![], b"",
             "e71688addb58a26418614085fb730ba3faa623b461c17f48f2fbdb9361b94a9b"),
            ("post-x-www-form-urlencoded", "POST", "/".into(), vec![], form, b"Param1=value1",
             "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"),
            ("post-x-www-form-urlencoded-parameters", "POST", "/".into(), vec![], form_charset, b"Param1=value1",
             "1a72ec8f64bd914b0e42e42607c7fbce7fb2c7465f63e3092b3b0d39fa77a6fe"),
        ];
        for (name, method, path, query, headers, body, expected) in &cases {
            let signed = sigv4(
                &Sigv4Request {
                    method,
                    host: "example.amazonaws.com",
                    path,
                    query,
                    headers,
                    body,
                },
                SUITE_AK,
                SUITE_SK,
                "us-east-1",
                "service",
                SUITE_T,
            );
            assert_eq!(&signed.signature, expected, "{name}");
            assert!(
                signed.authorization.starts_with(
                    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders="
                ),
                "{name}"
            );
        }
    }

    #[test]
    fn times_are_utc_calendar_times() {
        assert_eq!(iso8601(T), "2017-03-14T16:44:03Z");
        assert_eq!(amz_date(T), "20170314T164403Z");
        assert_eq!(iso8601(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso8601(951_782_400), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn sigv2_matches_botocore() {
        let q = sigv2(&req(), AK, SK, T).query;
        assert_eq!(
            q,
            "AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Action=DescribeServices&ListAll=true&ShowEvents=true\
             &SignatureMethod=HmacSHA256&SignatureVersion=2&Timestamp=2017-03-14T16%3A44%3A03Z&Version=eucalyptus\
             &Signature=OeU%2FifMaVM382Dh%2B9%2F4Ton7MrdY5MuUxqn%2BZCBh6OMo%3D"
        );
    }

    #[test]
    fn sigv4_matches_botocore() {
        let h = sigv4_headers(&req(), AK, SK, "eucalyptus", "bootstrap", T);
        assert_eq!(h[0].1, "20170314T164403Z");
        assert_eq!(
            h[1].1,
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20170314/eucalyptus/bootstrap/aws4_request, \
             SignedHeaders=host;x-amz-date, Signature=ccf40631be89e1177c00d8ae8315e5f575e1c58d5831ec83a4fe3fc10529cab1"
        );
    }
}
