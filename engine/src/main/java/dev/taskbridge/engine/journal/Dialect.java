package dev.taskbridge.engine.journal;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;

import javax.sql.DataSource;

import slick.jdbc.H2Profile$;
import slick.jdbc.JdbcProfile;
import slick.jdbc.PostgresProfile$;

/** The databases Taskbridge supports, recognised from the DataSource itself. */
public enum Dialect {
    H2("h2.sql"),
    POSTGRESQL("postgresql.sql");

    private final String schemaScript;

    Dialect(String schemaScript) {
        this.schemaScript = schemaScript;
    }

    /** The script, beside {@code TaskStore}, that creates the missing tables. */
    public String schemaScript() {
        return schemaScript;
    }

    JdbcProfile slickProfile() {
        return this == H2 ? H2Profile$.MODULE$ : PostgresProfile$.MODULE$;
    }

    /** Asks the database what it is. */
    public static Dialect of(DataSource dataSource) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            String product = connection.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT);
            if (product.contains("postgres")) {
                return POSTGRESQL;
            }
            if (product.contains("h2")) {
                return H2;
            }
            throw new SQLException("Taskbridge supports H2 and PostgreSQL, not " + product);
        }
    }
}
