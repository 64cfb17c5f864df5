# check_euca_clc on saved DescribeServices / euserv / euca-describe-services answers
# (samples/euca-clc, see SOURCES.md there), then over HTTP against euca-clc-double, the TEST
# DOUBLE of the CLC's Empyrean endpoint (tests/euca-clc-double; needs python3-botocore).
# Live: check_euca_clc --clc CLC --credentials /etc/nagios/eucarc (add --clc PEER for an HA pair).
run check_euca_clc --input describe-services=samples/euca-clc/describe-services-healthy-4.4.xml
run check_euca_clc --input describe-services=samples/euca-clc/describe-services-zone-two-cc-broken-4.4.xml
run check_euca_clc --input describe-services=samples/euca-clc/describe-services-zone-two-missing-4.4.xml --zone one --zone two --min-nodes 3
run check_euca_clc --input euserv=samples/euca-clc/euserv-ufs-host-down-4.4.txt
run check_euca_clc --input euca-describe-services=samples/euca-clc/euca-describe-services-clc-split-brain-4.1.txt
run check_euca_clc --input describe-services=samples/euca-clc/describe-services-healthy-4.4.xml --type node --min-nodes 3

if /usr/bin/python3 -c 'import botocore.auth' 2>/dev/null; then
  euca_demo_dir=$(mktemp -d)
  /usr/bin/python3 tests/euca-clc-double/euca_clc_double.py \
    --scenario samples/euca-clc/describe-services-healthy-4.4.xml \
    --credentials samples/euca-clc/demo-eucarc --control "$euca_demo_dir/control.json" \
    --port-file "$euca_demo_dir/port" >/dev/null &
  euca_demo_pid=$!
  for _ in $(seq 100); do [ -s "$euca_demo_dir/port" ] && break; sleep 0.1; done
  euca_demo_clc=127.0.0.1:$(cat "$euca_demo_dir/port" 2>/dev/null)
  echo "# euca-clc-double (a test double, not Eucalyptus) listens on $euca_demo_clc"
  run check_euca_clc --clc "$euca_demo_clc" --credentials samples/euca-clc/demo-eucarc
  echo '{"states": {"one-cc-1": "NOTREADY", "one-cc-2": "ENABLED"}}' >"$euca_demo_dir/control.json"
  echo "# the double fails over zone one's CC: one-cc-1 NOTREADY, one-cc-2 ENABLED"
  run check_euca_clc --clc "$euca_demo_clc" --credentials samples/euca-clc/demo-eucarc --signature v4
  echo '{"clock_offset": -3600}' >"$euca_demo_dir/control.json"
  echo "# the double's clock is an hour behind"
  run check_euca_clc --clc "$euca_demo_clc" --credentials samples/euca-clc/demo-eucarc
  echo "# an HA pair whose first CLC is down, then both down"
  echo '{}' >"$euca_demo_dir/control.json"
  run check_euca_clc --clc 127.0.0.1:9 --clc "$euca_demo_clc" --credentials samples/euca-clc/demo-eucarc
  kill "$euca_demo_pid" 2>/dev/null
  wait "$euca_demo_pid" 2>/dev/null
  run check_euca_clc --clc 127.0.0.1:9 --clc "$euca_demo_clc" --credentials samples/euca-clc/demo-eucarc
  rm -rf "$euca_demo_dir"
else
  echo "# (the HTTP runs need /usr/bin/python3 with botocore: apt-get install python3-botocore)"
fi
