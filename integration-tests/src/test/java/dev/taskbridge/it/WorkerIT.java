package dev.taskbridge.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import dev.taskbridge.it.plugin.RowWritingTaskType;
import jakarta.json.JsonObject;
import org.jboss.shrinkwrap.api.exporter.ZipExporter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Headless workers (design note 040) beside a WildFly server, on one PostgreSQL database: the
 * heavy type ({@code it.rows}, placed on role {@code heavy}) runs only on the two workers, each
 * started by its one command with its own configuration file and the test plugins' jar in its
 * plugin directory; the server, which has no role, takes the submissions and runs the other types.
 * One worker is killed ({@code kill -9}) mid-run: its slots move to the other, every task finishes
 * and no row is written twice.
 */
class WorkerIT {

    private static final int SERVER_OFFSET = 600;
    private static final int SERVER_CLUSTER_PORT = 25651;
    private static final int FIRST_WORKER_CLUSTER_PORT = 25652;
    private static final int WORKERS = 2;
    private static final int TASKS = 300;
    private static final int CHUNKS = 4;
    private static final String HEAVY = "heavy";

    private ServerProcess server;
    private final List<WorkerProcess> workers = new ArrayList<>();

    @AfterEach
    void stopAll() throws Exception {
        for (WorkerProcess worker : workers) {
            worker.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aHeavyTypeRunsOnlyOnTheWorkersAndFinishesOnTheOtherWhenOneIsKilled() throws Exception {
        PostgresCrashIT.emptyDatabase();
        Path keys = ClusterIT.clusterKeys("worker-keys", List.of("server-1", "worker-1", "worker-2"));
        String password = Files.readString(keys.resolve("password")).strip();
        List<String> seeds = new ArrayList<>(List.of("127.0.0.1:" + SERVER_CLUSTER_PORT));
        for (int i = 0; i < WORKERS; i++) {
            seeds.add("127.0.0.1:" + (FIRST_WORKER_CLUSTER_PORT + i));
        }

        server = ServerProcess.prepare(CrashIT.TARGET.resolve("worker-server"), CrashIT.earWithTestPlugins(), List.of(
                        "-Dtaskbridge.datasource=java:jboss/datasources/TaskbridgePostgresDS",
                        "-Dtaskbridge.pg.database=taskbridge_test",
                        "-Dtaskbridge.retry.min-backoff-ms=200",
                        "-Djboss.node.name=server-1",
                        "-Dtaskbridge.cluster.enabled=true",
                        "-Dtaskbridge.cluster.port=" + SERVER_CLUSTER_PORT,
                        "-Dtaskbridge.cluster.seed-nodes=" + String.join(",", seeds),
                        "-Dtaskbridge.cluster.stable-after-ms=3000",
                        "-Dtaskbridge.cluster.role." + RowWritingTaskType.ID + "=" + HEAVY,
                        "-Dtaskbridge.cluster.tls.key-store=" + keys.resolve("server-1.p12"),
                        "-Dtaskbridge.cluster.tls.trust-store=" + keys.resolve("truststore.p12")), SERVER_OFFSET)
                .withEnvironment("TASKBRIDGE_CLUSTER_TLS_KEY_STORE_PASSWORD", password)
                .withEnvironment("TASKBRIDGE_CLUSTER_TLS_TRUST_STORE_PASSWORD", password);
        server.start(); // the first seed: it forms the cluster

        Path plugins = Files.createDirectories(CrashIT.TARGET.resolve("worker-plugins"));
        Deployments.testPlugins().as(ZipExporter.class).exportTo(new File(plugins.resolve("it-plugins.jar").toString()), true);
        for (int i = 0; i < WORKERS; i++) {
            String name = "worker-" + (i + 1);
            workers.add(WorkerProcess.prepare(CrashIT.TARGET.resolve(name), String.join("\n",
                            "taskbridge.worker.database.url=" + PostgresCrashIT.URL,
                            "taskbridge.worker.database.user=" + PostgresCrashIT.USER,
                            "taskbridge.worker.plugins=" + plugins,
                            "taskbridge.node-name=" + name,
                            "taskbridge.retry.min-backoff-ms=200",
                            "taskbridge.cluster.enabled=true",
                            "taskbridge.cluster.port=" + (FIRST_WORKER_CLUSTER_PORT + i),
                            "taskbridge.cluster.seed-nodes=" + String.join(",", seeds),
                            "taskbridge.cluster.stable-after-ms=3000",
                            "taskbridge.cluster.roles=" + HEAVY,
                            "taskbridge.cluster.role." + RowWritingTaskType.ID + "=" + HEAVY,
                            "taskbridge.cluster.tls.key-store=" + keys.resolve(name + ".p12"),
                            "taskbridge.cluster.tls.trust-store=" + keys.resolve("truststore.p12"), ""))
                    .withEnvironment("TASKBRIDGE_WORKER_DATABASE_PASSWORD", PostgresCrashIT.PASSWORD)
                    .withEnvironment("TASKBRIDGE_CLUSTER_TLS_KEY_STORE_PASSWORD", password)
                    .withEnvironment("TASKBRIDGE_CLUSTER_TLS_TRUST_STORE_PASSWORD", password)
                    .start());
        }
        awaitMembers(WORKERS + 1);

        Api clerk = Api.as("clerk").at(server.baseUrl());
        List<String> ids = CrashIT.submit(clerk, "worker", TASKS, "chunks=" + CHUNKS + ",rows=" + CrashIT.ROWS_PER_CHUNK
                + ",sleepMillis=250"); // 300 s of chunks for the type's 10 slots: a run well under way when a worker dies
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
                .until(() -> CrashIT.count(clerk, "SUCCEEDED") >= TASKS / 10);
        WorkerProcess killed = workers.get(0);
        // Sharding may give every slot to the worker that joined first and move some over only at its
        // next rebalance (seconds later): CI once found the first worker without a chunk at this point.
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200)).until(() -> chunkLines(killed.log()) > 0);
        assertThat(CrashIT.count(clerk, "SUCCEEDED")).as("the run is under way when the worker is killed").isLessThan(TASKS);
        assertThat(heavySlotsOnTheServer()).as("the server has no role: none of the heavy type's slots runs on it").isZero();
        assertThat(chunkLines(killed.log())).as("the first worker runs heavy chunks before it is killed").isPositive();
        killed.kill();
        long survivorsChunksAtKill = chunkLines(workers.get(1).log());

        await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                .until(() -> CrashIT.count(clerk, "SUCCEEDED") == TASKS);
        JsonObject audit = CrashIT.audit(clerk); // it.audit is not placed: the server runs it
        assertThat(audit.getInt("duplicates")).as(audit.toString()).isZero();
        assertThat(audit.getInt("tasks")).isEqualTo(TASKS);
        assertThat(audit.getInt("rows")).isEqualTo(TASKS * CHUNKS * CrashIT.ROWS_PER_CHUNK);
        for (String id : ids) {
            assertThat(clerk.get("/tasks/" + id).object().getString("status")).isEqualTo("SUCCEEDED");
        }
        try (Stream<String> log = Files.lines(server.serverLog())) {
            assertThat(log.filter(line -> line.contains("it.rows writes chunk")).count()).as("heavy chunks on the server")
                    .isZero();
        }
        assertThat(chunkLines(workers.get(1).log())).as("the other worker finished the run")
                .isGreaterThan(survivorsChunksAtKill);

        // the operators' view, asked of the server: the surviving worker, Up with its role
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().untilAsserted(() -> {
            JsonObject cluster = Api.as("admin").at(server.baseUrl()).get("/admin/engine").object().getJsonObject("cluster");
            List<JsonObject> members = cluster.getJsonArray("members").getValuesAs(JsonObject.class);
            assertThat(members).as("the server and the worker left: " + cluster).hasSize(1 + WORKERS - 1);
            JsonObject worker = members.stream().filter(member -> member.getString("address").endsWith(
                    ":" + (FIRST_WORKER_CLUSTER_PORT + 1))).findFirst().orElseThrow();
            assertThat(worker.getString("status")).isEqualTo("Up");
            assertThat(worker.getString("version")).isEqualTo(ExpectedBuild.version());
            assertThat(worker.getJsonArray("roles").getValuesAs(jakarta.json.JsonString.class).stream()
                    .map(jakarta.json.JsonString::getString).toList()).contains(HEAVY).doesNotContain("unplaced-types");
            assertThat(cluster.getJsonArray("typesWithoutNode")).isEmpty();
        });

        // the last worker stops (SIGTERM: it drains and leaves): the heavy type has no node now, and the operators are told
        workers.get(1).close();
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().untilAsserted(() -> {
            JsonObject ready = Health.check(server.managementUrl(), "ready", "taskbridge-engine");
            assertThat(ready.getJsonObject("data").getString("taskTypesWithoutNode")).as(ready.toString())
                    .isEqualTo(RowWritingTaskType.ID + " (" + HEAVY + ")");
            assertThat(ready.getString("status")).as("the cluster's matter, not the server's").isEqualTo("UP");
            JsonObject cluster = Api.as("admin").at(server.baseUrl()).get("/admin/engine").object().getJsonObject("cluster");
            assertThat(cluster.getJsonArray("typesWithoutNode").getString(0)).isEqualTo(RowWritingTaskType.ID + " (" + HEAVY + ")");
        });
        assertThat(workers.get(1).log()).as("its stop is logged to the end").contains("Taskbridge worker stopped");
    }

    private static long chunkLines(String log) {
        return log.lines().filter(line -> line.contains("it.rows writes chunk")).count();
    }

    private int heavySlotsOnTheServer() {
        JsonObject slots = Api.as("admin").at(server.baseUrl()).get("/admin/engine").object().getJsonObject("liveSlotActors");
        return slots.containsKey(RowWritingTaskType.ID) ? slots.getInt(RowWritingTaskType.ID) : 0;
    }

    /** Readiness says the server is Up in a cluster of {@code count} members. */
    private void awaitMembers(int count) {
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().untilAsserted(() -> {
            JsonObject ready = Health.check(server.managementUrl(), "ready", "taskbridge-engine");
            assertThat(ready.getJsonObject("data").getString("clusterMembers")).as(ready.toString()).startsWith(count + " Up:");
            assertThat(ready.getString("status")).as(ready.toString()).isEqualTo("UP");
        });
    }
}
