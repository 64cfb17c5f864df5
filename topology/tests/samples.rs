//! The bundled topology samples parse and say what their comments say.
use topology::{parse, Role};

fn sample(name: &str) -> String {
    let path = format!("{}/../samples/topology/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn the_reference_deployment_parses() {
    let t = parse("reference.toml", &sample("reference.toml")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(t.cloud.networking, "EDGE");
    assert_eq!(t.zones.len(), 2);
    assert_eq!(t.with_role(Role::Ufs).count(), 2);
    assert_eq!(t.with_role(Role::Console).count(), 2);
    assert_eq!(t.with_role(Role::Riak).count(), 3);
    for zone in ["one", "two"] {
        assert_eq!(t.in_zone(zone, Role::Cc).count(), 2, "zone {zone}");
        assert_eq!(t.in_zone(zone, Role::Nc).count(), 2, "zone {zone}");
        assert!(t.zone(zone).and_then(|z| z.satellite.as_ref()).is_some());
    }
    assert!(t.hosts.iter().all(|h| h.is_core() || h.has(Role::Console)));
    assert_eq!(
        t.host("cc-one-a").and_then(|h| h.partner.as_deref()),
        Some("cc-one-b")
    );
}

use topology::audit::{audit, Severity, RULES};

fn audited(name: &str) -> Vec<topology::audit::Finding> {
    audit(&parse(name, &sample(name)).unwrap_or_else(|e| panic!("{e}")))
}

#[test]
fn the_reference_deployment_gives_no_finding() {
    let found = audited("reference.toml");
    assert!(found.is_empty(), "{found:#?}");
}

/// (rule, host it is reported at, or "" for the cloud's own choices)
const UNRELIABLE: &[(&str, &str)] = &[
    ("clc-pair-unsupported", "clc2"),
    ("vmware-broker-unsupported", "cc-two"),
    ("ufs-single", "clc2"),
    ("console-single", "clc2"),
    ("core-no-ups", "clc1"),
    ("core-no-raid", "clc2"),
    ("core-no-bmc", "walrus1"),
    ("core-no-bond", "cc-one-a"),
    ("core-no-bond", "cc-one-b"),
    ("core-no-bond", "nc-one-1"),
    ("partners-one-ups", "cc-one-a"),
    ("partners-one-switch", "cc-one-a"),
    ("disk-contention", "nc-one-1"),
    ("cc-no-partner", "cc-two"),
    ("sc-no-partner", "cc-two"),
    ("networking-not-edge", ""),
    ("ebs-not-san", ""),
    ("object-storage-walrus", "nc-one-1"),
    ("object-storage-walrus-san", "walrus1"),
];

const UNRELIABLE_41: &[(&str, &str)] = &[
    ("clc-no-partner", "clc1"),
    ("vmware-broker-no-partner", "cc-a"),
    ("ufs-dns-name", ""),
    ("console-dns-name", ""),
    ("riak-ring-small", "riak1"),
];

/// Each expected finding, one by one, at the line of its host (or of [cloud]); nothing more.
fn expect(name: &str, want: &[(&str, &str)]) {
    let t = parse(name, &sample(name)).unwrap_or_else(|e| panic!("{e}"));
    let found = audit(&t);
    for (id, at) in want {
        let line = if at.is_empty() {
            t.cloud.at.line
        } else {
            t.host(at).unwrap_or_else(|| panic!("no host {at}")).at.line
        };
        assert!(
            found.iter().any(|f| f.rule.id == *id && f.at.line == line),
            "{name}: no {id} at {at} (line {line}): {found:#?}"
        );
    }
    assert_eq!(found.len(), want.len(), "{name}: {found:#?}");
}

#[test]
fn the_unreliable_deployments_break_every_rule_each_where_its_comment_says() {
    expect("unreliable.toml", UNRELIABLE);
    expect("unreliable-4.1.toml", UNRELIABLE_41);
    for r in &RULES {
        assert!(
            UNRELIABLE
                .iter()
                .chain(UNRELIABLE_41)
                .any(|(id, _)| *id == r.id),
            "rule {} is broken by no sample",
            r.id
        );
    }
    // the comments name the rules their host breaks
    for (name, want) in [
        ("unreliable.toml", UNRELIABLE),
        ("unreliable-4.1.toml", UNRELIABLE_41),
    ] {
        let text = sample(name);
        for (id, _) in want {
            assert!(text.contains(id), "{name}: no comment names {id}");
        }
    }
    let critical = audited("unreliable.toml")
        .iter()
        .filter(|f| f.severity() == Severity::Critical)
        .count();
    // ufs-single, cc-no-partner, sc-no-partner, ebs-not-san, object-storage-walrus
    assert_eq!(critical, 5);
}

#[test]
fn a_file_with_mistakes_names_each_at_its_line_and_column() {
    let path = format!(
        "{}/tests/fixtures/mistakes.toml",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap();
    let e = parse("mistakes.toml", &text).unwrap_err();
    let lines: Vec<String> = e.to_string().lines().map(String::from).collect();
    assert_eq!(
        lines,
        [
            "mistakes.toml:15:17: unknown role 'ucs' (roles: clc, ufs, console, osg, walrus, riak, cc, sc, nc, vmware-broker)",
            "mistakes.toml:22:8: unknown RAID kind 'raid5' (kinds: md, storcli, megacli, ssacli, arcconf, none)",
            "mistakes.toml:25:8: host 'clc1' is declared twice",
            "mistakes.toml:28:8: zone 'two' is not declared (add a [[zone]] with name = \"two\")",
        ]
    );
}

#[test]
fn docs_topology_md_lists_every_rule_with_its_severity() {
    let path = format!("{}/../docs/topology.md", env!("CARGO_MANIFEST_DIR"));
    let doc = std::fs::read_to_string(&path).unwrap();
    for r in &RULES {
        let row = doc
            .lines()
            .find(|l| l.starts_with('|') && l.contains(&format!("`{}`", r.id)))
            .unwrap_or_else(|| panic!("docs/topology.md has no row for {}", r.id));
        assert!(
            row.contains(&format!("| {} |", r.severity)),
            "{}: {row}",
            r.id
        );
    }
}
