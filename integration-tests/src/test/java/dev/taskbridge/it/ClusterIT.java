package dev.taskbridge.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import dev.taskbridge.it.plugin.RowWritingTaskType;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Three WildFly nodes on loopback form a Pekko cluster over one PostgreSQL database (design note
 * 036): the slots are spread over them, any node takes submissions, and a node that is killed
 * ({@code kill -9}) or restarted loses no task and runs no chunk's effect twice. Each node has its
 * own port offset, base directory and cluster port; all three list every node as a seed, so any
 * of them can restart and join the two others.
 */
class ClusterIT {

    private static final int NODES = 3;
    private static final int FIRST_OFFSET = 200;
    private static final int FIRST_CLUSTER_PORT = 25621;
    private static final int CHUNKS = 4;

    /** A task of about {@code CHUNKS * sleepMillis} of work: a run of many outlasts their submission over REST. */
    private static String payload(int sleepMillis) {
        return "chunks=" + CHUNKS + ",rows=" + CrashIT.ROWS_PER_CHUNK + ",sleepMillis=" + sleepMillis;
    }

    private final List<ServerProcess> nodes = new ArrayList<>();

    @AfterEach
    void stopNodes() throws Exception {
        for (ServerProcess node : nodes) {
            node.close();
        }
    }

