package dev.taskbridge.bank;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import jakarta.json.Json;
import jakarta.json.JsonObject;

import dev.taskbridge.plugin.FieldProblem;
import dev.taskbridge.plugin.FinishedTask;
import dev.taskbridge.plugin.InvalidPayloadException;
import dev.taskbridge.plugin.Payload;
import dev.taskbridge.plugin.Profile;
import dev.taskbridge.plugin.ResultSummary;
import dev.taskbridge.testkit.Effects;
import dev.taskbridge.testkit.PluginTestKit;
import dev.taskbridge.testkit.TaskOutcome;
import org.junit.jupiter.api.Test;

/** {@code bank.import} through the plugin test kit: the real engine, the kit's database, the replay check. */
class BankImportTaskTypeTest {

    private static final PluginTestKit.Builder KIT = PluginTestKit.of(BankImportTaskType::new);
    private static final String HEADER = "bookingDate,amount,currency,counterparty,reference\r\n";

    private static Payload statement(String rows, int chunkLines) {
        return new Payload("text/csv", (HEADER + rows).getBytes(StandardCharsets.UTF_8))
                .withOptions(Map.of("chunkLines", String.valueOf(chunkLines)));
    }

    /** The demo's invoice INV-10nn is for 100.00 + nn × 10.50 EUR. */
    private static String amountOf(int n) {
        return new java.math.BigDecimal("100.00").add(new java.math.BigDecimal("10.50").multiply(java.math.BigDecimal.valueOf(n))).toPlainString();
    }

    /** Twelve payments: named and right, named with another amount, one paid twice, by amount alone, unknown. */
    private static final String PAYMENTS;

    static {
        StringBuilder rows = new StringBuilder();
        for (int n = 1; n <= 8; n++) {
            rows.append("2026-12-01,").append(amountOf(n)).append(",EUR,Customer ").append(n).append(",Invoice INV-10")
                    .append(String.format("%02d", n)).append(" thank you\r\n");
        }
        rows.append("2026-12-01,5.00,EUR,Customer 9,\"INV-1009, part\"\r\n");       // amount differs
        rows.append("2026-12-02,").append(amountOf(1)).append(",EUR,Customer 1,inv-1001 again\r\n"); // paid already
        rows.append("2026-12-02,").append(amountOf(12)).append(",EUR,Someone,no number\r\n");       // by amount: INV-1012
        rows.append("2026-12-02,77.77,EUR,Someone else,who knows\r\n");                            // unmatched
        PAYMENTS = rows.toString();
    }

    @Test
    void aStatementsPaymentsAreMatchedToTheInvoicesTheyPay() throws Exception {
        try (PluginTestKit kit = KIT.start()) {
            String id = kit.submit(BankImportTaskType.ID, statement(PAYMENTS, 5));
            TaskOutcome outcome = kit.awaitEnd(id);

            assertThat(outcome.succeeded()).as(outcome.toString()).isTrue();
            assertThat(outcome.chunksTotal()).isEqualTo(3);
            JsonObject result = Json.createReader(new StringReader(outcome.result())).readObject();
            assertThat(result.getInt("payments")).isEqualTo(12);
            assertThat(result.getInt("matched")).isEqualTo(8);
            assertThat(result.getInt("matchedByAmount")).isEqualTo(1);
            assertThat(result.getInt("alreadyPaid")).isEqualTo(1);
            assertThat(result.getInt("amountDiffers")).isEqualTo(1);
            assertThat(result.getInt("unmatched")).isEqualTo(1);
            assertThat(result.getJsonObject("matchedAmount").getString("EUR")).isEqualTo("1404.00"); // 8 × 100 + 36 × 10.50, and 226.00 by amount
            ResultSummary summary = new BankImportTaskType().summary(outcome.result()).orElseThrow();
            assertThat(summary.headline()).isEqualTo("12 payments: 9 matched to their invoices (EUR 1,404.00); 3 to settle by hand.");
            assertThat(summary.problem()).isTrue();
            assertThat(summary.figures()).contains(new ResultSummary.Figure("No invoice found", "1"),
                    new ResultSummary.Figure("Matched by invoice number", "8"));
            assertThat(new BankImportTaskType.PaymentsCsv(kit::dataSource).offeredFor(outcome.result())).isTrue();

            try (Connection connection = kit.dataSource().getConnection(); Statement query = connection.createStatement();
                 ResultSet paid = query.executeQuery("SELECT number FROM bank_invoice WHERE paid_by_task IS NOT NULL ORDER BY number")) {
                List<String> numbers = new java.util.ArrayList<>();
                while (paid.next()) {
                    numbers.add(paid.getString(1));
                }
                assertThat(numbers).containsExactly("INV-1001", "INV-1002", "INV-1003", "INV-1004", "INV-1005", "INV-1006",
                        "INV-1007", "INV-1008", "INV-1012");
            }
        }
    }

