#!/usr/bin/env python3
"""Crash torture (`make torture`): kill -9 a crawl of the bench site at random moments, resume it
each time, then check that nothing was lost and little was fetched twice.

    scripts/torture.py [--kills 10] [--seed 1] [--site DIR] [--concurrency 64] [--per-host 16]
                       [--crawl BIN] [--work DIR] [--keep] [--port-wait 600]

Generates the bench site with make_site.py (../shared/bench, else scripts/benchsite; unless --site
names one already made), serves it with nginx on 127.0.0.11-14:8088 (serve.sh; if the port is taken,
by someone else's nginx, waits up to --port-wait seconds for it to be free), and runs
`crawl start`, then `crawl resume` after each kill. Kill moments are request counts in nginx's
access log, drawn from a seeded generator (--seed): the crawl is killed as soon as the log holds
that many lines, so a run repeats closely whatever the machine's speed.

After each kill it notes the temp files the kill left in OUT/tmp;
after the following run, the requests that run repeated (the duplicates that kill caused). The
final `crawl resume` must drain the frontier. Then, checked:
  * nginx's log (audit.py): every expected URL requested, nothing disallowed or
    unexpected, duplicates <= kills x 2 x concurrency (each kill's <= 2 x concurrency: the fetches
    started and not yet committed);
  * the database: PRAGMA integrity_check is ok; every manifest URL has its row in the expected
    state (page/image done 200, redirect done 301, missing failed 404, disallowed skipped for
    robots); nothing queued or in flight; every run but the last ended `interrupted`;
  * OUT: every done 200 row's body file exists with its size and SHA-256; OUT/tmp is empty; every
    file is a body stored under its own hash (ab/abcd...).
Prints one line per kill and a summary; exits 0 when every check passes, 1 otherwise.
Loopback only. The work directory (DB and bodies) is removed at the end unless --keep.
"""
import argparse
import hashlib
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

from benchlib.env import nginx_temp_dir

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The team's bench tools (../shared/bench), else the copy vendored for fresh clones.
SHARED_BENCH = os.path.join(os.path.dirname(ROOT), "shared", "bench")
BENCH = SHARED_BENCH if os.path.exists(os.path.join(SHARED_BENCH, "make_site.py")) else os.path.join(ROOT, "scripts", "benchsite")
HEX64 = re.compile(r"[0-9a-f]{64}")


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, text=True, capture_output=True, **kw)


def port_in_use(port):
    out = subprocess.run(["ss", "-ltnH"], text=True, capture_output=True).stdout
    return any(line.split()[3].endswith(f":{port}") for line in out.splitlines() if len(line.split()) > 3)


class LogCounter:
    """Counts the lines of a growing log by reading only what was appended."""

    def __init__(self, path):
        self.file = open(path, "rb")
        self.lines = 0

    def count(self):
        chunk = self.file.read()
        if chunk:
            self.lines += chunk.count(b"\n")
        return self.lines


def kill_points(rng, kills, lo, hi, gap):
    """`kills` sorted request counts in [lo, hi], at least `gap` apart."""
    slack = hi - lo - gap * (kills - 1)
    if slack < 0:
        raise SystemExit(f"site too small for {kills} kills {gap} requests apart")
    offsets = sorted(rng.randint(0, slack) for _ in range(kills))
    return [lo + off + i * gap for i, off in enumerate(offsets)]


def serve(site, port, patience):
    """Starts nginx on the site once the port is free (another crawl's nginx may hold it)."""
    waited = 0
    while True:
        if not port_in_use(port):
            started = subprocess.run([f"{BENCH}/serve.sh", "start", site], text=True, capture_output=True)
            if started.returncode == 0:
                return
            if not port_in_use(port):  # failed for another reason than a race for the port
                raise SystemExit(f"serve.sh start failed: {started.stderr.strip()}")
        if waited >= patience:
            raise SystemExit(f"port {port} still in use after {waited} s (someone else's nginx?)")
        if waited == 0:
            print(f"port {port} in use; waiting up to {patience} s", flush=True)
        time.sleep(5)
        waited += 5


def audit(site):
    return json.loads(sh([sys.executable, f"{BENCH}/audit.py", site, "--json"]).stdout)


def read_only(db):
    """A connection that reads a (possibly just killed) WAL database without checkpointing it."""
    return sqlite3.connect(f"file:{db}?mode=ro", uri=True)


def canon(url):
    return re.sub(r"%[0-9a-fA-F]{2}", lambda m: m.group(0).upper(), url)


