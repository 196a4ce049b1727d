package dev.taskbridge.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.taskbridge.it.plugin.RowWritingTaskType;
import org.junit.jupiter.api.Test;

/**
 * The soak behind "submitted means it will run, once": 10,000 row-writing tasks on PostgreSQL,
 * submitted by eight clients while the server is killed with {@code kill -9} twenty times at
 * random moments and started again. Clients repeat a submission that got no answer, with the
 * same {@code Idempotency-Key}, as a real client would. At the end every task must have
 * succeeded and every row must exist exactly once: lost and duplicated rows are counted in the
 * database itself and printed.
 *
 * <p>Long (10-20 minutes), so not part of {@code mvn verify}: its name does not end in IT, and
 * {@code bench/soak-kill9.sh} runs it alone. Settings: {@code taskbridge.soak.tasks} (10000),
 * {@code taskbridge.soak.kills} (20), {@code taskbridge.soak.results} (where the report goes).
 */
class KillNineSoak {

    private static final int TASKS = Integer.getInteger("taskbridge.soak.tasks", 10_000);
    private static final int KILLS = Integer.getInteger("taskbridge.soak.kills", 20);
    private static final int CLIENTS = 8;
    private static final int CHUNKS = 2;
    private static final int ROWS_PER_CHUNK = 5;
    private static final String PAYLOAD = "chunks=" + CHUNKS + ",rows=" + ROWS_PER_CHUNK + ",sleepMillis=5";
    private static final String DATABASE = "taskbridge_test";
    private static final String URL = "jdbc:postgresql://127.0.0.1:5432/" + DATABASE;

    @Test
    void tenThousandTasksSurviveTwentyKillsWithEveryRowWrittenOnce() throws Exception {
        PostgresCrashIT.emptyDatabase();
        Instant started = Instant.now();
        Random random = new Random(Long.getLong("taskbridge.soak.seed", System.nanoTime()));
        AtomicInteger accepted = new AtomicInteger();
        AtomicInteger repeatedSubmissions = new AtomicInteger();
        List<Duration> downtimes = new ArrayList<>();
        List<Long> finishedAtKills = new ArrayList<>();
        try (ServerProcess server = ServerProcess.prepare(CrashIT.TARGET.resolve("soak-kill9"), CrashIT.earWithTestPlugins(),
                List.of("-Dtaskbridge.datasource=java:jboss/datasources/TaskbridgePostgresDS",
                        "-Dtaskbridge.pg.database=" + DATABASE,
                        "-Dtaskbridge.retry.min-backoff-ms=200")).start()) {
            Api clerk = Api.as("clerk").at(ServerProcess.BASE_URL);
            ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
            List<Future<?>> submitting = new ArrayList<>();
            for (int client = 0; client < CLIENTS; client++) {
                int first = client;
                submitting.add(clients.submit(() -> {
                    for (int i = first; i < TASKS; i += CLIENTS) {
                        submitUntilAnswered(clerk, "soak-" + i, accepted, repeatedSubmissions);
                    }
                    return null;
                }));
            }
            for (int kill = 1; kill <= KILLS; kill++) {
                Thread.sleep(2_000 + random.nextInt(6_000)); // let it work: submissions, chunks, journal writes
                server.kill();
                Instant down = Instant.now();
                finishedAtKills.add(finished());
                System.out.printf("soak: kill -9 number %d; %,d submissions answered so far%n", kill, accepted.get());
                server.start();
                downtimes.add(Duration.between(down, Instant.now()));
            }
            for (Future<?> client : submitting) {
                client.get(30, TimeUnit.MINUTES);
            }
            clients.shutdown();
            await().atMost(Duration.ofMinutes(20)).pollInterval(Duration.ofSeconds(2)).ignoreExceptions()
                    .until(() -> finished() == TASKS);

            Map<String, Long> counts = count();
            Duration took = Duration.between(started, Instant.now());
            String report = """
                    # Soak: %,d row-writing tasks through %d kill -9 on PostgreSQL

                    Written by `bench/soak-kill9.sh` (`KillNineSoak` in integration-tests); every run overwrites it.
                    %d clients submit `%s` tasks (%d rows each) with an Idempotency-Key each, repeating a
                    submission that got no answer; the server is killed with `kill -9` %d times, 2-8 s of work
                    apart, and started again at once. Counted in the database at the end.

                    | what | count |
                    | --- | ---: |
                    | tasks submitted (distinct keys) | %,d |
                    | tasks stored | %,d |
                    | tasks SUCCEEDED | %,d |
                    | tasks in any other state | %,d |
                    | submission attempts repeated (no answer: killed or not yet started) | %,d |
                    | rows expected | %,d |
                    | rows written | %,d |
                    | **rows lost** (a row a stored task must write, missing) | **%,d** |
                    | **rows duplicated** (a row written more than once) | **%,d** |

                    - kills: %d; tasks finished when they landed: %s
                    - server start after a kill: median %d s, longest %d s
                    - whole run: %d s; date %s
                    """.formatted(TASKS, KILLS, CLIENTS, PAYLOAD, CHUNKS * ROWS_PER_CHUNK, KILLS,
                    TASKS, counts.get("stored"), counts.get("succeeded"), counts.get("stored") - counts.get("succeeded"),
                    repeatedSubmissions.get(), (long) TASKS * CHUNKS * ROWS_PER_CHUNK, counts.get("rows"),
                    counts.get("lost"), counts.get("duplicated"), KILLS, finishedAtKills,
                    median(downtimes).toSeconds(), downtimes.stream().max(Duration::compareTo).orElseThrow().toSeconds(),
                    took.toSeconds(), Instant.now());
            System.out.println(report);
            String results = System.getProperty("taskbridge.soak.results");
            if (results != null) {
                Files.writeString(Path.of(results), report);
            }
            System.out.printf("soak: %,d tasks, %d kills: %,d lost, %,d duplicated rows%n",
                    TASKS, KILLS, counts.get("lost"), counts.get("duplicated"));
            assertThat(counts.get("stored")).as("one task per key").isEqualTo(TASKS);
            assertThat(counts.get("succeeded")).isEqualTo(TASKS);
            assertThat(counts.get("lost")).isZero();
            assertThat(counts.get("duplicated")).isZero();
            assertThat(counts.get("rows")).isEqualTo((long) TASKS * CHUNKS * ROWS_PER_CHUNK);
        }
    }

