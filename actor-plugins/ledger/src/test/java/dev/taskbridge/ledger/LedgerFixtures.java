package dev.taskbridge.ledger;

import dev.taskbridge.plugin.ChunkOutcome;
import dev.taskbridge.plugin.Payload;
import dev.taskbridge.plugin.TaskContext;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** Test data that reads as sentences: {@code aLine().debit("10.00")}. */
final class LedgerFixtures {

    private LedgerFixtures() {
    }

    /** A valid debit line of 100.00 EUR on account 1000 in document D1. */
    static LineBuilder aLine() {
        return new LineBuilder();
    }

    static LineBuilder aDebitLine(String documentNumber, String accountCode, String amount) {
        return aLine().documentNumber(documentNumber).accountCode(accountCode).debit(amount).credit("0");
    }

    static LineBuilder aCreditLine(String documentNumber, String accountCode, String amount) {
        return aLine().documentNumber(documentNumber).accountCode(accountCode).debit("0").credit(amount);
    }

    /** A file of these lines, numbered from 1 in the order given. */
    static LedgerFile aFileOf(LineBuilder... lines) {
        return aFileOf(Arrays.asList(lines));
    }

    static LedgerFile aFileOf(List<LineBuilder> lines) {
        List<LedgerLine> numbered = new ArrayList<>(lines.size());
        for (int i = 0; i < lines.size(); i++) {
            numbered.add(lines.get(i).atLine(i + 1));
        }
        return new LedgerFile(numbered);
    }

    /** The JSON payload a client would send for these lines. */
    static Payload aJsonPayloadOf(LineBuilder... lines) {
        JsonArrayBuilder array = JsonSupport.PROVIDER.createArrayBuilder();
        for (LineBuilder line : lines) {
            array.add(line.toJson());
        }
        return Payload.json(JsonSupport.PROVIDER.createObjectBuilder().add("lines", array).build().toString());
    }

    /** The simplest context a handler can be given. */
    record TestContext(String taskId, String taskType, String owner, int attempt, List<ChunkOutcome> committedChunks)
            implements TaskContext {

        TestContext(String taskId, String taskType, String owner, int attempt) {
            this(taskId, taskType, owner, attempt, List.of());
        }

        static TestContext aContext() {
            return new TestContext("task-1", LedgerValidateTaskType.ID, "clerk", 1);
        }
    }

    /** A line under construction; {@code null} leaves a column out. */
    static final class LineBuilder {

        private final Map<LedgerColumn, String> values = new EnumMap<>(LedgerColumn.class);

        private LineBuilder() {
            values.put(LedgerColumn.DOCUMENT_NUMBER, "D1");
            values.put(LedgerColumn.POSTING_DATE, "2026-11-02");
            values.put(LedgerColumn.ACCOUNT_CODE, "1000");
            values.put(LedgerColumn.COST_CENTER, "CC1");
            values.put(LedgerColumn.DEBIT, "100.00");
            values.put(LedgerColumn.CREDIT, "0");
            values.put(LedgerColumn.CURRENCY, "EUR");
            values.put(LedgerColumn.DESCRIPTION, "Office chairs");
        }

        LineBuilder documentNumber(String value) {
            return with(LedgerColumn.DOCUMENT_NUMBER, value);
        }

        LineBuilder postingDate(String value) {
            return with(LedgerColumn.POSTING_DATE, value);
        }

        LineBuilder accountCode(String value) {
            return with(LedgerColumn.ACCOUNT_CODE, value);
        }

        LineBuilder costCenter(String value) {
            return with(LedgerColumn.COST_CENTER, value);
        }

        LineBuilder debit(String value) {
            return with(LedgerColumn.DEBIT, value);
        }

        LineBuilder credit(String value) {
            return with(LedgerColumn.CREDIT, value);
        }

        LineBuilder currency(String value) {
            return with(LedgerColumn.CURRENCY, value);
        }

        LineBuilder description(String value) {
            return with(LedgerColumn.DESCRIPTION, value);
        }

        LineBuilder with(LedgerColumn column, String value) {
            if (value == null) {
                values.remove(column);
            } else {
                values.put(column, value);
            }
            return this;
        }

        LedgerLine atLine(int lineNumber) {
            return LedgerLine.of(lineNumber, values);
        }

        JsonObject toJson() {
            JsonObjectBuilder object = JsonSupport.PROVIDER.createObjectBuilder();
            values.forEach((column, value) -> object.add(column.columnName(), value));
            return object.build();
        }
    }
}
