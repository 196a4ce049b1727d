package dev.taskbridge.bridge;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.IntSupplier;
import java.util.stream.Collectors;

import dev.taskbridge.engine.ClusterMember;
import dev.taskbridge.engine.EngineHealth;
import dev.taskbridge.engine.EngineStoppedException;
import dev.taskbridge.engine.NoSuchTaskTypeException;
import dev.taskbridge.engine.plugins.PayloadMigrations;
import dev.taskbridge.engine.TaskChange;
import dev.taskbridge.engine.TaskEngine;
import dev.taskbridge.engine.TaskStateException;
import dev.taskbridge.engine.store.Stored;
import dev.taskbridge.engine.store.TaskFilter;
import dev.taskbridge.engine.store.TaskRecord;
import dev.taskbridge.engine.store.TaskState;
import dev.taskbridge.engine.store.TaskStore;
import dev.taskbridge.engine.store.TaskSummary;
import dev.taskbridge.gateway.BuildView;
import dev.taskbridge.gateway.ClusterView;
import dev.taskbridge.gateway.EngineFacts;
import dev.taskbridge.gateway.UnfinishedTasks;
import dev.taskbridge.gateway.ErrorPage;
import dev.taskbridge.gateway.ExportFile;
import dev.taskbridge.gateway.ExportNotFoundException;
import dev.taskbridge.gateway.FieldError;
import dev.taskbridge.gateway.HealthReport;
import dev.taskbridge.gateway.InvalidSubmissionException;
import dev.taskbridge.gateway.OrderKey;
import dev.taskbridge.gateway.Priority;
import dev.taskbridge.gateway.Progress;
import dev.taskbridge.gateway.ResultSummaryView;
import dev.taskbridge.gateway.Submission;
import dev.taskbridge.gateway.SubmitResult;
import dev.taskbridge.gateway.TaskConflictException;
import dev.taskbridge.gateway.TaskError;
import dev.taskbridge.gateway.TaskEvent;
import dev.taskbridge.gateway.TaskEventKind;
import dev.taskbridge.gateway.TaskGateway;
import dev.taskbridge.gateway.TaskHistoryEntry;
import dev.taskbridge.gateway.TaskListener;
import dev.taskbridge.gateway.TaskNotFoundException;
import dev.taskbridge.gateway.TaskQuery;
import dev.taskbridge.gateway.TaskStatus;
import dev.taskbridge.gateway.TaskSummaryView;
import dev.taskbridge.gateway.TaskTypeView;
import dev.taskbridge.gateway.TypePauseView;
import dev.taskbridge.gateway.TaskbridgeException;
import dev.taskbridge.gateway.TaskView;
import dev.taskbridge.gateway.UnknownTaskTypeException;
import dev.taskbridge.plugin.ErrorsUnavailableException;
import dev.taskbridge.plugin.FinishedTask;
import dev.taskbridge.plugin.InvalidPayloadException;
import dev.taskbridge.plugin.Payload;
import dev.taskbridge.plugin.ResultErrors;
import dev.taskbridge.plugin.ResultExport;
import dev.taskbridge.plugin.TaskType;
import jakarta.ejb.EJB;
import jakarta.ejb.Local;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.interceptor.Interceptors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway the web tier calls. It translates between the engine's types and the gateway's
 * plain records, and the engine's failures into the gateway's exceptions; it holds no state.
 *
 * <p>Not transactional: the task store commits each submission by itself, so a task is durable
 * before it is handed to its slot and before the caller hears about it.
 */
@Stateless
@Local(TaskGateway.class)
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
@Interceptors(EngineFailures.class)
public class TaskGatewayBean implements TaskGateway {

    private static final Logger LOG = LoggerFactory.getLogger(TaskGatewayBean.class);

    /** A readiness probe should answer in a second or two, whatever the database does. */
    private static final Duration HEALTH_DATABASE_TIMEOUT = Duration.ofSeconds(2);

    /**
     * The bulkhead around finding errors again from a stored file. Static, as the beans of a pool
     * are many and the limit is the server's; final, as the EJB rules ask of a static field.
     */
    private static final Rechecks RECHECKS = new Rechecks(Rechecks.MAX_AT_ONCE, Rechecks.MAX_PER_USER);

