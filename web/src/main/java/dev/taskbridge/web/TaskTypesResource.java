package dev.taskbridge.web;

import java.util.List;

import dev.taskbridge.gateway.TaskGateway;
import dev.taskbridge.gateway.TaskTypeView;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ejb.EJB;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.SecurityContext;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The task types clients can submit: id, version, slots, exports, whether paused; for admins also
 * the plugin class behind each. Supervisors and admins pause and resume them.
 */
@Tag(name = TaskbridgeApi.TASK_TYPES)
@Path("/task-types")
@ApplicationScoped // one for all requests: see TaskbridgeApi
@Produces(MediaType.APPLICATION_JSON)
public class TaskTypesResource {

    @EJB
    private TaskGateway gateway;

    @Context
    private SecurityContext security;

    @GET
    @Operation(operationId = "listTaskTypes", summary = "List the task types: what each takes and offers")
    public List<TaskTypeJson> list() {
        return gateway.taskTypes().stream().map(this::json).toList();
    }

    /**
     * Pauses a task type: its queued tasks wait, new submissions are taken and wait too, a chunk
     * running now finishes and no other starts, until it is resumed; across restarts too.
     * Supervisors and admins.
     */
    @POST
    @Path("/{type}/pause")
    @RolesAllowed({Roles.SUPERVISOR, Roles.ADMIN})
    @Operation(operationId = "pauseTaskType", summary = "Pause a task type: its tasks wait until it is resumed")
    public TaskTypeJson pause(@PathParam("type") String type) {
        return json(gateway.pause(type, security.getUserPrincipal().getName()));
    }

    /** Lets a paused task type's tasks run again, in the order they were queued. Supervisors and admins. */
    @POST
    @Path("/{type}/resume")
    @RolesAllowed({Roles.SUPERVISOR, Roles.ADMIN})
    @Operation(operationId = "resumeTaskType", summary = "Resume a paused task type: its waiting tasks run")
    public TaskTypeJson resume(@PathParam("type") String type) {
        return json(gateway.resume(type, security.getUserPrincipal().getName()));
    }

    private TaskTypeJson json(TaskTypeView type) {
        boolean admin = security.isUserInRole(Roles.ADMIN);
        return TaskTypeJson.of(type, admin, admin || security.isUserInRole(Roles.SUPERVISOR));
    }
}
