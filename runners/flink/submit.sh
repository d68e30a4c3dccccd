#!/usr/bin/env bash
# Submits beam-etl to a running Flink cluster with the bundled job jar (built by mvn package when
# missing or older than the sources). The client runs here, uploads only that jar, and waits for the
# job to end; all arguments go to the job.
#   runners/flink/submit.sh --pipeline=pipelines/sales-by-product.yaml
#   runners/flink/submit.sh replay --pipeline=pipelines/sales-by-brand.yaml --from=out/sales-by-brand-dead-letter
#   FLINK_MASTER=flink-host:8081 runners/flink/submit.sh --pipeline=...
# Relative paths in the arguments mean the caller's directory.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"
version="$(sed -n 's|^  <version>\(.*\)</version>|\1|p' "$root/pom.xml" | head -1)"
jar="$root/target/beam-etl-$version-bundled.jar"
if [[ ! -f $jar || -n "$(find "$root/src/main" "$root/pom.xml" -newer "$jar" -print -quit 2>/dev/null)" ]]; then
  (cd "$root" && mvn -q -B -Dstyle.color=never -DskipTests package) >&2
fi
master="${FLINK_MASTER:-localhost:8081}"
for arg in "$@"; do # a --flinkMaster= among the job's flags wins, as it does for the job: check that cluster
  if [[ $arg == --flinkMaster=* ]]; then master=${arg#--flinkMaster=}; fi
done
# No cluster: say so now, not after the client's retries (about 70 s) and with the run's directories made.
if [[ $master != \[* && " $* " != *" --dryRun"* && " $* " != *" --help"* ]] && command -v curl >/dev/null \
    && ! curl -sf --max-time 10 "$([[ $master == *://* ]] || echo http://)$master/overview" >/dev/null 2>&1; then
  echo "submit.sh: no Flink cluster answers on $master (runners/flink/start-cluster.sh starts one; FLINK_MASTER or --flinkMaster= names another)" >&2
  exit 1
fi
# A subcommand (replay) stays the first argument.
sub=()
if [[ ${1:-} == replay ]]; then sub=(replay); shift; fi
exec java ${BEAM_ETL_JAVA_OPTS:--Xmx1g} "-Dbeametl.home=$root" "@$root/runners/java17.opens" -jar "$jar" \
  ${sub[@]+"${sub[@]}"} --runner=FlinkRunner --flinkMaster="$master" "$@"
