#!/bin/sh
# Install the real programs the test suite and the benchmarks run against (Debian 12, as root).
# Idempotent. The tests start their own instances (tests/peers/*/start.sh, on 127.0.0.1, from
# work directories of their own), so nothing installed here may run as a system service:
#   - packages are installed with service start-up blocked (a temporary /usr/sbin/policy-rc.d
#     that exits 101; an existing one is put back afterwards, also when the install fails);
#   - then every service those packages ship is disabled at boot (systemctl disable where
#     systemd is PID 1, update-rc.d NAME disable otherwise, and the systemd links in both
#     cases) and stopped if it runs.
# This is for a build or CI machine: on a host that runs its own NUT, NRPE, Nagios 4, Icinga 2
# or exim4 as a service, it disables them at boot and stops them.
#
# What each package is for (nothing else is installed):
#   nut-server nut-client         upsd, dummy-ups, upsc: check_ups tests (tests/peers/nut), bench ups-live
#   apcupsd (unpacked, below)     apcupsd + apcaccess: check_ups tests (tests/peers/apcupsd);
#   libusb-0.1-4 libwrap0           its shared libraries
#   nagios-nrpe-server            tests/suite: our nrpe snippets in a real NRPE (tests/peers/nrpe)
#   nagios-nrpe-plugin            check_nrpe: tests/suite and tests/peers/nrpe/start.sh
#   nagios4-core                  tests/suite: our Nagios objects in a real Nagios 4 (tests/peers/nagios4),
#                                 generated ones too (generated.rs: nagios4 -v and a run); NRPE and Icinga 2 likewise
#   icinga2-bin icinga2-common    tests/suite: our CheckCommands in a real Icinga 2 (tests/peers/icinga2)
#   procps                        tests/peers/icinga2/stop.sh: pgrep/pkill find every process of a test's icinga2
#   monitoring-plugins-basic      check_procs (tests/peers/nrpe/nrpe.cfg.in, bench proc), C check_ups (bench ups-live);
#                                 check_ping/disk/ntp_time/tcp in the generated configs (tests/suite/tests/generated.rs)
#   monitoring-plugins-standard   the C check_pgsql bench db compares check_euca_db with
#   monitoring-plugins-contrib    the Perl check_raid, check_multipath and check_ipmi_sensor the
#                                 bench compares check_raid, check_san_path, check_ipmi with (bench/peers)
#   python3 python3-botocore      the CLC test double (tests/euca-clc-double: verifies SigV2/SigV4 with
#                                 botocore, not with our code) and the Smart-UPS simulator; python3
#                                 alone: its Heartbeat and the listeners of check_euca_proc's live test
#   hyperfine time linux-perf     bench/run, bench/measure.py
#   dnsmasq-base                  dnsmasq (no service in this package): check_euca_endpoint's
#                                 tests/dnsmasq.rs serves a name with several loopback addresses
#   openipmi ipmitool             ipmi_sim + sdrcomp (the simulated BMC, tests/peers/ipmi_sim) and ipmitool:
#   freeipmi-tools                  check_ipmi tests (plugins/check_ipmi/tests/peers.rs) and bench ipmi;
#                                   ipmi-sensors/ipmi-sel/ipmi-chassis (FreeIPMI, check_ipmi's default tool);
#                                   openipmi's and ipmitool's services (openipmi, ipmievd) are disabled below
#   musl-tools file               the static x86_64-unknown-linux-musl build of scripts/test (musl-gcc for
#                                 ring's C parts) and its check that each binary is static
#   postgresql-15 openssl         check_euca_db tests (tests/peers/postgres: throw-away clusters; openssl
#                                 makes the TLS test's CA and certificate), check_euca_backup tests
#                                 (pg_dumpall, pg_restore --list, the --restore-test cluster), bench db;
#                                 openssl also serves tests/suite/tests/hostile.rs's HTTPS peer with a
#                                 self-signed certificate for the wrong name (s_server)
#   (no new package)              tests/suite/tests/simulation.rs, the simulated reference deployment
#                                 (samples/simulation) under euca-checks run: python3 (its doubles),
#                                 postgresql-15 (the CLC's database), openssl (the console's
#                                 certificate), monitoring-plugins-basic (check_disk, check_ntp_time, check_tcp),
#                                 openipmi ipmitool freeipmi-tools (clc1's BMC is ipmi_sim)
#   rpm cpio man-db sudo binutils packaging/test (run by scripts/test): rpm -qlp/-qcp on the .rpm
#                                 (rpm2cpio | cpio to read its NRPE snippet), man -l on the installed pages, visudo -cf on the sudoers file,
#                                 objdump -T (GLIBC symbol versions) on the shipped binaries
#   cargo-deb cargo-generate-rpm  (cargo install --locked, below, only if missing: not apt) make
#                                 the .deb and the .rpm in packaging/build
set -eu
export DEBIAN_FRONTEND=noninteractive

