#!/usr/bin/env bash
# Run the fuzz targets (all, or those named after SECONDS) one after another for SECONDS each
# (default 600), one process each, 1 s per input at most. A failing target does not stop the rest.
set -euo pipefail
cd "$(dirname "$0")"
secs="${1:-600}"
if [ "$#" -gt 1 ]; then targets=("${@:2}"); else targets=(text_reader jsonl html rules normalize extract); fi
cargo +nightly fuzz build --sanitizer none
mkdir -p logs
status=0
for t in "${targets[@]}"; do
    mkdir -p "corpus/$t"
    echo "== $t ($secs s)"
    cargo +nightly fuzz run --sanitizer none "$t" "corpus/$t" "seeds/$t" -- \
        -max_total_time="$secs" -timeout=1 -rss_limit_mb=4096 \
        -print_final_stats=1 >"logs/$t.log" 2>&1 || { echo "$t FAILED, see logs/$t.log"; status=1; }
    grep -E "^Done|stat::number_of_executed_units|stat::average_exec_per_sec" "logs/$t.log"
done
exit "$status"
