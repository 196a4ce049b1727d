package dev.taskbridge.ledger;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.taskbridge.plugin.ResultSummary;
import dev.taskbridge.plugin.ResultSummary.Figure;
import dev.taskbridge.plugin.TaskForm;
import dev.taskbridge.plugin.TaskForm.FileKind;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;

import static dev.taskbridge.plugin.ResultSummary.amount;
import static dev.taskbridge.plugin.ResultSummary.count;

/**
 * How the ledger's forms read to a clerk, and how its results are said back: "The file is valid:
 * 5,000 lines.", "2,500 documents, 5,000 lines posted; debit and credit EUR 11,407,254.03 each".
 * Results of an older version lack fields these read: such a result gets no summary, or one
 * without what it lacks (amounts are said only when the result names its one currency).
 */
final class LedgerSummaries {

    static final String FILE_HELP = "A CSV file (header row: documentNumber, postingDate, accountCode, costCenter, debit, "
            + "credit, currency, description) or the same lines as JSON.";

    static final List<FileKind> FILES = List.of(FileKind.CSV, FileKind.JSON);

    private LedgerSummaries() {
    }

    static TaskForm postForm() {
        return new TaskForm("Post a ledger file", FILE_HELP + " The file is checked against the rules and the books first; "
                + "you see every error, and post it only when you confirm.", FILES, List.of(TaskForm.FormOption.choice(
                PostingOptions.ON_ERRORS, "If some lines are wrong", "", PostingOptions.OnErrors.REJECT_FILE.value(),
                new TaskForm.Choice(PostingOptions.OnErrors.REJECT_FILE.value(),
                        "post nothing: the file is posted whole or not at all"),
                new TaskForm.Choice(PostingOptions.OnErrors.POST_VALID_DOCUMENTS.value(),
                        "post the documents without errors, refuse the others"))),
                new TaskForm.CheckFirst(PostingOptions.CHECK_ONLY, "true", "Check the file", "Post this file"));
    }

    static TaskForm validateForm() {
        return new TaskForm("Check a ledger file against the rules", FILE_HELP
                + " Each line is checked on its own and each document must balance; nothing is posted.", FILES, List.of(), null);
    }

    /** A {@code ledger.validate} result, or a {@code ledger.post} check's. */
    static Optional<ResultSummary> check(JsonObject result, boolean confirmable) {
        if (!result.containsKey("valid") || !result.containsKey("lineCount")) {
            return Optional.empty();
        }
        int lines = result.getInt("lineCount");
        ResultSummary summary;
        if (result.getBoolean("valid")) {
            summary = ResultSummary.of("The file is valid: " + count(lines, "line", "lines") + ".");
        } else {
            summary = ResultSummary.problem("The file has errors: " + wrong(result) + ".");
        }
        return Optional.of(summary.withNotes(notes(result)).withFigures(figures(result)).confirmable(confirmable));
    }

