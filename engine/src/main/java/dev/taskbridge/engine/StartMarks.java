package dev.taskbridge.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.taskbridge.engine.store.TaskStore;
import org.apache.pekko.actor.typed.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.concurrent.ExecutionContextExecutor;

/**
 * Shows fresh tasks as RUNNING once their slot starts them, written behind, a moment later and in
 * batches: the starts of many tasks, from every slot, share one transaction, and a task whose
 * first chunk commits before its start is due never has its start written on its own.
 *
 * <p>A start is not a fact that must be durable before the task runs: the transaction of the
 * task's first chunk stores it too (its start time, one more attempt), and a crash before that
 * leaves the task QUEUED, which is what it then is. So a slot never waits for this write, and a
 * write that fails, or comes after the task ended, changes nothing (it matches QUEUED rows only).
 * Live changes show the start at once; only the stored status lags, by {@link #DELAY} at most
 * twice.
 *
 * <p>Why wait: on PostgreSQL every change of a task's status is a new row version with an entry in
 * each of the task table's indexes. Most tasks are short, and for them the start's own update was
 * a third write of the row for nothing (see {@code docs/design/005-*}).
 */
final class StartMarks {

    /** How long a start waits to be written, unless its task's first chunk stores it first. */
    static final Duration DELAY = Duration.ofMillis(200);

    private static final Logger LOG = LoggerFactory.getLogger(StartMarks.class);

    private final TaskStore store;
    private final Scheduler scheduler;
    private final ExecutionContextExecutor blocking;
    private final Duration delay;
    /** Starts not written yet, by task id; guarded by itself. */
    private final Map<String, TaskStore.StartMark> pending = new LinkedHashMap<>();
    /** A flush is scheduled or running; guarded by {@code pending}. */
    private boolean flushing;

    StartMarks(TaskStore store, Scheduler scheduler, ExecutionContextExecutor blocking, Duration delay) {
        this.store = store;
        this.scheduler = scheduler;
        this.blocking = blocking;
        this.delay = delay;
    }

    void started(TaskStore.StartMark mark) {
        synchronized (pending) {
            pending.put(mark.id(), mark);
            if (flushing) {
                return;
            }
            flushing = true;
        }
        scheduleFlush();
    }

    /** The task's start is stored otherwise (its first chunk committed), or no longer matters (it ended). */
    void settled(String taskId) {
        synchronized (pending) {
            pending.remove(taskId);
        }
    }

    private void flush() {
        List<TaskStore.StartMark> batch;
        synchronized (pending) {
            batch = new ArrayList<>(pending.values());
            pending.clear();
        }
        if (!batch.isEmpty()) {
            try {
                store.markStarted(batch);
            } catch (RuntimeException e) {
                // the tasks' first chunks store their starts; until then they show as QUEUED
                LOG.warn("Could not show {} started task(s) as RUNNING: {}", batch.size(), e.toString());
            }
        }
        synchronized (pending) {
            if (pending.isEmpty()) {
                flushing = false;
                return;
            }
        }
        scheduleFlush(); // starts that came while this batch was written
    }

    private void scheduleFlush() {
        try {
            scheduler.scheduleOnce(delay, this::flush, blocking);
        } catch (IllegalStateException stopped) {
            // the engine is stopping: what is pending stays QUEUED in the store, as it is when it starts again
            synchronized (pending) {
                pending.clear();
                flushing = false;
            }
        }
    }
}
