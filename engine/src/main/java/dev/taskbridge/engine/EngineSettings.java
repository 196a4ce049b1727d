package dev.taskbridge.engine;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import dev.taskbridge.engine.slot.RetrySettings;
import dev.taskbridge.engine.slot.Slot;
import dev.taskbridge.plugin.Profile;

/**
 * Everything the host decides about the engine, read once and handed in whole. The engine reads
 * no configuration of its own beyond Pekko's defaults in its jar.
 *
 * @param systemName        name of the actor system; also the prefix of its threads
 * @param slotOverrides     slots per task type id, overriding what the plugin asks for
 * @param dispatcherThreads threads that run actors
 * @param blockingThreads   threads that run plugin handlers and store writes
 * @param retry             how transient failures are retried
 * @param snapshotEvery     events between snapshots of a slot
 * @param askTimeout        how long a caller waits for an answer from the actors
 * @param shutdownTimeout   how long stopping may take before it is reported as stuck
 * @param journalThreads    threads (and connections) the slots' JDBC journal uses
 * @param nodeName          this node's name in the logging context of every task's lines
 * @param slowChunk         a chunk still running after this long is logged as slow, with its thread's stack
 * @param stalledAfter      a running task without progress for this long is flagged as stalled
 * @param optionDefaults    per task type id, submission options that apply unless a submission sets them
 * @param slotCapacity      tasks one slot may hold (running, waiting, waiting to be handed to it); a
 *                          submission is refused as busy when every slot of its type holds as many (a soft
 *                          bound, see {@link SlotFullException})
 * @param retention         succeeded and cancelled tasks, their history and effect markers are purged this
 *                          long after they ended; {@link Duration#ZERO} keeps them for ever
 * @param failedRetention   the same for failed tasks, which wait for an operator's retry: by default
 *                          ({@link Duration#ZERO}) they are kept until someone retries them
 * @param chunkGroups       groups of short chunks that may run at once, each group in one transaction
 *                          ({@link ChunkGroups}); 0 runs every chunk in a transaction of its own
 * @param concurrencyOverrides tasks one slot runs at once per task type id, overriding what the plugin
 *                          says ({@link dev.taskbridge.plugin.TaskType#concurrentTasksPerSlot})
 * @param rollBackOnFailure the task types whose tasks are rolled back by the engine when they fail
 *                          having committed a chunk (a failure policy, design note 030); a type whose
 *                          plugin offers no undo is reported at start and keeps its failed tasks
 * @param profile           the deployment's profile, which plugins are told when they get ready
 *                          ({@link dev.taskbridge.plugin.TaskType#prepare}); {@link Profile#PROD} by
 *                          default, so that nothing makes demo data unless asked to
 * @param cluster           alone ({@link ClusterSettings#NONE}) or a node of a cluster (design note 036)
 */
