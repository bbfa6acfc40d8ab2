#!/usr/bin/env bash
# make fuzz: build the libFuzzer targets of Fuzz/ (their own package, with -sanitize=fuzzer,address)
# and run each for FUZZ_TIME seconds (default 60) on its seed corpus.
#
#   FUZZ_TIME=600 scripts/fuzz.sh [TARGET...]     TARGET: FuzzLinkExtractor FuzzURL FuzzRobots
#
# Inputs found along the way go to Fuzz/.build/corpus/TARGET (kept between runs, not committed;
# the committed seeds in Fuzz/Corpus/TARGET are only read). A crash, a sanitizer report or a
# violated invariant stops that target, leaves the input in Fuzz/.build/artifacts/ and makes
# the script exit 1 after the other targets ran. Prints each target's executions, exec/s,
# coverage and corpus size.
set -uo pipefail
cd "$(dirname "$0")/../Fuzz"
export PATH="/opt/swift/usr/bin:$PATH"
FUZZ_TIME=${FUZZ_TIME:-60}
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(FuzzLinkExtractor FuzzURL FuzzRobots)

swift build -c release -Xswiftc -sanitize=fuzzer,address 2>&1 | grep -v "Cannot export local symbol" | grep -E "error|warning:|Compiling Fuzz|Build complete" || true
bin=$(swift build -c release -Xswiftc -sanitize=fuzzer,address --show-bin-path 2>/dev/null)
for target in "${targets[@]}"; do
  [ -x "$bin/$target" ] || { echo "fuzz: $target was not built" >&2; exit 1; }
done

# Swift's crash backtracer reads the stack in ways AddressSanitizer reports: leave crashes to libFuzzer.
export SWIFT_BACKTRACE=enable=no
mkdir -p .build/artifacts
failed=()
for target in "${targets[@]}"; do
  corpus=.build/corpus/$target
  mkdir -p "$corpus"
  log=.build/fuzz-$target.log
  max_len=4096
  [ "$target" = FuzzLinkExtractor ] && max_len=65536
  echo "== $target: ${FUZZ_TIME} s"
  "$bin/$target" -max_total_time="$FUZZ_TIME" -max_len="$max_len" -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix=.build/artifacts/"$target"- "$corpus" "Corpus/$target" > "$log" 2>&1
  status=$?
  grep -E "^#[0-9]+[[:space:]]+(DONE|INITED)" "$log" | tail -2
  grep -E "stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)" "$log"
  if [ $status -ne 0 ]; then
    failed+=("$target")
    echo "!! $target failed (exit $status); log: Fuzz/$log"
    grep -E "Fatal error|ERROR: (AddressSanitizer|libFuzzer)|SUMMARY|Test unit written" "$log" | head -8
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: failures in ${failed[*]}"
  exit 1
fi
echo "fuzz: no crash in ${targets[*]}"
