package dev.taskbridge.bank;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The open invoices a statement's payments are matched to ({@code bank_invoice}), and the payments
 * as matched ({@code bank_payment}), in the database of the engine's transactions: a chunk's
 * matches commit with its record, once.
 *
 * <p>A payment pays the invoice its reference names (a token such as {@code INV-1001}) when the
 * amount and currency are the invoice's; failing a name, the one open invoice of exactly its amount
 * and currency, if there is exactly one. Anything else is left for a clerk, with the reason.
 */
final class Invoices {

    /** An invoice number as payers write them in a reference: letters, a dash, digits. */
    static final Pattern INVOICE_NUMBER = Pattern.compile("\\b([A-Z]{2,6}-\\d{1,12})\\b");

    /** What became of a payment. */
    enum Outcome { MATCHED, MATCHED_BY_AMOUNT, ALREADY_PAID, AMOUNT_DIFFERS, UNMATCHED }

    /** A payment as matched: the invoice it paid or named, if any. */
    record Match(StatementLine line, String invoiceNumber, Outcome outcome) {
    }

    private Invoices() {
    }

    /** Makes the tables if they are not there, with the demo's open invoices; outside any chunk's transaction. */
    static void makeTables(Connection connection) throws SQLException {
        try (Statement ddl = connection.createStatement()) {
            ddl.execute("CREATE TABLE IF NOT EXISTS bank_invoice (number VARCHAR(20) NOT NULL PRIMARY KEY,"
                    + " customer VARCHAR(140) NOT NULL, amount NUMERIC(15, 2) NOT NULL, currency VARCHAR(3) NOT NULL,"
                    + " paid_by_task VARCHAR(36), paid_line INT)");
            ddl.execute("CREATE TABLE IF NOT EXISTS bank_payment (task_id VARCHAR(36) NOT NULL, line_no INT NOT NULL,"
                    + " booking_date DATE NOT NULL, amount NUMERIC(15, 2) NOT NULL, currency VARCHAR(3) NOT NULL,"
                    + " counterparty VARCHAR(140) NOT NULL, reference VARCHAR(140) NOT NULL, invoice_number VARCHAR(20),"
                    + " outcome VARCHAR(20) NOT NULL, PRIMARY KEY (task_id, line_no))");
        }
        // The demo's open invoices (INV-1001 to INV-1020), made once; a real office loads its own.
        try (PreparedStatement demo = connection.prepareStatement("INSERT INTO bank_invoice (number, customer, amount, currency)"
                + " SELECT ?, ?, ?, 'EUR' WHERE NOT EXISTS (SELECT 1 FROM bank_invoice WHERE number = ?)")) {
            for (int i = 1; i <= 20; i++) {
                String number = "INV-" + (1000 + i);
                demo.setString(1, number);
                demo.setString(2, "Customer " + i);
                demo.setBigDecimal(3, new BigDecimal("100.00").add(new BigDecimal("10.50").multiply(BigDecimal.valueOf(i))));
                demo.setString(4, number);
                demo.addBatch();
            }
            demo.executeBatch();
        }
    }

    /** Matches the payments and records each, on the chunk's connection. */
    static List<Match> matchAll(Connection connection, String taskId, List<StatementLine> lines) throws SQLException {
        List<Match> matches = new ArrayList<>(lines.size());
        try (PreparedStatement named = connection.prepareStatement(
                     "SELECT amount, currency, paid_by_task FROM bank_invoice WHERE number = ? FOR UPDATE");
             PreparedStatement byAmount = connection.prepareStatement("SELECT number FROM bank_invoice"
                     + " WHERE paid_by_task IS NULL AND amount = ? AND currency = ? ORDER BY number FETCH FIRST 2 ROWS ONLY");
             PreparedStatement pay = connection.prepareStatement(
                     "UPDATE bank_invoice SET paid_by_task = ?, paid_line = ? WHERE number = ? AND paid_by_task IS NULL");
             PreparedStatement record = connection.prepareStatement("INSERT INTO bank_payment (task_id, line_no,"
                     + " booking_date, amount, currency, counterparty, reference, invoice_number, outcome)"
                     + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (StatementLine line : lines) {
                Match match = match(line, taskId, named, byAmount, pay);
                record.setString(1, taskId);
                record.setInt(2, line.lineNo());
                record.setDate(3, Date.valueOf(line.bookingDate()));
                record.setBigDecimal(4, line.amount());
                record.setString(5, line.currency());
                record.setString(6, line.counterparty());
                record.setString(7, line.reference());
                record.setString(8, match.invoiceNumber());
                record.setString(9, match.outcome().name());
                record.addBatch();
                matches.add(match);
            }
            record.executeBatch();
        }
        return matches;
    }

    private static Match match(StatementLine line, String taskId, PreparedStatement named, PreparedStatement byAmount,
                               PreparedStatement pay) throws SQLException {
        Matcher numbers = INVOICE_NUMBER.matcher(line.reference().toUpperCase(java.util.Locale.ROOT));
        while (numbers.find()) {
            String number = numbers.group(1);
            named.setString(1, number);
            try (ResultSet invoice = named.executeQuery()) {
                if (!invoice.next()) {
                    continue; // not one of ours: perhaps the payer's own number
                }
                if (invoice.getString("paid_by_task") != null) {
                    return new Match(line, number, Invoices.Outcome.ALREADY_PAID);
                }
                if (invoice.getBigDecimal("amount").compareTo(line.amount()) != 0
                        || !invoice.getString("currency").equals(line.currency())) {
                    return new Match(line, number, Invoices.Outcome.AMOUNT_DIFFERS);
                }
            }
            return new Match(line, number, paid(pay, number, taskId, line) ? Outcome.MATCHED : Outcome.ALREADY_PAID);
        }
        byAmount.setBigDecimal(1, line.amount());
        byAmount.setString(2, line.currency());
        List<String> candidates = new ArrayList<>(2);
        try (ResultSet open = byAmount.executeQuery()) {
            while (open.next()) {
                candidates.add(open.getString(1));
            }
        }
        if (candidates.size() == 1 && paid(pay, candidates.get(0), taskId, line)) {
            return new Match(line, candidates.get(0), Outcome.MATCHED_BY_AMOUNT);
        }
        return new Match(line, null, Outcome.UNMATCHED);
    }

    private static boolean paid(PreparedStatement pay, String number, String taskId, StatementLine line) throws SQLException {
        pay.setString(1, taskId);
        pay.setInt(2, line.lineNo());
        pay.setString(3, number);
        return pay.executeUpdate() == 1;
    }
}
