package dev.taskbridge.it.plugin;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import javax.sql.DataSource;

import dev.taskbridge.plugin.ChunkOutcome;
import dev.taskbridge.plugin.ChunkUndo;
import dev.taskbridge.plugin.InvalidPayloadException;
import dev.taskbridge.plugin.Payload;
import dev.taskbridge.plugin.PluginEnvironment;
import dev.taskbridge.plugin.TaskContext;
import dev.taskbridge.plugin.TaskHandler;
import dev.taskbridge.plugin.TaskType;

/**
 * Test plugin {@code it.rows}: each chunk inserts rows into {@code it_rows} through the engine's
 * datasource (the server's JTA one, or a headless worker's), so that rows and the chunk's marker
 * share a transaction, then sleeps, so that a crash often lands inside it. The payload is
 * {@code chunks=N,rows=M,sleepMillis=S[,failAtChunk=K][,failOnceAtChunk=K]}; chunk K fails for
 * good with {@code failAtChunk}, and only on its first run with {@code failOnceAtChunk} (a bug
 * fixed before an operator retries the task). Each chunk logs a line through
 * {@link System.Logger}, as plain-Java plugin code would, when it begins and when its work is done
 * (its commit follows). Deployed only by the tests that run their own server or worker.
 */
public class RowWritingTaskType implements TaskType<RowWritingTaskType.Script> {

    public static final String ID = "it.rows";

    public record Script(int chunks, int rows, long sleepMillis, int failAtChunk, int failOnceAtChunk) {
    }

    /** Tasks whose failOnceAtChunk chunk failed already. */
    private static final Set<String> FAILED_ONCE = ConcurrentHashMap.newKeySet();

    private static final System.Logger LOG = System.getLogger(RowWritingTaskType.class.getName());

    @Override
    public String id() {
        return ID;
    }

    /**
     * 1, or the system property {@value #VERSION_PROPERTY}: a server started with another version
     * stands for a deploy of another version of the plugin (note 028); or else the version the
     * plugin's jar says in {@value #VERSION_RESOURCE}, as a jar built from other sources would (the
     * deploy command's test). Versions above 1 take tasks of an older one only with
     * {@value #MIGRATES_PROPERTY}{@code =true} (a system property, or {@code migrates=true} in the
     * resource); a payload of version 2 or later has the option {@code shape=2}, which the migration
     * adds, as a real one would reshape it.
     */
    @Override
    public int version() {
        return Integer.getInteger(VERSION_PROPERTY, Integer.parseInt(OF_THE_JAR.getProperty("version", "1")));
    }

    public static final String VERSION_PROPERTY = "it.rows.version";
    public static final String MIGRATES_PROPERTY = "it.rows.migrates";
    /** In the plugin's jar, when it stands for another version: {@code version=N}, {@code migrates=true}. */
    public static final String VERSION_RESOURCE = "it-rows-version.properties";
    static final String SHAPE = "shape";

    private static final java.util.Properties OF_THE_JAR = ofTheJar();

