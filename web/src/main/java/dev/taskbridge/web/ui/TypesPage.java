package dev.taskbridge.web.ui;

import java.util.List;
import java.util.Map;

import dev.taskbridge.gateway.EngineFacts;
import dev.taskbridge.gateway.TaskGateway;
import dev.taskbridge.gateway.TaskTypeView;
import dev.taskbridge.gateway.TaskbridgeException;
import jakarta.ejb.EJB;
import jakarta.enterprise.context.RequestScoped;
import jakarta.faces.context.FacesContext;
import jakarta.inject.Inject;
import jakarta.inject.Named;

/** For admins: the task types (plugins, versions, slots, paused or not) and what the engine looks like now. */
@Named("typesPage")
@RequestScoped
public class TypesPage {

    @EJB
    private TaskGateway gateway;

    @Inject
    private CurrentUser user;

    private List<TaskTypeView> types = List.of();
    private EngineFacts facts;
    private boolean loaded;

    /**
     * Reads the types once per request, when first needed: a post of a row's button needs the
     * table's rows before the page's view action would run, to find the button that was pressed.
     */
    public void load() {
        if (!loaded) {
            read();
        }
    }

    private void read() {
        loaded = true;
        try {
            types = gateway.taskTypes();
            facts = gateway.engineFacts();
        } catch (TaskbridgeException e) {
            Pages.refused(e);
        }
    }

    /**
     * Pauses or resumes the type the pressed button names ({@code type}, {@code to}), as the page
     * showed it. The page is for admins (web.xml), who may.
     */
    public void change() {
        Map<String, String> parameters = FacesContext.getCurrentInstance().getExternalContext().getRequestParameterMap();
        String type = parameters.get("type");
        String to = parameters.get("to");
        if (type == null || !"pause".equals(to) && !"resume".equals(to)) {
            Pages.error("Say which task type to pause or resume.");
            return;
        }
        if (to.equals("pause")) {
            act(() -> gateway.pause(type, user.getName()), type + " is paused: its tasks wait until it is resumed.");
        } else {
            act(() -> gateway.resume(type, user.getName()), type + " runs again: its waiting tasks start.");
        }
    }

    private void act(Runnable action, String done) {
        try {
            action.run();
            Pages.info(done);
        } catch (TaskbridgeException e) {
            Pages.refused(e);
        }
        read(); // as it is now
    }

    /** "since 2026-12-04 10:15:00, by supervisor", or empty when the type runs. */
    public String pausedText(TaskTypeView type) {
        return type.paused() == null ? "" : "since " + Pages.time(type.paused().at()) + ", by " + type.paused().by();
    }

    public List<TaskTypeView> getTypes() {
        load();
        return types;
    }

    public EngineFacts getFacts() {
        load();
        return facts;
    }

    public String getStartedAt() {
        return facts == null ? "" : Pages.time(facts.startedAt());
    }
}
