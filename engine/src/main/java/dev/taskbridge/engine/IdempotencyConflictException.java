package dev.taskbridge.engine;

/**
 * A submission repeated an {@code Idempotency-Key} that its owner had used for another request: a
 * task of another type, or with another payload or other options. Answering with the older task
 * would tell the client its new request was taken when it was not; nothing was stored.
 */
public final class IdempotencyConflictException extends RuntimeException {

    private final String existingTaskId;

    public IdempotencyConflictException(String key, String existingTaskId, String difference) {
        super("Idempotency-Key '" + key + "' was used for task " + existingTaskId + ", " + difference
                + "; use a new key for a new request");
        this.existingTaskId = existingTaskId;
    }

    public String existingTaskId() {
        return existingTaskId;
    }
}
