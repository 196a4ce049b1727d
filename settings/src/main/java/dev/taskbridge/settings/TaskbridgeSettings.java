package dev.taskbridge.settings;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.taskbridge.engine.ClusterSettings;
import dev.taskbridge.engine.ClusterTls;
import dev.taskbridge.engine.EngineSettings;
import dev.taskbridge.engine.slot.RetrySettings;
import dev.taskbridge.plugin.Profile;
import dev.taskbridge.plugin.TaskType;
import org.eclipse.microprofile.config.Config;

/**
 * The engine's settings read from MicroProfile Config: every {@code taskbridge.*} key the engine
 * knows, read once into the immutable {@link EngineSettings}. The one reader of them: the EJB
 * bridge reads through it when its deployment starts, the headless worker when its JVM starts
 * (design note 040), so a key means the same on a server and on a worker.
 */
public final class TaskbridgeSettings {

    public static final String PREFIX = "taskbridge.";
    public static final String DISPATCHER_THREADS = PREFIX + "dispatcher-threads";
    public static final String BLOCKING_THREADS = PREFIX + "blocking-threads";
    public static final String RETRY_MAX_ATTEMPTS = PREFIX + "retry.max-attempts";
    public static final String RETRY_MIN_BACKOFF = PREFIX + "retry.min-backoff-ms";
    public static final String RETRY_MAX_BACKOFF = PREFIX + "retry.max-backoff-ms";
    public static final String SNAPSHOT_EVERY = PREFIX + "snapshot-every";
    public static final String ASK_TIMEOUT = PREFIX + "ask-timeout-ms";
    public static final String SHUTDOWN_TIMEOUT = PREFIX + "shutdown-timeout-ms";
    public static final String JOURNAL_THREADS = PREFIX + "journal-threads";
    /** Defaults to WildFly's own node name, {@code jboss.node.name} (the host name unless set). */
    public static final String NODE_NAME = PREFIX + "node-name";
    public static final String SLOW_CHUNK = PREFIX + "slow-chunk-ms";
    public static final String STALLED_AFTER = PREFIX + "stalled-after-ms";
    /** Tasks one slot may hold before submissions routed to it are answered 503 (busy). */
    public static final String SLOT_CAPACITY = PREFIX + "slot-capacity";
    /** Finished tasks are purged this many days after they ended; 0 keeps them. */
    public static final String RETENTION_DAYS = PREFIX + "retention.days";
    /** Failed tasks, which wait for an operator's retry, are purged this many days after they failed; 0 (default) keeps them. */
    public static final String RETENTION_FAILED_DAYS = PREFIX + "retention.failed-days";
    /** Groups of short chunks committed at once, each in one transaction; 0 commits every chunk alone. */
    public static final String CHUNK_GROUPS = PREFIX + "chunk-groups";
    /** Followed by a task type id, e.g. {@code taskbridge.slots.ledger.validate}. */
    public static final String SLOTS = PREFIX + "slots.";
    /** Followed by a task type id, e.g. {@code taskbridge.concurrent-tasks-per-slot.ledger.validate}. */
    public static final String CONCURRENT_TASKS_PER_SLOT = PREFIX + "concurrent-tasks-per-slot.";
    /**
     * Followed by a task type id, e.g. {@code taskbridge.on-failure.ledger.post}: what happens to a
     * task of that type that fails for good having committed a chunk: {@value #KEEP_ON_FAILURE} (the
     * default: it waits for a supervisor) or {@value #ROLL_BACK_ON_FAILURE} (design note 030).
     */
    public static final String ON_FAILURE = PREFIX + "on-failure.";
    public static final String KEEP_ON_FAILURE = "keep";
    public static final String ROLL_BACK_ON_FAILURE = "roll-back";
    /**
     * Followed by a task type id and an option name, e.g. {@code taskbridge.options.ledger.post.chunkLines}:
     * the option's value for submissions that do not set it.
     */
    public static final String OPTIONS = PREFIX + "options.";

