#!/usr/bin/env bash
# The wide-row benchmark: a TPC-H lineitem-shaped table (OrderLinesGenerator: 16 columns, four
# decimal(15,2), three dates, 0.1% bad rows) and two workloads, each run by the job, DuckDB (JDBC,
# read_csv/read_json with explicit types, 2 threads) and pandas (chunked read_csv), on the same files,
# one after another, and checked to agree (sums exactly, means within half a unit of the job's last place).
#
#   runners/bench/order-lines.sh [ROWS ...]                 default: 18000000
#
# Environment: BENCH_DIR (default /tmp/beam-etl-bench), RUNS (default: the pricing summary on '|' files by
# job, duckdb and pandas), REPEAT (default 1), HEAP (default 1g; the by-order workload always 256m).
# A run is WORKLOAD:FORMAT:ENGINE with WORKLOAD pricing|by-order, FORMAT pipe|csv|jsonl, ENGINE
# job|duckdb|pandas (pandas: pipe and csv). Results: $BENCH_DIR/order-lines.csv.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
sizes=("$@")
((${#sizes[@]})) || sizes=(18000000)
bench=${BENCH_DIR:-/tmp/beam-etl-bench}
runs=(${RUNS:-pricing:pipe:duckdb pricing:pipe:job pricing:pipe:pandas})
repeat=${REPEAT:-1}
export BEAM_ETL_WARM=0
python=/usr/bin/python3
[[ -x /usr/bin/time ]] || { echo "needs GNU time: apt-get install time" >&2; exit 2; }
bin/beam-etl --help >/dev/null # compiles the job when needed
source runners/bench/common.sh
tcp=$(test_classpath)
warm_up --pipeline=runners/bench/order-lines-pricing.yaml
mkdir -p "$bench"
results=$bench/order-lines.csv
[[ -f $results ]] || echo "rows,workload,format,engine,run,wall_s,rows_per_s,peak_rss_mb,agrees,exit" > "$results"

data_for() { # rows format -> directory holding the files
  local dir="$bench/order-lines/$1-$2"
  if [[ ! -f $dir/.complete ]]; then
    rm -rf "$dir"
    java -cp "$tcp" dev.beametl.bench.OrderLinesGenerator --rows="$1" --format="$2" --files=4 --out="$dir" >/dev/null
    touch "$dir/.complete"
  fi
  echo "$dir"
}

run_one() { # rows workload format engine run
  local rows=$1 workload=$2 format=$3 engine=$4 run=$5 dir ext glob tmp code=0 heap=${HEAP:-1g}
  dir=$(data_for "$rows" "$format")
  ext=$([[ $format == pipe ]] && echo tbl || echo "$format")
  glob="$dir/*.$ext"
  tmp=$(mktemp -d)
  local expected="$bench/order-lines/$rows-$workload-$format.expected.json"
  case $engine in
    duckdb)
      /usr/bin/time -f '%e %M' -o "$tmp/time" java -Xmx1g -cp "$tcp" dev.beametl.bench.DuckDbPeer query "$workload" \
        "$glob" "$format" 2 > "$tmp/result.json" 2> "$tmp/err" || code=$? ;;
    pandas)
      /usr/bin/time -f '%e %M' -o "$tmp/time" $python runners/bench/pandas_order_lines.py "$glob" \
        --workload="$workload" --format="$format" > "$tmp/result.json" 2> "$tmp/err" || code=$? ;;
    job)
      local out="$bench/out/order-lines-$workload" flags=()
      [[ $workload == by-order ]] && heap=256m
      case $format in
        csv) flags=(--set=source.csv.delimiter=, --set=source.csv.header=true) ;;
        jsonl) flags=(--set=source.format=jsonl) ;;
      esac
      local spec="runners/bench/order-lines-$workload.yaml"
      if [[ $format == jsonl ]]; then # a jsonl source takes no csv settings
        spec="$tmp/order-lines-$workload.yaml"
        sed '/^  csv:/,/^    header:/d' "runners/bench/order-lines-$workload.yaml" > "$spec"
      fi
      BEAM_ETL_JAVA_OPTS="-Xmx$heap" /usr/bin/time -f '%e %M' -o "$tmp/time" bin/beam-etl --pipeline="$spec" \
        "${flags[@]}" --input="$glob" --output="$out" --ifExists=overwrite --progressSeconds=0 \
        > "$tmp/out" 2> "$tmp/err" || code=$?
      grep '^  time ' "$tmp/out" | sed "s/^  time */$rows $workload $format: /" >> "$bench/order-lines-phases.txt" || true
      ((code == 0)) && java -cp "$tcp" dev.beametl.bench.DuckDbPeer output "$workload" "$out" > "$tmp/result.json" ;;
  esac
  local agrees=-
  if ((code == 0)); then
    if [[ ! -f $expected ]]; then
      cp "$tmp/result.json" "$expected" # the first engine to run a cell sets what the others must agree with
      agrees=first
    else
      agrees=$($python runners/bench/agree.py "$tmp/result.json" "$expected")
    fi
  fi
  read -r wall rss_kb < <(tail -1 "$tmp/time")
  local rps=$(awk -v r="$rows" -v w="$wall" 'BEGIN { printf "%d", r / w }')
  echo "$rows,$workload,$format,$engine,$run,$wall,$rps,$((rss_kb / 1024)),\"$agrees\",$code" >> "$results"
  printf '%10s %-9s %-6s %-7s %8s s %10s rows/s  RSS %5s MB  agrees: %s  exit %s\n' \
    "$rows" "$workload" "$format" "$engine" "$wall" "$rps" "$((rss_kb / 1024))" "$agrees" "$code"
  ((code == 0)) || sed -n '1,5p' "$tmp/err" | sed 's/^/    /'
  rm -rf "$tmp"
}

# Repeats go round the engines (DuckDB, job, pandas, DuckDB, job, ...), not one engine's runs in a
# row: this machine's speed drifts over minutes, and a ratio of runs taken apart measured the drift.
for rows in "${sizes[@]}"; do
  for ((run = 1; run <= repeat; run++)); do
    for spec in "${runs[@]}"; do
      IFS=: read -r workload format engine <<< "$spec"
      run_one "$rows" "$workload" "$format" "$engine" "$run"
    done
  done
done
$python runners/bench/order_lines_chart.py "$results" "$bench/order-lines.svg"
echo "results: $results"
echo "chart:   $bench/order-lines.svg"
