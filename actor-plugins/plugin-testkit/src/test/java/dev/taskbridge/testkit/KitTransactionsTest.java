package dev.taskbridge.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import javax.sql.DataSource;

import dev.taskbridge.engine.ChunkTransactions;
import dev.taskbridge.engine.LocalChunkTransactions;
import dev.taskbridge.engine.store.WriteBatch;
import dev.taskbridge.plugin.ChunkOutcome;
import dev.taskbridge.plugin.TransientTaskException;
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
        KitTransactions transactions = new KitTransactions(new LocalChunkTransactions(h2), KitTransactions.NEVER);

        List<ChunkOutcome> outcomes = transactions.runAllOnce(List.of(new Chunk(Optional.of(DONE)), new Chunk(Optional.empty())));

        assertThat(outcomes).containsExactly(DONE, DONE);
        assertThat(transactions.hasCrashed()).isFalse();
        assertThat(transactions.runAllOnce(List.of(new Chunk(Optional.empty())))).as("and the next one commits too")
                .containsExactly(DONE);
    }

    @Test
    void aPlannedCrashRollsTheChunksWorkBackAndNoLaterChunkOfThatEngineCommits() throws Exception {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        LocalChunkTransactions local = new LocalChunkTransactions(h2);
        try (Connection connection = local.dataSource().getConnection(); Statement ddl = connection.createStatement()) {
            ddl.execute("CREATE TABLE effect (n INT)");
        }
        KitTransactions crashing = new KitTransactions(local, 0);

        assertThatThrownBy(() -> crashing.runAllOnce(List.of(new WritingChunk(local.dataSource()))))
                .isInstanceOf(TransientTaskException.class)
                .hasMessageContaining("crashed before the chunk's commit");
        assertThat(crashing.hasCrashed()).isTrue();
        assertThat(effects(h2)).as("the crashed chunk's work").isZero();
        assertThatThrownBy(() -> crashing.runAllOnce(List.of(new WritingChunk(local.dataSource()))))
                .isInstanceOf(TransientTaskException.class)
                .hasMessageContaining("the server crashed");
        assertThat(effects(h2)).isZero();

        KitTransactions restarted = new KitTransactions(local, KitTransactions.NEVER);
        assertThat(restarted.runAllOnce(List.of(new WritingChunk(local.dataSource())))).containsExactly(DONE);
        assertThat(effects(h2)).as("the next engine's, on the same data source").isEqualTo(1);
    }

    private static int effects(DataSource database) throws SQLException {
        try (Connection connection = database.getConnection(); Statement query = connection.createStatement();
             ResultSet rows = query.executeQuery("SELECT COUNT(*) FROM effect")) {
            rows.next();
            return rows.getInt(1);
        }
    }

    /** A chunk whose work writes a row through the kit's data source, as a plugin's does. */
    private record WritingChunk(DataSource dataSource) implements ChunkTransactions.Chunk {

        @Override
        public Optional<ChunkOutcome> recorded(Connection connection) {
            return Optional.empty();
        }

        @Override
        public ChunkOutcome work() throws SQLException {
            try (Connection connection = dataSource.getConnection(); Statement insert = connection.createStatement()) {
                insert.executeUpdate("INSERT INTO effect (n) VALUES (1)");
            }
            return DONE;
        }

        @Override
        public void commit(WriteBatch records, ChunkOutcome outcome) {
        }
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
