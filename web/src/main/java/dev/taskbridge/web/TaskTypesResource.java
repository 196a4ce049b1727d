package dev.taskbridge.web;

import java.util.List;

import dev.taskbridge.gateway.TaskGateway;
import jakarta.ejb.EJB;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.SecurityContext;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The task types clients can submit: id, version, slots, exports; for admins also the plugin class behind each. */
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
        boolean admin = security.isUserInRole(Roles.ADMIN);
        return gateway.taskTypes().stream().map(type -> TaskTypeJson.of(type, admin)).toList();
    }
}
