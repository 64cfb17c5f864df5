#!/usr/bin/python3
"""euca-clc-double: a TEST DOUBLE of the Eucalyptus Cloud Controller's Empyrean endpoint.

This is NOT Eucalyptus. It is a small HTTP server for check_euca_clc's tests and demo that
answers `Action=DescribeServices` on /services/Empyrean the way a CLC does (docs/EUCALYPTUS.md
section 1): it serves a saved DescribeServices answer (the scenario, e.g. a file of
plugins/check_euca_clc/tests/fixtures/describe-services/), lets a test change service states between two
requests, and rejects what a CLC rejects with the CLC's 403 shape (NioServerHandler +
Binding.createRestFault): a bad signature ("Signature validation failed") and a timestamp
outside the allowed clock skew ("Message was generated in the future ..." / "Message has
expired ...").

Signatures are verified with botocore (SigV2Auth for Signature Version 2, SigV4Auth for
Version 4), an implementation independent of the plugin's own signing code, so a signing bug
cannot hide by being mirrored on both sides. The tests always use botocore. `--verifier builtin`
verifies with the few lines of hmac/hashlib below instead (the same algorithms, written from
botocore's code): the demo uses it on a machine without python3-botocore, so its HTTP part runs
on a fresh clone; it is not an independent check of the plugin's signing.

Run:
  /usr/bin/python3 euca_clc_double.py --scenario FILE.xml --credentials EUCARC \
      [--control CONTROL.json] [--port 0] [--port-file FILE] [--tls-cert PEM --tls-key PEM]
      [--verifier botocore|builtin]

It binds 127.0.0.1 only. With --port 0 (the default) the kernel picks a free port; the port is
printed on stdout ("listening on 127.0.0.1:PORT") and written to --port-file.

The control file (JSON, read again on every request, so a test changes it between runs) may
hold:
  {"scenario": "other.xml",              serve another saved answer
   "states": {"one-cc-1": "NOTREADY"},   override localState by service name
   "mode": "normal" | "slow" | "hang" | "close" | "garbage" | "truncated" | "error500"
           | "dribble" (headers, then a byte a second) | "chunked-forever" (chunks that never end),
   "delay": 5,                           seconds, for "slow"
   "clock_offset": -3600,                the double's clock minus the real one, in seconds
   "answers": {"DescribeAvailabilityZones": "zones.xml"},
   "modes": {"DescribeAvailabilityZones": "truncated"}}   a mode for one action only
                                         a saved answer for another action (see ACTIONS)

Other actions (check_euca_nodes, check_euca_workers): `--answer ACTION=FILE` (repeatable) or the
control file's "answers" serve a saved answer, as is, for each action in ACTIONS, on the path a
cloud serves it on; the arguments that make Eucalyptus list every account's resources are
required (a request without them gets a 400 saying so), since an answer a real cloud would
only give to them must not reach a plugin that forgot them.

Needs: Python 3 and botocore (Debian: python3-botocore); with --verifier builtin, Python 3 only.
"""

import argparse
import base64
import hashlib
import hmac
import json
import ssl
import os
import sys
import threading
import time
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from collections import namedtuple
from urllib.parse import parse_qsl, quote, urlsplit

Credentials = namedtuple("Credentials", "access_key secret_key")


class BotocoreVerifier:
    """The signatures a request should carry, computed by botocore (independent of our code)."""

    def __init__(self, creds):
        from botocore.auth import SigV2Auth, SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials as BotoCredentials

        self.creds = BotoCredentials(creds.access_key, creds.secret_key)
        self.sigv2, self.sigv4, self.request = SigV2Auth, SigV4Auth, AWSRequest

    def v2(self, method, host, path, unsigned):
        req = self.request(method=method, url=f"http://{host}{path}")
        return self.sigv2(self.creds).calc_signature(req, unsigned)[1]

    def v4(self, method, host, path, raw_query, signed_headers, amz_date, service, region):
        url = f"http://{host}{path}" + (f"?{raw_query}" if raw_query else "")
        req = self.request(method=method, url=url, headers=signed_headers)
        req.context["timestamp"] = amz_date
        signer = self.sigv4(self.creds, service, region)
        return signer.signature(signer.string_to_sign(req, signer.canonical_request(req)), req)


