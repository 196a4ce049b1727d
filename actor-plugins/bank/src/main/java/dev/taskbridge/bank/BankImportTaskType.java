package dev.taskbridge.bank;

import java.io.OutputStreamWriter;
import java.io.StringReader;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

import javax.sql.DataSource;

import dev.taskbridge.plugin.ChunkOutcome;
import dev.taskbridge.plugin.FinishedTask;
import dev.taskbridge.plugin.InvalidPayloadException;
import dev.taskbridge.plugin.Payload;
import dev.taskbridge.plugin.PluginEnvironment;
import dev.taskbridge.plugin.ResultExport;
import dev.taskbridge.plugin.ResultSummary;
import dev.taskbridge.plugin.TaskContext;
import dev.taskbridge.plugin.TaskForm;
import dev.taskbridge.plugin.TaskHandler;
import dev.taskbridge.plugin.TaskType;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonReader;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * {@code bank.import}: a bank statement's incoming payments (CSV, {@link StatementCsv}, or ISO 20022
 * camt.053 XML, {@link StatementCamt}) matched to the open invoices they pay ({@link Invoices}),
 * in chunks of {@code chunkLines} payments (an
 * option, 1 to 5,000, default 500), each chunk's matches committed with its record: a statement
 * imported once pays each invoice once, whatever crashes. The result counts the payments by
 * outcome, with the amount matched per currency; {@code payments.csv} lists every payment with its
 * invoice and outcome, for the clerk who settles the rest.
 *
 * <p>One slot by default: statements are matched one after the other, as a clerk would. An
 * invoice is paid once whatever runs at once (its row is locked, and paid only while unpaid), but
 * which of two racing statements pays it would depend on timing.
 */
public class BankImportTaskType implements TaskType<Statement> {

    public static final String ID = "bank.import";

