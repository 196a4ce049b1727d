#!/bin/bash
# Starts or stops a cluster of N nodes of the provisioned server on loopback, one shared
# PostgreSQL (design note 036). Each node gets a base directory of its own under
# server-config/target/cluster/node-<i> (configuration and the EAR copied from the provisioned
# server), port offset 100 * (i - 1) (the first node at 8080/9990, the second at 8180/10090, ...)
# and cluster port 25520 + i - 1; every node lists every node as a seed, so any may restart and
# join the others. The nodes speak TLS with keys cluster-keys.sh makes under target/cluster/keys
# (design note 037), each its own, signed by an authority made for this cluster.
#
# W headless workers (design note 040) may join them: worker-<j> under target/cluster/worker-<j>,
# with role heavy, cluster port 25520 + N + j - 1, its settings in worker.properties there, the
# plugin jars of TASKBRIDGE_WORKER_PLUGINS (a directory; the worker's own plugins/ by default).
# The types named in TASKBRIDGE_HEAVY_TYPES (comma-separated) are placed on role heavy on every
# node and worker: only the workers run them.
#
#     server-config/src/main/bin/cluster.sh start [N [W]]  # N nodes, 3 by default, and W workers, none
#                                                         # by default; returns once all answer
#     server-config/src/main/bin/cluster.sh status
#     server-config/src/main/bin/cluster.sh stop           # each drains, hands its slots over and stops
#
# Needs `./mvnw -B package -DskipTests -pl server-config,worker -am` first, and PostgreSQL as
# .ci/postgres.sh leaves it (database taskbridge). TASKBRIDGE_PG_DATABASE, TASKBRIDGE_HEAP and
# JAVA_OPTS_EXTRA (more -D options for every node) change what the nodes get.
set -euo pipefail

module="$(cd "$(dirname "$0")/../../.." && pwd)"
server="$module/target/server"
cluster="$module/target/cluster"
worker_home="$module/../worker/target/taskbridge-worker"
first_port=25520

node_dir() { echo "$cluster/node-$1"; }

