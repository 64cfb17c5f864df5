# check_raid on saved /proc/mdstat files (real captures, see plugins/check_raid/tests/fixtures/).
run check_raid --root samples/hosts/raid-healthy
run check_raid --root samples/hosts/raid-degraded
run check_raid --root samples/hosts/raid-rebuilding --array md126
run check_raid --root samples/hosts/raid-healthy --expect 6
