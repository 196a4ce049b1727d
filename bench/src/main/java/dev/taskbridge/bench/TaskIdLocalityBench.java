package dev.taskbridge.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongFunction;

import dev.taskbridge.engine.TaskIds;
import dev.taskbridge.engine.journal.Dialect;
import dev.taskbridge.engine.store.NewTask;
import dev.taskbridge.engine.store.TaskStore;
import dev.taskbridge.plugin.Payload;

/**
 * What the shape of a task's id costs its submission (design note 031): random UUIDs against
 * time-ordered ones ({@link TaskIds}), on a task table that already holds what a server keeps
 * under the default retention ({@code bench.locality.existing}, 200,000 finished tasks, their ids of
 * the same shape), then {@code bench.locality.tasks} (20,000) submissions through the engine's
 * {@link TaskStore#insert} from 16 threads, as 16 REST clients would (the store groups them into
 * shared commits). Reported per submission: bytes written (H2: this JVM's writes, as
 * {@code /proc/self/io} counts them; PostgreSQL: WAL, after a checkpoint as a server has one every
 * few minutes), this JVM's CPU, and submissions per second. After a smaller warm-up run of each, the
 * variants run A B B A.
 * Writes {@code bench/results/task-ids.md}. Run: {@code bench/run.sh -Dbench.main=dev.taskbridge.bench.TaskIdLocalityBench}.
 */
public final class TaskIdLocalityBench {

    private static final int THREADS = 16;
    private static final int FILL_BATCH = 1_000;
    private static final Payload PAYLOAD = Payload.json("{\"lines\":2}");

    private record Variant(String name, LongFunction<String> idAt) {
    }

    private record Result(String database, String variant, double bytesPerTask, double pageImagesPerTask, double cpuMicrosPerTask,
                          double tasksPerSecond) {
    }

    private TaskIdLocalityBench() {
    }

    public static void main(String[] args) throws Exception {
        Path benchDir = Path.of(System.getProperty("bench.dir", "bench"));
        int existing = Integer.getInteger("bench.locality.existing", 200_000);
        int tasks = Integer.getInteger("bench.locality.tasks", 20_000);
        List<String> databases = List.of(System.getProperty("bench.databases", "h2,postgresql").split(","));
        List<Variant> variants = List.of(
                new Variant("random (UUID.randomUUID)", millis -> UUID.randomUUID().toString()),
                new Variant("time-ordered (TaskIds)", millis -> TaskIds.next()));
        List<Result> results = new ArrayList<>();
        for (String database : databases) {
            // a smaller run of each first, not reported, so that neither variant runs on a cold JVM
            for (Variant variant : variants) {
                System.out.println("warm-up: " + measure(database, variant, existing / 10, tasks / 4, benchDir));
            }
            // A B B A: a drift over the run (the JIT, the machine) weighs on both alike
            for (Variant variant : List.of(variants.get(0), variants.get(1), variants.get(1), variants.get(0))) {
                results.add(measure(database, variant, existing, tasks, benchDir));
                System.out.println(results.get(results.size() - 1));
            }
        }
        Path file = Path.of(System.getProperty("bench.results", benchDir.resolve("results/task-ids.md").toString()));
        Files.writeString(file, report(results, existing, tasks));
        System.out.println(Files.readString(file));
    }

    private static Result measure(String database, Variant variant, int existing, int tasks, Path benchDir) throws Exception {
        boolean h2 = database.equals("h2");
        try (BenchDatabase db = h2 ? BenchDatabase.h2(benchDir.resolve("target/task-ids-h2"))
                : BenchDatabase.postgres(System.getProperty("bench.pg.url", "jdbc:postgresql://127.0.0.1:5432/taskbridge_test"),
                System.getProperty("bench.pg.user", "taskbridge"), System.getProperty("bench.pg.password", "taskbridge"))) {
            TaskStore store = new TaskStore(db.dataSource(), Clock.systemUTC());
            store.createSchema(h2 ? Dialect.H2 : Dialect.POSTGRESQL);
            fill(db, variant, existing);
            if (!h2) {
                // nothing left for autovacuum to do to the filled table while it is measured
                db.execute("VACUUM (FREEZE, ANALYZE) tb_task");
                checkpoint();
            }
            long imagesBefore = h2 ? 0 : pageImages(db);
            long bytesBefore = h2 ? writtenBytes() : walPosition(db);
            CpuMeter.Sample from = CpuMeter.sample();
            submit(store, variant, tasks);
            CpuMeter.Sample to = CpuMeter.sample();
            long bytes = (h2 ? writtenBytes() : walPosition(db)) - bytesBefore;
            long images = h2 ? -1 : pageImages(db) - imagesBefore;
            double seconds = (to.wallNanos() - from.wallNanos()) / 1e9;
            return new Result(db.label(), variant.name(), bytes / (double) tasks, images < 0 ? Double.NaN : images / (double) tasks,
                    CpuMeter.between(from, to).processCpuSeconds() * 1e6 / tasks, tasks / seconds);
        }
    }

