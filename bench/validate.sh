#!/usr/bin/env bash
# Benchmark (issue 2's quality bar): `clayform validate` vs. parsing the same files with
# serde-saphyr alone, on 200 generated workbooks × 200 columns.
# Targets: validate ≤ 1.5× parse-only wall time; validate peak RSS ≤ 150 MB.
#
# Usage: bench/validate.sh [WORKBOOKS] [RUNS]     (defaults: 200 workbooks, best of 3 rounds)
# Measures four commands, taking turns in each round: parse-only and validate on one thread
# (CLAYFORM_THREADS=1), and both on one thread per core (validate's default); prints the ratios.
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

threads="$(nproc)"

# Run from the corpus folder so no `clayform.yaml` above it is picked up.
# The machine is shared and noisy, so the commands take turns within each round (a load spike
# hits all of them alike) and each keeps its fastest round.
run_once() { # command... → prints "wall_seconds rss_kb cpu_seconds"
  local log
  log="$(mktemp)"
  (cd "$corpus" && /usr/bin/time -v "$@" >/dev/null 2>"$log") || {
    echo "command failed: $*" >&2; tail -20 "$log" >&2; exit 1; }
  local wall kb user sys
  wall=$(grep "Elapsed (wall clock)" "$log" | awk '{print $NF}')
  kb=$(grep "Maximum resident set size" "$log" | awk '{print $NF}')
  user=$(grep "User time (seconds)" "$log" | awk '{print $NF}')
  sys=$(grep "System time (seconds)" "$log" | awk '{print $NF}')
  rm -f "$log"
  echo "$wall" | awk -v kb="$kb" -v cpu="$(awk "BEGIN{print $user + $sys}")" -F: \
    '{ if (NF==3) s=$1*3600+$2*60+$3; else s=$1*60+$2; print s, kb, cpu }'
}

# The machine is shared: say how busy it was, so a run can be read against another.
load() { cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "unknown"; }
load_before="$(load)"

labels=("parse1" "validate1" "parseN" "validateN")
declare -A best_s best_kb best_cpu
for _ in $(seq "$runs"); do
  for label in "${labels[@]}"; do
    case "$label" in
      parse1) out=$(run_once "$bin/examples/parse_only" specs 1) ;;
      validate1) out=$(run_once env CLAYFORM_THREADS=1 "$bin/clayform" validate specs) ;;
      parseN) out=$(run_once "$bin/examples/parse_only" specs "$threads") ;;
      validateN) out=$(run_once env CLAYFORM_THREADS="$threads" "$bin/clayform" validate specs) ;;
    esac
    read -r s kb cpu <<<"$out"
    if [[ -z "${best_cpu[$label]:-}" ]] || awk "BEGIN{exit !($cpu < ${best_cpu[$label]})}"; then
      best_cpu[$label]=$cpu
    fi
    if [[ -z "${best_s[$label]:-}" ]] || awk "BEGIN{exit !($s < ${best_s[$label]})}"; then
      best_s[$label]=$s; best_kb[$label]=$kb
    fi
  done
done

ratio() { awk "BEGIN{ if ($2 > 0) printf \"%.2f\", $1 / $2; else print \"n/a\" }"; }
mb() { awk "BEGIN{printf \"%.1f\", $1 / 1024}"; }

echo "corpus: $workbooks workbooks × 200 columns, $((bytes / 1024)) KiB; best of $runs rounds; $threads cores"
echo "load average (1, 5, 15 min): $load_before before, $(load) after"
row() { printf '%-44s %9s %9s %14s\n' "$@"; }
row "" "wall (s)" "CPU (s)" "peak RSS (MB)"
row "serde-saphyr parse only, 1 thread" "${best_s[parse1]}" "${best_cpu[parse1]}" "$(mb "${best_kb[parse1]}")"
row "clayform validate, 1 thread" "${best_s[validate1]}" "${best_cpu[validate1]}" "$(mb "${best_kb[validate1]}")"
row "serde-saphyr parse only, $threads threads" "${best_s[parseN]}" "${best_cpu[parseN]}" "$(mb "${best_kb[parseN]}")"
row "clayform validate, $threads threads (default)" "${best_s[validateN]}" "${best_cpu[validateN]}" "$(mb "${best_kb[validateN]}")"
echo "ratio validate / parse-only, both 1 thread:          $(ratio "${best_s[validate1]}" "${best_s[parse1]}")× wall, $(ratio "${best_cpu[validate1]}" "${best_cpu[parse1]}")× CPU"
echo "ratio validate / parse-only, both $threads threads:          $(ratio "${best_s[validateN]}" "${best_s[parseN]}")×"
echo "ratio validate ($threads threads, default) / parse-only (1 thread): $(ratio "${best_s[validateN]}" "${best_s[parse1]}")× (target ≤ 1.5×)"
echo "validate peak RSS ($threads threads): $(mb "${best_kb[validateN]}") MB (target ≤ 150 MB)"
