//! Access key and secret key of an admin of the `eucalyptus` account, from an `eucarc`, an
//! admin-tools / euca2ools `.ini`, or the environment. The secret key is a [`Secret`] (prints
//! `***`), and both keys are registered for scrubbing: the access key id travels in every
//! SigV2 query and SigV4 header, so a server's echo of the request must not show it either.

use crate::secret::{self, Secret};

/// Names an eucarc (and the environment) may use, newest tools first.
pub const ACCESS_NAMES: &[&str] = &["AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY", "EC2_ACCESS_KEY"];
pub const SECRET_NAMES: &[&str] = &["AWS_SECRET_ACCESS_KEY", "AWS_SECRET_KEY", "EC2_SECRET_KEY"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub access_key: String,
    pub secret_key: Secret,
}

impl Credentials {
    fn new(access_key: String, secret_key: String) -> Credentials {
        secret::register(&access_key);
        Credentials {
            access_key,
            secret_key: Secret::new(secret_key),
        }
    }
}

/// Read a credentials file: an eucarc (`export EC2_ACCESS_KEY='...'`) or an `.ini` with
/// `key-id = ...` / `secret-key = ...` (the first section that has both). The error says what
/// is missing, never a value.
pub fn parse(text: &str) -> Result<Credentials, String> {
    let mut vars: Vec<(String, String)> = Vec::new();
    let mut ini: Vec<(Option<String>, Option<String>)> = vec![(None, None)];
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if line.starts_with('[') && line.ends_with(']') {
            ini.push((None, None));
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line).trim();
        let Some((name, value)) = line.split_once('=') else {
            continue;
        };
        let name = name.trim();
        let value = unquote(value.trim());
        match name {
            "key-id" => ini.last_mut().map(|s| s.0 = Some(value.to_string())),
            "secret-key" => ini.last_mut().map(|s| s.1 = Some(value.to_string())),
            _ => {
                vars.push((name.to_string(), value.to_string()));
                None
            }
        };
    }
    if let Some((Some(a), Some(s))) = ini.iter().find(|(a, s)| a.is_some() && s.is_some()) {
        return check(a, s);
    }
    let find = |names: &[&str]| {
        names.iter().find_map(|n| {
            vars.iter()
                .rev()
                .find(|(k, _)| k == n)
                .map(|(_, v)| v.clone())
        })
    };
    match (find(ACCESS_NAMES), find(SECRET_NAMES)) {
        (Some(a), Some(s)) => check(&a, &s),
        (None, _) => Err(format!(
            "no access key in it (expected {} or key-id)",
            ACCESS_NAMES.join(", ")
        )),
        (_, None) => Err(format!(
            "no secret key in it (expected {} or secret-key)",
            SECRET_NAMES.join(", ")
        )),
    }
}

/// From environment variables (the lookup is given, so this stays testable).
pub fn from_env(get: impl Fn(&str) -> Option<String>) -> Option<Credentials> {
    let find = |names: &[&str]| names.iter().find_map(|n| get(n).filter(|v| !v.is_empty()));
    Some(Credentials::new(find(ACCESS_NAMES)?, find(SECRET_NAMES)?))
}

fn check(access: &str, secret: &str) -> Result<Credentials, String> {
    if access.is_empty() || secret.is_empty() {
        return Err("the access key or secret key in it is empty".into());
    }
    // A shell expansion in an eucarc ("$(cat ...)", "${VAR}") cannot be evaluated here.
    if access.contains('$') || secret.contains('$') || access.contains('`') || secret.contains('`')
    {
        return Err("the keys in it are shell expressions; write the values themselves".into());
    }
    Ok(Credentials::new(access.to_string(), secret.to_string()))
}

fn unquote(v: &str) -> &str {
    for q in ['\'', '"'] {
        if v.len() >= 2 && v.starts_with(q) && v.ends_with(q) {
            return &v[1..v.len() - 1];
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eucarc_ini_and_env() {
        let rc = "EUCA_KEY_DIR=$(cd $(dirname ${BASH_SOURCE:-$0}); pwd -P)\n\
                  export EC2_ACCESS_KEY='AKIAEXAMPLE'\nexport EC2_SECRET_KEY=\"s3cr3t/+x\"\n";
        let c = parse(rc).unwrap();
        assert_eq!(c.access_key, "AKIAEXAMPLE");
        assert_eq!(c.secret_key.expose(), "s3cr3t/+x");
        assert!(!format!("{c:?}").contains("s3cr3t"));
        let ini = "[region localhost]\neuare-url = http://x\n[user admin]\nkey-id = AKI2\nsecret-key = sec2\n";
        assert_eq!(parse(ini).unwrap().access_key, "AKI2");
        let e = parse("export EC2_ACCESS_KEY=AK\n").unwrap_err();
        assert!(e.contains("no secret key"), "{e}");
        assert!(parse("EC2_ACCESS_KEY=$(cat /x)\nEC2_SECRET_KEY=y\n").is_err());
        let env = |n: &str| match n {
            "AWS_ACCESS_KEY_ID" => Some("A".to_string()),
            "EC2_SECRET_KEY" => Some("S".to_string()),
            _ => None,
        };
        assert_eq!(from_env(env).unwrap().secret_key.expose(), "S");
        assert!(from_env(|_| None).is_none());
    }
}
