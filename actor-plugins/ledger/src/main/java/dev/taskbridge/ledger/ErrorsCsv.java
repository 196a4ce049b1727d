package dev.taskbridge.ledger;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;

import dev.taskbridge.plugin.FinishedTask;
import dev.taskbridge.plugin.ResultErrors;
import dev.taskbridge.plugin.ResultExport;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * {@code errors.csv}: every error of a ledger check, as CSV (RFC 4180, UTF-8 with a byte order
 * mark, so that spreadsheets read it as UTF-8), one row per error, in report order: the list a
 * clerk works through to correct the file. A report lists the first
 * {@value LedgerReport#MAX_LISTED_ERRORS} errors of a file; the file has the rest too, found again
 * by {@link LedgerErrors}.
 *
 * <p>Values echo what the clerk's file held, so a cell that a spreadsheet would run as a formula
 * ({@code =}, {@code +}, {@code -}, {@code @}, tab or carriage return first) is written with a
 * leading apostrophe: opening the file never runs anything.
 */
final class ErrorsCsv<P> implements ResultExport {

    static final String NAME = "errors.csv";

    private static final CSVFormat FORMAT = CSVFormat.RFC4180.builder().setHeader("line", "field", "value", "reason").get();

    /** Characters written to the response at a time. */
    private static final int BUFFER_CHARS = 64 * 1024;

    private final ResultErrors<P> errors;

    /** @param errors the task type's errors, all of them */
    ErrorsCsv(ResultErrors<P> errors) {
        this.errors = errors;
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
        return "every error, one row each (line, field, value, reason)";
    }

    /** Only for a file that had errors: a file without any has nothing to correct. */
    @Override
    public boolean offeredFor(String result) {
        return JsonSupport.readObject(result).getInt("errorCount", 0) > 0;
    }

    /**
     * Every error, written as it is found again: the file is never in memory, whatever its size.
     * When the result lists every error, they are written in one walk over the result (nothing to
     * find again, nothing that could refuse the file). Otherwise the errors are walked once first,
     * keeping nothing, so that errors that cannot be found again as the check found them refuse the
     * file before its first byte is sent: whether they add up to the report's count is known only
     * at the end, so checking and writing cannot be one walk without writing a file that is then
     * refused, or holding it whole. Both walks run within the server's bulkhead around re-checks.
     */
    @Override
    @SuppressWarnings("unchecked")
    public Body prepare(FinishedTask<?> finished) throws Exception {
        FinishedTask<P> task = (FinishedTask<P>) finished;
        boolean allListed = errors.listed(task.result()).map(ResultErrors.Listed::complete).orElse(false);
        if (!allListed) {
            errors.forEach(task, error -> { });
        }
        return out -> {
            Writer text = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), BUFFER_CHARS);
            text.write('\uFEFF');
            CSVPrinter csv = new CSVPrinter(text, FORMAT);
            errors.forEach(task, error -> {
                try {
                    csv.printRecord(error.line(), error.field(), error.value() == null ? "" : ResultExport.inert(error.value()),
                            ResultExport.inert(error.reason()));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            csv.flush(); // not closed: the stream is the response's
        };
    }
}
