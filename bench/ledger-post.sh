#!/usr/bin/env bash
# Builds and provisions the server (with the EAR), then runs the ledger.post bench against it, on
# H2 and on PostgreSQL (.ci/postgres.sh makes that one). Extra arguments go to the second Maven
# call, e.g. ./bench/ledger-post.sh -Dbench.databases=h2 -Dbench.runs=3
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q install -DskipTests -pl server-config -am
./mvnw -f bench/pom.xml -q package exec:java -Dbench.main=dev.taskbridge.bench.LedgerPostBench "$@"
