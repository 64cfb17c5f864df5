# check_san_path on built sysfs trees (samples/hosts/san-*: see
# plugins/check_san_path/tests/samples/SOURCES.md) and real captures (samples/multipath,
# samples/iscsi: see plugins/check_san_path/tests/fixtures/SOURCES.md).
run check_san_path --root samples/hosts/san-healthy --mount /var/lib/eucalyptus/bukkits
run check_san_path --root samples/hosts/san-one-path-offline -v
run check_san_path --root samples/hosts/san-healthy --mount /var/lib/eucalyptus/volumes --map mpathc
run check_san_path --input multipath=samples/multipath/multipath-netapp-debian-squeeze-ok
run check_san_path --input multipath=samples/multipath/multipath-md32xx-rdac-path-failed
run check_san_path --input iscsiadm=samples/iscsi/iscsiadm-P1-suse-ipv6-two-targets-free-reopen