class BuiltinVerifier:
    """The same computations with hmac/hashlib only, step for step as botocore does them for
    the requests the double sees (no body is signed, the query is taken as sent). For the demo
    on a machine without botocore; not an independent check."""

    def __init__(self, creds):
        self.creds = creds

    def v2(self, method, host, path, unsigned):
        pairs = [
            f"{quote(k.encode('utf-8'), safe='')}={quote(str(unsigned[k]).encode('utf-8'), safe='-_~')}"
            for k in sorted(unsigned)
        ]
        text = f"{method}\n{host}\n{path or '/'}\n" + "&".join(pairs)
        mac = hmac.new(self.creds.secret_key.encode("utf-8"), text.encode("utf-8"), hashlib.sha256)
        return base64.b64encode(mac.digest()).strip().decode("utf-8")

    def v4(self, method, host, path, raw_query, signed_headers, amz_date, service, region):
        query = ""
        if raw_query:
            query = "&".join(f"{k}={v}" for k, _, v in sorted(p.partition("=") for p in raw_query.split("&")))
        names = sorted({n.lower().strip() for n in signed_headers})
        lowered = {n.lower().strip(): v for n, v in signed_headers.items()}
        headers = "".join(f"{n}:{' '.join(lowered[n].split())}\n" for n in names)
        payload = lowered.get("x-amz-content-sha256") or hashlib.sha256(b"").hexdigest()
        canonical = "\n".join(
            [method.upper(), quote(path or "/", safe="/~"), query, headers, ";".join(names), payload]
        )
        scope = f"{amz_date[:8]}/{region}/{service}/aws4_request"
        text = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode("utf-8")).hexdigest()])

        def sign(key, msg):
            return hmac.new(key, msg.encode("utf-8"), hashlib.sha256)

        key = f"AWS4{self.creds.secret_key}".encode()
        for part in (amz_date[:8], region, service, "aws4_request"):
            key = sign(key, part).digest()
        return sign(key, text).hexdigest()

# bootstrap.webservices.clock_skew_sec default (StackConfiguration.CLOCK_SKEW_SEC)
CLOCK_SKEW_SEC = 20
# How old a signed request may be before it has expired.
EXPIRY_SEC = 15 * 60


def read_credentials(path):
    """Access and secret key from an eucarc (EC2_ACCESS_KEY=... / AWS_ACCESS_KEY_ID=...)."""
    values = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line.startswith("export "):
                line = line[len("export "):]
            if "=" not in line or line.startswith("#"):
                continue
            k, v = line.split("=", 1)
            values[k.strip()] = v.strip().strip("'\"")
    access = values.get("EC2_ACCESS_KEY") or values.get("AWS_ACCESS_KEY_ID")
    secret = values.get("EC2_SECRET_KEY") or values.get("AWS_SECRET_ACCESS_KEY")
    if not access or not secret:
        sys.exit(f"euca-clc-double: no EC2_ACCESS_KEY/EC2_SECRET_KEY in {path}")
    return Credentials(access, secret)


def java_date(ts):
    """java.util.Date.toString() in UTC: Tue Mar 14 16:44:03 UTC 2017"""
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%a %b %d %H:%M:%S UTC %Y")


def rest_fault(status, message):
    # Binding.createRestFault(status, msg, msg): one line, no newline.
    return (
        f'<?xml version="1.0"?><Response><Errors><Error><Code>{status}</Code>'
        f"<Message>{message}</Message></Error></Errors><RequestID>{message}</RequestID></Response>"
    )


