package dev.taskbridge.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

/**
 * The crash tests of {@link CrashIT} with the server on PostgreSQL (TaskbridgePostgresDS,
 * database {@code taskbridge_test}, emptied first), plus a database outage: PostgreSQL is
 * stopped for some seconds in the middle of a run: the API answers 503 and readiness is DOWN
 * meanwhile, and afterwards readiness is UP again and every task finishes, each row once.
 * Needs PostgreSQL on 127.0.0.1:5432 as {@code .ci/postgres.sh} leaves it, and root to stop it.
 */
class PostgresCrashIT extends CrashIT {

    private static final String DATABASE = "taskbridge_test";
    static final String URL = "jdbc:postgresql://127.0.0.1:5432/" + DATABASE;
    static final String USER = "taskbridge";
    static final String PASSWORD = "taskbridge";
    private static final long OUTAGE_MILLIS = 6_000;

    @Override
    ServerProcess server(String name) throws Exception {
        emptyDatabase();
        return ServerProcess.prepare(TARGET.resolve("pg-" + name), earWithTestPlugins(), List.of(
                "-Dtaskbridge.datasource=java:jboss/datasources/TaskbridgePostgresDS",
                "-Dtaskbridge.pg.database=" + DATABASE,
                "-Dtaskbridge.retry.min-backoff-ms=200"));
    }

    @Test
    void aDatabaseOutageMidRunIsRiddenOutAndEveryRowIsWrittenOnce() throws Exception {
        try (ServerProcess server = server("outage").start()) {
            Api clerk = Api.as("clerk").at(ServerProcess.BASE_URL);
            List<String> ids = submit(clerk, "outage", TASKS / 2);
            awaitSomeDone(clerk, TASKS / 2);

            cluster("stop");
            try {
                Thread.sleep(OUTAGE_MILLIS);
                Api.Reply duringOutage = clerk.get("/tasks?type=it.rows");
                assertThat(duringOutage.status()).as(duringOutage.toString()).isEqualTo(503);
                JsonObject ready = Health.check(ServerProcess.MANAGEMENT_URL, "ready", "taskbridge-engine");
                assertThat(ready.getString("status")).as(ready.toString()).isEqualTo("DOWN");
                assertThat(ready.getJsonObject("data").getString("database")).startsWith("the database cannot be reached");
                JsonObject live = Health.check(ServerProcess.MANAGEMENT_URL, "live", "taskbridge-actor-system");
                assertThat(live.getString("status")).as("a database outage is no reason to restart").isEqualTo("UP");
            } finally {
                cluster("start");
            }

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                    Health.check(ServerProcess.MANAGEMENT_URL, "ready", "taskbridge-engine").getString("status"))
                    .isEqualTo("UP"));
            assertAllDoneExactlyOnce(clerk, ids);
        }
    }

    /** Drops what an earlier run left in the public schema: every test starts from nothing. */
    static void emptyDatabase() throws Exception {
        try (Connection connection = DriverManager.getConnection(URL, USER, PASSWORD);
             Statement drop = connection.createStatement()) {
            drop.execute("DROP TABLE IF EXISTS it_rows, tb_chunk_marker, tb_task_event, tb_task, tb_type_pause, tb_schedule_run, "
                    + "tb_schedule, event_tag, event_journal, snapshot, bank_payment, bank_invoice CASCADE");
        }
    }

    /** Stops or starts the PostgreSQL cluster that listens on port 5432. */
    private static void cluster(String action) throws Exception {
        Process list = new ProcessBuilder("pg_lsclusters", "-h").start();
        String cluster = new String(list.getInputStream().readAllBytes()).lines()
                .map(line -> line.trim().split("\\s+"))
                .filter(columns -> columns.length > 2 && columns[2].equals("5432"))
                .map(columns -> columns[0] + " " + columns[1])
                .findFirst().orElseThrow(() -> new AssertionError("no PostgreSQL cluster on port 5432"));
        List<String> command = new java.util.ArrayList<>(List.of("pg_ctlcluster", "--skip-systemctl-redirect"));
        command.addAll(List.of(cluster.split(" ")));
        command.add(action);
        if (action.equals("stop")) {
            command.addAll(List.of("-m", "fast"));
        }
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(String.join(" ", command) + ": " + output).isZero();
    }
}
