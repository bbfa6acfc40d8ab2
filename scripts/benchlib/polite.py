"""Target 4: polite speed. 8 hosts, `--per-host 1 --delay 0.05 --concurrency 64`: the rate
against the theoretical 160 req/s and against the best this site allows, politeness from the
server's side, and the tail at the end of the crawl."""
from .env import IS_ROOT
from .peers import run_peer
from .report import Target, table
from .wire import WireCapture

DELAY = 0.05
FLAGS = ["--concurrency", "64", "--per-host", "1", "--delay", str(DELAY)]


def tail_rate(starts, fraction=0.1):
    """Requests per second over the last `fraction` of the requests (by start time)."""
    k = max(2, int(len(starts) * fraction))
    tail = starts[-k:]
    return (k - 1) / (tail[-1] - tail[0]) if tail[-1] > tail[0] else float("inf")


def ideal_starts(per_host_counts):
    """Request starts of a perfect polite crawler: every host busy from t=0, one request per DELAY."""
    return sorted(j * DELAY for n in per_host_counts for j in range(n))


def run(cfg, site):
    print(f"\n== target 4, polite speed: crawl on {len(site.hosts)} hosts ({site.expected:,} requests expected), "
          f"`{' '.join(FLAGS)}`, one run", flush=True)
    wire = None
    with site:
        if IS_ROOT:
            with WireCapture(site.port) as wire:
                r = run_peer(cfg, "crawl", site, crawl_flags=FLAGS)
        else:
            r = run_peer(cfg, "crawl", site, crawl_flags=FLAGS)
        times = site.request_times()
    wire_gaps = wire.gaps_by_host() if wire and not wire.error else {}
    print(r.line("polite"), flush=True)
    per_host = r.audit["per_host"]
    counts = [v["requests"] for v in per_host.values()]
    theoretical = len(site.hosts) / DELAY
    ideal = r.requests / (max(counts) * DELAY)
    span_rate = r.audit["req_per_s"] or 0.0

    starts = [t for t, _ in times]
    t0 = starts[0]
    last, by_host = {}, {}
    for t, h in times:
        last[h] = t - t0
        by_host.setdefault(h, []).append(t)
    first_done, last_done = min(last.values()), max(last.values())
    ideal_spread = (max(counts) - min(counts)) * DELAY
    overall = (len(starts) - 1) / (starts[-1] - t0)
    tail = tail_rate(starts)
    perfect = ideal_starts(counts)
    ideal_tail = tail_rate(perfect)
    ideal_overall = (len(perfect) - 1) / perfect[-1]

    def on_wire(h):
        g = wire_gaps.get(h)
        return [f"{1000 * g[0]:.1f}", sum(x < DELAY for x in g), len(g) + 1] if g else ["-", "-", "-"]

    print(table(["host", "requests", "max in flight", "min gap ms", "gaps < 50 ms", "last start s", "wire min gap ms",
                 "wire gaps < 50 ms", "wire GETs"],
                [[h, v["requests"], v["max_in_flight"], v["min_gap_ms"],
                  sum(b - a < DELAY - 0.0005 for a, b in zip(by_host[h], by_host[h][1:])),
                  f"{last.get(h, 0):.2f}"] + on_wire(h) for h, v in per_host.items()]))
    print("(min gap, gaps < 50 ms: between request starts as nginx logs them, 1 ms steps, late when its worker "
          "waits for a CPU; wire: the kernel's send times of the GETs, " +
          ("captured on lo)" if wire_gaps else f"not captured: {wire.error if wire else 'needs root'})"))
    print(f"rate {r.req_s:.1f} req/s over the wall time ({r.wall:.2f} s), {span_rate:.1f} req/s over the server's "
          f"span ({r.audit['seconds']:.2f} s): {100 * r.req_s / theoretical:.1f}% of the theoretical {theoretical:.0f}; "
          f"{100 * r.req_s / ideal:.1f}% of the best this site allows, {ideal:.1f} req/s "
          f"({r.requests} requests / (busiest host's {max(counts)} x {DELAY} s))")
    print(f"tail: the last 10% of requests ran at {tail:.1f} req/s against {overall:.1f} overall "
          f"({tail / overall:.2f}x); a perfect schedule of these per-host counts gives {ideal_tail:.1f} req/s "
          f"for its last 10% ({ideal_tail / ideal_overall:.2f}x); first host finished at "
          f"{first_done:.2f} s, last at {last_done:.2f} s: {last_done - first_done:.2f} s apart "
          f"(the counts alone make {ideal_spread:.2f} s)")

    gaps = [v["min_gap_ms"] for v in per_host.values() if v["min_gap_ms"] is not None]
    in_flight = max(v["max_in_flight"] for v in per_host.values())
    wire_min = min((g[0] for g in wire_gaps.values() if g), default=None)
    wire_target = [Target("politeness on the wire: per-host gap between GETs >= 50 ms",
                          f"min gap {1000 * wire_min:.1f} ms, {sum(x < DELAY for g in wire_gaps.values() for x in g)} "
                          f"gaps < 50 ms of {sum(len(g) for g in wire_gaps.values())}", wire_min >= DELAY,
                          kind="check")] if wire_min is not None else []
    return wire_target + [
        Target("polite crawl: coverage complete, 0 duplicates, 0 unexpected, exit 0", r.correct, r.correct == "ok",
               kind="check"),
        # nginx stamps a request when its worker gets to it: on a busy machine that is late, and the
        # gap to the next one looks short. When the wire was captured, it decides the gap check.
        Target("politeness in nginx's log (audit.py): at most 1 request in flight per host"
               + ("; per-host gap >= 50 ms" if wire_min is None else " (its gaps: informative, the wire decides)"),
               f"min gap {min(gaps)} ms, max in flight {in_flight}",
               in_flight <= 1 and (wire_min is not None or min(gaps) >= 50), kind="check"),
        Target("4 polite rate >= 95% of 160 req/s", f"{r.req_s:.2f} req/s = {100 * r.req_s / theoretical:.2f}% "
               f"(the site allows at most {ideal:.1f} = {100 * ideal / theoretical:.1f}%)", r.req_s >= 0.95 * theoretical),
        Target("4 no long tail: last 10% of requests >= 90% of a perfect schedule's rate there",
               f"{tail:.1f} vs {ideal_tail:.1f} req/s ({100 * tail / ideal_tail:.0f}%)", tail >= 0.9 * ideal_tail),
    ]
