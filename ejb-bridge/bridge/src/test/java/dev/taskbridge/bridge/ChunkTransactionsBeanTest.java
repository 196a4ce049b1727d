package dev.taskbridge.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;

import dev.taskbridge.engine.slot.Faults;
import dev.taskbridge.plugin.TransientTaskException;
import jakarta.ejb.EJBException;
import jakarta.ejb.EJBTransactionRolledbackException;
import jakarta.transaction.RollbackException;
import org.junit.jupiter.api.Test;

/** How a chunk's container failures reach the engine: a commit that did not happen is worth another try. */
class ChunkTransactionsBeanTest {

    @Test
    void aCommitThatRolledBackWithoutAReasonIsTransient() {
        RollbackException commit = new RollbackException("ARJUNA016053: Could not commit transaction.");
        Exception seen = ChunkTransactionsBean.unwrap(new EJBTransactionRolledbackException(commit.toString(), commit));

        assertThat(seen).isInstanceOf(TransientTaskException.class).hasCause(commit);
        assertThat(Faults.isTransient(seen)).isTrue();
    }

    @Test
    void aCommitThatTheDatabaseRefusedIsNot() {
        RollbackException commit = new RollbackException("ARJUNA016053: Could not commit transaction.");
        commit.initCause(new SQLException("duplicate key value violates unique constraint", "23505"));
        Exception seen = ChunkTransactionsBean.unwrap(new EJBTransactionRolledbackException(commit.toString(), commit));

        assertThat(seen).isSameAs(commit);
        assertThat(Faults.isTransient(seen)).isFalse();
    }

    @Test
    void otherContainerFailuresKeepTheirCause() {
        IllegalStateException bug = new IllegalStateException("bug");

        assertThat(ChunkTransactionsBean.unwrap(new EJBException(bug))).isSameAs(bug);
    }

    /** Seen when a ledger file ran the heap out: the task failed with a ClassCastException instead. */
    @Test
    void anErrorInAChunkReachesTheEngineAsItselfAndIsNotRetried() {
        OutOfMemoryError heap = new OutOfMemoryError("Java heap space");
        EJBTransactionRolledbackException failure = new EJBTransactionRolledbackException(heap.toString());
        failure.initCause(heap);

        Exception seen = ChunkTransactionsBean.unwrap(failure);

        assertThat(seen).isSameAs(failure).hasCause(heap);
        assertThat(Faults.isTransient(seen)).isFalse();
    }
}
