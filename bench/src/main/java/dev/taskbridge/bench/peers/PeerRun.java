package dev.taskbridge.bench.peers;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.taskbridge.bench.JitMeter;

/**
 * One (peer, workload) run in a JVM of its own, started by {@link PeersBench}: the heap and the
 * threads sampled are then the peer's alone, and no library is left running into the next run.
 * Writes its figures as a properties file the coordinator reads; on failure, the error instead.
 */
public final class PeerRun {

    /** Timed round n (from 0) is round TIMED_ROUND + n, below every warm-up round's. */
    private static final int TIMED_ROUND = 1;
    /** Warm-up cycle n is round FIRST_WARMUP_ROUND + n: every task's name in a run stays unique. */
    private static final int FIRST_WARMUP_ROUND = 100;
    /** Warm-up cycles run at least this many times, then until the JIT has levelled off. */
    private static final int MIN_WARMUP_CYCLES = 2;
    /**
     * A warm-up cycle runs rounds until it has lasted this long: one compile of a big method takes
     * most of a sub-second round, so the JIT's share of a shorter one says little.
     */
    private static final long MIN_WARMUP_CYCLE_NANOS = TimeUnit.SECONDS.toNanos(5);

    private PeerRun() {
    }

    /** The figures of one timed round. */
    record Figures(int tasks, double seconds, double submitSeconds, double lastBodySeconds, long[] submitNanos,
                   long[] toStartNanos, int violations, int duplicates, int chainFailures, double cpuSeconds) {
    }

    public static void main(String[] args) {
        String peerName = System.getProperty("bench.peers.peer", "taskbridge");
        String workload = System.getProperty("bench.peers.workload", "W1").toUpperCase(Locale.ROOT);
        Path resultFile = Path.of(System.getProperty("bench.peers.result", "peer-run.properties"));
        Properties out = new Properties();
        out.setProperty("peer", peerName);
        out.setProperty("workload", workload);
        int code = 0;
        try {
            run(peerName, workload, out);
            out.setProperty("status", "ok");
        } catch (Throwable e) {
            StringWriter trace = new StringWriter();
            e.printStackTrace(new PrintWriter(trace));
            out.setProperty("status", "failed");
            out.setProperty("error", e.toString());
            System.err.println(trace);
            code = 1;
        }
        try (OutputStream stream = Files.newOutputStream(resultFile)) {
            out.store(stream, "one peers run");
        } catch (IOException e) {
            System.err.println("could not write " + resultFile + ": " + e);
            code = 2;
        }
        // libraries that leave non-daemon threads behind must not keep the coordinator waiting
        System.exit(code);
    }

