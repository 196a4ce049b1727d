package dev.taskbridge.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.Map;

import jakarta.json.Json;
import jakarta.persistence.Persistence;

import dev.taskbridge.ledger.book.LedgerBook;
import dev.taskbridge.plugin.Payload;
import dev.taskbridge.testkit.Effects;
import dev.taskbridge.testkit.PluginTestKit;
import dev.taskbridge.testkit.TaskOutcome;
import org.junit.jupiter.api.Test;

/**
 * {@code ledger.post} through the real engine with the plugin test kit, on the ledger's own
 * persistence unit over the kit's database (its schema and demo books from the unit's scripts):
 * a file's documents posted once, whichever chunk a crash interrupts.
 */
class LedgerPostThroughTheKitTest {

    /** The unit as the server binds it, but on the kit's database and its transactions instead of JTA. */
    private static final PluginTestKit.Builder LEDGER = PluginTestKit.of(LedgerPostTaskType::new)
            .bind(LedgerBook.FACTORY, database -> Persistence.createEntityManagerFactory("ledger", Map.of(
                    "jakarta.persistence.transactionType", "RESOURCE_LOCAL",
                    "jakarta.persistence.jtaDataSource", database,
                    "jakarta.persistence.nonJtaDataSource", database)));

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
}
