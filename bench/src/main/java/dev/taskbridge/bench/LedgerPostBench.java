package dev.taskbridge.bench;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Date;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * {@code ledger.post} end to end against its floor, in one run: a 5,000-line CSV file (2,500
 * balanced documents) submitted over REST to the provisioned WildFly until the task is
 * SUCCEEDED, on H2 and on PostgreSQL, next to a plain JDBC batch insert of the same 5,000 lines
 * (and their 2,500 documents) in one transaction on the same kind of database. The target
 * is at most 1.5 × floor + 100 ms. Writes {@code bench/results/ledger-post.md}.
 */
public final class LedgerPostBench {

    private static final int DOCUMENTS = 2_500;
    /** Ports 8280 and 10190 by default; {@code -Dbench.port-offset} moves them, to run beside another server. */
    static final int PORT_OFFSET = Integer.getInteger("bench.port-offset", 200);
    private static final String API = "http://127.0.0.1:" + (8080 + PORT_OFFSET) + "/taskbridge/api";
    private static final String AUTH = "Basic " + Base64.getEncoder().encodeToString("clerk:clerk".getBytes(StandardCharsets.UTF_8));
    private static final String PG_URL = "jdbc:postgresql://127.0.0.1:5432/taskbridge_test?reWriteBatchedInserts=true";
    // the task's own status; the result has a "status" (POSTED, REJECTED) of its own
    private static final Pattern STATUS = Pattern.compile("\"status\":\"(QUEUED|RUNNING|SUCCEEDED|FAILED|CANCELLED)\"");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static long nextId = 2_000_000_000L + (System.currentTimeMillis() % 1_000_000) * 1_000L;

    /** Lines per posting chunk the bench also measures, beside the default of 1,000 (the option chunkLines). */
    private static final int OTHER_CHUNKS = 500;

    private record Row(String database, List<Double> floorMillis, List<Double> postMillis, List<Double> otherChunkMillis,
                       List<Phases> phases) {
    }

    /**
     * Where one post's time went, in milliseconds, from the client's clock and the task's history
     * (the server's clock: one machine, so the two agree): the request until its 202; queued, from
     * the task's SUBMITTED to its STARTED; chunk 0, the check of the whole file with the first
     * documents, until its CHUNK_COMMITTED; the later chunks, until the last one's; the end, until
     * SUCCEEDED; and until the client's event stream said so.
     */
    record Phases(double request, double queued, double firstChunk, double laterChunks, double end, double told) {

        static final List<String> NAMES = List.of("request until 202", "queued", "chunk 0: check and first documents",
                "chunks 1 to last", "last chunk to SUCCEEDED", "SUCCEEDED to the client's event");

        List<Double> values() {
            return List.of(request, queued, firstChunk, laterChunks, end, told);
        }
    }

