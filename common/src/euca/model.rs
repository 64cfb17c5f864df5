//! The typed model every source format is read into: one [`Service`] per registered Eucalyptus
//! service, as the CLC's Empyrean `DescribeServices` reports it (`ServiceStatusType` in
//! `EmpyreanMessages.groovy`).

use std::fmt;

/// A service state (`component/Component.java` enum `State`), or the `n/a: <message>` the CLC
/// reports when looking the state up threw.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum State {
    Enabled,
    Disabled,
    NotReady,
    Broken,
    Stopped,
    Loaded,
    Initialized,
    Primordial,
    /// `n/a: <message>`: the CLC could not tell.
    NotAvailable(String),
}

impl State {
    /// Read a state as the CLC (upper case) or euserv (lower case) writes it. `None` for a word
    /// that is no state at all (the parser then names the line).
    pub fn parse(text: &str) -> Option<State> {
        let t = text.trim();
        if let Some(rest) = t.strip_prefix("n/a") {
            return Some(State::NotAvailable(
                rest.trim_start_matches(':').trim().to_string(),
            ));
        }
        Some(match t.to_ascii_uppercase().as_str() {
            "ENABLED" => State::Enabled,
            "DISABLED" => State::Disabled,
            "NOTREADY" => State::NotReady,
            "BROKEN" => State::Broken,
            "STOPPED" => State::Stopped,
            "LOADED" => State::Loaded,
            "INITIALIZED" => State::Initialized,
            "PRIMORDIAL" => State::Primordial,
            _ => return None,
        })
    }

    /// The word for perfdata labels and counts.
    pub fn key(&self) -> &'static str {
        match self {
            State::Enabled => "enabled",
            State::Disabled => "disabled",
            State::NotReady => "notready",
            State::Broken => "broken",
            State::Stopped => "stopped",
            State::Loaded => "loaded",
            State::Initialized => "initialized",
            State::Primordial => "primordial",
            State::NotAvailable(_) => "unknown",
        }
    }

    /// Every state key, in the order perfdata lists them.
    pub const KEYS: [&'static str; 9] = [
        "enabled",
        "disabled",
        "notready",
        "broken",
        "stopped",
        "loaded",
        "initialized",
        "primordial",
        "unknown",
    ];

    /// LOADED and INITIALIZED: the service is on its way up.
    pub fn is_starting(&self) -> bool {
        matches!(self, State::Loaded | State::Initialized)
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            State::NotAvailable(msg) if msg.is_empty() => f.write_str("n/a"),
            State::NotAvailable(msg) => write!(f, "n/a: {msg}"),
            other => f.write_str(&other.key().to_ascii_uppercase()),
        }
    }
}

/// One fault event the CLC keeps for a service (`ServiceStatusDetail`, with `ShowEvents=true`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Event {
    pub severity: String,
    pub message: String,
    pub timestamp: String,
}

/// One registered service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    /// The service type (`ComponentId` name): `eucalyptus`, `cluster`, `storage`, `node` ...
    pub kind: String,
    /// Partition: the zone for `cluster`/`storage`/`node`, the UFS name for UFS members.
    pub partition: String,
    pub name: String,
    pub full_name: Option<String>,
    pub uri: Option<String>,
    /// The host the service runs on (`ServiceId.host` from 4.2, else taken from the URI).
    pub host: Option<String>,
    pub state: State,
    pub epoch: Option<u64>,
    pub events: Vec<Event>,
}

impl Service {
    /// A service with only the fields every format has.
    pub fn new(kind: &str, partition: &str, name: &str, state: State) -> Service {
        Service {
            kind: kind.to_string(),
            partition: partition.to_string(),
            name: name.to_string(),
            full_name: None,
            uri: None,
            host: None,
            state,
            epoch: None,
            events: Vec::new(),
        }
    }

    /// `name on host`, or the name alone when the host is not known or is the name.
    pub fn label(&self) -> String {
        match &self.host {
            Some(h) if h != &self.name => format!("{} on {h}", self.name),
            _ => self.name.clone(),
        }
    }

    /// The most recent event message, for long output.
    pub fn cause(&self) -> Option<&str> {
        self.events
            .iter()
            .rev()
            .map(|e| e.message.trim())
            .find(|m| !m.is_empty())
    }
}

/// The host part of a service URI (`http://10.111.5.130:8774/axis2/services/EucalyptusCC`).
pub fn host_of_uri(uri: &str) -> Option<String> {
    let rest = uri.split_once("://")?.1;
    let authority = rest.split('/').next()?;
    let authority = authority.rsplit('@').next()?;
    let host = if let Some(v6) = authority.strip_prefix('[') {
        v6.split(']').next()?
    } else {
        authority.split(':').next()?
    };
    (!host.is_empty()).then(|| host.to_string())
}

/// Split an Eucalyptus ARN (`ComponentFullName`): `arn:euca:<component>:<partition>:<type>:<name>/`.
/// An empty type is the component itself (`arn:euca:eucalyptus:::10.111.5.100/` is the CLC), an
/// empty partition the component's own (`eucalyptus` for CLC-local backends, `bootstrap`).
/// Returns (type, partition, name).
pub fn split_arn(arn: &str) -> Option<(String, String, String)> {
    let mut parts = arn.trim().splitn(6, ':');
    if parts.next()? != "arn" || parts.next()? != "euca" {
        return None;
    }
    let component = parts.next()?;
    let partition = parts.next()?;
    let kind = parts.next()?;
    let name = parts.next()?.trim_end_matches('/');
    if component.is_empty() || name.is_empty() {
        return None;
    }
    let kind = if kind.is_empty() { component } else { kind };
    let partition = if partition.is_empty() {
        component
    } else {
        partition
    };
    Some((kind.to_string(), partition.to_string(), name.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_read_in_both_cases_and_na_keeps_its_message() {
        assert_eq!(State::parse("ENABLED"), Some(State::Enabled));
        assert_eq!(State::parse("notready"), Some(State::NotReady));
        assert_eq!(
            State::parse("n/a: java.lang.NullPointerException"),
            Some(State::NotAvailable("java.lang.NullPointerException".into()))
        );
        assert_eq!(State::parse("RUNNING"), None);
        assert_eq!(State::Broken.to_string(), "BROKEN");
    }

    #[test]
    fn arns_and_uris_give_type_partition_name_and_host() {
        let t = |a| split_arn(a).unwrap();
        assert_eq!(
            t("arn:euca:eucalyptus:::10.111.5.100/"),
            (
                "eucalyptus".into(),
                "eucalyptus".into(),
                "10.111.5.100".into()
            )
        );
        assert_eq!(
            t("arn:euca:eucalyptus::imagingbackend:10.111.5.100/"),
            (
                "imagingbackend".into(),
                "eucalyptus".into(),
                "10.111.5.100".into()
            )
        );
        assert_eq!(
            t("arn:euca:eucalyptus:one:cluster:one-cc-1/"),
            ("cluster".into(), "one".into(), "one-cc-1".into())
        );
        assert_eq!(
            t("arn:euca:bootstrap:API_10.111.5.110:compute:API_10.111.5.110.compute/"),
            (
                "compute".into(),
                "API_10.111.5.110".into(),
                "API_10.111.5.110.compute".into()
            )
        );
        assert!(split_arn("arn:aws:s3:::bucket").is_none());
        assert_eq!(
            host_of_uri("http://10.111.5.130:8774/axis2/services/EucalyptusCC").as_deref(),
            Some("10.111.5.130")
        );
        assert_eq!(host_of_uri("none"), None);
    }
}
