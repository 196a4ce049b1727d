package dev.taskbridge.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import dev.taskbridge.engine.store.TaskState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nodes of a cluster speak TLS and prove themselves to each other (design note 037): nodes whose
 * keys the cluster's authority signed join and run tasks; a node whose key another authority
 * signed cannot join, even though it trusts the cluster's authority, and gets no slot.
 */
class ClusterTlsTest {

    private static final Duration WAIT = Duration.ofMinutes(2);

    private PostgresTestDatabase database;
    private DataSource dataSource;
    private final List<TaskEngine> engines = new ArrayList<>();

    @BeforeEach
    void freshDatabase() throws Exception {
        database = new PostgresTestDatabase();
        dataSource = database.dataSource();
        RowWritingTaskType.createTable(dataSource);
    }

    @AfterEach
    void stopAll() throws Exception {
        engines.forEach(TaskEngine::close);
        database.drop();
    }

    @Test
    void nodesWithKeysTheClusterSignedJoinAndANodeWithAKeySignedElsewhereCannot(@TempDir Path keys) throws Exception {
        ClusterKeys cluster = ClusterKeys.authority(keys.resolve("cluster"));
        ClusterKeys other = ClusterKeys.authority(keys.resolve("other"));
        int[] ports = ClusterEngineTest.freePorts(3);
        List<String> seeds = List.of("127.0.0.1:" + ports[0]);

        TaskEngine first = node("node-1", ports[0], seeds, cluster.node("node-1"));
        TaskEngine second = node("node-2", ports[1], seeds, cluster.node("node-2"));
        ClusterEngineTest.awaitMembersUp(first, 2);
        String id = second.submit(RowWritingTaskType.ID, "clerk", null, RowWritingTaskType.payload(2)).task().id();
        await().atMost(WAIT).until(() -> first.store().find(id).orElseThrow().state() == TaskState.SUCCEEDED);

        // it trusts the cluster's authority, so it would accept the cluster's nodes; they refuse it
        TaskEngine intruder = node("intruder", ports[2], seeds, other.signedKey("intruder").trusting(cluster));
        String intruderAddress = "pekko://" + EngineSettings.DEFAULT_SYSTEM_NAME + "@127.0.0.1:" + ports[2];
        await().during(Duration.ofSeconds(10)).atMost(Duration.ofSeconds(25)).until(() ->
                first.clusterMembers().size() == 2 && intruder.clusterMembers().stream().noneMatch(m -> m.status().equals("Up")));
        assertThat(first.clusterMembers()).extracting(ClusterMember::address).doesNotContain(intruderAddress);
        assertThat(first.slotsPerNode()).doesNotContainKey(intruderAddress);
    }

    private TaskEngine node(String name, int port, List<String> seeds, ClusterTls tls) {
        TaskEngine engine = ClusterNode.start(dataSource, name, port, seeds, tls);
        engines.add(engine);
        return engine;
    }
}
