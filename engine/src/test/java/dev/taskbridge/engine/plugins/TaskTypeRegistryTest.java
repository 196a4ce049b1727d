package dev.taskbridge.engine.plugins;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;

import dev.taskbridge.plugin.PluginEnvironment;
import dev.taskbridge.plugin.Profile;
import dev.taskbridge.plugin.TaskForm;
import dev.taskbridge.plugin.TaskType;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One test per classpath shape, asserting on the exact diagnostic. */
class TaskTypeRegistryTest {

    /** Preparing here touches no database; the registry only hands this on. */
    private static final PluginEnvironment ENVIRONMENT = new PluginEnvironment(Profile.DEV, new JdbcDataSource());

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
    void aPluginAskingForMoreTasksAtOnceThanASlotRunsIsReportedAndSkipped() throws IOException {
        String greedy = TestPlugins.TooManyAtOnce.class.getName();
        TaskTypeRegistry registry = TaskTypeRegistry.discover(loaderWithServices(greedy));

        assertThat(registry.all()).isEmpty();
        assertThat(registry.problems()).containsExactly("Skipped task type plugin " + greedy
                + ": it asks for 17 concurrent tasks per slot, 1 to 16 are possible");
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
    void aFormThatCannotBeDrawnIsReportedAndNotOfferedWhileTheTypeRunsOn() throws IOException {
        String badForm = TestPlugins.BadForm.class.getName();
        TaskTypeRegistry registry = TaskTypeRegistry.discover(loaderWithServices(badForm, UPPER));

        assertThat(registry.all()).as("a typo in a label takes no task type out of service")
                .extracting(TaskType::id).containsExactly("test.echo", "test.upper");
        assertThat(registry.form("test.echo")).as("no default stands in: it would submit at once what a plugin checks first")
                .isEmpty();
        assertThat(registry.problems()).containsExactly("Task type test.echo (" + badForm + ") describes a form that cannot be "
                + "drawn: java.lang.IllegalArgumentException: option mode: the default loud is not one of its choices; the pages "
                + "do not offer it, REST and its tasks are not affected");
    }

    @Test
    void aPluginWithoutAFormOfItsOwnTakesAJsonDocumentTitledWithItsId() throws IOException {
        TaskTypeRegistry registry = TaskTypeRegistry.discover(loaderWithServices(UPPER));

        TaskForm form = registry.form("test.upper").orElseThrow();
        assertThat(form.title()).isEqualTo("test.upper");
        assertThat(form.files()).containsExactly(TaskForm.FileKind.JSON);
        assertThat(form.options()).isEmpty();
        assertThat(form.checkFirst()).isNull();
    }

    @Test
    void aTypeIsPreparedOnceHoweverManyAskAtOnceAndNoneReturnsBeforeItIsReady() throws Exception {
        AtomicInteger done = new AtomicInteger();
        List<Thread> askers = new ArrayList<>();
        TaskType<?> slow = new TestPlugins.Echo() {
            @Override
            public void prepare(PluginEnvironment environment) throws InterruptedException {
                othersWaitBehind(askers);
                done.incrementAndGet();
            }
        };
        TaskTypeRegistry registry = TaskTypeRegistry.of(List.of(slow));

        List<Object> answers = askAtOnce(askers, 8, () -> {
            registry.ensurePrepared(slow, ENVIRONMENT);
            return done.get();
        });
        registry.ensurePrepared(slow, ENVIRONMENT);

        assertThat(answers).as("each caller returned after the preparation was done").containsOnly(1);
        assertThat(done).hasValue(1);
    }

    /** A database that is away would hold one caller after another for its timeout: those waiting share the failure. */
    @Test
    void callersWaitingForAFailingPreparationGetItsFailureAndTheNextCallTriesAgain() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        List<Thread> askers = new ArrayList<>();
        TaskType<?> failing = new TestPlugins.Echo() {
            @Override
            public void prepare(PluginEnvironment environment) throws Exception {
                if (calls.incrementAndGet() == 1) {
                    othersWaitBehind(askers);
                }
                throw new SQLException("connection refused", "08001");
            }
        };
        TaskTypeRegistry registry = TaskTypeRegistry.of(List.of(failing));

        List<Object> answers = askAtOnce(askers, 8, () -> {
            try {
                registry.ensurePrepared(failing, ENVIRONMENT);
                return "ready";
            } catch (TaskTypeNotReadyException e) {
                return e.getMessage() + (e.passing() ? ", passing" : "");
            }
        });

        assertThat(answers).containsOnly("task type test.echo is not ready yet, passing");
        assertThat(calls).as("run once for all who waited").hasValue(1);
        assertThatThrownBy(() -> registry.ensurePrepared(failing, ENVIRONMENT)).isInstanceOf(TaskTypeNotReadyException.class);
        assertThat(calls).as("a call that comes after the failure runs it again").hasValue(2);
        assertThat(new TaskTypeNotReadyException("x", new IllegalStateException("a bug")).passing())
                .as("the plugin's fault, answered as a server error").isFalse();
        assertThat(new TaskTypeNotReadyException("x", new InterruptedException()).passing())
                .as("the host took the thread away").isTrue();
    }

    /** Returns once every asker but the one running this is blocked behind it. */
    private static void othersWaitBehind(List<Thread> askers) throws InterruptedException {
        while (askers.stream().filter(thread -> thread != Thread.currentThread())
                .anyMatch(thread -> thread.getState() != Thread.State.BLOCKED)) {
            Thread.sleep(5);
        }
    }

    /** Asks on {@code count} threads at once (kept in {@code askers}); their answers. */
    private static List<Object> askAtOnce(List<Thread> askers, int count, Callable<Object> ask) throws Exception {
        List<Object> answers = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < count; i++) {
            askers.add(new Thread(() -> {
                try {
                    answers.add(ask.call());
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        askers.forEach(Thread::start);
        for (Thread asker : askers) {
            asker.join(30_000);
        }
        assertThat(failures).isEmpty();
        assertThat(answers).hasSize(count);
        return answers;
    }

    /** A class loader over the test classes whose only services file lists the given classes. */
    private ClassLoader loaderWithServices(String... classNames) throws IOException {
        Path services = classpath.resolve("META-INF/services");
        Files.createDirectories(services);
        Files.write(services.resolve(TaskType.class.getName()), List.of(classNames));
        return new URLClassLoader(new URL[] {classpath.toUri().toURL()}, getClass().getClassLoader());
    }
}
