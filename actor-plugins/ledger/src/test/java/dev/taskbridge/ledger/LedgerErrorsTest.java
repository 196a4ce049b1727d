package dev.taskbridge.ledger;

import static dev.taskbridge.ledger.LedgerFixtures.aCreditLine;
import static dev.taskbridge.ledger.LedgerFixtures.aDebitLine;
import static dev.taskbridge.ledger.LedgerFixtures.aFileOf;
import static dev.taskbridge.ledger.LedgerFixtures.aLine;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import dev.taskbridge.ledger.LedgerFixtures.LineBuilder;
import dev.taskbridge.ledger.LedgerFixtures.TestContext;
import dev.taskbridge.ledger.book.JournalEntry;
import dev.taskbridge.plugin.ChunkOutcome;
import dev.taskbridge.plugin.ErrorsUnavailableException;
import dev.taskbridge.plugin.FinishedTask;
import dev.taskbridge.plugin.ItemError;
import dev.taskbridge.plugin.ResultErrors;
import dev.taskbridge.plugin.TaskHandler;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

/** Every error of a ledger check, past the 1,000 its result lists: found again from the stored file, as the check found them. */
class LedgerErrorsTest {

    private final InMemoryBooks books = new InMemoryBooks();

    @Test
    void aValidationsErrorsPastTheListedOnesAreFoundAgainFromItsFileAndTheCsvHasThemAll() throws Exception {
        LedgerValidateTaskType type = new LedgerValidateTaskType();
        LedgerFile file = aFileOf(IntStream.rangeClosed(1, 1_500)
                .mapToObj(i -> aLine().documentNumber("D" + i).debit("1.005")).toList());
        String result = run(type.handler(), file, "task-1");
        FinishedTask<LedgerFile> task = new FinishedTask<>("task-1", result, Instant.now(), () -> file);

        List<ItemError> all = new ArrayList<>();
        type.errors().orElseThrow().forEach(task, all::add);

        JsonObject report = JsonSupport.readObject(result);
        assertThat(report.getInt("errorsListed")).isEqualTo(1_000);
        assertThat(all).hasSize(report.getInt("errorCount")).hasSize(1_500);
        assertThat(all.subList(0, 1_000)).extracting(ItemError::line)
                .containsExactlyElementsOf(report.getJsonArray("errors").getValuesAs(JsonObject.class).stream()
                        .map(error -> (long) error.getInt("line")).toList());
        assertThat(all.get(1_000)).isEqualTo(new ItemError(1_001, "debit", "1.005", all.get(0).reason()));
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        type.exports().get(0).prepare(new FinishedTask<>("task-1", result, Instant.now(), () -> file)).writeTo(out);
        String csv = out.toString(StandardCharsets.UTF_8);
        assertThat(csv.lines()).hasSize(1 + 1_500);
        assertThat(csv.lines().skip(1_001).findFirst().orElseThrow()).startsWith("1001,debit,1.005,");
    }

    @Test
    void theListedErrorsAndTheirTotalAreReadFromTheResultAlone() throws Exception {
        // what lets the first pages be answered without parsing and checking the stored file again
        LedgerValidateTaskType type = new LedgerValidateTaskType();
        LedgerFile file = aFileOf(IntStream.rangeClosed(1, 1_500).mapToObj(i -> aLine().debit("1.005")).toList());
        String result = run(type.handler(), file, "task-1");

        ResultErrors.Listed listed = type.errors().orElseThrow().listed(result).orElseThrow();

        assertThat(listed.total()).isEqualTo(1_500);
        assertThat(listed.complete()).isFalse();
        assertThat(listed.errors()).hasSize(1_000).first().extracting(ItemError::line, ItemError::field)
                .containsExactly(1L, "debit");
    }

    @Test
    void aResultStoredBeforeDuplicatesStoppedNamingTheirTaskIsListedWithoutTheTaskId() throws Exception {
        // results stored before the change name another clerk's task; neither a page nor the CSV
        // repeats it, and the errors found again still match the listed ones
        String result = "{\"errorCount\":1,\"errorsListed\":1,\"errors\":[{\"line\":4,\"field\":\"documentNumber\","
                + "\"value\":\"D1\",\"reason\":\"is already posted (by task 0b6f-other-clerk)\"}]}";

        ResultErrors.Listed listed = new LedgerValidateTaskType().errors().orElseThrow().listed(result).orElseThrow();

        assertThat(listed.errors()).extracting(ItemError::reason).containsExactly("is already posted by another task");
    }

    @Test
    void aResultThatListsEveryErrorIsReadWithoutCheckingTheFileAgain() throws Exception {
        LedgerValidateTaskType type = new LedgerValidateTaskType();
        LedgerFile file = aFileOf(aLine().debit("1.005"), aLine().currency("EURO"));
        String result = run(type.handler(), file, "task-1");

        List<ItemError> all = new ArrayList<>();
        type.errors().orElseThrow().forEach(new FinishedTask<>("task-1", result, Instant.now(), () -> {
            throw new AssertionError("the file is not read again");
        }), all::add);

        assertThat(all).extracting(error -> error.line() + " " + error.field()).containsExactly("1 debit", "2 currency");
    }

