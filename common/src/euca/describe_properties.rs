//! Parser for the `DescribeProperties` answer of the Properties service (`/services/Properties`,
//! 4.2+; `/services/Empyrean` with eucadmin 3.x-4.1), `configuration/.../PropertiesMessages.groovy`:
//!
//! ```text
//! <euca:DescribePropertiesResponseType xmlns:euca="http://msgs.eucalyptus.com/4.4.2">
//!   <euca:properties><euca:item><euca:name>services.imaging.worker.image</euca:name>
//!     <euca:value>emi-0a1b2c3d</euca:value><euca:description>..</euca:description>..</euca:item>
//! ```
//!
//! Values are kept as written; an unset property reads `NULL` or empty (`KEYVALUEHIDDEN` ones
//! `********`).

use super::ec2_xml::{self, Read};
use crate::ParseError;

/// Most XML tags read: a property is about 12 tags; 200,000 is 16,000 properties.
pub const MAX_XML_TAGS: usize = 200_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Properties(Vec<(String, String)>),
    Error { code: String, message: String },
}

pub fn parse(text: &str) -> Result<Answer, ParseError> {
    let doc = match ec2_xml::read(
        text,
        &[
            "DescribePropertiesResponseType",
            "DescribePropertiesResponse",
        ],
        MAX_XML_TAGS,
    )? {
        Read::Error { code, message } => return Ok(Answer::Error { code, message }),
        Read::Doc(d) => d,
    };
    let root = doc.root();
    if ec2_xml::child(&doc, root, "properties").is_none() {
        return Err(ec2_xml::at(
            text,
            &doc,
            root,
            "no properties element in DescribePropertiesResponseType",
        ));
    }
    let mut out = Vec::new();
    for p in ec2_xml::items(&doc, root, "properties") {
        let name = ec2_xml::text(&doc, p, "name");
        if name.is_empty() {
            return Err(ec2_xml::at(text, &doc, p, "property without a name"));
        }
        out.push((name, ec2_xml::text(&doc, p, "value")));
    }
    Ok(Answer::Properties(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_values_in_any_prefix() {
        let t = "<euca:DescribePropertiesResponseType xmlns:euca=\"u\"><euca:properties><euca:item>\
            <euca:name>services.imaging.worker.image</euca:name><euca:value>NULL</euca:value>\
            <euca:description>d</euca:description></euca:item></euca:properties></euca:DescribePropertiesResponseType>";
        assert_eq!(
            parse(t).unwrap(),
            Answer::Properties(vec![(
                "services.imaging.worker.image".into(),
                "NULL".into()
            )])
        );
        assert!(parse(&t[..80])
            .unwrap_err()
            .to_string()
            .contains("not well-formed"));
        assert!(parse("<x/>").unwrap_err().to_string().contains("found <x>"));
    }
}
