#!/usr/bin/env bash
# Issue 10's benchmark matrix in one run: W1 and W3, inline (--action echo) and asynchronous (--action sleep), each
# with 1 replica and with 3 replicas (bench/replicas.sh: a fresh database and broker per run, the same Kafka choice
# for every run), one after the other per cell so that both sides see the same machine; then one table.
#   bench/replicas-matrix.sh [further Bench options for every run, e.g. --concurrency 32]
#   EXECUTIONS   executions measured per run (default per cell: W1 echo 10000, W3 echo 20000, W1 sleep 5000,
#                W3 sleep 10000)
#   WARMUP       default 3000 executions per run, not measured (spread over the replicas like the measured ones)
#   ROUNDS       default 1; every round runs every cell; even rounds run the replica counts in reverse order
#   REPLICAS     default "1 3": the replica counts compared (the first is the reference of the "vs" columns)
#   KAFKA, PG_HOSTPORT, PORT_BASE, KAFKA_PORT, JAVA_OPTS: as bench/replicas.sh (KAFKA=broker by default: relay on)
#   SKIP_BUILD=1 use the jar already in target/ (by default it is packaged once, first)
# Every run's full output: target/replicas-matrix/<round>-<workload>-<action>-<replicas>.txt
set -euo pipefail
cd "$(dirname "$0")/.."
WARMUP="${WARMUP:-3000}"
ROUNDS="${ROUNDS:-1}"
read -r -a COUNTS <<< "${REPLICAS:-1 3}"
export KAFKA="${KAFKA:-broker}"
OUT=target/replicas-matrix
if [ "${SKIP_BUILD:-}" != 1 ] || [ ! -f target/quarkus-app/quarkus-run.jar ] || [ ! -f target/bench-classpath.txt ]; then
  ./mvnw -q -B package -DskipTests
  ./mvnw -q -B dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
fi
rm -rf "$OUT"
mkdir -p "$OUT"

executions() {   # workload action
  if [ -n "${EXECUTIONS:-}" ]; then echo "$EXECUTIONS"; return; fi
  case "$1-$2" in
    W1-echo) echo 10000 ;; W3-echo) echo 20000 ;; W1-sleep) echo 5000 ;; *) echo 10000 ;;
  esac
}
# field of a run's output: exec (executions/s), tasks (tasks/s), lat (p50/p99 ms), cpu (service ms per execution)
field() {
  local f="$1" file="$2"
  if grep -q '^REFUSED' "$file" || ! grep -q '^executions/s' "$file"; then echo "FAILED"; return; fi
  case "$f" in
    exec)  sed -n 's/^executions\/s \([0-9.]*\) .*/\1/p' "$file" ;;
    tasks) sed -n 's/^executions\/s [0-9.]* *tasks\/s \([0-9.]*\).*/\1/p' "$file" ;;
    lat)   sed -n 's/^latency ms *p50 \([0-9]*\) *p95 [0-9]* *p99 \([0-9]*\).*/\1\/\2/p' "$file" ;;
    cpu)   sed -n 's/^service CPU *\([0-9.]*\) ms per execution.*/\1/p' "$file" ;;
  esac
}

COMMIT="$(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD 2>/dev/null || echo '+changes')"
echo "replica matrix $(date -u +%FT%TZ), sources $COMMIT, $(nproc) cores, Kafka: $KAFKA, warm-up $WARMUP, rounds $ROUNDS"
for round in $(seq 1 "$ROUNDS"); do
  order=("${COUNTS[@]}")
  if [ $((round % 2)) -eq 0 ]; then
    order=(); for ((k = ${#COUNTS[@]} - 1; k >= 0; k--)); do order+=("${COUNTS[$k]}"); done
  fi
  for workload in W1 W3; do
    for action in echo sleep; do
      for n in "${order[@]}"; do
        file="$OUT/$round-$workload-$action-$n.txt"
        echo "--- round $round: $workload $action, $n replica$([ "$n" = 1 ] || echo s), $(executions "$workload" "$action") executions"
        SKIP_BUILD=1 bench/replicas.sh "$n" --workload "$workload" --action "$action" \
          --executions "$(executions "$workload" "$action")" --warmup "$WARMUP" "$@" > "$file" 2>&1 \
          || echo "    failed (exit $?): see $file"
        grep -E '^(executions/s|latency ms|REFUSED|service CPU seconds by replica|Kafka relay|replicas stopped)' "$file" | sed 's/^/    /' || true
      done
    done
  done
done

# the table: one row per round and cell, the replica counts side by side
echo
echo "Kafka: $(grep -h -m1 -o 'Kafka: .*' "$OUT"/*.txt | head -1 | sed 's/^Kafka: //')"
header="| round | workload | action |"
rule="|---|---|---|"
for n in "${COUNTS[@]}"; do
  label="$n replica$([ "$n" = 1 ] || echo s)"
  header+=" $label: exec/s (tasks/s) | p50/p99 ms | CPU ms/exec |"
  rule+="---|---|---|"
done
for n in "${COUNTS[@]:1}"; do header+=" $n vs ${COUNTS[0]} |"; rule+="---|"; done
echo "$header"
echo "$rule"
for round in $(seq 1 "$ROUNDS"); do
  for workload in W1 W3; do
    for action in echo sleep; do
      row="| $round | $workload | $action |"
      for n in "${COUNTS[@]}"; do
        file="$OUT/$round-$workload-$action-$n.txt"
        if [ "$(field exec "$file")" = FAILED ]; then
          row+=" FAILED | | |"
        else
          row+=" $(field exec "$file") ($(field tasks "$file")) | $(field lat "$file") | $(field cpu "$file") |"
        fi
      done
      ref="$(field exec "$OUT/$round-$workload-$action-${COUNTS[0]}.txt")"
      for n in "${COUNTS[@]:1}"; do
        other="$(field exec "$OUT/$round-$workload-$action-$n.txt")"
        if [ "$ref" = FAILED ] || [ "$other" = FAILED ]; then
          row+=" - |"
        else
          row+=" $(awk -v a="$other" -v b="$ref" 'BEGIN { d = (a / b - 1) * 100;
            printf "%+.0f %%%s", d, d < -25 ? " (more than 25 % slower)" : "" }') |"
        fi
      done
      echo "$row"
    done
  done
done
