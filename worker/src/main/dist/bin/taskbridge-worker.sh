#!/usr/bin/env bash
# Starts a headless Taskbridge worker (design note 040): the engine and the plugins in plugins/,
# joined to the cluster that CONFIG_FILE names. It runs until stopped: SIGTERM (Ctrl-C, kill)
# drains it as a server's shutdown does.
#
#   bin/taskbridge-worker.sh conf/worker.properties
#
# Passwords are best given in the environment, not in the file:
#   TASKBRIDGE_WORKER_DATABASE_PASSWORD, TASKBRIDGE_CLUSTER_TLS_KEY_STORE_PASSWORD,
#   TASKBRIDGE_CLUSTER_TLS_TRUST_STORE_PASSWORD
# JVM options (heap and so on) go in TASKBRIDGE_WORKER_JAVA_OPTS.
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 CONFIG_FILE (conf/worker.properties shows every setting)" >&2
  exit 2
fi
home="$(cd "$(dirname "$0")/.." && pwd)"
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"

# shellcheck disable=SC2086 # the options are words on purpose
exec "$java" ${TASKBRIDGE_WORKER_JAVA_OPTS:-} \
  -Djava.util.logging.config.file="$home/conf/logging.properties" \
  -Djava.util.logging.manager=dev.taskbridge.worker.WorkerLogManager \
  -Dtaskbridge.worker.home="$home" \
  -cp "$home/lib/*" dev.taskbridge.worker.Worker "$1"
