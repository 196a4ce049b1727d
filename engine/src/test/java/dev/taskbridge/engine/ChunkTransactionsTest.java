package dev.taskbridge.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import dev.taskbridge.engine.journal.Dialect;
import dev.taskbridge.engine.slot.Faults;
import dev.taskbridge.engine.slot.RunOverException;
import dev.taskbridge.engine.store.ChunkMarkers;
import dev.taskbridge.engine.store.NewTask;
import dev.taskbridge.engine.store.TaskRecord;
import dev.taskbridge.engine.store.TaskState;
import dev.taskbridge.engine.store.TaskStore;
import dev.taskbridge.engine.store.WriteBatch;
import dev.taskbridge.plugin.ChunkOutcome;
import dev.taskbridge.plugin.Payload;
import dev.taskbridge.plugin.TransientTaskException;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The steps of a chunk around its record, as both hosts run them, on H2 here and on PostgreSQL
 * ({@link PostgresChunkTransactionsTest}): the records of a group's chunks go to the database as
 * one batch per statement, and what each write changed still decides the group's fate.
 */
class ChunkTransactionsTest {

    private DataSource database;
    private TaskStore store;

    DataSource freshDatabase() throws Exception {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        return h2;
    }

    void dropDatabase() throws Exception {
    }

    Dialect dialect() {
        return Dialect.H2;
    }

    @BeforeEach
    void schema() throws Exception {
        database = freshDatabase();
        store = new TaskStore(database, Clock.systemUTC());
        store.createSchema(dialect());
    }

    @AfterEach
    void drop() throws Exception {
        dropDatabase();
    }

    @Test
    void aChunkWithARecordIsNotRunAgain() throws Exception {
        MarkerChunk first = new MarkerChunk("t1", () -> { });
        assertThat(ChunkTransactions.runAll(database, List.of(first)).get(0)).isEqualTo(MarkerChunk.OUTCOME);

        MarkerChunk again = new MarkerChunk("t1", () -> { });
        assertThat(ChunkTransactions.runAll(database, List.of(again)).get(0)).isEqualTo(MarkerChunk.OUTCOME);
        assertThat(first.runs.get() + again.runs.get()).isEqualTo(1);
    }

    @Test
    void aChunkThatAnotherRunCommittedMeanwhileIsTriedAgainNotFailed() {
        // the other run (left running by a slot that restarted) commits while this one works
        MarkerChunk late = new MarkerChunk("t2", () -> record("t2"));

        assertThatThrownBy(() -> ChunkTransactions.runAll(database, List.of(late)).get(0))
                .isInstanceOf(TransientTaskException.class)
                .satisfies(failure -> assertThat(Faults.isTransient(failure)).isTrue());
    }

