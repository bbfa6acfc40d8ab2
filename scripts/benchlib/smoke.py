"""`bench.py --smoke`, the harness in CI: one small site on its own addresses and a free port,
crawl only, one run in plain temporary directories (no root, no tmpfs), then a small job
database from the scale generator read back by `crawl stats --json`. Correctness only, no timing:
coverage complete, no duplicate, unexpected or disallowed request, crawl exits 0, the generated
database has the rows asked for. nginx and every file are gone when it returns."""
import json
import os
import shutil
import socket
import tempfile

from . import scale_db
from .env import BenchError, Scratch, nginx_temp_dir, require, sh
from .peers import run_peer
from .report import Target
from .site import Site

# 127.0.0.11-18 belong to the bench sites and the demo, 21-134 to the integration tests' servers.
HOSTS = ("127.0.0.141", "127.0.0.142")
SCALE_ROWS = 3000


def free_port(hosts):
    """A port free on every one of `hosts` right now (the kernel picks it for the first one)."""
    for _ in range(20):
        with socket.socket() as s:
            s.bind((hosts[0], 0))
            port = s.getsockname()[1]
        try:
            for h in hosts:
                with socket.socket() as s:
                    s.bind((h, port))
            return port
        except OSError:
            continue
    raise BenchError(f"no port free on all of {', '.join(hosts)}")


def run(cfg):
    """Prints what it checked; returns the targets (all of kind "check")."""
    require("nginx", "install nginx-light (make deps)")
    root = tempfile.mkdtemp(prefix="crawl-bench-smoke-", dir=nginx_temp_dir())
    try:
        os.chmod(root, 0o755)  # nginx's workers (nobody, under root) read the site
        site = Site.ensure(f"{root}/site", len(HOSTS), 60, 10, free_port(HOSTS), first_ip=int(HOSTS[0].rsplit(".", 1)[1]))
        print(f"smoke: {site.expected} requests expected on {', '.join(site.hosts)} port {site.port}", flush=True)
        with site:
            r = run_peer(cfg, "crawl", site)
            print(r.line("smoke"), flush=True)
            with Scratch("smoke-scale", tmpfs=False) as fs:
                db = fs.join("crawl.db")
                sh([cfg.crawl, "start", site.seed, "--db", db, "--out", fs.join("out"), "--max-fetches", "1", "--quiet"]
                   + site.allow_hosts())
                built = scale_db.build(db, site.path, SCALE_ROWS)
                stats = json.loads(sh([cfg.crawl, "stats", "--db", db, "--json"]))
        urls = stats["urls"]
        print(f"scale generator: {built['rows']} rows; crawl stats --json: total {urls['total']}, "
              f"queued {urls['queued']}, done {urls['done']}, failed {urls['failed']}, skipped {urls['skipped']}")
        return [
            Target("smoke crawl: coverage complete, 0 duplicates, 0 unexpected, 0 disallowed, exit 0", r.correct,
                   r.correct == "ok", kind="check"),
            Target(f"scale generator: {SCALE_ROWS} rows, read back by crawl stats --json",
                   f"total {urls['total']}, queued {urls['queued']}",
                   urls["total"] == SCALE_ROWS == built["rows"] and urls["queued"] > 0, kind="check"),
        ]
    finally:
        shutil.rmtree(root, ignore_errors=True)
