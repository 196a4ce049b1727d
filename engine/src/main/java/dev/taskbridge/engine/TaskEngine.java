package dev.taskbridge.engine;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.HashSet;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import javax.sql.DataSource;

import com.typesafe.config.Config;
import dev.taskbridge.engine.journal.Dialect;
import dev.taskbridge.engine.journal.JournalDatabase;
import dev.taskbridge.engine.plugins.TaskTypeNotReadyException;
import dev.taskbridge.engine.plugins.PayloadMigrations;
import dev.taskbridge.engine.plugins.TaskTypeRegistry;
import dev.taskbridge.engine.routing.SlotAddressing;
import dev.taskbridge.engine.routing.SlotId;
import dev.taskbridge.engine.routing.TaskRouter;
import dev.taskbridge.engine.slot.Slot;
import dev.taskbridge.engine.slot.SlotReporting;
import dev.taskbridge.engine.schedule.ScheduleFirings;
import dev.taskbridge.engine.schedule.Schedules;
import dev.taskbridge.engine.store.FinishedTaskPurge;
import dev.taskbridge.engine.store.Stored;
import dev.taskbridge.engine.store.TaskEventKind;
import dev.taskbridge.engine.store.TaskRecord;
import dev.taskbridge.engine.store.TaskState;
import dev.taskbridge.engine.store.PausedTypes;
import dev.taskbridge.engine.store.ScheduleStore;
import dev.taskbridge.engine.store.ScheduledTasks;
import dev.taskbridge.engine.store.TaskStore;
import dev.taskbridge.engine.store.TypePause;
import dev.taskbridge.engine.store.UnfinishedVersion;
import dev.taskbridge.engine.store.TaskSummary;
import dev.taskbridge.engine.threads.HostThreads;
import dev.taskbridge.plugin.ChunkUndo;
import dev.taskbridge.plugin.InvalidPayloadException;
import dev.taskbridge.plugin.Payload;
import dev.taskbridge.plugin.PluginEnvironment;
import dev.taskbridge.plugin.TaskType;
import org.apache.pekko.actor.BootstrapSetup;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.setup.ActorSystemSetup;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.concurrent.ExecutionContextExecutor;

/**
 * The engine as its host sees it: start it, submit tasks, look at it, stop it.
 *
 * <p>Starting creates the task store's tables, starts the actor system on the host's threads
 * with configuration loaded through the given class loader, spawns every slot (so that slots
 * with unfinished work recover at once), and hands every task the store still shows as
 * unfinished back to its slot. A submission is stored before it is handed over, so a task that
 * was accepted is run even if the server stops a moment later.
 */