    @Test
    void aChunkWhoseMarkerAnotherRunHasWrittenButNotCommittedIsTriedAgainNotFailed() throws Exception {
        // H2 refuses the clash with another transaction's uncommitted key at once (90131, transient);
        // PostgreSQL waits for that transaction, and refuses the key once it commits (23505)
        try (Connection other = database.getConnection()) {
            other.setAutoCommit(false);
            WriteBatch records = new WriteBatch(other);
            ChunkMarkers.record(records, "t6", 0, MarkerChunk.OUTCOME, Instant.now());
            records.run();
            CompletableFuture<Void> commitLater = CompletableFuture.runAsync(() -> {
                try {
                    Thread.sleep(300);
                    other.commit();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });

            assertThatThrownBy(() -> new MarkerAfterWork(database).runAllOnce(List.of(new MarkerChunk("t6", () -> { }))))
                    .satisfies(failure -> assertThat(Faults.isTransient(failure)).as("transient: %s", failure).isTrue());
            commitLater.get(10, TimeUnit.SECONDS);
        }
        assertThat(markerOf("t6")).contains(MarkerChunk.OUTCOME);
    }

    @Test
    void markersAreWrittenBeforeAnyTaskRowWhateverChunkComesFirst() throws Exception {
        // The first task's chunk is its last (no marker) and its run is over; the second's marker
        // clashes. Markers first, so every group locks in one order: the clash is what is found.
        String over = queued();
        String clashing = queued();
        assertThat(store.markCancelled(over, 0, "clerk")).isTrue();
        record(clashing);

        assertThatThrownBy(() -> new MarkerAfterWork(database).runAllOnce(List.of(
                new TaskChunk(over, 0, 1), new TaskChunk(clashing, 0, 2))))
                .isInstanceOf(TransientTaskException.class)
                .hasMessageContaining("committed by another run");
    }

    @Test
    void aGroupWhoseOneChunkAnotherRunCommittedMeanwhileIsTriedAgainAndNothingOfItStays() throws Exception {
        // the clash is found in the batch of the group's markers, after the writes before it in the batch
        MarkerChunk before = new MarkerChunk("t3", () -> { });
        MarkerChunk late = new MarkerChunk("t4", () -> record("t4"));
        MarkerChunk after = new MarkerChunk("t5", () -> { });

        assertThatThrownBy(() -> new MarkerAfterWork(database).runAllOnce(List.of(before, late, after)))
                .isInstanceOf(TransientTaskException.class);
        assertThat(markerOf("t3")).isEmpty();
        assertThat(markerOf("t4")).contains(MarkerChunk.OUTCOME); // the other run's
        assertThat(markerOf("t5")).isEmpty();
    }

    @Test
    void aGroupRecordsEachTasksProgressAndTheEndOfTasksWhoseLastChunkItRan() throws Exception {
        String first = queued();
        String last = queued();
        String middle = queued();

        List<ChunkOutcome> outcomes = new MarkerAfterWork(database).runAllOnce(List.of(
                new TaskChunk(first, 0, 3), new TaskChunk(last, 1, 2), new TaskChunk(middle, 1, 3)));

        assertThat(outcomes).containsOnly(TaskChunk.OUTCOME);
        TaskRecord firstNow = store.find(first).orElseThrow();
        assertThat(firstNow.state()).isEqualTo(TaskState.RUNNING);
        assertThat(firstNow.chunksDone()).isEqualTo(1);
        assertThat(firstNow.chunksTotal()).isEqualTo(3);
        assertThat(firstNow.attempts()).isEqualTo(1);
        assertThat(firstNow.startedAt()).isNotNull();
        assertThat(firstNow.endedAt()).isNull();
        assertThat(firstNow.result()).isNull();
        TaskRecord lastNow = store.find(last).orElseThrow();
        assertThat(lastNow.state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(lastNow.chunksDone()).isEqualTo(2);
        assertThat(lastNow.endedAt()).isNotNull();
        assertThat(lastNow.result()).isEqualTo("result of " + last);
        assertThat(store.find(middle).orElseThrow().chunksDone()).isEqualTo(2);
        // a marker for every chunk but a task's last: its success is its record
        assertThat(markerOf(first)).contains(TaskChunk.OUTCOME);
        assertThat(markerOf(middle, 1)).contains(TaskChunk.OUTCOME);
        assertThat(markerOf(last, 1)).isEmpty();
    }

    @Test
    void aGroupHoldingAChunkOfATaskWhoseRunIsOverRollsBackWhole() throws Exception {
        String before = queued();
        String cancelled = queued();
        String after = queued();
        assertThat(store.markCancelled(cancelled, 0, "clerk")).isTrue();

        assertThatThrownBy(() -> new MarkerAfterWork(database).runAllOnce(List.of(
                new TaskChunk(before, 0, 1), new TaskChunk(cancelled, 0, 2), new TaskChunk(after, 0, 2))))
                .isInstanceOf(RunOverException.class)
                .hasMessageContaining(cancelled);

        assertThat(store.find(before).orElseThrow().state()).isEqualTo(TaskState.QUEUED);
        assertThat(store.find(cancelled).orElseThrow().state()).isEqualTo(TaskState.CANCELLED);
        assertThat(store.find(after).orElseThrow().state()).isEqualTo(TaskState.QUEUED);
        assertThat(store.find(after).orElseThrow().chunksDone()).isZero();
        assertThat(markerOf(cancelled)).isEmpty();
        assertThat(markerOf(after)).isEmpty();
    }

    @Test
    void aChunkOfARetriedTaskFromTheRunBeforeIsOverAndTheRetryIsUntouched() throws Exception {
        String id = queued();
        assertThat(store.markCancelled(id, 0, "clerk")).isTrue();
        assertThat(store.requeue(id, "supervisor")).hasValue(1);

        assertThatThrownBy(() -> new MarkerAfterWork(database).runAllOnce(List.of(new TaskChunk(id, 0, 1))))
                .isInstanceOf(RunOverException.class);

        TaskRecord retried = store.find(id).orElseThrow();
        assertThat(retried.state()).isEqualTo(TaskState.QUEUED);
        assertThat(retried.runGeneration()).isEqualTo(1);
        assertThat(retried.endedAt()).isNull();
    }

    private String queued() {
        String id = TaskIds.next();
        store.insert(new NewTask(id, "test.steps", 1, "clerk", null, Payload.json("{}")));
        return id;
    }

    private void record(String taskId) {
        try (Connection connection = database.getConnection()) {
            WriteBatch records = new WriteBatch(connection);
            ChunkMarkers.record(records, taskId, 0, MarkerChunk.OUTCOME, Instant.now());
            records.run();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private Optional<ChunkOutcome> markerOf(String taskId) throws SQLException {
        return markerOf(taskId, 0);
    }

    private Optional<ChunkOutcome> markerOf(String taskId, int chunk) throws SQLException {
        try (Connection connection = database.getConnection()) {
            return ChunkMarkers.find(connection, taskId, chunk);
        }
    }

    /** Chunk 0 of a task whose record is just its marker. */
    private static final class MarkerChunk implements ChunkTransactions.Chunk {

        static final ChunkOutcome OUTCOME = new ChunkOutcome(3, 0, "done");

        private final String taskId;
        private final Runnable duringWork;
        final AtomicInteger runs = new AtomicInteger();

        MarkerChunk(String taskId, Runnable duringWork) {
            this.taskId = taskId;
            this.duringWork = duringWork;
        }

        @Override
        public Optional<ChunkOutcome> recorded(Connection connection) throws SQLException {
            return ChunkMarkers.find(connection, taskId, 0);
        }

        @Override
        public ChunkOutcome work() {
            runs.incrementAndGet();
            duringWork.run();
            return OUTCOME;
        }

        @Override
        public void commit(WriteBatch records, ChunkOutcome outcome) {
            ChunkMarkers.record(records, taskId, 0, outcome, Instant.now());
        }
    }

    /** A chunk of a stored task whose record is what the engine's is: a marker unless last, and the guarded update. */
    private final class TaskChunk implements ChunkTransactions.Chunk {

        static final ChunkOutcome OUTCOME = new ChunkOutcome(2, 1, "chunk");

        private final String taskId;
        private final int chunk;
        private final int chunks;

        TaskChunk(String taskId, int chunk, int chunks) {
            this.taskId = taskId;
            this.chunk = chunk;
            this.chunks = chunks;
        }

        @Override
        public Optional<ChunkOutcome> recorded(Connection connection) {
            return Optional.empty();
        }

        @Override
        public ChunkOutcome work() {
            return OUTCOME;
        }

        @Override
        public void commit(WriteBatch records, ChunkOutcome outcome) {
            boolean last = chunk + 1 == chunks;
            if (!last) {
                ChunkMarkers.record(records, taskId, chunk, outcome, Instant.now());
            }
            store.markChunkCommitted(records, taskId, 0, chunk, chunks, outcome.itemsDone(), outcome.itemsFailed(),
                    Instant.now(), last, last ? "result of " + taskId : null, Instant.now(),
                    () -> new RunOverException("the run of task " + taskId + " is over"));
        }
    }
}
