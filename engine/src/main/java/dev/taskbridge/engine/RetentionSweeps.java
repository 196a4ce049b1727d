package dev.taskbridge.engine;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;

import dev.taskbridge.engine.store.FinishedTaskPurge;
import org.apache.pekko.actor.typed.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.concurrent.ExecutionContext;

/**
 * Purges finished tasks once they are older than {@link EngineSettings#retention()} (failed ones:
 * {@link EngineSettings#failedRetention()}, by default never): a sweep soon
 * after the engine starts, then one every {@link #EVERY}. A sweep purges a batch at a time on the
 * engine's blocking threads, and gives the batch's thread back between batches, so slots never
 * wait for it; a sweep that fails (database away) is logged and tried again at the next one.
 */
final class RetentionSweeps {

    private static final Logger LOG = LoggerFactory.getLogger(RetentionSweeps.class);

    static final Duration FIRST_AFTER = Duration.ofMinutes(1);
    static final Duration EVERY = Duration.ofHours(1);
    /** Pause between two batches of one sweep: others get the database in between. */
    static final Duration BETWEEN_BATCHES = Duration.ofMillis(100);

    private final FinishedTaskPurge purge;
    private final Duration retention;
    /** Zero keeps failed tasks: they wait for an operator's retry. */
    private final Duration failedRetention;
    private final int batch;
    private final Clock clock;
    private final Scheduler scheduler;
    private final ExecutionContext timerThreads;
    private final Executor blocking;
    private final BooleanSupplier running;
    private final TaskMetrics metrics;

    RetentionSweeps(FinishedTaskPurge purge, Duration retention, Duration failedRetention, int batch, Clock clock,
                    Scheduler scheduler,
                    ExecutionContext timerThreads, Executor blocking, BooleanSupplier running, TaskMetrics metrics) {
        this.purge = purge;
        this.retention = retention;
        this.failedRetention = failedRetention;
        this.batch = batch;
        this.clock = clock;
        this.scheduler = scheduler;
        this.timerThreads = timerThreads;
        this.blocking = blocking;
        this.running = running;
        this.metrics = metrics;
    }

    /** Starts sweeping after {@code firstAfter}; does nothing when both retentions are zero (keep every task). */
    void start(Duration firstAfter) {
        if (retention.isZero() && failedRetention.isZero()) {
            LOG.info("Finished tasks are kept for ever (retention 0)");
            return;
        }
        schedule(firstAfter, 0);
    }

    private void schedule(Duration after, long purgedSoFar) {
        if (!running.getAsBoolean()) {
            return;
        }
        try {
            scheduler.scheduleOnce(after, () -> {
                try {
                    blocking.execute(() -> sweepBatch(purgedSoFar));
                } catch (RuntimeException stopping) {
                    // the engine stopped between the timer and the sweep: the next start sweeps
                }
            }, timerThreads);
        } catch (RuntimeException stopping) {
            // the scheduler stops with the actor system: nothing left to sweep for
        }
    }

    private void sweepBatch(long purgedSoFar) {
        if (!running.getAsBoolean()) {
            return;
        }
        Instant now = clock.instant();
        // a zero retention keeps those tasks: a cutoff before any task ended
        Instant cutoff = retention.isZero() ? Instant.EPOCH : now.minus(retention);
        Instant failedCutoff = failedRetention.isZero() ? null : now.minus(failedRetention);
        int purged;
        try {
            purged = purge.purgeBatch(cutoff, failedCutoff, batch);
        } catch (RuntimeException e) {
            LOG.warn("Purging finished tasks failed; trying again in {} min: {}", EVERY.toMinutes(), e.toString());
            schedule(EVERY, 0);
            return;
        }
        if (purged > 0) {
            metrics.purged(purged);
        }
        if (purged == batch) {
            schedule(BETWEEN_BATCHES, purgedSoFar + purged);
            return;
        }
        if (purgedSoFar + purged > 0) {
            LOG.info("Purged {} finished task(s) older than their retention", purgedSoFar + purged);
        }
        schedule(EVERY, 0);
    }
}
