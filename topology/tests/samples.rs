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
