package dev.taskbridge.engine;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

import dev.taskbridge.engine.plugins.PayloadMigrations;
import dev.taskbridge.engine.plugins.TaskTypeNotReadyException;
import dev.taskbridge.engine.plugins.TaskTypeRegistry;
import dev.taskbridge.engine.routing.SlotId;
import dev.taskbridge.engine.routing.TaskRouter;
import dev.taskbridge.engine.slot.SlotReporting;
import dev.taskbridge.engine.store.NewTask;
import dev.taskbridge.engine.store.Stored;
import dev.taskbridge.engine.store.TaskEventKind;
import dev.taskbridge.engine.store.TaskRecord;
import dev.taskbridge.engine.store.TaskState;
import dev.taskbridge.engine.store.TaskStore;
import dev.taskbridge.plugin.ChunkOutcome;
import dev.taskbridge.plugin.FieldProblem;
import dev.taskbridge.plugin.InvalidPayloadException;
import dev.taskbridge.plugin.Payload;
import dev.taskbridge.plugin.PluginEnvironment;
import dev.taskbridge.plugin.TaskType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How tasks come in: a submission's payload checked by its plugin, the task stored once per
 * owner and idempotency key, and handed to a slot that has room for it (or kept until it is due);
 * a repeat answered with the stored task, a conflicting one refused. Rollbacks (note 030), a
 * schedule's firings and resubmissions of a stored payload come in the same way. The engine's
 * public methods say what each answers and throws; this class holds how.
 */
final class Submissions {

    private static final Logger LOG = LoggerFactory.getLogger(Submissions.class);

    /** Whether the engine takes work: throws {@link EngineStoppedException} when it does not. */
    @FunctionalInterface
    interface Running {
        void require();
    }

    private final EngineSettings settings;
    private final TaskTypeRegistry registry;
    private final PluginEnvironment environment;
    private final TaskStore store;
    private final TaskRouter router;
    private final Clock clock;
    private final TaskMetrics metrics;
    /** What each slot last reported holding: read, never asked, to tell whether it has room. */
    private final Map<SlotId, SlotReporting> slotReports;
    private final TaskChanges changes;
    private final ParsedPayloads parsedPayloads;
    private final HandOvers handOvers;
    private final TaskTracing tracing;
    private final DueTasks dueTasks;
    private final Running running;
    /** What a call naming a type that does not run is told (not deployed, or not active). */
    private final Function<String, RuntimeException> missing;

    Submissions(EngineSettings settings, TaskTypeRegistry registry, PluginEnvironment environment, TaskStore store,
                TaskRouter router, Clock clock, TaskMetrics metrics, Map<SlotId, SlotReporting> slotReports,
                TaskChanges changes, ParsedPayloads parsedPayloads, HandOvers handOvers, TaskTracing tracing,
                DueTasks dueTasks, Running running, Function<String, RuntimeException> missing) {
        this.settings = settings;
        this.registry = registry;
        this.environment = environment;
        this.store = store;
        this.router = router;
        this.clock = clock;
        this.metrics = metrics;
        this.slotReports = slotReports;
        this.changes = changes;
        this.parsedPayloads = parsedPayloads;
        this.handOvers = handOvers;
        this.tracing = tracing;
        this.dueTasks = dueTasks;
        this.running = running;
        this.missing = missing;
    }