start() {
    local nodes="${1:-3}" workers="${2:-0}"
    [[ "$nodes" =~ ^[1-9]$ ]] || { echo "cluster.sh: 1 to 9 nodes, not '$nodes'" >&2; exit 2; }
    [[ "$workers" =~ ^[0-9]$ ]] || { echo "cluster.sh: 0 to 9 workers, not '$workers'" >&2; exit 2; }
    [ -x "$server/bin/standalone.sh" ] || { echo "cluster.sh: no server at $server; build it first" >&2; exit 1; }
    if [ "$workers" -gt 0 ] && [ ! -f "$worker_home/bin/taskbridge-worker.sh" ]; then
        echo "cluster.sh: no worker at $worker_home; build it first (-pl worker)" >&2
        exit 1
    fi
    # every node places the heavy types alike, or a node that does not is refused when it joins (note 039)
    local placement=()
    local heavy="${TASKBRIDGE_HEAVY_TYPES:-}"
    for type in ${heavy//,/ }; do
        placement+=("taskbridge.cluster.role.$type=heavy")
    done
    local seeds=""
    for i in $(seq 1 "$nodes"); do
        seeds="${seeds:+$seeds,}127.0.0.1:$((first_port + i - 1))"
    done
    mkdir -p "$cluster"
    local keys="$cluster/keys" names=()
    for i in $(seq 1 "$nodes"); do
        names+=("node-$i")
    done
    for j in $(seq 1 "$workers"); do
        names+=("worker-$j")
    done
    "$(dirname "$0")/cluster-keys.sh" "$keys" "${names[@]}" > /dev/null
    # the stores' password reaches each node in its environment (MicroProfile Config reads it
    # there), not on a command line that ps shows
    local password
    password="$(cat "$keys/password")"
    for i in $(seq 1 "$nodes"); do
        local dir
        dir="$(node_dir "$i")"
        if [ -f "$dir/launcher.pid" ] && kill -0 "$(cat "$dir/launcher.pid")" 2>/dev/null; then
            echo "node-$i runs already (pid $(cat "$dir/launcher.pid"))"
            continue
        fi
        rm -rf "$dir"
        mkdir -p "$dir"
        cp -a "$server/standalone/configuration" "$server/standalone/deployments" "$dir/"
        rm -rf "$dir/configuration/standalone_xml_history"
        # the script runs the server in the background and writes its JVM's pid to JBOSS_PIDFILE,
        # which stop sends TERM: WildFly then stops gracefully (the engine drains and leaves)
        # shellcheck disable=SC2086 # JAVA_OPTS_EXTRA is a list of options
        LAUNCH_JBOSS_IN_BACKGROUND=1 JBOSS_PIDFILE="$dir/pid" \
            TASKBRIDGE_CLUSTER_TLS_KEY_STORE_PASSWORD="$password" TASKBRIDGE_CLUSTER_TLS_TRUST_STORE_PASSWORD="$password" \
            nohup "$server/bin/standalone.sh" \
            -Djboss.server.base.dir="$dir" \
            -Djboss.socket.binding.port-offset=$((100 * (i - 1))) \
            -Djboss.node.name="node-$i" \
            -Dtaskbridge.datasource=java:jboss/datasources/TaskbridgePostgresDS \
            -Dtaskbridge.pg.database="${TASKBRIDGE_PG_DATABASE:-taskbridge}" \
            -Dtaskbridge.cluster.enabled=true \
            -Dtaskbridge.cluster.port=$((first_port + i - 1)) \
            -Dtaskbridge.cluster.seed-nodes="$seeds" \
            -Dtaskbridge.cluster.tls.key-store="$keys/node-$i.p12" \
            -Dtaskbridge.cluster.tls.trust-store="$keys/truststore.p12" \
            "${placement[@]/#/-D}" \
            ${JAVA_OPTS_EXTRA:-} > "$dir/console.log" 2>&1 &
        echo $! > "$dir/launcher.pid"
        echo "node-$i starting: http://127.0.0.1:$((8080 + 100 * (i - 1)))/taskbridge/ (log: $dir/console.log)"
        if [ "$i" = 1 ]; then
            await_ready 1 # the first seed forms the cluster; the others join it
        fi
    done
    for i in $(seq 2 "$nodes"); do
        await_ready "$i"
    done
    for j in $(seq 1 "$workers"); do
        start_worker "$j" "$((first_port + nodes + j - 1))" "$seeds" "$keys" "$password" "${placement[@]}"
    done
    status
}

# Starts worker-<j> with its own settings file and waits until it says it runs (2 minutes at most).
start_worker() {
    local j="$1" port="$2" seeds="$3" keys="$4" password="$5"
    shift 5
    local dir="$cluster/worker-$j"
    if [ -f "$dir/launcher.pid" ] && kill -0 "$(cat "$dir/launcher.pid")" 2>/dev/null; then
        echo "worker-$j runs already (pid $(cat "$dir/launcher.pid"))"
        return 0
    fi
    rm -rf "$dir"
    mkdir -p "$dir"
    {
        echo "taskbridge.worker.database.url=jdbc:postgresql://127.0.0.1:5432/${TASKBRIDGE_PG_DATABASE:-taskbridge}"
        echo "taskbridge.worker.database.user=taskbridge"
        echo "taskbridge.worker.plugins=${TASKBRIDGE_WORKER_PLUGINS:-$worker_home/plugins}"
        echo "taskbridge.node-name=worker-$j"
        echo "taskbridge.cluster.enabled=true"
        echo "taskbridge.cluster.port=$port"
        echo "taskbridge.cluster.seed-nodes=$seeds"
        echo "taskbridge.cluster.roles=heavy"
        echo "taskbridge.cluster.tls.key-store=$keys/worker-$j.p12"
        echo "taskbridge.cluster.tls.trust-store=$keys/truststore.p12"
        for line in "$@"; do
            echo "$line"
        done
    } > "$dir/worker.properties"
    TASKBRIDGE_WORKER_DATABASE_PASSWORD="${TASKBRIDGE_PG_PASSWORD:-taskbridge}" \
        TASKBRIDGE_CLUSTER_TLS_KEY_STORE_PASSWORD="$password" TASKBRIDGE_CLUSTER_TLS_TRUST_STORE_PASSWORD="$password" \
        nohup bash "$worker_home/bin/taskbridge-worker.sh" "$dir/worker.properties" > "$dir/console.log" 2>&1 &
    echo $! > "$dir/launcher.pid"
    for _ in $(seq 1 120); do
        if grep -q "Taskbridge worker started" "$dir/console.log"; then
            echo "worker-$j is running (cluster port $port, log: $dir/console.log)"
            return 0
        fi
        if ! kill -0 "$(cat "$dir/launcher.pid")" 2>/dev/null; then
            echo "cluster.sh: worker-$j exited; see $dir/console.log" >&2
            return 1
        fi
        sleep 1
    done
    echo "cluster.sh: worker-$j did not start within 2 minutes; see $dir/console.log" >&2
    return 1
}

# Waits until the node's readiness check is UP (engine running, cluster joined), for 5 minutes at most.
await_ready() {
    local port=$((9990 + 100 * ($1 - 1)))
    for _ in $(seq 1 300); do
        if curl -fsS "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1; then
            echo "node-$1 is ready"
            return 0
        fi
        if ! kill -0 "$(cat "$(node_dir "$1")/launcher.pid")" 2>/dev/null; then
            echo "cluster.sh: node-$1 exited; see $(node_dir "$1")/console.log" >&2
            return 1
        fi
        sleep 1
    done
    echo "cluster.sh: node-$1 is not ready after 5 minutes; see $(node_dir "$1")/console.log" >&2
    return 1
}

status() {
    for dir in "$cluster"/node-*; do
        [ -f "$dir/launcher.pid" ] || continue
        local i="${dir##*-}" state="stopped"
        if kill -0 "$(cat "$dir/launcher.pid")" 2>/dev/null; then
            state="$(curl -s "http://127.0.0.1:$((9990 + 100 * (i - 1)))/health/ready" \
                | grep -o '"clusterMembers":"[^"]*"' || echo "running, not answering yet")"
        fi
        echo "node-$i: $state"
    done
    for dir in "$cluster"/worker-*; do
        [ -f "$dir/launcher.pid" ] || continue
        if kill -0 "$(cat "$dir/launcher.pid")" 2>/dev/null; then
            echo "${dir##*/}: running"
        else
            echo "${dir##*/}: stopped"
        fi
    done
}

