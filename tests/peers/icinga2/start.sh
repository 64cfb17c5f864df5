#!/bin/sh
# Run a real Icinga 2 daemon (foreground) from WORKDIR, with its own config, cache, state,
# log, run and spool dirs: nothing under /etc/icinga2, /var/lib/icinga2, /run/icinga2 is used.
# Usage: start.sh WORKDIR          (no port: no API listener)
# Returns when the config is loaded and all objects are activated (~0.3 s).
# Results: WORKDIR/service-perfdata.<epoch> files (see README). Stop: stop.sh WORKDIR
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
W=$1
mkdir -p "$W"; W=$(cd "$W" && pwd)
mkdir -p "$W/cache" "$W/lib" "$W/log" "$W/run/icinga2" "$W/spool" "$W/tmp"
# euca-checks: ICINGA2_CONF=FILE replaces the sample config template (@W@, @HERE@ substituted).
sed -e "s#@W@#$W#g" -e "s#@HERE@#$HERE#g" "${ICINGA2_CONF:-$HERE/icinga2.conf.in}" > "$W/icinga2.conf"
# Run as whoever starts it (as root: root; icinga2 would otherwise switch to 'nagios').
U=$(id -un); G=$(id -gn)
set -- -c "$W/icinga2.conf" \
  -DConfiguration.RunAsUser="$U" -DConfiguration.RunAsGroup="$G" \
  -DConfiguration.ConfigDir="$W" -DConfiguration.DataDir="$W/lib" \
  -DConfiguration.CacheDir="$W/cache" -DConfiguration.LogDir="$W/log" \
  -DConfiguration.SpoolDir="$W/spool" -DConfiguration.InitRunDir="$W/run" \
  -DConfiguration.PidPath="$W/run/icinga2.pid"
printf '%s\n' "$@" > "$W/args"          # for validate.sh / object-list.sh
icinga2 daemon -C "$@" > "$W/validate.out" 2>&1 || { cat "$W/validate.out" >&2; exit 1; }
icinga2 daemon "$@" > "$W/daemon.out" 2>&1 &
echo $! > "$W/icinga2.pid.fg"
i=0; while [ $i -lt 300 ]; do
  grep -q 'Activated all objects' "$W/daemon.out" 2>/dev/null && exit 0
  kill -0 "$(cat "$W/icinga2.pid.fg")" 2>/dev/null || break
  sleep 0.05; i=$((i+1))
done
echo "icinga2 did not come up; see $W/daemon.out" >&2; exit 1
