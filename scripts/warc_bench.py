#!/usr/bin/env python3
"""What --warc costs: crawl the bench site with and without WARC output, alternating (`make warc-bench`).

    scripts/warc_bench.py [--runs 3] [--site DIR] [--levels 1] [--export-rows 100000]

Generates the site with ../shared/bench/make_site.py (unless --site names one already made),
serves it with nginx (../shared/bench/serve.sh, 127.0.0.11-14:8088), then runs the release
binary as scripts/bench.py does (--concurrency 64 --per-host 16 --delay 0, the site's hosts
allowed), RUNS times without --warc and RUNS times with --warc at each --warc-gzip-level of
--levels, alternating, every run writing into a fresh tmpfs. Prints per run and the medians:
wall, pages/s, CPU, max RSS, WARC bytes, and the throughput cost of each level.

With --export-rows N it also crawls a site of about N URLs (4 hosts) and measures
`crawl export --format jsonl` on its database: max RSS and that the line count equals
`crawl stats` total. Loopback only. Needs root for the tmpfs mounts.
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


def timed(cmd, cwd, stdout=subprocess.DEVNULL):
    """Runs cmd under /usr/bin/time -v; returns (exit, wall s, cpu s, max rss MB)."""
    p = subprocess.run(["/usr/bin/time", "-v"] + cmd, cwd=cwd, stdout=stdout, stderr=subprocess.PIPE, text=True)

    def field(name):
        m = re.search(rf"{re.escape(name)}: (.+)", p.stderr)
        return m.group(1).strip() if m else "0"
    parts = [float(x) for x in field("Elapsed (wall clock) time (h:mm:ss or m:ss)").split(":")]
    wall = sum(v * 60 ** i for i, v in enumerate(reversed(parts)))
    cpu = float(field("User time (seconds)")) + float(field("System time (seconds)"))
    return p.returncode, wall, cpu, int(field("Maximum resident set size (kbytes)")) / 1024, p.stderr


class Tmpfs:
    def __init__(self, prefix, size="8G"):
        self.path = tempfile.mkdtemp(prefix=prefix)
        sh(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", self.path])

    def __enter__(self):
        return self.path

    def __exit__(self, *_):
        subprocess.run(["umount", self.path])
        shutil.rmtree(self.path, ignore_errors=True)


def crawl_command(crawl_bin, manifest, fs, extra):
    cmd = [crawl_bin, "start", manifest["seed"], "--db", f"{fs}/c.db", "--out", f"{fs}/out",
           "--concurrency", "64", "--per-host", "16", "--delay", "0", "--quiet"]
    for h in manifest["hosts"]:
        cmd += ["--allow-host", h]
    return cmd + extra


def run_one(label, level, manifest, crawl_bin):
    with Tmpfs(f"warc-bench-{label}-") as fs:
        extra = [] if level is None else ["--warc", f"{fs}/warc", "--warc-gzip-level", str(level)]
        code, wall, cpu, rss, err = timed(crawl_command(crawl_bin, manifest, fs, extra), fs)
        m = re.search(r"fetched (\d+)", err)
        fetched = int(m.group(1)) if m else 0
        warc = sum(os.path.getsize(os.path.join(fs, "warc", f)) for f in os.listdir(f"{fs}/warc")) if level is not None else 0
        return {"exit": code, "wall": wall, "cpu": cpu, "rss": rss, "fetched": fetched,
                "pages_s": fetched / wall if wall else 0, "warc": warc}


def ensure_site(path, hosts, pages, images, paragraphs=40):
    if not os.path.exists(os.path.join(path, "manifest.json")):
        sh([sys.executable, f"{BENCH}/make_site.py", path, "--hosts", str(hosts), "--pages", str(pages),
            "--images", str(images), "--paragraphs", str(paragraphs)])
    return json.load(open(os.path.join(path, "manifest.json")))


def serve(site):
    """Starts nginx on the site once port 8088 is free: another bench may be using the same
    fixed addresses, and its nginx is not ours to stop."""
    import socket
    import time
    for attempt in range(360):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.11", 8088)) != 0:
                break
        if attempt % 12 == 0:
            print("127.0.0.11:8088 is in use (another bench?); waiting", flush=True)
        time.sleep(5)
    else:
        raise SystemExit("127.0.0.11:8088 stayed in use for 30 minutes")
    sh([f"{BENCH}/serve.sh", "start", site])


def throughput(args, crawl_bin):
    site = args.site or os.path.join(tempfile.gettempdir(), "crawl-bench-site-4x2500")
    manifest = ensure_site(site, 4, 2500, 250)
    serve(site)
    labels = [("plain", None)] + [(f"warc-L{level}", level) for level in args.levels]
    results = {label: [] for label, _ in labels}
    try:
        for i in range(args.runs):
            for label, level in labels:
                r = run_one(label, level, manifest, crawl_bin)
                results[label].append(r)
                print(f"run {i + 1} {label:9} exit {r['exit']} wall {r['wall']:.2f} s  {r['pages_s']:.0f} pages/s  "
                      f"cpu {r['cpu']:.2f} s  rss {r['rss']:.0f} MB  warc {r['warc'] / 1e6:.1f} MB", flush=True)
    finally:
        subprocess.run([f"{BENCH}/serve.sh", "stop", site], capture_output=True)

    def med(label, key):
        return statistics.median(r[key] for r in results[label])
    print(f"\nmedians of {args.runs} runs ({manifest['counts']})")
    print(f"{'':9} {'wall s':>7} {'pages/s':>8} {'CPU s':>6} {'RSS MB':>7} {'WARC MB':>8} {'cost':>6}")
    for label, _ in labels:
        cost = 1 - med(label, "pages_s") / med("plain", "pages_s")
        print(f"{label:9} {med(label, 'wall'):7.2f} {med(label, 'pages_s'):8.0f} {med(label, 'cpu'):6.2f} "
              f"{med(label, 'rss'):7.0f} {med(label, 'warc') / 1e6:8.1f} {100 * cost:5.1f}%")


def export(args, crawl_bin):
    pages = max(2, args.export_rows // 4 - 100)
    site = os.path.join(tempfile.gettempdir(), f"crawl-bench-site-4x{pages}-light")
    manifest = ensure_site(site, 4, pages, 250, paragraphs=4)  # light pages: the export is what is measured
    serve(site)
    try:
        with Tmpfs("warc-bench-export-") as fs:
            code, wall, _, _, _ = timed(crawl_command(crawl_bin, manifest, fs, []), fs)
            print(f"crawl of {manifest['counts']}: exit {code} in {wall:.1f} s")
            stats = json.loads(sh([crawl_bin, "stats", "--db", f"{fs}/c.db", "--json"]).stdout)
            with open(f"{fs}/export.jsonl", "w") as out:
                code, wall, cpu, rss, _ = timed([crawl_bin, "export", "--db", f"{fs}/c.db", "--format", "jsonl"], fs, stdout=out)
            lines = sum(1 for _ in open(f"{fs}/export.jsonl"))
            size = os.path.getsize(f"{fs}/export.jsonl")
            print(f"export --format jsonl: exit {code}, {lines} lines ({size / 1e6:.1f} MB) in {wall:.2f} s, "
                  f"CPU {cpu:.2f} s, max RSS {rss:.1f} MB; stats total {stats['urls']['total']}: "
                  f"{'equal' if lines == stats['urls']['total'] else 'DIFFERENT'}")
    finally:
        subprocess.run([f"{BENCH}/serve.sh", "stop", site], capture_output=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3, help="0: only the export measurement")
    ap.add_argument("--site")
    ap.add_argument("--levels", default="1", help="comma-separated --warc-gzip-level values to measure")
    ap.add_argument("--export-rows", type=int, default=0, help="also measure crawl export on a crawl of about N URLs")
    ap.add_argument("--crawl", default=os.path.join(ROOT, ".build", "release", "crawl"))
    args = ap.parse_args()
    args.levels = [int(x) for x in args.levels.split(",") if x != ""]
    if args.runs > 0:
        throughput(args, args.crawl)
    if args.export_rows:
        export(args, args.crawl)


if __name__ == "__main__":
    main()