    @Test
    void errorsThatAreNotFoundAgainAsTheCheckFoundThemAreNotListedAtAll() throws Exception {
        LedgerValidateTaskType type = new LedgerValidateTaskType();
        LedgerFile file = aFileOf(IntStream.rangeClosed(1, 1_200).mapToObj(i -> aLine().debit("1.005")).toList());
        String result = run(type.handler(), file, "task-1").replace("\"errorCount\":1200", "\"errorCount\":1201");
        ResultErrors<LedgerFile> errors = type.errors().orElseThrow();

        assertThatThrownBy(() -> errors.forEach(new FinishedTask<>("task-1", result, Instant.now(), () -> file), error -> { }))
                .isInstanceOf(ErrorsUnavailableException.class)
                .hasMessageContaining("after the first 1,000").hasMessageContaining("check the file again");
        assertThatThrownBy(() -> type.exports().get(0).prepare(new FinishedTask<>("task-1", result, Instant.now(), () -> file)))
                .as("the export is refused before a byte of it is written").isInstanceOf(ErrorsUnavailableException.class);
    }

    @Test
    void aPostingChecksErrorsAreFoundAgainAgainstTheBooksAsTheyWereAtItsEnd() throws Exception {
        LedgerPostHandler handler = new LedgerPostHandler(books::open);
        LedgerErrors<PostingRequest> errors = new LedgerErrors<>(handler::errorsAgain);
        PostingRequest request = aCheckOf("OK1");
        String result = checked(handler, request);
        Instant checkEnded = Instant.now();
        // then the file is posted, its valid document by another task
        books.post(List.of(new JournalEntry("OK1", java.time.LocalDate.parse(InMemoryBooks.OPEN_DAY), "EUR", "task-post",
                checkEnded.plusSeconds(1))));

        List<ItemError> all = new ArrayList<>();
        errors.forEach(new FinishedTask<>("task-check", result, checkEnded, () -> request), all::add);

        assertThat(all).hasSize(1_100);
        assertThat(all.get(1_099)).isEqualTo(new ItemError(1_102, "accountCode", "4242", "is not in the chart of accounts"));
        // a result stored before results said when they were checked is found again as of the task's end
        String storedEarlier = withoutCheckedAt(result);
        errors.forEach(new FinishedTask<>("task-check", storedEarlier, checkEnded, () -> request), error -> { });
        assertThatThrownBy(() -> errors.forEach(new FinishedTask<>("task-check", storedEarlier, checkEnded.plusSeconds(2),
                () -> request), error -> { }))
                .as("had the task ended after the posting, OK1 would be a duplicate its check did not find")
                .isInstanceOf(ErrorsUnavailableException.class);
    }

    @Test
    void aDocumentAnotherTaskPostsAfterTheCheckButBeforeThisTaskEndsIsNoDuplicateOfIt() throws Exception {
        LedgerPostHandler handler = new LedgerPostHandler(books::open);
        LedgerErrors<PostingRequest> errors = new LedgerErrors<>(handler::errorsAgain);
        PostingRequest request = aCheckOf("D1");
        String result = checked(handler, request);
        // while this task is still at work, another task posts D1; then this task ends
        Instant posted = Instant.now().plusSeconds(1);
        books.post(List.of(new JournalEntry("D1", java.time.LocalDate.parse(InMemoryBooks.OPEN_DAY), "EUR", "task-other",
                posted)));
        Instant ended = posted.plusSeconds(1);

        List<ItemError> all = new ArrayList<>();
        errors.forEach(new FinishedTask<>("task-check", result, ended, () -> request), all::add);

        assertThat(all).as("the check saw the books before D1 was posted: D1 is no error of it").hasSize(1_100)
                .noneMatch(error -> error.value().equals("D1"));
    }

    /** A check only of a file with one valid document and 1,100 lines whose account does not exist. */
    private static PostingRequest aCheckOf(String validDocument) {
        List<LineBuilder> lines = new ArrayList<>();
        lines.add(aDebitLine(validDocument, "6100", "5.00").postingDate(InMemoryBooks.OPEN_DAY));
        lines.add(aCreditLine(validDocument, "2000", "5.00").postingDate(InMemoryBooks.OPEN_DAY));
        for (int i = 1; i <= 1_100; i++) {
            lines.add(aDebitLine("BAD" + i, "4242", "1.00").postingDate(InMemoryBooks.OPEN_DAY));
        }
        return new PostingRequest(aFileOf(lines), new PostingOptions(
                PostingOptions.DEFAULTS.onErrors(), PostingOptions.DEFAULTS.chunkLines(), true));
    }

    /** The result of task-check's one chunk: the check of {@code request}, against the books now. */
    private static String checked(LedgerPostHandler handler, PostingRequest request) throws Exception {
        return handler.result(request, List.of(handler.runChunk(request, 0,
                new TestContext("task-check", LedgerPostTaskType.ID, "clerk", 1, List.of()))));
    }

    private static String withoutCheckedAt(String result) {
        jakarta.json.JsonObjectBuilder copy = jakarta.json.Json.createObjectBuilder();
        JsonSupport.readObject(result).forEach((name, value) -> {
            if (!name.equals("checkedAt")) {
                copy.add(name, value);
            }
        });
        return copy.build().toString();
    }

    private static <P> String run(TaskHandler<P> handler, P payload, String taskId) throws Exception {
        List<ChunkOutcome> outcomes = new ArrayList<>();
        for (int chunk = 0; chunk < handler.chunkCount(payload); chunk++) {
            outcomes.add(handler.runChunk(payload, chunk, new TestContext(taskId, "test", "clerk", 1, List.copyOf(outcomes))));
        }
        return handler.result(payload, outcomes);
    }
}
