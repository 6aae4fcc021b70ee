#!/usr/bin/env bash
# Load time of executions of 20,000+ events with and without automatic checkpoints (issue 11), against the test
# profile's embedded Postgres: bench/checkpoint-load.sh [tasks] [updates] [rounds] (defaults 7000 20000 30).
# Prints the numbers and writes them to target/checkpoint-load-bench.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B test -Dtest=CheckpointLoadBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
    -Dbench.tasks="${1:-7000}" -Dbench.updates="${2:-20000}" -Dbench.rounds="${3:-30}"
cat target/checkpoint-load-bench.txt
