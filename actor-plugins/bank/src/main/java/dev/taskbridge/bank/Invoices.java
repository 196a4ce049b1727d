package dev.taskbridge.bank;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The open invoices a statement's payments are matched to ({@code bank_invoice}), and the payments
 * as matched ({@code bank_payment}), in the database of the engine's transactions: a chunk's
 * matches commit with its record, once.
 *
 * <p>A payment that repeats one of an earlier statement (same day, amount, currency, payer and
 * reference, as often as before) is a {@code DUPLICATE} and pays nothing. Otherwise it pays an open
 * invoice that its reference names (a number such as {@code INV-1003} or {@code RE-2026-0001},
 * any case) with its amount and currency; failing that, the one open invoice of exactly its amount
 * and currency, if there is exactly one and no payment of the statement names it. Anything else is
 * left for a clerk, with the reason.
 */
final class Invoices {

    /** An invoice number as payers write it in a reference: letters and digits in parts joined by dashes. */
    static final Pattern INVOICE_NUMBER = Pattern.compile("\\b([A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+)\\b");

    /** What became of a payment. */
    enum Outcome {
        MATCHED("Matched by invoice number"),
        MATCHED_BY_AMOUNT("Matched by amount"),
        ALREADY_PAID("Invoice already paid"),
        AMOUNT_DIFFERS("Amount differs"),
        DUPLICATE("Repeats an earlier statement"),
        UNMATCHED("No invoice found");

        private final String label;

        Outcome(String label) {
            this.label = label;
        }

        /** How a clerk reads it. */
        String label() {
            return label;
        }
    }

    /** A payment as matched: the invoice it paid or named, if any. */
    record Match(StatementLine line, String invoiceNumber, Outcome outcome) {
    }

    private Invoices() {
    }

    /** The invoice numbers a reference names, in its order. */
    static Set<String> named(String reference) {
        Set<String> numbers = new LinkedHashSet<>();
        Matcher matcher = INVOICE_NUMBER.matcher(reference.toUpperCase(Locale.ROOT));
        while (matcher.find()) {
            numbers.add(matcher.group(1));
        }
        return numbers;
    }