    @EJB
    private EngineLifecycle lifecycle;

    @Override
    public SubmitResult submit(Submission submission) {
        checkIdempotencyKey(submission.idempotencyKey());
        Priority.check(submission.priority()); // a caller other than the REST API may not have
        checkOrderKey(submission.orderKey());
        TaskEngine engine = lifecycle.engine();
        try {
            Stored stored = engine.submit(submission.type(), submission.owner(), submission.idempotencyKey(),
                    new Payload(submission.mediaType(), submission.body(), submission.options()), submission.runAt(),
                    submission.priority(), submission.orderKey());
            return new SubmitResult(view(engine, stored.task()), stored.created());
        } catch (NoSuchTaskTypeException e) {
            throw new UnknownTaskTypeException(submission.type());
        } catch (InvalidPayloadException e) {
            throw invalid(e);
        }
    }

    /** The engine's rules for an order key, as a 400 naming the field: the engine would refuse it as a bug of the caller's. */
    static void checkOrderKey(String orderKey) {
        String notAKey = orderKey == null ? null : TaskEngine.whyNotOrderKey(orderKey);
        if (notAKey != null) {
            throw new InvalidSubmissionException(OrderKey.ORDER_KEY, notAKey);
        }
    }

    private static void checkIdempotencyKey(String key) {
        if (key != null && (key.isBlank() || key.length() > Submission.MAX_IDEMPOTENCY_KEY_LENGTH)) {
            throw new InvalidSubmissionException("Idempotency-Key",
                    "must be 1 to " + Submission.MAX_IDEMPOTENCY_KEY_LENGTH + " characters");
        }
    }

    private static InvalidSubmissionException invalid(InvalidPayloadException e) {
        return new InvalidSubmissionException(e.problems().stream()
                .map(problem -> new FieldError(problem.field(), problem.reason()))
                .toList());
    }

    @Override
    public SubmitResult submitPayloadOf(String earlierTaskId, String type, String owner, String idempotencyKey,
                                        Map<String, String> options) {
        checkIdempotencyKey(idempotencyKey);
        TaskEngine engine = lifecycle.engine();
        try {
            Stored stored = engine.submitPayloadOf(earlierTaskId, type, owner, idempotencyKey, options);
            return new SubmitResult(view(engine, stored.task()), stored.created());
        } catch (TaskStateException e) {
            throw new TaskNotFoundException(earlierTaskId);
        } catch (NoSuchTaskTypeException e) {
            throw new UnknownTaskTypeException(type);
        } catch (InvalidPayloadException e) {
            throw invalid(e);
        }
    }

    @Override
    public TaskView cancel(String taskId, String by) {
        TaskEngine engine = lifecycle.engine();
        requireTask(engine, taskId);
        try {
            return view(engine, engine.cancel(taskId, by));
        } catch (TaskStateException e) {
            throw new TaskConflictException(e.getMessage());
        }
    }

    @Override
    public TaskView retry(String taskId, String by) {
        TaskEngine engine = lifecycle.engine();
        requireTask(engine, taskId);
        try {
            return view(engine, engine.retry(taskId, by));
        } catch (TaskStateException e) {
            throw new TaskConflictException(e.getMessage());
        } catch (NoSuchTaskTypeException e) {
            throw new TaskConflictException("no plugin provides task type '" + e.taskType() + "' any more");
        }
    }

    @Override
    public SubmitResult rollBack(String taskId, String by) {
        TaskEngine engine = lifecycle.engine();
        requireTask(engine, taskId);
        try {
            Stored stored = engine.rollBack(taskId, by);
            return new SubmitResult(view(engine, stored.task()), stored.created());
        } catch (TaskStateException e) {
            throw new TaskConflictException(e.getMessage());
        } catch (NoSuchTaskTypeException e) {
            throw new TaskConflictException("no plugin provides task type '" + e.taskType() + "' any more");
        }
    }

    private static TaskRecord requireTask(TaskEngine engine, String taskId) {
        return engine.store().find(taskId).orElseThrow(() -> new TaskNotFoundException(taskId));
    }

