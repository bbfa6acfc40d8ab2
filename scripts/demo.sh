#!/usr/bin/env bash
# The README's demo: serve a generated 3-host site on 127.0.0.11-13:8089, crawl it with the
# release binary into a fresh /tmp/crawl-demo, print `crawl stats`, and check against the site's
# manifest that every URL was requested exactly once and nothing forbidden was.
#
#   scripts/demo.sh                 (after `swift build -c release`)
#   CRAWL_BIN=path/to/crawl PAGES=1000 PORT=8090 DEMO=/tmp/other scripts/demo.sh
#
# Exits non-zero if the crawl fails or the coverage is incomplete.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CRAWL_BIN="${CRAWL_BIN:-$ROOT/.build/release/crawl}"
DEMO="${DEMO:-/tmp/crawl-demo}"
PORT="${PORT:-8089}"
PAGES="${PAGES:-300}"

if [[ ! -x "$CRAWL_BIN" ]]; then
  echo "demo: no crawl binary at $CRAWL_BIN (run 'swift build -c release' or set CRAWL_BIN)" >&2
  exit 1
fi

rm -rf "$DEMO"
mkdir -p "$DEMO"

SERVER_PID=""
stop_server() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
}
trap stop_server EXIT

python3 "$ROOT/Tests/Fixtures/site_server.py" --hosts 3 --first-ip 11 --port "$PORT" --pages "$PAGES" \
  --images 60 --paragraphs 12 --slow-sleep 0.5 \
  --log "$DEMO/requests.jsonl" --manifest "$DEMO/manifest.json" >"$DEMO/server.out" 2>"$DEMO/server.err" &
SERVER_PID=$!
for _ in $(seq 1 200); do
  [[ -s "$DEMO/server.out" ]] && break
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "demo: the site server did not start:" >&2
    cat "$DEMO/server.err" >&2
    exit 1
  fi
  sleep 0.05
done
[[ -s "$DEMO/server.out" ]] || { echo "demo: the site server printed nothing" >&2; exit 1; }
SEED="http://127.0.0.11:$PORT/"
echo "demo: serving $PAGES pages per host on 127.0.0.11-13:$PORT; crawling from $SEED"

status=0
"$CRAWL_BIN" start "$SEED" --allow-host 127.0.0.12 --allow-host 127.0.0.13 \
  --db "$DEMO/demo.db" --out "$DEMO/data" --concurrency 16 --per-host 4 --delay 0 || status=$?
"$CRAWL_BIN" stats --db "$DEMO/demo.db" || status=$?
if [[ $status -ne 0 ]]; then
  echo "demo: crawl failed (exit $status)" >&2
  exit "$status"
fi

python3 - "$DEMO/manifest.json" "$DEMO/requests.jsonl" <<'EOF'
import collections, json, os, sys
manifest = json.load(open(sys.argv[1]))
urls = manifest["urls"]
counts = collections.Counter()
lines = open(sys.argv[2]).read().splitlines() if os.path.exists(sys.argv[2]) else []
for line in lines:
    r = json.loads(line)
    counts[f"http://{r['addr']}:{r['port']}{r['target']}"] += 1
once = set().union(*(urls[k] for k in ("page", "image", "missing", "redirect", "slow", "robots")))
never = set(urls["disallowed"]) | set(urls["never"])
problems = []
missing = sorted(u for u in once if counts[u] == 0)
repeated = sorted(u for u in counts if counts[u] > 1)
forbidden = sorted(u for u in never if counts[u] > 0)
outside = sorted(u for u in counts if u not in once and u not in never)
for name, items in (("never requested", missing), ("requested more than once", repeated),
                    ("forbidden but requested", forbidden), ("not in the manifest", outside)):
    if items:
        problems.append(f"{name}: {len(items)} (e.g. {', '.join(items[:5])})")
if problems:
    print("demo FAILED:\n  " + "\n  ".join(problems), file=sys.stderr)
    sys.exit(1)
print(f"demo ok: {len(counts)} URLs requested, {sum(counts.values()) - len(counts)} duplicates")
EOF
