package dev.taskbridge.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.taskbridge.it.plugin.RowWritingTaskType;
import jakarta.json.JsonObject;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.exporter.ZipExporter;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;

/**
 * The deploy command (design note 041) as an operator runs it, {@code bin/taskbridge-deploy.sh}
 * from its distribution, against a server with unfinished tasks of {@code it.rows} version 1: an
 * EAR whose {@code it.rows} is version 2 without a migration, and an EAR without the plugin at all,
 * are refused with the tasks in the way and nothing is deployed; an EAR WildFly cannot deploy
 * leaves the old version running; version 2 with a migration passes
 * the check, is deployed through the management API, and runs every one of those tasks, once.
 * A plugin jar goes the same way into a server's plugin directory (note 043): loaded, refused
 * naming the tasks it cannot run, and replaced by a version that can.
 */
class DeployCommandIT {

    static final Path DISTRIBUTION = Path.of("..", "deploy-command", "target", "taskbridge-deploy").toAbsolutePath().normalize();
    private static final Path BASE = CrashIT.TARGET.resolve("deploy-command");
    private static final int TASKS = 3;
    private static final int CHUNKS = 2;
    private static final String PAYLOAD = "chunks=" + CHUNKS + ",rows=" + CrashIT.ROWS_PER_CHUNK;

    @Test
    void anEarThatCannotRunTheUnfinishedTasksIsRefusedNamingThemAndOneThatCanIsDeployedAndRunsThem() throws Exception {
        ServerProcess.deleteRecursively(BASE);
        Files.createDirectories(BASE);
        try (ServerProcess server = ServerProcess.prepare(BASE.resolve("server"), ear("version-1", "version=1"),
                List.of("-Dtaskbridge.db.dir=" + BASE.resolve("db"))).start()) {
            Api admin = Api.as("admin").at(ServerProcess.BASE_URL);
            Api clerk = Api.as("clerk").at(ServerProcess.BASE_URL);
            // paused, so that the tasks stay unfinished for as long as the test needs
            assertThat(admin.post("/task-types/" + RowWritingTaskType.ID + "/pause", null, "").status()).isEqualTo(200);
            List<String> ids = CrashIT.submit(clerk, "deploy", TASKS, PAYLOAD);

            Run noMigration = deploy(ear("version-2", "version=2"));
            assertThat(noMigration.status()).as(noMigration.toString()).isEqualTo(3);
            assertThat(noMigration.output()).contains(RowWritingTaskType.ID + ": version 2 of its plugin cannot run tasks of version 1",
                    "no migration from version 1", TASKS + " unfinished task(s) of version 1", ids.get(0), "is not deployed");
            assertThat(deployedVersion(admin)).as("the server still runs version 1").isEqualTo(1);

            Run withoutPlugin = deploy(write("without-plugin", Deployments.ear()));
            assertThat(withoutPlugin.status()).as(withoutPlugin.toString()).isEqualTo(3);
            assertThat(withoutPlugin.output()).contains(RowWritingTaskType.ID + ": the EAR has no plugin for this type", ids.get(0));
            assertThat(deployedVersion(admin)).as("nothing deployed").isEqualTo(1);

            // passes the check (its lib/ is whole) but not WildFly: the replace is rolled back, version 1 runs on
            EnterpriseArchive withoutBridge = Deployments.ear().addAsLibrary(Deployments.testPlugins());
            withoutBridge.delete("taskbridge-bridge.jar");
            Run broken = deploy(write("without-bridge", withoutBridge));
            assertThat(broken.status()).as(broken.toString()).isEqualTo(4);
            assertThat(broken.output()).contains("WildFly did not deploy");
            assertThat(deployedVersion(admin)).as("the old deployment still runs").isEqualTo(1);

            Path migrating = ear("version-2-migrating", "version=2\nmigrates=true");
            Run checked = deploy(migrating, "--check-only");
            assertThat(checked.status()).as(checked.toString()).isZero();
            assertThat(checked.output()).contains(RowWritingTaskType.ID + " version 2", "nothing deployed");
            assertThat(deployedVersion(admin)).as("--check-only deploys nothing").isEqualTo(1);

            Run deployed = deploy(migrating);
            assertThat(deployed.status()).as(deployed.toString()).isZero();
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                    .until(() -> deployedVersion(admin) == 2);
            assertThat(admin.post("/task-types/" + RowWritingTaskType.ID + "/resume", null, "").status()).isEqualTo(200);
            CrashIT.assertAllDoneExactlyOnce(clerk, ids, CHUNKS);
            JsonObject task = clerk.get("/tasks/" + ids.get(0)).object();
            assertThat(task.getInt("typeVersion")).as("the task keeps the version it was submitted under").isEqualTo(1);
        }
    }