    @Override
    public Optional<TaskView> find(String taskId) {
        TaskEngine engine = lifecycle.engine();
        return engine.store().find(taskId).map(task -> view(engine, task));
    }

    @Override
    public List<TaskHistoryEntry> history(String taskId) {
        return lifecycle.engine().store().history(taskId).stream().map(TaskGatewayBean::historyEntry).toList();
    }

    /**
     * An entry as people read it; a failure with the reference the engine stored in its column
     * when it has it (the current run's), else the one its text ends with (an earlier run's).
     */
    static TaskHistoryEntry historyEntry(dev.taskbridge.engine.store.TaskHistoryEntry entry) {
        TaskEventKind kind = TaskEventKind.valueOf(entry.kind().name());
        String detail = kind == TaskEventKind.FAILED && entry.reference() != null ? FailureText.message(entry.reference())
                : detail(kind, entry.detail());
        return new TaskHistoryEntry(entry.at(), kind, entry.chunk(), detail);
    }

    @Override
    public ExportFile export(String taskId, String name, String by) {
        TaskEngine engine = lifecycle.engine();
        TaskRecord task = requireTask(engine, taskId);
        TaskType<Object> type = typeOf(engine, task);
        ResultExport export = type == null ? null : type.exports().stream()
                .filter(candidate -> candidate.name().equals(name))
                .findFirst()
                .orElse(null);
        if (export == null || TaskEngine.rollbackOf(task).isPresent()) {
            throw new ExportNotFoundException(task.taskType(), name);
        }
        requireResult(task, "to export");
        engine.ensurePrepared(type);
        Rechecks.Lease lease = RECHECKS.lease(by);
        try {
            return leasedFile(export, finished(engine, type, task, lease), lease);
        } catch (ErrorsUnavailableException e) {
            throw new TaskConflictException(e.getMessage());
        } catch (RuntimeException e) {
            throw e; // the store's and the gateway's own failures keep their meaning (503, 404)
        } catch (Exception e) {
            throw new IllegalStateException(export.getClass().getName() + " could not render " + name + " of task " + taskId, e);
        }
    }

    /**
     * The export's file of {@code task}, whose payload is read within {@code lease}. A file made from
     * the stored payload holds its permit until it is written, also while a slow client reads it:
     * the parsed payload, and the walk, live that long. The permit is given back once, whether the
     * file fails to be made, fails while written, or is written.
     */
    static ExportFile leasedFile(ResultExport export, FinishedTask<Object> task, Rechecks.Lease lease) throws Exception {
        boolean handedOn = false;
        try {
            ResultExport.Body body = export.prepare(task);
            ExportFile file = new ExportFile(export.name(), export.mediaType(), out -> {
                try {
                    body.writeTo(out);
                } catch (IOException e) {
                    throw e;
                } catch (Exception e) {
                    throw new IOException(export.getClass().getName() + " failed writing " + export.name() + " of task "
                            + task.id(), e);
                } finally {
                    lease.close();
                }
            });
            handedOn = true;
            return file;
        } finally {
            if (!handedOn) {
                lease.close();
            }
        }
    }

    @Override
    public ErrorPage errors(String taskId, long offset, int limit, String by) {
        TaskEngine engine = lifecycle.engine();
        TaskRecord task = requireTask(engine, taskId);
        requireResult(task, "to list errors of");
        TaskType<Object> type = typeOf(engine, task);
        ResultErrors<Object> errors = type == null ? null : type.errors().orElse(null);
        if (errors == null) {
            throw new TaskConflictException("tasks of type " + task.taskType() + " list no errors");
        }
        if (TaskEngine.rollbackOf(task).isPresent()) {
            throw new TaskConflictException("task " + taskId + " is a rollback: the task it rolls back lists the errors");
        }
        engine.ensurePrepared(type);
        try (Rechecks.Lease lease = RECHECKS.lease(by)) {
            return ErrorPages.page(errors, finished(engine, type, task, lease), offset, limit);
        } catch (ErrorsUnavailableException e) {
            throw new TaskConflictException(e.getMessage());
        } catch (RuntimeException e) {
            throw e; // the store's and the gateway's own failures keep their meaning (503, 404)
        } catch (Exception e) {
            throw new IllegalStateException(type.getClass().getName() + " could not list the errors of task " + taskId, e);
        }
    }

