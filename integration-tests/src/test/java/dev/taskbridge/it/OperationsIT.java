package dev.taskbridge.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

import dev.taskbridge.it.plugin.RowWritingTaskType;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What an operator sees without a debugger, read from the server's own log file: every line about
 * a task, the plugin's included, carries the task's context; a failure is logged once, with its
 * stack trace, under the reference the task keeps; a slow chunk is reported with the stack of the
 * thread that runs it, and a task without progress is flagged as stalled; the Prometheus endpoint
 * counts what happened.
 */
class OperationsIT {

    private static final String NODE = "it-node-1";
    /** A log line's start: WildFly's FILE pattern begins with the date. */
    private static final Pattern LOG_LINE = Pattern.compile("^\\d{4}-\\d{2}-\\d{2} .*");

    private static final int SLOT_CAPACITY = 6;

    private static ServerProcess server;
    private static Api clerk;

    @BeforeAll
    static void startServer() throws Exception {
        Path base = CrashIT.TARGET.resolve("operations");
        server = ServerProcess.prepare(base, CrashIT.earWithTestPlugins(), List.of(
                "-Dtaskbridge.db.dir=" + base.resolve("db"),
                "-Dtaskbridge.slow-chunk-ms=500",
                "-Dtaskbridge.stalled-after-ms=500",
                "-Dtaskbridge.node-name=" + NODE,
                // small enough to fill in a test, large enough that the other tests' few tasks never fill every slot
                "-Dtaskbridge.slot-capacity=" + SLOT_CAPACITY)).start();
        clerk = Api.as("clerk").at(ServerProcess.BASE_URL);
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aFailingTasksLinesCarryItsContextAndItsStoredReferenceLeadsToTheOneLineWithTheStackTrace() throws Exception {
        String id = submit("chunks=3,rows=1,sleepMillis=0,failAtChunk=1");

        JsonObject task = awaitFinal(id);
        assertThat(task.getString("status")).isEqualTo("FAILED");
        String reference = task.getJsonObject("error").getString("reference");
        assertThat(reference).matches("TB-[2-9A-HJ-NP-Z]{8}");

        String context = "[task=" + id + " type=" + RowWritingTaskType.ID + " slot=" + RowWritingTaskType.ID + "-";
        List<String> log = awaitLogLines(line -> line.contains(reference));
        // Every line that names the task carries its context: the engine's, the slot's and the plugin's own.
        List<String> aboutTheTask = log.stream().filter(line -> LOG_LINE.matcher(line).matches() && line.contains(id)).toList();
        assertThat(aboutTheTask).hasSizeGreaterThanOrEqualTo(3).allSatisfy(line ->
                assertThat(line).contains(context).contains(" node=" + NODE + "] "));
        assertThat(log).filteredOn(line -> line.contains("it.rows writes chunk 0") && line.contains(id))
                .as("a line the plugin logged itself, through System.Logger").hasSize(1);

        // The failure is logged once, at ERROR, with the reference; its stack trace follows.
        List<String> withReference = log.stream().filter(line -> line.contains(reference)).toList();
        assertThat(withReference).singleElement().asString().contains(" ERROR ").contains(context)
                .contains("reference " + reference + ": java.lang.IllegalStateException: chunk 1 is broken (on purpose)");
        String throwingFrame = log.get(log.indexOf(withReference.get(0)) + 1);
        assertThat(throwingFrame).contains("at ").contains("RowWritingTaskType$1.runChunk");
        assertThat(aboutTheTask).filteredOn(line -> line.contains(" ERROR ") || line.contains(" WARN "))
                .as("the failure is logged once, by the engine (the EJB container used to log it too)")
                .containsExactly(withReference.get(0));
    }

    @Test
    void aSlowChunkIsReportedInItsTasksContextWithTheStackOfItsThreadAndItsTaskIsFlaggedStalled() throws Exception {
        String id = submit("chunks=1,rows=1,sleepMillis=3000");

        // No progress for longer than stalled-after: the task says so, and so do the engine's facts.
        await().atMost(Duration.ofSeconds(20)).until(() -> clerk.get("/tasks/" + id).object().getBoolean("stalled"));
        assertThat(Api.as("admin").at(ServerProcess.BASE_URL).get("/admin/engine").object()
                .getJsonNumber("stalledTasks").longValue()).isGreaterThanOrEqualTo(1);
        JsonObject done = awaitFinal(id);
        assertThat(done.getString("status")).isEqualTo("SUCCEEDED");
        assertThat(done.getBoolean("stalled")).isFalse();
        List<String> log = awaitLogLines(line -> line.contains("has run for more than 500 ms") && line.contains(id));
        String report = log.stream().filter(line -> line.contains("has run for more than 500 ms") && line.contains(id))
                .findFirst().orElseThrow();
        assertThat(report).contains(" WARN ").contains("[task=" + id + " type=" + RowWritingTaskType.ID)
                .contains("The thread is at: dev.taskbridge.engine.SlowChunkWatch$StackOfSlowChunk: stack of taskbridge-");
        List<String> stack = log.subList(log.indexOf(report) + 1, Math.min(log.size(), log.indexOf(report) + 40));
        assertThat(stack).anySatisfy(line -> assertThat(line).contains("java.lang.Thread.sleep"));
        assertThat(stack).anySatisfy(line -> assertThat(line).contains("dev.taskbridge.it.plugin.RowWritingTaskType$1.runChunk"));
    }

    @Test
    void thePrometheusEndpointCountsTasksChunksJournalWritesAndShowsEverySlot() {
        String type = "type=\"" + RowWritingTaskType.ID + "\"";
        Prometheus before = Prometheus.scrape(ServerProcess.BASE_URL);

        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ids.add(submit("chunks=3,rows=1,sleepMillis=0"));
        }
        ids.add(submit("chunks=2,rows=1,sleepMillis=0,failAtChunk=1"));
        ids.forEach(OperationsIT::awaitFinal);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            Prometheus after = Prometheus.scrape(ServerProcess.BASE_URL);
            assertThat(delta(before, after, "taskbridge_tasks_submitted_total", type)).isEqualTo(5);
            assertThat(delta(before, after, "taskbridge_tasks_succeeded_total", type)).isEqualTo(4);
            assertThat(delta(before, after, "taskbridge_tasks_failed_total", type)).isEqualTo(1);
            assertThat(delta(before, after, "taskbridge_task_duration_seconds_count", type)).isEqualTo(4);
            assertThat(delta(before, after, "taskbridge_task_duration_seconds_sum", type)).isPositive();
            // 4 x 3 chunks, and the one before the failure
            assertThat(delta(before, after, "taskbridge_chunk_duration_seconds_count", type)).isEqualTo(13);
            // The journal holds the queue only: each task's end, and its hand-over, alone or in a batch with others
            assertThat(delta(before, after, "taskbridge_journal_write_seconds_count", type)).isBetween(6.0, 10.0);
            assertThat(delta(before, after, "taskbridge_slot_message_seconds_count", type)).isGreaterThanOrEqualTo(6);
            for (int slot = 0; slot < 10; slot++) {
                assertThat(after.value("taskbridge_slot_queue_depth", type, "slot=\"" + RowWritingTaskType.ID + "-" + slot + "\""))
                        .isZero();
            }
            assertThat(after.value("taskbridge_slot_actors_live", type)).isEqualTo(10);
            assertThat(after.has("taskbridge_tasks_stalled")).isTrue();
            assertThat(after.has("taskbridge_steps_retried_total", type)).isTrue();
        });
    }

    /**
     * The metrics as Prometheus takes them: its own checker, promtool (Debian's prometheus package,
     * which .ci/prepare.sh installs), passes them, every Taskbridge metric has help text, and the
     * timers are histograms, so percentiles can be computed.
     */
    @Test
    void theMetricsPassPromtoolAndTheirTimersAreHistograms() throws Exception {
        awaitFinal(submit("chunks=2,rows=1,sleepMillis=0"));
        java.net.http.HttpResponse<String> scrape = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(ServerProcess.BASE_URL + "/metrics"))
                        .header("Authorization", Http.basic("prometheus", "prometheus")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(scrape.statusCode()).isEqualTo(200);
        assertThat(scrape.headers().firstValue("Content-Type")).hasValueSatisfying(contentType ->
                assertThat(contentType.replace(" ", "").toLowerCase(java.util.Locale.ROOT))
                        .isEqualTo("text/plain;version=0.0.4;charset=utf-8"));

        Process promtool = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
        try (var in = promtool.getOutputStream()) {
            in.write(scrape.body().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        String verdict = new String(promtool.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(promtool.waitFor()).as("promtool check metrics: %s", verdict).isZero();

        List<String> lines = List.of(scrape.body().split("\n"));
        List<String> families = lines.stream().filter(line -> line.startsWith("# TYPE taskbridge_"))
                .map(line -> line.split(" ")[2]).toList();
        assertThat(families).contains("taskbridge_tasks_submitted_total", "taskbridge_submit_duration_seconds",
                "taskbridge_chunk_duration_seconds", "taskbridge_slot_queue_depth");
        for (String family : families) {
            assertThat(lines).as("help text of " + family).anyMatch(line -> line.startsWith("# HELP " + family + " ")
                    && line.length() > ("# HELP " + family + " ").length());
        }
        String type = "type=\"" + RowWritingTaskType.ID + "\"";
        for (String timer : List.of("submit_duration", "task_duration", "chunk_duration", "journal_write", "slot_message")) {
            assertThat(lines).as(timer + " is a histogram").anyMatch(line -> line.startsWith("# TYPE taskbridge_" + timer
                    + "_seconds histogram"));
            assertThat(lines).as(timer + " has buckets").anyMatch(line -> line.startsWith("taskbridge_" + timer
                    + "_seconds_bucket{") && line.contains(type) && line.contains("le=\"+Inf\""));
        }
    }

    /** Note 030 over HTTP: a supervisor rolls a clerk's task back, once whoever asks again; the clerk sees it. */
    @Test
    void aSupervisorRollsATaskBackByATaskOfItsOwnOnceWhoeverAsks() {
        Api supervisor = Api.as("supervisor").at(ServerProcess.BASE_URL);
        // chunks of 20 ms, not 0: chunks under 5 ms make the engine group the type's chunks into shared transactions
        // (note 015), and the slot-full test's 15 s chunks would then run one after another
        String location = clerk.post("/task-types/" + RowWritingTaskType.ID + "/tasks", "text/plain", "chunks=3,rows=2,sleepMillis=20").location();
        String id = location.substring(location.lastIndexOf('/') + 1);
        assertThat(clerk.awaitEnd(location, Duration.ofMinutes(1)).getString("status")).isEqualTo("SUCCEEDED");

        assertThat(clerk.post("/tasks/" + id + "/rollback", "text/plain", "").status()).as("supervisors only").isEqualTo(403);
        Api.Reply asked = supervisor.post("/tasks/" + id + "/rollback", "text/plain", "");
        assertThat(asked.status()).as(asked.toString()).isEqualTo(202);
        JsonObject rolledBack = clerk.awaitEnd(asked.location(), Duration.ofMinutes(1));
        assertThat(rolledBack.getString("status")).as("the owner's own, so the clerk sees it: %s", rolledBack).isEqualTo("SUCCEEDED");
        assertThat(rolledBack.getString("type")).isEqualTo(RowWritingTaskType.ID);
        assertThat(rolledBack.getString("owner")).isEqualTo("clerk");
        assertThat(rolledBack.getJsonObject("result").getInt("itemsUndone")).isEqualTo(6);

        Api.Reply again = Api.as("admin").at(ServerProcess.BASE_URL).post("/tasks/" + id + "/rollback", "text/plain", "");
        assertThat(again.status()).as(again.toString()).isEqualTo(200);
        assertThat(again.object().getString("id")).isEqualTo(rolledBack.getString("id"));
        Api.Reply ofTheRollback = supervisor.post("/tasks/" + rolledBack.getString("id") + "/rollback", "text/plain", "");
        assertThat(ofTheRollback.status()).isEqualTo(409);
        assertThat(ofTheRollback.object().getString("message")).contains("it is a rollback");
        assertThat(supervisor.post("/tasks/no-such-task/rollback", "text/plain", "").status()).isEqualTo(404);
        Api.Reply retried = supervisor.post("/tasks/" + id + "/retry", "text/plain", "");
        assertThat(retried.status()).as("a rolled-back task is not run again: %s", retried).isEqualTo(409);
    }

    @Test
    void aTypeWhoseSlotsAreAllFullAnswers503WithRetryAfterStoresNothingAndCountsItThenTakesWorkAgain() {
        String type = "type=\"" + RowWritingTaskType.ID + "\"";
        Prometheus before = Prometheus.scrape(ServerProcess.BASE_URL);
        long storedBefore = countClerksTasks();
        List<String> held = new java.util.ArrayList<>();
        Api.Reply refused = null;
        // ten slots of six: the type is busy once every slot holds six tasks that take their time
        for (int i = 0; i < 10 * SLOT_CAPACITY + 40 && refused == null; i++) {
            Api.Reply reply = clerk.post("/task-types/" + RowWritingTaskType.ID + "/tasks", "text/plain", "chunks=1,rows=1,sleepMillis=15000");
            if (reply.status() == 202) {
                held.add(reply.object().getString("id"));
            } else {
                refused = reply;
            }
        }
        try {
            assertThat(refused).as("the type filled up").isNotNull();
            assertThat(refused.status()).as(refused.toString()).isEqualTo(503);
            assertThat(refused.retryAfter()).as("Retry-After").matches("[1-9][0-9]*");
            assertThat(refused.object().getString("message")).contains(RowWritingTaskType.ID, "busy");
            assertThat(held).as("no 503 while a slot had room").hasSizeGreaterThanOrEqualTo(10 * SLOT_CAPACITY);
            assertThat(countClerksTasks()).as("nothing stored for the refused submission").isEqualTo(storedBefore + held.size());
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(delta(before,
                    Prometheus.scrape(ServerProcess.BASE_URL), "taskbridge_tasks_refused_busy_total", type)).isEqualTo(1));
        } finally {
            held.forEach(id -> clerk.post("/tasks/" + id + "/cancel", "text/plain", ""));
        }
        await().atMost(Duration.ofMinutes(1)).until(() -> held.stream()
                .allMatch(id -> clerk.get("/tasks/" + id).object().getString("status").equals("CANCELLED")));
        await().atMost(Duration.ofMinutes(1)).untilAsserted(() -> {
            Prometheus now = Prometheus.scrape(ServerProcess.BASE_URL);
            for (int slot = 0; slot < 10; slot++) {
                assertThat(now.value("taskbridge_slot_queue_depth", type, "slot=\"" + RowWritingTaskType.ID + "-" + slot + "\""))
                        .isZero();
            }
        });
        assertThat(awaitFinal(submit("chunks=1,rows=1,sleepMillis=0")).getString("status")).isEqualTo("SUCCEEDED");
    }

    /** The clerk's tasks as the dashboard counts them. */
    private static long countClerksTasks() {
        return clerk.get("/tasks?limit=500").json().asJsonArray().size();
    }

    private static double delta(Prometheus before, Prometheus after, String name, String... labels) {
        return after.value(name, labels) - before.value(name, labels);
    }

    private static String submit(String script) {
        Api.Reply accepted = clerk.post("/task-types/" + RowWritingTaskType.ID + "/tasks", "text/plain", script);
        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(202);
        return accepted.object().getString("id");
    }

    private static JsonObject awaitFinal(String id) {
        await().atMost(Duration.ofMinutes(1)).until(() ->
                List.of("SUCCEEDED", "FAILED").contains(clerk.get("/tasks/" + id).object().getString("status")));
        return clerk.get("/tasks/" + id).object();
    }

    /** The server log, once a line matches: the file handler may lag a moment behind. */
    private static List<String> awaitLogLines(java.util.function.Predicate<String> present) throws Exception {
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.readAllLines(server.serverLog()).stream().anyMatch(present));
        return Files.readAllLines(server.serverLog());
    }
}
