#!/usr/bin/env bash
# Builds the engine (and what it needs) into the local repository, then builds and runs the bench.
# Extra arguments go to the second Maven call, e.g. ./bench/run.sh -Dbench.databases=h2
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q install -DskipTests -pl engine -am
./mvnw -f bench/pom.xml -q package exec:java "$@"
