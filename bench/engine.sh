#!/usr/bin/env bash
# Benchmark (issue 4, item 8): the engine against the emulator at a fixed latency per request.
#
# Starts `clayform emulate --latency-ms 50`, generates a 3-table, 120-column workbook
# (`examples/gen_engine_workbook.rs`) and reports, from one run:
#   1. apply from scratch: wall time ÷ critical-path bound          (target ≤ 1.25)
#   2. apply --parallelism 1 ÷ apply at the default (16)            (target ≥ 5)
#   3. no-op plan: API reads ÷ tables                               (target ≤ 1.1)
#   4. apply: mutating calls ÷ planned changes (read-backs aside)   (target 1.0)
# The bound is the plan's dependency DAG weighted by the sequential round trips one step of each
# kind takes, measured on a probe workbook from the emulator's request log (requests that
# overlap count once), plus the order pass's read and the convergence check's reads (see
# BENCHMARKS.md).
#
# Usage: bench/engine.sh [PORT] [LATENCY_MS] [RUNS]   (defaults: 18787, 50 ms, best of 1 run)
# Pacing: each apply runs with the client's default (adaptive: unlimited until Clay answers 429,
# then 10 requests/s; the emulator never throttles) and with CLAY_REQUESTS_PER_SECOND=10 (fixed
# from the first request, the default before 2026-12).
# Release builds happen here only (never in tests or CI).
set -euo pipefail

port="${1:-18787}"
latency_ms="${2:-50}"
runs="${3:-1}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
unset CARGO_TARGET_DIR

cargo build --release --quiet --bin clayform --example gen_engine_workbook \
  --example engine_critical_path --example request_depth
