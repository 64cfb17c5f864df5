//! Parser for the text of `euserv-describe-services` (admin-tools, Eucalyptus 4.2+; run it with
//! `-a` so every service is listed).
//!
//! ```text
//! SERVICE  cluster               one               one-cc-1                         enabled
//! SERVICE  storage               one               one-sc-1                         notready
//! ```
//!
//! Columns are space-padded by prettytable (no tabs). The default layout is
//! `SERVICE type zone name state`; `--expert` prints `SERVICE arn state epoch uri accounts`.
//! With `--show-headers` the header row names the columns, so `--group-by-zone` and
//! `--group-by-host` layouts are read through it; without headers only the default and expert
//! layouts can be told apart.
//!
//! A listing cut inside a line is refused, naming the line: a default-layout line ends with its
//! state, so a cut before it leaves too few columns or no state; an `--expert` line must end
//! with its epoch and URI, and the last one with a line end (its URI could be cut anywhere). A
//! cut exactly at a line end leaves a shorter listing, read as such (there is no end marker).

use crate::model::{host_of_uri, split_arn, Service, State};
use common::ParseError;

/// Parse the whole output.
pub fn parse(text: &str) -> Result<Vec<Service>, ParseError> {
    let mut services = Vec::new();
    let mut columns: Option<Vec<String>> = None;
    let last_line = text.lines().count();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.is_empty() {
            continue;
        }
        if fields[0] != "SERVICE" || fields.len() < 2 {
            return Err(ParseError::at(
                n,
                line,
                "expected 'SERVICE type zone name state' (euserv-describe-services output)",
            ));
        }
        // A header row: all upper case, e.g. SERVICE  TYPE  ZONE  NAME  STATE
        if fields.len() > 2
            && fields[1..]
                .iter()
                .all(|f| f.chars().all(|c| c.is_ascii_uppercase() || c == '_'))
            && fields.contains(&"STATE")
        {
            columns = Some(fields.iter().map(|f| f.to_ascii_lowercase()).collect());
            continue;
        }
        let service = if fields[1].starts_with("arn:") {
            // The URI and accounts that end an --expert line are open-ended: a last line
            // without the line end the tool writes may have lost their tail.
            if n == last_line && !text.ends_with('\n') {
                return Err(ParseError::at(
                    n,
                    line,
                    "line cut short: the listing ends inside an --expert line, without a line end; the listing is not whole",
                ));
            }
            expert(n, line, &fields)?
        } else {
            plain(n, line, &fields, columns.as_deref())?
        };
        services.push(service);
    }
    if services.is_empty() {
        return Err(ParseError::whole(
            "no SERVICE lines (is this euserv-describe-services output?)",
        ));
    }
    // --group-by-zone / --group-by-host without headers put the type in the third column; read
    // as the default layout that would judge nonsense, so refuse it.
    const KNOWN: &[&str] = &[
        "eucalyptus",
        "bootstrap",
        "cluster",
        "storage",
        "node",
        "user-api",
    ];
    let types_in =
        |f: fn(&Service) -> &str| services.iter().filter(|s| KNOWN.contains(&f(s))).count();
    if columns.is_none() && types_in(|s| s.kind.as_str()) == 0 && types_in(|s| s.name.as_str()) == 0
    {
        let zone_col = services
            .iter()
            .filter(|s| KNOWN.contains(&s.partition.as_str()))
            .count();
        if zone_col > 0 {
            return Err(ParseError::whole(
                "the service type is not in the second column (--group-by-zone or --group-by-host output?); \
                 save euserv-describe-services -a without grouping, or with --show-headers",
            ));
        }
    }
    Ok(services)
}

/// `SERVICE type zone name state` (or the order the header row gives).
fn plain(
    n: usize,
    line: &str,
    fields: &[&str],
    columns: Option<&[String]>,
) -> Result<Service, ParseError> {
    if fields.len() < 5 {
        return Err(ParseError::at(
            n,
            line,
            "expected 5 columns: SERVICE type zone name state",
        ));
    }
    let pos = |name: &str, default: usize| {
        columns
            .and_then(|c| c.iter().position(|x| x == name))
            .unwrap_or(default)
    };
    let (type_at, zone_at, name_at, state_at) = (
        pos("type", 1),
        pos("zone", 2),
        pos("name", 3),
        pos("state", 4),
    );
    let host_at = columns.and_then(|c| c.iter().position(|x| x == "host"));
    // The state is the last column and may be several words ("n/a: <message>").
    let state_text = fields
        .get(state_at..)
        .map(|f| f.join(" "))
        .unwrap_or_default();
    let state = State::parse(&state_text)
        .ok_or_else(|| ParseError::at(n, line, format!("unknown state '{state_text}'")))?;
    let get = |i: usize| fields.get(i).copied().unwrap_or("");
    let mut s = Service::new(get(type_at), get(zone_at), get(name_at), state);
    if columns.is_some_and(|c| !c.iter().any(|x| x == "zone")) {
        s.partition = String::new();
    }
    s.host = host_at.map(|i| get(i).to_string());
    Ok(s)
}

