#!/usr/bin/env bash
# Cost against spec size: synthetic specs of 1x, 2x, 4x and 8x the operations of a
# real spec (every path copied under /copyN/, operationIds suffixed, components
# shared), and for each: `covenant mock` start (seconds until it prints its
# address, and resident memory then) and a whole `covenant run --base-url mock
# --cases 1` (wall seconds and peak resident memory, planning included).
#
# usage: bash crates/covenant-mock/bench/scaling.sh [SPEC] [FACTORS]
#   SPEC     default ../shared/realspecs/onfido-v3.6.json
#   FACTORS  default "1 2 4 8"
#   COVENANT_BIN=path/to/covenant to time another build (default: a release build).
set -euo pipefail
cd "$(dirname "$0")/../../.."
SPEC=${1:-../shared/realspecs/onfido-v3.6.json}
FACTORS=${2:-"1 2 4 8"}
if [ -z "${COVENANT_BIN:-}" ]; then
  cargo build -q --release -p covenant-cli
  COVENANT_BIN=target/release/covenant
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 - "$SPEC" "$work" $FACTORS <<'PY'
import json, sys, copy
src, out, factors = sys.argv[1], sys.argv[2], [int(f) for f in sys.argv[3:]]
spec = json.load(open(src))
for k in factors:
    s = copy.deepcopy(spec)
    paths = {}
    for i in range(k):
        for p, item in spec["paths"].items():
            item = copy.deepcopy(item)
            for m, op in item.items():
                if isinstance(op, dict) and "operationId" in op:
                    op["operationId"] = f'{op["operationId"]}_{i}'
            paths[(f"/copy{i}" if i else "") + p] = item
    s["paths"] = paths
    json.dump(s, open(f"{out}/spec-{k}x.json", "w"))
PY

printf "%-7s %6s %10s %10s %9s %10s %10s\n" factor ops parse_s mock_s mock_MB run_s run_MB
for k in $FACTORS; do
  spec="$work/spec-${k}x.json"
  ops=$(python3 -c "import json,sys; d=json.load(open('$spec')); print(sum(1 for p in d['paths'].values() for m,o in p.items() if isinstance(o,dict) and 'responses' in o))")
  # Parse (and lint) time: the yardstick the start-up is measured against.
  t0=$(date +%s.%N); "$COVENANT_BIN" lint "$spec" >/dev/null 2>&1 || true; t1=$(date +%s.%N)
  parse=$(echo "$t1 - $t0" | bc)
  # Mock start: until the address line.
  out="$work/mock.out"; : > "$out"
  t0=$(date +%s.%N)
  "$COVENANT_BIN" mock --spec "$spec" > "$out" 2>/dev/null &
  pid=$!
  until grep -q http "$out" 2>/dev/null; do
    sleep 0.05
    kill -0 $pid 2>/dev/null || { echo "mock died on ${k}x" >&2; exit 1; }
  done
  t1=$(date +%s.%N)
  rss=$(ps -o rss= -p $pid)
  kill $pid; wait $pid 2>/dev/null || true
  mock=$(echo "$t1 - $t0" | bc)
  # A whole run at one case per operation.
  /usr/bin/time -f "%e %M" -o "$work/time" "$COVENANT_BIN" run --spec "$spec" --base-url mock \
    --cases 1 --report-dir "$work/reports" >/dev/null 2>&1 || true
  read -r run_s run_kb < "$work/time"
  printf "%-7s %6s %10.2f %10.2f %9d %10.2f %10d\n" "${k}x" "$ops" "$parse" "$mock" $((rss / 1024)) "$run_s" $((run_kb / 1024))
done
