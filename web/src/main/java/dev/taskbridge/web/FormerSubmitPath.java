package dev.taskbridge.web;

import java.io.IOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.net.URI;

import jakarta.ws.rs.NameBinding;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.ext.Provider;

/**
 * Marks the methods of the former submit path, {@code POST /api/tasks/{type}}: every answer they
 * give, a refusal as much as a 202, says that the path is deprecated (RFC 9745) and where its
 * successor is ({@link Headers}).
 */
@NameBinding
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
@interface FormerSubmitPath {

    /** When the path was deprecated, as RFC 9745 writes it (seconds since the epoch): 2026-12-03. */
    String DEPRECATED = "@1796256000";

    /** Adds the headers after the method, also to the errors its exceptions were mapped to. */
    @Provider
    @FormerSubmitPath
    final class Headers implements ContainerResponseFilter {

        @Override
        public void filter(ContainerRequestContext request, ContainerResponseContext response) throws IOException {
            String type = request.getUriInfo().getPathParameters().getFirst("type");
            URI successor = request.getUriInfo().getBaseUriBuilder().path(TaskSubmissionsResource.class).build(type);
            response.getHeaders().putSingle("Deprecation", DEPRECATED);
            response.getHeaders().putSingle("Link", "<" + successor.getRawPath() + ">; rel=\"successor-version\"");
        }
    }
}
