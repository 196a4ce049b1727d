package dev.taskbridge.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import dev.taskbridge.deploy.plugins.VersionTwo;
import dev.taskbridge.engine.plugins.PayloadMigrations;
import dev.taskbridge.plugin.TaskType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * EARs made here of the engine's and plugin API's real jars and a plugin jar of this test's
 * classes, read as the command reads them: in a class loader of their own, judged by their engine.
 */
class EarPluginsTest {

    @TempDir
    Path dir;

    @Test
    void theEarsTypesAreFoundAndItsOwnEngineSaysWhichVersionsTheyRun() throws Exception {
        Path ear = ear("good.ear", VersionTwo.class.getName());
        try (EarPlugins plugins = EarPlugins.read(ear, installation(), dir)) {
            assertThat(plugins.problems()).isEmpty();
            PluginType type = plugins.types().get("test.two");
            assertThat(type.version()).isEqualTo(2);
            assertThat(type.whyNot().apply(1)).as("migrates from 1").isEmpty();
            assertThat(type.whyNot().apply(2)).isEmpty();
            assertThat(type.whyNot().apply(3)).get().asString().contains("newer version 3");
            assertThat(type.whyNot().apply(0)).get().asString().contains("no migration from version 0");
        }
        assertThat(unpackedLeft()).as("close deletes what was unpacked").isEmpty();
    }

    @Test
    void pluginsTheEngineWouldSkipAreItsProblemsAndTheOthersAreRead() throws Exception {
        Path ear = ear("broken.ear", VersionTwo.class.getName(), VersionTwo.BadId.class.getName(), "com.example.Missing");
        try (EarPlugins plugins = EarPlugins.read(ear, installation(), dir)) {
            assertThat(plugins.types()).containsOnlyKeys("test.two");
            assertThat(plugins.problems()).hasSize(2)
                    .anySatisfy(problem -> assertThat(problem).contains("com.example.Missing"))
                    .anySatisfy(problem -> assertThat(problem).contains("'Bad Id'"));
        }
    }

    @Test
    void twoPluginsWithOneIdAreAProblemAsTheEngineWouldNotStart() throws Exception {
        Path ear = ear("twice.ear", VersionTwo.class.getName(), VersionTwo.SameId.class.getName());
        try (EarPlugins plugins = EarPlugins.read(ear, installation(), dir)) {
            assertThat(plugins.problems()).singleElement().asString().contains("test.two");
        }
    }

