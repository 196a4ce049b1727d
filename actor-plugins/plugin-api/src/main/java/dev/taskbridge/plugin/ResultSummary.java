package dev.taskbridge.plugin;

import java.math.BigDecimal;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A finished task's result as a clerk would say it: "2,500 documents, 5,000 lines posted; debit
 * and credit 11,407,254.03 each", the figures it stands on, and whether it needs attention. Made
 * by {@link TaskType#summary(String)} from the result document; the pages show it above the
 * document's details.
 *
 * @param headline    one sentence
 * @param notes       further sentences, each worth reading, e.g. that only the first errors are listed
 * @param figures     labelled values, formatted as the clerk reads them
 * @param problem     the result asks for the clerk's attention: a file refused, payments unmatched
 * @param confirmable for a check ({@link TaskForm.CheckFirst}): what was checked may be confirmed
 */
public record ResultSummary(String headline, List<String> notes, List<Figure> figures, boolean problem,
                            boolean confirmable) {

    public ResultSummary {
        if (headline == null || headline.isBlank()) {
            throw new IllegalArgumentException("a summary has a headline");
        }
        notes = List.copyOf(notes);
        figures = List.copyOf(figures);
    }

    /** A labelled value, e.g. "Debit" and "11,407,254.03". */
    public record Figure(String label, String value) {

        public Figure {
            Objects.requireNonNull(label, "label");
            Objects.requireNonNull(value, "value");
        }
    }

    /** A good outcome said in one sentence. */
    public static ResultSummary of(String headline) {
        return new ResultSummary(headline, List.of(), List.of(), false, false);
    }

    /** An outcome that needs the clerk's attention. */
    public static ResultSummary problem(String headline) {
        return new ResultSummary(headline, List.of(), List.of(), true, false);
    }

    public ResultSummary withNotes(String... newNotes) {
        return new ResultSummary(headline, Arrays.asList(newNotes), figures, problem, confirmable);
    }

    public ResultSummary withFigures(Figure... newFigures) {
        return new ResultSummary(headline, notes, Arrays.asList(newFigures), problem, confirmable);
    }

    /** The same summary, saying whether a check's payload may be confirmed. */
    public ResultSummary confirmable(boolean canConfirm) {
        return new ResultSummary(headline, notes, figures, problem, canConfirm);
    }

    /** A count as it reads in a sentence: {@code 5000} is "5,000". */
    public static String count(long count) {
        return String.format(Locale.ROOT, "%,d", count);
    }

    /** An amount as it reads in a sentence: {@code 11407254.03} is "11,407,254.03", two decimals at least. */
    public static String amount(BigDecimal amount) {
        DecimalFormat format = new DecimalFormat("#,##0.00########", DecimalFormatSymbols.getInstance(Locale.ROOT));
        format.setParseBigDecimal(true);
        return format.format(amount);
    }

    /** A count and its noun, singular or plural: "1 line", "5,000 lines". */
    public static String count(long count, String one, String many) {
        return count(count) + " " + (count == 1 ? one : many);
    }
}
