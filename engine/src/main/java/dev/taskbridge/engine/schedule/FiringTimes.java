package dev.taskbridge.engine.schedule;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.zone.ZoneOffsetTransition;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.cronutils.model.Cron;
import dev.taskbridge.engine.store.Schedule;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;

/**
 * When a schedule fires: a cron expression (Quartz's syntax, seconds first: {@code 0 30 2 * * ?} is
 * half past two every night) read in a time zone, or a fixed interval from an anchor.
 *
 * <p>Daylight saving, in the zone's local time: when the clocks go back, a local time that
 * happens twice fires once, at its first occurrence (cron-utils does so); when they go forward,
 * a firing whose local time does not exist that night fires as far after the gap's start as it
 * was into the gap (02:30 fires at 03:30), unless the schedule fires then anyway. cron-utils
 * (9.2.1) drops such a firing, and a nightly run at 02:30 would then not run at all that day.
 * Schedules that fire every hour or more often fire by the real clock: every real hour, so 23
 * times on the day the clocks go forward and 25 when they go back.
 */
public abstract sealed class FiringTimes {

    private static final CronParser QUARTZ = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.QUARTZ));
    /** Past the last year a Quartz expression can name (2099): no firing comes after it. */
    private static final Instant END_OF_QUARTZ_YEARS = Instant.parse("2100-01-01T00:00:00Z");

    /**
     * Firings by a cron expression in a zone.
     *
     * @throws IllegalArgumentException saying what is wrong with the expression
     */
    public static FiringTimes cron(String expression, ZoneId zone) {
        Cron cron;
        try {
            cron = QUARTZ.parse(expression.strip()).validate();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return new ByCron(cron, ExecutionTime.forCron(cron), zone);
    }

    /** When a stored schedule fires. */
    public static FiringTimes of(Schedule schedule) {
        return schedule.cron() != null ? cron(schedule.cron(), ZoneId.of(schedule.timeZone()))
                : every(schedule.interval(), schedule.anchorAt());
    }

    /** Firings every {@code interval} from {@code anchor}: anchor + interval, anchor + 2 × interval, ... */
    public static FiringTimes every(Duration interval, Instant anchor) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("the interval must be positive");
        }
        return new ByInterval(interval, anchor);
    }

    /** The first firing strictly after {@code after}; empty when there is none (a cron limited to years gone). */
    public abstract Optional<Instant> nextAfter(Instant after);

    /** The last firing strictly before {@code before}; empty when there is none. */
    public abstract Optional<Instant> lastBefore(Instant before);

    /** Up to {@code count} firings after {@code after}, in order. */
    public List<Instant> next(int count, Instant after) {
        List<Instant> firings = new ArrayList<>(count);
        Optional<Instant> next = nextAfter(after);
        while (next.isPresent() && firings.size() < count) {
            firings.add(next.get());
            next = nextAfter(next.get());
        }
        return firings;
    }

    private static final class ByCron extends FiringTimes {

        private final Cron cron;
        private final ExecutionTime times;
        private final ZoneId zone;

        ByCron(Cron cron, ExecutionTime times, ZoneId zone) {
            this.cron = cron;
            this.times = times;
            this.zone = zone;
        }

        @Override
        public Optional<Instant> nextAfter(Instant after) {
            // cron-utils keeps the fraction of a second it is given: a cron fires on whole seconds
            Optional<Instant> byRealClock = times.nextExecution(after.truncatedTo(ChronoUnit.SECONDS).atZone(zone))
                    .map(ZonedDateTime::toInstant);
            // A firing in a gap the clocks jumped over comes before the next one by the real clock, or
            // never; with none by the real clock, gaps are searched only as far as a year can be named.
            Instant searchUntil = byRealClock.orElse(END_OF_QUARTZ_YEARS);
            for (ZoneOffsetTransition transition = zone.getRules().nextTransition(after);
                 transition != null && transition.getInstant().isBefore(searchUntil);
                 transition = zone.getRules().nextTransition(transition.getInstant())) {
                if (transition.isGap()) {
                    Optional<Instant> inGap = firingInGap(transition, after);
                    if (inGap.isPresent() && (byRealClock.isEmpty() || inGap.get().isBefore(byRealClock.get()))) {
                        return inGap;
                    }
                }
            }
            return byRealClock;
        }

        /**
         * The first firing whose local time lies in the gap, moved as far past the gap's start as
         * it was into the gap, if that is after {@code after}. The expression is read on the local
         * clock (as UTC, which has no gaps) to find such a local time.
         */
        private Optional<Instant> firingInGap(ZoneOffsetTransition gap, Instant after) {
            LocalDateTime start = gap.getDateTimeBefore();
            LocalDateTime end = gap.getDateTimeAfter();
            ZonedDateTime justBefore = start.minusSeconds(1).atZone(ZoneOffset.UTC);
            for (Optional<ZonedDateTime> local = times.nextExecution(justBefore);
                 local.isPresent() && local.get().toLocalDateTime().isBefore(end);
                 local = times.nextExecution(local.get())) {
                Instant moved = gap.getInstant().plus(Duration.between(start, local.get().toLocalDateTime()));
                if (moved.isAfter(after)) {
                    return Optional.of(moved);
                }
            }
            return Optional.empty();
        }

        @Override
        public Optional<Instant> lastBefore(Instant before) {
            // cron-utils' last execution by the real clock, then forward with nextAfter, which has
            // the firings the clocks skipped: a step or two at most
            Optional<Instant> last = times.lastExecution(before.truncatedTo(ChronoUnit.SECONDS).plusSeconds(1).atZone(zone))
                    .map(ZonedDateTime::toInstant);
            for (int tries = 0; last.isPresent() && !last.get().isBefore(before); tries++) {
                Instant notBefore = last.get();
                last = tries < 3 ? times.lastExecution(notBefore.atZone(zone)).map(ZonedDateTime::toInstant)
                        .filter(earlier -> earlier.isBefore(notBefore)) : Optional.empty();
            }
            for (Optional<Instant> next = last.flatMap(this::nextAfter); next.isPresent() && next.get().isBefore(before);
                 next = nextAfter(next.get())) {
                last = next;
            }
            return last;
        }

        @Override
        public String toString() {
            return cron.asString() + " in " + zone;
        }
    }

    private static final class ByInterval extends FiringTimes {

        private final Duration interval;
        private final Instant anchor;

        ByInterval(Duration interval, Instant anchor) {
            this.interval = interval;
            this.anchor = anchor;
        }

        @Override
        public Optional<Instant> nextAfter(Instant after) {
            if (after.isBefore(anchor)) {
                return Optional.of(anchor.plus(interval));
            }
            long elapsed = Duration.between(anchor, after).toNanos();
            long steps = elapsed / interval.toNanos() + 1;
            return Optional.of(anchor.plus(interval.multipliedBy(steps)));
        }

        @Override
        public Optional<Instant> lastBefore(Instant before) {
            if (!before.isAfter(anchor.plus(interval))) {
                return Optional.empty();
            }
            long steps = (Duration.between(anchor, before).toNanos() - 1) / interval.toNanos();
            return Optional.of(anchor.plus(interval.multipliedBy(steps)));
        }

        @Override
        public String toString() {
            return "every " + interval + " from " + anchor;
        }
    }
}
