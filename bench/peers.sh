#!/usr/bin/env bash
# Issue #13: Taskbridge against db-scheduler, Quartz and JobRunr, one JVM per (peer, workload),
# results in bench/results/peers.md. Builds the engine (as run.sh does; PEERS_SKIP_ENGINE_BUILD=1
# uses the one already in ~/.m2), then the bench module, then runs the coordinator directly with
# java: each run's JVM reuses the coordinator's class path, which exec:java would hide.
# Extra arguments are -D options, e.g. bench/peers.sh -Dbench.peers.tasks=1000 -Dbench.peers.list=quartz
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${PEERS_SKIP_ENGINE_BUILD:-0}" != "1" ]; then
    ./mvnw -q install -DskipTests -pl engine -am
fi
./mvnw -q ${PEERS_MAVEN_ARGS:-} -f bench/pom.xml package dependency:build-classpath -Dmdep.outputFile=target/peers-classpath.txt
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
exec "$JAVA" -Xmx256m -Djava.awt.headless=true -Dbench.dir=bench \
    "-Dbench.peers.env=${PEERS_SKIP_ENGINE_BUILD:+PEERS_SKIP_ENGINE_BUILD=$PEERS_SKIP_ENGINE_BUILD }${PEERS_MAVEN_ARGS:+PEERS_MAVEN_ARGS=$PEERS_MAVEN_ARGS }" \
    "-Dbench.peers.command=bench/peers.sh $*" "$@" \
    -cp "bench/target/classes:$(cat bench/target/peers-classpath.txt)" dev.taskbridge.bench.peers.PeersBench
