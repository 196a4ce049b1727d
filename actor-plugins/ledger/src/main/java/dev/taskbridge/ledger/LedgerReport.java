package dev.taskbridge.ledger;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.stream.JsonGenerator;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Adds up valid lines per account and per document and collects the errors of invalid lines.
 *
 * <p>One instance serves one chunk ({@link #toChunkData}, stored with the chunk's outcome) and one
 * merges all chunks into the task's result ({@link #addChunkData}, {@link #toResult}). Keeping
 * totals rather than lines in the chunk data keeps the stored history small, and totals add up
 * exactly because amounts are {@link BigDecimal}s with at most two decimals.
 *
 * <p>Accounts and documents are sorted by their codes as text, which keeps hierarchical charts
 * of accounts ({@code 1000}, {@code 10001}, {@code 1001}) in their usual order.
 *
 * <p><b>Bounded, whatever the file.</b> Every error is counted ({@code errorCount}), but only the
 * first {@value #MAX_LISTED_ERRORS} by line are kept and listed ({@code errorsListed}), and the
 * per-document lists stop after {@value #MAX_LISTED_DOCUMENTS} documents with their counts beside
 * them: a file of a hundred thousand junk lines makes a report of some hundred kilobytes, not tens
 * of megabytes held in memory, stored with each chunk and sent with every read of the task. A clerk
 * with that many errors has the wrong file; the first thousand say what is wrong with it.
 */
final class LedgerReport {

    /** Errors listed at most; the rest are counted. */
    static final int MAX_LISTED_ERRORS = 1000;
    /** Documents listed at most, in the per-document totals and among the unbalanced ones; the rest are counted. */
    static final int MAX_LISTED_DOCUMENTS = 5000;

    private static final int SCALE = 2;

    private final Map<String, Totals> accounts = new TreeMap<>();
    private final Map<String, Totals> documents = new TreeMap<>();
    private final List<LineError> errors = new ArrayList<>();
    /** The currencies of the valid lines: the totals add amounts across them, so a reader must know whether there are several. */
    private final Set<String> currencies = new TreeSet<>();
    /** False once a chunk's data from before currencies were kept is added: then which they are is not known, and none is said. */
    private boolean currenciesKnown = true;
    /** Every error found, listed or not. */
    private int errorCount;

    void add(CheckedLine checked) {
        if (checked.isValid()) {
            LedgerLine line = checked.line();
            totals(accounts, line.accountCode()).add(checked.debit(), checked.credit());
            totals(documents, line.documentNumber()).add(checked.debit(), checked.credit());
            currencies.add(line.currency());
        } else {
            for (LineError error : checked.errors()) {
                addError(error);
            }
        }
    }

    private void addError(LineError error) {
        errorCount++;
        if (errors.size() < MAX_LISTED_ERRORS) {
            errors.add(error);
        }
    }

    /** Adds what {@link #toChunkData} wrote for one chunk. */
    void addChunkData(String data) {
        JsonObject chunk = JsonSupport.readObject(data);
        for (JsonValue value : chunk.getJsonArray("accounts")) {
            JsonObject account = value.asJsonObject();
            totals(accounts, account.getString("accountCode")).add(account);
        }
        for (JsonValue value : chunk.getJsonArray("documents")) {
            JsonObject document = value.asJsonObject();
            totals(documents, document.getString("documentNumber")).add(document);
        }
        if (chunk.containsKey("currencies")) {
            chunk.getJsonArray("currencies").getValuesAs(JsonString::getString).forEach(currencies::add);
        } else {
            currenciesKnown = false; // written before currencies were kept, by a task resumed across an upgrade
        }
        JsonArray listed = chunk.getJsonArray("errors");
        for (JsonValue value : listed) {
            if (errors.size() == MAX_LISTED_ERRORS) {
                break;
            }
            JsonObject error = value.asJsonObject();
            LedgerColumn field = LedgerColumn.byName(error.getString("field")).orElseThrow(
                    () -> new IllegalArgumentException("unknown field in chunk data: " + error));
            errors.add(new LineError(error.getInt("line"), field,
                    error.isNull("value") ? null : error.getString("value"), error.getString("reason")));
        }
        // chunk data written before errors were counted lists every error
        errorCount += chunk.containsKey("errorCount") ? chunk.getInt("errorCount") : listed.size();
    }

    /** This chunk's partial report as compact JSON. */
    String toChunkData() {
        StringWriter out = new StringWriter();
        try (JsonGenerator json = JsonSupport.GENERATORS.createGenerator(out)) {
            json.writeStartObject();
            writeAccounts(json);
            json.writeStartArray("documents");
            documents.forEach((number, totals) -> {
                json.writeStartObject().write("documentNumber", number);
                totals.write(json);
                json.writeEnd();
            });
            json.writeEnd();
            writeCurrencies(json);
            writeErrors(json);
            json.writeEnd();
        }
        return out.toString();
    }

    private void writeCurrencies(JsonGenerator json) {
        if (!currenciesKnown) {
            return;
        }
        json.writeStartArray("currencies");
        currencies.forEach(json::write);
        json.writeEnd();
    }

    /** The task's result document. */
    String toResult(int lineCount, int validLineCount, int invalidLineCount) {
        StringWriter out = new StringWriter();
        try (JsonGenerator json = JsonSupport.GENERATORS.createGenerator(out)) {
            json.writeStartObject();
            writeFields(json, lineCount, validLineCount, invalidLineCount, true);
            json.writeEnd();
        }
        return out.toString();
    }

    /**
     * Writes the report into an open JSON object: counts, totals overall and per account, the
     * unbalanced documents, every error and whether the file is valid.
     *
     * @param perDocument also each document's totals, which a large file makes long
     */
    void writeFields(JsonGenerator json, int lineCount, int validLineCount, int invalidLineCount, boolean perDocument) {
        Totals overall = new Totals();
        accounts.values().forEach(overall::add);
        List<String> unbalanced = unbalancedDocuments();
        json.write("lineCount", lineCount)
                .write("validLineCount", validLineCount)
                .write("invalidLineCount", invalidLineCount)
                .write("totalDebit", format(overall.debit))
                .write("totalCredit", format(overall.credit));
        writeCurrencies(json);
        writeAccounts(json);
        if (perDocument) {
            json.write("documentCount", documents.size());
            json.writeStartArray("documents");
            documents.entrySet().stream().limit(MAX_LISTED_DOCUMENTS).forEach(document -> {
                json.writeStartObject().write("documentNumber", document.getKey());
                document.getValue().write(json);
                json.write("balanced", document.getValue().isBalanced()).writeEnd();
            });
            json.writeEnd();
        }
        json.write("unbalancedDocumentCount", unbalanced.size());
        json.writeStartArray("unbalancedDocuments");
        unbalanced.stream().limit(MAX_LISTED_DOCUMENTS).forEach(json::write);
        json.writeEnd();
        // chunks arrive in order, but sorting makes the promised order hold for any reader
        errors.sort(LineError.REPORT_ORDER);
        writeErrors(json);
        json.write("valid", invalidLineCount == 0 && unbalanced.isEmpty());
    }

    /** Documents whose valid lines do not balance, by number. */
    List<String> unbalancedDocuments() {
        List<String> unbalanced = new ArrayList<>();
        documents.forEach((number, totals) -> {
            if (!totals.isBalanced()) {
                unbalanced.add(number);
            }
        });
        return unbalanced;
    }

    private void writeAccounts(JsonGenerator json) {
        json.writeStartArray("accounts");
        accounts.forEach((code, totals) -> {
            json.writeStartObject().write("accountCode", code);
            totals.write(json);
            json.writeEnd();
        });
        json.writeEnd();
    }

    private void writeErrors(JsonGenerator json) {
        json.write("errorCount", errorCount).write("errorsListed", errors.size());
        json.writeStartArray("errors");
        for (LineError error : errors) {
            json.writeStartObject()
                    .write("line", error.line())
                    .write("field", error.field().columnName());
            if (error.value() == null) {
                json.writeNull("value");
            } else {
                json.write("value", error.value());
            }
            json.write("reason", error.reason()).writeEnd();
        }
        json.writeEnd();
    }

    private static Totals totals(Map<String, Totals> byKey, String key) {
        return byKey.computeIfAbsent(key, k -> new Totals());
    }

    private static String format(BigDecimal amount) {
        // amounts never have more than two decimals, so widening the scale never rounds
        return amount.setScale(SCALE, RoundingMode.UNNECESSARY).toPlainString();
    }

    /** Running debit and credit sums. */
    private static final class Totals {

        private BigDecimal debit = BigDecimal.ZERO;
        private BigDecimal credit = BigDecimal.ZERO;

        void add(BigDecimal lineDebit, BigDecimal lineCredit) {
            debit = debit.add(lineDebit);
            credit = credit.add(lineCredit);
        }

        void add(Totals other) {
            add(other.debit, other.credit);
        }

        void add(JsonObject written) {
            add(new BigDecimal(written.getString("debit")), new BigDecimal(written.getString("credit")));
        }

        boolean isBalanced() {
            return debit.compareTo(credit) == 0;
        }

        void write(JsonGenerator json) {
            json.write("debit", format(debit)).write("credit", format(credit));
        }
    }
}
