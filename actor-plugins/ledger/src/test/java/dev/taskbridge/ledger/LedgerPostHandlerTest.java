package dev.taskbridge.ledger;

import static dev.taskbridge.ledger.LedgerFixtures.aCreditLine;
import static dev.taskbridge.ledger.LedgerFixtures.aDebitLine;
import static dev.taskbridge.ledger.LedgerFixtures.aFileOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.time.Instant;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.taskbridge.ledger.LedgerFixtures.LineBuilder;
import dev.taskbridge.ledger.LedgerFixtures.TestContext;
import dev.taskbridge.ledger.PostingOptions.OnErrors;
import dev.taskbridge.ledger.book.JournalEntry;
import dev.taskbridge.plugin.ChunkOutcome;
import dev.taskbridge.plugin.FinishedTask;
import dev.taskbridge.plugin.InvalidPayloadException;
import dev.taskbridge.plugin.Payload;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import org.junit.jupiter.api.Test;

/**
 * {@code ledger.post} on books in memory, its chunks run as the engine runs them: in order, each
 * seeing the outcomes of those before it.
 */
class LedgerPostHandlerTest {

    private final InMemoryBooks books = new InMemoryBooks();
    private final LedgerPostHandler handler = new LedgerPostHandler(books::open);

    @Test
    void aFileOf5000LinesIsCheckedThenPostedInChunksOfWholeDocuments() {
        PostingRequest request = request(balancedDocuments("D", 2_500), PostingOptions.DEFAULTS);

        assertThat(handler.chunkCount(request)).as("5 chunks of 500 two-line documents, the first after the check")
                .isEqualTo(5);
        JsonObject result = run(request, "task-1");

        assertThat(result.getString("status")).isEqualTo("POSTED");
        assertThat(result.getInt("postedDocumentCount")).isEqualTo(2_500);
        assertThat(result.getInt("postedLineCount")).isEqualTo(5_000);
        assertThat(result.getString("totalDebit")).isEqualTo("30850.00");
        assertThat(result.getJsonArray("errors")).isEmpty();
        assertThat(result.containsKey("documents")).as("no per-document totals: they would be thousands").isFalse();
        assertThat(books.postedNumbers()).hasSize(2_500).doesNotHaveDuplicates().startsWith("D1", "D2");
        JournalEntry first = books.posted.get(0);
        assertThat(first.taskId()).isEqualTo("task-1");
        assertThat(first.lines()).extracting(line -> line.accountCode() + " " + line.debit() + " " + line.credit())
                .containsExactly("6100 12.34 0.00", "2000 0.00 12.34");
    }

    @Test
    void underTheDefaultPolicyOneErrorRefusesTheWholeFileAndNothingIsPosted() {
        books.post(List.of(new JournalEntry("OLD-1", java.time.LocalDate.parse(InMemoryBooks.OPEN_DAY), "EUR", "earlier",
                java.time.Instant.now())));
        List<LineBuilder> lines = balancedDocuments("D", 10);
        lines.get(2).accountCode("1234");                              // line 3: not in the chart
        lines.get(4).accountCode("1900");                              // line 5: a group account
        lines.get(6).postingDate(InMemoryBooks.CLOSED_DAY);            // line 7: closed period
        lines.get(9).postingDate("2026-11-03");                        // line 10: another date than line 9
        lines.add(aDebitLine("OLD-1", "6100", "1.00").postingDate(InMemoryBooks.OPEN_DAY));  // line 21: posted before
        lines.add(aCreditLine("OLD-1", "2000", "1.00").postingDate(InMemoryBooks.OPEN_DAY)); // line 22

        JsonObject result = run(request(lines, PostingOptions.DEFAULTS), "task-2");

        assertThat(result.getString("status")).isEqualTo("REJECTED");
        assertThat(result.getBoolean("valid")).isFalse();
        assertThat(result.getInt("postedDocumentCount")).isZero();
        assertThat(errors(result)).containsExactly(
                "3 accountCode 1234: is not in the chart of accounts",
                "5 accountCode 1900: is a group account (Assets (group)) and takes no postings",
                "7 postingDate 2026-10-15: falls in period 2026-10, which is closed",
                "8 postingDate 2026-11-02: differs from the document's first line (2026-10-15): a document has one posting date",
                "10 postingDate 2026-11-03: differs from the document's first line (2026-11-02): a document has one posting date",
                // whose task posted it is not this clerk's business: it may be another clerk's
                "21 documentNumber OLD-1: is already posted by another task",
                "22 documentNumber OLD-1: is already posted by another task");
        assertThat(strings(result, "refusedDocuments")).containsExactly("D2", "D3", "D4", "D5", "OLD-1");
        assertThat(books.postedNumbers()).containsExactly("OLD-1");
    }

