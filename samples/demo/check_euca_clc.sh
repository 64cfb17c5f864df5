# check_euca_clc on saved DescribeServices / euserv / euca-describe-services answers
# (samples/euca-clc, see SOURCES.md there), then over HTTP against euca-clc-double, the TEST
# DOUBLE of the CLC's Empyrean endpoint (tests/euca-clc-double). The double checks signatures
# with botocore when /usr/bin/python3 has it (python3-botocore, which scripts/test installs), and
# otherwise with its own small hmac code (--verifier builtin), so this part runs on a fresh
# machine too; the tests always use botocore, an implementation independent of ours.
# EUCA_CLC_DOUBLE_VERIFIER=builtin forces the builtin code (to see what a fresh machine shows).
# Live: check_euca_clc --clc CLC --credentials /etc/nagios/euca/eucarc (add --clc PEER for an HA pair).
run check_euca_clc --input describe-services=samples/euca-clc/describe-services-healthy-4.4.xml
run check_euca_clc --input describe-services=samples/euca-clc/describe-services-zone-two-cc-broken-4.4.xml
run check_euca_clc --input describe-services=samples/euca-clc/describe-services-zone-two-missing-4.4.xml --zone one --zone two --min-nodes 3
run check_euca_clc --input euserv=samples/euca-clc/euserv-ufs-host-down-4.4.txt
run check_euca_clc --input euca-describe-services=samples/euca-clc/euca-describe-services-clc-split-brain-4.1.txt
run check_euca_clc --input describe-services=samples/euca-clc/describe-services-healthy-4.4.xml --type node --min-nodes 3

euca_demo_verifier=${EUCA_CLC_DOUBLE_VERIFIER:-}
if [ -z "$euca_demo_verifier" ]; then
  if /usr/bin/python3 -c 'import botocore.auth' 2>/dev/null; then
    euca_demo_verifier=botocore
  else
    euca_demo_verifier=builtin
  fi
fi
if ! [ -x /usr/bin/python3 ]; then
  echo "# (the HTTP runs need /usr/bin/python3 for the CLC test double: apt-get install python3)"
else
  euca_demo_dir=$(mktemp -d)
  # The credentials as they must be kept: readable by the monitoring user only (git keeps the
  # sample 0644, which every check reading it would warn about).
  install -m 600 samples/euca-clc/demo-eucarc "$euca_demo_dir/eucarc"
  /usr/bin/python3 tests/euca-clc-double/euca_clc_double.py \
    --scenario samples/euca-clc/describe-services-healthy-4.4.xml \
    --credentials samples/euca-clc/demo-eucarc --control "$euca_demo_dir/control.json" \
    --port-file "$euca_demo_dir/port" --verifier "$euca_demo_verifier" >/dev/null &
  euca_demo_pid=$!
  for _ in $(seq 100); do [ -s "$euca_demo_dir/port" ] && break; sleep 0.1; done
  euca_demo_clc=127.0.0.1:$(cat "$euca_demo_dir/port" 2>/dev/null)
  if ! [ -s "$euca_demo_dir/port" ]; then
    echo "# the CLC test double did not start (its error is above)"
    demo_failed=1
  elif [ "$euca_demo_verifier" = builtin ]; then
    echo "# euca-clc-double (a test double, not Eucalyptus) listens on $euca_demo_clc; no botocore here,"
    echo "# so it checks signatures with its own hmac code (the tests need python3-botocore)"
  else
    echo "# euca-clc-double (a test double, not Eucalyptus) listens on $euca_demo_clc, checking signatures with botocore"
  fi
  if [ -s "$euca_demo_dir/port" ]; then
    run check_euca_clc --clc "$euca_demo_clc" --credentials "$euca_demo_dir/eucarc"
    echo '{"states": {"one-cc-1": "NOTREADY", "one-cc-2": "ENABLED"}}' >"$euca_demo_dir/control.json"
    echo "# the double fails over zone one's CC: one-cc-1 NOTREADY, one-cc-2 ENABLED"
    run check_euca_clc --clc "$euca_demo_clc" --credentials "$euca_demo_dir/eucarc" --signature v4
    echo '{"clock_offset": -3600}' >"$euca_demo_dir/control.json"
    echo "# the double's clock is an hour behind"
    run check_euca_clc --clc "$euca_demo_clc" --credentials "$euca_demo_dir/eucarc"
    echo "# an HA pair whose first CLC is down, then both down"
    echo '{}' >"$euca_demo_dir/control.json"
    run check_euca_clc --clc 127.0.0.1:9 --clc "$euca_demo_clc" --credentials "$euca_demo_dir/eucarc"
    kill "$euca_demo_pid" 2>/dev/null
    wait "$euca_demo_pid" 2>/dev/null
    run check_euca_clc --clc 127.0.0.1:9 --clc "$euca_demo_clc" --credentials "$euca_demo_dir/eucarc"
  fi
  kill "$euca_demo_pid" 2>/dev/null
  wait "$euca_demo_pid" 2>/dev/null
  rm -rf "$euca_demo_dir"
fi
