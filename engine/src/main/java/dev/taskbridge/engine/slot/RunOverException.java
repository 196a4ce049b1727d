package dev.taskbridge.engine.slot;

/**
 * A step found that the run it worked for is over: the task was cancelled or retried while the
 * step ran, so the store refused the step's writes and its transaction rolled back. Not a failure
 * of the task: the slot drops that run and moves on.
 */
public final class RunOverException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public RunOverException(String message) {
        super(message, null, false, false);
    }
}
