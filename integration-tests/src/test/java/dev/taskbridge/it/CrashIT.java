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
            awaitSomeDone(clerk);

            server.kill();
            server.start();

            assertAllDoneExactlyOnce(clerk, ids);
            // Idempotency keys outlive the crash: a client that retries its timed-out call gets the same task.
            Api.Reply again = clerk.post("/task-types/" + RowWritingTaskType.ID + "/tasks", "text/plain", PAYLOAD, "kill-7");
            assertThat(again.status()).isEqualTo(200);
            assertThat(again.object().getString("id")).isEqualTo(ids.get(7));
        }
    }

    @Test
    void afterAnUndeployAndDeployMidRunEveryTaskFinishesAndEveryRowIsWrittenOnce() throws Exception {
        try (ServerProcess server = server("crash-redeploy").start()) {
            Api clerk = Api.as("clerk").at(ServerProcess.BASE_URL);
            List<String> ids = submitAll(clerk, "redeploy");
            awaitSomeDone(clerk);

            server.redeploy();

            assertAllDoneExactlyOnce(clerk, ids);
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
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < tasks; i++) {
            Api.Reply accepted = clerk.post("/task-types/" + RowWritingTaskType.ID + "/tasks", "text/plain", PAYLOAD, keyPrefix + "-" + i);
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
        int tasks = ids.size();
        // Reads may fail while the database is away (503): keep asking.
        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                .until(() -> count(clerk, "SUCCEEDED") + count(clerk, "FAILED") == tasks);
        Api.Reply failed = clerk.get("/tasks?type=" + RowWritingTaskType.ID + "&status=FAILED&limit=5");
        assertThat(failed.json().asJsonArray()).as("tasks that failed: %s", failed).isEmpty();
        for (String id : ids) {
            JsonObject task = clerk.get("/tasks/" + id).object();
            assertThat(task.getString("status")).isEqualTo("SUCCEEDED");
            assertThat(task.getJsonObject("result").getInt("rows")).isEqualTo(CHUNKS * ROWS_PER_CHUNK);
        }
        JsonObject audit = audit(clerk);
        assertThat(audit.getInt("duplicates")).as(audit.toString()).isZero();
        assertThat(audit.getInt("tasks")).isEqualTo(tasks);
        assertThat(audit.getInt("rows")).isEqualTo(tasks * CHUNKS * ROWS_PER_CHUNK);
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
