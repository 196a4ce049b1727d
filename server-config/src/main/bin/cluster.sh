#!/bin/bash
# Starts or stops a cluster of N nodes of the provisioned server on loopback, one shared
# PostgreSQL (design note 036). Each node gets a base directory of its own under
# server-config/target/cluster/node-<i> (configuration and the EAR copied from the provisioned
# server), port offset 100 * (i - 1) (the first node at 8080/9990, the second at 8180/10090, ...)
# and cluster port 25520 + i - 1; every node lists every node as a seed, so any may restart and
# join the others. The nodes speak TLS with keys cluster-keys.sh makes under target/cluster/keys
# (design note 037), each its own, signed by an authority made for this cluster.
#
#     server-config/src/main/bin/cluster.sh start [N]   # N nodes, 3 by default; returns once all answer
#     server-config/src/main/bin/cluster.sh status
#     server-config/src/main/bin/cluster.sh stop        # each node drains, hands its slots over and stops
#
# Needs `./mvnw -B package -DskipTests -pl server-config -am` first, and PostgreSQL as
# .ci/postgres.sh leaves it (database taskbridge). TASKBRIDGE_PG_DATABASE, TASKBRIDGE_HEAP and
# JAVA_OPTS_EXTRA (more -D options for every node) change what the nodes get.
set -euo pipefail

module="$(cd "$(dirname "$0")/../../.." && pwd)"
server="$module/target/server"
cluster="$module/target/cluster"
first_port=25520

node_dir() { echo "$cluster/node-$1"; }

start() {
    local nodes="${1:-3}"
    [[ "$nodes" =~ ^[1-9]$ ]] || { echo "cluster.sh: 1 to 9 nodes, not '$nodes'" >&2; exit 2; }
    [ -x "$server/bin/standalone.sh" ] || { echo "cluster.sh: no server at $server; build it first" >&2; exit 1; }
    local seeds=""
    for i in $(seq 1 "$nodes"); do
        seeds="${seeds:+$seeds,}127.0.0.1:$((first_port + i - 1))"
    done
    mkdir -p "$cluster"
    local keys="$cluster/keys" names=()
    for i in $(seq 1 "$nodes"); do
        names+=("node-$i")
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
    status
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
    for pid in "${pids[@]}"; do
        for _ in $(seq 1 120); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 1
        done
    done
    echo "stopped ${#pids[@]} node(s)"
}

case "${1:-}" in
    start) start "${2:-3}" ;;
    status) status ;;
    stop) stop ;;
    *) echo "usage: cluster.sh start [N] | status | stop" >&2; exit 2 ;;
esac
