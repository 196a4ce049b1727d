#!/usr/bin/env bash
# Builds and provisions the server (with the EAR), then runs it under hostile clients on H2: 500 event
# streams that never read, 10,000 tiny tasks from 16 clients and 32 uploads of 20 MiB at once; checks
# that its heap stays bounded, it answers throughout (never a 5xx) and releases every closed stream
# (bench/results/hostile-load.md; about 3-5 minutes; exits non-zero if the server did not hold). Extra
# arguments go to the second Maven call, e.g. ./bench/hostile-load.sh -Dbench.databases=h2,postgresql
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q install -DskipTests -pl server-config -am
./mvnw -f bench/pom.xml -q package exec:java -Dbench.main=dev.taskbridge.bench.HostileLoadBench "$@"
