//! Every built answer cut at many byte positions: the verdict is the whole file's, or an
//! UNKNOWN parse error naming a line. XML answers are whole only once their root element is
//! closed; the property listings (text) end with a newline, so a cut inside a line is refused
//! and a cut at a line end is a shorter listing (a property it drops is then "not listed",
//! UNKNOWN, or the verdict is unchanged). Pure: the parsers and the rules, no process per cut.

use check_euca_workers::evaluate::{evaluate, Observed};
use check_euca_workers::properties_text;
use common::euca::{conversion_tasks, describe_images, describe_instances, describe_properties};
use common::{Report, Status};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

fn read(path: &str) -> String {
    std::fs::read_to_string(format!("{DIR}/{path}")).unwrap()
}

type Verdict = (Status, String);

fn observed_with(source: &str, text: &str) -> Result<Observed, String> {
    let mut o = Observed {
        instances: match describe_instances::parse(&read("describe-instances/01-healthy.xml"))
            .unwrap()
        {
            describe_instances::Answer::Instances(i) => i,
            _ => unreachable!(),
        },
        properties: properties_text::parse(&read("properties/01-images-set-euctl.txt")).unwrap(),
        ..Observed::default()
    };
    let e = |e: common::ParseError| e.to_string();
    match source {
        "describe-instances" => match describe_instances::parse(text).map_err(e)? {
            describe_instances::Answer::Instances(i) => o.instances = i,
            describe_instances::Answer::Error { code, .. } => return Err(code),
        },
        "properties-xml" => match describe_properties::parse(text).map_err(e)? {
            describe_properties::Answer::Properties(p) => o.properties = p,
            describe_properties::Answer::Error { code, .. } => return Err(code),
        },
        "properties-text" => o.properties = properties_text::parse(text).map_err(e)?,
        "describe-images" => match describe_images::parse(text).map_err(e)? {
            describe_images::Answer::Images(i) => o.images = Some(i),
            describe_images::Answer::Error { code, .. } => return Err(code),
        },
        _ => match conversion_tasks::parse(text).map_err(e)? {
            conversion_tasks::Answer::Tasks(t) => o.tasks = Some(t),
            conversion_tasks::Answer::Error { code, .. } => return Err(code),
        },
    }
    Ok(o)
}

fn verdict(source: &str, text: &str) -> Result<Verdict, String> {
    let o = observed_with(source, text)?;
    let mut r = Report::new();
    evaluate(&o, &mut r);
    Ok((r.status(), r.summary_text()))
}

fn sweep(source: &str, file: &str, stride: usize) {
    let text = read(file);
    let whole = verdict(source, &text).unwrap_or_else(|e| panic!("{file} whole: {e}"));
    let xml = !source.ends_with("text");
    let mut refused = 0;
    let tail = text.len().saturating_sub(200);
    for cut in
        (1..text.len()).filter(|&c| (c % stride == 0 || c >= tail) && text.is_char_boundary(c))
    {
        let part = &text[..cut];
        if part.trim().is_empty() {
            continue;
        }
        match verdict(source, part) {
            Err(e) => {
                assert!(
                    e.contains("line "),
                    "{file} cut at {cut}: error names no line: {e}"
                );
                refused += 1;
            }
            Ok(v) if v == whole => {}
            Ok(v) => assert!(
                !xml && part.ends_with('\n') && v.0 == Status::Unknown,
                "{file} cut at byte {cut} (...{:?}) judged {v:?}, the whole is {whole:?}",
                &part[part.len().saturating_sub(40)..]
            ),
        }
    }
    assert!(refused > 0, "{file}: no cut refused");
}

#[test]
fn every_built_answer_cut_anywhere() {
    for file in [
        "describe-instances/01-healthy.xml",
        "describe-instances/02-elb-without-worker.xml",
        "describe-instances/03-worker-on-notready-nc.xml",
    ] {
        sweep("describe-instances", file, 29);
    }
    for file in [
        "properties/01-images-set.xml",
        "properties/02-elb-image-unset.xml",
    ] {
        sweep("properties-xml", file, 3);
    }
    for file in [
        "properties/01-images-set-euctl.txt",
        "properties/01-images-set-euca-describe-properties.txt",
    ] {
        sweep("properties-text", file, 1);
    }
    for file in [
        "describe-images/01-both-available.xml",
        "describe-images/02-imaging-image-missing.xml",
        "describe-images/03-elb-image-deregistered.xml",
    ] {
        sweep("describe-images", file, 3);
    }
    for file in [
        "conversion-tasks/00-none-waiting.xml",
        "conversion-tasks/01-one-waiting.xml",
    ] {
        sweep("conversion-tasks", file, 3);
    }
}