# Action -> (paths it is served on, parameters it must carry). Paths: docs/EUCALYPTUS.md
# sections 1, 3, 4 (compute on a UFS in 4.x, /services/Eucalyptus in 3.x; properties 4.2+ on
# /services/Properties, 3.x-4.1 eucadmin on /services/Empyrean). "verbose" as the zone name or
# instance id is the admin's all-accounts listing.
ACTIONS = {
    "DescribeAvailabilityZones": (("/services/compute", "/services/Eucalyptus"), {"ZoneName.1": "verbose"}),
    "DescribeInstances": (("/services/compute", "/services/Eucalyptus"), {"InstanceId.1": "verbose"}),
    "DescribeImages": (("/services/compute", "/services/Eucalyptus"), {}),
    "DescribeConversionTasks": (("/services/compute", "/services/Eucalyptus"), {}),
    "DescribeProperties": (("/services/Properties", "/services/Empyrean"), {}),
}


class Double:
    def __init__(self, args):
        self.answers = dict(a.split("=", 1) for a in (args.answer or []))
        self.scenario = os.path.abspath(args.scenario)
        self.control = os.path.abspath(args.control) if args.control else None
        self.creds = read_credentials(args.credentials)
        if args.verifier == "builtin":
            self.verifier = BuiltinVerifier(self.creds)
        else:
            try:
                self.verifier = BotocoreVerifier(self.creds)
            except ImportError:
                sys.exit("euca-clc-double: cannot import botocore (Debian: apt-get install python3-botocore)")
        self.heartbeat = os.path.abspath(args.heartbeat) if args.heartbeat else None
        self.lock = threading.Lock()
        self.requests = 0

    def control_values(self):
        if not self.control or not os.path.exists(self.control):
            return {}
        with open(self.control, encoding="utf-8") as f:
            text = f.read()
        return json.loads(text) if text.strip() else {}

    def answer_xml(self, control, show_events):
        path = control.get("scenario") or self.scenario
        if not os.path.isabs(path):
            path = os.path.join(os.path.dirname(self.scenario), path)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        states = control.get("states") or {}
        if not states and show_events:
            return text
        root = ET.fromstring(text)
        ns = root.tag[1:].split("}")[0] if root.tag.startswith("{") else ""
        if ns:
            ET.register_namespace("euca", ns)
        q = (lambda n: f"{{{ns}}}{n}") if ns else (lambda n: n)
        for item in root.iter(q("item")):
            sid = item.find(q("serviceId"))
            state = item.find(q("localState"))
            if sid is None or state is None:
                continue
            name = sid.findtext(q("name"))
            if name in states:
                state.text = states[name]
            if not show_events:
                details = item.find(q("statusDetails"))
                if details is not None:
                    for child in list(details):
                        details.remove(child)
        return ET.tostring(root, encoding="unicode")

    def check_time(self, ts, now):
        if ts > now + CLOCK_SKEW_SEC:
            return f"Message was generated in the future (times in UTC): Timestamp={java_date(ts)}"
        if ts < now - EXPIRY_SEC:
            return f"Message has expired (times in UTC): Timestamp={java_date(ts)}"
        return None

    def authenticate(self, method, host, path, raw_query, params, headers, now):
        """None when the request is signed right, else the 403 message."""
        auth = headers.get("Authorization", "")
        if auth.startswith("AWS4-HMAC-SHA256 "):
            fields = dict(
                part.strip().split("=", 1) for part in auth[len("AWS4-HMAC-SHA256 "):].split(",")
            )
            try:
                access, date, region, service, _ = fields["Credential"].split("/")
                signed = fields["SignedHeaders"].split(";")
                given = fields["Signature"]
            except (KeyError, ValueError):
                return "Signature validation failed"
            amz_date = headers.get("X-Amz-Date", "")
            try:
                ts = datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc).timestamp()
            except ValueError:
                return "Signature validation failed"
            late = self.check_time(ts, now)
            if late:
                return late
            if access != self.creds.access_key or date != amz_date[:8]:
                return "Signature validation failed"
            wanted = self.verifier.v4(
                method, host, path, raw_query, {h: headers.get(h, "") for h in signed}, amz_date, service, region
            )
            return None if hmac.compare_digest(wanted, given) else "Signature validation failed"
        if "Signature" in params:
            if params.get("SignatureVersion") != "2" or params.get("SignatureMethod") != "HmacSHA256":
                return "Signature validation failed"
            stamp = params.get("Timestamp", "")
            try:
                ts = datetime.strptime(stamp.split(".")[0].rstrip("Z"), "%Y-%m-%dT%H:%M:%S")
                ts = ts.replace(tzinfo=timezone.utc).timestamp()
            except ValueError:
                return "Signature validation failed"
            late = self.check_time(ts, now)
            if late:
                return late
            if params.get("AWSAccessKeyId") != self.creds.access_key:
                return "Signature validation failed"
            unsigned = {k: v for k, v in params.items() if k != "Signature"}
            wanted = self.verifier.v2(method, host, path, unsigned)
            return None if hmac.compare_digest(wanted, params["Signature"]) else "Signature validation failed"
        return "Signature validation failed"


