#!/usr/bin/env bash
# Builds the engine, then runs it alone and as a cluster of 1, 2 and 3 nodes in one JVM on
# loopback over PostgreSQL (.ci/postgres.sh makes the database), and writes bench/results/cluster.md.
# Extra arguments go to the second Maven call, e.g. ./bench/cluster.sh -Dbench.tasks=2000 -Dbench.runs=1
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q install -DskipTests -pl engine -am
./mvnw -f bench/pom.xml -q package exec:java -Dbench.main=dev.taskbridge.bench.ClusterBench "$@"
