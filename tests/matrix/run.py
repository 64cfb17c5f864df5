#!/usr/bin/python3
"""Issue 17's failure matrix, run through a REAL Nagios 4 on the SIMULATED reference deployment
(samples/simulation: host trees and test doubles on 127.0.0.x, not a cloud).

  tests/matrix/run.py --plugin-dir target/debug [--cells GLOB] [--write-doc docs/failure-matrix.md]

What it does (docs/failure-matrix-design.md, with the changes said there under "As built"):
 1. copies the simulation's host trees to a work directory (cells break them in place) and
    writes a copy of its topology with every path absolute (Nagios runs commands from /);
 2. `euca-checks generate --nagios` and `--nrpe` on it; the on-host services' NRPE command
    lines become Nagios commands run on the monitor (one NRPE per simulated host would only
    relay the same output: tests/suite/tests/generated.rs proves the relay), the host check
    becomes check_tcp on the host's main port (ping always answers on loopback), and the
    templates' intervals are shortened (interval_length=1: "minutes" become seconds, every
    check every 2 s, retried every 1 s, hard after 2 attempts);
 3. starts the simulation and Nagios 4 (tests/peers/nagios4's nagios.cfg.in), waits until every
    service has a result and all are OK (else the run is void: the simulation is broken);
 4. for each cell (tests/matrix/*.toml, one at a time: the simulation has fixed addresses;
    a cell with `variant = "NAME"` runs on samples/simulation/variants/NAME, under its own
    simulation and Nagios after the reference's cells)
    applies the scenario, reads status.dat twice a second until every expected service is in
    its expected HARD state with its cause in the output, watches 3 s more for stray changes,
    then undoes the scenario and waits until everything is OK again;
 5. prints one line per cell, writes docs/failure-matrix.md with --write-doc, and exits 1 when
    a cell fails (0 when all pass).

Python 3.11+ (tomllib), no pip. Needs what the simulation needs, plus nagios4.
"""

import argparse
import fnmatch
import glob
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import tomllib

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
# The simulation's scripts; a cell's `variant = "NAME"` runs it on samples/simulation/variants/NAME
# (its own topology, host trees and run/), every other cell on the reference deployment.
SIM = os.path.join(REPO, "samples", "simulation")
NAGIOS_RECIPE = os.path.join(REPO, "tests", "peers", "nagios4")
STANDARD = "/usr/lib/nagios/plugins"
STATES = {0: "OK", 1: "WARNING", 2: "CRITICAL", 3: "UNKNOWN"}
# Seconds: an expected change must come within DETECT_BOUND; nothing else may change for
# QUIET after; everything must be OK again within RECOVER_BOUND after the undo.
DETECT_BOUND = 30
QUIET = 3
RECOVER_BOUND = 40


def log(msg):
    print(f"matrix: {msg}", file=sys.stderr, flush=True)


def sim_dir(variant):
    return os.path.join(SIM, "variants", variant) if variant else SIM


def absolute_topology(work, sim):
    """The simulation's topology with every relative path absolute: roots in the work copy,
    run/ files in the running simulation's, samples in the repository."""
    with open(os.path.join(sim, "topology.toml"), encoding="utf-8") as f:
        text = f.read()
    text = re.sub(r'"hosts/', f'"{work}/hosts/', text)
    text = re.sub(r'"(run/|\.\./)', lambda m: f'"{sim}/{m.group(1)}', text)
    # Each host's saved tool answers (--input TOOL=FILE) copied to work/inputs/HOST/TOOL, so a
    # cell can change one host's (a PSU lost, a disk failed) without the others'.
    def per_host(m):
        host, tool, src = m.group(1), m.group(2), m.group(3)
        os.makedirs(os.path.join(work, "inputs", host), exist_ok=True)
        dst = os.path.join(work, "inputs", host, tool)
        shutil.copy(os.path.join(sim, src), dst)
        return m.group(0).replace(f"{tool}={src}", f"{tool}={dst}")

    text = re.sub(r'^"([^/"]+)/[a-z_]+" = \[.*"--input", "([a-z-]+)=([^"]+)"', per_host, text, flags=re.M)
    path = os.path.join(work, "topology.toml")
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    with open(path, "rb") as f:
        return path, tomllib.loads(text)


