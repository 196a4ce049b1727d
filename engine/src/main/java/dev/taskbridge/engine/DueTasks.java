package dev.taskbridge.engine;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import dev.taskbridge.engine.store.ScheduledTasks;
import dev.taskbridge.engine.store.TaskRecord;
import org.apache.pekko.actor.typed.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.concurrent.ExecutionContext;

/**
 * Hands tasks submitted to run later to their slots once they are due: one timer, set for the
 * earliest task due ({@link ScheduledTasks#earliest()}), moves the due tasks to QUEUED in the
 * store and hands each over, as a submission is handed over once stored.
 *
 * <p>The store is the truth, the timer ({@link LookTimer}) only says when to look: a submission
 * that is due sooner than the timer sets it sooner ({@link #scheduled}); the timer never waits
 * longer than {@link #LOOK_AT_LEAST_EVERY}, so tasks another node scheduled (in a cluster) are
 * found too; a failed look is tried again after {@link #AFTER_FAILURE}. A task moved to QUEUED whose hand-over
 * is lost in a crash is a QUEUED task like any other, handed over at the next start.
 */
final class DueTasks {

    private static final Logger LOG = LoggerFactory.getLogger(DueTasks.class);
    /** Tasks moved per transaction: a long list of tasks due at once moves in several. */
    static final int BATCH = 256;
    /** The longest the timer waits without looking at the store. */
    static final Duration LOOK_AT_LEAST_EVERY = Duration.ofSeconds(30);
    /** How soon a look that failed (the database unreachable) is tried again. */
    static final Duration AFTER_FAILURE = Duration.ofSeconds(5);

    private final ScheduledTasks store;
    private final Clock clock;
    private final BooleanSupplier running;
    private final Consumer<TaskRecord> handOver;
    private final LookTimer timer;

    DueTasks(ScheduledTasks store, Clock clock, Scheduler scheduler, ExecutionContext timerThread, Executor blocking,
             BooleanSupplier running, Consumer<TaskRecord> handOver) {
        this.store = store;
        this.clock = clock;
        this.running = running;
        this.handOver = handOver;
        this.timer = new LookTimer(clock, scheduler, timerThread, blocking, LOOK_AT_LEAST_EVERY, running, this::look);
    }

    /** Hands over what is due already (tasks that fell due while the engine was stopped) and sets the timer. */
    void start() {
        timer.lookNow();
    }

    /** A task was stored to run at {@code runAt}: the timer goes off by then. */
    void scheduled(Instant runAt) {
        timer.noLaterThan(runAt);
    }

    private void look() {
        if (!running.getAsBoolean()) {
            return;
        }
        Instant now = clock.instant();
        try {
            List<TaskRecord> released;
            do {
                released = store.releaseDue(now, BATCH);
                released.forEach(handOver);
            } while (released.size() == BATCH && running.getAsBoolean());
            store.earliest().ifPresent(timer::noLaterThan);
        } catch (RuntimeException e) {
            if (!running.getAsBoolean()) {
                return;
            }
            LOG.warn("Could not hand over the scheduled tasks due at {}; trying again in {} s", now,
                    AFTER_FAILURE.toSeconds(), e);
            timer.noLaterThan(clock.instant().plus(AFTER_FAILURE));
        }
    }
}
