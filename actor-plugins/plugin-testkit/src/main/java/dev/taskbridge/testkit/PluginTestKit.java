package dev.taskbridge.testkit;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;

import javax.sql.DataSource;

import dev.taskbridge.engine.EngineSettings;
import dev.taskbridge.engine.LocalChunkTransactions;
import dev.taskbridge.engine.TaskEngine;
import dev.taskbridge.engine.TaskMetrics;
import dev.taskbridge.engine.TaskTracing;
import dev.taskbridge.engine.plugins.PayloadMigrations;
import dev.taskbridge.engine.plugins.TaskTypeRegistry;
import dev.taskbridge.engine.slot.RetrySettings;
import dev.taskbridge.engine.store.TaskRecord;
import dev.taskbridge.plugin.InvalidPayloadException;
import dev.taskbridge.plugin.Payload;
import dev.taskbridge.plugin.Profile;
import dev.taskbridge.plugin.TaskType;
import org.h2.jdbcx.JdbcDataSource;

/**
 * Runs task types through the real engine in a plain JVM test: Pekko, the slots, the JDBC journal
 * and the task store, on an in-memory H2 database of the kit's own, each chunk in one transaction
 * with what the plugin writes, as in the server. A plugin is given the kit's database when it gets
 * ready, as it is given the engine's in the server ({@link TaskType#prepare}); one that looks a
 * datasource up in JNDI finds the same database there ({@value #SERVER_DATASOURCE}, or names given
 * to {@link Builder#dataSourceName}).
 *
 * <pre>{@code
 * try (PluginTestKit kit = PluginTestKit.of(InvoiceImport::new).schema(CREATE_TABLES).start()) {
 *     String id = kit.submit("invoice.import", Payload.json("{...}"));
 *     TaskOutcome outcome = kit.awaitEnd(id);
 *     assertThat(outcome.succeeded()).isTrue();
 * }
 * // and: its effects exactly once, whichever chunk a crash interrupts
 * PluginTestKit.of(InvoiceImport::new).schema(CREATE_TABLES)
 *         .replayCheck("invoice.import", payload, Effects.rows("SELECT ... ORDER BY ..."));
 * }</pre>
 *
 * <p>One kit runs at a time in a JVM (its JNDI names are the JVM's). Each {@link Builder#start}
 * gets a database of its own.
 */
public final class PluginTestKit implements AutoCloseable {

    /** The name the server's datasource has, which plugins look up: bound to the kit's database. */
    public static final String SERVER_DATASOURCE = "java:jboss/datasources/TaskbridgeDS";
    /** How long {@link #awaitEnd(String)} waits. */
    public static final Duration DEFAULT_WAIT = Duration.ofSeconds(60);
    /** The owner of tasks submitted without one. */
    public static final String OWNER = "test";

    // quick retries, so that a test of a transient failure does not wait a minute, but enough of them
    // to outlast the stop of an engine that crashed (the replay check)
    private static final RetrySettings RETRIES = new RetrySettings(8, Duration.ofMillis(100), Duration.ofSeconds(2));

    private final Builder recipe;
    private final String url;
    /** The chunks' transactions on the kit's database, for every engine the kit starts on it. */
    private final LocalChunkTransactions chunkTransactions;
    /** The kit's database as the engine and the plugins see it: {@link #chunkTransactions}' data source. */
    private final DataSource database;
    /** What {@link Builder#bind(String, Function)} made over this kit's database: closed with the kit. */
    private final List<AutoCloseable> madeForThisKit = new ArrayList<>();
    private TaskEngine engine;
    private KitTransactions transactions;

    private PluginTestKit(Builder recipe, int crashAtRun) throws SQLException {
        this.recipe = recipe;
        this.url = "jdbc:h2:mem:taskbridge-kit-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL(url);
        this.chunkTransactions = new LocalChunkTransactions(h2);
        this.database = chunkTransactions.dataSource();
        try {
            open(crashAtRun);
        } catch (SQLException | RuntimeException | Error e) {
            shutDownDatabase(); // kept until the JVM ends otherwise (DB_CLOSE_DELAY=-1)
            throw e;
        }
    }

