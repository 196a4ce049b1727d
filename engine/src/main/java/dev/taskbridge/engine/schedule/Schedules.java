package dev.taskbridge.engine.schedule;

import java.time.Clock;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import dev.taskbridge.engine.store.Schedule;
import dev.taskbridge.engine.store.ScheduleRun;
import dev.taskbridge.engine.store.ScheduleStore;
import dev.taskbridge.plugin.InvalidPayloadException;
import dev.taskbridge.plugin.Payload;
import dev.taskbridge.plugin.TaskForm;

/**
 * Schedules as operators manage them: created, changed, paused, resumed and deleted at runtime,
 * stored at once, and fired by {@link ScheduleFirings} without a redeploy.
 */
public final class Schedules {

    /** The longest name a schedule may have. */
    public static final int MAX_NAME_LENGTH = 100;

    /** Checks that a task type exists and takes a payload, as a submission would: the engine's. */
    @FunctionalInterface
    public interface PayloadCheck {
        /**
         * @return the version of the type that took it
         * @throws dev.taskbridge.engine.NoSuchTaskTypeException when no plugin provides the type
         */
        int check(String taskType, Payload payload) throws InvalidPayloadException;
    }

    private final ScheduleStore store;
    private final ScheduleFirings firings;
    private final PayloadCheck payloads;
    private final Clock clock;

    public Schedules(ScheduleStore store, ScheduleFirings firings, PayloadCheck payloads, Clock clock) {
        this.store = store;
        this.firings = firings;
        this.payloads = payloads;
        this.clock = clock;
    }

    public List<Schedule> all() {
        return store.all();
    }

    public Optional<Schedule> find(String id) {
        return store.find(id);
    }

    /** The names of the paused schedules, read within {@code timeout}: for readiness probes. */
    public List<String> pausedNames(java.time.Duration timeout) {
        return store.pausedNames(timeout);
    }

    /**
     * Stores a new schedule, its first firing the first of its rule after now.
     *
     * @param by who creates it: the owner of the tasks it submits
     * @throws ScheduleDefinitionException naming the field that is wrong; nothing was stored
     */
    public Schedule create(ScheduleDefinition definition, String by) {
        Instant now = now();
        Schedule schedule = checked(new Schedule(UUID.randomUUID().toString(), definition.name(), definition.taskType(), by,
                definition.payload(), definition.cron(), definition.timeZone(), definition.interval(), now,
                definition.missedFirings(), null, null, null, now, by, now, null));
        try {
            store.insert(schedule);
        } catch (ScheduleStore.NameTakenException e) {
            throw new ScheduleDefinitionException("name", "is taken by another schedule");
        }
        firings.changed(schedule.nextFireAt());
        return schedule;
    }

    /**
     * Replaces what a schedule is, and whose: from now on its tasks are submitted in the name of
     * {@code by}, who decided what they do. A schedule whose rule (cron expression and zone, or
     * interval) stays goes on from where it was; a new rule fires next at its first firing after
     * now (firings of the old rule not made yet are not made).
     *
     * @throws NoSuchScheduleException     no schedule has that id
     * @throws ScheduleDefinitionException naming the field that is wrong; nothing was changed
     */
    public Schedule change(String id, ScheduleDefinition definition, String by) {
        for (int tries = 0; ; tries++) {
            Schedule before = store.find(id).orElseThrow(() -> new NoSuchScheduleException(id));
            Instant now = now();
            Schedule asked = new Schedule(id, definition.name(), definition.taskType(), by, definition.payload(),
                    definition.cron(), definition.timeZone(), definition.interval(), now, definition.missedFirings(), null,
                    before.pausedBy(), before.pausedAt(), before.createdAt(), by, now, null);
            Schedule schedule = checked(sameRule(before, asked) && before.nextFireAt() != null
                    ? withCursor(asked, before.anchorAt(), before.nextFireAt()) : asked);
            try {
                // guarded on the cursor as read: a firing made meanwhile must not be made again
                if (store.change(schedule, before.nextFireAt())) {
                    firings.changed(schedule.paused() ? null : schedule.nextFireAt());
                    return schedule;
                }
            } catch (ScheduleStore.NameTakenException e) {
                throw new ScheduleDefinitionException("name", "is taken by another schedule");
            }
            if (tries == 10) {
                throw new IllegalStateException("schedule " + id + " kept firing while it was changed");
            }
        }
    }

