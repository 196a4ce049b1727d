package dev.taskbridge.engine;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

import javax.sql.DataSource;

import dev.taskbridge.plugin.ChunkOutcome;

/**
 * Chunk transactions for a host without JTA (a headless worker JVM, the benchmarks, the plugin
 * test kit) that still wants each chunk's database effects exactly once, as the EJB bridge's JTA
 * transactions give them in the server. Each {@link #runAllOnce} is one local transaction on the
 * database, and on the thread that runs it every connection of {@link #dataSource()} is that
 * transaction's: what the plugin writes through it commits with the engine's record of the chunk
 * (its marker, the task's progress) or rolls back with it, so a chunk that committed is never run
 * again and one that did not left nothing behind.
 *
 * <p>For that the host gives {@link #dataSource()}, not the database it wraps, to its plugins, and
 * the database itself to {@link TaskEngine#start}: the engine's chunk records go through
 * {@link #dataSource()} anyway (this class passes it to {@link ChunkTransactions#runAll}), and its
 * other writes then commit on their own even when code on a chunk's thread calls it (a chunk that
 * submits the next task), as the gateway's calls do in the server, which run outside the chunk's
 * JTA transaction. Given {@link #dataSource()}, such a submit would be refused: its store's commit
 * is a commit inside the chunk. A plugin that writes through any other data source
 * (its own pool, a connection it opens itself), or outside the database (a file, a mail), is
 * outside the transaction: at least once, as it would be in the server. Inside a chunk, closing a
 * connection gives it back to the chunk, and {@code commit}, {@code rollback} and auto-commit on
 * are refused with an {@link SQLException}, as the server refuses them on an enlisted connection.
 *
 * <p>Without it ({@code transactions} null in {@link TaskEngine#start}) the engine writes each
 * chunk's record after the work, in a transaction of its own ({@code MarkerAfterWork}): a plugin
 * may then commit as it likes, but a crash between its work and the record runs the work again,
 * so effects are at least once.
 */
public final class LocalChunkTransactions implements ChunkTransactions {

    private final ChunkScopedDataSource dataSource;

    /** Transactions on {@code database}: every chunk's connection is one of its own. */
    public LocalChunkTransactions(DataSource database) {
        this.dataSource = new ChunkScopedDataSource(database);
    }

    /**
     * The database as the plugins must see it: on a thread that runs a chunk, the chunk's
     * transaction; elsewhere a plain connection that commits by itself.
     */
    public DataSource dataSource() {
        return dataSource;
    }

    /** Runs the chunks in one local transaction: all of them commit, or none does. */
    @Override
    public List<ChunkOutcome> runAllOnce(List<? extends Chunk> chunks) throws Exception {
        return runAllOnce(chunks, BeforeCommit.NOTHING);
    }

    /**
     * As {@link #runAllOnce(List)}, with {@code beforeCommit} called once the chunks' work and
     * records are written, in their transaction, just before it commits: if it throws, all of it
     * rolls back and its failure is thrown.
     */
    public List<ChunkOutcome> runAllOnce(List<? extends Chunk> chunks, BeforeCommit beforeCommit) throws Exception {
        Connection transaction = dataSource.begin();
        try {
            List<ChunkOutcome> outcomes = ChunkTransactions.runAll(dataSource, chunks);
            beforeCommit.check();
            transaction.commit();
            return outcomes;
        } catch (Exception | Error e) {
            rollBack(transaction, e);
            throw e;
        } finally {
            dataSource.end(transaction);
        }
    }

    private static void rollBack(Connection transaction, Throwable failure) {
        try {
            transaction.rollback();
        } catch (SQLException e) {
            failure.addSuppressed(e);
        }
    }

    /**
     * A last look at a chunk transaction before it commits. It is given per call rather than per
     * instance, so that one {@link #dataSource()} serves every caller (the plugin test kit plans a
     * crash per engine it starts, over the one data source its plugins were given).
     */
    @FunctionalInterface
    public interface BeforeCommit {

        /** Commits as it is. */
        BeforeCommit NOTHING = () -> { };

        /** Called on the transaction's thread; throws to roll the whole transaction back. */
        void check() throws Exception;
    }
}
