package dev.taskbridge.bridge;

import java.util.List;

import javax.sql.DataSource;

import dev.taskbridge.engine.ChunkTransactions;
import dev.taskbridge.engine.slot.Faults;
import dev.taskbridge.plugin.ChunkOutcome;
import dev.taskbridge.plugin.TransientTaskException;
import jakarta.annotation.Resource;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.EJBException;
import jakarta.ejb.EJBTransactionRolledbackException;
import jakarta.ejb.LocalBean;
import jakarta.ejb.SessionContext;
import jakarta.ejb.Singleton;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.transaction.RollbackException;

/**
 * Runs one chunk, or a group of chunks of different tasks, in a JTA transaction of its own,
 * together with their records: the plugin's work on any JTA resource (datasource, persistence
 * context), the effect marker, the task's progress (or its end) commit together or not
 * at all. A chunk whose marker exists is not run again; its recorded outcome is returned.
 *
 * <p>A singleton, so that {@link EngineLifecycle} can depend on it: the container then stops the
 * engine, and lets its running chunks finish, before it stops this bean. It holds no state, so
 * calls need no container lock.
 */
@Singleton
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@LocalBean
public class ChunkTransactionsBean {

    @Resource
    private SessionContext session;

    /**
     * @param dataSource the JTA datasource holding the chunks' records; its connections join the transaction
     */
    @TransactionAttribute(TransactionAttributeType.REQUIRES_NEW)
    public List<ChunkOutcome> runAllOnce(DataSource dataSource, List<? extends ChunkTransactions.Chunk> chunks)
            throws ChunkFailed {
        try {
            return ChunkTransactions.runAll(dataSource, chunks);
        } catch (Exception e) {
            // Checked exceptions would commit by default: none of a failed chunk's effects may stay.
            session.setRollbackOnly();
            throw new ChunkFailed(e);
        }
    }

    /**
     * A chunk's failure on its way out of the bean. Checked, so an application exception: the
     * container neither logs it (the engine logs a task's failure once, with its reference) nor
     * wraps it.
     */
    static final class ChunkFailed extends Exception {

        private static final long serialVersionUID = 1L;

        ChunkFailed(Exception cause) {
            super(cause.toString(), cause, false, false);
        }
    }

    /** The engine's view of this bean; unwraps failures so that they keep their type. */
    static ChunkTransactions on(ChunkTransactionsBean bean, DataSource dataSource) {
        return chunks -> {
            try {
                return bean.runAllOnce(dataSource, chunks);
            } catch (ChunkFailed e) {
                throw (Exception) e.getCause();
            } catch (EJBException e) {
                throw unwrap(e);
            }
        };
    }

    /**
     * What the engine should see of a container failure. The chunk's work succeeded, but its
     * transaction rolled back instead of committing ({@link EJBTransactionRolledbackException}):
     * typically the database went away at commit, and the transaction manager then reports only
     * that it could not commit, without the connection's error. Nothing of the chunk stayed, so
     * trying it again is safe and likely to succeed: transient, unless the database refused the
     * chunk's writes themselves (a constraint checked at commit), which no retry mends.
     */
    static Exception unwrap(EJBException failure) {
        // not getCausedByException(): it casts the cause to Exception, and throws when it is an Error
        Throwable direct = failure.getCause();
        if (direct instanceof Error) {
            // out of memory, a linkage error: the task fails with it, and trying the chunk again mends nothing
            return failure;
        }
        Exception cause = direct instanceof Exception exception ? exception : failure;
        boolean rolledBack = failure instanceof EJBTransactionRolledbackException || cause instanceof RollbackException;
        if (rolledBack && !Faults.isRefusedByDatabase(failure)) {
            return new TransientTaskException("the chunk's transaction did not commit, so nothing of it stayed: "
                    + cause, cause);
        }
        return cause;
    }
}