    /** True makes this server a node of a Pekko cluster (design note 036); false (default) runs it alone. */
    public static final String CLUSTER_ENABLED = PREFIX + "cluster.enabled";
    /** The address a node listens on and is known by: loopback unless set. */
    public static final String CLUSTER_HOST = PREFIX + "cluster.host";
    public static final String CLUSTER_PORT = PREFIX + "cluster.port";
    public static final int DEFAULT_CLUSTER_PORT = 25520;
    /** Comma-separated {@code host:port} of the nodes to join through; required in cluster mode. */
    public static final String CLUSTER_SEED_NODES = PREFIX + "cluster.seed-nodes";
    public static final String CLUSTER_STABLE_AFTER = PREFIX + "cluster.stable-after-ms";
    /** This node's roles, comma-separated (design note 039); none by default. */
    public static final String CLUSTER_ROLES = PREFIX + "cluster.roles";
    /**
     * Followed by a task type id, e.g. {@code taskbridge.cluster.role.ledger.post=heavy}: the role the
     * type's slots are placed on, so that only nodes with it run them. Every node must say the same.
     */
    public static final String CLUSTER_TYPE_ROLE = PREFIX + "cluster.role.";
    /**
     * The node's PKCS12 key store (its key, signed by the cluster's authority: server-config's
     * {@code cluster-keys.sh}); set, nodes speak TLS and prove themselves to each other (design
     * note 037). Required unless the node listens on loopback.
     */
    public static final String CLUSTER_TLS_KEY_STORE = PREFIX + "cluster.tls.key-store";
    /** Best given as the environment variable {@code TASKBRIDGE_CLUSTER_TLS_KEY_STORE_PASSWORD}, not on a command line. */
    public static final String CLUSTER_TLS_KEY_STORE_PASSWORD = PREFIX + "cluster.tls.key-store-password";
    /** The trust store holding the cluster's authority's certificate. */
    public static final String CLUSTER_TLS_TRUST_STORE = PREFIX + "cluster.tls.trust-store";
    public static final String CLUSTER_TLS_TRUST_STORE_PASSWORD = PREFIX + "cluster.tls.trust-store-password";

    private TaskbridgeSettings() {
    }

    private static ClusterSettings cluster(Config config, Iterable<? extends TaskType<?>> taskTypes) {
        if (!config.getOptionalValue(CLUSTER_ENABLED, Boolean.class).orElse(false)) {
            return ClusterSettings.NONE;
        }
        String host = config.getOptionalValue(CLUSTER_HOST, String.class).orElse(ClusterSettings.NONE.host());
        int port = config.getOptionalValue(CLUSTER_PORT, Integer.class).orElse(DEFAULT_CLUSTER_PORT);
        List<String> seeds = commaSeparated(config.getOptionalValue(CLUSTER_SEED_NODES, String.class));
        if (seeds.isEmpty()) {
            // no default: nodes that each formed a cluster of their own would each run every slot
            throw new IllegalArgumentException(CLUSTER_SEED_NODES + " must list the cluster's nodes (host:port, comma-separated) "
                    + "when " + CLUSTER_ENABLED + " is true");
        }
        return ClusterSettings.node(host, port, seeds)
                .withStableAfter(millis(config, CLUSTER_STABLE_AFTER, ClusterSettings.DEFAULT_STABLE_AFTER))
                .withTls(clusterTls(config))
                .withRoles(Set.copyOf(commaSeparated(config.getOptionalValue(CLUSTER_ROLES, String.class))))
                .withTypeRoles(typeRoles(config, taskTypes));
    }

