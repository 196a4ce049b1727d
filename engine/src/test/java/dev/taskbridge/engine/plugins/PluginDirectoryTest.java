package dev.taskbridge.engine.plugins;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import dev.taskbridge.engine.plugins.dirtest.DirectoryEcho;
import dev.taskbridge.plugin.TaskType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plugin directory with real jars, each loaded in a class loader of its own (note 043). */
class PluginDirectoryTest {

    private static final String PACKAGE = DirectoryEcho.class.getPackageName();
    private static final Set<String> EAR = Set.of("test.echo");

    /** The deployment's class loader as the directory's jars see it: everything but the plugins the tests put into jars. */
    private static final ClassLoader DEPLOYMENT = new ClassLoader(PluginDirectoryTest.class.getClassLoader()) {
        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (name.startsWith(PACKAGE + ".")) {
                throw new ClassNotFoundException(name + " is the directory's, not the deployment's");
            }
            return super.loadClass(name, resolve);
        }
    };

    @TempDir
    Path directory;
    private PluginDirectory plugins;

    @BeforeEach
    void open() {
        plugins = PluginDirectory.open(directory, DEPLOYMENT);
    }

    @AfterEach
    void close() {
        plugins.close();
    }

    @Test
    void aJarDroppedInIsLoadedInAClassLoaderOfItsOwnAndLookedAtAgainOnlyWhenTheDirectoryChanges() throws IOException {
        writeJar(directory.resolve("echo.jar"), 1, List.of(DirectoryEcho.class.getName()));

        PluginSwap.Decision decision = plugins.look(EAR, PluginSwap.Unfinished.NONE).orElseThrow();
        plugins.activate(decision);

        assertThat(decision.problems()).isEmpty();
        TaskType<?> echo = decision.types().get(0);
        assertThat(echo.id()).isEqualTo(DirectoryEcho.ID);
        assertThat(echo.version()).isEqualTo(1);
        assertThat(echo.getClass().getClassLoader()).isInstanceOf(URLClassLoader.class).isNotSameAs(DEPLOYMENT);
        assertThat(plugins.look(EAR, PluginSwap.Unfinished.NONE)).as("nothing changed").isEmpty();
    }

    @Test
    void theOperatorsFileMayBeDeletedOrOverwrittenWhileItsPluginRunsFromItsCopy() throws IOException {
        Path file = directory.resolve("echo.jar");
        writeJar(file, 1, List.of(DirectoryEcho.class.getName()));
        PluginSwap.Decision first = plugins.look(EAR, PluginSwap.Unfinished.NONE).orElseThrow();
        plugins.activate(first);
        TaskType<?> running = first.types().get(0);

        // overwritten in place with version 2, as a careless copy would; tasks of version 1 are unfinished
        writeJar(file, 2, List.of(DirectoryEcho.class.getName()));
        Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + 5_000));
        assertThat(plugins.look(EAR, unfinishedOfVersion1())).as("changed since the last look: it may still be copied in").isEmpty();
        PluginSwap.Decision refused = plugins.look(EAR, unfinishedOfVersion1()).orElseThrow();

        assertThat(refused.active()).as("version 2 has no migration from 1").containsExactlyElementsOf(first.active());
        assertThat(refused.problems()).anySatisfy(problem -> assertThat(problem).startsWith("echo.jar is not loaded: 1 unfinished task(s)"));
        // the running version's classes still load: the handler's class is loaded only now, from the copy
        assertThat(running.handler().getClass().getName()).isEqualTo(DirectoryEcho.class.getName() + "$Echoing");
        assertThat(running.version()).isEqualTo(1);

        Files.delete(file);
        PluginSwap.Decision gone = plugins.look(EAR, PluginSwap.Unfinished.NONE).orElseThrow(); // a file gone is gone at once
        plugins.activate(gone);
        assertThat(gone.active()).isEmpty();
        assertThat(((URLClassLoader) running.getClass().getClassLoader()).findResource(DirectoryEcho.VERSION_RESOURCE))
                .as("the unloaded jar's class loader is closed").isNull();
    }

    @Test
    void aJarTouchedButNotChangedIsTheSameJarAndOneTheEngineDidNotStartWithWaitsForItsFileToChange() throws IOException {
        Path file = directory.resolve("echo.jar");
        writeJar(file, 1, List.of(DirectoryEcho.class.getName()));
        PluginSwap.Decision first = plugins.look(EAR, PluginSwap.Unfinished.NONE).orElseThrow();
        plugins.activate(first);

        Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + 5_000));
        plugins.look(EAR, PluginSwap.Unfinished.NONE);
        PluginSwap.Decision touched = plugins.look(EAR, PluginSwap.Unfinished.NONE).orElseThrow();
        assertThat(touched.changes(first.active())).isFalse();
        assertThat(touched.active().get(0)).as("not loaded again").isSameAs(first.active().get(0));
        plugins.activate(touched);

        Path other = directory.resolve("other.jar");
        writeJar(other, 1, List.of(DirectoryEcho.class.getName()));
        Files.delete(file); // the type moves to another jar, which the engine then does not start with
        plugins.look(EAR, PluginSwap.Unfinished.NONE);
        PluginSwap.Decision moved = plugins.look(EAR, PluginSwap.Unfinished.NONE).orElseThrow();
        assertThat(moved.active()).extracting(DirectoryJar::name).containsExactly("other.jar");
        plugins.failedToStart(moved, "the slots could not be spawned");

        PluginSwap.Decision after = plugins.look(EAR, unfinishedOfVersion1()).orElseThrow();
        assertThat(after.active()).as("what ran runs on").containsExactlyElementsOf(touched.active());
        assertThat(after.problems()).anySatisfy(problem -> assertThat(problem)
                .startsWith("other.jar is not loaded: the engine did not start with it: the slots could not be spawned"));
        assertThat(plugins.look(EAR, unfinishedOfVersion1())).as("not tried again until its file changes").isEmpty();

        Files.setLastModifiedTime(other, FileTime.fromMillis(System.currentTimeMillis() + 10_000));
        plugins.look(EAR, PluginSwap.Unfinished.NONE);
        assertThat(plugins.look(EAR, PluginSwap.Unfinished.NONE).orElseThrow().active()).extracting(DirectoryJar::name)
                .containsExactly("other.jar");
    }

    @Test
    void brokenJarsAreReportedByNameAndSkipped() throws IOException {
        Files.writeString(directory.resolve("notes.jar"), "not a zip");
        writeJar(directory.resolve("empty.jar"), 1, null);
        writeJar(directory.resolve("missing-class.jar"), 1, List.of(PACKAGE + ".NoSuchPlugin"));
        writeJar(directory.resolve("ear-class.jar"), 1, List.of(TestPlugins.Upper.class.getName()), TestPlugins.Upper.class.getName());
        writeJar(directory.resolve("echo.jar"), 1, List.of(DirectoryEcho.class.getName()));

        PluginSwap.Decision decision = plugins.look(EAR, PluginSwap.Unfinished.NONE).orElseThrow();

        assertThat(decision.types()).extracting(TaskType::id).containsExactly(DirectoryEcho.ID);
        assertThat(decision.problems()).anySatisfy(problem -> assertThat(problem).startsWith("notes.jar is not a jar that can be read"))
                .anySatisfy(problem -> assertThat(problem).startsWith("empty.jar holds no task type plugin"))
                .anySatisfy(problem -> assertThat(problem).startsWith("missing-class.jar: a task type plugin could not be loaded")
                        .contains("NoSuchPlugin"))
                .anySatisfy(problem -> assertThat(problem).contains("ear-class.jar: plugin class " + TestPlugins.Upper.class.getName()
                        + " is the EAR's too"));
    }

    private static PluginSwap.Unfinished unfinishedOfVersion1() {
        return new PluginSwap.Unfinished() {
            @Override
            public Map<Integer, Long> versionsOf(String taskType) {
                return taskType.equals(DirectoryEcho.ID) ? Map.of(1, 1L) : Map.of();
            }

            @Override
            public List<String> firstIds(String taskType, int version) {
                return List.of("t-1");
            }
        };
    }

    /**
     * A plugin jar with the test plugin's classes, saying {@code version}, declaring {@code plugins}
     * (no services file when null), with {@code moreClasses} too. Written beside and moved in, as README tells operators to.
     */
    private static void writeJar(Path file, int version, List<String> plugins, String... moreClasses) throws IOException {
        Path written = Files.createTempFile(file.getParent(), "jar", ".tmp");
        List<String> classes = new java.util.ArrayList<>(List.of(DirectoryEcho.class.getName(), DirectoryEcho.class.getName() + "$Echoing"));
        classes.addAll(List.of(moreClasses));
        try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(written))) {
            for (String resource : classes) {
                String name = resource.replace('.', '/') + ".class";
                jar.putNextEntry(new JarEntry(name));
                try (InputStream in = PluginDirectoryTest.class.getClassLoader().getResourceAsStream(name)) {
                    in.transferTo(jar);
                }
            }
            put(jar, DirectoryEcho.VERSION_RESOURCE, "version=" + version + "\n");
            if (plugins != null) {
                put(jar, "META-INF/services/" + TaskType.class.getName(), String.join("\n", plugins) + "\n");
            }
        }
        Files.move(written, file, StandardCopyOption.REPLACE_EXISTING);
    }

    private static void put(JarOutputStream jar, String name, String text) throws IOException {
        jar.putNextEntry(new JarEntry(name));
        OutputStream out = jar;
        out.write(text.getBytes(StandardCharsets.UTF_8));
    }
}
