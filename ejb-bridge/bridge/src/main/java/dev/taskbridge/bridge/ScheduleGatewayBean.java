package dev.taskbridge.bridge;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;

import dev.taskbridge.engine.schedule.ScheduleDefinition;
import dev.taskbridge.engine.schedule.Schedules;
import dev.taskbridge.engine.store.MissedFirings;
import dev.taskbridge.engine.store.Schedule;
import dev.taskbridge.gateway.InvalidSubmissionException;
import dev.taskbridge.gateway.ScheduleGateway;
import dev.taskbridge.gateway.ScheduleNotFoundException;
import dev.taskbridge.gateway.ScheduleRequest;
import dev.taskbridge.gateway.ScheduleRunView;
import dev.taskbridge.gateway.ScheduleView;
import dev.taskbridge.gateway.TaskStatus;
import dev.taskbridge.gateway.TypePauseView;
import dev.taskbridge.plugin.Payload;
import jakarta.ejb.EJB;
import jakarta.ejb.Local;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.interceptor.Interceptors;

/**
 * Schedules for the web tier: reads the request's text fields into a definition the engine checks,
 * and the engine's schedules into plain views. Not transactional: each change commits by itself.
 */
@Stateless
@Local(ScheduleGateway.class)
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
@Interceptors(EngineFailures.class)
public class ScheduleGatewayBean implements ScheduleGateway {

    /** The least interval a schedule may have: more often is a job for a queue, not a schedule. */
    static final Duration SHORTEST_INTERVAL = Duration.ofSeconds(1);
    /** The longest: a yearly run is a cron expression. */
    static final Duration LONGEST_INTERVAL = Duration.ofDays(366);
    private static final int NEXT_FIRINGS = 5;

    @EJB
    private EngineLifecycle lifecycle;

    @Override
    public List<ScheduleView> schedules() {
        Schedules schedules = engineSchedules();
        return schedules.all().stream().map(schedule -> view(schedules, schedule, LAST_RUNS)).toList();
    }

    @Override
    public ScheduleView schedule(String id, int runs) {
        if (runs < 1 || runs > MOST_RUNS) {
            throw new InvalidSubmissionException("runs", "must be from 1 to " + MOST_RUNS);
        }
        Schedules schedules = engineSchedules();
        return view(schedules, schedules.find(id).orElseThrow(() -> new ScheduleNotFoundException(id)), runs);
    }

    @Override
    public ScheduleView create(ScheduleRequest request, String by) {
        Schedules schedules = engineSchedules();
        return view(schedules, schedules.create(definition(request), by), LAST_RUNS);
    }

    @Override
    public ScheduleView change(String id, ScheduleRequest request, String by) {
        Schedules schedules = engineSchedules();
        return view(schedules, schedules.change(id, definition(request), by), LAST_RUNS);
    }

    @Override
    public ScheduleView pause(String id, String by) {
        Schedules schedules = engineSchedules();
        return view(schedules, schedules.pause(id, by), LAST_RUNS);
    }

    @Override
    public ScheduleView resume(String id) {
        Schedules schedules = engineSchedules();
        return view(schedules, schedules.resume(id), LAST_RUNS);
    }

    @Override
    public void delete(String id) {
        engineSchedules().delete(id);
    }

    private Schedules engineSchedules() {
        return lifecycle.engine().schedules();
    }

    /** The request's text as the engine's definition; what cannot be read is refused naming its field. */
    private static ScheduleDefinition definition(ScheduleRequest request) {
        if (request.mediaType() == null || request.mediaType().isBlank()) {
            throw new InvalidSubmissionException("mediaType", "is required, e.g. application/json or text/csv");
        }
        if (request.payload() == null) {
            throw new InvalidSubmissionException("payload", "is required: the task's payload as text");
        }
        Duration interval = null;
        if (request.interval() != null && !request.interval().isBlank()) {
            try {
                interval = Duration.parse(request.interval().strip());
            } catch (DateTimeParseException e) {
                throw new InvalidSubmissionException("interval", "must be an ISO-8601 duration, e.g. PT15M");
            }
            if (interval.compareTo(SHORTEST_INTERVAL) < 0 || interval.compareTo(LONGEST_INTERVAL) > 0) {
                throw new InvalidSubmissionException("interval", "must be from " + SHORTEST_INTERVAL.toSeconds() + " second to "
                        + LONGEST_INTERVAL.toDays() + " days");
            }
            if (interval.getNano() % 1_000_000 != 0) {
                throw new InvalidSubmissionException("interval", "must be in whole milliseconds"); // as it is stored
            }
        }
        MissedFirings missed = MissedFirings.RUN_ONCE;
        if (request.missedFirings() != null && !request.missedFirings().isBlank()) {
            try {
                missed = MissedFirings.valueOf(request.missedFirings().strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new InvalidSubmissionException("missedFirings", "must be one of " + List.of(MissedFirings.values()));
            }
        }
        String cron = request.cron() == null || request.cron().isBlank() ? null : request.cron();
        return new ScheduleDefinition(request.name(), request.taskType(), new Payload(request.mediaType().strip(),
                request.payload().getBytes(StandardCharsets.UTF_8), request.options()), cron, request.timeZone(), interval,
                missed);
    }

    private static ScheduleView view(Schedules schedules, Schedule schedule, int lastRuns) {
        List<ScheduleRunView> runs = schedules.runs(schedule.id(), lastRuns).stream()
                .map(run -> new ScheduleRunView(run.fireAt(), run.outcome().name(), run.taskId(),
                        run.taskState() == null ? null : TaskStatus.valueOf(run.taskState().name()), run.detail(), run.until()))
                .toList();
        return new ScheduleView(schedule.id(), schedule.name(), schedule.taskType(), schedule.owner(),
                schedule.payload().mediaType(), new String(schedule.payload().body(), StandardCharsets.UTF_8),
                schedule.payload().options(), schedule.cron(), schedule.timeZone(),
                schedule.interval() == null ? null : schedule.interval().toString(), schedule.missedFirings().name(),
                schedules.nextFirings(schedule, NEXT_FIRINGS),
                schedule.paused() ? new TypePauseView(schedule.pausedBy(), schedule.pausedAt()) : null,
                schedule.createdAt(), schedule.changedBy(), schedule.changedAt(), runs);
    }
}
