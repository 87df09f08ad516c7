#!/usr/bin/env bash
# Benchmark: the mock's valid Rebilly POST /kyc-requests vs a bare hyper server that
# returns a fixed body, same machine, same run, wrk at 32 connections. Then a long
# run against the mock (>= 1,000,000 requests) sampling its RSS to show memory is flat
# (long_run_seconds=0 skips it).
#
#   bash crates/covenant-mock/bench/run.sh [duration_seconds=15] [long_run_seconds=60] [rounds=3]
#
# Environment: WRK_CONNECTIONS (default 32; 1 is a lone sequential client);
# WRK_THREADS (default 2, at most the connections); SKIP_BUILD=1 runs the binaries as
# they are; MOCK_BIN replaces the mock (examples/serve), BARE_BIN the baseline
# (examples/bare), and BASE_BIN makes the baseline another mock build, started like
# the mock (e.g. BASE_BIN=/tmp/before/serve compares two builds of the mock).
#
# The two servers are measured in alternating rounds (bare, mock, bare, mock, ...): on
# a shared 2-core machine the available CPU drifts by tens of percent over a minute,
# which a single pair of runs would mistake for a difference between the servers.
# Reported: the median of each server's rounds and their ratio, and the median of the
# per-round ratios (each round's two runs are back to back, so a drift between rounds
# cannot pair one server's fast minute with the other's slow one).
#
# Installs wrk (Debian package) if missing. Prints req/s, p50/p99 latency and RSS.
set -euo pipefail
cd "$(dirname "$0")/../../.."
DUR="${1:-15}"
LONG="${2:-60}"
ROUNDS="${3:-3}"
CONNS="${WRK_CONNECTIONS:-32}"
THREADS="${WRK_THREADS:-2}"
[ "$THREADS" -gt "$CONNS" ] && THREADS=$CONNS

if ! command -v wrk >/dev/null 2>&1; then
  echo "installing wrk" >&2
  (apt-get install -y wrk || (apt-get update && apt-get install -y wrk)) >/dev/null
fi
[ -n "${SKIP_BUILD:-}" ] || cargo build --release -q -p covenant-mock --examples
BIN=target/release/examples

TMP=$(mktemp -d)
cleanup() { for f in "$TMP"/*.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null || true; done; }
trap cleanup EXIT

start() { # $1 = name, rest = command; leaves $TMP/$1.pid and $TMP/$1.out
  local name=$1; shift
  "$@" >"$TMP/$name.out" 2>/dev/null &
  echo $! >"$TMP/$name.pid"
  for _ in $(seq 1 100); do
    if grep -q '^listening ' "$TMP/$name.out"; then return; fi
    sleep 0.1
  done
  echo "$name did not start" >&2; exit 1
}

if [ -n "${BASE_BIN:-}" ]; then start bare "$BASE_BIN" specs/rebilly.yaml; else start bare "${BARE_BIN:-$BIN/bare}"; fi
start mock "${MOCK_BIN:-$BIN/serve}" specs/rebilly.yaml
BARE_URL=$(sed -n 's/^listening //p' "$TMP/bare.out")
MOCK_URL=$(sed -n 's/^listening //p' "$TMP/mock.out")
MOCK_PID=$(cat "$TMP/mock.pid")
echo "bare: $BARE_URL  mock: $MOCK_URL (pid $MOCK_PID), $CONNS connections, $THREADS wrk threads; $(uptime)"

# Sanity: the mock accepts the benchmark request.
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$MOCK_URL/kyc-requests" \
  -H 'content-type: application/json' -H 'REB-APIKEY: test-api-key' \
  -d '{"customerId":"c","documents":[{"type":"identity-proof"}]}')
[ "$code" = 201 ] || { echo "mock answered $code, expected 201" >&2; exit 1; }

run() { wrk -t"$THREADS" -c"$CONNS" -d"${2}s" --latency -s crates/covenant-mock/bench/post.lua "$1/kyc-requests" | grep '^RESULT'; }

echo "warm-up"; run "$MOCK_URL" 3 >/dev/null; run "$BARE_URL" 3 >/dev/null
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p"; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for x in rps p50_ms p99_ms; do : >"$TMP/bare.$x"; : >"$TMP/mock.$x"; done
for round in $(seq 1 "$ROUNDS"); do
  b=$(run "$BARE_URL" "$DUR"); m=$(run "$MOCK_URL" "$DUR")
  echo "round $round (load $(cut -d' ' -f1-3 /proc/loadavg)) bare hyper (fixed body): $b"
  echo "round $round covenant mock (rebilly): $m"
  for x in rps p50_ms p99_ms; do
    echo "$b" | field "$x" >>"$TMP/bare.$x"
    echo "$m" | field "$x" >>"$TMP/mock.$x"
  done
  awk -v m="$(echo "$m" | field rps)" -v b="$(echo "$b" | field rps)" \
    'BEGIN {printf "%.1f\n", 100*m/b}' >>"$TMP/ratio"
done
BR=$(median <"$TMP/bare.rps"); MR=$(median <"$TMP/mock.rps")
echo "median over $ROUNDS rounds: bare rps=$BR p50_ms=$(median <"$TMP/bare.p50_ms") p99_ms=$(median <"$TMP/bare.p99_ms")"
echo "median over $ROUNDS rounds: mock rps=$MR p50_ms=$(median <"$TMP/mock.p50_ms") p99_ms=$(median <"$TMP/mock.p99_ms")"
echo "mock/bare = $(awk -v m="$MR" -v b="$BR" 'BEGIN {printf "%.1f%%", 100*m/b}') (of the medians)"
echo "mock/bare per round: $(tr '\n' ' ' <"$TMP/ratio")-> median $(median <"$TMP/ratio")%"

[ "$LONG" -gt 0 ] || exit 0
rss() { awk '/VmRSS/ {print $2}' "/proc/$MOCK_PID/status"; }
echo "long run (${LONG}s) on the mock, RSS in KiB every 10 s:"
echo "  start rss=$(rss)"
( run "$MOCK_URL" "$LONG" > /tmp/covenant_bench_long.txt ) &
WRK=$!
while kill -0 "$WRK" 2>/dev/null; do sleep 10; echo "  rss=$(rss)"; done
echo "  long: $(cat /tmp/covenant_bench_long.txt)"
echo "  end rss=$(rss)"