    /** {@link TaskEngine#submit(String, String, String, Payload, Instant, int, String)}, traced. */
    Stored submit(String taskType, String owner, String idempotencyKey, Payload payload, Instant runAt, int priority,
                  String orderKey) throws InvalidPayloadException {
        if (priority < TaskEngine.LOWEST_PRIORITY || priority > TaskEngine.HIGHEST_PRIORITY) {
            throw new IllegalArgumentException("priority " + priority + " is not from " + TaskEngine.LOWEST_PRIORITY + " to " + TaskEngine.HIGHEST_PRIORITY);
        }
        String notAKey = orderKey == null ? null : TaskEngine.whyNotOrderKey(orderKey);
        if (notAKey != null) {
            throw new IllegalArgumentException("order key " + notAKey);
        }
        TaskTracing.Submission span = tracing.submission(taskType);
        try {
            // to the millisecond, as every database keeps it: the answer shows the time as stored
            Instant later = runAt != null && runAt.isAfter(clock.instant()) ? runAt.truncatedTo(ChronoUnit.MILLIS) : null;
            Stored stored = submit(taskType, owner, idempotencyKey, payload, span.traceParent(), later, priority, orderKey);
            span.stored(stored.task().id(), stored.created());
            return stored;
        } catch (TaskTypeNotReadyException e) {
            if (e.passing()) {
                span.refused(e); // answered 503
            } else {
                span.failed(e); // the plugin's bug: a server error
            }
            throw e;
        } catch (InvalidPayloadException | NoSuchTaskTypeException | IdempotencyConflictException | SlotFullException
                 | EngineStoppedException | TaskStateException | TaskTypeNotActiveException | TaskTypeClosedException e) {
            span.refused(e); // answered 4xx or 503, as the API refuses input: not the server's error
            throw e;
        } catch (RuntimeException e) {
            span.failed(e);
            throw e;
        }
    }

    private Stored submit(String taskType, String owner, String idempotencyKey, Payload payload, String traceParent,
                          Instant runAt, int priority, String orderKey) throws InvalidPayloadException {
        long started = System.nanoTime();
        running.require();
        TaskType<?> type = registry.find(taskType).orElseThrow(() -> missing.apply(taskType));
        Payload withDefaults = withOptionDefaults(taskType, payload);
        refuseReserved(idempotencyKey, withDefaults);
        Optional<String> closed = registry.whyClosed(taskType);
        if (closed.isPresent()) {
            // a repeat of a request stored before the type closed gets its task, as every repeat does
            Optional<TaskRecord> earlier = idempotencyKey == null ? Optional.empty() : store.findByKey(owner, idempotencyKey);
            if (earlier.isPresent()) {
                return sameRequest(new Stored(earlier.get(), false), taskType, withDefaults, orderKey, idempotencyKey);
            }
            throw new TaskTypeClosedException(taskType, closed.get());
        }
        registry.ensurePrepared(type, environment);
        Object parsed;
        try {
            parsed = type.parse(withDefaults);
        } catch (InvalidPayloadException refused) {
            // a client repeating a request stored under an older version of the type gets its task (note 028)
            Optional<TaskRecord> earlier = idempotencyKey == null ? Optional.empty() : store.findByKey(owner, idempotencyKey);
            if (earlier.isPresent() && earlier.get().typeVersion() != type.version()) {
                return sameRequest(new Stored(earlier.get(), false), taskType, withDefaults, orderKey, idempotencyKey);
            }
            throw refused;
        }
        return storeParsed(taskType, type.version(), owner, idempotencyKey, withDefaults, parsed, traceParent, runAt, priority,
                orderKey, started);
    }

    /** Stores a task whose payload was parsed, and hands it to its slot or keeps it until it is due. */
    private Stored storeParsed(String taskType, int version, String owner, String idempotencyKey, Payload withDefaults, Object parsed,
                         String traceParent, Instant runAt, int priority, String orderKey, long started) {
        // a task to run later takes no room in a slot until it is due
        String id = runAt == null ? idWithRoom(taskType, orderKey) : TaskIds.next();
        if (id == null) {
            // a repeat of a stored submission asks for no room: it is answered as it always is
            Optional<TaskRecord> earlier = idempotencyKey == null ? Optional.empty() : store.findByKey(owner, idempotencyKey);
            if (earlier.isPresent()) {
                return sameRequest(new Stored(earlier.get(), false), taskType, withDefaults, orderKey, idempotencyKey);
            }
            throw busy(taskType, orderKey);
        }
        Stored stored = store.insert(new NewTask(id, taskType, version, owner, idempotencyKey, withDefaults,
                traceParent, runAt, priority, orderKey));
        if (!stored.created()) {
            return sameRequest(stored, taskType, withDefaults, orderKey, idempotencyKey);
        }
        announce(stored.task(), started, null);
        if (runAt == null) {
            handOver(stored.task(), parsed, withDefaults.body().length);
        } else {
            dueTasks.scheduled(runAt); // its parsed payload is not kept: it may be due in months
        }
        return stored;
    }

