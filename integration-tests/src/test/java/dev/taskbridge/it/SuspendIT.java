package dev.taskbridge.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import dev.taskbridge.it.plugin.RowWritingTaskType;
import jakarta.json.JsonObject;
import org.jboss.as.controller.client.ModelControllerClient;
import org.jboss.dmr.ModelNode;
import org.junit.jupiter.api.Test;

/**
 * WildFly's suspend reaches the engine (note 027): {@code :suspend} returns once the chunks that
 * ran have committed, no chunk starts while the server is suspended, readiness says so, and
 * {@code :resume} goes on; a graceful shutdown ({@code :shutdown(suspend-timeout=...)}) mid-run
 * lets every running chunk commit, so after the next start every task finishes with no chunk run
 * twice. Read from the plugin's own log line per chunk run, on a server of its own.
 */
class SuspendIT {

    private static final int TASKS = 20;
    private static final int CHUNKS = 4;
    private static final String PAYLOAD = "chunks=" + CHUNKS + ",rows=" + CrashIT.ROWS_PER_CHUNK + ",sleepMillis=300";
    private static final String CHUNK_RUN = "it.rows writes chunk";
    private static final String CHUNK_DONE = "it.rows wrote chunk";

    @Test
    void aSuspendLetsTheRunningChunksCommitStartsNoOtherAndAResumeFinishesEveryTaskWithNoChunkRunTwice() throws Exception {
        try (ServerProcess server = server("suspend").start()) {
            Api clerk = Api.as("clerk").at(ServerProcess.BASE_URL);
            List<String> ids = submit(clerk);
            CrashIT.awaitSomeDone(clerk, TASKS);

            assertThat(log(server)).as("at boot the engine started suspended, as its server was")
                    .anyMatch(line -> line.contains("Task engine started") && line.contains("suspended as its server is"));
            int mark = log(server).size();
            long started = System.nanoTime();
            manage(operation("suspend", "suspend-timeout", 60));
            long suspendMillis = (System.nanoTime() - started) / 1_000_000;
            long runsAtSuspend = chunkRuns(server);
            assertThat(count(server, CHUNK_DONE)).as(":suspend returned once every chunk that began had done its work")
                    .isEqualTo(runsAtSuspend);

            assertThat(manage(readAttribute("suspend-state")).asString()).isEqualTo("SUSPENDED");
            JsonObject ready = Health.check(ServerProcess.MANAGEMENT_URL, "ready", "taskbridge-engine");
            assertThat(ready.getString("status")).isEqualTo("DOWN");
            assertThat(ready.getJsonObject("data").getString("engine")).isEqualTo("suspended");
            assertThat(Api.as("clerk").at(ServerProcess.BASE_URL).get("/task-types").status())
                    .as("WildFly takes no request while suspended").isEqualTo(503);
            Thread.sleep(3000);
            assertThat(chunkRuns(server)).as("chunk runs while suspended").isEqualTo(runsAtSuspend);
            assertThat(runsAtSuspend).as("the run was under way, not over").isBetween(1L, (long) TASKS * CHUNKS - 1);

            manage(operation("resume", null, 0));

            CrashIT.assertAllDoneExactlyOnce(clerk, ids, CHUNKS);
            assertThat(chunkRuns(server)).as("every chunk ran once: those running at the suspend committed")
                    .isEqualTo((long) TASKS * CHUNKS);
            List<String> sinceSuspend = log(server).subList(mark, log(server).size());
            assertThat(sinceSuspend).anyMatch(line -> line.contains("Task engine suspended"))
                    .anyMatch(line -> line.contains("Task engine resumed"));
            System.out.printf("suspend: :suspend returned in %d ms with %d chunk runs done%n", suspendMillis, runsAtSuspend);
        }
    }

    @Test
    void aGracefulShutdownMidRunLetsTheRunningChunksCommitAndTheNextStartFinishesEveryTaskWithNoChunkRunTwice()
            throws Exception {
        try (ServerProcess server = server("graceful-shutdown").start()) {
            Api clerk = Api.as("clerk").at(ServerProcess.BASE_URL);
            List<String> ids = submit(clerk);
            CrashIT.awaitSomeDone(clerk, TASKS);

            manage(operation("shutdown", "suspend-timeout", 60));
            server.handle().onExit().get(90, TimeUnit.SECONDS);
            long runsBeforeStop = chunkRuns(server);
            server.start();

            CrashIT.assertAllDoneExactlyOnce(clerk, ids, CHUNKS);
            assertThat(chunkRuns(server)).as("every chunk ran once (%d before the shutdown)", runsBeforeStop)
                    .isEqualTo((long) TASKS * CHUNKS);
            assertThat(log(server)).as("the suspend before the stop left no step under way for the drain")
                    .anyMatch(line -> line.contains("Task engine stopping: no new step of a task starts; 0 under way"))
                    .noneMatch(line -> line.contains("still run after"));
        }
    }

    private static ServerProcess server(String name) throws Exception {
        Path base = CrashIT.TARGET.resolve(name);
        return ServerProcess.prepare(base, CrashIT.earWithTestPlugins(), List.of("-Dtaskbridge.db.dir=" + base.resolve("db")));
    }

    private static List<String> submit(Api clerk) {
        return CrashIT.submit(clerk, "suspend", TASKS, PAYLOAD);
    }

    private static long chunkRuns(ServerProcess server) throws IOException {
        return count(server, CHUNK_RUN);
    }

    private static long count(ServerProcess server, String text) throws IOException {
        return log(server).stream().filter(line -> line.contains(text)).count();
    }

    private static List<String> log(ServerProcess server) throws IOException {
        try (Stream<String> lines = Files.lines(server.serverLog())) {
            return lines.toList();
        }
    }

    private static ModelNode operation(String name, String parameter, int value) {
        ModelNode op = new ModelNode();
        op.get("operation").set(name);
        op.get("address").setEmptyList();
        if (parameter != null) {
            op.get(parameter).set(value);
        }
        return op;
    }

    private static ModelNode readAttribute(String attribute) {
        ModelNode op = operation("read-attribute", null, 0);
        op.get("name").set(attribute);
        return op;
    }

    /** Runs a management operation as an operator's CLI would; the server's answer, or an AssertionError. */
    private static ModelNode manage(ModelNode op) throws IOException {
        try (ModelControllerClient client = ModelControllerClient.Factory.create(
                InetAddress.getLoopbackAddress(), 9990 + ServerProcess.PORT_OFFSET)) {
            ModelNode answer = client.execute(op);
            if (!"success".equals(answer.get("outcome").asString())) {
                throw new AssertionError(op.get("operation").asString() + " failed: " + answer);
            }
            return answer.get("result");
        }
    }
}
