package dev.taskbridge.web;

import java.util.List;

import dev.taskbridge.gateway.EngineFacts;
import dev.taskbridge.gateway.TaskGateway;
import dev.taskbridge.gateway.UnfinishedTasks;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ejb.EJB;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** What operators look at: the engine's live slot actors and tasks per status, and what a deploy must be able to run. */
@Tag(name = TaskbridgeApi.OPERATIONS)
@Path("/admin")
@ApplicationScoped // one for all requests: see TaskbridgeApi
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.ADMIN)
public class AdminResource {

    @EJB
    private TaskGateway gateway;

    /** Live slot actors per task type and stored tasks per status. */
    @GET
    @Path("/engine")
    @Operation(operationId = "getEngineFacts", summary = "Read the engine's facts: slots, tasks per status, stalled tasks")
    public EngineFacts engine() {
        return gateway.engineFacts();
    }

    /**
     * The tasks not final yet per type and version, with some ids: what the next deploy must be
     * able to run. The deploy command reads it before it deploys (design note 041).
     */
    @GET
    @Path("/unfinished-tasks")
    @Operation(operationId = "listUnfinishedTasks",
            summary = "List the tasks not final yet per task type and version: what a deploy must be able to run")
    public List<UnfinishedTasks> unfinishedTasks() {
        return gateway.unfinishedTasks();
    }
}
