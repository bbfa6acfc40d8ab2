"""Targets 1 and 2: crawl, wget2 and (if installed) Scrapy on the default site, alternating,
cfg.runs runs each; medians, and ratios against wget2."""
from .peers import available_peers, run_peer
from .report import Target, coverage_complete, median, table


def missing_text(runs):
    """The incomplete categories of the run that missed most, e.g. "page 10304/10524"."""
    worst = min(runs, key=lambda r: sum(v[0] for v in r.audit["coverage"].values()))
    return " ".join(f"{k} {v[0]}/{v[1]}" for k, v in worst.audit["coverage"].items() if v[0] != v[1])


def run(cfg, site):
    """Prints the main table; returns (targets, crawl's runs)."""
    peers = available_peers()
    print(f"\n== main table: {site.expected} requests expected on {len(site.hosts)} hosts "
          f"({', '.join(f'{k} {v}' for k, v in site.counts.items())}), `--concurrency 64 --per-host 16 --delay 0`; "
          f"{', '.join(peers)} alternating, {cfg.runs} run(s) each", flush=True)
    runs = {p: [] for p in peers}
    for i in range(cfg.runs):
        for peer in peers:
            r = run_peer(cfg, peer, site)
            runs[peer].append(r)
            print(r.line(f"run {i + 1}"), flush=True)

    def med(peer, key):
        return median(getattr(r, key) for r in runs[peer])

    rows = []
    for peer in peers:
        rs = runs[peer]
        walls = [r.wall for r in rs]
        complete = all(coverage_complete(r.audit) for r in rs)
        rows.append([peer, len(rs), f"{med(peer, 'wall'):.2f}", f"{min(walls):.2f}-{max(walls):.2f}",
                     f"{med(peer, 'req_s'):,.0f}", f"{med(peer, 'cpu'):.2f}", f"{med(peer, 'cpu_ms'):.3f}",
                     f"{med(peer, 'rss'):.1f}", f"{med(peer, 'nginx_cpu'):.2f}",
                     "complete" if complete else "INCOMPLETE " + missing_text(rs),
                     max(r.audit["duplicates"] for r in rs), max(r.audit["unexpected"] for r in rs),
                     max(r.audit["disallowed_requested"] for r in rs),
                     f"{max(r.other_cpu for r in rs):.2f}", ",".join(sorted({r.quiet_text for r in rs}))])
    print(f"\nmedians of {cfg.runs} run(s) (dup, unexp, disallowed: the worst run; other CPU: the most CPU used by "
          "anything else during a run; quiet: BUSY = the machine was not quiet before a run)")
    print(table(["peer", "runs", "wall s", "wall min-max", "req/s", "CPU s", "CPU ms/req", "max RSS MB",
                 "nginx CPU s", "coverage", "dup", "unexp", "disallowed", "other CPU s", "quiet"], rows,
                "lrrrrrrrrlrrrrl"))

    targets = []
    crawl_runs = runs["crawl"]
    bad = [f"run {i + 1}: {r.correct}" for i, r in enumerate(crawl_runs) if r.correct != "ok"]
    targets.append(Target("crawl coverage complete, 0 duplicates, 0 unexpected, 0 disallowed, exit 0",
                          "; ".join(bad) or f"all {len(crawl_runs)} runs", not bad, kind="check"))
    if "wget2" in runs:
        ratio = med("crawl", "req_s") / med("wget2", "req_s")
        cpu_ratio = med("crawl", "cpu_ms") / med("wget2", "cpu_ms")
        targets.append(Target("1 throughput crawl/wget2 >= 1.1x",
                              f"{ratio:.2f}x ({med('crawl', 'req_s'):,.0f} vs {med('wget2', 'req_s'):,.0f} req/s)",
                              ratio >= 1.1))
        targets.append(Target("2 CPU per request crawl/wget2 <= 1.5x",
                              f"{cpu_ratio:.2f}x ({med('crawl', 'cpu_ms'):.3f} vs {med('wget2', 'cpu_ms'):.3f} ms)",
                              cpu_ratio <= 1.5))
        print(f"\nratios against wget2 (medians): " + "; ".join(
            f"{p} throughput {med(p, 'req_s') / med('wget2', 'req_s'):.2f}x, "
            f"CPU/request {med(p, 'cpu_ms') / med('wget2', 'cpu_ms'):.2f}x, RSS {med(p, 'rss') / med('wget2', 'rss'):.2f}x"
            for p in peers if p != "wget2"))
    return targets, crawl_runs
