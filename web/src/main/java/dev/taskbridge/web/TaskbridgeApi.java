package dev.taskbridge.web;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Components;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.media.SchemaProperty;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.servers.Server;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The REST API, under {@code /api}; who may call what is declared in web.xml and on resources.
 *
 * <p>Its OpenAPI description, written by the build from these annotations, is served by
 * {@link OpenApiServlet} at {@code /openapi} of this deployment, <b>public by decision</b>: no
 * login, as published APIs' descriptions are. It describes shapes (paths, parameters, bodies,
 * statuses) and holds no data: no task, no user, no class of ours, so it tells a stranger nothing
 * the API would not answer them with 401 anyway, and a client generator needs no credentials
 * ({@code taskbridge.openapi.enabled=false} serves none); {@code SecurityIT} and
 * {@code RoleMatrixIT} hold it to that.
 *
 * <p>The resources are {@code @ApplicationScoped}: one instance serves every request. Their
 * {@code @Context} fields are of interface types ({@code SecurityContext}, {@code UriInfo}), for
 * which RESTEasy injects proxies to the current request's, and nothing else in them belongs to a
 * request. Created per request, with their {@code @EJB} looked up each time, they cost about 4 % of
 * the server's CPU under the REST load of {@code bench/rest-load.sh} (JFR, stop 24).
 */
@ApplicationPath("/api")
@OpenAPIDefinition(
        info = @Info(title = "Taskbridge", version = "1",
                description = "Durable business tasks: submit them (POST /api/task-types/{type}/tasks, 202 with the task's Location), "
                        + "follow them (GET /api/tasks/{id}, its history and its server-sent events), cancel and retry them. "
                        + "Errors have one shape (status, error, message, fieldErrors); 400 names every bad field."),
        // the document's paths start at the deployment's context root (/api/...), which the build cannot
        // know: OpenApiServlet sets this server's url to it when it serves the document
        servers = @Server(url = "/", description = "The deployment that serves this document"),
        security = @SecurityRequirement(name = "basic"),
        // a generated client has one class per tag (TasksApi, TaskTypesApi, SchedulesApi, EventsApi, OperationsApi)
        tags = {
                @Tag(name = TaskbridgeApi.TASKS, description = "Submit tasks, read them, their history and errors, "
                        + "download their exports, cancel and retry them"),
                @Tag(name = TaskbridgeApi.TASK_TYPES, description = "The task types the server runs"),
                @Tag(name = TaskbridgeApi.SCHEDULES, description = "Recurring tasks: a task submitted at every firing "
                        + "of a cron expression or an interval (supervisors and admins)"),
                @Tag(name = TaskbridgeApi.EVENTS, description = "Live changes of tasks, as server-sent events"),
                @Tag(name = TaskbridgeApi.OPERATIONS, description = "For operators: the engine's slots and the metrics")},
        // Every error of the API has one shape (ApiError, ApiExceptionMapper); operations name theirs by these.
        components = @Components(schemas = {
                // named, not inline: openapi-generator imports an inline form's model without writing it
                @Schema(name = TaskbridgeApi.UPLOAD, type = SchemaType.OBJECT,
                        description = "A form upload: the field file, and options as other fields",
                        requiredProperties = TaskSubmissionsResource.FILE_PART,
                        properties = @SchemaProperty(name = TaskSubmissionsResource.FILE_PART, type = SchemaType.STRING,
                                format = "binary", description = "The payload; its part's content type (or the file "
                                + "name's extension) says its kind"),
                        additionalProperties = String.class)},
                responses = {
                @APIResponse(name = TaskbridgeApi.BAD_REQUEST, responseCode = "400",
                        description = "Refused: fieldErrors names every bad field (or header) and why; nothing was stored",
                        content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiError.class))),
                @APIResponse(name = TaskbridgeApi.UNAUTHORIZED, responseCode = "401",
                        description = "No user, or a wrong password (BASIC)",
                        content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiError.class))),
                @APIResponse(name = TaskbridgeApi.FORBIDDEN, responseCode = "403",
                        description = "The user's roles do not allow this (the API needs clerk, supervisor or admin; "
                                + "the metrics monitor or admin; retrying supervisor; engine facts admin), or a browser sent "
                                + "the write from a page of another site (Sec-Fetch-Site, Origin)",
                        content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiError.class))),
                @APIResponse(name = TaskbridgeApi.NOT_FOUND, responseCode = "404",
                        description = "No such task type, export, schedule, or task that the user may see",
                        content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiError.class))),
                @APIResponse(name = TaskbridgeApi.CONFLICT, responseCode = "409",
                        description = "The task's state does not allow this (it ended, or has not failed), or its "
                                + "type takes no new tasks (its plugin is being taken out of the plugin directory)",
                        content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiError.class))),
                @APIResponse(name = TaskbridgeApi.TOO_LARGE, responseCode = "413",
                        description = "The body is over the 20 MiB limit; it was not read to its end",
                        content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiError.class))),
                @APIResponse(name = TaskbridgeApi.KEY_REUSED, responseCode = "422",
                        description = "The Idempotency-Key was used by this user for another request: fieldErrors names the "
                                + "earlier task; nothing was stored",
                        content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiError.class))),
                @APIResponse(name = TaskbridgeApi.TOO_MANY_REQUESTS, responseCode = "429",
                        description = "This client sent too many wrong passwords (wait for Retry-After; the request was "
                                + "not looked at), or, opening an event stream, the user holds as many as one may",
                        headers = @Header(name = "Retry-After", description = "Seconds to wait, after wrong passwords",
                                schema = @Schema(type = SchemaType.INTEGER)),
                        content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiError.class))),
                @APIResponse(name = TaskbridgeApi.UNAVAILABLE, responseCode = "503",
                        description = "The engine is not running or cannot reach its database, the task type's slots are "
                                + "full, the server is reading other large uploads, or as many stored files are being read "
                                + "again as may be at once: send it again after Retry-After",
                        headers = @Header(name = "Retry-After", description = "Seconds to wait before sending again",
                                schema = @Schema(type = SchemaType.INTEGER)),
                        content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiError.class)))
        }))
@SecurityScheme(securitySchemeName = "basic", type = SecuritySchemeType.HTTP, scheme = "basic",
        description = "The server's users (Elytron ApplicationRealm); roles clerk, supervisor, admin")
public class TaskbridgeApi extends Application {

    // the tags above; each resource names its own
    static final String TASKS = "Tasks";
    static final String TASK_TYPES = "Task types";
    static final String EVENTS = "Events";
    static final String SCHEDULES = "Schedules";
    static final String OPERATIONS = "Operations";

    /** The schema of a form upload, submit's multipart/form-data body. */
    static final String UPLOAD = "TaskUpload";

    // names of the error responses above; OpenApiDocument gives them to the operations
    static final String BAD_REQUEST = "BadRequest";
    static final String UNAUTHORIZED = "Unauthorized";
    static final String FORBIDDEN = "Forbidden";
    static final String NOT_FOUND = "NotFound";
    static final String CONFLICT = "Conflict";
    static final String TOO_LARGE = "PayloadTooLarge";
    static final String KEY_REUSED = "IdempotencyKeyReused";
    static final String TOO_MANY_REQUESTS = "TooManyRequests";
    static final String UNAVAILABLE = "Unavailable";
}
