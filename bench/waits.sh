#!/usr/bin/env bash
# "100,000 executions waiting at once keep the heap flat": starts the packaged Harmonia (one replica, relay on to a
# standalone KRaft broker, as bench/service.sh) on a fresh database, then runs bench/WaitsBench.java, which starts
# executions of a one-task core.wait {"duration": "PT1H"} workflow and records the used heap after a full GC
# (jcmd GC.run, GC.heap_info) and harmonia_executions_hot at each checkpoint; stops everything at the end.
#   bench/waits.sh [WaitsBench options: --executions 100000 --concurrency 48 --checkpoints 0,25000,50000,100000]
#   PG_HOSTPORT  default 127.0.0.1:5432   (user postgres, trust auth as on these machines)
#   DB           default harmonia_waits_bench (dropped and created again for every run)
#   PORT         default 18580 (the service)        KAFKA_PORT  default 29392 (the broker started here)
#   JAVA_OPTS    extra JVM options for the service (e.g. -Xmx1g)
#   SERVICE_ENV  extra environment for the service, e.g. "HARMONIA_RUNTIME_EVICT_IDLE_AFTER=5s"
#   SKIP_BUILD=1 use the jar already in target/ (by default it is packaged first, so it matches the sources)
# Logs: target/waits-bench-service.log, target/waits-bench-kafka.log; class histograms: target/waits-bench-histo-*.txt
set -euo pipefail
cd "$(dirname "$0")/.."
DB="${DB:-harmonia_waits_bench}"
PG_HOSTPORT="${PG_HOSTPORT:-127.0.0.1:5432}"
PORT="${PORT:-18580}"
KAFKA_PORT="${KAFKA_PORT:-29392}"

port_in_use() { ss -Hltn "sport = :$1" | grep -q .; }
for p in "$PORT" "$KAFKA_PORT"; do
  port_in_use "$p" && { echo "port $p is already in use: stop what listens there or set PORT / KAFKA_PORT" >&2; exit 1; }
done
if [ "${SKIP_BUILD:-}" != 1 ] || [ ! -f target/quarkus-app/quarkus-run.jar ] || [ ! -f target/bench-classpath.txt ]; then
  ./mvnw -q -B package -DskipTests
  ./mvnw -q -B dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
fi
PGOPTIONS="-c client_min_messages=warning" psql "postgresql://postgres@${PG_HOSTPORT}/postgres" -qc "drop database if exists ${DB}" \
  -c "create database ${DB}" >/dev/null

KAFKA_PID=""
SERVICE_PID=""
stop_all() {
  if [ -n "$SERVICE_PID" ]; then
    kill -TERM "$SERVICE_PID" 2>/dev/null || true
    for _ in $(seq 1 150); do kill -0 "$SERVICE_PID" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$SERVICE_PID" 2>/dev/null || true
  fi
  if [ -n "$KAFKA_PID" ]; then kill "$KAFKA_PID" 2>/dev/null || true; fi
  wait 2>/dev/null || true
}
trap stop_all EXIT

java -cp "target/classes:$(cat target/bench-classpath.txt)" io.harmonia.config.devservices.EmbeddedKafka \
  "$KAFKA_PORT" > target/waits-bench-kafka.log 2>&1 &
KAFKA_PID=$!
for _ in $(seq 1 120); do grep -q "ready on" target/waits-bench-kafka.log && break; sleep 0.5; done
grep -q "ready on" target/waits-bench-kafka.log \
  || { echo "the Kafka broker did not start in 60 s:"; tail -20 target/waits-bench-kafka.log; exit 1; }

# shellcheck disable=SC2086
env QUARKUS_HTTP_PORT="$PORT" \
  QUARKUS_DATASOURCE_REACTIVE_URL="postgresql://${PG_HOSTPORT}/${DB}" \
  QUARKUS_DATASOURCE_JDBC_URL="jdbc:postgresql://${PG_HOSTPORT}/${DB}" \
  QUARKUS_DATASOURCE_USERNAME=postgres QUARKUS_DATASOURCE_PASSWORD=postgres \
  KAFKA_BOOTSTRAP_SERVERS="localhost:${KAFKA_PORT}" ${SERVICE_ENV:-} \
  java ${JAVA_OPTS:-} -jar target/quarkus-app/quarkus-run.jar > target/waits-bench-service.log 2>&1 &
SERVICE_PID=$!
for _ in $(seq 1 240); do
  curl -sf "http://localhost:${PORT}/q/health/ready" >/dev/null 2>&1 && break
  kill -0 "$SERVICE_PID" 2>/dev/null || break
  sleep 0.5
done
curl -sf "http://localhost:${PORT}/q/health/ready" >/dev/null 2>&1 || {
  echo "the service did not become ready in 120 s; its log (target/waits-bench-service.log) ends with:"
  tail -5 target/waits-bench-service.log | cut -c1-400
  exit 1
}
echo "service: pid ${SERVICE_PID}, http://localhost:${PORT}, database ${DB} on ${PG_HOSTPORT} (fresh), relay on to" \
  "localhost:${KAFKA_PORT}; JAVA_OPTS='${JAVA_OPTS:-}' SERVICE_ENV='${SERVICE_ENV:-}'"
echo "sources at $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD 2>/dev/null \
  || echo ' + uncommitted changes'); machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB;" \
  "load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
java bench/WaitsBench.java --url "http://localhost:${PORT}" --pid "$SERVICE_PID" "$@"
echo "executions by workflow and status, and their wake_at range (from the database):"
psql "postgresql://postgres@${PG_HOSTPORT}/${DB}" -c "select w.name, x.status, count(*), min(x.wake_at), max(x.wake_at)
  from executions x join workflows w on w.id = x.workflow_id group by 1, 2 order by 1, 2"
