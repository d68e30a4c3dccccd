#!/usr/bin/env bash
# Stops the cluster start-cluster.sh started (every TaskManager it added, then the JobManager).
set -uo pipefail
run="${BEAM_ETL_FLINK_RUN:-/tmp/beam-etl-flink}"
stop() {
  kill "$1" 2>/dev/null && for _ in $(seq 1 20); do kill -0 "$1" 2>/dev/null || break; sleep 0.5; done
  kill -9 "$1" 2>/dev/null
}
for pid in $(cat "$run/taskmanagers.pids" 2>/dev/null); do stop "$pid"; done
[[ -f $run/jobmanager.pid ]] && stop "$(cat "$run/jobmanager.pid")"
rm -f "$run/taskmanagers.pids" "$run/taskmanager.pid" "$run/jobmanager.pid"
rm -rf "$run/tmp" # the cluster's working directory (blob store, temporary files)
echo "stopped"
