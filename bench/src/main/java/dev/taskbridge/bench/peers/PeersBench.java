package dev.taskbridge.bench.peers;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * Issue #13's coordinator: runs every (peer, workload) pair in a fresh JVM ({@link PeerRun}), one
 * after another on the same PostgreSQL, then writes {@code results/peers.md} with Taskbridge's
 * figures divided by each peer's, and charts of W1 when XChart is on the class path.
 *
 * <p>A JVM per run keeps the figures honest: heap and thread counts are the peer's own, the JIT
 * has seen no other library's code, and a peer that leaves threads or connections behind cannot
 * slow down the next. Runs are bounded: each JVM is killed after {@code bench.peers.run.seconds}.
 */
public final class PeersBench {

    private PeersBench() {
    }

    public static void main(String[] args) throws Exception {
        Path benchDir = Path.of(System.getProperty("bench.dir", "bench"));
        Path results = Path.of(System.getProperty("bench.peers.results",
                benchDir.resolve("results").resolve("peers.md").toString()));
        List<String> peers = list("bench.peers.list", String.join(",", Peers.ALL));
        List<String> workloads = list("bench.peers.workloads", "W1,W3,W4,W5");
        long runSeconds = Integer.getInteger("bench.peers.run.seconds", 900);
        String heap = System.getProperty("bench.peers.heap", "1g");
        for (String peer : peers) {
            Peers.create(peer); // an unknown name fails here, before any run
        }

        ZonedDateTime startedAt = ZonedDateTime.now();
        String loadAtStart = PeersReport.loadAverage();
        Path work = Files.createTempDirectory("peers-bench");
        List<Properties> runs = new ArrayList<>();
        int total = 0;
        for (String workload : workloads) {
            for (String peer : peers) {
                if (!(!workload.equals("W5") && Peers.w5Only(peer))) {
                    total++;
                }
            }
        }
        int index = 0;
        for (String workload : workloads) {
            for (String peer : peers) {
                if (!workload.equals("W5") && Peers.w5Only(peer)) {
                    continue;
                }
                index++;
                System.out.printf("%n=== run %d of %d: %s, %s (own JVM, at most %d s) ===%n", index, total, peer,
                        workload, runSeconds);
                Path resultFile = work.resolve(peer + "-" + workload + ".properties");
                if (workload.equals("W3")) {
                    runs.add(killAndRestart(peer, heap, runSeconds, resultFile));
                } else {
                    runs.add(runOne(peer, workload, heap, runSeconds, resultFile, List.of()));
                }
            }
        }

        String report = PeersReport.markdown(runs, startedAt, loadAtStart, heap);
        Files.createDirectories(results.toAbsolutePath().getParent());
        List<String> charts = PeersReport.charts(runs, results.toAbsolutePath().getParent());
        report = report + PeersReport.chartSection(charts);
        Files.writeString(results, report, StandardCharsets.UTF_8);
        System.out.println();
        System.out.println(report);
        System.out.println("Written to " + results.toAbsolutePath().normalize());
    }

    /**
     * W3: the first JVM kills itself with SIGKILL once enough effects are in (its properties file
     * stays unwritten; it leaves its figures in a file of its own), then a second starts on what it
     * left. Either's failure is the run's.
     */
    private static Properties killAndRestart(String peer, String heap, long runSeconds, Path resultFile)
            throws IOException, InterruptedException {
        Path crashFile = Path.of(resultFile + ".crash");
        String crashProperty = "-Dbench.peers.w3.crash-file=" + crashFile;
        Properties killed = runOne(peer, "W3", heap, runSeconds, resultFile,
                List.of("-Dbench.peers.w3.phase=crash", crashProperty));
        if (!Files.exists(crashFile)) {
            killed.setProperty("status", "failed");
            killed.putIfAbsent("error", "the run to be killed ended before its kill");
            return killed;
        }
        System.out.printf("=== %s, W3: killed; starting it again on what it left ===%n", peer);
        return runOne(peer, "W3", heap, runSeconds, resultFile, List.of("-Dbench.peers.w3.phase=recover", crashProperty));
    }

    /** Starts one run's JVM with this JVM's class path and every {@code bench.*} property, and waits for it. */
    private static Properties runOne(String peer, String workload, String heap, long runSeconds, Path resultFile,
                                     List<String> extraProperties) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx" + heap);
        command.add("-Djava.awt.headless=true");
        for (Map.Entry<Object, Object> property : System.getProperties().entrySet()) {
            String key = property.getKey().toString();
            if (key.startsWith("bench.") && !key.equals("bench.peers.peer") && !key.equals("bench.peers.workload")
                    && !key.equals("bench.peers.result") && !key.startsWith("bench.peers.w3.phase")
                    && !key.equals("bench.peers.w3.crash-file")) {
                command.add("-D" + key + "=" + property.getValue());
            }
        }
        command.add("-Dbench.peers.peer=" + peer);
        command.add("-Dbench.peers.workload=" + workload);
        command.add("-Dbench.peers.result=" + resultFile);
        command.addAll(extraProperties);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(PeerRun.class.getName());
        Process process = new ProcessBuilder(command).inheritIO().start();
        boolean ended = process.waitFor(runSeconds, TimeUnit.SECONDS);
        Properties result = new Properties();
        if (!ended) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
            result.setProperty("peer", peer);
            result.setProperty("workload", workload);
            result.setProperty("status", "failed");
            result.setProperty("error", "killed after " + runSeconds + " s (bench.peers.run.seconds)");
            return result;
        }
        if (Files.exists(resultFile)) {
            try (InputStream in = Files.newInputStream(resultFile)) {
                result.load(in);
            }
        } else {
            result.setProperty("peer", peer);
            result.setProperty("workload", workload);
            result.setProperty("status", "failed");
            result.setProperty("error", "the run's JVM ended with code " + process.exitValue() + " and wrote no result");
        }
        return result;
    }

    private static List<String> list(String property, String defaults) {
        return Arrays.stream(System.getProperty(property, defaults).split(","))
                .map(String::strip).filter(s -> !s.isEmpty()).map(s -> s.startsWith("w") ? s.toUpperCase(Locale.ROOT) : s)
                .toList();
    }
}
