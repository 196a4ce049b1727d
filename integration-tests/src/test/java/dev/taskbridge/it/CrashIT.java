package dev.taskbridge.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.taskbridge.it.plugin.RowAuditTaskType;
import dev.taskbridge.it.plugin.RowWritingTaskType;
import jakarta.json.JsonObject;
import org.jboss.shrinkwrap.api.exporter.ZipExporter;
import org.junit.jupiter.api.Test;

/**
 * Submitted means it will run, and nothing happens twice: 200 tasks whose chunks write rows are
 * interrupted by a {@code kill -9} of the server, or by an undeploy and deploy of the EAR, and
 * afterwards every task has succeeded and every row exists exactly once.
 */
class CrashIT {

    static final int TASKS = 200;
    static final int CHUNKS = 8;
    static final int ROWS_PER_CHUNK = 10;
    static final String PAYLOAD = "chunks=" + CHUNKS + ",rows=" + ROWS_PER_CHUNK + ",sleepMillis=40";
    static final Path TARGET = Path.of(System.getProperty("taskbridge.ear")).getParent();

    @Test
    void afterAKillMinus9EveryTaskFinishesAndEveryRowIsWrittenOnce() throws Exception {
        try (ServerProcess server = server("crash-kill").start()) {
            Api clerk = Api.as("clerk").at(ServerProcess.BASE_URL);
            List<String> ids = submitAll(clerk, "kill");
            // a plugin's rows go where the engine's markers go: the same database, whichever it is
            String statement = clerk.post("/task-types/bank.import/tasks", "text/csv",
                    "bookingDate,amount,currency,counterparty,reference\r\n2026-12-01,131.50,EUR,Customer 3,Invoice INV-1003\r\n").location();
            assertThat(clerk.awaitEnd(statement, Duration.ofMinutes(1)).getString("status")).isEqualTo("SUCCEEDED");
            awaitSomeDone(clerk);

            server.kill();
            server.start();

            // the first call of bank.import after the restart is an export: the engine prepares the type for it
            Api.Reply payments = clerk.get(statement.substring(statement.indexOf("/tasks/")) + "/exports/payments.csv", "text/csv");
            assertThat(payments.status()).as(payments.toString()).isEqualTo(200);
            assertThat(payments.body()).contains("131.50,EUR,Customer 3,Invoice INV-1003,INV-1003,MATCHED");
            assertAllDoneExactlyOnce(clerk, ids);
            // Idempotency keys outlive the crash: a client that retries its timed-out call gets the same task.
            Api.Reply again = clerk.post("/task-types/" + RowWritingTaskType.ID + "/tasks", "text/plain", PAYLOAD, "kill-7");
            assertThat(again.status()).isEqualTo(200);
            assertThat(again.object().getString("id")).isEqualTo(ids.get(7));
        }
    }

    /**
     * The safe deploys issue's first check: five undeploys and deploys of the EAR, as an operator's
     * redeploys, during a run of 500 row-writing tasks: none lost, no row twice. Each stop drains
     * (note 025), so no chunk runs twice either: the plugin logs one line per chunk run, 4,000 in all.
     */
    @Test
    void fiveRedeploysDuringARunOf500TasksLoseNothingAndRunNoChunkTwice() throws Exception {
        int tasks = 500;
        try (ServerProcess server = server("crash-redeploy").start()) {
            Api clerk = Api.as("clerk").at(ServerProcess.BASE_URL);
            List<String> ids = submit(clerk, "redeploy", tasks, "chunks=" + CHUNKS + ",rows=" + ROWS_PER_CHUNK + ",sleepMillis=100");
            for (int redeploy = 1; redeploy <= 5; redeploy++) {
                int done = count(clerk, "SUCCEEDED");
                assertThat(done).as("the run is under way before redeploy %d", redeploy).isLessThan(tasks);
                server.redeploy();
                await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
                        .until(() -> count(clerk, "SUCCEEDED") >= Math.min(tasks, done + 15));
            }

            assertAllDoneExactlyOnce(clerk, ids);
            try (java.util.stream.Stream<String> log = java.nio.file.Files.lines(server.serverLog())) {
                assertThat(log.filter(line -> line.contains("it.rows writes chunk")).count())
                        .as("chunk runs: each stop let the running chunks commit").isEqualTo((long) tasks * CHUNKS);
            }
        }
    }

