#!/usr/bin/env python3
"""Serve a deterministic multi-host test website on loopback addresses, for crawler tests.

    site_server.py [--hosts 3] [--first-ip 21] [--port 0] [--pages 40] [--images 10]
                   [--paragraphs 4] [--delay-ms 0] [--slow-sleep 2] [--seed-random 1]
                   [--log FILE] [--manifest FILE] [--mutations FILE]

The site lives in memory. Every host 127.0.0.{first-ip + i} gets its own listening socket on one
shared port (`--port 0` picks a free port: the first address binds port 0, the others reuse that
port). HTTP/1.1 with keep-alive, one daemon thread per connection. On start the server prints ONE
JSON line and flushes stdout:

    {"port": P, "hosts": [...], "seed": "http://127.0.0.21:P/", "refused_host": "127.0.0.24", ...}

then serves until SIGTERM/SIGINT, or until its parent process goes away.

`--log FILE` gets one JSON object per request (appended, flushed per line): t0/t1 (unix seconds,
request read / response written), addr and port of the listening socket, method, target (the raw
request-target as sent on the wire), status, bytes, ua, a few headers of interest, and `error`
when the response could not be written (client gone).

What a page holds (all of it on purpose):
  * links written in many equivalent spellings: root-relative, document-relative, ./, ../,
    absolute, scheme-relative, upper-case scheme, dot segments, fragments, surrounding
    whitespace, &amp; in query strings;
  * a binary-tree backbone (page k links 2k+1 and 2k+2) so every page is reachable, plus random
    same-host and cross-host links; each index links the next host's index;
  * <img src>, <img srcset> and <picture><source srcset> images (image/png bytes);
  * links to 404s (/gone/N.html), 301 redirects (/old/N.html -> /p/N.html), /private/ pages that
    robots.txt ("User-agent: *" / "Disallow: /private/") forbids, UTF-8 paths that need
    percent-encoding, a few pages with <base href='/b/'>;
  * links a crawler must not follow: mailto:, javascript:, tel:, data:, bare # and "".
Every index carries at least one 404, one redirect, one /private/ link and one &amp; query.

Special URLs, linked from the first host's index:
  /special/binary.html      random bytes with NULs, served as text/html; an <a href> to
                            /special/from-binary.html hides inside: a crawler must not parse it
  /special/malformed.html   broken nesting, unclosed tags; holds a valid link to
                            /special/after-malformed.html, which must be found
  /special/slow?sleep=S     sleeps S seconds (from the query; --slow-sleep sets the linked value)
  http://REFUSED:P/         REFUSED = 127.0.0.{first-ip + hosts}: a socket is bound there on port P
                            and never listens, so connecting is refused (out of scope unless
                            the crawl is given --allow-host REFUSED)
  http://nonexistent.invalid/   a DNS failure (out of scope unless --allow-host nonexistent.invalid)

`--manifest FILE` writes what a correct crawler scoped to the served hosts must do. Categories in
manifest["urls"] (canonical URLs; each URL is in exactly one category):
  page        200 text/html: must be requested once (includes binary.html, never parsed for links)
  image       200 image/png: must be requested once
  missing     404: must be requested once
  redirect    301 to a page: must be requested once (the target is in `page`)
  robots      /robots.txt of each host: requested once per host (unless robots are ignored)
  slow        /special/slow?sleep=S: requested once; 200 after S seconds
  disallowed  robots.txt forbids it: must never be requested (200 if it is)
  never       linked only from inside the binary page: must never be requested
  refused     on the refused address: out of scope by default; connecting fails
  dns         on nonexistent.invalid: out of scope by default; resolving fails
Also: "redirects" {source: target}, "links" {page: [[url, "page"|"image"], ...]} for every page a
crawler parses (not binary.html), "sha256" {url: hex} of every 200 body, "hosts", "port",
"seed", "refused_host", "dns_host", "slow_sleep", "delay_ms", "counts".

`--delay-ms N` delays every response except robots.txt by N ms (to make crawls take long enough
to be killed mid-way).

Validators, like a static file server: every 200 carries `ETag: "<sha256 prefix of the body>-t<touch>"`
and `Last-Modified` (the server's start time minus a day; for a changed or touched URL, the time
its mutation was loaded). A GET with `If-None-Match` gets 304 when a listed tag matches (weak
comparison, `*` matches); without `If-None-Match`, `If-Modified-Since` gets 304 when the resource is
not newer. 304s carry the validators and no body. Redirects and 404s carry no validators and are
never 304. The log records `conditional` (the request had If-None-Match or If-Modified-Since) and
`mutation` ("change", "touch", "gone" or null).

`--mutations FILE` changes the site while it runs: the server re-reads FILE (when its mtime, inode or
size moved) on every request; a missing or unparsable file leaves the last good state. Its JSON:
    {"change": [url, ...] or {url: revision}, "touch": [...] or {...}, "gone": [url, ...], "delay_ms": N}
A url is absolute (`http://ADDR:PORT/path`, query ignored) or a bare `/path` (every host); a mutation
applies to every query variant of the path.
  change    the body gains the bytes "\n<!-- revision R -->\n" (R = 1 for a list); new ETag and Last-Modified
  touch     same body, new ETag (-tR) and Last-Modified
  gone      404 (the not-found body), no validators
  delay_ms  replaces --delay-ms from now on
The file is written by tests only; nothing on the site links to it.
"""
import argparse
import email.utils
import hashlib
import json
import os
import random
import signal
import socket
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from fixture_log import RequestLog, on_one_port  # beside this script

