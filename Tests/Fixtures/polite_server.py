#!/usr/bin/env python3
"""A small scriptable HTTP/1.1 server for politeness tests: every answer comes from a scenario file.

    polite_server.py --hosts 127.0.0.103[,127.0.0.104...] [--port 0] --scenario FILE [--log FILE]

Every address gets its own listening socket on one shared port (`--port 0` picks a free port: the
first address binds port 0, the others reuse it). On start the server prints ONE JSON line and
flushes stdout:

    {"port": P, "hosts": ["127.0.0.103", ...], "pid": N}

then serves until SIGTERM/SIGINT or until its parent process goes away. Stdlib only.

The scenario (JSON) is re-read whenever the file changes (mtime, size or inode), so a test may
rewrite it between runs; an unreadable file keeps the last good one.

    {"hosts": {"127.0.0.103": {"/robots.txt": ROUTE, "/": ROUTE, ...}, ...},
     "all":   {"/path": ROUTE, ...}}

A request is looked up by the address it arrived on, then in "all": first by its raw
request-target (query included, exactly as sent), then by its path without the query, then by
that path percent-decoded (UTF-8). Nothing found: 404 with a small HTML body.

ROUTE (every key optional):
  status        HTTP status (default 200; 301 when "location" is given)
  location      the Location header
  content_type  default by extension: .txt text/plain, .xml application/xml, .gz application/gzip,
                anything else text/html
  charset       appended to the Content-Type as "; charset=X" (none by default)
  headers       {"Name": "value"} added to the response (e.g. Retry-After, X-Robots-Tag)
  body          text, sent as UTF-8
  body_hex      raw bytes as hex (wins over "body"): for bodies in other encodings
  pad_before    N: that many bytes of "#"-comment lines (64 bytes each) before the body
  pad_to        N: "#"-comment lines after the body until it is N bytes long
  gzip          true: the body is gzip-compressed (a .gz file, not a Content-Encoding)
  delay         seconds to wait before answering (a request of a client that gives up is
                logged with "error")
  action        "reset": close the connection with a TCP reset, no response;
                "close": close it without a response
  fail_first    N: the first N requests of this route (per address and request-target) are
                answered by "fail" merged over the route (default {"status": 503})
  fail          the ROUTE keys that replace the route's for those first N requests
  sequence      [ROUTE, ...]: request n (1-based) uses sequence[n-1] merged over the route, the
                last entry for every later request (applied after fail_first)

Placeholders in body, location and header values: {port}; {origin} (http://ADDR:PORT of the
address the request arrived on); {date+N} / {date-N} (an HTTP-date N seconds from the request).

`--log FILE` gets one JSON object per request, appended and flushed per line after the response
is written: t0 (unix seconds: the request's start: when its first byte arrived, by the kernel's
receive timestamp on Linux; elsewhere the accept time of its connection for the first request on a
connection, else when its request line was read), read_at (when its request line was
read), t1 (response written or given up), addr, port,
method, target (raw, as sent), path (decoded), n (this request's number for its address and
target), client_port and new_connection (the first request on its connection), status (0 when no response was sent), bytes, headers (the request's, as a dict),
action, error (the exception when writing failed, or "reset"/"close" for an action).
"""
import argparse
import email.utils
import gzip
import json
import os
import re
import signal
import socket
import struct
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from fixture_log import RequestLog, on_one_port  # beside this script

REASONS = {200: "OK", 301: "Moved Permanently", 302: "Found", 303: "See Other", 307: "Temporary Redirect",
           308: "Permanent Redirect", 403: "Forbidden", 404: "Not Found", 410: "Gone", 429: "Too Many Requests",
           500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}
NOT_FOUND = {"status": 404, "body": "<!doctype html><title>not found</title>"}
PAD_LINE = b"#" * 63 + b"\n"
DATE = re.compile(r"\{date([+-]\d+(?:\.\d+)?)\}")
# Linux SO_TIMESTAMPNS (= SCM_TIMESTAMPNS): the kernel stamps each received segment; a request's
# start is then when its first byte arrived, free of this server's thread scheduling latency.
SO_TIMESTAMPNS = 35 if sys.platform.startswith("linux") else None


