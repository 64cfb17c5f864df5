#!/usr/bin/env python3
"""Build the sample host trees of check_euca_proc (tests/trees/<name>/ and samples/hosts/euca-<name>/).

BUILT, not captured: each tree is what a host of that role shows, written from the facts in
docs/EUCALYPTUS.md section 5 (processes, pid files, ports, units) and the kernel's formats
(proc(5): /proc/PID/stat fields, /proc/PID/status keys, /proc/net/tcp lines padded to 149
characters by tcp4_seq_show, /proc/net/unix). The expected state of each is in SOURCES.md.
Run from the repository root: python3 plugins/check_euca_proc/tests/trees/make_trees.py
"""
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "../../../.."))
UPTIME = 350735.47  # seconds since boot in every tree
HZ = 100  # USER_HZ


def stat_line(pid, comm, ppid, state, age, threads, rss_pages, vsize, flags):
    start = int((UPTIME - age) * HZ)
    assert start >= 0, f"{comm} started before boot"
    f = [str(pid), f"({comm})", state, str(ppid), str(ppid), str(ppid), "0", "-1", str(flags),
         "5215301", "0", "21", "0", "1342201", "188620", "0", "0", "20", "0", str(threads), "0",
         str(start), str(vsize), str(rss_pages), "18446744073709551615", "4194304", "4210980",
         "140735317393376", "0", "0", "0", "0", "0", "16800975", "0", "0", "0", "17", "1", "0",
         "0", "0", "0", "0", "6311928", "6313160", "24498176", "140735317401366",
         "140735317401450", "140735317401450", "140735317401569", "0"]
    return " ".join(f) + "\n"


def status_text(pid, comm, ppid, state, threads, rss_kb, uid):
    st = {"S": "S (sleeping)", "R": "R (running)"}[state]
    return (f"Name:\t{comm}\nUmask:\t0022\nState:\t{st}\nTgid:\t{pid}\nNgid:\t0\nPid:\t{pid}\n"
            f"PPid:\t{ppid}\nTracerPid:\t0\nUid:\t{uid}\t{uid}\t{uid}\t{uid}\n"
            f"Gid:\t{uid}\t{uid}\t{uid}\t{uid}\nFDSize:\t256\nGroups:\t{uid} \n"
            f"VmPeak:\t{rss_kb * 3} kB\nVmSize:\t{rss_kb * 3} kB\nVmLck:\t       0 kB\n"
            f"VmHWM:\t{rss_kb} kB\nVmRSS:\t{rss_kb:8d} kB\nRssAnon:\t{rss_kb - 100} kB\n"
            f"Threads:\t{threads}\nSigQ:\t0/63448\nSigPnd:\t0000000000000000\n"
            f"Cpus_allowed_list:\t0-3\nvoluntary_ctxt_switches:\t4512\nnonvoluntary_ctxt_switches:\t12\n")


def tcp_line(n, ip, port, state="0A", inode=20000):
    a = ip.split(".")
    local = "%02X%02X%02X%02X:%04X" % (int(a[3]), int(a[2]), int(a[1]), int(a[0]), port)
    line = (f"{n:4d}: {local} 00000000:0000 {state} 00000000:00000000 00:00000000 00000000"
            f"     0        0 {inode + n} 1 ffff8800b8b5{n:04x} 100 0 0 10 0")
    return line.ljust(149) + "\n"


TCP_HEADER = ("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode"
              .ljust(149) + "\n")
TCP6_HEADER = "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
UNIX_HEADER = "Num       RefCount Protocol Flags    Type St Inode Path\n"

CONF = """# Eucalyptus configuration (/etc/eucalyptus/eucalyptus.conf, tools/eucalyptus.conf)
EUCALYPTUS="/"
EUCA_USER="eucalyptus"
CLOUD_OPTS="-Xmx4g"
CC_PORT="{cc}"
NC_PORT="{nc}"
SCHEDPOLICY="ROUNDROBIN"
VNET_MODE="EDGE"
"""


