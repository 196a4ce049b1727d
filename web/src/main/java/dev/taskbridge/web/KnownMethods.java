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
 * {@code Allow}). The container's servlet for static files answered such methods 501, a server
 * error, with a page of its own.
 */
@WebFilter(urlPatterns = "/*", asyncSupported = true)
public class KnownMethods extends HttpFilter {

    /** The methods of pages (forms post) and their files. TRACE never gets here: Undertow refuses it. */
    static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "OPTIONS");

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (!BrowserRequests.isApi(request) && !METHODS.contains(request.getMethod())) {
            response.setHeader("Allow", "GET, HEAD, POST, OPTIONS");
            response.sendError(HttpServletResponse.SC_METHOD_NOT_ALLOWED);
            return;
        }
        chain.doFilter(request, response);
    }
}