def plugin_dir(work, built):
    d = os.path.join(work, "plugins")
    os.makedirs(d)
    for name in os.listdir(built):
        p = os.path.join(built, name)
        if (name.startswith("check_") or name == "euca-checks") and os.access(p, os.X_OK) and os.path.isfile(p):
            os.symlink(p, os.path.join(d, name))
    for name in ("check_disk", "check_ntp_time", "check_tcp", "check_dummy"):
        os.symlink(os.path.join(STANDARD, name), os.path.join(d, name))
    return d


def sh(*args, **kw):
    r = subprocess.run(args, capture_output=True, text=True, check=False, **kw)
    if r.returncode != 0:
        raise SystemExit(f"matrix: {' '.join(args)} failed: {r.stderr.strip() or r.stdout.strip()}")
    return r.stdout


def nagios_objects(work, topo_path, topo, plugins, run):
    """The generated Nagios objects, adapted to the simulation (see the module's comment)."""
    euca = os.path.join(plugins, "euca-checks")
    sh(euca, "generate", "--nagios", "-o", os.path.join(work, "gen"), topo_path)
    sh(euca, "generate", "--nrpe", "--plugin-dir", plugins, "-o", os.path.join(work, "gen-nrpe"), topo_path)
    onhost = {}
    for f in glob.glob(os.path.join(work, "gen-nrpe", "nrpe", "*.cfg")):
        host = os.path.basename(f)[:-4]
        with open(f, encoding="utf-8") as fh:
            for line in fh:
                m = re.match(r"command\[(\w+)\]=(.*)", line.strip())
                if m:
                    onhost[(host, m.group(1))] = m.group(2)
    text = ""
    for name in ("euca-templates.cfg", "euca-commands.cfg", "euca-contacts.cfg", "euca-hosts.cfg", "euca-services.cfg"):
        with open(os.path.join(work, "gen", name), encoding="utf-8") as f:
            text += f.read() + "\n"
    # Intervals: every check every 2 s, retried each second, hard after 2 attempts.
    text = re.sub(r"(\n    check_interval\s+)\d+", r"\g<1>2", text)
    text = re.sub(r"(\n    retry_interval\s+)\d+", r"\g<1>1", text)
    text = re.sub(r"(\n    max_check_attempts\s+)\d+", r"\g<1>2", text)
    # On-host services: their NRPE command line run by Nagios itself.
    extra = []

    def local(m):
        block = m.group(0)
        host = re.search(r"host_name\s+(\S+)", block)
        cmd = re.search(r"check_command\s+euca_nrpe!(\w+)", block)
        if cmd is None or host is None:
            return block
        host = host.group(1)
        line = onhost.get((host, cmd.group(1)))
        if line is None:
            raise SystemExit(f"matrix: no NRPE command {cmd.group(1)} for {host}")
        name = f"sim_{host}_{cmd.group(1)}".replace(".", "_")
        extra.append(f"define command {{\n    command_name {name}\n    command_line {line}\n}}\n")
        return block.replace(cmd.group(0), f"check_command                  {name}")

    text = re.sub(r"define service \{\n[^}]*\}", local, text)
    # Host checks: check_tcp on the host's main port; the DNS names' hosts always UP.
    roles = {h["name"]: h["roles"] for h in topo["host"]}

    def host_check(m):
        block = m.group(0)
        name = re.search(r"host_name\s+(\S+)", block).group(1)
        cmd = "sim_host_alive" if name in roles else "sim_host_up"
        return block.replace("}", f"    check_command                  {cmd}\n}}", 1)

    text = re.sub(r"define host \{\n    use +euca-host\n[^}]*\}", host_check, text)
    extra.append(f"define command {{\n    command_name sim_host_alive\n    command_line {HERE}/host-alive {run} $HOSTADDRESS$\n}}\n")
    extra.append(f"define command {{\n    command_name sim_host_up\n    command_line {plugins}/check_dummy 0 simulated\n}}\n")
    path = os.path.join(work, "objects.cfg")
    with open(path, "w", encoding="utf-8") as f:
        f.write(text + "\n" + "".join(extra))
    return path


