package dev.taskbridge.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * The server under hostile clients, bounded and on loopback (issue #11): {@code bench.streams}
 * (500) event streams whose clients never read, while 16 keep-alive clients submit 10,000 tiny
 * {@code ledger.validate} tasks ({@link TinyTaskLoad}) and 32 clients upload a CSV file just under
 * the 20 MiB limit to {@code ledger.post?checkOnly=true} at once. Throughout, the server's heap,
 * collections and open streams are read from its Prometheus endpoint every 500 ms, and two probes
 * ({@code /health/live} and {@code GET /api/task-types}) time its answers. At the end the clients
 * close their streams, and the server must release every one ({@code taskbridge_event_streams_open}
 * back to 0, no connection left half-closed).
 *
 * <p>Fails (after writing {@code bench/results/hostile-load.md}) on any 5xx or missing answer,
 * any task lost or failed, a heap at its maximum or out of memory, or a stream not released.
 * Run by {@code bench/hostile-load.sh}; it is not part of {@code mvn verify}.
 */
public final class HostileLoadBench {

    private static final int APP_PORT = 8080 + LedgerPostBench.PORT_OFFSET;
    private static final List<String> USERS = List.of("clerk", "clerk2", "supervisor", "admin");
    /** Streams one user may hold in this run: 500 spread over 4 demo users are far beyond the default 8. */
    private static final int STREAMS_PER_USER = 1_000;
    /** What the client sockets of the streams ask the kernel for: a few KiB, so that TCP pushes back at once. */
    private static final int RECEIVE_BUFFER = 4 * 1024;
    private static final Duration LOAD_LIMIT = Duration.ofSeconds(150);
    private static final Duration RELEASE_LIMIT = Duration.ofSeconds(60);
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(10);
    /** Longest wait for an upload's answer: sending 20 MiB on loopback takes well under a second. */
    private static final Duration UPLOAD_TIMEOUT = Duration.ofMinutes(2);
    /** How long a server may take to stop before it is killed (a server that ran out of heap may never finish). */
    private static final Duration STOP_PATIENCE = Duration.ofSeconds(30);
    private static final long SAMPLE_MILLIS = 500;
    /**
     * Longest wait for {@code /prometheus}: a server that collects a full heap over and over may
     * not answer at all, and the bench must still end and write what it saw.
     */
    private static final Duration SCRAPE_TIMEOUT = Duration.ofSeconds(10);

    /**
     * How often an upload is sent again, with the same {@code Idempotency-Key}, after its
     * connection closed without an answer: a keep-alive connection that the server closed as idle
     * (its read timeout) just as the client reused it. HTTP/1.1 lets either side close an idle
     * connection at any time (RFC 9112, 9.6), so a client must be ready to send again, and the key
     * is what makes sending a POST again safe (the server answers a repeat with the stored task).
     */
    private static final int RESENDS_AFTER_DROP = 2;
    /**
     * How soon a send must fail to be taken for that race: the server closed the connection before
     * it read anything, so the client's send fails within about a second (seen: 0.5-1.1 s for
     * 19.5 MB on loopback, under the bench's load).
     */
    private static final double DROPPED_AT_ONCE_SECONDS = 2.0;
    private static final HttpClient UPLOAD_CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private HostileLoadBench() {
    }

    /** One heap and streams reading of the server. */
    private record Sample(double seconds, double heapUsed, double oldGenUsed, double streamsOpen, double tasksDone) {
    }

    /** A probe's answers: status by count, and each answer's latency. */
    private record Probe(String name, Map<Integer, Integer> statuses, long[] sortedNanos) {

        int failures() {
            return statuses.entrySet().stream().filter(e -> e.getKey() != 200).mapToInt(Map.Entry::getValue).sum();
        }
    }

    private record Run(String database, int streamsWanted, Map<Integer, Integer> allTaskStreams, Map<Integer, Integer> taskStreams,
                       double peakStreamsOpen, double streamsOpenBeforeClose, double releaseSeconds, double streamsOpenAfter,
                       long closeWaitAfter, long establishedBefore, long establishedAfter,
                       TinyTaskLoad.Load load, double loadSeconds, double succeeded, double failed,
                       Map<Integer, Integer> uploads, int uploadsTurnedAway, int uploadsResent, int uploadTasks, double uploadTasksStored,
                       List<String> uploadMessages, int uploadBytes,
                       long[] sortedUploadNanos,
                       double heapMax, List<Sample> samples, double gcYoungCount, double gcYoungSeconds, double gcOldCount,
                       double gcOldSeconds, int scrapeFailures, List<Probe> probes, long outOfMemoryLines,
                       List<String> threadsKilled, List<String> problems) {
    }

    public static void main(String[] args) throws Exception {
        Path benchDir = Path.of(System.getProperty("bench.dir"));
        Path server = benchDir.getParent().resolve("server-config/target/server");
        List<Run> runs = new ArrayList<>();
        List<String> broken = new ArrayList<>();
        for (String database : System.getProperty("bench.databases", "h2").split(",")) {
            boolean h2 = database.equals("h2");
            Path base = benchDir.resolve("target/hostile-" + database);
            List<String> options = new ArrayList<>(LedgerPostBench.serverOptions(h2, base));
            options.add("-Dtaskbridge.events.max-streams-per-user=" + STREAMS_PER_USER);
            Process process = LedgerPostBench.start(server, base, options);
            try {
                LedgerPostBench.awaitServer(process, base);
                runs.add(run(h2 ? "H2 (file)" : "PostgreSQL", base));
            } catch (Exception e) {
                // still write what there is: a bench that breaks on a broken server shows nothing
                e.printStackTrace();
                broken.add((h2 ? "H2 (file)" : "PostgreSQL") + ": the bench could not finish: " + e);
            } finally {
                LedgerPostBench.stop(process, STOP_PATIENCE);
            }
        }
        Path results = Path.of(System.getProperty("bench.results", benchDir.resolve("results/hostile-load.md").toString()));
        Files.writeString(results, report(runs, broken));
        System.out.println(report(runs, broken));
        System.out.println("Written to " + results);
        List<String> problems = new ArrayList<>(broken);
        runs.forEach(run -> run.problems().forEach(p -> problems.add(run.database() + ": " + p)));
        if (!problems.isEmpty()) {
            throw new IllegalStateException("the server did not hold: " + String.join("; ", problems));
        }
    }

    private static Run run(String label, Path base) throws Exception {
        int streams = Integer.getInteger("bench.streams", 500);
        int tasks = Integer.getInteger("bench.tasks", 10_000);
        int clients = Integer.getInteger("bench.clients", 16);
        int uploads = Integer.getInteger("bench.uploads", 32);
        int streamsPerUpload = Integer.getInteger("bench.streams.per.upload", 4);
        int uploadBytes = Integer.getInteger("bench.upload.bytes", 20 * 1024 * 1024 - 4 * 1024);
        List<String> problems = new ArrayList<>();

        String before = TinyTaskLoad.scrape();
        double heapMax = TinyTaskLoad.sum(before, "memory_max_heap_bytes", "");
        double succeededBefore = TinyTaskLoad.sum(before, "taskbridge_tasks_succeeded_total", "\"ledger.validate\"");
        double failedBefore = TinyTaskLoad.sum(before, "taskbridge_tasks_failed_total", "\"ledger.validate\"");
        double postsBefore = TinyTaskLoad.sum(before, "taskbridge_tasks_submitted_total", "\"ledger.post\"");
        long establishedBefore = serverConnections("established");

        Sampler sampler = new Sampler(succeededBefore);
        Prober prober = new Prober();
        List<Socket> sockets = Collections.synchronizedList(new ArrayList<>());
        Map<Integer, AtomicInteger> allTaskStreams = new ConcurrentHashMap<>();
        Map<Integer, AtomicInteger> taskStreams = new ConcurrentHashMap<>();
        ExecutorService openers = Executors.newFixedThreadPool(8);
        long deadline = System.nanoTime() + LOAD_LIMIT.toNanos();
        try {
            // 1. the streams that follow every task, spread over the users, opened before the load
            int allTasks = streams - uploads * streamsPerUpload;
            for (int i = 0; i < allTasks; i++) {
                String user = USERS.get(i % USERS.size());
                openers.execute(() -> count(allTaskStreams, openStream("/taskbridge/api/events", user, sockets)));
            }
            awaitCount(allTaskStreams, allTasks, deadline);
            System.out.printf("[%s] %d streams of /api/events open, none read%n", label, allTasks);

            // 2. tiny tasks and uploads at once; each accepted upload gets streams of its own task
            byte[] file = junkCsv(uploadBytes);
            Map<Integer, AtomicInteger> uploadStatuses = new ConcurrentHashMap<>();
            AtomicInteger turnedAway = new AtomicInteger();
            AtomicInteger resentAfterDrop = new AtomicInteger();
            Map<String, String> uploadTaskIds = new ConcurrentHashMap<>();
            String runKey = "hostile-" + UUID.randomUUID();
            List<String> uploadMessages = Collections.synchronizedList(new ArrayList<>());
            long[] uploadNanos = new long[uploads];
            ExecutorService uploaders = Executors.newFixedThreadPool(uploads);
            TinyTaskLoad.Load load = TinyTaskLoad.start(tasks, clients, deadline, client -> USERS.get(client % 2));
            for (int u = 0; u < uploads; u++) {
                int upload = u;
                String owner = USERS.get(u % 2);
                uploaders.execute(() -> {
                    long sent = System.nanoTime();
                    int status;
                    try {
                        status = upload(owner, runKey + "-" + upload, file, deadline, turnedAway, resentAfterDrop, uploadTaskIds,
                                uploadMessages);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    } catch (RuntimeException e) {
                        // an answer the bench cannot read (no Location, a Retry-After that is no number) is counted, not lost
                        status = TinyTaskLoad.NO_ANSWER;
                        uploadMessages.add("unreadable answer: " + e);
                    }
                    if (status == 200 || status == 202) {
                        String path = "/taskbridge/api/tasks/" + uploadTaskIds.get(runKey + "-" + upload) + "/events";
                        for (int s = 0; s < streamsPerUpload; s++) {
                            String user = s == 1 ? "supervisor" : s == 2 ? "admin" : owner;
                            openers.execute(() -> count(taskStreams, openStream(path, user, sockets)));
                        }
                    }
                    uploadNanos[upload] = System.nanoTime() - sent;
                    count(uploadStatuses, status);
                });
            }
            uploaders.shutdown();
            while (!load.awaitClients(1_000) || !uploaders.awaitTermination(1, TimeUnit.SECONDS)) {
                progress(label, sampler, load, uploadStatuses, tasks, uploads);
            }
            load.checkClients();
            double done;
            while ((done = sampler.latestDone()) < load.accepted() && System.nanoTime() < deadline) {
                progress(label, sampler, load, uploadStatuses, tasks, uploads);
                Thread.sleep(500);
            }
            done = sum(scrapeOrNull(), "taskbridge_tasks_succeeded_total", "\"ledger.validate\"") - succeededBefore;
            double loadSeconds = (System.nanoTime() - load.startNanos) / 1e9;
            progress(label, sampler, load, uploadStatuses, tasks, uploads);
            System.out.println();
            int uploadsStored = uploadStatuses.getOrDefault(202, new AtomicInteger()).get()
                    + uploadStatuses.getOrDefault(200, new AtomicInteger()).get();
            awaitCount(taskStreams, uploadsStored * streamsPerUpload, System.nanoTime() + TimeUnit.SECONDS.toNanos(10));

            // 3. the clients close their streams: the server must let go of every one
            double openBeforeClose = sum(scrapeOrNull(), "taskbridge_event_streams_open", "");
            long closing = System.nanoTime();
            closeAll(sockets);
            double openAfter = openBeforeClose;
            long closeWait = 0;
            double releaseSeconds = Double.NaN;
            while (System.nanoTime() - closing < RELEASE_LIMIT.toNanos()) {
                openAfter = sum(scrapeOrNull(), "taskbridge_event_streams_open", "");
                closeWait = serverConnections("close-wait");
                if (openAfter == 0 && closeWait == 0) {
                    releaseSeconds = (System.nanoTime() - closing) / 1e9;
                    break;
                }
                System.out.printf("\r[%s] clients closed their streams; the server holds %.0f, %d connections half-closed, %.0f s   ",
                        label, openAfter, closeWait, (System.nanoTime() - closing) / 1e9);
                Thread.sleep(500);
            }
            System.out.println();
            long establishedAfter = serverConnections("established");
            String after = scrapeOrNull();
            double failed = sum(after, "taskbridge_tasks_failed_total", "\"ledger.validate\"") - failedBefore;
            sampler.stop();
            List<Probe> probes = prober.stop();
            long outOfMemory = logLines(base, "OutOfMemoryError");
            // a thread that an OutOfMemoryError ended: an I/O thread of the listener takes its connections with it
            List<String> threadsKilled = grepLog(base, "Exception in thread \"").stream()
                    .filter(line -> line.contains("OutOfMemoryError"))
                    .map(line -> line.substring(line.indexOf("Exception in thread \"") + 21))
                    .map(line -> line.substring(0, line.indexOf('"')))
                    .distinct().toList();

            Map<Integer, Integer> uploadAnswers = snapshot(uploadStatuses);
            long[] sortedUploads = uploadNanos.clone();
            Arrays.sort(sortedUploads);
            double peakOpen = sampler.samples.stream().mapToDouble(Sample::streamsOpen).max().orElse(Double.NaN);
            double heapUsedMax = sampler.samples.stream().mapToDouble(Sample::heapUsed).max().orElse(Double.NaN);

            // what fails the bench
            Map<Integer, Integer> submits = load.statuses();
            if (submits.keySet().stream().anyMatch(status -> status != 202)) {
                problems.add("tiny submits answered " + submits + ", e.g. " + load.unexpected());
            }
            if (load.accepted() < tasks || !(done >= tasks) || !(failed == 0)) {
                problems.add(String.format(Locale.ROOT, "tasks: %d accepted, %.0f succeeded, %.0f failed, of %d", load.accepted(), done, failed, tasks));
            }
            if (uploadAnswers.keySet().stream().anyMatch(status -> status >= 500 || status == TinyTaskLoad.NO_ANSWER)
                    || uploadAnswers.values().stream().mapToInt(Integer::intValue).sum() != uploads) {
                problems.add("uploads answered " + uploadAnswers + " of " + uploads + ": " + uploadMessages);
            }
            // an upload sent again after a dropped connection may have been stored the first time: then
            // the key finds it (200), and the server's count of stored uploads shows none stored twice
            int uploadTasks = new java.util.HashSet<>(uploadTaskIds.values()).size();
            double uploadTasksStored = after == null ? Double.NaN
                    : sum(after, "taskbridge_tasks_submitted_total", "\"ledger.post\"") - postsBefore;
            if (uploadTasks != uploadTaskIds.size() || !(uploadTasksStored == uploadTasks)) {
                problems.add(String.format(Locale.ROOT, "uploads: %d keys answered with %d tasks, and the server stored %.0f",
                        uploadTaskIds.size(), uploadTasks, uploadTasksStored));
            }
            for (Map<Integer, Integer> opened : List.of(snapshot(allTaskStreams), snapshot(taskStreams))) {
                if (opened.keySet().stream().anyMatch(status -> status != 200)) {
                    problems.add("streams opened with " + opened);
                }
            }
            for (Probe probe : probes) {
                if (probe.failures() > 0) {
                    problems.add("probe " + probe.name() + " answered " + probe.statuses());
                }
            }
            if (outOfMemory > 0) {
                problems.add("the server ran out of heap (" + outOfMemory + " lines with OutOfMemoryError in its log"
                        + (threadsKilled.isEmpty() ? "" : "; threads it ended: " + threadsKilled) + ")");
            }
            if (heapUsedMax >= 0.98 * heapMax) {
                problems.add(String.format(Locale.ROOT, "heap used reached %.0f MiB of %.0f", heapUsedMax / 1048576, heapMax / 1048576));
            }
            if (openAfter != 0 || closeWait != 0) {
                problems.add(String.format(Locale.ROOT, "not released %.0f s after the clients closed: %.0f streams open, %d connections half-closed",
                        (double) RELEASE_LIMIT.toSeconds(), openAfter, closeWait));
            }
            if (after == null) {
                problems.add("/prometheus did not answer within " + SCRAPE_TIMEOUT.toSeconds() + " s after the load");
            }
            if (sampler.failures.get() > 0) {
                problems.add(sampler.failures.get() + " scrapes of /prometheus failed");
            }
            return new Run(label, streams, snapshot(allTaskStreams), snapshot(taskStreams), peakOpen, openBeforeClose,
                    releaseSeconds, openAfter, closeWait, establishedBefore, establishedAfter, load, loadSeconds, done, failed,
                    uploadAnswers, turnedAway.get(), resentAfterDrop.get(), uploadTasks, uploadTasksStored, List.copyOf(uploadMessages), file.length, sortedUploads, heapMax, List.copyOf(sampler.samples),
                    sum(after, "gc_total", "Young") - TinyTaskLoad.sum(before, "gc_total", "Young"),
                    sum(after, "gc_time_seconds_total", "Young") - TinyTaskLoad.sum(before, "gc_time_seconds_total", "Young"),
                    sum(after, "gc_total", "Old") - TinyTaskLoad.sum(before, "gc_total", "Old"),
                    sum(after, "gc_time_seconds_total", "Old") - TinyTaskLoad.sum(before, "gc_time_seconds_total", "Old"),
                    sampler.failures.get(), probes, outOfMemory, threadsKilled, problems);
        } finally {
            openers.shutdownNow();
            closeAll(sockets);
            sampler.stop();
            prober.stop();
        }
    }

    /**
     * Opens an event stream as a client that never reads: a socket with a small receive buffer,
     * the request, the response's head, and then nothing.
     *
     * @return the response's status, or {@link TinyTaskLoad#NO_ANSWER}
     */
    private static int openStream(String path, String user, List<Socket> sockets) {
        Socket socket = new Socket();
        try {
            socket.setReceiveBufferSize(RECEIVE_BUFFER);
            socket.connect(new InetSocketAddress("127.0.0.1", APP_PORT), 10_000);
            socket.setSoTimeout(30_000);
            sockets.add(socket);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + APP_PORT + "\r\nAuthorization: " + TinyTaskLoad.basic(user)
                    + "\r\nAccept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            // the head, byte by byte, so that nothing of the stream's body is read
            InputStream in = socket.getInputStream();
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    break;
                }
                head.append((char) b);
            }
            String[] statusLine = head.toString().split(" ", 3);
            int status = statusLine.length > 1 ? Integer.parseInt(statusLine[1]) : TinyTaskLoad.NO_ANSWER;
            if (status != 200) {
                socket.close();
            }
            return status;
        } catch (IOException | RuntimeException e) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // it never was
            }
            return TinyTaskLoad.NO_ANSWER;
        }
    }

    /**
     * A CSV file of {@code bytes} bytes of junk ledger lines (a header, then lines whose date,
     * account, amounts and currency are wrong), as a clerk's broken export would be.
     */
    private static byte[] junkCsv(int bytes) {
        StringBuilder csv = new StringBuilder(bytes + 100);
        csv.append("documentNumber,postingDate,accountCode,costCenter,debit,credit,currency,description\n");
        // as many lines as a ledger file may have (100,000), long enough to fill the bytes: a file the
        // server accepts and checks in a task, whose event streams the bench then opens too
        String padding = "x".repeat(Math.max(0, bytes / 100_000 - 75));
        for (int line = 1; line <= 100_000; line++) {
            String next = "J" + line + ",2026-13-45,99X9,CC1,12.3456,abc,EURO,junk line " + line + " " + padding + "\n";
            if (csv.length() + next.length() > bytes) {
                break;
            }
            csv.append(next);
        }
        return csv.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** Connections to the app's port on the server's side in a TCP state ({@code ss} state names). */
    private static long serverConnections(String state) throws IOException, InterruptedException {
        Process ss = new ProcessBuilder("ss", "-Htn", "state", state, "( sport = :" + APP_PORT + " )").redirectErrorStream(true).start();
        String out = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        ss.waitFor(10, TimeUnit.SECONDS);
        return out.lines().filter(line -> !line.isBlank()).count();
    }

    /** The server's Prometheus text, or null if it did not answer within {@link #SCRAPE_TIMEOUT}. */
    private static String scrapeOrNull() throws InterruptedException {
        try {
            return TinyTaskLoad.scrape(SCRAPE_TIMEOUT);
        } catch (IOException e) {
            return null;
        }
    }

    /** {@link TinyTaskLoad#sum}, or NaN (unknown) for a scrape that got no answer. */
    private static double sum(String prometheus, String metric, String labels) {
        return prometheus == null ? Double.NaN : TinyTaskLoad.sum(prometheus, metric, labels);
    }

    /**
     * Sends one upload as a careful client does: with an {@code Idempotency-Key}, again after the
     * time in {@code Retry-After} when the server is busy reading other uploads, and again with the
     * same key when its connection closes without an answer.
     *
     * @return the final answer's status ({@link TinyTaskLoad#NO_ANSWER} when there was none); the
     *         task's id is put in {@code taskIds} under the key
     */
    private static int upload(String owner, String key, byte[] file, long deadline, AtomicInteger turnedAway,
                              AtomicInteger resentAfterDrop, Map<String, String> taskIds, List<String> messages)
            throws InterruptedException {
        int drops = 0;
        while (true) {
            long sent = System.nanoTime();
            HttpResponse<String> response;
            try {
                response = UPLOAD_CLIENT.send(HttpRequest.newBuilder(URI.create(TinyTaskLoad.API + "/task-types/ledger.post/tasks?checkOnly=true"))
                        .header("Authorization", TinyTaskLoad.basic(owner)).header("Content-Type", "text/csv")
                        .header("Accept", "application/json").header("Idempotency-Key", key).timeout(UPLOAD_TIMEOUT)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(file)).build(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                double seconds = (System.nanoTime() - sent) / 1e9;
                String what = String.format(Locale.ROOT, "connection closed without an answer %.1f s after sending began (%s): %s",
                        seconds, java.time.Instant.now(), e);
                // only the race of an idle connection: it fails at once; a timeout or a cut in the middle of a
                // body that was being read is the server's failure, and is reported as no answer
                boolean closedAsIdle = seconds < DROPPED_AT_ONCE_SECONDS && !(e instanceof java.net.http.HttpTimeoutException);
                if (closedAsIdle && drops++ < RESENDS_AFTER_DROP && System.nanoTime() < deadline) {
                    resentAfterDrop.incrementAndGet();
                    messages.add("sent again: " + what);
                    continue;
                }
                messages.add("no answer: " + what);
                return TinyTaskLoad.NO_ANSWER;
            }
            int status = response.statusCode();
            Optional<String> retryAfter = response.headers().firstValue("Retry-After");
            if (status == 503 && retryAfter.isPresent() && System.nanoTime() < deadline) {
                // the server is busy with other uploads and says when to come back, as a real client hears it
                turnedAway.incrementAndGet();
                Thread.sleep(Long.parseLong(retryAfter.get()) * 1000);
                continue;
            }
            if (status == 200 || status == 202) {
                String path = URI.create(response.headers().firstValue("Location").orElseThrow()).getRawPath();
                taskIds.put(key, path.substring(path.lastIndexOf('/') + 1));
            } else {
                messages.add(status + ": " + response.body().substring(0, Math.min(300, response.body().length())));
            }
            return status;
        }
    }

    /** How many lines of the server's log contain {@code text}. */
    private static long logLines(Path base, String text) throws IOException {
        return grepLog(base, text).size();
    }

    /** The lines of the server's log ({@code server.log}) that contain {@code text}. */
    private static List<String> grepLog(Path base, String text) throws IOException {
        Path log = base.resolve("log/server.log");
        if (!Files.exists(log)) {
            return List.of();
        }
        try (Stream<String> lines = Files.lines(log, StandardCharsets.ISO_8859_1)) {
            return lines.filter(line -> line.contains(text)).toList();
        }
    }

    private static void closeAll(List<Socket> sockets) throws IOException {
        synchronized (sockets) {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
    }

    private static void count(Map<Integer, AtomicInteger> statuses, int status) {
        statuses.computeIfAbsent(status, s -> new AtomicInteger()).incrementAndGet();
    }

    private static Map<Integer, Integer> snapshot(Map<Integer, AtomicInteger> statuses) {
        Map<Integer, Integer> copy = new TreeMap<>();
        statuses.forEach((status, count) -> copy.put(status, count.get()));
        return copy;
    }

    private static void awaitCount(Map<Integer, AtomicInteger> statuses, int wanted, long deadline) throws InterruptedException {
        while (statuses.values().stream().mapToInt(AtomicInteger::get).sum() < wanted && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
    }

    private static void progress(String label, Sampler sampler, TinyTaskLoad.Load load, Map<Integer, AtomicInteger> uploads,
                                 int tasks, int uploadCount) {
        Sample last = sampler.latest();
        int width = 30;
        double done = last == null ? 0 : last.tasksDone();
        int bar = (int) Math.round(width * Math.min(1, done / tasks));
        System.out.printf(Locale.ROOT, "\r[%s] [%s%s] submitted %,d (answered %,d), done %,.0f of %,d, uploads answered %d of %d, streams open %.0f, heap %.0f MiB, %.0f s   ",
                label, "#".repeat(bar), ".".repeat(width - bar), load.accepted(), load.answered(), done, tasks,
                uploads.values().stream().mapToInt(AtomicInteger::get).sum(), uploadCount,
                last == null ? Double.NaN : last.streamsOpen(), last == null ? Double.NaN : last.heapUsed() / 1048576,
                (System.nanoTime() - load.startNanos) / 1e9);
        System.out.flush();
    }

    /** Reads the server's heap, open streams and finished tasks every {@link #SAMPLE_MILLIS}. */
    private static final class Sampler {

        final List<Sample> samples = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger failures = new AtomicInteger();
        private final long start = System.nanoTime();
        private final double succeededBefore;
        private final Thread thread;
        private volatile boolean running = true;

        Sampler(double succeededBefore) {
            this.succeededBefore = succeededBefore;
            thread = new Thread(this::loop, "bench-sampler");
            thread.setDaemon(true);
            thread.start();
        }

        private void loop() {
            while (running) {
                try {
                    String metrics = TinyTaskLoad.scrape(SCRAPE_TIMEOUT);
                    samples.add(new Sample((System.nanoTime() - start) / 1e9,
                            TinyTaskLoad.sum(metrics, "jvm_memory_used_bytes", "area=\"heap\""),
                            TinyTaskLoad.sum(metrics, "jvm_memory_used_bytes", "Old Gen"),
                            TinyTaskLoad.sum(metrics, "taskbridge_event_streams_open", ""),
                            TinyTaskLoad.sum(metrics, "taskbridge_tasks_succeeded_total", "\"ledger.validate\"") - succeededBefore));
                } catch (IOException | RuntimeException e) {
                    failures.incrementAndGet();
                } catch (InterruptedException e) {
                    return;
                }
                try {
                    Thread.sleep(SAMPLE_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        Sample latest() {
            synchronized (samples) {
                return samples.isEmpty() ? null : samples.get(samples.size() - 1);
            }
        }

        double latestDone() {
            Sample last = latest();
            return last == null ? 0 : last.tasksDone();
        }

        void stop() throws InterruptedException {
            running = false;
            thread.interrupt();
            thread.join(5_000);
        }
    }

    /**
     * Asks the server every 250 ms whether it is alive ({@code /health/live} on the management
     * interface) and for something cheap of the API ({@code GET /api/task-types}, through the same
     * listener as the load), each with a {@link #PROBE_TIMEOUT}: a probe that gets no answer counts.
     */
    private static final class Prober {

        private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        private final Map<String, Map<Integer, AtomicInteger>> statuses = new ConcurrentHashMap<>();
        private final Map<String, List<Long>> nanos = new ConcurrentHashMap<>();
        private final Thread thread;
        private volatile boolean running = true;
        private List<Probe> result;

        Prober() {
            thread = new Thread(this::loop, "bench-prober");
            thread.setDaemon(true);
            thread.start();
        }

        private void loop() {
            while (running) {
                try {
                    probe("GET /health/live", HttpRequest.newBuilder(URI.create(TinyTaskLoad.MANAGEMENT + "/health/live")));
                    probe("GET /api/task-types", HttpRequest.newBuilder(URI.create(TinyTaskLoad.API + "/task-types"))
                            .header("Authorization", TinyTaskLoad.basic("clerk")).header("Accept", "application/json"));
                    Thread.sleep(250);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        private void probe(String name, HttpRequest.Builder request) throws InterruptedException {
            long sent = System.nanoTime();
            int status;
            try {
                status = http.send(request.timeout(PROBE_TIMEOUT).GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            } catch (IOException e) {
                status = TinyTaskLoad.NO_ANSWER;
            }
            nanos.computeIfAbsent(name, n -> Collections.synchronizedList(new ArrayList<>())).add(System.nanoTime() - sent);
            count(statuses.computeIfAbsent(name, n -> new ConcurrentHashMap<>()), status);
        }

        synchronized List<Probe> stop() throws InterruptedException {
            if (result == null) {
                running = false;
                thread.interrupt();
                thread.join(PROBE_TIMEOUT.toMillis() * 2);
                result = new ArrayList<>();
                for (String name : new TreeMap<>(nanos).keySet()) {
                    long[] sorted = nanos.get(name).stream().mapToLong(Long::longValue).sorted().toArray();
                    result.add(new Probe(name, snapshot(statuses.get(name)), sorted));
                }
            }
            return result;
        }
    }

    private static String statuses(Map<Integer, Integer> statuses) {
        List<String> parts = new ArrayList<>();
        statuses.forEach((status, count) -> parts.add(String.format(Locale.ROOT, "%s: %,d",
                status == TinyTaskLoad.NO_ANSWER ? "no answer" : status.toString(), count)));
        return parts.isEmpty() ? "none" : String.join(", ", parts);
    }

    private static String report(List<Run> runs, List<String> broken) {
        StringBuilder md = new StringBuilder("# The server under hostile clients: streams that never read, 10,000 tasks, 32 uploads of 20 MiB\n\n");
        md.append("""
                Written by `bench/hostile-load.sh` (`dev.taskbridge.bench.HostileLoadBench`); every run overwrites it.
                On loopback, against the provisioned WildFly (port offset 200, heap fixed): event streams whose clients
                never read (raw sockets with a 4 KiB receive buffer that read the response's head and nothing more), spread
                over the four demo users, most on `/api/events` (opened first) and the rest on `/api/tasks/<id>/events` of
                the uploads' tasks (opened as each upload is accepted); then, while they stay open, 16 keep-alive clients
                submit 10,000 tiny `ledger.validate` tasks (the load of `bench/rest-load.sh`) and 32 clients each upload
                a CSV file of junk ledger lines just under the 20 MiB limit to `ledger.post?checkOnly=true`, all at once,
                each with an `Idempotency-Key`, as a careful client sends: again after `Retry-After` when told to come back,
                and again with the same key when its keep-alive connection closes without an answer.
                The server's heap, collections, open streams (`taskbridge_event_streams_open`) and finished tasks are
                read from its Prometheus endpoint every 500 ms; two probes ask every 250 ms, with a 10 s timeout.
                At the end the clients close their sockets and the server must release every stream: the gauge back
                to 0 and no connection on its side left half-closed (`CLOSE-WAIT`). Goal (issue #11): heap bounded, every
                request answered (202 or a 4xx with a message, never a 5xx), no task lost, every stream released.

                """);
        for (String failure : broken) {
            md.append("## ").append(failure.replace('\n', ' ')).append("\n\n");
        }
        for (Run r : runs) {
            TinyTaskLoad.Load load = r.load();
            long[] submits = load.latencies.clone();
            Arrays.sort(submits);
            double heapUsedMax = r.samples().stream().mapToDouble(Sample::heapUsed).max().orElse(Double.NaN);
            double oldMax = r.samples().stream().mapToDouble(Sample::oldGenUsed).max().orElse(Double.NaN);
            md.append("## ").append(r.database()).append(r.problems().isEmpty() ? ": held" : ": FAILED").append("\n\n");
            md.append("| figure | value |\n| --- | --- |\n");
            row(md, "event streams opened on `/api/events` (answers)", statuses(r.allTaskStreams()));
            row(md, "event streams opened on `/api/tasks/<id>/events` (answers)", statuses(r.taskStreams()));
            row(md, "open streams, most at once (`taskbridge_event_streams_open`)", fmt("%.0f", r.peakStreamsOpen()));
            row(md, "open streams when the clients closed theirs (the rest the server had dropped or ended)",
                    fmt("%.0f", r.streamsOpenBeforeClose()));
            row(md, "open streams after the clients closed theirs", fmt("%.0f", r.streamsOpenAfter())
                    + (Double.isNaN(r.releaseSeconds()) ? " (not all released in 60 s)" : fmt(", all released within %.1f s", r.releaseSeconds())));
            row(md, "server-side connections half-closed (CLOSE-WAIT) after release", Long.toString(r.closeWaitAfter()));
            row(md, "server-side connections established, before the run / after release", r.establishedBefore() + " / " + r.establishedAfter()
                    + " (the probes' and load clients' keep-alive connections)");
            row(md, "tiny `ledger.validate` submits (answers)", statuses(load.statuses()));
            row(md, "submit latency p50 / p99 / max (ms)", fmt("%.1f / %.1f / %.0f", TinyTaskLoad.percentile(submits, 0.5),
                    TinyTaskLoad.percentile(submits, 0.99), submits[submits.length - 1] / 1e6));
            row(md, "tasks SUCCEEDED / FAILED (server's counters)", fmt("%,.0f / %,.0f of %,d, within %.1f s of the first submit",
                    r.succeeded(), r.failed(), load.tasks, r.loadSeconds()));
            row(md, "uploads of " + fmt("%,d", r.uploadBytes()) + " bytes (answers)", statuses(r.uploads()));
            row(md, "uploads told to come back (503 with Retry-After: the server reads a bounded number of large bodies at once), then sent again",
                    fmt("%,d", r.uploadsTurnedAway()));
            row(md, "uploads sent again with the same Idempotency-Key after their connection closed without an answer "
                    + "(a keep-alive connection the server closed as idle as the client reused it)", fmt("%,d", r.uploadsResent()));
            row(md, "upload tasks: answered with / stored by the server (`taskbridge_tasks_submitted_total`)",
                    fmt("%,d / %,.0f", r.uploadTasks(), r.uploadTasksStored()));
            row(md, "upload answered after p50 / max (s)", fmt("%.1f / %.1f", r.sortedUploadNanos()[r.sortedUploadNanos().length / 2] / 1e9,
                    r.sortedUploadNanos()[r.sortedUploadNanos().length - 1] / 1e9));
            if (!r.uploadMessages().isEmpty()) {
                row(md, "upload answers other than 202, and uploads sent again", String.join("; ", r.uploadMessages()).replace('|', '/').replace('\n', ' '));
            }
            row(md, "heap used, most sampled (all pools) / of the maximum", fmt("%.0f MiB / %.0f MiB (%.0f %%)",
                    heapUsedMax / 1048576, r.heapMax() / 1048576, 100 * heapUsedMax / r.heapMax()));
            row(md, "old generation used, most sampled", fmt("%.0f MiB", oldMax / 1048576));
            row(md, "young collections during the run: count / total time", fmt("%.0f / %.2f s", r.gcYoungCount(), r.gcYoungSeconds()));
            row(md, "full collections (G1 Old Generation): count / total time", fmt("%.0f / %.2f s", r.gcOldCount(), r.gcOldSeconds()));
            row(md, "lines with OutOfMemoryError in the server's log", Long.toString(r.outOfMemoryLines()));
            row(md, "server threads an OutOfMemoryError ended", r.threadsKilled().isEmpty() ? "none" : String.join(", ", r.threadsKilled()));
            row(md, "heap samples (failed scrapes)", r.samples().size() + " (" + r.scrapeFailures() + ")");
            for (Probe probe : r.probes()) {
                long[] sorted = probe.sortedNanos();
                row(md, "probe `" + probe.name() + "`: answers", statuses(probe.statuses()));
                row(md, "probe `" + probe.name() + "`: p50 / p99 / max (ms)", sorted.length == 0 ? "none"
                        : fmt("%.1f / %.1f / %.0f", TinyTaskLoad.percentile(sorted, 0.5), TinyTaskLoad.percentile(sorted, 0.99),
                        sorted[sorted.length - 1] / 1e6));
            }
            if (!r.problems().isEmpty()) {
                md.append("\nWhat failed: ").append(String.join("; ", r.problems()).replace('\n', ' ')).append("\n");
            }
            md.append("\nOver time (every 10th sample, about 5 s apart; seconds from the first streams' opening):\n\n");
            md.append("| s | heap used (MiB) | old gen (MiB) | streams open | tasks done |\n| ---: | ---: | ---: | ---: | ---: |\n");
            for (int i = 0; i < r.samples().size(); i += 10) {
                Sample s = r.samples().get(i);
                md.append(fmt("| %.0f | %.0f | %.0f | %.0f | %,.0f |%n", s.seconds(), s.heapUsed() / 1048576, s.oldGenUsed() / 1048576,
                        s.streamsOpen(), s.tasksDone()));
            }
            md.append('\n');
        }
        md.append(fmt("""
                Run conditions: server heap fixed (`%s`); `taskbridge.events.max-streams-per-user=%d` for this run, because
                %d streams from the four demo users are far beyond the default of 8 a user (the cap itself is tested by
                `EventStreamsTest` and `RestApiIT`; here it would refuse the streams before the server is under any load);
                the other stream settings at their defaults (heartbeat 15 s, which is also how long a write may wait for a
                client; 256 events queued per stream). Client and server on the same machine: date %s; %d cores; JVM %s.
                """, LedgerPostBench.serverHeap(), STREAMS_PER_USER,
                runs.isEmpty() ? 500 : runs.get(0).streamsWanted(), ZonedDateTime.now(), Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.runtime.version")));
        return md.toString();
    }

    private static void row(StringBuilder md, String figure, String value) {
        md.append("| ").append(figure).append(" | ").append(value).append(" |\n");
    }

    private static String fmt(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
