package dev.taskbridge.engine.schedule;

/** No schedule has that id. */
public final class NoSuchScheduleException extends RuntimeException {

    private final String id;

    public NoSuchScheduleException(String id) {
        super("no schedule " + id);
        this.id = id;
    }

    public String id() {
        return id;
    }
}
