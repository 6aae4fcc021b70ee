#!/usr/bin/env bash
# Micro-benchmark of the pure core (decider and expression evaluator), no database: bench/core.sh [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B test-compile dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
java -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" io.harmonia.bench.CoreBenchmark "${1:-5}"
