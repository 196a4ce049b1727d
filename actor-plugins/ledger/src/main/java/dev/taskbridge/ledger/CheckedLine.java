package dev.taskbridge.ledger;

import java.math.BigDecimal;
import java.util.List;

/**
 * A line after validation: either its amounts, ready to add up, or the rules it broke.
 *
 * @param line   the line as submitted
 * @param debit  the debit as a number with scale at most 2; {@code null} when the line is invalid
 * @param credit the credit, likewise
 * @param errors every rule the line broke, in column order; empty when the line is valid
 */
record CheckedLine(LedgerLine line, BigDecimal debit, BigDecimal credit, List<LineError> errors) {

    CheckedLine {
        errors = List.copyOf(errors);
        if (errors.isEmpty() && (debit == null || credit == null)) {
            throw new IllegalArgumentException("a valid line needs both amounts");
        }
    }

    boolean isValid() {
        return errors.isEmpty();
    }
}
