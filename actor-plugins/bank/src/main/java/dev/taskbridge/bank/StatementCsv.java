package dev.taskbridge.bank;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import dev.taskbridge.plugin.FieldProblem;
import dev.taskbridge.plugin.InvalidPayloadException;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Reads a bank statement exported as CSV (RFC 4180, UTF-8): a header row naming the columns
 * {@code bookingDate, amount, currency, counterparty, reference} in any order, then one incoming
 * payment per row. A file with any bad row is refused whole, each bad field named.
 */
final class StatementCsv {

    static final List<String> COLUMNS = List.of("bookingDate", "amount", "currency", "counterparty", "reference");
    /** Problems listed at most; the count says how many more there were. */
    static final int MAX_PROBLEMS = 100;
    static final int MAX_TEXT = 140;

    private StatementCsv() {
    }

    static List<StatementLine> read(String text) throws InvalidPayloadException {
        CSVFormat format = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).setIgnoreEmptyLines(true)
                .setTrim(true).get();
        List<FieldProblem> problems = new ArrayList<>();
        List<StatementLine> lines = new ArrayList<>();
        int bad = 0;
        try (CSVParser parser = CSVParser.parse(new StringReader(text), format)) {
            Set<String> header = parser.getHeaderMap().keySet();
            List<String> missing = COLUMNS.stream().filter(column -> !header.contains(column)).toList();
            if (!missing.isEmpty()) {
                throw new InvalidPayloadException("header", "lacks the column(s) " + missing + "; it needs " + COLUMNS);
            }
            for (CSVRecord row : parser) {
                // the file's line the row ends on (blank lines and line breaks in quotes counted), as a clerk sees it
                int lineNo = (int) parser.getCurrentLineNumber();
                List<FieldProblem> rowProblems = new ArrayList<>();
                StatementLine line = line(row, lineNo, rowProblems);
                if (rowProblems.isEmpty()) {
                    lines.add(line);
                } else {
                    bad++;
                    rowProblems.stream().limit(Math.max(0, MAX_PROBLEMS - problems.size())).forEach(problems::add);
                }
            }
        } catch (IOException | UncheckedIOException | IllegalStateException | IllegalArgumentException e) {
            // a quote left open, a header named twice: commons-csv says where
            throw new InvalidPayloadException("body", "is not CSV with a header row: " + e.getMessage());
        }
        if (bad > 0) {
            if (problems.size() == MAX_PROBLEMS) {
                problems.add(new FieldProblem("body", bad + " line(s) are wrong in all; the first " + MAX_PROBLEMS
                        + " problems are listed"));
            }
            throw new InvalidPayloadException(problems);
        }
        if (lines.isEmpty()) {
            throw new InvalidPayloadException("body", "has no payments");
        }
        return List.copyOf(lines);
    }

    private static StatementLine line(CSVRecord row, int lineNo, List<FieldProblem> problems) {
        if (!row.isConsistent()) {
            problems.add(new FieldProblem("line " + lineNo, "has " + row.size() + " fields; the header names "
                    + row.getParser().getHeaderNames().size()));
            return null;
        }
        String where = "line " + lineNo + ".";
        LocalDate date = null;
        try {
            date = LocalDate.parse(row.get("bookingDate"));
        } catch (DateTimeParseException e) {
            problems.add(new FieldProblem(where + "bookingDate", "must be a day as yyyy-MM-dd, was '" + row.get("bookingDate") + "'"));
        }
        BigDecimal amount = StatementLine.amount(row.get("amount"), where + "amount", problems);
        String currency = StatementLine.currency(row.get("currency"), where + "currency", problems);
        String counterparty = row.get("counterparty");
        String reference = row.get("reference");
        if (counterparty.length() > MAX_TEXT) {
            problems.add(new FieldProblem(where + "counterparty", "must have at most " + MAX_TEXT + " characters"));
        }
        if (reference.length() > MAX_TEXT) {
            problems.add(new FieldProblem(where + "reference", "must have at most " + MAX_TEXT + " characters"));
        }
        return new StatementLine(lineNo, date, amount, currency, counterparty, reference);
    }
}