public final class TaskEngine implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TaskEngine.class);
    /** What a submission refused for a full slot is told: a slot works off some hundreds of tasks in that time. */
    static final Duration BUSY_RETRY_AFTER = Duration.ofSeconds(5);
    /** Priorities a task may have: a range wide enough for any scheme of levels a team picks, small enough to read. */
    public static final int LOWEST_PRIORITY = -100;
    public static final int HIGHEST_PRIORITY = 100;
    /** The longest order key: its column's size. */
    public static final int MAX_ORDER_KEY_LENGTH = 200;

    private final EngineSettings settings;
    private final TaskTypeRegistry registry;
    /** What a plugin is told when it gets ready: the profile and the datasource. */
    private final PluginEnvironment environment;
    private final TaskStore store;
    private final TaskRouter router;
    private final ActorSystem<EngineGuardian.Command> system;
    private final SlotAddressing slots;
    private final Instant startedAt;
    private final AtomicBoolean running;
    private final Clock clock;
    private final TaskMetrics metrics;
    /** What each slot reports of itself: its queue depth and whether it is live. */
    private final Map<SlotId, SlotReporting> slotReports;
    private final TaskChanges changes;
    private final ParsedPayloads parsedPayloads;
    private final StepsInFlight steps;
    /** Deployed types whose plugin cannot run their unfinished tasks (note 028): type id to why, as a submission is told. */
    private final Map<String, String> notActive;
    private final TaskTracing tracing;
    private final TypePauses pauses;
    private final DueTasks dueTasks;
    private final Submissions submissions;
    private final ScheduleFirings scheduleFirings;
    private final Schedules schedules;

    private TaskEngine(EngineSettings settings, TaskTypeRegistry registry, PluginEnvironment environment, TaskStore store, TaskRouter router,
                       ActorSystem<EngineGuardian.Command> system, SlotAddressing slots, Instant startedAt,
                       AtomicBoolean running, Clock clock, TaskMetrics metrics, Map<SlotId, SlotReporting> slotReports,
                       TaskChanges changes, ParsedPayloads parsedPayloads, TaskTracing tracing, TypePauses pauses,
                       ScheduledTasks scheduled, ScheduleStore scheduleStore, StepsInFlight steps, Map<String, String> notActive) {
        this.notActive = notActive;
        this.settings = settings;
        this.steps = steps;
        this.pauses = pauses;
        this.tracing = tracing;
        this.registry = registry;
        this.environment = environment;
        this.store = store;
        this.router = router;
        this.system = system;
        this.slots = slots;
        this.startedAt = startedAt;
        this.running = running;
        this.clock = clock;
        this.metrics = metrics;
        this.slotReports = slotReports;
        this.changes = changes;
        this.parsedPayloads = parsedPayloads;
        HandOvers handOvers = new HandOvers(slots, settings.askTimeout(), settings.retry(), system.scheduler(),
                system.executionContext(), running::get);
        this.dueTasks = new DueTasks(scheduled, clock, system.scheduler(), system.executionContext(),
                blocking(system), running::get,
                this::due);
        this.submissions = new Submissions(settings, registry, environment, store, router, clock, metrics, slotReports,
                changes, parsedPayloads, handOvers, tracing, dueTasks, this::requireRunning, this::missing);
        this.scheduleFirings = new ScheduleFirings(scheduleStore, submissions::submitFiring, store::findByKey, clock, startedAt, system.scheduler(),
                system.executionContext(), blocking(system),
                running::get);
        this.schedules = new Schedules(scheduleStore, scheduleFirings, submissions::check, clock);
    }

    /**
     * Starts an engine.
     *
     * @param threads      the host's thread factory for every dispatcher, or null for Pekko's own
     * @param classLoader  sees the engine, Pekko and the plugins; used for configuration and classes
     * @param transactions how chunks commit with their effect markers, or null outside a container
     *                     (markers are then written after the work: effects at least once; for
     *                     exactly once there, {@link LocalChunkTransactions} with its data source)
     * @throws EngineStartException saying which step failed and why
     */
    public static TaskEngine start(EngineSettings settings, TaskTypeRegistry registry, DataSource dataSource,
                                   ThreadFactory threads, ClassLoader classLoader, Clock clock,
                                   ChunkTransactions transactions) {
        return start(settings, registry, dataSource, threads, classLoader, clock, transactions, TaskMetrics.NONE);
    }

    /**
     * Starts an engine that reports what it does to {@code metrics}.
     *
     * @see #start(EngineSettings, TaskTypeRegistry, DataSource, ThreadFactory, ClassLoader, Clock, ChunkTransactions)
     */
    public static TaskEngine start(EngineSettings settings, TaskTypeRegistry registry, DataSource dataSource,
                                   ThreadFactory threads, ClassLoader classLoader, Clock clock,
                                   ChunkTransactions transactions, TaskMetrics metrics) {
        return start(settings, registry, dataSource, threads, classLoader, clock, transactions, metrics, TaskTracing.OFF);
    }

    /**
     * Starts an engine that reports what it does to {@code metrics}, and each task's life to {@code tracing}.
     *
     * @see #start(EngineSettings, TaskTypeRegistry, DataSource, ThreadFactory, ClassLoader, Clock, ChunkTransactions)
     */
    public static TaskEngine start(EngineSettings settings, TaskTypeRegistry registry, DataSource dataSource,
                                   ThreadFactory threads, ClassLoader classLoader, Clock clock,
                                   ChunkTransactions transactions, TaskMetrics metrics, TaskTracing tracing) {
        return start(settings, registry, dataSource, threads, classLoader, clock, transactions, metrics, tracing, false);
    }

    /**
     * As {@link #start(EngineSettings, TaskTypeRegistry, DataSource, ThreadFactory, ClassLoader, Clock, ChunkTransactions, TaskMetrics, TaskTracing)},
     * suspended if {@code suspended} (its server is: {@link #suspend()}), so that not one step of a task starts until it resumes.
     */
    public static TaskEngine start(EngineSettings settings, TaskTypeRegistry deployed, DataSource dataSource,
                                   ThreadFactory threads, ClassLoader classLoader, Clock clock,
                                   ChunkTransactions transactions, TaskMetrics metrics, TaskTracing tracing,
                                   boolean suspended) {
        requirePluginsOfItsRoles(settings.cluster(), deployed);
        Instant startedAt = clock.instant();
        TaskStore store = new TaskStore(dataSource, clock);
        Dialect dialect;
        TypePauses pauses;
        List<UnfinishedVersion> unfinishedVersions;
        try {
            dialect = Dialect.of(dataSource);
            store.createSchema(dialect);
            pauses = new TypePauses(new PausedTypes(dataSource, clock));
            unfinishedVersions = store.unfinishedVersions();
        } catch (SQLException | RuntimeException e) {
            throw new EngineStartException("the engine's database is not usable", e);
        }
        Map<String, NotActive> notActive = notActive(store, deployed, unfinishedVersions);
        Map<String, String> problems = new LinkedHashMap<>();
        notActive.forEach((type, reason) -> {
            problems.put(type, reason.problem());
            LOG.warn(reason.problem());
        });
        TaskTypeRegistry registry = deployed.without(problems);
        // in a plain JVM a plugin's statements must join the chunk's local transaction, as on a server they join its JTA one
        PluginEnvironment environment = new PluginEnvironment(settings.profile(),
                transactions instanceof LocalChunkTransactions local ? local.dataSource() : dataSource);
        Map<String, Integer> slotsPerType = new LinkedHashMap<>();
        Map<String, Integer> atOncePerSlot = new LinkedHashMap<>();
        for (TaskType<?> type : registry.all()) {
            slotsPerType.put(type.id(), settings.slotOverrides().getOrDefault(type.id(), type.slots()));
            atOncePerSlot.put(type.id(), tasksAtOncePerSlot(settings, type));
        }
        TaskRouter router = new TaskRouter(slotsPerType);
        Map<SlotId, SlotReporting> slotReports = new LinkedHashMap<>();
        slotsPerType.forEach((type, count) -> {
            for (int i = 0; i < count; i++) {
                slotReports.put(new SlotId(type, i), new SlotReporting(settings.nodeName(), metrics));
            }
        });

        Config config;
        try {
            config = PekkoConfig.build(settings, classLoader);
        } catch (RuntimeException e) {
            throw new EngineStartException("the actor system's configuration could not be loaded", e);
        }
        BootstrapSetup bootstrap = BootstrapSetup.create(config).withClassloader(classLoader);
        ActorSystemSetup setup = ActorSystemSetup.create(bootstrap,
                new JournalDatabase(dataSource, dialect, settings.journalThreads()));
        if (threads != null) {
            setup = setup.withSetup(new HostThreads(threads));
        }

        CompletableFuture<SlotAddressing> started = new CompletableFuture<>();
        AtomicBoolean running = new AtomicBoolean(true);
        TaskChanges changes = new TaskChanges();
        ParsedPayloads parsedPayloads = new ParsedPayloads();
        StepsInFlight steps = new StepsInFlight(suspended);
        FailureRollbacks failureRollbacks = new FailureRollbacks(settings.rollBackOnFailure(), registry, store, router);
        EngineGuardian.SlotFactory slotFactory = system -> {
            ExecutionContextExecutor blocking = blocking(system);
            ChunkGroups chunkGroups = new ChunkGroups(transactions != null ? transactions : new MarkerAfterWork(dataSource),
                    blocking, (delay, action) -> system.scheduler().scheduleOnce(delay, action, system.executionContext())::cancel,
                    settings.chunkGroups());
            TaskRunner runner = new TaskRunner(registry, environment, store, blocking, chunkGroups, () -> !running.get(),
                    settings.nodeName(), new SlowChunkWatch(system.scheduler(), system.executionContext(), settings.slowChunk()),
                    metrics, changes, parsedPayloads, new StartMarks(store, system.scheduler(), blocking, StartMarks.DELAY),
                    tracing, pauses, steps, failureRollbacks);
            return slot -> Slot.create(slot, runner, settings.retry(), settings.snapshotEvery(), slotReports.get(slot),
                    atOncePerSlot.get(slot.taskType()));
        };
        ActorSystem<EngineGuardian.Command> system;
        try {
            system = ActorSystem.create(EngineGuardian.create(slotFactory, slotReports.keySet(), settings.cluster(), started),
                    settings.systemName(), setup);
        } catch (RuntimeException e) {
            throw new EngineStartException("the actor system could not start", e);
        }
        try {
            SlotAddressing slots = started.get(settings.askTimeout().toMillis(), TimeUnit.MILLISECONDS);
            TaskEngine engine = new TaskEngine(settings, registry, environment, store, router, system, slots, startedAt,
                    running, clock, metrics, Collections.unmodifiableMap(slotReports), changes, parsedPayloads, tracing, pauses,
                    new ScheduledTasks(dataSource), new ScheduleStore(dataSource), steps, whyNotActive(notActive));
            if (!settings.cluster().enabled()) { // a node's slots may run on other nodes: readiness shows its own
                engine.awaitSlotsLive(settings.askTimeout());
            } else {
                // what the operators' view and the live events need of the other nodes
                String self = Cluster.get(system).selfMember().address().toString();
                system.systemActorOf(ChangeRelay.create(changes, self, !settings.cluster().worker()), "change-relay", Props.empty());
                system.systemActorOf(NodeSlots.create(self, () -> slotsReportingLive(slotReports)), "node-slots", Props.empty());
            }
            failureRollbacks.handOverTo(engine.submissions::handOver); // first: what it stores from now on, the next line does not see
            engine.resumeUnfinished();
            // the store's housekeeping is the servers': a worker lacks most types' plugins, so it would
            // release tasks to run later that it cannot hand over, and refuse firings of types it does not know
            boolean housekeeping = !settings.cluster().worker();
            if (housekeeping) {
                engine.dueTasks.start();
                engine.scheduleFirings.start();
            }
            if (settings.cluster().enabled()) {
                // every slot starts at once wherever sharding places it, as a single server spawns them all;
                // started once, it is remembered and started again wherever its shard goes
                slotReports.keySet().forEach(slot -> engine.slots.tell(slot, new Slot.Accept(List.of(), system.ignoreRef())));
            }
            // on a node of a cluster, the slots that run here: a slot stuck behind a late answer has recovered where it runs
            SlotWakeUps.start(engine.slots, slotReports.keySet(),
                    settings.cluster().enabled() ? slot -> slotReports.get(slot).live().get() : slot -> true,
                    system.ignoreRef(), system.scheduler(), system.executionContext(), running::get);
            if (housekeeping) {
                new RetentionSweeps(new FinishedTaskPurge(dataSource), settings.retention(), settings.failedRetention(),
                        FinishedTaskPurge.DEFAULT_BATCH, clock, system.scheduler(), system.executionContext(),
                        blocking(system),
                        running::get, metrics).start(RetentionSweeps.FIRST_AFTER);
            }
            LOG.info("Task engine started with {} task type(s) and {} slot(s){} in {} ms{}", slotsPerType.size(),
                    slotReports.size(), settings.cluster().enabled() ? " as a node of a cluster at " + settings.cluster().host()
                            + ":" + settings.cluster().port() + ", joining through " + settings.cluster().seedNodes() : "",
                    Duration.between(startedAt, clock.instant()).toMillis(),
                    suspended ? ", suspended as its server is: no step of a task starts until it resumes" : "");
            return engine;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            terminate(system, settings.shutdownTimeout());
            throw new EngineStartException("interrupted while the slots were spawned", e);
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            terminate(system, settings.shutdownTimeout());
            throw new EngineStartException("the slots could not be spawned", e);
        }
    }

    /**
     * A node with a role runs every slot of the types placed on it, so it must have their plugins:
     * refused at start, naming them, rather than failing each slot sharding hands it.
     */
    static void requirePluginsOfItsRoles(ClusterSettings cluster, TaskTypeRegistry deployed) {
        if (!cluster.enabled()) {
            return;
        }
        List<String> missing = cluster.typeRoles().entrySet().stream()
                .filter(placed -> cluster.roles().contains(placed.getValue()) && deployed.find(placed.getKey()).isEmpty())
                .map(placed -> placed.getKey() + " (role " + placed.getValue() + ")").sorted().toList();
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("this node has the roles " + new java.util.TreeSet<>(cluster.roles())
                    + ", on which task types are placed that no plugin here provides: " + String.join(", ", missing));
        }
    }

    /**
     * Waits, up to {@code timeout}, until every slot has recovered from its journal, so that an
     * engine that has started is ready. A slot that takes longer keeps trying by itself; readiness
     * shows it.
     */
    private void awaitSlotsLive(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (slotReports.values().stream().anyMatch(report -> !report.live().get())) {
            if (System.nanoTime() > deadline) {
                LOG.warn("Not every slot has recovered within {} ms; task types without a live slot: {}",
                        timeout.toMillis(), taskTypesWithoutLiveSlot());
                return;
            }
            Thread.sleep(5);
        }
    }

    /** Why a deployed type is not active, for its submissions, and for the operator with the tasks it cannot run. */
    private record NotActive(String why, String problem) {
    }

    /**
     * The deployed types whose plugin cannot run a task of theirs that is not final, with why (note
     * 028): a version with no migration to the plugin's, or a newer one than the plugin's.
     */
    private static Map<String, NotActive> notActive(TaskStore store, TaskTypeRegistry deployed, List<UnfinishedVersion> unfinishedVersions) {
        Map<String, NotActive> found = new LinkedHashMap<>();
        for (UnfinishedVersion unfinished : unfinishedVersions) {
            Optional<TaskType<?>> type = deployed.find(unfinished.taskType());
            if (type.isEmpty() || found.containsKey(unfinished.taskType())) {
                continue;
            }
            Optional<String> why;
            String cause = ""; // for the operator only: a plugin's exception may say what a client must not read
            try {
                why = PayloadMigrations.whyNot(type.get(), unfinished.version());
            } catch (RuntimeException | LinkageError e) {
                // the plugin's bug: its type is not active, the others run
                why = Optional.of("its plugin failed to say whether it runs tasks of version " + unfinished.version());
                cause = " (" + e + ")";
            }
            if (why.isPresent()) {
                List<String> ids = store.unfinishedIds(unfinished.taskType(), unfinished.version(), 5);
                found.put(unfinished.taskType(), new NotActive(why.get(), "Task type " + unfinished.taskType()
                        + " is not active: " + why.get() + cause + "; " + unfinished.tasks() + " unfinished task(s) of version "
                        + unfinished.version() + " wait for a version of it that can run them: " + String.join(", ", ids)
                        + (unfinished.tasks() > ids.size() ? ", ..." : "")));
            }
        }
        return found;
    }

    private static Map<String, String> whyNotActive(Map<String, NotActive> notActive) {
        Map<String, String> why = new LinkedHashMap<>();
        notActive.forEach((type, reason) -> why.put(type, reason.why()));
        return Map.copyOf(why);
    }

    /** What a call naming a type that is not running is told: deployed but not active, or not deployed. */
    private RuntimeException missing(String taskType) {
        String why = notActive.get(taskType);
        return why != null ? new TaskTypeNotActiveException(taskType, why) : new NoSuchTaskTypeException(taskType);
    }

    private void resumeUnfinished() {
        List<TaskRecord> unfinished = store.unfinished();
        for (TaskRecord task : unfinished) {
            if (registry.find(task.taskType()).isPresent()) {
                submissions.handOver(task);
            } else if (!notActive.containsKey(task.taskType()) && !settings.cluster().worker()) {
                // those of a type not active were said at start, with their count; a worker has its roles' plugins only
                LOG.warn("Task {} of type {} waits: no plugin provides that type", task.id(), task.taskType());
            }
        }
        if (!unfinished.isEmpty()) {
            LOG.info("Handed {} unfinished task(s) back to their slots", unfinished.size());
        }
    }

    /**
     * Validates a payload's shape, stores the task and hands it to its slot. A repeated
     * idempotency key of the same owner returns the stored task and starts nothing. The operator's
     * option defaults for the type ({@link EngineSettings#optionDefaults()}) are laid under the
     * payload's own options, and the task is stored with the result, so it runs with the options
     * it was submitted with even if the defaults change.
     *
     * @param idempotencyKey null for none
     * @throws NoSuchTaskTypeException  no plugin provides the type
     * @throws InvalidPayloadException  the plugin refused the payload; nothing was stored
     * @throws EngineStoppedException   the engine is stopping or stopped
     * @throws IdempotencyConflictException the key was used before for another request; nothing was stored
     * @throws SlotFullException        every slot of the type holds {@link EngineSettings#slotCapacity()} tasks (with an
     *                                  order key: the key's slot does); nothing was stored
     */
    public Stored submit(String taskType, String owner, String idempotencyKey, Payload payload)
            throws InvalidPayloadException {
        return submit(taskType, owner, idempotencyKey, payload, null);
    }

    /**
     * As {@link #submit(String, String, String, Payload)}, for a task to run at {@code runAt}: until
     * then it is stored as SCHEDULED and held by no slot (so it takes no slot's room), and may be
     * cancelled; once due it is queued like any submission. A time not after now runs it at once.
     * A repeated idempotency key answers the stored task, with the time it was stored with.
     *
     * @param runAt null to run at once
     */
    public Stored submit(String taskType, String owner, String idempotencyKey, Payload payload, Instant runAt)
            throws InvalidPayloadException {
        return submit(taskType, owner, idempotencyKey, payload, runAt, 0);
    }

    /**
     * As {@link #submit(String, String, String, Payload, Instant)}, with a priority: within its
     * slot, a task of a higher priority starts before every waiting task of a lower one (never
     * stopping one that runs), and tasks of one priority start in the order they were submitted.
     * The priority is the task's for good; a repeated idempotency key answers the stored task,
     * with the priority it was stored with.
     *
     * @param priority from {@link #LOWEST_PRIORITY} to {@link #HIGHEST_PRIORITY}; 0 is the usual
     * @throws IllegalArgumentException for a priority out of that range (callers check what clients send)
     */
    public Stored submit(String taskType, String owner, String idempotencyKey, Payload payload, Instant runAt,
                         int priority) throws InvalidPayloadException {
        return submit(taskType, owner, idempotencyKey, payload, runAt, priority, null);
    }

    /**
     * As {@link #submit(String, String, String, Payload, Instant, int)}, with an order key: the
     * tasks of one type with the same key run one after another, never two at once, and in the
     * order they were submitted (one priority; a retry runs when it is retried; a task to run
     * later joins its key when it is due). The key picks the task's slot instead of its id, so
     * when that slot is full the submission is refused as busy ({@link SlotFullException}) rather
     * than sent to another slot. Tasks without a key, or with different keys, keep no order among
     * themselves. The key is the task's for good; a repeated idempotency key with another order
     * key is a conflict. See {@code docs/design/032-order-keys.md}.
     *
     * @param orderKey null for none; otherwise a key as {@link #whyNotOrderKey} describes it
     * @throws IllegalArgumentException for a priority out of range or an order key that is not one (callers check what clients send)
     */
    public Stored submit(String taskType, String owner, String idempotencyKey, Payload payload, Instant runAt,
                         int priority, String orderKey) throws InvalidPayloadException {
        return submissions.submit(taskType, owner, idempotencyKey, payload, runAt, priority, orderKey);
    }

    /**
     * Rolls a task back (design note 030): submits, once per task whoever asks, a task that undoes
     * its committed chunks, last first, through its plugin's {@link ChunkUndo}; a task like any
     * other, so each undo happens exactly once, with progress, history and live events. A second
     * request answers the same rollback.
     *
     * @param by who asks: in the log line that says which task rolls back which
     * @throws TaskStateException the task is not over, was itself a rollback, committed nothing, or
     *                            its plugin undoes nothing
     */
    public Stored rollBack(String taskId, String by) {
        return submissions.rollBack(taskId, by);
    }

    /** The task a task rolls back, if it is a rollback (design note 030). */
    public static Optional<String> rollbackOf(TaskRecord task) {
        return Rollbacks.of(task);
    }

    /**
     * Checks, as a submission would and storing nothing, that a plugin provides the type and that
     * it takes the payload.
     *
     * @return the version of the type that took it
     * @throws NoSuchTaskTypeException no plugin provides the type
     * @throws InvalidPayloadException the plugin refused the payload
     */
    public int check(String taskType, Payload payload) throws InvalidPayloadException {
        return submissions.check(taskType, payload);
    }

    /**
     * Submits a task of {@code taskType} with the stored payload of an earlier task of the same
     * owner and other options, as {@link #submit} does, and with the earlier task's priority and
     * order key (a file checked as urgent is posted as urgent, and in its key's turn).
     *
     * @throws TaskStateException no earlier task of that id and owner
     */
    public Stored submitPayloadOf(String earlierTaskId, String taskType, String owner, String idempotencyKey,
                                  Map<String, String> options) throws InvalidPayloadException {
        return submissions.submitPayloadOf(earlierTaskId, taskType, owner, idempotencyKey, options);
    }

    /** Recurring tasks: the schedules, managed at runtime. */
    public Schedules schedules() {
        return schedules;
    }

    /** A task scheduled to run later is due and stored as QUEUED: to its slot. */
    private void due(TaskRecord task) {
        if (registry.find(task.taskType()).isEmpty()) {
            LOG.warn("Task {} of type {} is due and waits: no plugin provides that type", task.id(), task.taskType());
            return; // QUEUED, as an unfinished task of a missing plugin is: handed over at a start that has it
        }
        changes.publish(TaskChange.of(task, TaskEventKind.DUE, clock.instant(), null));
        submissions.handOver(task);
    }

    /**
     * Cancels a task that has not finished: it is marked CANCELLED at once, and its slot drops it,
     * or stops it after the chunk it is running.
     *
     * @param by who cancels it, for the task's history
     * @return the task as stored afterwards
     * @throws TaskStateException if the task is already final
     */
    public TaskRecord cancel(String taskId, String by) {
        requireRunning();
        TaskRecord task = store.find(taskId).orElseThrow(() -> new TaskStateException(taskId, "no such task"));
        // The slot is told which generation was cancelled: the one the guarded update matched, so
        // a retry by someone else in between is never mistaken for the cancelled run.
        while (!store.markCancelled(taskId, task.runGeneration(), by)) {
            TaskRecord now = store.find(taskId).orElseThrow();
            if (now.state().isFinal() || now.runGeneration() == task.runGeneration()) {
                throw new TaskStateException(taskId, "it is " + now.state() + " and cannot be cancelled");
            }
            task = now; // retried meanwhile: cancel the new run
        }
        metrics.cancelled(task.taskType());
        // Its slot may not hold it yet (hand-overs go in batches): forgetting the submission makes
        // the slot read the task, and find it cancelled, before it would run it.
        parsedPayloads.take(taskId);
        TaskRecord cancelled = store.find(taskId).orElseThrow();
        if (router.slots(task.taskType()) > 0) { // none for a type whose plugin is missing or not active: no slot holds it
            slots.tell(slotOf(task),
                    new Slot.Cancel(taskId, task.runGeneration(), system.ignoreRef()));
        }
        Instant now = clock.instant();
        tracing.ended(cancelled.traceParent(), taskId, cancelled.taskType(), TaskState.CANCELLED, now, "by " + by);
        changes.publish(TaskChange.of(cancelled, TaskEventKind.CANCELLED, now, "by " + by));
        return cancelled;
    }

    /**
     * Pauses a task type until {@link #resume}: its queued tasks wait, new submissions are taken
     * and wait too, a chunk running now finishes and no other starts (a task between chunks stays
     * RUNNING, its progress kept). Stored, so it holds across restarts; pausing a paused type
     * keeps its first pause.
     *
     * @param by who paused it
     * @return the type's pause: who and since when
     * @throws NoSuchTaskTypeException if no plugin provides the type
     */
    public TypePause pause(String taskType, String by) {
        requireRunning();
        requireType(taskType);
        TypePause pause = pauses.pause(taskType, by);
        LOG.info("Task type {} paused by {}", taskType, by);
        return pause;
    }

    /**
     * Lets a paused task type's tasks run again, in the order they were queued; its slots see it
     * within a fraction of a second (their runners look again while paused).
     *
     * @param by who resumed it
     * @return whether it was paused
     * @throws NoSuchTaskTypeException if no plugin provides the type
     */
    public boolean resume(String taskType, String by) {
        requireRunning();
        requireType(taskType);
        boolean was = pauses.resume(taskType);
        if (was) {
            LOG.info("Task type {} resumed by {}", taskType, by);
        }
        return was;
    }

    /**
     * Suspends every task run, as the host's suspend asks (WildFly's {@code :suspend}, and the
     * first phase of a graceful shutdown; note 027): from now on no step of a run starts (no task is
     * read or started, no chunk runs, no end is stored), a step asked for waits for
     * {@link #resumeFromSuspend()}, and the steps under way end. Everything else goes on: tasks are
     * still taken, stored and queued, cancels and pauses still work, a task running between chunks
     * stays RUNNING with its progress (not stalled). Not stored: a suspend is the host's state,
     * and a new engine starts unsuspended. A stop while suspended never starts what waited.
     *
     * @return completes once no step is under way: then no plugin code of this engine runs until
     *         the resume; the same for a repeated suspend
     */
    public CompletionStage<Void> suspend() {
        if (steps.suspend()) {
            LOG.info("Task engine suspended: no step of a task starts until it resumes; {} under way end first",
                    steps.underWay());
        }
        return steps.quiet();
    }

    /** Ends a {@link #suspend()}: the steps that waited start, in each slot where it left off. */
    public void resumeFromSuspend() {
        if (steps.resume(blocking(system))) {
            LOG.info("Task engine resumed");
        }
    }

    /** The dispatcher for blocking work: plugin code, the task store. */
    private static ExecutionContextExecutor blocking(ActorSystem<?> system) {
        return system.dispatchers().lookup(DispatcherSelector.fromConfig(PekkoConfig.BLOCKING_DISPATCHER));
    }

    /** Between {@link #suspend()} and {@link #resumeFromSuspend()}. */
    public boolean isSuspended() {
        return steps.suspended();
    }

    /** The type's pause, if it is paused. */
    public Optional<TypePause> pauseOf(String taskType) {
        return pauses.of(taskType);
    }

    /** Every paused type, by id. */
    public Map<String, TypePause> pausedTypes() {
        return pauses.all();
    }

    private void requireType(String taskType) {
        if (registry.find(taskType).isEmpty()) {
            throw missing(taskType);
        }
    }

    /**
     * Runs a failed or cancelled task again. Chunks that committed before are not repeated: their
     * effect markers hold their outcomes.
     *
     * @param by who asked for it, for the task's history
     * @return the task as stored afterwards
     * @throws TaskStateException if the task is not failed or cancelled
     */
    public TaskRecord retry(String taskId, String by) {
        requireRunning();
        TaskRecord task = store.find(taskId).orElseThrow(() -> new TaskStateException(taskId, "no such task"));
        TaskType<?> type = registry.find(task.taskType()).orElseThrow(() -> missing(task.taskType()));
        Optional<String> rollback = store.rolledBackBy(taskId);
        if (rollback.isPresent()) {
            // its markers say its chunks committed, and the rollback undid them: a retry would skip them (the requeue refuses it too)
            throw new TaskStateException(taskId, "it was rolled back by task " + rollback.get() + ": submit it again instead");
        }
        Optional<String> cannot = PayloadMigrations.whyNot(type, task.typeVersion());
        if (cannot.isPresent()) {
            throw new TaskStateException(taskId, "it cannot run again here: task type " + task.taskType() + ", " + cannot.get());
        }
        OptionalInt generation = store.requeue(taskId, by);
        if (generation.isEmpty()) {
            TaskRecord now = store.find(taskId).orElseThrow(() -> new TaskStateException(taskId, "no such task"));
            throw new TaskStateException(taskId, "it is " + now.state() + "; only FAILED or CANCELLED tasks can be retried");
        }
        try {
            TaskRecord queued = store.find(taskId).orElseThrow();
            changes.publish(TaskChange.of(queued, TaskEventKind.REQUEUED, clock.instant(), "by " + by));
            return queued;
        } finally {
            // after REQUEUED, so that its start comes after it; and even if the read failed: the
            // requeue has committed, so the task must run, whatever the caller hears
            submissions.handOver(task, generation.getAsInt());
        }
    }

    /**
     * Tells {@code listener} of every change to every task from now on, on the thread that stored
     * it: the listener must be quick and must not block.
     *
     * @return closing it ends the subscription
     */
    public AutoCloseable subscribe(Consumer<TaskChange> listener) {
        return changes.subscribe(listener);
    }

    /** The slot that serves the tasks of that type with that routing key: a task's order key, or its id when it has none. */
    public SlotId slotFor(String taskType, String routingKey) {
        return router.slotFor(taskType, routingKey);
    }

    /** The slot that serves a task: its order key's, or its id's when it has none. */
    public SlotId slotOf(TaskRecord task) {
        return router.slotFor(task.taskType(), task.routingKey());
    }

    /**
     * Why {@code orderKey} cannot be one, or null when it can: a key is 1 to
     * {@value #MAX_ORDER_KEY_LENGTH} characters (its column's size), does not start or end with a
     * space (two keys that look alike must be one), and holds no control characters or line
     * breaks (it is shown on pages and in logs).
     */
    public static String whyNotOrderKey(String orderKey) {
        if (orderKey.isEmpty() || orderKey.length() > MAX_ORDER_KEY_LENGTH) {
            return "must be 1 to " + MAX_ORDER_KEY_LENGTH + " characters";
        }
        if (isSpace(orderKey.charAt(0)) || isSpace(orderKey.charAt(orderKey.length() - 1))) {
            return "must not start or end with a space";
        }
        if (orderKey.chars().anyMatch(c -> Character.isISOControl(c) || Character.getType(c) == Character.LINE_SEPARATOR
                || Character.getType(c) == Character.PARAGRAPH_SEPARATOR)) {
            return "must not hold control characters or line breaks";
        }
        return null;
    }

    private static boolean isSpace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c);
    }

    /** What a slot holds right now. */
    public Slot.QueueView queueOf(SlotId slot) {
        requireRunning();
        return await(slots.<Slot.QueueView>ask(slot, Slot.GetQueue::new, settings.askTimeout()).toCompletableFuture(),
                "slot " + slot);
    }

    /** Every slot of every task type. */
    public Set<SlotId> slotIds() {
        return slotReports.keySet();
    }

    /**
     * Tasks the slot holds (running and waiting), as it last reported: read without asking the
     * actor, so a metrics scrape costs the slots nothing.
     */
    public int queueDepth(SlotId slot) {
        SlotReporting report = slotReports.get(slot);
        if (report == null) {
            throw new IllegalArgumentException("no slot " + slot);
        }
        return report.queueDepth().get();
    }

    /**
     * Task types none of whose slots is live right now (all failed and not yet recovered, or
     * still recovering): their tasks wait until one is back. None on a node of a cluster.
     */
    public List<String> taskTypesWithoutLiveSlot() {
        if (settings.cluster().enabled()) {
            // A node of a cluster takes submissions for slots anywhere: a slot that moves or restarts
            // is no reason to take this node (and, asked on every node, all of them) out of service.
            return List.of();
        }
        Map<String, Boolean> anyLive = new LinkedHashMap<>();
        slotReports.forEach((slot, report) -> anyLive.merge(slot.taskType(), report.live().get(), Boolean::logicalOr));
        return anyLive.entrySet().stream().filter(type -> !type.getValue()).map(Map.Entry::getKey).toList();
    }

    /** Slot actors alive right now, per task type: on a node of a cluster, those that run on this node. */
    public Map<String, Integer> liveSlotActors() {
        requireRunning();
        if (settings.cluster().enabled()) { // sharded slots are not the guardian's children; those here report themselves
            return slotsReportingLive(slotReports);
        }
        return await(AskPattern.<EngineGuardian.Command, EngineGuardian.LiveSlots>ask(system,
                EngineGuardian.CountLiveSlots::new, settings.askTimeout(), system.scheduler())
                .toCompletableFuture(), "the engine guardian").perTaskType();
    }

    private static Map<String, Integer> slotsReportingLive(Map<SlotId, SlotReporting> reports) {
        Map<String, Integer> perType = new java.util.TreeMap<>();
        reports.forEach((slot, report) -> {
            if (report.live().get()) {
                perType.merge(slot.taskType(), 1, Integer::sum);
            }
        });
        return perType;
    }

    /**
     * How many slots run on each node of the cluster, by node address, as each node counts its own;
     * none when the engine runs alone (every slot runs here).
     */
    public Map<String, Integer> slotsPerNode() {
        requireRunning();
        if (!settings.cluster().enabled()) {
            return Map.of();
        }
        return await(NodeSlots.perNode(system, settings.askTimeout()).toCompletableFuture(), "the cluster's receptionist");
    }

    /** True on a node of a cluster (design note 036), false when the engine runs alone. */
    public boolean isClustered() {
        return settings.cluster().enabled();
    }

    /** The types placed on a role that no member Up has: their tasks wait until one joins. None on a single server. */
    public List<String> typesWithoutNode() {
        return settings.cluster().enabled() ? settings.cluster().typesWithoutNode(clusterMembers()) : List.of();
    }

    /** The members of the cluster as this node sees them, in address order; none when the engine runs alone. */
    public List<ClusterMember> clusterMembers() {
        if (!settings.cluster().enabled()) {
            return List.of();
        }
        Cluster cluster = Cluster.get(system);
        ClusterEvent.CurrentClusterState state = cluster.state();
        Set<Member> unreachable = state.getUnreachable();
        List<ClusterMember> members = new java.util.ArrayList<>();
        for (Member member : state.getMembers()) {
            members.add(new ClusterMember(member.address().toString(), member.status().toString(), member.getRoles(),
                    !unreachable.contains(member), member.address().equals(cluster.selfMember().address()),
                    member.appVersion().version()));
        }
        return List.copyOf(members);
    }

    private <T> T await(CompletableFuture<T> answer, String who) {
        try {
            return answer.get(settings.askTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EngineStoppedException("interrupted while waiting for " + who);
        } catch (ExecutionException | TimeoutException e) {
            throw new EngineStoppedException(who + " did not answer within " + settings.askTimeout().toMillis() + " ms");
        }
    }

    /**
     * Checks the engine's parts; asks the database, so it takes up to {@code databaseTimeout}
     * and should not be called on a hot path.
     */
    public EngineHealth health(Duration databaseTimeout) {
        String databaseProblem = null;
        try {
            store.ping(databaseTimeout);
        } catch (RuntimeException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            databaseProblem = e.getMessage() + ": " + cause.getMessage();
        }
        List<ClusterMember> members = clusterMembers();
        String clusterProblem = null;
        if (settings.cluster().enabled()) {
            String self = members.stream().filter(ClusterMember::self).map(ClusterMember::status).findFirst().orElse("not a member");
            if (!self.equals("Up")) {
                clusterProblem = "this node is not Up in the cluster (" + self + "); it joins through "
                        + String.join(", ", settings.cluster().seedNodes());
            }
        }
        return new EngineHealth(running.get(), steps.suspended(), actorSystemAlive(), databaseProblem, registry.all().size(),
                registry.problems(), taskTypesWithoutLiveSlot(), settings.cluster().enabled(), members, clusterProblem);
    }

    /**
     * The actor system died while the engine was meant to run: only a restart repairs that. A
     * database that is away does not break the engine; it waits and resumes.
     */
    public boolean isBroken() {
        return running.get() && !actorSystemAlive();
    }

    /**
     * Completes when the engine's actor system has terminated: at {@link #close()}, or on its own
     * when a node of a cluster is downed (the split brain resolver) and Pekko shuts it down.
     */
    public java.util.concurrent.CompletionStage<Void> whenTerminated() {
        return system.getWhenTerminated().thenApply(terminated -> null);
    }

    private boolean actorSystemAlive() {
        return !system.getWhenTerminated().toCompletableFuture().isDone();
    }

    /**
     * Running, but without progress for longer than the engine's {@code stalledAfter}; a task of
     * a paused type, or any task of a suspended engine, waits on purpose and is not stalled.
     */
    public boolean isStalled(TaskRecord task) {
        return waitsForNoOne(task.taskType()) && task.isStalled(clock.instant(), settings.stalledAfter());
    }

    /** As {@link #isStalled(TaskRecord)}, for a row of a listing. */
    public boolean isStalled(TaskSummary task) {
        return waitsForNoOne(task.taskType()) && task.isStalled(clock.instant(), settings.stalledAfter());
    }

    /** Its type is neither paused nor not active, nor the engine suspended: a task of it that makes no progress is stalled. */
    private boolean waitsForNoOne(String taskType) {
        return !steps.suspended() && !pauses.isPaused(taskType) && !notActive.containsKey(taskType);
    }

    /** How many running tasks are stalled right now, those of paused types and types not active left out; none while suspended. */
    public long countStalled() {
        if (steps.suspended()) {
            return 0; // waiting for the host's resume, on purpose
        }
        Set<String> waitingOnPurpose = new HashSet<>(pauses.all().keySet());
        waitingOnPurpose.addAll(notActive.keySet());
        return store.countRunningWithoutProgressSince(clock.instant().minus(settings.stalledAfter()), waitingOnPurpose);
    }

    public TaskStore store() {
        return store;
    }

    /**
     * Gets a type ready ({@link TaskType#prepare}) before its host calls plugin code that reads
     * the plugin's tables outside a submission or a run: an export, a finished task's errors.
     * After a restart those may come first, and a plugin keeps what {@code prepare} was told.
     *
     * @throws TaskTypeNotReadyException its preparation failed; the next call tries again
     */
    public void ensurePrepared(TaskType<?> type) {
        registry.ensurePrepared(type, environment);
    }

    public TaskTypeRegistry registry() {
        return registry;
    }

    /** Slots of a task type, after configuration overrides. */
    public int slots(String taskType) {
        return router.slots(taskType);
    }

    /** How many of its tasks each of the type's slots runs at once (design note 034); 0 for a type that does not run. */
    public int tasksAtOncePerSlot(String taskType) {
        return router.slots(taskType) == 0 ? 0 : registry.find(taskType).map(type -> tasksAtOncePerSlot(settings, type)).orElse(0);
    }

    /** The operator's override, else what the plugin asks for. */
    private static int tasksAtOncePerSlot(EngineSettings settings, TaskType<?> type) {
        Integer override = settings.concurrencyOverrides().get(type.id());
        return override != null ? override : type.concurrentTasksPerSlot();
    }

    public Instant startedAt() {
        return startedAt;
    }

    public boolean isRunning() {
        return running.get();
    }

    private void requireRunning() {
        if (!running.get()) {
            throw new EngineStoppedException("the task engine is stopped");
        }
    }

    /**
     * Stops the engine: it takes no new work, starts no new chunk and waits, up to its shutdown
     * timeout, for the chunks that run to end (drain); then it stops the actor system through
     * coordinated shutdown and waits until its threads are gone. Unfinished tasks go on from their
     * last committed chunk at the next start.
     */
    @Override
    public void close() {
        close(settings.shutdownTimeout());
    }

    /**
     * As {@link #close()}, waiting at most {@code drainFor} for the running chunks: zero stops as a
     * drain that ran out of time does, leaving them to their transactions (what tests of a chunk
     * that outlives its engine need).
     */
    public void close(Duration drainFor) {
        if (!running.compareAndSet(true, false)) {
            return;
        }
        // Drain: no new submission, hand-over or step of a run from now on (readiness is DOWN, calls
        // are 503); the steps under way end first (chunks commit or roll back), then the actors stop.
        LOG.info("Task engine stopping: no new step of a task starts; {} under way may take up to {} ms to end",
                steps.underWay(), drainFor.toMillis());
        long started = System.nanoTime();
        boolean interrupted = false;
        try {
            int left = steps.drain(drainFor);
            if (left > 0) {
                LOG.warn("{} step(s) of tasks still run after {} ms; the engine stops without them: a chunk commits whole "
                        + "or not at all, and its task goes on from its last committed chunk at the next start",
                        left, drainFor.toMillis());
            }
        } catch (InterruptedException e) {
            interrupted = true; // the actors are still stopped and waited for; the interrupt is kept for the caller
            LOG.warn("Interrupted while the running steps ended; the engine stops without waiting for them");
        }
        terminate(system, settings.shutdownTimeout());
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        LOG.info("Task engine stopped in {} ms", Duration.ofNanos(System.nanoTime() - started).toMillis());
    }

    private static void terminate(ActorSystem<?> system, Duration timeout) {
        try {
            CoordinatedShutdown.get(system).run(DeploymentStopped.INSTANCE);
            system.getWhenTerminated().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.warn("Interrupted while the actor system stopped");
        } catch (ExecutionException | TimeoutException e) {
            LOG.error("The actor system did not stop within {} ms", timeout.toMillis(), e);
        }
    }

    /** Why the engine's coordinated shutdown ran. */
    private enum DeploymentStopped implements CoordinatedShutdown.Reason {
        INSTANCE
    }
}
