package dev.taskbridge.plugin;

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
}
