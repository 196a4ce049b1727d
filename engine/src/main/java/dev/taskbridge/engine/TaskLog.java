package dev.taskbridge.engine;

import java.security.SecureRandom;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.taskbridge.engine.routing.SlotId;
import dev.taskbridge.engine.store.TaskRecord;
import org.slf4j.MDC;

/**
 * The logging context of a task's work. Every line logged while a task is handled, on the slot's
 * thread or on a thread working for it (the plugin's code included), carries these MDC keys, so
 * that searching the log for a task id finds all of it.
 *
 * <p>{@link #LINE} holds the same as one text for pattern formatters: {@code %X{taskbridge}}
 * prints {@code [task=... type=... slot=... node=...] } on a task's lines and nothing elsewhere.
 */
public final class TaskLog {

    public static final String TASK_ID = "taskId";
    public static final String TASK_TYPE = "taskType";
    public static final String SLOT = "slot";
    public static final String NODE = "node";
    public static final String LINE = "taskbridge";
    /** The task's trace id, where it is traced: the same key OpenTelemetry's log instrumentation uses. */
    public static final String TRACE_ID = "trace_id";

    /** Every key a context may have. */
    private static final List<String> KEYS = List.of(TASK_ID, TASK_TYPE, SLOT, NODE, LINE, TRACE_ID);

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ".toCharArray();

    private TaskLog() {
    }

    /** The context of a slot's work; with a task id, of that task's. */
    public static Map<String, String> context(String node, SlotId slot, String taskId) {
        return withTraceId(node, slot, taskId, null);
    }

    /** The context of a task's work, with its trace id when it is traced (its stored W3C traceparent). */
    public static Map<String, String> context(String node, SlotId slot, String taskId, String traceParent) {
        return withTraceId(node, slot, taskId, TaskRecord.traceIdOf(traceParent));
    }

    /**
     * The context of a task's work that goes on on another thread, with the trace id this thread's
     * context has for the same task: work handed on keeps the trace it was handed on in, without
     * every hand-off having to carry the task's traceparent.
     */
    public static Map<String, String> carriedContext(String node, SlotId slot, String taskId) {
        return withTraceId(node, slot, taskId, taskId.equals(MDC.get(TASK_ID)) ? MDC.get(TRACE_ID) : null);
    }

    private static Map<String, String> withTraceId(String node, SlotId slot, String taskId, String traceId) {
        Map<String, String> context = new HashMap<>();
        if (traceId != null) {
            context.put(TRACE_ID, traceId);
        }
        context.put(TASK_TYPE, slot.taskType());
        context.put(SLOT, slot.key());
        context.put(NODE, node);
        StringBuilder line = new StringBuilder("[");
        if (taskId != null) {
            context.put(TASK_ID, taskId);
            line.append("task=").append(taskId).append(' ');
        }
        line.append("type=").append(slot.taskType()).append(" slot=").append(slot.key()).append(" node=").append(node);
        if (traceId != null) {
            line.append(" trace=").append(traceId);
        }
        line.append("] ");
        context.put(LINE, line.toString());
        return context;
    }

    /** Sets a context on this thread; {@link #clear} removes it. */
    public static void set(Map<String, String> context) {
        context.forEach(MDC::put);
    }

    public static void clear(Map<String, String> context) {
        context.keySet().forEach(MDC::remove);
    }

    /**
     * Sets a context on this thread until the scope closes, which puts back what the thread had
     * before. Every key of a task's context is set or removed, so that no key of the context it is
     * entered in (another task's trace id, inside an untraced task's) is left on its lines.
     */
    public static Scope enter(Map<String, String> context) {
        Map<String, String> before = new HashMap<>();
        for (String key : KEYS) {
            before.put(key, MDC.get(key));
            String value = context.get(key);
            if (value == null) {
                MDC.remove(key);
            } else {
                MDC.put(key, value);
            }
        }
        return () -> before.forEach((key, value) -> {
            if (value == null) {
                MDC.remove(key);
            } else {
                MDC.put(key, value);
            }
        });
    }

    /** A context set for a while, inside another one. */
    @FunctionalInterface
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * A short reference for a logged failure, such as {@code TB-7KQ2M9XD}: stored with the task, so
     * that a supervisor goes from the task to the log line. Unambiguous letters only, easy to read out.
     */
    public static String newReference() {
        char[] reference = new char[8];
        for (int i = 0; i < reference.length; i++) {
            reference[i] = REFERENCE_ALPHABET[RANDOM.nextInt(REFERENCE_ALPHABET.length)];
        }
        return "TB-" + new String(reference);
    }
}