    @Test
    void postValidDocumentsPostsTheDocumentsWithoutErrorsAndRefusesTheOthers() {
        List<LineBuilder> lines = balancedDocuments("D", 6);
        lines.get(3).credit("12.00");    // D2 does not balance
        lines.get(6).debit("abc");       // D4 has an invalid line

        JsonObject result = run(request(lines, new PostingOptions(OnErrors.POST_VALID_DOCUMENTS, 2, false)), "task-3");

        assertThat(result.getString("status")).isEqualTo("PARTLY_POSTED");
        assertThat(result.getString("onErrors")).isEqualTo("post-valid-documents");
        assertThat(strings(result, "refusedDocuments")).containsExactly("D2", "D4");
        assertThat(strings(result, "unbalancedDocuments")).containsExactly("D2", "D4");
        assertThat(strings(result, "postedDocuments")).containsExactly("D1", "D3", "D5", "D6");
        assertThat(result.getInt("postedLineCount")).isEqualTo(8);
        assertThat(books.postedNumbers()).containsExactly("D1", "D3", "D5", "D6");
    }

    @Test
    void checkOnlyIsTheReportAloneAndPostsNothing() {
        List<LineBuilder> lines = balancedDocuments("D", 3);
        lines.get(1).accountCode("1234");
        PostingRequest request = request(lines, new PostingOptions(OnErrors.REJECT_FILE, 500, true));

        assertThat(handler.chunkCount(request)).isEqualTo(1);
        JsonObject result = run(request, "task-4");

        assertThat(result.getString("status")).isEqualTo("CHECKED");
        assertThat(result.getBoolean("checkOnly")).isTrue();
        assertThat(result.getBoolean("valid")).isFalse();
        assertThat(errors(result)).containsExactly("2 accountCode 1234: is not in the chart of accounts");
        assertThat(books.posted).isEmpty();

        JsonObject clean = run(request(balancedDocuments("E", 3), new PostingOptions(OnErrors.REJECT_FILE, 500, true)), "task-5");
        assertThat(clean.getString("status")).isEqualTo("CHECKED");
        assertThat(clean.getBoolean("valid")).isTrue();
        assertThat(books.posted).isEmpty();
    }

    @Test
    void theCheckOfAHundredThousandJunkLinesCountsEveryErrorAndListsTheFirstThousand() throws Exception {
        StringBuilder text = new StringBuilder("documentNumber,postingDate,accountCode,debit,credit,currency\r\n");
        for (int i = 0; i < 100_000; i++) {
            text.append("!,x,x,!,x,x\r\n");
        }
        PostingRequest request = new LedgerPostTaskType().parse(new Payload("text/csv",
                text.toString().getBytes(StandardCharsets.UTF_8), Map.of("checkOnly", "true")));

        ChunkOutcome check = handler.runChunk(request, 0, context("task-junk", List.of()));
        String resultText = handler.result(request, List.of(check));
        JsonObject result = JsonSupport.readObject(resultText);

        assertThat(check.data().length()).as("chunk 0's data, stored in its marker").isLessThan(500_000);
        assertThat(resultText.length()).as("the task's result").isLessThan(500_000);
        assertThat(result.getInt("invalidLineCount")).isEqualTo(100_000);
        assertThat(result.getInt("errorsListed")).isEqualTo(LedgerReport.MAX_LISTED_ERRORS);
        assertThat(result.getJsonArray("errors")).hasSize(LedgerReport.MAX_LISTED_ERRORS);
        assertThat(result.getInt("errorCount")).isGreaterThanOrEqualTo(100_000);
        assertThat(result.getJsonArray("errors").getJsonObject(0).getInt("line")).isEqualTo(1);
        String csv = errorsCsv(new FinishedTask<>("task-junk", resultText, java.time.Instant.now(), () -> request));
        assertThat(csv.lines()).as("a header, then every error, those past the listed ones found again one by one")
                .hasSize(1 + result.getInt("errorCount"));
    }

    @Test
    void aDocumentNumberThatComesBackAfterOtherDocumentsIsAnError() {
        List<LineBuilder> lines = balancedDocuments("D", 2);
        lines.add(aDebitLine("D1", "6100", "5.00").postingDate(InMemoryBooks.OPEN_DAY));
        lines.add(aCreditLine("D1", "2000", "5.00").postingDate(InMemoryBooks.OPEN_DAY));

        JsonObject result = run(request(lines, PostingOptions.DEFAULTS), "task-6");

        assertThat(result.getString("status")).isEqualTo("REJECTED");
        assertThat(errors(result)).containsExactly(
                "5 documentNumber D1: was used for lines 1-2 already; a document's lines must follow one another",
                "6 documentNumber D1: was used for lines 1-2 already; a document's lines must follow one another");
    }

