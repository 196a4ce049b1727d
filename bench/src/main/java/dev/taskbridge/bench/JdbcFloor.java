package dev.taskbridge.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import dev.taskbridge.engine.TaskIds;

/**
 * The floor: the fewest durable writes a task needs, in plain JDBC, batched as the engine may
 * batch them. A task must be stored before its submitter is answered (one insert), and its end
 * must be stored with its last chunk (one update, in the chunk's own transaction: chunks of
 * different tasks cannot share a transaction without sharing their rollbacks). So submitters'
 * inserts go in batches of up to {@value #INSERT_BATCH} rows per transaction, as the engine's group
 * commit makes them under load, and workers, one per slot, end the stored tasks one update and
 * one commit each, at the same time as the inserts go on. Nothing else: no actors, no journal, no
 * reads, no markers.
 */
final class JdbcFloor implements AutoCloseable {

    static final int INSERT_BATCH = 100;

    private final DataSource dataSource;
    private final int submitters;
    private final int workers;
    private final ExecutorService pool;

    JdbcFloor(DataSource dataSource, int submitters, int workers) {
        this.dataSource = dataSource;
        this.submitters = submitters;
        this.workers = workers;
        this.pool = Executors.newFixedThreadPool(submitters + workers, runnable -> {
            Thread thread = new Thread(runnable);
            thread.setName("bench-floor-" + thread.getId());
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Stores and ends {@code tasks} tasks; returns tasks per second, from the first insert to the last end. */
    double run(int tasks) throws Exception {
        BlockingQueue<String> stored = new LinkedBlockingQueue<>();
        AtomicInteger toInsert = new AtomicInteger(tasks);
        AtomicInteger toEnd = new AtomicInteger(tasks);
        List<Callable<Void>> jobs = new ArrayList<>();
        for (int i = 0; i < submitters; i++) {
            jobs.add(() -> {
                while (true) {
                    int left = toInsert.getAndAdd(-INSERT_BATCH);
                    if (left <= 0) {
                        return null;
                    }
                    insert(Math.min(INSERT_BATCH, left), stored);
                }
            });
        }
        for (int i = 0; i < workers; i++) {
            jobs.add(() -> {
                try (Connection connection = dataSource.getConnection();
                     PreparedStatement end = connection.prepareStatement("UPDATE tb_task SET status = 'SUCCEEDED', "
                             + "chunks_done = 1, items_done = 1, ended_at = ?, result = ? WHERE id = ?")) {
                    while (toEnd.getAndDecrement() > 0) {
                        String id = stored.take();
                        end.setObject(1, OffsetDateTime.now(ZoneOffset.UTC));
                        end.setString(2, "{}");
                        end.setString(3, id);
                        if (end.executeUpdate() != 1) {
                            throw new IllegalStateException("no task " + id);
                        }
                    }
                }
                return null;
            });
        }
        long start = System.nanoTime();
        for (Future<Void> job : pool.invokeAll(jobs)) {
            job.get();
        }
        return tasks / ((System.nanoTime() - start) / 1e9);
    }

    private void insert(int count, BlockingQueue<String> stored) throws Exception {
        List<String> ids = new ArrayList<>(count);
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO tb_task (id, task_type, "
                    + "type_version, owner, media_type, payload, status, submitted_at) VALUES (?, ?, 1, 'bench', "
                    + "'application/json', ?, 'QUEUED', ?)")) {
                for (int i = 0; i < count; i++) {
                    String id = TaskIds.next();
                    insert.setString(1, id);
                    insert.setString(2, NoOpTaskType.ID);
                    insert.setBytes(3, "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
                    insert.setObject(4, OffsetDateTime.now(ZoneOffset.UTC));
                    insert.addBatch();
                    ids.add(id);
                }
                insert.executeBatch();
            }
            connection.commit();
            connection.setAutoCommit(true);
        }
        stored.addAll(ids);
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
