package dev.taskbridge.ledger;

import java.util.Map;

/**
 * One accounting line exactly as it was submitted, before any rule is applied. Values are kept as
 * raw text so that the report can echo what the clerk wrote and so that JSON and CSV input end up
 * in the same model; {@code null} means the value was missing (or JSON {@code null}).
 *
 * @param lineNumber     position in the file counting from 1; the JSON path of this line is
 *                       {@code lines[lineNumber - 1]}
 * @param documentNumber the voucher or document the line belongs to
 * @param postingDate    the posting date, expected as {@code yyyy-MM-dd}
 * @param accountCode    the general-ledger account
 * @param costCenter     the cost center, optional
 * @param debit          the debit amount, optional; empty or missing counts as zero
 * @param credit         the credit amount, optional; empty or missing counts as zero
 * @param currency       the ISO 4217 currency code
 * @param description    free text, optional
 */
public record LedgerLine(
        int lineNumber,
        String documentNumber,
        String postingDate,
        String accountCode,
        String costCenter,
        String debit,
        String credit,
        String currency,
        String description) {

    public LedgerLine {
        if (lineNumber < 1) {
            throw new IllegalArgumentException("line numbers count from 1, got " + lineNumber);
        }
    }

    /** A line from column values as a reader collected them; absent columns are missing. */
    public static LedgerLine of(int lineNumber, Map<LedgerColumn, String> values) {
        return new LedgerLine(
                lineNumber,
                values.get(LedgerColumn.DOCUMENT_NUMBER),
                values.get(LedgerColumn.POSTING_DATE),
                values.get(LedgerColumn.ACCOUNT_CODE),
                values.get(LedgerColumn.COST_CENTER),
                values.get(LedgerColumn.DEBIT),
                values.get(LedgerColumn.CREDIT),
                values.get(LedgerColumn.CURRENCY),
                values.get(LedgerColumn.DESCRIPTION));
    }
}
