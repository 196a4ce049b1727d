package dev.taskbridge.engine.schedule;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;

import dev.taskbridge.engine.EngineStoppedException;
import dev.taskbridge.engine.IdempotencyConflictException;
import dev.taskbridge.engine.LookTimer;
import dev.taskbridge.engine.NoSuchTaskTypeException;
import dev.taskbridge.engine.SlotFullException;
import dev.taskbridge.engine.TaskTypeClosedException;
import dev.taskbridge.engine.TaskTypeNotActiveException;
import dev.taskbridge.engine.plugins.TaskTypeNotReadyException;
import dev.taskbridge.engine.store.MissedFirings;
import dev.taskbridge.engine.store.Schedule;
import dev.taskbridge.engine.store.ScheduleRun;
import dev.taskbridge.engine.store.ScheduleStore;
import dev.taskbridge.engine.store.Stored;
import dev.taskbridge.engine.store.TaskRecord;
import dev.taskbridge.engine.store.TaskStoreException;
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
 * <p>Exactly once: each firing's task is submitted first and the cursor moved past that one firing
 * after, so a crash in between leaves the cursor on a firing whose task exists, which the next
 * look submits again and its key answers with the stored task; two nodes that look at once submit
 * one task per firing for the same reason, and only one of them moves the cursor (a guarded
 * update). A firing's record ({@code tb_schedule_run}) is written once, however often it is tried.
 *
 * <p>Firings older than this engine's start fell due while no engine ran: the schedule's
 * {@link MissedFirings} policy says which make tasks, and a stretch of skipped ones is one record,
 * found without visiting each firing. A firing that is late for another reason (a database outage,
 * a full slot) is made when it can be; one its task type refuses is recorded REFUSED and passed.
 * "Before this engine's start" is one node's view: in a cluster (#14) a node that starts while
 * another runs would take the other's on-time firings for missed.
 */
public final class ScheduleFirings {

    private static final Logger LOG = LoggerFactory.getLogger(ScheduleFirings.class);
    /** The longest the timer waits without looking at the store: schedules another node changed are found so. */
    static final Duration LOOK_AT_LEAST_EVERY = Duration.ofSeconds(30);
    /** How soon a look that could not finish is tried again. */
    static final Duration AFTER_FAILURE = Duration.ofSeconds(5);
    /** Firings of one schedule made per look: a long stretch of them (RUN_ALL after a long stop) goes in several. */
    static final int MAX_FIRINGS_PER_LOOK = 1000;
    /** How the record of firings a pause passed begins. */
    public static final String PAUSED = "paused by ";
    /** Runs kept per schedule. */
    static final int RUNS_KEPT = 500;
    /** A schedule's old runs are deleted once this many more were recorded. */
    static final int PRUNE_EVERY = 50;

    /** Submits a firing's task: the engine's submit, after the migrations from the version the schedule was written for. */
    @FunctionalInterface
    public interface Submitter {
        /** @param writtenFor the version of the type the schedule's payload was written for; null: the plugin's */
        Stored submit(String taskType, String owner, String idempotencyKey, Payload payload, Integer writtenFor)
                throws InvalidPayloadException;
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
    /** Runs recorded per schedule since its old ones were last deleted. */
    private final Map<String, Integer> recordedSincePrune = new ConcurrentHashMap<>();

    public ScheduleFirings(ScheduleStore store, Submitter submitter, KeyLookup tasks, Clock clock, Instant engineStartedAt,
                           Scheduler scheduler, ExecutionContext timerThread, Executor blocking, BooleanSupplier running) {
        this.store = store;
        this.submitter = submitter;
        this.tasks = tasks;
        this.clock = clock;
        this.engineStartedAt = engineStartedAt;
        this.running = running;
        this.timer = new LookTimer(clock, scheduler, timerThread, blocking, LOOK_AT_LEAST_EVERY, running, this::look);
    }

    /** Makes the firings due now (those missed while no engine ran, per policy) and sets the timer. */
    public void start() {
        timer.lookNow();
    }

    /** A schedule was created or changed to fire at {@code at} (null: not at all): the timer goes off by then. */
    public void changed(Instant at) {
        if (at != null) {
            timer.noLaterThan(at);
        }
    }