    /** Submits until the server answers 202 or 200; no answer (a kill) or a 503 (starting) means try again. */
    private static void submitUntilAnswered(Api clerk, String key, AtomicInteger accepted, AtomicInteger repeated)
            throws InterruptedException {
        while (true) {
            try {
                Api.Reply reply = clerk.post("/task-types/" + RowWritingTaskType.ID + "/tasks", "text/plain", PAYLOAD, key);
                if (reply.status() == 202 || reply.status() == 200) {
                    accepted.incrementAndGet();
                    return;
                }
                assertThat(reply.status()).as("only an unready server may refuse: %s", reply).isIn(404, 503);
            } catch (IllegalStateException noAnswer) {
                // the server died under the request: whether it stored it is what the key decides
            }
            repeated.incrementAndGet();
            Thread.sleep(250);
        }
    }

    private static long finished() throws Exception {
        try (Connection connection = DriverManager.getConnection(URL, "taskbridge", "taskbridge");
             Statement query = connection.createStatement();
             ResultSet row = query.executeQuery("SELECT COUNT(*) FROM tb_task WHERE task_type = 'it.rows' AND status IN ('SUCCEEDED', 'FAILED', 'CANCELLED')")) {
            row.next();
            return row.getLong(1);
        }
    }

    private static Map<String, Long> count() throws Exception {
        Map<String, Long> counts = new LinkedHashMap<>();
        try (Connection connection = DriverManager.getConnection(URL, "taskbridge", "taskbridge");
             Statement query = connection.createStatement()) {
            counts.put("stored", single(query, "SELECT COUNT(*) FROM tb_task WHERE task_type = 'it.rows'"));
            counts.put("succeeded", single(query, "SELECT COUNT(*) FROM tb_task WHERE task_type = 'it.rows' AND status = 'SUCCEEDED'"));
            counts.put("rows", single(query, "SELECT COUNT(*) FROM it_rows"));
            counts.put("duplicated", single(query, "SELECT COALESCE(SUM(n - 1), 0) FROM (SELECT COUNT(*) AS n FROM it_rows "
                    + "GROUP BY task_id, chunk, row_no HAVING COUNT(*) > 1) AS twice"));
            // every (task, chunk, row) a succeeded task must have written, less those that exist
            counts.put("lost", single(query, "SELECT COUNT(*) FROM tb_task t CROSS JOIN generate_series(0, " + (CHUNKS - 1)
                    + ") AS c(chunk) CROSS JOIN generate_series(0, " + (ROWS_PER_CHUNK - 1) + ") AS r(row_no) "
                    + "WHERE t.task_type = 'it.rows' AND NOT EXISTS (SELECT 1 FROM it_rows i WHERE i.task_id = t.id "
                    + "AND i.chunk = c.chunk AND i.row_no = r.row_no)"));
        }
        return counts;
    }

    private static long single(Statement query, String sql) throws Exception {
        try (ResultSet row = query.executeQuery(sql)) {
            row.next();
            return row.getLong(1);
        }
    }

    private static Duration median(List<Duration> durations) {
        List<Duration> sorted = durations.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }
}
