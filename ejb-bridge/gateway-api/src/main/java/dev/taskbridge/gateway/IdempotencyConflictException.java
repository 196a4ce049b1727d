package dev.taskbridge.gateway;

/**
 * The {@code Idempotency-Key} of a submission was used before, by the same user, for a different
 * request (another type, payload or options); nothing was stored. The message names the earlier task.
 */
public class IdempotencyConflictException extends TaskbridgeException {

    public IdempotencyConflictException(String message) {
        super(message);
    }
}
