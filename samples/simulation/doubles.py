#!/usr/bin/python3
"""The TEST DOUBLES of the simulated reference deployment (README.md here). NOT Eucalyptus,
NUT, Riak or a DNS server: small servers that answer, on each simulated host's loopback
address, what the real component would, from saved or built answers of this repository.
Started by ./start (which waits for run/ready), stopped by ./stop. Python 3 only, no pip.

The hosts and their addresses are the topology's (topology.toml here, or a variant's: ./start
DIR passes DIR): the ports below are served on each host with that role.

  CLC 127.0.0.10:8773  tests/euca-clc-double (DescribeServices, DescribeAvailabilityZones,
                       DescribeInstances/Images/ConversionTasks, DescribeProperties, Heartbeat)
      127.0.0.10:8779  a second CLC double: the DescribeProperties answer check_euca_workers
                       reads (imaging and ELB images), one answer per action and double
  UFS .11/.12:8773     CLC double serving the UFS Heartbeat; console .11/.12:8443 over TLS
  SC/CC/NC ports       8773 on SC, Walrus, VMware Broker and passive CLC hosts, 8774 (CC),
                       8775 (NC): answer HTTP 200
  Riak .21-.23:8098    /ping, /stats (plugins/check_riak/tests/fixtures shapes)
  upsd 127.0.0.3:3493  NUT's line protocol, LIST VAR from run/ups/<UPS> (upsc format)
  DNS  127.0.0.2:5353  A records from run/dns.json (UDP and TCP)
  NTP  127.0.0.2:12300 the time of this machine

Failures for tests (issue 17's cells) are made by changing run/ files: run/control/<host>.json
for a CLC double (tests/euca-clc-double/README.md), run/ups/<UPS>, run/dns.json, and
run/down/<ADDRESS> (exists: every TCP server on that address closes its listening socket, so
connections are refused, and the UDP ones stay silent; removed: they listen again, within
0.1 s either way). A really silent host (connections timing out) would need a firewall rule,
which a simulation on a shared machine does not add.
"""

import json
import os
import socket
import socketserver
import ssl
import struct
import sys
import threading
import time
import tomllib
import types
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
# The deployment simulated: this directory (the reference) or a variant's (./start DIR).
SIM = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else HERE
RUN = os.path.join(SIM, "run")
sys.path.insert(0, os.path.join(REPO, "tests", "euca-clc-double"))
import euca_clc_double  # noqa: E402  (the repository's CLC double, reused as a module)

with open(os.path.join(SIM, "topology.toml"), "rb") as _f:
    TOPOLOGY = tomllib.load(_f)
# What a variant serves differently (variants/*/doubles.toml; paths relative to that file).
SERVES = {}
if os.path.exists(os.path.join(SIM, "doubles.toml")):
    with open(os.path.join(SIM, "doubles.toml"), "rb") as _f:
        SERVES = {k: os.path.join(SIM, v) for k, v in tomllib.load(_f).items()}


def with_role(*roles):
    """The (name, address) of each host with one of these roles, in the topology's order."""
    return [(h["name"], h["address"]) for h in TOPOLOGY["host"] if any(r in h["roles"] for r in roles)]


UPSD = "127.0.0.3"
DNS_NTP = "127.0.0.2"

CLC_SCENARIO = SERVES.get("describe_services", os.path.join(HERE, "../euca-clc/describe-services-healthy-4.4.xml"))
WORKERS = "../../plugins/check_euca_workers/tests/fixtures"
PROPS = "../../plugins/check_euca_props/tests/fixtures/properties"
HEARTBEATS = "../../plugins/check_euca_proc/tests/fixtures/heartbeat"
RIAK_STATS = "../riak/stats-healthy-5node.json"


def is_down(address):
    return os.path.exists(os.path.join(RUN, "down", address))


def log(msg):
    print(f"doubles: {msg}", file=sys.stderr, flush=True)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


# (address, make the server, the running server or None): see watch_down().
SERVERS = []


def serve(make, what):
    server = make()
    address, port = server.server_address[:2]
    log(f"{what} on {address}:{port}")
    SERVERS.append([address, make, server, what])
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True, name=what).start()


def watch_down():
    """A simulated host's server down (run/down/ADDRESS): its TCP servers stop listening;
    back up (the file removed): they listen again."""
    while True:
        for entry in SERVERS:
            address, make, server, what = entry[:4]
            # run/down/ADDRESS: the whole server; run/down/ADDRESS:PORT: one program's port
            # (its software down, the server up). The port is kept while the server is closed.
            if len(entry) == 4:
                entry.append(server.server_address[1])
            down = is_down(address) or is_down(f"{address}:{entry[4]}")
            if down and server is not None:
                server.shutdown()
                server.server_close()
                entry[2] = None
                log(f"{what} on {address}: down")
            elif not down and server is None:
                try:
                    entry[2] = make()
                except OSError as e:
                    log(f"{what} on {address}: cannot listen again yet: {e}")
                    continue
                threading.Thread(target=entry[2].serve_forever, args=(0.05,), daemon=True, name=what).start()
                log(f"{what} on {address}: up")
        time.sleep(0.1)


