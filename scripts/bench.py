#!/usr/bin/env python3
"""crawl against wget2 on the same loopback site, side by side (`make bench`).

    scripts/bench.py [--runs 3] [--site DIR] [--hosts 4 --pages 2500 --images 250]

Generates the site with ../shared/bench/make_site.py (unless --site names one already made),
serves it with nginx (../shared/bench/serve.sh), then runs crawl and wget2 alternately, RUNS
times each, every crawl writing into a fresh tmpfs (ext4 after mass deletion is slow and erratic).
For each run: /usr/bin/time -v (wall, CPU, max RSS) and audit.py (coverage, duplicates). Prints
the medians and the ratios against wget2. Loopback only. Needs root for the tmpfs mounts.
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(os.path.dirname(ROOT), "shared", "bench")


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, text=True, capture_output=True, **kw)


def timed(cmd, cwd):
    """Runs cmd under /usr/bin/time -v; returns (exit, wall s, cpu s, max rss MB)."""
    p = subprocess.run(["/usr/bin/time", "-v"] + cmd, cwd=cwd, text=True, capture_output=True)
    def field(name):
        m = re.search(rf"{re.escape(name)}: (.+)", p.stderr)
        return m.group(1).strip() if m else "0"
    wall = field("Elapsed (wall clock) time (h:mm:ss or m:ss)")
    parts = [float(x) for x in wall.split(":")]
    seconds = sum(v * 60 ** i for i, v in enumerate(reversed(parts)))
    cpu = float(field("User time (seconds)")) + float(field("System time (seconds)"))
    return p.returncode, seconds, cpu, int(field("Maximum resident set size (kbytes)")) / 1024


def run_one(peer, site, manifest, crawl_bin):
    fs = tempfile.mkdtemp(prefix=f"bench-{peer}-")
    sh(["mount", "-t", "tmpfs", "-o", "size=8G", "tmpfs", fs])
    try:
        open(manifest["access_log"], "w").close()
        hosts = manifest["hosts"]
        if peer == "crawl":
            cmd = [crawl_bin, "start", manifest["seed"], "--db", f"{fs}/c.db", "--out", f"{fs}/out",
                   "--concurrency", "64", "--per-host", "16", "--delay", "0", "--quiet"]
            for h in hosts:
                cmd += ["--allow-host", h]
        else:
            cmd = ["wget2", "-r", "-l", "inf", "--robots=on", "--span-hosts", f"--domains={','.join(hosts)}",
                   "--max-threads=16", "-q", "-P", f"{fs}/out", manifest["seed"]]
        code, wall, cpu, rss = timed(cmd, fs)
        audit = json.loads(sh([sys.executable, f"{BENCH}/audit.py", site, "--json"]).stdout)
        return {"exit": code, "wall": wall, "cpu": cpu, "rss": rss, "requests": audit["requests"],
                "req_s": audit["requests"] / wall if wall else 0, "duplicates": audit["duplicates"],
                "unexpected": audit["unexpected"],
                "coverage": all(v[0] == v[1] for v in audit["coverage"].values()),
                "coverage_text": " ".join(f"{k}={v[0]}/{v[1]}" for k, v in audit["coverage"].items())}
    finally:
        subprocess.run(["umount", fs])
        shutil.rmtree(fs, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--site")
    ap.add_argument("--hosts", type=int, default=4)
    ap.add_argument("--pages", type=int, default=2500)
    ap.add_argument("--images", type=int, default=250)
    ap.add_argument("--crawl", default=os.path.join(ROOT, ".build", "release", "crawl"))
    a = ap.parse_args()
    site = a.site or os.path.join(tempfile.gettempdir(), f"crawl-bench-site-{a.hosts}x{a.pages}")
    if not os.path.exists(os.path.join(site, "manifest.json")):
        sh([sys.executable, f"{BENCH}/make_site.py", site, "--hosts", str(a.hosts), "--pages", str(a.pages),
            "--images", str(a.images)])
    manifest = json.load(open(os.path.join(site, "manifest.json")))
    subprocess.run([f"{BENCH}/serve.sh", "stop", site], capture_output=True)
    sh([f"{BENCH}/serve.sh", "start", site])
    results = {"crawl": [], "wget2": []}
    try:
        for i in range(a.runs):
            for peer in ("crawl", "wget2"):
                r = run_one(peer, site, manifest, a.crawl)
                results[peer].append(r)
                print(f"run {i + 1} {peer:6} wall {r['wall']:.2f} s  {r['req_s']:.0f} req/s  cpu {r['cpu']:.2f} s  "
                      f"rss {r['rss']:.0f} MB  dup {r['duplicates']}  unexpected {r['unexpected']}  {r['coverage_text']}",
                      flush=True)
    finally:
        subprocess.run([f"{BENCH}/serve.sh", "stop", site], capture_output=True)

    def med(peer, key):
        return statistics.median(r[key] for r in results[peer])
    print(f"\nmedians of {a.runs} runs, site {a.hosts} hosts x {a.pages} pages ({manifest['counts']})")
    print(f"{'peer':6} {'wall s':>7} {'req/s':>7} {'CPU s':>6} {'CPU ms/req':>10} {'RSS MB':>7} {'dup':>4} {'unexp':>5} coverage")
    for peer in ("crawl", "wget2"):
        cpu_ms = 1000 * med(peer, "cpu") / max(1, med(peer, "requests"))
        full = all(r["coverage"] for r in results[peer])
        print(f"{peer:6} {med(peer, 'wall'):7.2f} {med(peer, 'req_s'):7.0f} {med(peer, 'cpu'):6.2f} {cpu_ms:10.3f} "
              f"{med(peer, 'rss'):7.0f} {med(peer, 'duplicates'):4.0f} {med(peer, 'unexpected'):5.0f} "
              f"{'complete' if full else 'INCOMPLETE'}")
    ratio = med("crawl", "req_s") / med("wget2", "req_s")
    cpu_ratio = (med("crawl", "cpu") / med("crawl", "requests")) / (med("wget2", "cpu") / med("wget2", "requests"))
    print(f"\ncrawl/wget2: throughput {ratio:.2f}x (target >= 1.1), CPU per request {cpu_ratio:.2f}x (target <= 1.5)")


if __name__ == "__main__":
    main()
