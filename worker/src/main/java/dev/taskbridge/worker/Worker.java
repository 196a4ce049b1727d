package dev.taskbridge.worker;

import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.taskbridge.engine.EngineSettings;
import dev.taskbridge.engine.LocalChunkTransactions;
import dev.taskbridge.engine.TaskEngine;
import dev.taskbridge.engine.plugins.TaskTypeRegistry;
import dev.taskbridge.plugin.TaskType;
import dev.taskbridge.settings.TaskbridgeSettings;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.eclipse.microprofile.config.Config;

/**
 * A headless worker (design note 040): the engine and its plugins in a plain JVM, no WildFly, a
 * node of a Taskbridge cluster that runs the slots of the task types placed on its roles, and no
 * others. It takes no submissions, serves no pages, and keeps no house (tasks to run later,
 * schedules, retention): the servers do.
 *
 * <p>Its settings are MicroProfile Config's (SmallRye Config): the file named on its command line,
 * under system properties and environment variables (so a password can come from the
 * environment), with the same {@code taskbridge.*} keys a server reads ({@link TaskbridgeSettings})
 * and the worker's own {@code taskbridge.worker.*}. Its plugins are the jars in its plugin
 * directory, found through {@link java.util.ServiceLoader} in a class loader of their own, as in
 * the EAR. A chunk's statements and its marker commit in one local transaction
 * ({@link LocalChunkTransactions}), so a plugin that writes through the datasource the engine
 * gives it ({@code PluginEnvironment.dataSource()}) has its effects exactly once here too.
 */
public final class Worker implements AutoCloseable {

    public static final String PREFIX = TaskbridgeSettings.PREFIX + "worker.";
    /** The cluster's PostgreSQL database, as a JDBC URL: the one the servers' datasource points at. */
    public static final String DATABASE_URL = PREFIX + "database.url";
    public static final String DATABASE_USER = PREFIX + "database.user";
    /** Best given as the environment variable {@code TASKBRIDGE_WORKER_DATABASE_PASSWORD}, not in the file. */
    public static final String DATABASE_PASSWORD = PREFIX + "database.password";
    /** Connections the worker's pool keeps at most. */
    public static final String DATABASE_POOL_SIZE = PREFIX + "database.pool-size";
    public static final int DEFAULT_POOL_SIZE = 20;
    /** The directory of plugin jars; {@code plugins} under the worker's home unless set. */
    public static final String PLUGINS = PREFIX + "plugins";
    /** The worker's home, set by {@code bin/taskbridge-worker.sh}. */
    public static final String HOME = PREFIX + "home";

    /** What the worker logs once its engine runs: scripts and tests wait for it. */
    public static final String STARTED = "Taskbridge worker started";

    /** Above environment variables (300) and system properties (400) it is not: they override the file. */
    private static final int FILE_ORDINAL = 250;

    private static final System.Logger LOG = System.getLogger(Worker.class.getName());


    private final TaskEngine engine;
    private final HikariDataSource database;
    private final URLClassLoader plugins;
    private final java.util.concurrent.atomic.AtomicBoolean closing = new java.util.concurrent.atomic.AtomicBoolean();

