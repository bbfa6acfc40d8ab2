#!/usr/bin/env python3
"""A deliberately hostile website on loopback, for crawler tests: responses that never end,
broken framing, oversized and bomb bodies, hostile markup, crawler traps and hostile URLs, with
good pages beside them that a crawler must all fetch.

    hostile_server.py [--hosts 127.0.0.131,127.0.0.132,127.0.0.133,127.0.0.134] [--port 0]
                      [--log FILE] [--manifest FILE] [--good 24] [--image-bytes 50000000]
                      [--stream-gib 4] [--bomb-gib 4]

Raw sockets, one daemon thread per connection, HTTP/1.1 with `Connection: close` on every answer
(the hostile routes break framing on purpose, so no connection is ever reused). Every address gets
its own listening socket on one shared port (`--port 0` picks a free port). On start the server
prints ONE JSON line and flushes stdout:

    {"port": P, "hosts": [...], "seed": "http://127.0.0.131:P/", "pid": N}

then serves until SIGTERM/SIGINT or until its parent process goes away. Stdlib only.

The four hosts (in --hosts order):
  main   the seed. Good pages (/good/N.html, a chain /good/chain/N.html, pages reachable only past
         a hostile page), every hostile response (/t/...), the hostile URLs (/hub/urls.html), one
         URL spelled 20 ways (/hub/spellings.html) and redirects to non-http schemes.
  space  /space/ holds 100,000 links into an infinite space: every /space/<hex>.html links ten
         new ones. A page cap must stop it.
  cal    a calendar: /cal/2026/11 links /cal/2026/12 and /cal/2026/10, forever both ways.
  pages  pagination: /list?page=N links ?page=N+1, forever.
Each trap host also has a good page (/about.html) linked from its first trap page.

`--log FILE` gets one JSON line per connection that sent a request (fixture_log.RequestLog),
written when the exchange ends: t0 (unix seconds, the request fully read), t1 (the exchange
ended: answer written, client gone, reset sent), addr, port, target (the raw request-target as
sent, or null when the first line was not an HTTP request: then "raw" holds its first bytes,
escaped), method, route (the name of what answered), status (0 when no status line was sent),
bytes (body bytes written, whole or partial), end ("complete", "client_gone", "reset", "closed",
"server_stopped"), headers (the request's).

`--manifest FILE` writes what a correct crawler must do (JSON):
  seed, port, hosts {main, space, cal, pages}: origins
  good          URLs that must each be requested exactly once and end done
  traps         {name: {"url": U, "outcome": [state, [kinds...]], "what": text}}: the final row of
                U must have that state and one of those error kinds ("" = no error kind), for a
                crawl with --max-body below --image-bytes and the default --max-links-per-page
  never         URLs that must never be requested (too long, non-http, ...)
  targets       {name: raw request-target the server must see exactly (at most once)}
  spelled       {"target": the path spelled 20 ways, "spellings": [the 20 hrefs]}
  trap_hosts    {space|cal|pages: origin}: hosts whose crawl must stop at a cap
"""
import argparse
import json
import os
import random
import select
import signal
import socket
import struct
import sys
import threading
import time
import urllib.parse
import zlib

from fixture_log import RequestLog, on_one_port  # beside this script

MIB = 1 << 20
GIB = 1 << 30
HEAD_LIMIT = 256 * 1024  # request line + headers read at most (64 KiB URLs fit)


class ClientGone(Exception):
    """The client closed or reset the connection."""


