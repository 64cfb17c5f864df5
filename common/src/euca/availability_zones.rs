//! Parsers for EC2 `DescribeAvailabilityZones` as Eucalyptus answers it, with the admin-only
//! zone name `verbose` (capacity per VM type), in its two forms: the XML answer and euca2ools'
//! `AVAILABILITYZONE` text.
//!
//! Eucalyptus packs its capacity listing into ordinary zone items
//! (`cluster-manager/.../cluster/ClusterEndpoint.java`): per ENABLED cluster one item
//! `zoneName=<zone>`, `zoneState=<cc host> <cc fullName>`, then `|- vm types` /
//! `free / max   cpu   ram  disk`, then per VM type `|- <type>` / `%04d / %04d  %2d   %4d  %4d`.
//! Without `verbose` each zone is one item whose state is `available` or `unavailable`;
//! with it, a zone whose cluster is not ENABLED is left out.
//!
//! ```text
//! <DescribeAvailabilityZonesResponse xmlns="http://ec2.amazonaws.com/doc/2014-06-15/">
//!   <requestId>..</requestId><availabilityZoneInfo>
//!     <item><zoneName>one</zoneName><zoneState>10.111.5.130 arn:euca:eucalyptus:one:cluster:one-cc-1/</zoneState>..</item>
//!     <item><zoneName>|- m1.small</zoneName><zoneState>0034 / 0048   1    256     5</zoneState>..</item>
//! AVAILABILITYZONE<TAB>one<TAB>10.111.5.130 arn:euca:eucalyptus:one:cluster:one-cc-1/<TAB>
//! AVAILABILITYZONE<TAB>|- m1.small<TAB>0034 / 0048   1    256     5<TAB>
//! ```
//!
//! What makes an answer whole: XML well-formed; text lines each ended by a newline; every
//! verbose zone lists its `|- vm types` header and the same VM types as every other verbose
//! zone (VM types are cloud-wide, `vmtypes/VmTypes.java`), so a listing cut between two type
//! rows is refused, never judged as a zone with fewer types.

use super::describe_services::{refuse_oversized, MAX_DEPTH};
use super::xml;
use crate::ParseError;

/// How a zone is listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ZoneState {
    /// Non-verbose `available`.
    Available,
    /// Non-verbose `unavailable`: the zone's cluster controller is not ENABLED.
    Unavailable,
    /// Verbose: the ENABLED cluster controller's host and full name.
    Cluster { host: String, name: String },
    /// Any other word, as written.
    Other(String),
}

/// Capacity of one VM type in one zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VmType {
    pub name: String,
    /// Instances of this type that could still start.
    pub free: u64,
    /// Instances of this type the zone's ENABLED NCs could hold in all.
    pub max: u64,
    pub cpu: u64,
    pub ram_mb: u64,
    pub disk_gb: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Zone {
    pub name: String,
    pub state: ZoneState,
    /// Empty for a non-verbose listing.
    pub types: Vec<VmType>,
    /// `messageSet` texts (non-verbose answers may carry some).
    pub messages: Vec<String>,
}

impl Zone {
    /// Listed with capacity (a verbose answer).
    pub fn is_verbose(&self) -> bool {
        matches!(self.state, ZoneState::Cluster { .. })
    }

    pub fn vm_type(&self, name: &str) -> Option<&VmType> {
        self.types.iter().find(|t| t.name == name)
    }
}

/// What the service answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Zones(Vec<Zone>),
    /// `<Response><Errors><Error><Code>..` (a 403 and the like).
    Error {
        code: String,
        message: String,
    },
}

/// Most XML tags read: an item is 10 tags, a zone 22 items; 200,000 is 900 zones, far beyond
/// any cloud. Checked by counting `<` before any tree is built.
pub const MAX_XML_TAGS: usize = 200_000;

/// One listed item, where it was found (for error lines).
struct Item {
    name: String,
    state: String,
    messages: Vec<String>,
    /// Byte offset where it starts: its line is found only for an error (finding it for
    /// every item made reading 200 items quadratic, 40 M instructions for 33 KB).
    offset: usize,
}