    private static boolean sameRule(Schedule before, Schedule asked) {
        return java.util.Objects.equals(before.cron(), strip(asked.cron()))
                && java.util.Objects.equals(before.timeZone(), before.cron() == null ? null : strip(asked.timeZone()))
                && java.util.Objects.equals(before.interval(), asked.interval());
    }

    private static String strip(String text) {
        return text == null || text.isBlank() ? null : text.strip();
    }

    private static Schedule withVersion(Schedule schedule, int typeVersion) {
        return new Schedule(schedule.id(), schedule.name(), schedule.taskType(), schedule.owner(), schedule.payload(),
                schedule.cron(), schedule.timeZone(), schedule.interval(), schedule.anchorAt(), schedule.missedFirings(),
                schedule.nextFireAt(), schedule.pausedBy(), schedule.pausedAt(), schedule.createdAt(), schedule.changedBy(),
                schedule.changedAt(), typeVersion);
    }

    private static Schedule withCursor(Schedule schedule, Instant anchorAt, Instant nextFireAt) {
        return new Schedule(schedule.id(), schedule.name(), schedule.taskType(), schedule.owner(), schedule.payload(),
                schedule.cron(), schedule.timeZone(), schedule.interval(), anchorAt, schedule.missedFirings(), nextFireAt,
                schedule.pausedBy(), schedule.pausedAt(), schedule.createdAt(), schedule.changedBy(), schedule.changedAt(),
                schedule.typeVersion());
    }

    /** Pauses a schedule: no firing is made until it is resumed. Pausing a paused one keeps its first pause. */
    public Schedule pause(String id, String by) {
        store.pause(id, by, now());
        return store.find(id).orElseThrow(() -> new NoSuchScheduleException(id));
    }

    /**
     * Resumes a paused schedule: it fires next at its first firing after now. The firings it passes
     * (those that fell in the pause, and any still waiting when the pause came) are not made, and
     * are recorded as skipped.
     */
    public Schedule resume(String id) {
        Schedule schedule = store.find(id).orElseThrow(() -> new NoSuchScheduleException(id));
        if (schedule.paused()) {
            Instant now = now();
            Instant next = FiringTimes.of(schedule).nextAfter(now).orElse(null);
            // the guarded update decides between two resumes at once: only its winner records what it passed
            if (store.resume(id, next)) {
                firings.changed(next);
                firings.passedInPause(schedule, now);
            }
        }
        return store.find(id).orElseThrow(() -> new NoSuchScheduleException(id));
    }

    /** Deletes a schedule and its runs; the tasks it submitted stay. */
    public void delete(String id) {
        if (!store.delete(id)) {
            throw new NoSuchScheduleException(id);
        }
    }

    /** Its next {@code count} firings from now (none while paused: they would not be made). */
    public List<Instant> nextFirings(Schedule schedule, int count) {
        if (schedule.paused() || schedule.nextFireAt() == null) {
            return List.of();
        }
        List<Instant> next = new java.util.ArrayList<>(count);
        next.add(schedule.nextFireAt());
        next.addAll(FiringTimes.of(schedule).next(count - 1, schedule.nextFireAt()));
        return next;
    }

    /** Its last runs, newest first. */
    public List<ScheduleRun> runs(String id, int limit) {
        return store.runs(id, limit);
    }

