package dev.taskbridge.engine.plugins;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.regex.Pattern;

import dev.taskbridge.plugin.PluginEnvironment;
import dev.taskbridge.plugin.TaskForm;
import dev.taskbridge.plugin.TaskType;

/**
 * The task types this engine runs, discovered once at start.
 *
 * <p>Discovery uses the class loader it is given, never the thread's context class loader, so
 * that it finds the deployment's plugins whatever thread starts the engine. A plugin that cannot
 * be loaded or declares itself wrongly is skipped and reported by name in {@link #problems()};
 * two plugins with the same id fail discovery with both class names.
 */
public final class TaskTypeRegistry {

    private static final Pattern TYPE_ID = Pattern.compile("[a-z][a-z0-9.-]{0,63}");

    private final Map<String, TaskType<?>> types;
    private final Map<String, TaskForm> forms;
    private final List<String> problems;
    /** One per type, made with the registry: with {@link #closed}, the only state a registry has. */
    private final Map<String, Preparation> preparations;
    /** Type to why it takes no new tasks, as its host last said: a plugin being taken out (note 043). */
    private volatile Map<String, String> closed = Map.of();

    /** A type's {@link TaskType#prepare}: its lock (the object itself), whether it returned, its last failure. */
    private static final class Preparation {
        volatile boolean done;
        /** Guarded by this. */
        long failedAtNanos;
        /** Guarded by this; null when it has not failed since it last ran. */
        TaskTypeNotReadyException failure;
    }

    private TaskTypeRegistry(Map<String, TaskType<?>> types, Map<String, TaskForm> forms, List<String> problems) {
        this.types = Collections.unmodifiableMap(types);
        this.forms = Collections.unmodifiableMap(new HashMap<>(forms)); // Map.copyOf refuses the nulls of refused forms
        this.problems = List.copyOf(problems);
        Map<String, Preparation> each = new HashMap<>();
        types.keySet().forEach(id -> each.put(id, new Preparation()));
        this.preparations = Map.copyOf(each);
    }

    /**
     * Loads every {@link TaskType} registered in {@code META-INF/services} visible to
     * {@code classLoader}.
     *
     * @throws DuplicateTaskTypeException if two plugins have the same id
     */
    public static TaskTypeRegistry discover(ClassLoader classLoader) {
        ServiceLoader<TaskType> loader = ServiceLoader.load(TaskType.class, classLoader);
        List<TaskType<?>> found = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        Iterator<ServiceLoader.Provider<TaskType>> providers = loader.stream().iterator();
        while (true) {
            ServiceLoader.Provider<TaskType> provider;
            try {
                if (!providers.hasNext()) {
                    break;
                }
                provider = providers.next();
            } catch (ServiceConfigurationError e) {
                // The class named in the services file could not even be loaded.
                problems.add("Skipped a task type plugin that could not be loaded: " + e.getMessage());
                continue;
            }
            try {
                found.add(provider.get());
            } catch (ServiceConfigurationError | RuntimeException | LinkageError e) {
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                problems.add("Skipped task type plugin " + provider.type().getName()
                        + ": it could not be instantiated: " + cause);
            }
        }
        return of(found, problems);
    }

    /**
     * The plugin's form, or null when its records refuse it: a typo in a label must not take the
     * task type, and its unfinished tasks, out of service, and a default form must not stand in for
     * it either (it would submit at once what the plugin wants checked first). Reported, so that
     * the plugin's test (the test kit fails on any problem) and the operator hear of it.
     */
    private static TaskForm form(TaskType<?> plugin, String id, List<String> problems) {
        try {
            return Objects.requireNonNull(plugin.form(), "form() returned null");
        } catch (RuntimeException e) {
            problems.add("Task type " + id + " (" + plugin.getClass().getName() + ") describes a form that cannot be drawn: "
                    + e + "; the pages do not offer it, REST and its tasks are not affected");
            return null;
        }
    }

    /** A registry of the given plugins, checked as discovery checks them. */
    public static TaskTypeRegistry of(Collection<? extends TaskType<?>> plugins) {
        return of(plugins, List.of());
    }

    private static TaskTypeRegistry of(Collection<? extends TaskType<?>> plugins, List<String> earlierProblems) {
        Map<String, TaskType<?>> types = new LinkedHashMap<>();
        Map<String, TaskForm> forms = new HashMap<>(); // null for a type whose form was refused
        List<String> problems = new ArrayList<>(earlierProblems);
        for (TaskType<?> plugin : plugins) {
            String className = plugin.getClass().getName();
            Optional<String> skipped = whySkipped(plugin);
            if (skipped.isPresent()) {
                problems.add("Skipped task type plugin " + className + ": " + skipped.get());
                continue;
            }
            String id = plugin.id();
            TaskType<?> earlier = types.putIfAbsent(id, plugin);
            if (earlier != null) {
                throw new DuplicateTaskTypeException(id, earlier.getClass().getName(), className);
            }
            forms.put(id, form(plugin, id, problems));
        }
        return new TaskTypeRegistry(types, forms, problems);
    }