/// Parse the XML answer (or an error body).
pub fn parse(text: &str) -> Result<Answer, ParseError> {
    if text.trim().is_empty() {
        return Err(ParseError::whole("the answer is empty"));
    }
    refuse_oversized(text, MAX_XML_TAGS)?;
    let doc = xml::parse(text, MAX_DEPTH).map_err(|e| match e {
        xml::Error::TooDeep => {
            ParseError::whole(format!("nested deeper than {MAX_DEPTH} levels, not read"))
        }
        xml::Error::At(offset, why) => at_offset(
            text,
            offset,
            format!("not well-formed XML (truncated or not XML?): {why}"),
        ),
    })?;
    let root = doc.root();
    match doc.name(root) {
        "DescribeAvailabilityZonesResponse" | "DescribeAvailabilityZonesResponseType" => {}
        "Response" | "ErrorResponse" => {
            let field = |name: &str| {
                doc.descendants(root)
                    .find(|&n| doc.name(n) == name)
                    .map(|n| doc.text_of(n))
                    .unwrap_or_default()
            };
            return Ok(Answer::Error {
                code: field("Code"),
                message: field("Message"),
            });
        }
        other => {
            return Err(at_offset(
                text,
                doc.nodes[root].start,
                format!("expected DescribeAvailabilityZonesResponse, found <{other}>"),
            ))
        }
    }
    let child = |n: usize, name: &str| doc.elements(n).find(|&c| doc.name(c) == name);
    let info = child(root, "availabilityZoneInfo").ok_or_else(|| {
        at_offset(
            text,
            doc.nodes[root].start,
            "no availabilityZoneInfo element in DescribeAvailabilityZonesResponse",
        )
    })?;
    let mut items = Vec::new();
    for item in doc.elements(info).filter(|&n| doc.name(n) == "item") {
        let start = doc.nodes[item].start;
        let name = child(item, "zoneName")
            .map(|n| doc.text_of(n))
            .ok_or_else(|| at_offset(text, start, "zone item without zoneName"))?;
        let state = child(item, "zoneState")
            .map(|n| doc.text_of(n))
            .unwrap_or_default();
        let messages = child(item, "messageSet")
            .map(|set| {
                doc.descendants(set)
                    .filter(|&n| doc.name(n) == "message")
                    .map(|n| doc.text_of(n))
                    .collect()
            })
            .unwrap_or_default();
        items.push(Item {
            name,
            state,
            messages,
            offset: start,
        });
    }
    zones(text, items).map(Answer::Zones)
}

/// Parse euca2ools' `euca-describe-availability-zones [verbose]` output:
/// `AVAILABILITYZONE\t<zoneName>\t<zoneState>[\t<messages>]`, one line each.
pub fn parse_euca2ools(text: &str) -> Result<Vec<Zone>, ParseError> {
    if text.trim().is_empty() {
        return Err(ParseError::whole("the output is empty"));
    }
    if !text.ends_with('\n') {
        let (row, line) = line_at(text, text.trim_end().len().saturating_sub(1));
        return Err(ParseError::at(
            row,
            &line,
            "last line not ended by a newline (output cut?)",
        ));
    }
    let mut items = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let row = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let Some(rest) = line.strip_prefix("AVAILABILITYZONE") else {
            return Err(ParseError::at(
                row,
                line,
                "expected an AVAILABILITYZONE line",
            ));
        };
        // Fields are tab-separated; the captured documentation copy has spaces instead, so a
        // run of two or more spaces also separates (a zone state holds single spaces only
        // in "host arn", a type row's numbers are read from the state as a whole).
        let fields = split_fields(rest);
        let (name, state, messages) = match fields.as_slice() {
            [name, state, messages @ ..] => (
                name.to_string(),
                state.to_string(),
                messages
                    .iter()
                    .filter(|m| !m.is_empty())
                    .map(|m| m.to_string())
                    .collect(),
            ),
            _ => {
                return Err(ParseError::at(
                    row,
                    line,
                    "expected AVAILABILITYZONE, zone name and zone state",
                ))
            }
        };
        items.push(Item {
            name,
            state,
            messages,
            offset: line.as_ptr() as usize - text.as_ptr() as usize,
        });
    }
    zones(text, items)
}