    @Test
    void aPluginJarIsCheckedByTheEarsEngineMovedIntoThePluginDirectoryAndRunByTheServer() throws Exception {
        Path base = BASE.resolve("plugins");
        ServerProcess.deleteRecursively(base);
        Files.createDirectories(base);
        Path plain = write("plain", Deployments.ear()); // without the test plugins: they come as a jar
        Path directory = base.resolve("server/taskbridge-plugins");
        try (ServerProcess server = ServerProcess.prepare(base.resolve("server"), plain, List.of("-Dtaskbridge.db.dir=" + base.resolve("db"),
                "-Dtaskbridge.plugins.look-every-ms=300")).start()) {
            Api admin = Api.as("admin").at(ServerProcess.BASE_URL);
            Api clerk = Api.as("clerk").at(ServerProcess.BASE_URL);

            Run first = deploy(plugin(base, "it-rows-1.jar", "version=1"), "--ear", plain.toString(), "--plugin-directory", directory.toString());
            assertThat(first.status()).as(first.toString()).isZero();
            assertThat(first.output()).contains(RowWritingTaskType.ID + " version 1", "the server runs it-rows-1.jar");
            assertThat(deployedVersion(admin)).isEqualTo(1);
            assertThat(admin.post("/task-types/" + RowWritingTaskType.ID + "/pause", null, "").status()).isEqualTo(200);
            List<String> ids = CrashIT.submit(clerk, "plugin", TASKS, PAYLOAD);

            Run noMigration = deploy(plugin(base, "it-rows-2.jar", "version=2"), "--ear", plain.toString(),
                    "--plugin-directory", directory.toString());
            assertThat(noMigration.status()).as(noMigration.toString()).isEqualTo(3);
            assertThat(noMigration.output()).contains(RowWritingTaskType.ID + ": version 2 of its plugin cannot run tasks of version 1",
                    TASKS + " unfinished task(s) of version 1", ids.get(0), "is not deployed");
            try (var files = Files.list(directory)) {
                assertThat(files.map(file -> file.getFileName().toString())).as("nothing moved in").containsExactly("it-rows-1.jar");
            }

            Run migrating = deploy(plugin(base, "it-rows-2.jar", "version=2\nmigrates=true"), "--ear", plain.toString(),
                    "--plugin-directory", directory.toString());
            assertThat(migrating.status()).as(migrating.toString()).isZero();
            assertThat(migrating.output()).as("it replaces the jar that gives its type").contains("the server runs it-rows-1.jar");
            assertThat(deployedVersion(admin)).isEqualTo(2);
            try (var files = Files.list(directory)) {
                assertThat(files.map(file -> file.getFileName().toString())).as("one jar, nothing left beside it").containsExactly("it-rows-1.jar");
            }
            assertThat(admin.post("/task-types/" + RowWritingTaskType.ID + "/resume", null, "").status()).isEqualTo(200);
            CrashIT.assertAllDoneExactlyOnce(clerk, ids, CHUNKS);
        }
    }

    /** The test plugins' jar, saying which version of {@code it.rows} it is. */
    private static Path plugin(Path base, String name, String versionProperties) throws IOException {
        Path dir = Files.createDirectories(base.resolve("jars-" + System.nanoTime()));
        Path file = dir.resolve(name);
        Deployments.testPlugins().addAsResource(new StringAsset(versionProperties), RowWritingTaskType.VERSION_RESOURCE)
                .as(ZipExporter.class).exportTo(new File(file.toString()), true);
        return file;
    }

    /** The version of {@code it.rows} the server runs now. */
    private static int deployedVersion(Api admin) {
        return admin.get("/task-types").json().asJsonArray().getValuesAs(JsonObject.class).stream()
                .filter(type -> type.getString("id").equals(RowWritingTaskType.ID)).findFirst().orElseThrow().getInt("version");
    }

    /** The real EAR with the test plugins, whose jar says which version of {@code it.rows} it is. */
    private static Path ear(String name, String versionProperties) {
        return write(name, Deployments.ear().addAsLibrary(Deployments.testPlugins()
                .addAsResource(new StringAsset(versionProperties), RowWritingTaskType.VERSION_RESOURCE)));
    }

    private static Path write(String name, EnterpriseArchive ear) {
        // the deployment's name is given by --name; the file's own name may be any
        Path file = BASE.resolve(name + ".ear");
        ear.as(ZipExporter.class).exportTo(new File(file.toString()), true);
        return file;
    }

    private record Run(int status, String output) {
    }

    private static Run deploy(Path file, String... options) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", DISTRIBUTION.resolve("bin/taskbridge-deploy.sh").toString(),
                "--wildfly-home", System.getProperty("jboss.home"),
                "--url", ServerProcess.BASE_URL.replaceAll("/api$", ""),
                "--controller", "127.0.0.1:" + (9990 + ServerProcess.PORT_OFFSET)));
        command.addAll(List.of(options));
        command.add(file.toString());
        // to a file, so that a command that hangs is found by the timeout rather than hanging the read
        Path output = Files.createTempFile(BASE, "deploy-", ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().put("TASKBRIDGE_DEPLOY_USER", "admin");
        builder.environment().put("TASKBRIDGE_DEPLOY_PASSWORD", "admin");
        Process process = builder.start();
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("the deploy command did not end:\n" + Files.readString(output));
        }
        return new Run(process.exitValue(), Files.readString(output));
    }
}
