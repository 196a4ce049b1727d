#!/usr/bin/env bash
# Builds and provisions the server (with the EAR), then posts 10,000 tiny ledger.validate tasks over
# REST from 16 keep-alive clients, on H2 and on PostgreSQL (.ci/postgres.sh makes that one). Extra
# arguments go to the second Maven call, e.g. ./bench/rest-load.sh -Dbench.databases=h2 -Dbench.tasks=2000
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q install -DskipTests -pl server-config -am
./mvnw -f bench/pom.xml -q package exec:java -Dbench.main=dev.taskbridge.bench.RestLoadBench "$@"
