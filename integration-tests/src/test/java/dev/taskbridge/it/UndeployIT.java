package dev.taskbridge.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.as.arquillian.container.ManagementClient;
import org.jboss.dmr.ModelNode;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.jboss.arquillian.junit5.ArquillianExtension;

/**
 * Deploying starts the engine's threads and undeploying leaves none behind, read from the
 * server's own thread dump through the management API.
 */
@ExtendWith(ArquillianExtension.class)
class UndeployIT {

    private static final String EAR = "undeploy-check";
    /** The actor system's name: its dispatcher threads and its scheduler thread start with it. */
    private static final String ENGINE_THREAD_PREFIX = "taskbridge-";

    @ArquillianResource
    private Deployer deployer;

    @ArquillianResource
    private ManagementClient management;

    @Deployment(name = EAR, managed = false, testable = false)
    static EnterpriseArchive ear() {
        return Deployments.ear();
    }

    /**
     * A page that stays deployed throughout. An idle Undertow worker thread still refers to the
     * last request it served until it serves the next one, and that request refers to its
     * deployment: before counting classes the test sends requests here so that no idle worker's
     * last request is one to the undeployed EAR.
     */
    @Deployment(name = "idle-workers", testable = false)
    static WebArchive idleWorkers() {
        return ShrinkWrap.create(WebArchive.class, "idle-workers.war").add(new StringAsset("idle"), "index.html");
    }

    @Test
    void undeployingTheEarLeavesNoEngineThreadsBehind() throws IOException {
        assertThat(engineThreads()).isEmpty();

        deployer.deploy(EAR);
        assertThat(engineThreads()).isNotEmpty().anySatisfy(name -> assertThat(name).startsWith("taskbridge-scheduler"));
        assertThat(serverThreads()).as("the thread dump shows the deployment's code at work").anyMatch(ServerThread::runsDeploymentCode);
        assertThat(Api.as("clerk").get("/task-types").status()).isEqualTo(200);

        deployer.undeploy(EAR);
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(engineThreads()).isEmpty());
        assertThat(serverThreads()).filteredOn(ServerThread::runsDeploymentCode).isEmpty();
    }

    /**
     * Ten deploy/undeploy cycles leave the server as they found it: no thread runs the
     * deployment's code (Taskbridge's or Pekko's), threads outside WildFly's elastic pools are
     * within {@value #THREAD_TOLERANCE} of the baseline, and loaded classes grew by less than half
     * of what one deployment loads (a leaked class loader would keep all of its classes, every cycle).
     */
    @Test
    void tenDeployUndeployCyclesLeakNeitherThreadsNorClassLoaders() throws Exception {
        cycle();
        gc();
        List<ServerThread> baseThreads = serverThreads();
        long baseClasses = platform("class-loading", "loaded-class-count");
        deployer.deploy(EAR);
        long perDeployment = platform("class-loading", "loaded-class-count") - baseClasses;
        deployer.undeploy(EAR);

        for (int i = 0; i < CYCLES - 1; i++) {
            cycle();
        }
        gc();

        List<ServerThread> threads = serverThreads();
        long classes = platform("class-loading", "loaded-class-count");
        List<String> added = new ArrayList<>(threads.stream().map(ServerThread::name).toList());
        baseThreads.forEach(thread -> added.remove(thread.name()));
        System.out.printf("leak check: threads %d -> %d (new: %s), loaded classes %d -> %d (one deployment loads %d)%n",
                baseThreads.size(), threads.size(), added, baseClasses, classes, perDeployment);
        assertThat(perDeployment).isGreaterThan(1000);
        assertThat(threads).filteredOn(ServerThread::runsDeploymentCode).as("threads running the undeployed code").isEmpty();
        assertThat(threads.stream().filter(ServerThread::fixed).count()).as("threads outside the elastic pools; new since the baseline: %s", added)
                .isLessThanOrEqualTo(baseThreads.stream().filter(ServerThread::fixed).count() + THREAD_TOLERANCE);
        assertThat(classes - baseClasses).isLessThan(perDeployment / 2);
    }

    /** A live thread of the server, as its thread dump shows it. */
    private record ServerThread(String name, String stack) {

        /**
         * WildFly's service, request and management pools start threads on demand and retire them
         * after a keep-alive, so their count follows the load of the last minute (this test's
         * management calls among it), not what was deployed.
         */
        private static final List<String> ELASTIC_POOLS = List.of(
                "ServerService Thread Pool -- ", "default task-", "management task-", "management-handler-thread - ");

        boolean fixed() {
            return ELASTIC_POOLS.stream().noneMatch(name::startsWith);
        }

        boolean runsDeploymentCode() {
            return stack.contains("dev.taskbridge.") || stack.contains("org.apache.pekko.");
        }
    }

    private static final int CYCLES = 10;
    private static final int THREAD_TOLERANCE = 5;

    private void cycle() throws IOException {
        deployer.deploy(EAR);
        assertThat(Api.as("clerk").get("/task-types").status()).isEqualTo(200);
        deployer.undeploy(EAR);
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(engineThreads()).isEmpty());
    }

    private void gc() throws Exception {
        flushIdleWorkers();
        for (int i = 0; i < 3; i++) {
            ModelNode gc = new ModelNode();
            gc.get("operation").set("gc");
            gc.get("address").add("core-service", "platform-mbean").add("type", "memory");
            management.getControllerClient().execute(gc);
            Thread.sleep(500);
        }
    }

    private static void flushIdleWorkers() {
        HttpRequest page = HttpRequest.newBuilder(URI.create("http://127.0.0.1:8080/idle-workers/index.html")).build();
        for (int round = 0; round < 5; round++) {
            CompletableFuture.allOf(IntStream.range(0, 8)
                    .mapToObj(i -> IDLE_WORKERS.sendAsync(page, HttpResponse.BodyHandlers.discarding())
                            .thenAccept(response -> assertThat(response.statusCode()).isEqualTo(200)))
                    .toArray(CompletableFuture[]::new)).join();
        }
    }

    private static final HttpClient IDLE_WORKERS = HttpClient.newHttpClient();

    private long platform(String type, String attribute) throws IOException {
        ModelNode read = new ModelNode();
        read.get("operation").set("read-attribute");
        read.get("address").add("core-service", "platform-mbean").add("type", type);
        read.get("name").set(attribute);
        ModelNode result = management.getControllerClient().execute(read);
        assertThat(result.get("outcome").asString()).as(result.toString()).isEqualTo("success");
        return result.get("result").asLong();
    }

    private List<String> engineThreads() throws IOException {
        return serverThreads().stream().map(ServerThread::name).filter(name -> name.startsWith(ENGINE_THREAD_PREFIX)).toList();
    }

    private List<ServerThread> serverThreads() throws IOException {
        ModelNode dump = new ModelNode();
        dump.get("operation").set("dump-all-threads");
        dump.get("address").add("core-service", "platform-mbean").add("type", "threading");
        dump.get("locked-monitors").set(false);
        dump.get("locked-synchronizers").set(false);
        ModelNode result = management.getControllerClient().execute(dump);
        assertThat(result.get("outcome").asString()).as(result.toString()).isEqualTo("success");
        return result.get("result").asList().stream()
                .map(thread -> new ServerThread(thread.get("thread-name").asString(), thread.get("stack-trace").toString()))
                .toList();
    }
}
