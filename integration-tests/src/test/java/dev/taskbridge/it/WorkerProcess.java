package dev.taskbridge.it;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A headless worker started as an operator starts one: the worker module's distribution
 * ({@code bin/taskbridge-worker.sh} and its own configuration file), its output in a log of its
 * own. {@link #kill()} ends it as a crash does; {@link #close()} as an operator's stop (SIGTERM).
 */
final class WorkerProcess implements AutoCloseable {

    /** What the worker logs once its engine runs (the worker module's {@code Worker.STARTED}). */
    private static final String STARTED = "Taskbridge worker started";
    /** The distribution the worker module's build leaves: bin, conf, lib, plugins. */
    static final Path DISTRIBUTION = Path.of("..", "worker", "target", "taskbridge-worker").toAbsolutePath().normalize();

    private final Path config;
    private final Path log;
    private final Map<String, String> environment = new HashMap<>();
    private Process process;

    private WorkerProcess(Path config, Path log) {
        this.config = config;
        this.log = log;
    }

    /** A worker whose settings are {@code properties}, written to {@code directory}/worker.properties. */
    static WorkerProcess prepare(Path directory, String properties) throws IOException {
        if (!Files.isRegularFile(DISTRIBUTION.resolve("bin/taskbridge-worker.sh"))) {
            throw new IllegalStateException("no worker at " + DISTRIBUTION + "; run the build through Maven");
        }
        ServerProcess.deleteRecursively(directory);
        Files.createDirectories(directory);
        Path config = Files.writeString(directory.resolve("worker.properties"), properties);
        return new WorkerProcess(config, directory.resolve("worker.log"));
    }

    /** A variable of the worker's environment: how passwords reach it, never its command line. */
    WorkerProcess withEnvironment(String name, String value) {
        environment.put(name, value);
        return this;
    }

    /** Starts it and waits until it says its engine runs; fails with its log's end if it exits first. */
    WorkerProcess start() throws IOException {
        ProcessBuilder builder = new ProcessBuilder("bash", DISTRIBUTION.resolve("bin/taskbridge-worker.sh").toString(),
                config.toString()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(environment);
        process = builder.start();
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200)).until(() -> {
            if (!process.isAlive()) {
                throw new AssertionError("the worker exited with " + process.exitValue() + ":\n" + log());
            }
            return log().contains(STARTED);
        });
        return this;
    }

    String log() throws IOException {
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }

    /** SIGKILL, as a crash or {@code kill -9}: no drain, no leaving. The script exec's Java, so this is the JVM. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(1, TimeUnit.MINUTES);
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy(); // SIGTERM: the worker drains and leaves
            if (!process.waitFor(1, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                process.waitFor(1, TimeUnit.MINUTES);
            }
        }
    }
}
