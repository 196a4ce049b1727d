package dev.taskbridge.web;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.taskbridge.gateway.InvalidSubmissionException;
import dev.taskbridge.gateway.OrderKey;
import dev.taskbridge.gateway.Priority;
import dev.taskbridge.gateway.RunAt;
import dev.taskbridge.gateway.Submission;
import dev.taskbridge.gateway.SubmitResult;
import dev.taskbridge.gateway.TaskGateway;
import jakarta.ejb.EJB;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.EntityPart;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.core.UriInfo;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Submitting tasks: to the collection of their type, {@code POST /api/task-types/{type}/tasks}; the
 * task is then at {@code /api/tasks/{id}} ({@link TasksResource}).
 *
 * <p>A submission's options are the query parameters of the call, e.g.
 * {@code POST /api/task-types/ledger.post/tasks?onErrors=post-valid-documents}, or a form's other
 * fields; the task type checks them. Four names are the API's own, never options: {@code runAt}
 * and {@code runAfter} submit the task to run later ({@link RunAt}), {@code priority} gives it a
 * priority ({@link Priority}), {@code orderKey} runs it in turn with the others of its key
 * ({@link OrderKey}).
 */
@Tag(name = TaskbridgeApi.TASKS)
@Path("/task-types/{type}/tasks")
@ApplicationScoped // one for all requests: see TaskbridgeApi
@Produces(MediaType.APPLICATION_JSON)
public class TaskSubmissionsResource {

    /** The form field of a multipart upload that holds the payload; every other field is an option. */
    public static final String FILE_PART = "file";

    @EJB
    private TaskGateway gateway;

    @Context
    private SecurityContext security;

    @Context
    private UriInfo uris;

