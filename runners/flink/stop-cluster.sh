#!/usr/bin/env bash
# Stops the cluster start-cluster.sh started (every TaskManager it added, then the JobManager).
set -uo pipefail
run="${BEAM_ETL_FLINK_RUN:-/tmp/beam-etl-flink}"
stopped=0
# Only a process that is still one of this cluster's JVMs: after a crash or a reboot a pid file's
# number can belong to any other process (a trial's stop killed an unrelated one).
ours() { # pid class: that class, started for this run directory (its io.tmp.dirs)
  [[ -r /proc/$1/cmdline ]] || return 1
  local cmd
  cmd="$(tr '\0' ' ' < "/proc/$1/cmdline")"
  [[ $cmd == *"$2"* && $cmd == *"-Dio.tmp.dirs=$run/tmp"* ]]
}
stop() { # pid class
  ours "$1" "$2" || return 0
  kill "$1" 2>/dev/null && for _ in $(seq 1 20); do kill -0 "$1" 2>/dev/null || break; sleep 0.5; done
  ours "$1" "$2" && kill -9 "$1" 2>/dev/null
  stopped=$((stopped + 1))
}
for pid in $(cat "$run/taskmanagers.pids" 2>/dev/null); do
  stop "$pid" org.apache.flink.runtime.taskexecutor.TaskManagerRunner
done
[[ -f $run/jobmanager.pid ]] && stop "$(cat "$run/jobmanager.pid")" \
  org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint
rm -f "$run/taskmanagers.pids" "$run/taskmanager.pid" "$run/jobmanager.pid"
rm -rf "$run/tmp" # the cluster's working directory (blob store, temporary files)
if ((stopped > 0)); then
  echo "stopped"
else
  echo "no cluster of $run was running"
fi
