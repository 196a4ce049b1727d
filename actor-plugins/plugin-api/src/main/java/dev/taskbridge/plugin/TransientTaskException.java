package dev.taskbridge.plugin;

/**
 * A failure that may go away if the same chunk is tried again later, such as a database timeout.
 * The engine retries the chunk with backoff instead of failing the task.
 */
public class TransientTaskException extends Exception {

    public TransientTaskException(String message) {
        super(message);
    }

    public TransientTaskException(String message, Throwable cause) {
        super(message, cause);
    }
}