class Exchange:
    """One connection: its request, what was sent back, and its log record."""

    def __init__(self, server, conn, addr, port):
        self.server, self.conn, self.addr, self.port = server, conn, addr, port
        self.record = {"addr": addr, "port": port, "target": None, "method": None, "route": None, "status": 0,
                       "bytes": 0, "end": "closed", "headers": {}}
        self.t0 = time.time()

    # -- I/O ---------------------------------------------------------------------------------

    def read_head(self):
        data = b""
        while b"\r\n\r\n" not in data and len(data) < HEAD_LIMIT:
            ready, _, _ = select.select([self.conn], [], [], 5.0)
            if not ready:
                break
            chunk = self.conn.recv(65536)
            if not chunk:
                break
            data += chunk
        return data

    def send(self, data):
        try:
            self.conn.sendall(data)
        except OSError as e:
            raise ClientGone() from e

    def send_head(self, status, headers):
        reason = {200: "OK", 302: "Found", 404: "Not Found"}.get(status, "Status")
        lines = [f"HTTP/1.1 {status} {reason}", "Server: hostile-fixture/1", "Connection: close"]
        lines += [f"{name}: {value}" for name, value in headers]
        self.send(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        self.record["status"] = status

    def send_body(self, data):
        self.send(data)
        self.record["bytes"] += len(data)

    def answer(self, status, body, content_type="text/html; charset=utf-8", extra=()):
        if isinstance(body, str):
            body = body.encode("utf-8")
        self.send_head(status, [("Content-Type", content_type), ("Content-Length", str(len(body)))] + list(extra))
        self.send_body(body)
        self.record["end"] = "complete"

    def client_closed(self, wait):
        """Waits up to `wait` seconds; True once the client has closed or reset the connection."""
        ready, _, _ = select.select([self.conn], [], [], wait)
        if not ready:
            return False
        try:
            return self.conn.recv(4096) == b""
        except OSError:
            return True

    def reset(self):
        """Closes with a TCP reset (SO_LINGER 0)."""
        self.conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.conn.close()
        self.record["end"] = "reset"

    # -- the exchange ------------------------------------------------------------------------

    def run(self):
        try:
            head = self.read_head()
            if not head:
                self.record["raw"] = ""
                self.record["end"] = "silent"
                return
            line, _, rest = head.partition(b"\r\n")
            parts = line.split(b" ")
            if len(parts) != 3 or not parts[2].startswith(b"HTTP/"):
                self.record["raw"] = head[:200].decode("latin-1")
                self.record["end"] = "not_http"
                return
            self.record["method"] = parts[0].decode("latin-1")
            self.record["target"] = parts[1].decode("latin-1")
            for header in rest.split(b"\r\n"):
                name, sep, value = header.partition(b":")
                if sep:
                    self.record["headers"][name.decode("latin-1").strip()] = value.decode("latin-1").strip()
            self.t0 = time.time()
            self.server.site.serve(self)
        except ClientGone:
            self.record["end"] = "client_gone"
        except OSError as e:
            self.record["end"] = "client_gone"
            self.record["error"] = f"{type(e).__name__}: {e}"
        finally:
            if self.record["target"] is not None or "raw" in self.record:
                self.record["t0"] = round(self.t0, 6)
                self.record["t1"] = round(time.time(), 6)
                self.server.log.write(self.record)
            try:
                self.conn.close()
            except OSError:
                pass


class Site:
    """The routes of the four hosts, and the manifest that says what a crawler must do with them."""

    def __init__(self, args, hosts, port):
        self.args, self.hosts, self.port = args, hosts, port
        self.main, self.space, self.cal, self.pages = hosts
        self.origin = {h: f"http://{h}:{port}" for h in hosts}
        self.good_count = args.good
        self.bomb_block, self.bomb_head = gzip_bomb_blocks()
        rng = random.Random(6)
        self.garbage = bytes(rng.getrandbits(8) for _ in range(256 * 1024))
        self.garbage_no_nul = bytes((b or 1) for b in self.garbage)
        self.long8k = "/u/long/" + "a" * (8 * 1024) + ".html"
        self.long64k = "/u/long/" + "b" * (64 * 1024) + ".html"

    # -- pages -------------------------------------------------------------------------------

    @staticmethod
    def page(title, links=(), extra=""):
        items = "".join(f'<li><a href="{href}">{text}</a></li>\n' for href, text in links)
        return (f"<!doctype html><html><head><title>{title}</title></head><body>\n"
                f"<h1>{title}</h1>\n<ul>\n{items}</ul>\n{extra}</body></html>\n")

    def spellings(self):
        """Twenty hrefs (on /hub/spellings.html, directory /hub/) that all mean /same/page.html."""
        o = self.origin[self.main]
        authority = o[len("http://"):]
        return [
            "/same/page.html",
            "../same/page.html",
            "./../same/page.html",
            f"{o}/same/page.html",
            f"HTTP://{authority}/same/page.html",
            f"//{authority}/same/page.html",
            "/same/./page.html",
            "/same/x/../page.html",
            "/same/page.html#top",
            "/same/page.html#",
            "/%73ame/page.html",
            "/same/%70%61%67%65.html",
            "/same/page%2Ehtml",
            "/same/%2e/page.html",
            "/same/%2E%2E/same/page.html",
            "  /same/page.html  ",
            "/same/pa&#9;ge.html",
            "/same/a/b/../../page.html",
            "http:/same/page.html",
            f"{o}/same/x/./../page.html#frag?not=query",
        ]

    def hostile_links(self):
        """(href, expected raw target or None when it must never be requested) on /hub/urls.html."""
        port = self.port
        return [
            (self.long8k, None),
            (self.long64k, None),
            ("/u/nul%00byte.html", "/u/nul%00byte.html"),
            ("/u/with space.html", "/u/with%20space.html"),
            ("/u/back\\slash.html", "/u/back%5Cslash.html"),
            ("../../../../etc/passwd", "/etc/passwd"),
            ("%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/etc/passwd"),
            ("/u/..%2f..%2f..%2fetc%2fpasswd", "/u/..%2F..%2F..%2Fetc%2Fpasswd"),
            ("/u/..%5c..%5c..%5cetc%5cpasswd", "/u/..%5C..%5C..%5Cetc%5Cpasswd"),
            ("..\\..\\..\\etc\\passwd", "/hub/..%5C..%5C..%5Cetc%5Cpasswd"),
            ("file:///etc/passwd", None),
            (f"ftp://{self.main}:{port}/etc/passwd", None),
            (f"dict://{self.main}:{port}/d:passwd", None),
            (f"gopher://{self.main}:{port}/1/etc/passwd", None),
            ("javascript:fetch('/etc/passwd')", None),
            ("data:text/html,<a href=/u/from-data.html>x</a>", None),
        ]

    def hub_traps(self):
        """The traps linked from /hub/traps.html: those on the main host with a URL of normal length."""
        return [name for name, trap in self.traps().items()
                if trap["url"].startswith(self.origin[self.main]) and "/u/long/" not in trap["url"]]

    def trap_hub_links(self):
        """Each trap followed by a good page, as a site mixes them (and as a crawler meets them)."""
        links = []
        for name in self.hub_traps():
            links += [(self.traps()[name]["url"], name), (f"/good/beside-{name}.html", "good")]
        return links

    def good_urls(self):
        m = self.origin[self.main]
        urls = [f"{m}/", f"{m}/hub/traps.html", f"{m}/hub/urls.html", f"{m}/hub/spellings.html",
                f"{m}/same/page.html", f"{m}/good/deep-target.html"]
        urls += [f"{m}/good/{n}.html" for n in range(1, self.good_count + 1)]
        urls += [f"{m}/good/chain/{n}.html" for n in range(1, 5)]
        urls += [f"{m}/good/beside-{name}.html" for name in self.hub_traps()]
        urls += [f"{self.origin[h]}/about.html" for h in (self.space, self.cal, self.pages)]
        urls += [f"{self.origin[self.space]}/space/", f"{self.origin[self.cal]}/cal/2026/11",
                 f"{self.origin[self.pages]}/list?page=1"]
        return urls

    def traps(self):
        m = self.origin[self.main]
        t = lambda path: m + path  # noqa: E731
        timeout, reset, too_large = ["timeout"], ["reset", "protocol"], ["too_large"]
        return {
            "slow_drip": {"url": t("/t/drip"), "outcome": ["failed", timeout],
                          "what": "headers, then 1 byte per second forever"},
            "hang": {"url": t("/t/hang"), "outcome": ["failed", timeout],
                     "what": "reads the request, never answers"},
            "reset_headers": {"url": t("/t/reset-headers"), "outcome": ["failed", reset],
                              "what": "half a status line and header, then a TCP reset"},
            "reset_body": {"url": t("/t/reset-body"), "outcome": ["failed", reset],
                           "what": "headers and 4 KiB of a 100 KiB body, then a TCP reset"},
            "short_body": {"url": t("/t/short-body"), "outcome": ["failed", reset],
                           "what": "Content-Length 100000, 1000 bytes, then close"},
            "bad_chunked": {"url": t("/t/bad-chunked"), "outcome": ["failed", ["protocol"]],
                            "what": "Transfer-Encoding: chunked with a chunk size that is not hex"},
            "huge_length": {"url": t("/t/huge-length"), "outcome": ["failed", too_large],
                            "what": f"Content-Length {self.args.stream_gib} GiB, zeros streamed"},
            "huge_stream": {"url": t("/t/huge-stream"), "outcome": ["failed", too_large],
                            "what": f"{self.args.stream_gib} GiB chunked, no length"},
            "gzip_bomb": {"url": t("/t/gzip-bomb"), "outcome": ["failed", too_large],
                          "what": f"Content-Encoding: gzip, {self.args.bomb_gib} GiB of zeros in about "
                                  f"{self.args.bomb_gib} MiB"},
            "image_as_html": {"url": t("/t/image-as-html"), "outcome": ["failed", too_large],
                              "what": f"a {self.args.image_bytes}-byte PNG served as text/html"},
            "garbage_html": {"url": t("/t/garbage.html"), "outcome": ["done", ["binary_html"]],
                             "what": "256 KiB of random bytes (NULs included) as text/html"},
            "garbage_html_no_nul": {"url": t("/t/garbage-no-nul.html"), "outcome": ["done", [""]],
                                    "what": "256 KiB of random bytes without NUL as text/html"},
            "deep_nesting": {"url": t("/t/deep.html"), "outcome": ["done", [""]],
                             "what": "200,000 nested <div>s, then a link to /good/deep-target.html"},
            "many_links": {"url": f"{self.origin[self.space]}/space/", "outcome": ["done", ["links_truncated"]],
                           "what": "100,000 links into an infinite space"},
            "redirect_file": {"url": t("/redir/file"), "outcome": ["done", ["redirect_invalid"]],
                              "what": "302 to file:///etc/passwd"},
            "redirect_dict": {"url": t("/redir/dict"), "outcome": ["done", ["redirect_invalid"]],
                              "what": "302 to dict://main/"},
            "url_8k": {"url": m + self.long8k, "outcome": ["skipped", ["url_too_long"]], "what": "an 8 KiB URL"},
            "url_64k": {"url": m + self.long64k, "outcome": ["skipped", ["url_too_long"]], "what": "a 64 KiB URL"},
        }

    def manifest(self):
        m = self.origin[self.main]
        never = [m + self.long8k, m + self.long64k]
        targets = {}
        for href, target in self.hostile_links():
            if target is not None:
                targets[href] = target
        return {
            "seed": m + "/", "port": self.port,
            "hosts": {"main": m, "space": self.origin[self.space], "cal": self.origin[self.cal],
                      "pages": self.origin[self.pages]},
            "good": self.good_urls(), "traps": self.traps(), "never": never, "targets": targets,
            "spelled": {"target": "/same/page.html", "spellings": self.spellings()},
            "trap_hosts": {"space": self.origin[self.space], "cal": self.origin[self.cal],
                           "pages": self.origin[self.pages]},
        }

    # -- routing -----------------------------------------------------------------------------

    def serve(self, ex):
        target = ex.record["target"]
        path, _, query = target.partition("?")
        host = ex.addr
        route = None
        if path == "/robots.txt":
            route = "robots"
            ex.answer(404, "no robots.txt here")
        elif host == self.main:
            route = self.serve_main(ex, path)
        elif host == self.space:
            route = self.serve_space(ex, path)
        elif host == self.cal:
            route = self.serve_cal(ex, path)
        elif host == self.pages:
            route = self.serve_pages(ex, path, query)
        if route is None:
            route = "not_found"
            ex.answer(404, self.page("not found"))
        ex.record["route"] = route

    def serve_main(self, ex, path):
        o = self.origin
        if path == "/":
            links = [(f"/good/{n}.html", f"good {n}") for n in range(1, self.good_count + 1)]
            links += [("/hub/traps.html", "traps"), ("/hub/urls.html", "hostile URLs"),
                      ("/hub/spellings.html", "one URL, 20 spellings"), ("/good/chain/1.html", "chain"),
                      (f"{o[self.space]}/space/", "space"), (f"{o[self.cal]}/cal/2026/11", "calendar"),
                      (f"{o[self.pages]}/list?page=1", "pagination")]
            ex.answer(200, self.page("hostile site", links))
            return "index"
        if path.startswith("/good/chain/"):
            n = int(path[len("/good/chain/"):-len(".html")] or 0) if path.endswith(".html") else 0
            if 1 <= n <= 4:
                links = [(f"/good/chain/{n + 1}.html", "next")] if n < 4 else []
                ex.answer(200, self.page(f"chain {n}", links))
                return "good"
            return None
        if path.startswith("/good/") and path.endswith(".html"):
            ex.answer(200, self.page(path, [("/", "home")]))
            return "good"
        if path == "/same/page.html":
            ex.answer(200, self.page("the page spelled 20 ways"))
            return "spelled"
        if path == "/hub/traps.html":
            ex.answer(200, self.page("traps", self.trap_hub_links()))
            return "hub"
        if path == "/hub/urls.html":
            links = [(href.replace("&", "&amp;").replace('"', "&quot;"), "hostile") for href, _ in self.hostile_links()]
            ex.answer(200, self.page("hostile URLs", links))
            return "hub"
        if path == "/hub/spellings.html":
            ex.answer(200, self.page("spellings", [(href, "same") for href in self.spellings()]))
            return "hub"
        if path.startswith("/t/"):
            return self.serve_trap(ex, path[len("/t/"):])
        if path == "/redir/file":
            ex.answer(302, "", extra=[("Location", "file:///etc/passwd")])
            return "redirect"
        if path == "/redir/dict":
            ex.answer(302, "", extra=[("Location", f"dict://{self.main}:{self.port}/d:passwd")])
            return "redirect"
        if path == "/etc/passwd" or path.startswith("/u/"):
            ex.answer(200, "root:x:0:0:not really:/root:/bin/false\n", "text/plain")
            return "hostile_url"
        return None

    def serve_trap(self, ex, name):
        ex.record["route"] = "trap:" + name  # logged even when the client leaves mid-answer
        if name == "drip":
            ex.send_head(200, [("Content-Type", "text/html")])
            while not ex.client_closed(1.0):
                ex.send_body(b"<")
            ex.record["end"] = "client_gone"
        elif name == "hang":
            while not ex.client_closed(1.0):
                pass
            ex.record["end"] = "client_gone"
        elif name == "reset-headers":
            ex.send(b"HTTP/1.1 200 OK\r\nContent-Ty")
            time.sleep(0.1)
            ex.reset()
        elif name == "reset-body":
            ex.send_head(200, [("Content-Type", "text/html"), ("Content-Length", "102400")])
            ex.send_body(b"<p>" + b"x" * 4093)
            time.sleep(0.1)
            ex.reset()
        elif name == "short-body":
            ex.send_head(200, [("Content-Type", "text/html"), ("Content-Length", "100000")])
            ex.send_body(b"<p>" + b"y" * 997)
            ex.record["end"] = "closed"
        elif name == "bad-chunked":
            ex.send_head(200, [("Content-Type", "text/html"), ("Transfer-Encoding", "chunked")])
            ex.send_body(b"10\r\n<p>hello world</p\r\nzz-not-hex\r\n" + b"q" * 100 + b"\r\n")
            ex.client_closed(5.0)
            ex.record["end"] = "closed"
        elif name == "huge-length":
            total = self.args.stream_gib * GIB
            ex.send_head(200, [("Content-Type", "text/html"), ("Content-Length", str(total))])
            self.stream_zeros(ex, total, chunked=False)
        elif name == "huge-stream":
            ex.send_head(200, [("Content-Type", "text/html"), ("Transfer-Encoding", "chunked")])
            self.stream_zeros(ex, self.args.stream_gib * GIB, chunked=True)
        elif name == "gzip-bomb":
            self.send_bomb(ex)
        elif name == "image-as-html":
            size = self.args.image_bytes
            ex.send_head(200, [("Content-Type", "text/html"), ("Content-Length", str(size))])
            header = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x10\x00\x00\x00\x10\x00\x08\x06\x00\x00\x00"
            ex.send_body(header)
            self.stream_bytes(ex, size - len(header), self.garbage)
        elif name == "garbage.html":
            ex.answer(200, self.garbage)
        elif name == "garbage-no-nul.html":
            ex.answer(200, self.garbage_no_nul)
        elif name == "deep.html":
            body = ("<!doctype html><html><body>" + "<div>" * 200_000
                    + '<a href="/good/deep-target.html">found</a>' + "</body></html>")
            ex.answer(200, body)
        else:
            return None
        return "trap:" + name

    def stream_zeros(self, ex, total, chunked):
        block = bytes(MIB)
        framed = (b"%x\r\n" % len(block)) + block + b"\r\n" if chunked else block
        sent = 0
        while sent < total:
            ex.send(framed)
            sent += len(block)
            ex.record["bytes"] = sent
        if chunked:
            ex.send(b"0\r\n\r\n")
        ex.record["end"] = "complete"

    def stream_bytes(self, ex, total, pattern):
        while total > 0:
            piece = pattern[:total]
            ex.send_body(piece)
            total -= len(piece)
        ex.record["end"] = "complete"

    def send_bomb(self, ex):
        """A gzip stream of `--bomb-gib` GiB of zeros: 1 MiB blocks, each compressed to about 1 KiB."""
        blocks = self.args.bomb_gib * 1024
        compressed = len(self.bomb_head) + len(self.bomb_block) * (blocks - 1) + 2 + 8
        ex.send_head(200, [("Content-Type", "text/html"), ("Content-Encoding", "gzip"),
                           ("Content-Length", str(compressed))])
        ex.send_body(self.bomb_head)
        for _ in range(blocks - 1):
            ex.send_body(self.bomb_block)
        crc = 0
        zeros = bytes(MIB)
        for _ in range(blocks):
            crc = zlib.crc32(zeros, crc)
        # A final empty fixed-Huffman block, then the gzip trailer (CRC-32 and length mod 2^32).
        ex.send_body(b"\x03\x00" + struct.pack("<II", crc, (blocks * MIB) & 0xFFFFFFFF))
        ex.record["end"] = "complete"

    def serve_space(self, ex, path):
        if path == "/about.html":
            ex.answer(200, self.page("about space"))
            return "good"
        if path == "/space/":
            links = "".join(f'<a href="/space/{n:x}.html">{n}</a>\n' for n in range(100_000))
            ex.answer(200, self.page("the infinite space", [("/about.html", "about")], links))
            return "space_root"
        if path.startswith("/space/") and path.endswith(".html"):
            rng = random.Random(path)
            links = [(f"/space/{rng.getrandbits(48):x}.html", "deeper") for _ in range(10)]
            ex.answer(200, self.page("space " + path, links))
            return "space"
        return None

    def serve_cal(self, ex, path):
        if path == "/about.html":
            ex.answer(200, self.page("about calendar"))
            return "good"
        parts = path.split("/")
        if len(parts) == 4 and parts[1] == "cal" and parts[2].lstrip("-").isdigit() and parts[3].isdigit():
            year, month = int(parts[2]), int(parts[3])
            index = year * 12 + month - 1
            prev_i, next_i = index - 1, index + 1
            links = [(f"/cal/{next_i // 12}/{next_i % 12 + 1:02d}", "next month"),
                     (f"/cal/{prev_i // 12}/{prev_i % 12 + 1:02d}", "previous month")]
            if (year, month) == (2026, 11):
                links.append(("/about.html", "about"))
            ex.answer(200, self.page(f"{year}-{month:02d}", links))
            return "cal"
        return None

    def serve_pages(self, ex, path, query):
        if path == "/about.html":
            ex.answer(200, self.page("about pages"))
            return "good"
        if path == "/list":
            params = urllib.parse.parse_qs(query)
            try:
                n = int(params.get("page", ["1"])[0])
            except ValueError:
                n = 1
            links = [(f"/list?page={n + 1}", "next page")]
            if n == 1:
                links.append(("/about.html", "about"))
            ex.answer(200, self.page(f"page {n}", links))
            return "pagination"
        return None


def gzip_bomb_blocks():
    """(block, head): the gzip header plus the first 1 MiB of zeros deflated, and the bytes of every
    further 1 MiB of zeros. A full flush after each block resets the compressor, so every later
    block deflates to the same bytes and the stream is built by repetition."""
    zeros = bytes(MIB)
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    head = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    again = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    assert block == again, "full-flushed deflate blocks differ"
    return block, head


class Listener:
    """One listening socket; accepts and hands each connection to a daemon thread."""

    def __init__(self, sock, site, log):
        self.sock, self.site, self.log = sock, site, log

    def serve_forever(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            addr, port = self.sock.getsockname()[:2]
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            threading.Thread(target=Exchange(self, conn, addr, port).run, daemon=True).start()


def bind_all(hosts, port):
    """Binds every address on one port (port 0: a free one, retried on collisions)."""
    def bind(port):
        socks = []
        try:
            for h in hosts:
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                socks.append(s)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind((h, port))
                s.listen(128)
                port = s.getsockname()[1]
            return socks, port
        except OSError:
            for s in socks:
                s.close()
            raise
    return on_one_port(port, bind, f"hostile_server: cannot bind {','.join(hosts)}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--hosts", default="127.0.0.131,127.0.0.132,127.0.0.133,127.0.0.134",
                    help="four comma-separated 127.0.0.x addresses: main, space, cal, pages")
    ap.add_argument("--port", type=int, default=0, help="0 picks a free port")
    ap.add_argument("--log", help="append one JSON line per request here")
    ap.add_argument("--manifest", help="write the manifest (JSON) here")
    ap.add_argument("--good", type=int, default=24, help="good pages linked from the seed")
    ap.add_argument("--image-bytes", type=int, default=50_000_000, help="size of the image served as text/html")
    ap.add_argument("--stream-gib", type=int, default=4, help="GiB of the oversized streamed bodies")
    ap.add_argument("--bomb-gib", type=int, default=4, help="GiB the gzip bomb inflates to")
    a = ap.parse_args()
    hosts = [h.strip() for h in a.hosts.split(",") if h.strip()]
    if len(hosts) != 4:
        raise SystemExit("hostile_server: --hosts needs four addresses (main, space, cal, pages)")
    socks, port = bind_all(hosts, a.port)
    site = Site(a, hosts, port)
    log = RequestLog(a.log)
    if a.manifest:
        tmp = a.manifest + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(site.manifest(), f, indent=1)
        os.replace(tmp, a.manifest)
    for s in socks:
        listener = Listener(s, site, log)
        threading.Thread(target=listener.serve_forever, daemon=True).start()
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    sys.stdout.write(json.dumps({"port": port, "hosts": hosts, "seed": site.origin[hosts[0]] + "/",
                                 "pid": os.getpid()}) + "\n")
    sys.stdout.flush()
    parent = os.getppid()
    while not stop.wait(0.25):
        if os.getppid() != parent:  # the test that started us is gone
            break


if __name__ == "__main__":
    main()