    private void open(int crashAtRun) throws SQLException {
        try (Connection connection = database.getConnection(); Statement ddl = connection.createStatement()) {
            for (String statement : recipe.schema) {
                ddl.execute(statement);
            }
        }
        Map<String, Object> names = new LinkedHashMap<>();
        recipe.dataSourceNames.forEach(name -> names.put(name, database));
        try {
            recipe.bindings.forEach((name, made) -> {
                Object value = Objects.requireNonNull(made.apply(database), name);
                names.put(name, value);
                if (value instanceof AutoCloseable closeable) {
                    madeForThisKit.add(closeable);
                }
            });
            KitNaming.bind(names);
        } catch (RuntimeException e) {
            closeMade();
            throw e;
        }
        try {
            startEngine(crashAtRun);
        } catch (RuntimeException e) {
            KitNaming.unbind();
            closeMade();
            throw e;
        }
    }

    /**
     * A kit for the task types these make; {@link Builder#start} starts it. Each engine the kit
     * starts gets new instances, as a server that starts again after a crash does: a plugin that
     * keeps in its instance what its chunks did is caught by the replay check (its static fields
     * live as long as the JVM, as they would not in a server).
     */
    @SafeVarargs
    public static Builder of(Supplier<? extends TaskType<?>>... types) {
        return new Builder(List.of(types));
    }

    /**
     * What {@code type} makes of a payload submitted under an older version of it, exactly as the
     * engine does when it starts or resumes such a task (note 028): the chain of its
     * {@link TaskType#migrationFrom} steps up to its version, then its {@link TaskType#parse}.
     * For a plugin's test of its migrations.
     *
     * @throws InvalidPayloadException a migration or the parse refused it, or the type cannot run
     *                                 tasks of {@code olderVersion} at all (a missing step, a newer version)
     */
    public static <P> P migrated(TaskType<P> type, int olderVersion, Payload older) throws InvalidPayloadException {
        return PayloadMigrations.parse(type, olderVersion, older);
    }

    private void startEngine(int crashAtRun) {
        transactions = new KitTransactions(chunkTransactions, crashAtRun);
        engine = TaskEngine.start(EngineSettings.DEFAULTS.withRetry(RETRIES).withOptionDefaults(recipe.optionDefaults)
                        .withProfile(recipe.profile),
                TaskTypeRegistry.of(recipe.types.stream().<TaskType<?>>map(Supplier::get).toList()), database, null, PluginTestKit.class.getClassLoader(), Clock.systemUTC(),
                transactions, TaskMetrics.NONE, TaskTracing.OFF);
    }

    /** Submits a task as {@value #OWNER}; returns its id. */
    public String submit(String taskType, Payload payload) throws InvalidPayloadException {
        return submit(taskType, OWNER, null, payload);
    }

    /**
     * Submits a task, as the API does; returns its id (an earlier task's, for a repeated key).
     *
     * @param idempotencyKey null for none
     * @throws InvalidPayloadException the plugin refused the payload; nothing was stored
     */
    public String submit(String taskType, String owner, String idempotencyKey, Payload payload) throws InvalidPayloadException {
        return engine.submit(taskType, owner, idempotencyKey, payload).task().id();
    }

    /** The task as stored now. */
    public TaskOutcome task(String taskId) {
        return outcome(engine.store().find(taskId)
                .orElseThrow(() -> new IllegalArgumentException("no task " + taskId)));
    }

    /** Waits up to {@link #DEFAULT_WAIT} until the task has ended. */
    public TaskOutcome awaitEnd(String taskId) {
        return awaitEnd(taskId, DEFAULT_WAIT);
    }

