"""Target 3: memory is flat in the frontier size. One crawl of the 10x site (8 hosts x 12,500
pages x 1,000 images), peak RSS against 64 MB and against the default site's peak."""
from .peers import run_peer
from .report import Target, median


def default_peak(cfg, default_site, crawl_runs):
    """crawl's peak RSS on the default site: the median of the main table's runs, else one run now."""
    if crawl_runs:
        return median(r.rss for r in crawl_runs), f"median of the main table's {len(crawl_runs)} runs"
    with default_site:
        r = run_peer(cfg, "crawl", default_site)
    print(r.line("default"), flush=True)
    return r.rss, "one run"


def run(cfg, big_site, reference_rss, reference_text):
    print(f"\n== target 3, memory: crawl on the 10x site ({big_site.expected:,} requests expected on "
          f"{len(big_site.hosts)} hosts), `--concurrency 64 --per-host 16 --delay 0`, one run", flush=True)
    with big_site:
        r = run_peer(cfg, "crawl", big_site, fs_size="12G")
    print(r.line("10x"), flush=True)
    ratio = r.rss / reference_rss if reference_rss else float("inf")
    print(f"peak RSS {r.rss:.1f} MB on the 10x site; {reference_rss:.1f} MB on the default site ({reference_text}); "
          f"ratio {ratio:.2f}x")
    return [
        Target("crawl on the 10x site: coverage complete, 0 duplicates, 0 unexpected, exit 0", r.correct,
               r.correct == "ok", kind="check"),
        Target("3 peak RSS on the 10x site <= 64 MB", f"{r.rss:.1f} MB", r.rss <= 64),
        Target("3 peak RSS 10x site / default site <= 1.2x", f"{ratio:.2f}x ({r.rss:.1f} / {reference_rss:.1f} MB)",
               ratio <= 1.2),
    ]
