#!/usr/bin/env bash
# Live-stream load check, on this machine only (loopback): starts a standalone Kafka broker (the project's own
# EmbeddedKafka main) and the packaged Harmonia against the local Postgres (a fresh database), waits until it is
# ready, runs bench/streams/StreamLoad.java against it with the given options, then stops both.
#   bench/streams/run.sh [--subscribers 1000 --rate 5 --duration 60 ...]
#   PG_HOSTPORT (127.0.0.1:5432, user postgres, trust auth), KAFKA_PORT (29192), PORT (18080), JAVA_OPTS (""),
#   SKIP_BUILD=1 (do not package first)
set -euo pipefail
cd "$(dirname "$0")/../.."
DB="${DB:-harmonia_streams_bench}"
PG_HOSTPORT="${PG_HOSTPORT:-127.0.0.1:5432}"
KAFKA_PORT="${KAFKA_PORT:-29192}"
PORT="${PORT:-18080}"
psql "postgresql://postgres@${PG_HOSTPORT}/postgres" -qc "drop database if exists ${DB}" \
  -c "create database ${DB}" >/dev/null
if [ "${SKIP_BUILD:-}" != 1 ]; then   # SKIP_BUILD=1: use the jar and classpath already in target/
  ./mvnw -q -B package -DskipTests
  ./mvnw -q -B dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
fi
java -cp "target/classes:$(cat target/bench-classpath.txt)" io.harmonia.config.devservices.EmbeddedKafka "$KAFKA_PORT" \
  > target/streams-bench-kafka.log 2>&1 &
KAFKA_PID=$!
SERVICE_PID=""
trap 'kill $SERVICE_PID $KAFKA_PID 2>/dev/null; wait 2>/dev/null' EXIT
for i in $(seq 1 120); do grep -q "ready on" target/streams-bench-kafka.log && break; sleep 0.5; done
QUARKUS_HTTP_PORT="$PORT" \
QUARKUS_DATASOURCE_REACTIVE_URL="postgresql://${PG_HOSTPORT}/${DB}" \
QUARKUS_DATASOURCE_JDBC_URL="jdbc:postgresql://${PG_HOSTPORT}/${DB}" \
QUARKUS_DATASOURCE_USERNAME=postgres QUARKUS_DATASOURCE_PASSWORD=postgres \
KAFKA_BOOTSTRAP_SERVERS="localhost:${KAFKA_PORT}" \
java ${JAVA_OPTS:-} -jar target/quarkus-app/quarkus-run.jar > target/streams-bench-service.log 2>&1 &
SERVICE_PID=$!
for i in $(seq 1 120); do
  curl -sf "http://localhost:${PORT}/q/health/ready" >/dev/null 2>&1 && break
  sleep 0.5
done
curl -sf "http://localhost:${PORT}/q/health/ready" >/dev/null || { echo "Harmonia did not become ready"; tail -30 target/streams-bench-service.log; exit 1; }
timeout 600 java bench/streams/StreamLoad.java --url "http://localhost:${PORT}" --pid "$SERVICE_PID" "$@"