    /**
     * Submits a task whose payload is the request body. 202 with the task's {@code Location} when
     * created; 200 with the existing task when the same user already submitted this
     * {@code Idempotency-Key}.
     */
    @POST
    @Consumes(MediaType.WILDCARD)
    @Operation(operationId = "submitTask", summary = "Submit a task: its payload the body (JSON or CSV) or a form's file field")
    // Declared here for both methods (submitUpload is hidden from the scan): scanned, the two would
    // give one operation with two operationIds and a body a generator cannot use (binary, or a list
    // of parts). CSV first: a generated client sends its first media type, and a string goes as it is.
    @RequestBody(required = true, description = "The payload, of a kind the task type takes (GET /api/task-types); "
            + "options are query parameters, or the form's other fields",
            content = {
                    @Content(mediaType = "text/csv", schema = @Schema(type = SchemaType.STRING),
                            example = "documentNumber,postingDate,accountCode,costCenter,debit,credit,currency,description\r\n"
                                    + "D1,2026-11-02,1000,CC1,100.00,0,EUR,\"cash, petty\"\r\n"
                                    + "D1,2026-11-02,2000,CC1,0,100.00,EUR,payable\r\n"),
                    @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(type = SchemaType.OBJECT,
                            description = "As the task type defines it")),
                    @Content(mediaType = MediaType.MULTIPART_FORM_DATA, schema = @Schema(ref = TaskbridgeApi.UPLOAD))})
    @APIResponse(responseCode = "202", description = "Stored: it will run. Location is the task's URL",
            headers = @Header(name = "Location", description = "The task's URL", schema = @Schema(type = SchemaType.STRING)),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = TaskJson.class)))
    @APIResponse(responseCode = "200", description = "A repeat of an earlier request with the same Idempotency-Key: that task",
            headers = @Header(name = "Location", description = "The task's URL", schema = @Schema(type = SchemaType.STRING)),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = TaskJson.class)))
    @Parameter(name = RunAt.RUN_AT, in = ParameterIn.QUERY, description = "Run the task at this time, not at once: "
            + "a date and time with its offset (ISO-8601, the + escaped as %2B), at most a year ahead. Until then it is "
            + "SCHEDULED and may be cancelled", example = "2026-12-24T08:00:00Z", schema = @Schema(type = SchemaType.STRING, format = "date-time"))
    @Parameter(name = RunAt.RUN_AFTER, in = ParameterIn.QUERY, description = "Run the task after this delay from now "
            + "(ISO-8601 duration); not with runAt", example = "PT10M", schema = @Schema(type = SchemaType.STRING))
    @Parameter(name = Priority.PRIORITY, in = ParameterIn.QUERY, description = "From " + Priority.LOWEST + " to "
            + Priority.HIGHEST + ", " + Priority.USUAL + " when not given: within the task's slot, a task of a higher "
            + "priority starts before every waiting task of a lower one (one that runs is not stopped); tasks of one "
            + "priority start in the order they were submitted", example = "10",
            schema = @Schema(type = SchemaType.INTEGER, minimum = "-100", maximum = "100", defaultValue = "0"))
    @Parameter(name = OrderKey.ORDER_KEY, in = ParameterIn.QUERY, description = "Tasks of the type with the same key "
            + "run one after another, never two at once, in the order they were submitted (within one priority); "
            + "without a key, or across keys, tasks keep no order. The key picks the task's slot: when it is full the "
            + "answer is 503 with Retry-After", example = "account-1000",
            schema = @Schema(type = SchemaType.STRING, minLength = 1, maxLength = OrderKey.MAX_LENGTH))
    public Response submit(@PathParam("type") String type,
                           @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
                           @HeaderParam("Idempotency-Key") String idempotencyKey,
                           InputStream body) throws IOException {
        if (contentType == null || contentType.isBlank()) {
            throw new InvalidSubmissionException(HttpHeaders.CONTENT_TYPE, "is required, e.g. application/json");
        }
        Map<String, String> options = queryOptions();
        Instant runAt = RunAt.take(options, Instant.now());
        int priority = Priority.take(options);
        String orderKey = OrderKey.take(options);
        return submitted(gateway.submit(new Submission(type, caller(), idempotencyKey, Uploads.baseType(contentType),
                Uploads.readLimited(body), options, runAt, priority, orderKey)));
    }

    /**
     * Submits a task from a form upload ({@code multipart/form-data}): the payload is the field
     * {@value #FILE_PART}, its type the part's content type (or, when a browser sends none that
     * says anything, the file name's extension); other fields are options, as query parameters are.
     */
    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Operation(hidden = true) // submit's @RequestBody describes this form
    public Response submitUpload(@PathParam("type") String type,
                                 @HeaderParam("Idempotency-Key") String idempotencyKey,
                                 List<EntityPart> parts) throws IOException {
        Map<String, String> options = queryOptions();
        Uploads.File file = null;
        for (EntityPart part : parts) {
            if (part.getName() == null) {
                throw new InvalidSubmissionException("body", "has a part without a name: every part needs"
                        + " Content-Disposition: form-data; name=\"...\"");
            }
            if (part.getName().equals(FILE_PART)) {
                file = Uploads.file(part);
            } else if (options.put(part.getName(), Uploads.field(part)) != null) {
                throw new InvalidSubmissionException(part.getName(), "is given more than once");
            }
        }
        if (file == null) {
            throw new InvalidSubmissionException(FILE_PART, "is required: the form field with the file");
        }
        Instant runAt = RunAt.take(options, Instant.now());
        int priority = Priority.take(options);
        String orderKey = OrderKey.take(options);
        return submitted(gateway.submit(new Submission(type, caller(), idempotencyKey, file.mediaType(), file.content(),
                options, runAt, priority, orderKey)));
    }

    private Response submitted(SubmitResult result) {
        Response.Status status = result.created() ? Response.Status.ACCEPTED : Response.Status.OK;
        return Response.status(status).location(TasksResource.location(uris, result.task().id())).entity(TaskJson.of(result.task(), Roles.seesAllTasks(security))).build();
    }

    /** The query parameters, each given once. */
    private Map<String, String> queryOptions() {
        Map<String, String> options = new LinkedHashMap<>();
        uris.getQueryParameters().forEach((name, values) -> {
            if (values.size() > 1) {
                throw new InvalidSubmissionException(name, "is given more than once");
            }
            options.put(name, values.get(0));
        });
        return options;
    }

    private String caller() {
        return security.getUserPrincipal().getName();
    }
}
