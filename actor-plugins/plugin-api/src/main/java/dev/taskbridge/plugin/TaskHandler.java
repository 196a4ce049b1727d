package dev.taskbridge.plugin;

import java.util.List;

/**
 * Does a task's work, one chunk at a time.
 *
 * <p>The engine calls {@link #chunkCount} once when a task starts or resumes, then
 * {@link #runChunk} for each chunk not yet committed, in order, and finally {@link #result} with
 * the outcome of every chunk, never concurrently for the same task. {@link #runChunk} and
 * {@link #result} run on a thread meant for blocking work. {@link #chunkCount} of a task that this
 * server has just parsed runs on its slot's own thread, as a hop to another thread would cost more
 * than counting: it must only count what {@link TaskType#parse} made, with no database and no I/O
 * (a table the plugin needs is made in {@link TaskType#prepare}, or by a schema script).
 *
 * <p><b>Chunks and crashes: effects exactly once, for free.</b> In the server each call of
 * {@link #runChunk} runs in a JTA transaction of its own, in which the engine also writes the
 * chunk's effect marker (task id, chunk number, outcome) to the task database. What the handler
 * writes through the container's transactional datasources (JDBC or JPA) commits together with
 * the marker, or not at all. When a task resumes after a crash or a redeploy, a chunk whose marker
 * exists is not run again: its recorded outcome is used. The plugin needs no code for this.
 * Effects outside that transaction (a mail, a call to another system) can happen again when a
 * chunk that did not commit is replayed, so make them idempotent. Outside a container (plain JVM
 * tests) the marker is written after the chunk: effects at least once.
 *
 * @param <P> the payload type produced by {@link TaskType#parse}
 */
public interface TaskHandler<P> {

    /** How many chunks this payload splits into; at least one. Must be deterministic, and must not block (see above). */
    int chunkCount(P payload);

    /**
     * Runs chunk {@code chunk} (0-based).
     *
     * @throws Exception a failure; if it is or is caused by a {@link TransientTaskException},
     *                   a {@link java.sql.SQLTransientException}, a
     *                   {@link java.sql.SQLRecoverableException} or an {@link java.sql.SQLException}
     *                   that says the database is away or busy (SQL state class 08, 40, 53, 57,
     *                   HYT, or none), the chunk is retried with backoff, otherwise the task fails
     *                   with this exception
     */
    ChunkOutcome runChunk(P payload, int chunk, TaskContext context) throws Exception;

    /**
     * Combines the outcomes of all chunks, in chunk order, into the task's result document
     * (JSON text), shown to clients as it is.
     */
    String result(P payload, List<ChunkOutcome> outcomes) throws Exception;
}
