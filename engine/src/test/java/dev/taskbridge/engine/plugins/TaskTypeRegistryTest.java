package dev.taskbridge.engine.plugins;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import dev.taskbridge.plugin.TaskForm;
import dev.taskbridge.plugin.TaskType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One test per classpath shape, asserting on the exact diagnostic. */
class TaskTypeRegistryTest {

    private static final String ECHO = TestPlugins.Echo.class.getName();
    private static final String ANOTHER_ECHO = TestPlugins.AnotherEcho.class.getName();
    private static final String UPPER = TestPlugins.Upper.class.getName();
    private static final String BROKEN = TestPlugins.Broken.class.getName();

    @TempDir
    Path classpath;

    @Test
    void noPluginsMeansAnEmptyRegistryWithoutProblems() throws IOException {
        TaskTypeRegistry registry = TaskTypeRegistry.discover(loaderWithServices());

        assertThat(registry.all()).isEmpty();
        assertThat(registry.problems()).isEmpty();
    }

    @Test
    void onePluginIsFoundById() throws IOException {
        TaskTypeRegistry registry = TaskTypeRegistry.discover(loaderWithServices(ECHO));

        assertThat(registry.all()).singleElement().isInstanceOf(TestPlugins.Echo.class);
        assertThat(registry.find("test.echo")).isPresent();
        assertThat(registry.find("test.other")).isEmpty();
        assertThat(registry.problems()).isEmpty();
    }

    @Test
    void twoPluginsWithDifferentIdsBothLoad() throws IOException {
        TaskTypeRegistry registry = TaskTypeRegistry.discover(loaderWithServices(ECHO, UPPER));

        assertThat(registry.all()).extracting(TaskType::id).containsExactly("test.echo", "test.upper");
    }

    @Test
    void twoPluginsWithTheSameIdFailNamingBothClasses() throws IOException {
        ClassLoader loader = loaderWithServices(ECHO, ANOTHER_ECHO);

        assertThatThrownBy(() -> TaskTypeRegistry.discover(loader))
                .isInstanceOf(DuplicateTaskTypeException.class)
                .hasMessage("Task type 'test.echo' is provided by two plugins: " + ECHO + " and " + ANOTHER_ECHO
                        + "; remove one of them");
    }

    @Test
    void aBrokenPluginIsReportedByNameAndSkipped() throws IOException {
        TaskTypeRegistry registry = TaskTypeRegistry.discover(loaderWithServices(BROKEN, UPPER));

        assertThat(registry.all()).extracting(TaskType::id).containsExactly("test.upper");
        assertThat(registry.problems()).containsExactly("Skipped task type plugin " + BROKEN
                + ": it could not be instantiated: java.lang.IllegalStateException: missing configuration");
    }

    @Test
    void aPluginWhoseClassIsMissingIsReportedAndSkipped() throws IOException {
        TaskTypeRegistry registry = TaskTypeRegistry.discover(loaderWithServices("com.example.Gone", UPPER));

        assertThat(registry.all()).extracting(TaskType::id).containsExactly("test.upper");
        assertThat(registry.problems()).containsExactly("Skipped a task type plugin that could not be loaded: "
                + "dev.taskbridge.plugin.TaskType: Provider com.example.Gone not found");
    }

    @Test
    void aPluginWithAnUnusableIdIsReportedAndSkipped() throws IOException {
        String badId = TestPlugins.BadId.class.getName();
        TaskTypeRegistry registry = TaskTypeRegistry.discover(loaderWithServices(badId));

        assertThat(registry.all()).isEmpty();
        assertThat(registry.problems()).containsExactly("Skipped task type plugin " + badId
                + ": its id 'Bad Id' is not lower case letters, digits, dots and dashes starting with a letter");
    }

    @Test
    void aPluginForANewerApiIsReportedAndSkipped() throws IOException {
        String future = TestPlugins.FromTheFuture.class.getName();
        TaskTypeRegistry registry = TaskTypeRegistry.discover(loaderWithServices(future));

        assertThat(registry.all()).isEmpty();
        assertThat(registry.problems()).containsExactly("Skipped task type plugin " + future
                + ": it needs plugin API version 2 but this engine implements version 1");
    }

    @Test
    void aPluginWhoseFormCannotBeMadeIsReportedAndSkipped() throws IOException {
        String badForm = TestPlugins.BadForm.class.getName();
        TaskTypeRegistry registry = TaskTypeRegistry.discover(loaderWithServices(badForm, UPPER));

        assertThat(registry.all()).extracting(TaskType::id).containsExactly("test.upper");
        assertThat(registry.problems()).containsExactly("Skipped task type plugin " + badForm
                + ": it failed to describe itself: java.lang.IllegalArgumentException: option mode: the default loud is not one of its choices");
    }

    @Test
    void aPluginWithoutAFormOfItsOwnTakesAJsonDocumentTitledWithItsId() throws IOException {
        TaskTypeRegistry registry = TaskTypeRegistry.discover(loaderWithServices(UPPER));

        assertThat(registry.form("test.upper").title()).isEqualTo("test.upper");
        assertThat(registry.form("test.upper").files()).containsExactly(TaskForm.FileKind.JSON);
        assertThat(registry.form("test.upper").options()).isEmpty();
        assertThat(registry.form("test.upper").checkFirst()).isNull();
    }

    @Test
    void aTypeIsPreparedOnceHoweverManyAskAtOnce() throws Exception {
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        TaskType<?> slow = new TestPlugins.Echo() {
            @Override
            public void prepare() throws InterruptedException {
                calls.incrementAndGet();
                Thread.sleep(200);
            }
        };
        TaskTypeRegistry registry = TaskTypeRegistry.of(List.of(slow));
        java.util.concurrent.ExecutorService askers = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            List<java.util.concurrent.Future<Integer>> asked = new java.util.ArrayList<>();
            for (int i = 0; i < 8; i++) {
                asked.add(askers.submit(() -> {
                    registry.ensurePrepared(slow);
                    return calls.get();
                }));
            }
            for (java.util.concurrent.Future<Integer> each : asked) {
                assertThat(each.get()).as("none returns before the preparation ran").isEqualTo(1);
            }
        } finally {
            askers.shutdownNow();
        }
        registry.ensurePrepared(slow);

        assertThat(calls).hasValue(1);
    }

    /** A class loader over the test classes whose only services file lists the given classes. */
    private ClassLoader loaderWithServices(String... classNames) throws IOException {
        Path services = classpath.resolve("META-INF/services");
        Files.createDirectories(services);
        Files.write(services.resolve(TaskType.class.getName()), List.of(classNames));
        return new URLClassLoader(new URL[] {classpath.toUri().toURL()}, getClass().getClassLoader());
    }
}
