package dev.taskbridge.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import dev.taskbridge.engine.TaskEngine;
import dev.taskbridge.plugin.Payload;

/**
 * Client threads that submit tasks at once, as concurrent requests to a server would: one thread
 * alone waits for each submission's commit in turn, and on PostgreSQL that alone caps the rate
 * below what the engine can run.
 */
final class Submitters implements AutoCloseable {

    private static final String OWNER = "bench";
    private static final Payload PAYLOAD = Payload.json("{}");

    private final int threads;
    private final ExecutorService pool;

    Submitters(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("at least one submitter thread is needed");
        }
        this.threads = threads;
        this.pool = Executors.newFixedThreadPool(threads, runnable -> {
            Thread thread = new Thread(runnable);
            thread.setName("bench-submitter-" + thread.getId());
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Submits {@code tasks} no-op tasks from all threads and returns when every one is stored. */
    void submit(TaskEngine engine, int tasks) throws Exception {
        AtomicInteger left = new AtomicInteger(tasks);
        List<Callable<Void>> clients = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            clients.add(() -> {
                while (left.getAndDecrement() > 0) {
                    engine.submit(NoOpTaskType.ID, OWNER, null, PAYLOAD);
                }
                return null;
            });
        }
        for (Future<Void> client : pool.invokeAll(clients)) {
            client.get();
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
