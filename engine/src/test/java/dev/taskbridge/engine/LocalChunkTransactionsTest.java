package dev.taskbridge.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import javax.sql.DataSource;

import dev.taskbridge.engine.journal.Dialect;
import dev.taskbridge.engine.plugins.TaskTypeRegistry;
import dev.taskbridge.engine.slot.RunOverException;
import dev.taskbridge.engine.store.ChunkMarkers;
import dev.taskbridge.engine.store.NewTask;
import dev.taskbridge.engine.store.TaskState;
import dev.taskbridge.engine.store.TaskStore;
import dev.taskbridge.engine.store.WriteBatch;
import dev.taskbridge.plugin.ChunkOutcome;
import dev.taskbridge.plugin.Payload;
import dev.taskbridge.plugin.TaskContext;
import dev.taskbridge.plugin.TaskHandler;
import dev.taskbridge.plugin.TaskType;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A plain JVM's chunk transactions on H2: what a chunk's work writes through {@link
 * LocalChunkTransactions#dataSource()} commits with the chunk's record or rolls back with it, as
 * under JTA in the server; outside a chunk the data source is the database as it is.
 */
class LocalChunkTransactionsTest {

    private static final ChunkOutcome OUTCOME = new ChunkOutcome(2, 0, "chunk");

    private DataSource database;
    private LocalChunkTransactions transactions;
    private TaskStore store;

    @BeforeEach
    void schema() throws Exception {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        database = h2;
        transactions = new LocalChunkTransactions(database);
        store = new TaskStore(database, Clock.systemUTC()); // as TaskEngine.start is given it
        store.createSchema(Dialect.H2);
        try (Connection connection = database.getConnection(); Statement ddl = connection.createStatement()) {
            ddl.execute("CREATE TABLE effect (task_id VARCHAR(64) NOT NULL)");
        }
    }

    @Test
    void aChunksWorkThroughTheDataSourceCommitsWithItsRecordAndOnlyThen() throws Exception {
        String id = queued();
        List<Integer> seenFromAnotherThread = new ArrayList<>();
        EffectChunk chunk = new EffectChunk(id, () -> seenFromAnotherThread.add(
                CompletableFuture.supplyAsync(() -> effects().size()).get(10, TimeUnit.SECONDS)));

        assertThat(transactions.runAllOnce(List.of(chunk))).containsExactly(OUTCOME);

        assertThat(seenFromAnotherThread).as("the work's row, before the commit").containsExactly(0);
        assertThat(effects()).containsExactly(id);
        assertThat(markerOf(id)).contains(OUTCOME);
        assertThat(store.find(id).orElseThrow().chunksDone()).isEqualTo(1);

        EffectChunk again = new EffectChunk(id, () -> { });
        assertThat(transactions.runAllOnce(List.of(again))).containsExactly(OUTCOME);
        assertThat(again.runs.get()).as("a committed chunk is not run again").isZero();
        assertThat(effects()).containsExactly(id);
    }

    @Test
    void aGroupWhoseOneRecordFailsKeepsTheWorkOfNoneOfItsChunks() throws Exception {
        String before = queued();
        String cancelled = queued();
        assertThat(store.markCancelled(cancelled, 0, "clerk")).isTrue();
        EffectChunk beforeChunk = new EffectChunk(before, () -> { });
        EffectChunk cancelledChunk = new EffectChunk(cancelled, () -> { });

        assertThatThrownBy(() -> transactions.runAllOnce(List.of(beforeChunk, cancelledChunk)))
                .isInstanceOf(RunOverException.class)
                .hasMessageContaining(cancelled);

        assertThat(beforeChunk.runs.get() + cancelledChunk.runs.get()).as("both did their work").isEqualTo(2);
        assertThat(effects()).isEmpty();
        assertThat(markerOf(before)).isEmpty();
        assertThat(store.find(before).orElseThrow().chunksDone()).isZero();
    }

    @Test
    void aCheckBeforeTheCommitThatThrowsRollsTheWorkAndTheRecordBack() throws Exception {
        String id = queued();
        IllegalStateException crash = new IllegalStateException("the host died before the commit");

        assertThatThrownBy(() -> transactions.runAllOnce(List.of(new EffectChunk(id, () -> { })), () -> {
            assertThat(effects()).as("the check runs before the commit").isEmpty();
            throw crash;
        })).isSameAs(crash);

        assertThat(effects()).isEmpty();
        assertThat(markerOf(id)).isEmpty();
        assertThat(transactions.runAllOnce(List.of(new EffectChunk(id, () -> { })))).as("and the chunk runs again")
                .containsExactly(OUTCOME);
        assertThat(effects()).containsExactly(id);
    }

    @Test
    void insideAChunkCommittingRollingBackAndAutoCommitAreRefusedAndEveryConnectionIsTheChunks() throws Exception {
        String id = queued();
        List<Integer> seenInTheChunk = new ArrayList<>();
        EffectChunk chunk = new EffectChunk(id, () -> {
            // the work's connection was closed: this one is the same transaction all the same
            try (Connection connection = transactions.dataSource().getConnection()) {
                seenInTheChunk.add(count(connection));
                assertThatThrownBy(connection::commit).isInstanceOf(SQLException.class)
                        .hasMessageContaining("commit inside a chunk");
                assertThatThrownBy(connection::rollback).isInstanceOf(SQLException.class)
                        .hasMessageContaining("rollback inside a chunk");
                assertThatThrownBy(() -> connection.setAutoCommit(true)).isInstanceOf(SQLException.class)
                        .hasMessageContaining("auto-commit inside a chunk");
                assertThat(connection.getAutoCommit()).isFalse();
            }
        });

        transactions.runAllOnce(List.of(chunk));

        assertThat(seenInTheChunk).as("the uncommitted row, from another connection of the chunk").containsExactly(1);
        assertThat(effects()).as("the refused calls changed nothing").containsExactly(id);
        assertThat(markerOf(id)).contains(OUTCOME);
    }

    @Test
    void outsideAChunkTheDataSourceGivesPlainConnectionsThatCommitByThemselves() throws Exception {
        try (Connection connection = transactions.dataSource().getConnection()) {
            assertThat(connection.getAutoCommit()).isTrue();
            insertEffect(connection, "committed by itself");
        }
        try (Connection connection = transactions.dataSource().getConnection()) {
            connection.setAutoCommit(false);
            insertEffect(connection, "rolled back");
            connection.rollback();
            insertEffect(connection, "committed");
            connection.commit();
            connection.setAutoCommit(true);
        }

        assertThat(effects()).containsExactly("committed", "committed by itself");
    }

    /**
     * The wiring the class asks for: the engine on the database itself, the plugin on {@code
     * dataSource()}. A chunk that submits the next task through the engine then has that submit
     * commit on its own (given {@code dataSource()}, the store's commit was refused inside the chunk).
     */
    @Test
    void aChunkThatSubmitsTheNextTaskThroughTheEngineWritesBothEffectsOnce() throws Exception {
        AtomicReference<TaskEngine> engine = new AtomicReference<>();
        TaskType<String> chain = new TaskType<>() {
            @Override
            public String id() {
                return "test.chain";
            }

            @Override
            public int version() {
                return 1;
            }

            @Override
            public String parse(Payload payload) {
                return new String(payload.body(), StandardCharsets.UTF_8).replace("\"", "");
            }

            @Override
            public TaskHandler<String> handler() {
                return new TaskHandler<>() {
                    @Override
                    public int chunkCount(String step) {
                        return 1;
                    }

                    @Override
                    public ChunkOutcome runChunk(String step, int chunk, TaskContext context) throws Exception {
                        try (Connection connection = transactions.dataSource().getConnection()) {
                            insertEffect(connection, step);
                        }
                        if (step.equals("first")) {
                            engine.get().submit("test.chain", "tester", null, Payload.json("\"second\""), null, 0, null);
                        }
                        return OUTCOME;
                    }

                    @Override
                    public String result(String step, List<ChunkOutcome> outcomes) {
                        return "{}";
                    }
                };
            }
        };
        try (TaskEngine started = TaskEngine.start(EngineSettings.DEFAULTS, TaskTypeRegistry.of(List.of(chain)), database,
                null, getClass().getClassLoader(), Clock.systemUTC(), transactions)) {
            engine.set(started);
            started.submit("test.chain", "tester", null, Payload.json("\"first\""), null, 0, null);

            await().atMost(Duration.ofSeconds(30)).until(() -> started.store().countByState().getOrDefault(TaskState.SUCCEEDED, 0L) == 2);
            assertThat(effects()).containsExactly("first", "second");
            assertThat(started.store().countByState())
                    .allSatisfy((state, tasks) -> assertThat(tasks).isEqualTo(state == TaskState.SUCCEEDED ? 2L : 0L));
        }
    }

    private String queued() {
        String id = TaskIds.next();
        store.insert(new NewTask(id, "test.steps", 1, "clerk", null, Payload.json("{}")));
        return id;
    }

    /** The effect rows' task ids, read through the database itself, in order. */
    private List<String> effects() {
        try (Connection connection = database.getConnection();
             ResultSet rows = connection.createStatement().executeQuery("SELECT task_id FROM effect ORDER BY task_id")) {
            List<String> ids = new ArrayList<>();
            while (rows.next()) {
                ids.add(rows.getString(1));
            }
            return ids;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int count(Connection connection) throws SQLException {
        try (ResultSet rows = connection.createStatement().executeQuery("SELECT COUNT(*) FROM effect")) {
            rows.next();
            return rows.getInt(1);
        }
    }

    private static void insertEffect(Connection connection, String taskId) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO effect (task_id) VALUES (?)")) {
            insert.setString(1, taskId);
            insert.executeUpdate();
        }
    }

    private Optional<ChunkOutcome> markerOf(String taskId) throws SQLException {
        try (Connection connection = database.getConnection()) {
            return ChunkMarkers.find(connection, taskId, 0);
        }
    }

    /** What the chunk's work does after writing its row. */
    @FunctionalInterface
    private interface AfterWrite {
        void run() throws Exception;
    }

    /**
     * Chunk 0 of 2 of a stored task: its work writes a row through the chunk-scoped data source, as
     * a plugin does; its record is the engine's (a marker and the task's guarded progress).
     */
    private final class EffectChunk implements ChunkTransactions.Chunk {

        private final String taskId;
        private final AfterWrite afterWrite;
        final AtomicInteger runs = new AtomicInteger();

        EffectChunk(String taskId, AfterWrite afterWrite) {
            this.taskId = taskId;
            this.afterWrite = afterWrite;
        }

        @Override
        public Optional<ChunkOutcome> recorded(Connection connection) throws SQLException {
            return ChunkMarkers.find(connection, taskId, 0);
        }

        @Override
        public ChunkOutcome work() throws Exception {
            runs.incrementAndGet();
            try (Connection connection = transactions.dataSource().getConnection()) {
                insertEffect(connection, taskId);
            }
            afterWrite.run();
            return OUTCOME;
        }

        @Override
        public void commit(WriteBatch records, ChunkOutcome outcome) {
            ChunkMarkers.record(records, taskId, 0, outcome, Instant.now());
            store.markChunkCommitted(records, taskId, 0, 0, 2, outcome.itemsDone(), outcome.itemsFailed(),
                    Instant.now(), false, null, Instant.now(), () -> new RunOverException("the run of task " + taskId + " is over"));
        }
    }
}
