package dev.taskbridge.web;

import java.io.IOException;
import java.io.StringWriter;
import java.util.UUID;

import jakarta.faces.application.ViewExpiredException;
import jakarta.json.Json;
import jakarta.json.stream.JsonGenerator;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The answer to errors the container meets before or outside the API's own error mapping (a
 * role that is not allowed, an unknown page, a failure in a page): the API's error body for
 * {@code /api/...}, a short page for people otherwise. A failure is logged with a reference,
 * which the answer quotes; its stack trace never leaves the server.
 */
@WebServlet({"/error", ErrorServlet.API_PATH})
public class ErrorServlet extends HttpServlet {

    private static final Logger LOG = LoggerFactory.getLogger(ErrorServlet.class);
    /** Where WEB-INF/undertow-handlers.conf sends an API path it refuses: answered as the API answers. */
    static final String API_PATH = "/error/api";
    static final String EXPIRED_FORM = "This form has expired or was not sent from this page: open the page again and send it"
            + " from there.";

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        int status = response.getStatus() >= 400 ? response.getStatus() : HttpServletResponse.SC_NOT_FOUND;
        Throwable failure = (Throwable) request.getAttribute(RequestDispatcher.ERROR_EXCEPTION);
        String uri = (String) request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
        String reference = null;
        boolean expired = isExpiredForm(failure);
        if (expired) {
            // a form post whose view the session does not hold: the client's stale or forged form, not a failure
            status = HttpServletResponse.SC_BAD_REQUEST;
        } else if (failure != null) {
            status = HttpServletResponse.SC_INTERNAL_SERVER_ERROR;
            reference = UUID.randomUUID().toString();
            LOG.error("Request {} failed, reference {}", uri, reference, failure);
        }
        String message = expired ? EXPIRED_FORM : message(status, reference);
        response.setStatus(status);
        response.setHeader("Cache-Control", "no-store");
        // an API path, or the one WEB-INF/undertow-handlers.conf sent here, also when a filter refused it
        boolean api = uri != null
                ? uri.startsWith(request.getContextPath() + "/api/") || uri.equals(request.getContextPath() + API_PATH)
                : API_PATH.equals(request.getServletPath());
        if (api) {
            response.setContentType("application/json");
            response.setCharacterEncoding("UTF-8");
            StringWriter out = new StringWriter();
            try (JsonGenerator json = Json.createGenerator(out)) {
                json.writeStartObject().write("status", status).write("error", reason(status)).write("message", message)
                        .writeStartArray("fieldErrors").writeEnd();
                if (reference == null) {
                    json.writeNull("reference");
                } else {
                    json.write("reference", reference);
                }
                json.writeEnd();
            }
            response.getWriter().write(out.toString());
        } else {
            response.setContentType("text/html");
            response.setCharacterEncoding("UTF-8");
            response.getWriter().write("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"UTF-8\"><title>" + status + " "
                    + reason(status) + " - Taskbridge</title></head><body><h1>" + reason(status) + "</h1><p id=\"error-message\">"
                    + message + "</p><p><a href=\"" + request.getContextPath() + "/\">Back to the dashboard</a></p></body></html>");
        }
    }

    /**
     * Whether the failure is Faces' {@code ViewExpiredException}: a form posted with a view state
     * that this session does not hold (the session ended, the page is too old, or the state was
     * made up, or unreadable in the body's encoding).
     */
    private static boolean isExpiredForm(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof ViewExpiredException) {
                return true;
            }
        }
        return false;
    }

    /** Fixed texts only (and a UUID): nothing from the request is echoed. */
    private static String message(int status, String reference) {
        return switch (status) {
            case 400 -> "The request was not understood.";
            case 401 -> "Please log in.";
            case 403 -> "You may not do this.";
            case 404 -> "There is nothing here.";
            case 405 -> "This address does not take that method.";
            case 413 -> "The request is larger than " + Uploads.MAX_PAYLOAD_BYTES / (1024 * 1024) + " MiB.";
            case 429 -> "Too many wrong passwords from this client for this user: no password is checked until the time"
                    + " in Retry-After has passed.";
            case 503 -> "The server is busy reading other large uploads: try again after the time in Retry-After.";
            default -> reference == null ? "The server failed." : "The server failed; quote reference " + reference + ".";
        };
    }

    private static String reason(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 413 -> "Payload Too Large";
            case 429 -> "Too Many Requests";
            case 503 -> "Service Unavailable";
            default -> "Internal Server Error";
        };
    }
}
