#!/usr/bin/env python3
"""Grow a crawl job database to N URL rows, for target 5 (`crawl stats` and `crawl resume` at scale).

    scale_db.py DB SITE_DIR [--rows 1000000] [--seed 1]

DB must hold a job made by `crawl start SEED --max-fetches 1 ...` against the site in SITE_DIR
(make_site.py). In one transaction (Python's sqlite3), this adds:
  * queued rows: every page, image, missing and redirect URL of the site's manifest that is not a
    row yet, due now, so that `crawl resume` has real work on the site's hosts;
  * history rows up to N in all, spread over the site's hosts, as a month of crawling would
    leave them: 83% pages done 200 (text/html, size, SHA-256, body path, ETag, Last-Modified), 12%
    images done 200, 2% redirects done 301 (redirect_to), 2% failed 404 (http_404), 1% skipped by
    robots.txt; each with its depth and the row it was found on (a tree, 8 children per row);
  * one `fetches` row per fetched history row (outcome new, or error for the 404s), the counters
    of the job's run and of each host, as crawl itself keeps them.
Then `PRAGMA optimize`, as crawl runs when it closes a database. The schema is crawl's own (the
migrations ran in `crawl start`); only its columns and CHECK values are used.
"""
import argparse
import json
import os
import random
import sqlite3
import time

MIX = (("page", 0.83), ("image", 0.12), ("redirect", 0.02), ("missing", 0.02), ("robots", 0.01))
DAY = 86400.0