/// `rest` of a line after `AVAILABILITYZONE` as fields: tabs separate; without any tab, the
/// name is the first word (or `|- word`) and the state the rest.
fn split_fields(rest: &str) -> Vec<String> {
    if rest.contains('\t') {
        return rest
            .trim_start_matches([' ', '\t'])
            .split('\t')
            .map(|f| f.trim().to_string())
            .collect();
    }
    let rest = rest.trim();
    let (name, state) = if let Some(tail) = rest.strip_prefix("|- ") {
        // `|- vm types     free / max ...` or `|- m1.small     0004 / 0004 ...`
        let tail = tail.trim_start();
        if let Some(after) = tail.strip_prefix("vm types") {
            ("|- vm types".to_string(), after.trim().to_string())
        } else {
            let (t, s) = tail.split_once(' ').unwrap_or((tail, ""));
            (format!("|- {t}"), s.trim().to_string())
        }
    } else {
        let (n, s) = rest.split_once(' ').unwrap_or((rest, ""));
        (n.to_string(), s.trim().to_string())
    };
    vec![name, state]
}

/// The flat item list as zones.
fn zones(text: &str, items: Vec<Item>) -> Result<Vec<Zone>, ParseError> {
    let mut zones: Vec<Zone> = Vec::new();
    // Per verbose zone: whether its `|- vm types` header was seen, and the line of the zone.
    let mut header: Vec<bool> = Vec::new();
    let mut zone_at: Vec<usize> = Vec::new();
    for item in items {
        let bad = |message: String| at_offset(text, item.offset, message);
        if let Some(row) = item.name.strip_prefix("|-") {
            let row = row.trim();
            let Some(zone) = zones.last_mut() else {
                return Err(bad(format!("VM type row '{row}' before any zone")));
            };
            // A capacity listing under a zone whose state is not `host arn:...` (an older or
            // unusual CC name): the rows say it is a verbose zone.
            if let ZoneState::Other(state) = &zone.state {
                let (host, name) = state.split_once(' ').unwrap_or((state.as_str(), ""));
                zone.state = ZoneState::Cluster {
                    host: host.to_string(),
                    name: name.trim().to_string(),
                };
            }
            if !zone.is_verbose() {
                return Err(bad(format!(
                    "VM type row '{row}' under zone {}, which is not listed with capacity",
                    zone.name
                )));
            }
            let seen = header.last_mut().expect("one flag per zone");
            if row == "vm types" {
                if *seen {
                    return Err(bad(format!("zone {}: a second vm types header", zone.name)));
                }
                *seen = true;
                continue;
            }
            if !*seen {
                return Err(bad(format!(
                    "zone {}: VM type '{row}' before the vm types header",
                    zone.name
                )));
            }
            let t = vm_type(row, &item.state).map_err(&bad)?;
            if zone.types.iter().any(|o| o.name == t.name) {
                return Err(bad(format!(
                    "zone {}: VM type {} listed twice",
                    zone.name, t.name
                )));
            }
            zone.types.push(t);
            continue;
        }
        if item.name.is_empty() {
            return Err(bad("zone with an empty name".into()));
        }
        if zones.iter().any(|z| z.name == item.name) {
            return Err(bad(format!("zone {} listed twice", item.name)));
        }
        let state = zone_state(&item.state);
        header.push(false);
        zone_at.push(item.offset);
        zones.push(Zone {
            name: item.name,
            state,
            types: Vec::new(),
            messages: item.messages,
        });
    }
    // Whole: each verbose zone has its header and the same VM types as the first.
    let mut reference: Option<&Zone> = None;
    for (i, zone) in zones.iter().enumerate().filter(|(_, z)| z.is_verbose()) {
        let offset = zone_at[i];
        if !header[i] || zone.types.is_empty() {
            return Err(at_offset(
                text,
                offset,
                format!(
                    "zone {} lists no VM types (answer cut?): a verbose zone lists every type",
                    zone.name
                ),
            ));
        }
        match reference {
            None => reference = Some(zone),
            Some(first) => {
                let names = |z: &Zone| z.types.iter().map(|t| t.name.clone()).collect::<Vec<_>>();
                if names(first) != names(zone) {
                    return Err(at_offset(
                        text,
                        offset,
                        format!(
                            "zone {} lists {} VM types, zone {} {} (answer cut?): VM types are cloud-wide",
                            zone.name,
                            zone.types.len(),
                            first.name,
                            first.types.len()
                        ),
                    ));
                }
            }
        }
    }
    Ok(zones)
}

fn zone_state(state: &str) -> ZoneState {
    let s = state.trim();
    match s {
        "available" => ZoneState::Available,
        "unavailable" => ZoneState::Unavailable,
        _ => match s.split_once(' ') {
            Some((host, name)) if name.trim().starts_with("arn:") => ZoneState::Cluster {
                host: host.to_string(),
                name: name.trim().to_string(),
            },
            _ => ZoneState::Other(s.to_string()),
        },
    }
}

