#!/usr/bin/env bash
# Starts a local Flink 1.19 session cluster (a JobManager and a TaskManager, separate JVMs, loopback
# only) from the project's Maven classpath - no Flink distribution needed - and waits until it is up.
#   runners/flink/start-cluster.sh      then submit with --flinkMaster=localhost:8081
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
run="${BEAM_ETL_FLINK_RUN:-/tmp/beam-etl-flink}"
mkdir -p "$run"
cd "$root"
if [[ ! -d target/classes ]]; then
  mvn -q -B -DskipTests compile >&2
fi
if [[ ! -f target/classpath.txt ]]; then
  mvn -q -B dependency:build-classpath -Dmdep.outputFile=target/classpath.txt >&2
fi
cp="target/classes:$(cat target/classpath.txt)"
opens=(--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/java.math=ALL-UNNAMED --add-opens=java.base/java.time=ALL-UNNAMED
  --add-opens=java.base/java.text=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.sql/java.sql=ALL-UNNAMED)

if curl -sf localhost:8081/overview >/dev/null 2>&1; then
  echo "a Flink cluster already answers on localhost:8081" >&2
  exit 1
fi
nohup java -Xmx768m "${opens[@]}" -cp "$cp" \
  org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint --configDir "$here/conf" \
  > "$run/jobmanager.log" 2>&1 &
echo $! > "$run/jobmanager.pid"
nohup java -Xmx640m -XX:MaxDirectMemorySize=420m "${opens[@]}" -cp "$cp" \
  org.apache.flink.runtime.taskexecutor.TaskManagerRunner --configDir "$here/conf" \
  > "$run/taskmanager.log" 2>&1 &
echo $! > "$run/taskmanager.pid"

for _ in $(seq 1 60); do
  if curl -sf localhost:8081/overview 2>/dev/null | grep -q '"taskmanagers":1'; then
    echo "Flink is up: http://localhost:8081 (REST: /overview, /jobs/overview); logs in $run"
    exit 0
  fi
  for p in jobmanager taskmanager; do
    if ! kill -0 "$(cat "$run/$p.pid")" 2>/dev/null; then
      echo "the $p exited; last lines of $run/$p.log:" >&2
      tail -20 "$run/$p.log" >&2
      exit 1
    fi
  done
  sleep 1
done
echo "Flink did not come up within 60 s; last lines of the logs:" >&2
tail -10 "$run/jobmanager.log" "$run/taskmanager.log" >&2
exit 1