    @Test
    void aTaskThatResumesAfterACrashPostsTheRestAndAnotherTaskOfTheSameFileIsRefused() {
        PostingRequest request = request(balancedDocuments("D", 600), new PostingOptions(OnErrors.REJECT_FILE, 400, false));
        List<ChunkOutcome> committed = new ArrayList<>();
        committed.add(handler.runChunk(request, 0, context("task-7", committed)));
        committed.add(handler.runChunk(request, 1, context("task-7", committed)));
        // the server dies here; the first two chunks committed, their outcomes are in their markers

        // a second task with the same file finds them posted; this one finds its own and goes on
        ChunkOutcome other = handler.runChunk(request, 0, context("task-8", List.of()));
        assertThat(JsonSupport.readObject(other.data()).getBoolean("valid")).isFalse();
        assertThat(other.itemsDone()).as("refused whole: nothing posted").isZero();
        for (int chunk = 2; chunk < handler.chunkCount(request); chunk++) {
            committed.add(handler.runChunk(request, chunk, context("task-7", committed)));
        }

        assertThat(JsonSupport.readObject(handler.result(request, committed)).getInt("postedDocumentCount")).isEqualTo(600);
        assertThat(books.postedNumbers()).hasSize(600).doesNotHaveDuplicates();
    }

    @Test
    void optionsAreCheckedAndEveryBadOneIsNamed() {
        assertThatThrownBy(() -> new LedgerPostTaskType().parse(csv(Map.of("onErrors", "skip", "chunkLines", "0",
                "checkOnly", "maybe", "colour", "red"))))
                .isInstanceOf(InvalidPayloadException.class)
                .extracting(e -> ((InvalidPayloadException) e).problems().stream().map(p -> p.field() + ": " + p.reason()).toList())
                .asList().containsExactlyInAnyOrder(
                        "colour: is not an option of ledger.post; it knows onErrors, chunkLines, checkOnly",
                        "onErrors: must be reject-file or post-valid-documents, was 'skip'",
                        "chunkLines: must be between 1 and 10000, was 0",
                        "checkOnly: must be true or false, was 'maybe'");
    }

    @Test
    void aJsonFileNestedTooDeeplyIsRefusedAsItsShape() {
        String deep = "[".repeat(100_000) + "]".repeat(100_000);

        assertThatThrownBy(() -> new LedgerPostTaskType().parse(Payload.json(deep)))
                .isInstanceOf(InvalidPayloadException.class)
                .hasMessageContaining("body: is nested more than 64 levels deep");
    }

    @Test
    void optionsAndTheFileAreReadTogether() throws Exception {
        PostingRequest request = new LedgerPostTaskType().parse(csv(Map.of("onErrors", "post-valid-documents",
                "chunkLines", "1000")));

        assertThat(request.options()).isEqualTo(new PostingOptions(OnErrors.POST_VALID_DOCUMENTS, 1000, false));
        assertThat(request.file().lines()).hasSize(2);
        assertThat(new LedgerPostTaskType().parse(csv(Map.of())).options()).isEqualTo(PostingOptions.DEFAULTS);
    }

    @Test
    void theErrorsCanBeDownloadedAsCsvThatNoSpreadsheetRunsAsAFormula() throws Exception {
        List<LineBuilder> lines = balancedDocuments("D", 2);
        lines.get(0).accountCode("1234").description("=HYPERLINK(\"http://evil\")");
        lines.get(1).debit("-5");
        PostingRequest request = request(lines, PostingOptions.DEFAULTS);
        JsonObject result = run(request, "task-8");

        String csv = errorsCsv(new FinishedTask<>("task-8", result.toString(), java.time.Instant.now(), () -> request));

        assertThat(csv).startsWith("\uFEFFline,field,value,reason\r\n");
        assertThat(csv.lines().skip(1).toList()).containsExactly(
                "1,accountCode,1234,is not in the chart of accounts",
                "2,debit,'-5,must not be negative");
        assertThat(dev.taskbridge.plugin.ResultExport.inert("=1+2")).isEqualTo("'=1+2");
        assertThat(dev.taskbridge.plugin.ResultExport.inert("@SUM(A1)")).isEqualTo("'@SUM(A1)");
        assertThat(dev.taskbridge.plugin.ResultExport.inert("plain")).isEqualTo("plain");
    }

