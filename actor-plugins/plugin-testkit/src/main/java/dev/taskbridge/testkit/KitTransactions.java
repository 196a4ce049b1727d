package dev.taskbridge.testkit;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import dev.taskbridge.engine.ChunkTransactions;
import dev.taskbridge.engine.LocalChunkTransactions;
import dev.taskbridge.engine.store.WriteBatch;
import dev.taskbridge.plugin.ChunkOutcome;
import dev.taskbridge.plugin.TransientTaskException;

/**
 * Each chunk in one local transaction of the kit's database, with everything the plugin writes
 * through it and the engine's record of the chunk ({@link LocalChunkTransactions}): what the EJB
 * bridge does with a JTA transaction in the server, so effects through the datasource happen
 * exactly once here too.
 *
 * <p>For the replay check, a crash can be planned: the transaction of the {@code n}th chunk run
 * (counted from 0) does its work and is then rolled back instead of committed, as when the server
 * dies before the commit; from then on no chunk of this engine commits, until the kit stops it.
 */
final class KitTransactions implements ChunkTransactions {

    /** No crash planned. */
    static final int NEVER = -1;

    private final LocalChunkTransactions transactions;
    private final int crashAtRun;
    private final AtomicInteger runs = new AtomicInteger();
    private final CountDownLatch crashed = new CountDownLatch(1);

    /**
     * @param transactions the kit's, over the data source its plugins were given: one for every
     *                     engine the kit starts on its database
     */
    KitTransactions(LocalChunkTransactions transactions, int crashAtRun) {
        this.transactions = transactions;
        this.crashAtRun = crashAtRun;
    }

    @Override
    public List<ChunkOutcome> runAllOnce(List<? extends Chunk> chunks) throws Exception {
        if (crashed.getCount() == 0) {
            throw new TransientTaskException("the server crashed (simulated by the test kit)");
        }
        List<Counted> counted = new ArrayList<>(chunks.size());
        chunks.forEach(chunk -> counted.add(new Counted(chunk)));
        try {
            return transactions.runAllOnce(counted, () -> {
                // a chunk that did no work here (committed before, or gone from its group) has no run number
                if (crashAtRun != NEVER && counted.stream().anyMatch(chunk -> chunk.run == crashAtRun)) {
                    throw new PlannedCrash();
                }
            });
        } catch (PlannedCrash e) {
            crashed.countDown(); // once rolled back: the engine started next finds nothing of the chunk's work
            throw e;
        }
    }

    /** Whether the planned crash happened. */
    boolean hasCrashed() {
        return crashed.getCount() == 0;
    }

    /** What the planned crash throws, as the engine sees a server that died before the commit: try again. */
    private static final class PlannedCrash extends TransientTaskException {

        PlannedCrash() {
            super("the server crashed before the chunk's commit (simulated by the test kit)");
        }
    }

    /** A chunk whose work, when it runs, is given the number of chunk runs before it. */
    private final class Counted implements Chunk {

        private final Chunk chunk;
        private int run = NEVER;

        Counted(Chunk chunk) {
            this.chunk = chunk;
        }

        @Override
        public Optional<ChunkOutcome> recorded(Connection connection) throws SQLException {
            return chunk.recorded(connection);
        }

        @Override
        public ChunkOutcome work() throws Exception {
            run = runs.getAndIncrement();
            return chunk.work();
        }

        @Override
        public void commit(WriteBatch records, ChunkOutcome outcome) throws Exception {
            chunk.commit(records, outcome);
        }
    }
}
