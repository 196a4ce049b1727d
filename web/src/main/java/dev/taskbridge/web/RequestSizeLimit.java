package dev.taskbridge.web;

import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Refuses a request whose declared length is beyond what any payload may be (413: the API's
 * error body, or a page that says so), before anything reads it: no upload is buffered, parsed
 * or spooled to disk only to be refused. A body without a declared length is cut off where it
 * passes the limit by whoever reads it ({@link Uploads#readLimited}).
 */
@WebFilter(urlPatterns = "/*", asyncSupported = true)
public class RequestSizeLimit extends HttpFilter {

    /** The payload limit plus room for a multipart form's other fields and boundaries. */
    static final long MAX_REQUEST_BYTES = Uploads.MAX_PAYLOAD_BYTES + 64 * 1024;

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (request.getContentLengthLong() > MAX_REQUEST_BYTES) {
            response.setHeader("Connection", "close"); // the rest of the body is not read
            response.sendError(HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE);
            return;
        }
        chain.doFilter(request, response);
    }
}
