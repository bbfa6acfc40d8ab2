#!/usr/bin/env bash
# The cron acceptance check (issue 4): against a site served by ../shared/bench/serve.sh, start a
# job, then launch `crawl resume --max-duration 5s` every 2 seconds, overlapping on purpose, until
# the job drains. Reports how many runs did work, how many starts exited 75, whether two runs
# ever overlapped (from the runs table), and the server-side audit.
#
#   scripts/cron_check.sh SITE_DIR [DB_DIR]      (SITE_DIR made by make_site.py and served)
set -uo pipefail
SITE=$(cd "${1:?usage: cron_check.sh SITE_DIR [DB_DIR]}" && pwd)
WORK=${2:-$(mktemp -d)}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${CRAWL_BIN:-$ROOT/.build/release/crawl}
AUDIT=${AUDIT:-$ROOT/../shared/bench/audit.py}
DB=$WORK/cron.db
mkdir -p "$WORK"
eval "$(python3 - "$SITE" <<'PY'
import json, sys
m = json.load(open(sys.argv[1] + "/manifest.json"))
print(f"SEED={m['seed']}")
print("HOSTS='" + " ".join(f"--allow-host {h}" for h in m["hosts"]) + "'")
PY
)"
: > "$SITE/access.log"
rm -rf "$WORK/out" "$DB"*
POLITE="--per-host 2 --delay 0.01 --concurrency 16"
"$BIN" start "$SEED" $HOSTS --db "$DB" --out "$WORK/out" $POLITE --quiet --max-duration 5s
status=$?
echo "start: exit $status"
[ "$status" = 0 ] || exit 1
declare -A codes=()
pids=()
for i in $(seq 1 100); do
  sleep 2
  ( "$BIN" resume --db "$DB" --quiet --max-duration 5s 2>>"$WORK/stderr.log"; echo $? > "$WORK/exit.$i" ) &
  pids+=($!)
  queued=$("$BIN" stats --db "$DB" --json | python3 -c 'import json,sys; u=json.load(sys.stdin)["urls"]; print(u["queued"] + u["in_flight"])') || exit 1
  [ "$queued" = 0 ] && break
done
wait "${pids[@]}"
for f in "$WORK"/exit.*; do codes[$(cat "$f")]=$(( ${codes[$(cat "$f")]:-0} + 1 )); done
for code in "${!codes[@]}"; do echo "resume starts that exited $code: ${codes[$code]}"; done
python3 - "$DB" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
runs = c.execute("select id, started_at, ended_at, end_reason, fetched from runs order by started_at").fetchall()
overlaps = sum(1 for a, b in zip(runs, runs[1:]) if a[2] is None or b[1] < a[2])
print(f"runs recorded: {len(runs)}; end reasons: {sorted(set(r[3] for r in runs))}; overlapping runs: {overlaps}")
print("states:", dict(c.execute("select state, count(*) from urls group by state").fetchall()))
print("integrity:", c.execute("pragma integrity_check").fetchone()[0])
PY
grep -m3 . "$WORK/stderr.log" | sed 's/^/stderr: /'
python3 "$AUDIT" "$SITE" | head -3
