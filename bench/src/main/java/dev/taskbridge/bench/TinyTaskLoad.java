package dev.taskbridge.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * Tiny {@code ledger.validate} tasks (a two-line CSV) posted over REST to the server a bench
 * started ({@link LedgerPostBench#start}, port offset 200) from keep-alive HTTP/1.1 clients, as
 * fast as it answers; and the server's own figures from its Prometheus endpoints. The load of
 * {@link RestLoadBench}, which {@link HostileLoadBench} puts next to its hostile clients.
 */
final class TinyTaskLoad {

    static final String API = "http://127.0.0.1:" + (8080 + LedgerPostBench.PORT_OFFSET) + "/taskbridge/api";
    static final String MANAGEMENT = "http://127.0.0.1:" + (9990 + LedgerPostBench.PORT_OFFSET);
    static final String METRICS = MANAGEMENT + "/prometheus";
    static final String CSV = "documentNumber,postingDate,accountCode,costCenter,debit,credit,currency,description\r\n"
            + "D1,2026-11-02,1000,CC1,100.00,0,EUR,cash\r\nD1,2026-11-02,2000,CC1,0,100.00,EUR,payable\r\n";
    /** What a submit that got no answer (the connection broke, or it timed out) counts as among the statuses. */
    static final int NO_ANSWER = 0;
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    /**
     * Longest wait for one answer: a server that is stuck (collecting a full heap over and over)
     * must not hold a bench past its deadline. Far beyond any answer of a healthy server.
     */
    static final Duration ANSWER_LIMIT = Duration.ofSeconds(60);

    private TinyTaskLoad() {
    }

    /** HTTP BASIC for a demo user, whose password is its name. */
    static String basic(String user) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + user).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Starts {@code clients} threads that submit {@code tasks} tasks between them, client {@code c}
     * as the user {@code users.apply(c)}, until done or {@code deadlineNanos} ({@link System#nanoTime}).
     * A submit that is not answered 202 is counted by its status, and the clients go on.
     */
    static Load start(int tasks, int clients, long deadlineNanos, IntFunction<String> users) {
        return new Load(tasks, clients, deadlineNanos, users);
    }

    /** A load under way: what was answered so far, and how fast. */
    static final class Load {

        final int tasks;
        /** Each submit's latency in nanoseconds, by the task's number. */
        final long[] latencies;
        final long startNanos = System.nanoTime();
        private final AtomicInteger next = new AtomicInteger();
        private final AtomicInteger accepted = new AtomicInteger();
        private final Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
        private final Queue<String> unexpected = new ConcurrentLinkedQueue<>();
        private final ExecutorService pool;
        private final List<Future<?>> workers = new ArrayList<>();

        private Load(int tasks, int clients, long deadlineNanos, IntFunction<String> users) {
            this.tasks = tasks;
            this.latencies = new long[tasks];
            this.pool = Executors.newFixedThreadPool(clients);
            for (int c = 0; c < clients; c++) {
                String auth = basic(users.apply(c));
                workers.add(pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < tasks && System.nanoTime() < deadlineNanos; i = next.getAndIncrement()) {
                        submit(i, auth);
                    }
                    return null;
                }));
            }
            pool.shutdown();
        }

        private void submit(int i, String auth) throws InterruptedException {
            HttpRequest request = HttpRequest.newBuilder(URI.create(API + "/task-types/ledger.validate/tasks"))
                    .header("Authorization", auth).header("Content-Type", "text/csv").timeout(ANSWER_LIMIT)
                    .POST(HttpRequest.BodyPublishers.ofString(CSV)).build();
            long sent = System.nanoTime();
            int status;
            String body;
            try {
                HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
                status = response.statusCode();
                body = response.body();
            } catch (IOException e) {
                status = NO_ANSWER;
                body = e.toString();
            }
            latencies[i] = System.nanoTime() - sent;
            statuses.computeIfAbsent(status, s -> new AtomicInteger()).incrementAndGet();
            if (status == 202) {
                accepted.incrementAndGet();
            } else if (unexpected.size() < 5) {
                unexpected.add(status + ": " + body);
            }
        }

        /** Waits at most {@code millis} for every client to end; true once they all have. */
        boolean awaitClients(long millis) throws InterruptedException {
            return pool.awaitTermination(millis, TimeUnit.MILLISECONDS);
        }

        /** Rethrows what a client thread failed with, if anything did. */
        void checkClients() throws Exception {
            for (Future<?> worker : workers) {
                worker.get();
            }
        }

        /** Submits answered 202: tasks stored. */
        int accepted() {
            return accepted.get();
        }

        /** Submits answered so far, whatever the answer. */
        int answered() {
            return statuses.values().stream().mapToInt(AtomicInteger::get).sum();
        }

        /** Answers by status ({@link #NO_ANSWER} for none), in order. */
        Map<Integer, Integer> statuses() {
            Map<Integer, Integer> copy = new TreeMap<>();
            statuses.forEach((status, count) -> copy.put(status, count.get()));
            return copy;
        }

        /** The first few answers that were not 202, with their bodies. */
        List<String> unexpected() {
            return List.copyOf(unexpected);
        }

        void stop() {
            pool.shutdownNow();
        }
    }

    /** The server's Prometheus text, its own and Taskbridge's. */
    static String scrape() throws IOException, InterruptedException {
        return scrape(ANSWER_LIMIT);
    }

    /**
     * The server's Prometheus text, waiting at most {@code limit} for each part: its own metrics
     * (heap, collections) from the management interface, then Taskbridge's from the API, as the
     * demo admin (a Prometheus would use a user with the role monitor).
     */
    static String scrape(Duration limit) throws IOException, InterruptedException {
        String server = HTTP.send(HttpRequest.newBuilder(URI.create(METRICS)).timeout(limit).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return server + "\n" + scrapeTaskbridge(limit);
    }

    /** Taskbridge's own Prometheus text, from the API, as the demo admin. */
    static String scrapeTaskbridge(Duration limit) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(API + "/metrics")).timeout(limit)
                .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString(
                        "admin:admin".getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .GET().build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** The sum of a metric's series whose labels contain {@code labels} (empty: all of them). */
    static double sum(String prometheus, String metric, String labels) {
        return prometheus.lines()
                .filter(line -> line.startsWith(metric + "{") || line.startsWith(metric + " "))
                .filter(line -> line.substring(0, line.lastIndexOf(' ')).contains(labels))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }

    /**
     * The server's count of succeeded ledger.validate tasks, from Taskbridge's metrics alone: the
     * server's own ({@code /prometheus} on the management interface) run a management operation for
     * every subsystem, which asked once a second took about 7 % of the server's CPU from the load.
     */
    static double succeeded() throws IOException, InterruptedException {
        return sum(scrapeTaskbridge(ANSWER_LIMIT), "taskbridge_tasks_succeeded_total", "\"ledger.validate\"");
    }

    /** The {@code p} quantile (0..1) of sorted nanoseconds, in milliseconds. */
    static double percentile(long[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, Math.max(0, (int) Math.ceil(p * sorted.length) - 1))] / 1e6;
    }
}