    /**
     * A schedule firing every second for at least 20 seconds, with a {@code kill -9} of the server
     * in the middle: every firing until the schedule is paused made one task (RUN_ALL: those that
     * fell due while the server was down are made at its start), none twice, and each ran.
     */
    @Test
    void aScheduleFiringEverySecondThroughAKillMinus9MakesOneTaskPerFiring() throws Exception {
        try (ServerProcess server = server("crash-schedule").start()) {
            Api supervisor = Api.as("supervisor").at(ServerProcess.BASE_URL);
            Api.Reply created = supervisor.post("/schedules", "application/json", "{\"name\": \"every second\", "
                    + "\"taskType\": \"" + RowWritingTaskType.ID + "\", \"mediaType\": \"text/plain\", "
                    + "\"payload\": \"chunks=1,rows=1,sleepMillis=0\", \"interval\": \"PT1S\", \"missedFirings\": \"RUN_ALL\"}");
            assertThat(created.status()).as(created.body()).isEqualTo(201);
            String id = created.object().getString("id");
            java.time.Instant anchor = java.time.Instant.parse(created.object().getString("createdAt"));
            Thread.sleep(8_000);

            server.kill();
            server.start();
            long left = Duration.between(java.time.Instant.now(), anchor.plusSeconds(21)).toMillis();
            if (left > 0) {
                Thread.sleep(left);
            }
            JsonObject paused = supervisor.post("/schedules/" + id + "/pause", null, "").object();
            java.time.Instant pausedAt = java.time.Instant.parse(paused.getJsonObject("paused").getString("at"));

            List<JsonObject> runs = supervisor.get("/schedules/" + id + "?runs=500").object().getJsonArray("lastRuns")
                    .getValuesAs(JsonObject.class);
            java.util.Map<java.time.Instant, String> taskOf = new java.util.HashMap<>();
            for (JsonObject run : runs) {
                assertThat(run.getString("outcome")).as(run.toString()).isEqualTo("SUBMITTED");
                assertThat(taskOf.put(java.time.Instant.parse(run.getString("fireAt")), run.getString("taskId"))).isNull();
            }
            List<java.time.Instant> expected = new ArrayList<>();
            for (java.time.Instant at = anchor.plusSeconds(1); at.isBefore(pausedAt.minusSeconds(1)); at = at.plusSeconds(1)) {
                expected.add(at);
            }
            assertThat(expected).as("at least 20 seconds of firings").hasSizeGreaterThanOrEqualTo(19);
            assertThat(taskOf.keySet()).as("every firing until the pause made its task, also those of the kill")
                    .containsAll(expected);
            assertThat(taskOf.values()).as("one task per firing").doesNotHaveDuplicates();
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).until(() ->
                    count(supervisor, "SUCCEEDED") == taskOf.size());
            assertThat(supervisor.get("/tasks?type=" + RowWritingTaskType.ID + "&limit=500").json().asJsonArray())
                    .as("no task besides the firings'").hasSize(taskOf.size());
            JsonObject audit = audit(supervisor);
            assertThat(audit.getInt("duplicates")).as(audit.toString()).isZero();
            assertThat(audit.getInt("rows")).isEqualTo(taskOf.size());
        }
    }

    /** A server on a fresh database: here an H2 file of its own. */
    ServerProcess server(String name) throws Exception {
        Path base = TARGET.resolve(name);
        return ServerProcess.prepare(base, earWithTestPlugins(),
                List.of("-Dtaskbridge.db.dir=" + base.resolve("db"), "-Dtaskbridge.retry.min-backoff-ms=200"));
    }

    static List<String> submitAll(Api clerk, String keyPrefix) {
        return submit(clerk, keyPrefix, TASKS);
    }

    static List<String> submit(Api clerk, String keyPrefix, int tasks) {
        return submit(clerk, keyPrefix, tasks, PAYLOAD);
    }

    /** @param payload of {@code it.rows}, with {@link #ROWS_PER_CHUNK} rows per chunk */
    static List<String> submit(Api clerk, String keyPrefix, int tasks, String payload) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < tasks; i++) {
            Api.Reply accepted = clerk.post("/task-types/" + RowWritingTaskType.ID + "/tasks", "text/plain", payload, keyPrefix + "-" + i);
            assertThat(accepted.status()).as(accepted.toString()).isEqualTo(202);
            ids.add(accepted.object().getString("id"));
        }
        return ids;
    }

    /** Waits until the run is well under way but not over, so the interruption lands mid-run. */
    static void awaitSomeDone(Api clerk) {
        awaitSomeDone(clerk, TASKS);
    }

    static void awaitSomeDone(Api clerk, int tasks) {
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100))
                .until(() -> count(clerk, "SUCCEEDED") >= tasks / 10);
        assertThat(count(clerk, "SUCCEEDED")).as("the run ended before it was interrupted").isLessThan(tasks);
    }

    static void assertAllDoneExactlyOnce(Api clerk, List<String> ids) {
        assertAllDoneExactlyOnce(clerk, ids, CHUNKS);
    }

    /** @param chunks of each task, each of {@link #ROWS_PER_CHUNK} rows */
    static void assertAllDoneExactlyOnce(Api clerk, List<String> ids, int chunks) {
        int tasks = ids.size();
        // Reads may fail while the database is away (503): keep asking.
        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                .until(() -> count(clerk, "SUCCEEDED") + count(clerk, "FAILED") == tasks);
        Api.Reply failed = clerk.get("/tasks?type=" + RowWritingTaskType.ID + "&status=FAILED&limit=5");
        assertThat(failed.json().asJsonArray()).as("tasks that failed: %s", failed).isEmpty();
        for (String id : ids) {
            JsonObject task = clerk.get("/tasks/" + id).object();
            assertThat(task.getString("status")).isEqualTo("SUCCEEDED");
            assertThat(task.getJsonObject("result").getInt("rows")).isEqualTo(chunks * ROWS_PER_CHUNK);
        }
        JsonObject audit = audit(clerk);
        assertThat(audit.getInt("duplicates")).as(audit.toString()).isZero();
        assertThat(audit.getInt("tasks")).isEqualTo(tasks);
        assertThat(audit.getInt("rows")).isEqualTo(tasks * chunks * ROWS_PER_CHUNK);
    }

    static JsonObject audit(Api clerk) {
        String location = clerk.post("/task-types/" + RowAuditTaskType.ID + "/tasks", "text/plain", "audit").location();
        JsonObject task = clerk.awaitEnd(location, Duration.ofMinutes(1));
        assertThat(task.getString("status")).as(task.toString()).isEqualTo("SUCCEEDED");
        return task.getJsonObject("result");
    }

    static int count(Api clerk, String status) {
        return clerk.get("/tasks?type=" + RowWritingTaskType.ID + "&status=" + status + "&limit=500").json().asJsonArray().size();
    }

    /** The real EAR with the test plugins added to its lib/, as a file. */
    static Path earWithTestPlugins() {
        Path file = TARGET.resolve("taskbridge-with-test-plugins.ear");
        Deployments.earWithTestPlugins().as(ZipExporter.class).exportTo(new File(file.toString()), true);
        return file;
    }
}