    /** A {@code ledger.post} result: a check, or a posting. */
    static Optional<ResultSummary> posting(JsonObject result) {
        if (!result.containsKey("status") || !result.containsKey("postedLineCount") || !result.containsKey("lineCount")) {
            return Optional.empty();
        }
        String status = result.getString("status");
        if (status.equals(LedgerPostHandler.CHECKED)) {
            boolean postValid = PostingOptions.OnErrors.POST_VALID_DOCUMENTS.value().equals(result.getString(PostingOptions.ON_ERRORS, ""));
            int postable = result.getInt(LedgerPostHandler.POSTABLE_DOCUMENTS, 0);
            boolean valid = result.getBoolean("valid", false);
            Optional<ResultSummary> checked = check(result, valid || postValid && postable > 0);
            if (!valid && postValid) {
                String note = postable == 0 ? "No document is without errors: posting would post nothing."
                        : count(postable, "document is", "documents are") + " without errors and can be posted; the others are refused.";
                checked = checked.map(summary -> summary.withNotes(concat(summary.notes(), note)));
            }
            return checked;
        }
        int postedLines = result.getInt("postedLineCount");
        String posted = count(result.getInt("postedDocumentCount"), "document", "documents") + ", "
                + count(postedLines, "line", "lines") + " posted";
        ResultSummary summary;
        if (status.equals(LedgerPostHandler.POSTED)) {
            List<String> currencies = currencies(result);
            summary = ResultSummary.of(posted + (currencies.size() == 1
                    ? "; debit and credit " + currencies.get(0) + " " + amount(new BigDecimal(result.getString("totalDebit"))) + " each."
                    : currencies.isEmpty() ? "." : " in " + currencies.size() + " currencies; their accounts balance."));
        } else if (status.equals(LedgerPostHandler.REJECTED)) {
            summary = ResultSummary.problem("Nothing posted: " + wrong(result) + ".");
        } else {
            summary = ResultSummary.problem(posted + "; " + count(result.getInt("lineCount") - postedLines, "line", "lines")
                    + " refused: " + wrong(result) + ".");
        }
        return Optional.of(summary.withNotes(notes(result)).withFigures(figures(result)));
    }

    private static String[] concat(List<String> notes, String note) {
        List<String> all = new ArrayList<>(notes);
        all.add(note);
        return all.toArray(String[]::new);
    }

    /** "3 of 4 lines are wrong", or the documents that do not balance. */
    private static String wrong(JsonObject result) {
        int invalid = result.getInt("invalidLineCount", 0);
        int unbalanced = result.getInt("unbalancedDocumentCount", 0);
        List<String> parts = new ArrayList<>();
        if (invalid > 0) {
            parts.add(count(invalid) + " of " + count(result.getInt("lineCount")) + (invalid == 1 ? " lines is wrong" : " lines are wrong"));
        }
        if (unbalanced > 0) {
            parts.add(count(unbalanced, "document does", "documents do") + " not balance");
        }
        return parts.isEmpty() ? "some lines are wrong" : String.join("; ", parts);
    }

    private static String[] notes(JsonObject result) {
        int errors = result.getInt("errorCount", 0);
        int listed = result.getInt("errorsListed", errors);
        if (errors > listed) {
            return new String[] {"The first " + count(listed) + " of " + count(errors) + " errors are listed here; "
                    + "the CSV has every one."};
        }
        return new String[0];
    }

    /**
     * The figures: lines, and the debit and credit of the valid lines, of a file in one currency
     * only (sums across currencies mean nothing). Of a file that was not posted whole, the amounts
     * are those of its valid lines, as the labels say, not of what was posted.
     */
    private static Figure[] figures(JsonObject result) {
        List<Figure> figures = new ArrayList<>();
        figures.add(new Figure("Lines", count(result.getInt("lineCount"))));
        if (result.containsKey("invalidLineCount")) {
            figures.add(new Figure("Wrong lines", count(result.getInt("invalidLineCount"))));
        }
        if (result.containsKey("documentCount")) {
            figures.add(new Figure("Documents", count(result.getInt("documentCount"))));
        }
        List<String> currencies = currencies(result);
        if (currencies.size() == 1 && result.containsKey("totalDebit")) {
            String of = result.getBoolean("valid", false) ? "" : " of the valid lines";
            figures.add(new Figure("Debit" + of + " (" + currencies.get(0) + ")", amount(new BigDecimal(result.getString("totalDebit")))));
            figures.add(new Figure("Credit" + of + " (" + currencies.get(0) + ")", amount(new BigDecimal(result.getString("totalCredit")))));
        } else if (currencies.size() > 1) {
            figures.add(new Figure("Currencies", String.join(", ", currencies)));
        }
        return figures.toArray(Figure[]::new);
    }

    /** The currencies of the file's valid lines; none in a result written before they were kept. */
    private static List<String> currencies(JsonObject result) {
        return result.containsKey("currencies") ? result.getJsonArray("currencies").getValuesAs(JsonString::getString) : List.of();
    }
}