    /** The answer to a submission that no slot of its type (or its key's slot) has room for: 503, try again later. */
    private SlotFullException busy(String taskType, String orderKey) {
        metrics.refusedAsBusy(taskType);
        return orderKey == null
                ? new SlotFullException(taskType, router.slots(taskType), settings.slotCapacity(), TaskEngine.BUSY_RETRY_AFTER)
                : new SlotFullException(taskType, orderKey, settings.slotCapacity(), TaskEngine.BUSY_RETRY_AFTER);
    }

    /** A task just stored: counted, and shown to whoever watches. */
    private void announce(TaskRecord task, long started, String detail) {
        metrics.submitted(task.taskType(), Duration.ofNanos(System.nanoTime() - started));
        changes.publish(TaskChange.of(task, TaskEventKind.SUBMITTED, task.submittedAt(), detail));
    }

    /** Hands a task just stored to its slot, keeping its parsed payload so that its start reads nothing. */
    private void handOver(TaskRecord task, Object parsed, int payloadBytes) {
        parsedPayloads.put(task, parsed, payloadBytes, slotReports.get(router.slotFor(task.taskType(), task.routingKey())));
        handOver(task);
    }

    /**
     * Options named {@code taskbridge.*} and idempotency keys starting {@code taskbridge:} are the
     * engine's (a rollback's mark and key, note 030): no client sets them, so none can pass for a
     * rollback or take a task's rollback key before the rollback does.
     */
    private static void refuseReserved(String idempotencyKey, Payload payload) throws InvalidPayloadException {
        List<FieldProblem> reserved = new ArrayList<>();
        if (idempotencyKey != null && idempotencyKey.startsWith(Rollbacks.RESERVED_KEY_PREFIX)) {
            reserved.add(new FieldProblem("Idempotency-Key", "may not start with '" + Rollbacks.RESERVED_KEY_PREFIX
                    + "', which Taskbridge keeps for itself"));
        }
        payload.options().keySet().stream().filter(name -> name.startsWith(Rollbacks.RESERVED_PREFIX)).sorted()
                .forEach(name -> reserved.add(new FieldProblem(name, "is reserved for Taskbridge itself")));
        if (!reserved.isEmpty()) {
            throw new InvalidPayloadException(reserved);
        }
    }

    /** {@link TaskEngine#rollBack}: the rollback stored once per task, whoever asks, and handed over. */
    Stored rollBack(String taskId, String by) {
        long started = System.nanoTime();
        running.require();
        TaskRecord original = store.find(taskId).orElseThrow(() -> new TaskStateException(taskId, "no such task"));
        Optional<Stored> earlier = earlierRollback(taskId);
        if (earlier.isPresent()) {
            return earlier.get();
        }
        if (!original.state().isFinal()) {
            throw new TaskStateException(taskId, "it is " + original.state() + ": cancel it before it is rolled back");
        }
        if (Rollbacks.of(original).isPresent()) {
            throw new TaskStateException(taskId, "it is a rollback: submit the original's payload again instead");
        }
        TaskType<?> type = registry.find(original.taskType()).orElseThrow(() -> missing.apply(original.taskType()));
        if (type.undo().isEmpty()) {
            throw new TaskStateException(taskId, "tasks of type " + original.taskType() + " cannot be rolled back");
        }
        List<ChunkOutcome> committed = Rollbacks.committed(original, store.committedChunks(taskId));
        if (committed.isEmpty()) {
            throw new TaskStateException(taskId, "it committed no chunk: there is nothing to roll back");
        }
        registry.ensurePrepared(type, environment);
        Payload payload = store.payload(taskId).orElseThrow(() -> new TaskStateException(taskId, "no such task"));
        Object parsed;
        try {
            parsed = PayloadMigrations.parse(type, original.typeVersion(), payload);
        } catch (InvalidPayloadException e) {
            throw new TaskStateException(taskId, "its payload no longer parses as task type " + original.taskType()
                    + " version " + type.version() + ": " + e.getMessage());
        }
        String id = idWithRoom(original.taskType(), original.orderKey());
        if (id == null) {
            throw busy(original.taskType(), original.orderKey());
        }
        Optional<Stored> stored = store.insertRollback(Rollbacks.task(id, original, payload), taskId, original.runGeneration(), by);
        if (stored.isEmpty()) {
            // another caller rolled it back, or a supervisor retried it, since it was read
            return earlierRollback(taskId).orElseThrow(() -> new TaskStateException(taskId, "it is "
                    + store.find(taskId).map(TaskRecord::state).map(Enum::name).orElse("gone") + " now: it changed while it was rolled back"));
        }
        LOG.info("Task {} is rolled back by task {}, asked by {}", taskId, id, by);
        announce(stored.get().task(), started, "rolls back " + taskId);
        handOver(stored.get().task(), new Rollbacks.Plan<>(taskId, parsed, committed), payload.body().length);
        return stored.get();
    }

