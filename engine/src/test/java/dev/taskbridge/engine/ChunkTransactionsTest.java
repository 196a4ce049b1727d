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
import java.util.concurrent.atomic.AtomicInteger;

import dev.taskbridge.engine.journal.Dialect;
import dev.taskbridge.engine.store.ChunkMarkers;
import dev.taskbridge.engine.store.TaskStore;
import dev.taskbridge.engine.slot.Faults;
import dev.taskbridge.plugin.ChunkOutcome;
import dev.taskbridge.plugin.TransientTaskException;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The steps of a chunk around its record, as both hosts run them. */
class ChunkTransactionsTest {

    private JdbcDataSource database;

    @BeforeEach
    void schema() {
        database = new JdbcDataSource();
        database.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        new TaskStore(database, Clock.systemUTC()).createSchema(Dialect.H2);
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

    private void record(String taskId) {
        try (Connection connection = database.getConnection()) {
            ChunkMarkers.record(connection, taskId, 0, MarkerChunk.OUTCOME, Instant.now());
        } catch (SQLException e) {
            throw new IllegalStateException(e);
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
        public void commit(Connection connection, ChunkOutcome outcome) throws SQLException {
            ChunkMarkers.record(connection, taskId, 0, outcome, Instant.now());
        }
    }
}
