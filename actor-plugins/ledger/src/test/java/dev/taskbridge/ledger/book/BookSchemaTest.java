package dev.taskbridge.ledger.book;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

/** Books made by the version before reversals get the room a reversal's number needs, once. */
class BookSchemaTest {

    @Test
    void documentNumbersOfOlderBooksAreWidenedOnceAndWiderOnesAreLeftAsTheyAre() throws Exception {
        JdbcDataSource books = new JdbcDataSource();
        books.setURL("jdbc:h2:mem:book-schema-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1");
        execute(books, "CREATE TABLE ledger_entry (id BIGINT PRIMARY KEY, document_number VARCHAR(20) NOT NULL,"
                + " CONSTRAINT ledger_entry_document_key UNIQUE (document_number))");
        execute(books, "INSERT INTO ledger_entry VALUES (1, '12345678901234567890')");

        BookSchema.widenDocumentNumbers(books);
        assertThat(size(books)).isEqualTo(24);
        BookSchema.widenDocumentNumbers(books);
        assertThat(size(books)).as("a second deployment changes nothing").isEqualTo(24);
        execute(books, "INSERT INTO ledger_entry VALUES (2, '12345678901234567890.REV')");

        execute(books, "ALTER TABLE ledger_entry ALTER COLUMN document_number SET DATA TYPE VARCHAR(40)");
        BookSchema.widenDocumentNumbers(books);
        assertThat(size(books)).as("a database administrator's wider column stays").isEqualTo(40);
    }

    private static void execute(JdbcDataSource books, String sql) throws Exception {
        try (Connection connection = books.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private static int size(JdbcDataSource books) throws Exception {
        try (Connection connection = books.getConnection();
             ResultSet column = connection.getMetaData().getColumns(null, null, "LEDGER_ENTRY", "DOCUMENT_NUMBER")) {
            column.next();
            return column.getInt("COLUMN_SIZE");
        }
    }
}
