package dev.taskbridge.web.ui;

import java.io.Serializable;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.taskbridge.gateway.TaskGateway;
import dev.taskbridge.gateway.TaskQuery;
import dev.taskbridge.gateway.TaskStatus;
import dev.taskbridge.gateway.TaskTypeView;
import dev.taskbridge.gateway.TaskbridgeException;
import jakarta.ejb.EJB;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;

/**
 * The dashboard: tasks per status and a list of tasks, filtered by type, status, owner, order key
 * (supervisors) and day of submission, a page at a time. The filters are the page's query
 * parameters, so a filtered list can be bookmarked; live changes re-render counts and list.
 */
@Named("dashboard")
@ViewScoped
public class DashboardPage implements Serializable {

    private static final long serialVersionUID = 1L;

    static final int PAGE_SIZE = 25;

    @EJB
    private TaskGateway gateway;

    @Inject
    private CurrentUser user;

    private String type;
    private String status;
    private String owner;
    private String orderKey;
    private String from;
    private String to;
    private int offset;

    private Map<String, Long> counts = Map.of();
    private List<TaskRow> tasks = List.of();
    private List<String> types = List.of();
    private boolean morePages;
    private boolean filtersValid = true;

    /** Reads the filters and the first data; a bad filter is a message, not an error page. */
    public void load() {
        try {
            types = gateway.taskTypes().stream().map(TaskTypeView::id).toList();
        } catch (TaskbridgeException e) {
            Pages.refused(e);
            return;
        }
        refresh();
    }

    /** Reads counts and list again: after a live change, or a page turned. */
    public void refresh() {
        List<String> problems = new ArrayList<>();
        TaskStatus wanted = null;
        if (blank(status) == null) {
            status = null;
        } else {
            try {
                wanted = TaskStatus.valueOf(status.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                problems.add("Status: must be one of " + List.of(TaskStatus.values()));
            }
        }
        Instant submittedFrom = day("From", from, problems);
        Instant dayTo = day("To", to, problems);
        if (offset < 0) {
            offset = 0;
        }
        if (!problems.isEmpty()) {
            filtersValid = false;
            problems.forEach(Pages::error);
            return;
        }
        String visibleOwner = user.isSeesAllTasks() ? blank(owner) : user.getName();
        try {
            Map<TaskStatus, Long> byStatus = new EnumMap<>(gateway.countByStatus(user.isSeesAllTasks() ? null : user.getName()));
            Map<String, Long> shown = new LinkedHashMap<>();
            for (TaskStatus each : TaskStatus.values()) {
                shown.put(each.name(), byStatus.getOrDefault(each, 0L));
            }
            counts = shown;
            List<TaskRow> found = gateway.list(new TaskQuery(blank(type), wanted, visibleOwner, blank(orderKey), submittedFrom,
                    dayTo == null ? null : dayTo.plusSeconds(24 * 60 * 60), offset, PAGE_SIZE + 1))
                    .stream().map(TaskRow::of).toList();
            morePages = found.size() > PAGE_SIZE;
            tasks = found.subList(0, Math.min(PAGE_SIZE, found.size()));
            filtersValid = true;
        } catch (TaskbridgeException e) {
            filtersValid = false;
            Pages.refused(e);
        }
    }

    /** Shows the first page of the list the form's filters select, at an address that has them. */
    public String apply() {
        offset = 0;
        return "index?faces-redirect=true&includeViewParams=true";
    }

    private static Instant day(String label, String value, List<String> problems) {
        if (blank(value) == null) {
            return null;
        }
        try {
            return LocalDate.parse(value.strip()).atStartOfDay(ZoneId.systemDefault()).toInstant();
        } catch (DateTimeParseException e) {
            problems.add(label + ": must be a day in the form yyyy-MM-dd");
            return null;
        }
    }

    private static String blank(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }

    /** This page with the same filters at another offset. */
    private String pageUrl(int newOffset) {
        StringBuilder url = new StringBuilder("index.xhtml?offset=").append(newOffset);
        Map<String, String> filters = new LinkedHashMap<>();
        filters.put("type", type);
        filters.put("status", status);
        filters.put("owner", owner);
        filters.put("orderKey", orderKey);
        filters.put("from", from);
        filters.put("to", to);
        filters.forEach((name, value) -> {
            if (blank(value) != null) {
                url.append('&').append(name).append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8));
            }
        });
        return url.toString();
    }

    public String getNextPageUrl() {
        return morePages ? pageUrl(offset + PAGE_SIZE) : null;
    }

    public String getPreviousPageUrl() {
        return offset > 0 ? pageUrl(Math.max(0, offset - PAGE_SIZE)) : null;
    }

    public List<String> getStatuses() {
        return List.of(TaskStatus.values()).stream().map(Enum::name).toList();
    }

    public Map<String, Long> getCounts() {
        return counts;
    }

    public List<TaskRow> getTasks() {
        return tasks;
    }

    public List<String> getTypes() {
        return types;
    }

    public boolean isFiltersValid() {
        return filtersValid;
    }

    public int getFirstShown() {
        return tasks.isEmpty() ? 0 : offset + 1;
    }

    public int getLastShown() {
        return offset + tasks.size();
    }

    public String getType() {
        return type;
    }

    public void setType(String type) {
        this.type = type;
    }

    public String getStatus() {
        return status;
    }

    public void setStatus(String status) {
        this.status = status;
    }

    public String getOwner() {
        return owner;
    }

    public void setOwner(String owner) {
        this.owner = owner;
    }

    public String getOrderKey() {
        return orderKey;
    }

    public void setOrderKey(String orderKey) {
        this.orderKey = orderKey;
    }

    public String getFrom() {
        return from;
    }

    public void setFrom(String from) {
        this.from = from;
    }

    public String getTo() {
        return to;
    }

    public void setTo(String to) {
        this.to = to;
    }

    public int getOffset() {
        return offset;
    }

    public void setOffset(int offset) {
        this.offset = offset;
    }
}
