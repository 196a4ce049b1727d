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

/**
 * Every change of every task the caller may see, as server-sent events named after the change
 * ({@code SUBMITTED}, {@code STARTED}, {@code CHUNK_COMMITTED}, ...): what a dashboard follows.
 */
@Path("/events")
@ApplicationScoped // one for all requests: see TaskbridgeApi
public class EventsResource {

    @Inject
    private LiveEvents liveEvents;

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void follow(@Context SseEventSink sink, @Context Sse sse, @Context SecurityContext security) {
        String user = security.getUserPrincipal().getName();
        boolean seesAll = Roles.seesAllTasks(security);
        liveEvents.followAll(user, (TaskEvent event) -> seesAll || event.owner().equals(user), sink, sse);
    }
}