public record EngineSettings(
        String systemName,
        Map<String, Integer> slotOverrides,
        int dispatcherThreads,
        int blockingThreads,
        RetrySettings retry,
        int snapshotEvery,
        Duration askTimeout,
        Duration shutdownTimeout,
        int journalThreads,
        String nodeName,
        Duration slowChunk,
        Duration stalledAfter,
        Map<String, Map<String, String>> optionDefaults,
        int slotCapacity,
        Duration retention,
        Duration failedRetention,
        int chunkGroups,
        Profile profile,
        Map<String, Integer> concurrencyOverrides,
        Set<String> rollBackOnFailure,
        ClusterSettings cluster) {

    public static final String DEFAULT_SYSTEM_NAME = "taskbridge";
    public static final int DEFAULT_DISPATCHER_THREADS = 4;
    public static final int DEFAULT_BLOCKING_THREADS = 8;
    public static final Duration DEFAULT_ASK_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);
    public static final int DEFAULT_JOURNAL_THREADS = 10;
    public static final String DEFAULT_NODE_NAME = "local";
    public static final Duration DEFAULT_SLOW_CHUNK = Duration.ofSeconds(30);
    public static final Duration DEFAULT_STALLED_AFTER = Duration.ofMinutes(10);
    /**
     * A slot's queue is journaled and snapshotted whole, so its size is what a snapshot costs:
     * 10,000 tasks are some 600 KB of JSON. Ten slots of a type hold 100,000 tasks.
     */
    public static final int DEFAULT_SLOT_CAPACITY = 10_000;
    public static final Duration DEFAULT_RETENTION = Duration.ofDays(30);
    /** Measured: see design note 015. */
    public static final int DEFAULT_CHUNK_GROUPS = 2;

    public static final EngineSettings DEFAULTS = new EngineSettings(DEFAULT_SYSTEM_NAME, Map.of(),
            DEFAULT_DISPATCHER_THREADS, DEFAULT_BLOCKING_THREADS, RetrySettings.DEFAULTS, Slot.DEFAULT_SNAPSHOT_EVERY,
            DEFAULT_ASK_TIMEOUT, DEFAULT_SHUTDOWN_TIMEOUT, DEFAULT_JOURNAL_THREADS, DEFAULT_NODE_NAME, DEFAULT_SLOW_CHUNK,
            DEFAULT_STALLED_AFTER, Map.of(), DEFAULT_SLOT_CAPACITY, DEFAULT_RETENTION, Duration.ZERO, DEFAULT_CHUNK_GROUPS,
            Profile.PROD, Map.of(), Set.of(), ClusterSettings.NONE);

    /** Settings without overrides of the tasks a slot runs at once. */
    public EngineSettings(String systemName, Map<String, Integer> slotOverrides, int dispatcherThreads, int blockingThreads,
                          RetrySettings retry, int snapshotEvery, Duration askTimeout, Duration shutdownTimeout,
                          int journalThreads, String nodeName, Duration slowChunk, Duration stalledAfter,
                          Map<String, Map<String, String>> optionDefaults, int slotCapacity, Duration retention,
                          Duration failedRetention, int chunkGroups, Profile profile) {
        this(systemName, slotOverrides, dispatcherThreads, blockingThreads, retry, snapshotEvery, askTimeout,
                shutdownTimeout, journalThreads, nodeName, slowChunk, stalledAfter, optionDefaults, slotCapacity, retention,
                failedRetention, chunkGroups, profile, Map.of());
    }

    /** Settings with no failure policy. */
    public EngineSettings(String systemName, Map<String, Integer> slotOverrides, int dispatcherThreads, int blockingThreads,
                          RetrySettings retry, int snapshotEvery, Duration askTimeout, Duration shutdownTimeout,
                          int journalThreads, String nodeName, Duration slowChunk, Duration stalledAfter,
                          Map<String, Map<String, String>> optionDefaults, int slotCapacity, Duration retention,
                          Duration failedRetention, int chunkGroups, Profile profile, Map<String, Integer> concurrencyOverrides) {
        this(systemName, slotOverrides, dispatcherThreads, blockingThreads, retry, snapshotEvery, askTimeout,
                shutdownTimeout, journalThreads, nodeName, slowChunk, stalledAfter, optionDefaults, slotCapacity, retention,
                failedRetention, chunkGroups, profile, concurrencyOverrides, Set.of(), ClusterSettings.NONE);
    }

    public EngineSettings {
        Objects.requireNonNull(systemName, "systemName");
        slotOverrides = Map.copyOf(slotOverrides);
        concurrencyOverrides = Map.copyOf(concurrencyOverrides);
        rollBackOnFailure = Set.copyOf(rollBackOnFailure);
        Objects.requireNonNull(cluster, "cluster");
        concurrencyOverrides.forEach((type, atOnce) -> {
            if (atOnce < 1 || atOnce > dev.taskbridge.plugin.TaskType.MAX_CONCURRENT_TASKS_PER_SLOT) {
                throw new IllegalArgumentException("task type " + type + ": a slot runs 1 to "
                        + dev.taskbridge.plugin.TaskType.MAX_CONCURRENT_TASKS_PER_SLOT + " tasks at once, configured " + atOnce);
            }
        });
        Objects.requireNonNull(retry, "retry");
        Objects.requireNonNull(askTimeout, "askTimeout");
        Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
        Objects.requireNonNull(nodeName, "nodeName");
        Objects.requireNonNull(profile, "profile");
        requirePositive(slowChunk, "slowChunk");
        requirePositive(stalledAfter, "stalledAfter");
        Map<String, Map<String, String>> defaults = new HashMap<>();
        optionDefaults.forEach((type, options) -> defaults.put(type, Map.copyOf(options)));
        optionDefaults = Map.copyOf(defaults);
        if (dispatcherThreads < 1 || blockingThreads < 1 || journalThreads < 1) {
            throw new IllegalArgumentException("thread counts must be at least 1");
        }
        if (slotCapacity < 1) {
            throw new IllegalArgumentException("slotCapacity must be at least 1, was " + slotCapacity);
        }
        if (retention == null || retention.isNegative()) {
            throw new IllegalArgumentException("retention must be zero (keep) or positive, was " + retention);
        }
        if (failedRetention == null || failedRetention.isNegative()) {
            throw new IllegalArgumentException("failedRetention must be zero (keep) or positive, was " + failedRetention);
        }
        if (chunkGroups < 0) {
            throw new IllegalArgumentException("chunkGroups must be 0 (none) or positive, was " + chunkGroups);
        }
        if (snapshotEvery < 1) {
            throw new IllegalArgumentException("snapshotEvery must be at least 1");
        }
        slotOverrides.forEach((type, slots) -> {
            if (slots < 1) {
                throw new IllegalArgumentException("task type " + type + " needs at least 1 slot, configured " + slots);
            }
        });
    }

    public EngineSettings withSlotOverrides(Map<String, Integer> overrides) {
        return new EngineSettings(systemName, overrides, dispatcherThreads, blockingThreads, retry, snapshotEvery,
                askTimeout, shutdownTimeout, journalThreads, nodeName, slowChunk, stalledAfter, optionDefaults, slotCapacity, retention, failedRetention, chunkGroups, profile, concurrencyOverrides, rollBackOnFailure, cluster);
    }

    public EngineSettings withConcurrencyOverrides(Map<String, Integer> overrides) {
        return new EngineSettings(systemName, slotOverrides, dispatcherThreads, blockingThreads, retry, snapshotEvery,
                askTimeout, shutdownTimeout, journalThreads, nodeName, slowChunk, stalledAfter, optionDefaults, slotCapacity,
                retention, failedRetention, chunkGroups, profile, overrides, rollBackOnFailure, cluster);
    }

    /** As {@code taskbridge.on-failure.<type>=roll-back} sets it in the server. */
    public EngineSettings withRollBackOnFailure(Set<String> taskTypes) {
        return new EngineSettings(systemName, slotOverrides, dispatcherThreads, blockingThreads, retry, snapshotEvery,
                askTimeout, shutdownTimeout, journalThreads, nodeName, slowChunk, stalledAfter, optionDefaults, slotCapacity,
                retention, failedRetention, chunkGroups, profile, concurrencyOverrides, taskTypes, cluster);
    }

    public EngineSettings withRetry(RetrySettings newRetry) {
        return new EngineSettings(systemName, slotOverrides, dispatcherThreads, blockingThreads, newRetry,
                snapshotEvery, askTimeout, shutdownTimeout, journalThreads, nodeName, slowChunk, stalledAfter, optionDefaults, slotCapacity, retention, failedRetention, chunkGroups, profile, concurrencyOverrides, rollBackOnFailure, cluster);
    }

    public EngineSettings withStalledAfter(Duration after) {
        return new EngineSettings(systemName, slotOverrides, dispatcherThreads, blockingThreads, retry,
                snapshotEvery, askTimeout, shutdownTimeout, journalThreads, nodeName, slowChunk, after, optionDefaults, slotCapacity, retention, failedRetention, chunkGroups, profile, concurrencyOverrides, rollBackOnFailure, cluster);
    }

    public EngineSettings withOptionDefaults(Map<String, Map<String, String>> defaults) {
        return new EngineSettings(systemName, slotOverrides, dispatcherThreads, blockingThreads, retry,
                snapshotEvery, askTimeout, shutdownTimeout, journalThreads, nodeName, slowChunk, stalledAfter, defaults, slotCapacity, retention, failedRetention, chunkGroups, profile, concurrencyOverrides, rollBackOnFailure, cluster);
    }

    public EngineSettings withSlotCapacity(int capacity) {
        return new EngineSettings(systemName, slotOverrides, dispatcherThreads, blockingThreads, retry,
                snapshotEvery, askTimeout, shutdownTimeout, journalThreads, nodeName, slowChunk, stalledAfter,
                optionDefaults, capacity, retention, failedRetention, chunkGroups, profile, concurrencyOverrides, rollBackOnFailure, cluster);
    }

    public EngineSettings withRetention(Duration keepFor) {
        return new EngineSettings(systemName, slotOverrides, dispatcherThreads, blockingThreads, retry,
                snapshotEvery, askTimeout, shutdownTimeout, journalThreads, nodeName, slowChunk, stalledAfter,
                optionDefaults, slotCapacity, keepFor, failedRetention, chunkGroups, profile, concurrencyOverrides, rollBackOnFailure, cluster);
    }

    public EngineSettings withFailedRetention(Duration keepFor) {
        return new EngineSettings(systemName, slotOverrides, dispatcherThreads, blockingThreads, retry,
                snapshotEvery, askTimeout, shutdownTimeout, journalThreads, nodeName, slowChunk, stalledAfter,
                optionDefaults, slotCapacity, retention, keepFor, chunkGroups, profile, concurrencyOverrides, rollBackOnFailure, cluster);
    }

    /** As {@code taskbridge.blocking-threads} sets it in the server: for hosts that build their settings in code. */
    public EngineSettings withBlockingThreads(int threads) {
        return new EngineSettings(systemName, slotOverrides, dispatcherThreads, threads, retry,
                snapshotEvery, askTimeout, shutdownTimeout, journalThreads, nodeName, slowChunk, stalledAfter,
                optionDefaults, slotCapacity, retention, failedRetention, chunkGroups, profile, concurrencyOverrides, rollBackOnFailure, cluster);
    }

    public EngineSettings withChunkGroups(int groups) {
        return new EngineSettings(systemName, slotOverrides, dispatcherThreads, blockingThreads, retry,
                snapshotEvery, askTimeout, shutdownTimeout, journalThreads, nodeName, slowChunk, stalledAfter,
                optionDefaults, slotCapacity, retention, failedRetention, groups, profile, concurrencyOverrides, rollBackOnFailure, cluster);
    }

    public EngineSettings withSnapshotEvery(int events) {
        return new EngineSettings(systemName, slotOverrides, dispatcherThreads, blockingThreads, retry,
                events, askTimeout, shutdownTimeout, journalThreads, nodeName, slowChunk, stalledAfter,
                optionDefaults, slotCapacity, retention, failedRetention, chunkGroups, profile, concurrencyOverrides, rollBackOnFailure, cluster);
    }

    public EngineSettings withProfile(Profile newProfile) {
        return new EngineSettings(systemName, slotOverrides, dispatcherThreads, blockingThreads, retry,
                snapshotEvery, askTimeout, shutdownTimeout, journalThreads, nodeName, slowChunk, stalledAfter,
                optionDefaults, slotCapacity, retention, failedRetention, chunkGroups, newProfile, concurrencyOverrides, rollBackOnFailure, cluster);
    }

    /** As {@code taskbridge.node-name} sets it in the server. */
    public EngineSettings withNodeName(String name) {
        return new EngineSettings(systemName, slotOverrides, dispatcherThreads, blockingThreads, retry,
                snapshotEvery, askTimeout, shutdownTimeout, journalThreads, name, slowChunk, stalledAfter,
                optionDefaults, slotCapacity, retention, failedRetention, chunkGroups, profile, concurrencyOverrides,
                rollBackOnFailure, cluster);
    }

    /** As {@code taskbridge.cluster.*} sets it in the server. */
    public EngineSettings withCluster(ClusterSettings newCluster) {
        return new EngineSettings(systemName, slotOverrides, dispatcherThreads, blockingThreads, retry,
                snapshotEvery, askTimeout, shutdownTimeout, journalThreads, nodeName, slowChunk, stalledAfter,
                optionDefaults, slotCapacity, retention, failedRetention, chunkGroups, profile, concurrencyOverrides,
                rollBackOnFailure, newCluster);
    }

    private static void requirePositive(Duration duration, String name) {
        if (duration == null || duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + duration);
        }
    }
}
