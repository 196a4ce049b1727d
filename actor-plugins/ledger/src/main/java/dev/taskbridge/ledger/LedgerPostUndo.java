package dev.taskbridge.ledger;

import java.io.StringWriter;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import dev.taskbridge.ledger.book.Books;
import dev.taskbridge.ledger.book.FiscalPeriod;
import dev.taskbridge.ledger.book.JournalEntry;
import dev.taskbridge.ledger.book.JournalLine;
import dev.taskbridge.plugin.ChunkOutcome;
import dev.taskbridge.plugin.ChunkUndo;
import dev.taskbridge.plugin.TaskContext;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.stream.JsonGenerator;

/**
 * Rolls a posting back as accountants do (design note 030): for each document a posting chunk
 * posted, a reversing entry with debit and credit swapped, dated today, numbered
 * {@code <number>.REV} (a dot no file's document number may hold, so no posted document can take
 * a reversal's number); nothing is deleted. A document whose reversal is in the books already is
 * reported in the outcome, not forced. While today's fiscal period is closed or missing the undo
 * fails, saying so, and nothing is reversed: the rollback can be retried once the period is open
 * (a rollback that ended as done could not be). The documents a chunk posted are found again as the posting found them:
 * the same plan of the same file, less those the books say another task posted (or none did, as
 * for refused documents).
 *
 * <p>The reversals go through the same books as the postings, in the undo's transaction with its
 * marker, so each is written once; the books' unique document number would refuse a second one
 * even outside the engine.
 */
final class LedgerPostUndo implements ChunkUndo<PostingRequest> {

    /** Appended to a document's number for its reversal; document numbers have at most 20 characters, the column 24. */
    static final String REVERSAL_SUFFIX = ".REV";
    static final String ROLLED_BACK = "ROLLED_BACK";
    static final String PARTLY_ROLLED_BACK = "PARTLY_ROLLED_BACK";

    private static final String REVERSED = "reversed";
    private static final String NOT_REVERSED = "notReversed";

    private final Supplier<Books> books;
    private final Clock clock;

    LedgerPostUndo(Supplier<Books> books, Clock clock) {
        this.books = books;
        this.clock = clock;
    }

    @Override
    public ChunkOutcome undo(PostingRequest request, CommittedChunk committed, TaskContext context) {
        if (request.options().checkOnly()) {
            return new ChunkOutcome(0, 0, data(List.of(), List.of()));
        }
        try (Books open = books.get()) {
            List<List<LedgerLine>> documents = request.plan().documents(committed.chunk()).stream()
                    .filter(document -> document.get(0).documentNumber() != null).toList();
            Map<String, String> postedBy = open.postedBy(documents.stream().map(document -> document.get(0).documentNumber()).toList(), null);
            List<List<LedgerLine>> posted = documents.stream()
                    .filter(document -> committed.taskId().equals(postedBy.get(document.get(0).documentNumber()))).toList();
            List<String[]> notReversed = new ArrayList<>();
            LocalDate today = LocalDate.now(clock);
            FiscalPeriod period = open.periods().get(YearMonth.from(today).toString());
            if (!posted.isEmpty() && (period == null || !period.isOpen())) {
                throw new IllegalStateException("reversals are dated today, and today's period " + YearMonth.from(today)
                        + (period == null ? " is not in the books" : " is closed") + ": nothing was reversed; retry the"
                        + " rollback once the period is open");
            }
            Map<String, String> taken = open.postedBy(posted.stream()
                    .map(document -> document.get(0).documentNumber() + REVERSAL_SUFFIX).toList(), null);
            Instant now = clock.instant();
            List<JournalEntry> reversals = new ArrayList<>();
            List<String> reversed = new ArrayList<>();
            int lines = 0;
            for (List<LedgerLine> document : posted) {
                String number = document.get(0).documentNumber();
                if (taken.containsKey(number + REVERSAL_SUFFIX)) {
                    notReversed.add(new String[] {number, "is reversed already (" + number + REVERSAL_SUFFIX + " is in the books)"});
                    continue;
                }
                JournalEntry reversal = new JournalEntry(number + REVERSAL_SUFFIX, today, document.get(0).currency(), context.taskId(), now);
                for (LedgerLine line : document) {
                    reversal.add(new JournalLine(line.lineNumber(), line.accountCode(), line.costCenter(),
                            LedgerPostHandler.money(line.credit()), LedgerPostHandler.money(line.debit()), "Reversal of " + number));
                }
                reversals.add(reversal);
                reversed.add(number);
                lines += document.size();
            }
            open.post(reversals);
            return new ChunkOutcome(lines, notReversed.size(), data(reversed, notReversed));
        }
    }

    /**
     * {@code status} ROLLED_BACK, or PARTLY_ROLLED_BACK when a document was not reversed; the
     * documents and lines reversed; and each document not reversed with why.
     */
    @Override
    public String result(PostingRequest request, List<ChunkOutcome> undone) {
        int documents = 0;
        long lines = 0;
        List<JsonObject> notReversed = new ArrayList<>();
        for (ChunkOutcome outcome : undone) {
            JsonObject data = JsonSupport.readObject(outcome.data());
            documents += data.getJsonArray(REVERSED).size();
            lines += outcome.itemsDone();
            data.getJsonArray(NOT_REVERSED).getValuesAs(JsonObject.class).forEach(notReversed::add);
        }
        StringWriter out = new StringWriter();
        try (JsonGenerator json = JsonSupport.GENERATORS.createGenerator(out)) {
            json.writeStartObject();
            json.write("status", notReversed.isEmpty() ? ROLLED_BACK : PARTLY_ROLLED_BACK);
            json.write("reversedDocuments", documents);
            json.write("reversedLines", lines);
            json.writeStartArray(NOT_REVERSED);
            notReversed.forEach(json::write);
            json.writeEnd();
            json.writeEnd();
        }
        return out.toString();
    }

    private static String data(List<String> reversed, List<String[]> notReversed) {
        StringWriter out = new StringWriter();
        try (JsonGenerator json = JsonSupport.GENERATORS.createGenerator(out)) {
            json.writeStartObject();
            json.writeStartArray(REVERSED);
            reversed.forEach(json::write);
            json.writeEnd();
            json.writeStartArray(NOT_REVERSED);
            for (String[] document : notReversed) {
                json.writeStartObject().write("document", document[0]).write("reason", document[1]).writeEnd();
            }
            json.writeEnd();
            json.writeEnd();
        }
        return out.toString();
    }
}
