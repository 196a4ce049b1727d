package dev.taskbridge.ledger;

import java.util.Optional;
import java.util.function.Function;

/**
 * The columns of a ledger line, in the order errors are reported. The names are the JSON field
 * names and, for CSV, the header names, so both readers map input to lines the same way.
 */
public enum LedgerColumn {

    DOCUMENT_NUMBER("documentNumber", LedgerLine::documentNumber),
    POSTING_DATE("postingDate", LedgerLine::postingDate),
    ACCOUNT_CODE("accountCode", LedgerLine::accountCode),
    COST_CENTER("costCenter", LedgerLine::costCenter),
    DEBIT("debit", LedgerLine::debit),
    CREDIT("credit", LedgerLine::credit),
    CURRENCY("currency", LedgerLine::currency),
    DESCRIPTION("description", LedgerLine::description);

    private final String columnName;
    private final Function<LedgerLine, String> accessor;

    LedgerColumn(String columnName, Function<LedgerLine, String> accessor) {
        this.columnName = columnName;
        this.accessor = accessor;
    }

    /** The name used in JSON payloads, CSV headers and reports, e.g. {@code documentNumber}. */
    public String columnName() {
        return columnName;
    }

    /** This column's raw value in {@code line}; {@code null} when the line has none. */
    public String valueIn(LedgerLine line) {
        return accessor.apply(line);
    }

    /** Whether this column holds money; only these may be given as JSON numbers. */
    public boolean isAmount() {
        return this == DEBIT || this == CREDIT;
    }

    /** The column with this exact (case-sensitive) name. */
    public static Optional<LedgerColumn> byName(String name) {
        for (LedgerColumn column : values()) {
            if (column.columnName.equals(name)) {
                return Optional.of(column);
            }
        }
        return Optional.empty();
    }
}
