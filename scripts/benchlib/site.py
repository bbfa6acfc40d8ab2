"""A site made by make_site.py: generated once into a cache, served by nginx (serve.sh), audited
from nginx's access log (audit.py)."""
import json
import os
import re
import shutil
import socket
import time

from .env import BenchError, log, sh, tool

# nginx's log line (make_site.py's `crawl` format): $msec $request_time $server_addr $status ...
LOG_LINE = re.compile(r"(\d+\.\d+) (\d+\.\d+) (\S+) (\d+) ")


class Site:
    """One generated site directory: its manifest, its nginx, its access log."""

    def __init__(self, path):
        self.path = path
        with open(os.path.join(path, "manifest.json")) as f:
            m = json.load(f)
        self.hosts, self.port, self.seed, self.counts = m["hosts"], m["port"], m["seed"], m["counts"]
        self.access_log = m.get("access_log", os.path.join(path, "access.log"))
        self.serving = False

    @staticmethod
    def ensure(path, hosts, pages, images, port, first_ip=11):
        """The site at `path`, generated first unless a complete one is there (make_site.py writes
        manifest.json last, so a generation that was cut short is made again)."""
        if not os.path.exists(os.path.join(path, "manifest.json")):
            shutil.rmtree(path, ignore_errors=True)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            log(f"generating {hosts} hosts x {pages} pages x {images} images on port {port} into {path}")
            t0 = time.monotonic()
            sh(["python3", tool("make_site.py"), path, "--hosts", str(hosts), "--pages", str(pages),
                "--images", str(images), "--port", str(port), "--first-ip", str(first_ip)])
            log(f"  generated in {time.monotonic() - t0:.0f} s")
        return Site(path)

    @property
    def expected(self):
        """Requests a correct crawl makes: every category but the disallowed one."""
        return sum(n for k, n in self.counts.items() if k != "disallowed")

    def allow_hosts(self):
        return [arg for h in self.hosts[1:] for arg in ("--allow-host", h)]

    # MARK: nginx

    def _our_nginx_pid(self):
        """The pid in this site's nginx.pid if it is an nginx master running this site's config
        (a leftover of an earlier run of ours), else None."""
        try:
            pid = int(open(os.path.join(self.path, "nginx.pid")).read().strip())
            cmdline = open(f"/proc/{pid}/cmdline", "rb").read().decode(errors="replace")
        except (OSError, ValueError):
            return None
        return pid if "nginx" in cmdline and os.path.join(self.path, "nginx.conf") in cmdline else None

    def port_taken(self):
        """The first host:port another process already listens on, or None."""
        for h in self.hosts:
            with socket.socket() as s:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                try:
                    s.bind((h, self.port))
                except OSError:
                    return f"{h}:{self.port}"
        return None

    def __enter__(self):
        if self._our_nginx_pid():
            self.stop()
        taken = self.port_taken()
        if taken:
            raise BenchError(f"{taken} is in use by another server: choose other ports (--port)")
        sh([tool("serve.sh"), "start", self.path])
        self.serving = True
        return self

    def __exit__(self, *_):
        self.stop()

    def stop(self):
        """Stops this site's nginx (only ours: the master whose config is this site's) and waits for it."""
        pid = self._our_nginx_pid()
        if pid:
            sh([tool("serve.sh"), "stop", self.path])
            for _ in range(100):
                if not os.path.exists(f"/proc/{pid}"):
                    break
                time.sleep(0.05)
        self.serving = False

    def nginx_ticks(self):
        """utime+stime of nginx's workers, in clock ticks."""
        pid = self._our_nginx_pid()
        if not pid:
            return 0
        total = 0
        try:
            children = open(f"/proc/{pid}/task/{pid}/children").read().split()
        except OSError:
            return 0
        for w in children:
            try:
                fields = open(f"/proc/{w}/stat").read().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])
            except (OSError, IndexError, ValueError):
                pass
        return total

    # MARK: access log

    def clear_log(self):
        open(self.access_log, "w").close()  # nginx appends (O_APPEND): truncating is enough

    def audit(self):
        return json.loads(sh(["python3", tool("audit.py"), self.path, "--json"]))

    def request_times(self):
        """(start, host) of every logged request, by start time (nginx times, 1 ms resolution)."""
        out = []
        with open(self.access_log, errors="replace") as f:
            for line in f:
                g = LOG_LINE.match(line)
                if g:
                    out.append((float(g.group(1)) - float(g.group(2)), g.group(3)))
        out.sort()
        return out

    def first_request_start(self):
        """The start time of the first logged request, or None while the log holds none."""
        with open(self.access_log, errors="replace") as f:
            starts = [float(g.group(1)) - float(g.group(2)) for g in map(LOG_LINE.match, f) if g]
        return min(starts) if starts else None
