package dev.taskbridge.bench;

import java.sql.Connection;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import dev.taskbridge.engine.TaskIds;
import dev.taskbridge.engine.store.NewTask;
import dev.taskbridge.engine.store.TaskStore;
import dev.taskbridge.engine.store.WriteBatch;
import dev.taskbridge.plugin.Payload;

/**
 * The task-store statements one no-op task costs, issued the way the engine issues them (on
 * connections of their own from the pool) but with no actors and no journal: submit (the insert,
 * in a batch with the submissions of the other threads) and the chunk's transaction (the task's
 * start and success, which is the record of its last chunk: it has no marker; the engine writes
 * a start of its own only for a task still running 200 ms after it started). Run from as many
 * threads as there are slots, it tells how much of a task's time is the store's.
 */
final class StoreOnly implements AutoCloseable {

    private static final Payload PAYLOAD = Payload.json("{}");

    private final DataSource dataSource;
    private final TaskStore store;
    private final Clock clock = Clock.systemUTC();
    private final int threads;
    private final ExecutorService pool;

    StoreOnly(DataSource dataSource, int threads) {
        this.dataSource = dataSource;
        this.store = new TaskStore(dataSource, clock);
        this.threads = threads;
        this.pool = Executors.newFixedThreadPool(threads, runnable -> {
            Thread thread = new Thread(runnable);
            thread.setName("bench-store-" + thread.getId());
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Runs {@code tasks} tasks' statements; returns tasks per second. */
    double run(int tasks) throws Exception {
        AtomicInteger left = new AtomicInteger(tasks);
        List<Callable<Void>> workers = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            workers.add(() -> {
                while (left.getAndDecrement() > 0) {
                    oneTask();
                }
                return null;
            });
        }
        long start = System.nanoTime();
        for (Future<Void> worker : pool.invokeAll(workers)) {
            worker.get();
        }
        return tasks / ((System.nanoTime() - start) / 1e9);
    }

    private void oneTask() throws Exception {
        String id = TaskIds.next();
        // submit; prepare (the payload parsed at submission is reused, a task never started has no
        // markers); no start of its own: the engine writes starts 200 ms behind, and a no-op task's
        // chunk stores its start before then
        store.insert(new NewTask(id, NoOpTaskType.ID, 1, "bench", null, PAYLOAD));
        // the chunk, the task's last: the task's success is its record (no marker), in the chunk's transaction
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            WriteBatch records = new WriteBatch(connection);
            store.markChunkCommitted(records, id, 0, 0, 1, 1, 0, clock.instant(), true, "{}", clock.instant(),
                    () -> new IllegalStateException("task " + id + " was not running"));
            records.run();
            connection.commit();
            connection.setAutoCommit(true);
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
