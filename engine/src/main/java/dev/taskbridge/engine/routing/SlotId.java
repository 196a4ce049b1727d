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

    /** The slot a {@link #key()} names: a task type's id may itself hold a dash, the index follows the last. */
    public static SlotId ofKey(String key) {
        int dash = key.lastIndexOf('-');
        if (dash < 1 || dash == key.length() - 1) {
            throw new IllegalArgumentException("not a slot key: " + key);
        }
        return new SlotId(key.substring(0, dash), Integer.parseInt(key.substring(dash + 1)));
    }

    @Override
    public String toString() {
        return key();
    }
}
