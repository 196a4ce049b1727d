package dev.taskbridge.worker;

import java.util.logging.LogManager;

/**
 * java.util.logging's manager, except that the JVM's shutdown does not silence it before the
 * worker has stopped: the JDK resets logging in a shutdown hook of its own, which runs alongside
 * the worker's, so the drain, the hand-over of its slots and its leaving the cluster would go
 * unlogged. Named by {@code bin/taskbridge-worker.sh} ({@code java.util.logging.manager}).
 */
public final class WorkerLogManager extends LogManager {

    private volatile boolean workerStopped;

    /** Ignored until the worker has stopped; a JVM that was never a worker's resets as usual. */
    @Override
    public void reset() {
        if (workerStopped || !Worker.running()) {
            super.reset();
        }
    }

    /** Called once the worker has stopped: logging ends as the JDK would have ended it. */
    static void workerStopped() {
        if (LogManager.getLogManager() instanceof WorkerLogManager manager) {
            manager.workerStopped = true;
            manager.reset();
        }
    }
}
