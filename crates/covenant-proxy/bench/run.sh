#!/usr/bin/env bash
# Benchmark: what `covenant proxy` adds. wrk (32 connections by default) sends the
# valid Rebilly POST /kyc-requests of the mock's benchmark (../../covenant-mock/bench/post.lua)
# straight to `covenant mock`, and to `covenant proxy` in front of the same mock,
# in alternating rounds (direct, proxy, direct, ...: on a shared 2-core machine the
# CPU available drifts over a minute, and the proxy, the mock and wrk share it).
#
#   bash crates/covenant-proxy/bench/run.sh [duration_seconds=10] [rounds=3]
#
# Environment: WRK_CONNECTIONS (default 32), WRK_THREADS (default 2), SKIP_BUILD=1
# runs target/release/covenant as it is. Installs wrk (Debian package) if missing.
#
# Prints per round req/s, p50 and p99 latency of both; then the medians, the added
# latency (proxy - direct, p50 and p99), the throughput ratio, the proxy's RSS, and
# its closing summary (exchanges seen, findings: 0 expected, every request is valid).
set -euo pipefail
cd "$(dirname "$0")/../../.."
DUR="${1:-10}"
ROUNDS="${2:-3}"
CONNS="${WRK_CONNECTIONS:-32}"
THREADS="${WRK_THREADS:-2}"
[ "$THREADS" -gt "$CONNS" ] && THREADS=$CONNS

if ! command -v wrk >/dev/null 2>&1; then
  echo "installing wrk" >&2
  (apt-get install -y wrk || (apt-get update && apt-get install -y wrk)) >/dev/null
fi
[ -n "${SKIP_BUILD:-}" ] || cargo build --release -q -p covenant-cli
BIN=target/release/covenant

TMP=$(mktemp -d)
cleanup() { for f in "$TMP"/*.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null || true; done; }
trap cleanup EXIT

start() { # $1 = name, rest = command; waits for the `<provider> <url>` line on stdout
  local name=$1; shift
  "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" &
  echo $! >"$TMP/$name.pid"
  for _ in $(seq 1 100); do
    if grep -q 'http://' "$TMP/$name.out"; then return; fi
    sleep 0.1
  done
  echo "$name did not start: $(cat "$TMP/$name.err")" >&2; exit 1
}

start mock "$BIN" mock --spec specs/rebilly.yaml
MOCK_URL=$(awk '{print $2; exit}' "$TMP/mock.out")
# The key the standalone mock accepts (printed on its stderr: a local value, not a secret).
KEY=$(sed -n 's/.*header REB-APIKEY: \([^ ]*\) .*/\1/p' "$TMP/mock.err" | head -1)
export COVENANT_MOCK_API_KEY="${KEY:-test-api-key}"
start proxy "$BIN" proxy --spec specs/rebilly.yaml --upstream "$MOCK_URL" --report-dir "$TMP/reports"
PROXY_URL=$(awk '{print $2; exit}' "$TMP/proxy.out")
PROXY_PID=$(cat "$TMP/proxy.pid")
echo "mock: $MOCK_URL  proxy: $PROXY_URL (pid $PROXY_PID); $CONNS connections, $THREADS wrk threads; $(uptime)"

for url in "$MOCK_URL" "$PROXY_URL"; do
  code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$url/kyc-requests" \
    -H 'content-type: application/json' -H "REB-APIKEY: $COVENANT_MOCK_API_KEY" \
    -d '{"customerId":"c","documents":[{"type":"identity-proof"}]}')
  [ "$code" = 201 ] || { echo "$url answered $code, expected 201" >&2; exit 1; }
done

run() { wrk -t"$THREADS" -c"$CONNS" -d"${2}s" --latency -s crates/covenant-mock/bench/post.lua "$1/kyc-requests" | grep '^RESULT'; }
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p"; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "warm-up"; run "$MOCK_URL" 3 >/dev/null; run "$PROXY_URL" 3 >/dev/null
for x in rps p50_ms p99_ms; do : >"$TMP/direct.$x"; : >"$TMP/proxy.$x"; done
for round in $(seq 1 "$ROUNDS"); do
  d=$(run "$MOCK_URL" "$DUR"); p=$(run "$PROXY_URL" "$DUR")
  echo "round $round (load $(cut -d' ' -f1-3 /proc/loadavg)) direct: $d"
  echo "round $round                 proxy:  $p"
  for x in rps p50_ms p99_ms; do
    echo "$d" | field "$x" >>"$TMP/direct.$x"
    echo "$p" | field "$x" >>"$TMP/proxy.$x"
  done
done
for s in direct proxy; do
  for x in rps p50_ms p99_ms; do eval "${s}_$x=$(median <"$TMP/$s.$x")"; done
done
echo "median over $ROUNDS rounds: direct rps=$direct_rps p50_ms=$direct_p50_ms p99_ms=$direct_p99_ms"
echo "median over $ROUNDS rounds: proxy  rps=$proxy_rps p50_ms=$proxy_p50_ms p99_ms=$proxy_p99_ms"
awk -v a="$proxy_p50_ms" -v b="$direct_p50_ms" -v c="$proxy_p99_ms" -v d="$direct_p99_ms" \
  -v r="$proxy_rps" -v s="$direct_rps" \
  'BEGIN {printf "added latency: p50 %+.3f ms, p99 %+.3f ms; throughput proxy/direct = %.1f%%\n", a-b, c-d, 100*r/s}'
echo "proxy rss: $(awk '/VmRSS/ {print $2" "$3}' "/proc/$PROXY_PID/status")"
kill -TERM "$PROXY_PID"
for _ in $(seq 1 100); do kill -0 "$PROXY_PID" 2>/dev/null || break; sleep 0.1; done
echo "proxy: $(tail -1 "$TMP/proxy.err")"
