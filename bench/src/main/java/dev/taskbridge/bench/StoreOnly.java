package dev.taskbridge.bench;

import java.sql.Connection;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import dev.taskbridge.engine.store.ChunkMarkers;
import dev.taskbridge.engine.store.NewTask;
import dev.taskbridge.engine.store.TaskStore;
import dev.taskbridge.plugin.ChunkOutcome;
import dev.taskbridge.plugin.Payload;

/**
 * The task-store statements one no-op task costs, issued the way the engine issues them (each on a
 * connection of its own from the pool, autocommit) but with no actors and no journal: submit
 * (insert, read back), prepare (read task, read payload, mark started), the chunk (look for its
 * marker, record it, mark progress) and success. Run from as many threads as there are slots, it
 * tells how much of a task's time is the store's: the part of the gap to the journal that is not
 * the actors'.
 */
final class StoreOnly implements AutoCloseable {

    private static final Payload PAYLOAD = Payload.json("{}");
    private static final ChunkOutcome DONE = new ChunkOutcome(1, 0, "");

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
        String id = UUID.randomUUID().toString();
        // submit: the task and its history entry; prepare (the payload parsed at submission is reused)
        store.insert(new NewTask(id, NoOpTaskType.ID, 1, "bench", null, PAYLOAD));
        store.find(id).orElseThrow();
        store.markStarted(id, 0, 1);
        // the chunk: look for its marker, then marker, progress and history on one connection
        try (Connection connection = dataSource.getConnection()) {
            if (ChunkMarkers.find(connection, id, 0).isPresent()) {
                throw new IllegalStateException("marker of a new task " + id);
            }
        }
        try (Connection connection = dataSource.getConnection()) {
            ChunkMarkers.record(connection, id, 0, DONE, clock.instant());
            store.markChunkCommitted(connection, id, 0, 0, 1, 0, "1 done");
        }
        store.markSucceeded(id, 0, "{}");
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
