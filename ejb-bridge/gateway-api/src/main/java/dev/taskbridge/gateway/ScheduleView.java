package dev.taskbridge.gateway;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A schedule as clients see it.
 *
 * @param owner       who created it: the tasks it submits are theirs
 * @param interval    an ISO-8601 duration, or null for a cron schedule
 * @param nextFirings its next firings (five), none while paused
 * @param paused      who paused it and since when, or null while it fires
 * @param lastRuns    what its latest firings came to, newest first
 */
public record ScheduleView(String id, String name, String taskType, String owner, String mediaType, String payload,
                           Map<String, String> options, String cron, String timeZone, String interval, String missedFirings,
                           List<Instant> nextFirings, TypePauseView paused, Instant createdAt, String changedBy,
                           Instant changedAt, List<ScheduleRunView> lastRuns) {
}
