package dev.taskbridge.gateway;

import java.util.Map;

/**
 * A schedule as its author writes it: what task to submit, and when. Exactly one of {@code cron}
 * (with {@code timeZone}) or {@code interval} says when.
 *
 * @param mediaType     the payload's media type, e.g. {@code application/json} or {@code text/csv}
 * @param payload       the payload as text; {@code ${firingTime}} and {@code ${firingDate}} in it, and
 *                      in the options' values, become each firing's time and date
 * @param options       the task's options, as a submission's query parameters
 * @param cron          a Quartz cron expression, seconds first ({@code 0 30 2 * * ?}), or null
 * @param timeZone      the IANA zone the expression is read in ({@code Europe/Berlin}), or null
 * @param interval      an ISO-8601 duration of at least a second ({@code PT15M}), or null
 * @param missedFirings what to do with firings missed while no server ran: RUN_ONCE (the default),
 *                      RUN_ALL or SKIP
 */
public record ScheduleRequest(String name, String taskType, String mediaType, String payload, Map<String, String> options,
                              String cron, String timeZone, String interval, String missedFirings) {

    public ScheduleRequest {
        options = options == null ? Map.of() : Map.copyOf(options);
    }
}
