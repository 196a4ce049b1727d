package dev.taskbridge.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.Map;

import jakarta.json.Json;
import jakarta.persistence.Persistence;

import dev.taskbridge.ledger.book.DemoBooks;
import dev.taskbridge.ledger.book.LedgerBook;
import dev.taskbridge.plugin.Payload;
import dev.taskbridge.plugin.Profile;
import dev.taskbridge.plugin.ResultSummary;
import dev.taskbridge.testkit.Effects;
import dev.taskbridge.testkit.PluginTestKit;
import dev.taskbridge.testkit.TaskOutcome;
import org.junit.jupiter.api.Test;

/**
 * {@code ledger.post} through the real engine with the plugin test kit, on the ledger's own
 * persistence unit over the kit's database (its schema from the unit's script, the demo books
 * from the type's preparation in the kit's {@code dev} profile): a file's documents posted once,
 * whichever chunk a crash interrupts.
 */
class LedgerPostThroughTheKitTest {

    /** The unit as the server binds it, but on the kit's database and its transactions instead of JTA. */
    private static final PluginTestKit.Builder LEDGER = ledger();

    private static PluginTestKit.Builder ledger() {
        return PluginTestKit.of(LedgerPostTaskType::new)
                .bind(LedgerBook.FACTORY, database -> Persistence.createEntityManagerFactory("ledger", Map.of(
                        "jakarta.persistence.transactionType", "RESOURCE_LOCAL",
                        "jakarta.persistence.jtaDataSource", database,
                        "jakarta.persistence.nonJtaDataSource", database)));
    }

    /** Two-line documents, balanced, dated today (this year's periods are open in the demo books). */
    private static Payload file(int documents, int chunkLines) {
        StringBuilder csv = new StringBuilder("documentNumber,postingDate,accountCode,costCenter,debit,credit,currency,description\r\n");
        LocalDate today = LocalDate.now();
        for (int d = 1; d <= documents; d++) {
            csv.append("K").append(d).append(',').append(today).append(",6100,CC1,").append(d).append(".25,0,EUR,supplies\r\n");
            csv.append("K").append(d).append(',').append(today).append(",2000,CC1,0,").append(d).append(".25,EUR,payable\r\n");
        }
        return new Payload("text/csv", csv.toString().getBytes(StandardCharsets.UTF_8))
                .withOptions(Map.of("chunkLines", String.valueOf(chunkLines)));
    }

    @Test
    void aFilesDocumentsArePostedExactlyOnceWhicheverChunkACrashInterrupts() throws Exception {
        TaskOutcome clean = LEDGER.replayCheck(LedgerPostTaskType.ID, file(150, 100), Effects.rows(
                "SELECT e.document_number, e.posting_date, l.line_no, l.account_code, l.debit, l.credit"
                        + " FROM ledger_entry e JOIN ledger_line l ON l.entry_id = e.id"
                        + " WHERE e.task_id = ? ORDER BY e.document_number, l.line_no"),
                // when the file was checked differs from run to run, by design
                result -> Json.createObjectBuilder(Json.createReader(new StringReader(result)).readObject()).remove("checkedAt").build());

        assertThat(clean.chunksTotal()).as("300 lines in chunks of 100, the first after the whole file's check").isEqualTo(3);
        assertThat(clean.result()).contains("\"status\":\"POSTED\"").contains("\"postedLineCount\":300");
    }

