package dev.taskbridge.ledger;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;

import dev.taskbridge.plugin.ErrorsUnavailableException;
import dev.taskbridge.plugin.FinishedTask;
import dev.taskbridge.plugin.ItemError;
import dev.taskbridge.plugin.ResultErrors;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

/**
 * Every error of a ledger check, the listed ones and those past them ({@link LedgerReport} lists
 * the first {@value LedgerReport#MAX_LISTED_ERRORS}): from the result when it lists them all, else
 * by checking the stored file again, line by line, handing each error on as it is found and
 * keeping none. The errors found again must begin with the ones the result lists and add up to its
 * {@code errorCount}; if they do not (the books, or the rules after an upgrade, changed since),
 * the errors are not listed at all rather than listed differently from the report.
 *
 * @param <P> the task type's payload
 */
final class LedgerErrors<P> implements ResultErrors<P> {

    /** Checks a file's lines again, in file order, handing on each error of each line in report order. */
    @FunctionalInterface
    interface Check<P> {
        /**
         * @param report the task's result, as read for the walk: a result lists up to
         *               {@value LedgerReport#MAX_LISTED_ERRORS} errors, too many to parse again for
         *               what else the check needs of it
         */
        void run(FinishedTask<P> task, JsonObject report, Consumer<LineError> each) throws Exception;
    }

    private final Check<P> check;

    LedgerErrors(Check<P> check) {
        this.check = check;
    }

    @Override
    public Optional<Listed> listed(String result) {
        return Optional.of(listed(JsonSupport.readObject(result)));
    }

    private static Listed listed(JsonObject report) {
        JsonArray listed = report.getJsonArray("errors");
        if (listed == null) {
            return new Listed(List.of(), 0);
        }
        List<ItemError> errors = new ArrayList<>(listed.size());
        for (JsonValue value : listed) {
            JsonObject error = value.asJsonObject();
            errors.add(new ItemError(error.getInt("line"), error.getString("field"),
                    error.isNull("value") ? null : error.getString("value"), reason(error.getString("reason"))));
        }
        return new Listed(errors, Math.max(errors.size(), report.getInt("errorCount", errors.size())));
    }

    @Override
    public void forEach(FinishedTask<P> task, Consumer<ItemError> each) throws Exception {
        JsonObject report = JsonSupport.readObject(task.result());
        Listed listed = listed(report);
        List<ItemError> expected = listed.errors();
        long count = listed.total();
        if (listed.complete()) {
            expected.forEach(each);
            return;
        }
        long[] found = {0};
        try {
            check.run(task, report, error -> {
                ItemError item = item(error);
                long at = found[0]++;
                if (at < expected.size() && !expected.get((int) at).equals(item)) {
                    throw new NotAsFound();
                }
                each.accept(item);
            });
        } catch (NotAsFound e) {
            throw changed(expected.size());
        }
        if (found[0] != count) {
            throw changed(expected.size());
        }
    }

    /**
     * A listed error's reason as it is said now: results stored before duplicates stopped naming
     * the task that posted them ("is already posted (by task &lt;id&gt;)", perhaps another clerk's)
     * are read without the id, which also keeps them matching the errors found again.
     */
    static String reason(String stored) {
        return stored.startsWith(LEGACY_ALREADY_POSTED) ? LedgerPostHandler.ALREADY_POSTED : stored;
    }

    private static final String LEGACY_ALREADY_POSTED = "is already posted (by task ";

    static ItemError item(LineError error) {
        return new ItemError(error.line(), error.field().columnName(), error.value(), error.reason());
    }

    private static ErrorsUnavailableException changed(int listed) {
        return new ErrorsUnavailableException(String.format(Locale.ROOT, "the errors after the first %,d cannot be found "
                + "again as the check found them, because the books or the rules changed since: check the file again", listed));
    }

    /** The check found an error other than the one the result lists in its place. */
    private static final class NotAsFound extends RuntimeException {
        NotAsFound() {
            super(null, null, false, false);
        }
    }
}
