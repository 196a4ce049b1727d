package dev.taskbridge.ledger;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.taskbridge.plugin.FieldProblem;
import dev.taskbridge.plugin.InvalidPayloadException;
import dev.taskbridge.plugin.Payload;
import dev.taskbridge.plugin.ResultErrors;
import dev.taskbridge.plugin.ResultExport;
import dev.taskbridge.plugin.ResultSummary;
import dev.taskbridge.plugin.TaskForm;
import dev.taskbridge.plugin.TaskHandler;
import dev.taskbridge.plugin.TaskType;

/**
 * {@code ledger.validate}: checks a file of accounting lines against the ledger's rules and
 * reports totals per account and per document, unbalanced documents and every invalid line.
 * It stores nothing, so a clerk can check a file before it is booked.
 *
 * <p>The payload is JSON ({@code application/json}) shaped as
 * {@code {"lines": [{"documentNumber": "D1", "postingDate": "2026-11-02", "accountCode": "1000",
 * "costCenter": "CC1", "debit": "100.00", "credit": "0", "currency": "EUR",
 * "description": "..."}]}}, or CSV ({@code text/csv}) with those names as its header row (see
 * {@link LedgerCsvReader}); at most {@link LedgerFile#MAX_LINES} lines.
 */
public final class LedgerValidateTaskType implements TaskType<LedgerFile> {

    public static final String ID = "ledger.validate";

    /** Raise when the payload or the result document changes shape. */
    public static final int VERSION = 1;

    private final LedgerValidateHandler handler = new LedgerValidateHandler();

    /** The rules alone decide, so the stored file checked again finds exactly the errors it did. */
    private final LedgerErrors<LedgerFile> errors = new LedgerErrors<>((task, report, each) -> {
        LedgerFile file = task.payload();
        for (LedgerLine line : file.lines()) {
            LineValidator.validate(line, file.documents()).errors().forEach(each);
        }
    });

    @Override
    public String id() {
        return ID;
    }

    @Override
    public int version() {
        return VERSION;
    }

    @Override
    public LedgerFile parse(Payload payload) throws InvalidPayloadException {
        List<FieldProblem> problems = new ArrayList<>();
        payload.options().keySet().forEach(name ->
                problems.add(new FieldProblem(name, "is not an option of " + ID + ", which takes none")));
        try {
            LedgerFile file = LedgerFiles.read(payload);
            if (problems.isEmpty()) {
                return file;
            }
        } catch (InvalidPayloadException e) {
            problems.addAll(e.problems());
        }
        throw new InvalidPayloadException(problems);
    }

    @Override
    public TaskForm form() {
        return LedgerSummaries.validateForm();
    }

    @Override
    public Optional<ResultSummary> summary(String result) {
        return LedgerSummaries.check(JsonSupport.readObject(result), false);
    }

    @Override
    public List<ResultExport> exports() {
        return List.of(new ErrorsCsv<>(errors));
    }

    @Override
    public Optional<ResultErrors<LedgerFile>> errors() {
        return Optional.of(errors);
    }

    @Override
    public TaskHandler<LedgerFile> handler() {
        return handler;
    }
}
