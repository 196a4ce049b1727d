package dev.taskbridge.bench.peers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import dev.taskbridge.bench.JitMeter;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

/** The markdown report and the W1 charts, from the runs' properties. */
final class PeersReport {

    private static final String BASELINE = "taskbridge";
    private static final String BASELINE_CHAINED = "taskbridge-chained";

    private PeersReport() {
    }

    static String markdown(List<Properties> runs, ZonedDateTime startedAt, String loadAtStart, String heap) {
        int tasks = Integer.getInteger("bench.peers.tasks", 10_000);
        int keys = Integer.getInteger("bench.peers.keys", 100);
        int steps = Integer.getInteger("bench.peers.steps", 100);
        boolean smoke = Boolean.getBoolean("bench.peers.smoke") || tasks < 10_000 || keys * steps < 10_000;
        String adminUrl = System.getProperty("bench.pg.url", "jdbc:postgresql://127.0.0.1:5432/taskbridge");

        StringBuilder md = new StringBuilder();
        md.append("# Taskbridge against its peers (issue #13)\n\n");
        if (smoke) {
            md.append("> **SMOKE RUN: not the published figures.** Small counts, on a shared 2-core machine while other "
                    + "work may have been running (the nice value is under Machine), to show that every peer runs end to end. The "
                    + "figures say nothing yet about which library is faster; run the full size on a quiet machine "
                    + "(see the command in `bench/README.md`).\n\n");
        }
        md.append("Written by `bench/peers.sh` (`dev.taskbridge.bench.peers.PeersBench`); every run overwrites it. ")
                .append("Each (peer, workload) pair ran in a JVM of its own, one after another, against its own freshly "
                        + "created database on the same PostgreSQL server.\n\n");
        String nice = niceness();
        md.append("Command: `").append(System.getProperty("bench.peers.env", ""))
                .append(nice.equals("0") || nice.equals("?") ? "" : "nice -n " + nice + " ")
                .append(System.getProperty("bench.peers.command", "bench/peers.sh")).append("`\n\n");

        if (!of(runs, "W1").isEmpty()) {
            md.append("## W1: ").append(String.format("%,d", tasks)).append(" small durable no-op tasks\n\n");
            md.append("| peer | tasks/s | Taskbridge ÷ peer (tasks/s) | each timed round (tasks/s) | submit p50 / p99 (ms) "
                    + "| submit→run p50 / p99 (ms) | peak heap used / after GC (MB) | peak live threads | JVM CPU per task (ms) "
                    + "| duplicate runs | status |\n");
            md.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n");
            Optional<Double> w1Base = throughput(runs, "W1", BASELINE);
            for (Properties run : of(runs, "W1")) {
                md.append(String.format("| %s | %s | %s | %s | %s / %s | %s / %s | %s / %s | %s | %s | %s | %s |%n",
                        run.getProperty("peer"),
                        number(run, "throughput", "%,.0f"), ratio(w1Base, run), rounds(run), number(run, "submitP50", "%.2f"),
                        number(run, "submitP99", "%.2f"), number(run, "toStartP50", "%,.1f"), number(run, "toStartP99", "%,.1f"),
                        number(run, "peakHeapMb", "%,.0f"), number(run, "peakAfterGcMb", "%,.0f"),
                        run.getProperty("peakThreads", "–"), number(run, "cpuMsPerTask", "%.2f"),
                        run.getProperty("duplicates", "–"), status(run)));
            }
            md.append("\nTasks/s: tasks ÷ time from the first submit until the library itself counts every task done "
                    + "(rows gone or marked succeeded in its own tables, polled every 5 ms once every body has run), "
                    + "in the median of the timed rounds by that figure; the latencies are that round's. Up to "
                    + Integer.getInteger("bench.peers.timed.rounds", 3) + " timed rounds, as many as start within "
                    + Integer.getInteger("bench.peers.timed.seconds", 60) + " s of the first (a round of a fast peer "
                    + "lasts a few seconds here, too short to stand alone; Quartz's lasts minutes). "
                    + "Submit: the client's call until the library returns (the task is stored). Submit→run: when the task's "
                    + "body started minus when its submit began, recorded by the body itself (same JVM, `System.nanoTime`). "
                    + "Heap used includes garbage not yet collected, sampled every 50 ms; \"after GC\" is the most heap any "
                    + "collection during the round left in use (the whole heap, from the collectors' notifications; 0 if "
                    + "none ran): what the peer keeps. Threads sampled every 50 ms; all three over the timed rounds. JVM CPU per task: the run's JVM (library, client threads, JIT, GC), "
                    + "not PostgreSQL's. Duplicate runs: bodies that ran more than once, in any timed round. Every task is submitted in one burst, so "
                    + "submit→run is mostly time spent queued behind earlier tasks: a latency under a backlog, not an idle "
                    + "one.\n\n");

        }

        md.append(killAndRestart(of(runs, "W3")));

        List<Properties> w4 = of(runs, "W4");
        if (!w4.isEmpty()) {
            md.append("## W4: ").append(String.format("%,d", tasks)).append(" queued tasks\n\n");
            md.append("| peer | running (held) / queued | live heap idle → holding them (MB) | bytes per queued task "
                    + "| Taskbridge ÷ peer (bytes per queued task) | live threads idle → holding them | submit time (s) "
                    + "| all ran after release (s) | duplicate runs | status |\n");
            md.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n");
            Optional<Double> w4Base = w4.stream().filter(r -> BASELINE.equals(r.getProperty("peer"))
                    && "ok".equals(r.getProperty("status"))).map(r -> value(r, "bytesPerQueuedTask")).findFirst();
            for (Properties run : w4) {
                String ratio = w4Base.isEmpty() || run.getProperty("bytesPerQueuedTask") == null ? "–"
                        : Math.abs(value(run, "bytesPerQueuedTask")) < 1 ? "(peer ~0)"
                        : String.format("%.2f", w4Base.get() / value(run, "bytesPerQueuedTask"));
                md.append(String.format("| %s | %s / %s | %s → %s | %s | %s | %s → %s | %s | %s | %s | %s |%n",
                        run.getProperty("peer"), run.getProperty("running", "–"), number(run, "queued", "%,.0f"),
                        number(run, "idleHeapMb", "%,.1f"), number(run, "heldHeapMb", "%,.1f"),
                        number(run, "bytesPerQueuedTask", "%,.0f"), ratio,
                        run.getProperty("idleThreads", "–"), run.getProperty("heldThreads", "–"),
                        number(run, "submitSeconds", "%.1f"), number(run, "drainSeconds", "%.2f"),
                        run.getProperty("duplicates", "–"), status(run)));
            }
            md.append("\nEvery task's body is held at its start (a latch in the harness), so each library's workers fill "
                    + "with the first tasks and the rest wait wherever the library keeps waiting work. Live heap: the least "
                    + "heap in use over three `System.gc()` calls, once after the warm-up and before the first submit "
                    + "(idle) and once every task is submitted and the workers have taken what they will (holding them); "
                    + "bytes per queued task = the difference ÷ the queued tasks. A library that keeps queued work only "
                    + "in its table holds next to nothing per task in the JVM (and a difference within the noise of a "
                    + "collection can come out below zero). Then the bodies are released and every task must run once.\n\n");
        }

        if (!of(runs, "W5").isEmpty()) {
            md.append("## W5: per-key order, ").append(keys).append(" keys × ").append(steps).append(" ordered steps\n\n");
            md.append("| peer | per-key order by | steps/s | taskbridge ÷ peer | taskbridge-chained ÷ peer "
                    + "| each timed round (steps/s) | order violations | duplicate runs | submit→run p50 / p99 (ms) | peak heap used / after GC (MB) "
                    + "| peak live threads | JVM CPU per step (ms) | status |\n");
            md.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n");
            Optional<Double> w5Base = throughput(runs, "W5", BASELINE);
            Optional<Double> w5Chained = throughput(runs, "W5", BASELINE_CHAINED);
            for (Properties run : of(runs, "W5")) {
                md.append(String.format("| %s | %s | %s | %s | %s | %s | %s | %s | %s / %s | %s / %s | %s | %s | %s |%n",
                        run.getProperty("peer"),
                        orderingLabel(run), number(run, "throughput", "%,.0f"), ratio(w5Base, run),
                        ratio(w5Chained, run), rounds(run), run.getProperty("violations", "–"), run.getProperty("duplicates", "–"),
                        number(run, "toStartP50", "%,.1f"), number(run, "toStartP99", "%,.1f"),
                        number(run, "peakHeapMb", "%,.0f"), number(run, "peakAfterGcMb", "%,.0f"),
                        run.getProperty("peakThreads", "–"), number(run, "cpuMsPerTask", "%.2f"), status(run)));
            }
            md.append('\n');
            for (Properties run : of(runs, "W5")) {
                if (run.getProperty("orderingNote") != null) {
                    md.append("- ").append(run.getProperty("peer")).append(": ").append(run.getProperty("orderingNote")).append('\n');
                }
            }
            md.append("\nSubmitted concurrently by ").append(Integer.getInteger("bench.peers.submitters", 10))
                    .append(" client threads, each owning every n-th key and submitting step by step across its keys, so keys "
                            + "interleave while the steps of one key leave in order from one thread. Where a peer chains, the "
                            + "clients submit step 0 of every key and each step's body submits the next. An order violation is a "
                            + "step whose body started while an earlier step of its key had not finished its body (counted once "
                            + "per step, over every timed round, as are duplicate runs; steps/s and latencies are the median "
                            + "round's, as in W1). Taskbridge's own figure is the `taskbridge` row, which keeps each key's order with an "
                            + "order key (see its note); `taskbridge-chained` chains as the chaining peers do, for a like-for-like "
                            + "comparison with them.\n\n");

        }

        md.append("## Libraries and settings\n\n");
        Map<String, Properties> firstByPeer = new LinkedHashMap<>();
        for (Properties run : runs) {
            if (run.getProperty("library") != null) {
                firstByPeer.putIfAbsent(run.getProperty("peer"), run);
            }
        }
        for (Properties run : firstByPeer.values()) {
            md.append("### ").append(run.getProperty("peer")).append(": ").append(run.getProperty("library")).append("\n\n");
            for (String line : run.getProperty("settings", "").split("\n")) {
                if (!line.isBlank()) {
                    md.append("- ").append(line).append('\n');
                }
            }
            md.append('\n');
        }
        md.append("Common to every peer: ").append(Integer.getInteger("bench.peers.workers", 10))
                .append(" workers (threads or slots that run bodies), a Hikari pool of ")
                .append(Integer.getInteger("bench.peers.pool", 30)).append(" connections (HikariCP ")
                .append(Versions.of("com.zaxxer", "HikariCP")).append(", `reWriteBatchedInserts=true`), ")
                .append(Integer.getInteger("bench.peers.submitters", 10)).append(" client threads, ")
                .append("a warm-up in the same JVM before the timed round (untimed cycles of at least 5 s of rounds of ")
                .append(String.format("%,d", Integer.getInteger("bench.peers.warmup.tasks", 2_000)))
                .append(" tasks, unordered for W1 and W4, for W5 in order over its keys as the timed round; ")
                .append("at least two cycles, then until the JIT compilers take under ")
                .append(String.format("%.0f%%", 100 * JitMeter.SETTLED_SHARE)).append(" of a cycle's time, for at most ")
                .append(Integer.getInteger("bench.peers.warmup.max.seconds", 120)).append(" s), `-Xmx").append(heap)
                .append("`, logging at WARN. The body of every task does nothing but record that it ran.\n\n");
        md.append(warmUps(runs));

        List<Properties> failed = runs.stream().filter(r -> !"ok".equals(r.getProperty("status"))).toList();
        if (!failed.isEmpty()) {
            md.append("## Runs that failed\n\n");
            for (Properties run : failed) {
                md.append("- ").append(run.getProperty("peer")).append(" ").append(run.getProperty("workload")).append(": ")
                        .append(run.getProperty("error", "?")).append('\n');
            }
            md.append('\n');
        }

        md.append("## Machine\n\n");
        md.append(String.format("- date: %s%n", startedAt.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)));
        md.append(String.format("- CPU: %s, %d cores; memory: %s%n", cpuModel(), Runtime.getRuntime().availableProcessors(),
                memTotal()));
        md.append(String.format("- load average (1 min) at start / end: %s / %s; the runs' nice value: %s%n", loadAtStart,
                loadAverage(), niceness()));
        md.append(String.format("- JVM: %s %s (%s)%n", System.getProperty("java.vm.name"),
                System.getProperty("java.runtime.version"), System.getProperty("java.vm.vendor")));
        md.append(String.format("- OS: %s %s %s%n", System.getProperty("os.name"), System.getProperty("os.version"),
                System.getProperty("os.arch")));
        md.append(String.format("- PostgreSQL: %s%n", PeerDatabase.describeServer(adminUrl,
                System.getProperty("bench.pg.user", "taskbridge"), System.getProperty("bench.pg.password", "taskbridge"))));
        md.append(String.format("- PostgreSQL JDBC driver %s%n", Versions.of("org.postgresql", "postgresql")));
        return md.toString();
    }

    /** W3's table and what it measured, or nothing when W3 did not run. */
    private static String killAndRestart(List<Properties> w3) {
        if (w3.isEmpty()) {
            return "";
        }
        StringBuilder md = new StringBuilder("## W3: unfinished tasks, `kill -9`, restart\n\n");
        md.append("| peer | tasks | unfinished at the kill | restart → library started (s) | restart → all done (s) "
                + "| Taskbridge ÷ peer (time to all done) | lost | duplicated | status |\n");
        md.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n");
        Optional<Double> base = w3.stream().filter(r -> BASELINE.equals(r.getProperty("peer")) && "ok".equals(r.getProperty("status"))
                && Boolean.parseBoolean(r.getProperty("finished"))).map(r -> value(r, "recoverSeconds")).findFirst();
        for (Properties run : w3) {
            boolean finished = Boolean.parseBoolean(run.getProperty("finished"));
            String ratio = base.isEmpty() || !finished ? "–" : String.format("%.2f", base.get() / value(run, "recoverSeconds"));
            md.append(String.format("| %s | %s | %s | %s | %s | %s | %s | %s | %s |%n", run.getProperty("peer"),
                    number(run, "tasks", "%,.0f"), number(run, "unfinishedAtKill", "%,.0f"),
                    number(run, "libraryStartSeconds", "%.2f"),
                    finished ? number(run, "recoverSeconds", "%.2f") : "not all within " + number(run, "recoverSeconds", "%.0f"),
                    ratio, number(run, "lost", "%,.0f"), number(run, "duplicated", "%,.0f"), status(run)));
        }
        Properties any = w3.stream().filter(r -> r.getProperty("bodyMillis") != null).findFirst().orElse(null);
        md.append("\nEach peer ran twice on one database. The first JVM submitted the tasks (")
                .append(any == null ? "?" : number(any, "tasks", "%,.0f"))
                .append(") with every body held, let them go, and sent itself SIGKILL (`kill -9`) once ")
                .append(any == null ? "?" : any.getProperty("killAfter"))
                .append(" of them had committed their effect. A body writes its effect (one row in `")
                .append(KillAndRecover.EFFECTS).append("`, no unique key), then works for ")
                .append(any == null ? "?" : any.getProperty("bodyMillis"))
                .append(" ms (a sleep), then ends: at the kill some bodies are between their effect and the library's "
                        + "record of their end. Every peer's body writes through the harness's pool, committing at once, as "
                        + "its users' code would; Taskbridge's chunk writes through `LocalChunkTransactions`' data source, "
                        + "so the effect commits with the chunk's record (as in WildFly with JTA). The second JVM started "
                        + "the library again on what the first left. Restart → ...: from the second JVM's start (the restart "
                        + "of the process). Unfinished at the kill: tasks with no effect when the first JVM died. Lost: "
                        + "tasks without an effect when the second JVM stopped waiting (all done, or its time bound). "
                        + "Duplicated: tasks with more than one effect, i.e. a body that committed its effect and ran "
                        + "again. No warm-up: a restarted process is cold for every peer alike.\n\n");
        return md.toString();
    }

    /** W1's throughput and latency charts next to the report; the files written, or why none. */
    static List<String> charts(List<Properties> runs, Path directory) {
        List<Properties> ok = of(runs, "W1").stream().filter(r -> "ok".equals(r.getProperty("status"))).toList();
        List<String> written = new ArrayList<>();
        written.addAll(recoveryChart(of(runs, "W3"), directory));
        if (ok.isEmpty()) {
            return written;
        }
        try {
            List<String> names = ok.stream().map(r -> r.getProperty("peer")).toList();
            CategoryChart rate = new CategoryChartBuilder().width(1100).height(550)
                    .title("W1: durable no-op tasks per second (higher is better)").xAxisTitle("peer")
                    .yAxisTitle("tasks/s").build();
            rate.getStyler().setLegendVisible(false);
            rate.getStyler().setXAxisLabelRotation(15);
            rate.addSeries("tasks/s", names, ok.stream().map(r -> value(r, "throughput")).toList());
            written.addAll(save(rate, directory.resolve("peers-w1-throughput")));

            CategoryChart latency = new CategoryChartBuilder().width(1100).height(550)
                    .title("W1: latency, p50 and p99 (ms; lower is better)").xAxisTitle("peer")
                    .yAxisTitle("ms").build();
            latency.getStyler().setXAxisLabelRotation(15);
            latency.addSeries("submit→run p50", names, ok.stream().map(r -> value(r, "toStartP50")).toList());
            latency.addSeries("submit→run p99", names, ok.stream().map(r -> value(r, "toStartP99")).toList());
            latency.addSeries("submit p50", names, ok.stream().map(r -> value(r, "submitP50")).toList());
            latency.addSeries("submit p99", names, ok.stream().map(r -> value(r, "submitP99")).toList());
            written.addAll(save(latency, directory.resolve("peers-w1-latency")));
        } catch (IOException | RuntimeException | LinkageError e) {
            written.add("(charts skipped: " + e + ")");
        }
        return written;
    }

    /** W3: tasks done over the seconds since the restart, one line per peer. */
    private static List<String> recoveryChart(List<Properties> w3, Path directory) {
        List<Properties> ok = w3.stream().filter(r -> r.getProperty("curve") != null).toList();
        if (ok.isEmpty()) {
            return List.of();
        }
        try {
            XYChart chart = new XYChartBuilder().width(1100).height(550)
                    .title("W3: tasks done after kill -9 and restart (sooner is better)")
                    .xAxisTitle("seconds since the process restarted").yAxisTitle("tasks with their effect").build();
            chart.getStyler().setMarkerSize(3);
            for (Properties run : ok) {
                List<Double> seconds = new ArrayList<>();
                List<Double> done = new ArrayList<>();
                for (String point : run.getProperty("curve").split(",")) {
                    String[] parts = point.split(":");
                    seconds.add(Double.parseDouble(parts[0]));
                    done.add(Double.parseDouble(parts[1]));
                }
                chart.addSeries(run.getProperty("peer"), seconds, done);
            }
            return save(chart, directory.resolve("peers-w3-recovery"));
        } catch (IOException | RuntimeException | LinkageError e) {
            return List.of("(W3 chart skipped: " + e + ")");
        }
    }

    private static List<String> save(org.knowm.xchart.internal.chartpart.Chart<?, ?> chart, Path withoutExtension)
            throws IOException {
        List<String> files = new ArrayList<>();
        BitmapEncoder.saveBitmap(chart, withoutExtension.toString(), BitmapEncoder.BitmapFormat.PNG);
        files.add(withoutExtension.getFileName() + ".png");
        try {
            VectorGraphicsEncoder.saveVectorGraphic(chart, withoutExtension.toString(),
                    VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
            files.add(withoutExtension.getFileName() + ".svg");
        } catch (LinkageError e) {
            // SVG needs VectorGraphics2D; the PNG stands alone without it
        }
        return files;
    }

    static String chartSection(List<String> charts) {
        if (charts.isEmpty()) {
            return "";
        }
        StringBuilder md = new StringBuilder("\n## Charts (W1, W3)\n\n");
        for (String chart : charts) {
            if (chart.endsWith(".png")) {
                md.append("![").append(chart).append("](").append(chart).append(")\n\n");
            } else if (chart.endsWith(".svg")) {
                md.append("(also as [SVG](").append(chart).append("))\n\n");
            } else {
                md.append(chart).append("\n\n");
            }
        }
        return md.toString();
    }

    /** Every timed round's rate, in the order they ran. */
    private static String rounds(Properties run) {
        String all = run.getProperty("roundThroughputs");
        return all == null ? "–" : String.join(", ", Arrays.stream(all.split(" "))
                .map(rate -> String.format("%,d", Long.parseLong(rate))).toList());
    }

    private static String orderingLabel(Properties run) {
        return switch (run.getProperty("ordering", "-")) {
            case "CHAINED" -> "chain (each step submits the next)";
            case "AS_SUBMITTED" -> "the library, as submitted";
            default -> "–";
        };
    }

    /** This JVM's nice value (its children inherit it), from /proc/self/stat. */
    static String niceness() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return fields[16];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    private static List<Properties> of(List<Properties> runs, String workload) {
        return runs.stream().filter(r -> workload.equals(r.getProperty("workload"))).toList();
    }

    private static Optional<Double> throughput(List<Properties> runs, String workload, String peer) {
        return of(runs, workload).stream()
                .filter(r -> peer.equals(r.getProperty("peer")) && "ok".equals(r.getProperty("status")))
                .map(r -> value(r, "throughput")).findFirst();
    }

    private static String ratio(Optional<Double> baseline, Properties run) {
        if (baseline.isEmpty() || run.getProperty("throughput") == null) {
            return "–";
        }
        return String.format("%.2f", baseline.get() / value(run, "throughput"));
    }

    /**
     * How each run's warm-up ended, and how much of its timed round the JIT still took: a peer
     * timed while its code was still being compiled is measured slower than it runs.
     */
    private static String warmUps(List<Properties> runs) {
        List<Properties> warmed = runs.stream().filter(run -> run.getProperty("warmupCycles") != null).toList();
        if (warmed.isEmpty()) {
            return "";
        }
        StringBuilder md = new StringBuilder("| peer | workload | warm-up cycles | warm-up tasks | warm-up (s) | JIT share of the last cycle | "
                + "ended | JIT share of the timed round |\n| --- | --- | ---: | ---: | ---: | ---: | --- | ---: |\n");
        for (Properties run : warmed) {
            md.append("| ").append(run.getProperty("peer")).append(" | ").append(run.getProperty("workload")).append(" | ")
                    .append(run.getProperty("warmupCycles")).append(" | ").append(number(run, "warmupTasks", "%,.0f")).append(" | ")
                    .append(number(run, "warmupSeconds", "%.0f"))
                    .append(" | ").append(percent(run, "warmupJitShare")).append(" | ")
                    .append(Boolean.parseBoolean(run.getProperty("warmupLevelled")) ? "levelled off" : "time limit")
                    .append(" | ").append(percent(run, "timedJitShare")).append(" |\n");
        }
        return md.append('\n').toString();
    }

    private static String percent(Properties run, String key) {
        String value = run.getProperty(key);
        return value == null || "NaN".equals(value) ? "–" : String.format("%.1f%%", 100 * Double.parseDouble(value));
    }

    private static double value(Properties run, String key) {
        return Double.parseDouble(run.getProperty(key));
    }

    private static String number(Properties run, String key, String format) {
        String value = run.getProperty(key);
        return value == null ? "–" : String.format(format, Double.parseDouble(value));
    }

    private static String status(Properties run) {
        return "ok".equals(run.getProperty("status")) ? "ok" : "**failed**: " + run.getProperty("error", "?");
    }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split("\\s+")[0];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst().orElse("?");
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    private static String memTotal() {
        try {
            return Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal"))
                    .map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst().orElse("?");
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }
}