def clc_double(address, port, answers, heartbeat, control):
    args = types.SimpleNamespace(
        scenario=CLC_SCENARIO,
        credentials=os.path.join(HERE, "../euca-clc/demo-eucarc"),
        answer=[f"{k}={os.path.join(HERE, v)}" for k, v in answers.items()],
        control=os.path.join(RUN, "control", control),
        heartbeat=os.path.join(HERE, heartbeat) if heartbeat else None,
        verifier=verifier(),
    )
    handler = euca_clc_double.make_handler(euca_clc_double.Double(args))
    serve(lambda: Server((address, port), handler), f"CLC double ({control})")


def tls(server, context):
    # The handshake in the request's thread (on first read), not in the accepting loop.
    server.socket = context.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
    return server


def verifier():
    try:
        import botocore.auth  # noqa: F401

        return "botocore"
    except ImportError:
        return "builtin"


class Plain(BaseHTTPRequestHandler):
    """A component's port that answers (the check is check_tcp: the port is open)."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def do_GET(self):
        body = b"simulated component port (test double)\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)


class Riak(Plain):
    def do_GET(self):
        if self.path == "/ping":
            body, kind = b"OK", "text/html"
        elif self.path == "/stats":
            with open(os.path.join(HERE, RIAK_STATS), "rb") as f:
                body, kind = f.read(), "application/json"
        else:
            body, kind = b"not found", "text/plain"
        self.send_response(200 if kind != "text/plain" else 404)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)


class Console(Plain):
    def do_GET(self):
        body = (
            b"<!DOCTYPE html><html><head><title>Eucalyptus Management Console (test double)</title>"
            b"</head><body><form action=\"/login\" method=\"post\" id=\"login-form\">"
            b"<input name=\"account\"/><input name=\"username\"/><input name=\"password\" type=\"password\"/>"
            b"<button>Log in</button></form></body></html>\n"
        )
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=UTF-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)


def nut_quote(value):
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


class Upsd(socketserver.StreamRequestHandler):
    """NUT's network protocol, the read-only part check_ups speaks (LIST VAR, LOGOUT)."""

    def handle(self):
        for raw in self.rfile:
            line = raw.decode("utf-8", "replace").strip()
            words = line.split()
            if words[:2] == ["LIST", "VAR"] and len(words) == 3:
                self.wfile.write(self.list_var(words[2]).encode())
            elif words[:1] == ["LOGOUT"]:
                self.wfile.write(b"OK Goodbye\n")
                return
            elif words[:1] in (["USERNAME"], ["PASSWORD"]):
                self.wfile.write(b"OK\n")
            else:
                self.wfile.write(b"ERR UNKNOWN-COMMAND\n")

    def list_var(self, ups):
        path = os.path.join(RUN, "ups", os.path.basename(ups))
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        except OSError:
            return "ERR UNKNOWN-UPS\n"
        if text.startswith("ERR "):  # a scenario: "ERR DATA-STALE"
            return text.splitlines()[0] + "\n"
        out = [f"BEGIN LIST VAR {ups}"]
        for l in text.splitlines():
            if ":" in l:
                k, v = l.split(":", 1)
                out.append(f"VAR {ups} {k.strip()} {nut_quote(v.strip())}")
        out.append(f"END LIST VAR {ups}")
        return "\n".join(out) + "\n"


class TcpServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def dns_answer(query):
    """An answer to a DNS query (RFC 1035): A records of run/dns.json, NXDOMAIN otherwise."""
    if len(query) < 12:
        return None
    qid, flags, qd = struct.unpack(">HHH", query[:6])
    if qd != 1:
        return None
    i, labels = 12, []
    while i < len(query) and query[i] != 0:
        n = query[i]
        labels.append(query[i + 1 : i + 1 + n].decode("ascii", "replace").lower())
        i += 1 + n
    question = query[12 : i + 5]
    qtype = struct.unpack(">H", query[i + 1 : i + 3])[0] if i + 3 <= len(query) else 0
    name = ".".join(labels)
    try:
        with open(os.path.join(RUN, "dns.json"), encoding="utf-8") as f:
            table = json.load(f)
    except (OSError, ValueError):
        table = {}
    addresses = table.get(name)
    rd = flags & 0x0100
    if addresses is None:
        return struct.pack(">HHHHHH", qid, 0x8183 | rd, 1, 0, 0, 0) + question
    answers = b""
    count = 0
    if qtype in (1, 255):
        for a in addresses:
            answers += b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 30, 4) + socket.inet_aton(a)
            count += 1
    return struct.pack(">HHHHHH", qid, 0x8580 | rd, 1, count, 0, 0) + question + answers


