//! Property tests (proptest) of the kit's output grammar: ranges, thresholds, perfdata and the
//! report. Hand-picked examples live next to each module; these generate the cases nobody
//! thought of: every range the guidelines' grammar can write, labels with any character,
//! summaries with `|`, newlines and control characters, output caps from the smallest the
//! runner accepts.

use common::perfdata::{format_number, parse_perfdata};
use common::{Finding, Perfdata, Range, Report, Status, Thresholds, Uom};
use proptest::prelude::*;

// ------------------------------------------------------------------ ranges

/// A range as its parts, the way the Monitoring Plugins guidelines describe it, and a
/// reference of what it means written independently of `Range`.
#[derive(Debug, Clone)]
struct Spec {
    inside: bool,
    /// None: no ':' at all (`10` = 0..10).
    start: Option<End>,
    end: Option<f64>,
}

#[derive(Debug, Clone)]
enum End {
    /// `~`: negative infinity.
    Tilde,
    /// Nothing before the ':': 0.
    Empty,
    Number(f64),
}

impl Spec {
    fn text(&self, number: &dyn Fn(f64) -> String) -> String {
        let at = if self.inside { "@" } else { "" };
        let end = self.end.map(number).unwrap_or_default();
        match &self.start {
            None => format!("{at}{}", number(self.end.unwrap_or(0.0))),
            Some(End::Tilde) => format!("{at}~:{end}"),
            Some(End::Empty) => format!("{at}:{end}"),
            Some(End::Number(n)) => format!("{at}{}:{end}", number(*n)),
        }
    }

    /// (low, high) bounds, inclusive.
    fn bounds(&self) -> (f64, f64) {
        match &self.start {
            None => (0.0, self.end.unwrap_or(0.0)),
            Some(s) => (
                match s {
                    End::Tilde => f64::NEG_INFINITY,
                    End::Empty => 0.0,
                    End::Number(n) => *n,
                },
                self.end.unwrap_or(f64::INFINITY),
            ),
        }
    }

    /// The guidelines: outside [low, high] alerts; `@` inverts (inside alerts).
    fn alerts(&self, value: f64) -> bool {
        let (low, high) = self.bounds();
        let outside = value < low || value > high;
        if self.inside {
            !outside && !value.is_nan()
        } else {
            outside || value.is_nan()
        }
    }
}

/// Plain decimals as people write them in -w/-c: integers, one or two decimals, negatives.
fn decimal() -> impl Strategy<Value = f64> {
    prop_oneof![
        (-1000i64..1000).prop_map(|n| n as f64),
        (-100_000i64..100_000).prop_map(|n| n as f64 / 100.0),
        Just(0.0),
    ]
}

fn spec() -> impl Strategy<Value = Spec> {
    let start = prop_oneof![
        Just(None),
        Just(Some(End::Tilde)),
        Just(Some(End::Empty)),
        decimal().prop_map(|n| Some(End::Number(n))),
    ];
    (any::<bool>(), start, proptest::option::of(decimal())).prop_map(|(inside, start, end)| {
        // Without a ':' there is always an end number ("10").
        let end = if start.is_none() {
            end.or(Some(0.0))
        } else {
            end
        };
        Spec { inside, start, end }
    })
}

/// The number as a human writes it (`5`, `-2.5`, `.5` for 0.5 is also legal).
fn written(n: f64) -> String {
    format_number(n).expect("finite")
}