class Tree:
    def __init__(self, name):
        self.name = name
        self.files = {}
        self.links = {}
        self.dirs = set()
        self.tcp = []
        self.unix = []
        self.files["/proc/uptime"] = f"{UPTIME:.2f} 234388.90\n"
        self.files["/etc/eucalyptus/eucalyptus.conf"] = CONF.format(cc=8774, nc=8775)
        # A few processes of any host.
        self.proc(1, "systemd", ["/usr/lib/systemd/systemd", "--switched-root", "--system", "--deserialize", "22"], 0, UPTIME - 1, 1, 6000)
        self.proc(812, "sshd", ["/usr/sbin/sshd", "-D"], 1, UPTIME - 20, 1, 4200)
        self.proc(2, "kthreadd", [], 0, UPTIME - 1, 1, 0)
        self.listen("0.0.0.0", 22)

    def proc(self, pid, comm, argv, ppid, age, threads, rss_kb, uid=0, state="S"):
        d = f"/proc/{pid}"
        self.files[d + "/stat"] = stat_line(pid, comm, ppid, state, age, threads, rss_kb // 4, rss_kb * 3072,
                                           4194560 if argv else 2129984)  # PF_KTHREAD 0x200000 for kernel threads
        self.files[d + "/cmdline"] = "".join(a + "\0" for a in argv)
        if rss_kb:
            self.files[d + "/status"] = status_text(pid, comm, ppid, state, threads, rss_kb, uid)
        else:
            self.files[d + "/status"] = (f"Name:\t{comm}\nState:\tS (sleeping)\nPid:\t{pid}\nPPid:\t{ppid}\n"
                                          f"Threads:\t1\nCpus_allowed_list:\t0-3\n")

    def listen(self, ip, port):
        self.tcp.append((ip, port))

    def enable(self, unit):
        self.files[f"/usr/lib/systemd/system/{unit}"] = f"[Unit]\nDescription={unit}\n"
        self.links[f"/etc/systemd/system/multi-user.target.wants/{unit}"] = f"/usr/lib/systemd/system/{unit}"

    def el6(self, script):
        self.files[f"/etc/rc.d/init.d/{script}"] = "#!/bin/bash\n# chkconfig: 345 99 05\n"
        self.links[f"/etc/rc.d/rc3.d/S99{script}"] = f"../init.d/{script}"

    def write(self, root):
        if os.path.exists(root):
            shutil.rmtree(root)
        tcp = TCP_HEADER + "".join(tcp_line(i, ip, port) for i, (ip, port) in enumerate(self.tcp))
        # a connection, not a listener
        tcp += tcp_line(len(self.tcp), "10.0.0.5", 22, state="01")
        self.files["/proc/net/tcp"] = tcp
        self.files["/proc/net/tcp6"] = TCP6_HEADER
        self.files["/proc/net/unix"] = UNIX_HEADER + "".join(
            f"ffff8800b9d4{i:04x}: 00000002 00000000 00010000 0001 01 {21504 + i} {p}\n" for i, p in enumerate(self.unix)
        ) + "ffff8800b9d4ff00: 00000003 00000000 00000000 0001 03 29650\n"
        for path, text in self.files.items():
            full = root + path
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "w", encoding="utf-8", newline="") as f:
                f.write(text)
        for path in self.dirs:
            os.makedirs(root + path, exist_ok=True)
            open(os.path.join(root + path, ".keep"), "w").close()
        for path, target in self.links.items():
            full = root + path
            os.makedirs(os.path.dirname(full), exist_ok=True)
            os.symlink(target, full)


def jvm(t, age=3 * 86400 + 4 * 3600, db=True):
    t.enable("eucalyptus-cloud.service")
    argv = ["/usr/sbin/eucalyptus-cloud", "--db-home=/usr/pgsql-9.2/", "--java-home=/usr/lib/jvm/jre-1.8.0", "-Xmx4g"]
    t.proc(2816, "eucalyptus-clou", argv, 1, age, 1, 900, uid=0)
    t.proc(2817, "eucalyptus-clou", argv, 2816, age - 2, 412, 4209252, uid=500)
    t.files["/var/run/eucalyptus/eucalyptus-cloud.pid"] = "2817\n"
    if db:
        t.dirs.add("/var/lib/eucalyptus/db/data")
        t.proc(3190, "postgres", ["/usr/pgsql-9.2/bin/postgres", "-D", "/var/lib/eucalyptus/db/data", "-h0.0.0.0", "-p8777"], 2817, age - 60, 1, 52000, uid=500)


