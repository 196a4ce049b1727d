package dev.taskbridge.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import dev.taskbridge.it.plugin.RowWritingTaskType;
import jakarta.json.JsonObject;
import org.jboss.shrinkwrap.api.ArchivePath;
import org.jboss.shrinkwrap.api.exporter.ZipExporter;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;

/**
 * The operator's Friday: the server boots while its task database is away. The engine must not
 * hold the boot up (a deployment whose start throws leaves WildFly waiting for good): the server
 * comes up, says why in every answer and in readiness, and starts the engine by itself once the
 * database answers. Needs PostgreSQL on 127.0.0.1:5432 as {@code .ci/postgres.sh} leaves it; the
 * server reaches it through a port that refuses connections until the test opens it.
 *
 * <p>The EAR is the built one with the test plugins and without the ledger: the ledger's JPA
 * persistence unit reads the database while the EAR deploys (its schema scripts, Hibernate's
 * dialect), so with it the deployment fails before the engine is asked to start (design note 026).
 */
class DatabaseAwayAtBootIT {

    private static final Path BASE_DIR = Path.of(System.getProperty("taskbridge.ear")).getParent().resolve("database-away");

    @Test
    void aServerWhoseDatabaseIsAwayAtBootComesUpNotReadyAndStartsTheEngineOnceTheDatabaseAnswers() throws Exception {
        int port = TcpForwarder.freePort();
        ServerProcess server = ServerProcess.prepare(BASE_DIR, earWithoutTheLedger(), List.of(
                "-Dtaskbridge.datasource=java:jboss/datasources/TaskbridgePostgresDS",
                "-Dtaskbridge.pg.port=" + port,
                "-Dtaskbridge.pg.database=taskbridge_test"));
        try (ServerProcess running = server.launch()) {
            await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1)).until(() ->
                    Files.exists(running.serverLog()) && Files.readString(running.serverLog()).matches("(?s).*WFLYSRV002[56].*"));
            assertThat(Files.readString(running.serverLog())).as("the boot ends, with the deployment up")
                    .contains("WFLYSRV0025").contains("Taskbridge engine could not start; it tries again in");

            Api clerk = Api.as("clerk").at(ServerProcess.BASE_URL);
            Api.Reply refused = clerk.get("/task-types");
            assertThat(refused.status()).as(refused.toString()).isEqualTo(503);
            assertThat(refused.object().getString("message")).contains("the task engine could not start")
                    .contains("tries again");
            JsonObject ready = Health.check(ServerProcess.MANAGEMENT_URL, "ready", "taskbridge-engine");
            assertThat(ready.getString("status")).isEqualTo("DOWN");
            assertThat(ready.getJsonObject("data").getString("engine")).startsWith("not started: the task engine could not start");

            try (TcpForwarder database = TcpForwarder.start(port, 5432)) {
                running.awaitApplication();
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(
                        Health.check(ServerProcess.MANAGEMENT_URL, "ready", "taskbridge-engine").getString("status")).isEqualTo("UP"));
                Api.Reply submitted = clerk.post("/task-types/" + RowWritingTaskType.ID + "/tasks", "text/plain",
                        "chunks=2,rows=1,sleepMillis=0");
                assertThat(submitted.status()).as(submitted.toString()).isEqualTo(202);
                await().atMost(Duration.ofSeconds(60)).until(() ->
                        clerk.get(submitted.location()).object().getString("status").equals("SUCCEEDED"));
                assertThat(Files.readString(running.serverLog())).contains("Taskbridge engine started, at try");
                running.close(); // while the database still answers: a stop that drains, not one that fails
            }
        }
    }

    private static Path earWithoutTheLedger() {
        EnterpriseArchive ear = Deployments.earWithTestPlugins();
        List<ArchivePath> ledger = ear.getContent().keySet().stream()
                .filter(path -> path.get().startsWith("/lib/") && path.get().contains("taskbridge-ledger")).toList();
        assertThat(ledger).as("the ledger's jar in the EAR").hasSize(1);
        ledger.forEach(ear::delete);
        Path file = BASE_DIR.resolveSibling("taskbridge-without-ledger.ear");
        ear.as(ZipExporter.class).exportTo(file.toFile(), true);
        return file;
    }
}
