package dev.taskbridge.web;

import dev.taskbridge.web.security.BrowserRequests;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.ext.Provider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses every API write (any method but GET, HEAD, OPTIONS) that a browser sends from a page of
 * another site, before it is routed: the browser may hold BASIC credentials (an answered login
 * prompt, credentials in an address) that it adds to a form post another site makes it send, and
 * nothing else in such a post tells it from the user's own. The browser's {@code Sec-Fetch-Site}
 * and {@code Origin} do tell, and a page cannot forge them; scripts and curl send neither and are
 * not affected.
 */
@Provider
@PreMatching
public class CrossSiteWrites implements ContainerRequestFilter {

    private static final Logger LOG = LoggerFactory.getLogger(CrossSiteWrites.class);

    @Context
    private HttpServletRequest request;

    @Override
    public void filter(ContainerRequestContext context) {
        if (!BrowserRequests.isWrite(context.getMethod())) {
            return;
        }
        String why = BrowserRequests.fromAnotherSite(request);
        if (why != null) {
            LOG.warn("Refused {} {} by {} from a page of another site ({})", context.getMethod(),
                    printable(context.getUriInfo().getPath()), request.getRemoteUser(), printable(why));
            throw new CrossSiteWriteException();
        }
    }

    /** Header values and paths come from the client: no line breaks into the log. */
    private static String printable(String text) {
        return text.replaceAll("\\p{Cntrl}", "?");
    }
}
