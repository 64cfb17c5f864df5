//! Parser for EC2 `DescribeInstances` as Eucalyptus answers an admin who asks with instance id
//! `verbose` (every account's instances; `euca-describe-instances verbose`). Eucalyptus tags each
//! instance with `euca:node` = the address of the NC it runs on (`VmInstance.VM_NC_HOST_TAG`,
//! set by `VmInstances.setNodeTag`), visible to the admin.
//!
//! ```text
//! <DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2014-06-15/"><requestId>..</requestId>
//!   <reservationSet><item><reservationId>r-..</reservationId><ownerId>000036660381</ownerId>
//!     <instancesSet><item><instanceId>i-..</instanceId><imageId>emi-..</imageId>
//!       <instanceState><code>16</code><name>running</name></instanceState>
//!       <placement><availabilityZone>one</availabilityZone></placement>
//!       <tagSet><item><key>euca:node</key><value>10.111.5.140</value></item></tagSet>
//! ```
//!
//! Local names only, unknown elements ignored; `item` is read as a direct child of its set
//! (a reservation's `groupSet` holds `item`s too).

use super::ec2_xml::{self, Read};
use crate::ParseError;

/// Most XML tags read: an instance is about 120 tags; 400,000 is 3,000 instances.
pub const MAX_XML_TAGS: usize = 400_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instance {
    pub id: String,
    pub image_id: String,
    /// `pending`, `running`, `shutting-down`, `terminated`, `stopping`, `stopped`.
    pub state: String,
    /// The owning account (the reservation's `ownerId`).
    pub owner: String,
    pub zone: String,
    /// The NC it runs on (`euca:node` tag), when listed.
    pub node: Option<String>,
    pub tags: Vec<(String, String)>,
}

impl Instance {
    pub fn tag(&self, key: &str) -> Option<&str> {
        self.tags
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Instances(Vec<Instance>),
    Error { code: String, message: String },
}

pub fn parse(text: &str) -> Result<Answer, ParseError> {
    let doc = match ec2_xml::read(
        text,
        &["DescribeInstancesResponse", "DescribeInstancesResponseType"],
        MAX_XML_TAGS,
    )? {
        Read::Error { code, message } => return Ok(Answer::Error { code, message }),
        Read::Doc(d) => d,
    };
    let root = doc.root();
    if ec2_xml::child(&doc, root, "reservationSet").is_none() {
        return Err(ec2_xml::at(
            text,
            &doc,
            root,
            "no reservationSet in DescribeInstancesResponse",
        ));
    }
    let mut out = Vec::new();
    for r in ec2_xml::items(&doc, root, "reservationSet") {
        let owner = ec2_xml::text(&doc, r, "ownerId");
        for i in ec2_xml::items(&doc, r, "instancesSet") {
            let id = ec2_xml::text(&doc, i, "instanceId");
            if id.is_empty() {
                return Err(ec2_xml::at(text, &doc, i, "instance without instanceId"));
            }
            let state = ec2_xml::child(&doc, i, "instanceState")
                .map(|s| ec2_xml::text(&doc, s, "name"))
                .unwrap_or_default();
            if state.is_empty() {
                return Err(ec2_xml::at(
                    text,
                    &doc,
                    i,
                    format!("instance {id} without instanceState name"),
                ));
            }
            let zone = ec2_xml::child(&doc, i, "placement")
                .map(|p| ec2_xml::text(&doc, p, "availabilityZone"))
                .unwrap_or_default();
            let tags: Vec<(String, String)> = ec2_xml::items(&doc, i, "tagSet")
                .map(|t| {
                    (
                        ec2_xml::text(&doc, t, "key"),
                        ec2_xml::text(&doc, t, "value"),
                    )
                })
                .collect();
            let node = tags
                .iter()
                .find(|(k, _)| k == "euca:node")
                .map(|(_, v)| v.clone())
                .filter(|v| !v.is_empty());
            out.push(Instance {
                image_id: ec2_xml::text(&doc, i, "imageId"),
                owner: owner.clone(),
                id,
                state,
                zone,
                node,
                tags,
            });
        }
    }
    Ok(Answer::Instances(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE: &str = "<DescribeInstancesResponse xmlns=\"http://ec2.amazonaws.com/doc/2014-06-15/\"><requestId>x</requestId>\n\
        <reservationSet><item><reservationId>r-1</reservationId><ownerId>000036660381</ownerId>\n\
        <groupSet><item><groupId>sg-1</groupId></item></groupSet>\n\
        <instancesSet><item><instanceId>i-1</instanceId><imageId>emi-1</imageId>\n\
        <instanceState><code>16</code><name>running</name></instanceState>\n\
        <placement><availabilityZone>one</availabilityZone></placement>\n\
        <tagSet><item><key>euca:node</key><value>10.1.1.1</value></item><item><key>Name</key><value>w</value></item></tagSet>\n\
        </item></instancesSet></item></reservationSet></DescribeInstancesResponse>\n";

    #[test]
    fn instances_with_owner_state_zone_node_and_tags() {
        let Answer::Instances(i) = parse(ONE).unwrap() else {
            panic!("not instances")
        };
        assert_eq!(i.len(), 1);
        assert_eq!(i[0].owner, "000036660381");
        assert_eq!(i[0].state, "running");
        assert_eq!(i[0].zone, "one");
        assert_eq!(i[0].node.as_deref(), Some("10.1.1.1"));
        assert_eq!(i[0].tag("Name"), Some("w"));
        assert_eq!(i[0].image_id, "emi-1");
    }

    #[test]
    fn cut_foreign_and_error_answers() {
        let e = parse(&ONE[..ONE.len() / 2]).unwrap_err().to_string();
        assert!(
            e.contains("not well-formed XML") && e.contains("line "),
            "{e}"
        );
        let e = parse("<html/>").unwrap_err().to_string();
        assert!(
            e.contains("expected DescribeInstancesResponse, found <html>"),
            "{e}"
        );
        let e = parse("<DescribeInstancesResponse/>")
            .unwrap_err()
            .to_string();
        assert!(e.contains("no reservationSet"), "{e}");
        let e = parse(&ONE.replace("<name>running</name>", ""))
            .unwrap_err()
            .to_string();
        assert!(e.contains("instance i-1 without instanceState name"), "{e}");
        assert!(matches!(
            parse("<Response><Errors><Error><Code>403 Forbidden</Code><Message>m</Message></Error></Errors></Response>"),
            Ok(Answer::Error { .. })
        ));
        let deep = format!("{}{}", "<a>".repeat(70), "</a>".repeat(70));
        assert!(parse(&deep)
            .unwrap_err()
            .to_string()
            .contains("nested deeper"));
    }
}
