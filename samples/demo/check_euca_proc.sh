# check_euca_proc on built host trees (samples/hosts/euca-*: see
# plugins/check_euca_proc/tests/trees/SOURCES.md), each with --role auto (the default).
run check_euca_proc --root samples/hosts/euca-clc-healthy
run check_euca_proc --root samples/hosts/euca-clc-crashed
run check_euca_proc --root samples/hosts/euca-clc-starting
run check_euca_proc --root samples/hosts/euca-cc-healthy-el6
run check_euca_proc --root samples/hosts/euca-nc-libvirtd-down
run check_euca_proc --root samples/hosts/euca-console-healthy
run check_euca_proc --root samples/hosts/euca-console-nginx-down
