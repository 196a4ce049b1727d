package dev.taskbridge.engine;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.sql.DataSource;

import dev.taskbridge.engine.plugins.TaskTypeRegistry;
import dev.taskbridge.engine.slot.RetrySettings;
import dev.taskbridge.plugin.TaskType;

/**
 * A node of {@link ClusterEngineTest}'s cluster in a JVM of its own, so that the test can end it as
 * a crash does ({@code kill -9}): an engine with {@link RowWritingTaskType} on the test's
 * PostgreSQL schema, which runs until it is killed.
 *
 * <p>Arguments: schema, node name, port, seed nodes (comma-separated {@code host:port}), and
 * optionally the node's roles (comma-separated), which makes it a worker as the worker module
 * starts one: it has the heavy type, and does not run the types not placed on a role.
 */
public final class ClusterNode {

    /** What the node prints once its engine runs. */
    static final String STARTED = "cluster node started";

    /** The type both the test's nodes and this one run: the same id, slots and work everywhere. */
    static final int SLOTS = 10;
    /** 300 tasks of 3 chunks are some 4.5 s of work for 10 slots: submitting them takes far less, so a kill lands mid-run. */
    static final long WORK_MILLIS = 50;
    /** The role the heavy type's slots are placed on, and how many it has. */
    static final String HEAVY_ROLE = "heavy";
    static final int HEAVY_SLOTS = 4;
    static final Map<String, String> HEAVY_PLACEMENT = Map.of(RowWritingTaskType.HEAVY_ID, HEAVY_ROLE);

    private ClusterNode() {
    }

    public static void main(String[] args) throws Exception {
        String schema = args[0];
        String node = args[1];
        int port = Integer.parseInt(args[2]);
        List<String> seeds = Arrays.asList(args[3].split(","));
        DataSource dataSource = PostgresTestDatabase.pool(schema);
        TaskEngine engine = args.length > 4
                ? start(dataSource, node, port, seeds, ClusterTls.OFF, Set.of(args[4].split(",")), true, HEAVY_PLACEMENT, true)
                : start(dataSource, node, port, seeds);
        System.out.println(STARTED + " " + node + " " + engine.clusterMembers());
        Thread.sleep(Long.MAX_VALUE); // until killed
    }

    /** An engine as every node of the test runs it. */
    static TaskEngine start(DataSource dataSource, String node, int port, List<String> seeds) {
        return start(dataSource, node, port, seeds, ClusterTls.OFF);
    }

    /** As {@link #start(DataSource, String, int, List)}, speaking TLS with the given keys. */
    static TaskEngine start(DataSource dataSource, String node, int port, List<String> seeds, ClusterTls tls) {
        return start(dataSource, node, port, seeds, tls, Set.of(), false, Map.of());
    }

    /**
     * As {@link #start(DataSource, String, int, List, ClusterTls)}, with the node's roles, and with
     * {@link RowWritingTaskType#HEAVY_ID} too if {@code withHeavyType} ({@value #HEAVY_SLOTS}
     * slots), placed as {@code placement} says ({@link #HEAVY_PLACEMENT}: on role {@value #HEAVY_ROLE}).
     */
    static TaskEngine start(DataSource dataSource, String node, int port, List<String> seeds, ClusterTls tls,
                            Set<String> roles, boolean withHeavyType, Map<String, String> placement) {
        return start(dataSource, node, port, seeds, tls, roles, withHeavyType, placement, false);
    }

    /** As the one above, as a headless worker if {@code worker} (design note 040). */
    static TaskEngine start(DataSource dataSource, String node, int port, List<String> seeds, ClusterTls tls,
                            Set<String> roles, boolean withHeavyType, Map<String, String> placement, boolean worker) {
        LocalChunkTransactions transactions = new LocalChunkTransactions(dataSource);
        List<TaskType<?>> types = new ArrayList<>(List.of(new RowWritingTaskType(SLOTS, WORK_MILLIS, transactions.dataSource(), node)));
        if (withHeavyType) {
            types.add(new RowWritingTaskType(RowWritingTaskType.HEAVY_ID, HEAVY_SLOTS, WORK_MILLIS, transactions.dataSource(), node));
        }
        EngineSettings settings = EngineSettings.DEFAULTS
                .withRetry(new RetrySettings(20, Duration.ofMillis(20), Duration.ofMillis(500)))
                .withNodeName(node)
                .withCluster(ClusterSettings.node("127.0.0.1", port, seeds).withStableAfter(Duration.ofSeconds(2)).withTls(tls)
                        .withRoles(roles).withTypeRoles(placement).withWorker(worker));
        return TaskEngine.start(settings, TaskTypeRegistry.of(types), dataSource, null,
                ClusterNode.class.getClassLoader(), Clock.systemUTC(), transactions);
    }
}
