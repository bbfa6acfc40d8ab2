"""The crawlers compared (crawl, wget2, Scrapy) and one timed, audited run of one of them."""
import shutil

from .env import CHILD_ENV, Scratch, log, run_timed, stderr_tail, tool, wait_quiet
from .report import correctness

# Target 1's unthrottled crawl.
FULL_SPEED = ["--concurrency", "64", "--per-host", "16", "--delay", "0"]


def available_peers(crawl_only=False):
    """crawl and wget2 always (wget2 must be installed); Scrapy when a `scrapy` command exists."""
    if crawl_only:
        return ["crawl"]
    peers = ["crawl", "wget2"]
    if shutil.which("scrapy", path=CHILD_ENV["PATH"]):
        peers.append("scrapy")
    return peers


def command(peer, site, fs, crawl_bin, crawl_flags):
    """The command line of one crawl of `site` writing under the scratch directory `fs`. All peers
    obey robots.txt, stay on the manifest's hosts and save every 2xx body."""
    if peer == "crawl":
        return ([crawl_bin, "start", site.seed, "--db", fs.join("crawl.db"), "--out", fs.join("out"), "--quiet"]
                + crawl_flags + site.allow_hosts())
    if peer == "wget2":
        return ["wget2", "-r", "-l", "inf", "--robots=on", "--span-hosts", f"--domains={','.join(site.hosts)}",
                "--max-threads=16", "-q", "-P", fs.join("out"), site.seed]
    if peer == "scrapy":  # as in the table: JOBDIR, a persisted queue and seen-set like crawl's
        return ["scrapy", "runspider", tool("bench_spider.py"), "-a", f"site={site.path}", "-a", f"out={fs.join('out')}",
                "-s", f"JOBDIR={fs.join('job')}"]
    raise ValueError(peer)


class Run:
    """One audited run: Timed figures plus the audit of the server's log."""

    def __init__(self, peer, timed, audit, quiet, error):
        self.peer, self.audit, self.quiet, self.error = peer, audit, quiet, error
        self.code, self.wall, self.cpu, self.rss = timed.code, timed.wall, timed.cpu, timed.rss_mb
        self.nginx_cpu, self.other_cpu = timed.nginx_cpu, timed.other_cpu
        self.requests = audit["requests"]
        self.req_s = self.requests / self.wall if self.wall else 0.0
        self.cpu_ms = 1000 * self.cpu / max(1, self.requests)

    @property
    def quiet_text(self):
        return {True: "yes", False: "BUSY", None: "-"}[self.quiet]

    @property
    def correct(self):
        """crawl must exit 0 and be complete; wget2 exits 8 for the site's 404s, which is normal."""
        return correctness(self.audit) if (self.code == 0 or self.peer != "crawl") else f"exit {self.code}: {self.error}"

    def line(self, label):
        return (f"{label:8} {self.peer:7} wall {self.wall:6.2f} s  {self.req_s:6.0f} req/s  CPU {self.cpu:6.2f} s  "
                f"{self.cpu_ms:.3f} ms/req  RSS {self.rss:4.0f} MB  nginx {self.nginx_cpu:5.2f} s  "
                f"other {self.other_cpu:5.2f} s  quiet {self.quiet_text:4}  {self.correct}")


def run_peer(cfg, peer, site, crawl_flags=FULL_SPEED, fs_size="8G"):
    """One crawl of `site` by `peer` in a fresh scratch filesystem, after waiting (at most
    cfg.quiet_wait s) for the machine to be quiet; audited from nginx's log."""
    with Scratch(peer, cfg.tmpfs, fs_size) as fs:
        quiet = wait_quiet(cfg.quiet_wait) if cfg.quiet_wait > 0 else None
        if quiet is False:
            log(f"  machine still busy after {cfg.quiet_wait:.0f} s; running {peer} anyway")
        site.clear_log()
        cmd = command(peer, site, fs, cfg.crawl, crawl_flags)
        timed = run_timed(cmd, fs.path, fs.join("run"), site.nginx_ticks)
        error = stderr_tail(fs.join("run")) if timed.code else ""
        return Run(peer, timed, site.audit(), quiet, error)
