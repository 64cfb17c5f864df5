//! Parser for the global network information (GNI) file the NC receives from the CC,
//! `/var/run/eucalyptus/global_network_info.xml` (written by `node/handlers_default.c`
//! `doBroadcastNetworkInfo`, read by eucanetd with the XPath expressions of `net/euca_gni.c`
//! `gni_populate*`; the JAXB model is `cluster-manager/.../cluster/NetworkInfo.groovy`):
//!
//! ```text
//! <network-data version="5e0a7c1f">
//!   <configuration>
//!     <property name="mode"><value>EDGE</value></property>
//!     <property name="clusters"><cluster name="one">
//!       <property name="nodes"><node name="10.111.5.140">
//!         <instanceIds><value>i-3c1f2a4b</value></instanceIds></node>...
//!   </configuration>
//!   <instances><instance name="i-3c1f2a4b">
//!     <macAddress>d0:0d:3c:1f:2a:4b</macAddress><privateIp>10.111.10.23</privateIp>...
//! ```
//!
//! Only what the check judges is kept: the version, the mode, the nodes of every cluster with
//! their instance ids, and each instance's MAC and private address. Unknown elements are
//! ignored (VPC elements, security groups). The NC writes the file in place (`O_TRUNC`, not a
//! rename), so a check may read it half written: that is "not well-formed", never judged.

use common::xml::{self, Document};
use common::ParseError;

/// Deepest element nesting read. The real file is 7 deep (`network-data/configuration/
/// property/cluster/property/node/instanceIds/value`); the limit stops a hostile file before
/// it costs memory, far above anything Eucalyptus writes.
pub const MAX_DEPTH: usize = 32;

/// Most `<` a GNI may hold. The reader keeps a node (72 bytes) per element and per text, at
/// most two per `<`: 175,000 keep a hostile file's model under 26 MiB (a real GNI has about 25
/// tags an instance: this is some 7,000 instances, more than an on-premise cloud runs).
pub const MAX_TAGS: usize = 175_000;

/// What the GNI says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gni {
    /// `@version` of the root: eight hex digits of the CLC's fingerprint
    /// (`network/NetworkInfoBroadcaster.java`).
    pub version: String,
    /// The `mode` property (EDGE, VPCMIDO, MANAGED, ...), as written.
    pub mode: Option<String>,
    /// Every node of every cluster, in document order.
    pub nodes: Vec<Node>,
    pub instances: Vec<Instance>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// The node's `name`: the address the CC knows it by.
    pub ip: String,
    pub cluster: String,
    pub instance_ids: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instance {
    pub id: String,
    pub mac: Option<String>,
    pub private_ip: Option<String>,
}

impl Gni {
    pub fn node(&self, ip: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.ip == ip)
    }
    pub fn instance(&self, id: &str) -> Option<&Instance> {
        self.instances.iter().find(|i| i.id == id)
    }
}

/// Parse the text of a GNI file.
pub fn parse(text: &str) -> Result<Gni, ParseError> {
    if text.trim().is_empty() {
        return Err(ParseError::whole(
            "the file is empty (being written by the NC, or never received?)",
        ));
    }
    let tags = text.bytes().filter(|&b| b == b'<').count();
    if tags > MAX_TAGS {
        return Err(ParseError::whole(format!(
            "{tags} XML tags, more than the {MAX_TAGS} a GNI of about 7,000 instances has: not read"
        )));
    }
    let doc = xml::parse(text, MAX_DEPTH).map_err(|e| match e {
        xml::Error::TooDeep => {
            ParseError::whole(format!("nested deeper than {MAX_DEPTH} levels, not read"))
        }
        xml::Error::At(offset, why) => at_offset(
            text,
            offset,
            format!("not well-formed XML (cut while being written, or not XML?): {why}"),
        ),
    })?;
    let root = doc.root();
    if doc.name(root) != "network-data" {
        return Err(ParseError::whole(format!(
            "not a global network information file: its root element is <{}>, not <network-data>",
            doc.name(root)
        )));
    }
    let version = doc
        .attribute(root, "version")
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .ok_or_else(|| ParseError::whole("<network-data> has no version attribute"))?;
    let mut gni = Gni {
        version,
        mode: None,
        nodes: Vec::new(),
        instances: Vec::new(),
    };
    for part in doc.elements(root) {
        match doc.name(part) {
            "configuration" => configuration(&doc, part, &mut gni),
            "instances" => instances(&doc, part, &mut gni)?,
            _ => {}
        }
    }
    Ok(gni)
}