def start_nagios(work, objects, plugins):
    """Nagios 4 as the recipe has it (tests/peers/nagios4), run as root here: the simulation's
    credentials and password files are root's 0600 files, as the checks need them."""
    w = os.path.join(work, "nagios")
    os.makedirs(os.path.join(w, "tmp"))
    os.makedirs(os.path.join(w, "checkresults"))
    user = sh("id", "-un").strip()
    group = sh("id", "-gn").strip()
    with open(os.path.join(NAGIOS_RECIPE, "nagios.cfg.in"), encoding="utf-8") as f:
        cfg = f.read().replace("@W@", w).replace("@USER@", user).replace("@GROUP@", group)
    cfg = cfg.replace(f"cfg_file={w}/objects.cfg", f"cfg_file={objects}")
    # A host check triggered by a failing service must really run (Nagios would otherwise reuse
    # a result up to 15 s old, longer than a whole cell).
    cfg += "cached_host_check_horizon=0\ncached_service_check_horizon=0\n"
    with open(os.path.join(w, "nagios.cfg"), "w", encoding="utf-8") as f:
        f.write(cfg)
    with open(os.path.join(w, "resource.cfg"), "w", encoding="utf-8") as f:
        f.write(f"$USER1$={plugins}\n")
    r = subprocess.run(["nagios4", "-v", os.path.join(w, "nagios.cfg")], capture_output=True, text=True, check=False)
    if r.returncode != 0:
        raise SystemExit(f"matrix: nagios4 -v refused the generated objects:\n{r.stdout[-3000:]}")
    out = open(os.path.join(w, "nagios.out"), "w", encoding="utf-8")
    proc = subprocess.Popen(["nagios4", os.path.join(w, "nagios.cfg")], stdout=out, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    return proc, w


def read_status(w):
    """(host, service) -> dict of status.dat's fields; hosts under (host, None)."""
    try:
        with open(os.path.join(w, "status.dat"), encoding="utf-8", errors="replace") as f:
            text = f.read()
    except FileNotFoundError:
        return {}
    out = {}
    for kind, body in re.findall(r"^(servicestatus|hoststatus) \{\n(.*?)\n\t\}", text, re.S | re.M):
        fields = dict(line.strip().split("=", 1) for line in body.split("\n") if "=" in line)
        key = (fields.get("host_name"), fields.get("service_description") if kind == "servicestatus" else None)
        out[key] = fields
    return out


def state_of(f):
    if f.get("has_been_checked") != "1":
        return None
    if f.get("service_description") is None:
        return {"0": "UP", "1": "DOWN", "2": "UNREACHABLE"}.get(f.get("current_state"))
    return STATES.get(int(f.get("current_state", "3")))


def hard(f):
    return f.get("state_type") == "1"


# ---- scenarios -------------------------------------------------------------------------------

def text_of(value):
    """A scenario value: text, or "@path" (relative to the repository) for a file's text."""
    if isinstance(value, str) and value.startswith("@"):
        with open(os.path.join(REPO, value[1:]), encoding="utf-8") as f:
            return f.read()
    return value


class Undo:
    def __init__(self, work, sim):
        self.work = work
        self.sim = sim
        self.actions = []

    def host_tree(self, host):
        """Restore a host's tree from the committed one."""
        dst = os.path.join(self.work, "hosts", host)

        def restore():
            shutil.rmtree(dst, ignore_errors=True)
            shutil.copytree(os.path.join(self.sim, "hosts", host), dst, symlinks=True)
        self.actions.append(restore)

    def file(self, path):
        saved = None
        if os.path.exists(path):
            with open(path, "rb") as f:
                saved = f.read()

        def restore():
            if saved is None:
                if os.path.exists(path):
                    os.remove(path)
            else:
                with open(path, "wb") as f:
                    f.write(saved)
        self.actions.append(restore)

    def run(self):
        for a in reversed(self.actions):
            a()
        self.actions = []


def repo_paths(value):
    """A control file's "@path" values (relative to the repository) made absolute."""
    if isinstance(value, dict):
        return {k: repo_paths(v) for k, v in value.items()}
    if isinstance(value, str) and value.startswith("@"):
        return os.path.join(REPO, value[1:])
    return value


def apply(cell, work, undo, run):
    """Break what the cell says, in order; every change is recorded in `undo`."""
    host = cell.get("host")
    tree = os.path.join(work, "hosts", host) if host else None
    touched_tree = bool(cell.get("remove") or cell.get("write") or cell.get("replace")
                        or cell.get("overlay") or cell.get("root_gone"))
    if touched_tree:
        undo.host_tree(host)
    if cell.get("overlay"):
        # A sample host tree of one failure (samples/hosts/...) copied over the host's files.
        src = os.path.join(REPO, cell["overlay"])
        for dirpath, dirs, files in os.walk(src):
            rel = os.path.relpath(dirpath, src)
            os.makedirs(os.path.join(tree, rel), exist_ok=True)
            for name in files + [d for d in dirs if os.path.islink(os.path.join(dirpath, d))]:
                s, d = os.path.join(dirpath, name), os.path.join(tree, rel, name)
                if os.path.lexists(d) and (os.path.islink(d) or not os.path.isdir(d)):
                    os.remove(d)
                if os.path.islink(s):
                    os.symlink(os.readlink(s), d)
                else:
                    shutil.copy(s, d)
    for rel in cell.get("remove", []):
        p = os.path.join(tree, rel)
        if os.path.isdir(p) and not os.path.islink(p):
            shutil.rmtree(p)
        elif os.path.lexists(p):
            os.remove(p)
        else:
            raise SystemExit(f"matrix: {cell['name']}: remove {rel}: not in {host}'s tree")
    for rel, value in cell.get("write", {}).items():
        p = os.path.join(tree, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w", encoding="utf-8") as f:
            f.write(text_of(value))
    for rel, (old, new) in cell.get("replace", {}).items():
        p = os.path.join(tree, rel)
        with open(p, encoding="utf-8") as f:
            text = f.read()
        if old not in text:
            raise SystemExit(f"matrix: {cell['name']}: {old!r} not in {host}:{rel}")
        with open(p, "w", encoding="utf-8") as f:
            f.write(text.replace(old, new))
    if cell.get("root_gone"):
        shutil.rmtree(tree)
    for name, value in cell.get("run", {}).items():
        p = os.path.join(run, name)
        undo.file(p)
        with open(p, "w", encoding="utf-8") as f:
            f.write(text_of(value))
    for which, value in cell.get("inputs", {}).items():
        # A saved tool answer (--input) of this host: the copy absolute_topology made for it.
        p = os.path.join(work, "inputs", host, which)
        undo.file(p)
        with open(p, "w", encoding="utf-8") as f:
            f.write(text_of(value))
    for old, new in cell.get("rename", {}).items():
        # A run/ file moved aside (the database's socket: PostgreSQL unreachable).
        src, dst = os.path.join(run, old), os.path.join(run, new)
        os.rename(src, dst)
        undo.actions.append(lambda src=src, dst=dst: os.rename(dst, src))
    for name, control in cell.get("control", {}).items():
        p = os.path.join(run, "control", f"{name}.json")
        undo.file(p)
        with open(p, "w", encoding="utf-8") as f:
            json.dump(repo_paths(control), f)
    for address in cell.get("down", []):
        p = os.path.join(run, "down", address)
        undo.file(p)
        open(p, "w").close()
    if "age_backups" in cell:
        back = time.time() - cell["age_backups"]
        saved = []
        for dirpath, _dirs, files in os.walk(os.path.join(run, "backups")):
            for name in files + [""]:
                p = os.path.join(dirpath, name) if name else dirpath
                st = os.stat(p)
                saved.append((p, st.st_atime, st.st_mtime))
                os.utime(p, (back, back))
        undo.actions.append(lambda: [os.utime(p, (a, m)) for p, a, m in saved])


def load_cells(pattern):
    cells = []
    for path in sorted(glob.glob(os.path.join(HERE, "*.toml"))):
        name = os.path.basename(path)[:-5]
        if not fnmatch.fnmatch(name, pattern):
            continue
        with open(path, "rb") as f:
            cell = tomllib.load(f)
        cell["name"] = name
        expects = []
        for e in cell.get("expect", []):
            re.compile(e["says"])
            # host = ["a", "b"]: the same expectation on each of those hosts.
            for h in e["host"] if isinstance(e["host"], list) else [e["host"]]:
                expects.append({**e, "host": h})
        cell["expect"] = expects
        cells.append(cell)
    return cells


def judge(cell, w, baseline):
    """Wait for the cell's expected changes, then watch QUIET s more. Returns the result."""
    t0 = time.time()
    expects = cell.get("expect", [])
    detected = {}
    seen = {}
    last = {}
    while True:
        now = time.time()
        status = read_status(w)
        for e in expects:
            key = (e["host"], e.get("service"))
            f = status.get(key)
            if f is None:
                continue
            st = state_of(f)
            out = f.get("plugin_output", "") + "\n" + f.get("long_plugin_output", "").replace("\\n", "\n")
            if key not in detected and st == e["state"] and hard(f) and re.search(e["says"], out, re.S):
                detected[key] = (round(now - t0, 1), out)
        for key, f in status.items():
            st = state_of(f)
            if st is not None and st != baseline.get(key):
                seen.setdefault(key, (st, f.get("plugin_output", "")))
            last[key] = (st, f.get("plugin_output", ""))
        if len(detected) == len(expects) and now - t0 >= max(detected.values(), default=(0,))[0] + QUIET:
            break
        if now - t0 > DETECT_BOUND + QUIET:
            break
        time.sleep(0.5)
    expected_keys = {(e["host"], e.get("service")) for e in expects}
    allowed = cell.get("allow", [])
    stray = {k: v for k, v in seen.items() if k not in expected_keys
             and not any(fnmatch.fnmatch(f"{k[0]}/{k[1] or '(host)'}", a) for a in allowed)}
    missing = [e for e in expects if (e["host"], e.get("service")) not in detected]
    rows = []
    for e in expects:
        key = (e["host"], e.get("service"))
        d = detected.get(key)
        out = d[1] if d else "\n".join(x for x in last.get(key, (None, ""))[1:] if x)
        hint = next((l.strip()[3:] for l in out.split("\n") if l.strip().startswith("-> ")), "")
        first = out.split("\n")[0]
        rows.append({"host": e["host"], "service": e.get("service") or "(host)", "state": e["state"],
                     "seconds": d[0] if d else None, "output": first, "hint": hint,
                     "needs_hint": e.get("hint", e.get("service") is not None)})
    no_hint = [r for r in rows if r["seconds"] is not None and r["needs_hint"] and not r["hint"]]
    ok = not missing and not stray and not no_hint
    why = []
    if missing:
        why.append("not detected: " + ", ".join(f"{e['host']}/{e.get('service') or '(host)'} "
                                                f"(last {last.get((e['host'], e.get('service')), ('?', ''))[0]}: "
                                                f"{last.get((e['host'], e.get('service')), ('', ''))[1][:120]})"
                                                for e in missing))
    if stray:
        why.append("unrelated changes: " + ", ".join(f"{h}/{s or '(host)'} {st}: {o[:100]}" for (h, s), (st, o) in stray.items()))
    if no_hint:
        why.append("no restore hint: " + ", ".join(f"{r['host']}/{r['service']}" for r in no_hint))
    return {"ok": ok, "rows": rows, "why": "; ".join(why), "stray": stray}


def wait_all_ok(w, bound, forced_cmd=True):
    """Until every service is OK and every host UP; with forced checks so recovery is quick."""
    t0 = time.time()
    if forced_cmd:
        force_all(w)
    while time.time() - t0 < bound:
        status = read_status(w)
        bad = {k: (state_of(f), f.get("plugin_output", "")) for k, f in status.items()
               if state_of(f) not in ("OK", "UP")}
        if status and not bad:
            return {}
        time.sleep(0.5)
        if forced_cmd and int(time.time() - t0) % 5 == 4:
            force_all(w)
    return bad


def force_all(w):
    """Ask Nagios to run every check now (external command file)."""
    status = read_status(w)
    now = int(time.time())
    lines = "".join(f"[{now}] SCHEDULE_FORCED_HOST_SVC_CHECKS;{h};{now}\n[{now}] SCHEDULE_FORCED_HOST_CHECK;{h};{now}\n"
                    for h in sorted({h for h, _ in status}))
    try:
        fd = os.open(os.path.join(w, "nagios.cmd"), os.O_WRONLY | os.O_NONBLOCK)
        os.write(fd, lines.encode())
        os.close(fd)
    except FileNotFoundError:
        pass  # Nagios not reading commands yet (just started): its first checks come anyway
    except OSError as e:
        log(f"cannot send forced checks: {e}")


# ---- the document -----------------------------------------------------------------------------

def write_doc(path, cells, results, started, elapsed):
    from doc import render  # tests/matrix/doc.py: the table's text
    with open(path, "w", encoding="utf-8") as f:
        f.write(render(cells, results, elapsed))


def run_group(sim, cells, args):
    """The cells of one simulated deployment, one after the other under one Nagios."""
    run = os.path.join(sim, "run")
    started = time.time()
    work = tempfile.mkdtemp(prefix="euca-matrix-")
    shutil.copytree(os.path.join(sim, "hosts"), os.path.join(work, "hosts"), symlinks=True)
    topo_path, topo = absolute_topology(work, sim)
    plugins = plugin_dir(work, os.path.abspath(args.plugin_dir))
    objects = nagios_objects(work, topo_path, topo, plugins, run)
    subprocess.run([os.path.join(SIM, "stop"), sim], check=False)
    r = subprocess.run([os.path.join(SIM, "start"), sim], capture_output=True, text=True, check=False)
    if r.returncode != 0:
        raise SystemExit(f"matrix: samples/simulation/start {os.path.relpath(sim, REPO)} failed: {r.stderr.strip()}")
    nagios = None
    results = {}
    try:
        nagios, w = start_nagios(work, objects, plugins)
        bad = wait_all_ok(w, 60)
        if bad:
            raise SystemExit(f"matrix: the healthy simulation {os.path.relpath(sim, REPO)} is not all OK under Nagios (the run is void): " +
                             "; ".join(f"{h}/{s}: {st} {o}" for (h, s), (st, o) in sorted(bad.items(), key=str)))
        baseline = {k: state_of(f) for k, f in read_status(w).items()}
        log(f"{os.path.relpath(sim, REPO)}: baseline of {len(baseline)} hosts and services OK after"
            f" {time.time() - started:.0f} s")
        undo = Undo(work, sim)
        for cell in cells:
            t = time.time()
            apply(cell, work, undo, run)
            res = judge(cell, w, baseline)
            undo.run()
            left = wait_all_ok(w, RECOVER_BOUND)
            if left:
                res["ok"] = False
                res["why"] += "; not OK again after the undo: " + ", ".join(f"{h}/{s}" for h, s in left)
            res["elapsed"] = round(time.time() - t, 1)
            results[cell["name"]] = res
            times = [r["seconds"] for r in res["rows"] if r["seconds"] is not None]
            print(f"{'PASS' if res['ok'] else 'FAIL'} {cell['name']} (detected in {max(times, default='-')} s,"
                  f" cell {res['elapsed']} s)"
                  + ("" if res["ok"] else f": {res['why']}"), flush=True)
            if left:
                raise SystemExit("matrix: the simulation did not recover; the remaining cells would be void")
    finally:
        if nagios is not None:
            os.killpg(nagios.pid, signal.SIGTERM)
            try:
                nagios.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(nagios.pid, signal.SIGKILL)
        subprocess.run([os.path.join(SIM, "stop"), sim], check=False)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return results


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--plugin-dir", required=True, help="the built plugins and euca-checks (target/debug)")
    ap.add_argument("--cells", default="*", help="a glob over the scenario names")
    ap.add_argument("--write-doc", help="write the generated table here (docs/failure-matrix.md)")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    args = ap.parse_args()
    sys.path.insert(0, HERE)
    started = time.time()
    cells = load_cells(args.cells)
    if not cells:
        raise SystemExit(f"matrix: no scenario matches {args.cells}")
    results = {}
    # One simulation and one Nagios per deployment: the reference's cells, then each variant's.
    variants = sorted({c.get("variant", "") for c in cells}, key=lambda v: (v != "", v))
    for variant in variants:
        group = [c for c in cells if c.get("variant", "") == variant]
        results.update(run_group(sim_dir(variant), group, args))
    elapsed = time.time() - started
    if args.write_doc:
        write_doc(args.write_doc, cells, results, started, elapsed)
    passed = sum(1 for r in results.values() if r["ok"])
    print(f"{passed} of {len(cells)} cells pass in {elapsed:.0f} s", flush=True)
    sys.exit(0 if passed == len(cells) else 1)


if __name__ == "__main__":
    main()