/// `0034 / 0048   1    256     5`: free / max cpu ram disk.
fn vm_type(name: &str, state: &str) -> Result<VmType, String> {
    let bad = || format!("VM type {name}: expected 'free / max cpu ram disk', found '{state}'");
    if name.is_empty() || name.contains(char::is_whitespace) {
        return Err(format!("'{name}' is not a VM type name"));
    }
    let words: Vec<&str> = state.split_whitespace().collect();
    let [free, "/", max, cpu, ram, disk] = words.as_slice() else {
        return Err(bad());
    };
    let num = |w: &str| {
        if w.is_empty() || !w.bytes().all(|b| b.is_ascii_digit()) || w.len() > 15 {
            Err(bad())
        } else {
            w.parse::<u64>().map_err(|_| bad())
        }
    };
    Ok(VmType {
        name: name.to_string(),
        free: num(free)?,
        max: num(max)?,
        cpu: num(cpu)?,
        ram_mb: num(ram)?,
        disk_gb: num(disk)?,
    })
}

/// Line number (1-based) and text of the line holding byte `offset`.
fn line_at(text: &str, offset: usize) -> (usize, String) {
    let offset = offset.min(text.len());
    let row = text.as_bytes()[..offset]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1;
    (row, text.lines().nth(row - 1).unwrap_or("").to_string())
}

