package dev.taskbridge.engine.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Writes sent as batches: each write's own count, its statement's own failure, and a fixed order. */
class WriteBatchTest {

    private Connection connection;

    @BeforeEach
    void table() throws Exception {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        connection = h2.getConnection();
        try (Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE wb (id INT PRIMARY KEY, n INT)");
            statement.execute("INSERT INTO wb VALUES (1, 0), (2, 0)");
        }
    }

    @Test
    void eachChecksTheRowsItsOwnWriteChanged() throws Exception {
        List<Integer> seen = new ArrayList<>();
        WriteBatch batch = new WriteBatch(connection);
        for (int id : new int[] {1, 7, 2}) {
            batch.add(WriteBatch.Rows.EXISTING, "UPDATE wb SET n = n + 1 WHERE id = ?", seen::add, id);
        }
        batch.run();

        assertThat(seen).containsExactly(1, 0, 1);
    }

    @Test
    void aStatementThatFailsThrowsItsOwnFailureNotTheBatchs() {
        // H2 and pgjdbc wrap a batch's failure; callers classify the statement's own (its class, its state)
        WriteBatch batch = new WriteBatch(connection);
        batch.add(WriteBatch.Rows.NEW, "INSERT INTO wb (id, n) VALUES (?, ?)", WriteBatch.Check.NONE, 3, 0);
        batch.add(WriteBatch.Rows.NEW, "INSERT INTO wb (id, n) VALUES (?, ?)", WriteBatch.Check.NONE, 1, 0);

        assertThatThrownBy(batch::run)
                .isInstanceOf(SQLIntegrityConstraintViolationException.class)
                .isNotInstanceOf(BatchUpdateException.class)
                .satisfies(failure -> assertThat(((java.sql.SQLException) failure).getSQLState()).isEqualTo("23505"))
                .satisfies(failure -> assertThat(failure.getSuppressed()).hasAtLeastOneElementOfType(BatchUpdateException.class));
    }

    @Test
    void newRowsAreWrittenBeforeExistingOnesAreChangedWhateverWasAddedFirst() throws Exception {
        List<String> order = new ArrayList<>();
        WriteBatch batch = new WriteBatch(connection);
        // the update counts the row the insert adds only if the insert ran first
        batch.add(WriteBatch.Rows.EXISTING, "UPDATE wb SET n = n + 1 WHERE id >= ?", rows -> order.add("update " + rows), 1);
        batch.add(WriteBatch.Rows.NEW, "INSERT INTO wb (id, n) VALUES (?, ?)", rows -> order.add("insert " + rows), 3, 0);
        batch.run();

        assertThat(order).containsExactly("insert 1", "update 3");
    }
}
