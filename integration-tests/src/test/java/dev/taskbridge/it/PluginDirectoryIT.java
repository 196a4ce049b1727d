package dev.taskbridge.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.taskbridge.it.plugin.RowWritingTaskType;
import jakarta.json.JsonObject;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.exporter.ZipExporter;
import org.junit.jupiter.api.Test;

/**
 * Plugins added, upgraded and taken out while the server runs, through its plugin directory (note
 * 043), as an operator does it: the EAR as the build made it, without the test plugins, on a
 * server of its own whose default plugin directory ({@code taskbridge-plugins} in its base
 * directory) gets the test plugins' jar, version 1, then 2 with a migration while tasks of 1 run,
 * then 3 without one while tasks of 2 run (refused, naming them), then none while tasks run
 * (refused until they end; the type takes no new tasks meanwhile). A live event stream goes on
 * across the engine's restarts.
 */
class PluginDirectoryIT {

    private static final Path BASE = CrashIT.TARGET.resolve("plugin-directory");
    private static final Path PLUGINS = BASE.resolve("taskbridge-plugins");
    /** The jar's name stays: each version is moved over the last, as an operator replaces a file. */
    private static final Path JAR = PLUGINS.resolve("it-plugins.jar");
    private static final String SLOW = "chunks=4,rows=" + CrashIT.ROWS_PER_CHUNK + ",sleepMillis=600";

    @Test
    void aPluginIsLoadedUpgradedWithItsTasksRunningRefusedWithoutAMigrationAndTakenOutOnlyOnceItsTasksEnd() throws Exception {
        Path ear = CrashIT.TARGET.resolve("taskbridge-plain.ear");
        Deployments.ear().as(ZipExporter.class).exportTo(new File(ear.toString()), true);
        try (ServerProcess server = ServerProcess.prepare(BASE, ear, List.of("-Dtaskbridge.db.dir=" + BASE.resolve("db"),
                // two slots: the tasks of a version take long enough for the next version to come while they run
                "-Dtaskbridge.plugins.look-every-ms=300", "-Dtaskbridge.slots." + RowWritingTaskType.ID + "=2")).start()) {
            Api clerk = Api.as("clerk").at(ServerProcess.BASE_URL);
            Api admin = Api.as("admin").at(ServerProcess.BASE_URL);
            assertThat(plugin(admin)).as("no plugin directory jar yet").isEmpty();
            assertThat(clerk.post("/task-types/" + RowWritingTaskType.ID + "/tasks", "text/plain", SLOW, "none").status())
                    .isEqualTo(404);

            put(1, false);
            awaitVersion(admin, 1);
            JsonObject loaded = plugin(admin).orElseThrow();
            assertThat(loaded.getString("jar")).isEqualTo("it-plugins.jar");
            assertThat(loaded.getString("checksum")).matches("[0-9a-f]{64}");
            List<String> ids = new ArrayList<>(CrashIT.submit(clerk, "v1", 12, SLOW));
            CrashIT.awaitSomeDone(clerk, 12);

            // version 2 takes only payloads of its shape, which its migration gives version 1's:
            // the tasks of version 1 that had not ended finish under 2 only if they were migrated
            // and a live event stream opened before the engine restarts with it hears the rest of the task's life
            String last = ids.get(ids.size() - 1);
            CompletableFuture<List<String>> events = CompletableFuture.supplyAsync(() -> {
                try {
                    return clerk.stream("/tasks/" + last + "/events");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            put(2, true);
            awaitVersion(admin, 2);
            assertThat(CrashIT.count(clerk, "SUCCEEDED")).as("tasks of version 1 left to version 2").isLessThan(12);
            assertThat(clerk.get("/tasks/" + last).object().getString("status")).as("the streamed task, at the restart")
                    .isNotEqualTo("SUCCEEDED");
            assertAllDoneExactlyOnce(clerk, ids);
            assertThat(events.get(1, TimeUnit.MINUTES)).as("the stream across the restart").anyMatch(line -> line.contains("SUCCEEDED"));

            // version 3 cannot run version 2's tasks: refused while they run, naming them; loaded once they ended
            List<String> ofVersion2 = submitOfShape2(clerk, "v2", 12);
            ids.addAll(ofVersion2);
            put(3, false);
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> problems().stream().anyMatch(problem ->
                    problem.startsWith("it-plugins.jar is not loaded") && problem.contains("of it.rows version 2")));
            String refused = problems().stream().filter(problem -> problem.startsWith("it-plugins.jar is not loaded"))
                    .findFirst().orElseThrow();
            assertThat(refused).contains("no migration from version 2");
            assertThat(ofVersion2).anyMatch(refused::contains);
            assertThat(plugin(admin).orElseThrow().getInt("typeVersion")).as("version 2 stays").isEqualTo(2);
            awaitVersion(admin, 3);
            assertAllDoneExactlyOnce(clerk, ids);

            // taken out while its tasks run: it stays until they ended, then it is unloaded
            List<String> ofVersion3 = submitOfShape2(clerk, "v3", 6);
            ids.addAll(ofVersion3);
            Files.delete(JAR);
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> problems().stream().anyMatch(problem ->
                    problem.startsWith("it-plugins.jar was taken out of the plugin directory but stays loaded")
                            && problem.contains("of it.rows version 3")));
            assertThat(plugin(admin)).as("loaded while its tasks are unfinished").isPresent();
            // and closed to new tasks, which would keep it for good
            Api.Reply closed = clerk.post("/task-types/" + RowWritingTaskType.ID + "/tasks?shape=2", "text/plain", SLOW, "closed");
            assertThat(closed.status()).as(closed.toString()).isEqualTo(409);
            assertThat(closed.object().getString("message")).isEqualTo("task type " + RowWritingTaskType.ID + " takes no new tasks: "
                    + "its plugin jar it-plugins.jar was taken out of the plugin directory and runs only the tasks it has");
            assertThat(clerk.get("/task-types").json().asJsonArray().getValuesAs(JsonObject.class))
                    .filteredOn(type -> type.getString("id").equals(RowWritingTaskType.ID)).singleElement()
                    .satisfies(type -> assertThat(type.getString("closed")).as("listed as closed").contains("it-plugins.jar was taken out"));
            await().atMost(Duration.ofMinutes(2)).ignoreExceptions().until(() -> CrashIT.count(clerk, "SUCCEEDED") == ids.size());
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> plugin(admin).isEmpty());
            assertThat(problems()).as("nothing left to say").noneMatch(problem -> problem.contains("it-plugins.jar"));
            assertThat(clerk.post("/task-types/" + RowWritingTaskType.ID + "/tasks", "text/plain", SLOW, "gone").status())
                    .isEqualTo(404);
            assertThat(Health.check(ServerProcess.MANAGEMENT_URL, "ready", "taskbridge-engine").getString("status")).isEqualTo("UP");
        }
    }