    /**
     * Note 030: a posted file is rolled back by reversing entries, each document once whichever
     * undo a crash interrupts, and every account's balance is back where it was.
     */
    @Test
    void aPostedFileIsRolledBackByReversingEntriesEachOnceWhicheverUndoACrashInterrupts() throws Exception {
        TaskOutcome rollback = LEDGER.rollbackCheck(LedgerPostTaskType.ID, file(150, 100), Effects.rows(
                "SELECT e.document_number, e.posting_date, l.line_no, l.account_code, l.debit, l.credit, l.description"
                        + " FROM ledger_entry e JOIN ledger_line l ON l.entry_id = e.id"
                        + " WHERE e.task_id = ? OR e.document_number LIKE '%.REV' ORDER BY e.document_number, l.line_no"));

        assertThat(rollback.chunksTotal()).isEqualTo(3);
        assertThat(rollback.result()).isEqualTo("{\"status\":\"ROLLED_BACK\",\"reversedDocuments\":150,\"reversedLines\":300,\"notReversed\":[]}");
        try (PluginTestKit kit = LEDGER.start()) {
            String posted = kit.submit(LedgerPostTaskType.ID, file(3, 100));
            kit.awaitEnd(posted);
            assertThat(kit.awaitEnd(kit.rollBack(posted)).succeeded()).isTrue();
            assertThat(balances(kit)).as("every account's debits equal its credits again").allSatisfy(
                    (account, balance) -> assertThat(balance).as(account).isEqualByComparingTo("0"));
            assertThat(count(kit, "ledger_entry")).as("nothing deleted: three documents, three reversals").isEqualTo(6);
        }
    }

    /**
     * A reversal is not forced: one in the books already is reported; while today's period is
     * closed the rollback fails, reverses nothing, and runs once the period is open again.
     */
    @Test
    void aDocumentReversedAlreadyIsReportedAndAClosedPeriodHoldsTheRollbackUntilItOpens() throws Exception {
        try (PluginTestKit kit = LEDGER.start()) {
            String posted = kit.submit(LedgerPostTaskType.ID, file(2, 100));
            kit.awaitEnd(posted);
            // K1's reversal is in the books already, as an earlier rollback or a DBA's repair would leave it
            try (Connection connection = kit.dataSource().getConnection(); Statement insert = connection.createStatement()) {
                insert.executeUpdate("INSERT INTO ledger_entry (id, document_number, posting_date, currency, task_id, posted_at)"
                        + " VALUES (999999, 'K1.REV', CURRENT_DATE, 'EUR', 'by hand', CURRENT_TIMESTAMP)");
            }

            TaskOutcome rollback = kit.awaitEnd(kit.rollBack(posted));
            assertThat(rollback.result()).contains("\"status\":\"PARTLY_ROLLED_BACK\"", "\"reversedDocuments\":1",
                    "{\"document\":\"K1\",\"reason\":\"is reversed already (K1.REV is in the books)\"}");
        }
        try (PluginTestKit kit = LEDGER.start()) {
            String posted = kit.submit(LedgerPostTaskType.ID, file(2, 100));
            kit.awaitEnd(posted);
            setTodaysPeriodOpen(kit, false);
            String rollback = kit.rollBack(posted);
            TaskOutcome held = kit.awaitEnd(rollback);
            assertThat(held.state()).isEqualTo("FAILED");
            assertThat(held.errorStack()).contains("is closed: nothing was reversed; retry the rollback once the period is open");
            assertThat(count(kit, "ledger_entry")).as("nothing written").isEqualTo(2);

            setTodaysPeriodOpen(kit, true);
            kit.retry(rollback);
            TaskOutcome done = kit.awaitEnd(rollback);
            assertThat(done.result()).contains("\"status\":\"ROLLED_BACK\"", "\"reversedDocuments\":2");
        }
    }

    private static void setTodaysPeriodOpen(PluginTestKit kit, boolean open) throws Exception {
        try (Connection connection = kit.dataSource().getConnection(); Statement update = connection.createStatement()) {
            update.executeUpdate("UPDATE ledger_period SET is_open = " + open + " WHERE id = '" + java.time.YearMonth.now() + "'");
        }
    }

    private static Map<String, java.math.BigDecimal> balances(PluginTestKit kit) throws Exception {
        Map<String, java.math.BigDecimal> balances = new java.util.TreeMap<>();
        try (Connection connection = kit.dataSource().getConnection(); Statement query = connection.createStatement();
             ResultSet rows = query.executeQuery("SELECT account_code, SUM(debit) - SUM(credit) FROM ledger_line GROUP BY account_code")) {
            while (rows.next()) {
                balances.put(rows.getString(1), rows.getBigDecimal(2));
            }
        }
        return balances;
    }

