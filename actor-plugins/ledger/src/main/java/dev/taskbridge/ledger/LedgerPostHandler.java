package dev.taskbridge.ledger;

import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Supplier;

import dev.taskbridge.ledger.PostingOptions.OnErrors;
import dev.taskbridge.ledger.book.Account;
import dev.taskbridge.ledger.book.Books;
import dev.taskbridge.ledger.book.FiscalPeriod;
import dev.taskbridge.ledger.book.JournalEntry;
import dev.taskbridge.ledger.book.JournalLine;
import dev.taskbridge.plugin.ChunkOutcome;
import dev.taskbridge.plugin.FinishedTask;
import dev.taskbridge.plugin.TaskContext;
import dev.taskbridge.plugin.TaskHandler;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.stream.JsonGenerator;

/**
 * Posts a ledger file in chunks of whole documents ({@link PostingPlan}), each chunk in the
 * transaction of its effect marker. Chunk 0 first checks every line, against the rules and against
 * the books, and posts the first documents only if the check lets it.
 *
 * <p>What chunk 0 finds decides what the posting chunks post. Under the default
 * {@link OnErrors#REJECT_FILE} any error refuses the file whole: a file is posted entirely or not
 * at all. Under {@link OnErrors#POST_VALID_DOCUMENTS} every document with an invalid line, or whose
 * lines do not balance, is refused and the others are posted. A {@link PostingOptions#checkOnly()}
 * task is the check alone: the report a clerk reads before confirming.
 *
 * <p>Chunk 0's data keeps the report without per-document totals (a 5,000-line file has thousands
 * of documents, and every later chunk reads that data), plus the documents refused.
 */
final class LedgerPostHandler implements TaskHandler<PostingRequest> {

    /**
     * A document that the books have already. Not which task posted it: that may be another
     * clerk's, whose task id is not this clerk's to see, and the reason reaches every page of
     * errors and every errors.csv row. The books do not know the owner of a task to tell mine
     * from another's, so no task is named.
     */
    static final String ALREADY_POSTED = "is already posted by another task";


    static final String POSTED = "POSTED";
    static final String PARTLY_POSTED = "PARTLY_POSTED";
    static final String REJECTED = "REJECTED";
    static final String CHECKED = "CHECKED";

    private static final String POST_NOTHING = "postNothing";
    private static final String REFUSED_DOCUMENTS = "refusedDocuments";
    /** In chunk 0's data: the documents chunk 0 posted after its check. */
    private static final String POSTED_HERE = "postedInChunk";
    /** In chunk 0's data and so in the result: when the check read the books. */
    static final String CHECKED_AT = "checkedAt";
    static final String POSTABLE_DOCUMENTS = "postableDocumentCount";

    private final Supplier<Books> books;

    /** @param books opens the books for one chunk, inside the chunk's transaction */
    LedgerPostHandler(Supplier<Books> books) {
        this.books = books;
    }

    @Override
    public int chunkCount(PostingRequest request) {
        return request.options().checkOnly() ? 1 : request.plan().chunks();
    }

    @Override
    public ChunkOutcome runChunk(PostingRequest request, int chunk, TaskContext context) {
        try (Books open = books.get()) {
            if (chunk == 0) {
                // The check and the first documents commit together: a file that fails the check
                // posts nothing, and one that passes costs no transaction of the check's own.
                Check check = check(request, context.taskId(), open);
                Posted posted = check.postNothing() ? Posted.NOTHING
                        : post(toPost(request, 0, check.refused()), context.taskId(), open);
                return new ChunkOutcome(posted.lines(), check.invalidLines(), check.data(posted.numbers()));
            }
            JsonObject checked = JsonSupport.readObject(context.committedChunks().get(0).data());
            if (checked.getBoolean(POST_NOTHING)) {
                return new ChunkOutcome(0, 0, "[]");
            }
            Set<String> refused = new HashSet<>(checked.getJsonArray(REFUSED_DOCUMENTS).getValuesAs(JsonString::getString));
            Posted posted = post(toPost(request, chunk, refused), context.taskId(), open);
            return new ChunkOutcome(posted.lines(), 0, jsonArray(posted.numbers()));
        }
    }

    /** The documents of a posting chunk that are to be posted: those not refused, with a number. */
    private static List<List<LedgerLine>> toPost(PostingRequest request, int chunk, Set<String> refused) {
        return request.plan().documents(chunk).stream()
                .filter(document -> document.get(0).documentNumber() != null
                        && !refused.contains(document.get(0).documentNumber()))
                .toList();
    }

    /**
     * What chunk 0 found: the report (without per-document totals, as every later chunk reads
     * it), the documents refused, and whether nothing is to be posted at all.
     */
    private record Check(String reportFields, Set<String> refused, boolean postNothing, int invalidLines) {