    /**
     * {@link CrashIT#assertAllDoneExactlyOnce}, its audit asked again while the engine restarts: the
     * last task's end lets a refused version load, and the audit's type is in the same jar.
     */
    private static void assertAllDoneExactlyOnce(Api clerk, List<String> ids) {
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                .untilAsserted(() -> CrashIT.assertAllDoneExactlyOnce(clerk, ids, 4));
    }

    /** Tasks as version 2 and later take them: of their shape, an option. */
    private static List<String> submitOfShape2(Api clerk, String keyPrefix, int tasks) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < tasks; i++) {
            Api.Reply accepted = clerk.post("/task-types/" + RowWritingTaskType.ID + "/tasks?shape=2", "text/plain", SLOW,
                    keyPrefix + "-" + i);
            assertThat(accepted.status()).as(accepted.toString()).isEqualTo(202);
            ids.add(accepted.object().getString("id"));
        }
        return ids;
    }

    /** Writes the test plugins' jar of {@code version} beside the directory and moves it in, as README tells operators to. */
    private static void put(int version, boolean migrates) throws Exception {
        Files.createDirectories(PLUGINS);
        Path written = BASE.resolve("it-plugins-" + version + ".jar");
        Deployments.testPlugins().addAsResource(new StringAsset("version=" + version + "\nmigrates=" + migrates + "\n"),
                RowWritingTaskType.VERSION_RESOURCE).as(ZipExporter.class).exportTo(new File(written.toString()), true);
        Files.move(written, JAR, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void awaitVersion(Api admin, int version) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                .until(() -> plugin(admin).map(plugin -> plugin.getInt("typeVersion")).orElse(0) == version);
    }

    /** {@code it.rows} as {@code GET /api/admin/engine} lists the plugins that run. */
    private static Optional<JsonObject> plugin(Api admin) {
        Api.Reply facts = admin.get("/admin/engine");
        assertThat(facts.status()).as(facts.toString()).isEqualTo(200);
        return facts.object().getJsonObject("build").getJsonArray("plugins").getValuesAs(JsonObject.class).stream()
                .filter(plugin -> plugin.getString("taskType").equals(RowWritingTaskType.ID)).findFirst();
    }

    /** The plugin problems readiness lists. */
    private static List<String> problems() {
        JsonObject data = Health.check(ServerProcess.MANAGEMENT_URL, "ready", "taskbridge-engine").getJsonObject("data");
        List<String> problems = new ArrayList<>();
        for (int i = 1; data.containsKey("pluginProblem." + i); i++) {
            problems.add(data.getString("pluginProblem." + i));
        }
        return problems;
    }
}