    private static void requireResult(TaskRecord task, String toDo) {
        if (task.result() == null) {
            throw new TaskConflictException("task " + task.id() + " is " + task.state() + " and has no result " + toDo);
        }
    }

    @SuppressWarnings("unchecked")
    private static TaskType<Object> typeOf(TaskEngine engine, TaskRecord task) {
        return (TaskType<Object>) engine.registry().find(task.taskType()).orElse(null);
    }

    /**
     * The task as its plugin reads it after the fact: its payload loaded and parsed again only if
     * asked for, and then only within the bulkhead ({@link Rechecks}), whose permit {@code lease}
     * takes before the stored payload is even loaded.
     */
    private static FinishedTask<Object> finished(TaskEngine engine, TaskType<Object> type, TaskRecord task,
                                                 Rechecks.Lease lease) {
        return finished(task.id(), task.result(), task.endedAt(), type, task.typeVersion(),
                () -> engine.store().payload(task.id()).orElseThrow(() -> new TaskNotFoundException(task.id())), lease);
    }

    /** @param typeVersion the version of its type the task was submitted under: an older one's payload is migrated (note 028) */
    static FinishedTask<Object> finished(String taskId, String result, java.time.Instant endedAt, TaskType<Object> type,
                                         int typeVersion, Supplier<Payload> stored, Rechecks.Lease lease) {
        return new FinishedTask<>(taskId, result, endedAt, () -> {
            lease.enter();
            Payload payload = stored.get();
            try {
                return PayloadMigrations.parse(type, typeVersion, payload);
            } catch (InvalidPayloadException | RuntimeException e) {
                if (e instanceof TaskbridgeException) {
                    throw (TaskbridgeException) e;
                }
                // It parsed when it was submitted and when it ran: the plugin changed its mind since,
                // a stricter parse after an upgrade. Nothing the server can mend and nothing the
                // clerk's file could be blamed for then: the clerk checks it again (409, as README
                // says); the log keeps why, for whoever upgraded.
                LOG.warn("The stored payload of task {} no longer parses as {} version {}: {}", taskId, type.id(),
                        type.version(), e instanceof InvalidPayloadException invalid ? invalid.problems() : e.toString(), e);
                throw new TaskConflictException("the file of this task cannot be read again as it was checked, "
                        + "because the server's rules changed since: check the file again");
            }
        });
    }

    @Override
    public AutoCloseable subscribe(TaskListener listener) {
        return lifecycle.subscribe(change -> listener.onEvent(event(change)));
    }

    private static TaskEvent event(TaskChange change) {
        TaskEventKind kind = TaskEventKind.valueOf(change.kind().name());
        return new TaskEvent(change.taskId(), change.taskType(), change.owner(), kind,
                TaskStatus.valueOf(change.state().name()),
                new Progress(change.chunksDone(), change.chunksTotal(), change.itemsDone(), change.itemsFailed()),
                change.at(), detail(kind, change.detail()));
    }

    /** A change's few words for people; a failure's in plain words with its reference ({@link FailureText}). */
    private static String detail(TaskEventKind kind, String detail) {
        return kind == TaskEventKind.FAILED ? FailureText.detail(detail) : detail;
    }

    @Override
    public List<TaskSummaryView> list(TaskQuery query) {
        TaskState state = query.status() == null ? null : TaskState.valueOf(query.status().name());
        TaskEngine engine = lifecycle.engine();
        return engine.store()
                .list(new TaskFilter(query.type(), state, query.owner(), query.orderKey(), query.submittedFrom(),
                        query.submittedTo(), query.offset(), query.limit()))
                .stream().map(task -> summaryView(engine, task)).toList();
    }

    @Override
    public Map<TaskStatus, Long> countByStatus(String owner) {
        Map<TaskStatus, Long> byStatus = new EnumMap<>(TaskStatus.class);
        lifecycle.engine().store().countByState(owner)
                .forEach((state, count) -> byStatus.put(TaskStatus.valueOf(state.name()), count));
        return byStatus;
    }

