package dev.taskbridge.engine;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import dev.taskbridge.plugin.ChunkOutcome;
import dev.taskbridge.plugin.ChunkUndo;
import dev.taskbridge.plugin.InvalidPayloadException;
import dev.taskbridge.plugin.Payload;
import dev.taskbridge.plugin.TaskContext;
import dev.taskbridge.plugin.TaskHandler;
import dev.taskbridge.plugin.TaskType;
import dev.taskbridge.plugin.TransientTaskException;

/**
 * A task type whose chunks wait at a gate until the test says how each run ends: it succeeds, fails
 * for good, or fails for a reason that may pass. So a test decides, step by step, what every chunk
 * does and when, while the engine around it is real. A chunk that succeeds writes its effect, a
 * row in {@code mt_effect}, through {@link LocalChunkTransactions#dataSource()}, so on the
 * connection of its chunk transaction: the row commits with the chunk's effect marker or not at
 * all, so counting rows counts committed effects. Once the gate is open, every chunk succeeds at once.
 * Its tasks can be rolled back: an undo waits at the same gate, as the rollback task's chunk, and
 * one that succeeds writes a row in {@code mt_undo}, in the undo's transaction.
 *
 * <p>Its payload is {@code chunks=N}.
 */
final class GatedTaskType implements TaskType<Integer> {

    static final String ID = "model.gated";
    static final String EFFECTS_TABLE = "CREATE TABLE IF NOT EXISTS mt_effect (task_id VARCHAR(36) NOT NULL, chunk INT NOT NULL)";
    /** The undos of rollbacks (design note 030): a row per chunk of a task undone, by the rollback that undid it. */
    static final String UNDOS_TABLE = "CREATE TABLE IF NOT EXISTS mt_undo (task_id VARCHAR(36) NOT NULL, chunk INT NOT NULL, "
            + "rollback_id VARCHAR(36) NOT NULL)";
    /** Items each chunk reports done. */
    static final int ITEMS_PER_CHUNK = 10;
    /** A chunk nobody releases fails after this: a test that forgets one must not hang a build. */
    private static final Duration GATE_TIMEOUT = Duration.ofMinutes(2);

    enum Outcome { SUCCEEDS, FAILS, FAILS_TRANSIENTLY }

    /**
     * A run of a chunk waiting at the gate.
     *
     * @param generation the task's run generation when the chunk arrived: its run's, or a later one
     *                   if the task was retried since its run started
     */
    record Arrival(String taskId, int chunk, int attempt, int generation, CompletableFuture<Outcome> release) {
    }

    private final int slots;
    /** Where the test reads a task's generation, past any fault the engine's database is made to have. */
    private final DataSource bookkeeping;
    /** Where its effects are written: the {@link LocalChunkTransactions#dataSource()} of the engine that runs it. */
    private final DataSource chunkScoped;
    private final List<Arrival> waiting = new ArrayList<>();
    private boolean open;
    /** Every run of a chunk that reached the plugin, gate open or not. */
    private final AtomicInteger chunkRuns = new AtomicInteger();

    GatedTaskType(int slots, DataSource bookkeeping, DataSource chunkScoped) {
        this.slots = slots;
        this.bookkeeping = bookkeeping;
        this.chunkScoped = chunkScoped;
    }

    static Payload payload(int chunks) {
        return new Payload("text/plain", ("chunks=" + chunks).getBytes(StandardCharsets.UTF_8));
    }

    /** Lets every chunk through, those waiting and those to come, as successes. */
    synchronized void open() {
        open = true;
        waiting.forEach(arrival -> arrival.release().complete(Outcome.SUCCEEDS));
        waiting.clear();
    }

    /** Chunks wait at the gate again. */
    synchronized void close() {
        open = false;
    }

    /** Takes every chunk waiting at the gate, releasing none. */
    synchronized List<Arrival> drain() {
        List<Arrival> all = List.copyOf(waiting);
        waiting.clear();
        return all;
    }

    /**
     * Takes one chunk waiting at the gate, the {@code pick}-th modulo how many wait, waiting up to
     * {@code patience} for one to come; null if none did.
     */
    synchronized Arrival take(int pick, Duration patience) throws InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        while (waiting.isEmpty()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return waiting.remove(pick % waiting.size());
    }