    /**
     * Why a registry would skip this plugin: it fails to describe itself, or describes itself
     * wrongly (its id, slots, tasks per slot, or a plugin API newer than this engine's); empty
     * when it would take it.
     */
    public static Optional<String> whySkipped(TaskType<?> plugin) {
        String id;
        int slots;
        int concurrent;
        int apiVersion;
        try {
            id = plugin.id();
            slots = plugin.slots();
            concurrent = plugin.concurrentTasksPerSlot();
            apiVersion = plugin.apiVersion();
        } catch (RuntimeException | LinkageError e) {
            return Optional.of("it failed to describe itself: " + e);
        }
        if (id == null || !TYPE_ID.matcher(id).matches()) {
            return Optional.of("its id '" + id + "' is not lower case letters, digits, dots and dashes starting with a letter");
        }
        if (slots < 1) {
            return Optional.of("it asks for " + slots + " slots, at least 1 is needed");
        }
        if (concurrent < 1 || concurrent > TaskType.MAX_CONCURRENT_TASKS_PER_SLOT) {
            return Optional.of("it asks for " + concurrent + " concurrent tasks per slot, 1 to "
                    + TaskType.MAX_CONCURRENT_TASKS_PER_SLOT + " are possible");
        }
        if (apiVersion > TaskType.API_VERSION) {
            return Optional.of("it needs plugin API version " + apiVersion + " but this engine implements version "
                    + TaskType.API_VERSION);
        }
        return Optional.empty();
    }

    /**
     * This registry with more plugins, checked as discovery checks them, and more problems: the
     * EAR's plugins with those of the plugin directory (note 043).
     *
     * @throws DuplicateTaskTypeException if one of them has the id of one here, or of another of them
     */
    public TaskTypeRegistry with(Collection<? extends TaskType<?>> more, List<String> moreProblems) {
        TaskTypeRegistry added = of(more, moreProblems);
        Map<String, TaskType<?>> all = new LinkedHashMap<>(types);
        Map<String, TaskForm> allForms = new HashMap<>(forms);
        for (TaskType<?> type : added.types.values()) {
            TaskType<?> earlier = all.putIfAbsent(type.id(), type);
            if (earlier != null) {
                throw new DuplicateTaskTypeException(type.id(), earlier.getClass().getName(), type.getClass().getName());
            }
            allForms.put(type.id(), added.forms.get(type.id()));
        }
        List<String> allProblems = new ArrayList<>(problems);
        allProblems.addAll(added.problems);
        TaskTypeRegistry with = new TaskTypeRegistry(all, allForms, allProblems);
        with.closed = closed;
        return with;
    }

    /**
     * This registry without the given types, each left out for the reason given, which joins the
     * {@link #problems()}: for plugins that are deployed but may not run (note 028).
     *
     * @param reasons type id to one line saying why
     */
    public TaskTypeRegistry without(Map<String, String> reasons) {
        if (reasons.isEmpty()) {
            return this;
        }
        Map<String, TaskType<?>> kept = new LinkedHashMap<>(types);
        Map<String, TaskForm> keptForms = new HashMap<>(forms);
        kept.keySet().removeAll(reasons.keySet());
        keptForms.keySet().removeAll(reasons.keySet());
        List<String> more = new ArrayList<>(problems);
        more.addAll(reasons.values());
        TaskTypeRegistry without = new TaskTypeRegistry(kept, keptForms, more);
        without.closed = closed;
        return without;
    }

    /**
     * Which of these types take no new tasks, and why, from now on (replacing what was said before):
     * their plugins run the tasks they have, and are taken out once those end. Set by the host as
     * its plugin directory decides (note 043); a submission of such a type is refused. A registry
     * made from this one ({@link #with}, {@link #without}) starts with what this one says then.
     */
    public void closeToNewTasks(Map<String, String> why) {
        closed = Map.copyOf(why);
    }

    /** Every type that takes no new tasks, with why (see {@link #closeToNewTasks}). */
    public Map<String, String> closedToNewTasks() {
        return closed;
    }

    /** Why a type takes no new tasks, if it does not (see {@link #closeToNewTasks}). */
    public Optional<String> whyClosed(String id) {
        return Optional.ofNullable(closed.get(id));
    }

    /** The task type with this id, if a plugin provides it. */
    public Optional<TaskType<?>> find(String id) {
        return Optional.ofNullable(types.get(id));
    }

    /**
     * How the pages ask for a task of this type, as its plugin described it once when loaded; empty
     * when its form was refused (see {@link #problems()}).
     */
    public Optional<TaskForm> form(String id) {
        if (!types.containsKey(id)) {
            throw new NoSuchElementException("no task type " + id);
        }
        return Optional.ofNullable(forms.get(id));
    }

    /**
     * Runs the type's {@link TaskType#prepare} if it has not returned yet: once per registry (per
     * deployment), before the type's first payload is parsed, and again after a failure. Callers
     * that come while it runs wait for it, and when it fails they get that failure, without
     * running it again each: a database that is away would otherwise hold one thread after another
     * for its connection timeout, the engine's blocking threads among them. After it returned, this
     * costs one map look-up and a volatile read.
     *
     * @throws TaskTypeNotReadyException it failed; the next call tries again
     */
    public void ensurePrepared(TaskType<?> type, PluginEnvironment environment) {
        String id = type.id();
        Preparation preparation = preparations.get(id);
        if (preparation == null) {
            throw new NoSuchElementException("no task type " + id);
        }
        if (preparation.done) {
            return;
        }
        long arrived = System.nanoTime();
        synchronized (preparation) {
            if (preparation.done) {
                return;
            }
            if (preparation.failure != null && preparation.failedAtNanos - arrived >= 0) {
                throw preparation.failure; // it failed while this call waited for it
            }
            try {
                type.prepare(environment);
            } catch (Exception | LinkageError e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                preparation.failure = new TaskTypeNotReadyException(id, e);
                preparation.failedAtNanos = System.nanoTime();
                throw preparation.failure;
            }
            preparation.failure = null;
            preparation.done = true;
        }
    }

    /** All task types, in discovery order. */
    public Collection<TaskType<?>> all() {
        return types.values();
    }

    /** One line per problem with a plugin, saying which and why: one skipped, or a form refused; empty when none. */
    public List<String> problems() {
        return problems;
    }
}
