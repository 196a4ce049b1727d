package dev.taskbridge.web.security;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import javax.security.auth.callback.Callback;
import javax.security.auth.callback.UnsupportedCallbackException;

import dev.taskbridge.web.Roles;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.security.auth.message.callback.PasswordValidationCallback;
import jakarta.security.enterprise.AuthenticationException;
import jakarta.security.enterprise.AuthenticationStatus;
import jakarta.security.enterprise.authentication.mechanism.http.HttpAuthenticationMechanism;
import jakarta.security.enterprise.authentication.mechanism.http.HttpMessageContext;
import jakarta.security.enterprise.credential.UsernamePasswordCredential;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How callers prove who they are: HTTP BASIC for the REST API, a login form and a session for
 * the clerk's pages, both against the server's Elytron realm. One WAR can declare one
 * {@code login-config}, and the API must answer 401 where the pages send the login form, so the
 * choice is made here, per request.
 *
 * <ul>
 * <li>A request with {@code Authorization: Basic} is checked against the realm, on every request;
 *     wrong credentials are a 401.</li>
 * <li>The login page authenticates through {@link jakarta.security.enterprise.SecurityContext#authenticate};
 *     the user and the roles the realm gave them ({@link #rememberLogin}) are then kept in the HTTP
 *     session, whose id changes at login.</li>
 * <li>The session authenticates the pages, and the API's reads ({@code GET}) that the pages' live
 *     updates make. It never authenticates an API call that changes something: those come from
 *     scripts with BASIC, or from the pages' own forms, so a session cookie that another site
 *     makes a browser send changes nothing (no cross-site request forgery). Whether a request is
 *     an API call is decided on the path the container routes ({@link BrowserRequests#isApi}), so
 *     {@code /api;x/...} or {@code /%61pi/...} is an API call like {@code /api/...}.</li>
 * <li>Without credentials a protected API resource answers 401 with a BASIC challenge to scripts;
 *     browsers never get one (their native prompt would keep the answer and send it with other
 *     sites' form posts): a person who opens an API address goes to the login page, a page's own
 *     requests get a 401 without it. A protected page sends the browser to the login page.</li>
 * <li>Wrong passwords are counted per client and user ({@link LoginThrottle}): too many, and that
 *     client waits (429 with {@code Retry-After}, logged once at WARN) without its password being
 *     checked; nobody is locked out, the same user from another client logs in as ever.</li>
 * </ul>
 *
 * <p>Passwords are checked by the container (a {@link PasswordValidationCallback} to the realm;
 * the realm's own lockout is off, server-config's configure-security.cli says why); users and
 * roles come from it too. The WAR's security domain uses non-integrated JASPI (server-config,
 * configure-security.cli): a request that a session carries names its user and roles to the
 * container, which does not look the user up in the realm again.
 */
@ApplicationScoped
public class TaskbridgeAuthentication implements HttpAuthenticationMechanism {

    private static final Logger LOG = LoggerFactory.getLogger(TaskbridgeAuthentication.class);

    /** The session attribute holding the name of the user who logged in on the login page. */
    static final String SESSION_USER = "dev.taskbridge.user";
    /** The session attribute holding that user's roles, as the realm gave them at login. */
    static final String SESSION_ROLES = "dev.taskbridge.roles";
    /** Every role the application knows (web.xml): what a login looks for. */
    static final List<String> ROLES = List.of(Roles.CLERK, Roles.SUPERVISOR, Roles.ADMIN);
    static final String LOGIN_PAGE = "/login.xhtml";
    static final String REALM = "Taskbridge";
    /** The request attribute that tells the login page this client must wait so many seconds. */
    public static final String THROTTLED_SECONDS = "dev.taskbridge.login.throttledSeconds";
    private static final int TOO_MANY_REQUESTS = 429;

    private final LoginThrottle throttle = new LoginThrottle(Clock.systemUTC());

    @Override
    public AuthenticationStatus validateRequest(HttpServletRequest request, HttpServletResponse response,
                                                HttpMessageContext context) throws AuthenticationException {
        String authorization = request.getHeader("Authorization");
        if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            UsernamePasswordCredential credential = basic(authorization.substring(6));
            if (credential == null) {
                return unauthorized(request, response, context);
            }
            long wait = throttle.retryAfterSeconds(request.getRemoteAddr(), credential.getCaller());
            if (wait > 0) {
                credential.getPassword().clear();
                return tooManyWrongPasswords(response, wait);
            }
            if (checked(request, context, credential)) {
                return context.notifyContainerAboutLogin(credential.getCaller(), Set.of());
            }
            return unauthorized(request, response, context);
        }
        if (context.isAuthenticationRequest()
                && context.getAuthParameters().getCredential() instanceof UsernamePasswordCredential credential) {
            long wait = throttle.retryAfterSeconds(request.getRemoteAddr(), credential.getCaller());
            if (wait > 0) {
                credential.getPassword().clear();
                request.setAttribute(THROTTLED_SECONDS, wait); // the login page says so
                return AuthenticationStatus.SEND_FAILURE;
            }
            if (!checked(request, context, credential)) {
                // no 401 error page: the login page answers, with its message
                return AuthenticationStatus.SEND_FAILURE;
            }
            request.getSession(true);
            request.changeSessionId(); // a session id an attacker planted before login is worth nothing after it
            LOG.info("User {} logged in", credential.getCaller());
            return context.notifyContainerAboutLogin(credential.getCaller(), Set.of());
        }
        boolean api = BrowserRequests.isApi(request);
        HttpSession session = request.getSession(false);
        Object user = session == null ? null : session.getAttribute(SESSION_USER);
        Object roles = session == null ? null : session.getAttribute(SESSION_ROLES);
        if (user instanceof String name && roles instanceof Set<?> granted
                && (!api || !BrowserRequests.isWrite(request.getMethod()))) {
            Set<String> groups = new HashSet<>();
            granted.forEach(role -> groups.add((String) role));
            return context.notifyContainerAboutLogin(name, groups);
        }
        if (!context.isProtected()) {
            return context.doNothing();
        }
        if (api) {
            return unauthorized(request, response, context);
        }
        return toLoginPage(request, context);
    }

    /**
     * Keeps who logged in, and with which roles, in the session, on the request whose login just
     * succeeded: the container knows the user's roles from the realm only now.
     */
    public static void rememberLogin(HttpServletRequest request) {
        Set<String> roles = new HashSet<>();
        for (String role : ROLES) {
            if (request.isUserInRole(role)) {
                roles.add(role);
            }
        }
        HttpSession session = request.getSession();
        session.setAttribute(SESSION_USER, request.getUserPrincipal().getName());
        session.setAttribute(SESSION_ROLES, Set.copyOf(roles));
    }

    @Override
    public void cleanSubject(HttpServletRequest request, HttpServletResponse response, HttpMessageContext context) {
        HttpSession session = request.getSession(false);
        if (session != null) {
            session.removeAttribute(SESSION_USER);
            session.removeAttribute(SESSION_ROLES);
        }
        HttpAuthenticationMechanism.super.cleanSubject(request, response, context);
    }

    /**
     * No or wrong credentials. Scripts get a BASIC challenge. Browsers never do: a browser would
     * show its native login prompt and then send the answer with every request to this server,
     * form posts of other sites included. A person who opened an API address (an export link
     * after the session ended) goes to the login page, and comes back after it; a page's own
     * requests get a 401 whose challenge no browser answers.
     */
    private static AuthenticationStatus unauthorized(HttpServletRequest request, HttpServletResponse response,
                                                     HttpMessageContext context) {
        if (!BrowserRequests.fromBrowser(request)) {
            response.setHeader("WWW-Authenticate", "Basic realm=\"" + REALM + "\", charset=\"UTF-8\"");
            return context.responseUnauthorized();
        }
        if (BrowserRequests.isNavigation(request) && request.getMethod().equals("GET")) {
            return toLoginPage(request, context);
        }
        response.setHeader("WWW-Authenticate", "Session realm=\"" + REALM + "\"");
        return context.responseUnauthorized();
    }

    private static AuthenticationStatus toLoginPage(HttpServletRequest request, HttpMessageContext context) {
        return context.redirect(request.getContextPath() + LOGIN_PAGE + "?next="
                + URLEncoder.encode(pageAndQuery(request), StandardCharsets.UTF_8));
    }

    /** 429 with Retry-After: this client sent too many wrong passwords; its request is not looked at. */
    private static AuthenticationStatus tooManyWrongPasswords(HttpServletResponse response, long retryAfterSeconds)
            throws AuthenticationException {
        response.setHeader("Retry-After", String.valueOf(retryAfterSeconds));
        try {
            response.sendError(TOO_MANY_REQUESTS);
        } catch (IOException e) {
            throw new AuthenticationException("could not answer a throttled request", e);
        }
        return AuthenticationStatus.SEND_FAILURE;
    }

    /** Checks the password with the realm, and counts a wrong one against this client and user. */
    private boolean checked(HttpServletRequest request, HttpMessageContext context, UsernamePasswordCredential credential)
            throws AuthenticationException {
        String client = request.getRemoteAddr();
        String caller = credential.getCaller();
        if (valid(context, credential)) {
            throttle.succeeded(client, caller);
            return true;
        }
        LoginThrottle.Verdict verdict = throttle.failed(client, caller);
        if (verdict.throttledNow()) {
            if (verdict.acrossUsers()) {
                LOG.warn("Throttling password checks from {} for {} s: {} wrong passwords for several users",
                        client, verdict.retryAfterSeconds(), LoginThrottle.FAILURES_PER_CLIENT);
            } else {
                LOG.warn("Throttling password checks of user {} from {} for {} s: {} wrong passwords",
                        printable(caller), client, verdict.retryAfterSeconds(), LoginThrottle.FAILURES_PER_USER);
            }
        }
        return false;
    }

    /** Asks the realm; a container that cannot check passwords is a failure to report, not a "no". */
    private static boolean valid(HttpMessageContext context, UsernamePasswordCredential credential)
            throws AuthenticationException {
        PasswordValidationCallback check = new PasswordValidationCallback(context.getClientSubject(),
                credential.getCaller(), credential.getPassword().getValue());
        try {
            context.getHandler().handle(new Callback[]{check});
        } catch (IOException | UnsupportedCallbackException e) {
            throw new AuthenticationException("the server's realm could not check the password", e);
        } finally {
            credential.getPassword().clear();
        }
        return check.getResult();
    }

    /** {@code user:password} from a BASIC header, or null if it is not that. */
    private static UsernamePasswordCredential basic(String encoded) {
        try {
            String decoded = new String(Base64.getDecoder().decode(encoded.strip()), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            return colon <= 0 ? null : new UsernamePasswordCredential(decoded.substring(0, colon), decoded.substring(colon + 1));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** A user name comes from the client: no line breaks into the log, and not endless. */
    private static String printable(String text) {
        String shown = text.length() > 64 ? text.substring(0, 64) + "..." : text;
        return shown.replaceAll("\\p{Cntrl}", "?");
    }

    /** The page to come back to after login: a path inside this application, never another site. */
    private static String pageAndQuery(HttpServletRequest request) {
        String path = BrowserRequests.routedPath(request);
        return request.getQueryString() == null ? path : path + "?" + request.getQueryString();
    }
}
