package dev.taskbridge.ledger;

import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.taskbridge.ledger.book.BookSchema;
import dev.taskbridge.ledger.book.DemoBooks;
import dev.taskbridge.ledger.book.LedgerBook;
import dev.taskbridge.plugin.ChunkUndo;
import dev.taskbridge.plugin.FieldProblem;
import dev.taskbridge.plugin.InvalidPayloadException;
import dev.taskbridge.plugin.Payload;
import dev.taskbridge.plugin.PluginEnvironment;
import dev.taskbridge.plugin.ResultErrors;
import dev.taskbridge.plugin.ResultExport;
import dev.taskbridge.plugin.ResultSummary;
import dev.taskbridge.plugin.TaskForm;
import dev.taskbridge.plugin.TaskHandler;
import dev.taskbridge.plugin.TaskType;

/**
 * {@code ledger.post}: checks a file of accounting lines (JSON or CSV, as for
 * {@link LedgerValidateTaskType}) against the rules and the books (accounts that exist and take
 * postings, open fiscal periods, one posting date per document, documents not posted before),
 * then posts it in chunks of whole documents, each chunk exactly once. By default a file with any
 * error is refused whole: nothing is posted, and the result lists every error. The submission's
 * options ({@link PostingOptions}) can ask to post the valid documents and refuse the others, to
 * check without posting, or for another chunk size.
 *
 * <p>One slot by default: files are posted one after another, so that two files cannot both pass
 * the duplicate check for the same document number and then both post it. Operators who raise it
 * ({@code taskbridge.slots.ledger.post}) trade that for throughput: the books' unique document
 * number then fails the second file's chunk instead.
 */
public final class LedgerPostTaskType implements TaskType<PostingRequest> {

    public static final String ID = "ledger.post";

    /** Raise when the payload or the result document changes shape. */
    public static final int VERSION = 2;

    private final LedgerPostHandler handler = new LedgerPostHandler(LedgerBook::open);

    private final LedgerErrors<PostingRequest> errors = new LedgerErrors<>(handler::errorsAgain);

    private final LedgerPostUndo undo = new LedgerPostUndo(LedgerBook::open, Clock.systemDefaultZone());

    @Override
    public String id() {
        return ID;
    }

    @Override
    public int version() {
        return VERSION;
    }

    @Override
    public int slots() {
        return 1;
    }

    @Override
    public PostingRequest parse(Payload payload) throws InvalidPayloadException {
        // both are checked, so that a client hears of bad options and a bad file at once
        PostingOptions options = null;
        List<FieldProblem> problems = new ArrayList<>();
        try {
            options = PostingOptions.of(payload);
        } catch (InvalidPayloadException e) {
            problems.addAll(e.problems());
        }
        try {
            LedgerFile file = LedgerFiles.read(payload);
            if (problems.isEmpty()) {
                return new PostingRequest(file, options);
            }
        } catch (InvalidPayloadException e) {
            problems.addAll(e.problems());
        }
        throw new InvalidPayloadException(problems);
    }

    /**
     * Books made by an earlier version get the room a reversal's number needs ({@link BookSchema});
     * the demo's books are made in the {@code dev} profile only ({@link DemoBooks}). The tables
     * themselves are the persistence unit's, made when the deployment started.
     */
    @Override
    public void prepare(PluginEnvironment environment) throws SQLException {
        BookSchema.widenDocumentNumbers(environment.dataSource());
        if (environment.profile().demoData()) {
            DemoBooks.make(environment.dataSource());
        }
    }

    /** A posting is rolled back by reversing entries, dated today (design note 030, {@link LedgerPostUndo}). */
    @Override
    public Optional<ChunkUndo<PostingRequest>> undo() {
        return Optional.of(undo);
    }

    @Override
    public TaskHandler<PostingRequest> handler() {
        return handler;
    }

    @Override
    public TaskForm form() {
        return LedgerSummaries.postForm();
    }

    @Override
    public Optional<ResultSummary> summary(String result) {
        return LedgerSummaries.posting(JsonSupport.readObject(result));
    }

    @Override
    public List<ResultExport> exports() {
        return List.of(new ErrorsCsv<>(errors));
    }

    @Override
    public Optional<ResultErrors<PostingRequest>> errors() {
        return Optional.of(errors);
    }
}