    /**
     * Waits until the task has ended (SUCCEEDED, FAILED or CANCELLED).
     *
     * @throws AssertionError it has not ended within {@code wait}, with what it is doing
     */
    public TaskOutcome awaitEnd(String taskId, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            TaskOutcome now = task(taskId);
            if (now.ended()) {
                return now;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("task " + taskId + " did not end within " + wait + ": " + now);
            }
            sleep(20);
        }
    }

    /** The task's history, oldest first, as the API shows it. */
    public List<HistoryEntry> history(String taskId) {
        return engine.store().history(taskId).stream()
                .map(entry -> new HistoryEntry(entry.at(), entry.kind().name(), entry.chunk(), entry.detail())).toList();
    }

    /** Cancels the task, as a clerk or supervisor does. */
    public TaskOutcome cancel(String taskId) {
        return outcome(engine.cancel(taskId, OWNER));
    }

    /** Runs a FAILED or CANCELLED task again, as a supervisor does. */
    public TaskOutcome retry(String taskId) {
        return outcome(engine.retry(taskId, OWNER));
    }

    /**
     * Rolls the task back, as a supervisor does (design note 030): a task of its own, through the
     * type's {@link dev.taskbridge.plugin.ChunkUndo}, the task's committed chunks last first.
     *
     * @return the rollback's id: the same however often it is asked for
     */
    public String rollBack(String taskId) {
        return engine.rollBack(taskId, OWNER).task().id();
    }

    /** The kit's database, for a test's own queries (outside any chunk: each connection its own). */
    public DataSource dataSource() {
        return database;
    }

    /**
     * Stops the engine as a crash would, after the chunk run that the plan crashed (its transaction
     * rolled back), and starts another on the same database, which resumes the unfinished tasks.
     */
    private void crashedRestart(String taskId, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (!transactions.hasCrashed()) {
            TaskOutcome now = task(taskId);
            if (now.ended()) {
                throw new AssertionError("the replay check planned a crash that never came: task " + taskId
                        + " ended first (" + now + "); does its chunk count depend on something besides its payload?");
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("task " + taskId + " did not reach the planned crash within " + wait + ": " + now);
            }
            sleep(5);
        }
        engine.close();
        startEngine(KitTransactions.NEVER);
    }

    @Override
    public void close() {
        try {
            if (engine != null) {
                engine.close();
            }
        } finally {
            KitNaming.unbind();
            closeMade();
            shutDownDatabase();
        }
    }

    private void shutDownDatabase() {
        try (Connection connection = database.getConnection(); Statement shutdown = connection.createStatement()) {
            shutdown.execute("SHUTDOWN");
        } catch (SQLException e) {
            // then it goes with the JVM
        }
    }

    private void closeMade() {
        for (AutoCloseable made : madeForThisKit) {
            try {
                made.close();
            } catch (Exception e) {
                // the test is over with it; its database goes next
            }
        }
        madeForThisKit.clear();
    }

    private static TaskOutcome outcome(TaskRecord task) {
        return new TaskOutcome(task.id(), task.state().name(), task.chunksDone(), task.chunksTotal(), task.itemsDone(),
                task.itemsFailed(), task.attempts(), task.result(), task.errorMessage(), task.errorStack());
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a task", e);
        }
    }

    @Override
    public String toString() {
        return "PluginTestKit" + recipe.typeIds + " on " + url;
    }

    /** What a kit runs: its task types, their tables, their JNDI names. Reusable: each start is a new kit. */
    public static final class Builder {

        private final List<Supplier<? extends TaskType<?>>> types;
        private final List<String> typeIds;
        private final List<String> schema = new ArrayList<>();
        private final Set<String> dataSourceNames = new LinkedHashSet<>(List.of(SERVER_DATASOURCE));
        private final Map<String, Function<DataSource, Object>> bindings = new LinkedHashMap<>();
        private final Map<String, Map<String, String>> optionDefaults = new LinkedHashMap<>();
        private Profile profile = Profile.DEV;

        private Builder(List<Supplier<? extends TaskType<?>>> types) {
            if (types.isEmpty()) {
                throw new IllegalArgumentException("a kit needs at least one task type");
            }
            this.types = types;
            this.typeIds = types.stream().map(type -> type.get().id()).toList();
        }

        /** SQL run on each new database before the engine starts: the plugin's tables, test data. */
        public Builder schema(String... statements) {
            schema.addAll(List.of(statements));
            return this;
        }

        /** Another JNDI name under which the kit's database is bound, for a plugin that looks up its own. */
        public Builder dataSourceName(String jndiName) {
            dataSourceNames.add(Objects.requireNonNull(jndiName));
            return this;
        }

        /** Binds anything else a plugin looks up in JNDI. */
        public Builder bind(String jndiName, Object value) {
            Objects.requireNonNull(value);
            return bind(jndiName, database -> value);
        }

        /**
         * Binds what {@code make} makes over each kit's database when the kit starts, e.g. a JPA
         * {@code EntityManagerFactory} on it as the plugin's persistence unit; closed with the kit
         * when it is {@link AutoCloseable}.
         */
        public Builder bind(String jndiName, Function<DataSource, Object> make) {
            bindings.put(Objects.requireNonNull(jndiName), Objects.requireNonNull(make));
            return this;
        }

        /** An operator's default for an option of a task type ({@code taskbridge.options.<type>.<option>} in the server). */
        public Builder optionDefault(String taskType, String option, String value) {
            optionDefaults.computeIfAbsent(taskType, type -> new LinkedHashMap<>()).put(option, value);
            return this;
        }

        /**
         * The profile the plugin is told when it gets ready ({@link TaskType#prepare}): {@code dev}
         * unless set, as on the demo server, so its demo data is there; {@code prod} to test that
         * it makes none.
         */
        public Builder profile(Profile newProfile) {
            profile = Objects.requireNonNull(newProfile);
            return this;
        }

        /** Starts a kit on a new database. */
        public PluginTestKit start() {
            return start(KitTransactions.NEVER);
        }

        private PluginTestKit start(int crashAtRun) {
            // the server would skip such a plugin, or fall back on a default, with a line in its log; a test says so at once
            List<String> problems = TaskTypeRegistry.of(types.stream().<TaskType<?>>map(Supplier::get).toList()).problems();
            if (!problems.isEmpty()) {
                throw new AssertionError("the server reports problems with this plugin: " + String.join("; ", problems));
            }
            try {
                return new PluginTestKit(this, crashAtRun);
            } catch (SQLException e) {
                throw new IllegalStateException("the kit's schema did not run: " + e.getMessage(), e);
            }
        }

        /**
         * The replay check: runs the task once cleanly, then once more for each of its chunks with
         * a crash before that chunk's commit (the engine stopped, another started on the same
         * database, which resumes the task and runs the chunk again), each on a new database. Every
         * run must end SUCCEEDED with the same result (but for the task's id: each run is another
         * task) and the same {@code effects} as the clean run:
         * effects through the datasource happen exactly once (they roll back with the chunk), others
         * (a mail sent, a file written, a row written through a connection of the plugin's own) must
         * be made idempotent, or this fails.
         *
         * @return the clean run's outcome
         * @throws AssertionError a run differs from the clean one, saying which chunk and how
         */
        public TaskOutcome replayCheck(String taskType, Payload payload, Effects effects) throws Exception {
            return replayCheck(taskType, payload, effects, result -> result);
        }

        /**
         * The replay check, for a task type whose result holds something that differs from run to
         * run by design (a time it checked the file at): {@code comparedResult} gives what of a result
         * must be equal, e.g. the result without that field.
         *
         * @see #replayCheck(String, Payload, Effects)
         */
        public TaskOutcome replayCheck(String taskType, Payload payload, Effects effects,
                                       Function<String, Object> comparedResult) throws Exception {
            TaskOutcome clean;
            Object cleanEffects;
            try (PluginTestKit kit = start()) {
                String id = kit.submit(taskType, payload);
                clean = kit.awaitEnd(id);
                cleanEffects = effects.read(kit.dataSource(), id);
            }
            if (!clean.succeeded()) {
                throw new AssertionError("the replay check needs a task that succeeds; the clean run ended " + clean);
            }
            for (int chunk = 0; chunk < clean.chunksTotal(); chunk++) {
                try (PluginTestKit kit = start(chunk)) {
                    String id = kit.submit(taskType, payload);
                    kit.crashedRestart(id, DEFAULT_WAIT);
                    TaskOutcome replayed = kit.awaitEnd(id);
                    String after = "after a crash before chunk " + chunk + " of " + clean.chunksTotal() + " committed (the"
                            + " chunk run numbered " + chunk + " from 0: another chunk if one was tried twice), and the chunk run again";
                    if (!replayed.succeeded() || !Objects.equals(comparedResult.apply(withoutId(replayed.result(), id)),
                            comparedResult.apply(withoutId(clean.result(), clean.taskId())))) {
                        throw new AssertionError(after + ", the task ended " + replayed.state() + " with result "
                                + replayed.result() + (replayed.errorStack() == null ? "" : "\n" + replayed.errorStack())
                                + "\nbut the clean run SUCCEEDED with result " + clean.result());
                    }
                    Object replayedEffects = effects.read(kit.dataSource(), id);
                    if (!Objects.equals(replayedEffects, cleanEffects)) {
                        throw new AssertionError(after + ", the effects are not those of the clean run: not exactly once."
                                + "\n  clean run: " + cleanEffects + "\n  replayed:  " + replayedEffects
                                + "\nEffects outside the chunk's transaction (not through the datasource) happen again"
                                + " when a chunk runs again: make them idempotent.");
                    }
                }
            }
            return clean;
        }

        /**
         * The replay check of a rollback (design note 030): runs the task and rolls it back, once
         * cleanly, then once more for each undo with a crash before that undo's commit (another
         * engine resumes the rollback and runs the undo again), each on a new database. Every
         * rollback must end SUCCEEDED with the clean one's result and {@code effects}, read after
         * it (with the original task's id): each undo exactly once. The crash is aimed by counting
         * chunk runs, the original's first: a plugin whose chunks fail and are tried again shifts
         * it to an earlier undo than the message names (still a crash before some undo's commit).
         *
         * @return the clean rollback's outcome
         * @throws AssertionError a run differs from the clean one, saying which undo and how
         */
        public TaskOutcome rollbackCheck(String taskType, Payload payload, Effects effects) throws Exception {
            TaskOutcome clean;
            Object cleanEffects;
            int chunks;
            try (PluginTestKit kit = start()) {
                String id = kit.submit(taskType, payload);
                chunks = kit.awaitEnd(id).chunksTotal();
                clean = kit.awaitEnd(kit.rollBack(id));
                cleanEffects = effects.read(kit.dataSource(), id);
            }
            if (!clean.succeeded()) {
                throw new AssertionError("the rollback check needs a rollback that succeeds; the clean one ended " + clean);
            }
            for (int undo = 0; undo < clean.chunksTotal(); undo++) {
                // the original's chunk runs are counted first: the rollback's undo k is run chunks + k
                try (PluginTestKit kit = start(chunks + undo)) {
                    String id = kit.submit(taskType, payload);
                    kit.awaitEnd(id);
                    String rollback = kit.rollBack(id);
                    kit.crashedRestart(rollback, DEFAULT_WAIT);
                    TaskOutcome replayed = kit.awaitEnd(rollback);
                    String after = "after a crash before undo " + undo + " of " + clean.chunksTotal() + " committed, and the undo run again";
                    if (!replayed.succeeded() || !Objects.equals(withoutId(replayed.result(), id), withoutId(clean.result(), clean.taskId()))) {
                        throw new AssertionError(after + ", the rollback ended " + replayed.state() + " with result "
                                + replayed.result() + (replayed.errorStack() == null ? "" : "\n" + replayed.errorStack())
                                + "\nbut the clean one SUCCEEDED with result " + clean.result());
                    }
                    Object replayedEffects = effects.read(kit.dataSource(), id);
                    if (!Objects.equals(replayedEffects, cleanEffects)) {
                        throw new AssertionError(after + ", the effects are not those of the clean rollback: not exactly once."
                                + "\n  clean rollback: " + cleanEffects + "\n  replayed:       " + replayedEffects);
                    }
                }
            }
            return clean;
        }

        /** A result with its task's id replaced: each run is another task, of another id. */
        private static String withoutId(String result, String taskId) {
            return result == null ? null : result.replace(taskId, "<task id>");
        }
    }
}
