package dev.taskbridge.engine.routing;

/**
 * One worker slot: a task type and the slot's index within that type.
 */
public record SlotId(String taskType, int index) {

    public SlotId {
        if (index < 0) {
            throw new IllegalArgumentException("slot index cannot be negative");
        }
    }

    /** A name usable as an actor name, entity id and persistence id suffix. */
    public String key() {
        return taskType + "-" + index;
    }

    @Override
    public String toString() {
        return key();
    }
}
