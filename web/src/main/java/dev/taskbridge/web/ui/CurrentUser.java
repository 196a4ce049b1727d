package dev.taskbridge.web.ui;

import java.io.IOException;

import dev.taskbridge.web.Roles;
import jakarta.enterprise.context.RequestScoped;
import jakarta.faces.context.ExternalContext;
import jakarta.faces.context.FacesContext;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;

/** Who is looking at the page, and what their roles let them do. */
@Named("user")
@RequestScoped
public class CurrentUser {

    @Inject
    private ExternalContext external;

    public String getName() {
        return external.getUserPrincipal() == null ? null : external.getUserPrincipal().getName();
    }

    public boolean hasRole(String role) {
        return external.isUserInRole(role);
    }

    public boolean isSupervisor() {
        return external.isUserInRole(Roles.SUPERVISOR);
    }

    public boolean isAdmin() {
        return external.isUserInRole(Roles.ADMIN);
    }

    /** Supervisors and admins see every task and their stack traces. */
    public boolean isSeesAllTasks() {
        return Roles.seesAllTasks(this::hasRole);
    }

    /** Ends the session and goes back to the login page. */
    public void logout() throws IOException, ServletException {
        HttpServletRequest request = (HttpServletRequest) external.getRequest();
        request.logout();
        external.invalidateSession();
        external.redirect(external.getRequestContextPath() + "/login.xhtml?loggedOut=true");
        FacesContext.getCurrentInstance().responseComplete();
    }
}