    /** The rollback a task has, if it was rolled back: the link outlives the rollback's own row, which may be purged. */
    private Optional<Stored> earlierRollback(String taskId) {
        Optional<String> linked = store.rolledBackBy(taskId);
        if (linked.isEmpty()) {
            return Optional.empty();
        }
        TaskRecord rollback = store.find(linked.get()).orElseThrow(() -> new TaskStateException(taskId,
                "it was rolled back by task " + linked.get() + ", which has been purged since"));
        return Optional.of(new Stored(rollback, false));
    }

    /** The payload with the operator's option defaults for the type laid under its own options. */
    private Payload withOptionDefaults(String taskType, Payload payload) {
        Map<String, String> options = new LinkedHashMap<>(settings.optionDefaults().getOrDefault(taskType, Map.of()));
        options.putAll(payload.options());
        return payload.withOptions(options);
    }

    /** {@link TaskEngine#check}: the plugin parses the payload; nothing is stored. */
    int check(String taskType, Payload payload) throws InvalidPayloadException {
        running.require();
        TaskType<?> type = registry.find(taskType).orElseThrow(() -> missing.apply(taskType));
        registry.whyClosed(taskType).ifPresent(why -> {
            throw new TaskTypeClosedException(taskType, why);
        });
        refuseReserved(null, payload);
        registry.ensurePrepared(type, environment);
        type.parse(withOptionDefaults(taskType, payload));
        return type.version();
    }

    /**
     * Submits a schedule's firing: its payload, written for version {@code writtenFor} of the type
     * (null: the plugin's), carried over to the plugin's version by its migrations (note 028).
     */
    Stored submitFiring(String taskType, String owner, String idempotencyKey, Payload payload, Integer writtenFor)
            throws InvalidPayloadException {
        TaskType<?> type = registry.find(taskType).orElseThrow(() -> missing.apply(taskType));
        Payload current = writtenFor == null || writtenFor == type.version() ? payload
                : PayloadMigrations.upgrade(type, writtenFor, payload);
        return submit(taskType, owner, idempotencyKey, current, null, 0, null);
    }

    /** {@link TaskEngine#submitPayloadOf}: the earlier task's stored payload, carried over to the type's version. */
    Stored submitPayloadOf(String earlierTaskId, String taskType, String owner, String idempotencyKey,
                                  Map<String, String> options) throws InvalidPayloadException {
        running.require();
        TaskRecord earlier = store.find(earlierTaskId).filter(task -> task.owner().equals(owner))
                .orElseThrow(() -> new TaskStateException(earlierTaskId, "no such task of " + owner + "'s"));
        Payload payload = store.payload(earlier.id()).orElseThrow().withOptions(options);
        TaskType<?> type = registry.find(taskType).orElse(null);
        if (type != null && earlier.taskType().equals(taskType) && earlier.typeVersion() != type.version()) {
            payload = PayloadMigrations.upgrade(type, earlier.typeVersion(), payload); // a check made before a deploy (note 028)
        }
        return submit(taskType, owner, idempotencyKey, payload, null, earlier.priority(), earlier.orderKey());
    }

