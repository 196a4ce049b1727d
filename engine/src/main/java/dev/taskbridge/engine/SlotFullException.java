package dev.taskbridge.engine;

import java.time.Duration;

/**
 * A submission was refused, and nothing stored, because every slot of its task type already holds
 * as many tasks as {@link EngineSettings#slotCapacity()} allows, or, for a task with an order key,
 * the one slot its key goes to does. The client may try again later: the slots work their queues
 * down meanwhile.
 *
 * <p>The bound is soft: it is checked against what the slot last reported and what waits to be
 * handed to it, so concurrent submissions and the hand-over on its way may take a slot a little
 * past it. A task that was stored is
 * never dropped for being one too many.
 */
public final class SlotFullException extends RuntimeException {

    private final String taskType;
    private final Duration retryAfter;

    public SlotFullException(String taskType, int slots, int capacity, Duration retryAfter) {
        this(taskType, "each of its " + slots + " slot(s) holds " + capacity + " tasks", retryAfter);
    }

    /** The slot of {@code orderKey}, the only one a task of that key may go to, is full. */
    public SlotFullException(String taskType, String orderKey, int capacity, Duration retryAfter) {
        this(taskType, "the slot of order key " + orderKey + " holds " + capacity + " tasks", retryAfter);
    }

    private SlotFullException(String taskType, String why, Duration retryAfter) {
        super("task type " + taskType + " is busy: " + why + ", as many as it may; try again in "
                + retryAfter.toSeconds() + " s");
        this.taskType = taskType;
        this.retryAfter = retryAfter;
    }

    public String taskType() {
        return taskType;
    }

    /** How long a client should wait before it submits again. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
