package dev.taskbridge.bench.peers;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** Counting queries on a peer's own database, for peers whose API has no cheap "how many are left". */
final class PeerDatabaseAccess {

    private final PeerSetup setup;

    PeerDatabaseAccess(PeerSetup setup) {
        this.setup = setup;
    }

    long count(String sql) throws SQLException {
        try (Connection connection = setup.dataSource().getConnection();
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
