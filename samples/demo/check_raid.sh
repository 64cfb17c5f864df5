# check_raid on saved /proc/mdstat files (real captures, see plugins/check_raid/tests/fixtures/).
run check_raid --root samples/hosts/raid-healthy
run check_raid --root samples/hosts/raid-degraded
run check_raid --root samples/hosts/raid-rebuilding --array md126
run check_raid --root samples/hosts/raid-healthy --expect 6
# Hardware RAID controllers from saved tool output (real captures, same SOURCES.md), with md.
run check_raid --input arcconf=samples/raid-hw/arcconf-degraded-rebuilding --input mdstat=samples/raid-hw/mdstat-healthy
run check_raid --input storcli=samples/raid-hw/storcli-m5015-raid6-bbu-ok.json
run check_raid --input megacli-pd=samples/raid-hw/megacli-pdlist-predictive-423-media-71
