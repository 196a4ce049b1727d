package dev.taskbridge.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.taskbridge.engine.EngineSettings;
import dev.taskbridge.engine.TaskEngine;
import dev.taskbridge.engine.journal.Dialect;
import dev.taskbridge.engine.plugins.TaskTypeRegistry;
import dev.taskbridge.engine.store.TaskState;
import dev.taskbridge.engine.store.TaskStore;

/**
 * How many durable no-op tasks per second the engine completes, next to how many events per
 * second its own JDBC journal takes on the same database when nothing else happens. The ratio
 * says how much of what the journal allows the engine actually delivers: the journal is the floor
 * every durable task stands on, so the gap is the engine's own overhead.
 *
 * <p>Configured with system properties (see bench/README.md); writes
 * {@code results/durable-tasks.md} and prints it.
 */
public final class DurableTasksBench {

    private static final int MIN_WARMUP_CYCLES = 2;
    private static final long MIN_POLL_MILLIS = 10;
    private static final long MAX_POLL_MILLIS = 200;
    private static final long ROUND_TIMEOUT_MILLIS = TimeUnit.MINUTES.toMillis(5);
    /** The engine's defaults, but for what {@code -Dbench.chunk-groups} and {@code -Dbench.snapshot-every} say. */
    private static final EngineSettings SETTINGS = EngineSettings.DEFAULTS
            .withChunkGroups(Integer.getInteger("bench.chunk-groups", EngineSettings.DEFAULT_CHUNK_GROUPS))
            .withSnapshotEvery(Integer.getInteger("bench.snapshot-every", EngineSettings.DEFAULTS.snapshotEvery()));
    /**
     * The events the slots have journaled: their highest sequence numbers, as events before a
     * slot's older snapshot are deleted. Quoted lower-case names work on H2 and PostgreSQL alike.
     */
    private static final String SLOT_EVENTS = "SELECT COALESCE(SUM(m), 0) FROM (SELECT MAX(\"sequence_number\") AS m "
            + "FROM \"event_journal\" WHERE \"persistence_id\" LIKE 'TaskSlot|%' GROUP BY \"persistence_id\") AS s";

    private DurableTasksBench() {
    }

    /** One database's figures. */
    private record Result(String database, String product, int tasks, int events, Stats rawEvents, Stats floor,
                          Stats tasksPerSecond, Stats submitsPerSecond, Stats storeOnly, double eventsPerTask,
                          Stats cpuMicrosPerEvent, Stats cpuMicrosPerStoreTask, Stats cpuMicrosPerTask,
                          Stats machineBusyRaw,
                          Stats machineBusyTasks, Stats jvmShareRaw, Stats jvmShareTasks, Warmup warmup) {

        /** Tasks per second the journal alone would allow. */
        double journalBound() {
            return rawEvents.median() / eventsPerTask;
        }

        /** Tasks per second ÷ the plain-JDBC floor's: the goal is 0.5 or more. */
        double ratio() {
            return tasksPerSecond.median() / floor.median();
        }
    }

    /**
     * How the warm-up went, and how much the JIT compiled during the timed runs.
     *
     * @param lastJitShare  the compilers' share of the last warm-up cycle's wall time
     * @param timedJitShare the compilers' share of the timed runs' wall time
     */
    private record Warmup(int cycles, double seconds, double lastJitShare, double timedJitShare, boolean cappedByTime) {
    }

    /** One timed batch of tasks. */
    private record TaskRound(double tasksPerSecond, double submitsPerSecond, double eventsPerTask,
                             CpuMeter.Usage cpu) {
    }

    /** Tasks each slot runs at once (design note 034): {@code bench.at-once-per-slot}, 4 unless set. */
    static final int AT_ONCE_PER_SLOT = Integer.getInteger("bench.at-once-per-slot", 4);