class Scenario:
    """The scenario file, re-read when it changes."""

    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()
        self.stamp = None
        self.data = {}

    def current(self):
        with self.lock:
            try:
                st = os.stat(self.path)
                stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
                if stamp != self.stamp:
                    with open(self.path, "rb") as f:
                        self.data = json.loads(f.read().decode("utf-8"))
                    self.stamp = stamp
            except (OSError, ValueError):
                pass
            return self.data

    def route(self, addr, target):
        data = self.current()
        path = target.split("?", 1)[0]
        decoded = urllib.parse.unquote(path, errors="surrogateescape")
        for table in ((data.get("hosts") or {}).get(addr) or {}, data.get("all") or {}):
            for key in (target, path, decoded):
                if key in table:
                    return table[key]
        return None


def default_type(path):
    for suffix, ctype in ((".txt", "text/plain"), (".xml", "application/xml"), (".gz", "application/gzip")):
        if path.endswith(suffix):
            return ctype
    return "text/html"


def expand(text, origin, port, now):
    text = text.replace("{port}", str(port)).replace("{origin}", origin)
    return DATE.sub(lambda m: email.utils.formatdate(now + float(m.group(1)), usegmt=True), text)


def effective(route, n):
    """The route as request number n (1-based) sees it."""
    merged = dict(route)
    if n <= int(route.get("fail_first", 0)):
        merged.update(route.get("fail") or {"status": 503})
    sequence = route.get("sequence")
    if sequence:
        merged.update(sequence[min(n, len(sequence)) - 1])
    return merged


