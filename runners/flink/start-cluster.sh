#!/usr/bin/env bash
# Starts a local Flink 1.19 session cluster (a JobManager and a TaskManager, separate JVMs, loopback
# only; slf4j-simple logs at info to $run/*.log) from the project's Maven classpath - no Flink distribution needed - and waits until it is up.
#   runners/flink/start-cluster.sh               then runners/flink/submit.sh --pipeline=...
#   runners/flink/start-cluster.sh taskmanager   adds a TaskManager (e.g. to replace one that died)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
run="${BEAM_ETL_FLINK_RUN:-/tmp/beam-etl-flink}"
what="${1:-cluster}"
mkdir -p "$run"
cd "$root"
# The cluster runs Flink alone, as a Flink distribution's lib/ holds it: the job's classes and
# libraries (Beam, Parquet, the JDBC drivers, ...) come with each submission, in the bundled jar.
# Flink's part of the runtime-scope classpath is what is left without the job's libraries. With them
# on the cluster too, H2 loaded by both class loaders failed an AUTO_SERVER database's commit with a
# LinkageError (a trial), and the cluster could not show that the jar carries what the job needs.
# Flink's RPC system (flink-rpc-akka) stays out too: the cluster loads it through Flink's own loader,
# in a class loader of its own, as a distribution does; only the job's JVM takes it from its class path.
cp_file=target/flink-cluster-classpath.txt
if [[ ! -f $cp_file || pom.xml -nt $cp_file || $here/start-cluster.sh -nt $cp_file ]]; then
  mkdir -p target
  job_groups=org.apache.beam,org.apache.parquet,org.apache.avro,org.apache.hadoop,com.h2database,org.postgresql
  job_groups+=,org.mariadb.jdbc,com.google.api-client,com.google.apis,com.google.auth,com.google.http-client
  job_groups+=,com.google.oauth-client,com.google.guava,com.google.auto.value,com.google.errorprone,com.google.j2objc
  job_groups+=,com.google.code.gson,io.grpc,io.opencensus,org.conscrypt,joda-time,io.github.classgraph,args4j
  job_groups+=,org.apache.httpcomponents,com.fasterxml.jackson.core,org.yaml,org.checkerframework,io.airlift
  mvn -q -B -Dstyle.color=never dependency:build-classpath -DincludeScope=runtime -Dmdep.outputFile="$cp_file" \
    -DexcludeGroupIds="$job_groups" -DexcludeArtifactIds=commons-csv,commons-jexl3,commons-dbcp2,commons-pool2,flink-rpc-akka 2>&1 \
    | sed 's/\x1b\[[0-9;]*m//g' >&2 # Maven 3.8 writes colour resets even with -q
fi
cp="$(cat "$cp_file")"
# The cluster's own working directory (TaskManager blob store and temporary files, some hundred MB):
# under $run, not the system temp directory, and stop-cluster.sh removes it.
tmp="$run/tmp"
mkdir -p "$tmp"

taskmanagers() { curl -sf localhost:8081/overview 2>/dev/null | sed -n 's/.*"taskmanagers":\([0-9]*\).*/\1/p'; }

case "$what" in
  cluster)
    if curl -sf localhost:8081/overview >/dev/null 2>&1; then
      echo "a Flink cluster already answers on localhost:8081 (runners/flink/stop-cluster.sh stops it)" >&2
      exit 1
    fi
    rm -f "$run"/taskmanager-*.log # a new cluster's logs only (the JobManager's log is rewritten too)
    nohup java -Xmx768m @runners/java17.opens -cp "$cp" \
      org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint --configDir "$here/conf" \
      -Dio.tmp.dirs="$tmp" -Dweb.tmpdir="$tmp/web" \
      > "$run/jobmanager.log" 2>&1 &
    echo $! > "$run/jobmanager.pid" ;;
  taskmanager)
    if ! curl -sf localhost:8081/overview >/dev/null 2>&1; then # it would wait 90 s, then stay up, retrying
      echo "no JobManager answers on localhost:8081: start the cluster first (runners/flink/start-cluster.sh)" >&2
      exit 1
    fi ;;
  *) echo "usage: start-cluster.sh [cluster|taskmanager]" >&2; exit 2 ;;
esac
n="$(date +%s%N)"
nohup java -Xmx640m -XX:MaxDirectMemorySize=420m @runners/java17.opens -cp "$cp" \
  org.apache.flink.runtime.taskexecutor.TaskManagerRunner --configDir "$here/conf" -Dio.tmp.dirs="$tmp" \
  > "$run/taskmanager-$n.log" 2>&1 &
echo $! > "$run/taskmanager.pid"
echo $! >> "$run/taskmanagers.pids"

for _ in $(seq 1 90); do
  if grep -q "Successful registration at resource manager" "$run/taskmanager-$n.log" 2>/dev/null \
      && curl -sf localhost:8081/overview >/dev/null 2>&1; then
    echo "Flink is up: http://localhost:8081 ($(taskmanagers) TaskManager(s); REST: /overview, /jobs/overview); logs in $run"
    exit 0
  fi
  for p in jobmanager taskmanager; do
    if [[ -f "$run/$p.pid" ]] && ! kill -0 "$(cat "$run/$p.pid")" 2>/dev/null; then
      log="$(ls -t "$run/$p"*.log 2>/dev/null | head -1)"
      echo "the $p exited; last lines of $log:" >&2
      tail -20 "$log" >&2
      exit 1
    fi
  done
  sleep 1
done
echo "Flink did not come up within 90 s; stopping what this start began; last lines of the logs:" >&2
ls -t "$run"/*.log | head -2 | while read -r log; do tail -10 "$log" >&2; done
kill "$(cat "$run/taskmanager.pid")" 2>/dev/null || true
[[ $what == cluster ]] && kill "$(cat "$run/jobmanager.pid")" 2>/dev/null
exit 1
