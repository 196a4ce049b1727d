package dev.taskbridge.engine;

import java.time.Duration;

/**
 * What the engine reports as it works, for the host to turn into meters (the EJB bridge records
 * them in a Micrometer registry). Called on the engine's own threads, often: an
 * implementation must be quick and must not block or throw.
 *
 * <p>Gauges need no callback: the host reads {@link TaskEngine#queueDepth},
 * {@link TaskEngine#liveSlotActors()} and {@link TaskEngine#countStalled()} when it is scraped.
 */
public interface TaskMetrics {

    /** Reports nothing. */
    TaskMetrics NONE = new TaskMetrics() {
    };

    /**
     * A new task was stored (not a repeated idempotency key).
     *
     * @param latency from the start of its submission (the payload's check) to the task stored
     */
    default void submitted(String taskType, Duration latency) {
    }

    /** @param duration from the task's first start to its end, restarts included */
    default void succeeded(String taskType, Duration duration) {
    }

    default void failed(String taskType) {
    }

    default void cancelled(String taskType) {
    }

    /** A step failed for a transient reason and will be tried again. */
    default void retried(String taskType) {
    }

    /** A chunk ran (its transaction included) and committed. */
    default void chunk(String taskType, Duration duration) {
    }

    /** An event of a slot of this type reached the journal, this long after it was persisted. */
    default void journalWrite(String taskType, Duration latency) {
    }

    /**
     * A slot of this type failed (a bug: its journal's failures are retried inside it) and was
     * started again; it recovers its state from the journal.
     */
    default void slotRestarted(String taskType) {
    }

    /** A slot of this type handled one message in this long: what an actor must keep short. */
    default void messageProcessed(String taskType, Duration duration) {
    }

    /** A submission of this type was refused, nothing stored, because its slot was full. */
    default void refusedAsBusy(String taskType) {
    }

    /** The retention sweep purged this many finished tasks (with their history and markers). */
    default void purged(long tasks) {
    }
}
