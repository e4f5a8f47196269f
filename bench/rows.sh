#!/usr/bin/env bash
# Benchmark (issue 5, item 6): a 10,000-row CSV import through `clayform apply`, against the
# emulator at a fixed latency per request.
#
# A table with a CSV source is applied first with only the header line; then the file gets its
# N data lines and `apply --auto-approve` imports them. Reported from one run, best of RUNS:
#   - rows per second: N ÷ the wall time of that whole apply (load specs, reconcile, plan with
#     its refresh, row preview, insert, convergence check);
#   - API calls ÷ the minimum possible: the minimum is ceil(N / 500) inserts (Clay takes at most
#     500 records per call), what any importer must send; everything else is itemised by route;
#   - a second apply of the same file: calls made, rows added (must be 0).
# Each import runs with the client's default pacing (adaptive: unlimited until Clay answers 429;
# the emulator never does) and with a fixed 10 requests/s (CLAY_REQUESTS_PER_SECOND=10).
#
# Usage: bench/rows.sh [ROWS] [LATENCY_MS] [RUNS] [PORT]   (defaults: 10000, 50 ms, 3, 18797)
# Release builds happen here only (never in tests or CI).
set -euo pipefail

rows="${1:-10000}"
latency_ms="${2:-50}"
runs="${3:-3}"
port="${4:-18797}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
unset CARGO_TARGET_DIR

cargo build --release --quiet --bin clayform
bin="$root/target/release/clayform"
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
"$bin" emulate --port "$port" --latency-ms "$latency_ms" \
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
route() { jq --arg r "$2" '.[$r] // 0' "$1"; }
now_ms() { date +%s%3N; }
cf() {
  local dir="$1"; shift
  (cd "$dir" && timeout 900 "$bin" "$@" >"$work/last.out" 2>"$work/last.err") || {
    echo "failed: clayform $* (in $dir)" >&2; tail -30 "$work/last.err" >&2; exit 1; }
}

header='Email,Name,Company,Title,City,Employees'
write_csv() { # file, rows
  {
    echo "$header"
    awk -v n="$2" 'BEGIN { for (i = 1; i <= n; i++)
      printf "lead%06d@company%04d.com,Lead %d,Company %d,Head of Growth,San Francisco,%d\n",
        i, i % 5000, i, i % 5000, (i * 37) % 2000 + 10 }'
  } >"$1"
}

# One project per import: a table created with the header only, then N lines imported.
import() { # name → prints "wall_ms"; leaves stats in $work/NAME.json, the second apply in NAME-again.json
  local name="$1" dir="$work/$1"
  mkdir -p "$dir/specs"
  printf 'clients:\n  bench:\n    workspace_id: 1080480\nbackend: local\nspecs_dir: specs\n' \
    >"$dir/clayform.yaml"
  cat >"$dir/specs/leads.yaml" <<EOF
workbook: Rows Bench $name
client: bench
tables:
  Leads:
    type: company
    source: { csv: { path: leads.csv, key: Email } }
    columns:
      Email: { type: email }
      Name: { type: text }
      Company: { type: text }
      Title: { type: text }
      City: { type: text }
      Employees: { type: number }
EOF
  echo "$header" >"$dir/specs/leads.csv"
  cf "$dir" apply --auto-approve
  write_csv "$dir/specs/leads.csv" "$rows"
  reset_stats
  local started; started=$(now_ms)
  cf "$dir" apply --auto-approve
  local ended; ended=$(now_ms)
  save_stats "$work/$name.json"
  grep -q "rows: table \`Leads\`: $rows added" "$work/last.err" || {
    echo "the import did not add $rows rows:" >&2; tail -5 "$work/last.err" >&2; exit 1; }
  reset_stats
  cf "$dir" apply --auto-approve
  save_stats "$work/$name-again.json"
  grep -q "No changes" "$work/last.err" || {
    echo "a second apply of the same file was not a no-op:" >&2; tail -5 "$work/last.err" >&2; exit 1; }
  echo $((ended - started))
}
best() { sort -n | head -1; }

declare -A wall
for pacing in default fixed10; do
  if [[ "$pacing" == fixed10 ]]; then export CLAY_REQUESTS_PER_SECOND=10; else unset CLAY_REQUESTS_PER_SECOND; fi
  wall[$pacing]=$(for run in $(seq "$runs"); do import "$pacing-$run"; done | best)
done
unset CLAY_REQUESTS_PER_SECOND

insert_route='POST /v3/tables/{tableId}/records'
minimum=$(( (rows + 499) / 500 ))
calls=$(total "$work/default-1.json")
inserts=$(route "$work/default-1.json" "$insert_route")
again=$(total "$work/default-1-again.json")
again_inserts=$(route "$work/default-1-again.json" "$insert_route")
ratio() { awk "BEGIN{ if ($2 > 0) printf \"%.2f\", $1 / $2; else print \"n/a\" }"; }
per_sec() { awk "BEGIN{ printf \"%.0f\", $rows / ($1 / 1000) }"; }
secs() { awk "BEGIN{ printf \"%.2f\", $1 / 1000 }"; }

echo "CSV import: $rows rows × 6 columns ($(wc -c <"$work/default-1/specs/leads.csv") bytes);" \
  "emulator latency ${latency_ms} ms; best of $runs run(s)"
printf '%-44s %16s %12s\n' "" "default pacing" "fixed 10/s"
printf '%-44s %16s %12s\n' "import apply wall time (s)" "$(secs "${wall[default]}")" "$(secs "${wall[fixed10]}")"
printf '%-44s %16s %12s\n' "rows per second" "$(per_sec "${wall[default]}")" "$(per_sec "${wall[fixed10]}")"
echo
echo "API calls of the import apply: $calls, of which $inserts inserts (minimum possible: $minimum)"
echo "  calls ÷ minimum: $(ratio "$calls" "$minimum");  inserts ÷ minimum: $(ratio "$inserts" "$minimum")"
jq -r 'to_entries | sort_by(-.value) | .[] | "  \(.value)  \(.key)"' "$work/default-1.json"
echo "second apply of the same file: $again calls, $again_inserts inserts (no changes)"
