package dev.taskbridge.bridge;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.IntSupplier;

import javax.naming.InitialContext;
import javax.naming.NamingException;
import javax.sql.DataSource;

import dev.taskbridge.engine.BuildInfo;
import dev.taskbridge.engine.EngineSettings;
import dev.taskbridge.engine.journal.Dialect;
import dev.taskbridge.engine.OpenTelemetryTracing;
import dev.taskbridge.engine.TaskChange;
import dev.taskbridge.engine.TaskEngine;
import dev.taskbridge.engine.TaskTracing;
import dev.taskbridge.engine.plugins.PluginJar;
import dev.taskbridge.engine.plugins.PluginSwap;
import dev.taskbridge.engine.plugins.TaskTypeRegistry;
import dev.taskbridge.gateway.BuildView;
import dev.taskbridge.gateway.EngineUnavailableException;
import dev.taskbridge.gateway.PluginView;
import dev.taskbridge.plugin.Profile;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.DependsOn;
import jakarta.ejb.EJB;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import io.opentelemetry.api.trace.Tracer;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the task engine for the lifetime of the deployment: starts it when the deployment starts
 * and stops it, waiting for its threads to end, when the deployment stops.
 *
 * <p>If the engine cannot start, {@link #start()} does not throw: a {@code @Startup} bean that
 * fails leaves WildFly's boot waiting for good on the calls other components make to it
 * (StartupCountdown; seen with WildFly 39), so a database that is away at boot would hang the
 * server. The deployment comes up instead, logs why at ERROR, answers every call with a 503 that
 * says why, reports itself not ready, and tries again, with backoff up to
 * {@link #LONGEST_START_PAUSE}, until the engine starts or the deployment stops. What cannot
 * change by waiting (settings that are wrong, the prod profile on the embedded H2) is not
 * tried again. Bean-managed concurrency: the engine reference changes only under
 * {@link #starting}, and the engine is thread-safe, so the container's lock would only serialise
 * callers.
 */
@Startup
@Singleton
@DependsOn("ChunkTransactionsBean")
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class EngineLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(EngineLifecycle.class);

    @Resource
    private ManagedThreadFactory threadFactory;

    @EJB
    private ChunkTransactionsBean chunkTransactions;

    /**
     * MicroProfile Telemetry's; used once {@code otel.sdk.disabled=false} (README, "Traces"): each
     * task's trace then continues the span of the request that submitted it.
     */
    @Inject
    private Tracer tracer;

    /** What calls are told while the engine restarts with the plugin directory's new plugins. */
    private static final String RESTARTING = "the task engine restarts with the plugin directory's new plugins; try again in a few seconds";

    /** The first try to start again after a failed start waits this long; each next one twice as long. */
    static final Duration FIRST_START_PAUSE = Duration.ofSeconds(2);
    static final Duration LONGEST_START_PAUSE = Duration.ofSeconds(30);

    @Resource
    private ManagedScheduledExecutorService scheduler;

    private volatile TaskEngine engine;
    /** Why the engine is not running, as every call is told: the settings forbid it, or its last start failed; null otherwise. */
    private volatile String refusal;
    /**
     * What made its last start fail, for the operator's readiness probe (on the management
     * interface) and not for every caller: database messages name hosts and ports.
     */
    private volatile String startProblem;
    /** Held while the engine starts or stops, so that a start again and the deployment's stop never overlap. */
    private final Object starting = new Object();
    /** Guarded by {@link #starting}. */
    private boolean stopped;
    private ScheduledFuture<?> nextStart;
    private int failedStarts;
    private volatile BuildView build;
    private volatile MicrometerTaskMetrics metrics;
    /** Guards {@link #serverSuspended} and its application to the engine, so that a suspend and a resume never cross a start. */
    private final Object suspension = new Object();
    /** The server is suspended (note 027): an engine that starts meanwhile starts suspended. Guarded by {@link #suspension}. */
    private boolean serverSuspended;
    /** Guarded by {@link #starting}. */
    private ServerSuspension followedSuspension;
    /** The web tier's count of open live event streams, for the metrics; none until it says. */
    private volatile IntSupplier openEventStreams = () -> 0;
    /**
     * Who hears of every task's change, whichever engine runs: subscribed here, not to an engine, so
     * that a live event stream goes on across a restart with the plugin directory's new plugins.
     */
    private final List<Consumer<TaskChange>> listeners = new CopyOnWriteArrayList<>();

    /** The EAR's plugins and the plugin directory's (note 043); set once, before {@link #starting} is first taken. */
    private volatile DeploymentPlugins plugins;
    /**
     * Reads the plugin directory: an executor of the deployment's own, on the container's thread
     * factory, stopped with the deployment. Not the container's scheduled executor: a periodic task
     * cancelled there stays queued until its next time, holding this deployment's class loader
     * after the undeploy (UndeployIT's leak check saw it).
     */
    private ScheduledThreadPoolExecutor pluginDirectoryLooks;
    private Config config;
    private DataSource dataSource;
    private ClassLoader deployment;

    @PostConstruct
    void start() {
        deployment = EngineLifecycle.class.getClassLoader();
        LOG.info("Taskbridge engine starting");
        TaskTypeRegistry registry;
        BridgeSettings settings;
        Duration looks;
        try {
            config = ConfigProvider.getConfig(deployment);
            TaskTypeRegistry ear = TaskTypeRegistry.discover(deployment);
            ear.problems().forEach(LOG::warn);
            looks = BridgeSettings.pluginDirectoryLooks(config);
            plugins = DeploymentPlugins.open(ear, BridgeSettings.pluginDirectory(config), deployment);
            registry = plugins.registry();
            settings = BridgeSettings.from(config, registry.all());
        } catch (RuntimeException e) {
            // settings that are wrong stay wrong: said, not tried again, and not thrown (see the class's comment)
            refusal = "Taskbridge's settings are not usable: " + causes(e);
            LOG.error(refusal, e);
            return;
        }
        describeAndLog(settings, registry);
        try {
            dataSource = lookUp(settings.dataSource());
        } catch (IllegalStateException e) {
            refuse(e.getMessage()); // a name that is wrong stays wrong
            return;
        }
        synchronized (starting) {
            followedSuspension = ServerSuspension.follow(new ServerSuspension.Listener() {
                @Override
                public CompletionStage<Void> suspend(boolean booting) {
                    return suspendEngine(booting);
                }

                @Override
                public void resume() {
                    resumeEngine();
                }
            });
            tryToStart(settings, registry, dataSource, deployment);
            if (plugins.watching()) {
                pluginDirectoryLooks = new ScheduledThreadPoolExecutor(1, runnable -> {
                    Thread thread = threadFactory.newThread(runnable);
                    thread.setName("taskbridge-plugin-directory");
                    return thread;
                });
                pluginDirectoryLooks.setRemoveOnCancelPolicy(true);
                pluginDirectoryLooks.scheduleWithFixedDelay(this::lookAtPluginDirectory, looks.toMillis(), looks.toMillis(),
                        TimeUnit.MILLISECONDS);
            }
        }
    }

    private void describeAndLog(BridgeSettings settings, TaskTypeRegistry registry) {
        build = describe(settings.engine(), registry);
        LOG.info("Taskbridge {} (commit {}) on node {}, profile {}", build.version(), build.commit(), build.node(), build.profile());
        build.plugins().forEach(plugin -> LOG.info("Task type {} version {} from {} in {} {} (sha256 {})", plugin.taskType(),
                plugin.typeVersion(), plugin.pluginClass(), plugin.jar(), plugin.jarVersion(), plugin.checksum()));
    }

    /**
     * Reads the plugin directory and, when the jars that may run have changed, restarts the engine
     * with them: it drains as on undeploy (calls are answered 503 meanwhile), and every unfinished
     * task goes on under the new plugins from its last committed chunk. Only while the engine runs
     * (the store says what is unfinished); while it does not, the directory is read once it runs again.
     */
    private void lookAtPluginDirectory() {
        try {
            synchronized (starting) {
                TaskEngine running = engine;
                if (stopped || running == null || !running.isRunning()) {
                    return;
                }
                Optional<PluginSwap.Decision> decided = plugins.look(running.store());
                if (decided.isPresent()) {
                    restartWith(decided.get(), running);
                } else {
                    running.registry().closeToNewTasks(plugins.closedTypes()); // a jar taken out that stays for its tasks
                }
            }
        } catch (RuntimeException | LinkageError e) {
            // thrown out of here, the executor would never call again: the next look tries once more
            LOG.warn("The plugin directory could not be read or applied: {}; it is read again shortly", causes(e), e);
        }
    }

    /**
     * Under {@link #starting}: stops the running engine and starts one with the decision's plugins,
     * decided again once the engine has drained (a task submitted since the look may hold a jar);
     * if it does not start with them, it starts with the plugins it had, and the new jars are
     * refused until their file is written or touched.
     */
    private void restartWith(PluginSwap.Decision decided, TaskEngine running) {
        TaskTypeRegistry before = plugins.registry();
        before.closeToNewTasks(running.registry().closedToNewTasks()); // as it ran, should it start again with them
        BridgeSettings settingsBefore = BridgeSettings.from(config, before.all());
        LOG.info("Plugin directory {} changed: the task engine restarts with {}", plugins.path(),
                DeploymentPlugins.describe(decided.active()));
        refusal = RESTARTING;
        running.close(); // drains: the chunks under way commit or roll back, no task is submitted from now on
        engine = null;
        closeMetrics();
        RecordMethodCaches.release(); // what the old plugins' classes left in caches of the EAR's classes
        Optional<PluginSwap.Decision> now;
        try {
            now = plugins.decideAgain(running.store());
        } catch (RuntimeException | LinkageError e) { // the store, or a plugin's migrationFrom: never an engine left stopped
            LOG.error("The plugin directory's change could not be decided again after the drain: {}; the task engine starts "
                    + "again with the plugins it had, and the directory is read again", causes(e), e);
            startAgain(settingsBefore, before);
            return;
        }
        if (now.isEmpty()) { // what was submitted meanwhile holds the jars that ran: they run on
            LOG.info("The plugin directory's change waits: tasks submitted since it was read need the plugins that ran");
            before.closeToNewTasks(plugins.closedTypes()); // as decided again
            startAgain(settingsBefore, before);
            return;
        }
        PluginSwap.Decision decision = now.get();
        TaskTypeRegistry registry;
        BridgeSettings settings;
        try {
            registry = plugins.registry(decision);
            settings = BridgeSettings.from(config, registry.all());
        } catch (RuntimeException e) { // a setting for one of the new types that is wrong
            plugins.failedToStart(decision, causes(e));
            LOG.error("The task engine starts again with the plugins it had: {}", causes(e));
            startAgain(settingsBefore, before);
            return;
        }
        startAgain(settings, registry);
        if (engine != null) {
            plugins.activate(decision); // the old plugins' class loaders close now
            return;
        }
        String why = startProblem != null ? startProblem : String.valueOf(refusal);
        if (nextStart != null) {
            nextStart.cancel(false);
        }
        plugins.failedToStart(decision, why);
        LOG.error("The task engine did not start with the plugin directory's new plugins ({}); it starts again with "
                + "the plugins it had", why);
        startAgain(settingsBefore, before);
    }

    private void startAgain(BridgeSettings settings, TaskTypeRegistry registry) {
        describeAndLog(settings, registry);
        failedStarts = 0;
        refusal = RESTARTING;
        tryToStart(settings, registry, dataSource, deployment);
    }

    /** The plugin directory's thread ends: no thread is left to the undeployed code. */
    private void awaitLooksEnded() {
        ScheduledThreadPoolExecutor looks = pluginDirectoryLooks;
        if (looks == null) {
            return;
        }
        try {
            if (!looks.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.warn("The plugin directory's thread did not end within 5 s of the undeploy");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** What the plugin directory's last look refused or could not load, one line each. */
    public List<String> pluginDirectoryProblems() {
        DeploymentPlugins known = plugins;
        return known == null ? List.of() : known.problems();
    }

    /**
     * Tells {@code listener} of every change to every task from now on, whichever engine runs.
     *
     * @throws EngineUnavailableException while the engine does not run
     */
    public AutoCloseable subscribe(Consumer<TaskChange> listener) {
        engine(); // a subscription while the engine does not run is refused, as every call then is
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    private void tellListeners(TaskChange change) {
        for (Consumer<TaskChange> listener : listeners) {
            try {
                listener.accept(change);
            } catch (RuntimeException e) {
                LOG.warn("A listener failed on {} of task {}", change.kind(), change.taskId(), e);
            }
        }
    }

    private void closeMetrics() {
        MicrometerTaskMetrics meters = metrics;
        if (meters != null) {
            metrics = null;
            meters.close();
        }
    }

    /**
     * The server suspends: the engine starts no step of a task until it resumes, and the suspend
     * is complete once the steps under way have ended (WildFly's suspend timeout bounds the wait).
     * At boot the server is suspended until it has started: the engine starts its steps then.
     */
    private CompletionStage<Void> suspendEngine(boolean booting) {
        synchronized (suspension) {
            serverSuspended = true;
            TaskEngine running = engine;
            if (running == null) {
                return CompletableFuture.completedFuture(null);
            }
            CompletionStage<Void> quiet = running.suspend();
            // at boot a step under way is no one's request: not waited for, as WildFly waits here on its boot thread
            return booting ? CompletableFuture.completedFuture(null) : quiet;
        }
    }

    private void resumeEngine() {
        synchronized (suspension) {
            serverSuspended = false;
            TaskEngine running = engine;
            if (running != null) {
                running.resumeFromSuspend();
            }
        }
    }

    /** Logs why the engine does not run, and says it in every answer until the deployment stops. */
    private void refuse(String why) {
        refusal = why;
        LOG.error(why);
    }

    /** Starts the engine, or sets the next try; under {@link #starting}. */
    private void tryToStart(BridgeSettings settings, TaskTypeRegistry registry, DataSource dataSource, ClassLoader deployment) {
        if (stopped) {
            return;
        }
        Profile profile = settings.engine().profile();
        if (profile != Profile.DEV && onEmbeddedDatabase(dataSource)) {
            String where = "its tasks in the embedded H2 database (" + settings.dataSource() + ")";
            String instead = "set " + BridgeSettings.DATASOURCE + " to the PostgreSQL datasource, "
                    + "java:jboss/datasources/TaskbridgePostgresDS (README, \"Running on PostgreSQL\")";
            if (profile == Profile.PROD) {
                refuse("Taskbridge does not start in the prod profile with " + where + ": " + instead + ".");
                return;
            }
            LOG.warn("Taskbridge runs in the {} profile with {}, which prod refuses: {} before it goes to production.",
                    profile.configName(), where, instead);
        }
        MicrometerTaskMetrics meters = new MicrometerTaskMetrics();
        boolean suspended;
        synchronized (suspension) {
            suspended = serverSuspended; // at boot it is: not one step of a task starts before the server has started
        }
        TaskEngine started;
        try {
            started = TaskEngine.start(settings.engine(), registry, dataSource, threadFactory, deployment,
                    Clock.systemUTC(), ChunkTransactionsBean.on(chunkTransactions, dataSource), meters,
                    settings.tracing() ? new OpenTelemetryTracing(tracer) : TaskTracing.OFF, suspended);
        } catch (Error e) {
            meters.close();
            refuse("the task engine cannot start: " + causes(e)); // a class missing from the EAR: waiting does not help
            return;
        } catch (RuntimeException e) {
            meters.close();
            failedStarts++;
            Duration pause = pauseAfter(failedStarts);
            startProblem = causes(e);
            refusal = "the task engine could not start; it tries again every " + pause.toSeconds()
                    + " s until it starts (the server's log and its readiness probe say why)";
            if (failedStarts == 1) {
                LOG.error("Taskbridge engine could not start; it tries again in {} s, until it starts", pause.toSeconds(), e);
            } else {
                LOG.warn("Taskbridge engine could not start, try {}: {}; it tries again in {} s", failedStarts,
                        causes(e), pause.toSeconds());
            }
            nextStart = scheduler.schedule(() -> {
                synchronized (starting) {
                    tryToStart(settings, registry, dataSource, deployment);
                }
            }, pause.toMillis(), TimeUnit.MILLISECONDS);
            return;
        }
        started.subscribe(this::tellListeners);
        meters.watch(started, () -> openEventStreams.getAsInt());
        metrics = meters;
        synchronized (suspension) {
            engine = started;
            // the server may have suspended or resumed while the engine started
            if (serverSuspended) {
                started.suspend();
            } else {
                started.resumeFromSuspend();
            }
        }
        refusal = null;
        startProblem = null;
        LOG.info(failedStarts == 0 ? "Taskbridge engine started" : "Taskbridge engine started, at try " + (failedStarts + 1));
    }

    /** The messages of a failure and its causes, each once, in one line: what an operator reads in a 503 or a probe. */
    static String causes(Throwable failure) {
        java.util.LinkedHashSet<String> messages = new java.util.LinkedHashSet<>();
        for (Throwable cause = failure; cause != null && messages.size() < 5; cause = cause.getCause()) {
            String message = cause.getMessage();
            messages.add(message == null || message.isBlank() ? cause.getClass().getSimpleName() : message.strip());
        }
        String line = String.join(": ", messages).replaceAll("\\s+", " ");
        return line.length() <= 400 ? line : line.substring(0, 397) + "...";
    }

    static Duration pauseAfter(int failedStarts) {
        long seconds = FIRST_START_PAUSE.toSeconds() << Math.min(failedStarts - 1, 10);
        return seconds >= LONGEST_START_PAUSE.toSeconds() ? LONGEST_START_PAUSE : Duration.ofSeconds(seconds);
    }

    private static BuildView describe(EngineSettings settings, TaskTypeRegistry registry) {
        BuildInfo engine = BuildInfo.current();
        Map<Class<?>, PluginJar> jars = PluginJar.of(registry.all().stream().<Class<?>>map(Object::getClass).toList());
        return new BuildView(engine.version(), engine.commit(), settings.nodeName(), settings.profile().configName(),
                registry.all().stream().map(type -> {
                    PluginJar jar = jars.get(type.getClass());
                    return new PluginView(type.id(), type.version(), type.getClass().getName(), jar.name(), jar.version(), jar.checksum());
                }).toList());
    }

    /**
     * Which Taskbridge and which plugins run here; known once the deployment has read its
     * settings, before the engine starts.
     */
    public BuildView build() {
        BuildView known = build;
        if (known == null) {
            throw new EngineUnavailableException("the task engine is not running");
        }
        return known;
    }

    /**
     * Production keeps its tasks in a database server, never in the demo's embedded H2: one file in
     * the server's directory, with the demo's password, that a second node could not share and no
     * database administrator backs up.
     */
    private static boolean onEmbeddedDatabase(DataSource dataSource) {
        try {
            return Dialect.of(dataSource) == Dialect.H2;
        } catch (SQLException e) {
            return false; // the engine's start says what is wrong with the database
        }
    }

    private static DataSource lookUp(String jndiName) {
        try {
            return (DataSource) new InitialContext().lookup(jndiName);
        } catch (NamingException | ClassCastException e) {
            throw new IllegalStateException("Taskbridge needs a datasource at " + jndiName
                    + " (setting " + BridgeSettings.DATASOURCE + "): " + e, e);
        }
    }

    @PreDestroy
    void stop() {
        synchronized (starting) {
            stopped = true;
            if (nextStart != null) {
                nextStart.cancel(false);
            }
            if (pluginDirectoryLooks != null) {
                pluginDirectoryLooks.shutdown(); // no look starts from now on; one under way ends before the lock is ours
            }
            if (followedSuspension != null) {
                followedSuspension.close(); // first: a suspend that came during the drain would wait on a stopping engine
                followedSuspension = null;
            }
            TaskEngine running = engine;
            if (running != null) {
                running.close(); // still here while it drains: calls are answered 503, readiness says "stopping"
                engine = null;
            }
            if (plugins != null) {
                plugins.close(); // after the engine that ran its plugins
            }
        }
        closeMetrics();
        listeners.clear();
        awaitLooksEnded();
        RecordMethodCaches.release();
    }

    /**
     * The engine's meters in Prometheus's text format ({@link dev.taskbridge.gateway.TaskGateway#METRICS_MEDIA_TYPE}).
     *
     * @throws EngineUnavailableException before the engine started and after it stopped
     */
    public String scrapeMetrics() {
        MicrometerTaskMetrics meters = metrics;
        if (meters == null) {
            throw new EngineUnavailableException("the task engine is not running");
        }
        return meters.scrape();
    }

    /** See {@link dev.taskbridge.gateway.TaskGateway#watchEventStreams}. */
    public void watchEventStreams(IntSupplier openStreams) {
        openEventStreams = openStreams;
    }

    /** Why the engine is not running, when it is known, with what made its start fail: for the readiness probe. */
    public Optional<String> notRunningBecause() {
        String why = refusal;
        String problem = startProblem;
        return Optional.ofNullable(why == null || problem == null ? why : why + ": " + problem);
    }

    /** The engine, running or stopping, or empty before it started and after it stopped. */
    public Optional<TaskEngine> current() {
        return Optional.ofNullable(engine);
    }

    /**
     * The running engine.
     *
     * @throws EngineUnavailableException while the engine starts or after it stopped
     */
    public TaskEngine engine() {
        TaskEngine running = engine;
        if (running == null || !running.isRunning()) {
            throw new EngineUnavailableException(refusal != null ? refusal : "the task engine is not running");
        }
        return running;
    }
}