    /**
     * Checks a schedule as its author wrote it and sets its first firing.
     *
     * @throws ScheduleDefinitionException naming the field that is wrong
     */
    private Schedule checked(Schedule schedule) {
        String name = schedule.name() == null ? "" : schedule.name().strip();
        if (name.isEmpty()) {
            throw new ScheduleDefinitionException("name", "is required");
        }
        if (name.length() > MAX_NAME_LENGTH) {
            throw new ScheduleDefinitionException("name", "is longer than " + MAX_NAME_LENGTH + " characters");
        }
        if (schedule.taskType() == null || schedule.taskType().isBlank()) {
            throw new ScheduleDefinitionException("taskType", "is required");
        }
        // what the table's columns hold: longer is refused here, not by the database as if it were away
        longest("taskType", schedule.taskType(), 64);
        longest("mediaType", schedule.payload().mediaType(), 100);
        longest("cron", schedule.cron(), 200);
        longest("timeZone", schedule.timeZone(), 64);
        if (ScheduleStore.optionsLength(schedule.payload().options()) > ScheduleStore.MAX_OPTIONS_LENGTH) {
            throw new ScheduleDefinitionException("options", "take more than " + ScheduleStore.MAX_OPTIONS_LENGTH
                    + " characters written out");
        }
        for (String option : schedule.payload().options().keySet()) {
            // at a submission the API reads these itself; a schedule would hand them to the task type as plain options
            if (TaskForm.RESERVED_OPTION_NAMES.contains(option)) {
                throw new ScheduleDefinitionException("options." + option, "is not an option of a task type: the names "
                        + TaskForm.RESERVED_OPTION_NAMES + " are the API's own, and a schedule's tasks take none of them");
            }
        }
        boolean byCron = schedule.cron() != null && !schedule.cron().isBlank();
        if (byCron == (schedule.interval() != null)) {
            throw new ScheduleDefinitionException("cron", "give either a cron expression (with a time zone) or an interval");
        }
        FiringTimes times;
        if (byCron) {
            if (schedule.timeZone() == null || schedule.timeZone().isBlank()) {
                throw new ScheduleDefinitionException("timeZone", "is required with a cron expression, e.g. Europe/Berlin");
            }
            ZoneId zone;
            try {
                zone = ZoneId.of(schedule.timeZone().strip());
            } catch (DateTimeException e) {
                throw new ScheduleDefinitionException("timeZone", "is not a time zone: give an IANA name, e.g. Europe/Berlin");
            }
            try {
                times = FiringTimes.cron(schedule.cron(), zone);
            } catch (IllegalArgumentException e) {
                throw new ScheduleDefinitionException("cron", e.getMessage()
                        + " (Quartz syntax, seconds first: \"0 30 2 * * ?\" is 02:30 every day)");
            }
        } else {
            // any positive interval: the API asks for at least a second, tests use shorter ones
            if (schedule.interval().isNegative() || schedule.interval().isZero()) {
                throw new ScheduleDefinitionException("interval", "must be positive");
            }
            if (schedule.timeZone() != null && !schedule.timeZone().isBlank()) {
                throw new ScheduleDefinitionException("timeZone", "goes with a cron expression, not with an interval");
            }
            times = FiringTimes.every(schedule.interval(), schedule.anchorAt());
        }
        Instant first = schedule.nextFireAt() != null ? schedule.nextFireAt() : times.nextAfter(schedule.anchorAt()).orElse(null);
        if (first == null) {
            throw new ScheduleDefinitionException("cron", "never fires again");
        }
        Schedule normalized = new Schedule(schedule.id(), name, schedule.taskType().strip(), schedule.owner(), schedule.payload(),
                byCron ? schedule.cron().strip() : null, byCron ? schedule.timeZone().strip() : null,
                byCron ? null : schedule.interval(), schedule.anchorAt(), schedule.missedFirings(), first,
                schedule.pausedBy(), schedule.pausedAt(), schedule.createdAt(), schedule.changedBy(), schedule.changedAt(),
                null);
        try {
            // checked by, and so written for, the version of the type deployed now
            normalized = withVersion(normalized, payloads.check(normalized.taskType(), normalized.payloadAt(first)));
        } catch (InvalidPayloadException e) {
            throw new ScheduleDefinitionException("payload", e.getMessage());
        } catch (dev.taskbridge.engine.NoSuchTaskTypeException e) {
            throw new ScheduleDefinitionException("taskType", "no plugin provides task type " + normalized.taskType());
        }
        return normalized;
    }

    private static void longest(String field, String value, int length) {
        if (value != null && value.length() > length) {
            throw new ScheduleDefinitionException(field, "is longer than " + length + " characters");
        }
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
