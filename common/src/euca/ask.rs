//! The plugin-side pieces every check of a Eucalyptus API shares around [`super::query::get`]:
//! credentials from `--credentials` or the environment, one signed GET as an
//! [`Acquisition`] (unreachable, failed, over its cap), the UNKNOWN report for an error answer
//! (403 signature / clock skew hints), and the password in a URL's user info (to scrub).

use super::credentials::{self, Credentials};
use super::endpoint::Endpoint;
use super::query::{self, Signing};
use crate::net::http::{HttpAnswer, HttpClient, HttpError};
use crate::{secret, Acquisition, CheckError, Finding, Report};
use std::path::Path;
use std::time::Duration;

/// The credentials from `file` (an eucarc or admin-tools .ini), or else from the environment
/// (the kit warns when the file is open to group or others).
pub fn load_credentials(file: Option<&Path>) -> Result<Credentials, CheckError> {
    if let Some(file) = file {
        let read = secret::read_secret_file(file)?;
        let creds = credentials::parse(read.text.expose())
            .map_err(|why| CheckError::usage(format!("--credentials {}: {why}", file.display())))?;
        return Ok(creds);
    }
    let creds = credentials::from_env(|n| std::env::var(n).ok()).ok_or_else(|| {
        CheckError::usage(
            "no credentials: give --credentials FILE (an eucarc or admin-tools .ini of an admin of the eucalyptus account) or set EC2_ACCESS_KEY and EC2_SECRET_KEY",
        )
    })?;
    Ok(creds)
}

/// One signed GET within `budget`; a body over `cap` bytes is unreadable, a budget under 10 ms
/// is "not asked" (UNKNOWN, never unreachable).
pub fn ask(
    client: &HttpClient,
    at: &Endpoint,
    params: &[(&str, &str)],
    creds: &Credentials,
    signing: Signing,
    budget: Duration,
    cap: u64,
) -> Acquisition<HttpAnswer> {
    let who = at.host_header();
    if budget < Duration::from_millis(10) {
        return Acquisition::not_asked(who);
    }
    match query::get(client, at, params, creds, signing, budget) {
        Err(HttpError::Unreachable(why)) => Acquisition::unreachable(who, why),
        Err(HttpError::Failed(why)) => Acquisition::unreadable(who, why),
        Err(HttpError::NotAsked) => Acquisition::not_asked(who),
        Ok(a) if a.body.len() as u64 > cap => Acquisition::unreadable(
            who,
            format!("answer of {} bytes, over the {cap} read", a.body.len()),
        ),
        Ok(a) => Acquisition::Read(a),
    }
}

/// [`ask`] each endpoint in turn (the `--clc` hosts of a 3.4-4.1 CLC pair, the primary first)
/// until one answers HTTP 200: an unreachable or failing CLC hands over to the next, which gets
/// its share of what is left of `budget` (the first at least 0.1 s of it). Returns the index of
/// the endpoint whose acquisition is returned: the one that answered, else the last asked.
#[allow(clippy::too_many_arguments)]
pub fn ask_in_turn(
    client: &HttpClient,
    ats: &[Endpoint],
    params: &[(&str, &str)],
    creds: &Credentials,
    signing: Signing,
    budget: Duration,
    cap: u64,
) -> (usize, Acquisition<HttpAnswer>) {
    let start = std::time::Instant::now();
    let mut last = (0, Acquisition::not_asked("no endpoint"));
    for (i, at) in ats.iter().enumerate() {
        let left = budget.saturating_sub(start.elapsed());
        let share = (left / (ats.len() - i) as u32).max(left.min(Duration::from_millis(100)));
        let got = ask(client, at, params, creds, signing, share, cap);
        if got.read().is_some_and(|a| a.status == 200) {
            return (i, got);
        }
        last = (i, got);
    }
    last
}

