package dev.taskbridge.engine.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.sql.DataSource;

import dev.taskbridge.engine.journal.Dialect;
import dev.taskbridge.plugin.Payload;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A listing shows up to 500 tasks a call and the dashboard reloads it on every event: it must
 * not read the columns that weigh megabytes (payload, result, stack trace), whatever the tasks hold.
 */
class TaskListingTest {

    private static final int TASKS = 30;
    private static final String ONE_MEGABYTE_RESULT = "{\"report\": \"" + "x".repeat(1024 * 1024) + "\"}";
    private static final String BIG_STACK = "java.lang.IllegalStateException: boom\n"
            + "\tat some.Frame(Frame.java:1)\n".repeat(20_000);

    private final List<String> statements = new CopyOnWriteArrayList<>();
    private TaskStore store;

    @BeforeEach
    void aStoreWithThirtyTasksOfAMegabyteResultOrStackEach() {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        store = new TaskStore(recordingStatements(h2), Clock.systemUTC());
        store.createSchema(Dialect.H2);
        for (int i = 0; i < TASKS; i++) {
            String id = "task-" + i;
            store.insert(new NewTask(id, "test.report", 1, "clerk", null, Payload.json(ONE_MEGABYTE_RESULT)));
            int generation = store.find(id).orElseThrow().runGeneration();
            store.markStarted(id, generation, 1, 0, 0, 0);
            if (i % 2 == 0) {
                store.markSucceeded(id, generation, ONE_MEGABYTE_RESULT);
            } else {
                store.markFailed(id, generation, "IllegalStateException: boom", BIG_STACK, "TB-" + i);
            }
        }
        statements.clear();
    }

    @Test
    void aListingReadsNeitherPayloadNorResultNorStackTrace() {
        var listed = store.list(new TaskFilter(null, null, "clerk", 0, 500));

        assertThat(listed).hasSize(TASKS);
        assertThat(statements).singleElement().satisfies(sql -> assertThat(sql.toLowerCase(Locale.ROOT))
                .startsWith("select ").doesNotContain("*")
                .doesNotContain("result").doesNotContain("error_stack").doesNotContain("payload"));
        // what the rows hold: some hundred bytes each, not the megabyte their tasks keep
        assertThat(listed.toString().length()).isLessThan(TASKS * 1_000);
    }

    @Test
    void aListedRowKeepsItsSummaryAndTheTaskItselfItsResultAndStack() {
        var listed = store.list(new TaskFilter(null, TaskState.FAILED, "clerk", 0, 500));

        assertThat(listed).hasSize(TASKS / 2).allSatisfy(task -> {
            assertThat(task.errorMessage()).isEqualTo("IllegalStateException: boom");
            assertThat(task.errorReference()).startsWith("TB-");
            assertThat(task.endedAt()).isNotNull();
            assertThat(task.chunksTotal()).isEqualTo(1);
        });
        assertThat(store.find("task-0").orElseThrow().result()).isEqualTo(ONE_MEGABYTE_RESULT);
        assertThat(store.find("task-1").orElseThrow().errorStack()).isEqualTo(BIG_STACK);
    }

    /** An order key names the tasks that run one after another: a listing shows them alone, newest first. */
    @Test
    void aListingByOrderKeyShowsTheTasksOfThatKeyOnlyNewestFirst() {
        for (String id : List.of("keyed-1", "keyed-2", "other-key", "keyed-3")) {
            String key = id.startsWith("keyed") ? "account 1000" : "account 2000";
            store.insert(new NewTask(id, "test.report", 1, "clerk", null, Payload.json("{}"), null, null, 0, key));
        }

        var listed = store.list(new TaskFilter(null, null, null, "account 1000", null, null, 0, 500));

        assertThat(listed).extracting(TaskSummary::id).containsExactly("keyed-3", "keyed-2", "keyed-1");
        assertThat(listed).extracting(TaskSummary::orderKey).containsOnly("account 1000");
        assertThat(store.list(new TaskFilter(null, null, "clerk", "no such key", null, null, 0, 500))).isEmpty();
    }

    /** The data source as it is, but every statement prepared on it is written down. */
    private DataSource recordingStatements(DataSource target) {
        return (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                    Object result = invoke(target, method, args);
                    return result instanceof Connection connection ? recording(connection) : result;
                });
    }

    private Connection recording(Connection connection) {
        return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                    if (method.getName().startsWith("prepare") && args != null && args[0] instanceof String sql) {
                        statements.add(sql);
                    }
                    return invoke(connection, method, args);
                });
    }

    private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