    /** Finished tasks of the last 30 days, their ids of the variant's shape and submitted in order. */
    private static void fill(BenchDatabase db, Variant variant, int existing) throws Exception {
        long now = System.currentTimeMillis();
        long step = TimeUnit.DAYS.toMillis(30) / existing;
        try (Connection connection = db.dataSource().getConnection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO tb_task (id, task_type, type_version, owner, "
                    + "media_type, payload, status, submitted_at, started_at, ended_at, chunks_done, chunks_total, attempts, result) "
                    + "VALUES (?, 'bench.noop', 1, 'bench', 'application/json', ?, 'SUCCEEDED', ?, ?, ?, 1, 1, 1, '{}')")) {
                for (int i = 0; i < existing; i++) {
                    long at = now - TimeUnit.DAYS.toMillis(30) + i * step;
                    Timestamp time = Timestamp.from(Instant.ofEpochMilli(at));
                    insert.setString(1, variant.name().startsWith("random") ? UUID.randomUUID().toString() : TaskIds.next(at).toString());
                    insert.setBytes(2, PAYLOAD.body());
                    insert.setTimestamp(3, time);
                    insert.setTimestamp(4, time);
                    insert.setTimestamp(5, time);
                    insert.addBatch();
                    if ((i + 1) % FILL_BATCH == 0 || i == existing - 1) {
                        insert.executeBatch();
                        connection.commit();
                    }
                }
            }
        }
    }

    private static void submit(TaskStore store, Variant variant, int tasks) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            AtomicInteger left = new AtomicInteger(tasks);
            List<Callable<Void>> clients = new ArrayList<>();
            for (int i = 0; i < THREADS; i++) {
                clients.add(() -> {
                    while (left.getAndDecrement() > 0) {
                        store.insert(new NewTask(variant.idAt().apply(System.currentTimeMillis()), "bench.noop", 1, "bench",
                                null, PAYLOAD));
                    }
                    return null;
                });
            }
            for (Future<Void> client : pool.invokeAll(clients)) {
                client.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Bytes this JVM has written to storage (H2 is embedded: they are its). */
    private static long writtenBytes() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/io"))) {
            if (line.startsWith("write_bytes:")) {
                return Long.parseLong(line.substring("write_bytes:".length()).strip());
            }
        }
        throw new IllegalStateException("/proc/self/io has no write_bytes");
    }

    /** Where the server's WAL ends: exact at once (nothing else writes during a run but the bench). */
    private static long walPosition(BenchDatabase db) throws Exception {
        return db.count("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint");
    }

    /**
     * Full-page images the server has written to its WAL. {@code pg_stat_wal} is not exact at
     * once: a backend reports its counts when it goes idle, at most once a second, else within
     * 10 s (PostgreSQL 15), so this waits for the pool's idle connections to have reported.
     */
    private static long pageImages(BenchDatabase db) throws Exception {
        Thread.sleep(11_000);
        return db.count("SELECT wal_fpi FROM pg_stat_wal");
    }

    /**
     * A checkpoint, as the server has every few minutes: after one, the first change of each page
     * writes the whole page to the WAL, which is where scattered writes cost most. Needs a role
     * that may (PostgreSQL 15: superuser or pg_checkpoint); {@code bench.pg.admin} names it,
     * {@code bench.pg.admin.password} its password (none: trust, as on the machines of .ci/postgres.sh).
     */
    private static void checkpoint() throws Exception {
        org.postgresql.ds.PGSimpleDataSource admin = new org.postgresql.ds.PGSimpleDataSource();
        admin.setURL(System.getProperty("bench.pg.url", "jdbc:postgresql://127.0.0.1:5432/taskbridge_test"));
        admin.setUser(System.getProperty("bench.pg.admin", "postgres"));
        admin.setPassword(System.getProperty("bench.pg.admin.password", ""));
        try (Connection connection = admin.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("CHECKPOINT");
        }
    }

    private static String report(List<Result> results, int existing, int tasks) throws Exception {
        StringBuilder md = new StringBuilder("# What a task id's shape costs its submission\n\n");
        md.append("Written by `TaskIdLocalityBench` (`bench/run.sh -Dbench.main=dev.taskbridge.bench.TaskIdLocalityBench`); ")
                .append("every run overwrites it. Design note 031 says what it chose.\n\n")
                .append(String.format(Locale.ROOT, "A task table holding %,d finished tasks of the last 30 days (ids of the variant's "
                        + "shape), then %,d submissions through the engine's `TaskStore.insert` from %d threads (grouped into shared "
                        + "commits as the server groups them). Bytes: H2, what this JVM wrote to storage (`/proc/self/io`); PostgreSQL, "
                        + "WAL (`pg_current_wal_lsn()`; full-page images from `pg_stat_wal`) after `VACUUM (FREEZE)` and a `CHECKPOINT`. CPU: this JVM's (with H2 that includes the "
                        + "database). After a smaller run of each, not reported, the variants run in the order A B B A.%n%n",
                        existing, tasks, THREADS))
                .append("| database | task ids | bytes written per submission | full-page images per submission | JVM CPU per submission (µs) "
                        + "| submissions/s |\n")
                .append("| --- | --- | ---: | ---: | ---: | ---: |\n");
        for (Result r : results) {
            md.append(String.format(Locale.ROOT, "| %s | %s | %,.0f | %s | %,.0f | %,.0f |%n", r.database(), r.variant(), r.bytesPerTask(),
                    Double.isNaN(r.pageImagesPerTask()) ? "–" : String.format(Locale.ROOT, "%.3f", r.pageImagesPerTask()),
                    r.cpuMicrosPerTask(), r.tasksPerSecond()));
        }
        md.append("\nHow to read the bytes. H2 appends every commit's changed pages to its file: `write_bytes` counts a page of the "
                + "file once, when it turns dirty in the OS's cache, so pages that a later commit of the run writes again before "
                + "they reach the disk count once; it is a lower bound of what H2 serialized. PostgreSQL writes a page's full "
                + "image to the WAL the first time it changes after a checkpoint: with random ids every submission touches "
                + "another leaf of the id index until each has been touched once, so the saving of time-ordered ids is largest "
                + "right after a checkpoint and on big tables, and shrinks as more submissions come between two checkpoints "
                + "(every 5 minutes by default).\n");
        md.append(String.format(Locale.ROOT, "%nDate %s; %d cores; JVM %s.%n", ZonedDateTime.now(),
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.runtime.version")));
        return md.toString();
    }
}
