package dev.taskbridge.web;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.taskbridge.gateway.ScheduleView;

/**
 * A schedule as the REST API shows it: what it submits and when, its next five firings (none
 * while paused), who paused it, and what its latest firings came to.
 */
public record ScheduleJson(String id, String name, String taskType, String owner, String mediaType, String payload,
                           Map<String, String> options, String cron, String timeZone, String interval, String missedFirings,
                           List<Instant> nextFirings, PausedJson paused, Instant createdAt, String changedBy, Instant changedAt,
                           List<RunJson> lastRuns) {

    public record PausedJson(String by, Instant at) {
    }

    /**
     * @param outcome    SUBMITTED, SKIPPED (missed while no server ran, per the schedule's policy) or REFUSED
     * @param taskStatus the submitted task's status now
     * @param until      for a stretch of firings skipped together, the last of them ({@code fireAt} the first)
     */
    public record RunJson(Instant fireAt, Instant until, String outcome, String taskId, String taskStatus, String detail) {
    }

    static ScheduleJson of(ScheduleView schedule) {
        return new ScheduleJson(schedule.id(), schedule.name(), schedule.taskType(), schedule.owner(), schedule.mediaType(),
                schedule.payload(), schedule.options(), schedule.cron(), schedule.timeZone(), schedule.interval(),
                schedule.missedFirings(), schedule.nextFirings(),
                schedule.paused() == null ? null : new PausedJson(schedule.paused().by(), schedule.paused().at()),
                schedule.createdAt(), schedule.changedBy(), schedule.changedAt(),
                schedule.lastRuns().stream().map(run -> new RunJson(run.fireAt(), run.until(), run.outcome(), run.taskId(),
                        run.taskStatus() == null ? null : run.taskStatus().name(), run.detail())).toList());
    }
}
