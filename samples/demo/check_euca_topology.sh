# check_euca_topology on the bundled topologies: the guide's reference deployment (OK) and the
# purpose-built unreliable one (every finding, CRITICAL). `euca-checks audit FILE` prints the same
# findings with their reasons.
run check_euca_topology --topology samples/topology/reference.toml
run check_euca_topology --topology samples/topology/unreliable.toml
