package dev.taskbridge.web;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import dev.taskbridge.gateway.ErrorPage;
import dev.taskbridge.gateway.ExportFile;
import dev.taskbridge.gateway.FieldError;
import dev.taskbridge.gateway.InvalidSubmissionException;
import dev.taskbridge.gateway.SubmitResult;
import dev.taskbridge.gateway.TaskGateway;
import dev.taskbridge.gateway.TaskHistoryEntry;
import dev.taskbridge.gateway.TaskNotFoundException;
import dev.taskbridge.gateway.TaskQuery;
import dev.taskbridge.gateway.TaskStatus;
import dev.taskbridge.gateway.TaskView;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ejb.EJB;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.EntityPart;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.core.StreamingOutput;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Submitting and reading tasks. Clerks see their own tasks only; a task of someone else's is
 * "not found" to them, so ids cannot be probed.
 *
 * <p>Tasks are submitted to their type's collection ({@link TaskSubmissionsResource}); they are read,
 * followed, cancelled and retried here.
 */
@Tag(name = TaskbridgeApi.TASKS)
@Path(TasksResource.PATH)
@ApplicationScoped // one for all requests: see TaskbridgeApi
@Produces(MediaType.APPLICATION_JSON)
public class TasksResource {

    /** Where tasks are, under the API's base. */
    static final String PATH = "/tasks";

    private static final Pattern CANONICAL_UUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    @EJB
    private TaskGateway gateway;

    @Inject
    private TaskSubmissionsResource submissions;

    @Inject
    private LiveEvents liveEvents;

    @Context
    private SecurityContext security;

    @Context
    private UriInfo uris;

    /**
     * The submit path before {@code POST /api/task-types/{type}/tasks}, kept for the clients written
     * against it: the same submission, answered as there, with a {@code Deprecation} header (RFC
     * 9745) and a {@code Link} to the new path on every answer ({@link FormerSubmitPath}). Not in
     * the OpenAPI document: beside {@code GET /api/tasks/{id}} it made two paths that differ only
     * in their parameter's name, which OpenAPI tools take for one (docs/design/014-openapi-document.md).
     */
    @POST
    @Path("/{type}")
    @Consumes(MediaType.WILDCARD)
    @Operation(hidden = true)
    @FormerSubmitPath
    public Response submitAtFormerPath(@PathParam("type") String type,
                                       @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
                                       @HeaderParam("Idempotency-Key") String idempotencyKey,
                                       InputStream body) throws IOException {
        return submissions.submit(type, contentType, idempotencyKey, body);
    }

    /** {@link #submitAtFormerPath} for a form upload. */
    @POST
    @Path("/{type}")
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Operation(hidden = true)
    @FormerSubmitPath
    public Response submitUploadAtFormerPath(@PathParam("type") String type,
                                             @HeaderParam("Idempotency-Key") String idempotencyKey,
                                             List<EntityPart> parts) throws IOException {
        return submissions.submitUpload(type, idempotencyKey, parts);
    }

    @GET
    @Path("/{id}")
    @Operation(operationId = "getTask", summary = "Read a task: its state, progress, result and error")
    public TaskJson get(@PathParam("id") String id) {
        return json(visibleTask(id));
    }

    /** The task's timeline, oldest first. */
    @GET
    @Path("/{id}/history")
    @Operation(operationId = "getTaskHistory", summary = "Read a task's history, oldest first")
    public List<TaskHistoryEntry> history(@PathParam("id") String id) {
        visibleTask(id);
        return gateway.history(id);
    }

