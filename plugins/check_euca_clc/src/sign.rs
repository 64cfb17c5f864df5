//! AWS-style request signing as the CLC checks it (`ws/util/HmacUtils.java`, `HmacHandler`):
//! Signature Version 2 with HmacSHA256 (query parameters; accepted by every version 3.4-4.4) and
//! Signature Version 4 (`Authorization: AWS4-HMAC-SHA256 ...`; the CLC does not validate region
//! or service of the credential scope). Pure functions: the caller gives the time.

use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

/// RFC 3986 percent-encoding: everything but `A-Z a-z 0-9 - _ . ~`, upper-case hex.
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

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

/// UTC calendar time of a Unix time: (year, month, day, hour, minute, second).
pub fn civil(unix: u64) -> (i64, u32, u32, u32, u32, u32) {
    let days = (unix / 86_400) as i64;
    let secs = unix % 86_400;
    // Howard Hinnant's days-to-civil.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        year,
        month,
        day,
        (secs / 3600) as u32,
        (secs % 3600 / 60) as u32,
        (secs % 60) as u32,
    )
}

/// `2017-03-14T16:44:03Z` (SigV2 `Timestamp`).
pub fn iso8601(unix: u64) -> String {
    let (y, mo, d, h, mi, s) = civil(unix);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

/// `20170314T164403Z` (SigV4 `X-Amz-Date`).
pub fn amz_date(unix: u64) -> String {
    let (y, mo, d, h, mi, s) = civil(unix);
    format!("{y:04}{mo:02}{d:02}T{h:02}{mi:02}{s:02}Z")
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

/// SigV2 / HmacSHA256: the full query string with `Signature` (the parameters get
/// `AWSAccessKeyId`, `SignatureMethod`, `SignatureVersion`, `Timestamp`).
pub fn sigv2_query(req: &Request, access_key: &str, secret_key: &str, unix: u64) -> String {
    let mut params = req.params.clone();
    params.push(("AWSAccessKeyId".into(), access_key.into()));
    params.push(("SignatureMethod".into(), "HmacSHA256".into()));
    params.push(("SignatureVersion".into(), "2".into()));
    params.push(("Timestamp".into(), iso8601(unix)));
    let query = canonical_query(&params);
    let to_sign = format!("{}\n{}\n{}\n{query}", req.method, req.host, req.path);
    let signature = base64::engine::general_purpose::STANDARD
        .encode(hmac(secret_key.as_bytes(), to_sign.as_bytes()));
    format!("{query}&Signature={}", encode(&signature))
}

/// SigV4: the headers to send (`X-Amz-Date`, `Authorization`); the query is the canonical
/// query of the parameters, unsigned by itself. Signs `host` and `x-amz-date` and an empty body.
pub fn sigv4_headers(
    req: &Request,
    access_key: &str,
    secret_key: &str,
    region: &str,
    service: &str,
    unix: u64,
) -> Vec<(String, String)> {
    let date_time = amz_date(unix);
    let date = &date_time[..8];
    let canonical_uri = req
        .path
        .split('/')
        .map(encode)
        .collect::<Vec<_>>()
        .join("/");
    let canonical_request = format!(
        "{}\n{canonical_uri}\n{}\nhost:{}\nx-amz-date:{date_time}\n\nhost;x-amz-date\n{}",
        req.method,
        canonical_query(&req.params),
        req.host.trim().to_ascii_lowercase(),
        hex(&Sha256::digest(b""))
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
    vec![
        ("X-Amz-Date".into(), date_time.clone()),
        (
            "Authorization".into(),
            format!(
                "AWS4-HMAC-SHA256 Credential={access_key}/{scope}, SignedHeaders=host;x-amz-date, Signature={signature}"
            ),
        ),
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

    #[test]
    fn times_are_utc_calendar_times() {
        assert_eq!(iso8601(T), "2017-03-14T16:44:03Z");
        assert_eq!(amz_date(T), "20170314T164403Z");
        assert_eq!(iso8601(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso8601(951_782_400), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn sigv2_matches_botocore() {
        let q = sigv2_query(&req(), AK, SK, T);
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
