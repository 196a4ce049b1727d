package dev.taskbridge.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import dev.taskbridge.engine.store.TaskState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Three engines form a cluster on loopback over one PostgreSQL schema (design note 036): two in
 * this JVM, one in a JVM of its own ({@link ClusterNode}) that the test kills as a crash does
 * ({@code kill -9}, which {@link Process#destroyForcibly()} sends). Every task submitted on either
 * surviving node finishes, every chunk's row is written exactly once wherever it ran, and the
 * killed node, started again, rejoins and gets slots back.
 */
class ClusterEngineTest {

    private static final Duration WAIT = Duration.ofMinutes(2);
    private static final int TASKS = 300;
    private static final int CHUNKS = 3;

    private PostgresTestDatabase database;
    private DataSource dataSource;
    private final List<TaskEngine> engines = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();

    @BeforeEach
    void freshDatabase() throws Exception {
        database = new PostgresTestDatabase();
        dataSource = database.dataSource();
        RowWritingTaskType.createTable(dataSource);
    }

    @AfterEach
    void stopAll() throws Exception {
        for (Process process : processes) {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        engines.forEach(TaskEngine::close);
        database.drop();
    }

    @Test
    void everyTaskFinishesOnceWhenANodeIsKilledMidRunAndTheNodeGetsSlotsBackWhenItRejoins() throws Exception {
        int[] ports = freePorts(3);
        List<String> seeds = List.of("127.0.0.1:" + ports[0]);
        TaskEngine first = node("node-1", ports[0], seeds);
        TaskEngine second = node("node-2", ports[1], seeds);
        Set<String> doneSeenOnFirst = ConcurrentHashMap.newKeySet();
        Set<String> doneSeenOnSecond = ConcurrentHashMap.newKeySet();
        first.subscribe(change -> collectDone(change, doneSeenOnFirst));
        second.subscribe(change -> collectDone(change, doneSeenOnSecond));
        Process third = nodeProcess("node-3", ports[2], seeds);
        String thirdAddress = "pekko://" + EngineSettings.DEFAULT_SYSTEM_NAME + "@127.0.0.1:" + ports[2];

        awaitMembersUp(first, 3);
        // rebalancing gives the node that joined last its share of the slots' shards
        await().atMost(WAIT).until(() -> first.slotsPerNode().getOrDefault(thirdAddress, 0) > 0);
        await().atMost(WAIT).until(() -> first.slotsPerNode().values().stream().mapToInt(Integer::intValue).sum() == ClusterNode.SLOTS);

        List<String> ids = submit(first, second, TASKS);
        // mid-run: the third node has committed chunks of its own, and most of the work is still to do
        await().atMost(WAIT).until(() -> rowsBy("node-3") > 10);
        third.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        int doneAtKill = count("SELECT COUNT(*) FROM tb_task WHERE status = 'SUCCEEDED'");
        assertThat(doneAtKill).as("tasks done when the node was killed").isLessThan(TASKS);

        await().atMost(WAIT).until(() -> count("SELECT COUNT(*) FROM tb_task WHERE status = 'SUCCEEDED'") == TASKS);
        assertEveryChunkWrittenOnce(ids);
        assertThat(first.clusterMembers()).extracting(ClusterMember::address).doesNotContain(thirdAddress);

        // started again at the same address: it rejoins, gets slots back, and runs tasks there
        Process again = nodeProcess("node-3-again", ports[2], seeds);
        awaitMembersUp(first, 3);
        // as at the start: its share given, and every slot running somewhere (not one of them between two nodes)
        await().atMost(WAIT).until(() -> first.slotsPerNode().getOrDefault(thirdAddress, 0) > 0);
        await().atMost(WAIT).until(() -> first.slotsPerNode().values().stream().mapToInt(Integer::intValue).sum() == ClusterNode.SLOTS);
        List<String> more = submit(second, first, 100);
        await().atMost(WAIT).until(() -> count("SELECT COUNT(*) FROM tb_task WHERE status = 'SUCCEEDED'") == TASKS + 100);
        assertThat(rowsBy("node-3-again")).as("rows written on the node that rejoined").isPositive();
        // live events: each node's listeners are told of every task's end, whichever node ran it (one in another JVM)
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(doneSeenOnFirst).containsAll(more);
            assertThat(doneSeenOnSecond).containsAll(more);
        });
        List<String> all = new ArrayList<>(ids);
        all.addAll(more);
        assertEveryChunkWrittenOnce(all);
        assertThat(again.isAlive()).isTrue();
    }

    /**
     * A type placed on a role runs only on nodes with that role (design note 039): a worker node in
     * a JVM of its own takes the heavy type's slots with the other heavy node, is killed, and the
     * heavy tasks finish on the heavy node left; the node without the role runs none of them, and
     * the worker none of the type not placed (design note 040).
     */
    @Test
    void aTypePlacedOnARoleRunsOnlyOnItsNodesAndFinishesOnTheOtherWhenAWorkerIsKilled() throws Exception {
        int[] ports = freePorts(3);
        List<String> seeds = List.of("127.0.0.1:" + ports[0]);
        TaskEngine web = ClusterNode.start(dataSource, "web", ports[0], seeds, ClusterTls.OFF, Set.of(), true,
                ClusterNode.HEAVY_PLACEMENT);
        engines.add(web);
        TaskEngine heavy = ClusterNode.start(dataSource, "heavy", ports[1], seeds, ClusterTls.OFF, Set.of(ClusterNode.HEAVY_ROLE),
                true, ClusterNode.HEAVY_PLACEMENT);
        engines.add(heavy);
        Process worker = nodeProcess("worker", ports[2], seeds, ClusterNode.HEAVY_ROLE);
        String workerAddress = "pekko://" + EngineSettings.DEFAULT_SYSTEM_NAME + "@127.0.0.1:" + ports[2];
        awaitMembersUp(web, 3);
        assertThat(web.clusterMembers()).filteredOn(member -> member.address().equals(workerAddress))
                .singleElement().satisfies(member -> assertThat(member.roles()).contains(ClusterNode.HEAVY_ROLE));
        int allSlots = ClusterNode.SLOTS + ClusterNode.HEAVY_SLOTS;
        await().atMost(WAIT).untilAsserted(() -> {
            Map<String, Integer> perNode = web.slotsPerNode();
            assertThat(perNode.getOrDefault(workerAddress, 0)).as(perNode.toString()).isPositive();
            assertThat(perNode.values().stream().mapToInt(Integer::intValue).sum()).as(perNode.toString()).isEqualTo(allSlots);
        });

        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            ids.add(web.submit(RowWritingTaskType.HEAVY_ID, "clerk", null, RowWritingTaskType.payload(CHUNKS)).task().id());
            ids.add(heavy.submit(RowWritingTaskType.ID, "clerk", null, RowWritingTaskType.payload(CHUNKS)).task().id());
        }
        await().atMost(WAIT).until(() -> heavyRowsBy("worker") > 5);
        worker.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        assertThat(count("SELECT COUNT(*) FROM tb_task WHERE status = 'SUCCEEDED' AND task_type = '" + RowWritingTaskType.HEAVY_ID + "'"))
                .as("heavy tasks done when the worker was killed").isLessThan(150);

        await().atMost(WAIT).until(() -> count("SELECT COUNT(*) FROM tb_task WHERE status = 'SUCCEEDED'") == ids.size());
        assertEveryChunkWrittenOnce(ids);
        assertThat(heavyRowsBy("web")).as("heavy chunks run on the node without the role").isZero();
        assertThat(heavyRowsBy("heavy")).as("heavy chunks run on the heavy node left").isPositive();
        assertThat(rowsBy("web")).as("the other type runs on any node but a worker").isPositive();
        assertThat(rowsBy("worker") - heavyRowsBy("worker")).as("the other type, not placed, never runs on a worker").isZero();
    }

    /**
     * Every node must place a type alike, or a slot could run as two entities at once: a node
     * that places the heavy type elsewhere is refused when it tries to join; one that agrees joins.
     */
    @Test
    void aNodeThatPlacesATypeOtherwiseThanTheClusterCannotJoin() throws Exception {
        int[] ports = freePorts(3);
        List<String> seeds = List.of("127.0.0.1:" + ports[0]);
        Set<String> heavyRole = Set.of(ClusterNode.HEAVY_ROLE);
        TaskEngine first = ClusterNode.start(dataSource, "first", ports[0], seeds, ClusterTls.OFF, heavyRole, true,
                ClusterNode.HEAVY_PLACEMENT);
        engines.add(first);
        awaitMembersUp(first, 1);

        TaskEngine otherwise = ClusterNode.start(dataSource, "otherwise", ports[1], seeds, ClusterTls.OFF, heavyRole, true, Map.of());
        engines.add(otherwise);
        await().during(Duration.ofSeconds(8)).atMost(Duration.ofSeconds(20)).until(() -> first.clusterMembers().size() == 1
                && otherwise.clusterMembers().stream().noneMatch(member -> member.status().equals("Up")));

        TaskEngine alike = ClusterNode.start(dataSource, "alike", ports[2], seeds, ClusterTls.OFF, heavyRole, true,
                ClusterNode.HEAVY_PLACEMENT);
        engines.add(alike);
        awaitMembersUp(first, 2);
        assertThat(first.clusterMembers()).extracting(ClusterMember::address)
                .doesNotContain("pekko://" + EngineSettings.DEFAULT_SYSTEM_NAME + "@127.0.0.1:" + ports[1]);
    }

    /**
     * A type placed on a role after its slots ran unplaced: the slots remembered among the
     * unplaced ones are forgotten there at the next start, without running, and run only as the
     * role's; at the start after, nothing is left to forget. Every chunk's row once throughout.
     */
    @Test
    void slotsRememberedUnderAnEarlierPlacementAreForgottenThereAndRunOnlyWhereTheirTypeIsPlacedNow() throws Exception {
        java.util.logging.Logger shardedSlots = java.util.logging.Logger.getLogger(
                dev.taskbridge.engine.routing.ShardedSlots.class.getName());
        List<String> forgotten = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Handler handler = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord record) {
                if (record.getMessage().contains("it is forgotten there")) {
                    forgotten.add(record.getMessage());
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        java.util.logging.Level level = shardedSlots.getLevel();
        shardedSlots.setLevel(java.util.logging.Level.INFO);
        shardedSlots.addHandler(handler);
        try {
            List<String> ids = new ArrayList<>();
            Set<String> heavyRole = Set.of(ClusterNode.HEAVY_ROLE);
            // the type unplaced, then placed on the role, then placed again: slots forgotten so far after each start
            List<Map<String, String>> placements = List.of(Map.of(), ClusterNode.HEAVY_PLACEMENT, ClusterNode.HEAVY_PLACEMENT);
            int[] forgottenAfter = {0, ClusterNode.HEAVY_SLOTS, ClusterNode.HEAVY_SLOTS};
            for (int start = 0; start < placements.size(); start++) {
                int port = freePorts(1)[0];
                TaskEngine node = ClusterNode.start(dataSource, "node", port, List.of("127.0.0.1:" + port), ClusterTls.OFF, heavyRole,
                        true, placements.get(start));
                awaitMembersUp(node, 1);
                for (int i = 0; i < 20; i++) {
                    ids.add(node.submit(RowWritingTaskType.HEAVY_ID, "clerk", null, RowWritingTaskType.payload(CHUNKS)).task().id());
                }
                await().atMost(WAIT).until(() -> count("SELECT COUNT(*) FROM tb_task WHERE status = 'SUCCEEDED'") == ids.size());
                int expected = forgottenAfter[start];
                // remembered slots start a moment after the cluster forms: wait for them, then a while for any more
                await().atMost(Duration.ofSeconds(30)).until(() -> forgotten.size() >= expected);
                await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> forgotten.size() == expected);
                node.close();
            }
            assertEveryChunkWrittenOnce(ids);
        } finally {
            shardedSlots.removeHandler(handler);
            shardedSlots.setLevel(level);
        }
    }

    private int heavyRowsBy(String node) throws SQLException {
        return count("SELECT COUNT(*) FROM ct_row r JOIN tb_task t ON t.id = r.task_id WHERE t.task_type = '"
                + RowWritingTaskType.HEAVY_ID + "' AND r.node = '" + node + "'");
    }

    private static void collectDone(TaskChange change, Set<String> done) {
        if (change.state() == TaskState.SUCCEEDED) {
            done.add(change.taskId());
        }
    }

    private TaskEngine node(String name, int port, List<String> seeds) {
        TaskEngine engine = ClusterNode.start(dataSource, name, port, seeds);
        engines.add(engine);
        return engine;
    }

    /**
     * A node in a JVM of its own, on this test's class path; its output goes to target/.
     *
     * @param roles the node's roles, comma-separated, which also give it the heavy type; none if absent
     */
    private Process nodeProcess(String name, int port, List<String> seeds, String... roles) throws IOException {
        Path log = Path.of("target", "cluster-" + name + ".log");
        Files.createDirectories(log.getParent());
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-cp", System.getProperty("java.class.path")));
        String logging = System.getProperty("java.util.logging.config.file");
        if (logging != null) {
            command.add("-Djava.util.logging.config.file=" + logging);
        }
        command.addAll(List.of(ClusterNode.class.getName(), database.schema(), name, Integer.toString(port),
                String.join(",", seeds)));
        command.addAll(List.of(roles));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        processes.add(process);
        await().atMost(WAIT).until(() -> !process.isAlive() || Files.readString(log).contains(ClusterNode.STARTED));
        assertThat(process.isAlive()).as("node " + name + " runs; its output: " + log.toAbsolutePath()).isTrue();
        return process;
    }

    static void awaitMembersUp(TaskEngine engine, int members) {
        await().atMost(WAIT).until(() -> {
            List<ClusterMember> seen = engine.clusterMembers();
            return seen.size() == members && seen.stream().allMatch(m -> m.status().equals("Up") && m.reachable());
        });
    }

    /** Tasks submitted in turn on the two nodes, as clients of a load balancer would. */
    private static List<String> submit(TaskEngine one, TaskEngine other, int tasks) throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < tasks; i++) {
            TaskEngine on = i % 2 == 0 ? one : other;
            ids.add(on.submit(RowWritingTaskType.ID, "clerk", null, RowWritingTaskType.payload(CHUNKS)).task().id());
        }
        return ids;
    }

    private void assertEveryChunkWrittenOnce(List<String> ids) throws SQLException {
        assertThat(count("SELECT COUNT(*) FROM (SELECT task_id, chunk FROM ct_row GROUP BY task_id, chunk HAVING COUNT(*) > 1) twice"))
                .as("chunks whose row was written more than once").isZero();
        assertThat(count("SELECT COUNT(*) FROM ct_row")).as("rows, one per chunk").isEqualTo(ids.size() * CHUNKS);
        assertThat(count("SELECT COUNT(DISTINCT task_id) FROM ct_row")).isEqualTo(ids.size());
    }

    private int rowsBy(String node) throws SQLException {
        return count("SELECT COUNT(*) FROM ct_row WHERE node = '" + node + "'");
    }

    private int count(String sql) throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery(sql)) {
            row.next();
            return row.getInt(1);
        }
    }

    static int[] freePorts(int count) throws IOException {
        int[] ports = new int[count];
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
                sockets.add(socket);
                ports[i] = socket.getLocalPort();
            }
        } finally {
            for (ServerSocket socket : sockets) {
                socket.close();
            }
        }
        return ports;
    }
}
