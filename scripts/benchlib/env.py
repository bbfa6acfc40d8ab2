"""Where the bench tools are, how a process is timed, scratch filesystems and machine load."""
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.path.join(os.path.dirname(ROOT), "shared", "bench")  # the team's copy, when present
VENDORED = os.path.join(ROOT, "scripts", "benchsite")            # ours, for a fresh clone (CI)
TICK = os.sysconf("SC_CLK_TCK")
IS_ROOT = os.geteuid() == 0
# nginx lives in /usr/sbin, which a non-root PATH often lacks.
CHILD_ENV = dict(os.environ, PATH=os.environ.get("PATH", "/usr/bin:/bin") + ":/usr/sbin:/sbin")


def nginx_temp_dir():
    """A temporary folder that nginx's workers (nobody) can reach: the usual one ($TMPDIR) if every
    folder above it lets others through, else /tmp. Under a private TMPDIR (mode 0700, as test
    runners make) nginx would answer 403 to every request for a site kept there."""
    base = os.path.abspath(tempfile.gettempdir())
    path = base
    while True:
        if not os.stat(path).st_mode & 0o001:
            return "/tmp"
        parent = os.path.dirname(path)
        if parent == path:
            return base
        path = parent


class BenchError(Exception):
    """A harness failure (a tool missing, a port taken, a command failing): not a measurement."""


def tool(name):
    """make_site.py, serve.sh, audit.py or bench_spider.py: ../shared/bench first, else scripts/benchsite."""
    shared = os.path.join(SHARED, "peers" if name == "bench_spider.py" else "", name)
    if os.path.exists(shared):
        return shared
    return os.path.join(VENDORED, name)


def tools_origin():
    return SHARED if os.path.exists(os.path.join(SHARED, "make_site.py")) else VENDORED


def sh(cmd, **kw):
    """Runs cmd to completion; its output is returned; a failure raises BenchError with its stderr."""
    p = subprocess.run(cmd, text=True, capture_output=True, env=CHILD_ENV, **kw)
    if p.returncode != 0:
        raise BenchError(f"{' '.join(cmd)} exited {p.returncode}: {p.stderr.strip()[-600:]}")
    return p.stdout


def require(command, hint):
    if shutil.which(command, path=CHILD_ENV["PATH"]) is None:
        raise BenchError(f"{command} not found: {hint}")


def log(text):
    print(text, file=sys.stderr, flush=True)


def busy_ticks():
    """All CPUs' busy time (user nice system irq softirq steal) in clock ticks, from /proc/stat."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return v[0] + v[1] + v[2] + v[5] + v[6] + v[7]


def wait_quiet(limit):
    """Waits up to `limit` s until the machine uses < 0.2 CPU over 1 s (as peers.sh does).
    Returns True if it got quiet, False if it was still busy when the limit ran out."""
    deadline = time.monotonic() + limit
    while True:
        b0 = busy_ticks()
        time.sleep(1)
        if busy_ticks() - b0 < TICK / 5:
            return True
        if time.monotonic() >= deadline:
            return False


class Timed:
    """What one timed command did: exit code, wall s, CPU s (user+sys, children included),
    max RSS MB, nginx's CPU s over the same span, and the rest of the machine's CPU s."""

    def __init__(self, code, wall, cpu, rss_mb, nginx_cpu, other_cpu):
        self.code, self.wall, self.cpu, self.rss_mb = code, wall, cpu, rss_mb
        self.nginx_cpu, self.other_cpu = nginx_cpu, other_cpu


def run_timed(cmd, cwd, output_prefix, nginx_ticks=lambda: 0):
    """Runs cmd (stdout/stderr to OUTPUT_PREFIX.out/.err) and reads its rusage with wait4: no
    /usr/bin/time needed. `nginx_ticks` gives the server's CPU ticks, sampled before and after."""
    with open(output_prefix + ".out", "w") as out, open(output_prefix + ".err", "w") as err:
        n0, b0 = nginx_ticks(), busy_ticks()
        t0 = time.monotonic()
        p = subprocess.Popen(cmd, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=CHILD_ENV)
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.monotonic() - t0
        p.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait again
        nginx = (nginx_ticks() - n0) / TICK
        busy = (busy_ticks() - b0) / TICK
    cpu = usage.ru_utime + usage.ru_stime
    return Timed(p.returncode, wall, cpu, usage.ru_maxrss / 1024, nginx, max(0.0, busy - cpu - nginx))


def stderr_tail(output_prefix, lines=5):
    try:
        with open(output_prefix + ".err", errors="replace") as f:
            return " | ".join(f.read().strip().splitlines()[-lines:])
    except OSError:
        return ""


class Scratch:
    """A fresh directory for one crawl's files: a tmpfs of `size` when `tmpfs` (root only; on ext4,
    creating files soon after ~10k were deleted is slow and erratic), else a plain temporary
    directory. Removed (and unmounted) on exit."""

    def __init__(self, prefix, tmpfs, size="8G"):
        self.path = tempfile.mkdtemp(prefix=f"crawl-bench-{prefix}-")
        os.chmod(self.path, 0o755)
        self.mounted = False
        if tmpfs:
            sh(["mount", "-t", "tmpfs", "-o", f"size={size},mode=755", "tmpfs", self.path])
            self.mounted = True

    def __enter__(self):
        return self

    def __exit__(self, *_):
        if self.mounted:
            subprocess.run(["umount", self.path], capture_output=True)
        shutil.rmtree(self.path, ignore_errors=True)

    def join(self, *names):
        return os.path.join(self.path, *names)
