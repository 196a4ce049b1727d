package dev.taskbridge.template;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import dev.taskbridge.plugin.ChunkOutcome;
import dev.taskbridge.plugin.FieldProblem;
import dev.taskbridge.plugin.InvalidPayloadException;
import dev.taskbridge.plugin.Payload;
import dev.taskbridge.plugin.PluginEnvironment;
import dev.taskbridge.plugin.ResultSummary;
import dev.taskbridge.plugin.TaskContext;
import dev.taskbridge.plugin.TaskForm;
import dev.taskbridge.plugin.TaskHandler;
import dev.taskbridge.plugin.TaskType;

/**
 * {@code notes.import}, the template's task type: a plain-text file of notes, one per line as
 * {@code REF-1: the note's text}, imported into the table {@code template_note} in chunks of
 * {@code chunkSize} notes (an option, 1 to 10,000, default 100).
 *
 * <p>What a plugin of its own keeps from here: {@link #parse} checks everything about the payload
 * and refuses it whole, naming each bad line, so that nothing half-stored is ever run; each chunk
 * writes through the engine's datasource, which {@link #prepare} is given, so its rows commit with
 * the engine's record of the chunk and happen exactly once; the table is made in {@link #prepare},
 * outside the chunks' transactions; {@code chunkCount} only counts. Registered in
 * {@code META-INF/services/dev.taskbridge.plugin.TaskType}.
 */
public class NotesImportTaskType implements TaskType<NotesImportTaskType.Notes> {

    public static final String ID = "notes.import";
    static final String CHUNK_SIZE = "chunkSize";
    static final int DEFAULT_CHUNK_SIZE = 100;
    static final int MAX_REFERENCE = 40;
    static final int MAX_TEXT = 500;
    private static final Pattern IMPORTED = Pattern.compile("\\{\"imported\":([0-9]{1,18})\\}");

    /** The parsed payload: the notes in file order, and how many go in one chunk. */
    public record Notes(List<Note> notes, int chunkSize) {
    }

    public record Note(String reference, String text) {
    }

    /**
     * The engine's datasource, kept from {@link #prepare}: the one whose connections join a chunk's
     * transaction, whichever database the server keeps its tasks in. (A fixed JNDI name would be
     * the demo's H2 even on a server whose tasks are in PostgreSQL: two databases in one
     * transaction, which WildFly refuses.)
     */
    private volatile DataSource dataSource;

    @Override
    public String id() {
        return ID;
    }

    @Override
    public int version() {
        return 1;
    }

    /** How the pages ask for it: a text file, and the chunk size a clerk may change. */
    @Override
    public TaskForm form() {
        return TaskForm.of("Import notes", "A text file, one note per line as REF-1: its text.", TaskForm.FileKind.TEXT)
                .withOptions(TaskForm.FormOption.integer(CHUNK_SIZE, "Notes per transaction", "1 to 10,000", DEFAULT_CHUNK_SIZE));
    }

    /** How the pages say a result: the result document has one field, so this reads it by hand. */
    @Override
    public Optional<ResultSummary> summary(String result) {
        Matcher imported = IMPORTED.matcher(result);
        return imported.matches()
                ? Optional.of(ResultSummary.of(ResultSummary.count(Long.parseLong(imported.group(1)), "note", "notes") + " imported."))
                : Optional.empty();
    }