/// Values around every interesting point of a range: the ends, just past them, far away.
fn probes(s: &Spec) -> Vec<f64> {
    let (low, high) = s.bounds();
    let mut v = vec![0.0, -1.0, 1.0, 1e9, -1e9, f64::INFINITY, f64::NEG_INFINITY];
    for e in [low, high] {
        if e.is_finite() {
            v.extend([e, e - 0.001, e + 0.001, e - 1.0, e + 1.0]);
        }
    }
    v
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Every range the grammar can write parses exactly when start <= end, keeps its text
    /// (what perfdata carries) and reads back the same from that text.
    #[test]
    fn range_parse_format_round_trip(s in spec()) {
        let text = s.text(&written);
        let (low, high) = s.bounds();
        match Range::parse(&text) {
            Ok(r) => {
                prop_assert!(low <= high, "{text} parsed though start > end");
                prop_assert_eq!(r.to_string(), text.clone());
                prop_assert_eq!(r.start(), low);
                prop_assert_eq!(r.end(), high);
                prop_assert_eq!(r.alerts_inside(), s.inside);
                let again = Range::parse(&r.to_string()).unwrap();
                prop_assert_eq!(again, r);
            }
            Err(e) => {
                prop_assert!(low > high, "{text} refused: {e}");
                prop_assert!(e.to_string().contains(&text), "the error does not quote {text}");
            }
        }
    }

    /// Whitespace around a range is not part of it: the text is kept trimmed.
    #[test]
    fn range_trims(s in spec(), before in "[ \t]{0,3}", after in "[ \t]{0,3}") {
        let text = s.text(&written);
        let padded = format!("{before}{text}{after}");
        if let Ok(r) = Range::parse(&padded) {
            prop_assert_eq!(r.to_string(), text);
        }
    }

    /// `alerts` against the reference, at the ends, around them and far away.
    #[test]
    fn range_alerts_like_reference(s in spec(), extra in decimal()) {
        let text = s.text(&written);
        let Ok(r) = Range::parse(&text) else { return Ok(()) };
        for v in probes(&s).into_iter().chain([extra]) {
            prop_assert_eq!(r.alerts(v), s.alerts(v), "{} at {}", text, v);
        }
    }

    /// Thresholds: CRITICAL wins over WARNING, OK when neither alerts; `describe` names the
    /// range that decided.
    #[test]
    fn thresholds_like_reference(w in proptest::option::of(spec()), c in proptest::option::of(spec()), v in decimal()) {
        let parse = |s: &Option<Spec>| s.as_ref().and_then(|s| Range::parse(&s.text(&written)).ok());
        let (wr, cr) = (parse(&w), parse(&c));
        let expected = if cr.is_some() && c.as_ref().unwrap().alerts(v) {
            Status::Critical
        } else if wr.is_some() && w.as_ref().unwrap().alerts(v) {
            Status::Warning
        } else {
            Status::Ok
        };
        let t = Thresholds::new(wr.clone(), cr.clone());
        prop_assert_eq!(t.status(v), expected);
        match expected {
            Status::Critical => prop_assert_eq!(t.describe(v), Some(format!("critical {}", cr.unwrap()))),
            Status::Warning => prop_assert_eq!(t.describe(v), Some(format!("warning {}", wr.unwrap()))),
            _ => prop_assert_eq!(t.describe(v), None),
        }
    }

    /// Anything that is not the grammar is refused, never half read: garbage around a valid
    /// range, exponents, inf/nan words.
    #[test]
    fn range_refuses_non_grammar(s in spec(), junk in "[eE][0-9]|inf|nan|[a-df-z]|[0-9]e|\\+") {
        let text = format!("{}{junk}", s.text(&written));
        prop_assert!(Range::parse(&text).is_err(), "{} was accepted", text);
    }
}

// ------------------------------------------------------------------ perfdata

/// Labels with anything a plugin may put in one: spaces, quotes, Unicode, `;`, `:`.
fn label() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z][a-z0-9_]{0,20}",
        "[ -~]{1,30}".prop_filter("no = or |", |s| !s.contains(['=', '|'])),
        "\\PC{1,12}".prop_filter("no = or |", |s| !s.contains(['=', '|'])),
    ]
}

fn uom() -> impl Strategy<Value = Uom> {
    prop_oneof![
        Just(Uom::None),
        Just(Uom::Seconds),
        Just(Uom::Millis),
        Just(Uom::Micros),
        Just(Uom::Percent),
        Just(Uom::Bytes),
        Just(Uom::Kilobytes),
        Just(Uom::Megabytes),
        Just(Uom::Gigabytes),
        Just(Uom::Terabytes),
        Just(Uom::Counter),
    ]
}

