package dev.taskbridge.gateway;

/** The engine is starting, stopping or failed to start; the client may try again later. */
public class EngineUnavailableException extends TaskbridgeException {

    public EngineUnavailableException(String message) {
        super(message);
    }

    public EngineUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
