# check_euca_edge on saved NC trees (samples/hosts/edge-*: NC 10.111.5.140 of the GNI fixture,
# reconstructed from the Eucalyptus sources, see plugins/check_euca_edge/tests/fixtures/SOURCES.md).
# The failure window is counted back from the log's last write: touch it as eucanetd would now.
touch samples/hosts/edge-failed-updates/var/log/eucalyptus/eucanetd.log
# The stale tree's state directory remembers when the check first saw GNI 5e0a7c1f unapplied.
STALE_STATE=samples/hosts/edge-stale-version/var/lib/euca-checks
run check_euca_edge --root samples/hosts/edge-healthy --state-dir "$STALE_STATE" -v
run check_euca_edge --root samples/hosts/edge-stale-version --state-dir "$STALE_STATE"
run check_euca_edge --root samples/hosts/edge-eucanetd-down --state-dir "$STALE_STATE"
run check_euca_edge --root samples/hosts/edge-dhcpd-down --state-dir "$STALE_STATE"
run check_euca_edge --root samples/hosts/edge-missing-dhcp-entry --state-dir "$STALE_STATE"
run check_euca_edge --root samples/hosts/edge-failed-updates --state-dir "$STALE_STATE"
run check_euca_edge --root samples/hosts/edge-vpcmido-mode --state-dir "$STALE_STATE"
run check_euca_edge --root samples/hosts/edge-vpcmido-mode --state-dir "$STALE_STATE" --allow-mode VPCMIDO
run check_euca_edge --root samples/hosts/edge-healthy --state-dir "$STALE_STATE" --node-ip 10.111.5.141 -v
