#!/usr/bin/env bash
# Load time of an execution of 21,002 events with and without automatic checkpoints (issue 11), against the test
# profile's embedded Postgres: bench/checkpoint-load.sh [tasks] [rounds]. Prints the numbers and writes them to
# target/checkpoint-load-bench.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B test -Dtest=CheckpointLoadBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
    -Dbench.tasks="${1:-7000}" -Dbench.rounds="${2:-30}"
cat target/checkpoint-load-bench.txt