    private static void run(String peerName, String workload, Properties out) throws Exception {
        int workers = Integer.getInteger("bench.peers.workers", 10);
        int poolSize = Integer.getInteger("bench.peers.pool", 30);
        int submitters = Integer.getInteger("bench.peers.submitters", 10);
        int tasks = Integer.getInteger("bench.peers.tasks", 10_000);
        int keys = Integer.getInteger("bench.peers.keys", 100);
        int steps = Integer.getInteger("bench.peers.steps", 100);
        int warmup = Integer.getInteger("bench.peers.warmup.tasks", 2_000);
        long warmupMaxMillis = TimeUnit.SECONDS.toMillis(Integer.getInteger("bench.peers.warmup.max.seconds", 120));
        long roundMillis = TimeUnit.SECONDS.toMillis(Integer.getInteger("bench.peers.round.seconds", 300));
        // a 10,000-task round of a fast peer lasts about two seconds here, too short to stand alone
        int timedRounds = Math.min(Integer.getInteger("bench.peers.timed.rounds", 3), FIRST_WARMUP_ROUND - TIMED_ROUND);
        long timedBudgetNanos = TimeUnit.SECONDS.toNanos(Integer.getInteger("bench.peers.timed.seconds", 60));
        String adminUrl = System.getProperty("bench.pg.url", "jdbc:postgresql://127.0.0.1:5432/taskbridge");
        String user = System.getProperty("bench.pg.user", "taskbridge");
        String password = System.getProperty("bench.pg.password", "taskbridge");
        boolean w5 = switch (workload) {
            case "W1", "W3", "W4" -> false;
            case "W5" -> true;
            default -> throw new IllegalArgumentException("unknown workload " + workload + ": use W1, W3, W4 or W5");
        };

        String database = "peers_" + peerName.replace('-', '_');
        if (workload.equals("W3")) {
            killAndRecover(KillAndRecover.Setting.fromProperties(peerName, adminUrl, database, user, password, workers,
                    poolSize, submitters, roundMillis), out);
            return;
        }
        Peer peer = Peers.create(peerName);
        try (PeerDatabase db = PeerDatabase.recreate(adminUrl, database, user, password,
                peer.usesHarnessPool() ? poolSize : 2);
             Sampler sampler = new Sampler()) {
            peer.start(new PeerSetup(db.dataSource(), db.url(), user, password, workers, poolSize, workload,
                    w5 ? keys : 0, false));
            try {
                out.setProperty("library", peer.library());
                out.setProperty("database", database);
                if (warmup > 0) {
                    warmUp(peerName, workload, peer, warmup, w5 ? keys : 0, submitters, roundMillis, warmupMaxMillis, out);
                }
                if (workload.equals("W4")) {
                    out.setProperty("settings", String.join("\n", peer.settings()));
                    holdQueued(peerName, peer, tasks, submitters, workers, roundMillis, out);
                    return;
                }
                sampler.reset();
                JitMeter timedJit = JitMeter.start();
                List<Figures> timed = new ArrayList<>();
                long timedStart = System.nanoTime();
                do {
                    int id = TIMED_ROUND + timed.size();
                    Round round = w5
                            ? new Round(id, keys, steps, true, peer.ordering() == Peer.Ordering.CHAINED, peer)
                            : new Round(id, tasks, 1, false, false, peer);
                    timed.add(measure(peerName, workload, peer, round, submitters, roundMillis));
                } while (timed.size() < timedRounds && System.nanoTime() - timedStart < timedBudgetNanos);
                // the median round by throughput stands for the run; every round's throughput is kept beside it
                List<Figures> byThroughput = timed.stream()
                        .sorted(Comparator.comparingDouble(f -> f.tasks() / f.seconds())).toList();
                Figures figures = byThroughput.get((byThroughput.size() - 1) / 2);
                out.setProperty("timedRounds", Integer.toString(timed.size()));
                out.setProperty("roundThroughputs", String.join(" ", timed.stream()
                        .map(f -> String.format("%.0f", f.tasks() / f.seconds())).toList()));
                double cpuSeconds = timed.stream().mapToDouble(Figures::cpuSeconds).sum();
                int timedTasks = timed.stream().mapToInt(Figures::tasks).sum();
                out.setProperty("tasks", Integer.toString(figures.tasks()));
                out.setProperty("seconds", Double.toString(figures.seconds()));
                out.setProperty("throughput", Double.toString(figures.tasks() / figures.seconds()));
                out.setProperty("submitSeconds", Double.toString(figures.submitSeconds()));
                out.setProperty("lastBodySeconds", Double.toString(figures.lastBodySeconds()));
                out.setProperty("submitP50", Double.toString(Percentiles.millis(figures.submitNanos(), 50)));
                out.setProperty("submitP99", Double.toString(Percentiles.millis(figures.submitNanos(), 99)));
                out.setProperty("toStartP50", Double.toString(Percentiles.millis(figures.toStartNanos(), 50)));
                out.setProperty("toStartP99", Double.toString(Percentiles.millis(figures.toStartNanos(), 99)));
                // a violation or a duplicate in any round counts, not only in the median one
                out.setProperty("violations", Integer.toString(timed.stream().mapToInt(Figures::violations).sum()));
                out.setProperty("duplicates", Integer.toString(timed.stream().mapToInt(Figures::duplicates).sum()));
                out.setProperty("chainFailures", Integer.toString(timed.stream().mapToInt(Figures::chainFailures).sum()));
                out.setProperty("peakHeapMb", Double.toString(sampler.peakHeapBytes() / (1024.0 * 1024.0)));
                out.setProperty("peakThreads", Integer.toString(sampler.peakThreads()));
                out.setProperty("peakAfterGcMb", Double.toString(sampler.peakAfterGcBytes() / (1024.0 * 1024.0)));
                out.setProperty("cpuMsPerTask", Double.toString(cpuSeconds * 1000 / timedTasks));
                out.setProperty("timedJitShare", Double.toString(timedJit.share()));
                out.setProperty("maxHeapMb", Long.toString(Runtime.getRuntime().maxMemory() / (1024 * 1024)));
                out.setProperty("ordering", w5 ? peer.ordering().name() : "-");
                out.setProperty("orderingNote", peer.orderingNote());
                out.setProperty("settings", String.join("\n", peer.settings()));
                log(peerName, workload, String.format("median of %d timed round(s): %,d tasks in %.2f s: %,.0f/s; submit p50 %.2f ms p99 %.2f ms; "
                                + "submit-to-start p50 %.1f ms p99 %.1f ms; %d order violations, %d duplicates",
                        timed.size(), figures.tasks(), figures.seconds(), figures.tasks() / figures.seconds(),
                        Percentiles.millis(figures.submitNanos(), 50), Percentiles.millis(figures.submitNanos(), 99),
                        Percentiles.millis(figures.toStartNanos(), 50), Percentiles.millis(figures.toStartNanos(), 99),
                        figures.violations(), figures.duplicates()));
            } finally {
                peer.close();
            }
        } finally {
            if (!Boolean.getBoolean("bench.peers.keep-databases")) {
                PeerDatabase.drop(adminUrl, database);
            }
        }
    }

