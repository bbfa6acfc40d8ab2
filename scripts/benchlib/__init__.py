"""The `make bench` harness (scripts/bench.py): sites, measurements, and one module per part.

    env.py         where the tools are, processes, scratch filesystems, machine load
    site.py        a generated site: cache, nginx, audit, access log
    report.py      targets (met / NOT MET) and tables
    throughput.py  targets 1 and 2: crawl, wget2 and Scrapy on the default site
    memory.py      target 3: peak RSS on the 10x site
    polite.py      target 4: 8 hosts at --per-host 1 --delay 0.05
    wire.py        request send times on loopback (packet socket), for politeness without nginx's jitter
    scale_db.py    the generator of a 1M-row job database
    scale.py       target 5: `crawl stats` and `crawl resume` on that database
    smoke.py       the CI check: one small site, crawl only, correctness only
"""
