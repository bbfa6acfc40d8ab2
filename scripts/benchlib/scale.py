"""Target 5: start-up and stats at scale. A job database grown to 1M URL rows (scale_db.py) on
the polite site: `crawl stats` and `crawl stats --json` wall time (median of 5), and the time
from exec of `crawl resume` to its first request in nginx's access log."""
import glob
import hashlib
import json
import os
import shutil
import signal
import subprocess
import time

from . import scale_db
from .env import CHILD_ENV, ROOT, Scratch, log, sh, wait_quiet
from .polite import FLAGS as POLITE_FLAGS
from .report import Target, median

RESUME_WAIT = 30.0  # seconds to wait for resume's first request before calling it a failure


def wall_of(cmd):
    """Wall seconds from exec to exit of cmd, its stdout, and its exit code."""
    t0 = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True, env=CHILD_ENV)
    return time.monotonic() - t0, p.stdout, p.returncode


def measure_resume(cfg, site, db, out, fs):
    """Execs `crawl resume`, polls the access log for its first request, then stops it with
    SIGTERM. Returns (seconds from exec to the first request's start or None, seconds until the
    harness saw it, exit code after SIGTERM)."""
    site.clear_log()
    with open(fs.join("resume.out"), "w") as o, open(fs.join("resume.err"), "w") as e:
        t0 = time.time()  # the wall clock, as nginx's $msec
        p = subprocess.Popen([cfg.crawl, "resume", "--db", db, "--out", out, "--quiet"],
                             stdin=subprocess.DEVNULL, stdout=o, stderr=e, env=CHILD_ENV)
        first = None
        while time.time() - t0 < RESUME_WAIT and p.poll() is None:
            first = site.first_request_start()
            if first is not None:
                break
            time.sleep(0.002)
        seen = time.time() - t0
        p.send_signal(signal.SIGTERM)
        try:
            code = p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
            code = p.wait()
    return (first - t0 if first is not None else None), seen, code


def template(cfg, site):
    """The generated database, kept in cfg.cache beside the site (building it takes 30-90 s): made
    again when the migrations or the generator change. Returns (path, summary of what it holds)."""
    sources = sorted(glob.glob(os.path.join(ROOT, "migrations", "*.sql"))) + [scale_db.__file__]
    key = hashlib.sha1(b"".join(open(p, "rb").read() for p in sources)).hexdigest()[:10]
    stem = os.path.join(cfg.cache, f"scale-{cfg.scale_rows}-{os.path.basename(site.path)}")
    path = f"{stem}-{key}.db"
    if not os.path.exists(path + ".json"):
        for old in glob.glob(f"{stem}-*.db*"):
            os.remove(old)
        log(f"building the {cfg.scale_rows:,}-row database into {path} (kept for later runs)")
        with Scratch("scale-build", cfg.tmpfs, "4G") as fs:
            db = fs.join("crawl.db")
            sh([cfg.crawl, "start", site.seed, "--db", db, "--out", fs.join("out"), "--max-fetches", "1", "--quiet"]
               + POLITE_FLAGS + site.allow_hosts())
            built = scale_db.build(db, site.path, cfg.scale_rows)
            shutil.copyfile(db, path)
        with open(path + ".json", "w") as f:
            json.dump(built, f)
    with open(path + ".json") as f:
        return path, json.load(f)


def run(cfg, site):
    print(f"\n== target 5, scale: a job database of {cfg.scale_rows:,} URL rows on the polite site's "
          f"{len(site.hosts)} hosts", flush=True)
    with site, Scratch("scale", cfg.tmpfs, "4G") as fs:
        db, out = fs.join("crawl.db"), fs.join("out")
        source, built = template(cfg, site)
        shutil.copyfile(source, db)
        print(f"database: a copy of {source}, built in {built['seconds']:.1f} s by scripts/benchlib/scale_db.py "
              f"on a job of `crawl start --max-fetches 1`: {built['rows']:,} rows "
              f"(done {built.get('done', 0):,}, failed {built.get('failed', 0):,}, skipped {built.get('skipped', 0):,}, "
              f"queued {built.get('queued', 0):,}), {built['fetches']:,} fetches rows, {built['mb']:.0f} MB", flush=True)

        quiet = wait_quiet(cfg.quiet_wait) if cfg.quiet_wait > 0 else None
        stats, stats_json, total, codes = [], [], None, set()
        for _ in range(5):
            seconds, _, code = wall_of([cfg.crawl, "stats", "--db", db])
            stats.append(seconds)
            codes.add(code)
            seconds, text, code = wall_of([cfg.crawl, "stats", "--db", db, "--json"])
            stats_json.append(seconds)
            codes.add(code)
            if code == 0:
                total = json.loads(text)["urls"]["total"]
        print(f"crawl stats: median {1000 * median(stats):.0f} ms (runs: {', '.join(f'{1000 * s:.0f}' for s in stats)}); "
              f"crawl stats --json: median {1000 * median(stats_json):.0f} ms "
              f"(runs: {', '.join(f'{1000 * s:.0f}' for s in stats_json)}); exit codes {sorted(codes)}; "
              f"urls.total {total}; quiet before: {({True: 'yes', False: 'BUSY', None: '-'})[quiet]}", flush=True)

        quiet = wait_quiet(cfg.quiet_wait) if cfg.quiet_wait > 0 else None
        first, seen, code = measure_resume(cfg, site, db, out, fs)
        first_text = f"{1000 * first:.0f} ms" if first is not None else f"no request within {RESUME_WAIT:.0f} s"
        print(f"crawl resume: first request {first_text} after exec (seen in the log after {1000 * seen:.0f} ms); "
              f"SIGTERM then: exit {code}; quiet before: {({True: 'yes', False: 'BUSY', None: '-'})[quiet]}",
              flush=True)

    return [
        Target("stats at scale: exit 0 and urls.total = the rows built", f"exit codes {sorted(codes)}, total {total}",
               codes == {0} and total == built["rows"], kind="check"),
        Target("5 crawl stats on 1M rows < 200 ms (median of 5)", f"{1000 * median(stats):.0f} ms "
               f"(--json {1000 * median(stats_json):.0f} ms)", max(median(stats), median(stats_json)) < 0.2),
        Target("5 crawl resume on 1M rows: first request < 1 s after exec", first_text,
               first is not None and first < 1.0),
    ]
