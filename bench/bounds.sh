#!/usr/bin/env bash
# What bounds durable no-op tasks on PostgreSQL: the same bench as run.sh, once per configuration,
# each changing one thing from the default (client threads, tasks at once per slot, slots). A setting that
# moves tasks/s names the bound; one that does not rules it out. Each configuration's full report
# goes to bench/results/durable-tasks-bounds/<name>.md; the summary to
# bench/results/durable-tasks-bounds.md. About 10 minutes. Extra arguments go to every run.
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/results/durable-tasks-bounds
mkdir -p "$out"
if [[ "${BOUNDS_SKIP_ENGINE_BUILD:-}" != 1 ]]; then
  ./mvnw -q install -DskipTests -pl engine -am
fi
./mvnw -f bench/pom.xml -q package -DskipTests

# name | what changes | properties
configs=(
  "default|as bench/run.sh: 50 client threads, 10 slots of 4 tasks at once, 2 chunk groups|"
  "clients-10|10 client threads (submissions in commits of at most 10; the floor's inserts stay in batches of 100)|-Dbench.submitters=10"
  "at-once-1|one task at a time per slot, as before design note 034|-Dbench.at-once-per-slot=1"
  "at-once-8|8 tasks at once per slot|-Dbench.at-once-per-slot=8"
  "slots-20-at-once-1|20 slots of one task at a time (and 20 floor workers)|-Dbench.slots=20 -Dbench.at-once-per-slot=1"
)
for config in "${configs[@]}"; do
  IFS='|' read -r name what props <<<"$config"
  echo "bounds.sh: $name ($what)"
  # shellcheck disable=SC2086 # props are separate arguments
  ./mvnw -f bench/pom.xml -q exec:java -Dbench.databases=postgresql -Dbench.results="$out/$name.md" $props "$@" \
    > "bench/target/bounds-$name.log" 2>&1 || { tail -40 "bench/target/bounds-$name.log"; exit 1; }
done

# The summary takes its figures from each report's table rows, which DurableTasksBench writes:
# | PostgreSQL | <measurement> | median | min | max | ratio |, and the CPU table's last two columns.
summary=bench/results/durable-tasks-bounds.md
{
  echo "# What bounds durable no-op tasks on PostgreSQL"
  echo
  echo "Written by \`bench/bounds.sh\` on $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores; every run overwrites it."
  echo "Each row is one run of \`bench/run.sh\`'s bench on PostgreSQL with one thing changed; its full"
  echo "report (floor, diagnostics, CPU, machine) is in \`durable-tasks-bounds/<configuration>.md\`."
  echo "Medians of the timed runs; the ratio is to the floor measured in the same run."
  echo
  echo "| configuration | what changes | floor (tasks/s) | tasks/s | ratio to floor | submitting alone (submits/s) | JVM CPU per task | JVM share of all cores / machine busy (tasks) |"
  echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"
  for config in "${configs[@]}"; do
    IFS='|' read -r name what props <<<"$config"
    report="$out/$name.md"
    awk -F' \\| ' -v name="$name" -v what="$what" '
      /^\| PostgreSQL \| floor:/ { floor = $3 }
      /^\| PostgreSQL \| durable no-op tasks/ { tasks = $3; ratio = $6; sub(/ \|$/, "", ratio) }
      /^\| PostgreSQL \| of which: submitting alone/ { submits = $3 }
      /^\| PostgreSQL \| [0-9]/ {  # the CPU table: per task, then "raw / tasks" shares: keep the tasks ones
        perTask = $4; jvm = $8; busy = $9; sub(/ \|$/, "", busy); sub(/^.* \/ /, "", jvm); sub(/^.* \/ /, "", busy)
      }
      END { printf "| %s | %s | %s | %s | %s | %s | %s | %s / %s |\n", name, what, floor, tasks, ratio, submits, perTask, jvm, busy }
    ' "$report"
  done
} > "$summary"
cat "$summary"