    private Worker(TaskEngine engine, HikariDataSource database, URLClassLoader plugins) {
        this.engine = engine;
        this.database = database;
        this.plugins = plugins;
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 1) {
            System.err.println("usage: taskbridge-worker.sh CONFIG_FILE (a MicroProfile Config properties file; "
                    + "conf/worker.properties shows every setting)");
            System.exit(2);
        }
        WorkerLogManager.holdUntilStopped(); // a SIGTERM while it starts still has its drain logged
        Worker worker;
        try {
            worker = start(config(Path.of(args[0])));
        } catch (RuntimeException | IOException e) {
            LOG.log(System.Logger.Level.ERROR, "Taskbridge worker cannot start: " + e.getMessage(), e);
            WorkerLogManager.stopped();
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        // SIGTERM (an operator's stop, a rolling restart) drains as a server's shutdown does: running chunks commit, slots move
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            worker.close();
            stopped.countDown();
        }, "taskbridge-worker-stop"));
        // downed by the cluster (the split brain resolver) or failed, its engine is gone: an empty JVM must
        // not look like a running worker, so it exits for its supervisor (systemd, a container) to start it again
        worker.engine.whenTerminated().thenRun(() -> {
            if (!worker.closing.get()) {
                LOG.log(System.Logger.Level.ERROR, "Taskbridge worker's engine stopped on its own (downed by the cluster, "
                        + "or failed: its log says why); the worker exits");
                new Thread(() -> System.exit(1), "taskbridge-worker-exit").start();
            }
        });
        stopped.await();
    }

    /** The settings: {@code file}, under system properties and environment variables, with MicroProfile Config's profiles. */
    public static Config config(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no configuration file at " + file.toAbsolutePath());
        }
        return new SmallRyeConfigBuilder()
                .addDefaultSources()
                .addDefaultInterceptors()
                .withSources(new PropertiesConfigSource(file.toUri().toURL(), FILE_ORDINAL))
                .build();
    }

    /** Starts a worker as {@code config} says: its plugins, its pool on the cluster's database, its engine joined to the cluster. */
    public static Worker start(Config config) throws IOException {
        Path home = Path.of(config.getOptionalValue(HOME, String.class).orElse("."));
        Path pluginDirectory = config.getOptionalValue(PLUGINS, String.class).map(Path::of).orElse(home.resolve("plugins"));
        URLClassLoader plugins = pluginLoader(pluginDirectory);
        HikariDataSource database = null;
        try {
            TaskTypeRegistry registry = TaskTypeRegistry.discover(plugins);
            registry.problems().forEach(problem -> LOG.log(System.Logger.Level.WARNING, problem));
            EngineSettings read = TaskbridgeSettings.engine(config, registry.all());
            // the types not placed on a role run on the servers, never here: a worker needs only its roles' plugins
            EngineSettings settings = read.withCluster(read.cluster().withWorker(true));
            if (!settings.cluster().enabled()) {
                // alone on the servers' database it would run slots the servers run too: two writers of one journal
                throw new IllegalArgumentException("a worker is a node of a cluster: set " + TaskbridgeSettings.CLUSTER_ENABLED
                        + "=true and " + TaskbridgeSettings.CLUSTER_SEED_NODES + " to the servers' nodes");
            }
            String url = databaseUrl(config);
            List<String> runs = registry.all().stream().map(TaskType::id).filter(settings.cluster()::runs).sorted().toList();
            if (runs.isEmpty()) {
                throw new IllegalArgumentException("this worker would run nothing: none of its plugins' task types "
                        + registry.all().stream().map(TaskType::id).sorted().toList() + " in " + pluginDirectory
                        + " is placed on its roles " + settings.cluster().roles() + " (" + TaskbridgeSettings.CLUSTER_ROLES + ", "
                        + TaskbridgeSettings.CLUSTER_TYPE_ROLE + "<type>)");
            }
            database = pool(config, url);
            TaskEngine engine = TaskEngine.start(settings, registry, database, null, plugins, Clock.systemUTC(),
                    new LocalChunkTransactions(database));
            LOG.log(System.Logger.Level.INFO, STARTED + ": node " + settings.nodeName() + ", roles " + settings.cluster().roles()
                    + ", runs the task types " + runs + " of its plugins in " + pluginDirectory);
            return new Worker(engine, database, plugins);
        } catch (RuntimeException e) {
            if (database != null) {
                database.close();
            }
            plugins.close();
            throw e;
        }
    }

    private static String databaseUrl(Config config) {
        String url = config.getOptionalValue(DATABASE_URL, String.class).orElseThrow(() -> new IllegalArgumentException(
                DATABASE_URL + " must name the cluster's PostgreSQL database (jdbc:postgresql://host:port/database)"));
        if (!url.startsWith("jdbc:postgresql:")) {
            // H2 lives in one server's JVM or file: a worker cannot share it
            throw new IllegalArgumentException(DATABASE_URL + " is " + withoutQuery(url) + ": a worker shares the servers' PostgreSQL "
                    + "database (jdbc:postgresql://host:port/database)");
        }
        return url;
    }

    private static HikariDataSource pool(Config config, String url) {
        HikariConfig pool = new HikariConfig();
        pool.setPoolName("taskbridge-worker");
        pool.setJdbcUrl(url);
        config.getOptionalValue(DATABASE_USER, String.class).ifPresent(pool::setUsername);
        config.getOptionalValue(DATABASE_PASSWORD, String.class).ifPresent(pool::setPassword);
        pool.setMaximumPoolSize(config.getOptionalValue(DATABASE_POOL_SIZE, Integer.class).orElse(DEFAULT_POOL_SIZE));
        try {
            return new HikariDataSource(pool); // connects now: a wrong URL or password stops the worker at once, named
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot connect to " + withoutQuery(url) + ": " + e.getMessage(), e);
        }
    }

    /** A JDBC URL as a message may show it: without its parameters, which may hold a password. */
    static String withoutQuery(String url) {
        int query = url.indexOf('?');
        return query < 0 ? url : url.substring(0, query) + "?...";
    }

    /** The jars of {@code directory}, in name order, in a class loader of their own whose parent holds the engine. */
    static URLClassLoader pluginLoader(Path directory) throws IOException {
        if (!Files.isDirectory(directory)) {
            throw new IllegalArgumentException(PLUGINS + ": " + directory.toAbsolutePath() + " is not a directory");
        }
        List<URL> jars = new ArrayList<>();
        try (Stream<Path> files = Files.list(directory)) {
            for (Path jar : files.filter(file -> file.getFileName().toString().endsWith(".jar")).sorted().toList()) {
                jars.add(url(jar));
            }
        }
        return new URLClassLoader("taskbridge-plugins", jars.toArray(URL[]::new), Worker.class.getClassLoader());
    }

    private static URL url(Path jar) {
        try {
            return jar.toUri().toURL();
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException("not a jar: " + jar, e);
        }
    }

    public TaskEngine engine() {
        return engine;
    }

    /** Drains (running chunks commit, slots move to other nodes), leaves the cluster, closes the pool and the plugins. */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        try {
            engine.close();
        } finally {
            database.close();
            try {
                plugins.close();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "could not close the plugins' class loader", e);
            }
            LOG.log(System.Logger.Level.INFO, "Taskbridge worker stopped");
            WorkerLogManager.stopped();
        }
    }
}
