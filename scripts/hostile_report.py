#!/usr/bin/env python3
"""What crawl does on the hostile site, trap by trap (`make hostile`).

    scripts/hostile_report.py [--crawl .build/release/crawl] [--profile test|defaults] [--keep]

Starts Tests/Fixtures/hostile_server.py on 127.0.0.131-134, crawls it with the given binary into
a scratch directory, and prints, for every trap: the row's final state and reason, the requests
the server received for it, the bytes the server sent (what crawl accepted is at most that; a
cut transfer also leaves some in socket buffers), and the time from the first request's arrival
to the last exchange's end (the time crawl took to give up, retries and backoff included). Then
the trap hosts' requests and skipped rows, and the run: wall time, exit, end reason and the
kernel's peak RSS for the crawl process (wait4).

Profiles (every option but these is crawl's default):
  test       what the integration test runs: --delay 0 --concurrency 8 --timeout 4
             --low-speed-time 2 --retries 0 --max-body 8388608 --max-pages-per-host 80
  defaults   --delay 0 --max-pages-per-host 80 only: default timeouts (30 s), 3 retries, and
             the 50 MiB --max-body (the 50 MB image is accepted and stored); takes minutes
"""
import argparse
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SERVER = os.path.join(ROOT, "Tests", "Fixtures", "hostile_server.py")
HOSTS = ["127.0.0.131", "127.0.0.132", "127.0.0.133", "127.0.0.134"]
PROFILES = {
    "test": ["--delay", "0", "--concurrency", "8", "--timeout", "4", "--low-speed-time", "2", "--retries", "0",
             "--max-body", str(8 << 20), "--max-pages-per-host", "80"],
    "defaults": ["--delay", "0", "--max-pages-per-host", "80"],
}


def start_server(scratch):
    log, manifest = os.path.join(scratch, "requests.jsonl"), os.path.join(scratch, "manifest.json")
    server = subprocess.Popen([sys.executable, SERVER, "--hosts", ",".join(HOSTS), "--log", log, "--manifest", manifest],
                              stdout=subprocess.PIPE, text=True)
    line = server.stdout.readline()
    if not line:
        raise SystemExit("hostile_server.py did not start")
    with open(manifest, encoding="utf-8") as f:
        return server, json.loads(line), json.load(f), log


def run_crawl(binary, args, cwd, stderr_path):
    """Runs crawl to completion; (exit code, wall seconds, peak RSS MiB) from wait4. Interrupted,
    it kills crawl before leaving."""
    started = time.monotonic()
    with open(stderr_path, "w") as err:
        proc = subprocess.Popen([binary] + args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err)
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:
            proc.kill()
            proc.wait()
            raise
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, time.monotonic() - started, usage.ru_maxrss / 1024


def settle(log, quiet=1.5, limit=20):
    """Waits until the server's log stops growing (dripping answers end a second after crawl leaves)."""
    deadline, size, since = time.monotonic() + limit, -1, time.monotonic()
    while time.monotonic() < deadline:
        now = os.path.getsize(log) if os.path.exists(log) else 0
        if now != size:
            size, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return
        time.sleep(0.1)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--crawl", default=os.path.join(ROOT, ".build", "release", "crawl"))
    ap.add_argument("--profile", choices=sorted(PROFILES), default="test")
    ap.add_argument("--keep", action="store_true", help="keep the scratch directory")
    a = ap.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # unwind: stop crawl and the server
    scratch = tempfile.mkdtemp(prefix="crawl-hostile-")
    server, startup, manifest, log = start_server(scratch)
    try:
        os.makedirs(os.path.join(scratch, "cwd"))
        db = os.path.join(scratch, "crawl.db")
        args = ["start", manifest["seed"], "--db", db, "--out", os.path.join(scratch, "out")]
        for host in HOSTS[1:]:
            args += ["--allow-host", f"{host}:{startup['port']}"]
        args += PROFILES[a.profile]
        code, wall, rss = run_crawl(a.crawl, args, os.path.join(scratch, "cwd"), os.path.join(scratch, "crawl.stderr"))
        settle(log)
        report(manifest, db, log, a.profile, code, wall, rss)
    finally:
        server.terminate()
        server.wait()
        if a.keep:
            print(f"kept {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)


def report(manifest, db, log, profile, code, wall, rss):
    with open(log, encoding="utf-8") as f:
        requests = [json.loads(line) for line in f if line.strip()]
    by_url = {}
    for r in requests:
        if r.get("target") is not None:
            by_url.setdefault(f"http://{r['addr']}:{r['port']}{r['target']}", []).append(r)
    con = sqlite3.connect(db)
    rows = {url: (state, kind, status, nbytes, error) for url, state, kind, status, nbytes, error in
            con.execute("SELECT url, state, error_kind, status, bytes, error FROM urls")}
    print(f"profile {profile}: {' '.join(PROFILES[profile])}")
    print(f"{'trap':20} {'final':26} {'req':>3} {'sent by server':>15} {'gave up after':>13}  detail")
    for name, trap in manifest["traps"].items():
        state, kind, status, nbytes, error = rows.get(trap["url"], ("no row", None, None, None, None))
        exchanges = by_url.get(trap["url"], [])
        sent = sum(r["bytes"] for r in exchanges)
        span = (max(r["t1"] for r in exchanges) - min(r["t0"] for r in exchanges)) if exchanges else 0
        final = f"{state}/{kind or '-'}"
        detail = (error or (f"{nbytes} bytes stored" if nbytes is not None else ""))[:70]
        print(f"{name:20} {final:26} {len(exchanges):>3} {sent:>15,} {span:>12.2f}s  {detail}")
    print()
    for name, origin in manifest["trap_hosts"].items():
        sent = [r for r in requests if f"http://{r['addr']}:{r['port']}" == origin and r.get("target") != "/robots.txt"]
        counts = dict(con.execute(
            "SELECT state || '/' || coalesce(error_kind, '-'), count(*) FROM urls WHERE url LIKE ? GROUP BY 1",
            (origin + "/%",)).fetchall())
        span = (max(r["t1"] for r in sent) - min(r["t0"] for r in sent)) if sent else 0
        print(f"trap host {name:6} {len(sent):>4} requests in {span:6.2f}s, {sum(r['bytes'] for r in sent):>12,} bytes sent; rows {counts}")
    good = manifest["good"]
    fetched_once = sum(1 for url in good if len(by_url.get(url, [])) == 1 and rows.get(url, ("",))[0] == "done")
    not_http = [r for r in requests if r.get("target") is None]
    end = con.execute("SELECT end_reason FROM runs ORDER BY id DESC LIMIT 1").fetchone()
    print(f"good pages done and requested once: {fetched_once}/{len(good)}; non-HTTP connections: {len(not_http)}")
    print(f"run: exit {code}, end {end[0] if end else '?'}, {wall:.1f} s wall, peak RSS {rss:.1f} MiB, "
          f"{len(requests)} requests, {len(rows)} rows")


if __name__ == "__main__":
    main()
