package dev.taskbridge.gateway;

/** Base of the gateway's failures; each subclass has one meaning for clients. */
public abstract class TaskbridgeException extends RuntimeException {

    protected TaskbridgeException(String message) {
        super(message);
    }

    protected TaskbridgeException(String message, Throwable cause) {
        super(message, cause);
    }
}
