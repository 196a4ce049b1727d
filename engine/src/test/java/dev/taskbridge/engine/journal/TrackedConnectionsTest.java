package dev.taskbridge.engine.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A journal connection left inside an open transaction when the actor system stops gives its locks back. */
class TrackedConnectionsTest {

    private final JdbcConnectionPool pool = JdbcConnectionPool.create(
            "jdbc:h2:mem:tracked;DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=500", "sa", "sa");

    @AfterEach
    void dropPool() throws Exception {
        try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("DROP ALL OBJECTS");
        }
        pool.dispose();
    }

    @Test
    void aConnectionLeftInATransactionIsRolledBackAndClosedAndOnesClosedByTheJournalAreLeftAlone() throws Exception {
        try (Connection setup = pool.getConnection(); Statement statement = setup.createStatement()) {
            statement.execute("CREATE TABLE event_journal (ordering INT PRIMARY KEY)");
            statement.execute("INSERT INTO event_journal VALUES (1), (2)");
        }
        TrackedConnections journal = new TrackedConnections(pool);
        try (Connection done = journal.getConnection()) {
            done.createStatement().execute("SELECT 1");
        }
        Connection leftInTransaction = journal.getConnection();
        leftInTransaction.setAutoCommit(false);
        leftInTransaction.createStatement().execute("DELETE FROM event_journal WHERE ordering = 1");
        assertThat(pool.getActiveConnections()).isEqualTo(1);

        assertThat(journal.closeLeftovers()).as("only the one still open").isEqualTo(1);

        assertThat(leftInTransaction.isClosed()).isTrue();
        assertThat(pool.getActiveConnections()).as("given back to the pool").isZero();
        try (Connection other = pool.getConnection(); Statement statement = other.createStatement()) {
            statement.execute("DELETE FROM event_journal WHERE ordering = 1"); // would wait on the lock otherwise
            try (ResultSet rows = statement.executeQuery("SELECT COUNT(*) FROM event_journal")) {
                rows.next();
                assertThat(rows.getInt(1)).as("the left-over delete was rolled back, this one counts").isEqualTo(1);
            }
        }
        assertThat(journal.closeLeftovers()).as("nothing twice").isZero();
    }
}