def history_rows(first_id, count, host_ids, origins, parent_of_first, depth_of_first, rng, now):
    """Yields (url row, fetch row or None) for `count` history rows with ids from `first_id`."""
    cumulative, acc = [], 0.0
    for kind, share in MIX:
        acc += share
        cumulative.append((acc, kind))
    depth = bytearray(count)
    start = now - 30 * DAY
    step = 30 * DAY / max(1, count)
    for k in range(count):
        row_id = first_id + k
        parent = parent_of_first if k == 0 else first_id + (k - 1) // 8
        d = depth_of_first + 1 if k == 0 else min(255, depth[(k - 1) // 8] + 1)
        depth[k] = d
        h = k % len(host_ids)
        origin, host_id = origins[h], host_ids[h]
        fetched = start + k * step
        found = fetched - rng.random() * 3600
        x = rng.random()
        category = next(kind for bound, kind in cumulative if x < bound or bound == cumulative[-1][0])
        if category in ("page", "image"):
            if category == "page":
                url, ctype, size = f"{origin}/archive/{k}.html", "text/html", int(rng.lognormvariate(9.8, 0.3))
            else:
                ext = "png" if k % 2 else "jpg"
                url, ctype, size = f"{origin}/media/{k}.{ext}", f"image/{'png' if k % 2 else 'jpeg'}", \
                    int(min(200_000, rng.lognormvariate(9.6, 0.9)))
            digest = f"{rng.getrandbits(256):064x}"
            modified = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(fetched - rng.random() * 90 * DAY))
            yield ((row_id, url, host_id, "done", category, d, parent, found, 1, 0.0, 200, ctype, size, digest,
                    f"{digest[:2]}/{digest}", f'"{rng.getrandbits(32):x}-{size:x}"', modified, None,
                    fetched, None, None, 0),
                   (row_id, fetched, 200, size, digest, "new"))
        elif category == "redirect":
            yield ((row_id, f"{origin}/old-archive/{k}.html", host_id, "done", "page", d, parent, found, 1, 0.0, 301,
                    "text/html", 169, None, None, None, None, f"{origin}/archive/{k}.html", fetched, None, None, 0),
                   (row_id, fetched, 301, 169, None, "new"))
        elif category == "missing":
            yield ((row_id, f"{origin}/gone-archive/{k}.html", host_id, "failed", "page", d, parent, found, 1, 0.0, 404,
                    "text/html", 153, None, None, None, None, None, fetched, "http_404", "HTTP 404", 0),
                   (row_id, fetched, 404, 153, None, "error"))
        else:
            yield ((row_id, f"{origin}/private/archive-{k}.html", host_id, "skipped", "page", d, parent, found, 0, 0.0,
                    None, None, None, None, None, None, None, None, fetched, "robots", "disallowed by robots.txt", 0),
                   None)


def build(db, site_dir, rows=1_000_000, seed=1):
    """Adds rows to the job in `db` until `urls` holds `rows`; returns a summary dict."""
    with open(os.path.join(site_dir, "manifest.json")) as f:
        m = json.load(f)
    rng = random.Random(seed)
    now = time.time()
    con = sqlite3.connect(db, isolation_level=None)
    try:
        existing = {u for (u,) in con.execute("SELECT url FROM urls")}
        if len(existing) > 1000:
            raise ValueError(f"{db} already holds {len(existing)} URL rows: give it a fresh job")
        (run_id,) = con.execute("SELECT max(id) FROM runs").fetchone()
        (seed_id,) = con.execute("SELECT min(id) FROM urls").fetchone()
        origins = [f"http://{h}:{m['port']}" for h in m["hosts"]]
        con.execute("BEGIN")
        con.executemany("INSERT OR IGNORE INTO hosts (origin) VALUES (?)", [(o,) for o in origins])
        host_id = dict(con.execute("SELECT origin, id FROM hosts"))
        host_ids = [host_id[o] for o in origins]
        (next_id,) = con.execute("SELECT coalesce(max(id), 0) + 1 FROM urls").fetchone()

        queued = []
        for category, kind in (("page", "page"), ("image", "image"), ("missing", "page"), ("redirect", "page")):
            for url in m["urls"][category]:
                if url not in existing:
                    origin = url.split("/", 3)
                    origin = f"{origin[0]}//{origin[2]}"
                    queued.append((next_id, url, host_id[origin], "queued", kind, rng.randint(1, 12), seed_id,
                                   now - rng.random() * 600) + (0, 0.0) + (None,) * 11 + (0,))
                    next_id += 1
        history = max(0, rows - len(existing) - len(queued))
        columns = ("id, url, host_id, state, kind, depth, parent_id, discovered_at, attempts, next_attempt_at, status, "
                   "content_type, bytes, content_hash, body_path, etag, last_modified, redirect_to, fetched_at, "
                   "error_kind, error, redirect_hops")
        insert_url = f"INSERT INTO urls ({columns}) VALUES ({', '.join('?' * 22)})"
        counts = {"done": 0, "failed": 0, "skipped": 0}
        per_host = {h: [0, 0] for h in host_ids}
        totals = {"bytes": 0, "new_pages": 0}
        fetch_rows = []

        def rows_with_tally():
            for url_row, fetch_row in history_rows(next_id, history, host_ids, origins, seed_id, 0, rng, now):
                counts[url_row[3]] += 1
                if fetch_row:
                    per_host[url_row[2]][0] += 1
                    if fetch_row[5] == "error":
                        per_host[url_row[2]][1] += 1
                    else:
                        totals["new_pages"] += 1
                        totals["bytes"] += fetch_row[3]
                    fetch_rows.append((fetch_row[0], run_id) + fetch_row[1:])
                yield url_row

        t0 = time.monotonic()
        con.executemany(insert_url, rows_with_tally())
        con.executemany(insert_url, queued)
        con.executemany("INSERT INTO fetches (url_id, run_id, at, status, bytes, content_hash, outcome) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?)", fetch_rows)
        fetched = counts["done"] + counts["failed"]
        con.execute("UPDATE runs SET fetched = fetched + ?, new_urls = new_urls + ?, errors = errors + ?, "
                    "bytes = bytes + ?, new_pages = new_pages + ? WHERE id = ?",
                    (fetched, history + len(queued), counts["failed"], totals["bytes"], totals["new_pages"], run_id))
        con.executemany("UPDATE hosts SET fetched = fetched + ?, errors = errors + ? WHERE id = ?",
                        [(f, e, h) for h, (f, e) in per_host.items()])
        con.execute("COMMIT")
        con.execute("PRAGMA optimize")
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        states = dict(con.execute("SELECT state, count(*) FROM urls GROUP BY state"))
    finally:
        con.close()
    return {"rows": sum(states.values()), **states, "fetches": len(fetch_rows), "seconds": time.monotonic() - t0,
            "mb": os.path.getsize(db) / 1e6}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("db")
    ap.add_argument("site")
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    print(json.dumps(build(a.db, a.site, a.rows, a.seed)))


if __name__ == "__main__":
    main()