    /**
     * The task's changes as server-sent events, until it ends: first its state now (event
     * {@code task}), then one event per change (named after its kind, e.g. {@code CHUNK_COMMITTED}).
     */
    @GET
    @Path("/{id}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Operation(operationId = "followTask", summary = "Follow a task's changes as server-sent events until it ends")
    @APIResponse(responseCode = "200", description = "Events named task, each a TaskJson, the first one its state now; "
            + "the stream ends after the task's final state",
            content = @Content(mediaType = MediaType.SERVER_SENT_EVENTS, schema = @Schema(type = SchemaType.STRING)))
    public void events(@PathParam("id") String id, @Context SseEventSink sink, @Context Sse sse) {
        liveEvents.followTask(id, security.getUserPrincipal().getName(), () -> json(visibleTask(id)), sink, sse);
    }

    /** A succeeded task's result as a file its type offers, e.g. {@code errors.csv}. */
    @GET
    @Path("/{id}/exports/{name}")
    @Produces(MediaType.WILDCARD)
    @Operation(operationId = "exportTaskResult", summary = "Download a succeeded task's result as a file its type offers")
    @APIResponse(responseCode = "200", description = "The file, e.g. errors.csv (text/csv), with Content-Disposition",
            content = @Content(mediaType = MediaType.WILDCARD, schema = @Schema(type = SchemaType.STRING, format = "binary")))
    public Response export(@PathParam("id") String id, @PathParam("name") String name) {
        visibleTask(id);
        ExportFile file = gateway.export(id, name, caller());
        StreamingOutput body = out -> file.content().writeTo(out);
        return Response.ok(body, file.mediaType())
                .header("Content-Disposition", "attachment; filename=\"" + id + "-" + file.name() + "\"")
                .build();
    }

    /**
     * Some of a finished task's errors, every one of them page by page, for a type that lists errors
     * ({@code listsErrors} in {@code GET /api/task-types}): from {@code offset} (0 by default), at
     * most {@code limit} ({@value ErrorPage#DEFAULT_LIMIT} by default, at most
     * {@value ErrorPage#MAX_LIMIT}), with the {@code total} and the {@code nextOffset} (absent on the
     * last page). Its result lists the first errors; the page past them is found again from the
     * task's stored payload. 409 for a task without a result or of a type that lists no errors.
     */
    @GET
    @Path("/{id}/errors")
    @Operation(operationId = "listTaskErrors", summary = "Read a finished task's errors page by page")
    public ErrorPage errors(@PathParam("id") String id,
                            @QueryParam("offset") @Parameter(schema = @Schema(type = SchemaType.INTEGER, minimum = "0",
                                    defaultValue = "0")) String offset,
                            @QueryParam("limit") @Parameter(schema = @Schema(type = SchemaType.INTEGER, minimum = "1",
                                    maximum = "" + ErrorPage.MAX_LIMIT, defaultValue = "" + ErrorPage.DEFAULT_LIMIT)) String limit) {
        // read as strings, and typed in the document: a bad one is a 400 naming it, in the API's error shape
        List<FieldError> errors = new ArrayList<>();
        long parsedOffset = parseNumber("offset", offset, 0, 0, Long.MAX_VALUE, errors);
        long parsedLimit = parseNumber("limit", limit, ErrorPage.DEFAULT_LIMIT, 1, ErrorPage.MAX_LIMIT, errors);
        if (!errors.isEmpty()) {
            throw new InvalidSubmissionException(errors);
        }
        visibleTask(id);
        return gateway.errors(id, parsedOffset, (int) parsedLimit, caller());
    }

    /** Cancels a task that has not finished: its owner or a supervisor may. 409 if it finished. */
    @POST
    @Path("/{id}/cancel")
    @Operation(operationId = "cancelTask", summary = "Cancel a task that has not finished")
    public TaskJson cancel(@PathParam("id") String id) {
        visibleTask(id);
        return json(gateway.cancel(id, caller()));
    }

    /** Runs a failed or cancelled task again; supervisors only. 409 unless it failed or was cancelled. */
    @POST
    @Path("/{id}/retry")
    @RolesAllowed(Roles.SUPERVISOR)
    @Operation(operationId = "retryTask", summary = "Run a failed or cancelled task again")
    public TaskJson retry(@PathParam("id") String id) {
        return json(gateway.retry(id, caller()));
    }

    /**
     * Rolls a task back: a task of its own, of the same type and owner, that undoes the task's
     * committed chunks, last first, each once (design note 030); supervisors only. 202 with the
     * rollback's location; 200 with the same rollback when it was asked for before, by anyone; 409
     * unless the task ended having committed a chunk and its type can undo.
     */
    @POST
    @Path("/{id}/rollback")
    @RolesAllowed(Roles.SUPERVISOR)
    @Operation(operationId = "rollBackTask", summary = "Undo what a task committed, by a task of its own")
    @APIResponse(responseCode = "202", description = "the rollback was created; Location is its address",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = TaskJson.class)))
    @APIResponse(responseCode = "200", description = "the task's rollback, asked for before",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = TaskJson.class)))
    public Response rollBack(@PathParam("id") String id) {
        SubmitResult result = gateway.rollBack(id, caller());
        return Response.status(result.created() ? Response.Status.ACCEPTED : Response.Status.OK)
                .location(location(uris, result.task().id())).entity(json(result.task())).build();
    }

    /**
     * Tasks, newest first, filtered by {@code type}, {@code status}, (supervisors) {@code owner},
     * {@code orderKey}, and the days they were submitted, {@code from} and {@code to} inclusive ({@code yyyy-MM-dd}, UTC).
     * Rows carry no result and no stack trace: {@code GET /tasks/{id}} has them.
     */
    @GET
    @Operation(operationId = "listTasks", summary = "List tasks, newest first, filtered")
    public List<TaskSummaryJson> list(@QueryParam("type") String type,
                                      @QueryParam("status") @Parameter(schema = @Schema(implementation = TaskStatus.class))
                                      String status,
                                      @QueryParam("owner") String owner,
                                      @QueryParam("orderKey") @Parameter(description = "The tasks of this order key")
                                      String orderKey,
                                      @QueryParam("from") @Parameter(description = "First day of submission, UTC",
                                              schema = @Schema(type = SchemaType.STRING, format = "date")) String from,
                                      @QueryParam("to") @Parameter(description = "Last day of submission, UTC",
                                              schema = @Schema(type = SchemaType.STRING, format = "date")) String to,
                                      @QueryParam("offset") @Parameter(schema = @Schema(type = SchemaType.INTEGER,
                                              minimum = "0", defaultValue = "0")) String offset,
                                      @QueryParam("limit") @Parameter(schema = @Schema(type = SchemaType.INTEGER,
                                              minimum = "1", maximum = "" + TaskQuery.MAX_LIMIT,
                                              defaultValue = "" + TaskQuery.DEFAULT_LIMIT)) String limit) {
        // read as strings, and typed in the document: a bad one is a 400 naming it, in the API's error shape
        List<FieldError> errors = new ArrayList<>();
        TaskStatus parsedStatus = parseStatus(status, errors);
        Instant submittedFrom = parseDay("from", from, errors);
        Instant dayTo = parseDay("to", to, errors);
        int parsedOffset = (int) parseNumber("offset", offset, 0, 0, Integer.MAX_VALUE, errors);
        int parsedLimit = (int) parseNumber("limit", limit, TaskQuery.DEFAULT_LIMIT, 1, TaskQuery.MAX_LIMIT, errors);
        if (!errors.isEmpty()) {
            throw new InvalidSubmissionException(errors);
        }
        Instant submittedTo = dayTo == null ? null : dayTo.plus(1, ChronoUnit.DAYS);
        String visibleOwner = Roles.seesAllTasks(security) ? blankToNull(owner) : caller();
        return gateway.list(new TaskQuery(blankToNull(type), parsedStatus, visibleOwner, blankToNull(orderKey),
                        submittedFrom, submittedTo, parsedOffset, parsedLimit))
                .stream().map(TaskSummaryJson::of).toList();
    }

    /** Tasks per status: the caller's own, or everyone's for supervisors. */
    @GET
    @Path("/counts")
    @Operation(operationId = "countTasks", summary = "Count tasks per status")
    public Map<TaskStatus, Long> counts() {
        return gateway.countByStatus(Roles.seesAllTasks(security) ? null : caller());
    }

    /** The task, if the caller may see it; else "not found", as if it did not exist. */
    private TaskView visibleTask(String id) {
        return gateway.find(id)
                .filter(task -> Roles.maySee(caller(), task.owner(), security::isUserInRole))
                .orElseThrow(() -> new TaskNotFoundException(id));
    }

    private TaskJson json(TaskView task) {
        return TaskJson.of(task, Roles.seesAllTasks(security));
    }

    private String caller() {
        return security.getUserPrincipal().getName();
    }

    private static TaskStatus parseStatus(String status, List<FieldError> errors) {
        if (status == null || status.isBlank()) {
            return null;
        }
        try {
            return TaskStatus.valueOf(status.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            errors.add(new FieldError("status", "must be one of " + List.of(TaskStatus.values())));
            return null;
        }
    }

    private static Instant parseDay(String field, String value, List<FieldError> errors) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return LocalDate.parse(value.strip()).atStartOfDay(ZoneOffset.UTC).toInstant();
        } catch (DateTimeParseException e) {
            errors.add(new FieldError(field, "must be a day in the form yyyy-MM-dd, was '" + value + "'"));
            return null;
        }
    }

    /** A whole number from {@code min} to {@code max}; the fallback when absent; else a field error. */
    static long parseNumber(String field, String value, long fallback, long min, long max, List<FieldError> errors) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            long parsed = Long.parseLong(value.strip());
            if (parsed < min || parsed > max) {
                errors.add(new FieldError(field, min == 0 && parsed < 0 ? "must not be negative"
                        : "must be between " + min + " and " + max));
                return fallback;
            }
            return parsed;
        } catch (NumberFormatException e) {
            errors.add(new FieldError(field, "must be a whole number, was '" + value + "'"));
            return fallback;
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }

    /**
     * A task's URL, joined to the API's base by hand: RESTEasy's {@code UriBuilder.path(Class)}
     * reads the resource's annotations and encodes each segment on every call, which was 5 % of a
     * submission's CPU in a profile of {@code bench/rest-load.sh} (stop 34). A task id is a UUID,
     * with nothing in it to encode; anything else takes the long way.
     */
    static URI location(UriInfo uris, String taskId) {
        if (!CANONICAL_UUID.matcher(taskId).matches()) {
            return uris.getBaseUriBuilder().path(TasksResource.class).path(taskId).build(); // encoded, however odd
        }
        String base = uris.getBaseUri().toString();
        return URI.create(base + (base.endsWith("/") ? "" : "/") + PATH.substring(1) + "/" + taskId);
    }
}
