package dev.taskbridge.ledger.book;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import javax.sql.DataSource;

/**
 * Changes to books made by an earlier version, done once, when they are needed: the persistence
 * unit's script makes new books and runs at every deployment, so a change it made would be made
 * again at each one (on PostgreSQL an {@code ALTER} takes the table's strongest lock each time).
 */
public final class BookSchema {

    /** A document number's room: 20 characters from a file, and a reversal's {@code .REV}. */
    static final int DOCUMENT_NUMBER_LENGTH = 24;

    private BookSchema() {
    }

    /**
     * Widens {@code ledger_entry.document_number} to {@value #DOCUMENT_NUMBER_LENGTH} characters in
     * books made when it held 20; does nothing to books that have the room (or more, as a
     * database administrator may have given them).
     */
    public static void widenDocumentNumbers(DataSource dataSource) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            DatabaseMetaData meta = connection.getMetaData();
            boolean upper = meta.storesUpperCaseIdentifiers();
            Integer size = null;
            try (ResultSet column = meta.getColumns(null, null, upper ? "LEDGER_ENTRY" : "ledger_entry",
                    upper ? "DOCUMENT_NUMBER" : "document_number")) {
                if (column.next()) {
                    size = column.getInt("COLUMN_SIZE");
                }
            }
            if (size != null && size < DOCUMENT_NUMBER_LENGTH) {
                try (Statement alter = connection.createStatement()) {
                    alter.execute("ALTER TABLE ledger_entry ALTER COLUMN document_number SET DATA TYPE VARCHAR("
                            + DOCUMENT_NUMBER_LENGTH + ")");
                }
                if (!connection.getAutoCommit()) {
                    connection.commit();
                }
            }
        }
    }
}
