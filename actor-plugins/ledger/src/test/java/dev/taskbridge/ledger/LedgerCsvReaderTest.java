package dev.taskbridge.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;

import dev.taskbridge.plugin.FieldProblem;
import dev.taskbridge.plugin.InvalidPayloadException;
import dev.taskbridge.plugin.Payload;
import org.junit.jupiter.api.Test;

class LedgerCsvReaderTest {

    private static final String HEADER = "documentNumber,postingDate,accountCode,costCenter,debit,credit,currency,description";

    private final LedgerValidateTaskType taskType = new LedgerValidateTaskType();

    @Test
    void readsAHeaderAndItsLinesWithQuotedFields() throws Exception {
        LedgerFile file = taskType.parse(csv(HEADER + "\r\n"
                + "D1,2026-11-02,1000,CC1,100.00,,EUR,\"cash, petty\"\r\n"
                + "D1,2026-11-02,2000,CC1,,100.00,EUR,\"the \"\"big\"\" supplier\nsecond line\"\r\n"));

        assertThat(file.lines()).containsExactly(
                new LedgerLine(1, "D1", "2026-11-02", "1000", "CC1", "100.00", null, "EUR", "cash, petty"),
                new LedgerLine(2, "D1", "2026-11-02", "2000", "CC1", null, "100.00", "EUR",
                        "the \"big\" supplier\nsecond line"));
    }

    @Test
    void takesColumnsInAnyOrderLeavesOutTheOptionalOnesAndIgnoresAByteOrderMarkAndEmptyLines() throws Exception {
        LedgerFile file = taskType.parse(csv("\uFEFFcurrency,credit,debit,accountCode,postingDate,documentNumber\n"
                + "EUR,0,5.50,1000,2026-11-02,D7\n\n"));

        assertThat(file.lines()).containsExactly(
                new LedgerLine(1, "D7", "2026-11-02", "1000", null, "5.50", "0", "EUR", null));
    }

    @Test
    void anEmptyFieldIsAMissingValueForValidationToReport() throws Exception {
        LedgerFile file = taskType.parse(csv(HEADER + "\n,2026-11-02,1000,,1.00,,EUR,\n"));

        assertThat(file.lines().get(0).documentNumber()).isNull();
    }

    @Test
    void aHeaderWithUnknownRepeatedOrMissingColumnsIsRefusedNamingEach() {
        List<FieldProblem> problems = problemsOf(csv("documentNumber,postingDate,account,debit,debit,currency\n"
                + "D1,2026-11-02,1000,1,1,EUR\n"));

        assertThat(problems).containsExactly(
                new FieldProblem("header", "'account' is not a known column"),
                new FieldProblem("header", "'debit' appears more than once"),
                new FieldProblem("header", "misses the column 'accountCode'"),
                new FieldProblem("header", "misses the column 'credit'"));
    }

    @Test
    void aLineWithMoreOrFewerFieldsThanTheHeaderIsRefusedWithItsNumber() {
        List<FieldProblem> problems = problemsOf(csv(HEADER + "\n"
                + "D1,2026-11-02,1000,CC1,1.00,,EUR,ok\n"
                + "D1,2026-11-02,2000\n"
                + "D1,2026-11-02,2000,CC1,,1.00,EUR,ok,extra\n"));

        assertThat(problems).containsExactly(
                new FieldProblem("line 2", "has 3 fields, the header has 8"),
                new FieldProblem("line 3", "has 9 fields, the header has 8"));
    }

    @Test
    void aBrokenQuoteIsRefusedAsInvalidCsv() {
        List<FieldProblem> problems = problemsOf(csv(HEADER + "\nD1,2026-11-02,1000,CC1,1.00,,EUR,\"never closed\n"));

        assertThat(problems).singleElement().satisfies(problem -> {
            assertThat(problem.field()).isEqualTo("body");
            assertThat(problem.reason()).startsWith("is not valid CSV: ");
        });
    }

    @Test
    void anEmptyBodyOrAHeaderWithoutLinesIsRefused() {
        assertThat(problemsOf(csv("  \n"))).containsExactly(new FieldProblem("body", "must not be empty"));
        assertThat(problemsOf(csv(HEADER + "\n"))).containsExactly(
                new FieldProblem("lines", "must not be empty: the file has a header and no lines"));
    }

    @Test
    void moreLinesThanAFileMayHaveAreRefusedWithTheCount() {
        StringBuilder body = new StringBuilder(HEADER).append('\n');
        String line = "D1,2026-11-02,1000,,1.00,,EUR,\n";
        body.append(line.repeat(LedgerFile.MAX_LINES + 1));

        assertThat(problemsOf(csv(body.toString()))).containsExactly(new FieldProblem("lines",
                "must have at most " + LedgerFile.MAX_LINES + " lines (found " + (LedgerFile.MAX_LINES + 1) + ")"));
    }

    @Test
    void bytesThatAreNotUtf8AreRefusedWithTheirOffset() {
        byte[] latin1 = (HEADER + "\nD1,2026-11-02,1000,,1.00,,EUR,Caf\u00e9\n").getBytes(StandardCharsets.ISO_8859_1);

        assertThat(problemsOf(new Payload("text/csv; charset=ISO-8859-1", latin1))).singleElement()
                .satisfies(problem -> assertThat(problem.reason()).startsWith("is not valid UTF-8 (bad byte at offset"));
    }

    @Test
    void theSameLinesAsCsvOrAsJsonValidateToTheSameReport() throws Exception {
        LedgerFile fromCsv = taskType.parse(csv(HEADER + "\n"
                + "D1,2026-11-02,1000,CC1,100.00,0,EUR,cash\n"
                + "D1,2026-11-02,2000,CC1,0,100.00,EUR,payable\n"));
        LedgerFile fromJson = taskType.parse(Payload.json("""
                {"lines": [
                  {"documentNumber": "D1", "postingDate": "2026-11-02", "accountCode": "1000", "costCenter": "CC1",
                   "debit": "100.00", "credit": "0", "currency": "EUR", "description": "cash"},
                  {"documentNumber": "D1", "postingDate": "2026-11-02", "accountCode": "2000", "costCenter": "CC1",
                   "debit": "0", "credit": "100.00", "currency": "EUR", "description": "payable"}]}
                """));

        assertThat(fromCsv.lines()).isEqualTo(fromJson.lines());
    }

    private static Payload csv(String text) {
        return new Payload("text/csv", text.getBytes(StandardCharsets.UTF_8));
    }

    private List<FieldProblem> problemsOf(Payload payload) {
        try {
            LedgerFile file = taskType.parse(payload);
            throw new AssertionError("expected the payload to be refused, but it parsed to " + file);
        } catch (InvalidPayloadException e) {
            return e.problems();
        }
    }
}
