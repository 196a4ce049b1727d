package dev.taskbridge.it;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.jboss.as.controller.client.ModelControllerClient;
import org.jboss.dmr.ModelNode;
import org.wildfly.core.launcher.Launcher;
import org.wildfly.core.launcher.StandaloneCommandBuilder;

/**
 * A WildFly process the test owns, so that it can kill it like a power cut would. It runs the
 * provisioned server with its own base directory (configuration, deployments, data, log) and a
 * port offset, beside any server Arquillian manages.
 */
final class ServerProcess implements AutoCloseable {

    static final int PORT_OFFSET = 100;
    static final String BASE_URL = "http://127.0.0.1:" + (8080 + PORT_OFFSET) + "/taskbridge/api";
    static final String MANAGEMENT_URL = "http://127.0.0.1:" + (9990 + PORT_OFFSET);

    private final StandaloneCommandBuilder command;
    private final Path log;
    private final Path serverLog;
    private final int portOffset;
    private final Map<String, String> environment = new HashMap<>();
    private Process process;

    private ServerProcess(StandaloneCommandBuilder command, Path log, Path serverLog, int portOffset) {
        this.command = command;
        this.log = log;
        this.serverLog = serverLog;
        this.portOffset = portOffset;
    }

    /**
     * Prepares a base directory with the server's configuration and the given EAR.
     *
     * @param javaOptions extra JVM options, e.g. system properties
     */
    static ServerProcess prepare(Path baseDir, Path ear, List<String> javaOptions) throws IOException {
        return prepare(Path.of(System.getProperty("jboss.home")), baseDir, ear, javaOptions);
    }

    /** As {@link #prepare(Path, Path, List)}, from another provisioned server, e.g. the production one. */
    static ServerProcess prepare(Path jbossHome, Path baseDir, Path ear, List<String> javaOptions) throws IOException {
        return prepare(jbossHome, baseDir, ear, javaOptions, PORT_OFFSET);
    }

    /** As {@link #prepare(Path, Path, List)}, at another port offset: one of several servers the test runs at once. */
    static ServerProcess prepare(Path baseDir, Path ear, List<String> javaOptions, int portOffset) throws IOException {
        return prepare(Path.of(System.getProperty("jboss.home")), baseDir, ear, javaOptions, portOffset);
    }

    private static ServerProcess prepare(Path jbossHome, Path baseDir, Path ear, List<String> javaOptions, int portOffset)
            throws IOException {
        deleteRecursively(baseDir);
        copyRecursively(jbossHome.resolve("standalone/configuration"), baseDir.resolve("configuration"));
        Files.createDirectories(baseDir.resolve("deployments"));
        Files.copy(ear, baseDir.resolve("deployments/taskbridge.ear"), StandardCopyOption.REPLACE_EXISTING);
        StandaloneCommandBuilder command = StandaloneCommandBuilder.of(jbossHome)
                .setBaseDirectory(baseDir)
                .addJavaOptions("-Xms256m", "-Xmx1g", "-Djboss.bind.address=127.0.0.1",
                        "-Djboss.bind.address.management=127.0.0.1",
                        "-Djboss.socket.binding.port-offset=" + portOffset)
                .addJavaOptions(javaOptions);
        return new ServerProcess(command, baseDir.resolve("console.log"), baseDir.resolve("log/server.log"), portOffset);
    }

    /** Sets an environment variable of the server's process, e.g. a password, as an operator keeps one off the command line. */
    ServerProcess withEnvironment(String name, String value) {
        environment.put(name, value);
        return this;
    }

    /** Where this server's REST API answers. */
    String baseUrl() {
        return "http://127.0.0.1:" + (8080 + portOffset) + "/taskbridge/api";
    }

    /** Where this server's management interface (and its health checks) answer. */
    String managementUrl() {
        return "http://127.0.0.1:" + (9990 + portOffset);
    }

    /** Starts the server and waits until the application answers. */
    ServerProcess start() throws IOException {
        launch();
        awaitApplication();
        return this;
    }

    /** Starts the server and returns at once. */
    ServerProcess launch() throws IOException {
        process = Launcher.of(command).setRedirectErrorStream(true).addEnvironmentVariables(environment)
                .redirectOutput(ProcessBuilderRedirect.appendTo(log)).launch();
        return this;
    }

    /** The running server's process: its command line, as {@code ps} shows it. */
    ProcessHandle handle() {
        return process.toHandle();
    }

    void awaitApplication() {
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    if (!process.isAlive()) {
                        // at once, with why: CI keeps the test's output, not the server's files
                        throw new AssertionError("the server exited with " + process.exitValue() + "; the end of " + log
                                + ":\n" + tail(log, 40) + "\nits warnings and errors:\n" + warnings());
                    }
                    try {
                        return Api.as("clerk").at(baseUrl()).get("/task-types").status() == 200;
                    } catch (RuntimeException notYetListening) {
                        return false;
                    }
                });
    }

    private static String tail(Path file, int lines) {
        try {
            if (!Files.exists(file)) {
                return "(no " + file + ")";
            }
            List<String> all = Files.readAllLines(file);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(" + file + " could not be read: " + e + ")";
        }
    }

    /** The server's log file (the logging subsystem's FILE handler). */
    Path serverLog() {
        return serverLog;
    }

    /**
     * The server's last warnings and errors (their first lines), for the message of a failed
     * assertion: CI keeps the test's output, not the server's log.
     */
    String warnings() {
        try {
            if (!Files.exists(serverLog)) {
                return "(no server log at " + serverLog + ")";
            }
            List<String> lines;
            try (Stream<String> all = Files.lines(serverLog)) {
                lines = all.filter(line -> line.contains(" WARN ") || line.contains(" ERROR ")).toList();
            }
            return lines.isEmpty() ? "(none)" : String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(the server log could not be read: " + e + ")";
        }
    }

    /** Kills the server as a power cut would: no shutdown hooks, no undeploy. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            throw new AssertionError("the server did not die");
        }
    }

    /** Undeploys and deploys the EAR again through the management API, as an operator would. */
    void redeploy() throws IOException {
        try (ModelControllerClient client = ModelControllerClient.Factory.create(
                InetAddress.getLoopbackAddress(), 9990 + portOffset)) {
            execute(client, "undeploy");
            execute(client, "deploy");
        }
        awaitApplication();
    }

    private static void execute(ModelControllerClient client, String operation) throws IOException {
        ModelNode op = new ModelNode();
        op.get("operation").set(operation);
        op.get("address").add("deployment", "taskbridge.ear");
        ModelNode result = client.execute(op);
        if (!"success".equals(result.get("outcome").asString())) {
            throw new AssertionError(operation + " failed: " + result);
        }
    }

    /** Stops the server gracefully, as an operator would. */
    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(90, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.delete(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    private static void copyRecursively(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path source : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    /** Appends to a log file across restarts, so one file shows every life of the server. */
    private static final class ProcessBuilderRedirect {
        static ProcessBuilder.Redirect appendTo(Path file) {
            return ProcessBuilder.Redirect.appendTo(file.toFile());
        }
    }
}
