package dev.taskbridge.engine.slot;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import dev.taskbridge.engine.TaskMetrics;

/**
 * What a slot tells the outside about itself, beside its replies.
 *
 * @param node       this node's name, for the logging context of the slot's lines
 * @param metrics    where the slot reports retries, journal writes and message processing times
 * @param queueDepth set by the slot to the tasks it holds (running and waiting), read by a gauge
 * @param live       set by the slot: true once it has recovered, false from a failure until it has
 *                   recovered again after its restart, and once it has stopped; read by readiness
 * @param incarnation one more each time the slot starts on this node: after a failure, or on a node of a
 *                   cluster each time the slot comes to it. What this node kept for the slot in one
 *                   incarnation (a submission's parsed payload) may be out of date in the next: the slot
 *                   may have run the task elsewhere meanwhile
 */
public record SlotReporting(String node, TaskMetrics metrics, AtomicInteger queueDepth, AtomicBoolean live,
                            AtomicInteger incarnation) {

    public SlotReporting(String node, TaskMetrics metrics) {
        this(node, metrics, new AtomicInteger(), new AtomicBoolean(), new AtomicInteger());
    }
}
