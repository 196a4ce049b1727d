package dev.taskbridge.bank;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;

import dev.taskbridge.plugin.FieldProblem;

/**
 * One incoming payment of a bank statement.
 *
 * @param lineNo    its line in the file, counted from 1 with the header
 * @param reference the payer's remittance text, where an invoice number usually is
 */
public record StatementLine(int lineNo, LocalDate bookingDate, BigDecimal amount, String currency, String counterparty,
                            String reference) {

    /** A payment's amount: positive, at most 2 decimals and 13 digits before them; else null, with the problem named. */
    static BigDecimal amount(String text, String field, List<FieldProblem> problems) {
        try {
            BigDecimal amount = new BigDecimal(text == null ? "" : text.strip());
            if (amount.signum() > 0 && amount.scale() <= 2 && amount.precision() - amount.scale() <= 13) {
                return amount.setScale(2);
            }
            problems.add(new FieldProblem(field, "must be a positive amount with at most 2 decimals, was '" + text + "'"));
        } catch (NumberFormatException e) {
            problems.add(new FieldProblem(field, "must be a number such as 120.50, was '" + text + "'"));
        }
        return null;
    }

    /** A currency: three letters (ISO 4217), in upper case; else null, with the problem named. */
    static String currency(String text, String field, List<FieldProblem> problems) {
        String currency = text == null ? "" : text.strip().toUpperCase(Locale.ROOT);
        if (currency.matches("[A-Z]{3}")) {
            return currency;
        }
        problems.add(new FieldProblem(field, "must be three letters (ISO 4217), was '" + text + "'"));
        return null;
    }
}
