package dev.taskbridge.web.ui;

import java.io.IOException;

import dev.taskbridge.web.security.TaskbridgeAuthentication;
import jakarta.enterprise.context.RequestScoped;
import jakarta.faces.application.FacesMessage;
import jakarta.faces.context.ExternalContext;
import jakarta.faces.context.FacesContext;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.security.enterprise.AuthenticationStatus;
import jakarta.security.enterprise.SecurityContext;
import jakarta.security.enterprise.authentication.mechanism.http.AuthenticationParameters;
import jakarta.security.enterprise.credential.UsernamePasswordCredential;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The login form. Its post carries the page's view state, as every form here does; the user and
 * password go to the server's realm through the application's authentication mechanism.
 */
@Named
@RequestScoped
public class LoginPage {

    private static final int TOO_MANY_REQUESTS = 429;

    @Inject
    private SecurityContext security;

    @Inject
    private FacesContext faces;

    private String username;
    private String password;
    private String next;

    public void login() throws IOException {
        ExternalContext external = faces.getExternalContext();
        AuthenticationStatus status = security.authenticate((HttpServletRequest) external.getRequest(),
                (HttpServletResponse) external.getResponse(),
                AuthenticationParameters.withParams().newAuthentication(true)
                        .credential(new UsernamePasswordCredential(username == null ? "" : username,
                                password == null ? "" : password)));
        password = null;
        switch (status) {
            case SUCCESS -> {
                TaskbridgeAuthentication.rememberLogin((HttpServletRequest) external.getRequest());
                external.redirect(external.getRequestContextPath() + safeNext(next));
                faces.responseComplete();
            }
            case SEND_CONTINUE -> faces.responseComplete();
            default -> {
                Object throttled = external.getRequestMap().get(TaskbridgeAuthentication.THROTTLED_SECONDS);
                if (throttled instanceof Long seconds) {
                    external.setResponseStatus(TOO_MANY_REQUESTS);
                    external.setResponseHeader("Retry-After", String.valueOf(seconds));
                    faces.addMessage(null, new FacesMessage(FacesMessage.SEVERITY_ERROR,
                            "Too many wrong passwords: try again in " + minutes(seconds) + ".", null));
                } else {
                    faces.addMessage(null, new FacesMessage(FacesMessage.SEVERITY_ERROR,
                            "The user name or the password is wrong.", null));
                }
            }
        }
    }

    private static String minutes(long seconds) {
        long minutes = (seconds + 59) / 60;
        return minutes == 1 ? "a minute" : minutes + " minutes";
    }

    /**
     * Where to go after login: a page of this application, or the dashboard. The context path is
     * put in front of it, so it cannot lead to another site.
     */
    static String safeNext(String next) {
        if (next == null || !next.startsWith("/") || next.chars().anyMatch(Character::isISOControl)) {
            return "/";
        }
        return next;
    }

    public String getUsername() {
        return username;
    }

    public void setUsername(String username) {
        this.username = username;
    }

    public String getPassword() {
        return password;
    }

    public void setPassword(String password) {
        this.password = password;
    }

    public String getNext() {
        return next;
    }

    public void setNext(String next) {
        this.next = next;
    }
}