/// Any finite value, including the ones Display writes with many digits (1e-7, 1e300).
fn value() -> impl Strategy<Value = f64> {
    prop_oneof![
        decimal(),
        any::<f64>().prop_filter("finite", |v| v.is_finite()),
        Just(-0.0),
    ]
}

fn item() -> impl Strategy<Value = Perfdata> {
    let range = || {
        proptest::option::of(
            spec().prop_filter_map("valid", |s| Range::parse(&s.text(&written)).ok()),
        )
    };
    (
        label(),
        value(),
        uom(),
        range(),
        range(),
        proptest::option::of(value()),
        proptest::option::of(value()),
    )
        .prop_map(|(label, v, uom, warn, crit, min, max)| {
            let mut p = Perfdata::new(label, v)
                .uom(uom)
                .warn(warn.as_ref())
                .crit(crit.as_ref());
            if let Some(m) = min {
                p = p.min(m);
            }
            if let Some(m) = max {
                p = p.max(m);
            }
            p
        })
}

/// The guidelines' grammar, `'label'=value[UOM];[warn];[crit];[min];[max]`, checked by hand
/// (no regex crate): the label quoted with `''` for a quote, plain decimals, a known unit,
/// ranges that parse.
fn matches_grammar(item: &str) -> Result<(), String> {
    let rest = item
        .strip_prefix('\'')
        .ok_or("does not start with a quote")?;
    // The label ends at the first quote not doubled.
    let mut i = 0;
    let bytes = rest.as_bytes();
    let end = loop {
        match bytes.get(i) {
            None => return Err("label quote never closed".into()),
            Some(b'\'') if bytes.get(i + 1) == Some(&b'\'') => i += 2,
            Some(b'\'') => break i,
            Some(_) => i += 1,
        }
    };
    if end == 0 {
        return Err("empty label".into());
    }
    let label = &rest[..end];
    if label.contains(['=', '|']) || label.chars().any(char::is_control) {
        return Err(format!("label {label:?} holds = | or a control character"));
    }
    let fields = rest[end + 1..]
        .strip_prefix('=')
        .ok_or("no = after the label")?;
    if fields.contains([' ', '|', '\n']) {
        return Err("space, | or newline inside the item".into());
    }
    let parts: Vec<&str> = fields.split(';').collect();
    if parts.len() != 5 {
        return Err(format!("{} fields, not 5", parts.len()));
    }
    let plain = |s: &str| {
        let d = s.strip_prefix('-').unwrap_or(s);
        let (i, f) = d.split_once('.').unwrap_or((d, "0"));
        !i.is_empty()
            && i.bytes().all(|b| b.is_ascii_digit())
            && !f.is_empty()
            && f.bytes().all(|b| b.is_ascii_digit())
    };
    let split = parts[0]
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
        .unwrap_or(parts[0].len());
    let (v, unit) = parts[0].split_at(split);
    if !plain(v) {
        return Err(format!("value {v:?} is not a plain decimal"));
    }
    if !["", "s", "ms", "us", "%", "B", "KB", "MB", "GB", "TB", "c"].contains(&unit) {
        return Err(format!("unit {unit:?}"));
    }
    for r in &parts[1..3] {
        if !r.is_empty() && Range::parse(r).is_err() {
            return Err(format!("range {r:?}"));
        }
    }
    for n in &parts[3..5] {
        if !n.is_empty() && !plain(n) {
            return Err(format!("bound {n:?} is not a plain decimal"));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Every item the kit writes matches the grammar and reads back to the same item.
    #[test]
    fn perfdata_round_trip(p in item()) {
        let text = p.render().unwrap();
        prop_assert!(matches_grammar(&text).is_ok(), "{}: {:?}", text, matches_grammar(&text));
        let back = parse_perfdata(&text).unwrap();
        prop_assert_eq!(back.len(), 1);
        let b = &back[0];
        prop_assert_eq!(&b.label, &p.label);
        // -0 is written 0; every other finite value is written exactly (Display's shortest
        // round-tripping form).
        prop_assert_eq!(b.value, if p.value == 0.0 { 0.0 } else { p.value });
        prop_assert_eq!(b.uom, p.uom);
        prop_assert_eq!(&b.warn, &p.warn);
        prop_assert_eq!(&b.crit, &p.crit);
        prop_assert_eq!(b.min.map(|m| m + 0.0), p.min.map(|m| m + 0.0));
        prop_assert_eq!(b.max.map(|m| m + 0.0), p.max.map(|m| m + 0.0));
    }

    /// Several items in one perfdata text read back in order.
    #[test]
    fn perfdata_list_round_trip(items in proptest::collection::vec(item(), 0..8)) {
        let text = items.iter().map(|p| p.render().unwrap()).collect::<Vec<_>>().join(" ");
        let back = parse_perfdata(&text).unwrap();
        prop_assert_eq!(back.len(), items.len());
        for (b, p) in back.iter().zip(&items) {
            prop_assert_eq!(&b.label, &p.label);
        }
    }

    /// A label the grammar cannot carry is refused when written, never written broken.
    #[test]
    fn bad_labels_refused(prefix in "[a-z]{0,5}", bad in "[=|\\x00-\\x1f\\x7f]", suffix in "[a-z]{0,5}") {
        let p = Perfdata::new(format!("{prefix}{bad}{suffix}"), 1.0);
        prop_assert!(p.render().is_err());
    }

    /// NaN and infinities are never written as numbers.
    #[test]
    fn non_finite_refused(l in label(), which in 0usize..3, v in prop_oneof![Just(f64::NAN), Just(f64::INFINITY), Just(f64::NEG_INFINITY)]) {
        let p = match which {
            0 => Perfdata::new(l, v),
            1 => Perfdata::new(l, 1.0).min(v),
            _ => Perfdata::new(l, 1.0).max(v),
        };
        prop_assert!(p.render().is_err());
    }
}

// ------------------------------------------------------------------ the report's output

/// Text as a parser may hand it over from a hostile source: `|`, CR, LF, tabs, NUL, escape
/// sequences, Unicode line separators, long runs.
fn hostile_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{0,40}",
        "[a-z |\r\n\t\\x00\\x1b\u{85}\u{2028}]{0,60}",
        "(\\| ){1,5}[a-z]{0,5}\n\\|",
        "[a-z]{200,3000}",
    ]
}