    @Test
    void anEarWithoutTheEngineAndAFileThatIsNoZipAreSaidSoAndLeaveNothingBehind() throws Exception {
        Path noEngine = dir.resolve("no-engine.ear");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(noEngine))) {
            zip.putNextEntry(new ZipEntry("META-INF/application.xml"));
            zip.write("<application/>".getBytes(StandardCharsets.UTF_8));
        }
        assertThatThrownBy(() -> EarPlugins.read(noEngine, installation(), dir)).hasMessageContaining("holds no Taskbridge engine");
        Path notZip = Files.writeString(dir.resolve("text.ear"), "not a zip");
        assertThatThrownBy(() -> EarPlugins.read(notZip, installation(), dir)).hasMessageContaining("is not an EAR");
        assertThatThrownBy(() -> EarPlugins.read(notZip, dir.resolve("nowhere"), dir)).hasMessageContaining("--wildfly-home");
        assertThat(unpackedLeft()).isEmpty();
    }

    @Test
    void aPluginJarIsLoadedByTheEarsEngineAsTheServerLoadsItAndGoesWithIt() throws Exception {
        Path ear = ear("bare.ear");
        Path good = Files.write(dir.resolve("rows-2.jar"), pluginJar(VersionTwo.class.getName()));
        Path broken = Files.write(dir.resolve("broken.jar"), pluginJar(VersionTwo.class.getName(), "com.example.Missing"));
        try (EarPlugins plugins = EarPlugins.read(ear, installation(), dir)) {
            assertThat(plugins.types()).isEmpty();
            DirectoryPlugin jar = plugins.plugin(good);
            assertThat(jar.name()).isEqualTo("rows-2.jar");
            assertThat(jar.problems()).isEmpty();
            assertThat(jar.types()).containsOnlyKeys("test.two");
            assertThat(jar.types().get("test.two").whyNot().apply(1)).isEmpty();
            assertThat(jar.types().get("test.two").whyNot().apply(0)).get().asString().contains("no migration from version 0");
            try (java.io.InputStream in = Files.newInputStream(good)) {
                assertThat(jar.checksum()).as("as the server lists it").isEqualTo(dev.taskbridge.engine.plugins.PluginJar.read("rows-2.jar", in).checksum());
            }

            DirectoryPlugin whole = plugins.plugin(broken);
            assertThat(whole.types()).as("whole or not at all").isEmpty();
            assertThat(whole.problems()).anySatisfy(problem -> assertThat(problem).startsWith("broken.jar").contains("com.example.Missing"));
        }
        assertThat(unpackedLeft()).isEmpty();
    }

    private List<Path> unpackedLeft() throws IOException {
        try (Stream<Path> paths = Files.list(dir)) {
            return paths.filter(path -> path.getFileName().toString().startsWith("taskbridge-deploy-")).toList();
        }
    }

    /** An installation whose modules give SLF4J only, as WildFly gives it the engine: the test plugins name nothing of Jakarta EE. */
    private Path installation() throws Exception {
        Path home = dir.resolve("wildfly");
        Path slf4j = Files.createDirectories(home.resolve("modules/org/slf4j/main"));
        Files.write(slf4j.resolve("slf4j-api.jar"), jarOf(org.slf4j.LoggerFactory.class));
        return home;
    }

    /** An EAR whose lib/ has the engine, the plugin API and a plugin jar registering {@code providers}, if any. */
    private Path ear(String name, String... providers) throws Exception {
        Path file = dir.resolve(name);
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            add(zip, "lib/engine.jar", jarOf(PayloadMigrations.class));
            add(zip, "lib/plugin-api.jar", jarOf(TaskType.class));
            if (providers.length > 0) { // none: an EAR without plugins, whose classes then come from a plugin jar only
                zip.putNextEntry(new ZipEntry("lib/test-plugins.jar"));
                zip.write(pluginJar(providers));
            }
        }
        return file;
    }

    private static void add(ZipOutputStream zip, String name, byte[] content) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(content);
    }

    /** The jar a class came from, or its classes directory zipped (in the reactor, before packaging). */
    private static byte[] jarOf(Class<?> type) throws IOException, URISyntaxException {
        Path location = Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        if (Files.isRegularFile(location)) {
            return Files.readAllBytes(location);
        }
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes); Stream<Path> files = Files.walk(location)) {
            for (Path path : files.filter(Files::isRegularFile).toList()) {
                add(zip, location.relativize(path).toString().replace('\\', '/'), Files.readAllBytes(path));
            }
        }
        return bytes.toByteArray();
    }

    /** This test's plugin classes and a services file naming {@code providers}. */
    private static byte[] pluginJar(String... providers) throws IOException, URISyntaxException {
        Path classes = Path.of(VersionTwo.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes); Stream<Path> files = Files.walk(classes.resolve("dev/taskbridge/deploy/plugins"))) {
            for (Path path : files.filter(Files::isRegularFile).toList()) {
                add(zip, classes.relativize(path).toString().replace('\\', '/'), Files.readAllBytes(path));
            }
            zip.putNextEntry(new ZipEntry("META-INF/services/" + TaskType.class.getName()));
            OutputStream services = zip;
            services.write(String.join("\n", providers).getBytes(StandardCharsets.UTF_8));
        }
        return bytes.toByteArray();
    }
}
