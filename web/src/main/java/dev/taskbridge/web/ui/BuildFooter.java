package dev.taskbridge.web.ui;

import dev.taskbridge.gateway.BuildView;
import dev.taskbridge.gateway.TaskGateway;
import dev.taskbridge.gateway.TaskbridgeException;
import jakarta.ejb.EJB;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Named;

/**
 * The footer of every page: which Taskbridge and node answered, so that a clerk's screenshot
 * tells support what ran. Only on pages for users who logged in (the login page has none).
 */
@Named("build")
@RequestScoped
public class BuildFooter {

    @EJB
    private TaskGateway gateway;

    private BuildView build;
    private boolean read;

    /** Null while the deployment starts; the footer is then left out. */
    public BuildView getView() {
        if (!read) {
            read = true;
            try {
                build = gateway.build();
            } catch (TaskbridgeException notKnownYet) {
                build = null;
            }
        }
        return build;
    }
}
