package dev.taskbridge.engine;

import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import javax.sql.DataSource;

import dev.taskbridge.engine.plugins.TaskTypeRegistry;
import dev.taskbridge.engine.slot.RetrySettings;

/**
 * A node of {@link ClusterEngineTest}'s cluster in a JVM of its own, so that the test can end it as
 * a crash does ({@code kill -9}): an engine with {@link RowWritingTaskType} on the test's
 * PostgreSQL schema, which runs until it is killed.
 *
 * <p>Arguments: schema, node name, port, seed nodes (comma-separated {@code host:port}).
 */
public final class ClusterNode {

    /** What the node prints once its engine runs. */
    static final String STARTED = "cluster node started";

    /** The type both the test's nodes and this one run: the same id, slots and work everywhere. */
    static final int SLOTS = 10;
    /** 300 tasks of 3 chunks are some 4.5 s of work for 10 slots: submitting them takes far less, so a kill lands mid-run. */
    static final long WORK_MILLIS = 50;

    private ClusterNode() {
    }

    public static void main(String[] args) throws Exception {
        String schema = args[0];
        String node = args[1];
        int port = Integer.parseInt(args[2]);
        List<String> seeds = Arrays.asList(args[3].split(","));
        DataSource dataSource = PostgresTestDatabase.pool(schema);
        TaskEngine engine = start(dataSource, node, port, seeds);
        System.out.println(STARTED + " " + node + " " + engine.clusterMembers());
        Thread.sleep(Long.MAX_VALUE); // until killed
    }

    /** An engine as every node of the test runs it. */
    static TaskEngine start(DataSource dataSource, String node, int port, List<String> seeds) {
        LocalChunkTransactions transactions = new LocalChunkTransactions(dataSource);
        RowWritingTaskType type = new RowWritingTaskType(SLOTS, WORK_MILLIS, transactions.dataSource(), node);
        EngineSettings settings = EngineSettings.DEFAULTS
                .withRetry(new RetrySettings(20, Duration.ofMillis(20), Duration.ofMillis(500)))
                .withNodeName(node)
                .withCluster(ClusterSettings.node("127.0.0.1", port, seeds).withStableAfter(Duration.ofSeconds(2)));
        return TaskEngine.start(settings, TaskTypeRegistry.of(List.of(type)), dataSource, null,
                ClusterNode.class.getClassLoader(), Clock.systemUTC(), transactions);
    }
}
