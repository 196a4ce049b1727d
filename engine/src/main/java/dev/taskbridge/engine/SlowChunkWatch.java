package dev.taskbridge.engine;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import scala.concurrent.ExecutionContext;

/**
 * Reports a chunk that runs longer than the threshold: a warning in the task's logging context,
 * with the stack of the thread running it, so that an operator sees which plugin code holds a
 * worker and where, without a debugger.
 */
final class SlowChunkWatch {

    private static final Logger LOG = LoggerFactory.getLogger(SlowChunkWatch.class);

    private final Scheduler scheduler;
    private final ExecutionContext reporter;
    private final Duration threshold;

    /**
     * @param reporter where the report runs: not the blocking dispatcher, whose threads may all be
     *                 held by slow chunks
     */
    SlowChunkWatch(Scheduler scheduler, ExecutionContext reporter, Duration threshold) {
        this.scheduler = scheduler;
        this.reporter = reporter;
        this.threshold = threshold;
    }

    /**
     * Starts watching a chunk that starts now on the calling thread, whose logging context the
     * report takes over. Close the watch when the chunk ends.
     */
    Watch start(String taskId, int chunk) {
        Thread worker = Thread.currentThread();
        Map<String, String> logContext = MDC.getCopyOfContextMap();
        AtomicBoolean running = new AtomicBoolean(true);
        Cancellable timer = scheduler.scheduleOnce(threshold, () -> {
            if (running.get()) {
                report(logContext, taskId, chunk, worker);
            }
        }, reporter);
        return new Watch(running, timer);
    }

    private void report(Map<String, String> logContext, String taskId, int chunk, Thread worker) {
        if (logContext != null) {
            TaskLog.set(logContext);
        }
        try {
            LOG.warn("Chunk {} of task {} has run for more than {} ms on thread {}; a chunk that long holds a worker "
                    + "from every other task of its slot. The thread is at", chunk, taskId, threshold.toMillis(),
                    worker.getName(), new StackOfSlowChunk(worker));
        } finally {
            if (logContext != null) {
                TaskLog.clear(logContext);
            }
        }
    }

    /** A chunk being watched. */
    record Watch(AtomicBoolean running, Cancellable timer) implements AutoCloseable {

        @Override
        public void close() {
            running.set(false);
            timer.cancel();
        }
    }

    /** Carries the working thread's stack into the log; never thrown. */
    static final class StackOfSlowChunk extends RuntimeException {

        private static final long serialVersionUID = 1L;

        StackOfSlowChunk(Thread worker) {
            super("stack of " + worker.getName() + " (" + worker.getState() + ")", null, false, true);
            setStackTrace(worker.getStackTrace());
        }
    }
}
