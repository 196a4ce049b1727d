package dev.taskbridge.plugin;

import java.util.List;
import java.util.Optional;

/**
 * One kind of business task, found with {@link java.util.ServiceLoader}.
 *
 * <p>Implementations must have a public no-argument constructor that does no heavy work: the
 * engine instantiates every plugin at deployment, and a constructor that throws makes the plugin
 * be reported by name and skipped. All methods may be called from several threads at once, so a
 * task type keeps no mutable state of its own.
 *
 * @param <P> the parsed, shape-checked payload the handler works on
 */
public interface TaskType<P> {

    /** The version of this SPI that the running engine implements. */
    int API_VERSION = 1;

    /** Default number of worker slots per task type. */
    int DEFAULT_SLOTS = 10;

    /** The most tasks one slot runs at once ({@link #concurrentTasksPerSlot}). */
    int MAX_CONCURRENT_TASKS_PER_SLOT = 16;

    /**
     * The stable id clients use to submit tasks of this type, e.g. {@code ledger.validate}.
     * Lower case letters, digits, dots and dashes, starting with a letter.
     */
    String id();

    /**
     * The version of this task type; raise it when the payload or the result changes shape. Each
     * task records the version it was submitted under; one of an older version is run by this
     * one only through {@link #migrationFrom}.
     */
    int version();

    /**
     * How this version carries a payload of version {@code olderVersion} to version
     * {@code olderVersion + 1}, for the tasks an older version of the plugin left unfinished (and
     * those a supervisor retries later). Empty by default: this version runs tasks of its own
     * version only. The engine asks for every step from a task's version up to {@link #version()}
     * when it starts: a type with an unfinished task it cannot carry over (or one of a newer
     * version than itself, after a plugin was rolled back) is not activated, and the engine says
     * which tasks hold it back, so an operator deploys a version that can run them; nothing of them
     * is lost or run by a version that does not know them.
     */
    default Optional<PayloadMigration> migrationFrom(int olderVersion) {
        return Optional.empty();
    }

    /**
     * The SPI version this plugin was written against. A plugin that asks for a newer API than
     * {@link #API_VERSION} is reported and skipped.
     */
    default int apiVersion() {
        return API_VERSION;
    }

    /**
     * How many worker slots serve this type. Tasks are spread over them by consistent hashing of
     * the task id; each slot runs one task at a time. Operators can override it in configuration.
     */
    default int slots() {
        return DEFAULT_SLOTS;
    }

    /**
     * How many tasks one slot runs at the same time: 1 by default, so a type runs at most
     * {@link #slots()} tasks at once and each slot's tasks one after another. A type whose tasks do
     * not interfere (each writes its own rows, and a short task is done in a few milliseconds) may
     * say more, up to {@value #MAX_CONCURRENT_TASKS_PER_SLOT}: a slot then starts its tasks in the
     * same order (priority first, then arrival) and keeps this many under way, which lets short
     * tasks share their commits instead of each waiting for the one before. Whatever it says, a
     * task's chunks never overlap, and tasks with the same order key never overlap and start in
     * their order (design note 034).
     */
    default int concurrentTasksPerSlot() {
        return 1;
    }

    /**
     * Parses the submitted payload and checks its shape: everything that can be known without
     * doing the task's work. Called when the task is submitted (a failure there is answered with
     * a 400 and nothing is stored) and again each time a slot starts or resumes the task, so it
     * must be deterministic.
     *
     * @throws InvalidPayloadException naming every bad field and why
     */
    P parse(Payload payload) throws InvalidPayloadException;

    /**
     * Gets the task type ready to run: makes its tables, say. The engine calls it once per
     * deployment, before the type's first payload is parsed: on the request thread of the first
     * submission, or on a blocking thread for a task resumed after a restart; never in a chunk's
     * transaction, never on a slot's thread. A failure whose cause passes by itself (the database
     * not reachable: a {@link TransientTaskException}, or an SQL error the engine takes as
     * transient) is not final: submissions are answered 503 and a resumed task is tried again with
     * the engine's retry settings (after those it fails, as for any lasting fault, and a supervisor
     * retries it); {@code prepare} runs again on the next call, until it returns, so it must be
     * safe to run again after a failure part-way ({@code CREATE TABLE IF NOT EXISTS}). Any other
     * failure is the plugin's: a submission gets a server error and a resumed task fails with it.
     * Nothing by default.
     *
     * @param environment the deployment's profile ({@link Profile#demoData()}: make demo data in
     *                    {@code dev} only) and the engine's datasource
     */
    default void prepare(PluginEnvironment environment) throws Exception {
    }

    /** The handler that does the work. */
    TaskHandler<P> handler();

    /**
     * What the task type takes, as the pages ask for it: the kinds of file, the options a clerk
     * sets, whether a file is checked first. By default a JSON document, titled with the id, and no
     * options: a type that takes anything else describes it here, or the pages cannot submit it.
     * Called once when the plugin is loaded; a form its records refuse (a default that is not one
     * of its choices, say) is reported, the pages do not offer the type (REST and its tasks go on),
     * and the plugin's test in the test kit fails.
     */
    default TaskForm form() {
        return TaskForm.defaultFor(id());
    }

    /**
     * A succeeded task's result as a clerk would say it, from the result document that
     * {@link TaskHandler#result} made; none by default, and the pages then show the document only.
     * Called on a request thread each time a page shows the task: it reads the document and
     * nothing else, and must not fail on a document of an older version of the type (return
     * empty for what it does not know).
     */
    default Optional<ResultSummary> summary(String result) {
        return Optional.empty();
    }

    /**
     * How to undo what a task's committed chunks did, so that a supervisor can roll a task back
     * (design note 030); none by default, and then no rollback is offered. The same instance may
     * be asked for every rollback.
     */
    default Optional<ChunkUndo<P>> undo() {
        return Optional.empty();
    }

    /** The files a succeeded task's result can be downloaded as; none by default. */
    default List<ResultExport> exports() {
        return List.of();
    }

    /**
     * Every error a finished task found in its payload, for a type whose result lists errors but
     * not necessarily all of them; served page by page ({@code GET /api/tasks/{id}/errors}). None
     * by default.
     */
    default Optional<ResultErrors<P>> errors() {
        return Optional.empty();
    }
}
