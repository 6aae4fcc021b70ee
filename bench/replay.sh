#!/usr/bin/env bash
# Live load with and without a bulk replay running: does a bulk replay starve live traffic? Runs the packaged
# Harmonia (bench/service.sh: local Postgres, a local KRaft broker, relay on), seeds BULK completed executions, then
# runs the same Bench latency run twice: alone, and while a bulk replay of those BULK executions runs at the
# service's harmonia.history.bulk-rate (BULK_RATE). Prints both Bench outputs and the job's progress.
#   RATE 100 (live starts/s)   LIVE 6000 (live executions)   WORKLOAD W1   BULK 3000   BULK_RATE 50
#   PORT 18580   KAFKA_PORT 29192   DB harmonia_replay_bench (dropped and created)   SKIP_BUILD=1 reuses the jar
set -euo pipefail
cd "$(dirname "$0")/.."
RATE="${RATE:-100}"; LIVE="${LIVE:-6000}"; WORKLOAD="${WORKLOAD:-W1}"; BULK="${BULK:-3000}"
BULK_RATE="${BULK_RATE:-50}"; PORT="${PORT:-18580}"; DB="${DB:-harmonia_replay_bench}"
PG="postgresql://postgres@${PG_HOSTPORT:-127.0.0.1:5432}"
URL="http://localhost:${PORT}"
psql "$PG/postgres" -qc "drop database if exists ${DB}" -c "create database ${DB}"
QUARKUS_HTTP_PORT="$PORT" KAFKA_PORT="${KAFKA_PORT:-29192}" HARMONIA_HISTORY_BULK_RATE="$BULK_RATE" \
  bench/service.sh "$DB" > target/replay-bench-service.log 2>&1 &
SERVICE=$!
trap 'kill $SERVICE 2>/dev/null; pkill -P $SERVICE 2>/dev/null || true' EXIT
for i in $(seq 1 600); do curl -sf "$URL/q/health/ready" > /dev/null && break; sleep 1; done
echo "== seeding $BULK completed executions (W3)"
java bench/Bench.java --url "$URL" --workload W3 --executions "$BULK" --warmup 2000 --concurrency 8 > target/replay-bench-seed.txt
echo "== live load alone: $WORKLOAD at $RATE/s, $LIVE executions"
java bench/Bench.java --url "$URL" --workload "$WORKLOAD" --rate "$RATE" --executions "$LIVE" --warmup 0 \
  | tee target/replay-bench-alone.txt
SEED_WF=$(psql "$PG/$DB" -Atc "select workflow_id from executions group by workflow_id order by count(*) desc limit 1")
echo "== live load with a bulk replay of $BULK executions (workflow $SEED_WF) at $BULK_RATE/s"
JOB=$(curl -sf -H 'Content-Type: application/json' -d "{\"filter\": {\"workflow_id\": \"$SEED_WF\", \"status\": \"COMPLETED\"}, \"mode\": \"replay\", \"max\": $BULK}" \
  "$URL/api/executions/replay" | sed 's/.*"job_id":"\([^"]*\)".*/\1/')
java bench/Bench.java --url "$URL" --workload "$WORKLOAD" --rate "$RATE" --executions "$LIVE" --warmup 0 \
  | tee target/replay-bench-with-bulk.txt
echo "== the bulk job when the live run ended"; curl -s "$URL/api/jobs/$JOB"; echo
for i in $(seq 1 600); do curl -s "$URL/api/jobs/$JOB" | grep -q '"status":"COMPLETED"' && break; sleep 1; done
echo "== the bulk job at the end"; curl -s "$URL/api/jobs/$JOB"; echo
