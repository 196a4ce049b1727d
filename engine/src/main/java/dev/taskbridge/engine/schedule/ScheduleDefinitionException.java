package dev.taskbridge.engine.schedule;

/** A schedule's definition was refused: {@link #field()} names what is wrong; nothing was stored. */
public final class ScheduleDefinitionException extends RuntimeException {

    private final String field;

    public ScheduleDefinitionException(String field, String reason) {
        super(field + ": " + reason);
        this.field = field;
    }

    public String field() {
        return field;
    }

    /** Why, without the field's name. */
    public String reason() {
        return getMessage().substring(field.length() + 2);
    }
}