    @Override
    public Notes parse(Payload payload) throws InvalidPayloadException {
        List<FieldProblem> problems = new ArrayList<>();
        if (!payload.mediaType().equals("text/plain")) {
            throw new InvalidPayloadException("body", "must be text/plain: one note per line, as REF-1: its text");
        }
        payload.options().keySet().stream().filter(option -> !option.equals(CHUNK_SIZE)).forEach(option ->
                problems.add(new FieldProblem(option, "is not an option of " + ID + "; it takes " + CHUNK_SIZE)));
        int chunkSize = chunkSize(payload, problems);
        List<Note> notes = new ArrayList<>();
        Set<String> references = new HashSet<>();
        String[] lines = payload.utf8Text().split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.isBlank()) {
                continue;
            }
            String where = "line " + (i + 1);
            int colon = line.indexOf(':');
            if (colon < 0) {
                problems.add(new FieldProblem(where, "has no colon: write REF-1: its text"));
                continue;
            }
            String reference = line.substring(0, colon).strip();
            String text = line.substring(colon + 1).strip();
            if (reference.isEmpty() || reference.length() > MAX_REFERENCE) {
                problems.add(new FieldProblem(where + ".reference", "must have 1 to " + MAX_REFERENCE + " characters"));
            } else if (!references.add(reference)) {
                problems.add(new FieldProblem(where + ".reference", reference + " is in the file twice"));
            }
            if (text.isEmpty() || text.length() > MAX_TEXT) {
                problems.add(new FieldProblem(where + ".text", "must have 1 to " + MAX_TEXT + " characters"));
            }
            notes.add(new Note(reference, text));
        }
        if (notes.isEmpty() && problems.isEmpty()) {
            problems.add(new FieldProblem("body", "has no notes"));
        }
        if (!problems.isEmpty()) {
            throw new InvalidPayloadException(problems);
        }
        return new Notes(List.copyOf(notes), chunkSize);
    }

    private static int chunkSize(Payload payload, List<FieldProblem> problems) {
        String value = payload.option(CHUNK_SIZE).orElse(String.valueOf(DEFAULT_CHUNK_SIZE));
        try {
            int size = Integer.parseInt(value.strip());
            if (size >= 1 && size <= 10_000) {
                return size;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        problems.add(new FieldProblem(CHUNK_SIZE, "must be a whole number from 1 to 10000, was '" + value + "'"));
        return 1;
    }

    /** The engine prepares a type before it reads any payload of it, so a chunk always finds this set. */
    private DataSource dataSource() {
        DataSource prepared = dataSource;
        if (prepared == null) {
            throw new IllegalStateException(ID + " is used before the engine prepared it");
        }
        return prepared;
    }

    /**
     * Makes the table if it is not there: the engine calls this once per deployment, before the
     * first payload is read, outside any chunk's transaction (DDL has no place there), and again
     * after a failure; so it must be safe to run twice.
     */
    @Override
    public void prepare(PluginEnvironment environment) throws SQLException {
        try (Connection connection = environment.dataSource().getConnection(); Statement ddl = connection.createStatement()) {
            ddl.execute("CREATE TABLE IF NOT EXISTS template_note (task_id VARCHAR(36) NOT NULL, reference VARCHAR("
                    + MAX_REFERENCE + ") NOT NULL, text VARCHAR(" + MAX_TEXT + ") NOT NULL, PRIMARY KEY (task_id, reference))");
        }
        dataSource = environment.dataSource();
    }

    @Override
    public TaskHandler<Notes> handler() {
        return new TaskHandler<>() {
            @Override
            public int chunkCount(Notes notes) {
                return (notes.notes().size() + notes.chunkSize() - 1) / notes.chunkSize(); // counting only: no I/O here
            }

            @Override
            public ChunkOutcome runChunk(Notes notes, int chunk, TaskContext context) throws Exception {
                List<Note> mine = notes.notes().subList(chunk * notes.chunkSize(),
                        Math.min(notes.notes().size(), (chunk + 1) * notes.chunkSize()));
                try (Connection connection = dataSource().getConnection();
                     PreparedStatement insert = connection.prepareStatement(
                             "INSERT INTO template_note (task_id, reference, text) VALUES (?, ?, ?)")) {
                    for (Note note : mine) {
                        insert.setString(1, context.taskId());
                        insert.setString(2, note.reference());
                        insert.setString(3, note.text());
                        insert.addBatch();
                    }
                    insert.executeBatch();
                }
                return new ChunkOutcome(mine.size(), 0, "");
            }

            @Override
            public String result(Notes notes, List<ChunkOutcome> outcomes) {
                return "{\"imported\":" + outcomes.stream().mapToInt(ChunkOutcome::itemsDone).sum() + "}";
            }
        };
    }
}
