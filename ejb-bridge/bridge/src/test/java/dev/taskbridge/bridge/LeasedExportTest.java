package dev.taskbridge.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

import dev.taskbridge.gateway.EngineUnavailableException;
import dev.taskbridge.gateway.ExportFile;
import dev.taskbridge.gateway.TaskConflictException;
import dev.taskbridge.plugin.FinishedTask;
import dev.taskbridge.plugin.ResultExport;
import dev.taskbridge.plugin.TaskType;
import org.junit.jupiter.api.Test;

/**
 * A file made from a stored payload holds its user's re-check permit from the payload's first read
 * until the file is written, and gives it back once on every way out: failing to be made, failing
 * while written (the client gone), or written. A permit kept would refuse its clerk every later
 * re-check until the server restarts.
 */
class LeasedExportTest {

    private final Rechecks rechecks = new Rechecks(2, 1);

    /** How a test's export makes its file. */
    @FunctionalInterface
    private interface Preparing {
        ResultExport.Body prepare(FinishedTask<?> task) throws Exception;
    }

    private static ResultExport anExport(Preparing preparing) {
        return new ResultExport() {
            @Override
            public String name() {
                return "errors.csv";
            }

            @Override
            public String mediaType() {
                return "text/csv";
            }

            @Override
            public String description() {
                return "every error";
            }

            @Override
            public Body prepare(FinishedTask<?> task) throws Exception {
                return preparing.prepare(task);
            }
        };
    }

    /** An export that reads the payload while it is made, as errors.csv does for errors past the listed ones. */
    private static ResultExport readingThePayload(ResultExport.Body body) {
        return anExport(task -> {
            task.payload();
            return body;
        });
    }

    private static final ResultExport WRITES_A_LINE =
            readingThePayload(out -> out.write("line\r\n".getBytes(StandardCharsets.UTF_8)));

    private ExportFile made(ResultExport export, TaskType<Object> type, Rechecks.Lease lease) throws Exception {
        return TaskGatewayBean.leasedFile(export,
                TaskGatewayBean.finished("task-1", "{}", Instant.now(), type, type.version(), () -> RechecksTest.PAYLOAD, lease), lease);
    }

    private void assertThePermitIsBack() {
        Rechecks.Lease next = rechecks.lease("clerk1");
        assertThatCode(next::enter).as("the clerk's next re-check").doesNotThrowAnyException();
        next.close();
    }

    private void assertThePermitIsHeld() {
        assertThatThrownBy(() -> rechecks.lease("clerk1").enter()).isInstanceOf(EngineUnavailableException.class);
    }

    @Test
    void aFileHoldsItsPermitUntilItIsWrittenAndThenGivesItBack() throws Exception {
        ExportFile file = made(WRITES_A_LINE, RechecksTest.PARSES, rechecks.lease("clerk1"));
        assertThePermitIsHeld();

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        file.content().writeTo(out);

        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("line\r\n");
        assertThePermitIsBack();
    }

    @Test
    void aFileThatFailsToBeMadeGivesItsPermitBack() {
        ResultExport failing = anExport(task -> {
            task.payload();
            throw new IllegalStateException("the result does not parse");
        });

        assertThatThrownBy(() -> made(failing, RechecksTest.PARSES, rechecks.lease("clerk1")))
                .hasMessage("the result does not parse");
        assertThePermitIsBack();
    }

    @Test
    void aStoredPayloadThatNoLongerParsesGivesThePermitBack() {
        TaskType<Object> stricter = StoredPayloadParseTest.parsingWith(() -> {
            throw new IllegalStateException("unexpected header");
        });

        assertThatThrownBy(() -> made(WRITES_A_LINE, stricter, rechecks.lease("clerk1")))
                .isInstanceOf(TaskConflictException.class);
        assertThePermitIsBack();
    }

    @Test
    void aFileWhoseClientGoesAwayWhileItIsWrittenGivesItsPermitBack() throws Exception {
        ExportFile file = made(readingThePayload(out -> {
            throw new IOException("Broken pipe");
        }), RechecksTest.PARSES, rechecks.lease("clerk1"));

        assertThatThrownBy(() -> file.content().writeTo(new ByteArrayOutputStream())).hasMessage("Broken pipe");
        assertThePermitIsBack();
    }

    @Test
    void aFileThatFailsOtherwiseWhileItIsWrittenGivesItsPermitBackOnce() throws Exception {
        Rechecks.Lease lease = rechecks.lease("clerk1");
        ExportFile file = made(readingThePayload(out -> {
            throw new IllegalStateException("the books went away");
        }), RechecksTest.PARSES, lease);

        assertThatThrownBy(() -> file.content().writeTo(new ByteArrayOutputStream())).isInstanceOf(IOException.class)
                .hasRootCauseMessage("the books went away");
        Rechecks.Lease other = rechecks.lease("clerk2");
        other.enter();
        lease.close(); // a second close frees nothing more: the server's two permits stay two
        Rechecks.Lease third = rechecks.lease("clerk3");
        third.enter();
        assertThatThrownBy(() -> rechecks.lease("clerk1").enter()).as("both of the server's permits are taken")
                .isInstanceOf(EngineUnavailableException.class);
        other.close();
        third.close();
        assertThePermitIsBack();
    }
}
