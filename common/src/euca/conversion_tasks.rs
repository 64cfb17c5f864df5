//! Parser for EC2 `DescribeConversionTasks` (import-instance / import-volume tasks, the imaging
//! service's work queue): task id and state (`active`, `cancelling`, `cancelled`, `completed`).
//!
//! ```text
//! <DescribeConversionTasksResponse xmlns="http://ec2.amazonaws.com/doc/2014-06-15/"><requestId>..</requestId>
//!   <conversionTasks><item><conversionTaskId>import-i-..</conversionTaskId><expirationTime>..</expirationTime>
//!     <importVolume>..</importVolume><state>active</state><statusMessage>..</statusMessage></item>
//! ```

use super::ec2_xml::{self, Read};
use crate::ParseError;

/// Most XML tags read: a task is about 40 tags.
pub const MAX_XML_TAGS: usize = 200_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task {
    pub id: String,
    pub state: String,
    pub message: String,
}

impl Task {
    /// Waiting for or being worked on by an imaging worker.
    pub fn is_waiting(&self) -> bool {
        self.state == "active"
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Tasks(Vec<Task>),
    Error { code: String, message: String },
}

pub fn parse(text: &str) -> Result<Answer, ParseError> {
    let doc = match ec2_xml::read(
        text,
        &[
            "DescribeConversionTasksResponse",
            "DescribeConversionTasksResponseType",
        ],
        MAX_XML_TAGS,
    )? {
        Read::Error { code, message } => return Ok(Answer::Error { code, message }),
        Read::Doc(d) => d,
    };
    let root = doc.root();
    if ec2_xml::child(&doc, root, "conversionTasks").is_none() {
        return Err(ec2_xml::at(
            text,
            &doc,
            root,
            "no conversionTasks in DescribeConversionTasksResponse",
        ));
    }
    let mut out = Vec::new();
    for t in ec2_xml::items(&doc, root, "conversionTasks") {
        // Some shapes wrap the task in <conversionTask>.
        let t = ec2_xml::child(&doc, t, "conversionTask").unwrap_or(t);
        let id = ec2_xml::text(&doc, t, "conversionTaskId");
        let state = ec2_xml::text(&doc, t, "state");
        if id.is_empty() || state.is_empty() {
            return Err(ec2_xml::at(
                text,
                &doc,
                t,
                "conversion task without id or state",
            ));
        }
        out.push(Task {
            id,
            state,
            message: ec2_xml::text(&doc, t, "statusMessage"),
        });
    }
    Ok(Answer::Tasks(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tasks_with_states() {
        let t = "<DescribeConversionTasksResponse><conversionTasks><item><conversionTaskId>import-i-1</conversionTaskId>\
            <state>active</state><statusMessage>pending</statusMessage></item><item><conversionTask>\
            <conversionTaskId>import-vol-2</conversionTaskId><state>completed</state></conversionTask></item>\
            </conversionTasks></DescribeConversionTasksResponse>";
        let Answer::Tasks(tasks) = parse(t).unwrap() else {
            panic!("not tasks")
        };
        assert_eq!(tasks.len(), 2);
        assert!(tasks[0].is_waiting() && !tasks[1].is_waiting());
        assert!(parse(&t[..60])
            .unwrap_err()
            .to_string()
            .contains("not well-formed"));
        let e = parse(&t.replace("<state>active</state>", ""))
            .unwrap_err()
            .to_string();
        assert!(e.contains("without id or state"), "{e}");
    }
}
