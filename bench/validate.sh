#!/usr/bin/env bash
# Benchmark (issue 2's quality bar): `clayform validate` vs. parsing the same files with
# serde-saphyr alone, on 200 generated workbooks × 200 columns.
# Targets: validate ≤ 1.5× parse-only wall time; validate peak RSS ≤ 150 MB.
#
# Usage: bench/validate.sh [WORKBOOKS] [RUNS]     (defaults: 200 workbooks, best of 3 runs)
# Release builds happen here only (never in tests or CI).
set -euo pipefail

workbooks="${1:-200}"
runs="${2:-3}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
unset CARGO_TARGET_DIR

cargo build --release --quiet --bin clayform --example gen_corpus --example parse_only
bin="$root/target/release"
corpus="$(mktemp -d)"
trap 'rm -rf "$corpus"' EXIT
"$bin/examples/gen_corpus" "$corpus/specs" "$workbooks" 2>/dev/null
bytes=$(du -sb "$corpus/specs" | cut -f1)

# Run from the corpus folder so no `clayform.yaml` above it is picked up.
measure() { # label, command... → prints "seconds rss_kb" of the fastest run
  local best_s="" best_kb=""
  for _ in $(seq "$runs"); do
    local log
    log="$(mktemp)"
    (cd "$corpus" && /usr/bin/time -v "$@" >/dev/null 2>"$log") || {
      echo "command failed: $*" >&2; tail -20 "$log" >&2; exit 1; }
    local wall kb s
    wall=$(grep "Elapsed (wall clock)" "$log" | awk '{print $NF}')
    kb=$(grep "Maximum resident set size" "$log" | awk '{print $NF}')
    s=$(echo "$wall" | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
    rm -f "$log"
    if [[ -z "$best_s" ]] || awk "BEGIN{exit !($s < $best_s)}"; then best_s=$s; best_kb=$kb; fi
  done
  echo "$best_s $best_kb"
}

read -r parse_s parse_kb < <(measure "$bin/examples/parse_only" specs)
read -r validate_s validate_kb < <(measure "$bin/clayform" validate specs)

ratio=$(awk "BEGIN{ if ($parse_s > 0) printf \"%.2f\", $validate_s / $parse_s; else print \"n/a\" }")
validate_mb=$(awk "BEGIN{printf \"%.1f\", $validate_kb / 1024}")
parse_mb=$(awk "BEGIN{printf \"%.1f\", $parse_kb / 1024}")

echo "corpus: $workbooks workbooks × 200 columns, $((bytes / 1024)) KiB; best of $runs runs"
printf '%-28s %10s %12s\n' "" "wall (s)" "peak RSS (MB)"
printf '%-28s %10s %12s\n' "serde-saphyr parse only" "$parse_s" "$parse_mb"
printf '%-28s %10s %12s\n' "clayform validate" "$validate_s" "$validate_mb"
echo "ratio validate / parse-only: ${ratio}× (target ≤ 1.5×)"
echo "validate peak RSS: ${validate_mb} MB (target ≤ 150 MB)"