    public static void main(String[] args) throws Exception {
        Path benchDir = Path.of(System.getProperty("bench.dir", "bench"));
        Path resultsFile = Path.of(System.getProperty("bench.results",
                benchDir.resolve("results").resolve("durable-tasks.md").toString()));
        List<String> databases = List.of(System.getProperty("bench.databases", "h2,postgresql").split(","));
        int repeats = Integer.getInteger("bench.repeats", 3);
        int slots = Integer.getInteger("bench.slots", 10);
        int warmupSeconds = Integer.getInteger("bench.warmup.seconds", 15);
        int warmupMaxSeconds = Integer.getInteger("bench.warmup.max.seconds", 600);
        // 50: with 10, submitting is the bound (each call stores one task, so a commit holds at most 10,
        // where the floor's inserts go 100 to a commit), not running: bench/results/durable-tasks-bounds.md
        int submitters = Integer.getInteger("bench.submitters", 50);

        ZonedDateTime startedAt = ZonedDateTime.now();
        String loadAtStart = loadAverage();
        List<Result> results = new ArrayList<>();
        for (String database : databases) {
            switch (database.strip().toLowerCase(Locale.ROOT)) {
                case "h2" -> {
                    try (BenchDatabase db = BenchDatabase.h2(benchDir.resolve("target").resolve("h2"))) {
                        results.add(measure(db, Integer.getInteger("bench.h2.tasks", 5_000),
                                Integer.getInteger("bench.h2.events", 30_000), slots, submitters, repeats,
                                warmupSeconds, warmupMaxSeconds));
                    }
                }
                case "postgresql", "postgres", "pg" -> {
                    try (BenchDatabase db = BenchDatabase.postgres(
                            System.getProperty("bench.pg.url", "jdbc:postgresql://127.0.0.1:5432/taskbridge_test"),
                            System.getProperty("bench.pg.user", "taskbridge"),
                            System.getProperty("bench.pg.password", "taskbridge"))) {
                        results.add(measure(db, Integer.getInteger("bench.pg.tasks", 2_000),
                                Integer.getInteger("bench.pg.events", 10_000), slots, submitters, repeats,
                                warmupSeconds, warmupMaxSeconds));
                    }
                }
                default -> throw new IllegalArgumentException(
                        "unknown database '" + database + "': use h2, postgresql");
            }
        }

        String report = report(results, startedAt, loadAtStart, slots, submitters, repeats, warmupSeconds);
        Files.createDirectories(resultsFile.toAbsolutePath().getParent());
        Files.writeString(resultsFile, report, StandardCharsets.UTF_8);
        System.out.println();
        System.out.println(report);
        System.out.println("Written to " + resultsFile.toAbsolutePath().normalize());
    }

