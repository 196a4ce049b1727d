package dev.taskbridge.bridge;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import dev.taskbridge.engine.plugins.DirectoryJar;
import dev.taskbridge.engine.plugins.PluginDirectory;
import dev.taskbridge.engine.plugins.PluginSwap;
import dev.taskbridge.engine.plugins.TaskTypeRegistry;
import dev.taskbridge.engine.store.TaskStore;
import dev.taskbridge.engine.store.UnfinishedVersion;
import dev.taskbridge.plugin.TaskType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The plugins a deployment runs: the EAR's own, found once, and those of the plugin directory's
 * jars that may run now (note 043). Used under {@link EngineLifecycle}'s lock, but for
 * {@link #problems()}, which readiness reads at any time.
 */
final class DeploymentPlugins implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DeploymentPlugins.class);

    private final TaskTypeRegistry ear;
    private final Set<String> earTypes;
    /** Null when there is none, or it cannot be used. */
    private final PluginDirectory directory;
    private volatile List<String> problems;
    private Map<String, String> closedTypes = Map.of();

    private DeploymentPlugins(TaskTypeRegistry ear, PluginDirectory directory, List<String> problems) {
        this.ear = ear;
        this.earTypes = ear.all().stream().map(TaskType::id).collect(Collectors.toUnmodifiableSet());
        this.directory = directory;
        this.problems = List.copyOf(problems);
    }

    /**
     * The EAR's plugins and, when {@code directory} is set, its jars as they are at boot: no
     * unfinished task is asked about (the engine's start checks the versions it is given, note 028),
     * only what cannot run together is refused. A directory that cannot be used is said, and the
     * EAR's plugins run without it.
     */
    static DeploymentPlugins open(TaskTypeRegistry ear, Optional<Path> directory, ClassLoader deployment) {
        if (directory.isEmpty()) {
            LOG.info("No plugin directory ({} is {})", BridgeSettings.PLUGIN_DIRECTORY, BridgeSettings.OFF);
            return new DeploymentPlugins(ear, null, List.of());
        }
        PluginDirectory opened;
        try {
            opened = PluginDirectory.open(directory.get(), deployment);
        } catch (UncheckedIOException e) {
            LOG.error("{}; only the EAR's plugins run", e.getMessage());
            return new DeploymentPlugins(ear, null, List.of(e.getMessage()));
        }
        DeploymentPlugins plugins = new DeploymentPlugins(ear, opened, List.of());
        PluginSwap.Decision decision = opened.look(plugins.earTypes, PluginSwap.Unfinished.NONE).orElseThrow();
        opened.activate(decision);
        plugins.problems = decision.problems();
        decision.problems().forEach(LOG::warn);
        LOG.info("Plugin directory {}: {}", directory.get(), describe(decision.active()));
        return plugins;
    }

    /** Whether there is a plugin directory to look at. */
    boolean watching() {
        return directory != null;
    }

    /** The EAR's plugins and the directory's that run, closed to new tasks as the last decision said. */
    TaskTypeRegistry registry() {
        return directory == null ? ear : registry(directory.active(), closedTypes);
    }

    /** The EAR's plugins and the decision's, closed to new tasks as it says. */
    TaskTypeRegistry registry(PluginSwap.Decision decision) {
        return registry(decision.active(), decision.closedTypes());
    }

    private TaskTypeRegistry registry(List<DirectoryJar> jars, Map<String, String> closed) {
        TaskTypeRegistry registry = ear.with(jars.stream().flatMap(jar -> jar.types().stream()).toList(), List.of());
        registry.closeToNewTasks(closed);
        return registry;
    }

    /**
     * The task types the last decision closed to new tasks, with why: those of jars taken out that
     * stay for their tasks. For the running engine's registry, as a look that restarts nothing
     * still changes them.
     */
    Map<String, String> closedTypes() {
        return closedTypes;
    }

    /**
     * Reads the directory; a decision when the jars that may run differ from those that run, for
     * the caller to start the engine with and then {@link #activate} (or {@link #failedToStart}).
     * Problems are kept for readiness and logged when what they are about changes (not each time
     * a count does). The store is asked only when there is something to decide.
     */
    Optional<PluginSwap.Decision> look(TaskStore store) {
        return directory.look(earTypes, unfinishedIn(store)).flatMap(this::ifItChanges);
    }

    /**
     * Decides again without reading the directory, on the tasks unfinished now: once the engine has
     * drained, so that a task submitted since the last look is counted.
     */
    Optional<PluginSwap.Decision> decideAgain(TaskStore store) {
        return ifItChanges(directory.decideAgain(earTypes, unfinishedIn(store)));
    }

    private Optional<PluginSwap.Decision> ifItChanges(PluginSwap.Decision decision) {
        if (!subjects(decision.problems()).equals(subjects(problems))) {
            decision.problems().forEach(LOG::warn);
        }
        problems = decision.problems();
        closedTypes = decision.closedTypes();
        if (!decision.changes(directory.active())) {
            directory.activate(decision);
            return Optional.empty();
        }
        return Optional.of(decision);
    }

    /** The decision's jars run: once the engine with the old ones has stopped, whose class loaders close now. */
    void activate(PluginSwap.Decision decision) {
        directory.activate(decision);
    }

    /** The engine did not start with the decision's plugins: its new jars are refused, saying why, until their file changes. */
    void failedToStart(PluginSwap.Decision decision, String why) {
        directory.failedToStart(decision, why);
        add(DeploymentPlugins.describe(newIn(decision)) + " not loaded: the engine did not start with them: " + why);
    }

    /** The decision's jars that do not run yet. */
    List<?> newIn(PluginSwap.Decision decision) {
        return decision.active().stream().filter(jar -> !directory.active().contains(jar)).toList();
    }

    /** One more problem, until the next decision: the decision's plugins could not be made to run. */
    void add(String problem) {
        List<String> more = new ArrayList<>(problems);
        more.add(problem);
        problems = List.copyOf(more);
    }

    /** What the directory's last look refused or could not load, one line each. */
    List<String> problems() {
        return problems;
    }

    Path path() {
        return directory.path();
    }

    static String describe(List<?> jars) {
        return jars.isEmpty() ? "no jar" : jars.stream().map(Object::toString).collect(Collectors.joining(", "));
    }

    /** What each problem is about, without its counts and ids: the part before its first colon. */
    static Set<String> subjects(List<String> problems) {
        return problems.stream().map(problem -> problem.indexOf(':') < 0 ? problem : problem.substring(0, problem.indexOf(':')))
                .collect(Collectors.toSet());
    }

    /** The store's unfinished tasks, read once and only when asked: a look that decides nothing reads nothing. */
    private static PluginSwap.Unfinished unfinishedIn(TaskStore store) {
        return new PluginSwap.Unfinished() {
            private Map<String, Map<Integer, Long>> versions;

            @Override
            public Map<Integer, Long> versionsOf(String taskType) {
                if (versions == null) {
                    versions = store.unfinishedVersions().stream().collect(Collectors.groupingBy(UnfinishedVersion::taskType,
                            Collectors.toMap(UnfinishedVersion::version, UnfinishedVersion::tasks)));
                }
                return versions.getOrDefault(taskType, Map.of());
            }

            @Override
            public List<String> firstIds(String taskType, int version) {
                return store.unfinishedIds(taskType, version, PluginSwap.IDS_SHOWN);
            }
        };
    }

    /** Closes the directory's class loaders and deletes their copies: after the engine that ran them has stopped. */
    @Override
    public void close() {
        if (directory != null) {
            directory.close();
        }
    }
}
