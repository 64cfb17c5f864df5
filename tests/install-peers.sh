#!/bin/sh
# Install every real program the test suite runs against (Debian 12, as root). Idempotent.
# A copy of the recipe in shared/peers/install.sh. apcupsd cannot be installed next to nut-client
# (both Provide/Conflict ups-monitor), so it is unpacked to /opt/apcupsd (its libs come from apt).
# python3-botocore: the CLC test double verifies SigV2/SigV4 with botocore, not with our code.
# musl-tools: musl-gcc, for the C parts of dependencies (ring) in the static
# x86_64-unknown-linux-musl build scripts/test makes of every plugin. file: to check it is static.
set -eu
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y --no-install-recommends \
  nut-server nut-client \
  openipmi ipmitool freeipmi-tools \
  nagios4-core \
  icinga2-bin icinga2-common \
  nagios-nrpe-server nagios-nrpe-plugin \
  monitoring-plugins-basic monitoring-plugins-standard monitoring-plugins-contrib libipc-run-perl \
  postgresql-15 dnsmasq-base \
  hyperfine time python3 libusb-0.1-4 libwrap0 \
  python3-botocore \
  musl-tools file
if [ ! -x /opt/apcupsd/sbin/apcupsd ] && ! command -v apcupsd >/dev/null; then
  d=$(mktemp -d); (cd "$d" && apt-get download apcupsd >/dev/null && dpkg -x apcupsd_*.deb /opt/apcupsd)
  rm -rf "$d"
fi
