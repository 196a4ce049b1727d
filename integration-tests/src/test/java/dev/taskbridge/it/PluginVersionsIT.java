package dev.taskbridge.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;

import dev.taskbridge.it.plugin.RowWritingTaskType;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

/**
 * A deploy of a plugin version that cannot run the tasks an older one left unfinished (note 028),
 * as an operator meets it: the server starts, the type is not active, its tasks wait untouched,
 * a submission is answered 503 saying why, readiness names the tasks; a version that can run them
 * (here: one with a migration) finishes every one, each row once. Servers of its own on one H2 file.
 */
class PluginVersionsIT {

    private static final int TASKS = 10;
    private static final String PAYLOAD = "chunks=4,rows=" + CrashIT.ROWS_PER_CHUNK + ",sleepMillis=500";
    private static final Path DATABASE = CrashIT.TARGET.resolve("plugin-versions-db");

    @Test
    void aVersionThatCannotRunTheTasksAnOlderOneLeftIsNotActiveAndSaysWhyAndOneThatCanFinishesThem() throws Exception {
        ServerProcess.deleteRecursively(DATABASE);
        List<String> ids;
        try (ServerProcess version1 = server("plugin-version-1", 1, false).start()) {
            Api clerk = Api.as("clerk").at(ServerProcess.BASE_URL);
            ids = CrashIT.submit(clerk, "versions", TASKS, PAYLOAD);
            CrashIT.awaitSomeDone(clerk, TASKS);
            version1.kill(); // as a deploy that did not wait: tasks of version 1 left unfinished
        }

        try (ServerProcess version2 = server("plugin-version-2", 2, false).start()) {
            Api clerk = Api.as("clerk").at(ServerProcess.BASE_URL);
            Api.Reply refused = clerk.post("/task-types/" + RowWritingTaskType.ID + "/tasks", "text/plain", PAYLOAD, "versions-new");
            assertThat(refused.status()).as(refused.body()).isEqualTo(503);
            assertThat(refused.body()).contains("not active on this server").contains("no migration from version 1")
                    .doesNotContain(ids.get(0));
            JsonObject ready = Health.check(ServerProcess.MANAGEMENT_URL, "ready", "taskbridge-engine");
            String problem = ready.getJsonObject("data").getString("pluginProblem.1");
            assertThat(problem).contains(RowWritingTaskType.ID + " is not active").contains("unfinished task(s) of version 1");
            assertThat(ids).anyMatch(problem::contains);
            assertThat(TASKS - CrashIT.count(clerk, "SUCCEEDED")).as("tasks version 1 left").isPositive();
            List<String> before = states(clerk, ids);
            Thread.sleep(2000);
            assertThat(states(clerk, ids)).as("untouched while not active").isEqualTo(before);
        }

        try (ServerProcess migrating = server("plugin-version-2-migrating", 2, true).start()) {
            Api clerk = Api.as("clerk").at(ServerProcess.BASE_URL);
            CrashIT.assertAllDoneExactlyOnce(clerk, ids, 4);
        }
    }

    /** Each task's status, tries and chunks done, as the API shows them. */
    private static List<String> states(Api clerk, List<String> ids) {
        return ids.stream().map(id -> clerk.get("/tasks/" + id).object()).map(task -> task.getString("status") + " "
                + task.getInt("attempts") + " " + task.getJsonObject("progress").getInt("chunksDone")).toList();
    }

    private static ServerProcess server(String name, int version, boolean migrates) throws Exception {
        return ServerProcess.prepare(CrashIT.TARGET.resolve(name), CrashIT.earWithTestPlugins(), List.of(
                "-Dtaskbridge.db.dir=" + DATABASE, "-D" + RowWritingTaskType.VERSION_PROPERTY + "=" + version,
                "-D" + RowWritingTaskType.MIGRATES_PROPERTY + "=" + migrates));
    }
}
