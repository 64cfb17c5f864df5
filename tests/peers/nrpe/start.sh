#!/bin/sh
# Start NRPE 4.1 on 127.0.0.1:PORT with its own config. Usage: start.sh WORKDIR [PORT]
# As root it runs the commands as user nagios (NRPE refuses to run them as root);
# as a normal user it runs them as that user.  Stop: stop.sh WORKDIR
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
W=$1; PORT=${2:-15666}
mkdir -p "$W"; W=$(cd "$W" && pwd)
sed -e "s#@W@#$W#g" -e "s#@PORT@#$PORT#g" -e "s#@HERE@#$HERE#g" "$HERE/nrpe.cfg.in" > "$W/nrpe.cfg"
# euca-checks: NRPE_INCLUDE=FILE adds the commands defined in FILE (e.g. our nrpe snippet).
[ -n "${NRPE_INCLUDE:-}" ] && echo "include=$NRPE_INCLUDE" >> "$W/nrpe.cfg"
if [ "$(id -u)" = 0 ]; then
  printf 'nrpe_user=nagios\nnrpe_group=nagios\n' >> "$W/nrpe.cfg"
  chmod 755 "$W"; touch "$W/nrpe.log"; chown nagios "$W/nrpe.log"
fi
rm -f "$W/nrpe.pid"
# -f: foreground (no fork), so $! is the daemon; it also writes pid_file.
nrpe -c "$W/nrpe.cfg" -f > "$W/nrpe.out" 2>&1 &
echo $! > "$W/nrpe.fg.pid"
echo "$PORT" > "$W/port"
i=0; while [ $i -lt 200 ]; do
  kill -0 "$(cat "$W/nrpe.fg.pid")" 2>/dev/null || break
  /usr/lib/nagios/plugins/check_nrpe -H 127.0.0.1 -p "$PORT" -t 2 >/dev/null 2>&1 && { sleep 0.2; kill -0 "$(cat "$W/nrpe.fg.pid")" 2>/dev/null && exit 0; break; }
  sleep 0.05; i=$((i+1))
done
echo "nrpe did not come up; see $W/nrpe.out $W/nrpe.log" >&2; exit 1