        /** Chunk 0's data: the report, what is refused, and the documents chunk 0 posted. */
        String data(List<String> postedHere) {
            StringWriter out = new StringWriter();
            try (JsonGenerator json = JsonSupport.GENERATORS.createGenerator(out)) {
                json.writeStartObject();
                JsonSupport.readObject(reportFields).forEach(json::write);
                json.writeStartArray(REFUSED_DOCUMENTS);
                refused.forEach(json::write);
                json.writeEnd();
                json.write(POST_NOTHING, postNothing);
                json.writeStartArray(POSTED_HERE);
                postedHere.forEach(json::write);
                json.writeEnd();
                json.writeEnd();
            }
            return out.toString();
        }
    }

    /** What a chunk posted. */
    private record Posted(int lines, List<String> numbers) {
        static final Posted NOTHING = new Posted(0, List.of());
    }

    /** The report of {@code ledger.validate} with the books' rules on top, and what not to post. */
    private Check check(PostingRequest request, String taskId, Books open) {
        LedgerFile file = request.file();
        LedgerReport report = new LedgerReport();
        Set<String> refused = new TreeSet<>();
        int[] invalidLines = {0};
        Instant checkedAt = Instant.now(); // before the books are read: what is posted later is not in the check
        checkLines(file, taskId, open, null, checked -> {
            report.add(checked);
            if (!checked.isValid()) {
                invalidLines[0]++;
                // a line without a usable number belongs to no document that could be posted
                if (checked.line().documentNumber() != null) {
                    refused.add(checked.line().documentNumber());
                }
            }
        });
        int invalid = invalidLines[0];
        int valid = file.lines().size() - invalid;
        refused.addAll(report.unbalancedDocuments());
        PostingOptions options = request.options();
        boolean fileValid = invalid == 0 && refused.isEmpty();
        boolean postNothing = options.checkOnly() || !fileValid && options.onErrors() == OnErrors.REJECT_FILE;

        StringWriter out = new StringWriter();
        try (JsonGenerator json = JsonSupport.GENERATORS.createGenerator(out)) {
            json.writeStartObject();
            report.writeFields(json, file.lines().size(), valid, invalid, false);
            json.write(CHECKED_AT, checkedAt.toString());
            // what posting the valid documents would post: whether a clerk's confirmation can do anything
            json.write(POSTABLE_DOCUMENTS, file.lines().stream().map(LedgerLine::documentNumber)
                    .filter(number -> number != null && !refused.contains(number)).distinct().count());
            json.writeEnd();
        }
        return new Check(out.toString(), refused, postNothing, invalid);
    }

    /**
     * Checks every line of the file, in file order, against the rules and, if it keeps them, against
     * the books, and hands on each line as checked: what chunk 0 does, and what finds a finished
     * task's errors again ({@link #errorsAgain}).
     *
     * @param postedBefore only documents posted before this count as posted already; null: all
     */
    static void checkLines(LedgerFile file, String taskId, Books open, Instant postedBefore, Consumer<CheckedLine> each) {
        Map<String, Account> accounts = open.accounts();
        Map<String, FiscalPeriod> periods = open.periods();
        Set<String> numbers = new LinkedHashSet<>();
        file.lines().forEach(line -> numbers.add(line.documentNumber()));
        numbers.remove(null);
        Map<String, String> posted = new HashMap<>(open.postedBy(numbers, postedBefore));
        // A task that resumes after a crash finds its own earlier postings: those are no duplicates.
        posted.values().removeIf(taskId::equals);
        Map<String, String> documentDates = new HashMap<>();
        for (LedgerLine line : file.lines()) {
            CheckedLine checked = LineValidator.validate(line, file.documents());
            if (checked.isValid()) {
                List<LineError> errors = againstTheBooks(line, accounts, periods, posted, documentDates);
                if (!errors.isEmpty()) {
                    checked = new CheckedLine(line, null, null, errors);
                }
            }
            each.accept(checked);
        }
    }

    /**
     * A finished task's errors, found again as its chunk 0 found them: against the books as they
     * are now, where only documents posted before the check read the books count as posted already
     * (a file checked and then posted by another task does not become its own duplicate, nor does
     * a document another task posted while this one was still posting). Results stored before
     * they said when they were checked are found again as of the task's end.
     *
     * @param report the task's result, as {@link LedgerErrors} read it for this walk
     */
    void errorsAgain(FinishedTask<PostingRequest> task, JsonObject report, Consumer<LineError> each) {
        Instant postedBefore = checkedAt(report)
                .orElse(task.endedAt() == null ? Instant.now() : task.endedAt());
        // the payload first: reading it takes the server's permit to check a file again, which may be
        // refused, and parses a file of up to 20 MiB; neither wants an entity manager open meanwhile
        var file = task.payload().file();
        try (Books open = books.get()) {
            checkLines(file, task.id(), open, postedBefore, checked -> checked.errors().forEach(each));
        }
    }

    private static java.util.Optional<Instant> checkedAt(JsonObject report) {
        String at = report.getString(CHECKED_AT, null);
        return at == null ? java.util.Optional.empty() : java.util.Optional.of(Instant.parse(at));
    }