    /** The demo's invoices are the demo's: outside {@code dev} a statement finds only the office's own. */
    @Test
    void outsideTheDevProfileThereAreNoDemoInvoicesToMatch() throws Exception {
        try (PluginTestKit kit = PluginTestKit.of(BankImportTaskType::new).profile(Profile.PROD).start()) {
            TaskOutcome outcome = kit.awaitEnd(kit.submit(BankImportTaskType.ID, statement(PAYMENTS, 5)));

            assertThat(outcome.succeeded()).as(outcome.toString()).isTrue();
            JsonObject result = Json.createReader(new StringReader(outcome.result())).readObject();
            assertThat(result.getInt("matched") + result.getInt("matchedByAmount")).isZero();
            try (Connection connection = kit.dataSource().getConnection();
                 Statement query = connection.createStatement();
                 ResultSet invoices = query.executeQuery("SELECT COUNT(*) FROM bank_invoice")) {
                invoices.next();
                assertThat(invoices.getInt(1)).isZero();
            }
        }
    }

    /** A camt.053 statement, as the bank delivers it, through the same matching: exactly once, whichever chunk a crash interrupts. */
    @Test
    void aCamt053StatementIsMatchedAsACsvOneIs() throws Exception {
        Payload camt = new Payload("application/xml", StatementCamtTest.resource("camt053-v02.xml"))
                .withOptions(Map.of("chunkLines", "3"));

        TaskOutcome outcome = KIT.replayCheck(BankImportTaskType.ID, camt, Effects.rows(
                "SELECT line_no, amount, counterparty, reference, invoice_number, outcome FROM bank_payment WHERE task_id = ? ORDER BY line_no"));

        JsonObject result = Json.createReader(new StringReader(outcome.result())).readObject();
        assertThat(result.getInt("payments")).isEqualTo(4);
        assertThat(result.getInt("matched")).as("INV-1003, and INV-1006 from the batch").isEqualTo(2);
        assertThat(result.getInt("amountDiffers")).as("189.00 for INV-1008 of 184.00").isEqualTo(1);
        assertThat(result.getInt("unmatched")).as("the interest").isEqualTo(1);
        assertThat(outcome.chunksTotal()).isEqualTo(2);
        assertThat(new BankImportTaskType().summary(outcome.result()).orElseThrow().notes())
                .containsExactly("2 bookings of the statement were left out: debits, reversals, entries not booked yet and zero amounts.");
    }

    @Test
    void theExportListsEveryPaymentWithItsInvoiceAndOutcome() throws Exception {
        try (PluginTestKit kit = KIT.start()) {
            String id = kit.submit(BankImportTaskType.ID, statement(PAYMENTS, 500));
            TaskOutcome outcome = kit.awaitEnd(id);
            ByteArrayOutputStream file = new ByteArrayOutputStream();
            new BankImportTaskType.PaymentsCsv(kit::dataSource).prepare(new FinishedTask<>(id, outcome.result(), null, () -> null)).writeTo(file);
            // the export reads the datasource the type was prepared with: in the kit, the kit's

            List<String> lines = file.toString(StandardCharsets.UTF_8).lines().toList();
            assertThat(lines).hasSize(13);
            assertThat(lines.get(0)).isEqualTo("\uFEFFline,bookingDate,amount,currency,counterparty,reference,invoice,outcome");
            assertThat(lines.get(1)).isEqualTo("2,2026-12-01,110.50,EUR,Customer 1,Invoice INV-1001 thank you,INV-1001,MATCHED");
            assertThat(lines.get(9)).isEqualTo("10,2026-12-01,5.00,EUR,Customer 9,\"INV-1009, part\",INV-1009,AMOUNT_DIFFERS");
            assertThat(lines.get(12)).endsWith(",,UNMATCHED");
        }
    }

    @Test
    void aStatementWithBadLinesIsRefusedWholeNamingEachField() {
        String bad = "2026-13-01,10.00,EUR,A,x\r\n2026-12-01,-5,EUR,B,y\r\n2026-12-01,1.234,EURO,C,z\r\n2026-12-01,1.00\r\n";
        assertThatThrownBy(() -> new BankImportTaskType().parse(statement(bad, 10)))
                .isInstanceOfSatisfying(InvalidPayloadException.class, refused -> assertThat(refused.problems())
                        .extracting(FieldProblem::field).containsExactly("line 2.bookingDate", "line 3.amount", "line 4.amount",
                                "line 4.currency", "line 5"));
        assertThatThrownBy(() -> new BankImportTaskType().parse(new Payload("text/csv", "amount\r\n1\r\n".getBytes(StandardCharsets.UTF_8))))
                .isInstanceOf(InvalidPayloadException.class).hasMessageContaining("bookingDate");
        assertThatThrownBy(() -> new BankImportTaskType().parse(statement(PAYMENTS, 0)))
                .isInstanceOf(InvalidPayloadException.class).hasMessageContaining("chunkLines");
    }