fn status() -> impl Strategy<Value = Status> {
    prop_oneof![
        Just(Status::Ok),
        Just(Status::Warning),
        Just(Status::Critical),
        Just(Status::Unknown)
    ]
}

fn finding() -> impl Strategy<Value = Finding> {
    (
        status(),
        hostile_text(),
        proptest::option::of(hostile_text()),
        proptest::option::of(hostile_text()),
    )
        .prop_map(|(s, detail, summary, hint)| {
            let mut f = Finding::new(s, detail);
            if let Some(t) = summary {
                f = f.summary(t);
            }
            if let Some(t) = hint {
                f = f.hint(t);
            }
            f
        })
}

#[derive(Debug)]
struct Case {
    report: Report,
    verbosity: u8,
    max_output: usize,
}

fn case() -> impl Strategy<Value = Case> {
    (
        proptest::collection::vec(finding(), 0..12),
        proptest::option::of(hostile_text()),
        proptest::collection::vec((0u8..4, hostile_text()), 0..4),
        proptest::collection::vec(item(), 0..40),
        0u8..4,
        prop_oneof![
            Just(256usize),
            256usize..2048,
            Just(4096usize),
            4096usize..65536
        ],
    )
        .prop_map(
            |(findings, headline, verbose, perf, verbosity, max_output)| {
                let mut report = Report::new();
                for f in findings {
                    report.add(f);
                }
                if let Some(h) = headline {
                    report.headline(h);
                }
                for (level, line) in verbose {
                    report.verbose(level, line);
                }
                // Labels must be unique in one output (the kit refuses duplicates).
                let mut seen = std::collections::HashSet::new();
                for p in perf {
                    if seen.insert(p.label.clone()) {
                        report.perf(p);
                    }
                }
                Case {
                    report,
                    verbosity,
                    max_output,
                }
            },
        )
}

