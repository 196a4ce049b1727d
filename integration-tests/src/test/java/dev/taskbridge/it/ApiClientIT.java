package dev.taskbridge.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.DeserializationFeature;
import dev.taskbridge.client.ApiClient;
import dev.taskbridge.client.ApiException;
import dev.taskbridge.client.api.OperationsApi;
import dev.taskbridge.client.api.TaskTypesApi;
import dev.taskbridge.client.api.TasksApi;
import dev.taskbridge.client.model.ApiError;
import dev.taskbridge.client.model.ErrorPage;
import dev.taskbridge.client.model.ErrorView;
import dev.taskbridge.client.model.FieldError;
import dev.taskbridge.client.model.TaskEventKind;
import dev.taskbridge.client.model.TaskHistoryEntry;
import dev.taskbridge.client.model.TaskJson;
import dev.taskbridge.client.model.TaskStatus;
import dev.taskbridge.client.model.TaskSummaryJson;
import dev.taskbridge.client.model.TaskTypeJson;
import dev.taskbridge.it.plugin.RowWritingTaskType;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Java client that the build generates from the API's OpenAPI document (module api-client),
 * used against the deployed EAR as an integrator would use it. If the document drifts from what
 * the API does, the build fails here: the served document must be the one the client was
 * generated from, and every answer must read into the client's models with no field the document
 * does not name.
 */
@ExtendWith(ArquillianExtension.class)
class ApiClientIT {

    private static final Duration TASK_TIMEOUT = Duration.ofSeconds(60);

    /** Where an integrator points the client: the deployment's root; the document's paths start with /api. */
    private static final String DEPLOYMENT = "http://127.0.0.1:8080/taskbridge";

    private static final String LEDGER_CSV = "documentNumber,postingDate,accountCode,costCenter,debit,credit,currency,description\r\n"
            + "D1,2026-11-02,1000,CC1,100.00,0,EUR,cash\r\n"
            + "D1,2026-11-02,2000,CC1,0,100.00,EUR,payable\r\n";

    @Deployment(testable = false)
    static EnterpriseArchive ear() {
        return Deployments.earWithTestPlugins();
    }

