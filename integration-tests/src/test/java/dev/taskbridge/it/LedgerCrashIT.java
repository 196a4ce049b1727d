package dev.taskbridge.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

/**
 * A {@code kill -9} in the middle of posting a 5,000-line file, on PostgreSQL: after the restart
 * the file is posted exactly once, every document and line once, read back from the database.
 * Then the safe-deploys issue's rollback check (design note 030): the posted file rolled back by a
 * supervisor, with another {@code kill -9} in the middle of the rollback: every line reversed
 * exactly once, and every account's balance back to what it was before the file.
 */
class LedgerCrashIT {

    private static final String URL = "jdbc:postgresql://127.0.0.1:5432/taskbridge_test";

    @Test
    void aKillMinus9WhilePostingA5000LineFileLeavesItPostedExactlyOnceAndAnotherWhileRollingItBackReversesEachLineOnce()
            throws Exception {
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
            Map<String, BigDecimal> before = balances();
            // chunks of 500 lines: ten of them, so that each kill finds one to come before
            Api.Reply accepted = clerk.post("/task-types/ledger.post/tasks?chunkLines=500", "text/csv", csv.toString(), prefix);
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

            Api supervisor = Api.as("supervisor").at(ServerProcess.BASE_URL);
            Api.Reply asked = supervisor.post(task.substring(task.indexOf("/tasks/")) + "/rollback", "text/plain", "");
            assertThat(asked.status()).as(asked.toString()).isEqualTo(202);
            String rollback = asked.location();
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(10))
                    .until(() -> clerk.get(rollback).object().getJsonObject("progress").getInt("chunksDone") >= 1);
            server.kill();
            assertThat(reversedLines(prefix)).as("the kill came before the last undo").isLessThan(5_000);
            server.start();

            await().atMost(Duration.ofMinutes(3)).ignoreExceptions().until(() ->
                    clerk.get(rollback).object().getString("status").equals("SUCCEEDED"));
            JsonObject rolledBack = clerk.get(rollback).object().getJsonObject("result");
            assertThat(rolledBack.getString("status")).as(rolledBack.toString()).isEqualTo("ROLLED_BACK");
            assertThat(rolledBack.getInt("reversedDocuments")).isEqualTo(2_500);
            assertThat(rolledBack.getInt("reversedLines")).isEqualTo(5_000);
            assertThat(count("SELECT COUNT(*) FROM ledger_entry WHERE document_number LIKE ?", prefix + "%.REV"))
                    .as("each document reversed once").isEqualTo(2_500);
            assertThat(reversedLines(prefix)).as("each line reversed once").isEqualTo(5_000);
            assertThat(balances()).as("the trial balance is back to what it was before the file").isEqualTo(before);
        }
    }

    private static long reversedLines(String prefix) throws Exception {
        return count("SELECT COUNT(*) FROM ledger_line l JOIN ledger_entry e ON e.id = l.entry_id "
                + "WHERE e.document_number LIKE ?", prefix + "%.REV");
    }

    /** Each account's debits less its credits, over the whole books (accounts without lines left out). */
    private static Map<String, BigDecimal> balances() throws Exception {
        Map<String, BigDecimal> balances = new TreeMap<>();
        try (Connection connection = DriverManager.getConnection(URL, "taskbridge", "taskbridge");
             PreparedStatement select = connection.prepareStatement("SELECT account_code, SUM(debit) - SUM(credit) FROM ledger_line"
                     + " GROUP BY account_code HAVING SUM(debit) - SUM(credit) <> 0");
             ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                balances.put(rows.getString(1), rows.getBigDecimal(2).stripTrailingZeros());
            }
        } catch (java.sql.SQLException e) {
            if ("42P01".equals(e.getSQLState())) {
                return balances; // no books yet: the server makes them when it deploys
            }
            throw e;
        }
        return balances;
    }

    private static long postedDocuments(String prefix) throws Exception {
        return count("SELECT COUNT(*) FROM ledger_entry WHERE document_number LIKE ?", prefix + "%");
    }

    private static long postedLines(String prefix) throws Exception {
        return count("SELECT COUNT(*) FROM ledger_line l JOIN ledger_entry e ON e.id = l.entry_id "
                + "WHERE e.document_number LIKE ?", prefix + "%");
    }

    private static long count(String sql, String pattern) throws Exception {
        try (Connection connection = DriverManager.getConnection(URL, "taskbridge", "taskbridge");
             PreparedStatement select = connection.prepareStatement(sql)) {
            select.setString(1, pattern);
            try (ResultSet row = select.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }
}
