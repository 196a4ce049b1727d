package dev.taskbridge.web.security;

import java.util.Locale;
import java.util.Set;

import jakarta.servlet.http.HttpServletRequest;

/**
 * What a request is, as far as security cares: a call of the REST API or of a page, a write or a
 * read.
 *
 * <p>Whether a request is an API call is read from the path the container routes (the servlet
 * path and path info: decoded, path parameters such as {@code ;x} stripped, dot segments
 * resolved), never from the raw request URI: {@code /api;x/tasks} and {@code /%61pi/tasks} reach the
 * API like {@code /api/tasks}, and must be judged like it.
 */
public final class BrowserRequests {

    /** The JAX-RS application's path (dev.taskbridge.web.TaskbridgeApi). */
    static final String API = "/api";
    private static final Set<String> READS = Set.of("GET", "HEAD", "OPTIONS");

    private BrowserRequests() {
    }

    /** Whether the container routes this request to the REST API, however its path was spelled. */
    public static boolean isApi(HttpServletRequest request) {
        String path = routedPath(request);
        return path.equals(API) || path.startsWith(API + "/");
    }

    /** The path inside the application that the container routes: decoded, without path parameters. */
    static String routedPath(HttpServletRequest request) {
        String servletPath = request.getServletPath() == null ? "" : request.getServletPath();
        return request.getPathInfo() == null ? servletPath : servletPath + request.getPathInfo();
    }

    /** Whether the method may change something: anything but GET, HEAD and OPTIONS. */
    public static boolean isWrite(String method) {
        return !READS.contains(method.toUpperCase(Locale.ROOT));
    }
}
