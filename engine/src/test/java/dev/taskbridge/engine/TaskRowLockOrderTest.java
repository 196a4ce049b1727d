package dev.taskbridge.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.taskbridge.engine.journal.Dialect;
import dev.taskbridge.engine.store.NewTask;
import dev.taskbridge.engine.store.TaskStore;
import dev.taskbridge.engine.store.WriteBatch;
import dev.taskbridge.plugin.Payload;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Writers that change several task rows in one transaction lock them in the order of the tasks'
 * ids, so no two of them can wait for each other. A chunk group records its chunks in id order
 * ({@link ChunkGroups}); the starts written behind ({@link StartMarks}) must do the same: in
 * the peers benchmark's W4 (tasks held running for seconds, so their starts are written behind
 * while groups commit) PostgreSQL found deadlocks between the two, aborted one after its
 * {@code deadlock_timeout} (a second in which the slots waited) and, when it chose the group,
 * its chunks ran their work again.
 */
class TaskRowLockOrderTest {

    private final PostgresTestDatabase database;
    private final TaskStore store;

    TaskRowLockOrderTest() throws Exception {
        database = new PostgresTestDatabase();
        store = new TaskStore(database.dataSource(), Clock.systemUTC());
        store.createSchema(Dialect.POSTGRESQL);
    }

    @AfterEach
    void drop() throws Exception {
        database.drop();
    }

    @Test
    void startsWrittenBehindLockTheirRowsInIdOrderAsAChunkGroupDoes() throws Exception {
        String first = TaskIds.next();
        String second = TaskIds.next();
        assertThat(first).isLessThan(second);
        for (String id : List.of(first, second)) {
            store.insert(new NewTask(id, "test.steps", 1, "clerk", null, Payload.json("{}")));
        }
        Instant now = Instant.now();
        try (Connection group = database.dataSource().getConnection()) {
            group.setAutoCommit(false);
            // a group records its chunks in id order: it holds the first row...
            chunkCommitted(group, first, now);

            // ...while the starts of both tasks, noted in another order, are written behind
            CompletableFuture<Void> starts = CompletableFuture.runAsync(() -> store.markStarted(List.of(
                    new TaskStore.StartMark(second, 0, 2, now), new TaskStore.StartMark(first, 0, 2, now))));
            awaitOneWaitingForALock();

            // the group goes on to the second row: free, unless the starts took it before waiting for the first
            chunkCommitted(group, second, now);
            group.commit();
            starts.get(10, TimeUnit.SECONDS);
        }
        assertThat(store.find(first).orElseThrow().chunksDone()).isEqualTo(1);
        assertThat(store.find(second).orElseThrow().chunksDone()).isEqualTo(1);
    }

    /** Chunk 0 of 2 of task {@code id} committed, in the group's transaction, its statement run now. */
    private void chunkCommitted(Connection group, String id, Instant now) throws Exception {
        WriteBatch records = new WriteBatch(group);
        store.markChunkCommitted(records, id, 0, 0, 2, 1, 0, now, false, null, now,
                () -> new IllegalStateException("task " + id + " was not running"));
        records.run();
    }

    /** Until a session of this database waits for a row lock: the starts, behind the group. */
    private void awaitOneWaitingForALock() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        try (Connection watcher = database.dataSource().getConnection();
             PreparedStatement waiting = watcher.prepareStatement("SELECT COUNT(*) FROM pg_stat_activity "
                     + "WHERE datname = current_database() AND wait_event_type = 'Lock'")) {
            while (System.nanoTime() < deadline) {
                try (ResultSet row = waiting.executeQuery()) {
                    row.next();
                    if (row.getInt(1) > 0) {
                        return;
                    }
                }
                Thread.sleep(20);
            }
        }
        throw new AssertionError("the starts never waited for the group's row lock");
    }
}
