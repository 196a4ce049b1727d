package dev.taskbridge.bank;

import java.math.BigDecimal;
import java.time.LocalDate;

/**
 * One incoming payment of a bank statement.
 *
 * @param lineNo    its line in the file, counted from 1 with the header
 * @param reference the payer's remittance text, where an invoice number usually is
 */
public record StatementLine(int lineNo, LocalDate bookingDate, BigDecimal amount, String currency, String counterparty,
                            String reference) {
}
