package dev.taskbridge.web.security;

import java.util.Locale;
import java.util.Set;

import jakarta.servlet.http.HttpServletRequest;

/**
 * What a request is, as far as security cares: a call of the REST API or of a page, a write or a
 * read, sent by a browser or by a script, and from a page of this server or of another site.
 *
 * <p>Whether a request is an API call is read from the path the container routes (the servlet
 * path and path info: decoded, path parameters such as {@code ;x} stripped, dot segments
 * resolved), never from the raw request URI: {@code /api;x/tasks} and {@code /%61pi/tasks} reach the
 * API like {@code /api/tasks}, and must be judged like it.
 *
 * <p>Browsers say where a request comes from: {@code Sec-Fetch-Site} (every current browser), and
 * {@code Origin} on every cross-origin request and every {@code POST}. Scripts and curl send
 * neither; a page of another site cannot make a browser leave them out or forge them.
 */
public final class BrowserRequests {

    /** The JAX-RS application's path (dev.taskbridge.web.TaskbridgeApi). */
    static final String API = "/api";
    private static final Set<String> READS = Set.of("GET", "HEAD", "OPTIONS");
    /** {@code Sec-Fetch-Site} values of requests that a page of this origin, or the user, started. */
    private static final Set<String> OWN_SITE = Set.of("same-origin", "none");

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

    /**
     * Whether a browser sent this: it says so in {@code Sec-Fetch-*} headers, or it carries a
     * session cookie (which only the pages set; this covers browsers without {@code Sec-Fetch-*}).
     */
    static boolean fromBrowser(HttpServletRequest request) {
        return request.getHeader("Sec-Fetch-Mode") != null || request.getHeader("Sec-Fetch-Site") != null
                || request.getRequestedSessionId() != null;
    }

    /** Whether a person opened this address in the browser (a link, the address bar), rather than a page's script. */
    static boolean isNavigation(HttpServletRequest request) {
        String mode = request.getHeader("Sec-Fetch-Mode");
        if (mode != null) {
            return mode.equals("navigate");
        }
        String accept = request.getHeader("Accept");
        return fromBrowser(request) && accept != null && accept.contains("text/html");
    }

    /**
     * Why this request comes from a page of another site, or null if it does not (or if no
     * browser sent it). Another port or scheme of this host is another origin, and counts as
     * another site here: browsers call it "same-site", and it is no page of Taskbridge's. An
     * {@code Origin} is compared with this request's own scheme and {@code Host}.
     */
    static String fromAnotherSite(String secFetchSite, String origin, String scheme, String host) {
        if (secFetchSite != null && !OWN_SITE.contains(secFetchSite.strip().toLowerCase(Locale.ROOT))) {
            return "Sec-Fetch-Site is " + secFetchSite.strip();
        }
        if (origin != null && (host == null || !withoutDefaultPort(origin.strip()).equalsIgnoreCase(
                withoutDefaultPort(scheme + "://" + host.strip())))) {
            return "Origin " + origin.strip() + " is not this server";
        }
        return null;
    }

    /** {@link #fromAnotherSite(String, String, String, String)} for a servlet request. */
    public static String fromAnotherSite(HttpServletRequest request) {
        return fromAnotherSite(request.getHeader("Sec-Fetch-Site"), request.getHeader("Origin"), request.getScheme(),
                request.getHeader("Host"));
    }

    private static String withoutDefaultPort(String origin) {
        if (origin.regionMatches(true, 0, "http://", 0, 7) && origin.endsWith(":80")) {
            return origin.substring(0, origin.length() - 3);
        }
        if (origin.regionMatches(true, 0, "https://", 0, 8) && origin.endsWith(":443")) {
            return origin.substring(0, origin.length() - 4);
        }
        return origin;
    }
}
