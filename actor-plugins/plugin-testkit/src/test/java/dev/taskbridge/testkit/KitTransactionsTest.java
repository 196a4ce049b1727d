package dev.taskbridge.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import dev.taskbridge.engine.ChunkTransactions;
import dev.taskbridge.engine.store.WriteBatch;
import dev.taskbridge.plugin.ChunkOutcome;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

/**
 * The kit's transactions crash only where a test planned it. A chunk whose work does not run in a
 * transaction (found committed by an earlier run, or gone from its group: the engine's chunk
 * groups) carries no run number, and was taken for the planned crash when none was planned.
 */
class KitTransactionsTest {

    private static final ChunkOutcome DONE = new ChunkOutcome(1, 0, "");

    @Test
    void aChunkThatDoesNoWorkInTheTransactionIsNoPlannedCrashWhenNoneIsPlanned() throws Exception {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        KitTransactions transactions = new KitTransactions(new ChunkScopedDataSource(h2), KitTransactions.NEVER);

        List<ChunkOutcome> outcomes = transactions.runAllOnce(List.of(new Chunk(Optional.of(DONE)), new Chunk(Optional.empty())));

        assertThat(outcomes).containsExactly(DONE, DONE);
        assertThat(transactions.hasCrashed()).isFalse();
        assertThat(transactions.runAllOnce(List.of(new Chunk(Optional.empty())))).as("and the next one commits too")
                .containsExactly(DONE);
    }

    /** A chunk found committed before ({@code recordedBefore}), or one whose work runs here. */
    private record Chunk(Optional<ChunkOutcome> recordedBefore) implements ChunkTransactions.Chunk {

        @Override
        public Optional<ChunkOutcome> recorded(Connection connection) {
            return recordedBefore;
        }

        @Override
        public ChunkOutcome work() {
            return DONE;
        }

        @Override
        public void commit(WriteBatch records, ChunkOutcome outcome) {
        }
    }
}