    @Override
    public List<TaskTypeView> taskTypes() {
        TaskEngine engine = lifecycle.engine();
        return engine.registry().all().stream().map(type -> typeView(engine, type)).toList();
    }

    @Override
    public TaskTypeView pause(String taskType, String by) {
        return changed(taskType, engine -> engine.pause(taskType, by));
    }

    @Override
    public TaskTypeView resume(String taskType, String by) {
        return changed(taskType, engine -> engine.resume(taskType, by));
    }

    /** Pauses or resumes a type, then shows it as it is now. */
    private TaskTypeView changed(String taskType, Consumer<TaskEngine> change) {
        TaskEngine engine = lifecycle.engine();
        try {
            change.accept(engine);
        } catch (NoSuchTaskTypeException e) {
            throw new UnknownTaskTypeException(taskType);
        }
        return typeView(engine, engine.registry().find(taskType).orElseThrow());
    }

    private static TaskTypeView typeView(TaskEngine engine, TaskType<?> type) {
        return new TaskTypeView(type.id(), type.version(), engine.slots(type.id()),
                engine.tasksAtOncePerSlot(type.id()), type.getClass().getName(),
                type.errors().isPresent(), type.undo().isPresent(), type.exports().stream().map(PluginViews::export).toList(),
                engine.registry().form(type.id()).map(PluginViews::form).orElse(null),
                engine.pauseOf(type.id()).map(pause -> new TypePauseView(pause.by(), pause.at())).orElse(null),
                engine.registry().whyClosed(type.id()).orElse(null));
    }

    @Override
    public ResultSummaryView summarize(TaskView task) {
        // a rollback's result is its undos', not a result of the plugin's: its summary and exports would misread it (note 030)
        if (task.status() != TaskStatus.SUCCEEDED || task.result() == null || task.rollbackOf() != null) {
            return PluginViews.NO_SUMMARY;
        }
        return lifecycle.engine().registry().find(task.type())
                .map(type -> PluginViews.summary(type, task.id(), task.result()))
                .orElse(PluginViews.NO_SUMMARY);
    }

    @Override
    public BuildView build() {
        return lifecycle.build();
    }

    @Override
    public EngineFacts engineFacts() {
        TaskEngine engine = lifecycle.engine();
        return new EngineFacts(lifecycle.build(), engine.startedAt(), engine.liveSlotActors(), countByStatus(null), engine.countStalled(),
                clusterView(engine));
    }

    @Override
    public List<UnfinishedTasks> unfinishedTasks() {
        TaskStore store = lifecycle.engine().store();
        return store.unfinishedVersions().stream()
                .map(unfinished -> new UnfinishedTasks(unfinished.taskType(), unfinished.version(), unfinished.tasks(),
                        store.unfinishedIds(unfinished.taskType(), unfinished.version(), UnfinishedTasks.FIRST_IDS)))
                .toList();
    }

    /** The members as this node sees them, each with the slots that run there: an operator's view of where work goes. */
    private static ClusterView clusterView(TaskEngine engine) {
        if (!engine.isClustered()) {
            return ClusterView.SINGLE_SERVER;
        }
        Map<String, Integer> slots;
        try {
            slots = engine.slotsPerNode(); // a node that does not answer is left out: its count shows as unknown
        } catch (EngineStoppedException noAnswer) { // the members are still worth showing
            slots = Map.of();
        }
        Map<String, Integer> slotsPerNode = slots;
        return new ClusterView(true, engine.clusterMembers().stream().map(member -> new ClusterView.Member(member.address(),
                member.status(), member.roles().stream().sorted().toList(), member.reachable(), member.self(),
                slotsPerNode.get(member.address()), member.version())).toList(), engine.typesWithoutNode());
    }

    @Override
    public String metrics() {
        return lifecycle.scrapeMetrics();
    }

    @Override
    public void watchEventStreams(IntSupplier openStreams) {
        lifecycle.watchEventStreams(openStreams);
    }

