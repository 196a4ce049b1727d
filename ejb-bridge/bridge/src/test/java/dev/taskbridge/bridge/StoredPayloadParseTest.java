package dev.taskbridge.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;

import dev.taskbridge.gateway.TaskConflictException;
import dev.taskbridge.plugin.FinishedTask;
import dev.taskbridge.plugin.InvalidPayloadException;
import dev.taskbridge.plugin.Payload;
import dev.taskbridge.plugin.TaskHandler;
import dev.taskbridge.plugin.TaskType;
import org.junit.jupiter.api.Test;

/**
 * A stored payload that no longer parses (a stricter parse after an upgrade) is the clerk's 409
 * "check the file again", as README promises, never a 500.
 */
class StoredPayloadParseTest {

    private final Rechecks rechecks = new Rechecks(2, 1);

    /** A parse that may refuse the payload, as {@link TaskType#parse} may. */
    @FunctionalInterface
    interface Parse {
        Object parse() throws InvalidPayloadException;
    }

    /** A task type whose parse of the stored payload is {@code parse}, whatever the payload. */
    static TaskType<Object> parsingWith(Parse parse) {
        return new TaskType<>() {
            @Override
            public String id() {
                return "test.stricter";
            }

            @Override
            public int version() {
                return 2;
            }

            @Override
            public Object parse(Payload payload) throws InvalidPayloadException {
                return parse.parse();
            }

            @Override
            public TaskHandler<Object> handler() {
                throw new UnsupportedOperationException();
            }
        };
    }

    private FinishedTask<Object> finished(TaskType<Object> type, Rechecks.Lease lease) {
        return TaskGatewayBean.finished("task-1", "{}", Instant.now(), type, type.version(), () -> RechecksTest.PAYLOAD, lease);
    }

    @Test
    void aPayloadThatNoLongerParsesIsAConflictToCheckTheFileAgain() throws Exception {
        TaskType<Object> stricter = parsingWith(() -> {
            throw new InvalidPayloadException("debit", "must have at most 2 decimals");
        });
        try (Rechecks.Lease lease = rechecks.lease("clerk1")) {
            assertThatThrownBy(finished(stricter, lease)::payload).isInstanceOf(TaskConflictException.class)
                    .hasMessageContaining("check the file again")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("Exception", "debit"));
        }
    }

    @Test
    void aParseThatFailsOtherwiseIsTheSameConflict() {
        TaskType<Object> throwing = parsingWith(() -> {
            throw new IllegalStateException("unexpected header");
        });
        try (Rechecks.Lease lease = rechecks.lease("clerk1")) {
            assertThatThrownBy(finished(throwing, lease)::payload).isInstanceOf(TaskConflictException.class)
                    .hasMessageContaining("check the file again");
        }
    }
}