    /** The same statement imported again pays nothing again: every payment of it is a DUPLICATE. */
    @Test
    void aStatementImportedTwicePaysNothingTwice() throws Exception {
        try (PluginTestKit kit = KIT.start()) {
            TaskOutcome first = kit.awaitEnd(kit.submit(BankImportTaskType.ID, statement(PAYMENTS, 5)));
            TaskOutcome again = kit.awaitEnd(kit.submit(BankImportTaskType.ID, statement(PAYMENTS, 5)));

            assertThat(first.succeeded() && again.succeeded()).isTrue();
            JsonObject result = Json.createReader(new StringReader(again.result())).readObject();
            assertThat(result.getInt("duplicate")).isEqualTo(12);
            assertThat(result.getInt("matched") + result.getInt("matchedByAmount")).isZero();
            assertThat(result.getJsonObject("matchedAmount")).isEmpty();
            ResultSummary summary = new BankImportTaskType().summary(again.result()).orElseThrow();
            assertThat(summary.headline()).isEqualTo("12 payments: 0 matched to their invoices.");
            assertThat(summary.notes()).containsExactly("12 payments repeat an earlier statement's: nothing was paid twice.");
            assertThat(summary.problem()).as("nothing to settle: the statement was imported before").isFalse();
        }
    }

    /**
     * A payment that names no invoice does not take one that another payment of the statement
     * names, even when it comes first; a reference naming two invoices pays the one that fits.
     */
    @Test
    void aMatchByAmountLeavesAloneTheInvoicesTheStatementNames() throws Exception {
        String rows = "2026-12-01," + amountOf(3) + ",EUR,Someone,no number at all\r\n"
                + "2026-12-01," + amountOf(3) + ",EUR,Customer 3,pays inv-1003\r\n"
                + "2026-12-01," + amountOf(7) + ",EUR,Customer 7,\"credit INV-1003, pay INV-1007\"\r\n";
        try (PluginTestKit kit = KIT.start()) {
            String id = kit.submit(BankImportTaskType.ID, statement(rows, 1));
            TaskOutcome outcome = kit.awaitEnd(id);
            assertThat(outcome.succeeded()).as(outcome.toString()).isTrue();

            assertThat(Effects.rows("SELECT line_no, invoice_number, outcome FROM bank_payment WHERE task_id = ? ORDER BY line_no")
                    .read(kit.dataSource(), id).toString())
                    .isEqualTo("[[2, null, UNMATCHED], [3, INV-1003, MATCHED], [4, INV-1007, MATCHED]]");
        }
    }

    @Test
    void whatASpreadsheetExportsIsReadAndWhatIsNotCsvIsRefused() throws Exception {
        Payload withBom = new Payload("text/csv", ("\uFEFF" + HEADER + "\r\n2026-12-01,1.00,eur,A,x\r\n")
                .getBytes(StandardCharsets.UTF_8));
        try (PluginTestKit kit = KIT.start()) { // a statement read makes the tables, in the datasource the kit binds
            dev.taskbridge.bank.Statement read = new BankImportTaskType().parse(withBom);
            assertThat(read.lines()).singleElement().satisfies(line -> {
                assertThat(line.lineNo()).as("the blank line counts").isEqualTo(3);
                assertThat(line.currency()).isEqualTo("EUR");
            });
        }

        assertThatThrownBy(() -> new BankImportTaskType().parse(statement("2026-12-01,1.00,EUR,A,\"open quote\r\n", 10)))
                .isInstanceOf(InvalidPayloadException.class).hasMessageContaining("body");
        assertThatThrownBy(() -> new BankImportTaskType().parse(new Payload("text/csv", new byte[]{'a', (byte) 0xC3, '\n'})))
                .isInstanceOf(InvalidPayloadException.class).hasMessageContaining("UTF-8");
    }

    /** A reference the payer typed never runs as a formula in the clerk's spreadsheet. */
    @Test
    void theExportKeepsFormulasInert() throws Exception {
        try (PluginTestKit kit = KIT.start()) {
            String id = kit.submit(BankImportTaskType.ID, statement("2026-12-01,9.99,EUR,=cmd,\"=HYPERLINK(\"\"x\"\")\"\r\n", 10));
            TaskOutcome outcome = kit.awaitEnd(id);
            ByteArrayOutputStream file = new ByteArrayOutputStream();
            new BankImportTaskType.PaymentsCsv(kit::dataSource).prepare(new FinishedTask<>(id, outcome.result(), null, () -> null)).writeTo(file);

            assertThat(file.toString(StandardCharsets.UTF_8).lines().toList().get(1))
                    .isEqualTo("2,2026-12-01,9.99,EUR,'=cmd,\"'=HYPERLINK(\"\"x\"\")\",,UNMATCHED");
        }
    }

    /** Each invoice paid once and each payment recorded once, whichever chunk a crash interrupts. */
    @Test
    void aStatementIsMatchedExactlyOnceWhicheverChunkACrashInterrupts() throws Exception {
        Effects paymentsAndInvoices = (database, taskId) -> List.of(
                Effects.rows("SELECT line_no, invoice_number, outcome FROM bank_payment WHERE task_id = ? ORDER BY line_no")
                        .read(database, taskId),
                Effects.rows("SELECT number, paid_line FROM bank_invoice WHERE paid_by_task IS NOT NULL ORDER BY number")
                        .read(database, taskId));

        KIT.replayCheck(BankImportTaskType.ID, statement(PAYMENTS, 4), paymentsAndInvoices);
    }
}
