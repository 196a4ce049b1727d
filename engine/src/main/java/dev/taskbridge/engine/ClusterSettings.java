package dev.taskbridge.engine;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

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
 * @param tls         the keys nodes prove themselves with and encrypt with (design note 037); off
 *                    only on loopback, where nothing outside the machine can connect
 * @param roles       this node's roles (design note 039), e.g. {@code heavy} for a node meant for
 *                    heavy task types; none by default
 * @param typeRoles   task type to the role its slots are placed on: only nodes with that role run
 *                    them; a type not listed runs on any node that runs unplaced types. Every node
 *                    must be given the same
 * @param worker      a headless worker (design note 040): it runs only the types placed on its
 *                    roles, so it needs their plugins only, and serves no listeners (no pages, no
 *                    event streams), so the changes made on other nodes are not relayed to it
 */
public record ClusterSettings(boolean enabled, String host, int port, List<String> seedNodes, Duration stableAfter,
                              ClusterTls tls, Set<String> roles, Map<String, String> typeRoles, boolean worker) {

    /**
     * The role of the nodes that run the types not placed on a role: every node has it unless it
     * is a worker. The slots of those types are placed on it, so that sharding never hands one to
     * a worker, and their coordinator runs on the oldest node that has it.
     */
    public static final String UNPLACED_TYPES_ROLE = "unplaced-types";

    /** Pekko's default, long enough that a long collector pause is not taken for a crash. */
    public static final Duration DEFAULT_STABLE_AFTER = Duration.ofSeconds(20);

    /** A single server: no remoting, no cluster. */
    public static final ClusterSettings NONE = new ClusterSettings(false, "127.0.0.1", 0, List.of(), DEFAULT_STABLE_AFTER,
            ClusterTls.OFF, Set.of(), Map.of(), false);

    public ClusterSettings {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(tls, "tls");
        seedNodes = List.copyOf(seedNodes);
        roles = Set.copyOf(roles);
        typeRoles = Map.copyOf(typeRoles);
        for (String role : roles) {
            requireRoleName(role);
            if (role.equals(UNPLACED_TYPES_ROLE)) {
                throw new IllegalArgumentException("the role '" + UNPLACED_TYPES_ROLE + "' is Taskbridge's own: a node has it "
                        + "unless it is a worker");
            }
        }
        typeRoles.values().forEach(ClusterSettings::requireRoleName);
        if (typeRoles.containsValue(UNPLACED_TYPES_ROLE)) {
            throw new IllegalArgumentException("no type is placed on '" + UNPLACED_TYPES_ROLE + "': a type not placed runs there");
        }
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

    /**
     * A node of a cluster listening on {@code host:port}, joining through {@code seedNodes}, over
     * plain TCP until {@link #withTls(ClusterTls)} gives it keys.
     */
    public static ClusterSettings node(String host, int port, List<String> seedNodes) {
        return new ClusterSettings(true, host, port, seedNodes, DEFAULT_STABLE_AFTER, ClusterTls.OFF, Set.of(), Map.of(), false);
    }

    public ClusterSettings withStableAfter(Duration after) {
        return new ClusterSettings(enabled, host, port, seedNodes, after, tls, roles, typeRoles, worker);
    }

    public ClusterSettings withTls(ClusterTls keys) {
        return new ClusterSettings(enabled, host, port, seedNodes, stableAfter, keys, roles, typeRoles, worker);
    }

    /** This node's roles. */
    public ClusterSettings withRoles(Set<String> nodeRoles) {
        return new ClusterSettings(enabled, host, port, seedNodes, stableAfter, tls, nodeRoles, typeRoles, worker);
    }

    /** Task type to the role its slots are placed on. */
    public ClusterSettings withTypeRoles(Map<String, String> placement) {
        return new ClusterSettings(enabled, host, port, seedNodes, stableAfter, tls, roles, placement, worker);
    }

    /** Whether this node is a headless worker. */
    public ClusterSettings withWorker(boolean headless) {
        return new ClusterSettings(enabled, host, port, seedNodes, stableAfter, tls, roles, typeRoles, headless);
    }

    /** The roles Pekko is told this node has: its own, and {@link #UNPLACED_TYPES_ROLE} unless it is a worker. */
    public Set<String> memberRoles() {
        if (worker) {
            return roles;
        }
        Set<String> all = new java.util.TreeSet<>(roles);
        all.add(UNPLACED_TYPES_ROLE);
        return Set.copyOf(all);
    }

    /** Whether this node runs the slots of {@code taskType}: one placed on a role it has, or, unless a worker, one not placed. */
    public boolean runs(String taskType) {
        String role = typeRoles.get(taskType);
        return role == null ? !worker : roles.contains(role);
    }

    /**
     * The types placed on a role no member of {@code members} has while Up and reachable, as
     * {@code type (role)}, sorted: their tasks wait until such a node joins (design note 039).
     */
    public List<String> typesWithoutNode(List<ClusterMember> members) {
        return typeRoles.entrySet().stream()
                .filter(placed -> members.stream().noneMatch(member -> member.status().equals("Up") && member.reachable()
                        && member.roles().contains(placed.getValue())))
                .map(placed -> placed.getKey() + " (" + placed.getValue() + ")").sorted().toList();
    }

    /** Pekko's role names, less its own: {@code dc-} names a data center. */
    private static void requireRoleName(String role) {
        if (!role.matches("[A-Za-z0-9][A-Za-z0-9._-]*") || role.startsWith("dc-")) {
            throw new IllegalArgumentException("a role is letters, digits, '.', '_' and '-', not starting with 'dc-': '"
                    + role + "'");
        }
    }

    /**
     * Refuses what is unsafe to start with: a node that listens beyond loopback over plain TCP,
     * which anyone who reaches its port could join and be handed slots. Asked at start, once the
     * settings are complete, not while they are put together.
     */
    void requireSafeTransport() {
        if (enabled && !tls.enabled() && !isLoopback(host)) {
            throw new IllegalArgumentException("a cluster node that listens on " + host
                    + ", not on loopback, needs TLS (a key store and a trust store)");
        }
    }

    /** Loopback by its literal form: no name is looked up while settings are read. */
    static boolean isLoopback(String host) {
        return host.equals("localhost") || host.matches("127(\\.\\d{1,3}){3}") || host.equals("::1") || host.equals("[::1]");
    }
}