/// What was read, or the report for a source that gave nothing (unreachable is CRITICAL).
pub fn acquired<'a>(
    got: &'a Acquisition<HttpAnswer>,
    what: &str,
) -> Result<&'a HttpAnswer, Report> {
    if let Some(a) = got.read() {
        return Ok(a);
    }
    let mut report = Report::new();
    if let Some(f) = got.finding() {
        report.add(f.hint(format!(
            "{what}: check that eucalyptus-cloud runs there and port 8773 is open to this host; raise -t if it is only slow"
        )));
    }
    Err(report)
}

/// A report of one UNKNOWN finding with this text as summary.
pub fn unknown(text: String) -> Report {
    let mut report = Report::new();
    report.add(Finding::unknown(text.clone()).summary(text));
    report
}

/// An error answer (403 and the like): UNKNOWN, nothing about the cloud was seen; the hint
/// says NTP for clock skew, the keys for a signature refusal.
pub fn error_report(what: &str, code: &str, message: &str) -> Report {
    let message = if message.is_empty() {
        "(no message)"
    } else {
        message
    };
    let hint = if message.contains("in the future") || message.contains("expired") {
        "the clocks of this host and the cloud differ by more than 20 s (bootstrap.webservices.clock_skew_sec): check NTP on both"
    } else if message.contains("Signature") || code.starts_with("403") {
        "check the access key and secret key in --credentials (an admin of the eucalyptus account) and --signature"
    } else {
        "read /var/log/eucalyptus/cloud-output.log on the host asked"
    };
    let text = format!("{what} answered {code}: {message}");
    let mut report = Report::new();
    report.add(Finding::unknown(text.clone()).summary(text).hint(hint));
    report
}

/// The first 120 characters of a body, white space folded (for an answer that is no document).
pub fn first_words(body: &str) -> String {
    let line = body.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut cut: String = line.chars().take(120).collect();
    if line.chars().count() > 120 {
        cut.push_str("...");
    }
    cut
}

/// The password in a URL's user info (`http://admin:pw@host/`), when there is one.
pub fn url_password(value: &str) -> Option<&str> {
    let rest = value.split_once("://").map_or(value, |(_, r)| r);
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    let (userinfo, _) = authority.rsplit_once('@')?;
    userinfo
        .split_once(':')
        .map(|(_, p)| p)
        .filter(|p| !p.is_empty())
}

/// The answer as a parsed document: an error status gives the error report (its body's code
/// and message when it is an error document), a parse failure UNKNOWN naming the URL.
pub fn judge_answer<T>(
    answer: &HttpAnswer,
    what: &str,
    url: &str,
    parse: impl Fn(&str) -> Result<Result<T, (String, String)>, crate::ParseError>,
) -> Result<T, Report> {
    let parsed = parse(&answer.body);
    if answer.status != 200 {
        return Err(match parsed {
            Ok(Err((code, message))) => error_report(what, &code, &message),
            _ => error_report(what, &answer.status_text, &first_words(&answer.body)),
        });
    }
    match parsed {
        Ok(Ok(t)) => Ok(t),
        Ok(Err((code, message))) => Err(error_report(what, &code, &message)),
        Err(e) => Err(unknown(e.in_source(url).to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_in_urls_and_error_hints() {
        assert_eq!(url_password("http://admin:pw@h:8773/x"), Some("pw"));
        assert_eq!(url_password("http://admin@h/"), None);
        assert_eq!(url_password("10.0.0.1"), None);
        let r = error_report("X", "403 Forbidden", "Message has expired");
        assert!(r.findings()[0].hint.as_deref().unwrap().contains("NTP"));
        assert_eq!(
            r.summary_text(),
            "X answered 403 Forbidden: Message has expired"
        );
        let a = HttpAnswer {
            status: 500,
            status_text: "500 Internal Server Error".into(),
            body: "<html>oops</html>".into(),
            elapsed: Duration::ZERO,
        };
        let r = judge_answer(&a, "X", "u", |_| Ok(Ok::<(), (String, String)>(()))).unwrap_err();
        assert_eq!(
            r.summary_text(),
            "X answered 500 Internal Server Error: <html>oops</html>"
        );
    }
}
