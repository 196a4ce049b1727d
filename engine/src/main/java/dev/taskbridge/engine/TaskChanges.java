package dev.taskbridge.engine;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands each {@link TaskChange} to the engine's listeners, on the thread that stored it. A
 * listener must be quick and must not block (hand the change to a thread of its own if it has
 * work to do); one that throws is logged and does not keep the change from the others, nor the
 * task from running.
 */
final class TaskChanges {

    private static final Logger LOG = LoggerFactory.getLogger(TaskChanges.class);

    private final List<Consumer<TaskChange>> listeners = new CopyOnWriteArrayList<>();

    AutoCloseable subscribe(Consumer<TaskChange> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    void publish(TaskChange change) {
        for (Consumer<TaskChange> listener : listeners) {
            try {
                listener.accept(change);
            } catch (RuntimeException e) {
                LOG.warn("A listener failed on {} of task {}", change.kind(), change.taskId(), e);
            }
        }
    }
}