    private static List<LineError> againstTheBooks(LedgerLine line, Map<String, Account> accounts,
                                                   Map<String, FiscalPeriod> periods, Map<String, String> posted,
                                                   Map<String, String> documentDates) {
        List<LineError> errors = new ArrayList<>();
        String postedBy = posted.get(line.documentNumber());
        if (postedBy != null) {
            errors.add(LineError.of(line, LedgerColumn.DOCUMENT_NUMBER, ALREADY_POSTED));
        }
        String documentDate = documentDates.putIfAbsent(line.documentNumber(), line.postingDate());
        if (documentDate != null && !documentDate.equals(line.postingDate())) {
            errors.add(LineError.of(line, LedgerColumn.POSTING_DATE,
                    "differs from the document's first line (" + documentDate + "): a document has one posting date"));
        }
        FiscalPeriod period = periods.get(line.postingDate().substring(0, 7)); // yyyy-MM of a valid date
        if (period == null) {
            errors.add(LineError.of(line, LedgerColumn.POSTING_DATE, "falls in no fiscal period of the books"));
        } else if (!period.isOpen()) {
            errors.add(LineError.of(line, LedgerColumn.POSTING_DATE, "falls in period " + period.id() + ", which is closed"));
        }
        Account account = accounts.get(line.accountCode());
        if (account == null) {
            errors.add(LineError.of(line, LedgerColumn.ACCOUNT_CODE, "is not in the chart of accounts"));
        } else if (!account.postable()) {
            errors.add(LineError.of(line, LedgerColumn.ACCOUNT_CODE,
                    "is a group account (" + account.name() + ") and takes no postings"));
        }
        errors.sort(LineError.REPORT_ORDER);
        return errors;
    }

    /** Posts documents whose every line passed chunk 0, so their values are well formed. */
    private static Posted post(List<List<LedgerLine>> documents, String taskId, Books open) {
        if (documents.isEmpty()) {
            return Posted.NOTHING;
        }
        Instant now = Instant.now();
        int lines = 0;
        List<String> numbers = new ArrayList<>(documents.size());
        List<JournalEntry> entries = new ArrayList<>(documents.size());
        for (List<LedgerLine> document : documents) {
            LedgerLine first = document.get(0);
            JournalEntry entry = new JournalEntry(first.documentNumber(), LineValidator.date(first.postingDate()),
                    first.currency(), taskId, now);
            for (LedgerLine line : document) {
                entry.add(new JournalLine(line.lineNumber(), line.accountCode(), line.costCenter(),
                        money(line.debit()), money(line.credit()), line.description()));
            }
            entries.add(entry);
            numbers.add(first.documentNumber());
            lines += document.size();
        }
        open.post(entries);
        return new Posted(lines, numbers);
    }

    static BigDecimal money(String amount) {
        return LineValidator.amount(amount).setScale(2, RoundingMode.UNNECESSARY);
    }

    /**
     * The check's report, with what was posted: {@code status} POSTED, PARTLY_POSTED (some
     * documents refused under {@code post-valid-documents}), REJECTED (nothing posted) or CHECKED
     * ({@code checkOnly}); the posted documents and lines, the numbers of the posted documents and
     * of the refused ones.
     */
    @Override
    public String result(PostingRequest request, List<ChunkOutcome> outcomes) {
        JsonObject checked = JsonSupport.readObject(outcomes.get(0).data());
        List<String> postedDocuments = new ArrayList<>(checked.getJsonArray(POSTED_HERE).getValuesAs(JsonString::getString));
        int postedLines = outcomes.get(0).itemsDone();
        for (ChunkOutcome outcome : outcomes.subList(1, outcomes.size())) {
            postedLines += outcome.itemsDone();
            try (JsonReader reader = JsonSupport.READERS.createReader(new StringReader(outcome.data()))) {
                postedDocuments.addAll(reader.readArray().getValuesAs(JsonString::getString));
            }
        }
        PostingOptions options = request.options();
        String status;
        if (options.checkOnly()) {
            status = CHECKED;
        } else if (checked.getBoolean("valid")) {
            status = POSTED;
        } else {
            status = postedDocuments.isEmpty() ? REJECTED : PARTLY_POSTED;
        }
        StringWriter out = new StringWriter();
        try (JsonGenerator json = JsonSupport.GENERATORS.createGenerator(out)) {
            json.writeStartObject()
                    .write("status", status)
                    .write(PostingOptions.ON_ERRORS, options.onErrors().value())
                    .write(PostingOptions.CHECK_ONLY, options.checkOnly())
                    .write("postedDocumentCount", postedDocuments.size())
                    .write("postedLineCount", postedLines);
            checked.forEach((name, value) -> {
                if (!name.equals(POST_NOTHING) && !name.equals(POSTED_HERE)) {
                    json.write(name, value);
                }
            });
            json.writeStartArray("postedDocuments");
            postedDocuments.forEach(json::write);
            json.writeEnd();
            json.writeEnd();
        }
        return out.toString();
    }

    private static String jsonArray(List<String> values) {
        StringWriter out = new StringWriter();
        try (JsonGenerator json = JsonSupport.GENERATORS.createGenerator(out)) {
            json.writeStartArray();
            values.forEach(json::write);
            json.writeEnd();
        }
        return out.toString();
    }
}
