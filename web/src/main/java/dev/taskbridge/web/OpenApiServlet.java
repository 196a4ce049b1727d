package dev.taskbridge.web;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.stream.JsonGenerator;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Serves the API's OpenAPI document at {@code /openapi} of this deployment: the file the build
 * wrote ({@code smallrye-open-api-maven-plugin}, with this WAR's configuration and filter; the same
 * file {@code api-client} is generated from), with its server set to this deployment's context
 * root. Not the one WildFly composes at runtime: that one always carries empty {@code license},
 * {@code contact} and {@code externalDocs} objects, which make the document invalid
 * (docs/design/014-openapi-document.md), and it would be a second scan of the same classes.
 *
 * <p>Public by decision, as published APIs' descriptions are (web.xml gives the path no
 * constraint): it holds shapes only, no data, no user and no class of ours.
 * {@code taskbridge.openapi.enabled=false} serves none (404).
 */
@WebServlet(OpenApiServlet.PATH)
public class OpenApiServlet extends HttpServlet {

    static final String PATH = "/openapi";
    /** Where the build writes the document: beside this class, in WEB-INF/classes. */
    static final String DOCUMENT = "openapi/openapi.json";

    private byte[] document;

    @Override
    public void init() throws ServletException {
        boolean enabled = ConfigProvider.getConfig(OpenApiServlet.class.getClassLoader())
                .getOptionalValue("taskbridge.openapi.enabled", Boolean.class).orElse(true);
        if (!enabled) {
            return;
        }
        JsonObject built;
        try (InputStream in = OpenApiServlet.class.getResourceAsStream(DOCUMENT)) {
            if (in == null) {
                throw new ServletException(DOCUMENT + " is not beside " + OpenApiServlet.class.getName() + ": the build writes it");
            }
            built = Json.createReader(in).readObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        document = served(built, getServletContext().getContextPath());
    }

    /**
     * The built document with its one server at {@code contextPath}: the build cannot know where the
     * WAR is deployed, and the document's paths start below it ({@code /api/...}).
     */
    static byte[] served(JsonObject built, String contextPath) {
        JsonObject server = Json.createObjectBuilder(built.getJsonArray("servers").getJsonObject(0))
                .add("url", contextPath.isEmpty() ? "/" : contextPath).build();
        JsonObject served = Json.createObjectBuilder(built).add("servers", Json.createArrayBuilder().add(server)).build();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (var writer = Json.createWriterFactory(Map.of(JsonGenerator.PRETTY_PRINTING, true)).createWriter(out)) {
            writer.write(served);
        }
        return out.toByteArray();
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (document == null) {
            response.sendError(HttpServletResponse.SC_NOT_FOUND);
            return;
        }
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        // it changes with a deployment only; a client may keep it, but asks again whether it did
        response.setHeader("Cache-Control", "no-cache");
        response.setContentLength(document.length);
        response.getOutputStream().write(document);
    }
}
