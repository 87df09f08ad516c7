#!/usr/bin/env bash
# Benchmark with a realistic client: the conformance runner (`covenant run`, at its
# default concurrency of 32) against a mock served on its own, timed by wall clock.
# Two mock builds are measured in alternating rounds (A, B, A, B, ...), as run.sh
# does, because the CPU available on a shared machine drifts.
#
#   bash crates/covenant-mock/bench/client.sh A_SERVE_BIN B_SERVE_BIN [rounds=5] [spec=specs/rebilly.yaml] [runner args...]
#
# A_SERVE_BIN and B_SERVE_BIN are builds of examples/serve. COVENANT (default
# target/release/covenant) is the runner; the mock's default credentials are handed to
# it through the variables covenant.toml names. Prints each run's wall time and the
# median (with min and max) per build.
set -euo pipefail
cd "$(dirname "$0")/../../.."
A=$1; B=$2; ROUNDS="${3:-5}"; SPEC="${4:-specs/rebilly.yaml}"; shift $(( $# < 4 ? $# : 4 ))
COVENANT="${COVENANT:-target/release/covenant}"
export COVENANT_REBILLY_API_KEY=test-api-key COVENANT_REBILLY_JWT=test-bearer-token \
  COVENANT_IRON_API_KEY=test-api-key COVENANT_ONBOARDING_API_KEY=test-api-key \
  COVENANT_IDENTPLUS_TOKEN=test-bearer-token \
  COVENANT_RPCSESSION_PUBLIC_KEY=public-key-test COVENANT_RPCSESSION_SECRET=secret-test
TMP=$(mktemp -d)
cleanup() { [ -f "$TMP/pid" ] && kill "$(cat "$TMP/pid")" 2>/dev/null || true; }
trap cleanup EXIT

once() { # $1 = serve binary, then runner args; prints the wall time in seconds
  local bin=$1; shift
  "$bin" "$SPEC" >"$TMP/out" 2>/dev/null &
  echo $! >"$TMP/pid"
  for _ in $(seq 1 100); do grep -q '^listening ' "$TMP/out" && break; sleep 0.1; done
  local url; url=$(sed -n 's/^listening //p' "$TMP/out")
  local t0 t1 rc=0
  t0=$(date +%s.%N)
  "$COVENANT" run --spec "$SPEC" --base-url "$url" --report-dir "$TMP/reports" "$@" >"$TMP/run.out" 2>&1 || rc=$?
  t1=$(date +%s.%N)
  kill "$(cat "$TMP/pid")"; wait "$(cat "$TMP/pid")" 2>/dev/null || true; rm -f "$TMP/pid"
  [ "$rc" -le 1 ] || { echo "covenant run failed ($rc):" >&2; tail -5 "$TMP/run.out" >&2; exit 1; }
  awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f\n", b - a}'
}

once "$A" "$@" >/dev/null # warm-up (page cache, first-run costs)
: >"$TMP/a"; : >"$TMP/b"
for round in $(seq 1 "$ROUNDS"); do
  a=$(once "$A" "$@"); b=$(once "$B" "$@")
  echo "round $round (load $(cut -d' ' -f1-3 /proc/loadavg)): A ${a}s  B ${b}s"
  echo "$a" >>"$TMP/a"; echo "$b" >>"$TMP/b"
done
stats() { sort -g "$1" | awk '{a[NR]=$1} END {printf "median %.2fs (min %.2f, max %.2f)", a[int((NR+1)/2)], a[1], a[NR]}'; }
echo "A $A: $(stats "$TMP/a")"
echo "B $B: $(stats "$TMP/b")"
grep -iE "requests|cases|violation" "$TMP/run.out" | head -5 || true
