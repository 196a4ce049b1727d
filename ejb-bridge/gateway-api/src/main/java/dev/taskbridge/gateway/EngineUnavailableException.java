package dev.taskbridge.gateway;

/**
 * The engine cannot take the request now: it is starting, stopping or failed to start, its
 * database is away, or the task type is busy (its slot holds as many tasks as it may). Nothing
 * was stored; the client may try again after {@link #retryAfterSeconds()}.
 */
public class EngineUnavailableException extends TaskbridgeException {

    /** What a client is told to wait when nothing better is known. */
    public static final long DEFAULT_RETRY_AFTER_SECONDS = 5;

    private final long retryAfterSeconds;

    public EngineUnavailableException(String message) {
        super(message);
        this.retryAfterSeconds = DEFAULT_RETRY_AFTER_SECONDS;
    }

    public EngineUnavailableException(String message, Throwable cause) {
        this(message, cause, DEFAULT_RETRY_AFTER_SECONDS);
    }

    public EngineUnavailableException(String message, Throwable cause, long retryAfterSeconds) {
        super(message, cause);
        this.retryAfterSeconds = Math.max(1, retryAfterSeconds);
    }

    /** How long a client should wait before it tries again, for a {@code Retry-After} header. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