    @Test
    void aNodeKilledMidRunLosesNoTaskAndRunsNoRowTwiceAndGetsSlotsBackWhenItRejoins() throws Exception {
        startCluster("kill");
        List<String> ids = submitAcrossNodes("kill", 1_000, payload(100)); // 40 s of work for the 10 slots
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200)).until(() -> succeeded(nodes.get(0)) >= 100);
        assertThat(succeeded(nodes.get(0))).as("the run is under way when the node is killed").isLessThan(ids.size());

        ServerProcess third = nodes.get(2);
        third.kill();
        awaitAllSucceeded(nodes.get(0), ids.size());
        assertEveryRowOnce(nodes.get(1), ids);

        third.start();
        awaitMembersUp(third);
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).until(() -> slotsHere(third) > 0);

        // the operators' view, asked of one node: every member, and the slots on each, as the nodes count their own
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().untilAsserted(() -> {
            JsonObject cluster = Api.as("admin").at(nodes.get(0).baseUrl()).get("/admin/engine").object().getJsonObject("cluster");
            assertThat(cluster.getBoolean("clustered")).isTrue();
            List<JsonObject> members = cluster.getJsonArray("members").getValuesAs(JsonObject.class);
            assertThat(members).as(cluster.toString()).hasSize(NODES)
                    .allSatisfy(member -> {
                        assertThat(member.getString("status")).isEqualTo("Up");
                        assertThat(member.getBoolean("reachable")).isTrue();
                    });
            assertThat(members.stream().filter(member -> member.getBoolean("self")).count()).isOne();
            for (int i = 0; i < NODES; i++) {
                String address = "pekko://taskbridge@127.0.0.1:" + (FIRST_CLUSTER_PORT + i);
                JsonObject member = members.stream().filter(m -> m.getString("address").equals(address)).findFirst().orElseThrow();
                assertThat(member.getInt("slots")).as(address).isEqualTo(slotsHere(nodes.get(i)));
            }
        });
    }

    @Test
    void aRollingRestartOfEveryNodeDuringARunLosesNothingAndRunsEveryChunkOnce() throws Exception {
        startCluster("roll");
        List<String> ids = submitAcrossNodes("roll", 600, payload(250)); // a minute of work: most of the roll
        for (ServerProcess node : nodes) {
            ServerProcess other = nodes.get((nodes.indexOf(node) + 1) % NODES);
            if (node == nodes.get(0)) {
                assertThat(succeeded(other)).as("the run is under way when the roll starts").isLessThan(ids.size());
            }
            node.close(); // as an operator stops a node: it drains, hands its slots over and leaves
            node.start();
            awaitMembersUp(node);
        }
        awaitAllSucceeded(nodes.get(1), ids.size());
        assertEveryRowOnce(nodes.get(2), ids);
        long chunkRuns = 0;
        for (ServerProcess node : nodes) {
            try (Stream<String> log = Files.lines(node.serverLog())) {
                chunkRuns += log.filter(line -> line.contains("it.rows writes chunk")).count();
            }
        }
        assertThat(chunkRuns).as("chunk runs on all nodes: each stop let its running chunks commit first")
                .isEqualTo((long) ids.size() * CHUNKS);
    }

    private void startCluster(String name) throws Exception {
        PostgresCrashIT.emptyDatabase();
        List<String> seeds = new ArrayList<>();
        for (int i = 0; i < NODES; i++) {
            seeds.add("127.0.0.1:" + (FIRST_CLUSTER_PORT + i));
        }
        Path ear = CrashIT.earWithTestPlugins();
        Path keys = clusterKeys();
        String password = Files.readString(keys.resolve("password")).strip();
        for (int i = 0; i < NODES; i++) {
            nodes.add(ServerProcess.prepare(CrashIT.TARGET.resolve("cluster-" + name + "-" + (i + 1)), ear, List.of(
                    "-Dtaskbridge.datasource=java:jboss/datasources/TaskbridgePostgresDS",
                    "-Dtaskbridge.pg.database=taskbridge_test",
                    "-Dtaskbridge.retry.min-backoff-ms=200",
                    "-Djboss.node.name=node-" + (i + 1),
                    "-Dtaskbridge.cluster.enabled=true",
                    "-Dtaskbridge.cluster.port=" + (FIRST_CLUSTER_PORT + i),
                    "-Dtaskbridge.cluster.seed-nodes=" + String.join(",", seeds),
                    "-Dtaskbridge.cluster.stable-after-ms=3000",
                    "-Dtaskbridge.cluster.tls.key-store=" + keys.resolve("node-" + (i + 1) + ".p12"),
                    "-Dtaskbridge.cluster.tls.trust-store=" + keys.resolve("truststore.p12")), FIRST_OFFSET + 100 * i)
                    .withEnvironment("TASKBRIDGE_CLUSTER_TLS_KEY_STORE_PASSWORD", password)
                    .withEnvironment("TASKBRIDGE_CLUSTER_TLS_TRUST_STORE_PASSWORD", password));
        }
        // the first seed forms the cluster; the others start at once and join it
        nodes.get(0).start();
        for (ServerProcess node : nodes.subList(1, NODES)) {
            node.launch();
        }
        for (ServerProcess node : nodes.subList(1, NODES)) {
            node.awaitApplication();
        }
        for (ServerProcess node : nodes) {
            awaitMembersUp(node);
            assertThat(Files.readString(node.serverLog())).as("the node's remoting speaks TLS")
                    .contains("Remoting started with transport [Artery tls-tcp]");
        }
    }

    /**
     * The nodes' keys, made by server-config's {@code cluster-keys.sh} as an operator makes them:
     * the nodes speak TLS and prove themselves to each other (design note 037).
     */
    private static Path clusterKeys() throws Exception {
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= NODES; i++) {
            names.add("node-" + i);
        }
        return clusterKeys("cluster-keys", names);
    }

    /** Keys for {@code nodes} in {@code directory} under the build's target, as {@code cluster-keys.sh} makes them. */
    static Path clusterKeys(String directory, List<String> nodes) throws Exception {
        Path keys = CrashIT.TARGET.resolve(directory);
        List<String> command = new ArrayList<>(List.of("bash", Path.of("..", "server-config", "src", "main", "bin",
                "cluster-keys.sh").toString(), keys.toString()));
        command.addAll(nodes);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as("cluster-keys.sh: " + output).isZero();
        return keys.toAbsolutePath();
    }

    /** Submissions in turn on every node, as a load balancer in front of them would spread them. */
    private List<String> submitAcrossNodes(String keyPrefix, int tasks, String payload) {
        List<Api> clerks = nodes.stream().map(node -> Api.as("clerk").at(node.baseUrl())).toList();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < tasks; i++) {
            Api.Reply accepted = clerks.get(i % NODES).post("/task-types/" + RowWritingTaskType.ID + "/tasks", "text/plain",
                    payload, keyPrefix + "-" + i);
            assertThat(accepted.status()).as(accepted.toString()).isEqualTo(202);
            ids.add(accepted.object().getString("id"));
        }
        return ids;
    }

    /** Readiness says the node is Up in a cluster of all three, every member reachable. */
    private static void awaitMembersUp(ServerProcess node) {
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().untilAsserted(() -> {
            JsonObject ready = Health.check(node.managementUrl(), "ready", "taskbridge-engine");
            assertThat(ready.getJsonObject("data").getString("clusterMembers")).as(ready.toString())
                    .startsWith(NODES + " Up:");
            assertThat(ready.getString("status")).as(ready.toString()).isEqualTo("UP");
        });
    }

    private static int slotsHere(ServerProcess node) {
        JsonObject slots = Api.as("admin").at(node.baseUrl()).get("/admin/engine").object().getJsonObject("liveSlotActors");
        return slots.values().stream().mapToInt(count -> ((jakarta.json.JsonNumber) count).intValue()).sum();
    }

    private static int succeeded(ServerProcess node) {
        JsonObject byStatus = Api.as("admin").at(node.baseUrl()).get("/admin/engine").object().getJsonObject("tasksByStatus");
        return byStatus.containsKey("SUCCEEDED") ? byStatus.getInt("SUCCEEDED") : 0;
    }

    private static void awaitAllSucceeded(ServerProcess node, int tasks) {
        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                .until(() -> succeeded(node) == tasks);
    }

    /** Every task SUCCEEDED with all its rows, and no row twice: asked of any node, since they share the store. */
    private static void assertEveryRowOnce(ServerProcess node, List<String> ids) {
        Api clerk = Api.as("clerk").at(node.baseUrl());
        for (String id : ids) {
            JsonObject task = clerk.get("/tasks/" + id).object();
            assertThat(task.getString("status")).as(task.toString()).isEqualTo("SUCCEEDED");
            assertThat(task.getJsonObject("result").getInt("rows")).isEqualTo(CHUNKS * CrashIT.ROWS_PER_CHUNK);
        }
        JsonObject audit = CrashIT.audit(clerk);
        assertThat(audit.getInt("duplicates")).as(audit.toString()).isZero();
        assertThat(audit.getInt("tasks")).isEqualTo(ids.size());
        assertThat(audit.getInt("rows")).isEqualTo(ids.size() * CHUNKS * CrashIT.ROWS_PER_CHUNK);
    }
}