def body_of(route, origin, port, now):
    if "body_hex" in route:
        body = bytes.fromhex(route["body_hex"])
    else:
        body = expand(route.get("body", ""), origin, port, now).encode("utf-8")
    pad_before = int(route.get("pad_before", 0))
    if pad_before > 0:
        body = (PAD_LINE * (pad_before // len(PAD_LINE) + 1))[:pad_before - 1] + b"\n" + body
    pad_to = int(route.get("pad_to", 0))
    if pad_to > len(body):
        missing = pad_to - len(body)
        body = body + b"\n" + (PAD_LINE * (missing // len(PAD_LINE) + 1))[:missing - 1]
    if route.get("gzip"):
        body = gzip.compress(body, mtime=0)
    return body


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "polite-fixture/1"

    def setup(self):
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.accepted = self.server.accepted_at(self.connection)
        self.arrived = None

    def handle_one_request(self):
        self.arrived = self.arrival()
        super().handle_one_request()

    def arrival(self):
        """The kernel's receive time of the next request's first byte (peeked: the request is
        still read normally), or None. The read buffer is empty between requests: clients wait
        for each answer before sending the next request."""
        if SO_TIMESTAMPNS is None:
            return None
        try:
            _, ancillary, _, _ = self.connection.recvmsg(1, socket.CMSG_SPACE(16), socket.MSG_PEEK)
        except OSError:
            return None
        for level, kind, data in ancillary:
            if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(data) >= 16:
                seconds, nanoseconds = struct.unpack("qq", data[:16])
                return seconds + nanoseconds / 1e9
        return None

    def log_message(self, format, *args):  # the JSON log replaces the stderr access log
        pass

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        read_at = time.time()
        # The request's start: when its first byte arrived (kernel timestamp); without one, its
        # connection's accept time for the first request on a connection, else when its request
        # line was read.
        first = self.accepted is not None
        t0 = self.arrived or (self.accepted if first else read_at)
        self.accepted = None
        addr, port = self.server.server_address[:2]
        origin = f"http://{addr}:{port}"
        target = self.path
        n = self.server.count(addr, target)
        found = self.server.scenario.route(addr, target)
        route = effective(found if found is not None else NOT_FOUND, n)
        record = {"t0": round(t0, 6), "read_at": round(read_at, 6), "addr": addr, "port": port, "method": self.command, "target": target,
                  "path": urllib.parse.unquote(target.split("?", 1)[0]), "n": n,
                  "headers": {k: v for k, v in self.headers.items()}, "action": route.get("action"), "error": None,
                  "client_port": self.client_address[1], "new_connection": first}
        delay = float(route.get("delay", 0))
        if delay > 0:
            time.sleep(delay)
        action = route.get("action")
        status, sent = 0, 0
        if action in ("reset", "close"):
            if action == "reset":  # SO_LINGER 0, then the last reference closed: the kernel sends RST
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.rfile.close()
                self.connection.close()
            self.close_connection = True
            record["error"] = action
        else:
            status = int(route.get("status", 301 if "location" in route else 200))
            body = body_of(route, origin, port, t0)
            ctype = route.get("content_type") or default_type(target.split("?", 1)[0])
            if route.get("charset"):
                ctype += f"; charset={route['charset']}"
            head = [f"HTTP/1.1 {status} {REASONS.get(status, 'Status')}", f"Server: {self.server_version}",
                    f"Content-Type: {ctype}", f"Content-Length: {len(body)}"]
            if "location" in route:
                head.append(f"Location: {expand(route['location'], origin, port, t0)}")
            for name, value in (route.get("headers") or {}).items():
                head.append(f"{name}: {expand(str(value), origin, port, t0)}")
            if self.close_connection:
                head.append("Connection: close")
            payload = b"" if self.command == "HEAD" else body
            try:
                self.wfile.write(("\r\n".join(head) + "\r\n\r\n").encode("utf-8") + payload)
                self.wfile.flush()
                sent = len(payload)
            except OSError as e:
                record["error"] = type(e).__name__
                self.close_connection = True
        record.update({"t1": round(time.time(), 6), "status": status, "bytes": sent})
        self.server.request_log.write(record)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def handle_error(self, request, client_address):  # clients that vanish are part of the tests
        pass

    def process_request(self, request, client_address):  # the listening thread: stamp the accept
        with self.counts_lock:
            self.accepts[request.fileno()] = time.time()
        super().process_request(request, client_address)

    def accepted_at(self, connection):
        with self.counts_lock:
            return self.accepts.pop(connection.fileno(), None)

    def count(self, addr, target):
        with self.counts_lock:
            key = (addr, target)
            self.counts[key] = self.counts.get(key, 0) + 1
            return self.counts[key]


def bind_all(hosts, port, scenario, request_log):
    """Binds every address on one port (port 0: a free one, retried on collisions)."""
    counts, counts_lock = {}, threading.Lock()

    def bind(port):
        servers = []
        try:
            for h in hosts:
                s = Server((h, port), Handler, bind_and_activate=False)
                servers.append(s)
                s.server_bind()
                if SO_TIMESTAMPNS is not None:  # inherited by accepted connections
                    s.socket.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
                s.server_activate()
                port = s.server_address[1]
                s.scenario, s.request_log, s.counts, s.counts_lock = scenario, request_log, counts, counts_lock
                s.accepts = {}
            return servers, port
        except OSError:
            for s in servers:
                s.server_close()
            raise
    return on_one_port(port, bind, f"polite_server: cannot bind {','.join(hosts)}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--hosts", required=True, help="comma-separated 127.0.0.x addresses")
    ap.add_argument("--port", type=int, default=0, help="0 picks a free port")
    ap.add_argument("--scenario", required=True, help="the scenario JSON file (re-read when it changes)")
    ap.add_argument("--log", help="append one JSON line per request here")
    a = ap.parse_args()
    sys.setswitchinterval(0.0005)  # handler threads waking on I/O get the GIL sooner: tighter timestamps
    hosts = [h.strip() for h in a.hosts.split(",") if h.strip()]
    if not hosts:
        raise SystemExit("polite_server: --hosts needs at least one address")
    servers, port = bind_all(hosts, a.port, Scenario(a.scenario), RequestLog(a.log))
    for s in servers:
        threading.Thread(target=s.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True).start()
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    sys.stdout.write(json.dumps({"port": port, "hosts": hosts, "pid": os.getpid()}) + "\n")
    sys.stdout.flush()
    parent = os.getppid()
    while not stop.wait(0.25):
        if os.getppid() != parent:  # the test that started us is gone
            break


if __name__ == "__main__":
    main()
