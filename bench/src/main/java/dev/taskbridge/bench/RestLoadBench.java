package dev.taskbridge.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Tiny {@code ledger.validate} tasks over REST into the provisioned WildFly, as an ERP system
 * would post them: {@code bench.clients} keep-alive HTTP clients (16) submit {@code bench.tasks}
 * tasks (10,000) as fast as the server answers, and the clock runs from the first submit until the
 * server's own counter ({@code taskbridge_tasks_succeeded_total} on its Prometheus endpoint) shows
 * all of them SUCCEEDED. Bounded: every phase has a deadline, and a progress line is printed
 * every second (the load itself is {@link TinyTaskLoad}). Reports submits/s, submit latency p50/p99 and tasks/s of {@code bench.runs} runs (3) and their median, on H2 and PostgreSQL, to
 * {@code bench/results/rest-load.md}. Run by {@code bench/rest-load.sh}.
 */
public final class RestLoadBench {

    private static final Duration PHASE_LIMIT = Duration.ofMinutes(5);

    private record Run(String database, int tasks, int clients, double submitsPerSecond, double p50Millis,
                       double p99Millis, double maxMillis, double tasksPerSecond) {
    }

    private RestLoadBench() {
    }

    public static void main(String[] args) throws Exception {
        Path benchDir = Path.of(System.getProperty("bench.dir"));
        Path server = benchDir.getParent().resolve("server-config/target/server");
        int tasks = Integer.getInteger("bench.tasks", 10_000);
        int clients = Integer.getInteger("bench.clients", 16);
        int warmup = Integer.getInteger("bench.warmup.tasks", 2_000);
        // On 2 cores the server keeps getting faster for 3 to 4 minutes of load (the JIT compiling
        // WildFly's, RESTEasy's, H2's and Pekko's hot paths: a profile after one round of 2,000 tasks
        // showed its compiler threads taking 29 % of the server's CPU). Stop 34 measured the same
        // build at a median of 585 tasks/s on H2 after 60 s and 1,184 after 240 s. A production
        // server has long finished that; the table lists each warm-up round, so the curve shows.
        int warmupSeconds = Integer.getInteger("bench.warmup.seconds", 240);
        // One run of a server on 2 cores varies by a third from one run to the next (batch sizes settle
        // differently each time), so the table gives every run and their median.
        int measured = Integer.getInteger("bench.runs", 3);
        List<Run> runs = new ArrayList<>();
        List<String> warmups = new ArrayList<>();
        for (String database : System.getProperty("bench.databases", "h2,postgresql").split(",")) {
            boolean h2 = database.equals("h2");
            Path base = benchDir.resolve("target/rest-" + database);
            Process process = LedgerPostBench.start(server, base, LedgerPostBench.serverOptions(h2, base));
            try {
                LedgerPostBench.awaitServer(process, base);
                String label = h2 ? "H2 (file)" : "PostgreSQL";
                long warmupEnd = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(warmupSeconds);
                List<Long> rounds = new ArrayList<>();
                for (int round = 1; round <= 2 || System.nanoTime() < warmupEnd; round++) {
                    rounds.add(Math.round(run(label + " warm-up " + round, warmup, clients).tasksPerSecond()));
                }
                warmups.add(label + ": " + rounds.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(", ")));
                List<Run> ofDatabase = new ArrayList<>();
                for (int i = 1; i <= measured; i++) {
                    ofDatabase.add(run(label + " run " + i, tasks, clients));
                }
                runs.addAll(ofDatabase);
                if (measured > 1) {
                    runs.add(median(label + ", median", ofDatabase));
                }
            } finally {
                LedgerPostBench.stop(process);
            }
        }
        Path results = Path.of(System.getProperty("bench.results", benchDir.resolve("results/rest-load.md").toString()));
        Files.writeString(results, report(runs, warmups, warmup, warmupSeconds, measured));
        System.out.println(report(runs, warmups, warmup, warmupSeconds, measured));
        System.out.println("Written to " + results);
    }

    private static Run run(String label, int tasks, int clients) throws Exception {
        double succeededBefore = TinyTaskLoad.succeeded();
        long deadline = System.nanoTime() + PHASE_LIMIT.toNanos();
        TinyTaskLoad.Load load = TinyTaskLoad.start(tasks, clients, deadline, client -> "clerk");
        long start = load.startNanos;
        while (!load.awaitClients(1_000)) {
            progress(label, tasks, load.accepted(), TinyTaskLoad.succeeded() - succeededBefore, start);
        }
        load.checkClients();
        if (!load.unexpected().isEmpty()) {
            throw new IllegalStateException(label + ": submits answered " + load.statuses() + ", e.g. " + load.unexpected().get(0));
        }
        if (load.accepted() < tasks) {
            throw new IllegalStateException(label + ": only " + load.accepted() + " of " + tasks + " submitted in " + PHASE_LIMIT);
        }
        long allSubmitted = System.nanoTime();
        double done;
        while ((done = TinyTaskLoad.succeeded() - succeededBefore) < tasks) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(label + ": only " + (long) done + " of " + tasks + " done in " + PHASE_LIMIT);
            }
            progress(label, tasks, tasks, done, start);
            Thread.sleep(100);
        }
        long end = System.nanoTime();
        progress(label, tasks, tasks, done, start);
        System.out.println();
        long[] sorted = load.latencies.clone();
        Arrays.sort(sorted);
        return new Run(label, tasks, clients, tasks / seconds(start, allSubmitted), TinyTaskLoad.percentile(sorted, 0.50),
                TinyTaskLoad.percentile(sorted, 0.99), sorted[sorted.length - 1] / 1e6, tasks / seconds(start, end));
    }

    /** Each column's median over {@code runs}. */
    private static Run median(String label, List<Run> runs) {
        return new Run("**" + label + "**", runs.get(0).tasks(), runs.get(0).clients(),
                median(runs, Run::submitsPerSecond), median(runs, Run::p50Millis), median(runs, Run::p99Millis),
                median(runs, Run::maxMillis), median(runs, Run::tasksPerSecond));
    }

    private static double median(List<Run> runs, java.util.function.ToDoubleFunction<Run> column) {
        double[] values = runs.stream().mapToDouble(column).sorted().toArray();
        int middle = values.length / 2;
        return values.length % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }

    private static void progress(String label, int tasks, int submitted, double done, long start) {
        int width = 40;
        int bar = (int) Math.round(width * done / tasks);
        System.out.printf("\r[%s] [%s%s] submitted %,d, done %,d of %,d, %.1f s   ", label, "#".repeat(bar),
                ".".repeat(width - bar), submitted, (long) done, tasks, seconds(start, System.nanoTime()));
        System.out.flush();
    }

    private static double seconds(long from, long to) {
        return (to - from) / 1e9;
    }

    private static String report(List<Run> runs, List<String> warmups, int warmup, int warmupSeconds, int measured) {
        StringBuilder md = new StringBuilder("# Tiny ledger.validate tasks over REST into WildFly\n\n");
        md.append("Written by `bench/rest-load.sh` (`dev.taskbridge.bench.RestLoadBench`); every run overwrites it. ")
                .append("Keep-alive HTTP/1.1 clients post a two-line CSV to `POST /api/task-types/ledger.validate/tasks` as fast as ")
                .append("the server answers; tasks/s runs from the first submit until the server's ")
                .append("`taskbridge_tasks_succeeded_total` shows every task SUCCEEDED. Targets (issue #10): at least ")
                .append("1,000 tasks/s and p99 submit latency under 50 ms.\n\n");
        md.append("| database | tasks | clients | submits/s | submit p50 (ms) | submit p99 (ms) | max (ms) | tasks/s |\n");
        md.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (Run r : runs) {
            md.append(String.format("| %s | %,d | %d | %,.0f | %.1f | %.1f | %.0f | %,.0f |%n", r.database(), r.tasks(),
                    r.clients(), r.submitsPerSecond(), r.p50Millis(), r.p99Millis(), r.maxMillis(), r.tasksPerSecond()));
        }
        md.append(String.format("%n%d runs on each database, one after the other on one server, after a warm-up of its own (rounds of "
                        + "%,d tasks, at least two and for at least %d s); the median row takes each column's median; server heap fixed (`%s`, the shipped default's maximum); the server's progress read from Taskbridge's metrics alone; "
                        + "date %s; %d cores; JVM %s.%n", measured, warmup, warmupSeconds, LedgerPostBench.serverHeap(), ZonedDateTime.now(), Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.runtime.version")));
        md.append("\nEach warm-up round's tasks/s, in order: the server's speed rises for its first minutes of load, and the "
                + "timed runs start once it has levelled.\n\n");
        warmups.forEach(line -> md.append("- ").append(line).append('\n'));
        return md.toString();
    }
}
