package dev.taskbridge.ledger;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import dev.taskbridge.plugin.ResultExport;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * {@code errors.csv}: the errors a ledger report lists, as CSV (RFC 4180, UTF-8 with a byte order
 * mark, so that spreadsheets read it as UTF-8), one row per error, in report order: the list a
 * clerk works through to correct the file. A report lists the first
 * {@value LedgerReport#MAX_LISTED_ERRORS} errors of a file; a last row then says how many more
 * there are.
 *
 * <p>Values echo what the clerk's file held, so a cell that a spreadsheet would run as a formula
 * ({@code =}, {@code +}, {@code -}, {@code @}, tab or carriage return first) is written with a
 * leading apostrophe: opening the file never runs anything.
 */
final class ErrorsCsv implements ResultExport {

    static final ErrorsCsv INSTANCE = new ErrorsCsv();

    static final String NAME = "errors.csv";

    private static final CSVFormat FORMAT = CSVFormat.RFC4180.builder().setHeader("line", "field", "value", "reason").get();

    private ErrorsCsv() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String mediaType() {
        return LedgerFiles.CSV;
    }

    @Override
    public String description() {
        return "the errors, one row each (line, field, value, reason); the first 1,000 of a file";
    }

    @Override
    public byte[] render(String result) {
        JsonObject report = JsonSupport.readObject(result);
        StringWriter out = new StringWriter();
        out.write('\uFEFF');
        try (CSVPrinter csv = new CSVPrinter(out, FORMAT)) {
            JsonArray errors = report.getJsonArray("errors");
            for (JsonValue value : errors) {
                JsonObject error = value.asJsonObject();
                csv.printRecord(error.getInt("line"), error.getString("field"),
                        error.isNull("value") ? "" : inert(error.getString("value")), inert(error.getString("reason")));
            }
            int notListed = report.getInt("errorCount", errors.size()) - errors.size();
            if (notListed > 0) {
                csv.printRecord("", "", "", String.format(java.util.Locale.ROOT,
                        "and %,d more errors after these %,d: correct these and check the file again", notListed,
                        errors.size()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The text, defused if a spreadsheet would take it for a formula. */
    static String inert(String text) {
        if (!text.isEmpty() && "=+-@\t\r".indexOf(text.charAt(0)) >= 0) {
            return "'" + text;
        }
        return text;
    }
}
