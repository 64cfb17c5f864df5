#!/bin/sh
# check_multipath (monitoring-plugins-contrib) runs a hard-coded /usr/sbin/multipath (via sudo
# unless root) and refuses to run, even its built-in test cases (-d N), when it is missing.
# This copy runs $CHECK_MULTIPATH_CMD instead, e.g. bench/peers/fake-multipath, which prints
# $MULTIPATH_SAMPLE.   Usage: make-check-multipath-copy.sh OUTFILE
#   CHECK_MULTIPATH_CMD=bench/peers/fake-multipath MULTIPATH_SAMPLE=FILE OUTFILE -M
# (As non-root it would still prefix sudo; run it as root, or use -d N test cases.)
set -eu
sed "s#^my \$multipathCmd = '/usr/sbin/multipath';#my \$multipathCmd = \$ENV{CHECK_MULTIPATH_CMD} || '/usr/sbin/multipath';#" \
  /usr/lib/nagios/plugins/check_multipath > "$1"
grep -q 'CHECK_MULTIPATH_CMD' "$1" || { echo "patch did not apply" >&2; exit 1; }
chmod +x "$1"