    private void look() {
        synchronized (looking) {
            try {
                lookAtDueSchedules();
            } catch (RuntimeException e) {
                if (running.getAsBoolean()) {
                    LOG.warn("Could not read the schedules; trying again in {} s", AFTER_FAILURE.toSeconds(), e);
                    timer.noLaterThan(clock.instant().plus(AFTER_FAILURE));
                }
            }
        }
    }

    private void lookAtDueSchedules() {
        boolean allMade = true;
        for (Schedule schedule : store.due(clock.instant())) {
            if (!running.getAsBoolean()) {
                return;
            }
            try {
                allMade &= fire(schedule);
            } catch (RuntimeException e) {
                // one schedule's trouble (its database rows, a bug) must not hold up the others
                LOG.warn("Schedule {} could not make its firings; trying again in {} s", schedule.name(),
                        AFTER_FAILURE.toSeconds(), e);
                allMade = false;
            }
        }
        Instant now = clock.instant();
        Optional<Instant> next = store.earliest();
        if (!allMade) {
            // a firing that had to wait is due already: not again at once, but after a pause
            timer.noLaterThan(next.filter(at -> at.isAfter(now)).filter(at -> at.isBefore(now.plus(AFTER_FAILURE)))
                    .orElse(now.plus(AFTER_FAILURE)));
        } else {
            next.ifPresent(timer::noLaterThan);
        }
    }

    /**
     * Makes the schedule's due firings, moving its cursor past each one made.
     *
     * @return false when it had to stop at a firing that must wait (the engine busy or stopping)
     */
    private boolean fire(Schedule schedule) {
        FiringTimes times = FiringTimes.of(schedule);
        Instant cursor = schedule.nextFireAt();
        if (schedule.missedFirings() != MissedFirings.RUN_ALL && cursor.isBefore(engineStartedAt)) {
            Optional<Instant> next = passMissed(schedule, times, cursor);
            if (!next.equals(Optional.of(cursor))) {
                if (!store.advance(schedule.id(), cursor, next.orElse(null))) {
                    return true; // moved on by someone else: a change, a pause, another node
                }
                cursor = next.orElse(null);
            }
        }
        Instant now = clock.instant();
        for (int made = 0; cursor != null && !cursor.isAfter(now) && made < MAX_FIRINGS_PER_LOOK; made++) {
            if (!make(schedule, cursor)) {
                return false;
            }
            Instant next = times.nextAfter(cursor).orElse(null);
            if (!store.advance(schedule.id(), cursor, next)) {
                return true;
            }
            cursor = next;
        }
        return true;
    }

    /**
     * Passes the firings missed while no engine ran, from the cursor to the last before this
     * engine's start, as a RUN_ONCE or SKIP schedule does: a stretch of skipped ones is one record.
     *
     * @return the firing to go on from: under RUN_ONCE the last missed one, whose task is made as
     *         any due firing's; else the one after them (empty: none is left)
     */
    private Optional<Instant> passMissed(Schedule schedule, FiringTimes times, Instant cursor) {
        Instant lastMissed = times.lastBefore(engineStartedAt).filter(at -> !at.isBefore(cursor)).orElse(cursor);
        Instant from = cursor;
        if (recordedIfMade(schedule, cursor)) {
            if (cursor.equals(lastMissed)) {
                return times.nextAfter(lastMissed);
            }
            from = times.nextAfter(cursor).orElseThrow();
        }
        boolean runOnce = schedule.missedFirings() == MissedFirings.RUN_ONCE;
        Optional<Instant> skipUntil = runOnce ? times.lastBefore(lastMissed) : Optional.of(lastMissed);
        Instant skipFrom = from;
        if (skipUntil.isPresent() && !skipUntil.get().isBefore(skipFrom)) {
            recorded(schedule, () -> store.recordSkipped(schedule.id(), skipFrom, skipUntil.get(), "missed while no server ran "
                    + "(until " + skipUntil.get() + "); " + (runOnce ? "ran once, at the latest of them" : "skipped"),
                    clock.instant()));
        }
        // Not made here: its task made before the cursor reached it would be skipped by the next
        // start if this one died first, as that start skips from the same cursor to a later firing
        // (ScheduleModelTest found a firing both made and skipped). With the cursor on it, a task
        // made just before a crash is the cursor's own, found by its key above.
        return runOnce ? Optional.of(lastMissed) : times.nextAfter(lastMissed);
    }

