#!/usr/bin/env bash
# The load benchmark against N replicas of the packaged Harmonia on one Postgres: creates a fresh database, starts a
# standalone Kafka broker (KRaft, from the project's own dependencies; as bench/service.sh does, relay on), starts N
# replicas on distinct ports with replica ids r1..rN, waits until every one is ready, runs bench/Bench.java with all
# their URLs (starts go round-robin over them), then stops the replicas (SIGTERM, as Kubernetes does) and the broker.
#   bench/replicas.sh N [Bench options: --workload W1 --executions 2000 --warmup 2000 --action echo ...]
#   PG_HOSTPORT  default 127.0.0.1:5432   (user postgres, trust auth as on these machines)
#   DB           default harmonia_replicas_bench (dropped and created again for every run)
#   KAFKA        broker (default: the relay publishes to a broker started here) | off (HARMONIA_KAFKA_ENABLED=false)
#   KAFKA_PORT   default 29292 (the broker started here)
#   PORT_BASE    default 18480: replica i listens on PORT_BASE + i
#   JAVA_OPTS    extra JVM options for every replica (e.g. -Xmx2g)
#   SKIP_BUILD=1 use the jar already in target/ (by default it is packaged first, so it matches the sources)
# Logs: target/replicas-bench-kafka.log, target/replicas-bench-r<i>.log.
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:?usage: bench/replicas.sh N [Bench options]}"
shift
[[ "$N" =~ ^[1-9][0-9]?$ ]] || { echo "expected a number of replicas 1..99, found '$N'" >&2; exit 2; }
DB="${DB:-harmonia_replicas_bench}"
PG_HOSTPORT="${PG_HOSTPORT:-127.0.0.1:5432}"
KAFKA="${KAFKA:-broker}"
KAFKA_PORT="${KAFKA_PORT:-29292}"
PORT_BASE="${PORT_BASE:-18480}"
[ "$KAFKA" = broker ] || [ "$KAFKA" = off ] || { echo "expected KAFKA=broker or KAFKA=off, found '$KAFKA'" >&2; exit 2; }

port_in_use() { ss -Hltn "sport = :$1" | grep -q .; }
for i in $(seq 1 "$N"); do
  if port_in_use $((PORT_BASE + i)); then
    echo "port $((PORT_BASE + i)) (replica r$i) is already in use: stop what listens there or set PORT_BASE" >&2
    exit 1
  fi
done
if [ "$KAFKA" = broker ] && port_in_use "$KAFKA_PORT"; then
  echo "port $KAFKA_PORT (Kafka broker) is already in use: stop what listens there or set KAFKA_PORT" >&2
  exit 1
fi

if [ "${SKIP_BUILD:-}" != 1 ] || [ ! -f target/quarkus-app/quarkus-run.jar ] || [ ! -f target/bench-classpath.txt ]; then
  ./mvnw -q -B package -DskipTests
  ./mvnw -q -B dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
fi
PGOPTIONS="-c client_min_messages=warning" psql "postgresql://postgres@${PG_HOSTPORT}/postgres" -qc "drop database if exists ${DB}" \
  -c "create database ${DB}" >/dev/null

KAFKA_PID=""
PIDS=()
stop_all() {
  # replicas first, all at once (SIGTERM: each hands its partitions over and exits), then the broker
  local deadline=$((SECONDS + 60)) t0=$SECONDS pid
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then
      echo "replica (pid $pid) still running 60 s after SIGTERM: killed" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  [ ${#PIDS[@]} -eq 0 ] || echo "replicas stopped (SIGTERM) within $((SECONDS - t0)) s"
  if [ -n "$KAFKA_PID" ]; then kill "$KAFKA_PID" 2>/dev/null || true; fi
  wait 2>/dev/null || true
}
trap stop_all EXIT

if [ "$KAFKA" = broker ]; then
  java -cp "target/classes:$(cat target/bench-classpath.txt)" io.harmonia.config.devservices.EmbeddedKafka \
    "$KAFKA_PORT" > target/replicas-bench-kafka.log 2>&1 &
  KAFKA_PID=$!
  for _ in $(seq 1 120); do grep -q "ready on" target/replicas-bench-kafka.log && break; sleep 0.5; done
  grep -q "ready on" target/replicas-bench-kafka.log \
    || { echo "the Kafka broker did not start in 60 s:"; tail -20 target/replicas-bench-kafka.log; exit 1; }
  KAFKA_ENV=(KAFKA_BOOTSTRAP_SERVERS="localhost:${KAFKA_PORT}")
  KAFKA_SAYS="relay on, to a standalone KRaft broker at localhost:${KAFKA_PORT} (as bench/service.sh)"
else
  KAFKA_ENV=(HARMONIA_KAFKA_ENABLED=false)
  KAFKA_SAYS="off (HARMONIA_KAFKA_ENABLED=false: no relay, no task-results consumer)"
fi

URLS=""
for i in $(seq 1 "$N"); do
  env QUARKUS_HTTP_PORT=$((PORT_BASE + i)) \
    HARMONIA_CLUSTER_REPLICA_ID="r$i" \
    QUARKUS_DATASOURCE_REACTIVE_URL="postgresql://${PG_HOSTPORT}/${DB}" \
    QUARKUS_DATASOURCE_JDBC_URL="jdbc:postgresql://${PG_HOSTPORT}/${DB}" \
    QUARKUS_DATASOURCE_USERNAME=postgres QUARKUS_DATASOURCE_PASSWORD=postgres \
    "${KAFKA_ENV[@]}" \
    java ${JAVA_OPTS:-} -jar target/quarkus-app/quarkus-run.jar > "target/replicas-bench-r$i.log" 2>&1 &
  PIDS+=($!)
  URLS="${URLS:+$URLS,}http://localhost:$((PORT_BASE + i))"
done
# ready = /q/health/ready answers 200: the store is reachable and (with the cluster code) the replica owns its share
for i in $(seq 1 "$N"); do
  url="http://localhost:$((PORT_BASE + i))/q/health/ready"
  for _ in $(seq 1 240); do
    curl -sf "$url" >/dev/null 2>&1 && break
    kill -0 "${PIDS[$((i - 1))]}" 2>/dev/null || break
    sleep 0.5
  done
  curl -sf "$url" >/dev/null 2>&1 || {
    echo "replica r$i did not become ready in 120 s ($url); it answers:"
    curl -s "$url" 2>&1 | head -c 2000 || true
    echo
    echo "and its log (target/replicas-bench-r$i.log) ends with:"
    tail -5 "target/replicas-bench-r$i.log" | cut -c1-400
    exit 1
  }
done

echo "replicas: $N ($URLS), ids r1..r$N, database ${DB} on ${PG_HOSTPORT} (fresh), Kafka: ${KAFKA_SAYS}"
echo "jar: target/quarkus-app/quarkus-run.jar, sources at $(git rev-parse --short HEAD 2>/dev/null || echo '?')$( \
  git diff --quiet HEAD 2>/dev/null || echo ' + uncommitted changes'), load average before the run: $( \
  cut -d' ' -f1-3 /proc/loadavg)"
java bench/Bench.java --pg "postgresql://postgres@${PG_HOSTPORT}/${DB}" --url "$URLS" "$@"
