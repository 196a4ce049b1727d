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
        await().atMost(WAIT).until(() -> first.slotsPerNode().getOrDefault(thirdAddress, 0) > 0);
        List<String> more = submit(second, first, 60);
        await().atMost(WAIT).until(() -> count("SELECT COUNT(*) FROM tb_task WHERE status = 'SUCCEEDED'") == TASKS + 60);
        assertThat(rowsBy("node-3-again")).as("rows written on the node that rejoined").isPositive();
        List<String> all = new ArrayList<>(ids);
        all.addAll(more);
        assertEveryChunkWrittenOnce(all);
        assertThat(again.isAlive()).isTrue();
    }

    private TaskEngine node(String name, int port, List<String> seeds) {
        TaskEngine engine = ClusterNode.start(dataSource, name, port, seeds);
        engines.add(engine);
        return engine;
    }

    /** A node in a JVM of its own, on this test's class path; its output goes to target/. */
    private Process nodeProcess(String name, int port, List<String> seeds) throws IOException {
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
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        processes.add(process);
        await().atMost(WAIT).until(() -> !process.isAlive() || Files.readString(log).contains(ClusterNode.STARTED));
        assertThat(process.isAlive()).as("node " + name + " runs; its output: " + log.toAbsolutePath()).isTrue();
        return process;
    }

    private static void awaitMembersUp(TaskEngine engine, int members) {
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

    private static int[] freePorts(int count) throws IOException {
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
