package dev.taskbridge.engine;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Whether the engine runs alone or as one node of a Pekko cluster, and where (design note 036).
 * Alone, every slot is an actor in this JVM. In a cluster, every slot is a sharded entity that
 * runs on one node at a time and moves when nodes join, leave or die; the nodes share one task
 * store and one journal.
 *
 * @param host        the address this node listens on and is known by; loopback unless the
 *                    operator says otherwise, so that nothing outside the machine can reach it
 * @param port        the port of that address; 0 for any free one (tests)
 * @param seedNodes   {@code host:port} of the nodes a starting node contacts to join; the first
 *                    one, started with no cluster to join, forms it when it lists itself first
 * @param stableAfter how long a node must be unreachable, with nothing else changing, before the
 *                    split brain resolver (keep-majority) downs it and its slots move
 */
public record ClusterSettings(boolean enabled, String host, int port, List<String> seedNodes, Duration stableAfter) {

    /** Pekko's default, long enough that a long collector pause is not taken for a crash. */
    public static final Duration DEFAULT_STABLE_AFTER = Duration.ofSeconds(20);

    /** A single server: no remoting, no cluster. */
    public static final ClusterSettings NONE = new ClusterSettings(false, "127.0.0.1", 0, List.of(), DEFAULT_STABLE_AFTER);

    public ClusterSettings {
        Objects.requireNonNull(host, "host");
        seedNodes = List.copyOf(seedNodes);
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("cluster port must be 0 to 65535, was " + port);
        }
        if (stableAfter == null || stableAfter.isNegative() || stableAfter.isZero()) {
            throw new IllegalArgumentException("stableAfter must be positive, was " + stableAfter);
        }
        if (enabled && seedNodes.isEmpty()) {
            throw new IllegalArgumentException("a cluster node needs at least one seed node (host:port)");
        }
        for (String seed : seedNodes) {
            int colon = seed.lastIndexOf(':');
            if (colon < 1 || !seed.substring(colon + 1).matches("\\d{1,5}")) {
                throw new IllegalArgumentException("seed node must be host:port, was " + seed);
            }
        }
    }

    /** A node of a cluster listening on {@code host:port}, joining through {@code seedNodes}. */
    public static ClusterSettings node(String host, int port, List<String> seedNodes) {
        return new ClusterSettings(true, host, port, seedNodes, DEFAULT_STABLE_AFTER);
    }

    public ClusterSettings withStableAfter(Duration after) {
        return new ClusterSettings(enabled, host, port, seedNodes, after);
    }
}