    /**
     * The engine's datasource, as {@link #prepare} was told it: the tables are there, and a
     * chunk's writes commit with its marker in one transaction. A fixed JNDI name would be the
     * demo's H2 on a server whose tasks are in PostgreSQL: two databases in one transaction, which
     * WildFly refuses, so no statement would ever be imported there.
     */
    private volatile DataSource dataSource;
    static final String CHUNK_LINES = "chunkLines";
    static final int MAX_CHUNK_LINES = 5_000;
    static final int DEFAULT_CHUNK_LINES = 500;
    static final Set<String> XML = Set.of("application/xml", "text/xml");
    static final TaskForm.FileKind CAMT_053 = new TaskForm.FileKind("application/xml", ".xml", "camt.053 XML");

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
        return 1;
    }

    @Override
    public Statement parse(Payload payload) throws InvalidPayloadException {
        String mediaType = payload.mediaType();
        boolean csv = mediaType.equals("text/csv") || mediaType.equals("text/plain");
        if (!csv && !XML.contains(mediaType)) {
            throw new InvalidPayloadException("body", "must be a statement as text/csv or as camt.053 XML (application/xml), was "
                    + mediaType);
        }
        int chunkLines = chunkLines(payload.option(CHUNK_LINES).orElse(String.valueOf(DEFAULT_CHUNK_LINES)));
        for (String option : payload.options().keySet()) {
            if (!option.equals(CHUNK_LINES)) {
                throw new InvalidPayloadException(option, "is not an option of " + ID + "; it takes " + CHUNK_LINES);
            }
        }
        if (csv) {
            return new Statement(StatementCsv.read(payload.utf8Text()), chunkLines);
        }
        StatementCamt.Read camt = StatementCamt.read(payload.body());
        return new Statement(camt.lines(), chunkLines, camt.leftOut());
    }

    private static int chunkLines(String value) throws InvalidPayloadException {
        try {
            int lines = Integer.parseInt(value.strip());
            if (lines >= 1 && lines <= MAX_CHUNK_LINES) {
                return lines;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new InvalidPayloadException(CHUNK_LINES, "must be a whole number from 1 to " + MAX_CHUNK_LINES + ", was '" + value + "'");
    }

    /** The engine prepares a type before any of its statements is read or exported. */
    DataSource dataSource() {
        DataSource prepared = dataSource;
        if (prepared == null) {
            throw new IllegalStateException(ID + " is used before the engine prepared it");
        }
        return prepared;
    }

    /**
     * Makes the tables if they are not there, with the demo's invoices in the {@code dev} profile
     * only: once per deployment, before the first statement is read (the engine's call, outside
     * any chunk's transaction; a failure is tried again with the next statement).
     */
    @Override
    public void prepare(PluginEnvironment environment) throws SQLException {
        try (Connection connection = environment.dataSource().getConnection()) {
            Invoices.makeTables(connection, environment.profile().demoData());
        }
        dataSource = environment.dataSource();
    }

    @Override
    public TaskHandler<Statement> handler() {
        return new TaskHandler<>() {
            @Override
            public int chunkCount(Statement statement) {
                return statement.chunkCount();
            }

            @Override
            public ChunkOutcome runChunk(Statement statement, int chunk, TaskContext context) throws Exception {
                List<Invoices.Match> matches;
                try (Connection connection = dataSource().getConnection()) {
                    matches = Invoices.matchAll(connection, context.taskId(), statement, chunk);
                }
                return new ChunkOutcome(matches.size(), 0, Tally.of(matches).json().build().toString());
            }

            @Override
            public String result(Statement statement, List<ChunkOutcome> outcomes) {
                Tally all = new Tally();
                outcomes.forEach(outcome -> all.add(Tally.read(outcome.data())));
                return all.json().add("payments", statement.lines().size()).add("leftOut", statement.leftOut()).build().toString();
            }
        };
    }

    @Override
    public TaskForm form() {
        return TaskForm.of("Import a bank statement", "A statement as the bank delivers it: camt.053 XML, or CSV with the "
                        + "header row " + String.join(", ", StatementCsv.COLUMNS) + ". Each incoming payment is matched to the "
                        + "open invoice it pays; you download the payments with their invoices and settle the rest by hand.",
                        TaskForm.FileKind.CSV, CAMT_053)
                .withOptions(TaskForm.FormOption.integer(CHUNK_LINES, "Payments per transaction",
                        "1 to " + ResultSummary.count(MAX_CHUNK_LINES) + "; progress shows after each", DEFAULT_CHUNK_LINES));
    }

    /** "120 payments: 100 matched to their invoices (EUR 12,345.00); 20 to settle by hand: ...". */
    @Override
    public Optional<ResultSummary> summary(String result) {
        JsonObject json = Tally.object(result);
        if (!json.containsKey("payments")) {
            return Optional.empty();
        }
        Tally tally = Tally.read(json);
        int matched = tally.count(Invoices.Outcome.MATCHED) + tally.count(Invoices.Outcome.MATCHED_BY_AMOUNT);
        int toSettle = tally.count(Invoices.Outcome.ALREADY_PAID) + tally.count(Invoices.Outcome.AMOUNT_DIFFERS)
                + tally.count(Invoices.Outcome.UNMATCHED);
        List<String> amounts = new ArrayList<>();
        tally.matched.forEach((currency, amount) -> amounts.add(currency + " " + ResultSummary.amount(amount)));
        String headline = ResultSummary.count(json.getInt("payments"), "payment", "payments") + ": "
                + ResultSummary.count(matched) + " matched to their invoices"
                + (amounts.isEmpty() ? "" : " (" + String.join(", ", amounts) + ")")
                + (toSettle == 0 ? "." : "; " + ResultSummary.count(toSettle) + " to settle by hand.");
        List<ResultSummary.Figure> figures = new ArrayList<>();
        for (Invoices.Outcome outcome : Invoices.Outcome.values()) {
            figures.add(new ResultSummary.Figure(outcome.label(), ResultSummary.count(tally.count(outcome))));
        }
        ResultSummary summary = toSettle == 0 ? ResultSummary.of(headline) : ResultSummary.problem(headline);
        List<String> notes = new ArrayList<>();
        int repeats = tally.count(Invoices.Outcome.DUPLICATE);
        if (repeats > 0) {
            notes.add(ResultSummary.count(repeats, "payment repeats", "payments repeat") + " an earlier statement's: nothing was paid twice.");
        }
        int leftOut = json.getInt("leftOut", 0);
        if (leftOut > 0) {
            notes.add(ResultSummary.count(leftOut, "booking", "bookings") + " of the statement "
                    + (leftOut == 1 ? "was" : "were") + " left out: debits, reversals, entries not booked yet and zero amounts.");
        }
        summary = summary.withNotes(notes.toArray(String[]::new));
        return Optional.of(summary.withFigures(figures.toArray(ResultSummary.Figure[]::new)));
    }

    @Override
    public List<ResultExport> exports() {
        return List.of(new PaymentsCsv(this::dataSource));
    }

    /** Payments by outcome, and the amount matched per currency: a chunk's, or a statement's. */
    static final class Tally {

        final Map<Invoices.Outcome, Integer> counts = new EnumMap<>(Invoices.Outcome.class);
        final Map<String, BigDecimal> matched = new TreeMap<>();

        static Tally of(List<Invoices.Match> matches) {
            Tally tally = new Tally();
            for (Invoices.Match match : matches) {
                tally.counts.merge(match.outcome(), 1, Integer::sum);
                if (match.outcome() == Invoices.Outcome.MATCHED || match.outcome() == Invoices.Outcome.MATCHED_BY_AMOUNT) {
                    tally.matched.merge(match.line().currency(), match.line().amount(), BigDecimal::add);
                }
            }
            return tally;
        }

        int count(Invoices.Outcome outcome) {
            return counts.getOrDefault(outcome, 0);
        }

        static Tally read(String json) {
            return read(object(json));
        }

        static JsonObject object(String json) {
            try (JsonReader reader = Json.createReader(new StringReader(json))) {
                return reader.readObject();
            } catch (RuntimeException e) {
                throw new IllegalStateException("a tally is not the JSON it wrote: '" + json + "'", e);
            }
        }

        static Tally read(JsonObject object) {
            Tally tally = new Tally();
            for (Invoices.Outcome outcome : Invoices.Outcome.values()) {
                // an outcome added later is none in an older result
                tally.counts.put(outcome, object.getInt(key(outcome), 0));
            }
            object.getJsonObject("matchedAmount").forEach((currency, amount) ->
                    tally.matched.put(currency, new BigDecimal(((jakarta.json.JsonString) amount).getString())));
            return tally;
        }

        void add(Tally other) {
            other.counts.forEach((outcome, count) -> counts.merge(outcome, count, Integer::sum));
            other.matched.forEach((currency, amount) -> matched.merge(currency, amount, BigDecimal::add));
        }

        JsonObjectBuilder json() {
            JsonObjectBuilder json = Json.createObjectBuilder();
            for (Invoices.Outcome outcome : Invoices.Outcome.values()) {
                json.add(key(outcome), counts.getOrDefault(outcome, 0));
            }
            JsonObjectBuilder amounts = Json.createObjectBuilder();
            matched.forEach((currency, amount) -> amounts.add(currency, amount.toPlainString()));
            return json.add("matchedAmount", amounts);
        }

        /** MATCHED_BY_AMOUNT as matchedByAmount. */
        private static String key(Invoices.Outcome outcome) {
            StringBuilder key = new StringBuilder();
            for (String word : outcome.name().toLowerCase(java.util.Locale.ROOT).split("_")) {
                key.append(key.length() == 0 ? word : Character.toUpperCase(word.charAt(0)) + word.substring(1));
            }
            return key.toString();
        }
    }

    /** Every payment of a statement with its invoice and outcome, in file order, read from {@code bank_payment}. */
    static final class PaymentsCsv implements ResultExport {

        private final Supplier<DataSource> dataSource;

        PaymentsCsv(Supplier<DataSource> dataSource) {
            this.dataSource = dataSource;
        }

        static final CSVFormat FORMAT = CSVFormat.RFC4180.builder().setHeader("line", "bookingDate", "amount", "currency",
                "counterparty", "reference", "invoice", "outcome").get();

        @Override
        public String name() {
            return "payments.csv";
        }

        @Override
        public String mediaType() {
            return "text/csv";
        }

        @Override
        public String description() {
            return "every payment with the invoice it paid and its outcome";
        }

        @Override
        public boolean offeredFor(String result) {
            return Tally.object(result).getInt("payments", 0) > 0;
        }

        @Override
        public Body prepare(FinishedTask<?> task) throws Exception {
            List<List<Object>> rows = new ArrayList<>();
            try (Connection connection = dataSource.get().getConnection();
                 PreparedStatement query = connection.prepareStatement("SELECT line_no, booking_date, amount, currency,"
                         + " counterparty, reference, invoice_number, outcome FROM bank_payment WHERE task_id = ? ORDER BY line_no")) {
                query.setString(1, task.id());
                try (ResultSet payment = query.executeQuery()) {
                    while (payment.next()) {
                        rows.add(List.of(payment.getInt(1), payment.getDate(2).toLocalDate(), payment.getBigDecimal(3).toPlainString(),
                                payment.getString(4), payment.getString(5), payment.getString(6),
                                payment.getString(7) == null ? "" : payment.getString(7), payment.getString(8)));
                    }
                }
            }
            return out -> {
                Writer writer = new OutputStreamWriter(out, StandardCharsets.UTF_8);
                writer.write('\uFEFF'); // so that a spreadsheet reads it as UTF-8
                CSVPrinter csv = new CSVPrinter(writer, FORMAT);
                for (List<Object> row : rows) {
                    // the payer wrote the reference: nothing of it may run as a formula in the clerk's spreadsheet
                    csv.printRecord(row.stream().map(cell -> cell instanceof String text ? ResultExport.inert(text) : cell).toList());
                }
                csv.flush();
            };
        }
    }
}
