package dev.taskbridge.engine;

import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import dev.taskbridge.plugin.ChunkOutcome;
import dev.taskbridge.plugin.ChunkUndo;
import dev.taskbridge.plugin.FieldProblem;
import dev.taskbridge.plugin.InvalidPayloadException;
import dev.taskbridge.plugin.Payload;
import dev.taskbridge.plugin.PayloadMigration;
import dev.taskbridge.plugin.PluginEnvironment;
import dev.taskbridge.plugin.TaskContext;
import dev.taskbridge.plugin.TaskHandler;
import dev.taskbridge.plugin.TaskType;
import dev.taskbridge.plugin.TransientTaskException;
import org.slf4j.MDC;

/**
 * A task type whose payload scripts what its handler does, e.g.
 * {@code chunks=3,transientFailures=1,failAtChunk=2}, and which records every chunk it runs so
 * tests can check order and overlap.
 */
final class ScriptedTaskType implements TaskType<ScriptedTaskType.Script> {

    /**
     * @param failOnceAtChunk fails that chunk on its first run only, as a bug fixed before a retry would
     */
    /** @param dataChars pads each chunk's outcome data to at least this many characters, as a big report would */
    /** @param name what the script calls its task ({@code name=...}), so that plugin calls without a context can say which */
    record Script(int chunks, int transientFailures, int failAtChunk, int failOnceAtChunk, long sleepMillis,
                  int dataChars, String name) {
    }

    /** @param committedBefore how many committed chunks the context showed the run */
    record Run(String taskId, int chunk, int attempt, int committedBefore) {
    }

    private final String id;
    private final int slots;
    final ConcurrentLinkedQueue<Run> runs = new ConcurrentLinkedQueue<>();
    /** For each call of the plugin's code: the task it was for, and the task id in the logging context then. */
    final ConcurrentLinkedQueue<Map.Entry<String, String>> logContexts = new ConcurrentLinkedQueue<>();
    /** The trace id in the logging context of each chunk run, "null" when none. */
    final ConcurrentLinkedQueue<String> traceIds = new ConcurrentLinkedQueue<>();
    final AtomicInteger running = new AtomicInteger();
    final AtomicInteger maxRunning = new AtomicInteger();
    private final Map<String, AtomicInteger> transientFailuresLeft = new ConcurrentHashMap<>();
    private final Map<String, Boolean> failedOnce = new ConcurrentHashMap<>();

    /** How many calls of {@link #prepare} fail, as with a database not reachable yet. */
    final AtomicInteger prepareFailuresLeft = new AtomicInteger();
    final AtomicInteger prepareCalls = new AtomicInteger();
    /** What the engine told the type when it last got it ready. */
    volatile PluginEnvironment preparedIn;
    /** Thrown by every call of {@link #prepare}, as a bug in it would be. */
    volatile RuntimeException prepareBug;

    private final int version;
    private final Map<Integer, PayloadMigration> migrations;

    ScriptedTaskType(String id, int slots) {
        this(id, slots, 1, Map.of());
    }

    /**
     * A type at {@code version} whose payloads carry the option {@code version} (absent meaning 1):
     * a stand-in for a payload whose shape changed, which a version refuses when it is not its own.
     *
     * @param migrations from each older version to the next (note 028)
     */
    ScriptedTaskType(String id, int slots, int version, Map<Integer, PayloadMigration> migrations) {
        this.id = id;
        this.slots = slots;
        this.version = version;
        this.migrations = Map.copyOf(migrations);
    }

    /** A migration that makes a payload of the version before {@code next} one of {@code next}, as a real one would reshape it. */
    static PayloadMigration toVersion(int next) {
        return older -> {
            if (!older.options().getOrDefault("version", "1").equals(String.valueOf(next - 1))) {
                throw new InvalidPayloadException("version", "the migration to " + next + " takes payloads of " + (next - 1) + " only");
            }
            Map<String, String> options = new HashMap<>(older.options());
            options.put("version", String.valueOf(next));
            return older.withOptions(options);
        };
    }

    /** A payload of this type's version. */
    Payload payload(String script) {
        return new Payload("text/plain", script.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                version == 1 ? Map.of() : Map.of("version", String.valueOf(version)));
    }

    /** Whether the type offers an undo (note 030): each undo is recorded in {@link #undos}, in the order they ran. */
    volatile boolean undoes;
    final ConcurrentLinkedQueue<Undo> undos = new ConcurrentLinkedQueue<>();

    /** An undo's call: the rollback task, the original's id and chunk, what that chunk committed with. */
    record Undo(String rollbackId, String of, int chunk, String committedData) {
    }

    @Override
    public Optional<ChunkUndo<Script>> undo() {
        if (!undoes) {
            return Optional.empty();
        }
        return Optional.of((script, committed, context) -> {
            undos.add(new Undo(context.taskId(), committed.taskId(), committed.chunk(), committed.outcome().data()));
            return new ChunkOutcome(committed.outcome().itemsDone(), 0, "undid " + committed.chunk());
        });
    }