def check_rows(db, manifest):
    """Problems with the URL rows, compared with the manifest."""
    want = {}
    for cat, state, status, kind in (("page", "done", 200, None), ("image", "done", 200, None),
                                     ("redirect", "done", 301, None), ("missing", "failed", 404, None),
                                     ("disallowed", "skipped", None, "robots")):
        for url in manifest["urls"].get(cat, []):
            want[canon(url)] = (state, status, kind)
    con = read_only(db)
    rows = {canon(u): (s, st, k) for u, s, st, k in con.execute("SELECT url, state, status, error_kind FROM urls")}
    unfinished = con.execute("SELECT count(*) FROM urls WHERE state IN ('queued', 'in_flight')").fetchone()[0]
    reasons = [r for (r,) in con.execute("SELECT coalesce(end_reason, 'NULL') FROM runs ORDER BY id")]
    con.close()
    problems = []
    for url, (state, status, kind) in sorted(want.items()):
        got = rows.get(url)
        if got is None:
            problems.append(f"{url}: no row")
        elif got[0] != state or (status is not None and got[1] != status) or (kind is not None and got[2] != kind):
            problems.append(f"{url}: {got} (want {state} {status or ''} {kind or ''})")
    if unfinished:
        problems.append(f"{unfinished} rows still queued or in flight")
    return problems, reasons


def check_bodies(db, out):
    """(bodies checked, problems): every done 200 row's file, OUT/tmp empty, no stray file."""
    con = read_only(db)
    rows = con.execute("SELECT url, bytes, content_hash, body_path FROM urls WHERE state = 'done' AND status = 200").fetchall()
    con.close()
    problems = []
    checked = 0
    for url, size, digest, path in rows:
        if not path or not digest:
            problems.append(f"{url}: done without body_path/content_hash")
            continue
        full = os.path.join(out, path)
        try:
            with open(full, "rb") as f:
                data = f.read()
        except OSError as e:
            problems.append(f"{url}: body {path} missing ({e.strerror})")
            continue
        checked += 1
        if len(data) != size:
            problems.append(f"{url}: {path} has {len(data)} bytes, row says {size}")
        if hashlib.sha256(data).hexdigest() != digest:
            problems.append(f"{url}: {path} does not hash to {digest[:12]}")
    leftovers = os.listdir(os.path.join(out, "tmp")) if os.path.isdir(os.path.join(out, "tmp")) else []
    problems += [f"temp file left: tmp/{name}" for name in leftovers]
    for directory, _, files in os.walk(out):
        rel_dir = os.path.relpath(directory, out)
        if rel_dir == "tmp":
            continue
        for name in files:
            rel = os.path.join(rel_dir, name)
            parts = rel.split(os.sep)
            if not (len(parts) == 2 and HEX64.fullmatch(name) and name.startswith(parts[0])):
                problems.append(f"stray file under --out: {rel}")
            else:
                with open(os.path.join(directory, name), "rb") as f:
                    if hashlib.sha256(f.read()).hexdigest() != name:
                        problems.append(f"{rel}: content does not match its name")
    return checked, problems


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kills", type=int, default=10)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--site")
    ap.add_argument("--concurrency", type=int, default=64)
    ap.add_argument("--per-host", type=int, default=16)
    ap.add_argument("--crawl", default=os.path.join(ROOT, ".build", "release", "crawl"))
    ap.add_argument("--work", help="where the database and bodies go (default: a fresh folder in /tmp)")
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    ap.add_argument("--port-wait", type=int, default=600, help="seconds to wait for port 8088 to be free")
    a = ap.parse_args()

    site = a.site or os.path.join(nginx_temp_dir(), "crawl-torture-site")  # nginx's workers must reach it
    if not os.path.exists(os.path.join(site, "manifest.json")):
        sh([sys.executable, f"{BENCH}/make_site.py", site])
    manifest = json.load(open(os.path.join(site, "manifest.json")))
    serve(site, manifest["port"], a.port_wait)
    work = a.work or tempfile.mkdtemp(prefix="crawl-torture-")
    os.makedirs(work, exist_ok=True)
    db, out = os.path.join(work, "crawl.db"), os.path.join(work, "out")
    try:
        return torture(a, site, manifest, db, out, work)
    finally:
        subprocess.run([f"{BENCH}/serve.sh", "stop", site], capture_output=True)
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"kept {work}")


