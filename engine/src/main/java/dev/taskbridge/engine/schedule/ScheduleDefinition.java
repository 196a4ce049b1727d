package dev.taskbridge.engine.schedule;

import java.time.Duration;
import java.util.Objects;

import dev.taskbridge.engine.store.MissedFirings;
import dev.taskbridge.engine.store.Schedule;
import dev.taskbridge.plugin.Payload;

/**
 * What a schedule is, as its author writes it: a name, the task it submits, and when. Exactly one
 * of {@code cron} (with {@code timeZone}) or {@code interval} says when.
 *
 * @param payload  the task's payload and options; in text payloads and option values
 *                 {@value Schedule#FIRING_TIME} and {@value Schedule#FIRING_DATE} become the firing's
 *                 time and date
 * @param cron     a Quartz cron expression (seconds first), or null
 * @param timeZone the zone the cron expression is read in (an IANA name, e.g. Europe/Berlin), or null
 * @param interval a fixed interval from the schedule's creation or last change, or null
 */
public record ScheduleDefinition(String name, String taskType, Payload payload, String cron, String timeZone,
                                 Duration interval, MissedFirings missedFirings) {

    public ScheduleDefinition {
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(missedFirings, "missedFirings");
    }
}
