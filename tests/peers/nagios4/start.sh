#!/bin/sh
# Run a real Nagios 4 daemon in the foreground from WORKDIR with its own config.
# Usage: start.sh WORKDIR        (no port: Nagios core listens on nothing)
# Returns when status.dat exists (core up); see wait-result.sh for the first check result.
# Works as root (nagios_user=nagios) and as a normal user (runs as that user). Stop: stop.sh
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
W=$1
mkdir -p "$W/tmp" "$W/checkresults"; W=$(cd "$W" && pwd)
if [ "$(id -u)" = 0 ]; then U=nagios; G=nagios; chown -R nagios:nagios "$W"; chmod 755 "$W"
else U=$(id -un); G=$(id -gn); fi
sed -e "s#@W@#$W#g" -e "s#@USER@#$U#g" -e "s#@GROUP@#$G#g" "$HERE/nagios.cfg.in" > "$W/nagios.cfg"
# euca-checks: NAGIOS_OBJECTS=FILE replaces the sample objects; NAGIOS_USER1=DIR sets $USER1$.
sed -e "s#@HERE@#$HERE#g" "${NAGIOS_OBJECTS:-$HERE/objects.cfg.in}" > "$W/objects.cfg"
if [ -n "${NAGIOS_USER1:-}" ]; then printf '$USER1$=%s\n' "$NAGIOS_USER1" > "$W/resource.cfg"; else : > "$W/resource.cfg"; fi
[ "$(id -u)" = 0 ] && chown nagios:nagios "$W"/*.cfg
nagios4 -v "$W/nagios.cfg" > "$W/verify.out" 2>&1 || { cat "$W/verify.out" >&2; exit 1; }
rm -f "$W/status.dat" "$W/nagios.lock"
# no -d: foreground, so $! is the daemon (it also writes lock_file with its pid)
nagios4 "$W/nagios.cfg" > "$W/nagios.out" 2>&1 &
echo $! > "$W/nagios.pid"
i=0; while [ $i -lt 200 ]; do
  [ -s "$W/status.dat" ] && exit 0
  kill -0 "$(cat "$W/nagios.pid")" 2>/dev/null || break
  sleep 0.05; i=$((i+1))
done
echo "nagios did not come up; see $W/nagios.out $W/nagios.log" >&2; exit 1