/// `SERVICE arn state epoch uri [accounts]`
fn expert(n: usize, line: &str, fields: &[&str]) -> Result<Service, ParseError> {
    let (kind, partition, name) = split_arn(fields[1]).ok_or_else(|| {
        ParseError::at(
            n,
            line,
            "expected an ARN arn:euca:<component>:<partition>:<type>:<name>/",
        )
    })?;
    // The state may be "n/a: <words>": it runs up to the epoch (a number).
    let epoch_at = fields[2..]
        .iter()
        .position(|f| f.parse::<u64>().is_ok())
        .map(|p| p + 2);
    let state_end = epoch_at.unwrap_or(fields.len().min(3));
    let state_text = fields[2..state_end.max(2)].join(" ");
    let state = State::parse(&state_text)
        .ok_or_else(|| ParseError::at(n, line, format!("unknown state '{state_text}'")))?;
    // An --expert line is whole only with its ARN closed by `/`, then the epoch and the URI
    // (`http://HOST:PORT/services/...`): a saved listing cut inside one must not be judged.
    let uri = epoch_at.and_then(|e| fields.get(e + 1)).copied();
    let whole_uri = uri.is_some_and(|u| u == "none" || u.contains("/services/"));
    if !fields[1].ends_with('/') || !whole_uri {
        return Err(ParseError::at(
            n,
            line,
            "line cut short: an --expert line ends with ARN/, state, epoch and URI; the listing is not whole",
        ));
    }
    let mut s = Service::new(&kind, &partition, &name, state);
    s.full_name = Some(fields[1].to_string());
    if let Some(e) = epoch_at {
        s.epoch = fields[e].parse().ok();
        s.uri = uri.filter(|u| *u != "none").map(str::to_string);
        s.host = s.uri.as_deref().and_then(host_of_uri);
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_layout_with_trailing_padding() {
        let s = parse("SERVICE  cluster   two  two-cc-1  broken    \n\nSERVICE  node  one  10.1.1.1  enabled  \n")
            .unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(
            (s[0].kind.as_str(), s[0].partition.as_str()),
            ("cluster", "two")
        );
        assert_eq!(s[0].state, State::Broken);
    }

    #[test]
    fn expert_layout_reads_the_arn() {
        let s = parse("SERVICE  arn:euca:eucalyptus:one:storage:one-sc-1/  notready  112  http://10.1.1.2:8773/services/Storage\n").unwrap();
        assert_eq!(s[0].kind, "storage");
        assert_eq!(s[0].partition, "one");
        assert_eq!(s[0].name, "one-sc-1");
        assert_eq!(s[0].epoch, Some(112));
        assert_eq!(s[0].host.as_deref(), Some("10.1.1.2"));
    }

    #[test]
    fn headers_map_other_layouts() {
        let s =
            parse("SERVICE  ZONE  TYPE  NAME  STATE\nSERVICE  one  storage  one-sc-1  enabled\n")
                .unwrap();
        assert_eq!(
            (s[0].kind.as_str(), s[0].partition.as_str()),
            ("storage", "one")
        );
    }

    #[test]
    fn grouped_output_without_headers_is_refused() {
        let e = parse(
            "SERVICE  one  cluster  one-cc-1  enabled\nSERVICE  one  node  10.1.1.1  enabled\n",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("--group-by-zone"), "{e}");
    }

    #[test]
    fn garbage_names_the_line() {
        let e =
            parse("SERVICE  cluster  one  one-cc-1  enabled\nTraceback (most recent call last):\n")
                .unwrap_err()
                .to_string();
        assert!(e.contains("line 2 'Traceback"), "{e}");
        let e = parse("SERVICE  cluster  one  one-cc-1  running\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown state 'running'"), "{e}");
        let e = parse("SERVICE  cluster  one\n").unwrap_err().to_string();
        assert!(e.contains("expected 5 columns"), "{e}");
        assert!(parse("\n").is_err());
    }
}
