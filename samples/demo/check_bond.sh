# check_bond on saved host trees (samples/hosts/bond-*: real /proc/net/bonding captures, see
# plugins/check_bond/tests/fixtures/bonding/SOURCES.md) and teamdctl state dumps (samples/teamdctl:
# team0-roundrobin-ok.json is real, the lacp ones are built, see tests/fixtures/built/SOURCES.md).
run check_bond --root samples/hosts/bond-healthy
run check_bond --root samples/hosts/bond-healthy --bond bond0 --mode 802.3ad
run check_bond --root samples/hosts/bond-degraded -v
run check_bond --root samples/hosts/bond-split-lacp
run check_bond --root samples/hosts/bond-down
run check_bond --root samples/hosts/bond-healthy --bond bond0 --bond bond2
run check_bond --input teamdctl=samples/teamdctl/team0-lacp-ok.json
run check_bond --input teamdctl=samples/teamdctl/team0-lacp-port-down.json
run check_bond --input teamdctl=samples/teamdctl/team0-roundrobin-ok.json
