#!/usr/bin/env python3
"""crawl against wget2 (and Scrapy, if installed) on loopback sites, and the targets of issue 5 (`make bench`).

    scripts/bench.py [--only throughput,memory,polite,scale] [--runs 3] [--crawl BIN] [--port 8088]
                     [--cache /var/tmp/crawl-bench] [--quiet-wait 60] [--scale-rows 1000000]
    scripts/bench.py --smoke [--crawl BIN]

Parts (all by default):
  throughput  the default site (4 hosts x 2,500 pages x 250 images, port P): crawl, wget2 and Scrapy
              alternating, RUNS each, `--concurrency 64 --per-host 16 --delay 0`: wall, req/s, CPU s,
              CPU ms/request, max RSS, nginx CPU, audit coverage, duplicates, unexpected; targets 1, 2
  memory      target 3: one crawl of the 10x site (8 x 12,500 x 1,000, port P+10): peak RSS
  polite      target 4: one crawl of 8 hosts x 500 pages x 40 images (port P+11) at
              `--per-host 1 --delay 0.05`: rate, politeness, tail
  scale       target 5: a 1M-row job database on the polite site: `crawl stats`, `crawl resume`
Sites come from make_site.py (../shared/bench, else scripts/benchsite), are generated once into
--cache and served by nginx on 127.0.0.11+; ports in use by someone else stop the run. Every crawl
writes into a fresh tmpfs when run as root (plain temporary directories otherwise). Before each
timed run the harness waits up to --quiet-wait s for the machine to be idle; "BUSY" marks a run
that started on a busy machine, "other CPU s" the CPU used by everything else during it.
Exit status: 0, or 1 when a correctness check failed (coverage, duplicates, politeness, exit
codes) or the harness itself failed. Speed targets never change it: they are noisy, read them.

--smoke: the CI check (see benchlib/smoke.py): one small site on 127.0.0.141-142 and a free port,
crawl only, no timing; exit 1 unless the crawl is complete and exact.
"""
import argparse
import os
import signal
import subprocess
import sys
import time

from benchlib import memory, polite, scale, smoke, throughput
from benchlib.env import IS_ROOT, ROOT, BenchError, require, tools_origin
from benchlib.site import Site

PARTS = ("throughput", "memory", "polite", "scale")


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", default=",".join(PARTS), help="comma-separated parts: " + ", ".join(PARTS))
    ap.add_argument("--runs", type=int, default=3, help="runs per peer in the main table")
    ap.add_argument("--smoke", action="store_true", help="the CI check: small site, crawl only, no timing")
    ap.add_argument("--crawl", default=os.path.join(ROOT, ".build", "release", "crawl"), help="the crawl binary")
    ap.add_argument("--port", type=int, default=8088, help="default site's port; the 10x site P+10, the polite site P+11")
    ap.add_argument("--cache", default="/var/tmp/crawl-bench", help="where generated sites are kept")
    ap.add_argument("--quiet-wait", type=float, default=60, help="max seconds to wait for an idle machine before a run")
    ap.add_argument("--scale-rows", type=int, default=1_000_000, help="URL rows of target 5's database")
    a = ap.parse_args()
    a.only = [p.strip() for p in a.only.split(",") if p.strip()]
    unknown = [p for p in a.only if p not in PARTS]
    if unknown or a.runs < 1:
        ap.error(f"unknown part {unknown[0]}" if unknown else "--runs must be at least 1")
    a.crawl = os.path.abspath(a.crawl)
    if not os.access(a.crawl, os.X_OK):
        ap.error(f"no crawl binary at {a.crawl} (swift build -c release, or --crawl)")
    a.tmpfs = IS_ROOT and not a.smoke
    if a.smoke:
        a.quiet_wait = 0
    return a


def site(cfg, hosts, pages, images, port):
    return Site.ensure(os.path.join(cfg.cache, f"site-{hosts}x{pages}x{images}-p{port}"), hosts, pages, images, port)


def header(cfg):
    commit = subprocess.run(["git", "-C", ROOT, "log", "-1", "--format=%h %s"], capture_output=True, text=True).stdout
    print(f"crawl bench {time.strftime('%Y-%m-%d %H:%M:%S')}: {cfg.crawl} (commit {commit.strip()[:72]})")
    print(f"machine: {os.cpu_count()} CPUs, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
          f"tools: {tools_origin()}; crawl output on {'tmpfs' if cfg.tmpfs else 'plain temporary directories'}; "
          f"quiet wait up to {cfg.quiet_wait:.0f} s", flush=True)


def bench(cfg):
    """Runs the parts asked for; returns every target and check."""
    require("nginx", "install nginx-light (make bench does)")
    targets, crawl_runs = [], []
    default_site = site(cfg, 4, 2500, 250, cfg.port) if {"throughput", "memory"} & set(cfg.only) else None
    if "throughput" in cfg.only:
        require("wget2", "install wget2 (make bench does)")
        with default_site:
            found, crawl_runs = throughput.run(cfg, default_site)
        targets += found
    if "memory" in cfg.only:
        big = site(cfg, 8, 12500, 1000, cfg.port + 10)
        reference, how = memory.default_peak(cfg, default_site, crawl_runs)
        targets += memory.run(cfg, big, reference, how)
    if {"polite", "scale"} & set(cfg.only):
        polite_site = site(cfg, 8, 500, 40, cfg.port + 11)
        if "polite" in cfg.only:
            targets += polite.run(cfg, polite_site)
        if "scale" in cfg.only:
            targets += scale.run(cfg, polite_site)
    return targets


def main():
    cfg = parse_args()
    os.umask(0o022)  # nginx's workers (nobody, when started as root) must read the generated sites
    # SIGTERM (a test's timeout, Ctrl-C's cousin) unwinds like an exception: nginx stopped, tmpfs unmounted.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    t0 = time.monotonic()
    try:
        if cfg.smoke:
            targets = smoke.run(cfg)
        else:
            header(cfg)
            targets = bench(cfg)
    except BenchError as e:
        print(f"bench: {e}", file=sys.stderr)
        return 1
    print(f"\n== {'smoke checks' if cfg.smoke else 'targets'} ({time.monotonic() - t0:.0f} s)")
    for kind in ("check", "target"):
        for t in targets:
            if t.kind == kind:
                print(t.line())
    if not cfg.smoke:
        print("(targets are speed and memory ratios on a shared machine: noisy; checks are correctness)")
    failed = [t for t in targets if t.kind == "check" and not t.met]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
