package dev.taskbridge.web;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Keeps request bodies within what the server can hold. A body whose declared length is beyond
 * what any payload may be is refused (413: the API's error body, or a page that says so) before
 * anything reads it: no upload is buffered, parsed or spooled to disk only to be refused. A body
 * without a declared length is cut off where it passes the limit by whoever reads it
 * ({@link Uploads#readLimited}). Large bodies take their turn in a {@link BodyBudget}: one that
 * finds no room within {@link #BODY_WAIT} is answered 503 with {@code Retry-After}, unread; one
 * still arriving {@link #BODY_HOLD_SECONDS} after it got its room loses it, and its next read fails
 * ({@link BodyOverdueException}: a 400 that says so).
 */
@WebFilter(urlPatterns = "/*", asyncSupported = true)
public class RequestSizeLimit extends HttpFilter {

    /** The payload limit plus room for a multipart form's other fields and boundaries. */
    static final long MAX_REQUEST_BYTES = Uploads.MAX_PAYLOAD_BYTES + 64 * 1024;
    /** Long enough for the uploads ahead to be read and checked, short enough that a client is not left hanging. */
    static final Duration BODY_WAIT = Duration.ofSeconds(10);
    /**
     * How long a large body may take to arrive, in seconds ({@code taskbridge.web.body-hold-seconds},
     * default 120): 20 MiB in two minutes is 1.4 Mbit/s, which any office network gives; a client
     * that trickles it (a byte within each read timeout) lets the others in after that.
     */
    static final String BODY_HOLD_SECONDS = "taskbridge.web.body-hold-seconds";

    private BodyBudget budget;

    @Override
    public void init() {
        Duration holdLimit = Duration.ofSeconds(ConfigProvider.getConfig(RequestSizeLimit.class.getClassLoader())
                .getOptionalValue(BODY_HOLD_SECONDS, Long.class).orElse(120L));
        budget = BodyBudget.forHeap(Runtime.getRuntime().maxMemory(), MAX_REQUEST_BYTES, BODY_WAIT, holdLimit);
    }

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
            chain.doFilter(new OverdueBodyFails(request, held), response);
        }
    }

    /**
     * The request with a body whose reads fail once its ticket is overdue. (A form the container
     * parses itself, {@code getParts()}, is read past this; its parts over a megabyte are spooled
     * to disk, so such a body loses its room when overdue and costs the heap nothing meanwhile.)
     */
    private static final class OverdueBodyFails extends HttpServletRequestWrapper {

        private final BodyBudget.Ticket ticket;
        private ServletInputStream body;

        OverdueBodyFails(HttpServletRequest request, BodyBudget.Ticket ticket) {
            super(request);
            this.ticket = ticket;
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            if (body == null) {
                body = new Checked(super.getInputStream(), ticket);
            }
            return body;
        }
    }

    private static final class Checked extends ServletInputStream {

        private final ServletInputStream in;
        private final BodyBudget.Ticket ticket;

        Checked(ServletInputStream in, BodyBudget.Ticket ticket) {
            this.in = in;
            this.ticket = ticket;
        }

        @Override
        public int read() throws IOException {
            ticket.requireInTime();
            return in.read();
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            ticket.requireInTime();
            return in.read(buffer, offset, length);
        }

        @Override
        public boolean isFinished() {
            return in.isFinished();
        }

        @Override
        public boolean isReady() {
            return in.isReady();
        }

        @Override
        public void setReadListener(ReadListener listener) {
            in.setReadListener(listener);
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
