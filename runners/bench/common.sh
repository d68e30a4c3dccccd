# Sourced by the benchmarks (run from the project root): the test classpath and the warm-up run.

# Compiles the test sources, where the generators and the DuckDB peer live (off the job's classpath),
# and prints their classpath.
test_classpath() {
  mvn -o -q -B test-compile dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile=target/test-classpath.txt >/dev/null 2>&1 \
    || mvn -q -B test-compile dependency:build-classpath -Dmdep.includeScope=test \
      -Dmdep.outputFile=target/test-classpath.txt >/dev/null
  echo "target/test-classes:target/classes:$(cat target/test-classpath.txt)"
}

# One small run of the job (its arguments) that records the class-data archive, so that no measured
# run pays for it.
warm_up() {
  local warm
  warm=$(mktemp -d)
  bin/beam-etl "$@" --output="$warm/out" --progressSeconds=0 >/dev/null 2>&1
  rm -rf "$warm"
  [[ -f target/beam-etl.jsa ]] || { echo "the warm-up run failed" >&2; exit 1; }
}