WORDS = ("crawler frontier politeness queue fetch parse link anchor image host robots "
         "sitemap resume store index page depth scope redirect status header body "
         "encoding canonical fragment query path scheme agent delay budget retry "
         "archive snapshot cache validator etag modified recrawl schedule lease").split()

CATEGORIES = ("page", "image", "missing", "redirect", "robots", "slow", "disallowed", "never", "refused", "dns")
HTML = "text/html; charset=utf-8"
DNS_HOST = "nonexistent.invalid"
REASONS = {200: "OK", 301: "Moved Permanently", 304: "Not Modified", 404: "Not Found"}
NOT_FOUND = b"<!doctype html><title>not found</title><a href='/'>home</a>"


def words(rng, n):
    return " ".join(rng.choice(WORDS) for _ in range(n))


class Site:
    """The generated site: bodies per (address, decoded path), and the manifest."""

    def __init__(self, a, port):
        self.delay = a.delay_ms / 1000.0
        self.last_modified = int(time.time()) - 86400  # Last-Modified of every unmutated file
        self.files = {}
        self.redirects = {}
        rng = random.Random(a.seed_random)
        hosts = [f"127.0.0.{a.first_ip + i}" for i in range(a.hosts)]
        self.hosts = hosts
        self.port = port
        self.refused_host = f"127.0.0.{a.first_ip + a.hosts}"
        origin = {h: f"http://{h}:{port}" for h in hosts}
        urls = {k: set() for k in CATEGORIES}
        graph = {}
        self.urls, self.graph = urls, graph
        slow_value = format(a.slow_sleep, "g")

        def put(host, path, body, ctype=HTML):
            data = body if isinstance(body, bytes) else body.encode("utf-8")
            self.files[(host, path)] = (200, ctype, data, ())

        for h in hosts:
            for j in range(a.images):
                size = rng.randint(64, 3000)
                put(h, f"/img/{j}.png", b"\x89PNG\r\n\x1a\n" + rng.randbytes(size), "image/png")

        def href_forms(h_from, h_to, path):
            """Equivalent spellings of one target, as written in a page at /p/NAME.html on h_from."""
            o = origin[h_to]
            hp = o.split("//", 1)[1]
            if h_from != h_to:
                return [o + path, "//" + hp + path, "HTTP://" + hp + path]
            forms = [path, o + path, "//" + hp + path, path + "#section-2", "  " + path + "\n", "HTTP://" + hp + path]
            if path.startswith("/p/"):
                name = path[3:]
                forms += [name, "./" + name, "../p/" + name, "/p/./" + name, "/x/../p/" + name]
            return forms

        for hi, h in enumerate(hosts):
            n = a.pages
            utf8_pages = set(rng.sample(range(n), max(1, n // 100)))
            base_pages = set(rng.sample(range(n), max(1, n // 50)))
            for k in range(-1, n):
                path = "/" if k < 0 else f"/p/{k}.html"
                page_url = origin[h] + path
                links = []  # (href as written, canonical url or None, category or None, kind)
                has_base = k in base_pages
                # Relative forms assume a page in /p/; the index and <base> pages get base-independent forms.
                based = k < 0 or has_base

                def link(h_to, target_path, cat="page"):
                    forms = href_forms(h, h_to, target_path)
                    href = rng.choice(forms[:4] if based and h == h_to else forms)
                    links.append((href, origin[h_to] + target_path, cat, "page"))

                links.append(("/", origin[h] + "/", "page", "page"))  # the nav link home
                kids = [0, 1] if k < 0 else [2 * k + 1, 2 * k + 2]
                for c in kids:
                    if c < n:
                        link(h, f"/p/{c}.html")
                for _ in range(rng.randint(6, 14)):
                    link(h, f"/p/{rng.randrange(n)}.html")
                if k < 0:
                    link(hosts[(hi + 1) % len(hosts)], "/")
                if rng.random() < 0.3:
                    h2 = rng.choice(hosts)
                    link(h2, f"/p/{rng.randrange(n)}.html")
                if k < 0 or rng.random() < 0.03:
                    link(h, f"/gone/{rng.randrange(10 * n)}.html", "missing")
                if k < 0 or rng.random() < 0.03:
                    link(h, f"/old/{rng.randrange(n)}.html", "redirect")
                if k < 0 or rng.random() < 0.03:
                    link(h, f"/private/{rng.randrange(n)}.html", "disallowed")
                if k in utf8_pages:
                    name = f"/u/\u00e9t\u00e9-{k}.html"
                    links.append((name, origin[h] + urllib.parse.quote(name), "page", "page"))
                    put(h, name, f"<!doctype html><title>utf8 {k}</title><a href='/'>home</a>")
                    graph[origin[h] + urllib.parse.quote(name)] = [[origin[h] + "/", "page"]]
                if k < 0 or rng.random() < 0.02:
                    q = f"/p/{rng.randrange(n)}.html?a=1&amp;b=2"
                    links.append((q, origin[h] + q.replace("&amp;", "&"), "page", "page"))
                if k < 0 and hi == 0:
                    links += [
                        ("/special/binary.html", origin[h] + "/special/binary.html", "page", "page"),
                        ("/special/malformed.html", origin[h] + "/special/malformed.html", "page", "page"),
                        (f"/special/slow?sleep={slow_value}", origin[h] + f"/special/slow?sleep={slow_value}", "slow", "page"),
                        (f"http://{self.refused_host}:{port}/", f"http://{self.refused_host}:{port}/", "refused", "page"),
                        (f"http://{DNS_HOST}/", f"http://{DNS_HOST}/", "dns", "page"),
                    ]
                junk = ["mailto:crawler@example.invalid", "javascript:void(0)", "tel:+15550100",
                        "data:text/html,%3Ca%20href%3D%22/p/0.html%22%3E"]
                if not based:  # under <base href='/b/'>, "" and "#top" resolve to /b/ itself
                    junk += ["#top", ""]
                links.append((rng.choice(junk), None, None, None))

                base = ""
                if has_base:
                    base = "<base href='/b/'>"
                    links.append((f"{k}.html", origin[h] + f"/b/{k}.html", "page", "page"))
                    put(h, f"/b/{k}.html", f"<!doctype html><title>based {k}</title><a href='../'>up</a>")
                    graph[origin[h] + f"/b/{k}.html"] = [[origin[h] + "/", "page"]]

                imgs = []
                for _ in range(rng.randint(0, 3)):
                    j = rng.randrange(a.images) if a.images else None
                    if j is None:
                        break
                    style = rng.random()
                    p1 = f"/img/{j}.png"
                    if style < 0.6:
                        imgs.append(f"<img src='{p1}' alt='{words(rng, 2)}'>")
                        found = [p1]
                    else:
                        p2 = f"/img/{rng.randrange(a.images)}.png"
                        ss = f"{p1} 1x, {p2} 2x"
                        if style < 0.8:
                            imgs.append(f"<img srcset='{ss}' src='{p1}' alt=''>")
                        else:
                            imgs.append(f"<picture><source srcset='{ss}'><img src='{p1}'></picture>")
                        found = [p1, p2]
                    for p in found:
                        urls["image"].add(origin[h] + p)
                        links.append((None, origin[h] + p, "image", "image"))

                items = []
                for href, canon, cat, _ in links:
                    if href is not None:
                        items.append(f"<li><a href=\"{href}\">{words(rng, 3)}</a></li>")
                    if canon and cat:
                        urls[cat].add(canon)
                paras = "\n".join(f"<p>{words(rng, 40)}</p>" for _ in range(a.paragraphs))
                body = (f"<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>{base}"
                        f"<title>{h} page {k}</title></head>"
                        f"<body><nav><a href='/'>Home</a></nav><h1>Page {k}</h1>{paras}"
                        f"<ul>{''.join(items)}</ul>{''.join(imgs)}<footer>{words(rng, 8)}</footer></body></html>\n")
                put(h, path, body)
                seen = []
                for _, canon, _, kind in links:
                    if canon and kind and [canon, kind] not in seen:
                        seen.append([canon, kind])
                graph[page_url] = seen

            for k in range(n):  # disallowed pages exist, so an impolite crawler gets a 200
                if origin[h] + f"/private/{k}.html" in urls["disallowed"]:
                    put(h, f"/private/{k}.html", "<!doctype html><title>private</title><a href='/'>home</a>")
                    graph[origin[h] + f"/private/{k}.html"] = [[origin[h] + "/", "page"]]
            put(h, "/robots.txt", "User-agent: *\nDisallow: /private/\n", "text/plain; charset=utf-8")
            urls["robots"].add(origin[h] + "/robots.txt")

        for r in urls["redirect"]:
            target = r.replace("/old/", "/p/", 1)
            self.redirects[r] = target
            urls["page"].add(target)

        # The special pages (first host).
        h0 = hosts[0]
        noise = bytearray(rng.randbytes(3000))
        for i in range(0, len(noise), 7):
            noise[i] = 0
        hidden = b"<a href='/special/from-binary.html'>hidden</a>"
        put(h0, "/special/binary.html", b"\x00\x01\x02<html>" + bytes(noise[:1500]) + hidden + bytes(noise[1500:]))
        put(h0, "/special/from-binary.html", "<!doctype html><title>must not be found</title>")
        urls["never"].add(origin[h0] + "/special/from-binary.html")
        put(h0, "/special/malformed.html",
            "<html><head><title>broken</title><body><div><p><b><i>bold italic</b></i>"
            "<table><tr><td><form><span><a href=\"/special/after-malformed.html\">after</a></div></span>"
            "</td></p></form><<>> &bogus; </table></table><ul><li><a href=/ >home</a><li>unclosed <p>"
            "</html></body><div><div><span><p <div class=\"x>never closed")
        graph[origin[h0] + "/special/malformed.html"] = [
            [origin[h0] + "/special/after-malformed.html", "page"], [origin[h0] + "/", "page"]]
        put(h0, "/special/after-malformed.html", "<!doctype html><title>after</title><a href='/'>home</a>")
        urls["page"].add(origin[h0] + "/special/after-malformed.html")
        graph[origin[h0] + "/special/after-malformed.html"] = [[origin[h0] + "/", "page"]]
        self.slow_page = "<!doctype html><title>slow</title><a href='/'>home</a>".encode()
        graph[origin[h0] + f"/special/slow?sleep={slow_value}"] = [[origin[h0] + "/", "page"]]

        self.sha256 = {}
        for (host, path), (_, _, data, _) in self.files.items():
            if path == "/robots.txt":
                continue
            self.sha256[f"http://{host}:{port}{urllib.parse.quote(path)}"] = hashlib.sha256(data).hexdigest()
        for u in urls["page"]:
            if "?" in u:
                base_url = u.split("?", 1)[0]
                self.sha256[u] = self.sha256[base_url]
        for u in urls["slow"]:
            self.sha256[u] = hashlib.sha256(self.slow_page).hexdigest()
        # Keep the graph to what a crawler parses: pages it can fetch and that are not binary.
        self.graph = {u: v for u, v in graph.items() if u not in urls["never"]}
        self.slow_value = slow_value

    def manifest(self, seed):
        urls = self.urls
        for i, a in enumerate(CATEGORIES):
            for b in CATEGORIES[i + 1:]:
                both = urls[a] & urls[b]
                assert not both, f"{a} and {b} share {sorted(both)[:3]}"
        return {
            "hosts": self.hosts, "port": self.port, "seed": seed, "refused_host": self.refused_host,
            "dns_host": DNS_HOST, "slow_sleep": float(self.slow_value), "delay_ms": int(self.delay * 1000),
            "counts": {k: len(v) for k, v in urls.items()},
            "urls": {k: sorted(v) for k, v in urls.items()},
            "redirects": dict(sorted(self.redirects.items())),
            "links": dict(sorted(self.graph.items())),
            "sha256": dict(sorted(self.sha256.items())),
        }

    def respond(self, host, target, delay_override=None):
        """(status, content type, body, extra headers, delay seconds, decoded path) for a request-target."""
        path, _, query = target.partition("?")
        if path.startswith("http://"):  # absolute-form request-target
            path = "/" + path.split("/", 3)[3] if path.count("/") >= 3 else "/"
        decoded = urllib.parse.unquote(path, errors="surrogateescape")
        if decoded == "/special/slow" and host == self.hosts[0]:
            seconds = 0.0
            for key, value in urllib.parse.parse_qsl(query):
                if key == "sleep":
                    try:
                        seconds = min(max(float(value), 0.0), 120.0)
                    except ValueError:
                        pass
            return 200, HTML, self.slow_page, (), seconds, decoded
        base_delay = self.delay if delay_override is None else delay_override
        delay = 0.0 if decoded == "/robots.txt" else base_delay
        if decoded.startswith("/old/"):
            location = f"/p/{decoded[5:]}"
            if int("".join(c for c in decoded if c.isdigit()) or "0") % 2 == 0:
                location = f"http://{host}:{self.port}{location}"
            return 301, HTML, b"<!doctype html><title>moved</title>", (("Location", location),), delay, decoded
        entry = self.files.get((host, decoded))
        if entry is None:
            return 404, HTML, NOT_FOUND, (), delay, decoded
        status, ctype, data, extra = entry
        return status, ctype, data, extra, delay, decoded


class Mutations:
    """The --mutations file, re-read whenever it moved on disk (see the module docstring)."""

    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()
        self.stamp = None
        self.loaded_at = 0
        self.change, self.touch, self.gone = {}, {}, set()
        self.delay = None

    def current(self):
        """Reloads if the file moved; returns (change, touch, gone, delay seconds or None, loaded_at)."""
        with self.lock:
            if self.path:
                try:
                    st = os.stat(self.path)
                    stamp = (st.st_mtime_ns, st.st_ino, st.st_size)
                except OSError:
                    stamp = None
                if stamp is not None and stamp != self.stamp:
                    try:
                        with open(self.path, encoding="utf-8") as f:
                            self.load(json.load(f), st.st_mtime)
                        self.stamp = stamp
                    except (OSError, ValueError, TypeError, AttributeError):
                        pass  # half-written or malformed: keep the last good state
            return self.change, self.touch, self.gone, self.delay, self.loaded_at

    def load(self, data, mtime):
        def keyed(value):
            items = value.items() if isinstance(value, dict) else ((v, 1) for v in value or [])
            return {self.key(u): int(r) for u, r in items}
        change, touch = keyed(data.get("change")), keyed(data.get("touch"))
        gone = set(keyed(data.get("gone")))
        delay = data.get("delay_ms")
        self.change, self.touch, self.gone = change, touch, gone
        self.delay = None if delay is None else max(0, float(delay)) / 1000.0
        self.loaded_at = int(mtime)

    @staticmethod
    def key(url):
        """(addr or "*", decoded path) of an absolute URL or a bare path."""
        if url.startswith("http://") or url.startswith("https://"):
            parts = urllib.parse.urlsplit(url)
            return parts.hostname or "", urllib.parse.unquote(parts.path or "/", errors="surrogateescape")
        return "*", urllib.parse.unquote(url.split("?", 1)[0], errors="surrogateescape")

    @staticmethod
    def lookup(table, host, path):
        if (host, path) in table:
            return table[(host, path)] if isinstance(table, dict) else True
        if ("*", path) in table:
            return table[("*", path)] if isinstance(table, dict) else True
        return None


def etag_matches(header, etag):
    """If-None-Match against the current tag: weak comparison, `*` matches anything."""
    bare = etag[2:] if etag.startswith("W/") else etag
    for tag in header.split(","):
        tag = tag.strip()
        if tag == "*" or (tag[2:] if tag.startswith("W/") else tag) == bare:
            return True
    return False


def not_modified_since(header, last_modified):
    try:
        since = email.utils.parsedate_to_datetime(header).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return False  # an invalid date is ignored (RFC 9110 13.1.3)
    return last_modified <= since


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "site-fixture/1"

    def setup(self):
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format, *args):  # the JSON log replaces the stderr access log
        pass

    def do_GET(self):
        t0 = time.time()
        addr, port = self.server.server_address[:2]
        change, touch, gone, delay_override, loaded_at = self.server.mutations.current()
        site = self.server.site
        status, ctype, body, extra, delay, path = site.respond(addr, self.path, delay_override)
        h = self.headers
        inm, ims = h.get("If-None-Match"), h.get("If-Modified-Since")
        mutation = None
        extra = list(extra)
        if status == 200:
            revision = Mutations.lookup(change, addr, path)
            touched = Mutations.lookup(touch, addr, path)
            if Mutations.lookup(gone, addr, path):
                status, ctype, body, mutation = 404, HTML, NOT_FOUND, "gone"
            else:
                if revision is not None:
                    body = body + f"\n<!-- revision {revision} -->\n".encode()
                    mutation = "change"
                if touched is not None:
                    mutation = mutation or "touch"
                etag = f'"{hashlib.sha256(body).hexdigest()[:16]}-t{touched or 0}"'
                modified = site.last_modified if mutation is None else max(site.last_modified + 1, loaded_at)
                extra += [("ETag", etag), ("Last-Modified", email.utils.formatdate(modified, usegmt=True))]
                if (etag_matches(inm, etag) if inm is not None else
                        ims is not None and not_modified_since(ims, modified)):
                    status, body = 304, b""
        if delay > 0:
            time.sleep(delay)
        head = [f"HTTP/1.1 {status} {REASONS.get(status, 'Status')}", f"Server: {self.server_version}"]
        if status != 304:
            head += [f"Content-Type: {ctype}", f"Content-Length: {len(body)}"]
        head += [f"{k}: {v}" for k, v in extra]
        if self.close_connection:
            head.append("Connection: close")
        error = None
        try:
            self.wfile.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)
            self.wfile.flush()
        except OSError as e:
            error = type(e).__name__
            self.close_connection = True
        self.server.request_log.write({
            "t0": round(t0, 6), "t1": round(time.time(), 6), "addr": addr, "port": port,
            "method": self.command, "target": self.path, "status": status, "bytes": len(body),
            "ua": h.get("User-Agent"), "host_header": h.get("Host"), "accept_encoding": h.get("Accept-Encoding"),
            "if_none_match": inm, "if_modified_since": ims, "conditional": inm is not None or ims is not None,
            "mutation": mutation, "connection": h.get("Connection"), "client_port": self.client_address[1],
            "error": error,
        })


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

    def handle_error(self, request, client_address):  # clients vanish (kill -9): not worth a traceback
        pass


def bind_all(a, hosts, site_factory, request_log):
    """Binds every address on one port; returns (servers, refused socket, port)."""
    def bind(port):
        servers, refused = [], None
        try:
            for h in hosts:
                s = Server((h, port), Handler, bind_and_activate=False)
                servers.append(s)
                s.server_bind()
                s.server_activate()
                port = s.server_address[1]
            refused = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            refused.bind((f"127.0.0.{a.first_ip + a.hosts}", port))  # bound, never listening: refused
            site = site_factory(port)
            mutations = Mutations(a.mutations)
            for s in servers:
                s.site = site
                s.request_log = request_log
                s.mutations = mutations
            return servers, refused, port, site
        except OSError:
            for s in servers:
                s.server_close()
            if refused is not None:
                refused.close()
            raise
    return on_one_port(a.port, bind, f"site_server: cannot bind {hosts[0]}..{hosts[-1]}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--hosts", type=int, default=3)
    ap.add_argument("--first-ip", type=int, default=21, help="last octet of the first address")
    ap.add_argument("--port", type=int, default=0, help="0 picks a free port")
    ap.add_argument("--pages", type=int, default=40, help="pages per host")
    ap.add_argument("--images", type=int, default=10, help="images per host")
    ap.add_argument("--paragraphs", type=int, default=4, help="text paragraphs per page")
    ap.add_argument("--delay-ms", type=int, default=0, help="delay of every response but robots.txt")
    ap.add_argument("--slow-sleep", type=float, default=2.0, help="the sleep= value linked to /special/slow")
    ap.add_argument("--seed-random", type=int, default=1)
    ap.add_argument("--log", help="append one JSON line per request here")
    ap.add_argument("--manifest", help="write the manifest (JSON) here")
    ap.add_argument("--mutations", help="JSON file of changes to the site, re-read on every request")
    a = ap.parse_args()
    if not (1 <= a.hosts and a.first_ip + a.hosts <= 254 and a.pages >= 2 and a.images >= 0):
        raise SystemExit("site_server: need 1 <= hosts, first-ip + hosts <= 254, pages >= 2")

    hosts = [f"127.0.0.{a.first_ip + i}" for i in range(a.hosts)]
    request_log = RequestLog(a.log)
    servers, refused, port, site = bind_all(a, hosts, lambda p: Site(a, p), request_log)
    seed = f"http://{hosts[0]}:{port}/"
    if a.manifest:
        tmp = a.manifest + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(site.manifest(seed), f, indent=0, ensure_ascii=False)
        os.replace(tmp, a.manifest)
    for s in servers:
        threading.Thread(target=s.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True).start()

    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    sys.stdout.write(json.dumps({"port": port, "hosts": hosts, "seed": seed, "refused_host": site.refused_host,
                                 "dns_host": DNS_HOST, "manifest": a.manifest, "pid": os.getpid()}) + "\n")
    sys.stdout.flush()
    parent = os.getppid()
    while not stop.wait(0.25):
        if os.getppid() != parent:  # the test or script that started us is gone
            break
    refused.close()


if __name__ == "__main__":
    main()
