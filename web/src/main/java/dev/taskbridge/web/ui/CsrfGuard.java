package dev.taskbridge.web.ui;

import java.io.IOException;
import java.io.UncheckedIOException;

import jakarta.faces.context.ExternalContext;
import jakarta.faces.context.FacesContext;
import jakarta.faces.event.PhaseEvent;
import jakarta.faces.event.PhaseId;
import jakarta.faces.event.PhaseListener;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses (403) every form post of the pages that does not send the session's {@link CsrfToken},
 * before any of its values reach a bean. The login form is exempt: there is no session to
 * protect yet, and logging in changes the session id.
 */
public class CsrfGuard implements PhaseListener {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(CsrfGuard.class);
    private static final String LOGIN_VIEW = "/login.xhtml";

    @Override
    public PhaseId getPhaseId() {
        return PhaseId.RESTORE_VIEW;
    }

    @Override
    public void afterPhase(PhaseEvent event) {
        FacesContext faces = event.getFacesContext();
        if (!faces.isPostback() || faces.getViewRoot() == null || LOGIN_VIEW.equals(faces.getViewRoot().getViewId())) {
            return;
        }
        ExternalContext external = faces.getExternalContext();
        Object expected = external.getSession(false) == null ? null : external.getSessionMap().get(CsrfToken.SESSION_ATTRIBUTE);
        if (!CsrfToken.matches(expected, external.getRequestParameterMap().get(CsrfToken.PARAMETER))) {
            LOG.warn("Refused a form post to {} by {} without the session's token", faces.getViewRoot().getViewId(),
                    external.getRemoteUser());
            try {
                external.responseSendError(HttpServletResponse.SC_FORBIDDEN, "no valid form token");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            faces.responseComplete();
        }
    }
}
