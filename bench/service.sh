#!/usr/bin/env bash
# Starts what the benchmark measures: a standalone Kafka broker (KRaft, from the project's own dependencies) and the
# packaged Harmonia against the local Postgres, relay on. Usage: bench/service.sh [database] ; stop with Ctrl-C.
#   PG_HOSTPORT  default 127.0.0.1:5432   (user postgres, trust auth as on these machines)
#   KAFKA_PORT   default 29092
#   JAVA_OPTS    extra JVM options for Harmonia (e.g. -Xmx2g)
#   SKIP_BUILD=1 use the jar already in target/ (by default it is packaged first, so it matches the sources)
set -euo pipefail
cd "$(dirname "$0")/.."
DB="${1:-harmonia_bench}"
PG_HOSTPORT="${PG_HOSTPORT:-127.0.0.1:5432}"
KAFKA_PORT="${KAFKA_PORT:-29092}"
psql "postgresql://postgres@${PG_HOSTPORT}/postgres" -Atc "select 1 from pg_database where datname = '${DB}'" | grep -q 1 \
  || psql "postgresql://postgres@${PG_HOSTPORT}/postgres" -c "create database ${DB}"
if [ "${SKIP_BUILD:-}" != 1 ] || [ ! -f target/quarkus-app/quarkus-run.jar ] || [ ! -f target/bench-classpath.txt ]; then
  ./mvnw -q -B package -DskipTests
  ./mvnw -q -B dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
fi
java -cp "target/classes:$(cat target/bench-classpath.txt)" io.harmonia.config.devservices.EmbeddedKafka "$KAFKA_PORT" \
  > target/bench-kafka.log 2>&1 &
KAFKA_PID=$!
trap 'kill $KAFKA_PID 2>/dev/null' EXIT
for i in $(seq 1 60); do grep -q "ready on" target/bench-kafka.log && break; sleep 0.5; done
QUARKUS_DATASOURCE_REACTIVE_URL="postgresql://${PG_HOSTPORT}/${DB}" \
QUARKUS_DATASOURCE_JDBC_URL="jdbc:postgresql://${PG_HOSTPORT}/${DB}" \
QUARKUS_DATASOURCE_USERNAME=postgres QUARKUS_DATASOURCE_PASSWORD=postgres \
KAFKA_BOOTSTRAP_SERVERS="localhost:${KAFKA_PORT}" \
java ${JAVA_OPTS:-} -jar target/quarkus-app/quarkus-run.jar
