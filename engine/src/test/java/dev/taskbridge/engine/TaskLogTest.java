package dev.taskbridge.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskbridge.engine.routing.SlotId;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/** A task's logging context, entered inside another's, as a slot does when one task's end starts the next. */
class TaskLogTest {

    private static final SlotId SLOT = new SlotId("test.steps", 3);
    private static final String TRACED = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    @Test
    void anUntracedTasksContextInsideATracedOneCarriesNoTraceIdAndTheOuterComesBack() {
        try (TaskLog.Scope outer = TaskLog.enter(TaskLog.context("node-1", SLOT, "T1", TRACED))) {
            assertThat(MDC.get(TaskLog.TRACE_ID)).isEqualTo("0af7651916cd43dd8448eb211c80319c");
            try (TaskLog.Scope inner = TaskLog.enter(TaskLog.context("node-1", SLOT, "T2"))) {
                assertThat(MDC.get(TaskLog.TASK_ID)).isEqualTo("T2");
                assertThat(MDC.get(TaskLog.TRACE_ID)).as("T1's trace on T2's lines").isNull();
                assertThat(MDC.get(TaskLog.LINE)).contains("task=T2").doesNotContain("trace=");
            }
            assertThat(MDC.get(TaskLog.TASK_ID)).isEqualTo("T1");
            assertThat(MDC.get(TaskLog.TRACE_ID)).isEqualTo("0af7651916cd43dd8448eb211c80319c");
        }
        assertThat(MDC.get(TaskLog.TASK_ID)).isNull();
        assertThat(MDC.get(TaskLog.TRACE_ID)).isNull();
    }

    @Test
    void aSlotsContextInsideATasksCarriesNoTaskId() {
        try (TaskLog.Scope task = TaskLog.enter(TaskLog.context("node-1", SLOT, "T1", TRACED));
             TaskLog.Scope slot = TaskLog.enter(TaskLog.context("node-1", SLOT, null))) {
            assertThat(MDC.get(TaskLog.TASK_ID)).isNull();
            assertThat(MDC.get(TaskLog.TRACE_ID)).isNull();
        }
    }
}
