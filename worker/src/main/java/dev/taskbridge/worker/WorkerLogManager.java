package dev.taskbridge.worker;

import java.util.logging.LogManager;

/**
 * java.util.logging's manager, except that the JVM's shutdown does not silence it before the
 * worker has stopped: the JDK resets logging in a shutdown hook of its own, which runs alongside
 * the worker's, so the drain, the hand-over of its slots and its leaving the cluster would go
 * unlogged. Named by {@code bin/taskbridge-worker.sh} ({@code java.util.logging.manager}).
 */
public final class WorkerLogManager extends LogManager {

    /** Set from the worker's start until it has stopped; while set, a reset is put off. */
    private static volatile boolean holding;
    private static volatile boolean resetPutOff;

    /** Resets as the JDK does, unless a worker runs: then once it has stopped. */
    @Override
    public void reset() {
        if (holding) {
            resetPutOff = true;
        } else {
            super.reset();
        }
    }

    /** From now until {@link #stopped()}, the JDK's shutdown leaves logging on. */
    static void holdUntilStopped() {
        holding = true;
    }

    /** The worker has stopped: a reset the JVM's shutdown asked for meanwhile is done now. */
    static void stopped() {
        holding = false;
        if (resetPutOff && LogManager.getLogManager() instanceof WorkerLogManager manager) {
            manager.reset();
        }
    }
}