    /** A post's time, submit to the client's news of SUCCEEDED, and where it went. */
    private record Post(double millis, Phases phases) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        Path benchDir = Path.of(System.getProperty("bench.dir"));
        Path repo = benchDir.getParent();
        Path server = repo.resolve("server-config/target/server");
        Path scripts = repo.resolve("actor-plugins/ledger/src/main/resources/META-INF/ledger");
        int runs = Integer.getInteger("bench.runs", 9);
        int warmups = Integer.getInteger("bench.warmups", 10);
        List<Row> rows = new ArrayList<>();
        for (String database : System.getProperty("bench.databases", "h2,postgresql").split(",")) {
            boolean h2 = database.equals("h2");
            Path base = benchDir.resolve("target/ledger-" + database);
            Process process = start(server, base, serverOptions(h2, base));
            try {
                awaitServer(process, base);
                // the demo books, as the server makes them in dev before its first ledger.post: the floor's lines need the accounts
                String floorUrl = h2 ? floorH2(benchDir, scripts) : withDemoBooks(PG_URL, scripts);
                String user = h2 ? "sa" : "taskbridge";
                String password = h2 ? "" : "taskbridge";
                List<Double> floor = new ArrayList<>();
                List<Double> post = new ArrayList<>();
                List<Double> other = new ArrayList<>();
                List<Phases> phases = new ArrayList<>();
                for (int i = 0; i < warmups + runs; i++) {
                    double floorMs = floor(floorUrl, user, password, "F" + i + "-" + System.nanoTime() % 100_000 + "-");
                    Post timed = post("P" + i + "-" + System.nanoTime() % 100_000 + "-", "");
                    double postMs = timed.millis();
                    double otherMs = post("Q" + i + "-" + System.nanoTime() % 100_000 + "-", "?chunkLines=" + OTHER_CHUNKS).millis();
                    System.out.printf(Locale.ROOT, "%s %s: floor %.1f ms, ledger.post %.1f ms, with chunkLines=%d %.1f ms%n",
                            database, i < warmups ? "warm-up" : "run", floorMs, postMs, OTHER_CHUNKS, otherMs);
                    if (i >= warmups) {
                        floor.add(floorMs);
                        post.add(postMs);
                        other.add(otherMs);
                        phases.add(timed.phases());
                    }
                }
                rows.add(new Row(h2 ? "H2 (file)" : "PostgreSQL", floor, post, other, phases));
            } finally {
                stop(process);
            }
        }
        Path results = benchDir.resolve("results/ledger-post.md");
        Files.writeString(results, report(rows, runs, warmups));
        System.out.println("Written to " + results);
    }

    /** The server's options for a database: H2's file under {@code base}, or the test database on PostgreSQL. */
    static List<String> serverOptions(boolean h2, Path base) {
        return h2
                ? List.of("-Dtaskbridge.db.dir=" + base.resolve("db"))
                : List.of("-Dtaskbridge.datasource=java:jboss/datasources/TaskbridgePostgresDS",
                        "-Dtaskbridge.pg.database=taskbridge_test");
    }

    /** Stops a server that {@link #start} started: standalone.sh starts the server's JVM as its child, so that first. */
    static void stop(Process process) throws Exception {
        stop(process, Duration.ofSeconds(90));
    }

    /**
     * Stops a server as {@link #stop(Process)} does, and kills it if it has not stopped within
     * {@code patience}: a server that ran out of heap may never finish its shutdown, and a bench
     * must not leave it running on the ports.
     */
    static void stop(Process process, Duration patience) throws Exception {
        List<ProcessHandle> children = process.descendants().toList();
        children.forEach(ProcessHandle::destroy);
        process.destroy();
        long deadline = System.nanoTime() + patience.toNanos();
        for (ProcessHandle child : children) {
            try {
                child.onExit().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                System.out.println("The server did not stop within " + patience.toSeconds() + " s; killing it (pid " + child.pid() + ")");
                child.destroyForcibly();
                child.onExit().get(30, TimeUnit.SECONDS);
            }
        }
        if (!process.waitFor(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    /**
     * The server's heap in every bench that starts one: the shipped default's maximum
     * ({@code server-config/src/main/bin/heap.conf}), fixed, so that a run does not depend on how
     * far the heap had grown; {@code -Dbench.server.heap} replaces it.
     */
    static String serverHeap() {
        return System.getProperty("bench.server.heap", "-Xms2g -Xmx2g");
    }

    static Process start(Path server, Path base, List<String> options) throws IOException {
        // A server someone left on these ports would answer instead of ours, and measure something else.
        for (int port : List.of(8080 + PORT_OFFSET, 9990 + PORT_OFFSET)) {
            try (java.net.Socket taken = new java.net.Socket("127.0.0.1", port)) {
                throw new IllegalStateException("port " + port + " is taken; stop whatever listens there (ss -ltnp)");
            } catch (java.net.ConnectException free) {
                // as it should be
            }
        }
        deleteRecursively(base);
        copyRecursively(server.resolve("standalone"), base);
        List<String> command = new ArrayList<>(List.of(server.resolve("bin/standalone.sh").toString(),
                "-Djboss.server.base.dir=" + base, "-Djboss.socket.binding.port-offset=" + PORT_OFFSET));
        command.addAll(options);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(base.resolve("console.log").toFile());
        // A fixed heap, as a server in production has, instead of standalone.conf's 64 MB growing to
        // 512 MB: a heap that grows while it is measured measures the collector.
        builder.environment().put("JBOSS_JAVA_SIZING", serverHeap());
        return builder.start();
    }

    /**
     * Waits until the server answers and has said how its boot went: one that started "with
     * errors" (WFLYSRV0026: a subsystem or deployment failed) would measure something else, so
     * the bench stops there with the log's ERROR lines.
     */
    static void awaitServer(Process process, Path base) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        Path console = base.resolve("console.log");
        boolean answers = false;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the server exited; its log: " + console);
            }
            String log = Files.exists(console) ? Files.readString(console) : "";
            if (log.contains("WFLYSRV0026")) {
                String errors = log.lines().filter(line -> line.contains(" ERROR ")).limit(20)
                        .collect(java.util.stream.Collectors.joining("\n"));
                throw new IllegalStateException("the server started with errors (" + console + "):\n" + errors);
            }
            if (!answers) {
                try {
                    answers = send(HttpRequest.newBuilder(URI.create(API + "/task-types")).GET()).statusCode() == 200;
                } catch (IOException e) {
                    // not up yet
                }
            }
            if (answers && log.contains("WFLYSRV0025")) {
                return;
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("the server did not come up in 180 s; its log: " + console);
    }

    /** Submit to SUCCEEDED, in milliseconds, and where the time went; checks that the file was posted. */
    private static Post post(String prefix, String options) throws Exception {
        StringBuilder csv = new StringBuilder("documentNumber,postingDate,accountCode,costCenter,debit,credit,currency,description\n");
        String today = LocalDate.now().toString();
        for (int document = 1; document <= DOCUMENTS; document++) {
            csv.append(prefix).append(document).append(',').append(today).append(",6100,CC1,12.34,0,EUR,supplies\n")
                    .append(prefix).append(document).append(',').append(today).append(",2000,CC1,0,12.34,EUR,payable\n");
        }
        Instant sent = Instant.now();
        long started = System.nanoTime();
        HttpResponse<String> accepted = send(HttpRequest.newBuilder(URI.create(API + "/task-types/ledger.post/tasks" + options))
                .header("Content-Type", "text/csv").POST(HttpRequest.BodyPublishers.ofString(csv.toString())));
        Instant answered = Instant.now();
        if (accepted.statusCode() != 202) {
            throw new IllegalStateException("submit: " + accepted.statusCode() + " " + accepted.body());
        }
        URI task = URI.create(accepted.headers().firstValue("Location").orElseThrow());
        String end = awaitEnd(task);
        double millis = (System.nanoTime() - started) / 1e6;
        Instant told = Instant.now();
        HttpResponse<String> done = send(HttpRequest.newBuilder(task).GET());
        if (!end.equals("SUCCEEDED") || !done.body().contains("\"status\":\"POSTED\"")) {
            throw new IllegalStateException("task " + end + ", not posted: " + done.body().substring(0, Math.min(500, done.body().length())));
        }
        return new Post(millis, phases(task, sent, answered, told));
    }

    /** Where a post's time went, from its history: see {@link Phases}. */
    private static Phases phases(URI task, Instant sent, Instant answered, Instant told) throws Exception {
        HttpResponse<String> history = send(HttpRequest.newBuilder(URI.create(task + "/history")).GET());
        if (history.statusCode() != 200) {
            throw new IllegalStateException("history: " + history.statusCode() + " " + history.body());
        }
        Instant submitted = null;
        Instant running = null;
        Instant firstChunk = null;
        Instant lastChunk = null;
        Instant succeeded = null;
        for (JsonNode entry : JSON.readTree(history.body())) {
            Instant at = Instant.parse(entry.get("at").asText());
            switch (entry.get("kind").asText()) {
                case "SUBMITTED" -> submitted = at;
                case "STARTED" -> running = at;
                case "CHUNK_COMMITTED" -> {
                    if (entry.get("chunk").asInt() == 0) {
                        firstChunk = at;
                    }
                    lastChunk = lastChunk == null || at.isAfter(lastChunk) ? at : lastChunk;
                }
                case "SUCCEEDED" -> succeeded = at;
                default -> { }
            }
        }
        if (submitted == null || running == null || firstChunk == null || succeeded == null) {
            throw new IllegalStateException("history without a submit, start, chunk 0 or success: " + history.body());
        }
        return new Phases(between(sent, answered), between(submitted, running), between(running, firstChunk),
                between(firstChunk, lastChunk), between(lastChunk, succeeded), between(succeeded, told));
    }

    private static double between(Instant from, Instant to) {
        return Duration.between(from, to).toNanos() / 1e6;
    }

    /**
     * Follows the task's event stream ({@code /events}, server-sent events) until it ends, as a
     * client of the live API does: the server says when, and nobody polls. The stream opens with
     * the task's state (event {@code task}), which covers a task that ended before it opened.
     *
     * @return the task's final status
     */
    private static String awaitEnd(URI task) throws Exception {
        HttpResponse<java.util.stream.Stream<String>> stream = HTTP.send(HttpRequest.newBuilder(URI.create(task + "/events"))
                .header("Authorization", AUTH).header("Accept", "text/event-stream").GET().build(),
                HttpResponse.BodyHandlers.ofLines());
        try (java.util.stream.Stream<String> lines = stream.body()) {
            String event = null;
            for (String line : (Iterable<String>) lines::iterator) {
                if (line.startsWith("event:")) {
                    event = line.substring(6).strip();
                } else if (line.startsWith("data:")) {
                    if (List.of("SUCCEEDED", "FAILED", "CANCELLED").contains(event)) {
                        return event;
                    }
                    Matcher status = STATUS.matcher(line);
                    if ("task".equals(event) && status.find() && List.of("SUCCEEDED", "FAILED", "CANCELLED").contains(status.group(1))) {
                        return status.group(1);
                    }
                }
            }
        }
        throw new IllegalStateException("the event stream of " + task + " ended before the task did");
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return HTTP.send(request.header("Authorization", AUTH).header("Accept", "application/json").build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A fresh H2 file database with the ledger's tables and demo data, opened as the server opens its own. */
    private static String floorH2(Path benchDir, Path scripts) throws Exception {
        Path dir = benchDir.resolve("target/ledger-floor-h2");
        deleteRecursively(dir);
        String url = "jdbc:h2:file:" + dir.toAbsolutePath().resolve("floor") + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0";
        try (Connection connection = DriverManager.getConnection(url, "sa", ""); Statement statement = connection.createStatement()) {
            for (String script : List.of("schema.sql", "demo-data.sql")) {
                for (String sql : Files.readString(scripts.resolve(script)).split(";\n")) {
                    if (!sql.isBlank()) {
                        statement.execute(sql);
                    }
                }
            }
        }
        return url;
    }

    /** PostgreSQL's database after the server made the ledger's tables, with the demo books added (idempotent). */
    private static String withDemoBooks(String url, Path scripts) throws Exception {
        try (Connection connection = DriverManager.getConnection(url, "taskbridge", "taskbridge");
             Statement statement = connection.createStatement()) {
            for (String sql : Files.readString(scripts.resolve("demo-data.sql")).split(";\n")) {
                if (!sql.isBlank()) {
                    statement.execute(sql);
                }
            }
        }
        return url;
    }

    /** The same 2,500 documents and 5,000 lines with plain JDBC batches of 500, one transaction, in milliseconds. */
    private static double floor(String url, String user, String password, String prefix) throws Exception {
        try (Connection connection = DriverManager.getConnection(url, user, password)) {
            connection.setAutoCommit(false);
            LocalDate today = LocalDate.now();
            long started = System.nanoTime();
            try (PreparedStatement entries = connection.prepareStatement("INSERT INTO ledger_entry (id, document_number, "
                    + "posting_date, currency, task_id, posted_at) VALUES (?, ?, ?, ?, ?, ?)");
                 PreparedStatement lines = connection.prepareStatement("INSERT INTO ledger_line (id, entry_id, line_no, "
                         + "file_line, account_code, cost_center, debit, credit, description) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                Timestamp now = Timestamp.from(Instant.now());
                for (int document = 1; document <= DOCUMENTS; document++) {
                    long entryId = nextId++;
                    entries.setLong(1, entryId);
                    entries.setString(2, prefix + document);
                    entries.setDate(3, Date.valueOf(today));
                    entries.setString(4, "EUR");
                    entries.setString(5, "bench-floor");
                    entries.setTimestamp(6, now);
                    entries.addBatch();
                    addLine(lines, entryId, 1, document * 2 - 1, "6100", "12.34", "0", "supplies");
                    addLine(lines, entryId, 2, document * 2, "2000", "0", "12.34", "payable");
                    if (document % 250 == 0) {
                        entries.executeBatch();
                        lines.executeBatch();
                    }
                }
                entries.executeBatch();
                lines.executeBatch();
            }
            connection.commit();
            return (System.nanoTime() - started) / 1e6;
        }
    }

    private static void addLine(PreparedStatement lines, long entryId, int lineNo, int fileLine, String account,
                                String debit, String credit, String description) throws Exception {
        lines.setLong(1, nextId++);
        lines.setLong(2, entryId);
        lines.setInt(3, lineNo);
        lines.setInt(4, fileLine);
        lines.setString(5, account);
        lines.setString(6, "CC1");
        lines.setBigDecimal(7, new BigDecimal(debit).setScale(2));
        lines.setBigDecimal(8, new BigDecimal(credit).setScale(2));
        lines.setString(9, description);
        lines.addBatch();
    }

    private static String report(List<Row> rows, int runs, int warmups) {
        StringBuilder out = new StringBuilder("""
                # ledger.post: a 5,000-line file against the plain-JDBC floor

                Written by `bench/ledger-post.sh` (`dev.taskbridge.bench.LedgerPostBench`); every run overwrites it.
                A CSV file of 2,500 balanced documents (5,000 lines) is submitted over REST to the provisioned
                WildFly (`POST /api/task-types/ledger.post/tasks`) and timed until its event stream (`GET /api/tasks/{id}/events`)
                reports SUCCEEDED, as a live client learns it (nothing polls);
                the floor is a plain JDBC batch insert of the same 2,500 documents and 5,000 lines in one transaction
                (batches of 500 lines) on the same kind of database, measured in the same run, alternating with the
                posts. Target (issue #4): ledger.post at most 1.5 × floor + 100 ms.

                | database | floor, median (ms) | target: 1.5 × floor + 100 ms | ledger.post, median (ms) | min | max | ledger.post ÷ target | with chunkLines=500, median (ms) | ÷ target |
                | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
                """);
        for (Row row : rows) {
            double floor = median(row.floorMillis());
            double target = 1.5 * floor + 100;
            double post = median(row.postMillis());
            double other = median(row.otherChunkMillis());
            out.append(String.format(Locale.ROOT, "| %s | %.1f | %.0f | %.0f | %.0f | %.0f | %.2f | %.0f | %.2f |%n", row.database(),
                    floor, target, post, row.postMillis().stream().mapToDouble(Double::doubleValue).min().orElse(0),
                    row.postMillis().stream().mapToDouble(Double::doubleValue).max().orElse(0), post / target,
                    other, other / target));
        }
        out.append("""

                Where the default post's time went, medians in ms (from the client's clock and the task's
                history, as the server stamped it; one machine, one clock, so the phases add up to about the
                total, but each median on its own):

                """);
        out.append("| database | ").append(String.join(" | ", Phases.NAMES)).append(" |\n| --- |")
                .append(" ---: |".repeat(Phases.NAMES.size())).append('\n');
        for (Row row : rows) {
            out.append("| ").append(row.database());
            for (int phase = 0; phase < Phases.NAMES.size(); phase++) {
                int index = phase;
                out.append(String.format(Locale.ROOT, " | %.1f", median(row.phases().stream().map(p -> p.values().get(index)).toList())));
            }
            out.append(" |\n");
        }
        out.append("""

                ledger.post runs with its defaults: chunks of 1,000 lines (whole documents), the first of them
                after the check of the whole file, each its own transaction with its effect marker; the last two
                columns post the same kind of file with the option `chunkLines=500` (twice as many transactions,
                progress twice as fine). A ratio below 1.00 meets the target.
                """);
        out.append(String.format(Locale.ROOT, "%n%d timed runs after %d warm-ups per database; date %s; %d cores; JVM %s.%n",
                runs, warmups, Instant.now(), Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.version")));
        return out.toString();
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int middle = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            }
        }
    }

    private static void copyRecursively(Path from, Path to) throws IOException {
        try (var paths = Files.walk(from)) {
            for (Path source : paths.toList()) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target);
                }
            }
        }
    }
}
