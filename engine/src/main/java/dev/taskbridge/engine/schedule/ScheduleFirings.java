package dev.taskbridge.engine.schedule;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;

import dev.taskbridge.engine.EngineStoppedException;
import dev.taskbridge.engine.IdempotencyConflictException;
import dev.taskbridge.engine.NoSuchTaskTypeException;
import dev.taskbridge.engine.store.MissedFirings;
import dev.taskbridge.engine.store.Schedule;
import dev.taskbridge.engine.store.ScheduleRun;
import dev.taskbridge.engine.store.ScheduleStore;
import dev.taskbridge.engine.store.Stored;
import dev.taskbridge.engine.store.TaskRecord;
import dev.taskbridge.plugin.InvalidPayloadException;
import dev.taskbridge.plugin.Payload;
import org.apache.pekko.actor.typed.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.concurrent.ExecutionContext;

/**
 * Makes schedules' firings: one timer, set for the earliest {@code next_fire_at}, submits each due
 * firing as an ordinary task with the idempotency key {@link Schedule#keyOf} and moves the
 * schedule's cursor past it.
 *
 * <p>Exactly once: the task is submitted first and the cursor moved after, so a crash in between
 * makes the next look submit the same firing again, which its key answers with the task stored
 * before; two nodes that look at once submit one task per firing for the same reason, and only one
 * of them moves the cursor (a guarded update). A firing's record ({@code tb_schedule_run}) is
 * written once, however often it is tried.
 *
 * <p>Firings older than this engine's start fell due while no engine ran: the schedule's
 * {@link MissedFirings} policy says which make tasks. A firing that is late for another reason (a
 * database outage, a full slot) is made when it can be.
 */
public final class ScheduleFirings {

    private static final Logger LOG = LoggerFactory.getLogger(ScheduleFirings.class);
    /** The longest the timer waits without looking at the store: schedules another node changed are found so. */
    static final Duration LOOK_AT_LEAST_EVERY = Duration.ofSeconds(30);
    /** How soon a look that could not finish is tried again. */
    static final Duration AFTER_FAILURE = Duration.ofSeconds(5);
    /** Firings of one schedule made per look: a long stretch of missed ones goes in several. */
    static final int MAX_FIRINGS_PER_LOOK = 1000;
    /** Runs kept per schedule. */
    static final int RUNS_KEPT = 500;

    /** Submits a firing's task: the engine's submit. */
    @FunctionalInterface
    public interface Submitter {
        Stored submit(String taskType, String owner, String idempotencyKey, Payload payload) throws InvalidPayloadException;
    }

    /** The task an owner submitted with a key, if any: the engine's store. */
    @FunctionalInterface
    public interface KeyLookup {
        Optional<TaskRecord> find(String owner, String idempotencyKey);
    }

    private final ScheduleStore store;
    private final Submitter submitter;
    private final KeyLookup tasks;
    private final Clock clock;
    private final Instant engineStartedAt;
    private final BooleanSupplier running;
    private final LookTimer timer;
    /** Only one look at a time: the timer and a change may ask for one together. */
    private final Object looking = new Object();

    public ScheduleFirings(ScheduleStore store, Submitter submitter, KeyLookup tasks, Clock clock, Instant engineStartedAt,
                           Scheduler scheduler, ExecutionContext timerThread, Executor blocking, BooleanSupplier running) {
        this.store = store;
        this.submitter = submitter;
        this.tasks = tasks;
        this.clock = clock;
        this.engineStartedAt = engineStartedAt;
        this.running = running;
        this.timer = new LookTimer(clock, scheduler, timerThread, blocking, this::look);
    }

    /** Makes the firings due now (those missed while no engine ran, per policy) and sets the timer. */
    public void start() {
        look();
    }

    /** A schedule was created or changed to fire at {@code at} (null: not at all): the timer goes off by then. */
    public void changed(Instant at) {
        if (at != null) {
            timer.noLaterThan(at);
        }
    }

