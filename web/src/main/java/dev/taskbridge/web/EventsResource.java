package dev.taskbridge.web;

import dev.taskbridge.gateway.TaskEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Every change of every task the caller may see, as server-sent events named after the change
 * ({@code SUBMITTED}, {@code STARTED}, {@code CHUNK_COMMITTED}, ...): what a dashboard follows.
 */
@Tag(name = TaskbridgeApi.EVENTS)
@Path("/events")
@ApplicationScoped // one for all requests: see TaskbridgeApi
public class EventsResource {

    @Inject
    private LiveEvents liveEvents;

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Operation(operationId = "followTasks", summary = "Follow every change of the tasks the user may see, as server-sent events")
    @APIResponse(responseCode = "200", description = "A comment when the stream opens, then events named task, each a TaskJson",
            content = @Content(mediaType = MediaType.SERVER_SENT_EVENTS, schema = @Schema(type = SchemaType.STRING)))
    public void follow(@Context SseEventSink sink, @Context Sse sse, @Context SecurityContext security) {
        String user = security.getUserPrincipal().getName();
        boolean seesAll = Roles.seesAllTasks(security);
        liveEvents.followAll(user, (TaskEvent event) -> seesAll || event.owner().equals(user), sink, sse);
    }
}
