package dev.taskbridge.ledger;

import java.util.Comparator;
import java.util.Objects;

/**
 * One rule a line broke: what the report lists under {@code errors}.
 *
 * @param line   the 1-based line number
 * @param field  the column the rule is about
 * @param value  the raw value as submitted, cut to {@link #MAX_VALUE_LENGTH} characters;
 *               {@code null} when it was missing
 * @param reason why, in words a clerk understands
 */
record LineError(int line, LedgerColumn field, String value, String reason) {

    /** Longest echoed value, so one huge field cannot bloat the report. */
    static final int MAX_VALUE_LENGTH = 100;

    /** Report order: by line, then by column order. */
    static final Comparator<LineError> REPORT_ORDER =
            Comparator.comparingInt(LineError::line).thenComparing(LineError::field);

    LineError {
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(reason, "reason");
        value = truncate(value);
    }

    static LineError of(LedgerLine line, LedgerColumn field, String reason) {
        return new LineError(line.lineNumber(), field, field.valueIn(line), reason);
    }

    private static String truncate(String value) {
        if (value == null || value.length() <= MAX_VALUE_LENGTH) {
            return value;
        }
        int end = MAX_VALUE_LENGTH;
        // never split a surrogate pair: half a character is not valid text in JSON output
        if (Character.isHighSurrogate(value.charAt(end - 1))) {
            end--;
        }
        return value.substring(0, end);
    }
}
