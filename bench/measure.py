#!/usr/bin/env python3
"""Whole-process figures for bench/run: wall time (hyperfine), peak RSS, CPU time.

  measure.py NAME -- LABEL=COMMAND ...        one table, /bin/true and the peer in the same run

COMMAND is split on spaces (no shell, as hyperfine -N runs it). Prints one markdown table:
median and min/max wall time over RUNS runs (hyperfine -N, WARMUP warm-up runs), peak RSS (the
largest of 5 runs of /usr/bin/time -f %M), median CPU user+sys (perf stat task-clock, per run),
median context switches (perf stat, same runs), instructions of one run (valgrind callgrind,
children followed: steady whatever the load; this VM has no hardware counters), and the ratios to /bin/true and to the row labelled 'peer ...' when there is one. Raw hyperfine
JSON goes to $BENCH_OUT/NAME.json.
"""
import json, os, statistics, subprocess, sys

RUNS = int(os.environ.get("RUNS", "50"))
WARMUP = int(os.environ.get("WARMUP", "5"))
CPU_RUNS = int(os.environ.get("CPU_RUNS", "30"))
OUT = os.environ.get("BENCH_OUT", "bench/out")


def peak_rss_kib(argv):
    peaks = []
    for _ in range(5):
        r = subprocess.run(["/usr/bin/time", "-f", "%M"] + argv, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, text=True)
        peaks.append(int(r.stderr.strip().splitlines()[-1]))
    return max(peaks)


def cpu_ms(argv):
    """Median task-clock (on-CPU time, user+sys) of CPU_RUNS separate runs, in ms, and the
    median context switches of the same runs. perf enables the counters at the child's exec,
    so perf's own work is not counted."""
    samples, switches = [], []
    for _ in range(CPU_RUNS):
        r = subprocess.run(["perf", "stat", "-x,", "-e", "task-clock,context-switches", "--"] + argv,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        line = [l for l in r.stderr.splitlines() if ",task-clock" in l][-1]
        samples.append(float(line.split(",")[0]))
        line = [l for l in r.stderr.splitlines() if ",context-switches" in l][-1]
        switches.append(float(line.split(",")[0]))
    return statistics.median(samples), min(samples), max(samples), statistics.median(switches)


def instructions(argv):
    """Instructions of one run under callgrind (children followed, e.g. through env)."""
    out = os.path.join(OUT, "callgrind.tmp")
    r = subprocess.run(["valgrind", "--tool=callgrind", "--trace-children=yes",
                        f"--callgrind-out-file={out}.%p"] + argv,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    total = 0
    for l in r.stderr.splitlines():
        if "Collected :" in l:
            total += int(l.split(":")[-1].strip())
    for f in os.listdir(OUT):
        if f.startswith("callgrind.tmp."):
            os.remove(os.path.join(OUT, f))
    return total


def main():
    name = sys.argv[1]
    assert sys.argv[2] == "--"
    rows = [a.split("=", 1) for a in sys.argv[3:]]
    os.makedirs(OUT, exist_ok=True)
    js = os.path.join(OUT, f"{name}.json")
    cmd = ["hyperfine", "-N", "--ignore-failure", "--style", "none", "--warmup", str(WARMUP),
           "--runs", str(RUNS), "--export-json", js]
    for label, command in rows:
        cmd += ["-n", label, command]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    results = {r["command"]: r for r in json.load(open(js))["results"]}
    table = []
    for label, command in rows:
        r = results[label]
        argv = command.split(" ")
        table.append({
            "label": label,
            "median": r["median"] * 1000, "min": r["min"] * 1000, "max": r["max"] * 1000,
            "rss": peak_rss_kib(argv), "cpu": cpu_ms(argv),
            # NO_INSTRUCTIONS=1: a command of a hundred processes (euca-checks run) would take
            # minutes under callgrind.
            "instructions": None if os.environ.get("NO_INSTRUCTIONS") else instructions(argv),
        })
    true = next(t for t in table if t["label"] == "/bin/true")
    peer = next((t for t in table if t["label"].startswith("peer")), None)
    print(f"#### {name} ({RUNS} runs, {WARMUP} warm-up; CPU: median of {CPU_RUNS})\n")
    print("| command | median ms | min-max ms | peak RSS KiB | CPU user+sys ms (median, min-max) | ctx switches | instructions | x /bin/true | x peer |")
    print("|---|---|---|---|---|---|---|---|---|")
    for t in table:
        vs_peer = f"{t['median'] / peer['median']:.2f}" if peer and t is not peer else ""
        c = t["cpu"]
        print(f"| {t['label']} | {t['median']:.2f} | {t['min']:.2f}-{t['max']:.2f} | {t['rss']} | "
              f"{c[0]:.3f} ({c[1]:.3f}-{c[2]:.3f}) | {c[3]:.0f} | "
              f"{'-' if t['instructions'] is None else format(t['instructions'] / 1000, ',.0f') + ' K'} | "
              f"{t['median'] / true['median']:.2f} | {vs_peer} |")
    print()
    json.dump(table, open(os.path.join(OUT, f"{name}.summary.json"), "w"), indent=1)


main()