    // --- helpers ---------------------------------------------------------------------------

    /** Documents of two lines, 12.34 on 6100 against 2000, in the open period. */
    private static List<LineBuilder> balancedDocuments(String prefix, int count) {
        List<LineBuilder> lines = new ArrayList<>();
        for (int document = 1; document <= count; document++) {
            lines.add(aDebitLine(prefix + document, "6100", "12.34").postingDate(InMemoryBooks.OPEN_DAY));
            lines.add(aCreditLine(prefix + document, "2000", "12.34").postingDate(InMemoryBooks.OPEN_DAY));
        }
        return lines;
    }

    private static PostingRequest request(List<LineBuilder> lines, PostingOptions options) {
        return new PostingRequest(aFileOf(lines), options);
    }

    private static Payload csv(Map<String, String> options) {
        String text = "documentNumber,postingDate,accountCode,debit,credit,currency\r\n"
                + "D1,2026-11-02,6100,1.00,0,EUR\r\nD1,2026-11-02,2000,0,1.00,EUR\r\n";
        return new Payload("text/csv", text.getBytes(StandardCharsets.UTF_8), options);
    }

    private static TestContext context(String taskId, List<ChunkOutcome> committed) {
        return new TestContext(taskId, LedgerPostTaskType.ID, "clerk", 1, List.copyOf(committed));
    }

    private JsonObject run(PostingRequest request, String taskId) {
        List<ChunkOutcome> outcomes = new ArrayList<>();
        for (int chunk = 0; chunk < handler.chunkCount(request); chunk++) {
            outcomes.add(handler.runChunk(request, chunk, context(taskId, outcomes)));
        }
        return JsonSupport.readObject(handler.result(request, outcomes));
    }

    /** errors.csv as ledger.post serves it: its export over its errors, found again in these books. */
    private String errorsCsv(FinishedTask<PostingRequest> task) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new ErrorsCsv<>(new LedgerErrors<>(handler::errorsAgain)).prepare(task).writeTo(out);
        return out.toString(StandardCharsets.UTF_8);
    }

    private static List<String> errors(JsonObject result) {
        return result.getJsonArray("errors").getValuesAs(JsonObject.class).stream()
                .map(e -> e.getInt("line") + " " + e.getString("field") + " " + e.getString("value") + ": " + e.getString("reason"))
                .toList();
    }

    private static List<String> strings(JsonObject result, String name) {
        return result.getJsonArray(name).getValuesAs(JsonString::getString);
    }

    static BigDecimal amount(String text) {
        return new BigDecimal(text);
    }

    @Test
    void findingErrorsAgainOpensTheBooksOnlyOnceThePayloadIsRead() {
        // the payload is read within the server's bulkhead, which may refuse it: no entity manager
        // is to be opened for a request that is refused, nor held open while a large file is parsed
        int[] opened = {0};
        LedgerPostHandler counting = new LedgerPostHandler(() -> {
            opened[0]++;
            return books.open();
        });
        dev.taskbridge.plugin.FinishedTask<PostingRequest> refused = new dev.taskbridge.plugin.FinishedTask<>("task-1", "{}",
                java.time.Instant.now(), () -> {
                    throw new IllegalStateException("refused");
                });

        assertThatThrownBy(() -> counting.errorsAgain(refused, JsonSupport.readObject("{}"), error -> { }))
                .hasMessage("refused");
        assertThat(opened[0]).isZero();
    }

    @Test
    void findingErrorsAgainTakesWhenTheFileWasCheckedFromTheReportItIsHandedAndReadsNoResultAgain() {
        Instant checked = Instant.now();
        books.post(List.of(new JournalEntry("D1", java.time.LocalDate.parse(InMemoryBooks.OPEN_DAY), "EUR", "task-other",
                checked.plusSeconds(1))));
        PostingRequest request = request(balancedDocuments("D", 1), PostingOptions.DEFAULTS);
        // a result that does not parse: only the report LedgerErrors read for the walk may be read
        FinishedTask<PostingRequest> task = new FinishedTask<>("task-1", "not JSON", checked.plusSeconds(2), () -> request);
        JsonObject report = JsonSupport.readObject("{\"" + LedgerPostHandler.CHECKED_AT + "\":\"" + checked + "\"}");

        List<LineError> found = new ArrayList<>();
        handler.errorsAgain(task, report, found::add);

        assertThat(found).as("D1 was posted after the check, so it is no duplicate the check could have found").isEmpty();
    }
}
