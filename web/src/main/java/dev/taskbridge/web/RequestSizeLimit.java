package dev.taskbridge.web;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Keeps request bodies within what the server can hold. A body whose declared length is beyond
 * what any payload may be is refused (413: the API's error body, or a page that says so) before
 * anything reads it: no upload is buffered, parsed or spooled to disk only to be refused. A body
 * without a declared length is cut off where it passes the limit by whoever reads it
 * ({@link Uploads#readLimited}). Large bodies take their turn in a {@link BodyBudget}: one that
 * finds no room within {@link #BODY_WAIT} is answered 503 with {@code Retry-After}, unread.
 */
@WebFilter(urlPatterns = "/*", asyncSupported = true)
public class RequestSizeLimit extends HttpFilter {

    /** The payload limit plus room for a multipart form's other fields and boundaries. */
    static final long MAX_REQUEST_BYTES = Uploads.MAX_PAYLOAD_BYTES + 64 * 1024;
    /** Long enough for the uploads ahead to be read and checked, short enough that a client is not left hanging. */
    static final Duration BODY_WAIT = Duration.ofSeconds(10);

    private final BodyBudget budget = BodyBudget.forHeap(Runtime.getRuntime().maxMemory(), MAX_REQUEST_BYTES, BODY_WAIT);

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        long length = request.getContentLengthLong();
        if (length > MAX_REQUEST_BYTES) {
            response.setHeader("Connection", "close"); // the rest of the body is not read
            response.sendError(HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE);
            return;
        }
        if (length < 0 && request.getHeader("Transfer-Encoding") == null) {
            length = 0; // no body at all
        }
        Optional<BodyBudget.Ticket> ticket;
        try {
            ticket = budget.enter(length);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ticket = Optional.empty();
        }
        if (ticket.isEmpty()) {
            // not read, but drained by the container after the answer (at most the limit, never held
            // in memory), so that a browser that sends its whole form first still gets the page
            response.setHeader("Retry-After", Long.toString(budget.retryAfterSeconds()));
            response.sendError(HttpServletResponse.SC_SERVICE_UNAVAILABLE);
            return;
        }
        try (BodyBudget.Ticket held = ticket.get()) {
            chain.doFilter(request, response);
        }
    }
}
