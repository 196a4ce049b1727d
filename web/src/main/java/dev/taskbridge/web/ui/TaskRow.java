package dev.taskbridge.web.ui;

import java.io.Serializable;

import dev.taskbridge.gateway.TaskSummaryView;
import dev.taskbridge.gateway.TaskView;

/**
 * A task as the pages show it, with times already formatted; serializable, as the state of a
 * page must be.
 *
 * @param percent chunks done, 0 to 100
 * @param runAt   when it was to run, if it was submitted to run later; else null
 * @param priority higher starts first within its slot; 0 is the usual, which the pages do not show
 * @param orderKey the key whose tasks of this type run in turn, or null
 */
public record TaskRow(String id, String type, String owner, String status, int percent, int chunksDone,
                      int chunksTotal, long itemsDone, long itemsFailed, int attempts, String submittedAt,
                      String startedAt, String endedAt, boolean stalled, String runAt, int priority, String orderKey)
        implements Serializable {

    static TaskRow of(TaskView task) {
        return of(task.summary());
    }

    static TaskRow of(TaskSummaryView task) {
        return new TaskRow(task.id(), task.type(), task.owner(), task.status().name(),
                (int) Math.floor(task.progress().fraction() * 100), task.progress().chunksDone(),
                task.progress().chunksTotal(), task.progress().itemsDone(), task.progress().itemsFailed(),
                task.attempts(), Pages.time(task.submittedAt()), Pages.time(task.startedAt()),
                Pages.time(task.endedAt()), task.stalled(), Pages.time(task.runAt()), task.priority(),
                task.orderKey());
    }

    public boolean isFinished() {
        return status.equals("SUCCEEDED") || status.equals("FAILED") || status.equals("CANCELLED");
    }

    /** A CSS class per status, for its colour. */
    public String getStatusClass() {
        return "status-" + status.toLowerCase(java.util.Locale.ROOT);
    }
}
