package dev.taskbridge.engine.slot;

import java.util.concurrent.atomic.AtomicInteger;

import dev.taskbridge.engine.TaskMetrics;

/**
 * What a slot tells the outside about itself, beside its replies.
 *
 * @param node       this node's name, for the logging context of the slot's lines
 * @param metrics    where the slot reports retries, journal writes and message processing times
 * @param queueDepth set by the slot to the tasks it holds (running and waiting), read by a gauge
 */
public record SlotReporting(String node, TaskMetrics metrics, AtomicInteger queueDepth) {
}
