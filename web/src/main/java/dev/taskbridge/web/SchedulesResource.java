package dev.taskbridge.web;

import java.io.InputStream;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.taskbridge.gateway.InvalidSubmissionException;
import dev.taskbridge.gateway.ScheduleGateway;
import dev.taskbridge.gateway.ScheduleRequest;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ejb.EJB;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.core.UriInfo;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Recurring tasks, for supervisors and admins (web.xml): each schedule submits an ordinary task in
 * its author's name at every firing, once per firing. Created, changed, paused, resumed and
 * deleted here at runtime; no redeploy.
 */
@Tag(name = TaskbridgeApi.SCHEDULES)
@Path("/schedules")
@ApplicationScoped // one for all requests: see TaskbridgeApi
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({Roles.SUPERVISOR, Roles.ADMIN})
public class SchedulesResource {

    private static final String EXAMPLE = "{\"name\": \"nightly bank import\", \"taskType\": \"bank.import\", "
            + "\"mediaType\": \"text/csv\", \"payload\": \"...\", \"cron\": \"0 30 2 * * ?\", \"timeZone\": \"Europe/Berlin\", "
            + "\"missedFirings\": \"RUN_ONCE\"}";

    @EJB
    private ScheduleGateway gateway;

    @Context
    private SecurityContext security;

    @Context
    private UriInfo uris;

    @GET
    @Operation(operationId = "listSchedules", summary = "List the schedules, with their next firings and latest runs")
    public List<ScheduleJson> list() {
        return gateway.schedules().stream().map(ScheduleJson::of).toList();
    }

    @GET
    @Path("/{id}")
    @Operation(operationId = "getSchedule", summary = "Read a schedule: its next five firings and its latest runs")
    public ScheduleJson get(@PathParam("id") String id,
                            @Parameter(description = "How many of its latest runs to list (1 to 500; the last 500 are kept)")
                            @QueryParam("runs") @DefaultValue("20") String runs) {
        // read here, not by JAX-RS: a parameter it cannot convert is a 404, where this is a 400 naming it
        int count;
        try {
            count = Integer.parseInt(runs.strip());
        } catch (NumberFormatException e) {
            throw new InvalidSubmissionException("runs", "must be a whole number from 1 to " + ScheduleGateway.MOST_RUNS);
        }
        return ScheduleJson.of(gateway.schedule(id, count));
    }

    /** Creates a schedule; 201 with its {@code Location}. Its tasks will be the caller's. */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "createSchedule", summary = "Create a schedule: a task submitted at every firing of a cron "
            + "expression in a time zone, or of an interval")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = ScheduleRequest.class), example = EXAMPLE))
    @APIResponse(responseCode = "201", description = "Stored: it fires from now on",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ScheduleJson.class)))
    public Response create(InputStream body) {
        ScheduleJson created = ScheduleJson.of(gateway.create(request(body), caller()));
        URI location = uris.getBaseUriBuilder().path(SchedulesResource.class).path(created.id()).build();
        return Response.created(location).entity(created).build();
    }

    /** Replaces a schedule; it fires by its new rule from now. Its owner stays who created it. */
    @PUT
    @Path("/{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "changeSchedule", summary = "Change a schedule: it fires by its new rule from now")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = ScheduleRequest.class), example = EXAMPLE))
    public ScheduleJson change(@PathParam("id") String id, InputStream body) {
        return ScheduleJson.of(gateway.change(id, request(body), caller()));
    }

    @POST
    @Path("/{id}/pause")
    @Operation(operationId = "pauseSchedule", summary = "Pause a schedule: no firing is made until it is resumed")
    public ScheduleJson pause(@PathParam("id") String id) {
        return ScheduleJson.of(gateway.pause(id, caller()));
    }

    @POST
    @Path("/{id}/resume")
    @Operation(operationId = "resumeSchedule", summary = "Resume a schedule from its next firing; those of the pause are not made")
    public ScheduleJson resume(@PathParam("id") String id) {
        return ScheduleJson.of(gateway.resume(id));
    }

    @DELETE
    @Path("/{id}")
    @Operation(operationId = "deleteSchedule", summary = "Delete a schedule and its runs; the tasks it submitted stay")
    @APIResponse(responseCode = "204", description = "Deleted")
    public Response delete(@PathParam("id") String id) {
        gateway.delete(id);
        return Response.noContent().build();
    }

    private String caller() {
        return security.getUserPrincipal().getName();
    }

    /** Reads the body's JSON object; a field of the wrong kind is refused naming it. */
    static ScheduleRequest request(InputStream body) {
        JsonObject json;
        try (JsonReader reader = Json.createReader(body)) {
            json = reader.readObject();
        } catch (JsonException | IllegalStateException e) {
            throw new InvalidSubmissionException("body", "must be a JSON object, e.g. " + EXAMPLE);
        }
        Map<String, String> options = new LinkedHashMap<>();
        JsonValue given = json.get("options");
        if (given != null && given != JsonValue.NULL) {
            if (given.getValueType() != JsonValue.ValueType.OBJECT) {
                throw new InvalidSubmissionException("options", "must be an object of names and text values");
            }
            given.asJsonObject().forEach((name, value) -> {
                if (!(value instanceof JsonString text)) {
                    throw new InvalidSubmissionException("options." + name, "must be text");
                }
                options.put(name, text.getString());
            });
        }
        return new ScheduleRequest(text(json, "name"), text(json, "taskType"), text(json, "mediaType"), text(json, "payload"),
                options, text(json, "cron"), text(json, "timeZone"), text(json, "interval"), text(json, "missedFirings"));
    }

    private static String text(JsonObject json, String field) {
        JsonValue value = json.get(field);
        if (value == null || value == JsonValue.NULL) {
            return null;
        }
        if (!(value instanceof JsonString text)) {
            throw new InvalidSubmissionException(field, "must be text");
        }
        return text.getString();
    }
}
