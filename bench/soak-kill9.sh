#!/usr/bin/env bash
# Soak: 10,000 row-writing tasks on PostgreSQL while the server is killed with kill -9 20 times;
# prints and writes lost and duplicated rows (bench/results/soak-kill9.md). Takes 15-30 minutes
# on 2 cores. Needs what the integration tests need (PostgreSQL on 127.0.0.1:5432, made sure of
# here) and the ports 8180 and 10090 free. Extra arguments go to Maven, e.g.
# -Dtaskbridge.soak.kills=5 -Dtaskbridge.soak.tasks=1000 -Dtaskbridge.soak.results=/tmp/soak.md
set -euo pipefail
cd "$(dirname "$0")/.."
results="$PWD/bench/results/soak-kill9.md"
for arg in "$@"; do
    case "$arg" in -Dtaskbridge.soak.results=*) results="${arg#*=}" ;; esac
done
.ci/postgres.sh >/dev/null
# -Dtest matches no unit test, so only the soak runs: unit tests belong to mvn verify.
./mvnw -B verify -pl integration-tests -am -Dtest=NoUnitTestsHere -Dsurefire.failIfNoSpecifiedTests=false \
    -Dit.test=KillNineSoak -Dtaskbridge.soak.results="$results" "$@"
cat "$results"
