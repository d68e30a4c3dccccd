#!/usr/bin/env bash
# Stops the cluster start-cluster.sh started.
set -uo pipefail
run="${BEAM_ETL_FLINK_RUN:-/tmp/beam-etl-flink}"
for p in taskmanager jobmanager; do
  if [[ -f "$run/$p.pid" ]]; then
    pid="$(cat "$run/$p.pid")"
    kill "$pid" 2>/dev/null && for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null
    rm -f "$run/$p.pid"
  fi
done
echo "stopped"