/// A parse error at the line holding byte `offset`; past the end, the last line with text.
fn at_offset(text: &str, offset: usize, message: impl Into<String>) -> ParseError {
    let offset = if offset >= text.len() {
        text.trim_end().len().saturating_sub(1)
    } else {
        offset
    };
    let (row, line) = line_at(text, offset);
    ParseError::at(row, &line, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    const VERBOSE: &str = "<DescribeAvailabilityZonesResponse xmlns=\"http://ec2.amazonaws.com/doc/2014-06-15/\">\n\
        <requestId>r</requestId><availabilityZoneInfo>\n\
        <item><zoneName>one</zoneName><zoneState>10.1.1.1 arn:euca:eucalyptus:one:cluster:one-cc-1/</zoneState><regionName/><messageSet/></item>\n\
        <item><zoneName>|- vm types</zoneName><zoneState>free / max   cpu   ram  disk</zoneState></item>\n\
        <item><zoneName>|- m1.small</zoneName><zoneState>0034 / 0048   1    256     5</zoneState></item>\n\
        <item><zoneName>|- hs1.8xlarge</zoneName><zoneState>0000 / 0000  48   119808  24000</zoneState></item>\n\
        </availabilityZoneInfo></DescribeAvailabilityZonesResponse>\n";

    #[test]
    fn verbose_xml_gives_zones_with_their_types() {
        let Answer::Zones(z) = parse(VERBOSE).unwrap() else {
            panic!("not zones")
        };
        assert_eq!(z.len(), 1);
        assert_eq!(
            z[0].state,
            ZoneState::Cluster {
                host: "10.1.1.1".into(),
                name: "arn:euca:eucalyptus:one:cluster:one-cc-1/".into()
            }
        );
        assert_eq!(
            z[0].vm_type("m1.small"),
            Some(&VmType {
                name: "m1.small".into(),
                free: 34,
                max: 48,
                cpu: 1,
                ram_mb: 256,
                disk_gb: 5
            })
        );
        assert_eq!(z[0].vm_type("hs1.8xlarge").map(|t| t.max), Some(0));
    }

    #[test]
    fn text_and_xml_read_alike() {
        let text = "AVAILABILITYZONE\tone\t10.1.1.1 arn:euca:eucalyptus:one:cluster:one-cc-1/\t\n\
            AVAILABILITYZONE\t|- vm types\tfree / max   cpu   ram  disk\t\n\
            AVAILABILITYZONE\t|- m1.small\t0034 / 0048   1    256     5\t\n\
            AVAILABILITYZONE\t|- hs1.8xlarge\t0000 / 0000  48   119808  24000\t\n";
        assert_eq!(
            Answer::Zones(parse_euca2ools(text).unwrap()),
            parse(VERBOSE).unwrap()
        );
        // the documentation's copy, spaces instead of tabs
        let spaced = text.replace('\t', "        ");
        assert_eq!(
            parse_euca2ools(&spaced).unwrap(),
            parse_euca2ools(text).unwrap()
        );
    }

    #[test]
    fn a_capacity_listing_makes_a_zone_verbose_whatever_its_state_says() {
        let z = parse_euca2ools("AVAILABILITYZONE\tone\t10.1.1.1 one-cc\t\nAVAILABILITYZONE\t|- vm types\tfree / max   cpu   ram  disk\t\n\
            AVAILABILITYZONE\t|- m1.small\t0001 / 0002   1    256     5\t\n")
            .unwrap();
        assert!(z[0].is_verbose());
        assert_eq!(z[0].types.len(), 1);
    }

    #[test]
    fn non_verbose_states() {
        let z = parse_euca2ools(
            "AVAILABILITYZONE\tone\tavailable\t\nAVAILABILITYZONE\ttwo\tunavailable\t\n",
        )
        .unwrap();
        assert_eq!(z[0].state, ZoneState::Available);
        assert_eq!(z[1].state, ZoneState::Unavailable);
        assert!(z[1].types.is_empty());
    }

    #[test]
    fn what_is_not_whole_names_the_line() {
        let e = |t: &str| parse_euca2ools(t).unwrap_err().to_string();
        let two = "AVAILABILITYZONE\tone\t10.1.1.1 arn:x/\t\nAVAILABILITYZONE\t|- vm types\tfree / max   cpu   ram  disk\t\n\
            AVAILABILITYZONE\t|- m1.small\t0034 / 0048   1    256     5\t\nAVAILABILITYZONE\t|- m1.large\t0001 / 0002   2    512    10\t\n\
            AVAILABILITYZONE\ttwo\t10.1.1.2 arn:y/\t\nAVAILABILITYZONE\t|- vm types\tfree / max   cpu   ram  disk\t\n\
            AVAILABILITYZONE\t|- m1.small\t0034 / 0048   1    256     5\t\n";
        assert!(
            e(two).contains("zone two lists 1 VM types, zone one 2 (answer cut?)"),
            "{}",
            e(two)
        );
        assert!(e(&two[..two.len() - 1]).contains("not ended by a newline"));
        let cut = "AVAILABILITYZONE\tone\t10.1.1.1 arn:x/\t\nAVAILABILITYZONE\t|- vm types\tfree / max   cpu   ram  disk\t\n";
        assert!(e(cut).contains("zone one lists no VM types"), "{}", e(cut));
        let half = "AVAILABILITYZONE\tone\t10.1.1.1 arn:x/\t\nAVAILABILITYZONE\t|- vm types\tfree / max   cpu   ram  disk\t\nAVAILABILITYZONE\t|- m1.small\t0034 / 00\t\n";
        assert!(e(half).contains("expected 'free / max cpu ram disk', found '0034 / 00'"));
        assert!(e("garbage\n").contains("expected an AVAILABILITYZONE line"));
        assert!(e("AVAILABILITYZONE\t|- m1.small\t1 / 2 1 1 1\n").contains("before any zone"));
        assert!(e("").contains("empty"));
    }

    #[test]
    fn hostile_xml_is_refused_before_a_tree_is_built() {
        let deep = format!("{}{}", "<a>".repeat(100_000), "</a>".repeat(100_000));
        assert!(parse(&deep)
            .unwrap_err()
            .to_string()
            .contains("nested deeper than 64"));
        let wide = format!(
            "<DescribeAvailabilityZonesResponse>{}</DescribeAvailabilityZonesResponse>",
            "<a/>".repeat(MAX_XML_TAGS)
        );
        assert!(parse(&wide).unwrap_err().to_string().contains("XML tags"));
        let e = parse(&VERBOSE[..VERBOSE.len() / 2])
            .unwrap_err()
            .to_string();
        assert!(e.contains("not well-formed XML"), "{e}");
        let e = parse("<html>proxy</html>").unwrap_err().to_string();
        assert!(e.contains("found <html>"), "{e}");
    }

    #[test]
    fn error_bodies_give_code_and_message() {
        let body = "<Response><Errors><Error><Code>403 Forbidden</Code><Message>Signature validation failed</Message></Error></Errors></Response>";
        assert_eq!(
            parse(body).unwrap(),
            Answer::Error {
                code: "403 Forbidden".into(),
                message: "Signature validation failed".into()
            }
        );
    }
}
