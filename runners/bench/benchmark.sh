#!/usr/bin/env bash
# The benchmark: generates the sales data set at each size, runs every variant on it with a fixed heap,
# and writes results.csv and chart.svg. Not part of the tests.
#
#   runners/bench/benchmark.sh [ROWS ...]            default: 1000000 4000000 16000000
#
# Environment: BENCH_DIR (data, outputs, results; default /tmp/beam-etl-bench), HEAP (default 512m),
# VARIANTS (default: job dataset no-dictionary naive pandas by-order pandas-by-order), REPEAT (runs per cell,
# default 1; the chart shows the median), APPEND=1 (add to the results of an earlier run).
#
# Variants: job = pipelines/sales-by-product.yaml on embedded Flink; dataset = the same on Beam's
# DataSet translation for Flink (--useDataStreamForBatch=false), the default before; no-dictionary = the same with
# --encodeCategories=false; naive = the same with --aggregation=groupByKey (GroupByKey + a loop);
# pandas = runners/bench/pandas_sales.py (Debian's python3-pandas); by-order / pandas-by-order = the
# same grouped by order id (runners/bench/sales-by-order.yaml), millions of distinct keys.
# Measured per run: wall time (JVM or Python start included), peak RSS (GNU time), and for the JVM the
# largest heap occupancy right after any GC (from -Xlog:gc: live data plus old garbage G1 left for
# later) and the live heap: the largest heap left by a full collection the job forces every
# LIVE_HEAP_SECONDS (default 10; 0 turns it off).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
sizes=("$@")
((${#sizes[@]})) || sizes=(1000000 4000000 16000000)
bench=${BENCH_DIR:-/tmp/beam-etl-bench}
heap=${HEAP:-512m}
variants=(${VARIANTS:-job dataset no-dictionary naive pandas by-order pandas-by-order})
repeat=${REPEAT:-1}
export BEAM_ETL_WARM=0 # every job run starts its own JVM, even when a warm runner is up
python=/usr/bin/python3 # Debian's python3-pandas lives there, whatever python3 is first on the PATH

[[ -x /usr/bin/time ]] || { echo "needs GNU time: apt-get install time" >&2; exit 2; }
if [[ " ${variants[*]} " == *" pandas"* ]] && ! $python -c 'import pandas' 2>/dev/null; then
  echo "needs Debian's pandas: apt-get install python3-pandas" >&2; exit 2
fi
bin/beam-etl --help >/dev/null # compiles when needed and writes target/classpath.txt
source runners/bench/common.sh
tcp=$(test_classpath)
# The job runs through bin/beam-etl, as a user runs it (AppCDS archive included).
warm_up --pipeline=pipelines/sales-by-product.yaml
mkdir -p "$bench"
results=$bench/results.csv
if [[ ${APPEND:-0} != 1 || ! -f $results ]]; then # APPEND=1 adds to an earlier run's results
  echo "rows,variant,run,wall_s,rows_per_s,peak_rss_mb,max_heap_after_gc_mb,valid,groups,exit,live_heap_mb" > "$results"
  : > "$bench/phases.txt"
fi

# Largest heap occupancy after any GC, in MB, from a -Xlog:gc file ("... 300M->120M(512M) ...").
max_after_gc() {
  grep -o -- '->[0-9]*M' "$1" | tr -dc '0-9\n' | sort -n | tail -1
}

run_cell() { # rows variant run
  local rows=$1 variant=$2 run=$3 data="$bench/data/$1" tmp out code=0
  tmp=$(mktemp -d)
  out="$bench/out/$variant"
  local cmd=()
  case $variant in
    job) cmd=(--pipeline=pipelines/sales-by-product.yaml) ;;
    dataset) cmd=(--pipeline=pipelines/sales-by-product.yaml --useDataStreamForBatch=false) ;;
    no-dictionary) cmd=(--pipeline=pipelines/sales-by-product.yaml --encodeCategories=false) ;;
    naive) cmd=(--pipeline=pipelines/sales-by-product.yaml --aggregation=groupByKey) ;;
    by-order) cmd=(--pipeline=runners/bench/sales-by-order.yaml) ;;
  esac
  if [[ $variant == pandas* ]]; then
    local by=product,region
    [[ $variant == pandas-by-order ]] && by=order_id
    /usr/bin/time -f '%e %M' -o "$tmp/time" $python runners/bench/pandas_sales.py "$data/*.csv" --by=$by \
      > "$tmp/out" 2> "$tmp/err" || code=$?
    read -r valid groups < <($python -c 'import json,sys; d=json.loads(sys.stdin.read() or "{}");
print(d.get("valid",""), d.get("groups",""))' < "$tmp/out")
    heap_mb=""
    live_mb=""
  else
    BEAM_ETL_JAVA_OPTS="-Xmx$heap -Xlog:gc:file=$tmp/gc.log -Dbeametl.liveHeapSeconds=${LIVE_HEAP_SECONDS:-10}" /usr/bin/time -f '%e %M' -o "$tmp/time" \
      bin/beam-etl "${cmd[@]}" --input="$data/*.csv" --output="$out" --ifExists=overwrite \
      --progressSeconds=0 > "$tmp/out" 2> "$tmp/err" || code=$?
    grep '^  time ' "$tmp/out" | sed "s/^  time */$rows $variant: /" >> "$bench/phases.txt" || true
    read -r valid groups live_mb < <($python -c 'import json,sys
try:
    r = json.load(open(sys.argv[1])); c = r["counts"]
    print(c["valid"], c["written"], r["memory"].get("live_heap_max_bytes", 0) >> 20)
except Exception:
    print("", "", "")' "$out/_run/report.json")
    heap_mb=$(max_after_gc "$tmp/gc.log")
  fi
  read -r wall rss_kb < <(tail -1 "$tmp/time")
  local rps=$(awk -v r="$rows" -v w="$wall" 'BEGIN { printf "%d", r / w }')
  local rss_mb=$((rss_kb / 1024))
  echo "$rows,$variant,$run,$wall,$rps,$rss_mb,$heap_mb,$valid,$groups,$code,$live_mb" >> "$results"
  printf '%10s %-16s %8s s %10s rows/s  RSS %5s MB  heap after GC %5s MB  live heap %5s MB  valid %s groups %s exit %s\n' \
    "$rows" "$variant" "$wall" "$rps" "$rss_mb" "${heap_mb:--}" "${live_mb:--}" "$valid" "$groups" "$code"
  if ((code != 0)); then
    sed -n '1,5p' "$tmp/err" | sed 's/^/    /'
  fi
  rm -rf "$tmp"
}

for rows in "${sizes[@]}"; do
  data="$bench/data/$rows"
  if [[ ! -f $data/.complete ]]; then
    rm -rf "$data"
    java -cp "$tcp" dev.beametl.bench.SalesGenerator --rows="$rows" --files=4 --badShare=0.001 \
      --orders=$((rows / 2)) --out="$data" >/dev/null
    touch "$data/.complete"
  fi
  for ((run = 1; run <= repeat; run++)); do # round the variants, not one variant's runs in a row (drift)
    for variant in "${variants[@]}"; do
      run_cell "$rows" "$variant" "$run"
    done
  done
done
$python runners/bench/chart.py "$results" "$bench/chart.svg"
echo "results: $results"
echo "chart:   $bench/chart.svg"
echo "phases:  $bench/phases.txt (where each job run's time went)"