    private static java.util.Properties ofTheJar() {
        java.util.Properties properties = new java.util.Properties();
        try (java.io.InputStream in = RowWritingTaskType.class.getClassLoader().getResourceAsStream(VERSION_RESOURCE)) {
            if (in != null) {
                properties.load(in);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return properties;
    }

    private static boolean migrates() {
        return Boolean.getBoolean(MIGRATES_PROPERTY) || Boolean.parseBoolean(OF_THE_JAR.getProperty("migrates"));
    }

    @Override
    public java.util.Optional<dev.taskbridge.plugin.PayloadMigration> migrationFrom(int olderVersion) {
        if (!migrates() || olderVersion != 1) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(older -> {
            Map<String, String> options = new HashMap<>(older.options());
            options.put(SHAPE, "2");
            return older.withOptions(options);
        });
    }

    @Override
    public Script parse(Payload payload) throws InvalidPayloadException {
        if (version() >= 2 && !"2".equals(payload.options().get(SHAPE))) {
            throw new InvalidPayloadException(SHAPE, "must be 2: version " + version() + " takes payloads of its own shape only");
        }
        Map<String, Integer> values = new HashMap<>();
        for (String pair : payload.text().split(",")) {
            String[] kv = pair.split("=", 2);
            try {
                values.put(kv[0].strip(), Integer.parseInt(kv[1].strip()));
            } catch (RuntimeException e) {
                throw new InvalidPayloadException(kv[0].strip(), "must be name=number");
            }
        }
        return new Script(values.getOrDefault("chunks", 1), values.getOrDefault("rows", 1),
                values.getOrDefault("sleepMillis", 0), values.getOrDefault("failAtChunk", -1),
                values.getOrDefault("failOnceAtChunk", -1));
    }

    /** The engine's datasource as {@link #prepare} was given it: the server's JTA one, or a worker's chunk-scoped one. */
    private static volatile DataSource database;

    static DataSource dataSource() {
        DataSource known = database;
        if (known == null) {
            throw new IllegalStateException(ID + " runs before the engine prepared it");
        }
        return known;
    }

    /**
     * Keeps the engine's datasource and creates the table if it is not there. The engine prepares
     * each type once per deployment, but two types (this and {@code it.audit}) may do it at once,
     * and concurrent {@code CREATE TABLE IF NOT EXISTS} can fail on PostgreSQL (a race on its
     * catalog), so the creation is serialized here.
     */
    static synchronized void createTable(PluginEnvironment environment) throws SQLException {
        database = environment.dataSource();
        try (Connection connection = dataSource().getConnection(); Statement ddl = connection.createStatement()) {
            ddl.execute("CREATE TABLE IF NOT EXISTS it_rows (task_id VARCHAR(36) NOT NULL, chunk INT NOT NULL, "
                    + "row_no INT NOT NULL)");
        }
    }

    @Override
    public void prepare(PluginEnvironment environment) throws SQLException {
        createTable(environment);
    }

    /** Reverses a chunk as a ledger would (note 030): a row numbered -1 - n for each row n it wrote. */
    @Override
    public Optional<ChunkUndo<Script>> undo() {
        return Optional.of((script, committed, context) -> {
            try (Connection connection = dataSource().getConnection();
                 PreparedStatement reverse = connection.prepareStatement(
                         "INSERT INTO it_rows (task_id, chunk, row_no) VALUES (?, ?, ?)")) {
                for (int row = 0; row < script.rows(); row++) {
                    reverse.setString(1, committed.taskId());
                    reverse.setInt(2, committed.chunk());
                    reverse.setInt(3, -1 - row);
                    reverse.addBatch();
                }
                reverse.executeBatch();
            }
            Thread.sleep(script.sleepMillis()); // as long as the chunk it undoes, so the type's chunks stay as long as a test made them
            return new ChunkOutcome(script.rows(), 0, "");
        });
    }

    @Override
    public TaskHandler<Script> handler() {
        return new TaskHandler<>() {
            @Override
            public int chunkCount(Script script) {
                return script.chunks();
            }

            @Override
            public ChunkOutcome runChunk(Script script, int chunk, TaskContext context) throws Exception {
                LOG.log(System.Logger.Level.INFO, "it.rows writes chunk " + chunk);
                if (chunk == script.failAtChunk()) {
                    throw new IllegalStateException("chunk " + chunk + " is broken (on purpose)");
                }
                if (chunk == script.failOnceAtChunk() && FAILED_ONCE.add(context.taskId())) {
                    throw new IllegalStateException("chunk " + chunk + " fails this once (on purpose)");
                }
                try (Connection connection = dataSource().getConnection();
                     PreparedStatement insert = connection.prepareStatement(
                             "INSERT INTO it_rows (task_id, chunk, row_no) VALUES (?, ?, ?)")) {
                    for (int row = 0; row < script.rows(); row++) {
                        insert.setString(1, context.taskId());
                        insert.setInt(2, chunk);
                        insert.setInt(3, row);
                        insert.addBatch();
                    }
                    insert.executeBatch();
                }
                Thread.sleep(script.sleepMillis());
                LOG.log(System.Logger.Level.INFO, "it.rows wrote chunk " + chunk);
                return new ChunkOutcome(script.rows(), 0, "");
            }

            @Override
            public String result(Script script, List<ChunkOutcome> outcomes) {
                return "{\"rows\":" + outcomes.stream().mapToInt(ChunkOutcome::itemsDone).sum() + "}";
            }
        };
    }
}
