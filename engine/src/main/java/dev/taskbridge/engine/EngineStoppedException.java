package dev.taskbridge.engine;

/** The engine is stopping or stopped, or its actors did not answer in time. */
public class EngineStoppedException extends RuntimeException {

    public EngineStoppedException(String message) {
        super(message);
    }
}