    /**
     * Starts a raw-journal actor system and an engine side by side on one database, warms up, then
     * alternates the timed rounds (raw journal, store alone, tasks), so that a noisy neighbour hurts
     * all of them alike.
     */
    private static Result measure(BenchDatabase db, int tasks, int events, int slots, int submitterThreads,
                                  int repeats, int warmupSeconds, int warmupMaxSeconds) throws Exception {
        String product = db.describe();
        log(db, "measuring on " + product);
        ClassLoader classLoader = DurableTasksBench.class.getClassLoader();
        Dialect dialect = Dialect.of(db.dataSource());
        // The engine would create the tables too; the raw journal must not depend on starting first.
        new TaskStore(db.dataSource(), Clock.systemUTC()).createSchema(dialect);

        List<Double> raw = new ArrayList<>();
        List<Double> storeRates = new ArrayList<>();
        List<Double> floorRates = new ArrayList<>();
        List<Double> taskRates = new ArrayList<>();
        List<Double> submitRates = new ArrayList<>();
        List<Double> eventsPerTask = new ArrayList<>();
        List<Double> cpuPerEvent = new ArrayList<>();
        List<Double> cpuPerStoreTask = new ArrayList<>();
        List<Double> cpuPerTask = new ArrayList<>();
        List<Double> busyRaw = new ArrayList<>();
        List<Double> busyTasks = new ArrayList<>();
        List<Double> shareRaw = new ArrayList<>();
        List<Double> shareTasks = new ArrayList<>();
        Warmup warmup;
        try (Submitters submitters = new Submitters(submitterThreads);
             StoreOnly storeOnly = new StoreOnly(db.dataSource(), slots);
             JdbcFloor floor = new JdbcFloor(db.dataSource(), submitterThreads, slots);
             RawJournal journal = RawJournal.start(db.dataSource(), dialect, SETTINGS, classLoader);
             TaskEngine engine = TaskEngine.start(SETTINGS, TaskTypeRegistry.of(List.of(new NoOpTaskType(slots, AT_ONCE_PER_SLOT))),
                     db.dataSource(), null, classLoader, Clock.systemUTC(), null)) {
            // Cycles of half a run each: at least two, for at least warmupSeconds, and until the JIT has
            // levelled off (JitMeter), for at most warmupMaxSeconds. Rates still rose from run to run
            // after one cycle, and a 30-second warm-up left C2 in half of the timed runs' CPU samples.
            long warmupStart = System.nanoTime();
            long warmupEnd = warmupStart + TimeUnit.SECONDS.toNanos(warmupSeconds);
            long warmupCap = warmupStart + TimeUnit.SECONDS.toNanos(Math.max(warmupSeconds, warmupMaxSeconds));
            int cycle = 0;
            double lastJitShare;
            do {
                cycle++;
                JitMeter jit = JitMeter.start();
                String rates = String.format("%,.0f raw events/s, %,.0f floor tasks/s, %,.0f store-only tasks/s, %,.0f tasks/s",
                        journal.write(slots, Math.max(slots, events / 2)),
                        floor(floor, db, Math.max(slots, tasks / 2)),
                        storeOnly(storeOnly, db, Math.max(slots, tasks / 2)),
                        runTasks(engine, db, Math.max(slots, tasks / 2), submitters).tasksPerSecond());
                lastJitShare = jit.share();
                log(db, String.format("warm-up %d: %s; JIT compiling %.0f%% of the cycle", cycle, rates, 100 * lastJitShare));
            } while (cycle < MIN_WARMUP_CYCLES || System.nanoTime() < warmupEnd
                    || !JitMeter.settled(lastJitShare) && System.nanoTime() < warmupCap);
            boolean capped = !JitMeter.settled(lastJitShare);
            if (capped) {
                log(db, String.format("the JIT had not levelled off after %d s: timing anyway (see the results' Run section)",
                        TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - warmupStart)));
            }
            double warmupTook = (System.nanoTime() - warmupStart) / 1e9;
            JitMeter timedJit = JitMeter.start();
            for (int i = 1; i <= repeats; i++) {
                CpuMeter.Sample before = CpuMeter.sample();
                double rate = journal.write(slots, events);
                CpuMeter.Usage rawCpu = CpuMeter.between(before, CpuMeter.sample());
                raw.add(rate);
                cpuPerEvent.add(rawCpu.processCpuSeconds() * 1e6 / events);
                busyRaw.add(rawCpu.machineBusy());
                shareRaw.add(rawCpu.processShare());

                double floorRate = floor(floor, db, tasks);
                floorRates.add(floorRate);

                before = CpuMeter.sample();
                double storeRate = storeOnly(storeOnly, db, tasks);
                cpuPerStoreTask.add(CpuMeter.between(before, CpuMeter.sample()).processCpuSeconds() * 1e6 / tasks);
                storeRates.add(storeRate);

                TaskRound round = runTasks(engine, db, tasks, submitters);
                taskRates.add(round.tasksPerSecond());
                submitRates.add(round.submitsPerSecond());
                eventsPerTask.add(round.eventsPerTask());
                cpuPerTask.add(round.cpu().processCpuSeconds() * 1e6 / tasks);
                busyTasks.add(round.cpu().machineBusy());
                shareTasks.add(round.cpu().processShare());
                log(db, String.format("round %d: raw journal %,.0f events/s (JVM %.0f µs CPU/event, machine %.0f%% "
                                + "busy); floor %,.0f tasks/s; store alone %,.0f tasks/s; %,d tasks: %,.0f tasks/s (submitting alone "
                                + "%,.0f/s), "
                                + "%.2f journal events/task (JVM %.0f µs CPU/task, machine %.0f%% busy)",
                        i, rate, cpuPerEvent.get(i - 1), 100 * rawCpu.machineBusy(), floorRate, storeRate, tasks,
                        round.tasksPerSecond(), round.submitsPerSecond(), round.eventsPerTask(), cpuPerTask.get(i - 1),
                        100 * round.cpu().machineBusy()));
            }
            warmup = new Warmup(cycle, warmupTook, lastJitShare, timedJit.share(), capped);
        }
        return new Result(db.label(), product, tasks, events, Stats.of(raw), Stats.of(floorRates), Stats.of(taskRates),
                Stats.of(submitRates), Stats.of(storeRates), Stats.of(eventsPerTask).median(), Stats.of(cpuPerEvent),
                Stats.of(cpuPerStoreTask), Stats.of(cpuPerTask), Stats.of(busyRaw), Stats.of(busyTasks),
                Stats.of(shareRaw), Stats.of(shareTasks), warmup);
    }

    /**
     * Submits {@code tasks} no-op tasks from the submitter threads and waits until the store shows
     * all of them SUCCEEDED. The clock runs from the first submit to the poll that sees the last one.
     */
    private static TaskRound runTasks(TaskEngine engine, BenchDatabase db, int tasks, Submitters submitters)
            throws Exception {
        TaskStore store = engine.store();
        Map<TaskState, Long> before = store.countByState();
        long eventsBefore = db.count(SLOT_EVENTS);
        long target = before.get(TaskState.SUCCEEDED) + tasks;

        CpuMeter.Sample cpuBefore = CpuMeter.sample();
        long start = System.nanoTime();
        submitters.submit(engine, tasks);
        long submitted = System.nanoTime();
        long deadline = start + TimeUnit.MILLISECONDS.toNanos(ROUND_TIMEOUT_MILLIS);
        while (true) {
            Map<TaskState, Long> now = store.countByState();
            if (now.get(TaskState.FAILED) > before.get(TaskState.FAILED)) {
                throw new IllegalStateException("no-op tasks failed: " + now);
            }
            long left = target - now.get(TaskState.SUCCEEDED);
            if (left <= 0) {
                break;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("tasks not done after " + ROUND_TIMEOUT_MILLIS + " ms: " + now);
            }
            Thread.sleep(pollDelay(tasks - left, left, System.nanoTime() - start));
        }
        long end = System.nanoTime();
        CpuMeter.Usage cpu = CpuMeter.between(cpuBefore, CpuMeter.sample());

        // The last Succeeded events are journaled just after the store says SUCCEEDED: wait for them (untimed).
        long events = db.count(SLOT_EVENTS);
        for (int stable = 0; stable < 5; ) {
            Thread.sleep(MIN_POLL_MILLIS * 4);
            long again = db.count(SLOT_EVENTS);
            stable = again == events ? stable + 1 : 0;
            events = again;
        }
        // Keep the tables the same size for every round: counting by state scans the task table.
        clearFinished(db);
        return new TaskRound(tasks / seconds(start, end), tasks / seconds(start, submitted),
                (events - eventsBefore) / (double) tasks, cpu);
    }

    /** Times the plain-JDBC floor for {@code tasks} tasks, then removes the rows they left. */
    private static double floor(JdbcFloor floor, BenchDatabase db, int tasks) throws Exception {
        double rate = floor.run(tasks);
        clearFinished(db);
        return rate;
    }

    /** Times the store's statements for {@code tasks} tasks, then removes the rows they left. */
    private static double storeOnly(StoreOnly storeOnly, BenchDatabase db, int tasks) throws Exception {
        double rate = storeOnly.run(tasks);
        clearFinished(db);
        return rate;
    }

    /** Removes what finished tasks left: their markers, their history, themselves. */
    private static void clearFinished(BenchDatabase db) throws Exception {
        db.execute("DELETE FROM tb_chunk_marker");
        db.execute("DELETE FROM tb_task_event");
        db.execute("DELETE FROM tb_task WHERE status = 'SUCCEEDED'");
    }

    /**
     * How long to wait before counting again: half the time the remaining tasks should take at the
     * rate seen so far, within bounds. Counting scans the task table on the same machine, so the
     * harness polls rarely while much is left and often near the end, where the clock stops.
     */
    private static long pollDelay(long done, long left, long elapsedNanos) {
        if (done <= 0) {
            return MAX_POLL_MILLIS / 4;
        }
        double millisPerTask = elapsedNanos / 1e6 / done;
        long half = Math.round(left * millisPerTask / 2);
        return Math.max(MIN_POLL_MILLIS, Math.min(MAX_POLL_MILLIS, half));
    }

    private static double seconds(long fromNanos, long toNanos) {
        return (toNanos - fromNanos) / 1e9;
    }

    private static void log(BenchDatabase db, String message) {
        System.out.printf("[bench %s] [%s] %s%n", DateTimeFormatter.ofPattern("HH:mm:ss").format(ZonedDateTime.now()),
                db.label(), message);
    }

    private static String report(List<Result> results, ZonedDateTime startedAt, String loadAtStart, int slots,
                                 int submitters, int repeats, int warmupSeconds) {
        StringBuilder md = new StringBuilder();
        md.append("# Durable no-op tasks against the fewest writes a task needs\n\n");
        md.append("Written by `bench/run.sh` (`dev.taskbridge.bench.DurableTasksBench`); every run overwrites it. ")
                .append("See `bench/README.md` for what is measured and how to read the ratio.\n\n");
        md.append("| database | measurement | median | min | max | ratio to floor |\n");
        md.append("| --- | --- | ---: | ---: | ---: | ---: |\n");
        for (Result r : results) {
            row(md, r.database(), String.format("floor: plain JDBC, one insert per task (batches of %d, %d threads) "
                    + "and one update per task (%d threads), at once (tasks/s)", JdbcFloor.INSERT_BATCH, submitters,
                    slots), r.floor(), "baseline");
            row(md, r.database(), String.format("durable no-op tasks, %d slots, %,d tasks per run, first submit to all "
                    + "SUCCEEDED (tasks/s)", slots, r.tasks()), r.tasksPerSecond(), String.format("%.2f", r.ratio()));
            row(md, r.database(), String.format("of which: submitting alone, %d client threads (submits/s)",
                    submitters),
                    r.submitsPerSecond(), "–");
            row(md, r.database(), String.format("task store alone: the engine's statements for a task, %d threads, "
                    + "no actors, no journal (tasks/s)", slots), r.storeOnly(),
                    String.format("%.2f", r.storeOnly().median() / r.floor().median()));
            row(md, r.database(), String.format("raw journal writes, %d event-sourced actors, %,d events per run "
                    + "(events/s)", slots, r.events()), r.rawEvents(), "–");
            row(md, r.database(), String.format("journal bound for tasks: raw events/s ÷ %.2f events per task "
                    + "(tasks/s)", r.eventsPerTask()), r.rawEvents().dividedBy(r.eventsPerTask()),
                    String.format("%.2f", r.journalBound() / r.floor().median()));
        }
        md.append("\nRatio = median tasks/s ÷ median floor tasks/s, both measured in the same run, alternating. ")
                .append("The goal (issue #10) is 0.5 or more. The other rows are diagnostics: submissions alone, ")
                .append("the task store's statements alone, and the journal, whose bound is what the slots' ")
                .append("events alone would allow if each were written one at a time (hand-overs and ends share events, ")
                .append("so tasks can beat it).\n");
        md.append("\n## Where the CPU went (medians, JVM CPU time)\n\n");
        md.append("| database | per raw event | per task, store alone | per task | of which journal (events × "
                + "per event) | of which store | the rest | JVM share of all cores (raw / tasks) "
                + "| machine busy (raw / tasks) |\n");
        md.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (Result r : results) {
            double journal = r.eventsPerTask() * r.cpuMicrosPerEvent().median();
            double store = r.cpuMicrosPerStoreTask().median();
            double task = r.cpuMicrosPerTask().median();
            md.append(String.format("| %s | %,.0f µs | %,.0f µs | %,.0f µs | %,.0f µs | %,.0f µs | %,.0f µs "
                            + "| %.0f%% / %.0f%% | %.0f%% / %.0f%% |%n",
                    r.database(), r.cpuMicrosPerEvent().median(), store, task, journal, store, task - journal - store,
                    100 * r.jvmShareRaw().median(), 100 * r.jvmShareTasks().median(),
                    100 * r.machineBusyRaw().median(), 100 * r.machineBusyTasks().median()));
        }
        md.append("\nCPU time of this JVM (all its threads: JIT and GC too). With H2 embedded it includes the "
                + "database; PostgreSQL's own CPU shows only in \"machine busy\", as does anything else running on "
                + "the machine at the time. \"The rest\" is what a task costs beyond its journal events and its "
                + "store statements: actors, thread hand-offs, snapshots, contention.\n");
        md.append("\n## Run\n\n");
        for (Result r : results) {
            md.append(String.format("- %s: %s; journal events per task measured: %.2f%n", r.database(), r.product(),
                    r.eventsPerTask()));
        }
        for (Result r : results) {
            Warmup w = r.warmup();
            md.append(String.format("- %s warm-up: %d cycles in %.0f s, %s (the compilers took %.1f%% of the last "
                            + "cycle's time); during the timed runs they took %.1f%% of it%n", r.database(), w.cycles(),
                    w.seconds(), w.cappedByTime() ? "stopped by its time limit before the JIT had levelled off"
                            : String.format("until the JIT had levelled off (under %.0f%%)", 100 * JitMeter.SETTLED_SHARE),
                    100 * w.lastJitShare(), 100 * w.timedJitShare()));
        }
        md.append(String.format("- %d timed runs of each measurement, alternating raw journal, floor, store alone and tasks; "
                        + "before them, at least two warm-up cycles of half a run each, for at least %d s; "
                        + "store polled every %d-%d ms (less often while much is left); finished tasks deleted "
                        + "between runs%n",
                repeats, warmupSeconds, MIN_POLL_MILLIS, MAX_POLL_MILLIS));
        md.append(String.format("- engine settings: the defaults, but for the bench's properties (%d dispatcher threads, %d blocking threads, %d journal "
                        + "threads, snapshot every %d events), %d chunk groups at once; pool of 30 connections; "
                        + "logging at WARN%n",
                SETTINGS.dispatcherThreads(), SETTINGS.blockingThreads(), SETTINGS.journalThreads(), SETTINGS.snapshotEvery(), SETTINGS.chunkGroups()));
        md.append("\n## Machine\n\n");
        md.append(String.format("- date: %s%n", startedAt.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)));
        md.append(String.format("- load average (1 min) at start / end: %s / %s%n", loadAtStart, loadAverage()));
        md.append(String.format("- cores: %d%n", Runtime.getRuntime().availableProcessors()));
        md.append(String.format("- JVM: %s %s (%s), max heap %d MB%n", System.getProperty("java.vm.name"),
                System.getProperty("java.runtime.version"), System.getProperty("java.vm.vendor"),
                Runtime.getRuntime().maxMemory() / (1024 * 1024)));
        md.append(String.format("- OS: %s %s %s%n", System.getProperty("os.name"), System.getProperty("os.version"),
                System.getProperty("os.arch")));
        md.append(String.format("- Pekko %s; logging through %s%n", org.apache.pekko.Version.current(),
                org.slf4j.LoggerFactory.getILoggerFactory().getClass().getName()));
        return md.toString();
    }

    /** The machine's one-minute load average, or "?" where there is no /proc. */
    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split("\\s+")[0];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    private static void row(StringBuilder md, String database, String measurement, Stats stats, String ratio) {
        md.append(String.format("| %s | %s | %,.0f | %,.0f | %,.0f | %s |%n", database, measurement,
                stats.median(), stats.min(), stats.max(), ratio));
    }
}
