#!/usr/bin/env bash
# Whole-process timing and peak memory of check_raid, side by side with the peer plugin
# check_raid of monitoring-plugins-contrib (Perl), on the same /proc/mdstat samples.
# Needs hyperfine and monitoring-plugins-contrib (tests/install-peers.sh installs both).
# The stock peer reads a hard-coded /proc/mdstat; bench/peers/make-check-raid-copy.sh makes a
# copy that reads $CHECK_RAID_MDSTAT instead (same code otherwise).
set -uo pipefail  # no -e: the plugins exit 1-3 on purpose
cd "$(dirname "$0")/.."
cargo build --release --quiet -p check_raid || exit 1
ours="$PWD/target/release/check_raid"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bench/peers/make-check-raid-copy.sh "$work/peer_check_raid" || exit 1

for sample in ok degraded; do
  mkdir -p "$work/$sample/proc"
  cp "bench/peers/mdstat.$sample" "$work/$sample/proc/mdstat"
  echo "== mdstat.$sample"
  echo "ours: $("$ours" --root "$work/$sample" | head -1)"
  echo "peer: $(CHECK_RAID_MDSTAT="$work/$sample/proc/mdstat" "$work/peer_check_raid" -p mdstat | head -1)"
  hyperfine --warmup 5 --runs "${RUNS:-100}" -N --ignore-failure --style basic \
    --export-markdown "$work/$sample.md" --export-json "$work/$sample.json" \
    -n check_raid "$ours --root $work/$sample" \
    -n "contrib check_raid" "env CHECK_RAID_MDSTAT=$work/$sample/proc/mdstat $work/peer_check_raid -p mdstat" >/dev/null
  cat "$work/$sample.md"
  for who in ours peer; do
    if [ "$who" = ours ]; then
      rss=$( { /usr/bin/time -f '%M' "$ours" --root "$work/$sample" >/dev/null; } 2>&1 | tail -1)
    else
      rss=$( { CHECK_RAID_MDSTAT="$work/$sample/proc/mdstat" /usr/bin/time -f '%M' "$work/peer_check_raid" -p mdstat >/dev/null; } 2>&1 | tail -1)
    fi
    echo "$who: max RSS ${rss} KB"
    [ "$who" = ours ] && our_rss=$rss
  done
  # Targets (bench/README.md): mean wall time under 10 ms, peak RSS under 8 MB, and faster than the peer.
  python3 - "$work/$sample.json" "$our_rss" <<'PY' || failed=1
import json, sys
runs = {r["command"]: r["mean"] * 1000 for r in json.load(open(sys.argv[1]))["results"]}
ours, peer, rss = runs["check_raid"], runs["contrib check_raid"], int(sys.argv[2])
ok = ours < 10 and rss < 8192 and ours < peer
print(f"target {'met' if ok else 'MISSED'}: {ours:.1f} ms (< 10 ms), {rss} KB (< 8192 KB), peer {peer:.1f} ms")
sys.exit(0 if ok else 1)
PY
  echo
done
exit "${failed:-0}"