    /** Thrown by every call of {@link #migrationFrom}, as a bug in it would be. */
    volatile RuntimeException migrationBug;

    @Override
    public Optional<PayloadMigration> migrationFrom(int olderVersion) {
        if (migrationBug != null) {
            throw migrationBug;
        }
        return Optional.ofNullable(migrations.get(olderVersion));
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public int version() {
        return version;
    }

    @Override
    public int slots() {
        return slots;
    }

    /** What {@link #concurrentTasksPerSlot} says: 1, as a plugin that says nothing. */
    volatile int atOncePerSlot = 1;

    @Override
    public int concurrentTasksPerSlot() {
        return atOncePerSlot;
    }

    @Override
    public void prepare(PluginEnvironment environment) throws SQLException {
        prepareCalls.incrementAndGet();
        preparedIn = environment;
        if (prepareBug != null) {
            throw prepareBug;
        }
        if (prepareFailuresLeft.getAndDecrement() > 0) {
            throw new SQLException("the database is not there yet", "08001");
        }
    }

    @Override
    public Script parse(Payload payload) throws InvalidPayloadException {
        String shape = payload.options().getOrDefault("version", "1");
        if (!shape.equals(String.valueOf(version))) {
            throw new InvalidPayloadException("version", "is " + shape + "; version " + version + " of " + id + " takes its own only");
        }
        Map<String, String> values = new HashMap<>();
        for (String pair : payload.text().split(",")) {
            String[] kv = pair.split("=", 2);
            values.put(kv[0].strip(), kv.length > 1 ? kv[1].strip() : "");
        }
        int chunks = number(values, "chunks", 1);
        if (chunks < 1) {
            throw new InvalidPayloadException("chunks", "must be at least 1");
        }
        return new Script(chunks, number(values, "transientFailures", 0), number(values, "failAtChunk", -1),
                number(values, "failOnceAtChunk", -1), number(values, "sleepMillis", 0),
                number(values, "dataChars", 0), values.getOrDefault("name", ""));
    }

    private static int number(Map<String, String> values, String key, int fallback) throws InvalidPayloadException {
        String value = values.get(key);
        if (value == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new InvalidPayloadException(List.of(new FieldProblem(key, "must be a whole number, was '" + value + "'")));
        }
    }

    /** Letters a compressing serializer cannot shrink much, as a real report's would not be. */
    private static String incompressible(int length) {
        java.util.Random random = new java.util.Random(length);
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append((char) ('a' + random.nextInt(26)));
        }
        return text.toString();
    }

    @Override
    public TaskHandler<Script> handler() {
        return new TaskHandler<>() {
            @Override
            public int chunkCount(Script script) {
                logContexts.add(Map.entry(script.name(), String.valueOf(MDC.get(TaskLog.TASK_ID))));
                return script.chunks();
            }

            @Override
            public ChunkOutcome runChunk(Script script, int chunk, TaskContext context) throws Exception {
                int now = running.incrementAndGet();
                maxRunning.accumulateAndGet(now, Math::max);
                try {
                    runs.add(new Run(context.taskId(), chunk, context.attempt(), context.committedChunks().size()));
                    logContexts.add(Map.entry(context.taskId(), String.valueOf(MDC.get(TaskLog.TASK_ID))));
                    traceIds.add(String.valueOf(MDC.get(TaskLog.TRACE_ID)));
                    if (script.sleepMillis() > 0) {
                        Thread.sleep(script.sleepMillis());
                    }
                    AtomicInteger left = transientFailuresLeft.computeIfAbsent(context.taskId(),
                            key -> new AtomicInteger(script.transientFailures()));
                    if (left.getAndDecrement() > 0) {
                        throw new TransientTaskException("database timeout (scripted)");
                    }
                    if (chunk == script.failOnceAtChunk() && failedOnce.putIfAbsent(context.taskId(), true) == null) {
                        throw new IllegalStateException("fails once (scripted)");
                    }
                    if (chunk == script.failAtChunk()) {
                        throw new IllegalArgumentException("row 7 is broken (scripted)");
                    }
                    String data = Integer.toString(chunk);
                    if (script.dataChars() > data.length()) {
                        data = data + " " + incompressible(script.dataChars() - data.length() - 1);
                    }
                    return new ChunkOutcome(10, 0, data);
                } finally {
                    running.decrementAndGet();
                }
            }

            @Override
            public String result(Script script, List<ChunkOutcome> outcomes) {
                return "{\"chunks\":\"" + String.join(" ", outcomes.stream().map(outcome -> outcome.data().split(" ", 2)[0]).toList()) + "\"}";
            }
        };
    }
}
