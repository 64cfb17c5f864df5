#!/usr/bin/env bash
# Build the release binaries and pack them with the monitoring configs:
#   dist/euca-checks-<version>-<arch>-linux.tar.gz
#     bin/check_*                  -> /usr/lib/nagios/plugins/
#     nagios-config/...            -> Nagios objects, NRPE snippet, Icinga 2 CheckCommands
#     sudoers.d/euca-checks        -> /etc/sudoers.d/ (only for plugins run with --sudo)
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
arch=$(uname -m)
cargo build --release --workspace --bins
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
name="euca-checks-$version-$arch-linux"
mkdir -p "$stage/$name/bin" "$stage/$name/sudoers.d"
find target/release -maxdepth 1 -type f -name 'check_*' -perm -u+x -exec cp {} "$stage/$name/bin/" \;
cp -r nagios-config README.md "$stage/$name/"
cp packaging/sudoers "$stage/$name/sudoers.d/euca-checks"
mkdir -p dist
tar -C "$stage" -czf "dist/$name.tar.gz" "$name"
echo "dist/$name.tar.gz"
tar -tzf "dist/$name.tar.gz" | sed -n '/bin\/check_/p'
