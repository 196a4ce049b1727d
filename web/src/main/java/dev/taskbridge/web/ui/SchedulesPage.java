package dev.taskbridge.web.ui;

import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import dev.taskbridge.gateway.ScheduleGateway;
import dev.taskbridge.gateway.ScheduleRequest;
import dev.taskbridge.gateway.ScheduleRunView;
import dev.taskbridge.gateway.ScheduleView;
import dev.taskbridge.gateway.TaskGateway;
import dev.taskbridge.gateway.TaskTypeView;
import dev.taskbridge.gateway.TaskbridgeException;
import jakarta.ejb.EJB;
import jakarta.enterprise.context.RequestScoped;
import jakarta.faces.context.FacesContext;
import jakarta.inject.Inject;
import jakarta.inject.Named;

/**
 * For supervisors and admins (web.xml): the schedules with their next firings and latest runs, a
 * form to create one, and pause, resume and delete on each row.
 */
@Named("schedulesPage")
@RequestScoped
public class SchedulesPage {

    /** The media types the form offers: what schedules' text payloads are written in. */
    static final List<String> MEDIA_TYPES = List.of("application/json", "text/csv", "text/plain");
    /** The latest runs a row shows; the REST view lists more. */
    static final int RUNS_SHOWN = 3;

    @EJB
    private ScheduleGateway schedules;

    @EJB
    private TaskGateway tasks;

    @Inject
    private CurrentUser user;

    private List<ScheduleView> rows = List.of();
    private boolean loaded;

    // the form
    private String name;
    private String taskType;
    private String mediaType = MEDIA_TYPES.get(0);
    private String payload;
    private String cron;
    private String timeZone = ZoneId.systemDefault().getId();
    private String interval;
    private String missedFirings = "RUN_ONCE";

    /** Reads the schedules once per request, when first needed: a row's button needs the rows before the view action. */
    public void load() {
        if (!loaded) {
            read();
        }
    }

    private void read() {
        loaded = true;
        try {
            rows = schedules.schedules();
        } catch (TaskbridgeException e) {
            Pages.refused(e);
        }
    }

    /** A schedule's latest runs, newest first, up to {@link #RUNS_SHOWN}: {@code ui:repeat}'s {@code size} fails when there are fewer. */
    public List<ScheduleRunView> lastRuns(ScheduleView schedule) {
        List<ScheduleRunView> runs = schedule.lastRuns();
        return runs.subList(0, Math.min(RUNS_SHOWN, runs.size()));
    }

    /** Creates the schedule the form describes; its tasks will be this user's. */
    public void create() {
        // both as typed: a cron expression and an interval together are refused, never one of them dropped
        boolean byCron = cron != null && !cron.isBlank();
        ScheduleRequest request = new ScheduleRequest(name, taskType, mediaType, payload == null ? "" : payload, Map.of(),
                cron, byCron ? timeZone : null, interval, missedFirings);
        try {
            ScheduleView created = schedules.create(request, user.getName());
            Pages.info("Schedule " + created.name() + " created: it fires next at " + firstOf(created.nextFirings()) + ".");
            name = null;
            payload = null;
            cron = null;
            interval = null;
        } catch (TaskbridgeException e) {
            Pages.refused(e);
        }
        read();
    }

    /** Pauses, resumes or deletes the schedule the pressed button names ({@code id}, {@code to}). */
    public void change() {
        Map<String, String> parameters = FacesContext.getCurrentInstance().getExternalContext().getRequestParameterMap();
        String id = parameters.get("id");
        String to = parameters.get("to");
        if (id == null || to == null) {
            Pages.error("Say which schedule to change, and how.");
            return;
        }
        try {
            switch (to) {
                case "pause" -> Pages.info("Schedule " + schedules.pause(id, user.getName()).name()
                        + " is paused: it makes no firing until it is resumed.");
                case "resume" -> Pages.info("Schedule " + schedules.resume(id).name() + " fires again, next at "
                        + firstOf(schedules.schedule(id, 1).nextFirings()) + ".");
                case "delete" -> {
                    String deleted = schedules.schedule(id, 1).name();
                    schedules.delete(id);
                    Pages.info("Schedule " + deleted + " deleted; the tasks it submitted stay.");
                }
                default -> Pages.error("A schedule can be paused, resumed or deleted.");
            }
        } catch (TaskbridgeException e) {
            Pages.refused(e);
        }
        read(); // as it is now
    }

    private static String firstOf(List<Instant> firings) {
        return firings.isEmpty() ? "never" : Pages.time(firings.get(0));
    }

    /** "0 30 2 * * ? in Europe/Berlin" or "every PT15M". */
    public String when(ScheduleView schedule) {
        return schedule.cron() != null ? schedule.cron() + " in " + schedule.timeZone() : "every " + schedule.interval();
    }

    /** Its next firings as the pages write times. */
    public List<String> next(ScheduleView schedule) {
        return schedule.nextFirings().stream().map(Pages::time).toList();
    }

    /** "since 2026-12-04 10:15:00, by supervisor", or empty while it fires. */
    public String pausedText(ScheduleView schedule) {
        return schedule.paused() == null ? "" : "since " + Pages.time(schedule.paused().at()) + ", by " + schedule.paused().by();
    }

    public String time(Instant instant) {
        return Pages.time(instant);
    }

    public List<ScheduleView> getRows() {
        load();
        return rows;
    }

    public List<String> getTaskTypes() {
        try {
            return tasks.taskTypes().stream().map(TaskTypeView::id).sorted().collect(Collectors.toList());
        } catch (TaskbridgeException e) {
            Pages.refused(e);
            return List.of();
        }
    }

    public List<String> getMediaTypes() {
        return MEDIA_TYPES;
    }

    /** The placeholders a payload may hold, written here as they must be typed (a page cannot write them: they read as EL). */
    public String getFiringTime() {
        return "${firingTime}";
    }

    public String getFiringDate() {
        return "${firingDate}";
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public String getTaskType() {
        return taskType;
    }

    public void setTaskType(String taskType) {
        this.taskType = taskType;
    }

    public String getMediaType() {
        return mediaType;
    }

    public void setMediaType(String mediaType) {
        this.mediaType = mediaType;
    }

    public String getPayload() {
        return payload;
    }

    public void setPayload(String payload) {
        this.payload = payload;
    }

    public String getCron() {
        return cron;
    }

    public void setCron(String cron) {
        this.cron = cron;
    }

    public String getTimeZone() {
        return timeZone;
    }

    public void setTimeZone(String timeZone) {
        this.timeZone = timeZone;
    }

    public String getInterval() {
        return interval;
    }

    public void setInterval(String interval) {
        this.interval = interval;
    }

    public String getMissedFirings() {
        return missedFirings;
    }

    public void setMissedFirings(String missedFirings) {
        this.missedFirings = missedFirings;
    }
}
