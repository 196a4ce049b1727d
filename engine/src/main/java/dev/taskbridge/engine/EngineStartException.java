package dev.taskbridge.engine;

/** The engine could not start; the message says why, the cause says how. */
public class EngineStartException extends RuntimeException {

    public EngineStartException(String message, Throwable cause) {
        super(message + ": " + cause, cause);
    }
}