    /**
     * Records what the resume of a paused schedule passed: its firings from the cursor it had to
     * {@code resumedAt}, made by no one, as one skipped stretch. Besides those that fell in the pause
     * these are any still waiting when it came (late for an outage, a full slot, or missed while no
     * server ran and not yet made): a pause stops them too, and says so here rather than leaving
     * them unrecorded. The cursor's own firing may have its task already (a server that died after
     * making it, before moving the cursor): that one is recorded as made.
     *
     * @param paused the schedule as it was before its resume
     */
    public void passedInPause(Schedule paused, Instant resumedAt) {
        Instant cursor = paused.nextFireAt();
        if (cursor == null || cursor.isAfter(resumedAt)) {
            return;
        }
        FiringTimes times = FiringTimes.of(paused);
        Instant from = cursor;
        if (recordedIfMade(paused, cursor)) {
            from = times.nextAfter(cursor).filter(at -> !at.isAfter(resumedAt)).orElse(null);
        }
        Optional<Instant> until = times.lastBefore(resumedAt.plusNanos(1));
        if (from != null && until.isPresent() && !until.get().isBefore(from)) {
            Instant skipFrom = from;
            String waiting = cursor.isBefore(paused.pausedAt()) ? " (with those still waiting when it came)" : "";
            recorded(paused, () -> store.recordSkipped(paused.id(), skipFrom, until.get(), PAUSED + paused.pausedBy() + " at "
                    + paused.pausedAt() + ", resumed at " + resumedAt + waiting, clock.instant()));
        }
    }

    /**
     * Records the cursor's firing as made if its task exists: a server that died right after it
     * made the firing left the cursor on it, and made is made.
     */
    private boolean recordedIfMade(Schedule schedule, Instant cursor) {
        Optional<TaskRecord> made = tasks.find(schedule.owner(), schedule.keyOf(cursor));
        made.ifPresent(task -> recorded(schedule, () -> store.record(schedule.id(), cursor, ScheduleRun.Outcome.SUBMITTED,
                task.id(), null, clock.instant())));
        return made.isPresent();
    }

    /** Submits one firing's task and records what it came to; false when it must wait and be tried again. */
    private boolean make(Schedule schedule, Instant at) {
        try {
            Stored stored = submitter.submit(schedule.taskType(), schedule.owner(), schedule.keyOf(at), schedule.payloadAt(at),
                    schedule.typeVersion());
            recorded(schedule, () -> store.record(schedule.id(), at, ScheduleRun.Outcome.SUBMITTED, stored.task().id(), null,
                    clock.instant()));
            return true;
        } catch (InvalidPayloadException e) {
            refused(schedule, at, "the task type refused the payload: " + e.getMessage(), null);
        } catch (NoSuchTaskTypeException e) {
            refused(schedule, at, "no plugin provides task type " + schedule.taskType(), null);
        } catch (TaskTypeClosedException e) {
            refused(schedule, at, e.getMessage(), null);
        } catch (IdempotencyConflictException e) {
            // made before with the schedule's content as it was then: that task is this firing's
            recorded(schedule, () -> store.record(schedule.id(), at, ScheduleRun.Outcome.SUBMITTED, e.existingTaskId(), null,
                    clock.instant()));
        } catch (SlotFullException | EngineStoppedException | TaskStoreException | TaskTypeNotActiveException e) {
            LOG.warn("Schedule {} could not make its firing at {} yet: {}", schedule.name(), at, e.toString());
            return false; // late, not lost
        } catch (TaskTypeNotReadyException e) {
            if (e.passing()) {
                LOG.warn("Schedule {} could not make its firing at {} yet: {}", schedule.name(), at, e.toString());
                return false;
            }
            refused(schedule, at, "the task type failed: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            refused(schedule, at, "the task type failed: " + e, e); // a plugin's bug: passed, not tried for ever
        }
        return true;
    }

    private void refused(Schedule schedule, Instant at, String why, RuntimeException failure) {
        LOG.warn("Schedule {}: its firing at {} made no task: {}", schedule.name(), at, why, failure);
        recorded(schedule, () -> store.record(schedule.id(), at, ScheduleRun.Outcome.REFUSED, null, why, clock.instant()));
    }

    /** Records a run, and now and then deletes the schedule's old ones. */
    private void recorded(Schedule schedule, Runnable record) {
        record.run();
        if (recordedSincePrune.merge(schedule.id(), 1, Integer::sum) >= PRUNE_EVERY) {
            recordedSincePrune.remove(schedule.id());
            store.prune(schedule.id(), RUNS_KEPT);
        }
    }
}
