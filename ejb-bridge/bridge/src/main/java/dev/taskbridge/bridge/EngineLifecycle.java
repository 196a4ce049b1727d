package dev.taskbridge.bridge;

import java.sql.SQLException;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntSupplier;

import javax.naming.InitialContext;
import javax.naming.NamingException;
import javax.sql.DataSource;

import dev.taskbridge.engine.BuildInfo;
import dev.taskbridge.engine.journal.Dialect;
import dev.taskbridge.engine.OpenTelemetryTracing;
import dev.taskbridge.engine.TaskEngine;
import dev.taskbridge.engine.TaskTracing;
import dev.taskbridge.engine.plugins.PluginJar;
import dev.taskbridge.engine.plugins.TaskTypeRegistry;
import dev.taskbridge.gateway.BuildView;
import dev.taskbridge.gateway.EngineUnavailableException;
import dev.taskbridge.gateway.PluginView;
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
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.ConfigProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the task engine for the lifetime of the deployment: starts it when the deployment starts
 * and stops it, waiting for its threads to end, when the deployment stops.
 *
 * <p>If the engine cannot start, {@link #start()} throws and the deployment fails with the
 * reason, rather than deploying an application that answers every request with an error.
 * Bean-managed concurrency: after start the engine reference never changes and the engine is
 * thread-safe, so the container's lock would only serialise callers.
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

    private volatile TaskEngine engine;
    /** Why the engine was not started, when the settings forbid it; null otherwise. */
    private volatile String refusal;
    private volatile BuildView build;
    private volatile MicrometerTaskMetrics metrics;
    /** The web tier's count of open live event streams, for the metrics; none until it says. */
    private volatile IntSupplier openEventStreams = () -> 0;

    @PostConstruct
    void start() {
        ClassLoader deployment = EngineLifecycle.class.getClassLoader();
        LOG.info("Taskbridge engine starting");
        TaskTypeRegistry registry = TaskTypeRegistry.discover(deployment);
        registry.problems().forEach(LOG::warn);
        BridgeSettings settings = BridgeSettings.from(ConfigProvider.getConfig(deployment), registry.all());
        build = describe(settings.engine().nodeName(), registry);
        LOG.info("Taskbridge {} (commit {}) on node {}", build.version(), build.commit(), build.node());
        build.plugins().forEach(plugin -> LOG.info("Task type {} version {} from {} in {} {} (sha256 {})", plugin.taskType(),
                plugin.typeVersion(), plugin.pluginClass(), plugin.jar(), plugin.jarVersion(), plugin.checksum()));
        DataSource dataSource = lookUp(settings.dataSource());
        if (settings.production()) {
            refusal = refusalOfEmbeddedDatabase(dataSource, settings.dataSource());
            if (refusal != null) {
                // Not thrown: a @Startup bean that fails leaves WildFly's boot waiting for good on the
                // calls other components make to it (StartupCountdown; seen with WildFly 39). The
                // deployment stays up with no engine: every call is a 503 saying why, readiness is DOWN.
                LOG.error(refusal);
                return;
            }
        }
        MicrometerTaskMetrics meters = new MicrometerTaskMetrics();
        try {
            engine = TaskEngine.start(settings.engine(), registry, dataSource, threadFactory, deployment,
                    Clock.systemUTC(), ChunkTransactionsBean.on(chunkTransactions, dataSource), meters,
                    settings.tracing() ? new OpenTelemetryTracing(tracer) : TaskTracing.OFF);
        } catch (RuntimeException | Error e) {
            meters.close();
            throw e;
        }
        meters.watch(engine, () -> openEventStreams.getAsInt());
        metrics = meters;
        LOG.info("Taskbridge engine started");
    }

    private static BuildView describe(String node, TaskTypeRegistry registry) {
        BuildInfo engine = BuildInfo.current();
        Map<Class<?>, PluginJar> jars = PluginJar.of(registry.all().stream().<Class<?>>map(Object::getClass).toList());
        return new BuildView(engine.version(), engine.commit(), node, registry.all().stream().map(type -> {
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
     * A production server keeps its tasks in a database server, never in the demo's embedded H2:
     * one file in the server's directory, with the demo's password, that a second node could not
     * share and no database administrator backs up. Refused at start, with what to set instead.
     */
    private static String refusalOfEmbeddedDatabase(DataSource dataSource, String jndiName) {
        Dialect dialect;
        try {
            dialect = Dialect.of(dataSource);
        } catch (SQLException e) {
            return null; // the engine's start says what is wrong with the database
        }
        return dialect != Dialect.H2 ? null
                : "Taskbridge does not start on a production server with its tasks in the embedded H2 database ("
                + jndiName + "): set " + BridgeSettings.DATASOURCE + " to the PostgreSQL datasource, "
                + "java:jboss/datasources/TaskbridgePostgresDS (README, \"Running on PostgreSQL\").";
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
        TaskEngine running = engine;
        if (running != null) {
            running.close(); // still here while it drains: calls are answered 503, readiness says "stopping"
            engine = null;
        }
        MicrometerTaskMetrics meters = metrics;
        if (meters != null) {
            metrics = null;
            meters.close();
        }
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
