package dev.taskbridge.web;

import dev.taskbridge.gateway.TaskGateway;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ejb.EJB;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The engine's meters for Prometheus to scrape, with help text and histogram buckets; the
 * server's own (JVM, datasources, Undertow) stay at the management interface's
 * {@code /prometheus}. Behind a login like the rest of the API: give Prometheus a user with the
 * role {@code monitor} and {@code basic_auth} in its scrape job.
 */
@Tag(name = TaskbridgeApi.OPERATIONS)
@Path("/metrics")
@ApplicationScoped // one for all requests: see TaskbridgeApi
@RolesAllowed({Roles.MONITOR, Roles.ADMIN})
public class MetricsResource {

    @EJB
    private TaskGateway gateway;

    @GET
    @Produces(TaskGateway.METRICS_MEDIA_TYPE)
    @Operation(operationId = "getMetrics", summary = "Read Taskbridge's metrics in Prometheus' text format (role monitor or admin)")
    @APIResponse(responseCode = "200", description = "Prometheus text exposition format 0.0.4",
            content = @Content(mediaType = TaskGateway.METRICS_MEDIA_TYPE, schema = @Schema(type = SchemaType.STRING)))
    public String metrics() {
        return gateway.metrics();
    }
}
