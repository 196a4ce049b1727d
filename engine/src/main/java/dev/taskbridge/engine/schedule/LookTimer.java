package dev.taskbridge.engine.schedule;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executor;

import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.Scheduler;
import scala.concurrent.ExecutionContext;

/**
 * When to look at the store next: one timer, set for the earliest time anyone asked for, that runs
 * the look on a blocking thread. Whoever learns of work due sooner asks for a sooner look; the
 * store stays the truth, the timer only says when to read it.
 */
public final class LookTimer {

    private final Clock clock;
    private final Scheduler scheduler;
    private final ExecutionContext timerThread;
    private final Executor blocking;
    private final Runnable look;

    /** When the timer is set for; null while a look is under way, or before the first is asked for. */
    private Instant plannedFor;
    private Cancellable timer;

    public LookTimer(Clock clock, Scheduler scheduler, ExecutionContext timerThread, Executor blocking, Runnable look) {
        this.clock = clock;
        this.scheduler = scheduler;
        this.timerThread = timerThread;
        this.blocking = blocking;
        this.look = look;
    }

    /** A look by {@code at} at the latest: the timer is set for it unless it is set sooner already. */
    public synchronized void noLaterThan(Instant at) {
        if (plannedFor != null && !at.isBefore(plannedFor)) {
            return;
        }
        if (timer != null) {
            timer.cancel();
        }
        plannedFor = at;
        Duration delay = Duration.between(clock.instant(), at);
        timer = scheduler.scheduleOnce(delay.isNegative() ? Duration.ZERO : delay, () -> blocking.execute(look), timerThread);
    }

    /** Says a look has begun: from now on, any time asked for sets the timer again. */
    public synchronized void looking() {
        plannedFor = null;
        timer = null;
    }
}
