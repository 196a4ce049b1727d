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
 *                   recovered again after its restart; read by readiness
 */
public record SlotReporting(String node, TaskMetrics metrics, AtomicInteger queueDepth, AtomicBoolean live) {

    public SlotReporting(String node, TaskMetrics metrics) {
        this(node, metrics, new AtomicInteger(), new AtomicBoolean());
    }
}