    /** A real office's books are its own: outside {@code dev} the ledger makes no accounts and no periods. */
    @Test
    void theDemoBooksAreMadeInTheDevProfileOnly() throws Exception {
        try (PluginTestKit kit = ledger().profile(Profile.PROD).start()) {
            TaskOutcome check = kit.awaitEnd(kit.submit(LedgerPostTaskType.ID, withOption(file(1, 1000), "checkOnly", "true")));
            assertThat(new LedgerPostTaskType().summary(check.result()).orElseThrow().problem())
                    .as("no such accounts, no open period").isTrue();
            assertThat(count(kit, "ledger_account")).isZero();
            assertThat(count(kit, "ledger_period")).isZero();
        }
        try (PluginTestKit kit = LEDGER.start()) {
            kit.awaitEnd(kit.submit(LedgerPostTaskType.ID, withOption(file(1, 1000), "checkOnly", "true")));
            DemoBooks.make(kit.dataSource()); // as the next deployment on the same database does
            assertThat(count(kit, "ledger_account")).as("the demo chart, once however often it is made").isEqualTo(27);
            assertThat(count(kit, "ledger_period")).as("last year's and this year's months").isEqualTo(24);
        }
    }

    private static int count(PluginTestKit kit, String table) throws Exception {
        try (Connection connection = kit.dataSource().getConnection();
             Statement query = connection.createStatement();
             ResultSet rows = query.executeQuery("SELECT COUNT(*) FROM " + table)) {
            rows.next();
            return rows.getInt(1);
        }
    }

    @Test
    void aCheckThenAPostingReadAsAClerkWouldSayThem() throws Exception {
        LedgerPostTaskType type = new LedgerPostTaskType();
        try (PluginTestKit kit = LEDGER.start()) {
            TaskOutcome check = kit.awaitEnd(kit.submit(LedgerPostTaskType.ID, withOption(file(3, 1000), "checkOnly", "true")));
            ResultSummary checked = type.summary(check.result()).orElseThrow();
            assertThat(checked.headline()).isEqualTo("The file is valid: 6 lines.");
            assertThat(checked.confirmable()).isTrue();
            assertThat(checked.problem()).isFalse();
            assertThat(checked.figures()).contains(new ResultSummary.Figure("Debit (EUR)", "6.75"),
                    new ResultSummary.Figure("Credit (EUR)", "6.75"));
            assertThat(type.exports().get(0).offeredFor(check.result())).as("no errors, no errors.csv").isFalse();

            TaskOutcome posting = kit.awaitEnd(kit.submit(LedgerPostTaskType.ID, file(3, 1000)));
            assertThat(type.summary(posting.result()).orElseThrow().headline())
                    .isEqualTo("3 documents, 6 lines posted; debit and credit EUR 6.75 each.");
        }
    }

