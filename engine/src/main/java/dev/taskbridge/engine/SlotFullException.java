package dev.taskbridge.engine;

import java.time.Duration;

import dev.taskbridge.engine.routing.SlotId;

/**
 * A submission was refused, and nothing stored, because the slot it would run in already holds as
 * many tasks as {@link EngineSettings#slotCapacity()} allows. The client may try again later: the
 * slot works its queue down meanwhile.
 *
 * <p>The bound is soft: it is checked against what the slot last reported and what waits to be
 * handed to it, so concurrent submissions and the hand-over on its way may take a slot a little
 * past it. A task that was stored is
 * never dropped for being one too many.
 */
public final class SlotFullException extends RuntimeException {

    private final transient SlotId slot;
    private final Duration retryAfter;

    public SlotFullException(SlotId slot, int held, int capacity, Duration retryAfter) {
        super("task type " + slot.taskType() + " is busy: its slot " + slot.index() + " holds " + held
                + " tasks, as many as it may (" + capacity + "); try again in " + retryAfter.toSeconds() + " s");
        this.slot = slot;
        this.retryAfter = retryAfter;
    }

    public SlotId slot() {
        return slot;
    }

    /** How long a client should wait before it submits again. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