def torture(a, site, manifest, db, out, work):
    expected = sum(len(manifest["urls"][c]) for c in ("page", "image", "missing", "redirect", "robots"))
    points = kill_points(random.Random(a.seed), a.kills, expected // 20, expected * 9 // 10, max(50, expected // (4 * a.kills)))
    open(manifest["access_log"], "w").close()
    log = LogCounter(manifest["access_log"])
    cmd = [a.crawl, "start", manifest["seed"], "--db", db, "--out", out, "--concurrency", str(a.concurrency),
           "--per-host", str(a.per_host), "--delay", "0", "--quiet"]
    for host in manifest["hosts"]:
        cmd += ["--allow-host", host]
    print(f"crash torture: {a.kills} kills (seed {a.seed}) of a crawl of {expected} URLs, --concurrency {a.concurrency}; "
          f"kill points (requests): {points}", flush=True)
    kills = []  # per kill: point, reached, temp files
    dup_before = 0
    dups = []
    failures = []
    started = time.monotonic()
    for i, point in enumerate(points):
        stderr = open(os.path.join(work, f"run-{i}.stderr"), "w")
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=stderr)
        deadline = time.monotonic() + 300
        while log.count() < point and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.001)
        if proc.poll() is not None:
            failures.append(f"run {i} ended by itself (exit {proc.returncode}) before kill point {point} "
                            f"(log: {log.count()}); see {stderr.name}")
            break
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        reached = log.count()
        time.sleep(0.05)  # let nginx log the requests the dead crawler had in flight
        dup_now = audit(site)["duplicates"]
        if i > 0:
            dups.append(dup_now - dup_before)
        elif dup_now:
            failures.append(f"the first run, before any kill, repeated {dup_now} requests")
        dup_before = dup_now
        tmp = os.path.join(out, "tmp")
        temps = len(os.listdir(tmp)) if os.path.isdir(tmp) else 0
        kills.append((point, reached, temps))
        cmd = [a.crawl, "resume", "--db", db, "--quiet"]

    final = subprocess.run(cmd, text=True, capture_output=True, timeout=600)
    seconds = time.monotonic() - started
    if final.returncode != 0:
        failures.append(f"final resume exited {final.returncode}: {final.stderr.strip()[-500:]}")
    report = audit(site)
    dups.append(report["duplicates"] - dup_before)

    # What one kill may cost again: the fetches started and not yet committed.
    per_kill = 2 * a.concurrency
    print(f"{'kill':>4} {'at req':>7} {'reached':>7} {'temp files':>10} {'re-fetched next run':>19}")
    for i, (point, reached, temps) in enumerate(kills):
        d = dups[i] if i < len(dups) else None
        print(f"{i + 1:>4} {point:>7} {reached:>7} {temps:>10} {d if d is not None else '-':>19}")
        if d is not None and d > per_kill:
            failures.append(f"kill {i + 1}: {d} duplicates > 2 x --concurrency = {per_kill}")

    cover = report["coverage"]
    incomplete = {k: v for k, v in cover.items() if v[0] != v[1]}
    if incomplete:
        failures.append(f"coverage incomplete: {incomplete}")
    if report["disallowed_requested"]:
        failures.append(f"{report['disallowed_requested']} disallowed URLs requested")
    if report["unexpected"]:
        failures.append(f"{report['unexpected']} unexpected URLs requested: {report['unexpected_sample'][:3]}")
    bound = a.kills * per_kill
    if report["duplicates"] > bound:
        failures.append(f"{report['duplicates']} duplicates > kills x 2 x concurrency = {bound}")

    con = read_only(db)
    integrity = [r for (r,) in con.execute("PRAGMA integrity_check")]
    con.close()
    if integrity != ["ok"]:
        failures.append(f"integrity_check: {integrity[:5]}")
    row_problems, reasons = check_rows(db, manifest)
    failures += row_problems[:20]
    want_reasons = ["interrupted"] * len(kills) + ["drained"]
    if reasons != want_reasons:
        failures.append(f"run end reasons {reasons}, want {want_reasons}")
    checked, body_problems = check_bodies(db, out)
    failures += body_problems[:20]

    print(f"requests {report['requests']} in {seconds:.1f} s over {len(reasons)} runs; coverage "
          + " ".join(f"{k}={v[0]}/{v[1]}" for k, v in cover.items()))
    print(f"duplicates {report['duplicates']} (bound {bound} = {a.kills} kills x 2 x {a.concurrency}); per kill {dups}")
    print(f"integrity_check {' '.join(integrity[:3])}; rows {'as expected' if not row_problems else f'{len(row_problems)} wrong'}; "
          f"bodies checked {checked}, problems {len(body_problems)}; temp files left "
          f"{len(os.listdir(os.path.join(out, 'tmp'))) if os.path.isdir(os.path.join(out, 'tmp')) else 0}")
    if failures:
        print("FAILED:")
        for f in failures:
            print("  " + f)
        return 1
    print("torture passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