    /**
     * W3 runs in two JVMs: {@code bench.peers.w3.phase=crash} is killed, {@code recover} (the
     * default) starts again on what it left and drops the database when done.
     */
    private static void killAndRecover(KillAndRecover.Setting setting, Properties out) throws Exception {
        if (System.getProperty("bench.peers.w3.phase", "recover").equals("crash")) {
            KillAndRecover.crash(setting);
            return;
        }
        try {
            KillAndRecover.recover(setting, out);
        } finally {
            if (!Boolean.getBoolean("bench.peers.keep-databases")) {
                PeerDatabase.drop(setting.adminUrl(), setting.database());
            }
        }
    }

    /**
     * Submits the round from the submitter threads and waits, first for every body to have run,
     * then for the library itself to count every task done: the clock runs from the first submit
     * to that moment. W1 hands out task numbers from one counter; in W5 each thread owns every
     * submitters-th key and submits step by step across its keys, so keys interleave and the steps
     * of one key leave in order from one thread.
     */
    private static Figures measure(String peerName, String label, Peer peer, Round round, int submitters,
                                   long roundMillis) throws Exception {
        boolean chained = round.steps > 1 && peer.ordering() == Peer.Ordering.CHAINED;
        AtomicInteger submitted = new AtomicInteger();
        AtomicInteger nextTask = new AtomicInteger();
        ExecutorService pool = submitterPool(submitters);
        List<Callable<Void>> clients = new ArrayList<>();
        for (int t = 0; t < submitters; t++) {
            int thread = t;
            clients.add(() -> {
                if (round.steps == 1) {
                    for (int key; (key = nextTask.getAndIncrement()) < round.keys; ) {
                        round.submit(key, 0);
                        submitted.incrementAndGet();
                    }
                    return null;
                }
                int lastStep = chained ? 0 : round.steps - 1;
                for (int step = 0; step <= lastStep; step++) {
                    for (int key = thread; key < round.keys; key += submitters) {
                        round.submit(key, step);
                        submitted.incrementAndGet();
                    }
                }
                return null;
            });
        }
        long cpuBefore = processCpuNanos();
        long start = System.nanoTime();
        long deadline = start + TimeUnit.MILLISECONDS.toNanos(roundMillis);
        List<Future<Void>> running = clients.stream().map(pool::submit).toList();
        long submittedAt = 0;
        long nextProgress = start + TimeUnit.SECONDS.toNanos(1);
        try {
            while (round.distinctFinished() < round.total()) {
                if (submittedAt == 0 && running.stream().allMatch(Future::isDone)) {
                    for (Future<Void> client : running) {
                        client.get(); // a submit that threw ends the run here, saying why
                    }
                    submittedAt = System.nanoTime();
                }
                long now = System.nanoTime();
                if (now > deadline) {
                    throw new IllegalStateException(String.format("%s %s: only %,d of %,d tasks ran within %d s",
                            peerName, label, round.distinctFinished(), round.total(), roundMillis / 1000));
                }
                if (now > nextProgress) {
                    log(peerName, label, String.format("%,d/%,d ran, %,d submitted by the client, %,.0f/s so far",
                            round.distinctFinished(), round.total(), submitted.get(),
                            round.distinctFinished() / ((now - start) / 1e9)));
                    nextProgress = now + TimeUnit.SECONDS.toNanos(1);
                }
                Thread.sleep(2);
            }
            if (submittedAt == 0) {
                for (Future<Void> client : running) {
                    client.get();
                }
                submittedAt = System.nanoTime();
            }
            // every body ran; the library still has to record the last ones as done
            while (peer.unfinished() > 0) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(peerName + " " + label + ": every task ran, but "
                            + peer.unfinished() + " are still not done by the library within " + roundMillis / 1000 + " s");
                }
                Thread.sleep(5);
            }
            long end = System.nanoTime();
            return new Figures(round.total(), (end - start) / 1e9, (submittedAt - start) / 1e9,
                    (round.lastBodyEnd() - start) / 1e9, round.submitLatencies(), round.toStartLatencies(),
                    round.violations(), round.duplicates(), round.chainFailures(),
                    (processCpuNanos() - cpuBefore) / 1e9);
        } finally {
            pool.shutdownNow();
            round.close();
        }
    }

    /**
     * Untimed cycles of rounds of {@code tasks} tasks shaped as the timed round's (unordered, or with
     * {@code keys} > 0 as many keys in order as it has: W5's ordered path is code of its own for the
     * JIT), as many rounds as 5 s take and at least one, at least {@value #MIN_WARMUP_CYCLES} cycles, then
     * until the JIT compilers took under {@link JitMeter#SETTLED_SHARE} of a cycle's time, for at
     * most {@code maxMillis}: on 2 cores a library full of code the JIT has yet to compile (Pekko,
     * Slick, Scala) runs at a fraction of its speed for tens of thousands of tasks, and a fixed
     * count of warm-up tasks would time that, not the library. The same rule for every peer; the
     * results say how each warm-up ended.
     */
    private static void warmUp(String peerName, String workload, Peer peer, int tasks, int keys, int submitters,
                               long roundMillis, long maxMillis, Properties out) throws Exception {
        long start = System.nanoTime();
        long cap = start + TimeUnit.MILLISECONDS.toNanos(maxMillis);
        int cycles = 0;
        int rounds = 0;
        int stepsPerKey = keys == 0 ? 1 : Math.max(1, tasks / keys);
        int tasksPerRound = keys == 0 ? tasks : keys * stepsPerKey;
        double share;
        do {
            JitMeter jit = JitMeter.start();
            long cycleStart = System.nanoTime();
            int cycleRounds = 0;
            do {
                int id = FIRST_WARMUP_ROUND + rounds++;
                Round round = keys == 0 ? new Round(id, tasks, 1, false, false, peer)
                        : new Round(id, keys, stepsPerKey, true, peer.ordering() == Peer.Ordering.CHAINED, peer);
                measure(peerName, workload + " warm-up", peer, round, submitters, roundMillis);
                cycleRounds++;
            } while (System.nanoTime() - cycleStart < MIN_WARMUP_CYCLE_NANOS);
            share = jit.share();
            cycles++;
            log(peerName, workload, String.format("warm-up cycle %d: %d round(s) of %,d tasks in %.1f s, the JIT compilers took "
                    + "%.1f%% of it", cycles, cycleRounds, tasksPerRound, (System.nanoTime() - cycleStart) / 1e9, 100 * share));
        } while (cycles < MIN_WARMUP_CYCLES || !JitMeter.settled(share) && System.nanoTime() < cap);
        out.setProperty("warmupCycles", Integer.toString(cycles));
        out.setProperty("warmupTasks", Integer.toString(rounds * tasksPerRound));
        out.setProperty("warmupSeconds", Double.toString((System.nanoTime() - start) / 1e9));
        out.setProperty("warmupJitShare", Double.toString(share));
        out.setProperty("warmupLevelled", Boolean.toString(JitMeter.settled(share)));
    }

    /**
     * Submits every task of an unordered round from {@code submitters} client threads, handing out
     * task numbers from one counter; returns the seconds it took, once every submit has returned.
     */
    static double submitAll(Round round, int submitters, long boundMillis) throws Exception {
        ExecutorService pool = submitterPool(submitters);
        try {
            AtomicInteger next = new AtomicInteger();
            List<Future<Void>> clients = new ArrayList<>();
            long start = System.nanoTime();
            for (int t = 0; t < submitters; t++) {
                clients.add(pool.submit(() -> {
                    for (int key; (key = next.getAndIncrement()) < round.keys; ) {
                        round.submit(key, 0);
                    }
                    return null;
                }));
            }
            for (Future<Void> client : clients) {
                client.get(boundMillis, TimeUnit.MILLISECONDS);
            }
            return (System.nanoTime() - start) / 1e9;
        } finally {
            pool.shutdownNow();
        }
    }

    /** The client threads that submit a round, as concurrent requests to a server would. */
    private static ExecutorService submitterPool(int submitters) {
        return Executors.newFixedThreadPool(submitters, runnable -> {
            Thread thread = new Thread(runnable, "peers-submitter");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * W4: what a library holds while {@code tasks} tasks wait. Every body is held at its start, so
     * the library's workers fill with the first tasks and the rest queue wherever the library
     * keeps queued work (its table, its memory or both). Once every task is submitted and the
     * workers have taken what they will, the live heap (after full collections) and the live
     * threads are compared with the same figures taken before the first submit, after the
     * warm-up; then the bodies are let go and every task must run exactly once.
     */
    private static void holdQueued(String peerName, Peer peer, int tasks, int submitters, int workers, long roundMillis,
                                   Properties out) throws Exception {
        long idleHeap = liveHeapBytes();
        int idleThreads = ManagementFactory.getThreadMXBean().getThreadCount();
        Round round = new Round(TIMED_ROUND, tasks, 1, false, false, peer);
        round.hold();
        try {
            double submitSeconds = submitAll(round, submitters, roundMillis);
            // the workers take the first tasks; wait until they have, or have stopped taking more for a second
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            int taken = -1;
            long steadySince = System.nanoTime();
            while (System.nanoTime() < deadline) {
                int now = round.entered();
                if (now != taken) {
                    taken = now;
                    steadySince = System.nanoTime();
                } else if (System.nanoTime() - steadySince > TimeUnit.SECONDS.toNanos(1) && taken > 0) {
                    break;
                }
                Thread.sleep(20);
            }
            long heldHeap = liveHeapBytes();
            int heldThreads = ManagementFactory.getThreadMXBean().getThreadCount();
            int running = round.entered();
            int queued = tasks - running;
            log(peerName, "W4", String.format("%,d tasks submitted in %.1f s; %d running (held), %,d queued; live heap "
                            + "%.1f MB idle, %.1f MB holding them (%,.0f bytes per queued task); threads %d idle, %d holding them",
                    tasks, submitSeconds, running, queued, idleHeap / 1048576.0, heldHeap / 1048576.0,
                    queued == 0 ? 0.0 : (heldHeap - idleHeap) / (double) queued, idleThreads, heldThreads));

            // kept before the release: a library that then fails to run them all still shows what it held
            out.setProperty("tasks", Integer.toString(tasks));
            out.setProperty("submitSeconds", Double.toString(submitSeconds));
            out.setProperty("running", Integer.toString(running));
            out.setProperty("queued", Integer.toString(queued));
            out.setProperty("idleHeapMb", Double.toString(idleHeap / 1048576.0));
            out.setProperty("heldHeapMb", Double.toString(heldHeap / 1048576.0));
            out.setProperty("bytesPerQueuedTask", Double.toString(queued == 0 ? 0 : (heldHeap - idleHeap) / (double) queued));
            out.setProperty("idleThreads", Integer.toString(idleThreads));
            out.setProperty("heldThreads", Integer.toString(heldThreads));
            out.setProperty("workers", Integer.toString(workers));

            round.release();
            long drainStart = System.nanoTime();
            long drainDeadline = drainStart + TimeUnit.MILLISECONDS.toNanos(roundMillis);
            while (round.distinctFinished() < tasks || peer.unfinished() > 0) {
                if (System.nanoTime() > drainDeadline) {
                    throw new IllegalStateException(String.format("%s W4: only %,d of %,d held tasks ran within %d s of "
                            + "their release", peerName, round.distinctFinished(), tasks, roundMillis / 1000));
                }
                Thread.sleep(5);
            }
            double drainSeconds = (System.nanoTime() - drainStart) / 1e9;
            out.setProperty("drainSeconds", Double.toString(drainSeconds));
            out.setProperty("duplicates", Integer.toString(round.duplicates()));
            log(peerName, "W4", String.format("released: all %,d ran in %.2f s, %d duplicates", tasks, drainSeconds,
                    round.duplicates()));
        } finally {
            round.close();
        }
    }

    /** Heap in use after full collections: what this JVM keeps, not what it has allocated since the last one. */
    private static long liveHeapBytes() throws InterruptedException {
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
            least = Math.min(least, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return least;
    }

    /** CPU time of this JVM, all threads: the library's work on the client's side of the database. */
    private static long processCpuNanos() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return 0;
    }

    static void log(String peer, String label, String message) {
        System.out.printf("[peers %s] [%s %s] %s%n", DateTimeFormatter.ofPattern("HH:mm:ss").format(ZonedDateTime.now()),
                peer, label, message);
    }
}