bin="$root/target/release"
work="$(mktemp -d)"
emulator_pid=""
cleanup() {
  if [[ -n "$emulator_pid" ]]; then
    kill "$emulator_pid" 2>/dev/null || true
    wait "$emulator_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

url="http://127.0.0.1:$port"
"$bin/clayform" emulate --port "$port" --latency-ms "$latency_ms" --request-log-size 100000 \
  >"$work/emulator.out" 2>"$work/emulator.err" &
emulator_pid=$!
for _ in $(seq 100); do # up to 10 s
  curl -sf "$url/__emulator/stats" >/dev/null 2>&1 && break
  kill -0 "$emulator_pid" 2>/dev/null || break
  sleep 0.1
done
curl -sf "$url/__emulator/stats" >/dev/null || {
  echo "the emulator did not start on port $port" >&2; cat "$work/emulator.err" >&2; exit 1; }

export CLAY_API_URL="$url" CLAY_API_KEY=bench NO_COLOR=1
unset CLAY_WORKSPACE_ID CLAY_SESSION_COOKIE

reset_stats() { curl -sf -X POST "$url/__emulator/reset-stats" >/dev/null; }
save_stats() { curl -sf "$url/__emulator/stats" | jq '.byRoute' >"$1"; }
total() { jq '[.[]] | add // 0' "$1"; }
mutating() { jq '[to_entries[] | select(.key | test("^(POST|PATCH|PUT|DELETE) ")) | .value] | add // 0' "$1"; }
# clayform in a project folder, bounded; stderr kept for when it fails.
cf() {
  local dir="$1"; shift
  (cd "$dir" && timeout 900 "$bin/clayform" "$@" >"$work/last.out" 2>"$work/last.err") || {
    echo "failed: clayform $* (in $dir)" >&2; tail -30 "$work/last.err" >&2; exit 1; }
}
now_ms() { date +%s%3N; }

# --- Round trips per step kind, from a probe workbook grown one object at a time -------------
# Each apply makes: the plan's refresh reads, its steps' calls, the column-order pass's read of
# each touched table, and the check's refresh reads; these phases follow one another. What a
# stage's steps take is its apply's depth (the longest chain of requests each sent after the one
# before was answered, from the emulator's request log: `examples/request_depth.rs`) less the
# plans before and after it (measured alone) and the order pass's one read.
probe="$work/probe"
mkdir -p "$probe/specs"
printf 'clients:\n  bench:\n    workspace_id: 1080480\nbackend: local\nspecs_dir: specs\n' \
  >"$probe/clayform.yaml"
probe_spec() { # stages so far: first column table webhook
  {
    printf 'workbook: Engine Probe\nclient: bench\ntables:\n'
    # A table created with its webhook source, and a column that reads the source.
    printf '  Companies:\n    type: company\n    source:\n      webhook: { expected_rows: 10 }\n'
    printf '    columns:\n      A: { from_source: a }\n'
    [[ "$1" -ge 2 ]] && printf '      B: { type: text }\n'
    [[ "$1" -ge 3 ]] && printf '  Other:\n    type: spreadsheet\n    columns:\n      X: { type: text }\n'
    [[ "$1" -ge 4 ]] && printf '  Inbound:\n    type: spreadsheet\n    source:\n      webhook: {}\n    columns: {}\n'
    true
  } >"$probe/specs/probe.yaml"
}
stats() { curl -sf "$url/__emulator/stats" >"$1"; }
depth() { "$bin/examples/request_depth" "$@"; }
declare -A stage_depth stage_prefix
reset_stats; probe_spec 1; cf "$probe" plan; stats "$work/plan-0.json"
previous_plan=$(depth "$work/plan-0.json")
stage_number=0
for stage in first column table webhook; do
  stage_number=$((stage_number + 1))
  probe_spec "$stage_number"
  reset_stats; cf "$probe" apply --auto-approve; stats "$work/apply-$stage.json"
  reset_stats; cf "$probe" plan; stats "$work/plan-$stage.json"
  this_plan=$(depth "$work/plan-$stage.json")
  # steps = apply − plan before − plan after − the order pass's read
  stage_depth[$stage]=$(( $(depth "$work/apply-$stage.json") - previous_plan - this_plan - 1 ))
  # The webhook stage's table step ends where its source's PATCH starts.
  stage_prefix[$stage]=$(( $(depth "$work/apply-$stage.json" --before "PATCH /v3/tables/{tableId}") - previous_plan ))
  previous_plan=$this_plan
done
declare -A step_rt
step_rt[column]=${stage_depth[column]}
step_rt[table]=$(( stage_depth[table] - step_rt[column] ))
step_rt[webhook_table]=${stage_prefix[webhook]}
step_rt[webhook_source]=$(( stage_depth[webhook] - step_rt[webhook_table] ))
step_rt[workbook]=$(( stage_depth[first] - step_rt[webhook_table] - step_rt[webhook_source] - step_rt[column] ))
for kind in workbook table webhook_table webhook_source column; do
  if ! [[ "${step_rt[$kind]}" =~ ^[1-9][0-9]*$ ]]; then
    echo "could not measure the round trips of a $kind step: ${step_rt[$kind]}" >&2
    exit 1
  fi
done

# --- The benchmark workbook -------------------------------------------------------------------
# A fresh project (and workbook name) per apply: every apply starts from scratch.
apply_from_scratch() { # name, parallelism ("default": no flag) → prints wall ms; stats in $work/apply-NAME.json
  local name="$1" parallelism="$2" dir="$work/$1"
  local flag=()
  [[ "$parallelism" != default ]] && flag=(--parallelism "$parallelism")
  "$bin/examples/gen_engine_workbook" "$dir" "Engine Bench $1" 2>/dev/null
  reset_stats
  local started; started=$(now_ms)
  cf "$dir" apply --auto-approve "${flag[@]}"
  local ended; ended=$(now_ms)
  save_stats "$work/apply-$name.json"
  echo $((ended - started))
}
best() { sort -n | head -1; }

"$bin/examples/gen_engine_workbook" "$work/planned" "Engine Bench planned" 2>/dev/null
cf "$work/planned" plan --out "$work/planned/plan.json"
critical=$("$bin/examples/engine_critical_path" "$work/planned/plan.json" \
  "workbook=${step_rt[workbook]}" "table=${step_rt[table]}" \
  "webhook_table=${step_rt[webhook_table]}" "webhook_source=${step_rt[webhook_source]}" \
  "column=${step_rt[column]}")
changes=$(sed -E 's/.*changes=([0-9]+).*/\1/' <<<"$critical")
depth=$(sed -E 's/.*depth=([0-9]+).*/\1/' <<<"$critical")
dag_rt=$(sed -E 's/.*round_trips=([0-9]+).*/\1/' <<<"$critical")
path=$(sed -E 's/.*path=//' <<<"$critical")

# Each apply twice: with the client's default pacing (adaptive) and with a fixed 10 requests/s.
declare -A wall
for pacing in default fixed10; do
  if [[ "$pacing" == fixed10 ]]; then export CLAY_REQUESTS_PER_SECOND=10; else unset CLAY_REQUESTS_PER_SECOND; fi
  wall[$pacing,default]=$(for run in $(seq "$runs"); do apply_from_scratch "$pacing-pd-$run" default; done | best)
  wall[$pacing,1]=$(for run in $(seq "$runs"); do apply_from_scratch "$pacing-p1-$run" 1; done | best)
done
unset CLAY_REQUESTS_PER_SECOND
# Terraform's default, for comparison (default pacing).
wall[default,10]=$(for run in $(seq "$runs"); do apply_from_scratch "default-p10-$run" 10; done | best)

# After apply, the command re-reads Clay to check it converged: a no-op plan's reads (the tables
# are read concurrently, so they cost one round trip).
reset_stats; cf "$work/default-pd-1" plan --detailed-exitcode; stats "$work/noop-full.json"
jq '.byRoute' "$work/noop-full.json" >"$work/noop.json"
noop_reads=$(total "$work/noop.json")
check_rt=$(depth "$work/noop-full.json")
tables=3

order_rt=1 # the order pass's read of the tables (its moves are not a floor: in order, none)
bound_rt=$((dag_rt + order_rt + check_rt))
bound_ms=$((bound_rt * latency_ms))
mutating_calls=$(mutating "$work/apply-default-pd-1.json")
apply_calls=$(total "$work/apply-default-pd-1.json")
ratio() { awk "BEGIN{ if ($2 > 0) printf \"%.2f\", $1 / $2; else print \"n/a\" }"; }
secs() { awk "BEGIN{ printf \"%.2f\", $1 / 1000 }"; }

echo "workbook: 3 tables, 120 columns, $changes planned changes; emulator latency ${latency_ms} ms"
echo "sequential round trips per step:"
for kind in workbook table webhook_table webhook_source column; do
  printf '  %-15s %2s\n' "$kind" "${step_rt[$kind]}"
done
echo "critical path: $depth steps, $dag_rt round trips + $order_rt order read + $check_rt to check" \
  "($noop_reads reads) = $bound_rt × ${latency_ms} ms = $(secs "$bound_ms") s"
echo "  ${path//workbook\[\"Engine Bench planned\"\]./}"
echo "apply calls: $apply_calls ($mutating_calls mutating); wall times best of $runs run(s)"
jq -r 'to_entries | sort_by(-.value) | .[] | "  \(.value)  \(.key)"' "$work/apply-default-pd-1.json"
echo
printf '%-40s %16s %16s %8s\n' "" "default pacing" "fixed 10/s" "target"
printf '%-40s %16s %16s\n' "apply from scratch (s)" \
  "$(secs "${wall[default,default]}")" "$(secs "${wall[fixed10,default]}")"
printf '%-40s %16s\n' "apply --parallelism 10 (s)" "$(secs "${wall[default,10]}")"
printf '%-40s %16s %16s\n' "apply --parallelism 1 (s)" \
  "$(secs "${wall[default,1]}")" "$(secs "${wall[fixed10,1]}")"
printf '%-40s %16s %16s %8s\n' "1. apply ÷ critical-path bound" \
  "$(ratio "${wall[default,default]}" "$bound_ms")" "$(ratio "${wall[fixed10,default]}" "$bound_ms")" "≤ 1.25"
printf '%-40s %16s\n' "   the same at --parallelism 10" "$(ratio "${wall[default,10]}" "$bound_ms")"
printf '%-40s %16s %16s %8s\n' "2. parallelism 1 ÷ default (16)" \
  "$(ratio "${wall[default,1]}" "${wall[default,default]}")" \
  "$(ratio "${wall[fixed10,1]}" "${wall[fixed10,default]}")" "≥ 5"
printf '%-40s %16s %16s %8s\n' "3. no-op plan: API reads ÷ tables" \
  "$(ratio "$noop_reads" "$tables")" "$(ratio "$noop_reads" "$tables")" "≤ 1.1"
printf '%-40s %16s %16s %8s\n' "4. mutating calls ÷ planned changes" \
  "$(ratio "$mutating_calls" "$changes")" \
  "$(ratio "$(mutating "$work/apply-fixed10-pd-1.json")" "$changes")" "1.0"
