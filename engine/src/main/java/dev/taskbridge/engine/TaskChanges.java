package dev.taskbridge.engine;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands each {@link TaskChange} to the engine's listeners, on the thread that stored it, and, on a
 * node of a cluster, to the other nodes' listeners ({@link ChangeRelay}). A listener must be
 * quick and must not block (hand the change to a thread of its own if it has work to do); one
 * that throws is logged and does not keep the change from the others, nor the task from running.
 */
final class TaskChanges {

    private static final Logger LOG = LoggerFactory.getLogger(TaskChanges.class);

    private final List<Consumer<TaskChange>> listeners = new CopyOnWriteArrayList<>();
    /** Where a change made here goes besides this node's listeners: nowhere on a single server. */
    private volatile Consumer<TaskChange> relay = change -> { };

    AutoCloseable subscribe(Consumer<TaskChange> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** A change made on this node: told to its listeners and relayed to the other nodes'. */
    void publish(TaskChange change) {
        deliver(change);
        relay.accept(change);
    }

    /** Makes every change published here go to {@code relay} too. */
    void relayTo(Consumer<TaskChange> newRelay) {
        relay = newRelay;
    }

    /** Tells this node's listeners of a change, made here or relayed from another node. */
    void deliver(TaskChange change) {
        for (Consumer<TaskChange> listener : listeners) {
            try {
                listener.accept(change);
            } catch (RuntimeException e) {
                LOG.warn("A listener failed on {} of task {}", change.kind(), change.taskId(), e);
            }
        }
    }
}
