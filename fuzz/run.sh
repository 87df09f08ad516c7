#!/usr/bin/env bash
# Runs the cargo-fuzz targets, each for SECONDS (default 30), one after another:
#
#   bash fuzz/run.sh [SECONDS] [TARGET...]     (all targets when none is named)
#
# CI runs `bash fuzz/run.sh 20`; a long run is `bash fuzz/run.sh 600` (or one
# target: `bash fuzz/run.sh 3600 mock_request`). Installs cargo-fuzz when it is
# missing. By default the targets are built by the machine's (stable) toolchain
# without a sanitizer (`cargo fuzz -s none`): panics, hangs and runaway memory are
# what safe Rust can do wrong. FUZZ_SANITIZER=address builds with AddressSanitizer
# instead, which needs (and installs) the nightly toolchain, to also catch memory
# errors in dependencies' unsafe code. Each target starts from its committed
# seeds (fuzz/corpus/<target>/, read only) plus what earlier runs found
# (fuzz/work/<target>/, not committed), with a per-input timeout of 10 s and
# 2 GB of memory. Exits non-zero when any target crashes, times out or runs out
# of memory; the input that did is in fuzz/artifacts/<target>/ (reproduce with
# `cargo fuzz run -s none <target> <file>`). Logs: $FUZZ_LOG_DIR/<target>.log
# (default fuzz/work/logs).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-30}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(spec_load mock_request form_body query_and_styles error_template)
fi
log_dir="${FUZZ_LOG_DIR:-fuzz/work/logs}"
mkdir -p "$log_dir"

sanitizer="${FUZZ_SANITIZER:-none}"
toolchain=()
if [ "$sanitizer" != none ]; then
  toolchain=(+nightly)
  if ! rustup toolchain list | grep -q '^nightly'; then
    rustup toolchain install nightly --profile minimal
  fi
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked
fi

start=$(date +%s)
cargo "${toolchain[@]}" fuzz build -s "$sanitizer"
echo "fuzz: built (sanitizer: $sanitizer) in $(($(date +%s) - start)) s"

failed=()
for t in "${targets[@]}"; do
  mkdir -p "fuzz/work/$t"
  log="$log_dir/$t.log"
  status=0
  cargo "${toolchain[@]}" fuzz run -s "$sanitizer" "$t" "fuzz/work/$t" "fuzz/corpus/$t" -- \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 >"$log" 2>&1 || status=$?
  execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | tail -1 | awk '{print $2}')
  if [ "$status" -eq 0 ]; then
    echo "fuzz: $t: ${execs:-?} executions in ${seconds} s, no crash"
  else
    echo "fuzz: $t: FAILED (exit $status) after ${execs:-?} executions; log: $log"
    grep -E '^(==[0-9]+==ERROR|thread .* panicked|SUMMARY|artifact_prefix|Test unit written)' "$log" | head -20 || true
    failed+=("$t")
  fi
done
echo "fuzz: done in $(($(date +%s) - start)) s"
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: crashed: ${failed[*]}"
  exit 1
fi
