package dev.taskbridge.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

import dev.taskbridge.engine.store.TaskStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shows fresh tasks as RUNNING once their slot starts them, written behind and in batches: the
 * starts of many tasks, from every slot, share one transaction.
 *
 * <p>A start is not a fact that must be durable before the task runs: the transaction of the
 * task's first chunk stores it too (its start time, one more attempt), and a crash before that
 * leaves the task QUEUED, which is what it then is. So a slot never waits for this write, and a
 * write that fails, or comes after the task ended, changes nothing (it matches QUEUED rows only).
 */
final class StartMarks {

    private static final Logger LOG = LoggerFactory.getLogger(StartMarks.class);

    private final TaskStore store;
    private final Executor blocking;
    private final List<TaskStore.StartMark> pending = new ArrayList<>();
    /** A flush is queued or running; guarded by {@code pending}. */
    private boolean flushing;

    StartMarks(TaskStore store, Executor blocking) {
        this.store = store;
        this.blocking = blocking;
    }

    void started(TaskStore.StartMark mark) {
        synchronized (pending) {
            pending.add(mark);
            if (flushing) {
                return;
            }
            flushing = true;
        }
        blocking.execute(this::flush);
    }

    private void flush() {
        while (true) {
            List<TaskStore.StartMark> batch;
            synchronized (pending) {
                if (pending.isEmpty()) {
                    flushing = false;
                    return;
                }
                batch = new ArrayList<>(pending);
                pending.clear();
            }
            try {
                store.markStarted(batch);
            } catch (RuntimeException e) {
                // the tasks' first chunks store their starts; until then they show as QUEUED
                LOG.warn("Could not show {} started task(s) as RUNNING: {}", batch.size(), e.toString());
            }
        }
    }
}
