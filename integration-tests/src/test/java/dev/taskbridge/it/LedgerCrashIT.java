package dev.taskbridge.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.UUID;

import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

/**
 * A {@code kill -9} in the middle of posting a 5,000-line file, on PostgreSQL: after the restart
 * the file is posted exactly once, every document and line once, read back from the database.
 */
class LedgerCrashIT {

    private static final String URL = "jdbc:postgresql://127.0.0.1:5432/taskbridge_test";

    @Test
    void aKillMinus9WhilePostingA5000LineFileLeavesItPostedExactlyOnce() throws Exception {
        Path ear = Path.of(System.getProperty("taskbridge.ear"));
        try (ServerProcess server = ServerProcess.prepare(CrashIT.TARGET.resolve("pg-ledger-crash"), ear, List.of(
                "-Dtaskbridge.datasource=java:jboss/datasources/TaskbridgePostgresDS",
                "-Dtaskbridge.pg.database=taskbridge_test")).start()) {
            Api clerk = Api.as("clerk").at(ServerProcess.BASE_URL);
            String prefix = "K" + UUID.randomUUID().toString().substring(0, 8) + "-";
            String today = LocalDate.now().toString();
            StringBuilder csv = new StringBuilder("documentNumber,postingDate,accountCode,costCenter,debit,credit,currency,description\n");
            for (int document = 1; document <= 2_500; document++) {
                csv.append(prefix).append(document).append(',').append(today).append(",6000,CC1,40.00,0,EUR,services\n")
                        .append(prefix).append(document).append(',').append(today).append(",2000,CC1,0,40.00,EUR,payable\n");
            }
            Api.Reply accepted = clerk.post("/task-types/ledger.post/tasks", "text/csv", csv.toString(), prefix);
            assertThat(accepted.status()).as(accepted.toString()).isEqualTo(202);
            String task = accepted.location();

            // The check (chunk 0) committed and posting has begun: kill it now.
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(10))
                    .until(() -> clerk.get(task).object().getJsonObject("progress").getInt("chunksDone") >= 2);
            server.kill();
            assertThat(postedLines(prefix)).as("the kill came before the last chunk").isLessThan(5_000);
            server.start();

            await().atMost(Duration.ofMinutes(3)).ignoreExceptions().until(() ->
                    clerk.get(task).object().getString("status").equals("SUCCEEDED"));
            JsonObject result = clerk.get(task).object().getJsonObject("result");
            assertThat(result.getString("status")).isEqualTo("POSTED");
            assertThat(result.getInt("postedDocumentCount")).isEqualTo(2_500);
            assertThat(result.getInt("postedLineCount")).isEqualTo(5_000);
            assertThat(postedDocuments(prefix)).isEqualTo(2_500);
            assertThat(postedLines(prefix)).isEqualTo(5_000);
        }
    }

    private static long postedDocuments(String prefix) throws Exception {
        return count("SELECT COUNT(*) FROM ledger_entry WHERE document_number LIKE ?", prefix);
    }

    private static long postedLines(String prefix) throws Exception {
        return count("SELECT COUNT(*) FROM ledger_line l JOIN ledger_entry e ON e.id = l.entry_id "
                + "WHERE e.document_number LIKE ?", prefix);
    }

    private static long count(String sql, String prefix) throws Exception {
        try (Connection connection = DriverManager.getConnection(URL, "taskbridge", "taskbridge");
             PreparedStatement select = connection.prepareStatement(sql)) {
            select.setString(1, prefix + "%");
            try (ResultSet row = select.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }
}