    /**
     * Makes the tables if they are not there; outside any chunk's transaction. On a server that is
     * not the production one, also the demo's open invoices (INV-1001 to INV-1020), each once.
     */
    static void makeTables(Connection connection, boolean demoInvoices) throws SQLException {
        try (java.sql.Statement ddl = connection.createStatement()) {
            ddl.execute("CREATE TABLE IF NOT EXISTS bank_invoice (number VARCHAR(30) NOT NULL PRIMARY KEY,"
                    + " customer VARCHAR(140) NOT NULL, amount NUMERIC(15, 2) NOT NULL, currency VARCHAR(3) NOT NULL,"
                    + " paid_by_task VARCHAR(36), paid_line INT)");
            ddl.execute("CREATE TABLE IF NOT EXISTS bank_payment (task_id VARCHAR(36) NOT NULL, line_no INT NOT NULL,"
                    + " booking_date DATE NOT NULL, amount NUMERIC(15, 2) NOT NULL, currency VARCHAR(3) NOT NULL,"
                    + " counterparty VARCHAR(140) NOT NULL, reference VARCHAR(140) NOT NULL, invoice_number VARCHAR(30),"
                    + " outcome VARCHAR(20) NOT NULL, PRIMARY KEY (task_id, line_no))");
            ddl.execute("CREATE INDEX IF NOT EXISTS bank_payment_content_idx ON bank_payment (booking_date, amount)");
        }
        if (!demoInvoices) {
            return;
        }
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

    /**
     * Matches a chunk's payments and records each, on the chunk's connection. Reads only the
     * database and the statement, so a chunk run again after a crash matches as its first run did.
     */
    static List<Match> matchAll(Connection connection, String taskId, Statement statement, int chunk) throws SQLException {
        // every number the statement names, kept from matches by amount; and how often each
        // payment came before this chunk in the statement, to tell a repeat of an earlier statement
        Set<String> namedInStatement = new LinkedHashSet<>();
        statement.lines().forEach(line -> namedInStatement.addAll(named(line.reference())));
        List<StatementLine> lines = statement.chunk(chunk);
        List<Integer> occurrences = statement.occurrences(chunk);
        List<Match> matches = new ArrayList<>(lines.size());
        try (PreparedStatement earlier = connection.prepareStatement("SELECT COUNT(*) FROM bank_payment WHERE booking_date = ?"
                     + " AND amount = ? AND currency = ? AND counterparty = ? AND reference = ? AND task_id <> ?");
             PreparedStatement invoice = connection.prepareStatement(
                     "SELECT amount, currency, paid_by_task FROM bank_invoice WHERE number = ? FOR UPDATE");
             PreparedStatement byAmount = connection.prepareStatement("SELECT number FROM bank_invoice"
                     + " WHERE paid_by_task IS NULL AND amount = ? AND UPPER(currency) = ? ORDER BY number");
             PreparedStatement pay = connection.prepareStatement(
                     "UPDATE bank_invoice SET paid_by_task = ?, paid_line = ? WHERE number = ? AND paid_by_task IS NULL");
             PreparedStatement record = connection.prepareStatement("INSERT INTO bank_payment (task_id, line_no,"
                     + " booking_date, amount, currency, counterparty, reference, invoice_number, outcome)"
                     + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (int i = 0; i < lines.size(); i++) {
                StatementLine line = lines.get(i);
                Match match = repeatsAnEarlierStatement(earlier, line, taskId, occurrences.get(i))
                        ? new Match(line, null, Outcome.DUPLICATE)
                        : match(line, taskId, namedInStatement, invoice, byAmount, pay);
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

    /** Whether earlier statements hold this payment at least as often as this one has it up to here. */
    private static boolean repeatsAnEarlierStatement(PreparedStatement earlier, StatementLine line, String taskId, int occurrence)
            throws SQLException {
        earlier.setDate(1, Date.valueOf(line.bookingDate()));
        earlier.setBigDecimal(2, line.amount());
        earlier.setString(3, line.currency());
        earlier.setString(4, line.counterparty());
        earlier.setString(5, line.reference());
        earlier.setString(6, taskId);
        try (ResultSet count = earlier.executeQuery()) {
            count.next();
            return count.getLong(1) >= occurrence;
        }
    }

    private static Match match(StatementLine line, String taskId, Set<String> namedInStatement, PreparedStatement invoice,
                               PreparedStatement byAmount, PreparedStatement pay) throws SQLException {
        Match firstProblem = null;
        for (String number : named(line.reference())) {
            invoice.setString(1, number);
            try (ResultSet found = invoice.executeQuery()) {
                if (!found.next()) {
                    continue; // not one of ours: perhaps the payer's own number
                }
                Outcome problem = found.getString("paid_by_task") != null ? Outcome.ALREADY_PAID
                        : found.getBigDecimal("amount").compareTo(line.amount()) != 0
                        || !found.getString("currency").equalsIgnoreCase(line.currency()) ? Outcome.AMOUNT_DIFFERS : null;
                if (problem != null) {
                    firstProblem = firstProblem != null ? firstProblem : new Match(line, number, problem);
                    continue; // another number in the same reference may be the one it pays
                }
            }
            if (paid(pay, number, taskId, line)) {
                return new Match(line, number, Outcome.MATCHED);
            }
            firstProblem = firstProblem != null ? firstProblem : new Match(line, number, Outcome.ALREADY_PAID);
        }
        if (firstProblem != null) {
            return firstProblem;
        }
        byAmount.setBigDecimal(1, line.amount());
        byAmount.setString(2, line.currency());
        List<String> candidates = new ArrayList<>();
        try (ResultSet open = byAmount.executeQuery()) {
            while (open.next()) {
                if (!namedInStatement.contains(open.getString(1))) {
                    candidates.add(open.getString(1));
                }
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