    /** How many runs of a chunk have reached the plugin so far. */
    int chunkRuns() {
        return chunkRuns.get();
    }

    private Outcome pass(String taskId, int chunk, int attempt) throws Exception {
        chunkRuns.incrementAndGet();
        int generation = generationOf(taskId);
        Arrival arrival;
        synchronized (this) {
            if (open) {
                return Outcome.SUCCEEDS;
            }
            arrival = new Arrival(taskId, chunk, attempt, generation, new CompletableFuture<>());
            waiting.add(arrival);
            notifyAll();
        }
        try {
            return arrival.release().get(GATE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("chunk " + chunk + " of task " + taskId + " was never released", e);
        }
    }

    /** Waits at the gate; throws what the test scripted for this run of {@code what}, or returns to succeed. */
    private void passOrThrow(String what, String taskId, int chunk, int attempt) throws Exception {
        switch (pass(taskId, chunk, attempt)) {
            case FAILS -> throw new IllegalArgumentException(what + " is broken (scripted)");
            case FAILS_TRANSIENTLY -> throw new TransientTaskException(what + " timed out (scripted)");
            default -> {
            }
        }
    }

    /** A row written in the chunk's transaction: an effect that commits with the chunk or not at all. */
    private void insert(String sql, Object... values) throws SQLException {
        try (Connection connection = chunkScoped.getConnection()) {
            // off a chunk's thread the data source commits each write by itself: an effect no marker commits with
            if (connection.getAutoCommit()) {
                throw new IllegalStateException("no chunk transaction on this thread");
            }
            try (PreparedStatement insert = connection.prepareStatement(sql)) {
                for (int i = 0; i < values.length; i++) {
                    insert.setObject(i + 1, values[i]);
                }
                insert.executeUpdate();
            }
        }
    }

    private int generationOf(String taskId) throws SQLException {
        try (Connection connection = bookkeeping.getConnection();
             PreparedStatement select = connection.prepareStatement("SELECT run_generation FROM tb_task WHERE id = ?")) {
            select.setString(1, taskId);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? row.getInt(1) : -1;
            }
        }
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public int version() {
        return 1;
    }

    @Override
    public int slots() {
        return slots;
    }

    @Override
    public Integer parse(Payload payload) throws InvalidPayloadException {
        String text = payload.text().strip();
        if (!text.startsWith("chunks=")) {
            throw new InvalidPayloadException("chunks", "missing");
        }
        return Integer.parseInt(text.substring("chunks=".length()));
    }

    @Override
    public TaskHandler<Integer> handler() {
        return new TaskHandler<>() {
            @Override
            public int chunkCount(Integer chunks) {
                return chunks;
            }

            @Override
            public ChunkOutcome runChunk(Integer chunks, int chunk, TaskContext context) throws Exception {
                passOrThrow("chunk " + chunk, context.taskId(), chunk, context.attempt());
                insert("INSERT INTO mt_effect (task_id, chunk) VALUES (?, ?)", context.taskId(), chunk);
                return new ChunkOutcome(ITEMS_PER_CHUNK, 0, Integer.toString(chunk));
            }

            @Override
            public String result(Integer chunks, List<ChunkOutcome> outcomes) {
                return expectedResult(outcomes.stream().map(ChunkOutcome::data).toList());
            }
        };
    }

    @Override
    public Optional<ChunkUndo<Integer>> undo() {
        return Optional.of((chunks, committed, context) -> {
            passOrThrow("undo of chunk " + committed.chunk(), context.taskId(), committed.chunk(), context.attempt());
            insert("INSERT INTO mt_undo (task_id, chunk, rollback_id) VALUES (?, ?, ?)",
                    committed.taskId(), committed.chunk(), context.taskId());
            return new ChunkOutcome(ITEMS_PER_CHUNK, 0, "undid " + committed.chunk());
        });
    }

    /** The result of a rollback of that many chunks, each undone in full. */
    static String expectedRollbackResult(int chunks) {
        return "{\"rolledBack\":true,\"chunks\":" + chunks + ",\"itemsUndone\":" + ITEMS_PER_CHUNK * chunks
                + ",\"itemsNotUndone\":0}";
    }

    /** The result of a task whose chunks' data were these. */
    static String expectedResult(List<String> chunkData) {
        return "{\"chunks\":\"" + String.join(" ", chunkData) + "\"}";
    }
}