    private void look() {
        if (!running.getAsBoolean()) {
            return;
        }
        timer.looking();
        synchronized (looking) {
            Instant retryAt = null;
            try {
                for (Schedule schedule : store.due(clock.instant())) {
                    if (!running.getAsBoolean()) {
                        return;
                    }
                    if (!fire(schedule)) {
                        retryAt = clock.instant().plus(AFTER_FAILURE);
                    }
                }
                Instant now = clock.instant();
                Instant latest = now.plus(LOOK_AT_LEAST_EVERY);
                Instant at = store.earliest().filter(when -> when.isBefore(latest)).orElse(latest);
                if (retryAt != null && !(at.isAfter(now) && at.isBefore(retryAt))) {
                    at = retryAt; // the firing that had to wait is due already: not again at once, but after a pause
                }
                timer.noLaterThan(at);
            } catch (RuntimeException e) {
                if (!running.getAsBoolean()) {
                    return;
                }
                LOG.warn("Could not make the schedules' firings; trying again in {} s", AFTER_FAILURE.toSeconds(), e);
                timer.noLaterThan(clock.instant().plus(AFTER_FAILURE));
            }
        }
    }

    /**
     * Makes the schedule's due firings and moves its cursor past those made.
     *
     * @return false when it had to stop early (the engine busy or stopping): the rest is tried again soon
     */
    private boolean fire(Schedule schedule) {
        Instant now = clock.instant();
        FiringTimes times = FiringTimes.of(schedule);
        List<Instant> due = new ArrayList<>();
        Instant firing = schedule.nextFireAt();
        while (firing != null && !firing.isAfter(now) && due.size() < MAX_FIRINGS_PER_LOOK) {
            due.add(firing);
            firing = times.nextAfter(firing).orElse(null);
        }
        List<Instant> missed = due.stream().filter(at -> at.isBefore(engineStartedAt)).toList();
        Instant lastMissed = missed.isEmpty() ? null : missed.get(missed.size() - 1);
        Instant cursor = firing; // where the cursor goes once every due firing is made
        boolean complete = true;
        for (Instant at : due) {
            boolean wasMissed = missed.contains(at);
            if (wasMissed && (schedule.missedFirings() == MissedFirings.SKIP
                    || schedule.missedFirings() == MissedFirings.RUN_ONCE && !at.equals(lastMissed))) {
                // A server that stopped right after it made the firing's task left the cursor behind it: made is made.
                Optional<TaskRecord> made = tasks.find(schedule.owner(), schedule.keyOf(at));
                if (made.isPresent()) {
                    store.record(schedule.id(), at, ScheduleRun.Outcome.SUBMITTED, made.get().id(), null, clock.instant());
                } else {
                    store.record(schedule.id(), at, ScheduleRun.Outcome.SKIPPED, null, "missed while no server ran; "
                            + (schedule.missedFirings() == MissedFirings.SKIP ? "skipped" : "ran once, at its latest missed firing"),
                            clock.instant());
                }
                continue;
            }
            if (!submit(schedule, at)) {
                cursor = at;
                complete = false;
                break;
            }
        }
        if (!store.advance(schedule.id(), schedule.nextFireAt(), cursor)) {
            LOG.debug("Schedule {} was moved on meanwhile (changed, paused, or fired by another node)", schedule.name());
        }
        if (!due.isEmpty()) {
            store.prune(schedule.id(), RUNS_KEPT);
        }
        return complete;
    }

    /** Submits one firing's task and records it; false when it could not be submitted now and must be tried again. */
    private boolean submit(Schedule schedule, Instant at) {
        try {
            Stored stored = submitter.submit(schedule.taskType(), schedule.owner(), schedule.keyOf(at), schedule.payloadAt(at));
            store.record(schedule.id(), at, ScheduleRun.Outcome.SUBMITTED, stored.task().id(), null, clock.instant());
            return true;
        } catch (InvalidPayloadException e) {
            refused(schedule, at, "the task type refused the payload: " + e.getMessage());
            return true;
        } catch (NoSuchTaskTypeException e) {
            refused(schedule, at, "no plugin provides task type " + schedule.taskType());
            return true;
        } catch (IdempotencyConflictException e) {
            // made before with the schedule's content as it was then: that task is this firing's
            store.record(schedule.id(), at, ScheduleRun.Outcome.SUBMITTED, e.existingTaskId(), null, clock.instant());
            return true;
        } catch (EngineStoppedException e) {
            return false;
        } catch (RuntimeException e) {
            // a full slot, a type not ready yet, the database away: the firing is late, not lost
            LOG.warn("Schedule {} could not make its firing at {} yet: {}", schedule.name(), at, e.toString());
            return false;
        }
    }

    private void refused(Schedule schedule, Instant at, String why) {
        LOG.warn("Schedule {}: its firing at {} made no task: {}", schedule.name(), at, why);
        store.record(schedule.id(), at, ScheduleRun.Outcome.REFUSED, null, why, clock.instant());
    }
}
