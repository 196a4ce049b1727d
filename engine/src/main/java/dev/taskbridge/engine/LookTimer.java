package dev.taskbridge.engine;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BooleanSupplier;

import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.concurrent.ExecutionContext;

/**
 * When to look at the store next: one timer, set for the earliest time anyone asked for and never
 * later than {@code atLeastEvery} from now, that runs the look on a blocking thread. Whoever
 * learns of work due sooner asks for a sooner look; the store stays the truth, the timer only
 * says when to read it. After every look, whatever it did or threw, the next is set within
 * {@code atLeastEvery}, so no failure can leave the timer unset while the engine runs.
 */
public final class LookTimer {

    private static final Logger LOG = LoggerFactory.getLogger(LookTimer.class);

    private final Clock clock;
    private final Scheduler scheduler;
    private final ExecutionContext timerThread;
    private final Executor blocking;
    private final Duration atLeastEvery;
    private final BooleanSupplier running;
    private final Runnable look;

    /** When the timer is set for; null while a look is under way, or before the first is asked for. */
    private Instant plannedFor;
    private Cancellable timer;

    /**
     * @param atLeastEvery the longest the timer waits; also keeps every delay well inside what
     *                     Pekko's scheduler takes (about 248 days)
     */
    public LookTimer(Clock clock, Scheduler scheduler, ExecutionContext timerThread, Executor blocking, Duration atLeastEvery,
                     BooleanSupplier running, Runnable look) {
        this.clock = clock;
        this.scheduler = scheduler;
        this.timerThread = timerThread;
        this.blocking = blocking;
        this.atLeastEvery = atLeastEvery;
        this.running = running;
        this.look = look;
    }

    /** A look by {@code at} at the latest: the timer is set for it unless it is set sooner already. */
    public synchronized void noLaterThan(Instant at) {
        if (!running.getAsBoolean()) {
            return;
        }
        Instant now = clock.instant();
        Instant when = at.isAfter(now.plus(atLeastEvery)) ? now.plus(atLeastEvery) : at;
        if (plannedFor != null && !when.isBefore(plannedFor)) {
            return;
        }
        Duration delay = Duration.between(now, when);
        Cancellable next;
        try {
            next = scheduler.scheduleOnce(delay.isNegative() ? Duration.ZERO : delay, this::onTimer, timerThread);
        } catch (IllegalStateException e) {
            return; // the scheduler has stopped: the engine is stopping
        }
        if (timer != null) {
            timer.cancel();
        }
        timer = next;
        plannedFor = when;
    }

    /** Looks now, on the caller's thread (at start: what fell due while the engine was stopped). */
    public void lookNow() {
        synchronized (this) {
            plannedFor = null; // asked for from now on: set the timer again
            timer = null;
        }
        try {
            look.run();
        } catch (RuntimeException e) {
            LOG.warn("A look at the store failed; the next comes within {} s", atLeastEvery.toSeconds(), e);
        } finally {
            noLaterThan(clock.instant().plus(atLeastEvery));
        }
    }

    private void onTimer() {
        try {
            blocking.execute(this::lookNow);
        } catch (RejectedExecutionException e) {
            LOG.debug("No thread for a look: the engine is stopping", e);
        }
    }
}