def trees():
    out = []
    t = Tree("clc-healthy"); jvm(t); t.listen("0.0.0.0", 8773); t.listen("0.0.0.0", 8777); out.append(t)
    t = Tree("clc-crashed"); t.enable("eucalyptus-cloud.service"); t.dirs.add("/var/lib/eucalyptus/db/data")
    t.files["/var/run/eucalyptus/eucalyptus-cloud.pid"] = "2817\n"; out.append(t)
    t = Tree("clc-starting"); jvm(t, age=75); t.listen("0.0.0.0", 8777); out.append(t)
    t = Tree("clc-not-listening"); jvm(t, age=7200); out.append(t)
    t = Tree("sc-healthy"); jvm(t, db=False); t.listen("0.0.0.0", 8773); out.append(t)
    t = Tree("cc-healthy-el6"); t.el6("eucalyptus-cc")
    for pid, parent, th in [(4100, 1, 1), (4101, 4100, 1), (4102, 4100, 1)]:
        t.proc(pid, "httpd", ["/usr/sbin/httpd", "-f", "//var/run/eucalyptus/httpd-cc.conf"], parent, 86400 * 3, th, 25000, uid=500)
    t.files["/var/run/eucalyptus/eucalyptus-cc.pid"] = "4100\n"; t.listen("0.0.0.0", 8774); out.append(t)
    t = Tree("cc-stale-pid"); t.enable("eucalyptus-cluster.service")
    t.proc(4300, "httpd", ["/usr/sbin/httpd", "-f", "/run/eucalyptus/httpd-cc.conf", "-DFOREGROUND"], 1, 3600, 1, 25000, uid=500)
    t.files["/run/eucalyptus/eucalyptus-cluster.pid"] = "4100\n"; t.listen("0.0.0.0", 8774); out.append(t)
    for name, libvirt in [("nc-healthy", True), ("nc-libvirtd-down", False)]:
        t = Tree(name); t.enable("eucalyptus-node.service"); t.enable("libvirtd.service")
        t.files["/etc/eucalyptus/eucalyptus.conf"] = CONF.format(cc=8774, nc=8775)
        t.proc(5200, "httpd", ["/usr/sbin/httpd", "-f", "/run/eucalyptus/httpd-nc.conf", "-DFOREGROUND"], 1, 86400 * 3, 1, 30000, uid=500)
        t.proc(5201, "httpd", ["/usr/sbin/httpd", "-f", "/run/eucalyptus/httpd-nc.conf", "-DFOREGROUND"], 5200, 86400 * 3, 1, 30000, uid=500)
        if libvirt:
            t.proc(1020, "libvirtd", ["/usr/sbin/libvirtd", "--listen"], 1, UPTIME - 30, 17, 28000)
        t.files["/run/eucalyptus/eucalyptus-node.pid"] = "5200\n"; t.listen("0.0.0.0", 8775); t.listen("0.0.0.0", 16514)
        out.append(t)
    t = Tree("nc-port-moved"); t.enable("eucalyptus-node.service")
    t.files["/etc/eucalyptus/eucalyptus.conf"] = CONF.format(cc=8774, nc=8885)
    t.proc(5200, "httpd", ["/usr/sbin/httpd", "-f", "/run/eucalyptus/httpd-nc.conf", "-DFOREGROUND"], 1, 86400, 1, 30000, uid=500)
    t.proc(1020, "libvirtd", ["/usr/sbin/libvirtd", "--listen"], 1, UPTIME - 30, 17, 28000)
    t.files["/run/eucalyptus/eucalyptus-node.pid"] = "5200\n"; t.listen("0.0.0.0", 8885); out.append(t)
    for name, nginx in [("console-healthy", True), ("console-nginx-down", False)]:
        t = Tree(name); t.enable("eucaconsole.service"); t.enable("eucaconsole-nginx.service"); t.enable("eucaconsole-memcached.service")
        t.proc(6100, "eucaconsole", ["/usr/bin/python2", "/usr/bin/eucaconsole"], 1, 86400 * 2, 1, 61000, uid=499)
        t.proc(6105, "eucaconsole", ["/usr/bin/python2", "/usr/bin/eucaconsole"], 6100, 86400 * 2, 5, 88000, uid=499)
        t.proc(6050, "memcached", ["/usr/bin/memcached", "-u", "eucaconsole", "-s", "/run/eucaconsole/memcached.sock", "-a", "0700"], 1, 86400 * 2, 6, 3000, uid=499)
        t.unix.append("/run/eucaconsole/memcached.sock")
        t.listen("127.0.0.1", 8888)
        if nginx:
            t.proc(6200, "nginx", ["nginx: master process /usr/sbin/nginx -c /etc/eucaconsole/nginx.conf"], 1, 86400 * 2, 1, 2000)
            t.proc(6201, "nginx", ["nginx: worker process"], 6200, 86400 * 2, 1, 5000, uid=499)
            t.listen("0.0.0.0", 443); t.listen("0.0.0.0", 80)
        out.append(t)
    return out


def main():
    samples = {"clc-healthy", "clc-crashed", "clc-starting", "nc-libvirtd-down", "console-healthy", "console-nginx-down", "cc-healthy-el6"}
    for t in trees():
        t.write(os.path.join(HERE, t.name))
        if t.name in samples:
            t.write(os.path.join(REPO, "samples/hosts", "euca-" + t.name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