    /**
     * The stored task of a repeated key, if the repeat is the same request: same type, payload and
     * options (the operator's defaults included, as stored). Payment APIs answer a key reused for
     * another request with an error, not with the older result, and so does this.
     *
     * @throws IdempotencyConflictException when the key was used for another request
     */
    private Stored sameRequest(Stored earlier, String taskType, Payload payload, String orderKey, String key) {
        TaskRecord task = earlier.task();
        if (!task.taskType().equals(taskType)) {
            throw new IdempotencyConflictException(key, task.id(), "a task of type " + task.taskType() + ", not " + taskType);
        }
        Payload stored = store.payload(task.id()).orElseThrow(() -> new TaskStateException(task.id(), "no stored payload"));
        if (!stored.mediaType().equals(payload.mediaType()) || !Arrays.equals(stored.body(), payload.body())) {
            throw new IdempotencyConflictException(key, task.id(), "with another payload");
        }
        if (!stored.options().equals(payload.options())) {
            throw new IdempotencyConflictException(key, task.id(), "with other options " + stored.options());
        }
        if (!Objects.equals(task.orderKey(), orderKey)) {
            throw new IdempotencyConflictException(key, task.id(), task.orderKey() == null ? "without an order key"
                    : "with order key " + task.orderKey());
        }
        if (task.state() == TaskState.QUEUED || task.state() == TaskState.RUNNING) {
            // The first submission may have committed and then failed before its hand-over (its
            // answer lost, the engine stopping): the repeat hands it over again, which a slot that
            // holds it already acknowledges without queueing it twice.
            handOver(task);
        }
        return earlier;
    }

    /**
     * A new task id whose slot has room. Without an order key the id decides the slot, so an id
     * that lands in a full slot is drawn again: one slot held up by a long task must not make the
     * whole type look busy. With one, the key decides it, and there is no other slot to try. Null
     * when there is no room.
     */
    private String idWithRoom(String taskType, String orderKey) {
        if (orderKey != null) {
            return held(router.slotFor(taskType, orderKey)) < settings.slotCapacity() ? TaskIds.next() : null;
        }
        String first = TaskIds.next();
        if (held(router.slotFor(taskType, first)) < settings.slotCapacity()) {
            return first; // the usual case: one draw, one look at one slot
        }
        List<SlotId> withRoom = router.slotsOf(taskType).stream()
                .filter(slot -> held(slot) < settings.slotCapacity()).toList();
        if (withRoom.isEmpty()) {
            return null;
        }
        // with one slot of ten left, 200 draws all miss it once in a billion submissions
        for (int draw = 0; draw < 200; draw++) {
            String id = TaskIds.next();
            if (withRoom.contains(router.slotFor(taskType, id))) {
                return id;
            }
        }
        return null;
    }

    /**
     * Tasks a slot holds or is about to: what it last reported (running and waiting) and what
     * waits to be handed to it. Read without asking the slot, so a submission costs it nothing.
     * The one hand-over on its way (at most {@link HandOvers#MAX_BATCH} tasks) may not be counted
     * yet: the bound is soft by that much.
     */
    private int held(SlotId slot) {
        return slotReports.get(slot).queueDepth().get() + handOvers.waiting(slot);
    }

    /** Hands a stored task to its slot: its order key's, or its id's. */
    void handOver(TaskRecord task) {
        handOver(task, task.runGeneration());
    }

    /** Hands run {@code generation} of a stored task to its slot: a retry's, which {@code task} as read before it does not hold. */
    void handOver(TaskRecord task, int generation) {
        handOvers.handOver(router.slotFor(task.taskType(), task.routingKey()), task.id(), generation, task.priority(),
                task.orderKey());
    }
}