    @Test
    void aFileWithErrorsCanBeConfirmedOnlyWhenItsValidDocumentsMayBePosted() throws Exception {
        LedgerPostTaskType type = new LedgerPostTaskType();
        String bad = "documentNumber,postingDate,accountCode,costCenter,debit,credit,currency,description\r\n"
                + "B1," + LocalDate.now() + ",6100,CC1,10.00,0,EUR,ok\r\n"
                + "B1," + LocalDate.now() + ",2000,CC1,0,10.00,EUR,ok\r\n"
                + "B2," + LocalDate.now() + ",9999,CC1,5.00,0,EUR,no such account\r\n"
                + "B2," + LocalDate.now() + ",2000,CC1,0,5.00,EUR,ok\r\n";
        Payload payload = new Payload("text/csv", bad.getBytes(StandardCharsets.UTF_8));
        try (PluginTestKit kit = LEDGER.start()) {
            TaskOutcome strict = kit.awaitEnd(kit.submit(LedgerPostTaskType.ID, withOption(payload, "checkOnly", "true")));
            ResultSummary refused = type.summary(strict.result()).orElseThrow();
            assertThat(refused.headline()).isEqualTo("The file has errors: 1 of 4 lines is wrong; 1 document does not balance.");
            assertThat(refused.problem()).isTrue();
            assertThat(refused.confirmable()).as("the whole file or nothing, and it has errors").isFalse();
            assertThat(type.exports().get(0).offeredFor(strict.result())).isTrue();

            Payload lenient = payload.withOptions(Map.of("checkOnly", "true", "onErrors", "post-valid-documents"));
            TaskOutcome partly = kit.awaitEnd(kit.submit(LedgerPostTaskType.ID, lenient));
            ResultSummary lenientCheck = type.summary(partly.result()).orElseThrow();
            assertThat(lenientCheck.confirmable()).as("B1 may be posted").isTrue();
            assertThat(lenientCheck.notes()).containsExactly("1 document is without errors and can be posted; the others are refused.");

            Payload nothingValid = new Payload("text/csv", (bad.lines().limit(1).findFirst().orElseThrow() + "\r\n"
                    + bad.lines().skip(3).reduce("", (all, line) -> all + line + "\r\n")).getBytes(StandardCharsets.UTF_8))
                    .withOptions(Map.of("checkOnly", "true", "onErrors", "post-valid-documents"));
            ResultSummary noneToPost = type.summary(kit.awaitEnd(kit.submit(LedgerPostTaskType.ID, nothingValid)).result()).orElseThrow();
            assertThat(noneToPost.confirmable()).as("only B2, which has an error: confirming would post nothing").isFalse();
            assertThat(noneToPost.notes()).containsExactly("No document is without errors: posting would post nothing.");

            TaskOutcome posted = kit.awaitEnd(kit.submit(LedgerPostTaskType.ID, payload.withOptions(Map.of("onErrors",
                    "post-valid-documents"))));
            ResultSummary some = type.summary(posted.result()).orElseThrow();
            assertThat(some.headline()).isEqualTo("1 document, 2 lines posted; 2 lines refused: 1 of 4 lines is wrong; "
                    + "1 document does not balance.");
            assertThat(some.problem()).isTrue();
            assertThat(some.figures()).as("the valid lines' amounts, said to be so: B2's valid line is not posted")
                    .contains(new ResultSummary.Figure("Debit of the valid lines (EUR)", "10.00"),
                            new ResultSummary.Figure("Credit of the valid lines (EUR)", "15.00"));
        }
    }

    @Test
    void amountsInSeveralCurrenciesAreNotAddedUp() throws Exception {
        String today = LocalDate.now().toString();
        String csv = "documentNumber,postingDate,accountCode,costCenter,debit,credit,currency,description\r\n"
                + "M1," + today + ",6100,CC1,100.00,0,EUR,x\r\nM1," + today + ",2000,CC1,0,100.00,EUR,x\r\n"
                + "M2," + today + ",6100,CC1,100.00,0,USD,x\r\nM2," + today + ",2000,CC1,0,100.00,USD,x\r\n";
        try (PluginTestKit kit = LEDGER.start()) {
            TaskOutcome posted = kit.awaitEnd(kit.submit(LedgerPostTaskType.ID, new Payload("text/csv",
                    csv.getBytes(StandardCharsets.UTF_8))));
            ResultSummary summary = new LedgerPostTaskType().summary(posted.result()).orElseThrow();

            assertThat(summary.headline()).isEqualTo("2 documents, 4 lines posted in 2 currencies; their accounts balance.");
            assertThat(summary.figures()).contains(new ResultSummary.Figure("Currencies", "EUR, USD"))
                    .noneMatch(figure -> figure.label().startsWith("Debit"));
        }
    }

    @Test
    void aResultOfAnOlderShapeGetsNoSummaryRatherThanAWrongOne() {
        assertThat(new LedgerPostTaskType().summary("{\"status\":\"POSTED\"}")).isEmpty();
        assertThat(new LedgerValidateTaskType().summary("{\"lineCount\":3}")).isEmpty();
    }

    private static Payload withOption(Payload payload, String name, String value) {
        Map<String, String> options = new java.util.HashMap<>(payload.options());
        options.put(name, value);
        return payload.withOptions(options);
    }
}