    /** A client as the user, strict: an answer with a field the document does not name fails to read. */
    private static ApiClient client(String user) {
        ApiClient client = new ApiClient();
        client.updateBaseUri(DEPLOYMENT);
        client.setObjectMapper(ApiClient.createDefaultObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES));
        String basic = "Basic " + Base64.getEncoder().encodeToString((user + ":" + user).getBytes(StandardCharsets.UTF_8));
        client.setRequestInterceptor(request -> request.header("Authorization", basic));
        return client;
    }

    private static TasksApi tasks(String user) {
        return new TasksApi(client(user));
    }

    /**
     * The deployment serves the document the client was generated from (it is in the client's jar):
     * the file its build wrote, with its server set to the context root the build could not know
     * (OpenApiServlet). Nothing else may differ.
     */
    @Test
    void theServedDocumentIsTheOneTheClientWasGeneratedFrom() throws Exception {
        JsonObject built;
        try (InputStream document = ApiClient.class.getResourceAsStream("openapi.json")) {
            assertThat(document).as("openapi.json beside the generated client").isNotNull();
            built = Json.createReader(document).readObject();
        }
        Api.Reply served = Api.anonymous().get("http://127.0.0.1:8080/taskbridge/openapi");
        assertThat(served.status()).as(served.toString()).isEqualTo(200);
        JsonObject servedDocument = Json.createReader(new StringReader(served.body())).readObject();

        assertThat(servedDocument.getJsonArray("servers").getJsonObject(0).getString("url")).isEqualTo("/taskbridge");
        assertThat(built.getJsonArray("servers").getJsonObject(0).getString("url")).isEqualTo("/");
        JsonObject servedAsBuilt = Json.createObjectBuilder(servedDocument).add("servers", built.getJsonArray("servers")).build();
        if (!servedAsBuilt.equals(built)) {
            Files.writeString(Files.createDirectories(java.nio.file.Path.of("target", "openapi-drift")).resolve("served.json"),
                    servedAsBuilt.toString());
        }
        assertThat(servedAsBuilt.keySet()).isEqualTo(built.keySet());
        for (String key : built.keySet()) {
            assertThat(servedAsBuilt.get(key)).as("%s of the served document (target/openapi-drift/served.json) "
                    + "against api-client's openapi.json", key).isEqualTo(built.get(key));
        }
    }

    @Test
    void aClerkSubmitsReadsListsAndDownloadsThroughTheClient() throws Exception {
        TasksApi clerk = tasks("clerk");
        List<TaskTypeJson> types = new TaskTypesApi(client("clerk")).listTaskTypes();
        assertThat(types).extracting(TaskTypeJson::getId).contains("ledger.validate", "ledger.post");

        String key = "client-" + UUID.randomUUID();
        String csv = LEDGER_CSV + "D9,2026-11-02,1000,CC1,not-a-number,0,EUR,typo\r\n";
        TaskJson submitted = clerk.submitTask("ledger.validate", csv, null, null, null, null, key);
        assertThat(submitted.getId()).isNotBlank();
        assertThat(submitted.getType()).isEqualTo("ledger.validate");
        assertThat(submitted.getOwner()).isEqualTo("clerk");
        assertThat(clerk.submitTask("ledger.validate", csv, null, null, null, null, key).getId()).as("the same Idempotency-Key: the same task")
                .isEqualTo(submitted.getId());

        TaskJson done = awaitEnd(clerk, submitted.getId());
        assertThat(done.getStatus()).isEqualTo("SUCCEEDED");
        assertThat(done.getProgress().getPercent()).isEqualTo(100);
        assertThat(done.getTraceId()).as("no trace: tracing is off unless configured").isNull();
        assertThat(done.getResult()).isInstanceOf(Map.class);
        assertThat(((Map<?, ?>) done.getResult()).get("lineCount")).isEqualTo(3);

        List<TaskHistoryEntry> history = clerk.getTaskHistory(submitted.getId());
        assertThat(history).extracting(TaskHistoryEntry::getKind).startsWith(TaskEventKind.SUBMITTED)
                .contains(TaskEventKind.SUCCEEDED);

        List<TaskSummaryJson> listed = clerk.listTasks(LocalDate.now(ZoneOffset.UTC).minusDays(1), 100, 0, null, null,
                TaskStatus.SUCCEEDED, null, "ledger.validate");
        assertThat(listed).extracting(TaskSummaryJson::getId).contains(submitted.getId());
        assertThat(clerk.countTasks()).containsKey("SUCCEEDED");

        ErrorPage page = clerk.listTaskErrors(submitted.getId(), 10, 0);
        assertThat(page.getTotal()).isEqualTo(1);
        assertThat(page.getErrors()).extracting(ErrorView::getLine, ErrorView::getField).containsExactly(tuple(3L, "debit"));

        java.io.File errors = clerk.exportTaskResult(submitted.getId(), "errors.csv");
        try {
            assertThat(Files.readString(errors.toPath(), StandardCharsets.UTF_8)).startsWith("\uFEFFline,field,value,reason")
                    .contains("3,debit,not-a-number,");
        } finally {
            Files.deleteIfExists(errors.toPath());
        }
    }

    /** A time with a positive offset, which a query string must carry as %2B: the generated client sends it so. */
    @Test
    void aTaskIsScheduledThroughTheClientAtATimeWithItsOffset() throws Exception {
        TasksApi clerk = tasks("clerk");
        OffsetDateTime at = OffsetDateTime.now(ZoneOffset.ofHours(2)).plusSeconds(2).withNano(0);

        TaskJson scheduled = clerk.submitTask("ledger.validate", LEDGER_CSV, at, null, null, null, null);

        assertThat(scheduled.getStatus()).isEqualTo("SCHEDULED");
        assertThat(scheduled.getRunAt().toInstant()).isEqualTo(at.toInstant());
        TaskJson done = awaitEnd(clerk, scheduled.getId());
        assertThat(done.getStatus()).isEqualTo("SUCCEEDED");
        assertThat(done.getStartedAt().toInstant()).isAfterOrEqualTo(at.toInstant());
    }

    @Test
    void aRunningTaskIsCancelledThenRetriedBySupervisorThroughTheClient() throws Exception {
        TasksApi clerk = tasks("clerk");
        TaskJson submitted = clerk.submitTask(RowWritingTaskType.ID, "chunks=4,rows=1,sleepMillis=1500", null, null, null, null, null);
        await().atMost(TASK_TIMEOUT).until(() -> clerk.getTask(submitted.getId()).getStatus().equals("RUNNING"));

        TaskJson cancelled = clerk.cancelTask(submitted.getId());
        assertThat(cancelled.getId()).isEqualTo(submitted.getId());
        assertThat(awaitEnd(clerk, submitted.getId()).getStatus()).isEqualTo("CANCELLED");

        ApiException clerkMayNotRetry = catchApi(() -> clerk.retryTask(submitted.getId()));
        assertThat(clerkMayNotRetry.getCode()).isEqualTo(403);

        TaskJson retried = tasks("supervisor").retryTask(submitted.getId());
        assertThat(retried.getStatus()).isIn("QUEUED", "RUNNING");
        assertThat(awaitEnd(clerk, submitted.getId()).getStatus()).isEqualTo("SUCCEEDED");
    }

    /**
     * Tasks of one order key run in turn (note 032): three tasks of 600 ms each, submitted at once
     * with the same key, never overlap and start in the order submitted; routed by their ids they
     * would run side by side in the type's slots.
     */
    @Test
    void tasksOfOneOrderKeyRunOneAfterAnotherThroughTheClient() throws Exception {
        TasksApi clerk = tasks("clerk");
        String key = "client-" + UUID.randomUUID();
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            TaskJson submitted = clerk.submitTask(RowWritingTaskType.ID, "chunks=2,rows=1,sleepMillis=300", null, null, null, key, null);
            assertThat(submitted.getOrderKey()).isEqualTo(key);
            ids.add(submitted.getId());
        }
        List<TaskJson> ended = new java.util.ArrayList<>();
        for (String id : ids) {
            ended.add(awaitEnd(clerk, id));
        }
        assertThat(ended).extracting(TaskJson::getStatus).containsOnly("SUCCEEDED");
        for (int i = 1; i < ended.size(); i++) {
            assertThat(ended.get(i).getStartedAt().toInstant()).as("task %d started once the one before had ended", i)
                    .isAfterOrEqualTo(ended.get(i - 1).getEndedAt().toInstant());
        }
    }

    /** Refusals reach the client as ApiException, their bodies in the document's one error shape. */
    @Test
    void refusalsReadAsTheDocumentedErrorShape() throws Exception {
        TasksApi clerk = tasks("clerk");

        ApiException unknown = catchApi(() -> clerk.getTask("no-such-task"));
        assertThat(unknown.getCode()).isEqualTo(404);
        assertThat(error(unknown).getStatus()).isEqualTo(404);

        // the document says at least 1; the client sends what it is given, and the server names the field
        ApiException badPage = catchApi(() -> clerk.listTasks(null, 0, null, null, null, null, null, null));
        assertThat(badPage.getCode()).isEqualTo(400);
        assertThat(error(badPage).getFieldErrors()).extracting(FieldError::getField).containsExactly("limit");

        ApiException noType = catchApi(() -> clerk.submitTask("no.such.type", LEDGER_CSV, null, null, null, null, null));
        assertThat(noType.getCode()).isEqualTo(404);

        TaskJson done = awaitEnd(clerk, clerk.submitTask("ledger.validate", LEDGER_CSV, null, null, null, null, null).getId());
        ApiException ended = catchApi(() -> clerk.cancelTask(done.getId()));
        assertThat(ended.getCode()).isEqualTo(409);
        assertThat(error(ended).getMessage()).isNotBlank();

        ApiException notAdmin = catchApi(() -> new OperationsApi(client("clerk")).getEngineFacts());
        assertThat(notAdmin.getCode()).isEqualTo(403);
        assertThat(new OperationsApi(client("admin")).getEngineFacts().getLiveSlotActors()).containsKey("ledger.validate");
    }

    private static ApiError error(ApiException refusal) throws Exception {
        return ApiClient.createDefaultObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .readValue(refusal.getResponseBody(), ApiError.class);
    }

    private static ApiException catchApi(ThrowingCall call) {
        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(call::call);
        assertThat(thrown).isInstanceOf(ApiException.class);
        return (ApiException) thrown;
    }

    private interface ThrowingCall {
        void call() throws Exception;
    }

    private static TaskJson awaitEnd(TasksApi api, String id) throws ApiException {
        await().atMost(TASK_TIMEOUT).pollInterval(Duration.ofMillis(200))
                .until(() -> List.of("SUCCEEDED", "FAILED", "CANCELLED").contains(api.getTask(id).getStatus()));
        return api.getTask(id);
    }
}
