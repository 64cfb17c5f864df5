//! Parser for EC2 `DescribeImages`: which of the asked image ids exist, and in which state
//! (`available`, `pending`, `failed`, `deregistered`).
//!
//! ```text
//! <DescribeImagesResponse xmlns="http://ec2.amazonaws.com/doc/2014-06-15/"><requestId>..</requestId>
//!   <imagesSet><item><imageId>emi-..</imageId><imageLocation>..</imageLocation>
//!     <imageState>available</imageState><imageOwnerId>..</imageOwnerId>..</item></imagesSet>
//! ```
//!
//! An image id that does not exist is not listed, or (for an explicitly asked id) answered with
//! the error `InvalidAMIID.NotFound`: both mean "no such image".

use super::ec2_xml::{self, Read};
use crate::ParseError;

/// Most XML tags read: an image is about 40 tags; 200,000 is 5,000 images.
pub const MAX_XML_TAGS: usize = 200_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    pub id: String,
    pub state: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Images(Vec<Image>),
    Error { code: String, message: String },
}

pub fn parse(text: &str) -> Result<Answer, ParseError> {
    let doc = match ec2_xml::read(
        text,
        &["DescribeImagesResponse", "DescribeImagesResponseType"],
        MAX_XML_TAGS,
    )? {
        Read::Error { code, message } => return Ok(Answer::Error { code, message }),
        Read::Doc(d) => d,
    };
    let root = doc.root();
    if ec2_xml::child(&doc, root, "imagesSet").is_none() {
        return Err(ec2_xml::at(
            text,
            &doc,
            root,
            "no imagesSet in DescribeImagesResponse",
        ));
    }
    let mut out = Vec::new();
    for i in ec2_xml::items(&doc, root, "imagesSet") {
        let id = ec2_xml::text(&doc, i, "imageId");
        if id.is_empty() {
            return Err(ec2_xml::at(text, &doc, i, "image without imageId"));
        }
        out.push(Image {
            id,
            state: ec2_xml::text(&doc, i, "imageState"),
            name: ec2_xml::text(&doc, i, "name"),
        });
    }
    Ok(Answer::Images(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_and_their_states() {
        let t = "<DescribeImagesResponse><imagesSet><item><imageId>emi-1</imageId><imageState>available</imageState>\
            <name>elb</name><blockDeviceMapping><item><deviceName>/dev/sda</deviceName></item></blockDeviceMapping></item>\
            </imagesSet></DescribeImagesResponse>";
        assert_eq!(
            parse(t).unwrap(),
            Answer::Images(vec![Image {
                id: "emi-1".into(),
                state: "available".into(),
                name: "elb".into()
            }])
        );
        assert_eq!(
            parse("<DescribeImagesResponse><imagesSet/></DescribeImagesResponse>").unwrap(),
            Answer::Images(vec![])
        );
        assert!(parse(&t[..40])
            .unwrap_err()
            .to_string()
            .contains("not well-formed"));
        assert!(parse("<DescribeImagesResponse/>")
            .unwrap_err()
            .to_string()
            .contains("no imagesSet"));
    }
}
