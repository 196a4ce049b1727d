package dev.taskbridge.ledger;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.taskbridge.plugin.InvalidPayloadException;
import dev.taskbridge.plugin.Payload;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Reads a ledger file sent as CSV ({@code text/csv}, RFC 4180, UTF-8) into a {@link LedgerFile},
 * checking its shape only, as {@link LedgerJsonReader} does for JSON.
 *
 * <p>The first record is the header: the JSON field names ({@code documentNumber, postingDate,
 * accountCode, costCenter, debit, credit, currency, description}) in any order; {@code costCenter}
 * and {@code description} may be left out. Fields may be quoted (with commas, quotes doubled, line
 * breaks inside). An empty field is a missing value, for validation to report. Line numbers count
 * the lines after the header from 1, as for JSON; in the file, line N is on row N + 1.
 */
final class LedgerCsvReader {

    static final String HEADER = "header";
    static final Set<LedgerColumn> OPTIONAL = EnumSet.of(LedgerColumn.COST_CENTER, LedgerColumn.DESCRIPTION);

    private static final CSVFormat FORMAT = CSVFormat.RFC4180.builder().setIgnoreEmptyLines(true).get();

    private LedgerCsvReader() {
    }

    static LedgerFile read(Payload payload) throws InvalidPayloadException {
        String text = PayloadText.utf8(payload.body());
        if (text.isBlank()) {
            throw new InvalidPayloadException(PayloadText.BODY, "must not be empty");
        }
        PayloadProblems problems = new PayloadProblems();
        List<LedgerLine> lines = new ArrayList<>();
        try (CSVParser parser = FORMAT.parse(new StringReader(text))) {
            List<LedgerColumn> columns = null;
            int count = 0;
            for (CSVRecord record : parser) {
                if (columns == null) {
                    columns = readHeader(record, problems);
                    continue;
                }
                count++;
                if (count <= LedgerFile.MAX_LINES) {
                    readLine(record, count, columns, problems).ifPresent(lines::add);
                }
            }
            if (count == 0) {
                problems.add(LedgerJsonReader.LINES, "must not be empty: the file has a header and no lines");
            } else if (count > LedgerFile.MAX_LINES) {
                problems.add(LedgerJsonReader.LINES, "must have at most " + LedgerFile.MAX_LINES + " lines (found " + count + ")");
            }
        } catch (UncheckedIOException | IllegalStateException | IOException e) {
            // commons-csv reports a broken quote or a stray character this way
            problems.add(PayloadText.BODY, "is not valid CSV: " + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()));
        }
        if (problems.any()) {
            throw new InvalidPayloadException(problems.list());
        }
        return new LedgerFile(lines);
    }

    /** The columns in header order; a header with problems yields the columns it could name. */
    private static List<LedgerColumn> readHeader(CSVRecord header, PayloadProblems problems) {
        List<LedgerColumn> columns = new ArrayList<>();
        Set<LedgerColumn> seen = EnumSet.noneOf(LedgerColumn.class);
        for (String name : header) {
            Optional<LedgerColumn> known = LedgerColumn.byName(name.strip());
            if (known.isEmpty()) {
                problems.add(HEADER, "'" + name + "' is not a known column");
                columns.add(null);
            } else if (!seen.add(known.get())) {
                problems.add(HEADER, "'" + name + "' appears more than once");
                columns.add(null);
            } else {
                columns.add(known.get());
            }
        }
        for (LedgerColumn column : LedgerColumn.values()) {
            if (!seen.contains(column) && !OPTIONAL.contains(column)) {
                problems.add(HEADER, "misses the column '" + column.columnName() + "'");
            }
        }
        return columns;
    }

    private static Optional<LedgerLine> readLine(CSVRecord record, int lineNumber, List<LedgerColumn> columns,
                                                 PayloadProblems problems) {
        if (record.size() != columns.size()) {
            problems.add(path(lineNumber), "has " + record.size() + " fields, the header has " + columns.size());
            return Optional.empty();
        }
        Map<LedgerColumn, String> values = new EnumMap<>(LedgerColumn.class);
        for (int i = 0; i < columns.size(); i++) {
            String value = record.get(i);
            if (columns.get(i) != null && !value.isEmpty()) {
                values.put(columns.get(i), value);
            }
        }
        return Optional.of(LedgerLine.of(lineNumber, values));
    }

    private static String path(int lineNumber) {
        return "line " + lineNumber;
    }
}
