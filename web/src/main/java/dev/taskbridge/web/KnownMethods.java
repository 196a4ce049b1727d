package dev.taskbridge.web;

import java.io.IOException;
import java.util.Set;

import dev.taskbridge.web.security.BrowserRequests;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Answers a method that the pages and their files do not take ({@code FOO}, {@code PROPFIND})
 * with 405 and its message, as the API does (RESTEasy answers there, with the resource's own
 * {@code Allow}), and TRACE everywhere. The container's servlet for static files answered such
 * methods 501, a server error, with a page of its own.
 */
@WebFilter(urlPatterns = "/*", asyncSupported = true)
public class KnownMethods extends HttpFilter {

    /** The methods of pages (forms post) and their files. */
    static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "OPTIONS");

    /**
     * Refused everywhere, the API included, before any servlet could answer it by echoing the
     * request (cookies and credentials with it). Undertow's listener lets it through
     * (configure-web.cli), so that its 405 carries a message like any other.
     */
    static final String TRACE = "TRACE";

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        String method = request.getMethod();
        if (method.equals(TRACE) || !BrowserRequests.isApi(request) && !METHODS.contains(method)) {
            response.setHeader("Allow", "GET, HEAD, POST, OPTIONS");
            response.sendError(HttpServletResponse.SC_METHOD_NOT_ALLOWED);
            return;
        }
        chain.doFilter(request, response);
    }
}
