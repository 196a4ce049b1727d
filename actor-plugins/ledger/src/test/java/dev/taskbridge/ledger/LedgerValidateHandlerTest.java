package dev.taskbridge.ledger;

import static dev.taskbridge.ledger.LedgerFixtures.TestContext.aContext;
import static dev.taskbridge.ledger.LedgerFixtures.aCreditLine;
import static dev.taskbridge.ledger.LedgerFixtures.aDebitLine;
import static dev.taskbridge.ledger.LedgerFixtures.aFileOf;
import static dev.taskbridge.ledger.LedgerFixtures.aLine;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.taskbridge.ledger.LedgerFixtures.LineBuilder;
import dev.taskbridge.ledger.LedgerFixtures.TestContext;
import dev.taskbridge.plugin.ChunkOutcome;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LedgerValidateHandlerTest {

    private final LedgerValidateHandler handler = new LedgerValidateHandler();

    @ParameterizedTest
    @CsvSource({"1, 1", "499, 1", "500, 1", "501, 2", "1000, 2", "1234, 3", "5000, 10"})
    void splitsFilesIntoChunksOfFiveHundredLines(int lines, int chunks) {
        LedgerFile file = aFileOf(IntStream.range(0, lines).mapToObj(i -> aLine()).toList());

        assertThat(handler.chunkCount(file)).isEqualTo(chunks);
    }

    @Test
    void validatesAFileOfThreeChunksAndMergesTheirReports() {
        List<LineBuilder> lines = balancedPairs(617);
        // chunk 0: a bad amount on the debit side of D-0002
        lines.get(3 - 1).debit("12.345");
        // chunk 1: a date that does not exist on the credit side of D-0350
        lines.get(700 - 1).postingDate("2026-02-30");
        // chunk 2: a line of D-0001, whose currency line 1 set in chunk 0, in another currency
        lines.get(1001 - 1).documentNumber("D-0001").currency("USD");
        // chunk 2: two errors on the very last line, the credit side of D-0617
        lines.get(1234 - 1).accountCode("12").currency("eur");
        LedgerFile file = aFileOf(lines);

        List<ChunkOutcome> outcomes = runAllChunks(file);

        assertThat(outcomes).extracting(ChunkOutcome::itemsDone, ChunkOutcome::itemsFailed)
                .containsExactly(
                        tuple(499, 1),
                        tuple(499, 1),
                        tuple(232, 2));
        assertThat(json(outcomes.get(1).data()).getJsonArray("errors"))
                .extracting(error -> error.asJsonObject().getInt("line"))
                .containsExactly(700);

        JsonObject report = json(handler.result(file, outcomes));

        assertThat(report.getInt("lineCount")).isEqualTo(1234);
        assertThat(report.getInt("validLineCount")).isEqualTo(1230);
        assertThat(report.getInt("invalidLineCount")).isEqualTo(4);
        BigDecimal all = IntStream.range(0, 617).mapToObj(LedgerValidateHandlerTest::amount)
                .map(BigDecimal::new).reduce(BigDecimal.ZERO, BigDecimal::add);
        // debit sides of pairs 1 and 500 and credit sides of pairs 349 and 616 are invalid
        BigDecimal debit = all.subtract(new BigDecimal(amount(1))).subtract(new BigDecimal(amount(500)));
        BigDecimal credit = all.subtract(new BigDecimal(amount(349))).subtract(new BigDecimal(amount(616)));
        assertThat(report.getString("totalDebit")).isEqualTo(debit.toPlainString());
        assertThat(report.getString("totalCredit")).isEqualTo(credit.toPlainString());
        assertThat(report.getJsonArray("accounts")).containsExactly(
                account("1000", debit.toPlainString(), "0.00"),
                account("3000", "0.00", credit.toPlainString()));
        assertThat(report.getJsonArray("documents")).hasSize(617);
        assertThat(document(report, "D-0001")).isEqualTo(
                documentJson("D-0001", amount(0), amount(0), true));
        assertThat(document(report, "D-0002")).isEqualTo(
                documentJson("D-0002", "0.00", amount(1), false));
        assertThat(strings(report, "unbalancedDocuments")).containsExactly("D-0002", "D-0350", "D-0501", "D-0617");
        assertThat(report.getJsonArray("errors")).containsExactly(
                error(3, "debit", "12.345", "must have at most 2 decimal places"),
                error(700, "postingDate", "2026-02-30", "is not a real calendar date"),
                error(1001, "documentNumber", "D-0001",
                        "was used for lines 1-2 already; a document's lines must follow one another"),
                error(1001, "currency", "USD", "differs from the document's currency EUR on line 1"),
                error(1234, "accountCode", "12", "must be 4 to 10 digits"),
                error(1234, "currency", "eur", "must be 3 upper-case letters"));
        assertThat(report.getBoolean("valid")).isFalse();
    }

    @Test
    void aValidFileOfFiveThousandLinesAddsUpExactly() {
        List<LineBuilder> lines = new ArrayList<>();
        for (int k = 0; k < 2_500; k++) {
            String document = "V" + k;
            // tenths of cents would drift in floating point; here they must not
            String amount = (k + 1) + ".10";
            lines.add(aDebitLine(document, "40" + (k % 5) + "0", amount));
            lines.add(aCreditLine(document, "2000", amount));
        }
        LedgerFile file = aFileOf(lines);

        JsonObject report = json(handler.result(file, runAllChunks(file)));

        // 1 + 2 + ... + 2500 = 3,126,250 plus 2,500 times 0.10
        assertThat(report.getString("totalDebit")).isEqualTo("3126500.00");
        assertThat(report.getString("totalCredit")).isEqualTo("3126500.00");
        assertThat(report.getInt("validLineCount")).isEqualTo(5_000);
        assertThat(report.getInt("invalidLineCount")).isZero();
        assertThat(report.getJsonArray("accounts"))
                .extracting(account -> account.asJsonObject().getString("accountCode"))
                .containsExactly("2000", "4000", "4010", "4020", "4030", "4040");
        assertThat(report.getJsonArray("accounts").get(0)).isEqualTo(account("2000", "0.00", "3126500.00"));
        assertThat(report.getJsonArray("documents")).hasSize(2_500)
                .allSatisfy(document -> assertThat(document.asJsonObject().getBoolean("balanced")).isTrue());
        assertThat(report.getJsonArray("unbalancedDocuments")).isEmpty();
        assertThat(report.getJsonArray("errors")).isEmpty();
        assertThat(report.getBoolean("valid")).isTrue();
    }

    /** A task resumed across the upgrade has chunks from before currencies were kept: none is claimed, and no amount said. */
    @Test
    void aResultWithChunksFromBeforeCurrenciesWereKeptNamesNone() {
        LedgerReport report = new LedgerReport();
        report.addChunkData("{\"accounts\":[{\"accountCode\":\"1000\",\"debit\":\"5.00\",\"credit\":\"0.00\"}],"
                + "\"documents\":[],\"errors\":[]}");
        report.addChunkData("{\"accounts\":[],\"documents\":[],\"currencies\":[\"EUR\"],\"errors\":[]}");

        String result = report.toResult(1, 1, 0);

        assertThat(result).doesNotContain("currencies");
        assertThat(new LedgerValidateTaskType().summary(result).orElseThrow().figures())
                .noneMatch(figure -> figure.label().startsWith("Debit"));
    }

    @Test
    void writesTheResultDocumentInItsDocumentedShape() {
        LedgerFile file = aFileOf(
                aDebitLine("D1", "1000", "100"),
                aCreditLine("D1", "3000", "100.00"),
                aDebitLine("D2", "1000", "50.5"),
                aCreditLine("D2", "3000", "40"),
                aDebitLine("D3", "2000", "12.345"));

        String result = handler.result(file, runAllChunks(file));

        assertThat(result).isEqualTo("{\"lineCount\":5,\"validLineCount\":4,\"invalidLineCount\":1,"
                + "\"totalDebit\":\"150.50\",\"totalCredit\":\"140.00\",\"currencies\":[\"EUR\"],"
                + "\"accounts\":[{\"accountCode\":\"1000\",\"debit\":\"150.50\",\"credit\":\"0.00\"},"
                + "{\"accountCode\":\"3000\",\"debit\":\"0.00\",\"credit\":\"140.00\"}],"
                + "\"documentCount\":2,\"documents\":["
                + "{\"documentNumber\":\"D1\",\"debit\":\"100.00\",\"credit\":\"100.00\",\"balanced\":true},"
                + "{\"documentNumber\":\"D2\",\"debit\":\"50.50\",\"credit\":\"40.00\",\"balanced\":false}],"
                + "\"unbalancedDocumentCount\":1,\"unbalancedDocuments\":[\"D2\"],"
                + "\"errorCount\":1,\"errorsListed\":1,\"errors\":[{\"line\":5,\"field\":\"debit\",\"value\":\"12.345\","
                + "\"reason\":\"must have at most 2 decimal places\"}],"
                + "\"valid\":false}");
    }

    @Test
    void echoesAMissingValueAsNull() {
        LedgerFile file = aFileOf(aLine().currency(null));

        JsonObject report = json(handler.result(file, runAllChunks(file)));

        assertThat(report.getJsonArray("errors")).containsExactly(
                jsonOf("{\"line\":1,\"field\":\"currency\",\"value\":null,\"reason\":\"is required\"}"));
    }

    @Test
    void keepsChunkDataCompactAndTheSameWhenAChunkRunsAgain() {
        LedgerFile file = aFileOf(
                aDebitLine("D1", "1000", "10"), aCreditLine("D1", "3000", "10"), aLine().debit("x"));

        ChunkOutcome first = handler.runChunk(file, 0, aContext());
        TestContext retry = new TestContext("task-1", LedgerValidateTaskType.ID, "clerk", 2);
        ChunkOutcome again = handler.runChunk(file, 0, retry);

        assertThat(first).isEqualTo(again);
        assertThat(first.data()).doesNotContain("\n", ": ", ", ").startsWith("{\"accounts\":[");
        assertThat(first.itemsDone()).isEqualTo(2);
        assertThat(first.itemsFailed()).isEqualTo(1);
    }

    @Test
    void refusesAChunkThatDoesNotExist() {
        LedgerFile file = aFileOf(aLine());

        assertThatThrownBy(() -> handler.runChunk(file, 1, aContext()))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void needsTheOutcomeOfEveryChunk() {
        LedgerFile file = aFileOf(IntStream.range(0, 501).mapToObj(i -> aLine()).toList());
        List<ChunkOutcome> outcomes = runAllChunks(file);

        assertThatThrownBy(() -> handler.result(file, outcomes.subList(0, 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("expected the outcomes of 2 chunks, got 1");
    }

    /** Documents D-0001, D-0002, ...: a debit on 1000 then the same credit on 3000. */
    private static List<LineBuilder> balancedPairs(int count) {
        List<LineBuilder> lines = new ArrayList<>();
        for (int k = 0; k < count; k++) {
            String document = String.format("D-%04d", k + 1);
            lines.add(aDebitLine(document, "1000", amount(k)));
            lines.add(aCreditLine(document, "3000", amount(k)));
        }
        return lines;
    }

    private static String amount(int pair) {
        return (pair % 97 + 1) + "." + String.format("%02d", pair % 100);
    }

    private List<ChunkOutcome> runAllChunks(LedgerFile file) {
        List<ChunkOutcome> outcomes = new ArrayList<>();
        for (int chunk = 0; chunk < handler.chunkCount(file); chunk++) {
            outcomes.add(handler.runChunk(file, chunk, aContext()));
        }
        return outcomes;
    }

    private static JsonObject json(String text) {
        return JsonSupport.READERS.createReader(new StringReader(text)).readObject();
    }

    private static JsonValue jsonOf(String text) {
        return json(text);
    }

    private static JsonValue account(String code, String debit, String credit) {
        return JsonSupport.PROVIDER.createObjectBuilder()
                .add("accountCode", code).add("debit", debit).add("credit", credit).build();
    }

    private static JsonValue documentJson(String number, String debit, String credit, boolean balanced) {
        return JsonSupport.PROVIDER.createObjectBuilder()
                .add("documentNumber", number).add("debit", debit).add("credit", credit)
                .add("balanced", balanced).build();
    }

    private static JsonValue error(int line, String field, String value, String reason) {
        return JsonSupport.PROVIDER.createObjectBuilder()
                .add("line", line).add("field", field).add("value", value).add("reason", reason).build();
    }

    private static JsonValue document(JsonObject report, String number) {
        return report.getJsonArray("documents").stream()
                .filter(document -> document.asJsonObject().getString("documentNumber").equals(number))
                .findFirst()
                .orElseThrow();
    }

    private static List<String> strings(JsonObject report, String name) {
        return report.getJsonArray(name).getValuesAs(JsonString.class).stream()
                .map(JsonString::getString)
                .toList();
    }
}