stop() {
    local pids=()
    for dir in "$cluster"/node-*; do
        [ -f "$dir/launcher.pid" ] || continue
        local pid
        pid="$(cat "$dir/launcher.pid")"
        if kill -0 "$pid" 2>/dev/null; then
            # TERM to the server's JVM: WildFly stops gracefully, the engine drains and leaves
            [ -f "$dir/pid" ] && kill -TERM "$(cat "$dir/pid")" 2>/dev/null || kill -TERM "$pid"
            pids+=("$pid")
        fi
        rm -f "$dir/launcher.pid"
    done
    for dir in "$cluster"/worker-*; do
        [ -f "$dir/launcher.pid" ] || continue
        local pid
        pid="$(cat "$dir/launcher.pid")"
        if kill -0 "$pid" 2>/dev/null; then
            kill -TERM "$pid" # the script exec's the worker's JVM: it drains and leaves
            pids+=("$pid")
        fi
        rm -f "$dir/launcher.pid"
    done
    for pid in "${pids[@]}"; do
        for _ in $(seq 1 120); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 1
        done
    done
    echo "stopped ${#pids[@]} node(s) and worker(s)"
}

case "${1:-}" in
    start) start "${2:-3}" "${3:-0}" ;;
    status) status ;;
    stop) stop ;;
    *) echo "usage: cluster.sh start [N [W]] | status | stop" >&2; exit 2 ;;
esac
