package dev.taskbridge.engine;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import javax.sql.DataSource;

import dev.taskbridge.engine.store.WriteBatch;
import dev.taskbridge.plugin.ChunkOutcome;
import dev.taskbridge.plugin.TransientTaskException;

/**
 * How a chunk's effects and its record commit. The engine says what a chunk is ({@link Chunk});
 * the host decides the transaction: inside an application server the bridge runs each chunk in a
 * JTA transaction of its own, so the plugin's database work, the chunk's effect marker, the task's
 * progress (for its last chunk, the task's end) commit together or not at all, and a chunk that committed is
 * never run again. Chunks of many tasks may share one transaction ({@link #runAllOnce}): then
 * they commit together, or none of them does.
 *
 * @see dev.taskbridge.engine.store.ChunkMarkers
 * @see ChunkGroups
 */
public interface ChunkTransactions {

    /** SQL state of a unique key violation, in H2 and PostgreSQL alike: here, a chunk's marker that exists. */
    String UNIQUE_VIOLATION = "23505";

    /**
     * Runs {@code chunk} once: returns its recorded outcome if it committed before, else runs its
     * work and records it, all in one transaction where the host has them.
     *
     * @return the chunk's outcome: the recorded one if the chunk had committed before
     */
    default ChunkOutcome runOnce(Chunk chunk) throws Exception {
        return runAllOnce(List.of(chunk)).get(0);
    }

    /**
     * Runs each of {@code chunks} once, as {@link #runOnce} runs one, all in one transaction: all
     * of them commit, or none does, and the failure of any one of them is thrown. Chunks of
     * different tasks only; the caller runs each again on its own after a failure.
     *
     * @return each chunk's outcome, in the order of {@code chunks}
     */
    List<ChunkOutcome> runAllOnce(List<? extends Chunk> chunks) throws Exception;

    /**
     * The steps of {@code chunks} (look for each one's record, else do its work; then record), in whatever transaction the
     * caller holds: where the connections of {@code dataSource} join it, the chunks commit together.
     * Every chunk's work first, then every record: a record's statements lock its task's row until
     * the commit, and a later chunk's work must not hold those locks for as long as it takes (other
     * writers of the row, a start written behind, would wait for it).
     */
    static List<ChunkOutcome> runAll(DataSource dataSource, List<? extends Chunk> chunks) throws Exception {
        List<Worked> worked = workAll(dataSource, chunks);
        try (Connection connection = dataSource.getConnection()) {
            recordAll(connection, worked);
        }
        return worked.stream().map(Worked::outcome).toList();
    }

    /** The first step of {@link #runAll}: each chunk's recorded outcome, else its work's. */
    static List<Worked> workAll(DataSource dataSource, List<? extends Chunk> chunks) throws Exception {
        List<Worked> worked = new ArrayList<>(chunks.size());
        for (Chunk chunk : chunks) {
            Optional<ChunkOutcome> recorded;
            try (Connection connection = dataSource.getConnection()) {
                recorded = chunk.recorded(connection);
            }
            worked.add(recorded.isPresent() ? new Worked(chunk, recorded.get(), true) : new Worked(chunk, chunk.work(), false));
        }
        return worked;
    }

    /**
     * The second step of {@link #runAll}: the records of the chunks that had none, on {@code
     * connection}, sent as one batch per statement.
     */
    static void recordAll(Connection connection, List<Worked> worked) throws Exception {
        WriteBatch records = new WriteBatch(connection);
        for (Worked chunk : worked) {
            if (!chunk.recordedBefore()) {
                chunk.chunk().commit(records, chunk.outcome());
            }
        }
        try {
            records.run();
        } catch (SQLException e) {
            if (UNIQUE_VIOLATION.equals(e.getSQLState())) { // a batch carries its first failure's state
                // Another run of the same chunk (one a restarted slot left running) committed first:
                // this run's effects roll back with it, and the next try finds the chunk's record.
                throw new TransientTaskException("the chunk was committed by another run meanwhile", e);
            }
            throw e;
        }
    }

    /** A chunk whose work is done, or was done by an earlier run that recorded it. */
    record Worked(Chunk chunk, ChunkOutcome outcome, boolean recordedBefore) {
    }

    /** A chunk of a task, as the engine runs it. */
    interface Chunk {

        /**
         * The chunk's outcome if it committed before; its effects then happened already. Also
         * present, for a chunk that left its group while the group ran ({@code ChunkGroups}): it
         * runs in a transaction of its own instead. Either way a transaction that is told an
         * outcome here neither works nor records the chunk, and a host must not count it as run.
         */
        Optional<ChunkOutcome> recorded(Connection connection) throws SQLException;

        /** The plugin's work: the chunk's effects. */
        ChunkOutcome work() throws Exception;

        /**
         * Records that the chunk committed (its effect marker, the task's progress) by adding the
         * writes to {@code records}, which the transaction runs once every chunk of it has added its own.
         */
        void commit(WriteBatch records, ChunkOutcome outcome) throws Exception;
    }
}
