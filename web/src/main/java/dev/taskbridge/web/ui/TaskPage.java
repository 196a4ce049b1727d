package dev.taskbridge.web.ui;

import java.io.Serializable;
import java.util.List;
import java.util.function.Supplier;

import dev.taskbridge.gateway.ResultSummaryView;
import dev.taskbridge.gateway.SubmitResult;
import dev.taskbridge.gateway.TaskGateway;
import dev.taskbridge.gateway.TaskView;
import dev.taskbridge.gateway.TaskbridgeException;
import dev.taskbridge.web.Roles;
import jakarta.ejb.EJB;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;

/**
 * One task: its state and progress (kept live by the page's event stream), its timeline, its
 * result or its error, and the cancel and retry buttons where the user may use them. A task of
 * someone else's is "not found" to a clerk, as it is on the API.
 */
@Named("taskPage")
@ViewScoped
public class TaskPage implements Serializable {

    private static final long serialVersionUID = 1L;

    @EJB
    private TaskGateway gateway;

    @Inject
    private CurrentUser user;

    private String id;
    private TaskRow task;
    private List<HistoryRow> history = List.of();
    private ResultView result;
    private String errorMessage;
    private String errorReference;
    private String stackTrace;
    private ResultSummaryView summary;
    /** Whether the task's type can undo (note 030): the roll-back button is offered only then. */
    private boolean rollsBack;

    /** One entry of the timeline. */
    public record HistoryRow(String at, String kind, String chunk, String detail) implements Serializable {
    }

    public void load() {
        task = null;
        if (id == null || id.isBlank()) {
            Pages.error("No task given.");
            return;
        }
        try {
            TaskView found = visible();
            if (found == null) {
                Pages.error(notVisible());
                return;
            }
            task = TaskRow.of(found);
            history = gateway.history(id).stream()
                    .map(entry -> new HistoryRow(Pages.time(entry.at()), entry.kind().name(),
                            entry.chunk() == null ? "" : String.valueOf(entry.chunk() + 1), entry.detail() == null ? "" : entry.detail()))
                    .toList();
            result = ResultView.of(found.result());
            errorMessage = found.error() == null ? null : found.error().message();
            errorReference = found.error() == null ? null : found.error().reference();
            stackTrace = found.error() != null && user.isSeesAllTasks() ? found.error().stackTrace() : null;
            summary = gateway.summarize(found);
            rollsBack = user.isSupervisor() && found.rollbackOf() == null && gateway.taskTypes().stream()
                    .anyMatch(type -> type.id().equals(found.type()) && type.rollsBack());
        } catch (TaskbridgeException e) {
            Pages.refused(e);
        }
    }

    /** The task, if this user may see it (as on the API, someone else's task is not found). */
    private TaskView visible() {
        return gateway.find(id).filter(view -> Roles.maySee(user.getName(), view.owner(), user::hasRole)).orElse(null);
    }

    public void cancel() {
        act(() -> {
            gateway.cancel(id, user.getName());
            return "Task cancelled.";
        });
    }

    public void retry() {
        if (!user.isSupervisor()) {
            Pages.error("Only supervisors may retry a task.");
            return;
        }
        act(() -> {
            gateway.retry(id, user.getName());
            return "Task queued again.";
        });
    }

    public void rollBack() {
        if (!user.isSupervisor()) {
            Pages.error("Only supervisors may roll a task back.");
            return;
        }
        act(() -> {
            SubmitResult rollback = gateway.rollBack(id, user.getName());
            return (rollback.created() ? "Rolled back by task " : "Rolled back before, by task ") + rollback.task().id() + ".";
        });
    }

    /**
     * Does something to the task and shows it again. The id came with the page, but a form post
     * can carry another: who may see the task is asked again first. The action answers what the
     * page says it did.
     */
    private void act(Supplier<String> action) {
        if (visible() == null) {
            Pages.error(notVisible());
            return;
        }
        try {
            Pages.info(action.get());
        } catch (TaskbridgeException e) {
            Pages.refused(e);
        }
        load();
    }

    private String notVisible() {
        return "There is no task " + id + " that you may see.";
    }

    public boolean isCancellable() {
        return task != null && !task.isFinished();
    }

    /** A supervisor may roll back a task that ended, of a type whose plugin can undo, unless it is a rollback (note 030). */
    public boolean isRollbackable() {
        return task != null && user.isSupervisor() && task.isFinished() && rollsBack;
    }

    public boolean isRetryable() {
        return task != null && user.isSupervisor() && (task.status().equals("FAILED") || task.status().equals("CANCELLED"));
    }

    public String getId() {
        return id;
    }

    public void setId(String id) {
        this.id = id;
    }

    public TaskRow getTask() {
        return task;
    }

    public List<HistoryRow> getHistory() {
        return history;
    }

    public ResultView getResult() {
        return result;
    }

    public String getErrorMessage() {
        return errorMessage;
    }

    public String getErrorReference() {
        return errorReference;
    }

    public String getStackTrace() {
        return stackTrace;
    }

    public ResultSummaryView getSummary() {
        return summary;
    }
}