    @Override
    public HealthReport health() {
        Optional<TaskEngine> started = lifecycle.current();
        if (started.isEmpty()) {
            return HealthReport.notStarted(lifecycle.notRunningBecause().orElse(null));
        }
        EngineHealth health = started.get().health(HEALTH_DATABASE_TIMEOUT);
        String engine = !health.running() ? HealthReport.STOPPING : health.suspended() ? HealthReport.SUSPENDED : HealthReport.RUNNING;
        List<String> pluginProblems = new ArrayList<>(health.pluginProblems());
        pluginProblems.addAll(lifecycle.pluginDirectoryProblems());
        return new HealthReport(engine,
                health.actorSystemAlive(), health.databaseProblem(), health.taskTypes(), pluginProblems,
                health.typesWithoutLiveSlot(), started.get().pausedTypes().keySet().stream().sorted().toList(),
                health.databaseProblem() == null ? pausedSchedules(started.get()) : List.of(),
                clusterMembers(health.clusterMembers(), health.clustered()), health.clusterProblem(),
                started.get().typesWithoutNode());
    }

    /** E.g. {@code 2 Up, 1 Joining: pekko://taskbridge@127.0.0.1:25520 Up (this node), ...}, unreachable ones counted apart. */
    static String clusterMembers(List<ClusterMember> members, boolean clustered) {
        if (!clustered) {
            return HealthReport.SINGLE_SERVER;
        }
        if (members.isEmpty()) {
            return "0: this node has not joined yet";
        }
        Map<String, Long> byStatus = new LinkedHashMap<>();
        members.forEach(member -> byStatus.merge(member.status(), 1L, Long::sum));
        long unreachable = members.stream().filter(member -> !member.reachable()).count();
        String counts = byStatus.entrySet().stream().map(status -> status.getValue() + " " + status.getKey())
                .collect(Collectors.joining(", ")) + (unreachable > 0 ? ", " + unreachable + " unreachable" : "");
        return counts + ": " + members.stream().map(member -> member.address() + " " + member.status()
                        + (member.reachable() ? "" : " unreachable") + (member.self() ? " (this node)" : ""))
                .collect(Collectors.joining(", "));
    }

    /** Read for the probe (schedules are few); a probe must answer whatever the database does, so a failure shows none. */
    private static List<String> pausedSchedules(TaskEngine engine) {
        try {
            return engine.schedules().pausedNames(HEALTH_DATABASE_TIMEOUT);
        } catch (RuntimeException e) {
            LOG.debug("Could not read the paused schedules for readiness", e);
            return List.of();
        }
    }

    @Override
    public boolean isBroken() {
        return lifecycle.current().map(TaskEngine::isBroken).orElse(false);
    }

    static TaskSummaryView summaryView(TaskEngine engine, TaskSummary task) {
        TaskError error = task.errorMessage() == null ? null
                : new TaskError(FailureText.message(task.errorReference()), null, task.errorReference());
        return new TaskSummaryView(task.id(), task.taskType(), task.typeVersion(), task.owner(),
                TaskStatus.valueOf(task.state().name()),
                new Progress(task.chunksDone(), task.chunksTotal(), task.itemsDone(), task.itemsFailed()),
                task.attempts(), task.submittedAt(), task.startedAt(), task.endedAt(), error, engine.isStalled(task),
                task.runAt(), task.priority(), task.orderKey());
    }

    static TaskView view(TaskEngine engine, TaskRecord task) {
        TaskError error = task.errorMessage() == null ? null
                : new TaskError(FailureText.message(task.errorReference()), task.errorStack(), task.errorReference());
        return new TaskView(task.id(), task.taskType(), task.typeVersion(), task.owner(),
                TaskStatus.valueOf(task.state().name()),
                new Progress(task.chunksDone(), task.chunksTotal(), task.itemsDone(), task.itemsFailed()),
                task.attempts(), task.submittedAt(), task.startedAt(), task.endedAt(), task.result(), error,
                engine.isStalled(task), task.traceId(), task.runAt(), task.priority(), task.orderKey(),
                TaskEngine.rollbackOf(task).orElse(null));
    }
}
