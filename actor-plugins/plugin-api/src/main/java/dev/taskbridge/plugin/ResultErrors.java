package dev.taskbridge.plugin;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The errors a finished task found in its payload, every one of them, for a task type whose
 * result lists only the first few (a file of a hundred thousand junk lines must not make a result
 * of a hundred thousand errors). Offered by {@link TaskType#errors()}; the engine serves them page
 * by page and never holds more than a page: an implementation hands each error on as it finds it
 * and keeps none.
 *
 * @param <P> the task type's parsed payload
 */
public interface ResultErrors<P> {

    /**
     * Hands every error of the task to {@code each}, in the order its result lists them (the errors
     * the result lists come first, as listed), by finding them again from the task's payload or by
     * reading them from the result. Called on a request thread, perhaps long after the task ended
     * and on several threads at once; must not change anything.
     *
     * @throws ErrorsUnavailableException the errors cannot be found again as the task found them
     *                                    (what they depend on changed since); the message says why
     *                                    to a clerk
     */
    void forEach(FinishedTask<P> task, Consumer<ItemError> each) throws Exception;

    /**
     * The errors the task's result lists, first in {@link #forEach}'s order, and how many errors the
     * task found in all, read from the result alone and never from the payload. Lets a page within
     * the listed errors (most pages a clerk reads: the first) be answered without finding the
     * errors again, which costs a parse of the stored file and a check of every line of it. Empty
     * when the result does not tell: then every page walks {@link #forEach}.
     */
    default Optional<Listed> listed(String result) {
        return Optional.empty();
    }

    /**
     * What a result lists of its errors.
     *
     * @param errors the errors it lists, the first of all of them
     * @param total  how many errors the task found in all, at least as many as it lists
     */
    record Listed(List<ItemError> errors, long total) {

        public Listed {
            errors = List.copyOf(Objects.requireNonNull(errors, "errors"));
            if (total < errors.size()) {
                throw new IllegalArgumentException("total " + total + " is less than the " + errors.size() + " listed");
            }
        }

        /** Whether the result lists every error the task found. */
        public boolean complete() {
            return total == errors.size();
        }
    }
}
