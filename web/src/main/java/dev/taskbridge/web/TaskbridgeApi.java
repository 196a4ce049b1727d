package dev.taskbridge.web;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;

/**
 * The REST API, under {@code /api}; who may call what is declared in web.xml and on resources.
 *
 * <p>Its OpenAPI description is served by the server at {@code /openapi}, <b>public by decision</b>:
 * no login, as published APIs' descriptions are. It describes shapes (paths, parameters, bodies,
 * statuses) and holds no data: no task, no user, no class of ours, so it tells a stranger nothing
 * the API would not answer them with 401 anyway, and a client generator needs no credentials. It is
 * switched on, at that path, in {@code META-INF/microprofile-config.properties}
 * ({@code mp.openapi.extensions.enabled=false} serves none); {@code SecurityIT} and
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
                description = "Durable business tasks: submit them (POST /api/tasks/{type}, 202 with the task's Location), "
                        + "follow them (GET /api/tasks/{id}, its history and its server-sent events), cancel and retry them. "
                        + "Errors have one shape (status, error, message, fieldErrors); 400 names every bad field."),
        security = @SecurityRequirement(name = "basic"))
@SecurityScheme(securitySchemeName = "basic", type = SecuritySchemeType.HTTP, scheme = "basic",
        description = "The server's users (Elytron ApplicationRealm); roles clerk, supervisor, admin")
public class TaskbridgeApi extends Application {
}
