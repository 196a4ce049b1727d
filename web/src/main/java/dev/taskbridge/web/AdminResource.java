package dev.taskbridge.web;

import dev.taskbridge.gateway.EngineFacts;
import dev.taskbridge.gateway.TaskGateway;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ejb.EJB;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** What operators look at: the engine's live slot actors and tasks per status. */
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
}