    private static Map<String, String> typeRoles(Config config, Iterable<? extends TaskType<?>> taskTypes) {
        Set<String> typeIds = new HashSet<>();
        taskTypes.forEach(type -> typeIds.add(type.id()));
        // and every key listed, not only those of the types here: a worker carries the plugins of its
        // roles only, and must still place every type as the other nodes do (design note 040)
        for (String key : config.getPropertyNames()) {
            if (key.startsWith(CLUSTER_TYPE_ROLE) && key.length() > CLUSTER_TYPE_ROLE.length()) {
                typeIds.add(key.substring(CLUSTER_TYPE_ROLE.length()));
            }
        }
        Map<String, String> placement = new HashMap<>();
        for (String typeId : typeIds) {
            // asked for by name, so that a source that does not list its names (environment variables) is read too
            config.getOptionalValue(CLUSTER_TYPE_ROLE + typeId, String.class).map(String::strip).filter(role -> !role.isEmpty())
                    .ifPresent(role -> placement.put(typeId, role));
        }
        return placement;
    }

    private static List<String> commaSeparated(Optional<String> list) {
        return list.map(text -> Arrays.stream(text.split(",")).map(String::strip).filter(item -> !item.isEmpty()).toList())
                .orElse(List.of());
    }

    private static ClusterTls clusterTls(Config config) {
        Optional<String> keyStore = config.getOptionalValue(CLUSTER_TLS_KEY_STORE, String.class);
        if (keyStore.isEmpty()) {
            return ClusterTls.OFF;
        }
        return ClusterTls.of(Path.of(keyStore.get()), required(config, CLUSTER_TLS_KEY_STORE_PASSWORD),
                Path.of(required(config, CLUSTER_TLS_TRUST_STORE)), required(config, CLUSTER_TLS_TRUST_STORE_PASSWORD));
    }

    private static String required(Config config, String name) {
        return config.getOptionalValue(name, String.class).orElseThrow(() -> new IllegalArgumentException(
                name + " must be set when " + CLUSTER_TLS_KEY_STORE + " is"));
    }

    /** Reads every setting of the engine that runs {@code taskTypes}, falling back to the named defaults. */
    public static EngineSettings engine(Config config, Iterable<? extends TaskType<?>> taskTypes) {
        EngineSettings defaults = EngineSettings.DEFAULTS;
        RetrySettings retry = new RetrySettings(
                config.getOptionalValue(RETRY_MAX_ATTEMPTS, Integer.class).orElse(RetrySettings.DEFAULT_MAX_ATTEMPTS),
                millis(config, RETRY_MIN_BACKOFF, RetrySettings.DEFAULT_MIN_BACKOFF),
                millis(config, RETRY_MAX_BACKOFF, RetrySettings.DEFAULT_MAX_BACKOFF));
        Map<String, Integer> slots = new HashMap<>();
        Map<String, Integer> atOnce = new HashMap<>();
        Set<String> rollBackOnFailure = new HashSet<>();
        Map<String, Map<String, String>> optionDefaults = new HashMap<>();
        for (TaskType<?> type : taskTypes) {
            config.getOptionalValue(SLOTS + type.id(), Integer.class).ifPresent(count -> slots.put(type.id(), count));
            config.getOptionalValue(CONCURRENT_TASKS_PER_SLOT + type.id(), Integer.class)
                    .ifPresent(count -> atOnce.put(type.id(), count));
            // asked for by name, so that a source that does not list its names (environment variables) is read too
            if (rollsBackOnFailure(config.getOptionalValue(ON_FAILURE + type.id(), String.class), type.id())) {
                rollBackOnFailure.add(type.id());
            }
            Map<String, String> options = optionDefaults(config, type.id());
            if (!options.isEmpty()) {
                optionDefaults.put(type.id(), options);
            }
        }
        // and every key listed, not only those of the types deployed: the engine names one no plugin provides (a typo in it)
        for (String key : config.getPropertyNames()) {
            if (key.startsWith(ON_FAILURE) && key.length() > ON_FAILURE.length()) {
                String typeId = key.substring(ON_FAILURE.length());
                if (rollsBackOnFailure(config.getOptionalValue(key, String.class), typeId)) {
                    rollBackOnFailure.add(typeId);
                }
            }
        }
        return new EngineSettings(
                defaults.systemName(),
                slots,
                config.getOptionalValue(DISPATCHER_THREADS, Integer.class).orElse(defaults.dispatcherThreads()),
                config.getOptionalValue(BLOCKING_THREADS, Integer.class).orElse(defaults.blockingThreads()),
                retry,
                config.getOptionalValue(SNAPSHOT_EVERY, Integer.class).orElse(defaults.snapshotEvery()),
                millis(config, ASK_TIMEOUT, defaults.askTimeout()),
                millis(config, SHUTDOWN_TIMEOUT, defaults.shutdownTimeout()),
                config.getOptionalValue(JOURNAL_THREADS, Integer.class).orElse(defaults.journalThreads()),
                config.getOptionalValue(NODE_NAME, String.class)
                        .or(() -> config.getOptionalValue("jboss.node.name", String.class))
                        .orElse(defaults.nodeName()),
                millis(config, SLOW_CHUNK, defaults.slowChunk()),
                millis(config, STALLED_AFTER, defaults.stalledAfter()),
                optionDefaults,
                config.getOptionalValue(SLOT_CAPACITY, Integer.class).orElse(defaults.slotCapacity()),
                config.getOptionalValue(RETENTION_DAYS, Integer.class).map(Duration::ofDays).orElse(defaults.retention()),
                config.getOptionalValue(RETENTION_FAILED_DAYS, Integer.class).map(Duration::ofDays)
                        .orElse(defaults.failedRetention()),
                config.getOptionalValue(CHUNK_GROUPS, Integer.class).orElse(defaults.chunkGroups()),
                profile(config.getOptionalValue(Profile.SETTING, String.class)),
                atOnce,
                rollBackOnFailure,
                cluster(config, taskTypes));
    }

