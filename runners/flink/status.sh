#!/usr/bin/env bash
# Shows the cluster and its jobs, from Flink's REST API.
set -uo pipefail
if ! curl -sf localhost:8081/overview; then
  echo "no Flink cluster answers on localhost:8081" >&2
  exit 1
fi
echo
curl -sf localhost:8081/jobs/overview
echo
