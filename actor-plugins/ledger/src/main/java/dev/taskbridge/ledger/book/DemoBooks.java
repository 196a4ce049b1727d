package dev.taskbridge.ledger.book;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;

import javax.sql.DataSource;

/**
 * The demo's books: a chart of accounts (1000 cash, 2000 accounts payable, ...) and the fiscal
 * periods of last year (closed) and this year (open), for the {@code dev} profile only: a real
 * office loads its own. The statements ({@code META-INF/ledger/demo-data.sql}, for H2 and
 * PostgreSQL) add what is missing and change nothing that is there, so running them again, at
 * every deployment, is harmless.
 */
public final class DemoBooks {

    static final String SCRIPT = "META-INF/ledger/demo-data.sql";

    private DemoBooks() {
    }

    /** Adds the demo's accounts and periods that the books do not have yet, in one transaction. */
    public static void make(DataSource dataSource) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            try (Statement statement = connection.createStatement()) {
                for (String sql : statements()) {
                    statement.execute(sql);
                }
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(autoCommit);
            }
        }
    }

    /** The script's statements: one per line, each ending with a semicolon. */
    static List<String> statements() {
        try (InputStream script = DemoBooks.class.getClassLoader().getResourceAsStream(SCRIPT)) {
            if (script == null) {
                throw new IllegalStateException(SCRIPT + " is missing from the ledger's jar");
            }
            return Arrays.stream(new String(script.readAllBytes(), StandardCharsets.UTF_8).split(";\\s*\\n"))
                    .map(String::strip)
                    .map(sql -> sql.endsWith(";") ? sql.substring(0, sql.length() - 1) : sql)
                    .filter(sql -> !sql.isEmpty())
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
