package dev.taskbridge.gateway;

import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.Optional;

/**
 * The one door from the web tier into the task engine.
 *
 * <p>Failures are reported with the unchecked exceptions of this package, each with one meaning
 * that the web tier maps to one HTTP status.
 */
public interface TaskGateway {

    /**
     * Validates and durably stores a submission, then hands it to its slot. When this returns,
     * the task will run, whatever happens next. A repeated idempotency key of the same owner
     * returns the task it created first.
     *
     * @throws UnknownTaskTypeException    no plugin provides this type
     * @throws InvalidSubmissionException  the payload's shape is wrong; nothing was stored
     * @throws EngineUnavailableException  the engine is not running
     */
    SubmitResult submit(Submission submission);

    /**
     * Submits a task with the payload of an earlier one and other options: a file posted after it
     * was checked, say, so that what is posted is exactly what was checked. Otherwise as
     * {@link #submit}.
     *
     * @param owner must own the earlier task
     * @throws TaskNotFoundException no such earlier task of this owner's
     */
    SubmitResult submitPayloadOf(String earlierTaskId, String type, String owner, String idempotencyKey,
                                 Map<String, String> options);

    /**
     * Cancels a task that has not finished. Its slot drops it, or stops it after its current chunk.
     *
     * @param by who cancels it, for the task's history
     * @throws TaskNotFoundException no such task
     * @throws TaskConflictException the task already finished
     */
    TaskView cancel(String taskId, String by);

    /**
     * Runs a failed or cancelled task again; chunks that committed before are not repeated.
     *
     * @param by who asks for it, for the task's history
     * @throws TaskNotFoundException no such task
     * @throws TaskConflictException the task is not failed or cancelled
     */
    TaskView retry(String taskId, String by);

    /**
     * Rolls a task back (design note 030): a task of its own, of the same type and owner, that
     * undoes the task's committed chunks, last first, each once. One per task, whoever asks: a
     * second request answers the same rollback, not created.
     *
     * @param by who asks for it, for the log
     * @throws TaskNotFoundException no such task
     * @throws TaskConflictException the task has not ended, committed nothing, is a rollback, or its
     *                               type undoes nothing
     */
    SubmitResult rollBack(String taskId, String by);

    /** One task, as stored. */
    Optional<TaskView> find(String taskId);

    /** A task's timeline, oldest first; empty for an unknown task. */
    List<TaskHistoryEntry> history(String taskId);

    /**
     * A succeeded task's result as one of its type's files ({@link TaskTypeView#exports()}).
     *
     * @throws TaskNotFoundException   no such task
     * @throws ExportNotFoundException its type offers no such file
     * @param by who asks: a file made from the task's stored payload is made for one at a time per
     *           user, and a few at a time in all
     * @throws TaskConflictException   the task has no result (yet)
     * @throws EngineUnavailableException the file is made from the stored payload and the caller,
     *                                    or the server, is making as many such at once as it may
     */
    ExportFile export(String taskId, String name, String by);

    /**
     * Some of a finished task's errors, in the order its result lists them, for a type that lists
     * errors ({@link TaskTypeView#listsErrors()}): the page from {@code offset}, at most
     * {@code limit} errors, and how many there are. Never holds more than one page of them.
     *
     * @param offset at least 0
     * @param limit  1 to {@link ErrorPage#MAX_LIMIT}
     * @throws TaskNotFoundException  no such task
     * @throws TaskConflictException  its type lists no errors, the task has no result (yet), or its
     *                                errors cannot be found again as it found them
     * @param by who asks: errors past the listed ones are found again for one page at a time per
     *           user, and a few at a time in all
     * @throws EngineUnavailableException the page is past the listed errors and the caller, or the
     *                                    server, is finding as many again at once as it may
     */
    ErrorPage errors(String taskId, long offset, int limit, String by);

    /**
     * Tells {@code listener} of every task's changes from now on, until the returned handle is
     * closed. Visibility is the caller's business: the listener sees every task.
     */
    AutoCloseable subscribe(TaskListener listener);

    /** Tasks matching the query, newest first, without their results and stack traces. */
    List<TaskSummaryView> list(TaskQuery query);

    /** Tasks per status, of one owner, or of everyone when {@code owner} is null. */
    Map<TaskStatus, Long> countByStatus(String owner);

    /** Every task type the engine runs. */
    List<TaskTypeView> taskTypes();

    /**
     * Pauses a task type: its queued tasks wait, new submissions are taken and wait too, a chunk
     * running now finishes and no other starts, until {@link #resume}. It holds across restarts;
     * pausing a paused type keeps its first pause.
     *
     * @param by who pauses it
     * @return the type, paused
     * @throws UnknownTaskTypeException no plugin provides it
     */
    TaskTypeView pause(String taskType, String by);

    /**
     * Lets a paused type's tasks run again, in the order they were queued; resuming a type that
     * runs changes nothing.
     *
     * @param by who resumes it
     * @return the type, running
     * @throws UnknownTaskTypeException no plugin provides it
     */
    TaskTypeView resume(String taskType, String by);

    /**
     * A succeeded task's result as its task type says it, and the exports that hold something for
     * it; for a task without a result, or of a type no longer loaded, no headline and no downloads.
     * Reads only the view given, so it shows nothing its caller could not already see.
     */
    ResultSummaryView summarize(TaskView task);

    /**
     * Which Taskbridge and which plugins run on this node; known from the deployment's start on,
     * whether or not the engine runs.
     */
    BuildView build();

    /**
     * What the engine looks like right now: live slot actors per type and tasks per status.
     *
     * @throws EngineUnavailableException the engine is not running
     */
    EngineFacts engineFacts();

    /**
     * The tasks not final yet, per type and the version of it they were submitted under, with
     * some of their ids: what a deploy must be able to run (design note 041). Read from the store,
     * so a type that is not active on this node is listed too.
     *
     * @throws EngineUnavailableException the engine is not running
     */
    List<UnfinishedTasks> unfinishedTasks();

    /** The media type of {@link #metrics()}: Prometheus's text exposition format, version 0.0.4. */
    String METRICS_MEDIA_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    /**
     * The engine's meters, for Prometheus to scrape, in {@link #METRICS_MEDIA_TYPE}.
     *
     * @throws EngineUnavailableException the engine is not running
     */
    String metrics();

    /**
     * Adds the live event streams the web tier holds open to the engine's metrics
     * ({@code taskbridge_event_streams_open}), read at each scrape. The last call counts.
     */
    void watchEventStreams(IntSupplier openStreams);

    /**
     * The engine's parts, the task database included (asked, so this takes up to a few
     * seconds when it is away). Never throws: a stopped engine is a report too.
     */
    HealthReport health();

    /** The engine's actor system died while the engine was meant to run: only a restart repairs that. */
    boolean isBroken();
}
