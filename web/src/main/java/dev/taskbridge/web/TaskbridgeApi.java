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
 * Its OpenAPI description is served by the server at {@code /openapi}.
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