    /**
     * MicroProfile Config's profile ({@code mp.config.profile}), {@code prod} when none is set: a
     * server that does not say what it is gets production's rules, not the demo's (the demo server
     * says {@code dev}, configure-profile.cli). A name Taskbridge does not know is refused, not guessed at.
     */
    public static Profile profile(Optional<String> setting) {
        return setting
                .map(name -> Profile.named(name).orElseThrow(() -> new IllegalArgumentException(Profile.SETTING + " is '" + name
                        + "', which is not one of Taskbridge's profiles: " + Profile.names())))
                .orElse(Profile.PROD);
    }

    /** Whether {@code taskbridge.on-failure.<type>} asks for a rollback; a value Taskbridge does not know is refused, not guessed at. */
    public static boolean rollsBackOnFailure(Optional<String> setting, String typeId) {
        String value = setting.map(String::strip).orElse(KEEP_ON_FAILURE);
        if (!value.equals(KEEP_ON_FAILURE) && !value.equals(ROLL_BACK_ON_FAILURE)) {
            throw new IllegalArgumentException(ON_FAILURE + typeId + " is '" + value + "': it may be '" + KEEP_ON_FAILURE
                    + "' or '" + ROLL_BACK_ON_FAILURE + "'");
        }
        return value.equals(ROLL_BACK_ON_FAILURE);
    }

    /**
     * The keys {@code taskbridge.options.<type>.<name>} of one type. Option names have no dots,
     * type ids may have them, so the name is what follows the type's prefix.
     */
    private static Map<String, String> optionDefaults(Config config, String typeId) {
        String prefix = OPTIONS + typeId + ".";
        Map<String, String> options = new HashMap<>();
        for (String key : config.getPropertyNames()) {
            if (key.startsWith(prefix) && key.indexOf('.', prefix.length()) < 0 && key.length() > prefix.length()) {
                config.getOptionalValue(key, String.class).ifPresent(value -> options.put(key.substring(prefix.length()), value));
            }
        }
        return options;
    }

    private static Duration millis(Config config, String key, Duration fallback) {
        return config.getOptionalValue(key, Long.class).map(Duration::ofMillis).orElse(fallback);
    }
}