/// The hand-written grammar check itself: it accepts what the guidelines allow and refuses
/// what they do not (else the properties above could not fail).
#[test]
fn grammar_check_is_strict() {
    for good in [
        "'a'=1;;;;",
        "'it''s'=-2.5%;10:;@0:5;0;100",
        "'x y'=0c;~:3;;;",
    ] {
        assert_eq!(matches_grammar(good), Ok(()), "{good}");
    }
    for bad in [
        "a=1;;;;",
        "'a'=1",
        "'a'=1e5;;;;",
        "'a'=1;;;;;",
        "'a'=1X;;;;",
        "'a'=1;1:0;;;",
        "'a|b'=1;;;;",
        "''=1;;;;",
        "'a'=1;;;inf;",
        "'a'=1 ;;;;",
    ] {
        assert!(matches_grammar(bad).is_err(), "{bad} accepted");
    }
}

proptest! {
    // Each case renders a whole report: fewer cases, each bigger.
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Whatever the findings say: the first line is `SERVICE STATE - summary[ | perfdata]`
    /// with no `|` or newline leaking from the text, every perfdata item written (first line
    /// or the tail after the second `|`) matches the grammar, and the whole output stays
    /// within --max-output.
    #[test]
    fn output_grammar_and_cap(c in case()) {
        let out = c.report.render("CHECK_PROP", c.verbosity, c.max_output).unwrap();
        prop_assert!(out.len() <= c.max_output, "{} bytes over the cap {}", out.len(), c.max_output);
        prop_assert!(out.ends_with('\n'));
        let mut lines = out.lines();
        let first = lines.next().unwrap();
        let state = c.report.status().word();
        prop_assert!(first.starts_with(&format!("CHECK_PROP {state} - ")), "{:?}", first);
        let (text, perf) = match first.split_once(" | ") {
            Some((t, p)) => (t, Some(p)),
            None => (first, None),
        };
        prop_assert!(!text.contains('|'), "a | leaked into the summary: {:?}", text);
        prop_assert!(!text.chars().any(char::is_control), "a control character in {:?}", text);
        let mut written = 0;
        if let Some(p) = perf {
            let items = parse_perfdata(p).map_err(|e| TestCaseError::fail(format!("{e}: {p:?}")))?;
            written += items.len();
            // Labels may hold spaces, so the items are checked as parse_perfdata read them.
            for i in &items {
                let r = i.render().unwrap();
                prop_assert!(matches_grammar(&r).is_ok(), "{}", r);
            }
        }
        // Long output: no line may start perfdata except the tail after the second `|`.
        let rest: Vec<&str> = lines.collect();
        let tail_at = rest.iter().position(|l| l.starts_with("| "));
        for (i, l) in rest.iter().enumerate() {
            if tail_at.is_none_or(|t| i < t) {
                prop_assert!(!l.contains('|'), "a | in long output line {:?}", l);
                prop_assert!(!l.chars().any(char::is_control), "a control character in {:?}", l);
            }
        }
        if let Some(t) = tail_at {
            let tail = rest[t..].join(" ");
            let items = parse_perfdata(tail.trim_start_matches("| ")).map_err(|e| TestCaseError::fail(format!("{e}: {tail:?}")))?;
            written += items.len();
        }
        // Every item is written whole (as the kit rendered it, matching the grammar), or left
        // out whole and counted on the first line.
        for p in c.report.perfdata() {
            let r = p.render().unwrap();
            prop_assert!(matches_grammar(&r).is_ok(), "{}: {:?}", r, matches_grammar(&r));
        }
        let total = c.report.perfdata().len();
        if written < total {
            prop_assert!(first.contains("left out (over --max-output)"), "{} of {} items and no note: {:?}", written, total, first);
        }
    }
}