def dns_udp():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((DNS_NTP, 5353))
    log(f"DNS (UDP) on {DNS_NTP}:5353")

    def loop():
        while True:
            data, peer = s.recvfrom(4096)
            if is_down(DNS_NTP):
                continue
            try:
                answer = dns_answer(data)
            except (IndexError, struct.error, UnicodeError) as e:  # a malformed query: no answer
                log(f"DNS: malformed query from {peer}: {e}")
                continue
            if answer:
                s.sendto(answer, peer)

    threading.Thread(target=loop, daemon=True, name="dns").start()


class DnsTcp(socketserver.BaseRequestHandler):
    def handle(self):
        head = self.request.recv(2)
        if len(head) < 2:
            return
        (n,) = struct.unpack(">H", head)
        data = b""
        while len(data) < n:
            more = self.request.recv(n - len(data))
            if not more:
                return
            data += more
        try:
            answer = dns_answer(data)
        except (IndexError, struct.error, UnicodeError):
            return
        if answer:
            self.request.sendall(struct.pack(">H", len(answer)) + answer)


NTP_EPOCH = 2208988800  # 1900-01-01 to 1970-01-01


def ntp_time(t):
    return struct.pack(">II", int(t) + NTP_EPOCH, int((t % 1) * 2**32))


def ntp():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((DNS_NTP, 12300))
    log(f"NTP on {DNS_NTP}:12300")

    def loop():
        while True:
            data, peer = s.recvfrom(512)
            if len(data) < 48 or is_down(DNS_NTP):
                continue
            received = time.time()
            # Server mode (4), version of the request, stratum 2, the client's transmit time
            # as originate time, our receive and transmit times.
            vn = (data[0] >> 3) & 7
            head = struct.pack(">BBbb", (vn << 3) | 4, 2, 6, -20) + struct.pack(">II", 0, 0) + b"SIM\0"
            packet = head + ntp_time(received) + data[40:48] + ntp_time(received) + ntp_time(time.time())
            s.sendto(packet, peer)

    threading.Thread(target=loop, daemon=True, name="ntp").start()


def main():
    os.makedirs(os.path.join(RUN, "control"), exist_ok=True)
    os.makedirs(os.path.join(RUN, "down"), exist_ok=True)
    clcs = with_role("clc")
    clc = clcs[0][1]
    clc_double(
        clc,
        8773,
        {
            "DescribeAvailabilityZones": "../euca-nodes/01-verbose-healthy.xml",
            "DescribeInstances": f"{WORKERS}/describe-instances/01-healthy.xml",
            "DescribeImages": f"{WORKERS}/describe-images/01-both-available.xml",
            "DescribeConversionTasks": f"{WORKERS}/conversion-tasks/00-none-waiting.xml",
            "DescribeProperties": f"{PROPS}/baseline.xml",
        },
        f"{HEARTBEATS}/clc-4.4-healthy.txt",
        f"{clcs[0][0]}.json",
    )
    clc_double(clc, 8779, {"DescribeProperties": f"{WORKERS}/properties/01-images-set.xml"}, None,
               f"{clcs[0][0]}-workers.json")
    # A passive CLC (3.4-4.1 HA pair): its JVM's port open; the checks ask the first CLC.
    for _name, a in clcs[1:]:
        serve(lambda a=a: Server((a, 8773), Plain), "passive CLC web services port")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(os.path.join(RUN, "console.pem"), os.path.join(RUN, "console.key"))
    for name, a in with_role("ufs"):
        clc_double(a, 8773, {}, f"{HEARTBEATS}/ufs-4.4-healthy.txt", f"{name}.json")
    for _name, a in with_role("console"):
        serve(lambda a=a: tls(Server((a, 8443), Console), context), "console (TLS)")
    # The JVM's port of the hosts without a UFS or CLC double: SC, Walrus, VMware Broker.
    has_double = {a for _n, a in with_role("ufs", "clc")}
    for _name, a in with_role("sc", "walrus", "vmware-broker"):
        if a not in has_double:
            serve(lambda a=a: Server((a, 8773), Plain), "web services port (SC, Walrus, VMware Broker)")
    for _name, a in with_role("cc"):
        serve(lambda a=a: Server((a, 8774), Plain), "CC port")
    for _name, a in with_role("nc"):
        serve(lambda a=a: Server((a, 8775), Plain), "NC port")
    for _name, a in with_role("riak"):
        serve(lambda a=a: Server((a, 8098), Riak), "Riak HTTP")
    serve(lambda: TcpServer((UPSD, 3493), Upsd), "upsd")
    dns_udp()
    serve(lambda: TcpServer((DNS_NTP, 5353), DnsTcp), "DNS (TCP)")
    ntp()
    threading.Thread(target=watch_down, daemon=True, name="down").start()
    with open(os.path.join(RUN, "ready"), "w", encoding="utf-8") as f:
        f.write(f"{os.getpid()}\n")
    log("ready")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