/// `./property[@name='mode']/value` and `./property[@name='clusters']/cluster`.
fn configuration(doc: &Document, at: usize, gni: &mut Gni) {
    for property in children(doc, at, "property") {
        match doc.attribute(property, "name").as_deref() {
            Some("mode") => {
                gni.mode = children(doc, property, "value")
                    .next()
                    .map(|v| doc.text_of(v))
                    .filter(|m| !m.is_empty());
            }
            Some("clusters") => {
                for cluster in children(doc, property, "cluster") {
                    let name = doc.attribute(cluster, "name").unwrap_or_default();
                    for nodes in children(doc, cluster, "property")
                        .filter(|&p| doc.attribute(p, "name").as_deref() == Some("nodes"))
                    {
                        for node in children(doc, nodes, "node") {
                            gni.nodes.push(Node {
                                ip: doc
                                    .attribute(node, "name")
                                    .unwrap_or_default()
                                    .trim()
                                    .to_string(),
                                cluster: name.to_string(),
                                instance_ids: children(doc, node, "instanceIds")
                                    .flat_map(|ids| children(doc, ids, "value"))
                                    .map(|v| doc.text_of(v))
                                    .filter(|id| !id.is_empty())
                                    .collect(),
                            });
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

/// `/network-data/instances/instance` with `./macAddress` and `./privateIp`.
fn instances(doc: &Document, at: usize, gni: &mut Gni) -> Result<(), ParseError> {
    for instance in children(doc, at, "instance") {
        let id = doc.attribute(instance, "name").unwrap_or_default();
        if id.trim().is_empty() {
            return Err(ParseError::whole("an <instance> without a name"));
        }
        let leaf = |name: &str| {
            children(doc, instance, name)
                .next()
                .map(|v| doc.text_of(v))
                .filter(|t| !t.is_empty())
        };
        gni.instances.push(Instance {
            id: id.trim().to_string(),
            mac: leaf("macAddress"),
            private_ip: leaf("privateIp"),
        });
    }
    Ok(())
}

fn children<'d>(doc: &'d Document, at: usize, name: &'d str) -> impl Iterator<Item = usize> + 'd {
    doc.elements(at).filter(move |&i| doc.name(i) == name)
}

/// A reader error at a byte offset, as a line number and that line.
fn at_offset(text: &str, offset: usize, message: String) -> ParseError {
    let mut offset = offset.min(text.trim_end().len().saturating_sub(1));
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let row = text[..offset].matches('\n').count() + 1;
    let line = text.lines().nth(row - 1).unwrap_or("");
    ParseError::at(row, line, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GNI: &str = include_str!("../tests/fixtures/global_network_info.xml");

    #[test]
    fn the_fixture_gives_version_mode_nodes_and_instances() {
        let gni = parse(GNI).unwrap();
        assert_eq!(gni.version, "5e0a7c1f");
        assert_eq!(gni.mode.as_deref(), Some("EDGE"));
        let nodes: Vec<(&str, usize)> = gni
            .nodes
            .iter()
            .map(|n| (n.ip.as_str(), n.instance_ids.len()))
            .collect();
        assert_eq!(
            nodes,
            [
                ("10.111.5.140", 2),
                ("10.111.5.141", 0),
                ("10.111.5.142", 1)
            ]
        );
        assert_eq!(gni.node("10.111.5.140").unwrap().cluster, "one");
        let i = gni.instance("i-7d2e9b10").unwrap();
        assert_eq!(i.mac.as_deref(), Some("d0:0d:7d:2e:9b:10"));
        assert_eq!(i.private_ip.as_deref(), Some("10.111.10.24"));
        assert_eq!(gni.instances.len(), 3);
    }

    #[test]
    fn a_vpcmido_root_with_applied_version_and_no_clusters_is_read() {
        let gni = parse(
            "<network-data version='0a0b0c0d' applied-version='0a0b0c0d' applied-time='2017-01-01T00:00:00Z'>\
             <configuration><property name='mode'><value>VPCMIDO</value></property></configuration></network-data>",
        )
        .unwrap();
        assert_eq!(gni.mode.as_deref(), Some("VPCMIDO"));
        assert!(gni.nodes.is_empty() && gni.instances.is_empty());
    }

    #[test]
    fn what_is_not_a_gni_is_refused_with_the_reason() {
        let err = |t: &str| parse(t).unwrap_err().to_string();
        assert!(err("").contains("the file is empty"));
        assert!(err("  \n").contains("the file is empty"));
        assert!(err("<html><body/></html>").contains("its root element is <html>"));
        assert!(err("<network-data/>").contains("no version attribute"));
        assert!(err("<network-data version=''/>").contains("no version attribute"));
        assert!(err("garbage").contains("not well-formed XML"));
        assert!(
            err("<network-data version='1'><instances><instance/></instances></network-data>")
                .contains("an <instance> without a name")
        );
        let cut = err(&GNI[..GNI.len() / 2]);
        assert!(
            cut.contains("line 58 ") && cut.contains("not well-formed"),
            "{cut}"
        );
    }

    #[test]
    fn too_many_tags_are_refused_before_reading() {
        let many = format!(
            "<network-data version='1'>{}</network-data>",
            "<a/>".repeat(MAX_TAGS)
        );
        assert!(parse(&many)
            .unwrap_err()
            .to_string()
            .contains("175002 XML tags, more than the 175000"));
    }

    #[test]
    fn deep_nesting_stops_at_the_limit() {
        let deep = format!(
            "<network-data version='1'>{}{}</network-data>",
            "<a>".repeat(50_000),
            "</a>".repeat(50_000)
        );
        assert!(parse(&deep)
            .unwrap_err()
            .to_string()
            .contains("nested deeper than 32 levels"));
    }

    /// Every prefix of the real file either reads as the same model or is refused: a cut file
    /// is never a smaller network. (A cut inside the trailing white space leaves the document
    /// whole.)
    #[test]
    fn the_fixture_cut_anywhere_is_the_whole_or_refused() {
        let whole = parse(GNI).unwrap();
        for cut in 0..GNI.len() {
            if !GNI.is_char_boundary(cut) {
                continue;
            }
            match parse(&GNI[..cut]) {
                Ok(g) => assert_eq!(g, whole, "cut at {cut} read as another network"),
                Err(e) => assert!(!e.to_string().is_empty()),
            }
        }
    }

    #[test]
    fn garbage_never_panics() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..2000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let mut bytes = GNI.as_bytes().to_vec();
            let at = (seed as usize) % bytes.len();
            bytes[at] = (seed >> 32) as u8;
            let text = String::from_utf8_lossy(&bytes);
            let _ = parse(&text);
        }
    }
}