def make_handler(double):
    class Handler(BaseHTTPRequestHandler):
        server_version = "euca-clc-double/1 (test double, not Eucalyptus)"
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):
            if os.environ.get("EUCA_CLC_DOUBLE_LOG"):
                sys.stderr.write("euca-clc-double: " + fmt % args + "\n")

        def send(self, status, body, content_type="text/xml; charset=UTF-8"):
            data = body.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(data)
            self.close_connection = True

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
            self.handle_query(body)

        def do_GET(self):
            self.handle_query("")

        def handle_query(self, body):
            with double.lock:
                double.requests += 1
            control = double.control_values()
            mode = control.get("mode", "normal")
            if mode == "hang":
                time.sleep(3600)
                return
            if mode == "close":
                self.close_connection = True
                return
            if mode == "slow":
                time.sleep(float(control.get("delay", 5)))
            split = urlsplit(self.path)
            if split.path.rstrip("/").endswith("/services/Heartbeat"):
                self.heartbeat(control)
                return
            params = dict(parse_qsl(split.query, keep_blank_values=True))
            params.update(dict(parse_qsl(body, keep_blank_values=True)))
            action = params.get("Action", "")
            # "delays": {"DescribeInstances": 2.5}: one action slower than the others
            time.sleep(float((control.get("delays") or {}).get(action, 0)))
            if action in ACTIONS:
                self.other_action(action, split, params, control)
                return
            if not split.path.rstrip("/").endswith("/services/Empyrean"):
                self.send(404, rest_fault("404 Not Found", f"No service at {split.path}"), "text/plain; charset=UTF-8")
                return
            now = time.time() + float(control.get("clock_offset", 0))
            host = self.headers.get("Host", "")
            refused = double.authenticate(self.command, host, split.path, split.query, params, self.headers, now)
            if refused:
                self.send(403, rest_fault("403 Forbidden", refused), "text/plain; charset=UTF-8")
                return
            if params.get("Action") != "DescribeServices" or not params.get("Version"):
                self.send(400, rest_fault("400 Bad Request", "expected Action=DescribeServices and a Version"), "text/plain; charset=UTF-8")
                return
            if mode == "error500":
                self.send(500, rest_fault("500 Internal Server Error", "java.lang.NullPointerException"), "text/plain; charset=UTF-8")
                return
            if mode == "garbage":
                self.send(200, "<html><body><h1>502 Proxy Error</h1>\n</body></html>\n", "text/html")
                return
            text = double.answer_xml(control, params.get("ShowEvents", "").lower() == "true")
            self.answer(text, mode)

        def other_action(self, action, split, params, control):
            """A saved answer for an action besides DescribeServices (the ACTIONS table)."""
            paths, required = ACTIONS[action]
            if split.path.rstrip("/") not in paths:
                self.send(404, rest_fault("404 Not Found", f"No {action} at {split.path}"), "text/plain; charset=UTF-8")
                return
            now = time.time() + float(control.get("clock_offset", 0))
            host = self.headers.get("Host", "")
            refused = double.authenticate(self.command, host, split.path, split.query, params, self.headers, now)
            if refused:
                self.send(403, rest_fault("403 Forbidden", refused), "text/plain; charset=UTF-8")
                return
            missing = [f"{k}={v}" for k, v in required.items() if params.get(k) != v]
            if missing or not params.get("Version"):
                why = ", ".join(missing) or "Version"
                self.send(400, rest_fault("400 Bad Request", f"test double: {action} without {why}"), "text/plain; charset=UTF-8")
                return
            answers = dict(double.answers)
            answers.update(control.get("answers") or {})
            path = answers.get(action)
            if not path:
                self.send(400, rest_fault("400 Bad Request", f"test double: no saved answer for {action}"), "text/plain; charset=UTF-8")
                return
            if not os.path.isabs(path):
                path = os.path.join(os.path.dirname(double.scenario), path)
            with open(path, encoding="utf-8") as f:
                text = f.read()
            # "modes": {"DescribeAvailabilityZones": "truncated"} breaks one action only.
            mode = (control.get("modes") or {}).get(action, control.get("mode", "normal"))
            if mode == "error500":
                self.send(500, rest_fault("500 Internal Server Error", "java.lang.NullPointerException"), "text/plain; charset=UTF-8")
                return
            if mode == "garbage":
                self.send(200, "<html><body><h1>502 Proxy Error</h1>\n</body></html>\n", "text/html")
                return
            self.answer(text, mode)

        def answer(self, text, mode):
            if mode == "truncated":
                text = text[: len(text) // 2]
            if mode == "dribble":
                # Headers at once, then the body a byte a second: a CLC with a stalled JVM.
                data = text.encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", "text/xml; charset=UTF-8")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.close_connection = True
                try:
                    for i in range(len(data)):
                        self.wfile.write(data[i : i + 1])
                        self.wfile.flush()
                        time.sleep(1)
                except OSError:
                    pass  # the client gave up: what the test wants
                return
            if mode == "chunked-forever":
                # A chunked body whose last chunk never comes.
                self.send_response(200)
                self.send_header("Content-Type", "text/xml; charset=UTF-8")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                self.close_connection = True
                try:
                    while True:
                        self.wfile.write(b"1\r\n \r\n")
                        self.wfile.flush()
                        time.sleep(0.2)
                except OSError:
                    pass
                return
            self.send(200, text)

        def heartbeat(self, control):
            # The JVM's unauthenticated Heartbeat (LegacyHBPipeline): GET only, text/plain,
            # one fixed-width line per component; other methods get 405.
            if self.command != "GET":
                self.send(405, "Method Not Allowed\n", "text/plain; charset=UTF-8")
                return
            path = control.get("heartbeat") or double.heartbeat
            if not path:
                self.send(404, rest_fault("404 Not Found", "No service at /services/Heartbeat"), "text/plain; charset=UTF-8")
                return
            if not os.path.isabs(path):
                path = os.path.join(os.path.dirname(double.heartbeat or double.scenario), path)
            with open(path, encoding="utf-8") as f:
                self.send(200, f.read(), "text/plain; charset=UTF-8")

    return Handler


def main():
    p = argparse.ArgumentParser(description="TEST DOUBLE of the Eucalyptus CLC's Empyrean DescribeServices (not Eucalyptus)")
    p.add_argument("--scenario", required=True, help="saved DescribeServices answer (XML) to serve")
    p.add_argument("--credentials", required=True, help="eucarc with the keys requests must be signed with")
    p.add_argument("--answer", action="append", metavar="ACTION=FILE", help="saved answer for another action (DescribeAvailabilityZones, DescribeInstances, DescribeImages, DescribeProperties)")
    p.add_argument("--control", help="JSON file read on every request (states, mode, clock_offset ...)")
    p.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: any free port)")
    p.add_argument("--port-file", help="write the port here once listening")
    p.add_argument("--heartbeat", help="saved Heartbeat answer (text) served at GET /services/Heartbeat")
    p.add_argument("--tls-cert", help="serve HTTPS with this certificate (PEM)")
    p.add_argument("--tls-key", help="... and this key (PEM)")
    p.add_argument(
        "--verifier",
        choices=["botocore", "builtin"],
        default="botocore",
        help="check signatures with botocore (default; the tests) or the builtin hmac code (the demo without botocore)",
    )
    args = p.parse_args()
    double = Double(args)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(double))
    server.daemon_threads = True
    if args.tls_cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    port = server.server_address[1]
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(f"{port}\n")
        os.replace(tmp, args.port_file)
    print(f"listening on 127.0.0.1:{port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