# Services the packages above ship (openipmi, ipmievd: openipmi/ipmitool; postgresql: postgresql-15);
# all are installed without starting and disabled below.
SERVICES="nut-server nut-client ups-monitor nut-monitor nut-driver-enumerator nagios-nrpe-server icinga2 nagios4 exim4
openipmi ipmievd postgresql"
# systemd units of those packages that are not NAME.service.
UNITS="nut.target nut-driver.target nut-driver-enumerator.path exim4-base.timer"

policy=/usr/sbin/policy-rc.d
saved_policy=""
restore_policy() {
  rm -f "$policy"
  if [ -n "$saved_policy" ]; then mv "$saved_policy" "$policy"; fi
}
if [ -e "$policy" ]; then
  saved_policy=$(mktemp /usr/sbin/policy-rc.d.euca-checks.XXXXXX)
  cp -p "$policy" "$saved_policy"
fi
trap restore_policy EXIT
trap 'exit 1' INT TERM HUP
printf '#!/bin/sh\n# euca-checks tests/install-peers.sh: no service starts during the install\nexit 101\n' >"$policy"
chmod 755 "$policy"

apt-get update -qq
apt-get install -y -qq --no-install-recommends \
  nut-server nut-client libusb-0.1-4 libwrap0 \
  nagios-nrpe-server nagios-nrpe-plugin nagios4-core icinga2-bin icinga2-common procps \
  monitoring-plugins-basic monitoring-plugins-standard monitoring-plugins-contrib \
  openipmi ipmitool freeipmi-tools \
  python3 python3-botocore \
  hyperfine time linux-perf \
  dnsmasq-base \
  postgresql-15 openssl \
  musl-tools file \
  rpm cpio man-db sudo binutils

# apcupsd cannot be installed next to nut-client (both Provide/Conflict ups-monitor), so it is
# unpacked to /opt/apcupsd (tests/peers/apcupsd/start.sh looks there). The download directory
# belongs to _apt, which apt downloads as; a root-only mktemp directory makes apt fall back to
# an unsandboxed download with a warning.
if [ ! -x /opt/apcupsd/sbin/apcupsd ] && ! command -v apcupsd >/dev/null; then
  d=$(mktemp -d)
  if id _apt >/dev/null 2>&1; then chown _apt "$d"; fi
  (cd "$d" && apt-get download -qq apcupsd && dpkg -x apcupsd_*.deb /opt/apcupsd)
  rm -rf "$d"
fi
restore_policy
trap - EXIT

# packaging/build's tools, from crates.io, pinned (their output format is what packaging/test
# checks). Into the invoking user's cargo (scripts/test runs this as root or through sudo).
if command -v cargo >/dev/null; then
  command -v cargo-deb >/dev/null || cargo install --locked --quiet cargo-deb@3.8.0
  command -v cargo-generate-rpm >/dev/null || cargo install --locked --quiet cargo-generate-rpm@0.21.1
else
  echo "install-peers: no cargo in PATH: cargo-deb and cargo-generate-rpm not installed (packaging/test needs them)" >&2
fi

# Nothing at boot, nothing running.
if [ -d /run/systemd/system ]; then
  for s in $SERVICES; do
    if systemctl cat "$s.service" >/dev/null 2>&1; then
      systemctl disable --now "$s.service" >/dev/null 2>&1 || true
    fi
  done
  for u in $UNITS; do
    if systemctl cat "$u" >/dev/null 2>&1; then systemctl disable --now "$u" >/dev/null 2>&1 || true; fi
  done
else
  for s in $SERVICES; do
    [ -x "/etc/init.d/$s" ] || continue
    if "/etc/init.d/$s" status >/dev/null 2>&1; then "/etc/init.d/$s" stop >/dev/null 2>&1 || true; fi
    update-rc.d "$s" disable >/dev/null 2>&1 || true
  done
fi
# The packages' systemd links too (systemctl edits them without a running systemd), so that a
# later boot with systemd starts nothing either.
if command -v systemctl >/dev/null; then
  for s in $SERVICES; do
    if [ -e "/lib/systemd/system/$s.service" ]; then systemctl disable --quiet "$s.service" >/dev/null 2>&1 || true; fi
  done
  for u in $UNITS; do
    if [ -e "/lib/systemd/system/$u" ]; then systemctl disable --quiet "$u" >/dev/null 2>&1 || true; fi
  done
fi
left=""
for s in $SERVICES; do
  for l in /etc/rc[2-5].d/S??"$s" /etc/systemd/system/*.wants/"$s.service"; do
    if [ -e "$l" ] || [ -L "$l" ]; then left="$left $l"; fi
  done
done
for u in $UNITS; do
  for l in /etc/systemd/system/*.wants/"$u"; do
    if [ -e "$l" ] || [ -L "$l" ]; then left="$left $l"; fi
  done
done
if [ -n "$left" ]; then
  echo "install-peers: still enabled at boot:$left" >&2
  exit 1
fi
echo "install-peers: done; no service of these packages is enabled at boot or running"
